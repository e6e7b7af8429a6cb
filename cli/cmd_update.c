#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/util.h"

static const char usage[] =
	"Usage: kapsel update [options] ID\n"
	"Change the resource limits of a created or running container.\n"
	"  -r, --resources FILE       linux.resources JSON from FILE (- for stdin);\n"
	"                             the options below override it\n"
	"      --memory SIZE          memory limit (100m, 1g, -1 for none)\n"
	"      --memory-swap SIZE     memory+swap limit (v1 meaning, as runc)\n"
	"      --memory-reservation SIZE\n"
	"      --kernel-memory SIZE, --kernel-memory-tcp SIZE   ignored (cgroup v2)\n"
	"      --cpu-share N (or --cpu-shares), --cpu-quota N, --cpu-period N\n"
	"      --cpu-idle 0|1         SCHED_IDLE for the cgroup (cpu.idle)\n"
	"      --cpu-rt-period N, --cpu-rt-runtime N   (refused: not on cgroup v2)\n"
	"      --cpuset-cpus LIST, --cpuset-mems LIST\n"
	"      --pids-limit N\n"
	"      --blkio-weight N\n"
	"      --l3-cache-schema S, --mem-bw-schema S   Intel RDT: refused (kapsel has\n"
	"                             no linux.intelRdt support)\n";

/* runc's units.RAMInBytes: 1024-based suffixes k, m, g, t, p, with optional
 * "i"/"b"; "-1" for no limit. */
static bool parse_size(const char *s, int64_t *ret)
{
	static const char units[] = "kmgtp";
	char *end;
	double v;
	int64_t mult = 1;

	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return true;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || v < 0 || !isdigit((unsigned char)s[0]))
		return false;
	if (*end == ' ')
		end++;
	if (*end != '\0' && strchr(units, tolower((unsigned char)*end)) != NULL) {
		for (const char *u = units; *u != tolower((unsigned char)*end); u++)
			mult *= 1024;
		mult *= 1024;
		end++;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v * (double)mult > 9.2e18)
		return false;
	*ret = (int64_t)(v * (double)mult);
	return true;
}

static json_t *section(json_t *res, const char *key)
{
	json_t *o = json_object_get(res, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(res, key, o);
	}
	return o;
}

struct flag {
	const char *name;
	const char *sect, *key;   /* where it goes in linux.resources */
	char kind;                /* 's' size, 'i' integer, 'S' string, '-' ignored,
				   * 'x' refused */
};

static const struct flag flags[] = {
	{ "memory", "memory", "limit", 's' },
	{ "memory-swap", "memory", "swap", 's' },
	{ "memory-reservation", "memory", "reservation", 's' },
	{ "kernel-memory", NULL, NULL, '-' },
	{ "kernel-memory-tcp", NULL, NULL, '-' },
	{ "cpu-share", "cpu", "shares", 'i' },
	{ "cpu-shares", "cpu", "shares", 'i' },
	{ "cpu-quota", "cpu", "quota", 'i' },
	{ "cpu-period", "cpu", "period", 'i' },
	{ "cpu-rt-period", "cpu", "realtimePeriod", 'i' },
	{ "cpu-rt-runtime", "cpu", "realtimeRuntime", 'i' },
	{ "cpu-idle", "cpu", "idle", 'i' },
	{ "cpuset-cpus", "cpu", "cpus", 'S' },
	{ "cpuset-mems", "cpu", "mems", 'S' },
	{ "pids-limit", "pids", "limit", 'i' },
	{ "blkio-weight", "blockIO", "weight", 'i' },
	{ "l3-cache-schema", NULL, NULL, 'x' },
	{ "mem-bw-schema", NULL, NULL, 'x' },
};

static int set_flag(json_t *res, const struct flag *f, const char *val)
{
	int64_t v;

	switch (f->kind) {
	case '-':
		fprintf(stderr, "kapsel: update: --%s is ignored on cgroup v2\n", f->name);
		return 0;
	case 'x':
		/* runc refuses these unless the container has linux.intelRdt,
		 * which kapsel refuses at create: so always. */
		fprintf(stderr, "kapsel: update: --%s: Intel RDT is not supported by kapsel\n",
			f->name);
		return 1;
	case 'S':
		json_object_set_new(section(res, f->sect), f->key, json_string(val));
		return 0;
	case 's':
		if (!parse_size(val, &v))
			return cli_usage_error("update", "--%s: \"%s\" is not a size like 512m", f->name, val);
		break;
	default:
		if (!parse_i64(val, &v))
			return cli_usage_error("update", "--%s: \"%s\" is not an integer", f->name, val);
	}
	json_object_set_new(section(res, f->sect), f->key, json_integer(v));
	return 0;
}

static json_t *load_resources(const char *path)
{
	json_error_t je;
	json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);

	if (doc == NULL)
		fprintf(stderr, "kapsel: update: %s: %s (line %d)\n", path, je.text, je.line);
	else if (!json_is_object(doc)) {
		fprintf(stderr, "kapsel: update: %s: not a JSON object\n", path);
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

int cmd_update(int argc, char **argv, const struct kglobal *g)
{
	struct option opts[ARRAY_SIZE(flags) + 3];
	const char *values[ARRAY_SIZE(flags)] = { 0 };
	const char *file = NULL;
	struct kerr err = { 0 };
	json_t *res;
	int c, r;

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		opts[i] = (struct option){ flags[i].name, required_argument, NULL, 1000 + (int)i };
	opts[ARRAY_SIZE(flags)] = (struct option){ "resources", required_argument, NULL, 'r' };
	opts[ARRAY_SIZE(flags) + 1] = (struct option)CLI_HELP_OPTION;
	opts[ARRAY_SIZE(flags) + 2] = (struct option){ 0 };
	while ((c = cli_getopt(argc, argv, "r:", opts)) != -1) {
		if (c >= 1000 && c < 1000 + (int)ARRAY_SIZE(flags))
			values[c - 1000] = optarg;
		else if (c == 'r')
			file = optarg;
		else if (c == 'h')
			return cli_help(usage);
		else
			return cli_bad_option("update", c, argv);
	}
	if (cli_positional("update", argc, argv, 1, "container id") != 0)
		return 1;
	res = file != NULL ? load_resources(file) : json_object();
	if (res == NULL)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (values[i] != NULL && set_flag(res, &flags[i], values[i]) != 0) {
			json_decref(res);
			return 1;
		}
	r = runtime_update(g, argv[optind], res, &err);
	json_decref(res);
	return r < 0 ? cli_fail(&err) : 0;
}
