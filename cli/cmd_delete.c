#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel delete [--force] ID\n"
	"Delete a stopped (or created) container and everything it holds.\n"
	"  -f, --force   kill it first if it still runs\n";

int cmd_delete(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	bool force = false;
	int c;

	while ((c = cli_getopt(argc, argv, "f", opts)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("delete", c, argv);
		}
	}
	if (cli_positional("delete", argc, argv, 1, "container id") != 0)
		return 1;
	return runtime_delete(g, argv[optind], force, &err) < 0 ? cli_fail(&err) : 0;
}
