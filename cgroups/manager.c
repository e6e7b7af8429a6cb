/* The cgroup2 manager: where the container's cgroup lives, creating it with
 * its resources (all or nothing), entering, killing and removing it. */
#include "cgroups/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "common/util.h"

#define DEFAULT_PARENT "/kapsel"

const char *cg_mount_point(void)
{
	/* Pure v2 hosts mount it at /sys/fs/cgroup; hybrid ones (systemd's
	 * "hybrid" layout, like these build machines) at .../unified. */
	static const char *const candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs sfs;

	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++)
		if (statfs(candidates[i], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
			return candidates[i];
	return NULL;
}

/* No empty, "." or ".." components: a cgroupsPath must not climb out of the
 * hierarchy (or above the caller's own cgroup for relative paths). */
bool cg_path_clean(const char *p)
{
	cleanup_free char *copy = xstrdup(p);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return false;
	return true;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", as systemd nests slices. */
int cg_slice_path(const char *slice, char **ret, struct kerr *err)
{
	size_t len = strlen(slice);
	char *out = xstrdup("");

	if (strcmp(slice, "-.slice") == 0) {  /* the root slice */
		*ret = out;
		return 0;
	}
	if (len < 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/') != NULL ||
	    slice[0] == '-' || strstr(slice, "--") != NULL || slice[len - 7] == '-') {
		free(out);
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not a systemd slice name", slice);
	}
	for (const char *d = slice; (d = strchr(d, '-')) != NULL; d++) {
		char *t = xasprintf("%s/%.*s.slice", out, (int)(d - slice), slice);

		free(out);
		out = t;
	}
	{
		char *t = xasprintf("%s/%s", out, slice);

		free(out);
		out = t;
	}
	*ret = out;
	return 0;
}

/* The systemd form "slice:prefix:name" (what containerd and podman pass
 * with the systemd driver): mapped to the cgroup systemd itself would use,
 * /<slice path>/<prefix>-<name>.scope, managed directly on the filesystem
 * (kapsel has no systemd driver: the scope is not registered with systemd). */
static int systemd_path(const char *p, char **ret, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(p), *slice_path = NULL;
	char *prefix = strchr(copy, ':'), *name;

	if (prefix == NULL || (name = strchr(prefix + 1, ':')) == NULL || strchr(name + 1, ':'))
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\": expected slice:prefix:name", p);
	*prefix++ = '\0';
	*name++ = '\0';
	if (*name == '\0' || strchr(prefix, '/') || strchr(name, '/'))
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\": expected slice:prefix:name", p);
	if (cg_slice_path(copy[0] ? copy : "system.slice", &slice_path, err) < 0)
		return -1;
	*ret = *prefix ? xasprintf("%s/%s-%s.scope", slice_path, prefix, name)
		       : xasprintf("%s/%s.scope", slice_path, name);
	return 0;
}

int cg_compute_path(const char *id, const char *cgroups_path, const char *own_cgroup,
		    char **ret, struct kerr *err)
{
	cleanup_free char *p = NULL;

	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		p = xasprintf(DEFAULT_PARENT "/%s", id);
	} else if (cgroups_path[0] != '/' && strchr(cgroups_path, ':') != NULL) {
		if (systemd_path(cgroups_path, &p, err) < 0)
			return -1;
	} else if (cgroups_path[0] == '/') {
		p = xstrdup(cgroups_path);
	} else {
		/* runc: relative to the parent of the caller's own cgroup (its own
		 * has processes, so controllers could not be enabled below it). */
		cleanup_free char *own = xstrdup(own_cgroup ? own_cgroup : "/");
		char *slash = strrchr(own, '/');

		if (slash != NULL)
			*slash = '\0';
		p = xasprintf("%s/%s", own, cgroups_path);
	}
	if (!cg_path_clean(p))
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" has \".\" or \"..\" components",
				cgroups_path);
	/* Squeeze "//" and drop a trailing '/'. */
	{
		char *w = p;

		for (const char *r = p; *r; r++)
			if (!(*r == '/' && (w > p && w[-1] == '/')))
				*w++ = *r;
		*w = '\0';
		if (w > p + 1 && w[-1] == '/')
			w[-1] = '\0';
	}
	if (strcmp(p, "/") == 0)
		return kerr_set(err, EINVAL, "linux.cgroupsPath: the root cgroup cannot be a container's");
	*ret = move_ptr(p);
	return 0;
}

