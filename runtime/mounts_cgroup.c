/* A "cgroup" mount entry: on a host with cgroup v1 hierarchies, runc's v1
 * layout (mounts_cgroup1.c, with this cgroup2 view in "unified" on a hybrid
 * host); else the cgroup2 view: on a unified host the hierarchy is at
 * /sys/fs/cgroup, on a hybrid host at /sys/fs/cgroup/unified.
 *
 * - With a cgroup namespace the kernel shows the container its own subtree
 *   as the root: cgroup2 is mounted afresh (what crun does on cgroup v2).
 * - Without one a fresh mount would show the whole host hierarchy, so the
 *   container's own cgroup directory is bound instead (crun's fallback), and
 *   the container cannot see or touch its siblings. */
#include "runtime/mounts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

#define CG_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | \
		  MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* The host's cgroup2 mount: its mount point and the cgroup path it shows
 * as its root (not "/" when we ourselves run inside a cgroup namespace). */
struct cg2_mount {
	char mp[PATH_MAX];
	char root[PATH_MAX];
};

static bool cg2_line(const char *line, struct cg2_mount *ret)
{
	const char *sep = strstr(line, " - ");
	char root[PATH_MAX], mp[PATH_MAX];

	if (sep == NULL || strncmp(sep, " - cgroup2 ", 11) != 0)
		return false;
	if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2)
		return false;
	if (strcmp(mp, "/sys/fs/cgroup") != 0 && strcmp(mp, "/sys/fs/cgroup/unified") != 0)
		return false;
	snprintf(ret->mp, sizeof(ret->mp), "%s", mp);
	snprintf(ret->root, sizeof(ret->root), "%s", root);
	return true;
}

/* 1 found, 0 none, -1 error. */
static int find_cg2_mount(struct cg2_mount *ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	int found = 0;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &buf, NULL, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (cg2_line(line, ret))
			found = 1;   /* the last one is the one on top */
	return found;
}

/* Our cgroup2 path ("0::/kapsel/ID") made into a host path. */
static int own_cgroup_dir(const struct cg2_mount *cg, char **ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	size_t rlen = strcmp(cg->root, "/") == 0 ? 0 : strlen(cg->root);

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &buf, NULL, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *path = line + 3;

		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (rlen > 0) {
			if (strncmp(path, cg->root, rlen) != 0 ||
			    (path[rlen] != '/' && path[rlen] != '\0'))
				return kerr_set(err, ENOENT, "cgroup %s is outside the mount of %s",
						path, cg->mp);
			path += rlen;
		}
		*ret = xasprintf("%s%s", cg->mp, path);
		return 0;
	}
	return kerr_set(err, ENOENT, "no cgroup2 entry in /proc/self/cgroup");
}

static int bind_own_cgroup(const struct kmount *m, const struct cg2_mount *cg, int targetfd,
			   struct kerr *err)
{
	cleanup_free char *dir = NULL;
	cleanup_close int mntfd = -1;

	if (own_cgroup_dir(cg, &dir, err) < 0)
		return -1;
	if (mnt_bind(AT_FDCWD, dir, targetfd, true, &mntfd, err) < 0)
		return kerr_prefix(err, "bind the cgroup %s", dir);
	return mnt_setattr(mntfd, m->flags & CG_FLAGS, 0, true, m->destination, err);
}

int mounts_cgroup(const struct mctx *c, const struct kmount *m, int targetfd, struct kerr *err)
{
	/* A host with v1 hierarchies gets runc's v1 layout (mounts_cgroup1.c). */
	int r = mounts_cgroup_v1(c, m, targetfd, err);

	if (r != 0)
		return r < 0 ? -1 : 0;
	return mounts_cgroup2_at(c, m, targetfd, err);
}

int mounts_cgroup2_at(const struct mctx *c, const struct kmount *m, int targetfd,
		      struct kerr *err)
{
	const struct kns *cgns = &c->spec->ns[KNS_CGROUP];
	struct cg2_mount cg;
	char p[FD_PATH_MAX];
	int r = find_cg2_mount(&cg, err);

	if (r < 0)
		return -1;
	if (r == 0) {
		klog(KLOG_WARN, "%s: the host has no cgroup2 hierarchy, nothing mounted",
		     m->destination);
		return 0;
	}
	if (!cgns->wanted)
		return bind_own_cgroup(m, &cg, targetfd, err);
	if (mount("cgroup2", fd_path(targetfd, p), "cgroup2", m->flags & CG_FLAGS, NULL) < 0)
		return kerr_errno(err, "mount cgroup2");
	return 0;
}
