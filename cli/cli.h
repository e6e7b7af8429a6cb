/* cli/: option parsing and dispatch only. Every command is one file with one
 * entry point; the work happens behind runtime/runtime.h. */
#ifndef KAPSEL_CLI_H
#define KAPSEL_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "common/error.h"
#include "runtime/runtime.h"

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv, const struct kglobal *g);
	const char *summary;
	bool needs_sealed_self;   /* runs code in the container's namespaces */
};

/* Prints the error once (stderr, and the --log file) and returns 1. */
int cli_fail(const struct kerr *err);
/* Prints "kapsel: msg" and a hint to use --help; returns 1. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long over a command's argv (stops at the first non-option, like
 * runc). On --help prints usage and returns 'h'; unknown options print an error. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* Handles the '?' / ':' results of cli_getopt: prints the error, returns 1. */
int cli_bad_option(const char *cmd, int c, char **argv);
/* Prints usage text for --help; returns 0. */
int cli_help(const char *usage);
/* The whole body of a command that takes only an ID (start, pause, resume):
 * parses --help, requires the id, calls fn, prints its error. */
int cli_id_command(const char *cmd, const char *usage, int argc, char **argv,
		   const struct kglobal *g,
		   int (*fn)(const struct kglobal *g, const char *id, struct kerr *err));
/* Appends s (not copied) to a NULL-terminated vector of borrowed strings. */
void cli_strv_push(char ***v, char *s);
/* Requires exactly n positional arguments after the options. */
int cli_positional(const char *cmd, int argc, char **argv, int n, const char *what);

#define CLI_HELP_OPTION { "help", no_argument, NULL, 'h' }

int cmd_spec(int argc, char **argv, const struct kglobal *g);
int cmd_create(int argc, char **argv, const struct kglobal *g);
int cmd_start(int argc, char **argv, const struct kglobal *g);
int cmd_run(int argc, char **argv, const struct kglobal *g);
int cmd_state(int argc, char **argv, const struct kglobal *g);
int cmd_list(int argc, char **argv, const struct kglobal *g);
int cmd_kill(int argc, char **argv, const struct kglobal *g);
int cmd_delete(int argc, char **argv, const struct kglobal *g);
int cmd_exec(int argc, char **argv, const struct kglobal *g);
int cmd_features(int argc, char **argv, const struct kglobal *g);
int cmd_image(int argc, char **argv, const struct kglobal *g);
int cmd_pause(int argc, char **argv, const struct kglobal *g);
int cmd_resume(int argc, char **argv, const struct kglobal *g);
int cmd_ps(int argc, char **argv, const struct kglobal *g);
int cmd_update(int argc, char **argv, const struct kglobal *g);
int cmd_events(int argc, char **argv, const struct kglobal *g);
int cmd_checkpoint(int argc, char **argv, const struct kglobal *g);
int cmd_restore(int argc, char **argv, const struct kglobal *g);

#endif
