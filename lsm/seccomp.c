/* linux.seccomp with libseccomp, following runc's rules: unknown syscall
 * names are skipped (profiles list syscalls newer than the host), a rule with
 * the default action is dropped, several conditions on one argument index
 * become separate rules (OR) because libseccomp ANDs a rule's conditions and
 * refuses two on one argument. The filter is compiled before anything is
 * applied so a bad profile fails before the container exists. */
#include "lsm/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>

#include "common/syscalls.h"
#include "common/util.h"

#define ACT_ERRNO_BASE 0x00050000U
#define ACT_TRACE_BASE 0x7ff00000U
#define ARG_MAX 6   /* seccomp sees at most six syscall arguments */

struct act_def {
	const char *name;
	uint32_t action;
	bool takes_errno;
};

static const struct act_def actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
	{ "SCMP_ACT_ERRNO", ACT_ERRNO_BASE, true },
	{ "SCMP_ACT_TRACE", ACT_TRACE_BASE, true },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

struct name_u32 {
	const char *name;
	uint32_t value;
};

static const struct name_u32 operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* The architectures this libseccomp knows. */
static const struct name_u32 archs[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 }, { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 }, { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 }, { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 }, { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL }, { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 }, { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 }, { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 }, { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC }, { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
	{ "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
	{ "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
	{ "SCMP_ARCH_SH", SCMP_ARCH_SH }, { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};

/* Filter flags this build can set: the libseccomp attribute, the libseccomp
 * API level that has it and the kernel flag (to probe the kernel). */
struct flag_def {
	const char *name;
	enum scmp_filter_attr attr;
	unsigned api;
	unsigned kernel_flag;
};

static const struct flag_def flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, 2, SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, 3, SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB, 4,
	  SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

static const struct name_u32 *find_name(const struct name_u32 *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

static const struct act_def *find_action(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}

/* An action string plus its errno ("errnoRet"/"defaultErrnoRet"). */
static int parse_action(json_t *obj, const char *act_key, const char *errno_key,
			const char *field, uint32_t *ret, bool *ret_notify, struct kerr *err)
{
	json_t *a = json_object_get(obj, act_key);
	json_t *e = json_object_get(obj, errno_key);
	const struct act_def *def;
	json_int_t errnum = EPERM;

	if (!json_is_string(a))
		return kerr_set(err, EINVAL, "%s.%s: missing or not a string", field, act_key);
	def = find_action(json_string_value(a));
	if (def == NULL)
		return kerr_set(err, EINVAL, "%s.%s: unknown action \"%s\"", field, act_key,
				json_string_value(a));
	if (e != NULL && !json_is_null(e)) {
		if (!def->takes_errno)
			return kerr_set(err, EINVAL, "%s.%s: %s does not take an errno", field,
					errno_key, def->name);
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) > 0xffff)
			return kerr_set(err, EINVAL, "%s.%s: not an errno number", field,
					errno_key);
		errnum = json_integer_value(e);
	}
	*ret = def->takes_errno ? def->action | (uint32_t)errnum : def->action;
	if (ret_notify != NULL)
		*ret_notify = def->action == SCMP_ACT_NOTIFY;
	return 0;
}

static int add_archs(scmp_filter_ctx ctx, json_t *arr, struct kerr *err)
{
	size_t i;
	json_t *v;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return kerr_set(err, EINVAL, "linux.seccomp.architectures: not an array");
	json_array_foreach(arr, i, v) {
		const struct name_u32 *a = NULL;
		int r;

		if (json_is_string(v))
			a = find_name(archs, ARRAY_SIZE(archs), json_string_value(v));
		if (a == NULL)
			return kerr_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown "
					"architecture %s", i,
					json_is_string(v) ? json_string_value(v) : "(not a string)");
		r = seccomp_arch_add(ctx, a->value);
		if (r < 0 && r != -EEXIST)
			return kerr_set(err, -r, "linux.seccomp.architectures: add %s", a->name);
	}
	return 0;
}

static int set_flags(scmp_filter_ctx ctx, json_t *arr, struct kerr *err)
{
	unsigned api = seccomp_api_get();
	size_t i;
	json_t *v;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return kerr_set(err, EINVAL, "linux.seccomp.flags: not an array");
	json_array_foreach(arr, i, v) {
		const char *name = json_string_value(v);
		const struct flag_def *f = NULL;
		int r;

		for (size_t k = 0; name != NULL && k < ARRAY_SIZE(flags); k++)
			if (strcmp(flags[k].name, name) == 0)
				f = &flags[k];
		if (f == NULL)
			return kerr_set(err, EINVAL, "linux.seccomp.flags[%zu]: unsupported flag %s",
					i, name != NULL ? name : "(not a string)");
		if (api < f->api)
			return kerr_set(err, ENOTSUP, "linux.seccomp.flags: %s needs libseccomp API "
					"level %u (have %u)", name, f->api, api);
		r = seccomp_attr_set(ctx, f->attr, 1);
		if (r < 0)
			return kerr_set(err, -r, "linux.seccomp.flags: set %s", name);
	}
	return 0;
}

static int parse_cond(json_t *arg, const char *field, struct scmp_arg_cmp *ret,
		      struct kerr *err)
{
	json_t *idx = json_object_get(arg, "index");
	json_t *val = json_object_get(arg, "value");
	json_t *val2 = json_object_get(arg, "valueTwo");
	json_t *op = json_object_get(arg, "op");
	const struct name_u32 *o = NULL;

	if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
	    json_integer_value(idx) >= ARG_MAX)
		return kerr_set(err, EINVAL, "%s.index: must be 0 to %d", field, ARG_MAX - 1);
	if (!json_is_integer(val))
		return kerr_set(err, EINVAL, "%s.value: missing or not an integer", field);
	if (val2 != NULL && !json_is_null(val2) && !json_is_integer(val2))
		return kerr_set(err, EINVAL, "%s.valueTwo: not an integer", field);
	if (json_is_string(op))
		o = find_name(operators, ARRAY_SIZE(operators), json_string_value(op));
	if (o == NULL)
		return kerr_set(err, EINVAL, "%s.op: unknown operator %s", field,
				json_is_string(op) ? json_string_value(op) : "(missing)");
	/* For SCMP_CMP_MASKED_EQ, datum_a is the mask (value) and datum_b the
	 * value compared after masking (valueTwo), as runc passes them. */
	*ret = (struct scmp_arg_cmp){
		.arg = (unsigned)json_integer_value(idx),
		.op = (enum scmp_compare)o->value,
		.datum_a = (scmp_datum_t)json_integer_value(val),
		.datum_b = json_is_integer(val2) ? (scmp_datum_t)json_integer_value(val2) : 0,
	};
	return 0;
}

