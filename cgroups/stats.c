/* Statistics for `events --stats`, laid out as runc's (types/events.go), so
 * tools reading runc's output read ours: cpu, memory, pids, blkio, hugetlb.
 * A limit of -1 means "max" (runc prints 2^64-1 there; jansson integers are
 * signed, so runtime/control.c writes that number when printing). */
#include "cgroups/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "common/util.h"

/* A one-number file; "max" -> -1; absent -> missing (returns false). */
static bool read_num(int dirfd, const char *file, int64_t *ret)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	size_t len;

	if (read_file_at(dirfd, file, 256, &buf, &len, &e) < 0)
		return false;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (strcmp(buf, "max") == 0) {
		*ret = -1;
		return true;
	}
	return parse_i64(buf, ret);
}

static void set_num(json_t *o, const char *key, int dirfd, const char *file)
{
	int64_t v;

	if (read_num(dirfd, file, &v))
		json_object_set_new(o, key, json_integer(v));
}

/* Every "key number" line of a flat keyed file, as an object. */
static json_t *flat_file(int dirfd, const char *file)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	json_t *o = json_object();
	char *save = NULL;

	if (read_file_at(dirfd, file, 1 << 16, &buf, NULL, &e) < 0)
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

static int64_t get(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

json_t *cg2_cpu_stats(int dirfd)
{
	json_t *st = flat_file(dirfd, "cpu.stat");
	json_t *cpu = json_pack("{s:{s:I,s:I,s:I}}", "usage",
				"total", (json_int_t)get(st, "usage_usec") * 1000,
				"kernel", (json_int_t)get(st, "system_usec") * 1000,
				"user", (json_int_t)get(st, "user_usec") * 1000);

	if (json_object_get(st, "nr_periods"))
		json_object_set_new(cpu, "throttling",
				    json_pack("{s:I,s:I,s:I}", "periods", (json_int_t)get(st, "nr_periods"),
					      "throttledPeriods", (json_int_t)get(st, "nr_throttled"),
					      "throttledTime", (json_int_t)get(st, "throttled_usec") * 1000));
	json_decref(st);
	return cpu;
}

json_t *cg2_memory_stats(int dirfd)
{
	json_t *raw = flat_file(dirfd, "memory.stat");
	json_t *events = flat_file(dirfd, "memory.events");
	json_t *mem = json_object(), *usage = json_object(), *swap = json_object();

	set_num(usage, "usage", dirfd, "memory.current");
	set_num(usage, "max", dirfd, "memory.peak");
	set_num(usage, "limit", dirfd, "memory.max");
	json_object_set_new(usage, "failcnt", json_integer(get(events, "max")));
	set_num(swap, "usage", dirfd, "memory.swap.current");
	set_num(swap, "limit", dirfd, "memory.swap.max");
	{
		json_t *sev = flat_file(dirfd, "memory.swap.events");

		json_object_set_new(swap, "failcnt", json_integer(get(sev, "max")));
		json_decref(sev);
	}
	json_object_set_new(mem, "cache", json_integer(get(raw, "file")));
	json_object_set_new(mem, "usage", usage);
	json_object_set_new(mem, "swap", swap);
	json_object_set_new(mem, "raw", raw);
	json_object_set_new(mem, "events", events);
	return mem;
}

json_t *cg2_pids_stats(int dirfd)
{
	json_t *p = json_object();
	int64_t v;

	set_num(p, "current", dirfd, "pids.current");
	/* runc leaves an unlimited pids limit out (0). */
	if (read_num(dirfd, "pids.max", &v) && v >= 0)
		json_object_set_new(p, "limit", json_integer(v));
	return p;
}

static void blkio_add(json_t *arr, unsigned maj, unsigned min, const char *op, int64_t v)
{
	json_array_append_new(arr, json_pack("{s:i,s:i,s:s,s:I}", "major", (int)maj, "minor",
					     (int)min, "op", op, "value", (json_int_t)v));
}

json_t *cg2_blkio_stats(int dirfd)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	json_t *bytes = json_array(), *ios = json_array();
	char *save = NULL;

	if (read_file_at(dirfd, "io.stat", 1 << 20, &buf, NULL, &e) == 0) {
		for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			unsigned maj, min;
			long long rb = 0, wb = 0, ri = 0, wi = 0;
			char *save2 = NULL;

			if (sscanf(l, "%u:%u", &maj, &min) != 2)
				continue;
			for (char *t = strtok_r(l, " ", &save2); t; t = strtok_r(NULL, " ", &save2)) {
				sscanf(t, "rbytes=%lld", &rb);
				sscanf(t, "wbytes=%lld", &wb);
				sscanf(t, "rios=%lld", &ri);
				sscanf(t, "wios=%lld", &wi);
			}
			blkio_add(bytes, maj, min, "Read", rb);
			blkio_add(bytes, maj, min, "Write", wb);
			blkio_add(bytes, maj, min, "Total", rb + wb);
			blkio_add(ios, maj, min, "Read", ri);
			blkio_add(ios, maj, min, "Write", wi);
			blkio_add(ios, maj, min, "Total", ri + wi);
		}
	}
	return json_pack("{s:o,s:o}", "ioServiceBytesRecursive", bytes, "ioServicedRecursive", ios);
}

