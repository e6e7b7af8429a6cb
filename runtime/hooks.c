/* Running OCI hooks: fork, (join the container's namespaces,) exec, feed the
 * state on stdin, collect the output, enforce the timeout. See hooks.h for
 * the rules the callers follow. */
#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/util.h"

extern char **environ;

/* The hook's output kept for the error message; the rest is only counted. */
#define HOOK_OUTPUT_MAX 4096
/* The part of the first output line that goes into the one-line error. */
#define HOOK_LINE_MAX 200
#define HOOK_TIMEOUT_MAX 1000000000L

static const char *const hook_names[KHOOK_COUNT] = {
	[KHOOK_PRESTART] = "prestart",
	[KHOOK_CREATE_RUNTIME] = "createRuntime",
	[KHOOK_CREATE_CONTAINER] = "createContainer",
	[KHOOK_START_CONTAINER] = "startContainer",
	[KHOOK_POSTSTART] = "poststart",
	[KHOOK_POSTSTOP] = "poststop",
};

const char *khook_name(enum khook_kind kind)
{
	if ((unsigned)kind >= KHOOK_COUNT)
		return "unknown";
	return hook_names[kind];
}

/* One hook, ready to exec: everything allocated before fork(). */
struct hook_cmd {
	const char *path;
	char **argv;
	char **envp;        /* NULL: the runtime's environ */
	long timeout;       /* seconds, 0: none */
};

static void hook_cmd_free(struct hook_cmd *c)
{
	strv_free(c->argv);
	strv_free(c->envp);
	c->argv = c->envp = NULL;
}

/* --- validation ---------------------------------------------------------- */

static int validate_strv(json_t *v, const char *field, const char *kname, size_t i,
			 struct kerr *err)
{
	size_t j;
	json_t *s;

	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return kerr_set(err, 0, "hooks.%s[%zu].%s: must be an array of strings", kname, i,
				field);
	json_array_foreach(v, j, s) {
		if (!json_is_string(s))
			return kerr_set(err, 0, "hooks.%s[%zu].%s[%zu]: must be a string", kname,
					i, field, j);
	}
	return 0;
}

static int validate_one(json_t *h, const char *kname, size_t i, struct kerr *err)
{
	json_t *path, *timeout;

	if (!json_is_object(h))
		return kerr_set(err, 0, "hooks.%s[%zu]: must be an object", kname, i);
	path = json_object_get(h, "path");
	if (!json_is_string(path) || json_string_value(path)[0] != '/')
		return kerr_set(err, 0, "hooks.%s[%zu].path: must be an absolute path", kname, i);
	if (validate_strv(json_object_get(h, "args"), "args", kname, i, err) < 0 ||
	    validate_strv(json_object_get(h, "env"), "env", kname, i, err) < 0)
		return -1;
	timeout = json_object_get(h, "timeout");
	if (timeout != NULL && (!json_is_integer(timeout) || json_integer_value(timeout) <= 0))
		return kerr_set(err, 0, "hooks.%s[%zu].timeout: must be an integer > 0", kname, i);
	return 0;
}

