/* The container's directories in the cgroup v1 hierarchies: one per
 * hierarchy, at the same path as in cgroup2 (runc's fs driver). Every
 * process of the container is moved into each of them; pause and resume go
 * through the freezer; delete removes every one. */
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

void cg_v1_free(struct kcg_hier *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (h[i].dirfd >= 0)
			close(h[i].dirfd);
		free(h[i].mount);
		free(h[i].ctrls);
	}
	free(h);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new cpuset cgroup has empty cpus and mems, and no process can join it
 * until they are set: copy the parent's into every level that is empty
 * (runc's ensureParent). */
static int cpuset_fill(int rootfd, const char *path, struct kerr *err)
{
	cleanup_free char *walk = xstrdup(path);
	cleanup_close int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	char *save = NULL;

	if (parent < 0)
		return kerr_errno(err, "dup");
	for (char *c = strtok_r(walk, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int fd = openat(parent, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return kerr_errno(err, "open cpuset cgroup %s", c);
		for (int i = 0; i < 2; i++) {
			const char *f = i ? "cpuset.mems" : "cpuset.cpus";
			cleanup_free char *mine = NULL, *theirs = NULL;
			size_t len;

			if (read_file_at(fd, f, 4096, &mine, NULL, err) < 0 ||
			    read_file_at(parent, f, 4096, &theirs, &len, err) < 0) {
				close(fd);
				return kerr_prefix(err, "cpuset %s", path);
			}
			if (mine[0] != '\n' && mine[0] != '\0')
				continue;
			if (write_file_at(fd, f, theirs, len, err) < 0) {
				close(fd);
				return kerr_prefix(err, "cpuset %s: copy %s from the parent", path, f);
			}
		}
		close(parent);
		parent = fd;
	}
	return 0;
}

static int write_one(struct kcg_hier *h, size_t n, const struct kcg_write *w, struct kerr *err)
{
	struct kcg_hier *d = cg_hier_find(h, n, w->ctrl);
	int r;

	if (d == NULL || d->dirfd < 0)
		return w->optional ? 0 : kerr_set(err, ENOENT, "%s: no %s cgroup", w->field, w->ctrl);
	r = write_file_at(d->dirfd, w->file, w->value, strlen(w->value), err);
	if (r < 0 && err->code == ENOENT && w->fallback != NULL)
		r = write_file_at(d->dirfd, w->fallback, w->fallback_value,
				  strlen(w->fallback_value), err);
	if (r < 0 && err->code == ENOENT && w->optional)
		return 0;
	if (r < 0 && err->code == ENOENT)
		return kerr_set(err, ENOTSUP, "%s: this kernel has no %s/%s", w->field, d->mount,
				w->file);
	if (r < 0 && err->code == EBUSY && strcmp(w->file, "memory.limit_in_bytes") == 0)
		return kerr_prefix(err, "%s: write \"%s\" (below the current usage?)", w->field,
				   w->value);
	if (r < 0)
		return kerr_prefix(err, "%s: write \"%s\" to %s", w->field, w->value, w->file);
	return 0;
}

int cg_v1_apply(struct kcg_hier *h, size_t n, const struct kcg_plan *p, struct kerr *err)
{
	for (size_t i = 0; i < p->n; i++)
		if (write_one(h, n, &p->w[i], err) < 0)
			return -1;
	return 0;
}

/* Undoes a partial create: the dirs made in hierarchies [0, n). */
static void undo(const struct kcg_layout *l, const char *path, char **first, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rootfd;

		if (first[i] == NULL)
			continue;
		rootfd = open(l->v1[i].mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd >= 0) {
			cg_remove_created(rootfd, l->v1[i].mount, path, first[i]);
			close(rootfd);
		}
	}
}

static int make_dir(const struct kcg_hier *lh, const char *path, char **ret_first,
		    struct kcg_hier *out, struct kerr *err)
{
	cleanup_close int rootfd = open(lh->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*ret_first = NULL;
	if (rootfd < 0)
		return kerr_errno(err, "open %s", lh->mount);
	/* Another container's delete may rmdir the shared /kapsel parent
	 * between our mkdir of it and of our own directory: try again. */
	for (int attempt = 0;; attempt++) {
		char *first = NULL;
		int r = cg_mkdir_path(rootfd, path, &first, err);

		if (*ret_first == NULL)
			*ret_first = first;
		else
			free(first);
		if (r == 0)
			break;
		if (err->code != ENOENT || attempt == 2)
			return kerr_prefix(err, "%s", lh->mount);
	}
	if (cg_list_has(lh->ctrls, "cpuset") && cpuset_fill(rootfd, path, err) < 0)
		return -1;
	out->dirfd = openat(rootfd, path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (out->dirfd < 0)
		return kerr_errno(err, "open cgroup %s%s", lh->mount, path);
	out->mount = xstrdup(lh->mount);
	out->ctrls = xstrdup(lh->ctrls);
	return 0;
}

int cg_v1_create(const struct kcg_layout *l, const char *path, const struct kcg_plan *p,
		 struct kcg_hier **ret, size_t *ret_n, struct kerr *err)
{
	struct kcg_hier *h = xcalloc(l->n_v1 + 1, sizeof(*h));
	char **first = xcalloc(l->n_v1 + 1, sizeof(*first));
	size_t i;

	for (i = 0; i < l->n_v1; i++) {
		h[i].dirfd = -1;
		if (make_dir(&l->v1[i], path, &first[i], &h[i], err) < 0) {
			i++;
			goto fail;
		}
	}
	if (cg_v1_apply(h, l->n_v1, p, err) < 0)
		goto fail;
	for (i = 0; i < l->n_v1; i++)
		free(first[i]);
	free(first);
	*ret = h;
	*ret_n = l->n_v1;
	return 0;
fail:
	cg_v1_free(h, i);
	undo(l, path, first, i);
	for (size_t j = 0; j < l->n_v1; j++)
		free(first[j]);
	free(first);
	return -1;
}

int cg_v1_open(const struct kcg_layout *l, const char *path, struct kcg_hier **ret,
	       size_t *ret_n, struct kerr *err)
{
	struct kcg_hier *h = xcalloc(l->n_v1 + 1, sizeof(*h));
	size_t n = 0;

	(void)err;
	for (size_t i = 0; i < l->n_v1; i++) {
		cleanup_free char *full = xasprintf("%s%s", l->v1[i].mount, path);
		int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			continue;  /* not made there (rootless), or removed already */
		h[n++] = (struct kcg_hier){ .mount = xstrdup(l->v1[i].mount),
					    .ctrls = xstrdup(l->v1[i].ctrls), .dirfd = fd };
	}
	*ret = h;
	*ret_n = n;
	return 0;
}

void cg_v1_as_layout(const struct kcgroup *cg, struct kcg_layout *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->v1 = cg->v1;
	ret->n_v1 = cg->n_v1;
}

int cg_v1_enter(struct kcgroup *cg, pid_t pid, struct kerr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	for (size_t i = 0; i < cg->n_v1; i++)
		if (write_file_at(cg->v1[i].dirfd, "cgroup.procs", buf, (size_t)n, err) < 0)
			return kerr_prefix(err, "join cgroup %s%s", cg->v1[i].mount, cg->path);
	return 0;
}

int cg_v1_any_fd(const struct kcgroup *cg)
{
	/* The freezer's first: the one kill and pause work through. */
	struct kcg_hier *f = cg_hier_find(cg->v1, cg->n_v1, "freezer");

	if (f != NULL)
		return f->dirfd;
	return cg->n_v1 > 0 ? cg->v1[0].dirfd : -1;
}

static int freezer_fd(const struct kcgroup *cg)
{
	struct kcg_hier *f = cg_hier_find(cg->v1, cg->n_v1, "freezer");

	return f ? f->dirfd : -1;
}

static bool state_is(int fd, const char *want)
{
	cleanup_free char *buf = NULL;
	struct kerr e;

	if (read_file_at(fd, "freezer.state", 64, &buf, NULL, &e) < 0)
		return false;
	return strncmp(buf, want, strlen(want)) == 0 && buf[strlen(want)] == '\n';
}

int cg_v1_is_frozen(struct kcgroup *cg)
{
	int fd = freezer_fd(cg);

	if (fd < 0)
		return -1;
	return state_is(fd, "FROZEN") ? 1 : 0;
}

int cg_v1_freeze(struct kcgroup *cg, bool frozen, struct kerr *err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	int fd = freezer_fd(cg), delay = 1;
	int64_t deadline = now_ms() + 10000;
	struct kerr e;

	if (fd < 0)
		return kerr_set(err, ENOTSUP, "no freezer cgroup for %s", cg->path);
	for (int attempt = 0;; attempt++) {
		/* A freeze can stall in FREEZING while tasks fork: write again
		 * now and then (runc thaws and retries the same way). */
		if (attempt % 20 == 0) {
			if (frozen && attempt > 0)
				write_file_at(fd, "freezer.state", "THAWED", 6, &e);
			if (write_file_at(fd, "freezer.state", want, strlen(want), err) < 0)
				return kerr_prefix(err, "%s %s%s", frozen ? "freeze" : "thaw",
						   cg_hier_find(cg->v1, cg->n_v1, "freezer")->mount,
						   cg->path);
		}
		if (state_is(fd, want))
			return 0;
		if (now_ms() >= deadline)
			break;
		poll(NULL, 0, delay);
		if (delay < 50)
			delay *= 2;
	}
	if (frozen)
		write_file_at(fd, "freezer.state", "THAWED", 6, &e);
	return kerr_set(err, ETIMEDOUT, "%s %s: freezer.state is not %s after 10 s",
			frozen ? "freeze" : "thaw", cg->path, want);
}

int cg_v1_kill_all(struct kcgroup *cg, int sig, struct kerr *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	bool froze = false;
	struct kerr e;
	int r = 0;

	/* Frozen, nothing forks between reading the list and the kill. */
	if (freezer_fd(cg) >= 0 && cg_v1_is_frozen(cg) == 0)
		froze = cg_v1_freeze(cg, true, &e) == 0;
	if (cg_collect_pids(cg_v1_any_fd(cg), &pids, &n, err) < 0)
		r = kerr_prefix(err, "list processes of %s", cg->path);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = kerr_errno(err, "kill %d", (int)pids[i]);
	if (froze)
		cg_v1_freeze(cg, false, &e);
	return r;
}

static bool v1_empty(const struct kcgroup *cg)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	struct kerr e;

	/* Unreadable: removed already (rmdir then has nothing to do). */
	return cg_collect_pids(cg_v1_any_fd(cg), &pids, &n, &e) < 0 || n == 0;
}

/* rmdir can still say EBUSY for a moment after the last task left. */
static int remove_dir(const struct kcg_hier *h, const char *path, struct kerr *err)
{
	cleanup_close int rootfd = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int64_t deadline = now_ms() + 5000;

	if (rootfd < 0)
		return kerr_errno(err, "open %s", h->mount);
	while (cg_rmdir_tree(rootfd, path + 1) < 0) {
		if (errno != EBUSY || now_ms() >= deadline)
			return kerr_errno(err, "remove cgroup %s%s", h->mount, path);
		poll(NULL, 0, 10);
	}
	cg_rmdir_default_parent(rootfd, path);
	return 0;
}

int cg_v1_destroy(struct kcgroup *cg, struct kerr *err)
{
	int64_t deadline = now_ms() + 10000;
	struct kerr e;

	if (cg->n_v1 == 0)
		return 0;
	/* Frozen tasks would not die of SIGKILL until thawed. */
	if (cg_v1_is_frozen(cg) == 1)
		cg_v1_freeze(cg, false, &e);
	while (!v1_empty(cg)) {
		if (cg_v1_kill_all(cg, SIGKILL, err) < 0)
			return kerr_prefix(err, "destroy cgroup %s", cg->path);
		if (now_ms() >= deadline)
			return kerr_set(err, EBUSY, "destroy cgroup %s: processes left after 10 s",
					cg->path);
		poll(NULL, 0, 10);
	}
	for (size_t i = 0; i < cg->n_v1; i++)
		if (remove_dir(&cg->v1[i], cg->path, err) < 0)
			return -1;
	return 0;
}

int cg_v1_oom_eventfd(const struct kcgroup *cg, struct kerr *err)
{
	struct kcg_hier *m = cg_hier_find(cg->v1, cg->n_v1, "memory");
	cleanup_close int efd = -1, ofd = -1;
	char buf[64];
	int n;

	if (m == NULL)
		return kerr_set(err, ENOENT, "no memory cgroup");
	/* The v1 notification API: "<eventfd> <fd of memory.oom_control>" to
	 * cgroup.event_control; the eventfd then counts OOM events, including
	 * the ones that kill nothing (disableOOMKiller). */
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ofd = openat(m->dirfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (efd < 0 || ofd < 0)
		return kerr_errno(err, "oom notification for %s", cg->path);
	n = snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
	if (write_file_at(m->dirfd, "cgroup.event_control", buf, (size_t)n, err) < 0)
		return kerr_prefix(err, "oom notification for %s", cg->path);
	return move_fd(&efd);
}
