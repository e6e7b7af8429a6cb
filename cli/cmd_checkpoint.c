#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel checkpoint [options] ID\n"
	"Checkpoint a running container with CRIU (the criu binary, Debian package criu).\n"
	"Without --leave-running the container is stopped and deleted afterwards;\n"
	"`kapsel restore` brings it back.\n"
	"      --image-path DIR     where CRIU writes the images (default ./checkpoint)\n"
	"      --work-path DIR      where CRIU writes its log (default the image dir)\n"
	"      --leave-running      keep the container running after the checkpoint\n"
	"      --tcp-established    checkpoint established TCP connections\n"
	"      --ext-unix-sk        allow external unix sockets\n"
	"      --shell-job          allow a shell job (a terminal from outside)\n"
	"      --file-locks         checkpoint file locks\n"
	"      --pre-dump           dump memory only, leave it running (for --parent-path)\n"
	"      --parent-path DIR    previous pre-dump, relative to --image-path\n"
	"      --manage-cgroups-mode soft|full|strict|ignore   (default soft)\n";

int cmd_checkpoint(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "image-path", required_argument, NULL, 'i' },
		{ "work-path", required_argument, NULL, 'w' },
		{ "parent-path", required_argument, NULL, 'p' },
		{ "manage-cgroups-mode", required_argument, NULL, 'm' },
		{ "leave-running", no_argument, NULL, 'l' },
		{ "tcp-established", no_argument, NULL, 't' },
		{ "ext-unix-sk", no_argument, NULL, 'x' },
		{ "shell-job", no_argument, NULL, 's' },
		{ "file-locks", no_argument, NULL, 'f' },
		{ "pre-dump", no_argument, NULL, 'P' },
		CLI_HELP_OPTION, { 0 } };
	struct kcheckpoint_opts o = { 0 };
	struct kerr err = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'i': o.criu.image_path = optarg; break;
		case 'w': o.criu.work_path = optarg; break;
		case 'p': o.parent_path = optarg; break;
		case 'm': o.criu.manage_cgroups_mode = optarg; break;
		case 'l': o.leave_running = true; break;
		case 't': o.criu.tcp_established = true; break;
		case 'x': o.criu.ext_unix_sk = true; break;
		case 's': o.criu.shell_job = true; break;
		case 'f': o.criu.file_locks = true; break;
		case 'P': o.pre_dump = true; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("checkpoint", c, argv);
		}
	}
	if (cli_positional("checkpoint", argc, argv, 1, "container id") != 0)
		return 1;
	return runtime_checkpoint(g, argv[optind], &o, &err) < 0 ? cli_fail(&err) : 0;
}
