/* The container's mounts: root propagation, the rootfs bind, config.json's
 * "mounts" resolved inside the rootfs, pivot_root, and the read-only root.
 * Devices are in mounts_dev.c, cgroup mounts in mounts_cgroup.c, masked and
 * read-only paths in mounts_paths.c. */
#include "runtime/mounts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/inroot.h"
#include "common/syscalls.h"
#include "common/util.h"

/* The per-mount flags mount_setattr and MS_BIND|MS_REMOUNT act on. */
#define MNT_FLAGS_MS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | \
		      MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NOSYMFOLLOW)
#define ATIME_MS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static uint64_t ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;

	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	return a;
}

/* The atime mode is one field: setting it means clearing MOUNT_ATTR__ATIME. */
static void atime_to_attr(unsigned long set_ms, struct kapsel_mount_attr *a)
{
	if (!(set_ms & ATIME_MS))
		return;
	a->attr_clr |= MOUNT_ATTR__ATIME;
	if (set_ms & MS_STRICTATIME)
		a->attr_set |= MOUNT_ATTR_STRICTATIME;
	else if (set_ms & MS_NOATIME)
		a->attr_set |= MOUNT_ATTR_NOATIME;
	else
		a->attr_set |= MOUNT_ATTR_RELATIME;
}

int mnt_bind(int srcfd, const char *srcpath, int targetfd, bool recursive, int *ret_mntfd,
	     struct kerr *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	cleanup_close int tree = -1;

	if (recursive)
		flags |= AT_RECURSIVE;
	if (srcpath[0] == '\0')
		flags |= AT_EMPTY_PATH;
	tree = sys_open_tree(srcfd, srcpath, flags);
	if (tree < 0)
		return kerr_errno(err, "open_tree %s%s", srcpath,
				  errno == ENOSYS ? " (needs Linux 5.2)" : "");
	if (sys_move_mount(tree, "", targetfd, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return kerr_errno(err, "move_mount");
	*ret_mntfd = move_fd(&tree);
	return 0;
}

/* For kernels without mount_setattr (< 5.12): MS_BIND|MS_REMOUNT replaces
 * all the flags, so those the mount has now (statvfs) are passed again or
 * the kernel sees a request to clear flags it may have locked. */
static int remount_fallback(int mntfd, unsigned long set_ms, unsigned long clr_ms,
			    const char *what, struct kerr *err)
{
	char p[FD_PATH_MAX];
	struct statvfs sv;
	unsigned long keep;

	if (fstatvfs(mntfd, &sv) < 0)
		return kerr_errno(err, "statvfs %s", what);
	/* ST_* equal MS_* for these bits on Linux */
	keep = sv.f_flag & MNT_FLAGS_MS & ~clr_ms;
	if (set_ms & ATIME_MS)
		keep &= ~(unsigned long)ATIME_MS;
	if (mount(NULL, fd_path(mntfd, p), NULL, MS_BIND | MS_REMOUNT | keep | set_ms, NULL) < 0)
		return kerr_errno(err, "remount %s", what);
	return 0;
}

int mnt_setattr(int mntfd, unsigned long set_ms, unsigned long clr_ms, bool recursive,
		const char *what, struct kerr *err)
{
	struct kapsel_mount_attr a = { .attr_set = ms_to_attr(set_ms),
				       .attr_clr = ms_to_attr(clr_ms) };
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	atime_to_attr(set_ms, &a);
	if (a.attr_set == 0 && a.attr_clr == 0)
		return 0;
	if (sys_mount_setattr(mntfd, "", flags, &a) == 0)
		return 0;
	if (errno == ENOSYS && !recursive)
		return remount_fallback(mntfd, set_ms & MNT_FLAGS_MS, clr_ms, what, err);
	if (errno == EPERM && (a.attr_clr & ~(uint64_t)MOUNT_ATTR__ATIME) != 0) {
		/* a user namespace cannot clear flags inherited from a more
		 * privileged mount (MNT_LOCK_*): keep them, as runc does */
		klog(KLOG_WARN, "%s: keeping the flags locked by the kernel", what);
		a.attr_clr = 0;
		a.attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		if (a.attr_set == 0 || sys_mount_setattr(mntfd, "", flags, &a) == 0)
			return 0;
	}
	return kerr_errno(err, "mount_setattr %s", what);
}

int mnt_propagation(int mntfd, unsigned long prop, const char *what, struct kerr *err)
{
	struct kapsel_mount_attr a = { .propagation = prop & ~(unsigned long)MS_REC };
	unsigned int flags = AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0);
	char p[FD_PATH_MAX];

	if (prop == 0 || sys_mount_setattr(mntfd, "", flags, &a) == 0)
		return 0;
	if (errno == ENOSYS && mount(NULL, fd_path(mntfd, p), NULL, prop, NULL) == 0)
		return 0;
	return kerr_errno(err, "set the propagation of %s", what);
}

static bool dest_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

const struct kmount *mounts_find(const struct kspec *spec, const char *dest)
{
	const struct kmount *found = NULL;

	for (size_t i = 0; i < spec->n_mounts; i++)
		if (dest_equal(spec->mounts[i].destination, dest))
			found = &spec->mounts[i];
	return found;
}

bool mount_is_bind(const struct kmount *m)
{
	return m->bind || (m->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

static bool mount_is_type(const struct kmount *m, const char *type)
{
	return m->type != NULL && strcmp(m->type, type) == 0;
}

/* The mount point holding path (the last, topmost one in mountinfo), and
 * whether it is shared (a "shared:N" optional field). */
static int mountpoint_of(const char *path, char **ret, bool *ret_shared, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *best = NULL, *line, *save = NULL;
	size_t best_len = 0;
	bool shared = false;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &buf, NULL, err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mp[PATH_MAX];
		size_t len;

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		len = strlen(mp);
		if (strcmp(mp, "/") != 0 &&
		    (strncmp(path, mp, len) != 0 || (path[len] != '/' && path[len] != '\0')))
			continue;
		if (len >= best_len) {
			char *sep = strstr(line, " - ");
			char *sh = strstr(line, " shared:");

			free(best);
			best = xstrdup(mp);
			best_len = len;
			shared = sh != NULL && (sep == NULL || sh < sep);
		}
	}
	if (best == NULL)
		return kerr_set(err, ENOENT, "no mount holds %s", path);
	*ret = best;
	*ret_shared = shared;
	return 0;
}

/* Nothing done in the container may propagate back to the host: "/" becomes
 * a recursive slave (or what linux.rootfsPropagation asks). pivot_root
 * refuses a new root whose mount or parent mount is shared (and a shared one
 * would copy the container's mounts into the host's namespace), so with a
 * shared mount holding the rootfs is made private (as runc's
 * rootfsParentMountPrivate does). */
static int set_root_propagation(const struct kspec *spec, struct kerr *err)
{
	unsigned long prop = spec->rootfs_propagation ? spec->rootfs_propagation
						      : MS_SLAVE | MS_REC;
	cleanup_free char *mp = NULL;
	bool shared;

	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return kerr_errno(err, "set the propagation of /");
	/* The mount holding the rootfs path (the rootfs itself when it is a
	 * mount point), whatever "/" became: a bind of a shared mount would join
	 * its peer group, and the container's mounts would show up on the host. */
	if (mountpoint_of(spec->root_path, &mp, &shared, err) < 0)
		return -1;
	if (shared && mount(NULL, mp, NULL, MS_PRIVATE, NULL) < 0)
		return kerr_errno(err, "make %s private", mp);
	return 0;
}

/* A mount point of its own, so pivot_root can take it (the host's rootfs
 * directory usually is not one). The rootfs path is the host's: trusted. */
static int bind_rootfs(const struct kspec *spec, int *ret_rootfd, struct kerr *err)
{
	int fd;

	if (mount(spec->root_path, spec->root_path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return kerr_errno(err, "bind mount the rootfs %s", spec->root_path);
	/* opened after the bind: what is created below lands in the bind */
	fd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open the rootfs %s", spec->root_path);
	*ret_rootfd = fd;
	return 0;
}

/* The destination inside the rootfs, created if missing: a file for a bind
 * of a file, else a directory. */
static int prepare_target(const struct mctx *c, const struct kmount *m, int *ret_fd,
			  struct kerr *err)
{
	struct stat st;
	int r;

	if (mount_is_bind(m)) {
		if (m->source == NULL)
			return kerr_set(err, EINVAL, "bind mount without a source");
		if (stat(m->source, &st) < 0)
			return kerr_errno(err, "mount source %s", m->source);
		if (!S_ISDIR(st.st_mode)) {
			r = inroot_create_file(c->rootfd, m->destination, 0644, ret_fd, err);
			return r;
		}
	}
	return inroot_mkdir_p(c->rootfd, m->destination, 0755, ret_fd, err);
}

static char *mount_data(const struct mctx *c, const struct kmount *m)
{
	const char *label = c->o->mount_label_data;
	bool labelled = mount_is_type(m, "tmpfs") || mount_is_type(m, "devpts");

	if (label == NULL || label[0] == '\0' || !labelled)
		return m->data ? xstrdup(m->data) : NULL;
	if (m->data == NULL || m->data[0] == '\0')
		return xstrdup(label);
	return xasprintf("%s,%s", m->data, label);
}

/* The mount just made on top of targetfd: looked up again inside the root,
 * and checked to be a different mount than the target's. */
static int reopen_mount(const struct mctx *c, const struct kmount *m, int targetfd,
			int *ret_fd, struct kerr *err)
{
	struct statx before, after;
	cleanup_close int fd = inroot_open(c->rootfd, m->destination, O_PATH, err);

	if (fd < 0)
		return -1;
	if (statx(targetfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &before) < 0 ||
	    statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &after) < 0)
		return kerr_errno(err, "statx %s", m->destination);
	if (before.stx_mnt_id == after.stx_mnt_id)
		return kerr_set(err, EXDEV, "%s: the new mount is not there any more",
				m->destination);
	*ret_fd = move_fd(&fd);
	return 0;
}

static int mount_fs(const struct mctx *c, const struct kmount *m, int targetfd,
		    int *ret_mntfd, struct kerr *err)
{
	unsigned long flags = m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
	cleanup_free char *data = mount_data(c, m);
	const char *src = m->source ? m->source : m->type;
	char p[FD_PATH_MAX];

	/* /dev stays writable until the devices are made; finalize makes it ro */
	if (dest_equal(m->destination, "/dev"))
		flags &= ~(unsigned long)MS_RDONLY;
	if (mount(src, fd_path(targetfd, p), m->type, flags, data) == 0)
		return reopen_mount(c, m, targetfd, ret_mntfd, err);
	if (errno == EPERM && c->o->userns && mount_is_type(m, "sysfs")) {
		/* sysfs needs a network namespace owned by our user namespace:
		 * without one, the host's /sys bound read-only (runc does this) */
		kdebug("sysfs: not allowed in this user namespace, binding /sys");
		if (mnt_bind(AT_FDCWD, "/sys", targetfd, true, ret_mntfd, err) < 0)
			return -1;
		return mnt_setattr(*ret_mntfd, flags | MS_RDONLY, 0, true, m->destination, err);
	}
	return kerr_errno(err, "mount %s (%s)", m->type ? m->type : "none", src);
}

static int mount_bind_entry(const struct kmount *m, int targetfd,
			    int *ret_mntfd, struct kerr *err)
{
	bool rec = (m->flags & MS_REC) != 0;
	unsigned long set = m->flags & MNT_FLAGS_MS, clr = m->clear_flags & MNT_FLAGS_MS;

	if (mnt_bind(AT_FDCWD, m->source, targetfd, rec, ret_mntfd, err) < 0)
		return kerr_prefix(err, "bind %s", m->source);
	/* a bind keeps the source's flags until they are set on the new mount */
	return mnt_setattr(*ret_mntfd, set, clr, false, m->destination, err);
}

static int mount_one(const struct mctx *c, const struct kmount *m, struct kerr *err)
{
	cleanup_close int targetfd = -1, mntfd = -1;

	if (prepare_target(c, m, &targetfd, err) < 0)
		return -1;
	/* the fd was inside the root when resolved; still is, just before use */
	if (inroot_check_beneath(c->rootfd, targetfd, err) < 0)
		return -1;
	if (mount_is_type(m, "cgroup") || mount_is_type(m, "cgroup2"))
		return mounts_cgroup(c, m, targetfd, err);
	if (mount_is_bind(m) ? mount_bind_entry(m, targetfd, &mntfd, err) < 0
			     : mount_fs(c, m, targetfd, &mntfd, err) < 0)
		return -1;
	/* rro: mount_setattr(AT_RECURSIVE) reaches the submounts of an rbind,
	 * which a plain "ro" remount leaves writable */
	if (m->recursive_ro &&
	    mnt_setattr(mntfd, MS_RDONLY, 0, true, m->destination, err) < 0)
		return -1;
	return mnt_propagation(mntfd, m->propagation, m->destination, err);
}

int mounts_prepare(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err)
{
	cleanup_close int rootfd = -1;
	struct mctx c = { .spec = spec, .o = o };

	if (set_root_propagation(spec, err) < 0 || bind_rootfs(spec, &rootfd, err) < 0)
		return -1;
	c.rootfd = rootfd;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct kmount *m = &spec->mounts[i];

		if (mount_one(&c, m, err) < 0)
			return kerr_prefix(err, "mounts[%zu] %s", i, m->destination);
	}
	if (mounts_devices(&c, err) < 0)
		return -1;
	return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one, so no
 * directory for it is needed inside the rootfs; it is then detached. */
static int do_pivot(const char *rootfs, struct kerr *err)
{
	cleanup_close int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	cleanup_close int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);

	if (oldroot < 0 || newroot < 0)
		return kerr_errno(err, "open %s", oldroot < 0 ? "/" : rootfs);
	if (fchdir(newroot) < 0)
		return kerr_errno(err, "chdir %s", rootfs);
	if (sys_pivot_root(".", ".") < 0)
		return kerr_errno(err, "pivot_root %s", rootfs);
	if (fchdir(oldroot) < 0)
		return kerr_errno(err, "chdir to the old root");
	/* the unmount below must not propagate to the host's mounts */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return kerr_errno(err, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return kerr_errno(err, "detach the old root");
	if (chdir("/") < 0)
		return kerr_errno(err, "chdir /");
	return 0;
}

/* --no-pivot (runc's msMoveRoot, for a rootfs on a ramfs/initramfs where
 * pivot_root is refused): weaker, the old root stays reachable through
 * open fds, so it is only done when asked. */
static int do_move_root(const char *rootfs, struct kerr *err)
{
	if (chdir(rootfs) < 0)
		return kerr_errno(err, "chdir %s", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return kerr_errno(err, "move %s onto /", rootfs);
	if (chroot(".") < 0)
		return kerr_errno(err, "chroot %s", rootfs);
	if (chdir("/") < 0)
		return kerr_errno(err, "chdir /");
	return 0;
}

int mounts_pivot(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err)
{
	if (o->no_pivot)
		return do_move_root(spec->root_path, err);
	return do_pivot(spec->root_path, err);
}

/* root.readonly and a read-only /dev: per-mount flags of those two mounts
 * only, as runc (the other mounts keep their own options). */
static int remount_ro(const char *path, struct kerr *err)
{
	cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	return mnt_setattr(fd, MS_RDONLY, 0, false, path, err);
}

int mounts_finalize(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err)
{
	cleanup_close int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const struct kmount *dev = mounts_find(spec, "/dev");

	if (rootfd < 0)
		return kerr_errno(err, "open /");
	if (mounts_readonly_paths(spec, rootfd, err) < 0 ||
	    mounts_masked_paths(spec, o, rootfd, err) < 0)
		return -1;
	if (dev != NULL && !mount_is_bind(dev) && (dev->flags & MS_RDONLY) &&
	    remount_ro("/dev", err) < 0)
		return -1;
	if (spec->root_readonly && remount_ro("/", err) < 0)
		return kerr_prefix(err, "root.readonly");
	return 0;
}
