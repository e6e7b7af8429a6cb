#ifndef KAPSEL_CLI_CREATE_OPTS_H
#define KAPSEL_CLI_CREATE_OPTS_H

#include "cli/cli.h"

/* 0: parsed; 1: error printed; -1: --help printed. */
int create_opts_parse(const char *cmd, int argc, char **argv, struct kcreate_opts *o,
		      const char *usage, bool is_run);

/* Frees the repeatable options' vectors (not their strings: argv's). */
void create_opts_free(struct kcreate_opts *o);

#endif
