/* Internal to runtime/: the directory CRIU restores a container's root into. */
#ifndef KAPSEL_RUNTIME_RESTORE_ROOT_H
#define KAPSEL_RUNTIME_RESTORE_ROOT_H

#include "common/error.h"
#include "spec/spec.h"

/* Creates missing mount points in the rootfs and binds it to
 * STATE_DIR/criu-root; *ret_path is that directory. */
int restore_root_prepare(int state_dirfd, const char *state_dir, const struct kspec *spec,
			 char **ret_path, struct kerr *err);
/* Unmounts and removes it (path may be NULL: nothing to do). */
void restore_root_release(int state_dirfd, const char *path);

#endif