char *cg_own_cgroup(void)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	char *line, *save = NULL;

	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &buf, NULL, &e) < 0)
		return NULL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::", 3) == 0)
			return xstrdup(line + 3);
	return NULL;
}

bool cg_has_controller(int dirfd, const char *ctrl)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	char *save = NULL;

	if (read_file_at(dirfd, "cgroup.controllers", 4096, &buf, NULL, &e) < 0)
		return false;
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, ctrl) == 0)
			return true;
	return false;
}

static bool cg_subtree_has(int dirfd, const char *ctrl)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	char *save = NULL;

	if (read_file_at(dirfd, "cgroup.subtree_control", 4096, &buf, NULL, &e) < 0)
		return false;
	for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, ctrl) == 0)
			return true;
	return false;
}

int cg_check_controllers(int dirfd, const char *where, bool rootless, const struct kcg_plan *p,
			 struct kerr *err)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *c = p->w[i].ctrl;

		if (c == NULL || cg_has_controller(dirfd, c))
			continue;
		if (p->w[i].optional)
			continue;
		kerr_set(err, 0, "%s: the %s controller is not available in %s%s", p->w[i].field, c,
			 where, strstr(where, "/unified") ? " (hybrid cgroup layout?)"
				: rootless ? " (rootless without cgroup delegation?)" : "");
		err->code = ENOTSUP;
		return -1;
	}
	return 0;
}

int cg_apply_writes(int dirfd, const struct kcg_plan *p, struct kerr *err)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct kcg_write *w = &p->w[i];
		int r = write_file_at(dirfd, w->file, w->value, strlen(w->value), err);

		if (r < 0 && err->code == ENOENT && w->fallback != NULL)
			r = write_file_at(dirfd, w->fallback, w->fallback_value,
					  strlen(w->fallback_value), err);
		if (r < 0 && err->code == ENOENT && w->optional)
			continue;
		if (r < 0)
			return kerr_prefix(err, "%s: write \"%s\"", w->field, w->value);
	}
	return 0;
}

static bool plan_needs(const struct kcg_plan *p, const char *ctrl)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->w[i].ctrl != NULL && !p->w[i].optional && strcmp(p->w[i].ctrl, ctrl) == 0)
			return true;
	return false;
}

/* Enables in one cgroup's subtree_control every controller it has, as runc
 * does, so that stats and a later `update` find their files; failing to
 * enable one the plan needs is an error, others are skipped. */