int hooks_validate(json_t *hooks, struct kerr *err)
{
	if (hooks == NULL || json_is_null(hooks))
		return 0;
	if (!json_is_object(hooks))
		return kerr_set(err, 0, "hooks: must be an object");
	for (int k = 0; k < KHOOK_COUNT; k++) {
		json_t *arr = json_object_get(hooks, hook_names[k]);
		json_t *h;
		size_t i;

		if (arr == NULL || json_is_null(arr))
			continue;
		if (!json_is_array(arr))
			return kerr_set(err, 0, "hooks.%s: must be an array", hook_names[k]);
		json_array_foreach(arr, i, h) {
			if (validate_one(h, hook_names[k], i, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* --- preparing one hook -------------------------------------------------- */

static char **strv_from_json(json_t *arr)
{
	char **v = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_t *s;
	size_t i;

	json_array_foreach(arr, i, s)
		v[i] = xstrdup(json_string_value(s));
	return v;
}

static int hook_cmd_init(json_t *h, struct hook_cmd *c, struct kerr *err)
{
	json_t *args = json_object_get(h, "args");
	json_t *env = json_object_get(h, "env");
	json_t *timeout = json_object_get(h, "timeout");

	memset(c, 0, sizeof(*c));
	c->path = json_string_value(json_object_get(h, "path"));
	if (c->path == NULL || c->path[0] != '/')
		return kerr_set(err, 0, "path: must be an absolute path");
	/* Empty "args" behaves like an absent one, as Go's exec does in runc. */
	if (json_is_array(args) && json_array_size(args) > 0) {
		c->argv = strv_from_json(args);
	} else {
		c->argv = xcalloc(2, sizeof(char *));
		c->argv[0] = xstrdup(c->path);
	}
	/* runc hands a hook without "env" the runtime's own environment. */
	if (json_is_array(env))
		c->envp = strv_from_json(env);
	/* Clamped so the deadline in milliseconds cannot overflow (~30 years). */
	if (json_is_integer(timeout) && json_integer_value(timeout) > 0)
		c->timeout = json_integer_value(timeout) > HOOK_TIMEOUT_MAX
				     ? HOOK_TIMEOUT_MAX
				     : (long)json_integer_value(timeout);
	return 0;
}

/* --- the child side (after fork: no allocation, no stdio) ---------------- */

/* What a child reports through the error pipe when it cannot exec. */
struct child_fail {
	int stage;      /* enum child_stage */
	int errnum;
	int ns;         /* index into ns_order for CHILD_SETNS */
};

enum child_stage { CHILD_SETUP, CHILD_OPEN_NS, CHILD_SETNS, CHILD_FORK, CHILD_EXEC };

/* User first: once in the container's user ns the runtime holds the
 * capabilities over the namespaces that ns owns (as nsenter does). Mount
 * before time, and pid only takes effect for the grandchild. */
static const struct {
	const char *name;
	int flag;
} ns_order[] = {
	{ "user", CLONE_NEWUSER }, { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },   { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID },
	{ "mnt", CLONE_NEWNS },    { "time", CLONE_NEWTIME },
};

/* Prepared in the parent so the child only opens and joins. */
struct ns_paths {
	char target[ARRAY_SIZE(ns_order)][64];
};

static void ns_paths_init(struct ns_paths *p, pid_t pid)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_order); i++)
		snprintf(p->target[i], sizeof(p->target[i]), "/proc/%d/ns/%s", (int)pid,
			 ns_order[i].name);
}

static __attribute__((noreturn)) void child_die(int errfd, int stage, int errnum, int ns)
{
	struct child_fail f = { .stage = stage, .errnum = errnum, .ns = ns };

	(void)!write(errfd, &f, sizeof(f));
	_exit(127);
}

/* Joins every namespace of the target that differs from ours: setns() into
 * the namespace we are already in fails with EINVAL for user namespaces. */
static void child_setns(const struct ns_paths *p, int errfd)
{
	int fds[ARRAY_SIZE(ns_order)];

	/* Open all first: after joining the mount ns, /proc may be another one. */
	for (size_t i = 0; i < ARRAY_SIZE(ns_order); i++) {
		char self[64];
		struct stat a, b;

		fds[i] = -1;
		snprintf(self, sizeof(self), "/proc/self/ns/%s", ns_order[i].name);
		if (stat(p->target[i], &a) < 0) {
			if (errno == ENOENT)   /* kernel without this namespace type */
				continue;
			child_die(errfd, CHILD_OPEN_NS, errno, (int)i);
		}
		if (stat(self, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			continue;
		fds[i] = open(p->target[i], O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			child_die(errfd, CHILD_OPEN_NS, errno, (int)i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ns_order); i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], ns_order[i].flag) < 0)
			child_die(errfd, CHILD_SETNS, errno, (int)i);
		close(fds[i]);
	}
}

/* Puts fd on target (0, 1, 2) without close-on-exec. */
static int child_place_fd(int fd, int target)
{
	return dup3(fd, target, 0) < 0 ? -1 : 0;
}

static __attribute__((noreturn)) void child_exec(const struct hook_cmd *c, int in_fd, int out_fd,
						 int errfd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int in2, out2;

	/* Move both above 2 first so placing one cannot clobber the other. */
	in2 = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
	out2 = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
	if (in2 < 0 || out2 < 0 || child_place_fd(in2, 0) < 0 || child_place_fd(out2, 1) < 0 ||
	    child_place_fd(out2, 2) < 0)
		child_die(errfd, CHILD_SETUP, errno, 0);
	/* Nothing of the runtime (state dir, sync sockets, log file) reaches the
	 * hook: everything above 2 is close-on-exec, including errfd. */
	if (sys_close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 && mark_cloexec_from(3, NULL) < 0)
		child_die(errfd, CHILD_SETUP, errno, 0);
	/* Ignored signals and the mask survive exec: give the hook a clean slate
	 * (the runtime ignores SIGPIPE and blocks signals it reads by signalfd). */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(c->path, c->argv, c->envp != NULL ? c->envp : environ);
	child_die(errfd, CHILD_EXEC, errno, 0);
}

/* Relays the grandchild's fate as our own, so the parent sees one process. */
static __attribute__((noreturn)) void child_mirror(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			_exit(127);
	if (WIFSIGNALED(status)) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigset_t set;

		sigaction(WTERMSIG(status), &dfl, NULL);
		sigemptyset(&set);
		sigaddset(&set, WTERMSIG(status));
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		kill(getpid(), WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

static __attribute__((noreturn)) void child_main(const struct hook_cmd *c,
						 const struct ns_paths *ns, int in_fd,
						 int out_fd, int errfd)
{
	pid_t pid;

	/* Own process group: a timeout kills the hook and all it started. */
	setpgid(0, 0);
	if (ns == NULL)
		child_exec(c, in_fd, out_fd, errfd);
	child_setns(ns, errfd);
	/* A pid namespace applies to children only: fork once more. */
	pid = fork();
	if (pid < 0)
		child_die(errfd, CHILD_FORK, errno, 0);
	if (pid == 0)
		child_exec(c, in_fd, out_fd, errfd);
	close(in_fd);
	close(out_fd);
	close(errfd);
	child_mirror(pid);
}

/* --- the parent side ----------------------------------------------------- */

struct hook_run {
	pid_t pid;
	int pidfd;
	int in_fd;          /* write end of the hook's stdin, nonblocking; -1 when done */
	int out_fd;         /* read end of its stdout+stderr, nonblocking */
	int err_fd;         /* read end of the child's error pipe */
	const char *state;
	size_t state_len, state_off;
	char out[HOOK_OUTPUT_MAX + 1];
	size_t out_len, out_total;
	int status;
	bool reaped;        /* status is set (only without a pidfd) */
	bool timed_out;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A hook may exit without reading its stdin: the write fails with EPIPE, and
 * SIGPIPE must not kill the runtime whatever its disposition. */
static void feed_stdin(struct hook_run *r)
{
	sigset_t pipe_set, old, pending;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);

	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	do
		n = write(r->in_fd, r->state + r->state_off, r->state_len - r->state_off);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EPIPE && !was_pending) {
		struct timespec zero = { 0, 0 };

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (n > 0)
		r->state_off += (size_t)n;
	if ((n < 0 && errno != EAGAIN) || r->state_off == r->state_len)
		close_fd(&r->in_fd);
}

/* Reads what is there (at most max_reads chunks: a process the hook left
 * behind may write forever). */
static void drain_output(struct hook_run *r, int max_reads)
{
	char buf[4096];
	ssize_t n = -1;

	while (max_reads-- > 0) {
		n = read(r->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t keep = HOOK_OUTPUT_MAX - r->out_len;

		if (keep > (size_t)n)
			keep = (size_t)n;
		memcpy(r->out + r->out_len, buf, keep);
		r->out_len += keep;
		r->out_total += (size_t)n;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN))
		close_fd(&r->out_fd);
}

static void kill_group(struct hook_run *r)
{
	/* The pid is ours and not yet reaped, so its group id cannot be reused. */
	kill(-r->pid, SIGKILL);
	if (r->pidfd >= 0)
		sys_pidfd_send_signal(r->pidfd, SIGKILL, NULL, 0);
}

/* Without a pidfd: has the hook exited? (Reaps it.) */
static bool hook_exited(struct hook_run *r)
{
	pid_t p = waitpid(r->pid, &r->status, WNOHANG);

	if (p == r->pid)
		r->reaped = true;
	return r->reaped;
}

/* Feeds stdin and reads output until the hook exits or times out. Stops at
 * the hook's exit even if a process it left behind holds the pipes open. */
static int supervise(struct hook_run *r, long timeout, struct kerr *err)
{
	int64_t deadline = timeout > 0 ? now_ms() + timeout * 1000 : -1;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = r->pidfd, .events = POLLIN },
			{ .fd = r->in_fd, .events = POLLOUT },
			{ .fd = r->out_fd, .events = POLLIN },
		};
		int wait_ms = -1, n;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				r->timed_out = true;
				kill_group(r);
				return 0;
			}
			wait_ms = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		if (r->pidfd < 0 && (wait_ms < 0 || wait_ms > 20))
			wait_ms = 20;
		n = poll(p, ARRAY_SIZE(p), wait_ms);
		if (n < 0 && errno != EINTR)
			return kerr_errno(err, "poll");
		if (n > 0) {
			if (p[1].revents != 0)
				feed_stdin(r);
			if (p[2].revents != 0)
				drain_output(r, 16);
			if (p[0].revents != 0)
				return 0;
		}
		if (r->pidfd < 0 && hook_exited(r))
			return 0;
	}
}

