#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "common/util.h"

static const char usage[] =
	"Usage: kapsel ps [--format table|json] ID [-- PS-ARGS...]\n"
	"List the container's processes: `ps` output (default args -ef) filtered to\n"
	"them, or with --format json the array of their pids.\n"
	"  -f, --format FORMAT   table (default) or json\n";

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The column of PID in ps's header line (runc's approach), or -1. */
static int pid_column(const char *header)
{
	cleanup_free char *h = xstrdup(header);
	char *save = NULL;
	int col = 0;

	for (char *t = strtok_r(h, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save), col++)
		if (strcmp(t, "PID") == 0)
			return col;
	return -1;
}

static long field_at(const char *line, int col)
{
	cleanup_free char *l = xstrdup(line);
	char *save = NULL, *t = strtok_r(l, " \t\n", &save);
	int64_t v;

	for (int i = 0; t != NULL && i < col; i++)
		t = strtok_r(NULL, " \t\n", &save);
	return t != NULL && parse_i64(t, &v) ? (long)v : -1;
}

static int ps_table(const pid_t *pids, size_t n, char **args, int nargs)
{
	char **argv = xcalloc((size_t)nargs + 3, sizeof(*argv));
	char *line = NULL;
	size_t cap = 0;
	int fds[2], status, col = -1;
	bool header = true;
	FILE *f;
	pid_t child;

	argv[0] = "ps";
	if (nargs == 0)
		argv[1] = "-ef";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(argv);
		return fprintf(stderr, "kapsel: ps: pipe: %s\n", strerror(errno)), 1;
	}
	child = fork();
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", argv);
		fprintf(stderr, "kapsel: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	free(argv);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f != NULL && getline(&line, &cap, f) > 0) {
		if (header) {
			col = pid_column(line);
			header = false;
			fputs(line, stdout);
			if (col < 0)
				fprintf(stderr, "kapsel: ps: no PID column in ps's output\n");
			continue;
		}
		if (col >= 0 && has_pid(pids, n, field_at(line, col)))
			fputs(line, stdout);
	}
	free(line);
	if (f != NULL)
		fclose(f);
	if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || col < 0)
		return 1;
	return 0;
}

int cmd_ps(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		CLI_HELP_OPTION, { 0 } };
	cleanup_free pid_t *pids = NULL;
	struct kerr err = { 0 };
	const char *format = "table";
	size_t n = 0;
	int c;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("ps", c, argv);
		}
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("ps", "--format: expected table or json, not \"%s\"", format);
	if (optind >= argc)
		return cli_usage_error("ps", "missing container id");
	if (runtime_ps(g, argv[optind], &pids, &n, &err) < 0)
		return cli_fail(&err);
	optind++;
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (strcmp(format, "json") == 0) {
		json_t *a = json_array();

		if (optind < argc)
			return cli_usage_error("ps", "ps arguments make no sense with --format json");
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(a);
		return 0;
	}
	return ps_table(pids, n, argv + optind, argc - optind);
}
