/* `events --stats` sections from cgroup v1 files, laid out as runc's
 * (libcontainer/cgroups/fs GetStats, converted by runc's events.go), so a
 * tool reading runc's output on a v1 host reads ours. */
#include "cgroups/internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

/* A one-number file; false when absent or not a number. */
static bool read_num(int fd, const char *file, int64_t *ret)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	size_t len;

	if (fd < 0 || read_file_at(fd, file, 256, &buf, &len, &e) < 0)
		return false;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (strcmp(buf, "max") == 0) {
		*ret = -1;
		return true;
	}
	return parse_i64(buf, ret);
}

static json_int_t num_or_0(int fd, const char *file)
{
	int64_t v = 0;

	return read_num(fd, file, &v) ? (json_int_t)v : 0;
}

/* "key number" lines as an object. */
static json_t *flat(int fd, const char *file)
{
	cleanup_free char *buf = NULL;
	json_t *o = json_object();
	char *save = NULL;
	struct kerr e;

	if (fd < 0 || read_file_at(fd, file, 1 << 16, &buf, NULL, &e) < 0)
		return o;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		int64_t v;

		if (sp == NULL)
			continue;
		*sp = '\0';
		if (parse_i64(sp + 1, &v))
			json_object_set_new(o, l, json_integer(v));
	}
	return o;
}

/* Numbers separated by blanks, as an array (cpuacct.usage_percpu). */
static json_t *num_list(int fd, const char *file)
{
	cleanup_free char *buf = NULL;
	json_t *a = json_array();
	char *save = NULL;
	struct kerr e;

	if (fd < 0 || read_file_at(fd, file, 1 << 16, &buf, NULL, &e) < 0)
		return a;
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		int64_t v;

		if (parse_i64(t, &v))
			json_array_append_new(a, json_integer(v));
	}
	return a;
}

/* cpuacct.usage_all: "cpu user system" rows -> percpu_user, percpu_kernel. */
static void percpu_split(int fd, json_t *usage)
{
	cleanup_free char *buf = NULL;
	json_t *user = json_array(), *sys = json_array();
	char *save = NULL;
	struct kerr e;

	if (fd >= 0 && read_file_at(fd, "cpuacct.usage_all", 1 << 16, &buf, NULL, &e) == 0)
		for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			long long c, u, s;

			if (sscanf(l, "%lld %lld %lld", &c, &u, &s) == 3) {
				json_array_append_new(user, json_integer(u));
				json_array_append_new(sys, json_integer(s));
			}
		}
	json_object_set_new(usage, "percpu_kernel", sys);
	json_object_set_new(usage, "percpu_user", user);
}

json_t *cg_v1_cpu_stats(int cpu_fd, int acct_fd)
{
	json_t *st = flat(acct_fd, "cpuacct.stat"), *thr = flat(cpu_fd, "cpu.stat");
	long hz = sysconf(_SC_CLK_TCK);
	/* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds. */
	json_int_t tick = (json_int_t)(1000000000 / (hz > 0 ? hz : 100));
	json_t *usage = json_pack("{s:I,s:o,s:I,s:I}", "total", num_or_0(acct_fd, "cpuacct.usage"),
				  "percpu", num_list(acct_fd, "cpuacct.usage_percpu"),
				  "kernel", json_integer_value(json_object_get(st, "system")) * tick,
				  "user", json_integer_value(json_object_get(st, "user")) * tick);
	json_t *cpu;

	percpu_split(acct_fd, usage);
	cpu = json_pack("{s:o,s:{s:I,s:I,s:I}}", "usage", usage, "throttling",
			"periods", json_integer_value(json_object_get(thr, "nr_periods")),
			"throttledPeriods", json_integer_value(json_object_get(thr, "nr_throttled")),
			"throttledTime", json_integer_value(json_object_get(thr, "throttled_time")));
	json_decref(st);
	json_decref(thr);
	return cpu;
}