static int start_hook(struct hook_run *r, const struct hook_cmd *c, pid_t ns_pid,
		      struct kerr *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, ep[2] = { -1, -1 };
	struct ns_paths ns;
	int ret = -1;

	if (ns_pid > 0)
		ns_paths_init(&ns, ns_pid);
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0) {
		kerr_errno(err, "pipe");
		goto out;
	}
	/* Only our ends are nonblocking: the hook gets ordinary blocking pipes. */
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0 || fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(ep[0], F_SETFL, O_NONBLOCK) < 0) {
		kerr_errno(err, "fcntl");
		goto out;
	}
	r->pid = fork();
	if (r->pid < 0) {
		kerr_errno(err, "fork");
		goto out;
	}
	if (r->pid == 0) {
		close(in[1]);
		close(out[0]);
		close(ep[0]);
		child_main(c, ns_pid > 0 ? &ns : NULL, in[0], out[1], ep[1]);
	}
	/* Also here: kill(-pid) must work even before the child ran setpgid. */
	setpgid(r->pid, r->pid);
	r->pidfd = sys_pidfd_open(r->pid, 0);
	/* startContainer hooks run under the container's seccomp filter, which
	 * may refuse pidfd_open (ENOSYS, EPERM): then poll waitpid instead. */
	if (r->pidfd < 0 && errno != ENOSYS && errno != EPERM) {
		kerr_errno(err, "pidfd_open");
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	r->in_fd = move_fd(&in[1]);
	r->out_fd = move_fd(&out[0]);
	r->err_fd = move_fd(&ep[0]);
	ret = 0;
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&ep[i]);
	}
	return ret;
}

