/* A "cgroup" mount entry on a host with cgroup v1 hierarchies (hybrid or
 * pure v1): what runc gives a container there, so programs reading their
 * limits (memory/memory.limit_in_bytes...) find them. A tmpfs at the
 * destination with one directory per hierarchy, each showing only the
 * container's own cgroup:
 * - with a cgroup namespace, the hierarchy mounted afresh (the kernel roots
 *   it at the container's cgroup);
 * - without one, the container's own directory bound from the host, so it
 *   cannot see or touch its siblings.
 * On a hybrid host "unified" gets the cgroup2 view (mounts_cgroup2_at).
 * Named hierarchies (name=systemd), where kapsel makes no cgroup, are left
 * out. In a user namespace v1 cannot be mounted and kapsel made no v1
 * cgroups (rootless): the caller falls back to the cgroup2 view. */
#include "runtime/mounts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"

#define CG_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | \
		  MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define MAX_HIER 16

struct hier {
	char mp[PATH_MAX];   /* host mount point, /sys/fs/cgroup/cpu,cpuacct */
	char ctrls[256];     /* "cpu,cpuacct" */
};

static const char *const known[] = { "cpu",     "cpuacct", "cpuset",   "memory", "devices",
				     "freezer", "net_cls", "net_prio", "blkio",  "perf_event",
				     "hugetlb", "pids",    "rdma",     "misc" };

/* "rw,cpu,cpuacct" -> "cpu,cpuacct": the known controllers, in order. */
static void controllers(const char *opts, char *out, size_t size)
{
	cleanup_free char *copy = xstrdup(opts);
	char *save = NULL;
	size_t n = 0;

	out[0] = '\0';
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			if (strcmp(t, known[i]) == 0 && n + strlen(t) + 2 < size)
				n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "", t);
}

/* The v1 hierarchies mounted below /sys/fs/cgroup, one entry each. */
static int find_hiers(struct hier *h, size_t *ret_n, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *save = NULL;
	size_t n = 0;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &buf, NULL, err) < 0)
		return -1;
	for (char *l = strtok_r(buf, "\n", &save); l && n < MAX_HIER; l = strtok_r(NULL, "\n", &save)) {
		const char *sep = strstr(l, " - cgroup cgroup ");
		char mp[PATH_MAX], opts[256], ctrls[256];
		bool dup = false;

		if (sep == NULL || sscanf(l, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep + 17, "%255s", opts) != 1 || strncmp(mp, "/sys/fs/cgroup/", 15) != 0 ||
		    strchr(mp + 15, '/') != NULL || strchr(mp, '\\') != NULL)
			continue;
		controllers(opts, ctrls, sizeof(ctrls));
		for (size_t i = 0; i < n; i++)
			dup = dup || strcmp(h[i].ctrls, ctrls) == 0;
		if (ctrls[0] == '\0' || dup)
			continue;
		snprintf(h[n].mp, sizeof(h[n].mp), "%s", mp);
		snprintf(h[n].ctrls, sizeof(h[n].ctrls), "%s", ctrls);
		n++;
	}
	*ret_n = n;
	return 0;
}

/* Our path in the hierarchy whose first controller is first ("4:memory:/kapsel/ID"). */
static int own_path(const char *ctrls, char **ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	cleanup_free char *first = xasprintf("%.*s", (int)strcspn(ctrls, ","), ctrls);
	char *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &buf, NULL, err) < 0)
		return -1;
	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *list = strchr(l, ':'), *path;

		if (list == NULL || (path = strchr(list + 1, ':')) == NULL)
			continue;
		*path++ = '\0';
		for (char *s2 = NULL, *t = strtok_r(list + 1, ",", &s2); t; t = strtok_r(NULL, ",", &s2))
			if (strcmp(t, first) == 0) {
				*ret = xstrdup(path);
				return 0;
			}
	}
	return kerr_set(err, ENOENT, "no %s line in /proc/self/cgroup", first);
}

static int one_hier(const struct kmount *m, bool cgns, const struct hier *h, int tmpfd,
		    struct kerr *err)
{
	const char *name = h->mp + 15;
	cleanup_close int sub = -1, mntfd = -1;
	cleanup_free char *own = NULL, *dir = NULL;
	char p[FD_PATH_MAX];

	if (mkdirat(tmpfd, name, 0755) < 0)
		return kerr_errno(err, "%s/%s", m->destination, name);
	sub = openat(tmpfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return kerr_errno(err, "%s/%s", m->destination, name);
	if (cgns) {
		if (mount("cgroup", fd_path(sub, p), "cgroup", m->flags & CG_FLAGS, h->ctrls) < 0)
			return kerr_errno(err, "mount cgroup %s on %s/%s", h->ctrls, m->destination,
					  name);
	} else {
		if (own_path(h->ctrls, &own, err) < 0)
			return -1;
		dir = xasprintf("%s%s", h->mp, own);
		if (mnt_bind(AT_FDCWD, dir, sub, false, &mntfd, err) < 0)
			return kerr_prefix(err, "bind the cgroup %s", dir);
		if (mnt_setattr(mntfd, m->flags & CG_FLAGS, 0, false, m->destination, err) < 0)
			return -1;
	}
	/* "cpu" and "cpuacct" next to "cpu,cpuacct", as on the host. */
	if (strchr(name, ',') != NULL) {
		cleanup_free char *copy = xstrdup(name);
		char *save = NULL;

		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (symlinkat(name, tmpfd, t) < 0 && errno != EEXIST)
				return kerr_errno(err, "symlink %s/%s", m->destination, t);
	}
	return 0;
}

int mounts_cgroup_v1(const struct mctx *c, const struct kmount *m, int targetfd, struct kerr *err)
{
	bool cgns = c->spec->ns[KNS_CGROUP].wanted;
	cleanup_close int fs = -1, tmp = -1, uni = -1;
	struct hier h[MAX_HIER];
	size_t n = 0;

	if (c->o->userns || find_hiers(h, &n, err) < 0 || n == 0)
		return c->o->userns || n == 0 ? 0 : -1;
	fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (tmp = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
							  MOUNT_ATTR_NOEXEC)) < 0 ||
	    sys_move_mount(tmp, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return kerr_errno(err, "mount a tmpfs on %s", m->destination);
	for (size_t i = 0; i < n; i++)
		if (one_hier(m, cgns, &h[i], tmp, err) < 0)
			return -1;
	/* hybrid: the cgroup2 view in "unified", where the host has it */
	if (access("/sys/fs/cgroup/unified/cgroup.controllers", F_OK) == 0) {
		if (mkdirat(tmp, "unified", 0755) < 0 ||
		    (uni = openat(tmp, "unified", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return kerr_errno(err, "%s/unified", m->destination);
		if (mounts_cgroup2_at(c, m, uni, err) < 0)
			return -1;
	}
	/* Read-only last: the directories above were made in it. */
	if ((m->flags & MS_RDONLY) && mnt_setattr(tmp, MS_RDONLY, 0, false, m->destination, err) < 0)
		return -1;
	return 1;
}
