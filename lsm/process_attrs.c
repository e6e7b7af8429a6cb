/* linux.personality, process.ioPriority and process.scheduler: set in the
 * container's init before the capability drop (SCHED_FIFO/RR and
 * IOPRIO_CLASS_RT need CAP_SYS_NICE / CAP_SYS_ADMIN) and inherited by the
 * process it execs. */
#include "lsm/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/personality.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

#include "common/syscalls.h"
#include "common/util.h"

struct name_int {
	const char *name;
	int value;
};

static const struct name_int io_classes[] = {
	{ "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
	{ "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
	{ "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

/* SCHED_ISO is in the spec's list but was never merged into Linux: it is
 * refused at validation rather than failing in the container. */
static const struct name_int policies[] = {
	{ "SCHED_OTHER", SCHED_NORMAL }, { "SCHED_FIFO", SCHED_FIFO },
	{ "SCHED_RR", SCHED_RR }, { "SCHED_BATCH", SCHED_BATCH },
	{ "SCHED_IDLE", SCHED_IDLE }, { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct name_int sched_flags[] = {
	{ "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
	{ "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
	{ "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
	{ "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
	{ "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
	{ "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
	{ "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
};

static const struct name_int *lookup(const struct name_int *t, size_t n, json_t *v)
{
	const char *s = json_string_value(v);

	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(t[i].name, s) == 0)
			return &t[i];
	return NULL;
}

/* ---- personality ---- */

static int parse_personality(json_t *p, unsigned long *ret, struct kerr *err)
{
	json_t *domain = json_object_get(p, "domain");
	json_t *flags = json_object_get(p, "flags");
	const char *d = json_string_value(domain);

	if (!json_is_object(p))
		return kerr_set(err, EINVAL, "linux.personality: not an object");
	if (d == NULL)
		return kerr_set(err, EINVAL, "linux.personality.domain: missing or not a string");
	if (strcmp(d, "LINUX") == 0)
		*ret = PER_LINUX;
	else if (strcmp(d, "LINUX32") == 0)
		*ret = PER_LINUX32;
	else
		return kerr_set(err, EINVAL, "linux.personality.domain: unknown domain \"%s\"", d);
	/* The spec defines no flag values yet: any flag is one we would ignore. */
	if (flags != NULL && !json_is_null(flags) &&
	    (!json_is_array(flags) || json_array_size(flags) > 0))
		return kerr_set(err, EINVAL, "linux.personality.flags: no flags are supported");
	return 0;
}

/* ---- ioPriority ---- */

static int parse_ioprio(json_t *io, int *ret, struct kerr *err)
{
	const struct name_int *cls = lookup(io_classes, ARRAY_SIZE(io_classes),
					    json_object_get(io, "class"));
	json_t *prio = json_object_get(io, "priority");

	if (!json_is_object(io))
		return kerr_set(err, EINVAL, "process.ioPriority: not an object");
	if (cls == NULL)
		return kerr_set(err, EINVAL, "process.ioPriority.class: must be IOPRIO_CLASS_RT, "
				"IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE");
	if (!json_is_integer(prio) || json_integer_value(prio) < 0 ||
	    json_integer_value(prio) > 7)
		return kerr_set(err, EINVAL, "process.ioPriority.priority: must be 0 to 7");
	*ret = IOPRIO_PRIO_VALUE(cls->value, (int)json_integer_value(prio));
	return 0;
}

/* ---- scheduler ---- */

static int get_int(json_t *o, const char *key, json_int_t min, json_int_t max, json_int_t *ret,
		   struct kerr *err)
{
	json_t *v = json_object_get(o, key);

	*ret = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return kerr_set(err, EINVAL, "process.scheduler.%s: must be an integer from %lld "
				"to %lld", key, (long long)min, (long long)max);
	*ret = json_integer_value(v);
	return 0;
}

static int parse_sched_flags(json_t *arr, __u64 *ret, struct kerr *err)
{
	size_t i;
	json_t *v;

	*ret = 0;
	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return kerr_set(err, EINVAL, "process.scheduler.flags: not an array");
	json_array_foreach(arr, i, v) {
		const struct name_int *f = lookup(sched_flags, ARRAY_SIZE(sched_flags), v);

		if (f == NULL)
			return kerr_set(err, EINVAL, "process.scheduler.flags[%zu]: unknown flag %s",
					i, json_is_string(v) ? json_string_value(v) : "");
		*ret |= (__u64)f->value;
	}
	return 0;
}

static int parse_scheduler(json_t *s, struct sched_attr *ret, struct kerr *err)
{
	const struct name_int *pol = lookup(policies, ARRAY_SIZE(policies),
					    json_object_get(s, "policy"));
	json_int_t nice, prio, runtime, deadline, period;
	struct sched_attr a = { .size = sizeof(a) };
	bool rt, dl;

	if (!json_is_object(s))
		return kerr_set(err, EINVAL, "process.scheduler: not an object");
	if (pol == NULL)
		return kerr_set(err, EINVAL, "process.scheduler.policy: unknown or unsupported "
				"policy %s", json_is_string(json_object_get(s, "policy"))
				? json_string_value(json_object_get(s, "policy")) : "(missing)");
	if (get_int(s, "nice", -20, 19, &nice, err) < 0 ||
	    get_int(s, "priority", 0, 99, &prio, err) < 0 ||
	    get_int(s, "runtime", 0, INT64_MAX, &runtime, err) < 0 ||
	    get_int(s, "deadline", 0, INT64_MAX, &deadline, err) < 0 ||
	    get_int(s, "period", 0, INT64_MAX, &period, err) < 0 ||
	    parse_sched_flags(json_object_get(s, "flags"), &a.sched_flags, err) < 0)
		return -1;
	/* runc's rules: a static priority only means something to the
	 * real-time policies, runtime/deadline/period only to SCHED_DEADLINE. */
	rt = pol->value == SCHED_FIFO || pol->value == SCHED_RR;
	dl = pol->value == SCHED_DEADLINE;
	if (prio != 0 && !rt)
		return kerr_set(err, EINVAL, "process.scheduler.priority: only for SCHED_FIFO and "
				"SCHED_RR");
	if (rt && prio == 0)
		return kerr_set(err, EINVAL, "process.scheduler.priority: SCHED_FIFO and SCHED_RR "
				"need a priority from 1 to 99");
	if (!dl && (runtime != 0 || deadline != 0 || period != 0))
		return kerr_set(err, EINVAL, "process.scheduler: runtime/deadline/period are only "
				"for SCHED_DEADLINE");
	a.sched_policy = (uint32_t)pol->value;
	a.sched_nice = (int32_t)nice;
	a.sched_priority = (uint32_t)prio;
	a.sched_runtime = (uint64_t)runtime;
	a.sched_deadline = (uint64_t)deadline;
	a.sched_period = (uint64_t)period;
	*ret = a;
	return 0;
}

int lsm_attrs_validate(const struct kspec *spec, const struct kprocess *proc, struct kerr *err)
{
	unsigned long persona;
	struct sched_attr sa;
	int ioprio;

	if (spec->personality != NULL && !json_is_null(spec->personality) &&
	    parse_personality(spec->personality, &persona, err) < 0)
		return -1;
	if (proc == NULL)
		return 0;
	if (proc->io_priority != NULL && !json_is_null(proc->io_priority) &&
	    parse_ioprio(proc->io_priority, &ioprio, err) < 0)
		return -1;
	if (proc->scheduler != NULL && !json_is_null(proc->scheduler) &&
	    parse_scheduler(proc->scheduler, &sa, err) < 0)
		return -1;
	return 0;
}

int lsm_attrs_apply(const struct kspec *spec, const struct kprocess *proc, struct kerr *err)
{
	unsigned long persona;
	struct sched_attr sa;
	int ioprio;

	if (spec->personality != NULL && !json_is_null(spec->personality)) {
		if (parse_personality(spec->personality, &persona, err) < 0)
			return -1;
		if (personality(persona) < 0)
			return kerr_errno(err, "linux.personality: personality(0x%lx)", persona);
	}
	if (proc == NULL)
		return 0;
	if (proc->io_priority != NULL && !json_is_null(proc->io_priority)) {
		if (parse_ioprio(proc->io_priority, &ioprio, err) < 0)
			return -1;
		/* This process only: children forked later inherit it. The
		 * whole process group (IOPRIO_WHO_PGRP, runc's choice) may still
		 * include the runtime's own processes at this point. */
		if (sys_ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio) < 0)
			return kerr_errno(err, "process.ioPriority: ioprio_set");
	}
	if (proc->scheduler != NULL && !json_is_null(proc->scheduler)) {
		if (parse_scheduler(proc->scheduler, &sa, err) < 0)
			return -1;
		if (sys_sched_setattr(0, &sa, 0) < 0)
			return kerr_errno(err, "process.scheduler: sched_setattr");
	}
	return 0;
}
