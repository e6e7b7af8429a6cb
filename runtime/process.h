/* Setting up the user's process once it is inside its root and namespaces:
 * the part the container's init and `exec` share. */
#ifndef KAPSEL_RUNTIME_PROCESS_H
#define KAPSEL_RUNTIME_PROCESS_H

#include <stdbool.h>

#include "common/error.h"
#include "spec/spec.h"

struct kproc_ctx {
	const struct kspec *spec;
	const struct kprocess *proc;
	int sync_fd;          /* to the runtime, for the seccomp notify fd */
	int console_fd;       /* where the pty master goes, or -1 */
	int preserve_fds;
	bool rootless;
	bool create_cwd;      /* mkdir -p process.cwd if missing (the init, as runc) */
	const char *session_keyring;  /* join this one (runtime/keyring.h), or NULL */
	bool keyring_searchable;      /* the init: make it joinable for exec */
	bool userns;                  /* the container has its own user namespace */
};

/* Terminal (or setsid), cwd, executable lookup, LSM labels, capabilities,
 * user, seccomp, and close-on-exec for every fd past the preserved ones. On
 * success *ret_exe and *ret_env are ready for execve. */
int process_prepare(const struct kproc_ctx *a, char **ret_exe, char ***ret_env,
		    struct kerr *err);

#endif
