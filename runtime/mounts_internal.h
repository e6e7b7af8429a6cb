/* Shared between runtime/mounts*.c only. */
#ifndef KAPSEL_RUNTIME_MOUNTS_INTERNAL_H
#define KAPSEL_RUNTIME_MOUNTS_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"
#include "runtime/mounts.h"
#include "spec/spec.h"

/* What one mounts_prepare call works with. */
struct mctx {
	const struct kspec *spec;
	const struct kmount_opts *o;
	int rootfd;          /* O_PATH of the rootfs bind mount */
};

/* Clones the mount tree at srcfd/srcpath (srcpath "" for the fd itself) and
 * attaches it onto targetfd (open_tree + move_mount: nothing is looked up by
 * path at the target). *ret_mntfd gets an fd of the new mount's root. */
int mnt_bind(int srcfd, const char *srcpath, int targetfd, bool recursive, int *ret_mntfd,
	     struct kerr *err);
/* Sets the MS_RDONLY/NOSUID/NODEV/NOEXEC/atime flags in set_ms and clears
 * those in clr_ms on the mount of mntfd (and its submounts with recursive).
 * Flags set already, possibly locked by the kernel in a user namespace, stay
 * set: a clear the kernel refuses (EPERM) is dropped with a warning, as runc
 * keeps locked flags. */
int mnt_setattr(int mntfd, unsigned long set_ms, unsigned long clr_ms, bool recursive,
		const char *what, struct kerr *err);
/* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [|MS_REC] on the mount of mntfd. */
int mnt_propagation(int mntfd, unsigned long prop, const char *what, struct kerr *err);

/* The last spec mount whose destination is dest ("/dev", trailing slashes ignored). */
const struct kmount *mounts_find(const struct kspec *spec, const char *dest);
bool mount_is_bind(const struct kmount *m);

/* mounts_dev.c: default devices, linux.devices, the /dev symlinks. */
int mounts_devices(const struct mctx *c, struct kerr *err);
/* mounts_cgroup.c: a "cgroup" mount entry onto targetfd; the cgroup2 view alone. */
int mounts_cgroup(const struct mctx *c, const struct kmount *m, int targetfd, struct kerr *err);
int mounts_cgroup2_at(const struct mctx *c, const struct kmount *m, int targetfd,
		      struct kerr *err);
/* mounts_cgroup1.c: the v1 layout; 1 done, 0 not for this host (no v1
 * hierarchies, or in a user namespace), -1 error. */
int mounts_cgroup_v1(const struct mctx *c, const struct kmount *m, int targetfd, struct kerr *err);
/* mounts_paths.c: after the pivot. */
int mounts_readonly_paths(const struct kspec *spec, int rootfd, struct kerr *err);
int mounts_masked_paths(const struct kspec *spec, const struct kmount_opts *o, int rootfd,
			struct kerr *err);

#endif
