/* Path resolution inside a container root: every path taken from config.json
 * (mount destinations, devices, maskedPaths, readonlyPaths, cwd...) names a
 * file INSIDE the rootfs, and the rootfs belongs to the image author or to
 * processes of other containers sharing a volume, so any component may be a
 * symlink planted to point outside ("/etc", "../../..", "/proc/self/root").
 *
 * The rules, and what they prevent:
 * - Resolution is done by the kernel with openat2(RESOLVE_IN_ROOT |
 *   RESOLVE_NO_MAGICLINKS) from an fd of the root: an absolute symlink or a
 *   ".." chain is clamped at the root, as if the process were chrooted there;
 *   /proc/PID/{root,cwd,exe,fd/N} magic links are refused (ELOOP). Where
 *   openat2 is missing (< 5.6) the same walk is done in user space, one
 *   component at a time with O_NOFOLLOW, reading each symlink and resolving
 *   its target against the root ourselves.
 * - Missing components are created one at a time (mkdirat / openat
 *   O_CREAT|O_EXCL|O_NOFOLLOW) relative to an fd of the already-verified
 *   parent, never by a path string the kernel re-walks.
 * - The caller gets an fd (normally O_PATH) and operates ON THE FD (mount
 *   onto it with move_mount or /proc/self/fd/N, fstat it): swapping a
 *   component for a symlink after the check changes nothing, because nothing
 *   looks the path up again. This closes CVE-2021-30465 (runc: a symlink
 *   exchanged into a mount destination between check and mount(2) made the
 *   mount land on the host) and the CVE-2025-31133 / CVE-2025-52565 class
 *   (runc: /dev/null or /dev/console in the container replaced by a symlink
 *   to a /proc file, so masking or the console bind-mounted a writable host
 *   procfs file). CVE-2024-21626 (a leaked host fd used as cwd,
 *   /proc/self/fd/N escaping the root) is prevented by the refusal of magic
 *   links and by resolving from the root fd, not from the cwd.
 * - inroot_check_beneath re-verifies through /proc/self/fd that an fd still
 *   lies under the root just before a mount, narrowing the remaining window
 *   (a directory renamed out of the root by a process sharing a volume).
 */
#ifndef KAPSEL_COMMON_INROOT_H
#define KAPSEL_COMMON_INROOT_H

#include <sys/types.h>

#include "common/error.h"

/* Opens path (absolute or relative, both taken as relative to rootfd) inside
 * the root. flags are open(2) flags (O_CLOEXEC is added); pass O_NOFOLLOW to
 * refuse a symlink as the last component. Returns the fd or -1 (err->code
 * ENOENT when something is missing, ELOOP for a magic link). */
int inroot_open(int rootfd, const char *path, int flags, struct kerr *err);

/* mkdir -p inside the root: missing directories are created with mode, a
 * dangling symlink in the way is resolved inside the root and its target
 * created there. *ret_fd (may be NULL) gets an O_PATH|O_DIRECTORY fd. */
int inroot_mkdir_p(int rootfd, const char *path, mode_t mode, int *ret_fd, struct kerr *err);

/* Like inroot_mkdir_p (mode 0755) for the parent, then an empty regular file (mode) for
 * the last component unless something already exists there (which is kept,
 * whatever its type: a bind mount target may be a file or a device node).
 * *ret_fd (may be NULL) gets an O_PATH fd of the file. */
int inroot_create_file(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct kerr *err);

/* 0 when fd is rootfd or lies below it now (checked through /proc/self/fd;
 * when /proc is not mounted the check is skipped and 0 returned). -1 with
 * err->code EXDEV when it has moved outside. */
int inroot_check_beneath(int rootfd, int fd, struct kerr *err);

#endif