static bool same_index_twice(const struct scmp_arg_cmp *conds, unsigned n)
{
	unsigned count[ARG_MAX] = { 0 };

	for (unsigned i = 0; i < n; i++)
		if (++count[conds[i].arg] > 1)
			return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, const char *name, uint32_t act,
		    const struct scmp_arg_cmp *conds, unsigned n, struct kerr *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int r = 0;

	if (nr == __NR_SCMP_ERROR) {
		/* Profiles name syscalls newer than this libseccomp or
		 * host; runc skips them too. */
		kdebug("seccomp: syscall %s unknown to libseccomp, skipped", name);
		return 0;
	}
	if (n > 0 && same_index_twice(conds, n)) {
		for (unsigned i = 0; i < n && r == 0; i++)
			r = seccomp_rule_add_array(ctx, act, nr, 1, &conds[i]);
	} else {
		r = seccomp_rule_add_array(ctx, act, nr, n, conds);
	}
	if (r < 0)
		return kerr_set(err, -r, "add seccomp rule for %s", name);
	return 0;
}

static int parse_names(json_t *names, const char *field, struct kerr *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(names) || json_array_size(names) == 0)
		return kerr_set(err, EINVAL, "%s.names: must be a non-empty array", field);
	json_array_foreach(names, i, v)
		if (!json_is_string(v))
			return kerr_set(err, EINVAL, "%s.names[%zu]: not a string", field, i);
	return 0;
}

