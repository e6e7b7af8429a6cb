#include "namespaces/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/util.h"

/* The order namespaces are joined in: user first, mount last (after setns
 * into a mount ns, paths of the others may no longer be reachable, and
 * that is why they are all opened up front). */
static const enum kns_type join_order[] = { KNS_USER, KNS_IPC, KNS_UTS, KNS_NET, KNS_PID,
					    KNS_CGROUP, KNS_TIME, KNS_MNT };

unsigned long ns_new_flags(const struct kspec *spec)
{
	unsigned long flags = 0;

	for (int t = 0; t < KNS_COUNT; t++) {
		if (spec->ns[t].wanted && spec->ns[t].path == NULL)
			flags |= (unsigned long)kns_clone_flag((enum kns_type)t);
	}
	return flags;
}

bool ns_has_joins(const struct kspec *spec)
{
	for (int t = 0; t < KNS_COUNT; t++) {
		if (spec->ns[t].wanted && spec->ns[t].path != NULL)
			return true;
	}
	return false;
}

int ns_join_paths(const struct kspec *spec, struct kerr *err)
{
	int fds[KNS_COUNT];
	int ret = 0;

	for (int t = 0; t < KNS_COUNT; t++)
		fds[t] = -1;
	for (int t = 0; t < KNS_COUNT; t++) {
		if (!spec->ns[t].wanted || spec->ns[t].path == NULL)
			continue;
		fds[t] = open(spec->ns[t].path, O_RDONLY | O_CLOEXEC);
		if (fds[t] < 0) {
			ret = kerr_errno(err, "open %s namespace %s", kns_name((enum kns_type)t),
					 spec->ns[t].path);
			goto out;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
		enum kns_type t = join_order[i];

		if (fds[t] < 0)
			continue;
		if (setns(fds[t], kns_clone_flag(t)) < 0) {
			ret = kerr_errno(err, "join %s namespace %s", kns_name(t), spec->ns[t].path);
			goto out;
		}
	}
out:
	for (int t = 0; t < KNS_COUNT; t++) {
		if (fds[t] >= 0)
			close(fds[t]);
	}
	return ret;
}

pid_t ns_clone(unsigned long flags, int cgroup_fd, bool *ret_in_cgroup, struct kerr *err)
{
	pid_t pid = sys_clone_fork(flags, cgroup_fd);

	*ret_in_cgroup = cgroup_fd >= 0 && pid >= 0;
	if (pid < 0 && cgroup_fd >= 0)
		pid = sys_clone_fork(flags, -1);
	if (pid < 0)
		return kerr_errno(err, "clone new namespaces (flags 0x%lx)", flags);
	return pid;
}

static int write_map_direct(pid_t pid, const char *file, const struct kidmap *m, size_t n,
			    struct kerr *err)
{
	char path[64];
	char buf[4096];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", m[i].container_id,
				 m[i].host_id, m[i].size);

		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			return kerr_set(err, E2BIG, "%s: too many mappings", file);
		len += (size_t)w;
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (write_file_at(AT_FDCWD, path, buf, len, err) < 0)
		return kerr_prefix(err, "write %s mappings", file);
	return 0;
}

/* The helper's complaint ("newuidmap: uid range [1-65537) -> ... not
 * allowed"), first line only, so that our error stays one line. */
static char *helper_reason(int fd)
{
	char buf[512];
	ssize_t n = read_all(fd, buf, sizeof(buf) - 1);
	char *nl, *msg = buf;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if ((nl = strstr(buf, "map: ")) != NULL && nl - buf < 16)
		msg = nl + 5;  /* drop the "newuidmap: " prefix */
	return *msg != '\0' ? xstrdup(msg) : NULL;
}

static int wait_helper(pid_t child, int errfd, const char *helper, const char *subfile,
		       struct kerr *err)
{
	cleanup_free char *why = helper_reason(errfd);
	int status;

	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "wait for %s", helper);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return kerr_set(err, ENOENT, "%s not found: install the Debian package uidmap",
				helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return kerr_set(err, EPERM,
				"%s refused the mapping (%s): check the ranges for this user in %s",
				helper, why ? why : "no reason given", subfile);
	return 0;
}

