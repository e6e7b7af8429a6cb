/* config.json "process" and "hooks". */
#include "spec/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "common/util.h"

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
	{ "RLIMIT_AS", RLIMIT_AS },             { "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },           { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },       { "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },   { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },         { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },       { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },     { "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

/* A NAME=VALUE string with a non-empty NAME. */
static bool valid_env(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq != NULL && eq != s;
}

static int check_env(char *const *env, const char *where, struct kerr *err)
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (!valid_env(env[i]))
			return kerr_set(err, 0, "%s[%zu]: \"%s\" is not NAME=VALUE", where, i, env[i]);
	return 0;
}

static int parse_rlimit(const json_t *jr, const char *where, struct krlimit *r,
			struct kerr *err)
{
	const char *type = NULL;
	char w[SPEC_WHERE_MAX];
	size_t i;

	if (sj_want(jr, JSON_OBJECT, where, err) < 0 ||
	    sj_get_string(jr, where, "type", true, &type, err) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (strcmp(rlimit_table[i].name, type) == 0)
			break;
	if (i == ARRAY_SIZE(rlimit_table))
		return kerr_set(err, 0, "%s.type: unknown rlimit \"%s\"", where, type);
	r->resource = rlimit_table[i].resource;
	sj_key(w, sizeof(w), where, "soft");
	if (sj_get(jr, "soft") == NULL)
		return kerr_set(err, 0, "%s: missing (required)", w);
	if (sj_u64(sj_get(jr, "soft"), w, &r->soft, err) < 0)
		return -1;
	sj_key(w, sizeof(w), where, "hard");
	if (sj_get(jr, "hard") == NULL)
		return kerr_set(err, 0, "%s: missing (required)", w);
	if (sj_u64(sj_get(jr, "hard"), w, &r->hard, err) < 0)
		return -1;
	/* setrlimit() would fail with EINVAL inside the container, too late */
	if (r->soft > r->hard)
		return kerr_set(err, 0, "%s: soft limit %llu is above the hard limit %llu", where,
				(unsigned long long)r->soft, (unsigned long long)r->hard);
	return 0;
}

static int parse_rlimits(const json_t *jp, struct kprocess *p, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jr;
	size_t i;

	if (sj_get_type(jp, "process", "rlimits", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	p->rlimits = xcalloc(json_array_size(arr), sizeof(*p->rlimits));
	json_array_foreach(arr, i, jr) {
		sj_idx(where, sizeof(where), "process.rlimits", i);
		if (parse_rlimit(jr, where, &p->rlimits[i], err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == p->rlimits[i].resource)
				return kerr_set(err, 0, "%s.type: %s listed twice", where,
						json_string_value(sj_get(jr, "type")));
		p->n_rlimits = i + 1;
	}
	return 0;
}

static int parse_additional_gids(const json_t *ju, struct kuser *u, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jg;
	size_t i;

	if (sj_get_type(ju, "process.user", "additionalGids", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	/* setgroups() takes at most NGROUPS_MAX (65536) */
	if (json_array_size(arr) > 65536)
		return kerr_set(err, 0, "process.user.additionalGids: more than 65536 groups");
	u->additional_gids = xcalloc(json_array_size(arr), sizeof(gid_t));
	json_array_foreach(arr, i, jg) {
		uint32_t gid;

		sj_idx(where, sizeof(where), "process.user.additionalGids", i);
		if (sj_u32(jg, where, &gid, err) < 0)
			return -1;
		u->additional_gids[i] = gid;
		u->n_additional_gids = i + 1;
	}
	return 0;
}

static int parse_user(const json_t *jp, struct kuser *u, struct kerr *err)
{
	json_t *ju = NULL;

	/* process.user is optional (uid 0, gid 0, as runc reads its absence);
	 * when given, its uid and gid are REQUIRED (config.md, POSIX user) */
	if (sj_get_type(jp, "process", "user", JSON_OBJECT, false, &ju, err) < 0)
		return -1;
	if (ju == NULL)
		return 0;
	if (sj_get_u32(ju, "process.user", "uid", true, &u->uid, NULL, err) < 0 ||
	    sj_get_u32(ju, "process.user", "gid", true, &u->gid, NULL, err) < 0 ||
	    sj_get_u32(ju, "process.user", "umask", false, &u->umask, &u->has_umask, err) < 0 ||
	    sj_get_strdup(ju, "process.user", "username", false, &u->username, err) < 0 ||
	    parse_additional_gids(ju, u, err) < 0)
		return -1;
	if (u->has_umask && u->umask > 0777)
		return kerr_set(err, 0, "process.user.umask: %u is not a umask (at most 0777 = 511)",
				u->umask);
	return 0;
}

static int parse_console_size(const json_t *jp, struct kprocess *p, struct kerr *err)
{
	json_t *jc = NULL;
	int64_t h, w;

	if (sj_get_type(jp, "process", "consoleSize", JSON_OBJECT, false, &jc, err) < 0)
		return -1;
	if (jc == NULL)
		return 0;
	if (sj_get(jc, "height") == NULL)
		return kerr_set(err, 0, "process.consoleSize.height: missing (required)");
	if (sj_get(jc, "width") == NULL)
		return kerr_set(err, 0, "process.consoleSize.width: missing (required)");
	/* struct winsize has unsigned short rows and columns */
	if (sj_int(sj_get(jc, "height"), "process.consoleSize.height", 0, UINT16_MAX, &h, err) < 0 ||
	    sj_int(sj_get(jc, "width"), "process.consoleSize.width", 0, UINT16_MAX, &w, err) < 0)
		return -1;
	p->console_height = (unsigned int)h;
	p->console_width = (unsigned int)w;
	p->has_console_size = true;
	return 0;
}

static int parse_args_cwd(const json_t *jp, struct kprocess *p, struct kerr *err)
{
	json_t *args = sj_get(jp, "args");

	if (args == NULL)
		return kerr_set(err, 0, "process.args: missing (required)");
	if (!json_is_array(args) || json_array_size(args) == 0)
		return kerr_set(err, 0, "process.args: expected a non-empty array of strings");
	if (sj_strv(args, "process.args", &p->args, err) < 0)
		return -1;
	if (p->args[0][0] == '\0')
		return kerr_set(err, 0, "process.args[0]: empty (it names the program to run)");
	if (sj_get_strdup(jp, "process", "cwd", true, &p->cwd, err) < 0)
		return -1;
	if (p->cwd[0] != '/')
		return kerr_set(err, 0, "process.cwd: \"%s\" is not an absolute path", p->cwd);
	return 0;
}

static int parse_raw(const json_t *jp, const char *key, const struct sj_shape *shape,
		     json_t **ret, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v = sj_get(jp, key);

	if (v == NULL)
		return 0;
	sj_key(where, sizeof(where), "process", key);
	if (sj_check(v, shape, where, err) < 0)
		return -1;
	if (ret != NULL)
		*ret = v;
	return 0;
}

static int parse_process_fields(const json_t *jp, struct kprocess *p, struct kerr *err)
{
	int64_t oom;
	json_t *v;

	if (parse_args_cwd(jp, p, err) < 0 ||
	    sj_get_bool(jp, "process", "terminal", &p->terminal, err) < 0 ||
	    parse_console_size(jp, p, err) < 0 ||
	    parse_user(jp, &p->user, err) < 0 ||
	    sj_get_strv(jp, "process", "env", &p->env, err) < 0 ||
	    check_env(p->env, "process.env", err) < 0 ||
	    parse_rlimits(jp, p, err) < 0 ||
	    sj_get_bool(jp, "process", "noNewPrivileges", &p->no_new_privileges, err) < 0 ||
	    sj_get_strdup(jp, "process", "apparmorProfile", false, &p->apparmor_profile, err) < 0 ||
	    sj_get_strdup(jp, "process", "selinuxLabel", false, &p->selinux_label, err) < 0 ||
	    parse_raw(jp, "capabilities", &spec_shape_capabilities, &p->capabilities, err) < 0 ||
	    parse_raw(jp, "ioPriority", &spec_shape_io_priority, &p->io_priority, err) < 0 ||
	    parse_raw(jp, "scheduler", &spec_shape_scheduler, &p->scheduler, err) < 0 ||
	    parse_raw(jp, "execCPUAffinity", &spec_shape_cpu_affinity, NULL, err) < 0)
		return -1;
	v = sj_get(jp, "oomScoreAdj");
	if (v != NULL) {
		/* the kernel's range for /proc/PID/oom_score_adj */
		if (sj_int(v, "process.oomScoreAdj", -1000, 1000, &oom, err) < 0)
			return -1;
		p->oom_score_adj = (int)oom;
		p->has_oom_score_adj = true;
	}
	return 0;
}

static void process_free(struct kprocess *p)
{
	if (p == NULL)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p);
}

int spec_parse_process(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	json_t *jp = NULL;
	struct kprocess *p;

	if (sj_get_type(doc, "", "process", JSON_OBJECT, false, &jp, err) < 0)
		return -1;
	if (jp == NULL)
		return 0;
	p = xcalloc(1, sizeof(*p));
	if (parse_process_fields(jp, p, err) < 0) {
		process_free(p);
		return -1;
	}
	spec->process = p;
	return 0;
}

int spec_process_parse(json_t *obj, struct kprocess **ret, struct kerr *err)
{
	struct kprocess *p;

	if (!json_is_object(obj))
		return kerr_set(err, EINVAL, "process: expected an object");
	p = xcalloc(1, sizeof(*p));
	if (parse_process_fields(obj, p, err) < 0) {
		process_free(p);
		return -1;
	}
	*ret = p;
	return 0;
}

void spec_process_free(struct kprocess *p)
{
	process_free(p);
}

/* --- hooks --- */

static const char *const hook_names[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart",
	"poststop", NULL
};

static int parse_hook(const json_t *jh, const char *where, struct kerr *err)
{
	const char *path = NULL;
	cleanup_strv char **args = NULL, **env = NULL;
	char w[SPEC_WHERE_MAX];
	json_t *t;
	int64_t timeout;

	if (sj_want(jh, JSON_OBJECT, where, err) < 0 ||
	    sj_get_string(jh, where, "path", true, &path, err) < 0)
		return -1;
	/* runtime.md: path MUST be absolute (a relative one would resolve
	 * against whatever cwd the runtime happens to have) */
	if (path[0] != '/')
		return kerr_set(err, 0, "%s.path: \"%s\" is not an absolute path", where, path);
	sj_key(w, sizeof(w), where, "env");
	if (sj_get_strv(jh, where, "args", &args, err) < 0 ||
	    sj_get_strv(jh, where, "env", &env, err) < 0 || check_env(env, w, err) < 0)
		return -1;
	t = sj_get(jh, "timeout");
	sj_key(w, sizeof(w), where, "timeout");
	if (t != NULL && sj_int(t, w, 1, INT32_MAX, &timeout, err) < 0)
		return -1;
	return 0;
}

static bool known_hook(const char *name)
{
	for (const char *const *h = hook_names; *h != NULL; h++)
		if (strcmp(*h, name) == 0)
			return true;
	return false;
}

int spec_parse_hooks(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	char parent[SPEC_WHERE_MAX], where[SPEC_WHERE_MAX];
	json_t *hooks = NULL, *arr, *jh;
	const char *name;
	size_t i;

	if (sj_get_type(doc, "", "hooks", JSON_OBJECT, false, &hooks, err) < 0)
		return -1;
	json_object_foreach(hooks, name, arr) {
		sj_key(parent, sizeof(parent), "hooks", name);
		if (!known_hook(name)) {
			char pr[SPEC_WHERE_MAX];

			klog(KLOG_WARN, "config.json: %s: unknown hook type, ignored",
			     sj_printable(parent, pr, sizeof(pr)));
			continue;
		}
		if (json_is_null(arr))
			continue;
		if (sj_want(arr, JSON_ARRAY, parent, err) < 0)
			return -1;
		json_array_foreach(arr, i, jh) {
			sj_idx(where, sizeof(where), parent, i);
			if (parse_hook(jh, where, err) < 0)
				return -1;
		}
	}
	spec->hooks = hooks;
	return 0;
}