static int parse_args(json_t *args, const char *field, struct scmp_arg_cmp **ret,
		      unsigned *ret_n, struct kerr *err)
{
	cleanup_free struct scmp_arg_cmp *conds = NULL;
	size_t i;
	json_t *v;

	*ret_n = 0;
	if (args == NULL || json_is_null(args))
		return 0;
	if (!json_is_array(args))
		return kerr_set(err, EINVAL, "%s.args: not an array", field);
	conds = xcalloc(json_array_size(args), sizeof(*conds));
	json_array_foreach(args, i, v) {
		cleanup_free char *f = xasprintf("%s.args[%zu]", field, i);

		if (!json_is_object(v))
			return kerr_set(err, EINVAL, "%s: not an object", f);
		if (parse_cond(v, f, &conds[i], err) < 0)
			return -1;
	}
	*ret_n = (unsigned)json_array_size(args);
	*ret = move_ptr(conds);
	return 0;
}

static int add_syscall_entry(scmp_filter_ctx ctx, json_t *entry, size_t idx,
			     uint32_t default_act, bool *uses_notify, struct kerr *err)
{
	cleanup_free char *field = xasprintf("linux.seccomp.syscalls[%zu]", idx);
	cleanup_free struct scmp_arg_cmp *conds = NULL;
	json_t *names = json_object_get(entry, "names");
	unsigned n_conds = 0;
	bool notify = false;
	uint32_t act;
	size_t i;
	json_t *v;

	if (!json_is_object(entry))
		return kerr_set(err, EINVAL, "%s: not an object", field);
	if (parse_names(names, field, err) < 0 ||
	    parse_action(entry, "action", "errnoRet", field, &act, &notify, err) < 0 ||
	    parse_args(json_object_get(entry, "args"), field, &conds, &n_conds, err) < 0)
		return -1;
	json_array_foreach(names, i, v) {
		const char *name = json_string_value(v);

		/* The runtime itself still write()s to its sync socket after
		 * the filter is loaded and before the agent holds the fd:
		 * a notified write would deadlock (runc refuses it too). */
		if (notify && strcmp(name, "write") == 0)
			return kerr_set(err, EINVAL, "%s: SCMP_ACT_NOTIFY cannot be used for the "
					"write syscall", field);
		if (act == default_act) {
			kdebug("seccomp: rule for %s has the default action, skipped", name);
			continue;
		}
		if (add_rule(ctx, name, act, conds, n_conds, err) < 0)
			return kerr_prefix(err, "%s", field);
	}
	*uses_notify |= notify;
	return 0;
}

static int check_listener(json_t *json, bool uses_notify, struct kerr *err)
{
	json_t *path = json_object_get(json, "listenerPath");
	json_t *meta = json_object_get(json, "listenerMetadata");

	if (path != NULL && !json_is_null(path) &&
	    (!json_is_string(path) || json_string_length(path) == 0))
		return kerr_set(err, EINVAL, "linux.seccomp.listenerPath: not a path");
	if (meta != NULL && !json_is_null(meta) && !json_is_string(meta))
		return kerr_set(err, EINVAL, "linux.seccomp.listenerMetadata: not a string");
	if (json_is_string(meta) && !json_is_string(path))
		return kerr_set(err, EINVAL,
				"linux.seccomp.listenerMetadata: set without listenerPath");
	if (uses_notify && !json_is_string(path))
		return kerr_set(err, EINVAL,
				"linux.seccomp: SCMP_ACT_NOTIFY is used but listenerPath is not set");
	if (uses_notify && seccomp_api_get() < 5)
		return kerr_set(err, ENOTSUP, "linux.seccomp: SCMP_ACT_NOTIFY is not supported "
				"by this kernel/libseccomp (API level %u)", seccomp_api_get());
	return 0;
}

