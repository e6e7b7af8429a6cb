#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char usage[] =
	"Usage: kapsel exec [options] ID [--] CMD [ARGS...]\n"
	"Run a new process in a running container.\n"
	"  -t, --tty                  allocate a pty\n"
	"      --console-socket SOCK  send the pty master to this unix socket\n"
	"  -d, --detach               do not wait for the process\n"
	"      --pid-file FILE        write the process's pid to FILE\n"
	"      --cwd DIR              working directory in the container\n"
	"  -e, --env K=V              add an environment variable (repeatable)\n"
	"  -u, --user UID[:GID]       run as this user\n"
	"  -g, --additional-gids GID  add a supplementary group (repeatable)\n"
	"  -c, --cap CAP              add a capability (repeatable)\n"
	"      --no-new-privs         set no_new_privs\n"
	"  -p, --process FILE         the whole process as JSON (config.json's process)\n"
	"      --apparmor PROFILE     AppArmor profile\n"
	"      --process-label LABEL  SELinux label\n"
	"      --preserve-fds N       pass N more fds (3..3+N-1) to the process\n"
	"      --ignore-paused        exec even if the container is paused\n"
	"      --cgroup [CTRL[,CTRL]:]PATH  run in an existing sub-cgroup of the\n"
	"                             container's, in each hierarchy where it exists\n"
	"                             (every --cgroup must name the same PATH)\n";

/* runc's [CONTROLLER[,CONTROLLER]:]PATH, repeatable. */
static int add_cgroup(const char **cur, const char *arg)
{
	const char *colon = strchr(arg, ':');
	const char *path = colon != NULL ? colon + 1 : arg;

	if (colon == arg || strchr(path, ':') != NULL || *path == '\0')
		return cli_usage_error("exec", "--cgroup %s: expected [CONTROLLER:]PATH", arg);
	if (*cur != NULL && strcmp(*cur, path) != 0)
		return cli_usage_error("exec", "--cgroup: %s and %s differ: one PATH for every hierarchy",
				       *cur, path);
	*cur = path;
	return 0;
}

int cmd_exec(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, 'N' },
		{ "process", required_argument, NULL, 'p' },
		{ "apparmor", required_argument, NULL, 'A' },
		{ "process-label", required_argument, NULL, 'L' },
		{ "preserve-fds", required_argument, NULL, 'f' },
		{ "ignore-paused", no_argument, NULL, 'I' },
		{ "cgroup", required_argument, NULL, 'G' },
		CLI_HELP_OPTION, { 0 } };
	struct kexec_opts o = { 0 };
	struct kerr err = { 0 };
	uint64_t n;
	int c, code = 1, ret = 0;

	while ((c = cli_getopt(argc, argv, "tde:u:g:c:p:", opts)) != -1) {
		switch (c) {
		case 't': o.tty = true; break;
		case 'C': o.console_socket = optarg; break;
		case 'd': o.detach = true; break;
		case 'P': o.pid_file = optarg; break;
		case 'w': o.cwd = optarg; break;
		case 'e': cli_strv_push(&o.env, optarg); break;
		case 'u': o.user = optarg; break;
		case 'g': cli_strv_push(&o.additional_gids, optarg); break;
		case 'c': cli_strv_push(&o.caps, optarg); break;
		case 'N': o.no_new_privs = true; break;
		case 'p': o.process_json = optarg; break;
		case 'A': o.apparmor = optarg; break;
		case 'L': o.process_label = optarg; break;
		case 'I': o.ignore_paused = true; break;
		case 'G':
			if (add_cgroup(&o.cgroup, optarg) != 0)
				goto bad;
			break;
		case 'f':
			if (!parse_u64(optarg, &n) || n > 1024) {
				cli_usage_error("exec", "--preserve-fds: not a count: %s", optarg);
				goto bad;
			}
			o.preserve_fds = (int)n;
			break;
		case 'h': code = cli_help(usage); goto bad;
		default: cli_bad_option("exec", c, argv); goto bad;
		}
	}
	if (optind >= argc) {
		cli_usage_error("exec", "exec: missing container id");
		goto bad;
	}
	if (optind + 1 < argc && strcmp(argv[optind + 1], "--") == 0)
		o.args = &argv[optind + 2];
	else
		o.args = &argv[optind + 1];
	if (o.process_json == NULL && o.args[0] == NULL) {
		cli_usage_error("exec", "exec: missing command");
		goto bad;
	}
	code = 0;
	ret = runtime_exec(g, argv[optind], &o, &code, &err);
	if (ret < 0)
		code = cli_fail(&err);
bad:   /* also --help: code 0 then */
	free(o.env);
	free(o.additional_gids);
	free(o.caps);
	return code;
}
