/* linux.resources -> cgroup v1 files, with runc's v1 meaning (libcontainer
 * cgroups/fs): no conversions, the spec's numbers are the v1 numbers. The
 * input has passed cg_plan_build already (types and ranges checked); this
 * only orders the writes the way the kernel accepts them. */
#include "cgroups/internal.h"

#include <inttypes.h>
#include <string.h>
#include <linux/bpf.h>

#include "common/util.h"

#define F "linux.resources."

static void add(struct kcg_plan *p, const char *ctrl, const char *field, char *file, char *value)
{
	cg_plan_add(p, ctrl, field, file, value);
}

static char *num(int64_t v)
{
	return xasprintf("%" PRId64, v);
}

/* An integer member, or 0 when absent (0 means "unset" in runc's v1). */
static int64_t int_or_0(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void plan_cpu(json_t *cpu, struct kcg_plan *p)
{
	int64_t v;
	json_t *s;

	if (!json_is_object(cpu))
		return;
	/* Real-time bandwidth first, period before runtime (runc's order): a
	 * process already SCHED_RR cannot join a group without RT runtime. */
	if ((v = int_or_0(cpu, "realtimePeriod")) != 0)
		add(p, "cpu", F "cpu.realtimePeriod", xstrdup("cpu.rt_period_us"), num(v));
	if ((v = int_or_0(cpu, "realtimeRuntime")) != 0)
		add(p, "cpu", F "cpu.realtimeRuntime", xstrdup("cpu.rt_runtime_us"), num(v));
	if ((v = int_or_0(cpu, "shares")) != 0)
		add(p, "cpu", F "cpu.shares", xstrdup("cpu.shares"), num(v));
	/* The period before the quota: a quota is checked against it. */
	if ((v = int_or_0(cpu, "period")) != 0)
		add(p, "cpu", F "cpu.period", xstrdup("cpu.cfs_period_us"), num(v));
	if ((v = int_or_0(cpu, "quota")) != 0)
		add(p, "cpu", F "cpu.quota", xstrdup("cpu.cfs_quota_us"), num(v < 0 ? -1 : v));
	if (json_is_integer(json_object_get(cpu, "burst")))
		add(p, "cpu", F "cpu.burst", xstrdup("cpu.cfs_burst_us"),
		    num(json_integer_value(json_object_get(cpu, "burst"))));
	if (json_is_integer(json_object_get(cpu, "idle")))
		add(p, "cpu", F "cpu.idle", xstrdup("cpu.idle"),
		    num(json_integer_value(json_object_get(cpu, "idle"))));
	for (int i = 0; i < 2; i++) {
		const char *key = i == 0 ? "cpus" : "mems";

		s = json_object_get(cpu, key);
		if (json_is_string(s) && json_string_value(s)[0] != '\0')
			add(p, "cpuset", i == 0 ? F "cpu.cpus" : F "cpu.mems",
			    xasprintf("cpuset.%s", key), xstrdup(json_string_value(s)));
	}
}

static void plan_memory(json_t *mem, int64_t current_limit, struct kcg_plan *p)
{
	int64_t limit, swap, v;
	json_t *b;
	bool swap_first;

	if (!json_is_object(mem))
		return;
	limit = int_or_0(mem, "limit");
	swap = int_or_0(mem, "swap");
	/* runc: unlimited memory with swap unset means unlimited swap too. */
	if (limit == -1 && swap == 0)
		swap = -1;
	/* memsw must stay >= the limit at every step: when both grow, swap
	 * goes first (runc's setMemoryAndSwap). */
	swap_first = limit != 0 && swap != 0 &&
		     (swap == -1 || (current_limit >= 0 && current_limit < swap));
	for (int step = 0; step < 3; step++) {
		if (step == 1 && limit != 0)
			add(p, "memory", F "memory.limit", xstrdup("memory.limit_in_bytes"), num(limit));
		if (step == 1 || swap == 0 || (step == 0) != swap_first)
			continue;
		add(p, "memory", F "memory.swap", xstrdup("memory.memsw.limit_in_bytes"), num(swap));
		/* Lifting a swap limit nobody asked for: fine without swap accounting. */
		p->w[p->n - 1].optional = int_or_0(mem, "swap") == 0;
	}
	if ((v = int_or_0(mem, "reservation")) != 0)
		add(p, "memory", F "memory.reservation", xstrdup("memory.soft_limit_in_bytes"),
		    num(v));
	if ((v = int_or_0(mem, "kernelTCP")) != 0)
		add(p, "memory", F "memory.kernelTCP", xstrdup("memory.kmem.tcp.limit_in_bytes"),
		    num(v));
	if (int_or_0(mem, "kernel") != 0)
		klog(KLOG_WARN, F "memory.kernel is deprecated by the kernel: ignored (as runc)");
	b = json_object_get(mem, "swappiness");
	if (json_is_integer(b) && json_integer_value(b) != -1)
		add(p, "memory", F "memory.swappiness", xstrdup("memory.swappiness"),
		    num(json_integer_value(b)));
	if (json_is_true(json_object_get(mem, "disableOOMKiller")))
		add(p, "memory", F "memory.disableOOMKiller", xstrdup("memory.oom_control"),
		    xstrdup("1"));
}

static void plan_pids(json_t *pids, struct kcg_plan *p)
{
	int64_t v = int_or_0(pids, "limit");

	if (v != 0)
		add(p, "pids", F "pids.limit", xstrdup("pids.max"),
		    v < 0 ? xstrdup("max") : num(v));
}

/* With a fallback: BFQ's files where CFQ's are gone (kernel 5.0+). */
static void add_blkio(struct kcg_plan *p, const char *field, const char *file, char *value)
{
	add(p, "blkio", field, xasprintf("blkio.%s", file), value);
	p->w[p->n - 1].fallback = xasprintf("blkio.bfq.%s", file);
	p->w[p->n - 1].fallback_value = xstrdup(value);
}

static void plan_blkio(json_t *io, struct kcg_plan *p)
{
	static const struct { const char *key, *file; } thr[] = {
		{ "throttleReadBpsDevice", "blkio.throttle.read_bps_device" },
		{ "throttleWriteBpsDevice", "blkio.throttle.write_bps_device" },
		{ "throttleReadIOPSDevice", "blkio.throttle.read_iops_device" },
		{ "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device" },
	};
	json_t *e;
	size_t i;
	int64_t v;

	if (!json_is_object(io))
		return;
	if ((v = int_or_0(io, "weight")) != 0)
		add_blkio(p, F "blockIO.weight", "weight", num(v));
	if ((v = int_or_0(io, "leafWeight")) != 0)
		add(p, "blkio", F "blockIO.leafWeight", xstrdup("blkio.leaf_weight"), num(v));
	json_array_foreach(json_object_get(io, "weightDevice"), i, e) {
		cleanup_free char *field = xasprintf(F "blockIO.weightDevice[%zu]", i);
		int64_t maj = int_or_0(e, "major"), min = int_or_0(e, "minor");

		if ((v = int_or_0(e, "weight")) != 0)
			add_blkio(p, field, "weight_device",
				  xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, maj, min, v));
		if ((v = int_or_0(e, "leafWeight")) != 0)
			add(p, "blkio", field, xstrdup("blkio.leaf_weight_device"),
			    xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, maj, min, v));
	}
	/* Rate 0 lifts a v1 throttle, as the spec's 0 means. */
	for (size_t t = 0; t < ARRAY_SIZE(thr); t++)
		json_array_foreach(json_object_get(io, thr[t].key), i, e) {
			cleanup_free char *field = xasprintf(F "blockIO.%s[%zu]", thr[t].key, i);

			add(p, "blkio", field, xstrdup(thr[t].file),
			    xasprintf("%" PRId64 ":%" PRId64 " %" PRId64, int_or_0(e, "major"),
				      int_or_0(e, "minor"), int_or_0(e, "rate")));
		}
}