static int compile(json_t *json, scmp_filter_ctx ctx, uint32_t default_act,
		   bool *ret_notify, struct kerr *err)
{
	json_t *syscalls = json_object_get(json, "syscalls");
	bool uses_notify = false;
	size_t i;
	json_t *v;
	int r;

	/* no_new_privs is the runtime's decision (process.noNewPrivileges),
	 * not a side effect of loading the filter. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return kerr_set(err, -r, "linux.seccomp: clear SCMP_FLTATR_CTL_NNP");
	if (add_archs(ctx, json_object_get(json, "architectures"), err) < 0 ||
	    set_flags(ctx, json_object_get(json, "flags"), err) < 0)
		return -1;
	if (syscalls != NULL && !json_is_null(syscalls) && !json_is_array(syscalls))
		return kerr_set(err, EINVAL, "linux.seccomp.syscalls: not an array");
	json_array_foreach(syscalls, i, v)
		if (add_syscall_entry(ctx, v, i, default_act, &uses_notify, err) < 0)
			return -1;
	if (check_listener(json, uses_notify, err) < 0)
		return -1;
	*ret_notify = uses_notify;
	return 0;
}

int lsm_seccomp_compile(json_t *json, struct lsm_seccomp *ret, struct kerr *err)
{
	uint32_t default_act;
	bool notify = false;
	scmp_filter_ctx ctx;

	if (json == NULL || json_is_null(json)) {
		*ret = (struct lsm_seccomp){ 0 };
		return 0;
	}
	if (!json_is_object(json))
		return kerr_set(err, EINVAL, "linux.seccomp: not an object");
	if (parse_action(json, "defaultAction", "defaultErrnoRet", "linux.seccomp", &default_act,
			 &notify, err) < 0)
		return -1;
	if (notify)
		return kerr_set(err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot "
				"be the default action");
	ctx = seccomp_init(default_act);
	if (ctx == NULL)
		return kerr_set(err, EINVAL, "linux.seccomp: seccomp_init failed");
	if (compile(json, ctx, default_act, &notify, err) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	*ret = (struct lsm_seccomp){ .ctx = ctx, .uses_notify = notify };
	return 0;
}

void lsm_seccomp_release(struct lsm_seccomp *s)
{
	if (s->ctx != NULL)
		seccomp_release(s->ctx);
	s->ctx = NULL;
}

int lsm_seccomp_load(struct lsm_seccomp *s, int *ret_notify_fd, struct kerr *err)
{
	int r, fd = -1;

	if (s->ctx == NULL) {
		*ret_notify_fd = -1;
		return 0;
	}
	r = seccomp_load(s->ctx);
	if (r < 0)
		return kerr_set(err, -r, "load the seccomp filter");
	if (s->uses_notify) {
		/* The kernel made the listener O_CLOEXEC; libseccomp keeps it
		 * in its global state, we hand it to the caller. */
		fd = seccomp_notify_fd(s->ctx);
		if (fd < 0)
			return kerr_set(err, -fd, "get the seccomp notify fd");
	}
	*ret_notify_fd = fd;
	return 0;
}

/* A flag is supported when the kernel takes it: seccomp(SET_MODE_FILTER,
 * flag, NULL) fails with EFAULT (bad program pointer) rather than EINVAL
 * (the probe runc uses; it installs nothing). */
static bool kernel_has_flag(unsigned flag)
{
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static json_t *names_array(const struct name_u32 *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(t[i].name));
	return a;
}

json_t *lsm_seccomp_features(void)
{
	json_t *o = json_object(), *acts = json_array(), *known = json_array(),
	       *supported = json_array();
	unsigned api = seccomp_api_get();

	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		json_array_append_new(acts, json_string(actions[i].name));
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		json_array_append_new(known, json_string(flags[i].name));
		if (api >= flags[i].api && kernel_has_flag(flags[i].kernel_flag))
			json_array_append_new(supported, json_string(flags[i].name));
	}
	json_object_set_new(o, "enabled", json_true());
	json_object_set_new(o, "actions", acts);
	json_object_set_new(o, "operators", names_array(operators, ARRAY_SIZE(operators)));
	json_object_set_new(o, "archs", names_array(archs, ARRAY_SIZE(archs)));
	json_object_set_new(o, "knownFlags", known);
	json_object_set_new(o, "supportedFlags", supported);
	return o;
}
