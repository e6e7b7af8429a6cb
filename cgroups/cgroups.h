/* The cgroup v2 manager: the only door into cgroups/.
 *
 * Every container gets its own cgroup2 directory (linux.cgroupsPath, or
 * /kapsel/<id> by default) where a cgroup2 hierarchy is mounted, and
 * linux.resources is applied there. Where the hierarchy has no usable
 * controllers (a hybrid host, a rootless user without delegation) the
 * container is still tracked, and a config asking for limits is refused
 * before anything is created: never half-applied.
 *
 * Paths (relative to the cgroup2 mount): an absolute cgroupsPath as is; a
 * relative one below the parent of the caller's own cgroup (runc's rule); the
 * systemd form "slice:prefix:name" mapped to /<nested slices>/<prefix>-<name>.scope
 * and managed on the filesystem (no systemd driver). "." and ".." refused.
 * A container with a memory limit gets memory.oom.group=1 (killed as a whole
 * on OOM, as kubelet does on cgroup v2). disableOOMKiller, swappiness and
 * kernel memory are ignored with a warning (cgroup v2 has none); realtime
 * cpu limits are refused. */
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
 * failure nothing is left behind. Returns 0 with *ret == NULL when no cgroup2
 * hierarchy is mounted at all and no resources are asked for. */
int cgroup_create(const char *id, const char *cgroups_path, json_t *resources, bool rootless,
		  struct kcgroup **ret, struct kerr *err);
/* Reopens a container's cgroup from the path state.json recorded. */
int cgroup_open(const char *path, struct kcgroup **ret, struct kerr *err);
/* The path relative to the cgroup2 mount ("/kapsel/ID"), to record in state.json. */
const char *cgroup_path(const struct kcgroup *cg);
/* An O_DIRECTORY fd of the cgroup, for CLONE_INTO_CGROUP (owned by cg). */
int cgroup_dirfd(const struct kcgroup *cg);
/* Moves pid into the cgroup. */
int cgroup_enter(struct kcgroup *cg, pid_t pid, struct kerr *err);
/* Moves pid into sub, an existing cgroup below cg (`exec --cgroup`); ".."
 * or a path leading out of cg is refused. */
int cgroup_enter_sub(struct kcgroup *cg, const char *sub, pid_t pid, struct kerr *err);
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
/* memory.events oom_kill: processes the OOM killer killed in the cgroup; -1 if unknown. */
int64_t cgroup_oom_kills(struct kcgroup *cg);
/* Kills what is left, waits for the cgroup to empty, removes it. */
int cgroup_destroy(struct kcgroup *cg, struct kerr *err);
void cgroup_free(struct kcgroup *cg);

#endif