json_t *cg2_hugetlb_stats(int dirfd)
{
	json_t *h = json_object();
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return h;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		cleanup_free char *size = NULL, *events = NULL;
		json_t *ev, *o;

		/* hugetlb.2MB.current */
		if (strncmp(de->d_name, "hugetlb.", 8) != 0 || len < 16 ||
		    strcmp(de->d_name + len - 8, ".current") != 0 || strstr(de->d_name, ".rsvd."))
			continue;
		size = xasprintf("%.*s", (int)(len - 16), de->d_name + 8);
		events = xasprintf("hugetlb.%s.events", size);
		o = json_object();
		set_num(o, "usage", dirfd, de->d_name);
		ev = flat_file(dirfd, events);
		json_object_set_new(o, "failcnt", json_integer(get(ev, "max")));
		json_decref(ev);
		json_object_set_new(h, size, o);
	}
	closedir(d);
	return h;
}

/* Each section from the hierarchy its controller is in (hybrid.c's rule). */
static json_t *section(struct kcgroup *cg, const struct kcg_layout *l, const char *ctrl,
		       json_t *(*v2)(int), json_t *(*v1)(int))
{
	struct kcg_hier *h = cg_hier_find(cg->v1, cg->n_v1, strcmp(ctrl, "io") ? ctrl : "blkio");

	if (cg_where(l, ctrl) == KCG_V1 && h != NULL)
		return v1(h->dirfd);
	return cg->dirfd >= 0 ? v2(cg->dirfd) : json_object();
}

int cgroup_stats(struct kcgroup *cg, json_t **ret, struct kerr *err)
{
	cleanup_free char *ctrls = NULL;
	struct kcg_layout l;
	struct kcg_hier *cpu, *acct;
	json_t *cpu_o;
	struct kerr e;

	if (cg->dirfd >= 0 && faccessat(cg->dirfd, "cgroup.procs", F_OK, 0) < 0)
		return kerr_errno(err, "cgroup %s%s", cg->mount, cg->path);
	cg_v1_as_layout(cg, &l);
	l.v2_mount = cg->dirfd >= 0 ? cg->mount : NULL;
	if (cg->dirfd < 0 || read_file_at(cg->dirfd, "cgroup.controllers", 4096, &ctrls, NULL, &e) < 0)
		ctrls = NULL;
	l.v2_ctrls = ctrls ? ctrls : (char *)"";
	cpu = cg_hier_find(cg->v1, cg->n_v1, "cpu");
	acct = cg_hier_find(cg->v1, cg->n_v1, "cpuacct");
	if (cg_where(&l, "cpu") == KCG_V1 && cpu != NULL)
		cpu_o = cg_v1_cpu_stats(cpu->dirfd, acct ? acct->dirfd : -1);
	else
		cpu_o = cg->dirfd >= 0 ? cg2_cpu_stats(cg->dirfd) : json_object();
	*ret = json_pack("{s:o,s:o,s:o,s:o,s:o}", "cpu", cpu_o,
			 "memory", section(cg, &l, "memory", cg2_memory_stats, cg_v1_memory_stats),
			 "pids", section(cg, &l, "pids", cg2_pids_stats, cg_v1_pids_stats),
			 "blkio", section(cg, &l, "io", cg2_blkio_stats, cg_v1_blkio_stats),
			 "hugetlb", section(cg, &l, "hugetlb", cg2_hugetlb_stats, cg_v1_hugetlb_stats));
	return 0;
}

int64_t cgroup_oom_kills(struct kcgroup *cg)
{
	struct kcg_hier *m = cg_hier_find(cg->v1, cg->n_v1, "memory");

	/* v1: memory.oom_control's oom_kill counter (4.13+). */
	if (m != NULL)
		return cg_flat_key(m->dirfd, "memory.oom_control", "oom_kill");
	return cg->dirfd >= 0 ? cg_flat_key(cg->dirfd, "memory.events", "oom_kill") : -1;
}

int cgroup_oom_fd(struct kcgroup *cg)
{
	struct kerr e;

	return cg->n_v1 > 0 ? cg_v1_oom_eventfd(cg, &e) : -1;
}
