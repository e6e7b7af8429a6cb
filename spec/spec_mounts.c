/* config.json "mounts": validation, and the mount options decoded the way
 * runc and crun decode them (runc libcontainer/specconv parseMountOptions). */
#include "spec/internal.h"

#include <string.h>
#include <sys/mount.h>

#include "common/util.h"

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROPAGATION, OPT_REC_SET, OPT_REC_CLEAR,
		OPT_IDMAP, OPT_IGNORE };

struct mount_opt {
	const char *name;
	enum opt_kind kind;
	unsigned long flag;     /* MS_* (or MOUNT_ATTR_* for the OPT_REC_*) */
};

static const struct mount_opt mount_opts[] = {
	{ "defaults", OPT_FLAG, 0 },
	{ "ro", OPT_FLAG, MS_RDONLY },            { "rw", OPT_CLEAR, MS_RDONLY },
	{ "nosuid", OPT_FLAG, MS_NOSUID },        { "suid", OPT_CLEAR, MS_NOSUID },
	{ "nodev", OPT_FLAG, MS_NODEV },          { "dev", OPT_CLEAR, MS_NODEV },
	{ "noexec", OPT_FLAG, MS_NOEXEC },        { "exec", OPT_CLEAR, MS_NOEXEC },
	{ "sync", OPT_FLAG, MS_SYNCHRONOUS },     { "async", OPT_CLEAR, MS_SYNCHRONOUS },
	{ "dirsync", OPT_FLAG, MS_DIRSYNC },
	{ "remount", OPT_FLAG, MS_REMOUNT },
	{ "mand", OPT_FLAG, MS_MANDLOCK },        { "nomand", OPT_CLEAR, MS_MANDLOCK },
	{ "noatime", OPT_FLAG, MS_NOATIME },      { "atime", OPT_CLEAR, MS_NOATIME },
	{ "nodiratime", OPT_FLAG, MS_NODIRATIME }, { "diratime", OPT_CLEAR, MS_NODIRATIME },
	{ "relatime", OPT_FLAG, MS_RELATIME },    { "norelatime", OPT_CLEAR, MS_RELATIME },
	{ "strictatime", OPT_FLAG, MS_STRICTATIME }, { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
	{ "lazytime", OPT_FLAG, MS_LAZYTIME },    { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
	{ "nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW }, { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
	{ "iversion", OPT_FLAG, MS_I_VERSION },   { "noiversion", OPT_CLEAR, MS_I_VERSION },
	{ "silent", OPT_FLAG, MS_SILENT },        { "loud", OPT_CLEAR, MS_SILENT },
	{ "acl", OPT_FLAG, MS_POSIXACL },         { "noacl", OPT_CLEAR, MS_POSIXACL },
	{ "bind", OPT_FLAG, MS_BIND },            { "rbind", OPT_FLAG, MS_BIND | MS_REC },
	{ "private", OPT_PROPAGATION, MS_PRIVATE },
	{ "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
	{ "shared", OPT_PROPAGATION, MS_SHARED },
	{ "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
	{ "slave", OPT_PROPAGATION, MS_SLAVE },
	{ "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
	{ "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
	{ "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
	/* mount_setattr(2) with AT_RECURSIVE (kernel 5.12): a plain "ro" bind
	 * leaves the submounts of an rbind writable, "rro" does not. */
	{ "rro", OPT_REC_SET, MOUNT_ATTR_RDONLY },        { "rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID },    { "rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV },      { "rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC },    { "rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME },
	{ "rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", OPT_REC_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
	/* the atime modes are one 3-bit field: setting one clears MOUNT_ATTR__ATIME */
	{ "rrelatime", OPT_REC_SET, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", OPT_REC_CLEAR, MOUNT_ATTR_RELATIME },
	{ "rnoatime", OPT_REC_SET, MOUNT_ATTR_NOATIME },
	{ "ratime", OPT_REC_CLEAR, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", OPT_REC_SET, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", OPT_REC_CLEAR, MOUNT_ATTR_STRICTATIME },
	{ "idmap", OPT_IDMAP, 0 },
	{ "ridmap", OPT_IDMAP, 1 },
	/* runc's "copy the image's files into the new tmpfs": not supported */
	{ "tmpcopyup", OPT_IGNORE, 0 },
};

const char *const *spec_mount_option_names(void)
{
	static const char *names[ARRAY_SIZE(mount_opts) + 1];

	if (names[0] == NULL) {
		for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
			names[i] = mount_opts[i].name;
	}
	return names;
}

static const struct mount_opt *find_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(mount_opts); i++)
		if (strcmp(mount_opts[i].name, name) == 0)
			return &mount_opts[i];
	return NULL;
}

static bool is_atime_attr(unsigned long a)
{
	return a == MOUNT_ATTR_RELATIME || a == MOUNT_ATTR_NOATIME || a == MOUNT_ATTR_STRICTATIME;
}

static void apply_rec(struct kmount *m, const struct mount_opt *o)
{
	if (is_atime_attr(o->flag)) {
		/* "rrelatime" is MOUNT_ATTR_RELATIME (0) with the field cleared. */
		m->rec_attr_clr |= MOUNT_ATTR__ATIME;
		m->rec_attr_set &= ~(unsigned long)MOUNT_ATTR__ATIME;
		if (o->kind == OPT_REC_SET)
			m->rec_attr_set |= o->flag;
		return;
	}
	if (o->kind == OPT_REC_SET) {
		m->rec_attr_set |= o->flag;
		m->rec_attr_clr &= ~o->flag;
	} else {
		m->rec_attr_clr |= o->flag;
		m->rec_attr_set &= ~o->flag;
	}
}

static void apply_opt(struct kmount *m, const struct mount_opt *o)
{
	switch (o->kind) {
	case OPT_FLAG:
		m->flags |= o->flag;
		m->clear_flags &= ~o->flag;
		if (o->flag & MS_BIND)
			m->bind = true;
		break;
	case OPT_CLEAR:
		m->flags &= ~o->flag;
		m->clear_flags |= o->flag;
		break;
	case OPT_PROPAGATION:
		m->propagation = o->flag;   /* the last one wins */
		break;
	case OPT_REC_SET: case OPT_REC_CLEAR:
		apply_rec(m, o);
		break;
	case OPT_IDMAP:
		m->idmap = true;
		m->idmap_recursive = o->flag != 0;
		break;
	case OPT_IGNORE:
		kdebug("mount option %s ignored", o->name);
		break;
	}
}

static void data_append(char **data, const char *opt)
{
	char *joined;

	if (*data == NULL) {
		*data = xstrdup(opt);
		return;
	}
	joined = xasprintf("%s,%s", *data, opt);
	free(*data);
	*data = joined;
}

void spec_mount_options_decode(char *const *options, struct kmount *m)
{
	for (size_t i = 0; options != NULL && options[i] != NULL; i++) {
		const struct mount_opt *o = find_opt(options[i]);

		if (o != NULL)
			apply_opt(m, o);
		else if (options[i][0] != '\0')
			data_append(&m->data, options[i]);  /* size=, mode=, newinstance... */
	}
	m->recursive_ro = (m->rec_attr_set & MOUNT_ATTR_RDONLY) != 0;
}

void spec_mount_free(struct kmount *m)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	strv_free(m->options);
	free(m->data);
}

/* The spec allows a relative destination on Linux, "interpreted as relative
 * to /" (deprecated); runc 1.1 warns and does the same. */
static char *destination_abs(const char *dest)
{
	if (dest[0] == '/')
		return xstrdup(dest);
	char pr[SPEC_WHERE_MAX];

	klog(KLOG_WARN, "config.json: mount destination %s is not absolute: using /%s",
	     sj_printable(dest, pr, sizeof(pr)), pr);
	return xasprintf("/%s", dest);
}

static int parse_idmaps(const json_t *jm, const char *where, struct kmount *m, struct kerr *err)
{
	char w[SPEC_WHERE_MAX];
	json_t *uid = sj_get(jm, "uidMappings"), *gid = sj_get(jm, "gidMappings");

	sj_key(w, sizeof(w), where, "uidMappings");
	if (uid != NULL && sj_check(uid, &spec_shape_idmappings, w, err) < 0)
		return -1;
	sj_key(w, sizeof(w), where, "gidMappings");
	if (gid != NULL && sj_check(gid, &spec_shape_idmappings, w, err) < 0)
		return -1;
	if ((uid == NULL) != (gid == NULL))
		return kerr_set(err, 0, "%s: uidMappings and gidMappings must be given together",
				where);
	if (uid != NULL && !m->idmap)
		/* the spec says SHOULD; older runtimes would silently ignore it */
		m->idmap = true;
	return 0;
}

static int parse_source(const json_t *jm, const char *where, const char *bundle,
			struct kmount *m, struct kerr *err)
{
	const char *src = NULL;

	if (sj_get_string(jm, where, "source", false, &src, err) < 0)
		return -1;
	if (src == NULL) {
		if (m->bind)
			return kerr_set(err, 0, "%s.source: missing (required for a bind mount)",
					where);
		return 0;
	}
	/* "Path values for bind mounts are either absolute or relative to the bundle." */
	if (m->bind && src[0] != '/')
		m->source = xasprintf("%s/%s", bundle, src);
	else
		m->source = xstrdup(src);
	return 0;
}

static int parse_mount(const json_t *jm, const char *where, const char *bundle,
		       struct kmount *m, struct kerr *err)
{
	const char *dest = NULL;

	if (sj_want(jm, JSON_OBJECT, where, err) < 0)
		return -1;
	if (sj_get_string(jm, where, "destination", true, &dest, err) < 0)
		return -1;
	if (dest[0] == '\0')
		return kerr_set(err, 0, "%s.destination: empty", where);
	m->destination = destination_abs(dest);
	if (sj_get_strdup(jm, where, "type", false, &m->type, err) < 0 ||
	    sj_get_strv(jm, where, "options", &m->options, err) < 0)
		return -1;
	spec_mount_options_decode(m->options, m);
	if (m->type != NULL && strcmp(m->type, "bind") == 0) {
		m->bind = true;
		m->flags |= MS_BIND;
	}
	if (parse_idmaps(jm, where, m, err) < 0)
		return -1;
	return parse_source(jm, where, bundle, m, err);
}

int spec_parse_mounts(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jm;
	size_t i;

	if (sj_get_type(doc, "", "mounts", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	spec->mounts = xcalloc(json_array_size(arr), sizeof(*spec->mounts));
	json_array_foreach(arr, i, jm) {
		sj_idx(where, sizeof(where), "mounts", i);
		/* counted first, so spec_free frees a half-filled entry too */
		spec->n_mounts = i + 1;
		if (parse_mount(jm, where, spec->bundle, &spec->mounts[i], err) < 0)
			return -1;
	}
	return 0;
}

void spec_add_bind_mount(struct kspec *spec, const char *source, const char *destination)
{
	static char *const options[] = { "rbind", "rprivate", NULL };
	struct kmount *m;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (strcmp(spec->mounts[i].destination, destination) == 0)
			return;
	}
	spec->mounts = realloc(spec->mounts, (spec->n_mounts + 1) * sizeof(*spec->mounts));
	if (spec->mounts == NULL)
		abort();
	m = &spec->mounts[spec->n_mounts++];
	memset(m, 0, sizeof(*m));
	m->destination = xstrdup(destination);
	m->source = xstrdup(source);
	m->type = xstrdup("bind");
	m->options = xcalloc(3, sizeof(char *));
	m->options[0] = xstrdup(options[0]);
	m->options[1] = xstrdup(options[1]);
	spec_mount_options_decode(options, m);
}