/* usage/max/failcnt/limit of one memory counter ("" memory, "memsw.", "kmem."...). */
static json_t *mem_entry(int fd, const char *prefix)
{
	char f[4][96];

	snprintf(f[0], sizeof(f[0]), "memory.%susage_in_bytes", prefix);
	snprintf(f[1], sizeof(f[1]), "memory.%smax_usage_in_bytes", prefix);
	snprintf(f[2], sizeof(f[2]), "memory.%sfailcnt", prefix);
	snprintf(f[3], sizeof(f[3]), "memory.%slimit_in_bytes", prefix);
	return json_pack("{s:I,s:I,s:I,s:I}", "usage", num_or_0(fd, f[0]), "max", num_or_0(fd, f[1]),
			 "failcnt", num_or_0(fd, f[2]), "limit", num_or_0(fd, f[3]));
}

json_t *cg_v1_memory_stats(int fd)
{
	json_t *raw = flat(fd, "memory.stat");
	json_t *mem = json_pack("{s:I,s:o,s:o,s:o,s:o}", "cache",
				json_integer_value(json_object_get(raw, "cache")),
				"usage", mem_entry(fd, ""), "swap", mem_entry(fd, "memsw."),
				"kernel", mem_entry(fd, "kmem."), "kernelTCP", mem_entry(fd, "kmem.tcp."));

	json_object_set_new(mem, "raw", raw);
	return mem;
}

json_t *cg_v1_pids_stats(int fd)
{
	json_t *p = json_object();
	int64_t v;

	if (read_num(fd, "pids.current", &v))
		json_object_set_new(p, "current", json_integer(v));
	/* runc leaves an unlimited pids limit out. */
	if (read_num(fd, "pids.max", &v) && v >= 0)
		json_object_set_new(p, "limit", json_integer(v));
	return p;
}

/* "8:0 Read 4096" lines; per-cgroup "Total N" lines are skipped, as runc does. */
static json_t *blkio_file(int fd, const char *file)
{
	cleanup_free char *buf = NULL;
	json_t *a = json_array();
	char *save = NULL;
	struct kerr e;

	if (read_file_at(fd, file, 1 << 20, &buf, NULL, &e) < 0)
		return a;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[16];
		long long v;

		if (sscanf(l, "%u:%u %15s %lld", &maj, &min, op, &v) == 4)
			json_array_append_new(a, json_pack("{s:i,s:i,s:s,s:I}", "major", (int)maj,
							   "minor", (int)min, "op", op,
							   "value", (json_int_t)v));
	}
	return a;
}

json_t *cg_v1_blkio_stats(int fd)
{
	/* CFQ's and BFQ's accounting where a scheduler keeps it, else the
	 * throttle layer's (which every kernel has). */
	static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		cleanup_free char *bytes = xasprintf("%sio_service_bytes_recursive", prefixes[i]);
		cleanup_free char *ios = xasprintf("%sio_serviced_recursive", prefixes[i]);

		if (faccessat(fd, bytes, F_OK, 0) == 0)
			return json_pack("{s:o,s:o}", "ioServiceBytesRecursive", blkio_file(fd, bytes),
					 "ioServicedRecursive", blkio_file(fd, ios));
	}
	return json_object();
}

json_t *cg_v1_hugetlb_stats(int fd)
{
	json_t *h = json_object();
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return h;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		cleanup_free char *size = NULL, *max = NULL, *fail = NULL;

		/* hugetlb.2MB.usage_in_bytes (not the .rsvd. ones) */
		if (strncmp(de->d_name, "hugetlb.", 8) != 0 || len < 24 ||
		    strcmp(de->d_name + len - 15, ".usage_in_bytes") != 0 ||
		    strstr(de->d_name, ".rsvd.") || strstr(de->d_name, "max_usage"))
			continue;
		size = xasprintf("%.*s", (int)(len - 23), de->d_name + 8);
		max = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		fail = xasprintf("hugetlb.%s.failcnt", size);
		json_object_set_new(h, size, json_pack("{s:I,s:I,s:I}", "usage",
						       num_or_0(fd, de->d_name), "max",
						       num_or_0(fd, max), "failcnt",
						       num_or_0(fd, fail)));
	}
	closedir(d);
	return h;
}
