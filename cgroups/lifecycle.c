/* The door's life-cycle calls over whatever the host mounts: a container
 * has a cgroup2 directory where a cgroup2 is mounted (it tracks the
 * processes and carries the eBPF device filter even on a hybrid host's
 * controller-less .../unified) and, on hybrid and v1 hosts, a directory in
 * every v1 hierarchy (v1.c). Limits go where their controller is (hybrid.c). */
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

struct kcgroup *cg_new(const char *mount, const char *path, bool rootless)
{
	struct kcgroup *cg = xcalloc(1, sizeof(*cg));

	cg->ops = &cg_fs_ops;
	cg->mount = mount ? xstrdup(mount) : NULL;
	cg->path = xstrdup(path);
	cg->dirfd = -1;
	cg->rootless = rootless;
	return cg;
}

/* The cgroup2 part of create: 0 with *ret_fd -1 when a rootless caller has
 * no delegated subtree and asks no limits there. */
static int create_v2(const struct kcg_layout *l, const char *path, const struct kcg_plan *p,
		     bool rootless, bool asks_limits, int *ret_fd, char **ret_first,
		     struct kerr *err)
{
	cleanup_close int rootfd = open(l->v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	*ret_fd = -1;
	if (rootfd < 0)
		return kerr_errno(err, "open %s", l->v2_mount);
	if (cg_check_controllers(rootfd, l->v2_mount, rootless, p, err) < 0)
		return -1;
	r = cg2_create_in(rootfd, l->v2_mount, path, p, rootless, ret_fd, ret_first, err);
	/* Another container's delete may rmdir the shared /kapsel parent
	 * between our mkdir of it and of our own directory: try once more. */
	if (r < 0 && err->code == ENOENT)
		r = cg2_create_in(rootfd, l->v2_mount, path, p, rootless, ret_fd, ret_first, err);
	if (r < 0 && rootless && (err->code == EACCES || err->code == EPERM || err->code == EROFS)) {
		if (asks_limits)
			return kerr_prefix(err, "linux.resources: rootless without a delegated cgroup "
						"(systemd Delegate=) to apply them in");
		kdebug("rootless: no cgroup (%s)", err->msg);
		return 0;
	}
	return r;
}

int cgroup_create(const char *id, const char *cgroups_path, json_t *resources, bool rootless,
		  struct kcgroup **ret, struct kerr *err)
{
	cleanup_free char *own = cg_own_cgroup(), *path = NULL, *rootless_path = NULL;
	cleanup_free char *first = NULL;
	struct kcg_layout l;
	struct kcg_plan p2 = { 0 }, p1 = { 0 };
	struct kcgroup *cg = NULL;
	bool asks_limits;
	int fd = -1, r = -1;

	/* Rootless without a cgroupsPath: a sibling of the caller's own cgroup
	 * (the relative-path rule), which is inside the caller's subtree when
	 * it was delegated (systemd Delegate=); "/kapsel" at the root never is. */
	if (rootless && (cgroups_path == NULL || cgroups_path[0] == '\0'))
		cgroups_path = rootless_path = xasprintf("kapsel-%s", id);
	if (cg_layout_read(&l, err) < 0)
		return -1;
	if (cg_plan_select(&l, resources, 0, -1, rootless, &p2, &p1, err) < 0)
		goto out;
	asks_limits = p2.n > 0 || p1.n > 0;
	if (l.v2_mount == NULL && l.n_v1 == 0) {
		if (asks_limits) {
			kerr_set(err, ENOTSUP, "linux.resources: no cgroup hierarchy is mounted");
			goto out;
		}
		*ret = NULL;  /* devices alone: kept out by the missing nodes, as without cgroups */
		r = 0;
		goto out;
	}
	if (cg_compute_path(id, cgroups_path, own, &path, err) < 0)
		goto out;
	if (l.v2_mount != NULL &&
	    create_v2(&l, path, &p2, rootless, asks_limits, &fd, &first, err) < 0)
		goto out;
	cg = cg_new(fd >= 0 ? l.v2_mount : NULL, path, rootless);
	cg->dirfd = fd;
	if (l.n_v1 > 0 && rootless) {
		/* As runc: an unprivileged user cannot make v1 cgroups (and
		 * cg_plan_select refused any limit that needed them). */
		kdebug("rootless on cgroup v1: no cgroup in the v1 hierarchies");
	} else if (l.n_v1 > 0 && cg_v1_create(&l, path, &p1, &cg->v1, &cg->n_v1, err) < 0) {
		/* Undo the cgroup2 part too: the dirs made, nothing else. */
		if (cg->dirfd >= 0 && first != NULL) {
			int rootfd = open(l.v2_mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (rootfd >= 0) {
				cg_remove_created(rootfd, l.v2_mount, path, first);
				close(rootfd);
			}
		}
		cgroup_free(cg);
		goto out;
	}
	if (cg->dirfd < 0 && cg->n_v1 == 0) {
		cgroup_free(cg);
		cg = NULL;
	}
	*ret = cg;
	r = 0;
out:
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	cg_layout_free(&l);
	return r;
}

int cgroup_plan_path(const char *id, const char *cgroups_path, bool rootless, char **ret,
		     struct kerr *err)
{
	cleanup_free char *own = NULL, *rootless_path = NULL;
	struct kcg_layout l;
	bool none;

