#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char usage[] =
	"Usage: kapsel state ID\n"
	"Print the container's state as OCI state JSON.\n";

int cmd_state(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	json_t *st = NULL;
	char *text;
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cli_help(usage);
		return cli_bad_option("state", c, argv);
	}
	if (cli_positional("state", argc, argv, 1, "container id") != 0)
		return 1;
	if (runtime_state(g, argv[optind], &st, &err) < 0)
		return cli_fail(&err);
	text = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(st);
	if (text == NULL)
		return 1;
	printf("%s\n", text);
	free(text);
	return 0;
}
