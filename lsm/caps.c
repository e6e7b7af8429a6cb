/* process.capabilities: the five sets, applied in runc's order (bounding
 * before the uid change, the rest after it, ambient last since the kernel
 * only lets a capability into the ambient set while it is both permitted and
 * inheritable). */
#include "lsm/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/util.h"

/* Indexed by capability number: every name this build accepts. A name the
 * running kernel does not know (newer than its CAP_LAST_CAP) is skipped when
 * applied, as the runtime spec asks ("SHOULD NOT fail"). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

size_t lsm_cap_known_count(void)
{
	return ARRAY_SIZE(cap_names);
}

const char *lsm_cap_name(size_t cap)
{
	return cap < ARRAY_SIZE(cap_names) ? cap_names[cap] : NULL;
}

static int cap_from_known_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(cap_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Number of capabilities the running kernel has (CAP_LAST_CAP + 1). */
static unsigned kernel_cap_count(void)
{
	unsigned n = cap_max_bits();

	return n > 64 ? 64 : n;
}

static int parse_set(json_t *caps, const char *key, uint64_t *ret, struct kerr *err)
{
	json_t *arr = json_object_get(caps, key);
	uint64_t mask = 0;
	unsigned kernel_n = kernel_cap_count();
	size_t i;
	json_t *v;

	if (arr == NULL || json_is_null(arr)) {
		*ret = 0;
		return 0;
	}
	if (!json_is_array(arr))
		return kerr_set(err, EINVAL, "process.capabilities.%s: not an array", key);
	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(v);
		int cap;

		if (name == NULL)
			return kerr_set(err, EINVAL, "process.capabilities.%s[%zu]: not a string",
					key, i);
		cap = cap_from_known_name(name);
		if (cap < 0)
			return kerr_set(err, EINVAL, "process.capabilities.%s: unknown capability \"%s\"",
					key, name);
		if ((unsigned)cap >= kernel_n) {
			kdebug("process.capabilities.%s: %s is not known to this kernel, skipped",
			       key, name);
			continue;
		}
		mask |= UINT64_C(1) << cap;
	}
	*ret = mask;
	return 0;
}

int lsm_caps_parse(json_t *caps, struct lsm_caps *ret, struct kerr *err)
{
	struct lsm_caps c = { 0 };
	const char *key;
	json_t *v;

	if (caps == NULL || json_is_null(caps)) {
		*ret = c;
		return 0;
	}
	if (!json_is_object(caps))
		return kerr_set(err, EINVAL, "process.capabilities: not an object");
	json_object_foreach(caps, key, v) {
		if (strcmp(key, "bounding") != 0 && strcmp(key, "effective") != 0 &&
		    strcmp(key, "permitted") != 0 && strcmp(key, "inheritable") != 0 &&
		    strcmp(key, "ambient") != 0)
			return kerr_set(err, EINVAL, "process.capabilities: unknown set \"%s\"", key);
	}
	if (parse_set(caps, "bounding", &c.bounding, err) < 0 ||
	    parse_set(caps, "effective", &c.effective, err) < 0 ||
	    parse_set(caps, "permitted", &c.permitted, err) < 0 ||
	    parse_set(caps, "inheritable", &c.inheritable, err) < 0 ||
	    parse_set(caps, "ambient", &c.ambient, err) < 0)
		return -1;
	c.present = true;
	*ret = c;
	return 0;
}

int lsm_caps_drop_bounding(const struct lsm_caps *c, struct kerr *err)
{
	unsigned n = kernel_cap_count();

	if (!c->present)
		return 0;
	/* The bounding set caps what any later execve can gain (file caps,
	 * setuid-root binaries): drop it while we still hold CAP_SETPCAP. */
	for (unsigned cap = 0; cap < n; cap++) {
		if (c->bounding & (UINT64_C(1) << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return kerr_errno(err, "drop %s from the bounding set",
					  lsm_cap_name(cap) ? lsm_cap_name(cap) : "capability");
	}
	return 0;
}

static int set_flag(cap_t caps, cap_flag_t flag, uint64_t mask, unsigned n)
{
	for (unsigned cap = 0; cap < n; cap++) {
		cap_value_t v = (cap_value_t)cap;

		if ((mask & (UINT64_C(1) << cap)) && cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static void append_names(char *buf, size_t size, uint64_t mask, unsigned n)
{
	for (unsigned cap = 0; cap < n; cap++) {
		size_t len = strlen(buf);

		if ((mask & (UINT64_C(1) << cap)) && len < size)
			snprintf(buf + len, size - len, "%s%s", len ? " " : "", lsm_cap_name(cap));
	}
}

/* The kernel only lets a capability into the ambient set while it is both
 * permitted and inheritable. Not a failure for a capability that cannot be
 * granted, as runc: one line for all. */
static void raise_ambient(const struct lsm_caps *c, unsigned n)
{
	uint64_t ok = c->ambient & c->permitted & c->inheritable;
	uint64_t failed = c->ambient & ~ok;
	char names[1024] = "";

	for (unsigned cap = 0; cap < n; cap++)
		if ((ok & (UINT64_C(1) << cap)) && cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
			failed |= UINT64_C(1) << cap;
	if (failed == 0)
		return;
	append_names(names, sizeof(names), failed, n);
	/* Debug, not warning: runc's own default spec asks for ambient caps
	 * without inheritable ones, and the line would land on the container's
	 * stderr on every run (runc says nothing). */
	kdebug("process.capabilities.ambient: not raised (an ambient capability must also "
	       "be permitted and inheritable): %s", names);
}

int lsm_caps_apply(const struct lsm_caps *c, struct kerr *err)
{
	unsigned n = kernel_cap_count();
	cap_t caps;
	int r;

	if (!c->present)
		return 0;
	/* The runtime set PR_SET_KEEPCAPS so the permitted set survived the
	 * uid change; the container process must not keep that flag. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return kerr_errno(err, "prctl(PR_SET_KEEPCAPS, 0)");
	caps = cap_init();
	if (caps == NULL)
		return kerr_errno(err, "cap_init");
	if (set_flag(caps, CAP_EFFECTIVE, c->effective, n) < 0 ||
	    set_flag(caps, CAP_PERMITTED, c->permitted, n) < 0 ||
	    set_flag(caps, CAP_INHERITABLE, c->inheritable, n) < 0) {
		cap_free(caps);
		return kerr_errno(err, "cap_set_flag");
	}
	r = cap_set_proc(caps);
	cap_free(caps);
	if (r < 0)
		return kerr_errno(err, "set capabilities (capset)");
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return kerr_errno(err, "clear the ambient capabilities");
	raise_ambient(c, n);
	return 0;
}
