#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel restore [options] ID\n"
	"Restore a container from a CRIU checkpoint (the criu binary, Debian package\n"
	"criu), under ID, from the bundle's config.json. In the foreground kapsel waits\n"
	"for it and exits with its exit code, as run does.\n"
	"      --image-path DIR     the checkpoint's images (default ./checkpoint)\n"
	"      --work-path DIR      where CRIU writes its log (default the image dir)\n"
	"  -b, --bundle DIR         the bundle (default .)\n"
	"  -d, --detach             return once the container runs\n"
	"      --pid-file FILE      write the restored init's pid there\n"
	"      --console-socket SOCK  accepted for runc compatibility\n"
	"      --tcp-established    restore established TCP connections\n"
	"      --ext-unix-sk        allow external unix sockets\n"
	"      --shell-job          restore a shell job onto this terminal\n"
	"      --file-locks         restore file locks\n"
	"      --manage-cgroups-mode soft|full|strict|ignore   (default soft)\n"
	"      --no-pivot, --no-subreaper  accepted for runc compatibility\n";

int cmd_restore(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "image-path", required_argument, NULL, 'i' },
		{ "work-path", required_argument, NULL, 'w' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "manage-cgroups-mode", required_argument, NULL, 'm' },
		{ "tcp-established", no_argument, NULL, 't' },
		{ "ext-unix-sk", no_argument, NULL, 'x' },
		{ "shell-job", no_argument, NULL, 's' },
		{ "file-locks", no_argument, NULL, 'f' },
		{ "no-pivot", no_argument, NULL, 'N' },
		{ "no-subreaper", no_argument, NULL, 'N' },
		CLI_HELP_OPTION, { 0 } };
	struct krestore_opts o = { 0 };
	struct kerr err = { 0 };
	int code = 0, c;

	while ((c = cli_getopt(argc, argv, "b:d", opts)) != -1) {
		switch (c) {
		case 'i': o.criu.image_path = optarg; break;
		case 'w': o.criu.work_path = optarg; break;
		case 'b': o.bundle = optarg; break;
		case 'd': o.detach = true; break;
		case 'p': o.pid_file = optarg; break;
		case 'c': o.console_socket = optarg; break;
		case 'm': o.criu.manage_cgroups_mode = optarg; break;
		case 't': o.criu.tcp_established = true; break;
		case 'x': o.criu.ext_unix_sk = true; break;
		case 's': o.criu.shell_job = true; break;
		case 'f': o.criu.file_locks = true; break;
		case 'N': break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("restore", c, argv);
		}
	}
	if (cli_positional("restore", argc, argv, 1, "container id") != 0)
		return 1;
	if (runtime_restore(g, argv[optind], &o, &code, &err) < 0)
		code = cli_fail(&err);
	return code;
}