	*ret = NULL;
	if (cg_layout_read(&l, err) < 0)
		return -1;
	none = l.v2_mount == NULL && l.n_v1 == 0;
	cg_layout_free(&l);
	if (none)
		return 0;
	/* The same rules as cgroup_create. */
	if (rootless && (cgroups_path == NULL || cgroups_path[0] == '\0'))
		cgroups_path = rootless_path = xasprintf("kapsel-%s", id);
	own = cg_own_cgroup();
	return cg_compute_path(id, cgroups_path, own, ret, err);
}

int cgroup_open(const char *path, struct kcgroup **ret, struct kerr *err)
{
	struct kcg_layout l;
	struct kcgroup *cg;

	if (path == NULL || path[0] != '/' || !cg_path_clean(path))
		return kerr_set(err, EINVAL, "invalid cgroup path \"%s\"", path ? path : "");
	if (cg_layout_read(&l, err) < 0)
		return -1;
	if (l.v2_mount == NULL && l.n_v1 == 0) {
		cg_layout_free(&l);
		return kerr_set(err, ENOENT, "no cgroup hierarchy is mounted");
	}
	cg = cg_new(l.v2_mount, path, geteuid() != 0);
	if (l.v2_mount != NULL) {
		cleanup_free char *full = xasprintf("%s%s", l.v2_mount, path);

		cg->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->dirfd < 0 && (errno != ENOENT || l.n_v1 == 0)) {
			kerr_errno(err, "open cgroup %s", full);
			goto fail;
		}
	}
	if (cg_v1_open(&l, path, &cg->v1, &cg->n_v1, err) < 0)
		goto fail;
	if (cg->dirfd < 0 && cg->n_v1 == 0) {
		kerr_set(err, ENOENT, "open cgroup %s: in no hierarchy", path);
		goto fail;
	}
	cg_layout_free(&l);
	*ret = cg;
	return 0;
fail:
	cg_layout_free(&l);
	cgroup_free(cg);
	return -1;
}

const char *cgroup_path(const struct kcgroup *cg)
{
	return cg->path;
}

const char *cgroup_mount(const struct kcgroup *cg)
{
	return cg->mount;
}

int cgroup_dirfd(const struct kcgroup *cg)
{
	/* CLONE_INTO_CGROUP reaches cgroup2 only: with v1 directories too the
	 * init is moved into all of them before it runs (cgroup_enter). */
	return cg->n_v1 > 0 ? -1 : cg->dirfd;
}

int cgroup_enter(struct kcgroup *cg, pid_t pid, struct kerr *err)
{
	return cg->ops->enter(cg, pid, err);
}

int cg_fs_enter(struct kcgroup *cg, pid_t pid, struct kerr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (cg->dirfd >= 0 && write_file_at(cg->dirfd, "cgroup.procs", buf, (size_t)n, err) < 0)
		return kerr_prefix(err, "join cgroup %s%s", cg->mount, cg->path);
	return cg_v1_enter(cg, pid, err);
}

int cgroup_pids(struct kcgroup *cg, pid_t **ret, size_t *ret_n, struct kerr *err)
{
	pid_t *v = NULL;
	size_t n = 0;

	if (cg_collect_pids(cg->dirfd >= 0 ? cg->dirfd : cg_v1_any_fd(cg), &v, &n, err) < 0) {
		free(v);
		return kerr_prefix(err, "list processes of cgroup %s", cg->path);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int cgroup_kill_all(struct kcgroup *cg, int sig, struct kerr *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;

	if (cg->dirfd < 0)
		return cg_v1_kill_all(cg, sig, err);
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

int cg2_empty(struct kcgroup *cg, struct kerr *err)
{
	struct kerr e;

	if (cg->dirfd < 0 || (faccessat(cg->dirfd, "cgroup.procs", F_OK, 0) < 0 && errno == ENOENT))
		return 0;  /* removed already */
	/* A frozen cgroup would keep SIGKILLed processes from dying. */
	if (faccessat(cg->dirfd, "cgroup.freeze", F_OK, 0) == 0)
		write_file_at(cg->dirfd, "cgroup.freeze", "0", 1, &e);
	for (int attempt = 0; attempt < 3; attempt++) {
		if (cgroup_kill_all(cg, SIGKILL, err) < 0)
			return kerr_prefix(err, "destroy cgroup %s", cg->path);
		if (cg_wait_event(cg->dirfd, "populated", 0, 5000, err) == 0)
			break;
		if (attempt == 2)
			return kerr_prefix(err, "destroy cgroup %s%s", cg->mount, cg->path);
	}
	return 0;
}

static int destroy_v2(struct kcgroup *cg, struct kerr *err)
{
	cleanup_close int rootfd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return kerr_errno(err, "open %s", cg->mount);
	if (faccessat(cg->dirfd, "cgroup.procs", F_OK, 0) < 0 && errno == ENOENT)
		return 0;  /* removed already */
	if (cg2_empty(cg, err) < 0)
		return -1;
	if (cg_rmdir_tree(rootfd, cg->path + 1) < 0)
		return kerr_errno(err, "remove cgroup %s%s", cg->mount, cg->path);
	cg_rmdir_default_parent(rootfd, cg->path);
	return 0;
}

int cgroup_destroy(struct kcgroup *cg, struct kerr *err)
{
	return cg->ops->destroy(cg, err);
}

static int fs_destroy(struct kcgroup *cg, struct kerr *err)
{
	struct kerr e;

	/* Thawed first: v1-frozen tasks would not die of cgroup.kill either. */
	if (cg_v1_is_frozen(cg) == 1)
		cg_v1_freeze(cg, false, &e);
	if (cg->dirfd >= 0 && destroy_v2(cg, err) < 0)
		return -1;
	return cg_v1_destroy(cg, err);
}

/* The current memory limits: cgroup2 memory.max and v1 memory.limit_in_bytes
 * (-1 for none or unknown; 0 for cgroup2 when not readable). */
static void current_memory(struct kcgroup *cg, int64_t *ret_v2, int64_t *ret_v1)
{
	struct kcg_hier *m = cg_hier_find(cg->v1, cg->n_v1, "memory");
	cleanup_free char *buf = NULL, *buf1 = NULL;
	struct kerr e;

	*ret_v2 = 0;
	*ret_v1 = -1;
	if (cg->dirfd >= 0 && cg_has_controller(cg->dirfd, "memory") &&
	    read_file_at(cg->dirfd, "memory.max", 64, &buf, NULL, &e) == 0 &&
	    (strncmp(buf, "max", 3) == 0 || !parse_i64(strtok(buf, "\n"), ret_v2)))
		*ret_v2 = -1;
	if (m != NULL && read_file_at(m->dirfd, "memory.limit_in_bytes", 64, &buf1, NULL, &e) == 0 &&
	    !parse_i64(strtok(buf1, "\n"), ret_v1))
		*ret_v1 = -1;
}

int cgroup_update(struct kcgroup *cg, json_t *resources, struct kerr *err)
{
	return cg->ops->update(cg, resources, err);
}

int cg_update_plans(struct kcgroup *cg, json_t *resources, struct kcg_plan *ret_v2,
		    struct kcg_plan *ret_v1, struct kerr *err)
{
	cleanup_free char *ctrls = NULL;
	struct kcg_layout l;
	int64_t cur2, cur1;
	struct kerr e;

	/* What this cgroup has: the controllers enabled for its cgroup2 dir,
	 * and its v1 directories. */
	cg_v1_as_layout(cg, &l);
	l.v2_mount = cg->dirfd >= 0 ? cg->mount : NULL;
	if (cg->dirfd >= 0 && read_file_at(cg->dirfd, "cgroup.controllers", 4096, &ctrls, NULL, &e) < 0)
		ctrls = NULL;
	l.v2_ctrls = ctrls ? ctrls : (char *)"";
	current_memory(cg, &cur2, &cur1);
	return cg_plan_select(&l, resources, cur2, cur1, cg->rootless, ret_v2, ret_v1, err);
}

int cg_apply_plans(struct kcgroup *cg, const struct kcg_plan *p2, const struct kcg_plan *p1,
		   struct kerr *err)
{
	cleanup_free char *where = xasprintf("%s%s", cg->mount ? cg->mount : "", cg->path);
	int r;

	/* All checks before the first write: an update applies wholly or not at all
	 * (as far as the kernel accepts each value). */
	r = cg->dirfd >= 0 ? cg_check_controllers(cg->dirfd, where, cg->rootless, p2, err) : 0;
	if (r == 0 && cg->dirfd >= 0)
		r = cg_apply_writes(cg->dirfd, p2, err);
	if (r == 0 && cg->dirfd >= 0 && p2->has_devices && !cg->rootless)
		r = cg_devices_apply(cg->dirfd, p2->dev, p2->n_dev, err);
	if (r == 0)
		r = cg_v1_apply(cg->v1, cg->n_v1, p1, err);
	return r;
}

static int fs_update(struct kcgroup *cg, json_t *resources, struct kerr *err)
{
	struct kcg_plan p2, p1;
	int r;

	if (cg_update_plans(cg, resources, &p2, &p1, err) < 0)
		return -1;
	r = cg_apply_plans(cg, &p2, &p1, err);
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	return r;
}

void cgroup_free(struct kcgroup *cg)
{
	if (cg == NULL)
		return;
	if (cg->ops != NULL && cg->ops->release != NULL)
		cg->ops->release(cg);
	if (cg->dirfd >= 0)
		close(cg->dirfd);
	cg_v1_free(cg->v1, cg->n_v1);
	free(cg->mount);
	free(cg->path);
	free(cg);
}

const struct kcg_ops cg_fs_ops = {
	.enter = cg_fs_enter,
	.update = fs_update,
	.destroy = fs_destroy,
};
