/* `exec`: a new process in a running container. The runtime forks a child
 * that joins every namespace of the container's init (user first, in one
 * setns on a pidfd), enters the init's root, and forks again so the process
 * is inside the pid namespace; that grandchild waits until the parent has
 * put it in the container's cgroup, then sets itself up like the init does. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/stopat.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "lsm/lsm.h"
#include "namespaces/namespaces.h"
#include "runtime/foreground.h"
#include "runtime/process.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

static int append_strings(json_t *obj, const char *key, char **values)
{
	json_t *a = json_object_get(obj, key);

	if (values == NULL || values[0] == NULL)
		return 0;
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(obj, key, a);
	}
	for (size_t i = 0; values[i] != NULL; i++)
		json_array_append_new(a, json_string(values[i]));
	return 0;
}

static int parse_user(const char *s, json_t *user, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(s);
	char *colon = strchr(copy, ':');
	uint64_t uid, gid;

	if (colon != NULL)
		*colon++ = '\0';
	if (!parse_u64(copy, &uid) || uid > UINT32_MAX ||
	    (colon != NULL && (!parse_u64(colon, &gid) || gid > UINT32_MAX)))
		return kerr_set(err, EINVAL, "--user %s: expected UID[:GID]", s);
	json_object_set_new(user, "uid", json_integer((json_int_t)uid));
	if (colon != NULL)
		json_object_set_new(user, "gid", json_integer((json_int_t)gid));
	return 0;
}

/* The process to exec, as runc builds it: --process replaces everything;
 * otherwise the config's process with the command line's changes. */
static json_t *exec_process_json(const struct kspec *spec, const struct kexec_opts *o,
				 struct kerr *err)
{
	json_error_t jerr;
	json_t *p, *caps;

	if (o->process_json != NULL) {
		p = json_load_file(o->process_json, 0, &jerr);
		if (p == NULL)
			kerr_set(err, 0, "--process %s: %s", o->process_json, jerr.text);
		return p;
	}
	if (o->args == NULL || o->args[0] == NULL) {
		kerr_set(err, EINVAL, "exec: no command given (use -- CMD ARGS or --process)");
		return NULL;
	}
	p = json_deep_copy(json_object_get(spec->json, "process"));
	if (p == NULL)
		p = json_pack("{s:{s:i,s:i},s:s}", "user", "uid", 0, "gid", 0, "cwd", "/");
	json_object_set_new(p, "args", json_array());
	append_strings(p, "args", o->args);
	append_strings(p, "env", o->env);
	json_object_set_new(p, "terminal", json_boolean(o->tty));
	json_object_del(p, "consoleSize");
	/* exec -t relayed by us: the pty starts with our terminal's size (the
	 * master only reaches us once the process is about to exec). */
	if (o->tty && o->console_socket == NULL && !o->detach) {
		unsigned int rows, cols;

		if (tty_stdin_size(&rows, &cols) == 0)
			json_object_set_new(p, "consoleSize", json_pack("{s:I,s:I}", "height",
				(json_int_t)rows, "width", (json_int_t)cols));
	}
	if (o->cwd != NULL)
		json_object_set_new(p, "cwd", json_string(o->cwd));
	if (o->user != NULL && parse_user(o->user, json_object_get(p, "user"), err) < 0)
		goto fail;
	if (o->additional_gids != NULL) {
		json_t *gids = json_array();

		for (size_t i = 0; o->additional_gids[i] != NULL; i++) {
			uint64_t g;

			if (!parse_u64(o->additional_gids[i], &g) || g > UINT32_MAX) {
				json_decref(gids);
				kerr_set(err, EINVAL, "--additional-gids %s: not a gid",
					 o->additional_gids[i]);
				goto fail;
			}
			json_array_append_new(gids, json_integer((json_int_t)g));
		}
		json_object_set_new(json_object_get(p, "user"), "additionalGids", gids);
	}
	caps = json_object_get(p, "capabilities");
	if (o->caps != NULL && o->caps[0] != NULL) {
		static const char *const sets[] = { "bounding", "effective", "permitted",
						    "ambient", "inheritable" };

		if (!json_is_object(caps)) {
			caps = json_object();
			json_object_set_new(p, "capabilities", caps);
		}
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
			append_strings(caps, sets[i], o->caps);
	}
	if (o->no_new_privs)
		json_object_set_new(p, "noNewPrivileges", json_true());
	if (o->apparmor != NULL)
		json_object_set_new(p, "apparmorProfile", json_string(o->apparmor));
	if (o->process_label != NULL)
		json_object_set_new(p, "selinuxLabel", json_string(o->process_label));
	return p;
fail:
	json_decref(p);
	return NULL;
}

struct exec_child {
	const struct kspec *spec;
	const struct kprocess *proc;
	int sync_fd, console_fd, preserve_fds;
	int rootfd;            /* the init's root: /proc/PID/root */
	int pidfd;
	pid_t pid;
	unsigned long ns;
	bool rootless;
	pid_t runtime;         /* our pid, which the intermediate checks */
};

