#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stopat.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/hooks.h"
#include "runtime/image_run.h"
#include "runtime/network.h"

char *lifecycle_state_string(struct kcontainer *c)
{
	json_t *o = container_state_json(c);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s != NULL ? s : xstrdup("{}");
}

int wait_pidfd_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

/* Signals the init through a pidfd opened only after checking its start
 * time, so a recycled pid is never signalled. */
static int signal_init(struct kcontainer *c, int sig, struct kerr *err)
{
	cleanup_close int pidfd = sys_pidfd_open(c->st.pid, 0);

	if (pidfd < 0 || proc_start_time(c->st.pid) != c->st.start_time)
		return kerr_set(err, ESRCH, "container %s is not running", c->st.id);
	if (sys_pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		return kerr_errno(err, "kill container %s", c->st.id);
	return 0;
}

int lifecycle_start(struct kcontainer *c, struct kspec *spec, struct kerr *err)
{
	cleanup_close int fifo = -1, pidfd = -1;
	struct pollfd p[2];
	char byte;
	ssize_t n;

	/* The pidfd first: once the fifo is open the init may exec, run and
	 * exit (and be reaped) before we look at it. */
	pidfd = sys_pidfd_open(c->st.pid, 0);
	if (pidfd < 0)
		return kerr_errno(err, "container %s: init process", c->st.id);
	/* A non-blocking open for reading succeeds at once; the init's blocking
	 * open for writing then completes and it writes one byte. */
	fifo = openat(c->dirfd, EXEC_FIFO_NAME, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return kerr_errno(err, "open exec fifo of %s", c->st.id);
	p[0] = (struct pollfd){ .fd = fifo, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return kerr_errno(err, "wait for container %s to start", c->st.id);
		}
		if (p[0].revents & POLLIN)
			break;
		if (p[1].revents & POLLIN)
			return kerr_set(err, ESRCH, "container %s: init exited before start",
					c->st.id);
	}
	n = read(fifo, &byte, 1);
	if (n != 1)
		return kerr_set(err, EIO, "container %s: init did not start", c->st.id);
	/* EOF: the init's fifo fd closed on execve, so the process runs now. */
	p[0].events = POLLIN;
	while (read(fifo, &byte, 1) != 0) {
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return kerr_errno(err, "wait for container %s to exec", c->st.id);
		if ((p[1].revents & POLLIN) && !(p[0].revents & (POLLIN | POLLHUP)))
			break;   /* it exited; its status tells the rest */
	}
	if (unlinkat(c->dirfd, EXEC_FIFO_NAME, 0) < 0)
		return kerr_errno(err, "remove exec fifo of %s", c->st.id);
	if (spec != NULL) {
		cleanup_free char *state = lifecycle_state_string(c);

		/* runtime.md: a failing poststart hook is an error and stops the
		 * container; delete (and its poststop hooks) follows as usual. */
		if (hooks_run(spec->hooks, KHOOK_POSTSTART, state, 0, err) < 0) {
			signal_init(c, SIGKILL, NULL);
			return kerr_prefix(err, "start %s", c->st.id);
		}
	}
	return 0;
}

int lifecycle_destroy(struct kcontainer *c, struct kspec *spec, struct kerr *err)
{
	struct kcgroup *cg = NULL;
	struct kerr e = { 0 };
	cleanup_close int pidfd = -1;
	int ret = 0;

	if (container_status(c) != KSTATUS_STOPPED) {
		pidfd = sys_pidfd_open(c->st.pid, 0);
		if (signal_init(c, SIGKILL, &e) < 0)
			kdebug("%s", e.msg);
	}
	debug_stop_at("delete:killed");
	if (c->st.cgroup_path != NULL && c->st.systemd_cgroup &&
	    cgroup_open_systemd(c->st.cgroup_path, &cg, &e) < 0) {
		/* systemd gone: its unit with it; the files can still go. */
		klog(KLOG_WARN, "container %s: %s", c->st.id, e.msg);
		cg = NULL;
	}
	if (c->st.cgroup_path != NULL &&
	    (cg != NULL || cgroup_open(c->st.cgroup_path, &cg, &e) == 0)) {
		if (cgroup_destroy(cg, err) < 0)
			ret = -1;
		cgroup_free(cg);
	}
	debug_stop_at("delete:cgroup");
	if (pidfd >= 0 && wait_pidfd_exit(pidfd, 10000) < 0 && ret == 0)
		ret = kerr_set(err, ETIMEDOUT, "container %s: init did not exit after SIGKILL",
			       c->st.id);
	if (ret < 0) {
		container_close(c);
		return -1;
	}
	if (spec != NULL) {
		cleanup_free char *state = lifecycle_state_string(c);

		/* runtime.md: poststop failures are logged, delete goes on. */
		if (hooks_run(spec->hooks, KHOOK_POSTSTOP, state, 0, &e) < 0)
			klog(KLOG_WARN, "%s", e.msg);
	}
	network_detach(c);
	debug_stop_at("delete:network");
	image_run_release(c);
	return container_remove(c, err);
}

int runtime_start(const struct kglobal *g, const char *id, struct kerr *err)
{
	struct kcontainer *c = NULL;
	struct kspec *spec = NULL;
	enum kstatus s;
	int ret;

	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	s = container_status(c);
	if (s != KSTATUS_CREATED) {
		kerr_set(err, 0, "cannot start container %s: it is %s, not created", id,
			 kstatus_name(s));
		container_close(c);
		return -1;
	}
	/* The bundle's hooks are read again: start may run long after create. */
	if (spec_load(c->st.bundle, &spec, NULL) < 0)
		spec = NULL;
	ret = lifecycle_start(c, spec, err);
	spec_free(spec);
	container_close(c);
	return ret;
}

int runtime_kill(const struct kglobal *g, const char *id, int sig, bool all, struct kerr *err)
{
	struct kcontainer *c = NULL;
	enum kstatus s;
	int ret;

	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	s = container_status(c);
	if (s == KSTATUS_STOPPED || s == KSTATUS_CREATING) {
		kerr_set(err, ESRCH, "container %s is not running", id);
		container_close(c);
		return -1;
	}
	if (all && c->st.cgroup_path != NULL) {
		struct kcgroup *cg = NULL;

		ret = cgroup_open(c->st.cgroup_path, &cg, err);
		if (ret == 0)
			ret = cgroup_kill_all(cg, sig, err);
		cgroup_free(cg);
	} else {
		ret = signal_init(c, sig, err);
	}
	container_close(c);
	return ret;
}

/* The leftovers of an id without state (a state directory without
 * state.json, the default cgroup, an IPAM record): what an older kapsel
 * killed halfway could leave. A cgroup that still has processes is not ours
 * to judge (another --root may use the same id): only an empty one goes,
 * and only while no create of the id has made its state directory (which
 * it does before its cgroup). */
static void forget_leftovers(const struct kglobal *g, const char *id)
{
	cleanup_close int rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;
	cleanup_free char *path = NULL;
	cleanup_free pid_t *pids = NULL;
	struct kcgroup *cg = NULL;
	struct kerr e = { 0 };
	size_t n = 0;

	if (rootfd < 0)
		return;
	fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		/* Under its lock: a create that got there first has a state. */
		if (flock(fd, LOCK_EX) < 0 || faccessat(fd, "state.json", F_OK, 0) == 0 ||
		    errno != ENOENT)
			return;
		rm_rf_at(rootfd, id, NULL);
	}
	if (cgroup_plan_path(id, NULL, g->rootless, &path, &e) == 0 && path != NULL &&
	    cgroup_open(path, &cg, &e) == 0) {
		if (cgroup_pids(cg, &pids, &n, &e) == 0 && n == 0 &&
		    faccessat(rootfd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
		    cgroup_destroy(cg, &e) < 0)
			kdebug("%s", e.msg);
		cgroup_free(cg);
	}
	network_forget(g->root, id);
}

int runtime_delete(const struct kglobal *g, const char *id, bool force, struct kerr *err)
{
	struct kcontainer *c = NULL;
	struct kspec *spec = NULL;
	enum kstatus s;
	int ret;

	if (runtime_id_valid(id))
		state_sweep(g->root, id);
	if (container_open(g->root, id, &c, err) < 0) {
		/* runc: --force on a missing container is not an error (containerd
		 * relies on it); what a crashed runtime left of the id goes. */
		if (force && err != NULL && err->code == ENOENT && runtime_id_valid(id)) {
			forget_leftovers(g, id);
			return 0;
		}
		return -1;
	}
	s = container_status(c);
	/* runc deletes a created (never started) container without --force. */
	if (!force && s != KSTATUS_STOPPED && s != KSTATUS_CREATED) {
		kerr_set(err, 0, "cannot delete container %s that is not stopped: %s", id,
			 kstatus_name(s));
		container_close(c);
		return -1;
	}
	if (spec_load(c->st.bundle, &spec, NULL) < 0)
		spec = NULL;
	ret = lifecycle_destroy(c, spec, err);
	spec_free(spec);
	return ret;
}

int runtime_state(const struct kglobal *g, const char *id, json_t **ret, struct kerr *err)
{
	struct kcontainer *c = NULL;

	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	*ret = container_state_json(c);
	container_close(c);
	return *ret != NULL ? 0 : kerr_set(err, ENOMEM, "state of %s", id);
}

int runtime_list(const struct kglobal *g, json_t **ret, struct kerr *err)
{
	cleanup_strv char **ids = NULL;
	json_t *list;

	/* What crashed commands left beside the containers goes first. */
	state_sweep(g->root, NULL);
	if (state_list_ids(g->root, &ids, err) < 0)
		return -1;
	list = json_array();
	for (size_t i = 0; ids[i] != NULL; i++) {
		struct kcontainer *c = NULL;

		/* One being deleted right now simply drops out of the list. */
		if (container_open(g->root, ids[i], &c, NULL) < 0)
			continue;
		json_array_append_new(list, container_state_json(c));
		container_close(c);
	}
	*ret = list;
	return 0;
}
