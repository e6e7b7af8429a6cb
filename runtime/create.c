/* The parent side of the start-up recipe: validate everything, make the
 * state directory and cgroup, clone the init into its namespaces, answer its
 * sync points, and record it. Any failure unwinds all of it. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/stopat.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "lsm/lsm.h"
#include "namespaces/namespaces.h"
#include "runtime/hooks.h"
#include "runtime/image_run.h"
#include "runtime/init.h"
#include "runtime/network.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

static int validate(const struct kglobal *g, const struct kspec *spec,
		    const struct kcreate_opts *o, struct kerr *err)
{
	struct stat sb;

	(void)g;
	if (spec->process == NULL)
		return kerr_set(err, 0, "config.json: process: required to create a container");
	if (stat(spec->root_path, &sb) < 0)
		return kerr_errno(err, "rootfs %s (root.path)", spec->root_path);
	if (!S_ISDIR(sb.st_mode))
		return kerr_set(err, ENOTDIR, "rootfs %s (root.path): not a directory",
				spec->root_path);
	if (spec->process->terminal && o->console_socket == NULL && o->detach)
		return kerr_set(err, 0, "process.terminal is true: --console-socket is required "
					"for a detached container");
	if (cgroups_validate(spec->resources, err) < 0)
		return -1;
	return lsm_validate(spec, err);
}

char *lifecycle_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
	return xstrdup(buf);
}

/* The host id that container id 0 maps to (own when there is no mapping). */
static unsigned int host_id(const struct kidmap *m, size_t n, unsigned int own)
{
	for (size_t i = 0; i < n; i++) {
		if (m[i].container_id == 0)
			return m[i].host_id;
	}
	return own;
}

static bool has_hooks(json_t *hooks, const char *const *kinds)
{
	for (; *kinds != NULL; kinds++) {
		json_t *a = json_object_get(hooks, *kinds);

		if (json_is_array(a) && json_array_size(a) > 0)
			return true;
	}
	return false;
}

/* Clones the init, through an intermediate process when namespaces are
 * joined by path: setns into a pid or user namespace affects only children
 * (pid) or must precede the creation of the others (user). */
static pid_t spawn_init(struct kinit_args *a, int parent_sock, int cgroup_fd, bool *in_cgroup,
			struct kerr *err)
{
	unsigned long flags = ns_new_flags(a->spec) & ~(unsigned long)CLONE_NEWCGROUP;
	struct ksync_msg m;
	pid_t pid, mid, self;
	int status;

	*in_cgroup = false;
	if (!ns_has_joins(a->spec)) {
		pid = ns_clone(flags, cgroup_fd, in_cgroup, err);
		if (pid == 0) {
			close(parent_sock);
			init_main(a);
		}
		return pid;
	}
	self = getpid();
	mid = fork();
	if (mid < 0)
		return kerr_errno(err, "fork");
	if (mid == 0) {
		struct kerr e = { 0 };
		bool joined;

		close(parent_sock);
		/* The death signal is only armed for a parent still alive. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != self)
			_exit(1);
		if (ns_join_paths(a->spec, &e) < 0)
			goto fail;
		pid = ns_clone(flags, -1, &joined, &e);
		if (pid == 0)
			init_main(a);
		if (pid < 0 || sync_send(a->sync_fd, SYNC_CHILD_PID, pid, -1, &e) < 0)
			goto fail;
		_exit(0);
fail:
		sync_send_error(a->sync_fd, &e);
		_exit(1);
	}
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (sync_expect(parent_sock, SYNC_CHILD_PID, &m, NULL, err) < 0)
		return -1;
	return (pid_t)m.value;
}

static int set_limits(const struct kcreated *k, struct kerr *err)
{
	const struct kprocess *p = k->spec->process;

	/* From the parent: a process in a new user namespace may not raise its
	 * own hard limits, the runtime may. */
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard };

		if (prlimit(k->pid, (enum __rlimit_resource)p->rlimits[i].resource, &rl, NULL) < 0)
			return kerr_errno(err, "process.rlimits[%zu]", i);
	}
	if (p->has_oom_score_adj) {
		char path[64], val[16];

		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)k->pid);
		snprintf(val, sizeof(val), "%d", p->oom_score_adj);
		if (write_file_at(AT_FDCWD, path, val, strlen(val), err) < 0)
			return kerr_prefix(err, "process.oomScoreAdj");
	}
	return 0;
}

static int run_hooks(struct kcreated *k, enum khook_kind kind, pid_t ns_pid, struct kerr *err)
{
	cleanup_free char *state = lifecycle_state_string(k->c);

	return hooks_run(k->spec->hooks, kind, state, ns_pid, err);
}

