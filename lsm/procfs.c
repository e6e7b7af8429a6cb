/* A /proc we can trust. Writes to /proc/sys and /proc/thread-self/attr change
 * security state, so a container image or a hostile volume that stages a fake
 * /proc (a tmpfs, a bind mount of another procfs file, symlinks) must not be
 * able to redirect them: runc's CVE-2019-16884 (AppArmor label written to a
 * fake file) and CVE-2025-52881 (sysctl/attr writes redirected to another
 * procfs file through a mount or symlink). Every open here starts from an fd
 * checked to be the root of a real procfs and never follows a symlink or
 * crosses a mount. */
#include "lsm/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "common/syscalls.h"
#include "common/util.h"

/* The root directory of every procfs instance has inode 1 (PROC_ROOT_INO):
 * a bind mount of some /proc subdirectory over /proc is not a procfs root. */
#define KAPSEL_PROC_ROOT_INO 1

static int check_procfs(int fd, const char *what, struct kerr *err)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return kerr_errno(err, "fstatfs %s", what);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return kerr_set(err, EXDEV, "%s is not on a procfs (f_type 0x%lx)", what,
				(unsigned long)sfs.f_type);
	return 0;
}

int lsm_procfs_open(const char *path, struct kerr *err)
{
	cleanup_close int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	if (check_procfs(fd, path, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "fstat %s", path);
	if (st.st_ino != KAPSEL_PROC_ROOT_INO)
		return kerr_set(err, EXDEV, "%s is not the root of a procfs", path);
	return move_fd(&fd);
}

int lsm_procfs_open_at(int procfd, const char *rel, int flags, struct kerr *err)
{
	const uint64_t resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |
				 RESOLVE_NO_XDEV;
	cleanup_close int fd = sys_openat2(procfd, rel, (uint64_t)flags | O_CLOEXEC, 0, resolve);

	if (fd < 0)
		return kerr_errno(err, "open %s (procfs)", rel);
	if (check_procfs(fd, rel, err) < 0)
		return -1;
	return move_fd(&fd);
}

int lsm_procfs_write_attr(const char *rel, const char *buf, size_t len, struct kerr *err)
{
	cleanup_close int procfd = lsm_procfs_open("/proc", err);
	cleanup_close int selffd = -1;
	cleanup_close int fd = -1;
	cleanup_free char *path = xasprintf("attr/%s", rel);

	if (procfd < 0)
		return -1;
	/* thread-self is procfs's own (non-magic) symlink to <pid>/task/<tid>:
	 * the one step where a symlink is allowed, still beneath this procfs. */
	selffd = sys_openat2(procfd, "thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (selffd < 0)
		return kerr_errno(err, "open /proc/thread-self");
	fd = lsm_procfs_open_at(selffd, path, O_WRONLY, err);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, len) < 0)
		return kerr_errno(err, "write /proc/thread-self/%s", path);
	return 0;
}
