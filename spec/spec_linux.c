/* config.json "linux": namespaces, id mappings, devices, masked and read-only
 * paths, rootfs propagation, and the shape of the sections other folders
 * interpret (resources, seccomp, sysctl, personality...). */
#include "spec/internal.h"

#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "common/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int flag;
} ns_table[KNS_COUNT] = {
	[KNS_PID] = { "pid", CLONE_NEWPID },
	[KNS_NET] = { "network", CLONE_NEWNET },
	[KNS_MNT] = { "mount", CLONE_NEWNS },
	[KNS_IPC] = { "ipc", CLONE_NEWIPC },
	[KNS_UTS] = { "uts", CLONE_NEWUTS },
	[KNS_USER] = { "user", CLONE_NEWUSER },
	[KNS_CGROUP] = { "cgroup", CLONE_NEWCGROUP },
	[KNS_TIME] = { "time", CLONE_NEWTIME },
};

const char *kns_name(enum kns_type t)
{
	return (unsigned int)t < KNS_COUNT ? ns_table[t].name : NULL;
}

int kns_clone_flag(enum kns_type t)
{
	return (unsigned int)t < KNS_COUNT ? ns_table[t].flag : 0;
}

static int ns_lookup(const char *name)
{
	for (int t = 0; t < KNS_COUNT; t++)
		if (strcmp(ns_table[t].name, name) == 0)
			return t;
	return -1;
}

static int parse_namespace(const json_t *jn, const char *where, struct kspec *spec,
			   struct kerr *err)
{
	const char *type = NULL, *path = NULL;
	int t;

	if (sj_want(jn, JSON_OBJECT, where, err) < 0 ||
	    sj_get_string(jn, where, "type", true, &type, err) < 0 ||
	    sj_get_string(jn, where, "path", false, &path, err) < 0)
		return -1;
	t = ns_lookup(type);
	if (t < 0)
		return kerr_set(err, 0, "%s.type: unknown namespace type \"%s\"", where, type);
	if (spec->ns[t].wanted)
		return kerr_set(err, 0, "%s.type: namespace \"%s\" listed twice", where, type);
	if (path != NULL && path[0] != '/')
		return kerr_set(err, 0, "%s.path: \"%s\" is not an absolute path", where, path);
	spec->ns[t].wanted = true;
	if (path != NULL)
		spec->ns[t].path = xstrdup(path);
	return 0;
}