/* Answers the init's sync points until it reports READY. */
static int serve_child(struct kcreated *k, int sock, struct kerr *err)
{
	for (;;) {
		struct ksync_msg m;
		int fd = -1;

		if (sync_recv(sock, &m, &fd, err) < 0)
			return kerr_prefix(err, "create %s", k->c->st.id);
		switch (m.type) {
		case SYNC_PRE_PIVOT:
			if (run_hooks(k, KHOOK_PRESTART, 0, err) < 0 ||
			    run_hooks(k, KHOOK_CREATE_RUNTIME, 0, err) < 0 ||
			    run_hooks(k, KHOOK_CREATE_CONTAINER, k->pid, err) < 0)
				return -1;
			if (sync_send(sock, SYNC_PRE_PIVOT_DONE, 0, -1, err) < 0)
				return -1;
			break;
		case SYNC_SECCOMP_FD: {
			cleanup_free char *state = lifecycle_state_string(k->c);
			int r = lsm_send_seccomp_fd(k->spec, fd, state, err);

			close(fd);
			if (r < 0 || sync_send(sock, SYNC_SECCOMP_DONE, 0, -1, err) < 0)
				return -1;
			break;
		}
		case SYNC_READY:
			return 0;
		default:
			if (fd >= 0)
				close(fd);
			return kerr_set(err, EPROTO, "create %s: unexpected message %u from init",
					k->c->st.id, m.type);
		}
	}
}

/* The container exists once its state says so. Before, a runtime killed
 * at any point leaves a process that dies with it (PR_SET_PDEATHSIG, or EOF
 * on the sync socket until GO) or one the state records since its clone. */
static int commit(struct kcreated *k, struct kerr *err)
{
	k->c->st.creating = false;
	if (container_save(k->c, err) < 0)
		return -1;
	debug_stop_at("create:committed");
	return 0;
}

