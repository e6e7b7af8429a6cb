/* Namespaces: creating them (clone), joining them (setns), and the uid/gid
 * maps of a new user namespace. The only door into namespaces/. */
#ifndef KAPSEL_NAMESPACES_H
#define KAPSEL_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "spec/spec.h"

/* CLONE_NEW* flags of the namespaces spec asks to create (not joined ones). */
unsigned long ns_new_flags(const struct kspec *spec);
/* Whether spec joins any namespace by path. */
bool ns_has_joins(const struct kspec *spec);

/* Opens every namespace path first, then joins them: the user namespace first
 * (so the rest are joined with its credentials), the mount namespace last. */
int ns_join_paths(const struct kspec *spec, struct kerr *err);

/* Forks a child in new namespaces `flags`, straight into the cgroup of
 * cgroup_fd when >= 0 and the kernel can (then *ret_in_cgroup is set: moving
 * it again costs a slow cgroup migration). Returns the pid in the parent, 0
 * in the child. */
pid_t ns_clone(unsigned long flags, int cgroup_fd, bool *ret_in_cgroup, struct kerr *err);

/* Writes /proc/PID/{uid_map,setgroups,gid_map} for a new user namespace.
 * Multi-range maps of a rootless caller go through newuidmap/newgidmap. */
int ns_write_id_maps(pid_t pid, const struct kspec *spec, bool rootless, struct kerr *err);

/* Joins every namespace of process pid listed in `flags` in one step
 * (setns on a pidfd, kernel >= 5.8), falling back to /proc/PID/ns/ files. */
int ns_join_pid(int pidfd, pid_t pid, unsigned long flags, struct kerr *err);

/* CLONE_NEW* flags of the namespaces pid lives in that differ from ours. */
unsigned long ns_differing(pid_t pid);

#endif