/* newuidmap PID inside outside count ...: the setuid helpers check the ranges
 * against /etc/subuid and /etc/subgid for us. */
static int write_map_helper(pid_t pid, const char *helper, const char *subfile,
			    const struct kidmap *m, size_t n, struct kerr *err)
{
	char **argv = xcalloc(2 + 3 * n + 1, sizeof(char *));
	int pipefd[2];
	pid_t child;
	size_t a = 0;
	int r;

	argv[a++] = xstrdup(helper);
	argv[a++] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[a++] = xasprintf("%u", m[i].container_id);
		argv[a++] = xasprintf("%u", m[i].host_id);
		argv[a++] = xasprintf("%u", m[i].size);
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		strv_free(argv);
		return kerr_errno(err, "pipe");
	}
	child = fork();
	if (child < 0) {
		strv_free(argv);
		close(pipefd[0]);
		close(pipefd[1]);
		return kerr_errno(err, "fork %s", helper);
	}
	if (child == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		execvp(helper, argv);
		_exit(127);
	}
	strv_free(argv);
	close(pipefd[1]);
	r = wait_helper(child, pipefd[0], helper, subfile, err);
	close(pipefd[0]);
	return r;
}

/* A rootless caller may map only its own id, once, without a helper. */
static bool needs_helper(const struct kidmap *m, size_t n, uid_t own)
{
	return !(n == 1 && m[0].size == 1 && m[0].host_id == own);
}

int ns_write_id_maps(pid_t pid, const struct kspec *spec, bool rootless, struct kerr *err)
{
	char path[64];
	bool uid_helper = rootless && needs_helper(spec->uid_mappings, spec->n_uid_mappings,
						  geteuid());
	bool gid_helper = rootless && needs_helper(spec->gid_mappings, spec->n_gid_mappings,
						  getegid());

	if (uid_helper) {
		if (write_map_helper(pid, "newuidmap", "/etc/subuid", spec->uid_mappings,
				     spec->n_uid_mappings, err) < 0)
			return -1;
	} else if (write_map_direct(pid, "uid_map", spec->uid_mappings, spec->n_uid_mappings,
				    err) < 0) {
		return -1;
	}
	if (gid_helper)
		return write_map_helper(pid, "newgidmap", "/etc/subgid", spec->gid_mappings,
					spec->n_gid_mappings, err);
	/* Without CAP_SETGID in the parent namespace the kernel accepts a gid_map
	 * only after setgroups is denied (CVE-2014-8989). */
	if (rootless) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		if (write_file_at(AT_FDCWD, path, "deny", 4, err) < 0)
			return -1;
	}
	return write_map_direct(pid, "gid_map", spec->gid_mappings, spec->n_gid_mappings, err);
}

static const struct {
	unsigned long flag;
	const char *name;
} ns_files[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWIPC, "ipc" },     { CLONE_NEWUTS, "uts" },
	{ CLONE_NEWNET, "net" },   { CLONE_NEWPID, "pid" },     { CLONE_NEWCGROUP, "cgroup" },
	{ CLONE_NEWTIME, "time" }, { CLONE_NEWNS, "mnt" },
};

int ns_join_pid(int pidfd, pid_t pid, unsigned long flags, struct kerr *err)
{
	if (flags == 0)
		return 0;
	if (pidfd >= 0 && setns(pidfd, (int)flags) == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++) {
		char path[64];
		cleanup_close int fd = -1;

		if (!(flags & ns_files[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_files[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kerr_errno(err, "open %s", path);
		if (setns(fd, (int)ns_files[i].flag) < 0)
			return kerr_errno(err, "join %s namespace of pid %d", ns_files[i].name,
					  (int)pid);
	}
	return 0;
}

unsigned long ns_differing(pid_t pid)
{
	unsigned long flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(ns_files); i++) {
		char theirs[64], ours[64];
		struct stat a, b;

		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns_files[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_files[i].name);
		if (stat(theirs, &a) < 0 || stat(ours, &b) < 0)
			continue;
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			flags |= ns_files[i].flag;
	}
	return flags;
}
