#include "cli/create_opts.h"

static const char usage[] =
	"Usage: kapsel run [options] ID\n"
	"Create and start a container. In the foreground, signals are forwarded to it and\n"
	"kapsel exits with its exit code (128+N if killed by signal N), then deletes it.\n"
	"  -d, --detach              return once the container runs\n"
	"      --keep                do not delete the container when it exits\n"
	"      --no-subreaper        accepted for runc compatibility: kapsel stays a\n"
	"                            subreaper to collect its init's exit status\n"
	CREATE_OPTS_HELP;

int cmd_run(int argc, char **argv, const struct kglobal *g)
{
	struct kcreate_opts o = { 0 };
	struct kerr err = { 0 };
	int code = 0;
	int r = create_opts_parse("run", argc, argv, &o, usage, true);

	if (r != 0) {
		create_opts_free(&o);
		return r < 0 ? 0 : r;
	}
	if (runtime_run(g, argv[optind], &o, &code, &err) < 0)
		code = cli_fail(&err);
	create_opts_free(&o);
	return code;
}
