/* The container's init before it execs the user's process: the child side of
 * the start-up recipe (the parent side is runtime/create.c). */
#ifndef KAPSEL_RUNTIME_INIT_H
#define KAPSEL_RUNTIME_INIT_H

#include <stdbool.h>

#include "spec/spec.h"

struct kinit_args {
	const struct kspec *spec;
	const char *id;
	int sync_fd;          /* our end of the socketpair */
	int state_dirfd;      /* the parent's flocked state dir: closed first thing */
	int fifo_fd;          /* O_PATH fd of ROOT/ID/exec.fifo */
	int console_fd;       /* connected --console-socket, or -1 */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;  /* keep the caller's session keyring */
	bool rootless;
	bool new_userns;
	bool new_cgroupns;
	bool new_netns;
	bool via_intermediate;   /* forked by an intermediate that joined namespaces */
	bool hooks_pre_pivot; /* parent runs prestart/createRuntime/createContainer hooks */
};

/* Never returns: execs the process, or reports an error to the parent and exits. */
_Noreturn void init_main(const struct kinit_args *a);

#endif
