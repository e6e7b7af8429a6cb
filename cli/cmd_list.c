#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: kapsel list [--format table|json] [-q]\n"
	"List the containers under --root.\n"
	"  -f, --format table|json  output format (default table)\n"
	"  -q, --quiet              print only the ids\n";

static void print_table(json_t *list)
{
	size_t i;
	json_t *c;

	printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
	       "OWNER");
	json_array_foreach(list, i, c) {
		printf("%-12s %-8lld %-10s %-40s %-31s %s\n",
		       json_string_value(json_object_get(c, "id")),
		       (long long)json_integer_value(json_object_get(c, "pid")),
		       json_string_value(json_object_get(c, "status")),
		       json_string_value(json_object_get(c, "bundle")),
		       json_string_value(json_object_get(c, "created")) ?: "",
		       json_string_value(json_object_get(c, "owner")) ?: "");
	}
}

int cmd_list(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		CLI_HELP_OPTION, { 0 } };
	const char *format = "table";
	bool quiet = false;
	struct kerr err = { 0 };
	json_t *list = NULL, *c;
	size_t i;
	int ch;

	while ((ch = cli_getopt(argc, argv, "f:q", opts)) != -1) {
		switch (ch) {
		case 'f': format = optarg; break;
		case 'q': quiet = true; break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("list", ch, argv);
		}
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("list", "--format: unknown format \"%s\"", format);
	if (cli_positional("list", argc, argv, 0, "") != 0)
		return 1;
	if (runtime_list(g, &list, &err) < 0)
		return cli_fail(&err);
	if (quiet) {
		json_array_foreach(list, i, c)
			printf("%s\n", json_string_value(json_object_get(c, "id")));
	} else if (strcmp(format, "json") == 0) {
		char *text = json_dumps(list, JSON_COMPACT);

		printf("%s\n", text ? text : "[]");
		free(text);
	} else {
		print_table(list);
	}
	json_decref(list);
	return 0;
}
