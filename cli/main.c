/* kapsel's entry point: global options, then one command from the table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/log.h"

static const struct cli_command commands[] = {
	{ "spec", cmd_spec, "write a default config.json", false },
	{ "create", cmd_create, "create a container (its process waits for start)", true },
	{ "start", cmd_start, "start a created container", false },
	{ "run", cmd_run, "create and start a container", true },
	{ "state", cmd_state, "print a container's state as JSON", false },
	{ "list", cmd_list, "list containers", false },
	{ "kill", cmd_kill, "send a signal to a container", false },
	{ "delete", cmd_delete, "delete a container", false },
	{ "exec", cmd_exec, "run a new process in a container", true },
	{ "features", cmd_features, "print the features this build supports", false },
	{ "image", cmd_image, "unpack and manage OCI images", false },
	{ "pause", cmd_pause, "freeze every process of a container", false },
	{ "resume", cmd_resume, "thaw a paused container", false },
	{ "ps", cmd_ps, "list a container's processes", false },
	{ "update", cmd_update, "change a container's resource limits", false },
	{ "events", cmd_events, "stream a container's stats and OOM events", false },
	{ "checkpoint", cmd_checkpoint, "checkpoint a running container with CRIU", false },
	{ "restore", cmd_restore, "restore a container from a CRIU checkpoint", false },
};

static const char usage_head[] =
	"Usage: kapsel [global options] COMMAND [options] [ID] [args]\n"
	"An OCI container runtime, compatible with runc's command line.\n\n"
	"Global options:\n"
	"      --root DIR           state directory (default /run/kapsel)\n"
	"      --log FILE           log to FILE instead of stderr\n"
	"      --log-format FORMAT  text or json\n"
	"      --debug              log debug messages\n"
	"      --rootless true|false|auto\n"
	"      --criu PATH          the criu binary for checkpoint/restore (default: criu)\n"
	"      --systemd-cgroup     the cgroup is a systemd scope (cgroupsPath slice:prefix:name)\n"
	"  -v, --version            print the version\n"
	"  -h, --help               this help; COMMAND --help for a command's\n\n"
	"Commands:\n";

static void usage(FILE *f)
{
	fputs(usage_head, f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

struct global_opts {
	struct kglobal g;
	const char *log, *log_format, *rootless;
};

static int parse_global(int argc, char **argv, struct global_opts *o)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "debug", no_argument, NULL, 'd' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "criu", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o->g.root = optarg; break;
		case 'l': o->log = optarg; break;
		case 'F': o->log_format = optarg; break;
		case 'd': o->g.debug = true; break;
		case 'R': o->rootless = optarg; break;
		case 'c': o->g.criu = optarg; break;
		case 's': o->g.systemd_cgroup = true; break;
		case 'v':
			printf("kapsel version %s\nspec: 1.0.2\n", KAPSEL_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "kapsel: %s: %s\n", argv[optind - 1],
				c == ':' ? "needs an argument" : "unknown global option");
			return -1;
		}
	}
	return 0;
}

/* Commands that keep no state (spec, features, image) work without it. */
static bool uses_state(const struct cli_command *cmd)
{
	static const char *const stateless[] = { "spec", "features", "image" };

	for (size_t i = 0; i < sizeof(stateless) / sizeof(stateless[0]); i++) {
		if (strcmp(cmd->name, stateless[i]) == 0)
			return false;
	}
	return true;
}

static int resolve_root(struct global_opts *o, bool needed)
{
	static char buf[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (o->rootless == NULL || strcmp(o->rootless, "auto") == 0)
		o->g.rootless = geteuid() != 0;
	else if (strcmp(o->rootless, "true") == 0 || strcmp(o->rootless, "false") == 0)
		o->g.rootless = strcmp(o->rootless, "true") == 0;
	else {
		fprintf(stderr, "kapsel: --rootless: expected true, false or auto\n");
		return -1;
	}
	if (o->g.root != NULL)
		return 0;
	if (geteuid() == 0) {
		o->g.root = "/run/kapsel";
		return 0;
	}
	if (xdg == NULL || xdg[0] == '\0') {
		if (!needed)
			return 0;
		fprintf(stderr, "kapsel: XDG_RUNTIME_DIR is not set: set it or pass --root DIR\n");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s/kapsel", xdg);
	o->g.root = buf;
	return 0;
}

int main(int argc, char **argv)
{
	struct global_opts o = { 0 };
	const struct cli_command *cmd = NULL;
	struct kerr err = { 0 };
	int ret;

	if (parse_global(argc, argv, &o) < 0)
		return 1;
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	}
	if (cmd == NULL) {
		fprintf(stderr, "kapsel: unknown command \"%s\" (see 'kapsel --help')\n",
			argv[optind]);
		return 1;
	}
	if (o.log_format != NULL && strcmp(o.log_format, "json") != 0 &&
	    strcmp(o.log_format, "text") != 0) {
		fprintf(stderr, "kapsel: --log-format: expected text or json\n");
		return 1;
	}
	if (resolve_root(&o, uses_state(cmd)) < 0)
		return 1;
	if (klog_open(o.log, o.log_format && strcmp(o.log_format, "json") == 0, o.g.debug) < 0) {
		fprintf(stderr, "kapsel: open log file %s: %s\n", o.log, strerror(errno));
		return 1;
	}
	if (cmd->needs_sealed_self && runtime_ensure_sealed_self(argv, &err) < 0)
		return cli_fail(&err);
	argv += optind;
	argc -= optind;
	optind = 0;   /* full getopt reset for the command's own options */
	ret = cmd->run(argc, argv, &o.g);
	klog_close();
	return ret;
}
