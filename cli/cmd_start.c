#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel start ID\n"
	"Start the process of a created container.\n";

int cmd_start(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cli_help(usage);
		return cli_bad_option("start", c, argv);
	}
	if (cli_positional("start", argc, argv, 1, "container id") != 0)
		return 1;
	return runtime_start(g, argv[optind], &err) < 0 ? cli_fail(&err) : 0;
}
