/* linux.resources -> the cgroup2 files to write, with the v1 -> v2
 * conversions runc and crun use, so a config behaves the same under each. */
#include "cgroups/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <linux/bpf.h>

#include "common/util.h"

#define F "linux.resources."

void cg_plan_add(struct kcg_plan *p, const char *ctrl, const char *field, char *file,
		 char *value)
{
	struct kcg_write *w;

	p->w = realloc(p->w, (p->n + 1) * sizeof(*p->w));
	if (p->w == NULL)
		abort();
	w = &p->w[p->n++];
	memset(w, 0, sizeof(*w));
	w->ctrl = ctrl;
	w->field = xstrdup(field);
	w->file = file;
	w->value = value;
}

/* A setting cgroup2 cannot express: warned about (KCG_IGNORE) or refused
 * (KCG_REFUSE) only when ctrl turns out to be on cgroup v2 (hybrid.c). */
static void plan_note(struct kcg_plan *p, const char *ctrl, const char *field, int kind,
		      const char *why)
{
	cg_plan_add(p, ctrl, field, NULL, NULL);
	p->w[p->n - 1].kind = kind;
	p->w[p->n - 1].why = xstrdup(why);
}

void cg_plan_free(struct kcg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].field);
		free(p->w[i].fallback);
		free(p->w[i].fallback_value);
		free(p->w[i].why);
	}
	free(p->w);
	free(p->dev);
	memset(p, 0, sizeof(*p));
}

uint64_t cg_shares_to_weight(uint64_t shares)
{
	/* runc's ConvertCPUSharesToCgroupV2Value: [2, 262144] -> [1, 10000]. */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
	/* runc's ConvertBlkIOToIOWeightValue: [10, 1000] -> [1, 10000]. */
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *ret, struct kerr *err)
{
	/* v1's memory.memsw limit counts memory+swap; v2's swap.max counts swap
	 * alone. runc's ConvertMemorySwapToCgroupV2Value. */
	if (memory == -1 && swap == 0) {
		*ret = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*ret = swap;
		return 0;
	}
	if (memory == 0 || memory == -1)
		return kerr_set(err, EINVAL, F "memory.swap: a swap limit needs a memory limit");
	if (memory < 0)
		return kerr_set(err, EINVAL, F "memory.limit: invalid value %" PRId64, memory);
	if (swap < memory)
		return kerr_set(err, EINVAL,
				F "memory.swap (%" PRId64 ") must be >= memory.limit (%" PRId64
				  "): it counts memory + swap",
				swap, memory);
	*ret = swap - memory;
	return 0;
}

/* An integer member: absent/null -> *present false. */
int cg_get_int(json_t *obj, const char *key, const char *where, int64_t *ret, bool *present,
	       struct kerr *err)
{
	json_t *v = json_object_get(obj, key);

	*present = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return kerr_set(err, EINVAL, "%s%s: must be an integer", where, key);
	*ret = json_integer_value(v);
	*present = true;
	return 0;
}

static int check_object(json_t *v, const char *field, struct kerr *err)
{
	if (v != NULL && !json_is_null(v) && !json_is_object(v))
		return kerr_set(err, EINVAL, "%s: must be an object", field);
	return 0;
}

static char *limit_str(int64_t v)
{
	return v < 0 ? xstrdup("max") : xasprintf("%" PRId64, v);
}

/* cpuset lists: digits, ',' and '-' only (anything else would let a config
 * smuggle newlines or other keys into the write). */
static bool cpuset_list_valid(const char *s)
{
	if (*s == '\0')
		return false;
	return strspn(s, "0123456789,-") == strlen(s);
}

