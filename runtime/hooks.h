/* OCI hooks (config.json "hooks"), private to runtime/.
 *
 * Call-site rules for the runtime (runtime.md "Lifecycle"):
 *  - prestart, then createRuntime: parent side, ns_pid 0, after the container's
 *    namespaces exist and its mounts are prepared, before pivot_root (recipe
 *    step 5). A failure fails `create`: kill the init, clean up, run poststop.
 *  - createContainer: parent side, ns_pid = the container init's pid (as seen
 *    by the runtime), at the same sync point, after createRuntime. The hook is
 *    run in the init's namespaces; a failure fails `create` like above.
 *  - startContainer: run by the container's init itself after the exec.fifo
 *    opened and before execve, ns_pid 0 (it already is in the namespaces; the
 *    path resolves inside the container). A failure fails `start`: the init
 *    reports it and exits, the container goes to stopped.
 *  - poststart: parent side (`start`/`run`), ns_pid 0, after the user process
 *    was execve'd. runtime.md: a failure MUST generate an error and stop the
 *    container (kill it; `start` fails). Do not copy runc 1.1.5 here: it runs
 *    poststart already during `create` (measured; fixed in runc 1.2).
 *  - After a failed create/start the runtime goes on with the lifecycle's
 *    step 12 (delete), which runs poststop (runc 1.1.5 does, measured).
 *  - poststop: `delete` (and the end of foreground `run`), ns_pid 0, after the
 *    container was deleted. runtime.md: failures are only warnings; hooks_run
 *    runs ALL poststop hooks even when one fails (the later failures are
 *    logged as warnings) and returns the first failure for the caller to log.
 *  - Every other kind stops at the first failing hook (spec: "called in the
 *    listed order"; a failure aborts the operation).
 *  - state_json is the state of state.md as the hook should see it: status
 *    "creating" for prestart/createRuntime/createContainer, "created" for
 *    startContainer, "running" for poststart, "stopped" for poststop. Its pid
 *    is as seen by the runtime, except for createContainer/startContainer
 *    where it is the pid as seen in the container's pid namespace (runtime.md
 *    "State": "For hooks executed in the container namespace, it is the pid
 *    as seen by the container"; 1 when the container has its own pid ns).
 *  - The caller must not have SIGCHLD set to SIG_IGN (the hook is reaped with
 *    waitpid). SIGPIPE may have any disposition.
 *
 * What a hook sees (as runc 1.1.5 does, measured on these machines):
 *  - argv = "args" (args[0] is argv[0]); without "args", argv = { path }.
 *  - environment = exactly "env"; without "env", the runtime's environment.
 *  - stdin: the state JSON through a pipe (a hook that never reads it does
 *    not block the runtime). stdout and stderr: one pipe read by the runtime;
 *    the first line of that output ends the error message when the hook fails
 *    and all of it is logged at debug level (runc returns it in its error).
 *  - no fd of the runtime other than those three; default signal handling.
 *  - its own process group: on timeout the whole group gets SIGKILL.
 */
#ifndef KAPSEL_RUNTIME_HOOKS_H
#define KAPSEL_RUNTIME_HOOKS_H

#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

enum khook_kind {
	KHOOK_PRESTART,
	KHOOK_CREATE_RUNTIME,
	KHOOK_CREATE_CONTAINER,
	KHOOK_START_CONTAINER,
	KHOOK_POSTSTART,
	KHOOK_POSTSTOP,
	KHOOK_COUNT
};

/* "prestart", "createRuntime", ... as in config.json. */
const char *khook_name(enum khook_kind kind);

/* Checks the structure of config.json's "hooks" (NULL is fine): each known
 * kind an array of objects with an absolute "path", optional "args"/"env"
 * string arrays and an optional integer "timeout" > 0. Errors name the field
 * ("hooks.createRuntime[1].path: must be an absolute path"). */
int hooks_validate(json_t *hooks, struct kerr *err);

/* Runs every hook of that kind in order (see above), with state_json on stdin
 * (NULL: empty stdin). ns_pid > 0: each hook runs in the namespaces of that
 * process (user, cgroup, ipc, uts, net, pid, mnt, time; those it shares with
 * the runtime are left alone). ns_pid 0: in the caller's namespaces.
 * hooks NULL or no hook of that kind: returns 0.
 * Errors: "hook createRuntime[1] /usr/bin/x: exited with status 3: <first
 * line of its output>", "...: killed by signal 9", "...: timed out after 5 s",
 * "...: exec: No such file or directory". Indexes count from 0 as in the
 * config's array. */
int hooks_run(json_t *hooks, enum khook_kind kind, const char *state_json, pid_t ns_pid,
	      struct kerr *err);

#endif