static _Noreturn void exec_grandchild(const struct exec_child *x)
{
	struct kproc_ctx pc = { .spec = x->spec, .proc = x->proc, .sync_fd = x->sync_fd,
				.console_fd = x->console_fd, .preserve_fds = x->preserve_fds,
				.rootless = x->rootless };
	struct kerr err = { 0 };
	char *exe = NULL;
	char **env = NULL;

	/* No PR_SET_PDEATHSIG here: the parent is the intermediate, which exits
	 * as soon as it has reported this pid, and the death signal would then
	 * kill this process at random. If the runtime dies, the sync socket
	 * reads EOF and this process exits. */
	if (sync_expect(x->sync_fd, SYNC_GO, NULL, NULL, &err) < 0)
		_exit(1);
	for (size_t i = 0; i < x->proc->n_rlimits; i++) {
		struct rlimit rl = { .rlim_cur = x->proc->rlimits[i].soft,
				     .rlim_max = x->proc->rlimits[i].hard };

		if (setrlimit((enum __rlimit_resource)x->proc->rlimits[i].resource, &rl) < 0) {
			kerr_errno(&err, "process.rlimits[%zu]", i);
			goto fail;
		}
	}
	if (process_prepare(&pc, &exe, &env, &err) < 0)
		goto fail;
	if (sync_send(x->sync_fd, SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	close(x->sync_fd);
	execve(exe, x->proc->args, env);
	dprintf(STDERR_FILENO, "kapsel: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
fail:
	sync_send_error(x->sync_fd, &err);
	_exit(1);
}

/* The intermediate: joins, enters the root, forks into the pid namespace. */
static _Noreturn void exec_child(const struct exec_child *x, int parent_sock)
{
	struct kerr err = { 0 };
	sigset_t none;
	pid_t pid;

	int keep[] = { x->sync_fd, x->console_fd, x->rootfd, x->pidfd, klog_fd() };

	close(parent_sock);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Until exec, nothing in the container may ptrace us or open our
	 * /proc/PID/exe (CVE-2019-5736 class). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Dies with the runtime (armed only for a runtime still alive): a
	 * killed exec must leave no process outside the container's cgroup. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != x->runtime)
		_exit(1);
	/* The runtime's other fds (the cgroup directory, signalfd, console
	 * socket pair) must not come in with us: a host directory fd is a way
	 * out of the root for a process in the container that can read our
	 * /proc/PID/fd (with CAP_SYS_PTRACE; CVE-2024-21626 class). */
	if (close_fds_except(3 + x->preserve_fds, keep, ARRAY_SIZE(keep), &err) < 0)
		goto fail;
	if (ns_join_pid(x->pidfd, x->pid, x->ns, &err) < 0)
		goto fail;
	debug_stop_at("exec:joined");
	if (fchdir(x->rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		kerr_errno(&err, "enter the container's root");
		goto fail;
	}
	close(x->rootfd);
	pid = fork();
	if (pid < 0) {
		kerr_errno(&err, "fork into the container's pid namespace");
		goto fail;
	}
	if (pid == 0)
		exec_grandchild(x);
	if (sync_send(x->sync_fd, SYNC_CHILD_PID, pid, -1, &err) < 0)
		_exit(1);
	_exit(0);
fail:
	sync_send_error(x->sync_fd, &err);
	_exit(1);
}

/* state: the container's state JSON, what a seccomp listenerPath agent gets
 * with the notify fd (config-linux.md), as for the init. */
static int serve_exec(int sock, const struct kspec *spec, struct kcgroup *cg, pid_t pid,
		      const char *state, struct kerr *err)
{
	if (cg != NULL && cgroup_enter(cg, pid, err) < 0)
		return -1;
	debug_stop_at("exec:cgroup");
	if (sync_send(sock, SYNC_GO, 0, -1, err) < 0)
		return -1;
	for (;;) {
		struct ksync_msg m;
		int fd = -1;

		if (sync_recv(sock, &m, &fd, err) < 0)
			return kerr_prefix(err, "exec");
		if (m.type == SYNC_READY) {
			debug_stop_at("exec:ready");
			return 0;
		}
		if (m.type == SYNC_SECCOMP_FD) {
			int r = lsm_send_seccomp_fd(spec, fd, state, err);

			close(fd);
			if (r < 0 || sync_send(sock, SYNC_SECCOMP_DONE, 0, -1, err) < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		return kerr_set(err, EPROTO, "exec: unexpected message %u", m.type);
	}
}

struct exec_target {
	struct kspec *spec;
	struct kcgroup *cg;
	char *state;           /* state JSON, taken while the state was open */
	pid_t pid;
	int pidfd, rootfd;
};

static int open_target(const struct kglobal *g, const char *id, const struct kexec_opts *o,
		       struct exec_target *t, struct kerr *err)
{
	struct kcontainer *c = NULL;
	enum kstatus s;
	char path[64];
	int ret = -1;

	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	s = container_status(c);
	if (s == KSTATUS_PAUSED && !o->ignore_paused) {
		kerr_set(err, 0, "cannot exec in a paused container %s (use --ignore-paused)", id);
		goto out;
	}
	if (s != KSTATUS_RUNNING && s != KSTATUS_CREATED && s != KSTATUS_PAUSED) {
		kerr_set(err, 0, "cannot exec in container %s: it is %s", id, kstatus_name(s));
		goto out;
	}
	t->pid = c->st.pid;
	t->pidfd = sys_pidfd_open(t->pid, 0);
	snprintf(path, sizeof(path), "/proc/%d/root", (int)t->pid);
	t->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Checked after opening: the fds now pin the process the state names. */
	if (t->pidfd < 0 || t->rootfd < 0 || proc_start_time(t->pid) != c->st.start_time) {
		kerr_set(err, ESRCH, "container %s is not running", id);
		goto out;
	}
	if (spec_load(c->st.bundle, &t->spec, err) < 0)
		goto out;
	if (c->st.cgroup_path != NULL && cgroup_open(c->st.cgroup_path, &t->cg, err) < 0)
		goto out;
	t->state = lifecycle_state_string(c);
	ret = 0;
out:
	container_close(c);
	return ret;
}

static void close_target(struct exec_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	if (t->rootfd >= 0)
		close(t->rootfd);
	cgroup_free(t->cg);
	spec_free(t->spec);
	free(t->state);
}

/* Forks the intermediate, answers the grandchild's sync points; returns the
 * grandchild's pid once it is about to exec. */
static pid_t exec_spawn(struct exec_child *x, struct exec_target *t, struct kerr *err)
{
	int socks[2];
	struct ksync_msg m;
	pid_t mid, pid = -1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		return kerr_errno(err, "socketpair");
	x->sync_fd = socks[1];
	mid = fork();
	if (mid < 0) {
		kerr_errno(err, "fork");
		goto out;
	}
	if (mid == 0)
		exec_child(x, socks[0]);
	close(socks[1]);
	socks[1] = -1;
	debug_stop_at("exec:forked");
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (sync_expect(socks[0], SYNC_CHILD_PID, &m, NULL, err) < 0)
		goto out;
	pid = (pid_t)m.value;
	if (serve_exec(socks[0], t->spec, t->cg, pid, t->state, err) < 0) {
		kill(pid, SIGKILL);
		pid = -1;
	}
out:
	close(socks[0]);
	if (socks[1] >= 0)
		close(socks[1]);
	return pid;
}

static int exec_console(const struct kexec_opts *o, bool terminal, int csocks[2],
			int *ret_console, struct kerr *err)
{
	*ret_console = -1;
	if (!terminal)
		return 0;
	if (o->console_socket != NULL) {
		*ret_console = tty_console_connect(o->console_socket, err);
		return *ret_console < 0 ? -1 : 0;
	}
	/* exec -t in the foreground: the pty master comes back to us. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, csocks) < 0)
		return kerr_errno(err, "socketpair");
	*ret_console = csocks[1];
	return 0;
}

int runtime_exec(const struct kglobal *g, const char *id, const struct kexec_opts *o,
		 int *ret_exit, struct kerr *err)
{
	struct exec_target t = { .pidfd = -1, .rootfd = -1 };
	struct kforeground f = { .sfd = -1 };
	struct kprocess *proc = NULL;
	json_t *pj = NULL;
	int csocks[2] = { -1, -1 };
	cleanup_close int master = -1, pidfd = -1;
	int console = -1, ret = -1;
	pid_t pid;

	*ret_exit = 0;
	if (open_target(g, id, o, &t, err) < 0)
		goto out;
	pj = exec_process_json(t.spec, o, err);
	if (pj == NULL || spec_process_parse(pj, &proc, err) < 0)
		goto out;
	if (proc->terminal && o->console_socket == NULL && o->detach) {
		kerr_set(err, 0, "exec: --tty with --detach needs --console-socket");
		goto out;
	}
	if (exec_console(o, proc->terminal, csocks, &console, err) < 0)
		goto out;
	if (!o->detach && foreground_begin(&f, err) < 0)
		goto out;
	{
		struct exec_child x = { .spec = t.spec, .proc = proc, .console_fd = console,
					.preserve_fds = o->preserve_fds, .rootfd = t.rootfd,
					.pidfd = t.pidfd, .pid = t.pid, .ns = ns_differing(t.pid),
					.rootless = g->rootless, .runtime = getpid() };

		pid = exec_spawn(&x, &t, err);
	}
	if (pid < 0)
		goto out;
	pidfd = sys_pidfd_open(pid, 0);
	if (o->pid_file != NULL && write_pid_file(o->pid_file, pid, err) < 0)
		goto out;
	if (o->detach) {
		ret = 0;
		goto out;
	}
	if (csocks[0] >= 0 && tty_recv_master_fd(csocks[0], &master, err) < 0)
		goto out;
	ret = foreground_wait(&f, pid, pidfd, master, ret_exit, err);
out:
	if (f.sfd >= 0)
		foreground_end(&f);
	if (console >= 0 && console != csocks[1])
		close(console);
	if (csocks[0] >= 0)
		close(csocks[0]);
	if (csocks[1] >= 0)
		close(csocks[1]);
	spec_process_free(proc);
	json_decref(pj);
	close_target(&t);
	return ret;
}
