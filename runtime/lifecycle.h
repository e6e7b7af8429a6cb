/* Internal to runtime/: a container while the runtime still holds it in
 * memory (create, and run which keeps it as a child). */
#ifndef KAPSEL_RUNTIME_LIFECYCLE_H
#define KAPSEL_RUNTIME_LIFECYCLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "netsetup/netsetup.h"
#include "runtime/runtime.h"
#include "spec/spec.h"
#include "runtime/state.h"

struct kcreated {
	struct kcontainer *c;
	struct kspec *spec;
	struct kcgroup *cg;
	pid_t pid;
	int pidfd;
	struct knet_config *net;   /* kapsel wires the network, or NULL */
};

/* The whole create: on failure nothing is left (state, cgroup, process).
 * console_fd >= 0: the pty master goes there instead of --console-socket
 * (run -t relays it itself). */
int lifecycle_create(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		     int console_fd, struct kcreated *ret, struct kerr *err);
void lifecycle_release(struct kcreated *k);

/* Releases a created container's process (reads the exec fifo), then runs
 * the poststart hooks. c must be locked. */
int lifecycle_start(struct kcontainer *c, struct kspec *spec, struct kerr *err);

/* Kills what is left (force), removes the cgroup, runs poststop hooks and
 * removes the state. Frees c. */
int lifecycle_destroy(struct kcontainer *c, struct kspec *spec, struct kerr *err);

/* The state JSON handed to hooks, as a string. */
char *lifecycle_state_string(struct kcontainer *c);

/* The current time in RFC 3339 (UTC, nanoseconds), for state's "created". */
char *lifecycle_now(void);

/* Writes path with the pid, atomically, as runc does. */
int write_pid_file(const char *path, pid_t pid, struct kerr *err);

/* Waits up to timeout_ms for the process behind pidfd to exit. 0: exited. */
int wait_pidfd_exit(int pidfd, int timeout_ms);

#endif