static int start_init(const struct kglobal *g, struct kcreated *k, const struct kcreate_opts *o,
		      int console_fd, struct kerr *err)
{
	static const char *const pre_pivot[] = { "prestart", "createRuntime", "createContainer",
						 NULL };
	unsigned long flags = ns_new_flags(k->spec);
	cleanup_close int fifo = -1, console = -1;
	int socks[2] = { -1, -1 };
	struct kinit_args a = {
		.spec = k->spec,
		.id = k->c->st.id,
		.preserve_fds = o->preserve_fds,
		.no_pivot = o->no_pivot,
		.rootless = g->rootless,
		.new_userns = (flags & CLONE_NEWUSER) != 0,
		.new_cgroupns = (flags & CLONE_NEWCGROUP) != 0,
		.new_netns = (flags & CLONE_NEWNET) != 0,
		.via_intermediate = ns_has_joins(k->spec),
		.hooks_pre_pivot = has_hooks(k->spec->hooks, pre_pivot),
		.console_fd = -1,
		.state_dirfd = k->c->dirfd,
	};
	int cgfd = k->cg != NULL ? cgroup_dirfd(k->cg) : -1;
	bool in_cgroup = false;
	int ret = -1;

	/* The init reopens it after dropping to process.user, maybe inside a
	 * user namespace: as runc does, writable by all (the state directory
	 * root is 0700, so only through the init's fd) and owned by the
	 * container's root. */
	if (mkfifoat(k->c->dirfd, EXEC_FIFO_NAME, 0622) < 0)
		return kerr_errno(err, "create exec fifo");
	fifo = openat(k->c->dirfd, EXEC_FIFO_NAME, O_PATH | O_CLOEXEC);
	if (fifo < 0)
		return kerr_errno(err, "open exec fifo");
	if (fchmodat(k->c->dirfd, EXEC_FIFO_NAME, 0622, 0) < 0 ||
	    fchownat(k->c->dirfd, EXEC_FIFO_NAME, host_id(k->spec->uid_mappings,
						       k->spec->n_uid_mappings, geteuid()),
		     host_id(k->spec->gid_mappings, k->spec->n_gid_mappings, getegid()), 0) < 0)
		return kerr_errno(err, "chown exec fifo");
	if (k->spec->process->terminal && console_fd >= 0) {
		console = dup(console_fd);
		if (console < 0 || fcntl(console, F_SETFD, FD_CLOEXEC) < 0)
			return kerr_errno(err, "dup console socket");
	} else if (k->spec->process->terminal && o->console_socket != NULL) {
		console = tty_console_connect(o->console_socket, err);
		if (console < 0)
			return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return kerr_errno(err, "socketpair");
	a.sync_fd = socks[1];
	a.fifo_fd = fifo;
	a.console_fd = console;
	k->pid = spawn_init(&a, socks[0], cgfd, &in_cgroup, err);
	close(socks[1]);
	if (k->pid < 0)
		goto out;
	k->pidfd = sys_pidfd_open(k->pid, 0);
	/* Recorded at once: delete -f after a crash from here on finds it. */
	k->c->st.pid = k->pid;
	k->c->st.start_time = proc_start_time(k->pid);
	if (container_save(k->c, err) < 0)
		goto out;
	debug_stop_at("create:spawned");
	if (k->cg != NULL && !in_cgroup && cgroup_enter(k->cg, k->pid, err) < 0)
		goto out;
	if (k->cg != NULL && k->c->st.cgroup_path == NULL) {   /* systemd's scope */
		k->c->st.cgroup_path = xstrdup(cgroup_path(k->cg));
		if (container_save(k->c, err) < 0)
			goto out;
	}
	if (a.new_userns && ns_write_id_maps(k->pid, k->spec, g->rootless, err) < 0)
		goto out;
	if (set_limits(k, err) < 0 || network_attach(g, k->c, k->net, k->pid, err) < 0)
		goto out;
	debug_stop_at("create:network");
	if (sync_send(socks[0], SYNC_GO, 0, -1, err) < 0 || serve_child(k, socks[0], err) < 0)
		goto out;
	debug_stop_at("create:ready");
	ret = commit(k, err);
out:
	close(socks[0]);
	return ret;
}

static void undo_create(struct kcreated *k)
{
	struct kerr ignore = { 0 };

	if (k->pid > 0) {
		if (k->pidfd >= 0)
			sys_pidfd_send_signal(k->pidfd, SIGKILL, NULL, 0);
		else
			kill(k->pid, SIGKILL);
		/* Our own child, unless an intermediate process forked it. */
		while (waitpid(k->pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (k->pidfd >= 0)
			wait_pidfd_exit(k->pidfd, 5000);
	}
	if (k->pid > 0 && k->c != NULL && k->spec != NULL) {
		cleanup_free char *state = lifecycle_state_string(k->c);

		/* runtime.md: a failed create goes on to delete, which runs poststop. */
		if (hooks_run(k->spec->hooks, KHOOK_POSTSTOP, state, 0, &ignore) < 0)
			klog(KLOG_WARN, "%s", ignore.msg);
	}
	if (k->c != NULL) {
		network_detach(k->c);
		image_run_release(k->c);
	}
	if (k->cg != NULL) {
		cgroup_destroy(k->cg, &ignore);
		cgroup_free(k->cg);
		k->cg = NULL;
	}
	if (k->c != NULL) {
		container_remove(k->c, &ignore);
		k->c = NULL;
	}
	lifecycle_release(k);
}

int lifecycle_create(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		     int console_fd, struct kcreated *ret, struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };
	cleanup_free char *image_bundle = NULL;
	const char *bundle = o->bundle ? o->bundle : ".";

	if (!runtime_id_valid(id))
		return kerr_set(err, EINVAL, "invalid container id \"%s\"", id);
	if (o->image != NULL) {
		if (o->bundle != NULL)
			return kerr_set(err, EINVAL, "--image and --bundle exclude each other");
		/* The bundle lives in the state directory: it comes first. */
		if (container_new(g->root, id, &k.c, err) < 0)
			return -1;
		if (image_run_prepare(g, k.c, o->image, &image_bundle, err) < 0)
			goto fail;
		bundle = image_bundle;
	}
	if (spec_load(bundle, &k.spec, err) < 0 || validate(g, k.spec, o, err) < 0 ||
	    network_prepare(g, o, k.spec, id, &k.net, err) < 0)
		goto fail;
	if (k.c == NULL && container_new(g->root, id, &k.c, err) < 0)
		goto fail;
	debug_stop_at("create:state");
	k.c->st.bundle = xstrdup(k.spec->bundle);
	k.c->st.created = lifecycle_now();
	k.c->st.owner = geteuid();
	k.c->st.rootless = g->rootless;
	k.c->st.annotations = json_incref(k.spec->annotations);
	/* The cgroup's path goes in before the cgroup exists (see commit());
	 * a systemd scope is systemd's to remove once its processes are gone. */
	if ((!g->systemd_cgroup &&
	     cgroup_plan_path(id, k.spec->cgroups_path, g->rootless, &k.c->st.cgroup_path,
			      err) < 0) ||
	    container_save(k.c, err) < 0)
		goto fail;
	if ((g->systemd_cgroup ? cgroup_create_systemd : cgroup_create)(
		    id, k.spec->cgroups_path, k.spec->resources, g->rootless, &k.cg, err) < 0) {
		/* "already exists": the path we recorded is another's cgroup. */
		free(k.c->st.cgroup_path);
		k.c->st.cgroup_path = NULL;
		goto fail;
	}
	k.c->st.systemd_cgroup = g->systemd_cgroup;
	free(k.c->st.cgroup_path);
	/* A systemd scope's cgroup is known once it holds the init (start_init). */
	k.c->st.cgroup_path = k.cg != NULL && !g->systemd_cgroup ? xstrdup(cgroup_path(k.cg))
								  : NULL;
	debug_stop_at("create:cgroup");
	if (start_init(g, &k, o, console_fd, err) < 0)
		goto fail;
	if (o->pid_file != NULL && write_pid_file(o->pid_file, k.pid, err) < 0)
		goto fail;
	*ret = k;
	return 0;
fail:
	undo_create(&k);
	return -1;
}

void lifecycle_release(struct kcreated *k)
{
	knet_config_free(k->net);
	k->net = NULL;
	if (k->pidfd >= 0)
		close(k->pidfd);
	k->pidfd = -1;
	cgroup_free(k->cg);
	k->cg = NULL;
	container_close(k->c);
	k->c = NULL;
	spec_free(k->spec);
	k->spec = NULL;
}

int write_pid_file(const char *path, pid_t pid, struct kerr *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	return write_file_atomic_at(AT_FDCWD, path, buf, (size_t)n, 0644, err) < 0
		       ? kerr_prefix(err, "--pid-file")
		       : 0;
}