static void plan_hugetlb(json_t *arr, struct kcg_plan *p)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		cleanup_free char *field = xasprintf(F "hugepageLimits[%zu]", i);
		const char *s = json_string_value(json_object_get(e, "pageSize"));

		add(p, "hugetlb", field, xasprintf("hugetlb.%s.limit_in_bytes", s),
		    num(int_or_0(e, "limit")));
		add(p, "hugetlb", field, xasprintf("hugetlb.%s.rsvd.limit_in_bytes", s),
		    num(int_or_0(e, "limit")));
		p->w[p->n - 1].optional = true;
	}
}

static void plan_rdma(json_t *rdma, struct kcg_plan *p)
{
	const char *dev;
	json_t *e;

	json_object_foreach(rdma, dev, e) {
		cleanup_free char *field = xasprintf(F "rdma.%s", dev);
		char *val = xstrdup(dev);

		for (int k = 0; k < 2; k++) {
			json_t *v = json_object_get(e, k ? "hcaObjects" : "hcaHandles");

			if (json_is_integer(v)) {
				char *t = xasprintf("%s %s=%" PRId64, val, k ? "hca_object" : "hca_handle",
						    (int64_t)json_integer_value(v));

				free(val);
				val = t;
			}
		}
		add(p, "rdma", field, xstrdup("rdma.max"), val);
	}
}