static int plan_cpu(json_t *cpu, struct kcg_plan *p, struct kerr *err)
{
	int64_t v, quota = 0, period = 0;
	bool has, has_q, has_p;
	json_t *s;

	if (check_object(cpu, F "cpu", err) < 0)
		return -1;
	if (cpu == NULL || json_is_null(cpu))
		return 0;
	if (cg_get_int(cpu, "shares", F "cpu.", &v, &has, err) < 0)
		return -1;
	if (has && v != 0) {
		if (v < 2 || v > 262144)
			return kerr_set(err, EINVAL, F "cpu.shares: %" PRId64 " is out of range [2, 262144]", v);
		cg_plan_add(p, "cpu", F "cpu.shares", xstrdup("cpu.weight"),
			 xasprintf("%" PRIu64, cg_shares_to_weight((uint64_t)v)));
	}
	if (cg_get_int(cpu, "quota", F "cpu.", &quota, &has_q, err) < 0 ||
	    cg_get_int(cpu, "period", F "cpu.", &period, &has_p, err) < 0)
		return -1;
	if (has_p && (period < 0 || (period != 0 && (period < 1000 || period > 1000000))))
		return kerr_set(err, EINVAL, F "cpu.period: %" PRId64 " is out of range [1000, 1000000]", period);
	if (has_q && quota > 0 && quota < 1000)
		return kerr_set(err, EINVAL, F "cpu.quota: %" PRId64 " is below the minimum of 1000", quota);
	if ((has_q && quota != 0) || (has_p && period != 0)) {
		/* "max" alone keeps the current period, as runc does. */
		char *val = quota > 0 ? xasprintf("%" PRId64, quota) : xstrdup("max");

		if (has_p && period != 0) {
			char *t = xasprintf("%s %" PRId64, val, period);

			free(val);
			val = t;
		}
		cg_plan_add(p, "cpu", F "cpu.quota", xstrdup("cpu.max"), val);
	}
	if (cg_get_int(cpu, "burst", F "cpu.", &v, &has, err) < 0)
		return -1;
	if (has) {
		if (v < 0)
			return kerr_set(err, EINVAL, F "cpu.burst: must not be negative");
		cg_plan_add(p, "cpu", F "cpu.burst", xstrdup("cpu.max.burst"), xasprintf("%" PRId64, v));
	}
	if (cg_get_int(cpu, "idle", F "cpu.", &v, &has, err) < 0)
		return -1;
	if (has) {
		if (v != 0 && v != 1)
			return kerr_set(err, EINVAL, F "cpu.idle: must be 0 or 1");
		cg_plan_add(p, "cpu", F "cpu.idle", xstrdup("cpu.idle"), xasprintf("%" PRId64, v));
	}
	/* cgroup2 has no real-time bandwidth: refuse rather than ignore a limit. */
	if (cg_get_int(cpu, "realtimeRuntime", F "cpu.", &v, &has, err) < 0)
		return -1;
	if (has && v != 0)
		plan_note(p, "cpu", F "cpu.realtimeRuntime", KCG_REFUSE, "not supported on cgroup v2");
	if (cg_get_int(cpu, "realtimePeriod", F "cpu.", &v, &has, err) < 0)
		return -1;
	if (has && v < 0)
		return kerr_set(err, EINVAL, F "cpu.realtimePeriod: must not be negative");
	if (has && v != 0)
		plan_note(p, "cpu", F "cpu.realtimePeriod", KCG_REFUSE, "not supported on cgroup v2");
	for (int i = 0; i < 2; i++) {
		const char *key = i == 0 ? "cpus" : "mems";

		s = json_object_get(cpu, key);
		if (s == NULL || json_is_null(s))
			continue;
		if (!json_is_string(s))
			return kerr_set(err, EINVAL, F "cpu.%s: must be a string", key);
		if (json_string_value(s)[0] == '\0')
			continue;
		if (!cpuset_list_valid(json_string_value(s)))
			return kerr_set(err, EINVAL, F "cpu.%s: \"%s\" is not a list like 0-2,4", key,
					json_string_value(s));
		cg_plan_add(p, "cpuset", i == 0 ? F "cpu.cpus" : F "cpu.mems",
			 xasprintf("cpuset.%s", key), xstrdup(json_string_value(s)));
	}
	return 0;
}

