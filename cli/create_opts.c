/* The options create and run share. */
#include "cli/create_opts.h"

#include <stdlib.h>

#include "common/util.h"

int create_opts_parse(const char *cmd, int argc, char **argv, struct kcreate_opts *o,
		      const char *usage, bool is_run)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-subreaper", no_argument, NULL, 'S' },
		{ "image", required_argument, NULL, 'I' },
		{ "network", required_argument, NULL, 'N' },
		{ "subnet", required_argument, NULL, 's' },
		{ "ip", required_argument, NULL, 'i' },
		{ "publish", required_argument, NULL, 'o' },
		{ "dns", required_argument, NULL, 'D' },
		{ "hostname", required_argument, NULL, 'H' },
		CLI_HELP_OPTION, { 0 } };
	uint64_t n;
	int c;

	while ((c = cli_getopt(argc, argv, "b:d", opts)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'c': o->console_socket = optarg; break;
		case 'P': o->no_pivot = true; break;
		case 'K': o->no_new_keyring = true; break;
		case 'f':
			if (!parse_u64(optarg, &n) || n > 1024)
				return cli_usage_error(cmd, "--preserve-fds: not a count: %s", optarg);
			o->preserve_fds = (int)n;
			break;
		case 'd': case 'k': case 'S':
			if (!is_run)
				return cli_bad_option(cmd, '?', argv);
			if (c == 'd')
				o->detach = true;
			else if (c == 'k')
				o->keep = true;
			else
				o->no_subreaper = true;
			break;
		case 'I': o->image = optarg; break;
		case 'N': o->network = optarg; break;
		case 's': o->subnet = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'H': o->hostname = optarg; break;
		case 'o': cli_strv_push(&o->publish, optarg); break;
		case 'D': cli_strv_push(&o->dns, optarg); break;
		case 'h': cli_help(usage); return -1;
		default: return cli_bad_option(cmd, c, argv);
		}
	}
	if (cli_positional(cmd, argc, argv, 1, "container id") != 0)
		return 1;
	return 0;
}

void create_opts_free(struct kcreate_opts *o)
{
	free(o->publish);
	free(o->dns);
	o->publish = o->dns = NULL;
}
