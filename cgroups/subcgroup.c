/* `exec --cgroup SUB`: a process joins an existing sub-cgroup of its
 * container's cgroup (runc's meaning), never a cgroup outside it. runc's
 * bare PATH names it in every hierarchy: the cgroup2 one and each v1 one
 * (hybrid, pure v1); a hierarchy where it does not exist keeps the process
 * in the container's own directory there, as a controller runc is given no
 * path for. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/internal.h"
#include "common/syscalls.h"
#include "common/util.h"

static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
	return false;
}

/* sub below dirfd, or -1: errno EXDEV when it would lead out of it. */
static int open_sub(int dirfd, const char *sub)
{
	/* RESOLVE_BENEATH: ".." or a symlink cannot lead out of the container's cgroup. */
	int fd = sys_openat2(dirfd, sub, O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	if (fd < 0 && errno == ENOSYS) {   /* before Linux 5.6; cgroupfs has no symlinks */
		if (has_dotdot(sub)) {
			errno = EXDEV;
			return -1;
		}
		fd = openat(dirfd, sub, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd;
}

int cgroup_enter_sub(struct kcgroup *cg, const char *sub, pid_t pid, struct kerr *err)
{
	size_t n = cg->n_v1 + 1, found = 0;
	cleanup_free int *fds = xcalloc(n, sizeof(*fds));
	char buf[32];
	int len, ret = -1;

	while (*sub == '/')
		sub++;
	if (*sub == '\0')
		return cgroup_enter(cg, pid, err);
	/* Every hierarchy's directory first: nothing is joined on an error. */
	for (size_t i = 0; i < n; i++) {
		int dirfd = i == 0 ? cg->dirfd : cg->v1[i - 1].dirfd;

		fds[i] = dirfd < 0 ? -1 : open_sub(dirfd, sub);
		if (fds[i] < 0 && errno == EXDEV) {
			kerr_set(err, 0, "--cgroup %s: not below the container's cgroup", sub);
			goto out;
		}
		found += fds[i] >= 0;
	}
	if (found == 0) {
		kerr_set(err, 0, "--cgroup %s: no such sub-cgroup of the container's cgroup %s",
			 sub, cg->path);
		goto out;
	}
	len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		int dirfd = i == 0 ? cg->dirfd : cg->v1[i - 1].dirfd;
		const char *mount = i == 0 ? cg->mount : cg->v1[i - 1].mount;

		if (dirfd < 0)
			continue;
		if (write_file_at(fds[i] >= 0 ? fds[i] : dirfd, "cgroup.procs", buf, (size_t)len,
				  err) < 0) {
			kerr_prefix(err, "join cgroup %s%s%s%s", mount, cg->path,
				    fds[i] >= 0 ? "/" : "", fds[i] >= 0 ? sub : "");
			goto out;
		}
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}