/* The first non-empty line of the output, printable characters only. */
static void first_line(const struct hook_run *r, char *buf, size_t len)
{
	size_t i = 0, o = 0;

	while (i < r->out_len && (r->out[i] == '\n' || r->out[i] == '\r'))
		i++;
	for (; i < r->out_len && r->out[i] != '\n' && o + 1 < len; i++) {
		unsigned char ch = (unsigned char)r->out[i];

		buf[o++] = (ch >= 0x20 && ch != 0x7f) ? (char)ch : '?';
	}
	buf[o] = '\0';
}

static int report(struct hook_run *r, const struct hook_cmd *c, struct kerr *err)
{
	struct child_fail f;
	char line[HOOK_LINE_MAX + 1];

	if (r->timed_out) {
		kerr_set(err, 0, "timed out after %ld s", c->timeout);
		err->code = ETIMEDOUT;
		return -1;
	}
	if (read(r->err_fd, &f, sizeof(f)) == (ssize_t)sizeof(f)) {
		switch (f.stage) {
		case CHILD_EXEC:
			return kerr_set(err, f.errnum, "exec");
		case CHILD_OPEN_NS:
		case CHILD_SETNS:
			return kerr_set(err, f.errnum, "%s %s namespace",
					f.stage == CHILD_SETNS ? "join" : "open",
					ns_order[f.ns < (int)ARRAY_SIZE(ns_order) ? f.ns : 0].name);
		default:
			return kerr_set(err, f.errnum, "set up the hook process");
		}
	}
	first_line(r, line, sizeof(line));
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0)
		return 0;
	if (WIFEXITED(r->status))
		return kerr_set(err, 0, "exited with status %d%s%s", WEXITSTATUS(r->status),
				line[0] ? ": " : "", line);
	return kerr_set(err, 0, "killed by signal %d (%s)%s%s", WTERMSIG(r->status),
			strsignal(WTERMSIG(r->status)), line[0] ? ": " : "", line);
}

