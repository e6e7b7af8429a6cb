#include "cli/cli.h"

#include <signal.h>

static const char usage[] =
	"Usage: kapsel kill [--all] ID [SIGNAL]\n"
	"Send a signal (name or number, default SIGTERM) to the container's init.\n"
	"  -a, --all   signal every process of the container\n";

int cmd_kill(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	bool all = false;
	int sig = SIGTERM;
	int c;

	while ((c = cli_getopt(argc, argv, "a", opts)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("kill", c, argv);
		}
	}
	if (argc - optind == 2) {
		sig = runtime_parse_signal(argv[optind + 1]);
		if (sig < 0)
			return cli_usage_error("kill", "unknown signal \"%s\"", argv[optind + 1]);
	} else if (cli_positional("kill", argc, argv, 1, "container id") != 0) {
		return 1;
	}
	return runtime_kill(g, argv[optind], sig, all, &err) < 0 ? cli_fail(&err) : 0;
}