static int plan_memory(json_t *mem, int64_t current_memory, struct kcg_plan *p, struct kerr *err)
{
	int64_t limit = 0, v, swap;
	bool has_limit, has;
	json_t *b;

	if (check_object(mem, F "memory", err) < 0)
		return -1;
	if (mem == NULL || json_is_null(mem))
		return 0;
	if (cg_get_int(mem, "limit", F "memory.", &limit, &has_limit, err) < 0)
		return -1;
	if (has_limit && limit < -1)
		return kerr_set(err, EINVAL, F "memory.limit: %" PRId64 " is invalid", limit);
	if (has_limit && limit != 0)
		cg_plan_add(p, "memory", F "memory.limit", xstrdup("memory.max"), limit_str(limit));
	if (cg_get_int(mem, "reservation", F "memory.", &v, &has, err) < 0)
		return -1;
	if (has && v < -1)
		return kerr_set(err, EINVAL, F "memory.reservation: %" PRId64 " is invalid", v);
	if (has && v != 0)
		cg_plan_add(p, "memory", F "memory.reservation", xstrdup("memory.low"), limit_str(v));
	if (cg_get_int(mem, "swap", F "memory.", &v, &has, err) < 0)
		return -1;
	if (has) {
		int64_t m = has_limit && limit != 0 ? limit : current_memory;

		if (v < -1)
			return kerr_set(err, EINVAL, F "memory.swap: %" PRId64 " is invalid", v);
		if (cg_swap_to_v2(v, m, &swap, err) < 0)
			return -1;
		if (swap != 0)
			cg_plan_add(p, "memory", F "memory.swap", xstrdup("memory.swap.max"),
				 limit_str(swap));
	} else if (has_limit && limit == -1) {
		/* v1 semantics: memory unlimited and swap unset means both unlimited. */
		cg_plan_add(p, "memory", F "memory.limit", xstrdup("memory.swap.max"), xstrdup("max"));
		p->w[p->n - 1].optional = true;
	}
	/* cgroup2 cannot turn the OOM killer off; runc ignores the field there too. */
	b = json_object_get(mem, "disableOOMKiller");
	if (b != NULL && !json_is_null(b) && !json_is_boolean(b))
		return kerr_set(err, EINVAL, F "memory.disableOOMKiller: must be a boolean");
	if (json_is_true(b))
		plan_note(p, "memory", F "memory.disableOOMKiller", KCG_IGNORE,
			  "is not supported on cgroup v2: ignored");
	if (cg_get_int(mem, "swappiness", F "memory.", &v, &has, err) < 0)
		return -1;
	if (has && v != -1) {
		if (v < 0 || v > 100)
			return kerr_set(err, EINVAL, F "memory.swappiness: must be in [0, 100]");
		plan_note(p, "memory", F "memory.swappiness", KCG_IGNORE,
			  "is not supported on cgroup v2: ignored");
	}
	if (cg_get_int(mem, "kernel", F "memory.", &v, &has, err) < 0 ||
	    cg_get_int(mem, "kernelTCP", F "memory.", &v, &has, err) < 0)
		return -1;
	b = json_object_get(mem, "checkBeforeUpdate");
	if (b != NULL && !json_is_null(b) && !json_is_boolean(b))
		return kerr_set(err, EINVAL, F "memory.checkBeforeUpdate: must be a boolean");
	/* A container that hits its limit is killed as a whole (what kubelet
	 * does on cgroup v2) rather than left with a random process missing. */
	if (has_limit && limit > 0) {
		cg_plan_add(p, "memory", F "memory.limit", xstrdup("memory.oom.group"), xstrdup("1"));
		p->w[p->n - 1].optional = true;
	}
	return 0;
}

static int plan_pids(json_t *pids, struct kcg_plan *p, struct kerr *err)
{
	int64_t v;
	bool has;

	if (check_object(pids, F "pids", err) < 0)
		return -1;
	if (pids == NULL || json_is_null(pids))
		return 0;
	if (cg_get_int(pids, "limit", F "pids.", &v, &has, err) < 0)
		return -1;
	/* 0 means "unset" (runc); negative means no limit. */
	if (has && v != 0)
		cg_plan_add(p, "pids", F "pids.limit", xstrdup("pids.max"), limit_str(v));
	return 0;
}

static int dev_numbers(json_t *e, const char *field, int64_t *maj, int64_t *min,
		       struct kerr *err)
{
	bool has;

	if (!json_is_object(e))
		return kerr_set(err, EINVAL, "%s: must be an object", field);
	if (cg_get_int(e, "major", "", maj, &has, err) < 0 || !has || *maj < 0)
		return kerr_set(err, EINVAL, "%s.major: must be a non-negative integer", field);
	if (cg_get_int(e, "minor", "", min, &has, err) < 0 || !has || *min < 0)
		return kerr_set(err, EINVAL, "%s.minor: must be a non-negative integer", field);
	return 0;
}

