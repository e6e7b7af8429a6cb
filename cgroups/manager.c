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
static bool path_clean(const char *p)
{
	cleanup_free char *copy = xstrdup(p);
	char *save = NULL;

	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return false;
	return true;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice", as systemd nests slices. */
static int expand_slice(const char *slice, char **ret, struct kerr *err)
{
	size_t len = strlen(slice);
	char *out = xstrdup("");

	if (len < 6 || strcmp(slice + len - 6, ".slice") != 0 || strchr(slice, '/') != NULL ||
	    slice[0] == '-' || strstr(slice, "--") != NULL || slice[len - 7] == '-') {
		free(out);
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not a systemd slice name", slice);
	}
	if (strcmp(slice, "-.slice") == 0) {
		*ret = out;
		return 0;
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
	if (expand_slice(copy[0] ? copy : "system.slice", &slice_path, err) < 0)
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
	if (!path_clean(p))
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

static char *own_cgroup(void)
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

/* mkdir of every missing component; *ret_first is the first one created
 * (relative to the mount), to remove on failure, or NULL. */
static int mkdir_path(int rootfd, const char *path, char **ret_first, struct kerr *err)
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
static int rmdir_tree(int parentfd, const char *name)
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
			rmdir_tree(dirfd(d), de->d_name);
	closedir(d);
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* Undoes mkdir_path: path and its parents up to first, and nothing else (a
 * concurrent create may have made a sibling under a parent we created). */
static void remove_created(int rootfd, const char *mount, const char *path, const char *first)
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

static struct kcgroup *cg_new(const char *mount, char *path, int dirfd, bool rootless)
{
	struct kcgroup *cg = xcalloc(1, sizeof(*cg));

	cg->mount = xstrdup(mount);
	cg->path = path;
	cg->dirfd = dirfd;
	cg->rootless = rootless;
	return cg;
}

static int create_in(int rootfd, const char *mount, const char *path, const struct kcg_plan *p,
		     bool rootless, struct kcgroup **ret, struct kerr *err)
{
	cleanup_free char *first = NULL;
	cleanup_close int fd = -1;

	if (mkdir_path(rootfd, path, &first, err) < 0)
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
	*ret = cg_new(mount, xstrdup(path), move_fd(&fd), rootless);
	return 0;
fail:
	if (first != NULL)
		remove_created(rootfd, mount, path, first);
	return -1;
}

int cgroup_create(const char *id, const char *cgroups_path, json_t *resources, bool rootless,
		  struct kcgroup **ret, struct kerr *err)
{
	const char *mount = cg_mount_point();
	cleanup_free char *own = own_cgroup(), *path = NULL, *rootless_path = NULL;
	cleanup_close int rootfd = -1;
	struct kcg_plan plan;
	bool asks_limits;
	int r;

	/* Rootless without a cgroupsPath: a sibling of the caller's own cgroup
	 * (the relative-path rule), which is inside the caller's subtree when
	 * it was delegated (systemd Delegate=); "/kapsel" at the root never is. */
	if (rootless && (cgroups_path == NULL || cgroups_path[0] == '\0'))
		cgroups_path = rootless_path = xasprintf("kapsel-%s", id);
	if (cg_plan_build(resources, 0, &plan, err) < 0)
		return -1;
	asks_limits = plan.n > 0;
	if (mount == NULL) {
		cg_plan_free(&plan);
		if (asks_limits)
			return kerr_set(err, ENOTSUP, "linux.resources: no cgroup2 hierarchy is mounted");
		*ret = NULL;  /* devices alone: kept out by the missing nodes, as without cgroups */
		return 0;
	}
	if (cg_compute_path(id, cgroups_path, own, &path, err) < 0)
		goto out_fail;
	rootfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		kerr_errno(err, "open %s", mount);
		goto out_fail;
	}
	if (cg_check_controllers(rootfd, mount, rootless, &plan, err) < 0)
		goto out_fail;
	r = create_in(rootfd, mount, path, &plan, rootless, ret, err);
	/* Another container's delete may rmdir the shared /kapsel parent
	 * between our mkdir of it and of our own directory: try once more. */
	if (r < 0 && err->code == ENOENT)
		r = create_in(rootfd, mount, path, &plan, rootless, ret, err);
	if (r < 0 && rootless && (err->code == EACCES || err->code == EPERM || err->code == EROFS)) {
		if (asks_limits) {
			kerr_prefix(err, "linux.resources: rootless without a delegated cgroup "
					 "(systemd Delegate=) to apply them in");
		} else {
			kdebug("rootless: no cgroup (%s)", err->msg);
			*ret = NULL;
			r = 0;
		}
	}
	cg_plan_free(&plan);
	return r;
out_fail:
	cg_plan_free(&plan);
	return -1;
}

int cgroup_plan_path(const char *id, const char *cgroups_path, bool rootless, char **ret,
		     struct kerr *err)
{
	cleanup_free char *own = NULL, *rootless_path = NULL;

	*ret = NULL;
	if (cg_mount_point() == NULL)
		return 0;
	/* The same rules as cgroup_create. */
	if (rootless && (cgroups_path == NULL || cgroups_path[0] == '\0'))
		cgroups_path = rootless_path = xasprintf("kapsel-%s", id);
	own = own_cgroup();
	return cg_compute_path(id, cgroups_path, own, ret, err);
}

int cgroup_open(const char *path, struct kcgroup **ret, struct kerr *err)
{
	const char *mount = cg_mount_point();
	cleanup_free char *full = NULL;
	int fd;

	if (mount == NULL)
		return kerr_set(err, ENOENT, "no cgroup2 hierarchy is mounted");
	if (path == NULL || path[0] != '/' || !path_clean(path))
		return kerr_set(err, EINVAL, "invalid cgroup path \"%s\"", path ? path : "");
	full = xasprintf("%s%s", mount, path);
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open cgroup %s", full);
	*ret = cg_new(mount, xstrdup(path), fd, geteuid() != 0);
	return 0;
}

const char *cgroup_path(const struct kcgroup *cg)
{
	return cg->path;
}

int cgroup_dirfd(const struct kcgroup *cg)
{
	return cg->dirfd;
}

int cgroup_enter(struct kcgroup *cg, pid_t pid, struct kerr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (write_file_at(cg->dirfd, "cgroup.procs", buf, (size_t)n, err) < 0)
		return kerr_prefix(err, "join cgroup %s%s", cg->mount, cg->path);
	return 0;
}

/* Appends the pids of dirfd's cgroup.procs and of every child cgroup. */
static int collect_pids(int cfd, pid_t **v, size_t *n, struct kerr *err)
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
		if (collect_pids(sub, v, n, err) < 0) {
			close(sub);
			closedir(d);
			return -1;
		}
		close(sub);
	}
	closedir(d);
	return 0;
}