static int run_one(const struct hook_cmd *c, const char *state, pid_t ns_pid, struct kerr *err)
{
	struct hook_run *r = xcalloc(1, sizeof(*r));
	int ret = -1;

	r->in_fd = r->out_fd = r->err_fd = r->pidfd = -1;
	r->state = state != NULL ? state : "";
	r->state_len = strlen(r->state);
	if (start_hook(r, c, ns_pid, err) < 0)
		goto out;
	if (r->state_len == 0)
		close_fd(&r->in_fd);
	if (supervise(r, c->timeout, err) < 0)
		kill_group(r);
	else
		ret = 0;
	while (!r->reaped && waitpid(r->pid, &r->status, 0) < 0)
		if (errno != EINTR) {
			ret = kerr_errno(err, "wait for the hook");
			goto out;
		}
	/* The hook is gone; take what it wrote but never wait for its leftovers. */
	if (r->out_fd >= 0)
		drain_output(r, 64);
	if (r->out_len > 0)
		kdebug("hook %s output (%zu bytes): %.*s", c->path, r->out_total, (int)r->out_len,
		       r->out);
	if (ret == 0)
		ret = report(r, c, err);
out:
	close_fd(&r->in_fd);
	close_fd(&r->out_fd);
	close_fd(&r->err_fd);
	close_fd(&r->pidfd);
	free(r);
	return ret;
}

int hooks_run(json_t *hooks, enum khook_kind kind, const char *state_json, pid_t ns_pid,
	      struct kerr *err)
{
	const char *kname = khook_name(kind);
	json_t *arr = json_is_object(hooks) ? json_object_get(hooks, kname) : NULL;
	bool failed = false;
	json_t *h;
	size_t i;

	if (!json_is_array(arr))
		return 0;
	json_array_foreach(arr, i, h) {
		struct hook_cmd c;
		struct kerr e;
		int r;

		kerr_clear(&e);
		r = hook_cmd_init(h, &c, &e);
		if (r == 0) {
			kdebug("running hook %s[%zu] %s", kname, i, c.path);
			r = run_one(&c, state_json, ns_pid, &e);
		}
		if (r < 0) {
			kerr_prefix(&e, "hook %s[%zu] %s", kname, i, c.path ? c.path : "?");
			/* poststop: the remaining hooks still run (runtime.md); the
			 * first failure is returned, later ones only logged. */
			if (kind == KHOOK_POSTSTOP && failed)
				klog(KLOG_WARN, "%s", e.msg);
			else
				*err = e;
			failed = true;
		}
		hook_cmd_free(&c);
		if (failed && kind != KHOOK_POSTSTOP)
			return -1;
	}
	return failed ? -1 : 0;
}
