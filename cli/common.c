#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

int cli_fail(const struct kerr *err)
{
	const char *msg = err->msg[0] ? err->msg : "unknown error";

	if (klog_fd() >= 0)
		klog(KLOG_ERROR, "%s", msg);
	fprintf(stderr, "kapsel: %s\n", msg);
	return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kapsel: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'kapsel %s --help')\n", cmd);
	return 1;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char opts[64];

	/* '+': stop at the first positional so `exec ID ls -l` keeps -l; ':' to
	 * report a missing argument ourselves. */
	snprintf(opts, sizeof(opts), "+:%sh", shortopts);
	return getopt_long(argc, argv, opts, longopts, NULL);
}

int cli_positional(const char *cmd, int argc, char **argv, int n, const char *what)
{
	(void)argv;
	if (argc - optind < n)
		return cli_usage_error(cmd, "%s: missing %s", cmd, what);
	if (argc - optind > n)
		return cli_usage_error(cmd, "%s: unexpected argument \"%s\"", cmd,
				       argv[optind + n]);
	return 0;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		return cli_usage_error(cmd, "option %s needs an argument", argv[optind - 1]);
	return cli_usage_error(cmd, "unknown option %s", argv[optind - 1]);
}

int cli_help(const char *usage)
{
	fputs(usage, stdout);
	return 0;
}

int cli_id_command(const char *cmd, const char *usage, int argc, char **argv,
		   const struct kglobal *g,
		   int (*fn)(const struct kglobal *g, const char *id, struct kerr *err))
{
	static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cli_help(usage);
		return cli_bad_option(cmd, c, argv);
	}
	if (cli_positional(cmd, argc, argv, 1, "container id") != 0)
		return 1;
	return fn(g, argv[optind], &err) < 0 ? cli_fail(&err) : 0;
}

void cli_strv_push(char ***v, char *s)
{
	size_t n = 0;

	while (*v != NULL && (*v)[n] != NULL)
		n++;
	*v = realloc(*v, (n + 2) * sizeof(char *));
	if (*v == NULL)
		abort();
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}