static int plan_io_weight(json_t *io, struct kcg_plan *p, struct kerr *err)
{
	int64_t v, maj, min;
	bool has;
	json_t *arr, *e;
	size_t i;

	if (cg_get_int(io, "weight", F "blockIO.", &v, &has, err) < 0)
		return -1;
	if (has && v != 0) {
		if (v < 10 || v > 1000)
			return kerr_set(err, EINVAL, F "blockIO.weight: must be in [10, 1000]");
		cg_plan_add(p, "io", F "blockIO.weight", xstrdup("io.weight"),
			 xasprintf("default %" PRIu64, cg_blkio_to_io_weight((uint64_t)v)));
		/* Without blk-iocost the weight lives in BFQ's file, unconverted. */
		p->w[p->n - 1].fallback = xstrdup("io.bfq.weight");
		p->w[p->n - 1].fallback_value = xasprintf("%" PRId64, v);
	}
	if (cg_get_int(io, "leafWeight", F "blockIO.", &v, &has, err) < 0)
		return -1;
	arr = json_object_get(io, "weightDevice");
	if (arr != NULL && !json_is_null(arr) && !json_is_array(arr))
		return kerr_set(err, EINVAL, F "blockIO.weightDevice: must be an array");
	json_array_foreach(arr, i, e) {
		cleanup_free char *field = xasprintf(F "blockIO.weightDevice[%zu]", i);

		if (dev_numbers(e, field, &maj, &min, err) < 0 ||
		    cg_get_int(e, "weight", field, &v, &has, err) < 0)
			return -1;
		if (!has || v == 0)
			continue;
		if (v < 10 || v > 1000)
			return kerr_set(err, EINVAL, "%s.weight: must be in [10, 1000]", field);
		cg_plan_add(p, "io", field, xstrdup("io.weight"),
			 xasprintf("%" PRId64 ":%" PRId64 " %" PRIu64, maj, min,
				   cg_blkio_to_io_weight((uint64_t)v)));
		p->w[p->n - 1].fallback = xstrdup("io.bfq.weight");
		p->w[p->n - 1].fallback_value = xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, maj, min, v);
	}
	return 0;
}

static int plan_io_throttle(json_t *io, struct kcg_plan *p, struct kerr *err)
{
	static const struct { const char *key, *name; } thr[] = {
		{ "throttleReadBpsDevice", "rbps" },
		{ "throttleWriteBpsDevice", "wbps" },
		{ "throttleReadIOPSDevice", "riops" },
		{ "throttleWriteIOPSDevice", "wiops" },
	};

	for (size_t t = 0; t < ARRAY_SIZE(thr); t++) {
		json_t *arr = json_object_get(io, thr[t].key), *e;
		size_t i;

		if (arr != NULL && !json_is_null(arr) && !json_is_array(arr))
			return kerr_set(err, EINVAL, F "blockIO.%s: must be an array", thr[t].key);
		json_array_foreach(arr, i, e) {
			cleanup_free char *field = xasprintf(F "blockIO.%s[%zu]", thr[t].key, i);
			int64_t maj, min, rate;
			bool has;

			if (dev_numbers(e, field, &maj, &min, err) < 0 ||
			    cg_get_int(e, "rate", field, &rate, &has, err) < 0)
				return -1;
			if (!has || rate < 0)
				return kerr_set(err, EINVAL, "%s.rate: must be a non-negative integer", field);
			/* v1's 0 meant "no limit"; v2 spells that "max". */
			cg_plan_add(p, "io", field, xstrdup("io.max"),
				 rate == 0 ? xasprintf("%" PRId64 ":%" PRId64 " %s=max", maj, min, thr[t].name)
					   : xasprintf("%" PRId64 ":%" PRId64 " %s=%" PRId64, maj, min,
						       thr[t].name, rate));
		}
	}
	return 0;
}

