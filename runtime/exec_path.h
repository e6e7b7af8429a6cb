/* Finding the process's executable and building its environment, inside the
 * container's root (after pivot_root), as runc does. */
#ifndef KAPSEL_RUNTIME_EXEC_PATH_H
#define KAPSEL_RUNTIME_EXEC_PATH_H

#include "common/error.h"
#include "spec/spec.h"

/* process.env plus HOME from the container's /etc/passwd when it is unset.
 * The returned vector is owned by the caller (it is handed to execve). */
char **exec_env(const struct kprocess *p);
/* name with a '/' is used as is; otherwise searched in env's PATH. Fails like
 * runc: `exec: "foo": executable file not found in $PATH`. */
int exec_find(const char *name, char *const *env, char **ret, struct kerr *err);

#endif
