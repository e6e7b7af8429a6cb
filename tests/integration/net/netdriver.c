/* Test driver for netsetup/ until the runtime calls it: wires the network
 * namespace of any process (e.g. `unshare -n sleep`) like `kapsel create`
 * would, and undoes it.
 *   netdriver attach --state-dir D --id ID --pid PID [--etc-dir E]
 *             [--network M] [--subnet S] [--ip A] [--hostname H]
 *             [--publish P]... [--dns A]... [--annotations FILE]   -> state JSON on stdout
 *   netdriver detach STATE_FILE   ("-": stdin)
 *   netdriver bench --state-dir D --pid PID --n N [...]  -> attach+detach N times,
 *             prints "attach_us detach_us" per round (in-process, no fork/exec) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/util.h"
#include "netsetup/netsetup.h"

struct opts {
	const char *state_dir, *id, *etc_dir, *annotations;
	pid_t pid;
	int n;
	struct knet_flags f;
	char *publish[32], *dns[8];
	size_t n_publish, n_dns;
};

static int die(const struct kerr *err)
{
	fprintf(stderr, "netdriver: %s\n", err->msg);
	return 1;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, 's' }, { "id", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' }, { "etc-dir", required_argument, NULL, 'e' },
		{ "network", required_argument, NULL, 'N' }, { "subnet", required_argument, NULL, 'S' },
		{ "ip", required_argument, NULL, 'I' }, { "hostname", required_argument, NULL, 'H' },
		{ "publish", required_argument, NULL, 'P' }, { "dns", required_argument, NULL, 'D' },
		{ "annotations", required_argument, NULL, 'a' }, { "n", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->state_dir = optarg; break;
		case 'i': o->id = optarg; break;
		case 'p': o->pid = atoi(optarg); break;
		case 'e': o->etc_dir = optarg; break;
		case 'N': o->f.network = optarg; break;
		case 'S': o->f.subnet = optarg; break;
		case 'I': o->f.ip = optarg; break;
		case 'H': o->f.hostname = optarg; break;
		case 'a': o->annotations = optarg; break;
		case 'n': o->n = atoi(optarg); break;
		case 'P':
			if (o->n_publish + 1 < ARRAY_SIZE(o->publish))
				o->publish[o->n_publish++] = optarg;
			break;
		case 'D':
			if (o->n_dns + 1 < ARRAY_SIZE(o->dns))
				o->dns[o->n_dns++] = optarg;
			break;
		default: return -1;
		}
	}
	o->f.publish = o->n_publish ? o->publish : NULL;
	o->f.dns = o->n_dns ? o->dns : NULL;
	if (o->state_dir == NULL || o->pid <= 0) {
		fprintf(stderr, "netdriver: --state-dir and --pid are required\n");
		return -1;
	}
	return 0;
}

static int load_config(const struct opts *o, struct knet_config **ret, struct kerr *err)
{
	json_t *ann = NULL;
	json_error_t jerr;
	int r;

	if (o->annotations != NULL) {
		ann = json_load_file(o->annotations, 0, &jerr);
		if (ann == NULL)
			return kerr_set(err, EINVAL, "%s: %s", o->annotations, jerr.text);
	}
	r = knet_config_from(ann, &o->f, ret, err);
	json_decref(ann);
	return r;
}

static int cmd_attach(const struct opts *o)
{
	struct knet_config *c;
	struct kerr err = { 0 };
	json_t *state;

	if (o->id == NULL) {
		fprintf(stderr, "netdriver: --id is required\n");
		return 2;
	}
	if (load_config(o, &c, &err) < 0)
		return die(&err);
	if (knet_attach(c, o->state_dir, o->id, o->pid, o->etc_dir, &state, &err) < 0) {
		knet_config_free(c);
		return die(&err);
	}
	json_dumpf(state, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(state);
	knet_config_free(c);
	return 0;
}

static int cmd_detach(const char *file)
{
	struct kerr err = { 0 };
	json_error_t jerr;
	json_t *state = strcmp(file, "-") == 0 ? json_loadf(stdin, 0, &jerr)
					       : json_load_file(file, 0, &jerr);
	int r;

	if (state == NULL) {
		fprintf(stderr, "netdriver: %s: %s\n", file, jerr.text);
		return 1;
	}
	r = knet_detach(state, &err);
	json_decref(state);
	return r < 0 ? die(&err) : 0;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmd_bench(const struct opts *o)
{
	struct knet_config *c;
	struct kerr err = { 0 };

	if (load_config(o, &c, &err) < 0)
		return die(&err);
	for (int i = 0; i < (o->n > 0 ? o->n : 1); i++) {
		json_t *state;
		long long t0 = now_us(), t1, t2;

		if (knet_attach(c, o->state_dir, "bench", o->pid, o->etc_dir, &state, &err) < 0) {
			knet_config_free(c);
			return die(&err);
		}
		t1 = now_us();
		if (knet_detach(state, &err) < 0) {
			json_decref(state);
			knet_config_free(c);
			return die(&err);
		}
		t2 = now_us();
		json_decref(state);
		printf("%lld %lld\n", t1 - t0, t2 - t1);
	}
	knet_config_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "detach") == 0 && argc == 3)
		return cmd_detach(argv[2]);
	if (parse(argc - 1, argv + 1, &o) < 0)
		return 2;
	if (strcmp(argv[1], "attach") == 0)
		return cmd_attach(&o);
	if (strcmp(argv[1], "bench") == 0)
		return cmd_bench(&o);
usage:
	fprintf(stderr, "usage: netdriver attach|detach|bench ... (see the source)\n");
	return 2;
}