static int plan_hugetlb(json_t *arr, struct kcg_plan *p, struct kerr *err)
{
	json_t *e;
	size_t i;

	if (arr != NULL && !json_is_null(arr) && !json_is_array(arr))
		return kerr_set(err, EINVAL, F "hugepageLimits: must be an array");
	json_array_foreach(arr, i, e) {
		cleanup_free char *field = xasprintf(F "hugepageLimits[%zu]", i);
		json_t *ps = json_object_get(e, "pageSize");
		const char *s;
		int64_t limit;
		bool has;
		size_t nd;

		if (!json_is_object(e) || !json_is_string(ps))
			return kerr_set(err, EINVAL, "%s.pageSize: must be a string", field);
		s = json_string_value(ps);
		nd = strspn(s, "0123456789");
		if (nd == 0 || strchr("KMG", s[nd]) == NULL || strcmp(s + nd + 1, "B") != 0)
			return kerr_set(err, EINVAL, "%s.pageSize: \"%s\" is not a size like 2MB", field, s);
		if (cg_get_int(e, "limit", field, &limit, &has, err) < 0)
			return -1;
		if (!has || limit < 0)
			return kerr_set(err, EINVAL, "%s.limit: must be a non-negative integer", field);
		cg_plan_add(p, "hugetlb", field, xasprintf("hugetlb.%s.max", s), xasprintf("%" PRId64, limit));
		/* Reservations too where the kernel has them (5.7+), as runc. */
		cg_plan_add(p, "hugetlb", field, xasprintf("hugetlb.%s.rsvd.max", s),
			 xasprintf("%" PRId64, limit));
		p->w[p->n - 1].optional = true;
	}
	return 0;
}

static int plan_rdma(json_t *rdma, struct kcg_plan *p, struct kerr *err)
{
	const char *dev;
	json_t *e;

	if (check_object(rdma, F "rdma", err) < 0)
		return -1;
	json_object_foreach(rdma, dev, e) {
		cleanup_free char *field = xasprintf(F "rdma.%s", dev);
		cleanup_free char *val = xstrdup(dev);
		int64_t v;
		bool has;

		if (dev[0] == '\0' || strpbrk(dev, " \n=") != NULL)
			return kerr_set(err, EINVAL, "%s: invalid device name", field);
		for (int k = 0; k < 2; k++) {
			if (cg_get_int(e, k ? "hcaObjects" : "hcaHandles", field, &v, &has, err) < 0)
				return -1;
			if (has) {
				char *t = xasprintf("%s %s=%" PRId64, val, k ? "hca_object" : "hca_handle", v);

				free(val);
				val = t;
			}
		}
		cg_plan_add(p, "rdma", field, xstrdup("rdma.max"), move_ptr(val));
	}
	return 0;
}

/* linux.resources.unified: raw "file": "value". The key is a file name in
 * the container's own cgroup, never a path (no '/', no "..": a key like
 * "../../cgroup.procs" would write outside it). */
static int plan_unified(json_t *u, struct kcg_plan *p, struct kerr *err)
{
	const char *key;
	json_t *v;

	if (check_object(u, F "unified", err) < 0)
		return -1;
	json_object_foreach(u, key, v) {
		cleanup_free char *field = xasprintf(F "unified.%s", key);
		const char *dot = strchr(key, '.');
		static const char *const ctrls[] = { "cpu", "cpuset", "memory", "io", "pids",
						     "hugetlb", "rdma", "misc" };
		const char *ctrl = NULL;

		if (!json_is_string(v))
			return kerr_set(err, EINVAL, "%s: must be a string", field);
		if (dot == NULL || dot == key || strchr(key, '/') != NULL || strstr(key, "..") != NULL)
			return kerr_set(err, EINVAL, "%s: not a cgroup file name", field);
		if (strcmp(key, "cgroup.procs") == 0 || strcmp(key, "cgroup.threads") == 0 ||
		    strcmp(key, "cgroup.subtree_control") == 0 || strcmp(key, "cgroup.kill") == 0)
			return kerr_set(err, EINVAL, "%s: kapsel manages this file itself", field);
		for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++)
			if (strlen(ctrls[i]) == (size_t)(dot - key) &&
			    strncmp(key, ctrls[i], (size_t)(dot - key)) == 0)
				ctrl = ctrls[i];
		if (ctrl == NULL && strncmp(key, "cgroup.", 7) != 0)
			return kerr_set(err, EINVAL, "%s: unknown cgroup controller", field);
		cg_plan_add(p, ctrl, field, xstrdup(key), xstrdup(json_string_value(v)));
		p->w[p->n - 1].v2_only = true;
	}
	return 0;
}

static int parse_access(const char *s, unsigned *ret)
{
	unsigned a = 0;

	for (; *s; s++) {
		if (*s == 'r')
			a |= BPF_DEVCG_ACC_READ;
		else if (*s == 'w')
			a |= BPF_DEVCG_ACC_WRITE;
		else if (*s == 'm')
			a |= BPF_DEVCG_ACC_MKNOD;
		else
			return -1;
	}
	*ret = a;
	return 0;
}

