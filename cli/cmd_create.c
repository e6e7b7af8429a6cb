#include "cli/create_opts.h"

static const char usage[] =
	"Usage: kapsel create [options] ID\n"
	"Create a container from a bundle; its process waits until `kapsel start ID`.\n"
	CREATE_OPTS_HELP;

int cmd_create(int argc, char **argv, const struct kglobal *g)
{
	struct kcreate_opts o = { .detach = true };
	struct kerr err = { 0 };
	int r = create_opts_parse("create", argc, argv, &o, usage, false);

	if (r != 0) {
		create_opts_free(&o);
		return r < 0 ? 0 : r;
	}
	r = runtime_create(g, argv[optind], &o, &err) < 0 ? cli_fail(&err) : 0;
	create_opts_free(&o);
	return r;
}
