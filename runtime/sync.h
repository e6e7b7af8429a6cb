/* Messages between the runtime and the container's init over a
 * SOCK_SEQPACKET socketpair: the named sync points of the start-up recipe.
 * The child's errors travel back as a struct kerr, so the user sees them. */
#ifndef KAPSEL_RUNTIME_SYNC_H
#define KAPSEL_RUNTIME_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum ksync_type {
	SYNC_GO = 1,          /* parent -> child: maps written, cgroup joined */
	SYNC_CHILD_PID,       /* intermediate -> parent: value = init's pid */
	SYNC_PRE_PIVOT,       /* child -> parent: mounts done; run createRuntime/createContainer hooks */
	SYNC_PRE_PIVOT_DONE,  /* parent -> child */
	SYNC_SECCOMP_FD,      /* child -> parent: the notify fd is attached */
	SYNC_SECCOMP_DONE,    /* parent -> child */
	SYNC_READY,           /* child -> parent: waiting on the exec fifo */
	SYNC_ERROR,           /* either way: err is set */
};

struct ksync_msg {
	uint32_t type;
	int32_t value;
	struct kerr err;
};

/* fd >= 0 is passed along with SCM_RIGHTS. */
int sync_send(int sock, uint32_t type, int32_t value, int fd, struct kerr *err);
int sync_send_error(int sock, const struct kerr *child_err);
/* Receives one message; a SYNC_ERROR is turned into a failure carrying the
 * child's error. *ret_fd gets an attached fd (or -1) when ret_fd != NULL. */
int sync_recv(int sock, struct ksync_msg *ret, int *ret_fd, struct kerr *err);
/* sync_recv that fails unless the message is of type `want`. */
int sync_expect(int sock, uint32_t want, struct ksync_msg *ret, int *ret_fd, struct kerr *err);

#endif
