/* The container's filesystem, set up by its init process inside its new
 * mount namespace (and maybe a new user namespace where it is uid 0).
 * Private to runtime/: called by runtime/init.c in this order:
 *
 *   mounts_prepare   before the createRuntime/createContainer hooks
 *   mounts_pivot     then into the rootfs
 *   mounts_finalize  maskedPaths, readonlyPaths, read-only /dev and root
 *
 * Every destination is resolved inside the rootfs (common/inroot.h) and
 * mounted onto the verified fd, never by path. */
#ifndef KAPSEL_RUNTIME_MOUNTS_H
#define KAPSEL_RUNTIME_MOUNTS_H

#include <stdbool.h>

#include "common/error.h"
#include "spec/spec.h"

struct kmount_opts {
	bool no_pivot;      /* MS_MOVE + chroot instead of pivot_root (runc --no-pivot) */
	bool userns;        /* in a new user ns: no mknod, bind devices from the host */
	bool rootless;      /* not root on the host (not used yet: userns covers it) */
	const char *mount_label_data;   /* "context=..." for tmpfs/devpts/mqueue; may be NULL */
};

/* Propagation of "/", the rootfs bind, spec->mounts in order, /dev. The
 * current directory is unchanged. */
int mounts_prepare(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err);
/* Into the rootfs: afterwards "/" is the container's root and cwd is "/". */
int mounts_pivot(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err);
/* After the pivot: readonlyPaths, maskedPaths, a read-only /dev, root.readonly. */
int mounts_finalize(const struct kspec *spec, const struct kmount_opts *o, struct kerr *err);

#endif