int cgroup_pids(struct kcgroup *cg, pid_t **ret, size_t *ret_n, struct kerr *err)
{
	pid_t *v = NULL;
	size_t n = 0;

	if (collect_pids(cg->dirfd, &v, &n, err) < 0) {
		free(v);
		return kerr_prefix(err, "list processes of %s%s", cg->mount, cg->path);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int cgroup_kill_all(struct kcgroup *cg, int sig, struct kerr *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	/* cgroup.kill (5.14+) kills atomically, including processes forking
	 * while we read cgroup.procs. */
	if (sig == SIGKILL && write_file_at(cg->dirfd, "cgroup.kill", "1", 1, err) == 0)
		return 0;
	if (cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return kerr_errno(err, "kill %d", (int)pids[i]);
	return 0;
}

int cgroup_destroy(struct kcgroup *cg, struct kerr *err)
{
	cleanup_close int rootfd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct kerr e;

	if (rootfd < 0)
		return kerr_errno(err, "open %s", cg->mount);
	if (faccessat(cg->dirfd, "cgroup.procs", F_OK, 0) < 0 && errno == ENOENT)
		return 0;  /* removed already */
	/* A frozen cgroup would keep SIGKILLed processes from dying. */
	if (cgroup_is_frozen(cg) == 1)
		write_file_at(cg->dirfd, "cgroup.freeze", "0", 1, &e);
	for (int attempt = 0; attempt < 3; attempt++) {
		if (cgroup_kill_all(cg, SIGKILL, err) < 0)
			return kerr_prefix(err, "destroy cgroup %s", cg->path);
		if (cg_wait_event(cg->dirfd, "populated", 0, 5000, err) == 0)
			break;
		if (attempt == 2)
			return kerr_prefix(err, "destroy cgroup %s%s", cg->mount, cg->path);
	}
	if (rmdir_tree(rootfd, cg->path + 1) < 0)
		return kerr_errno(err, "remove cgroup %s%s", cg->mount, cg->path);
	/* The shared default parent goes when its last container does
	 * (ENOTEMPTY/EBUSY while others remain: fine). */
	if (strncmp(cg->path, DEFAULT_PARENT "/", sizeof(DEFAULT_PARENT)) == 0 &&
	    strchr(cg->path + sizeof(DEFAULT_PARENT), '/') == NULL)
		unlinkat(rootfd, DEFAULT_PARENT + 1, AT_REMOVEDIR);
	return 0;
}

int cgroup_update(struct kcgroup *cg, json_t *resources, struct kerr *err)
{
	cleanup_free char *where = xasprintf("%s%s", cg->mount, cg->path);
	struct kcg_plan plan;
	int64_t current = 0;
	int r;

	if (cg_has_controller(cg->dirfd, "memory")) {
		cleanup_free char *buf = NULL;
		struct kerr e;

		if (read_file_at(cg->dirfd, "memory.max", 64, &buf, NULL, &e) == 0 &&
		    (strncmp(buf, "max", 3) == 0 || !parse_i64(strtok(buf, "\n"), &current)))
			current = -1;
	}
	if (cg_plan_build(resources, current, &plan, err) < 0)
		return -1;
	/* All checks before the first write: an update applies wholly or not at all
	 * (as far as the kernel accepts each value). */
	r = cg_check_controllers(cg->dirfd, where, cg->rootless, &plan, err);
	if (r == 0)
		r = cg_apply_writes(cg->dirfd, &plan, err);
	if (r == 0 && plan.has_devices && !cg->rootless)
		r = cg_devices_apply(cg->dirfd, plan.dev, plan.n_dev, err);
	cg_plan_free(&plan);
	return r;
}

void cgroup_free(struct kcgroup *cg)
{
	if (cg == NULL)
		return;
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	free(cg->mount);
	free(cg->path);
	free(cg);
}
