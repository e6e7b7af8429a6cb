#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char usage[] =
	"Usage: kapsel features\n"
	"Print the features this build of kapsel supports (runtime-spec features.md).\n";

int cmd_features(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = { CLI_HELP_OPTION, { 0 } };
	json_t *f;
	char *text;
	int c;

	(void)g;
	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'h')
			return cli_help(usage);
		return cli_bad_option("features", c, argv);
	}
	if (cli_positional("features", argc, argv, 0, "") != 0)
		return 1;
	f = runtime_features();
	text = json_dumps(f, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	json_decref(f);
	if (text == NULL)
		return 1;
	printf("%s\n", text);
	free(text);
	return 0;
}
