#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char usage[] =
	"Usage: kapsel events [--stats] [--interval DURATION] ID\n"
	"Print JSON lines: {\"type\":\"stats\",...} every interval and {\"type\":\"oom\"}\n"
	"when the OOM killer strikes, until the container stops.\n"
	"      --stats              print the stats once and exit\n"
	"      --interval DURATION  between stats (default 5s; 500ms, 2s, 1m)\n";

/* A Go-style duration as runc takes it ("5s", "250ms", "1m30s"); a bare
 * number is seconds. Returns milliseconds, -1 on garbage. */
static long long parse_duration(const char *s)
{
	long long total = 0;

	if (*s == '\0')
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);

		if (end == s || v < 0)
			return -1;
		s = end;
		if (*s == '\0' && total == 0)
			return (long long)(v * 1000);
		if (strncmp(s, "ms", 2) == 0)
			total += (long long)v, s += 2;
		else if (*s == 's')
			total += (long long)(v * 1000), s++;
		else if (*s == 'm')
			total += (long long)(v * 60000), s++;
		else if (*s == 'h')
			total += (long long)(v * 3600000), s++;
		else
			return -1;
	}
	return total;
}

int cmd_events(int argc, char **argv, const struct kglobal *g)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		CLI_HELP_OPTION, { 0 } };
	struct kerr err = { 0 };
	bool stats = false;
	long long interval = 5000;
	int c;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's': stats = true; break;
		case 'i':
			interval = parse_duration(optarg);
			if (interval <= 0 || interval > 24LL * 3600 * 1000)
				return cli_usage_error("events", "--interval: \"%s\" is not a duration like 5s",
						       optarg);
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option("events", c, argv);
		}
	}
	if (cli_positional("events", argc, argv, 1, "container id") != 0)
		return 1;
	return runtime_events(g, argv[optind], stats, (int)interval, &err) < 0 ? cli_fail(&err) : 0;
}