static int plan_devices(json_t *arr, struct kcg_plan *p, struct kerr *err)
{
	json_t *e;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return kerr_set(err, EINVAL, F "devices: must be an array");
	p->has_devices = true;
	p->dev = xcalloc(json_array_size(arr) + 1, sizeof(*p->dev));
	json_array_foreach(arr, i, e) {
		cleanup_free char *field = xasprintf(F "devices[%zu]", i);
		struct kcg_devrule *r = &p->dev[p->n_dev];
		json_t *allow = json_object_get(e, "allow"), *t, *acc;
		bool has;

		if (!json_is_object(e) || !json_is_boolean(allow))
			return kerr_set(err, EINVAL, "%s.allow: must be a boolean", field);
		r->allow = json_is_true(allow);
		t = json_object_get(e, "type");
		r->type = 'a';
		if (t != NULL && !json_is_null(t)) {
			const char *ts = json_is_string(t) ? json_string_value(t) : "";

			if (strlen(ts) != 1 || strchr("acbu", ts[0]) == NULL)
				return kerr_set(err, EINVAL, "%s.type: must be one of a, c, b", field);
			r->type = ts[0] == 'u' ? 'c' : ts[0];
		}
		r->major = r->minor = -1;
		if (cg_get_int(e, "major", field, &r->major, &has, err) < 0 ||
		    cg_get_int(e, "minor", field, &r->minor, &has, err) < 0)
			return -1;
		if (r->major < -1 || r->minor < -1 || r->major > UINT32_MAX || r->minor > UINT32_MAX)
			return kerr_set(err, EINVAL, "%s: invalid major/minor", field);
		r->access = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
		acc = json_object_get(e, "access");
		if (acc != NULL && !json_is_null(acc)) {
			if (!json_is_string(acc) || parse_access(json_string_value(acc), &r->access) < 0)
				return kerr_set(err, EINVAL, "%s.access: must be letters of \"rwm\"", field);
			if (r->access == 0)
				continue;  /* grants or denies nothing */
		}
		p->n_dev++;
	}
	return 0;
}

static int plan_all(json_t *res, int64_t current_memory, struct kcg_plan *p, struct kerr *err)
{
	json_t *io = json_object_get(res, "blockIO"), *net;

	if (!json_is_object(res))
		return kerr_set(err, EINVAL, "linux.resources: must be an object");
	if (plan_devices(json_object_get(res, "devices"), p, err) < 0 ||
	    plan_cpu(json_object_get(res, "cpu"), p, err) < 0 ||
	    plan_memory(json_object_get(res, "memory"), current_memory, p, err) < 0 ||
	    plan_pids(json_object_get(res, "pids"), p, err) < 0 ||
	    check_object(io, F "blockIO", err) < 0 ||
	    (json_is_object(io) && (plan_io_weight(io, p, err) < 0 ||
				    plan_io_throttle(io, p, err) < 0)) ||
	    plan_hugetlb(json_object_get(res, "hugepageLimits"), p, err) < 0 ||
	    plan_rdma(json_object_get(res, "rdma"), p, err) < 0 ||
	    plan_unified(json_object_get(res, "unified"), p, err) < 0)
		return -1;
	net = json_object_get(res, "network");
	if (check_object(net, F "network", err) < 0)
		return -1;
	if (json_is_object(net) && json_object_size(net) > 0)
		plan_note(p, "net_cls", F "network", KCG_IGNORE,
			  "(net_cls/net_prio) does not exist on cgroup v2: ignored");
	return 0;
}

int cg_plan_build(json_t *resources, int64_t current_memory, struct kcg_plan *ret,
		  struct kerr *err)
{
	struct kcg_plan p = { 0 };

	if (resources == NULL || json_is_null(resources)) {
		*ret = p;
		return 0;
	}
	if (plan_all(resources, current_memory, &p, err) < 0) {
		cg_plan_free(&p);
		return -1;
	}
	*ret = p;
	return 0;
}

int cgroups_validate(json_t *resources, struct kerr *err)
{
	struct kcg_plan p;

	if (cg_plan_build(resources, 0, &p, err) < 0)
		return -1;
	cg_plan_free(&p);
	return 0;
}
