#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel pause ID\n"
	"Freeze every process of the container (cgroup.freeze); status becomes paused.\n";

int cmd_pause(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cli_help(usage);
		return cli_bad_option("pause", c, argv);
	}
	if (cli_positional("pause", argc, argv, 1, "container id") != 0)
		return 1;
	return runtime_pause(g, argv[optind], &err) < 0 ? cli_fail(&err) : 0;
}