static void plan_network(json_t *net, struct kcg_plan *p)
{
	json_t *prios = json_object_get(net, "priorities"), *e;
	size_t i;

	if (json_is_integer(json_object_get(net, "classID")))
		add(p, "net_cls", F "network.classID", xstrdup("net_cls.classid"),
		    num(json_integer_value(json_object_get(net, "classID"))));
	json_array_foreach(prios, i, e) {
		cleanup_free char *field = xasprintf(F "network.priorities[%zu]", i);
		json_t *name = json_object_get(e, "name");

		if (json_is_string(name))
			add(p, "net_prio", field, xstrdup("net_prio.ifpriomap"),
			    xasprintf("%s %" PRId64, json_string_value(name), int_or_0(e, "priority")));
	}
}

/* "c 1:3 rwm", with '*' for any number. */
static char *dev_rule(const struct kcg_devrule *r)
{
	char maj[24] = "*", min[24] = "*", acc[4];
	size_t n = 0;

	if (r->type == 'a')
		return xstrdup("a");
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	if (r->access & BPF_DEVCG_ACC_READ)
		acc[n++] = 'r';
	if (r->access & BPF_DEVCG_ACC_WRITE)
		acc[n++] = 'w';
	if (r->access & BPF_DEVCG_ACC_MKNOD)
		acc[n++] = 'm';
	acc[n] = '\0';
	return xasprintf("%c %s:%s %s", r->type, maj, min, acc);
}

static void plan_devrules(const struct kcg_devrule *r, size_t n, struct kcg_plan *p)
{
	for (size_t i = 0; i < n; i++) {
		add(p, "devices", F "devices", xstrdup(r[i].allow ? "devices.allow" : "devices.deny"),
		    dev_rule(&r[i]));
		/* Where the devices hierarchy is not mounted the eBPF filter on
		 * the cgroup2 directory does the job. */
		p->w[p->n - 1].optional = true;
	}
}

void cg_v1_plan_devices(const struct kcg_devrule *rules, size_t n, struct kcg_plan *p)
{
	const struct kcg_devrule deny_all = { false, 'a', -1, -1, 0 };

	/* Start from nothing allowed, then the config's rules in order, then
	 * the OCI default devices (the same list as the eBPF filter). */
	plan_devrules(&deny_all, 1, p);
	plan_devrules(rules, n, p);
	plan_devrules(cg_default_devrules, cg_n_default_devrules, p);
}

int cg_v1_plan_build(json_t *res, int64_t current_limit, struct kcg_plan *ret, struct kerr *err)
{
	struct kcg_plan p = { 0 };

	(void)err;
	if (json_is_object(res)) {
		plan_cpu(json_object_get(res, "cpu"), &p);
		plan_memory(json_object_get(res, "memory"), current_limit, &p);
		plan_pids(json_object_get(res, "pids"), &p);
		plan_blkio(json_object_get(res, "blockIO"), &p);
		plan_hugetlb(json_object_get(res, "hugepageLimits"), &p);
		plan_rdma(json_object_get(res, "rdma"), &p);
		plan_network(json_object_get(res, "network"), &p);
	}
	*ret = p;
	return 0;
}