static int parse_namespaces(const json_t *lx, struct kspec *spec, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jn;
	size_t i;

	if (sj_get_type(lx, "linux", "namespaces", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	json_array_foreach(arr, i, jn) {
		sj_idx(where, sizeof(where), "linux.namespaces", i);
		if (parse_namespace(jn, where, spec, err) < 0)
			return -1;
	}
	return 0;
}

/* The kernel takes at most 340 lines in uid_map/gid_map (since 4.15). */
#define IDMAP_MAX 340

static int parse_idmap(const json_t *jm, const char *where, struct kidmap *m, struct kerr *err)
{
	if (sj_want(jm, JSON_OBJECT, where, err) < 0 ||
	    sj_get_u32(jm, where, "containerID", true, &m->container_id, NULL, err) < 0 ||
	    sj_get_u32(jm, where, "hostID", true, &m->host_id, NULL, err) < 0 ||
	    sj_get_u32(jm, where, "size", true, &m->size, NULL, err) < 0)
		return -1;
	if (m->size == 0)
		return kerr_set(err, 0, "%s.size: must be at least 1", where);
	/* the kernel refuses a range that wraps past 2^32 - 1 (EINVAL) */
	if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
		return kerr_set(err, 0, "%s: the range goes past 4294967295", where);
	return 0;
}

static int parse_idmaps(const json_t *lx, const char *key, struct kidmap **ret,
			size_t *ret_n, struct kerr *err)
{
	char parent[SPEC_WHERE_MAX], where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jm;
	cleanup_free struct kidmap *maps = NULL;
	size_t i;

	if (sj_get_type(lx, "linux", key, JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	sj_key(parent, sizeof(parent), "linux", key);
	if (json_array_size(arr) > IDMAP_MAX)
		return kerr_set(err, 0, "%s: more than %d entries (the kernel's limit)", parent,
				IDMAP_MAX);
	maps = xcalloc(json_array_size(arr), sizeof(*maps));
	json_array_foreach(arr, i, jm) {
		sj_idx(where, sizeof(where), parent, i);
		if (parse_idmap(jm, where, &maps[i], err) < 0)
			return -1;
	}
	*ret_n = json_array_size(arr);
	*ret = move_ptr(maps);
	return 0;
}

static int parse_device_type(const json_t *jd, const char *where, struct kdevice *d,
			     struct kerr *err)
{
	const char *type = NULL;

	if (sj_get_string(jd, where, "type", true, &type, err) < 0)
		return -1;
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return kerr_set(err, 0, "%s.type: unknown device type \"%s\" (expected c, b, u or p)",
				where, type);
	d->type = type[0] == 'u' ? 'c' : type[0];   /* u: unbuffered char device */
	return 0;
}

static int parse_device_numbers(const json_t *jd, const char *where, struct kdevice *d,
				struct kerr *err)
{
	char w[SPEC_WHERE_MAX];
	bool required = d->type != 'p';
	json_t *v;

	static const char *const keys[] = { "major", "minor" };
	int64_t *vals[] = { &d->major, &d->minor };

	for (size_t i = 0; i < 2; i++) {
		sj_key(w, sizeof(w), where, keys[i]);
		v = sj_get(jd, keys[i]);
		if (v == NULL) {
			if (required)
				return kerr_set(err, 0, "%s: missing (required for type %c)", w,
						d->type);
			continue;
		}
		/* makedev() takes 32-bit major and minor numbers */
		if (sj_int(v, w, 0, UINT32_MAX, vals[i], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_device(const json_t *jd, const char *where, struct kdevice *d,
			struct kerr *err)
{
	if (sj_want(jd, JSON_OBJECT, where, err) < 0 ||
	    sj_get_strdup(jd, where, "path", true, &d->path, err) < 0 ||
	    parse_device_type(jd, where, d, err) < 0 ||
	    parse_device_numbers(jd, where, d, err) < 0)
		return -1;
	if (d->path[0] != '/')
		return kerr_set(err, 0, "%s.path: \"%s\" is not an absolute path", where, d->path);
	if (sj_get_u32(jd, where, "fileMode", false, &d->file_mode, &d->has_mode, err) < 0 ||
	    sj_get_u32(jd, where, "uid", false, &d->uid, &d->has_uid, err) < 0 ||
	    sj_get_u32(jd, where, "gid", false, &d->gid, &d->has_gid, err) < 0)
		return -1;
	/* fileMode is permission bits (decimal in JSON); a file type here would
	 * be mixed into mknod's mode and make a different kind of node */
	if (d->file_mode > 07777)
		return kerr_set(err, 0, "%s.fileMode: %u is not a permission mode (at most 07777 = 4095)",
				where, d->file_mode);
	return 0;
}

static int parse_devices(const json_t *lx, struct kspec *spec, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *arr = NULL, *jd;
	size_t i;

	if (sj_get_type(lx, "linux", "devices", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL || json_array_size(arr) == 0)
		return 0;
	spec->devices = xcalloc(json_array_size(arr), sizeof(*spec->devices));
	json_array_foreach(arr, i, jd) {
		sj_idx(where, sizeof(where), "linux.devices", i);
		spec->n_devices = i + 1;   /* so spec_free frees a half-filled entry */
		if (parse_device(jd, where, &spec->devices[i], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_propagation(const json_t *lx, struct kspec *spec, struct kerr *err)
{
	static const struct { const char *name; unsigned long flags; } table[] = {
		{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	const char *s = NULL;

	if (sj_get_string(lx, "linux", "rootfsPropagation", false, &s, err) < 0)
		return -1;
	if (s == NULL || s[0] == '\0')   /* "": runc's default too */
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (strcmp(table[i].name, s) == 0) {
			spec->rootfs_propagation = table[i].flags;
			return 0;
		}
	}
	return kerr_set(err, 0, "linux.rootfsPropagation: unknown value \"%s\"", s);
}

/* Sections kept as JSON for other folders: only their shape is checked here. */
static int check_raw(const json_t *lx, const char *key, const struct sj_shape *shape,
		     json_t **ret, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v = sj_get(lx, key);

	if (v == NULL)
		return 0;
	sj_key(where, sizeof(where), "linux", key);
	if (shape != NULL ? sj_check(v, shape, where, err) < 0 : sj_string_map(v, where, err) < 0)
		return -1;
	if (ret != NULL)
		*ret = v;
	return 0;
}

static int parse_raw_sections(const json_t *lx, struct kspec *spec, struct kerr *err)
{
	if (check_raw(lx, "resources", &spec_shape_resources, &spec->resources, err) < 0 ||
	    check_raw(lx, "seccomp", &spec_shape_seccomp, &spec->seccomp, err) < 0 ||
	    check_raw(lx, "sysctl", NULL, &spec->sysctl, err) < 0 ||
	    check_raw(lx, "personality", &spec_shape_personality, &spec->personality, err) < 0 ||
	    check_raw(lx, "netDevices", &spec_shape_net_devices, NULL, err) < 0 ||
	    check_raw(lx, "intelRdt", &spec_shape_intel_rdt, NULL, err) < 0 ||
	    check_raw(lx, "timeOffsets", &spec_shape_time_offsets, NULL, err) < 0 ||
	    check_raw(lx, "memoryPolicy", &spec_shape_memory_policy, NULL, err) < 0)
		return -1;
	return 0;
}

/* User namespace and mappings go together (runc: "user namespaces enabled,
 * but no uid mappings found"); a new user ns without a map would leave the
 * container running as the overflow uid with no way to set one later. */
static int check_userns(const struct kspec *spec, struct kerr *err)
{
	const struct kns *user = &spec->ns[KNS_USER];

	if (user->wanted && user->path == NULL) {
		if (spec->n_uid_mappings == 0)
			return kerr_set(err, 0, "linux.uidMappings: user namespace enabled, but no uid mappings found");
		if (spec->n_gid_mappings == 0)
			return kerr_set(err, 0, "linux.gidMappings: user namespace enabled, but no gid mappings found");
	}
	if (!user->wanted && spec->n_uid_mappings > 0)
		return kerr_set(err, 0, "linux.uidMappings: uid mappings given, but linux.namespaces has no user namespace");
	if (!user->wanted && spec->n_gid_mappings > 0)
		return kerr_set(err, 0, "linux.gidMappings: gid mappings given, but linux.namespaces has no user namespace");
	return 0;
}

/* Without its own uts namespace the container would rename the host. */
static int check_uts(const struct kspec *spec, struct kerr *err)
{
	if (spec->ns[KNS_UTS].wanted)
		return 0;
	if (spec->hostname != NULL && spec->hostname[0] != '\0')
		return kerr_set(err, 0, "hostname: set, but linux.namespaces has no uts namespace (it would change the host's)");
	if (spec->domainname != NULL && spec->domainname[0] != '\0')
		return kerr_set(err, 0, "domainname: set, but linux.namespaces has no uts namespace (it would change the host's)");
	return 0;
}

int spec_parse_linux(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	json_t *lx = NULL;

	if (sj_get_type(doc, "", "linux", JSON_OBJECT, false, &lx, err) < 0)
		return -1;
	if (lx != NULL) {
		if (parse_namespaces(lx, spec, err) < 0 ||
		    parse_idmaps(lx, "uidMappings", &spec->uid_mappings, &spec->n_uid_mappings,
				 err) < 0 ||
		    parse_idmaps(lx, "gidMappings", &spec->gid_mappings, &spec->n_gid_mappings,
				 err) < 0 ||
		    parse_devices(lx, spec, err) < 0 ||
		    sj_get_abs_paths(lx, "linux", "maskedPaths", &spec->masked_paths, err) < 0 ||
		    sj_get_abs_paths(lx, "linux", "readonlyPaths", &spec->readonly_paths,
				     err) < 0 ||
		    parse_propagation(lx, spec, err) < 0 ||
		    sj_get_strdup(lx, "linux", "mountLabel", false, &spec->mount_label, err) < 0 ||
		    sj_get_strdup(lx, "linux", "cgroupsPath", false, &spec->cgroups_path,
				  err) < 0 ||
		    parse_raw_sections(lx, spec, err) < 0)
			return -1;
	}
	if (check_userns(spec, err) < 0 || check_uts(spec, err) < 0)
		return -1;
	return 0;
}