static int enable_here(int fd, const char *path, const struct kcg_plan *p, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *save = NULL;

	if (read_file_at(fd, "cgroup.controllers", 4096, &buf, NULL, err) < 0)
		return kerr_prefix(err, "cgroup %s", path);
	for (char *c = strtok_r(buf, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		cleanup_free char *s = xasprintf("+%s", c);

		/* A rootless caller owns only its delegated subtree: writing even
		 * an enabled controller to an ancestor's root-owned file fails. */
		if (cg_subtree_has(fd, c))
			continue;
		if (write_file_at(fd, "cgroup.subtree_control", s, strlen(s), err) < 0) {
			if (plan_needs(p, c))
				return kerr_prefix(err, "enable the %s controller for %s", c, path);
			kdebug("enable %s for %s: %s", c, path, err->msg);
		}
	}
	return 0;
}

/* Enables controllers in every ancestor of the cgroup (the mount root down to its parent). */
static int enable_controllers(int rootfd, const char *path, const struct kcg_plan *p,
			      struct kerr *err)
{
	cleanup_free char *walk = xstrdup(path);
	cleanup_close int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	char *save = NULL, *next;

	if (fd < 0)
		return kerr_errno(err, "dup");
	for (char *c = strtok_r(walk, "/", &save); c; c = next) {
		int sub;

		if (enable_here(fd, path, p, err) < 0)
			return -1;
		next = strtok_r(NULL, "/", &save);
		if (next == NULL)
			break;
		sub = openat(fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			return kerr_errno(err, "open cgroup %s", c);
		close(fd);
		fd = sub;
	}
	return 0;
}

int cg_mkdir_path(int rootfd, const char *path, char **ret_first, struct kerr *err)
{
	cleanup_free char *walk = xstrdup(path);
	char *first = NULL;

	for (char *s = walk + 1;; s++) {
		bool end = *s == '\0';

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdirat(rootfd, walk + 1, 0755) == 0) {
			if (first == NULL)
				first = xstrdup(walk);
		} else if (errno != EEXIST || end) {
			int e = errno;

			*ret_first = first;
			/* An existing cgroup could be another container's: refuse
			 * (sharing one breaks delete and the device filter). */
			if (e == EEXIST)
				return kerr_set(err, e, "cgroup %s already exists", walk);
			return kerr_set(err, e, "create cgroup %s", walk);
		}
		if (end)
			break;
		*s = '/';
	}
	*ret_first = first;
	return 0;
}

/* rmdir of dir and its child cgroups, deepest first (cgroupfs directories
 * hold only the kernel's files, which rmdir takes along). */
int cg_rmdir_tree(int parentfd, const char *name)
{
	int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			cg_rmdir_tree(dirfd(d), de->d_name);
	closedir(d);
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* Undoes mkdir_path: path and its parents up to first, and nothing else (a
 * concurrent create may have made a sibling under a parent we created). */
void cg_remove_created(int rootfd, const char *mount, const char *path, const char *first)
{
	cleanup_free char *p = xstrdup(path);
	size_t stop = strlen(first);

	for (;;) {
		char *slash;

		if (unlinkat(rootfd, p + 1, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			if (errno != EBUSY && errno != ENOTEMPTY)
				klog(KLOG_WARN, "remove cgroup %s%s: %s", mount, p, strerror(errno));
			return;
		}
		if (strlen(p) <= stop || (slash = strrchr(p, '/')) == NULL || slash == p)
			return;
		*slash = '\0';
	}
}

void cg_rmdir_default_parent(int rootfd, const char *path)
{
	/* The shared default parent goes when its last container does
	 * (ENOTEMPTY/EBUSY while others remain: fine). */
	if (strncmp(path, DEFAULT_PARENT "/", sizeof(DEFAULT_PARENT)) == 0 &&
	    strchr(path + sizeof(DEFAULT_PARENT), '/') == NULL)
		unlinkat(rootfd, DEFAULT_PARENT + 1, AT_REMOVEDIR);
}

int cg2_create_in(int rootfd, const char *mount, const char *path, const struct kcg_plan *p,
		  bool rootless, int *ret_fd, char **ret_first, struct kerr *err)
{
	cleanup_free char *first = NULL;
	cleanup_close int fd = -1;

	if (cg_mkdir_path(rootfd, path, &first, err) < 0)
		goto fail;
	if (enable_controllers(rootfd, path, p, err) < 0)
		goto fail;
	fd = openat(rootfd, path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		kerr_errno(err, "open cgroup %s%s", mount, path);
		goto fail;
	}
	if (cg_apply_writes(fd, p, err) < 0)
		goto fail;
	if (p->has_devices && rootless) {
		kdebug("rootless: linux.resources.devices not enforced (needs CAP_BPF)");
	} else if (p->has_devices && cg_devices_apply(fd, p->dev, p->n_dev, err) < 0) {
		goto fail;
	}
	*ret_fd = move_fd(&fd);
	*ret_first = move_ptr(first);
	return 0;
fail:
	if (first != NULL)
		cg_remove_created(rootfd, mount, path, first);
	return -1;
}

int cg_collect_pids(int cfd, pid_t **v, size_t *n, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	char *save = NULL;
	DIR *d;
	struct dirent *de;
	int dfd;

	if (read_file_at(cfd, "cgroup.procs", 1 << 22, &buf, NULL, err) < 0)
		return -1;
	for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		int64_t pid;

		if (!parse_i64(t, &pid))
			continue;
		*v = realloc(*v, (*n + 1) * sizeof(**v));
		if (*v == NULL)
			abort();
		(*v)[(*n)++] = (pid_t)pid;
	}
	dfd = openat(cfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return kerr_errno(err, "read cgroup directory");
	}
	while ((de = readdir(d)) != NULL) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;  /* removed meanwhile */
		if (cg_collect_pids(sub, v, n, err) < 0) {
			close(sub);
			closedir(d);
			return -1;
		}
		close(sub);
	}
	closedir(d);
	return 0;
}
