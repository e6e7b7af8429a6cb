#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel spec [--bundle DIR] [--rootless]\n"
	"Write a default config.json for a bundle (fails if one exists).\n"
	"  -b, --bundle DIR   bundle directory (default: current directory)\n"
	"      --rootless     a config for running as a normal user: as runc's, it maps\n"
	"                     container root to the caller only; for more ids add ranges\n"
	"                     of /etc/subuid and /etc/subgid to linux.uidMappings and\n"
	"                     gidMappings (written through newuidmap/newgidmap)\n";

int cmd_spec(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		CLI_HELP_OPTION, { 0 } };
	const char *bundle = ".";
	bool rootless = false;
	struct kerr err = { 0 };
	int c;

	(void)g;
	while ((c = cli_getopt(argc, argv, "b:", opts)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'r': rootless = true; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("spec", c, argv);
		}
	}
	if (cli_positional("spec", argc, argv, 0, "") != 0)
		return 1;
	return runtime_spec(bundle, rootless, &err) < 0 ? cli_fail(&err) : 0;
}
