/* `exec --cgroup SUB`: a process joins an existing sub-cgroup of its
 * container's cgroup (runc's meaning), never a cgroup outside it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int cgroup_enter_sub(struct kcgroup *cg, const char *sub, pid_t pid, struct kerr *err)
{
	cleanup_close int fd = -1;
	char buf[32];
	int n;

	while (*sub == '/')
		sub++;
	if (*sub == '\0')
		return cgroup_enter(cg, pid, err);
	/* RESOLVE_BENEATH: ".." or a symlink cannot lead out of the container's cgroup. */
	fd = sys_openat2(cg->dirfd, sub, O_DIRECTORY | O_CLOEXEC, 0,
			 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOSYS)   /* before Linux 5.6; cgroupfs has no symlinks */
		fd = has_dotdot(sub) ? (errno = EXDEV, -1)
				     : openat(cg->dirfd, sub, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EXDEV)
		return kerr_set(err, 0, "--cgroup %s: not below the container's cgroup", sub);
	if (fd < 0)
		return kerr_errno(err, "--cgroup %s: open sub-cgroup of %s%s", sub, cg->mount,
				  cg->path);
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_file_at(fd, "cgroup.procs", buf, (size_t)n, err) < 0)
		return kerr_prefix(err, "join cgroup %s%s/%s", cg->mount, cg->path, sub);
	return 0;
}
