/* The cgroup manager: the only door into cgroups/.
 *
 * The layout is read at run time (layout.c): pure cgroup v2, hybrid (v1
 * controllers plus a cgroup2 at /sys/fs/cgroup/unified) or pure v1. Every
 * container gets its directory (linux.cgroupsPath, or /kapsel/<id> by
 * default) in the cgroup2 hierarchy where one is mounted (it tracks the
 * processes and carries the eBPF device filter even without controllers)
 * and in every v1 hierarchy. Each limit goes where its controller is: to
 * cgroup2 when the cgroup2 root lists it (v1-style values converted as runc
 * and crun do), else to the v1 hierarchy that has it, with runc's v1 meaning
 * (cgroups/v1_resources.c). A limit nothing can apply, or a cgroup2-only
 * setting (linux.resources.unified) whose controller is on v1, is refused
 * before anything is created: never half-applied. Pause and resume use v1's
 * freezer where it is mounted, cgroup.freeze otherwise.
 *
 * Paths (relative to each mount): an absolute cgroupsPath as is; a
 * relative one below the parent of the caller's own cgroup2 cgroup (runc's rule); the
 * systemd form "slice:prefix:name" mapped to /<nested slices>/<prefix>-<name>.scope
 * and managed on the filesystem (cgroupfs driver). "." and ".." refused.
 * On cgroup2 a container with a memory limit gets memory.oom.group=1 (killed
 * as a whole on OOM, as kubelet does); disableOOMKiller, swappiness and
 * kernel memory are ignored there with a warning, realtime cpu limits
 * refused. Rootless: cgroup2 only where the user has a delegated subtree; no
 * v1 directories (as runc).
 *
 * The systemd driver (--systemd-cgroup, *_systemd below; cgroup2 only) asks
 * systemd for a transient scope "prefix-name.scope" in "slice" (from
 * "slice:prefix:name") with the init in it and Delegate=yes, mirrors the
 * limits systemd knows as unit properties, writes every limit to the scope's
 * files too, and stops the unit on destroy; rootless, the caller's own
 * `systemd --user`. libsystemd is loaded only then. */
#ifndef KAPSEL_CGROUPS_H
#define KAPSEL_CGROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

struct kcgroup;

/* Checks linux.resources (may be NULL) for types and ranges; touches nothing. */
int cgroups_validate(json_t *resources, struct kerr *err);

/* Creates the container's cgroup and applies resources (may be NULL). On
 * failure nothing is left behind. Returns 0 with *ret == NULL when no cgroup
 * hierarchy is mounted at all (or a rootless caller can make none) and no
 * resources are asked for. */
int cgroup_create(const char *id, const char *cgroups_path, json_t *resources, bool rootless,
		  struct kcgroup **ret, struct kerr *err);
/* The same through systemd: checks everything and connects to systemd now;
 * the scope is started by the first cgroup_enter (systemd needs a pid), after
 * which cgroup_path is the scope's cgroup and cgroup_dirfd is valid (-1 before). */
int cgroup_create_systemd(const char *id, const char *cgroups_path, json_t *resources,
			  bool rootless, struct kcgroup **ret, struct kerr *err);
/* The path cgroup_create would use (NULL when no cgroup hierarchy is
 * mounted), to record before the cgroup exists: a runtime killed halfway
 * through cgroup_create leaves a cgroup that delete can find. */
int cgroup_plan_path(const char *id, const char *cgroups_path, bool rootless, char **ret,
		     struct kerr *err);
/* Reopens a container's cgroup from the path state.json recorded. */
int cgroup_open(const char *path, struct kcgroup **ret, struct kerr *err);
/* The same for a container made with cgroup_create_systemd: update and
 * destroy then go through its unit (which may be gone already). Fails when
 * systemd cannot be reached (cgroup_open still reaches the files). */
int cgroup_open_systemd(const char *path, struct kcgroup **ret, struct kerr *err);
/* The path relative to each mount ("/kapsel/ID"), to record in state.json. */
const char *cgroup_path(const struct kcgroup *cg);
/* The cgroup2 mount it lives under ("/sys/fs/cgroup"), NULL on pure v1;
 * mount + path is its cgroup2 directory (CRIU's --freeze-cgroup). */
const char *cgroup_mount(const struct kcgroup *cg);
/* An O_DIRECTORY fd of the cgroup2 dir, for CLONE_INTO_CGROUP (owned by cg);
 * -1 when the cgroup has v1 directories too (cgroup_enter then). */
int cgroup_dirfd(const struct kcgroup *cg);
/* Moves pid into the cgroup (every hierarchy). */
int cgroup_enter(struct kcgroup *cg, pid_t pid, struct kerr *err);
/* Sends sig to every process in the cgroup (cgroup.kill for SIGKILL where present). */
int cgroup_kill_all(struct kcgroup *cg, int sig, struct kerr *err);
/* Pids in the cgroup and below. */
int cgroup_pids(struct kcgroup *cg, pid_t **ret, size_t *ret_n, struct kerr *err);
/* Freeze (true) or thaw; waits until the kernel reports the new state. */
int cgroup_freeze(struct kcgroup *cg, bool frozen, struct kerr *err);
/* 1 frozen, 0 not, -1 error. */
int cgroup_is_frozen(struct kcgroup *cg);
/* Applies a new linux.resources object (the `update` command). */
int cgroup_update(struct kcgroup *cg, json_t *resources, struct kerr *err);
/* Stats for `events --stats`, in runc's layout: {"cpu":..,"memory":..,"pids":..,
 * "blkio":..,"hugetlb":..}. A "limit" of -1 means unlimited (runc prints 2^64-1). */
int cgroup_stats(struct kcgroup *cg, json_t **ret, struct kerr *err);
/* Processes the OOM killer killed in the cgroup (cgroup2 memory.events or
 * v1 memory.oom_control oom_kill); -1 if unknown. */
int64_t cgroup_oom_kills(struct kcgroup *cg);
/* An fd readable (8 bytes) at each OOM event of the cgroup, to poll; -1 when
 * there is none (cgroup2: count cgroup_oom_kills instead). */
int cgroup_oom_fd(struct kcgroup *cg);
/* Kills what is left, waits for the cgroup to empty, removes it. */
int cgroup_destroy(struct kcgroup *cg, struct kerr *err);
void cgroup_free(struct kcgroup *cg);

#endif
