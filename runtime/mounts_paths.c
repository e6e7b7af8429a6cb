/* linux.maskedPaths and linux.readonlyPaths, applied after the pivot, so "/"
 * is the container's root; paths are still resolved with RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS: a maskedPaths entry through /proc/self/root or
 * /proc/1/cwd would otherwise reach wherever that process is. A path that
 * does not exist is skipped (runc does the same: the defaults list files
 * that only some kernels have). */
#include "runtime/mounts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/inroot.h"
#include "common/util.h"

/* 1 and the fd when path exists, 0 when it does not, -1 on error. */
static int open_existing(int rootfd, const char *path, int *ret_fd, struct kerr *err)
{
	int fd = inroot_open(rootfd, path, O_PATH, err);

	if (fd >= 0) {
		*ret_fd = fd;
		return 1;
	}
	if (err->code == ENOENT) {
		kerr_clear(err);
		return 0;
	}
	return -1;
}

/* CVE-2025-31133: a container whose /dev/null is a symlink (or a bind) to a
 * procfs file such as /proc/sys/kernel/core_pattern made runc "mask" with a
 * writable host knob. The node is opened without following a symlink and
 * must be the real character device 1:3; the masks are bound from this fd. */
static int open_dev_null(int rootfd, int *ret_fd, struct kerr *err)
{
	cleanup_close int fd = inroot_open(rootfd, "/dev/null", O_PATH | O_NOFOLLOW, err);
	struct stat st;

	if (fd < 0)
		return kerr_prefix(err, "maskedPaths");
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "maskedPaths: stat /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return kerr_set(err, EPERM,
				"maskedPaths: /dev/null in the container is not the null "
				"device (char 1:3): refusing to mask with it");
	*ret_fd = move_fd(&fd);
	return 0;
}

/* A directory is hidden under an empty read-only tmpfs. */
static int mask_dir(int fd, const char *path, const char *label, struct kerr *err)
{
	char p[FD_PATH_MAX];

	if (mount("tmpfs", fd_path(fd, p), "tmpfs", MS_RDONLY, label) < 0)
		return kerr_errno(err, "maskedPaths: mount a tmpfs on %s", path);
	return 0;
}

static int mask_one(int rootfd, const char *path, int *nullfd, const char *label,
		    struct kerr *err)
{
	cleanup_close int fd = -1, mntfd = -1;
	struct stat st;
	int r = open_existing(rootfd, path, &fd, err);

	if (r <= 0)
		return r < 0 ? kerr_prefix(err, "maskedPaths") : 0;
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "maskedPaths: stat %s", path);
	if (S_ISDIR(st.st_mode))
		return mask_dir(fd, path, label, err);
	if (*nullfd < 0 && open_dev_null(rootfd, nullfd, err) < 0)
		return -1;
	if (mnt_bind(*nullfd, "", fd, false, &mntfd, err) < 0)
		return kerr_prefix(err, "maskedPaths: mask %s", path);
	return 0;
}

int mounts_masked_paths(const struct kspec *spec, const struct kmount_opts *o, int rootfd,
			struct kerr *err)
{
	cleanup_close int nullfd = -1;

	for (size_t i = 0; spec->masked_paths != NULL && spec->masked_paths[i] != NULL; i++)
		if (mask_one(rootfd, spec->masked_paths[i], &nullfd, o->mount_label_data,
			     err) < 0)
			return -1;
	return 0;
}

/* Bound onto itself and made read-only with its submounts (runc remounts
 * only the top one, leaving e.g. a mount below /proc/sys writable). */
static int readonly_one(int rootfd, const char *path, struct kerr *err)
{
	cleanup_close int fd = -1, mntfd = -1;
	int r = open_existing(rootfd, path, &fd, err);

	if (r <= 0)
		return r < 0 ? kerr_prefix(err, "readonlyPaths") : 0;
	if (mnt_bind(fd, "", fd, true, &mntfd, err) < 0 ||
	    mnt_setattr(mntfd, MS_RDONLY, 0, true, path, err) < 0)
		return kerr_prefix(err, "readonlyPaths: %s", path);
	return 0;
}

int mounts_readonly_paths(const struct kspec *spec, int rootfd, struct kerr *err)
{
	for (size_t i = 0; spec->readonly_paths != NULL && spec->readonly_paths[i] != NULL; i++)
		if (readonly_one(rootfd, spec->readonly_paths[i], err) < 0)
			return -1;
	return 0;
}
