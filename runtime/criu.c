/* Running criu(8): finding the binary, an argument vector, the fork+exec
 * with the fds and cgroup the restored tasks inherit, and turning a failure
 * into one line from CRIU's own log. */
#include "runtime/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"

void kargv_add(struct kargv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = realloc(a->v, a->cap * sizeof(char *));
		if (a->v == NULL)
			abort();
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void kargv_free(struct kargv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}

int criu_find(const char *wanted, char **ret_path, struct kerr *err)
{
	const char *path = getenv("PATH");
	cleanup_free char *dirs = NULL;
	char *save = NULL;

	if (wanted != NULL && strchr(wanted, '/') != NULL) {
		if (access(wanted, X_OK) < 0)
			return kerr_set(err, errno, "--criu %s: checkpoint/restore needs CRIU (install "
						    "the Debian package criu)", wanted);
		*ret_path = xstrdup(wanted);
		return 0;
	}
	if (wanted == NULL)
		wanted = "criu";
	/* sudo and cron often leave /usr/sbin out of PATH: look there too. */
	dirs = xasprintf("%s:/usr/local/sbin:/usr/sbin:/sbin", path != NULL ? path : "");
	for (char *d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		cleanup_free char *p = xasprintf("%s/%s", d, wanted);

		if (d[0] == '/' && access(p, X_OK) == 0) {
			*ret_path = move_ptr(p);
			return 0;
		}
	}
	return kerr_set(err, ENOENT, "%s not found: checkpoint/restore needs CRIU "
				     "(install the Debian package criu)", wanted);
}

/* The first "Error (file:line): message" of CRIU's log, as "message". */
static char *first_log_error(const char *dir, const char *log)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, log);
	FILE *f = fopen(path, "re");
	char line[512];
	char *found = NULL;

	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		char *e = strstr(line, "Error (");
		char *m = e != NULL ? strstr(e, "): ") : NULL;

		if (m == NULL)
			continue;
		m += 3;
		m[strcspn(m, "\n")] = '\0';
		found = xstrdup(m);
	}
	fclose(f);
	return found;
}

static void exec_child(struct kargv *a, struct kcgroup *cg, const int *keep_fds, size_t n_keep)
{
	sigset_t none;
	int tmp[16];

	if (n_keep > ARRAY_SIZE(tmp))
		_exit(125);
	/* A foreground restore blocks the signals it forwards: CRIU needs them. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Restored tasks are forked by criu: born in the container's cgroup. */
	if (cg != NULL) {
		struct kerr e = { 0 };

		if (cgroup_enter(cg, getpid(), &e) < 0) {
			fprintf(stderr, "kapsel: criu: %s\n", e.msg);
			_exit(125);
		}
	}
	/* Out of the way first, so dup2 onto 3.. cannot clobber a later one. */
	for (size_t i = 0; i < n_keep; i++) {
		tmp[i] = fcntl(keep_fds[i], F_DUPFD_CLOEXEC, 64);
		if (tmp[i] < 0)
			_exit(125);
	}
	for (size_t i = 0; i < n_keep; i++) {
		if (dup2(tmp[i], 3 + (int)i) < 0)
			_exit(125);
	}
	if (mark_cloexec_from(3 + (int)n_keep, NULL) < 0)
		_exit(125);
	execv(a->v[0], a->v);
	fprintf(stderr, "kapsel: exec %s: %s\n", a->v[0], strerror(errno));
	_exit(127);
}

/* Until criu exits: answers each pid the action script sends. A failed
 * answer makes the script fail, and CRIU then aborts the restore. */
static int serve_notify(pid_t pid, struct kcriu_notify *n, struct kerr *err)
{
	cleanup_close int pidfd = sys_pidfd_open(pid, 0);
	int ret = 0;

	if (pidfd < 0)
		return kerr_errno(err, "pidfd of criu");
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = n->pid_fd, .events = POLLIN } };
		char buf[32];
		int64_t v;
		ssize_t len;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return kerr_errno(err, "wait for criu");
		}
		if (p[0].revents & POLLIN)
			return ret;
		if (!(p[1].revents & POLLIN))
			continue;
		len = read(n->pid_fd, buf, sizeof(buf) - 1);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (ret == 0 && (!parse_i64(buf, &v) || v <= 0 ||
				 (ret = n->fn(n->arg, (pid_t)v, err)) < 0))
			ret = ret < 0 ? ret : kerr_set(err, EPROTO, "criu's action script sent \"%s\"", buf);
		if (write(n->ack_fd, ret == 0 ? "ok\n" : "no\n", 3) != 3)
			return kerr_errno(err, "answer criu's action script");
	}
}

int criu_run(struct kargv *a, struct kcgroup *cg, const int *keep_fds, size_t n_keep,
	     const char *log_dir, const char *log, struct kcriu_notify *notify, struct kerr *err)
{
	cleanup_free char *msg = NULL;
	int status, nret = 0;
	pid_t pid;

	if (klog_debug_enabled()) {
		for (size_t i = 0; i < a->n; i++)
			kdebug("criu argv[%zu] = %s", i, a->v[i]);
	}
	pid = fork();
	if (pid < 0)
		return kerr_errno(err, "fork criu");
	if (pid == 0)
		exec_child(a, cg, keep_fds, n_keep);
	if (notify != NULL)
		nret = serve_notify(pid, notify, err);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "wait for criu");
	}
	if (nret < 0)
		return -1;   /* the hook's error says more than CRIU's */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	msg = first_log_error(log_dir, log);
	if (msg != NULL)
		return kerr_set(err, 0, "criu %s failed: %s (log: %s/%s)", a->v[1], msg, log_dir,
				log);
	if (WIFSIGNALED(status))
		return kerr_set(err, 0, "criu %s killed by signal %d (log: %s/%s)", a->v[1],
				WTERMSIG(status), log_dir, log);
	return kerr_set(err, 0, "criu %s failed with status %d (log: %s/%s)", a->v[1],
			WEXITSTATUS(status), log_dir, log);
}

#define NOTIFY_PID "criu-notify"
#define NOTIFY_ACK "criu-ack"
#define NOTIFY_SCRIPT "criu-action"

int criu_notify_open(struct kcriu_notify *n, struct kargv *a, int dirfd, const char *dir,
		     struct kerr *err)
{
	cleanup_free char *script = NULL;

	n->pid_fd = n->ack_fd = -1;
	if (strchr(dir, '\'') != NULL)
		return kerr_set(err, EINVAL, "state directory %s: a quote in the path", dir);
	if (mkfifoat(dirfd, NOTIFY_PID, 0600) < 0 || mkfifoat(dirfd, NOTIFY_ACK, 0600) < 0)
		return kerr_errno(err, "fifos for criu's action script in %s", dir);
	/* Read end non-blocking: the script's open for writing never waits.
	 * O_RDWR on the answer fifo: our open does not wait for the script. */
	n->pid_fd = openat(dirfd, NOTIFY_PID, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	n->ack_fd = openat(dirfd, NOTIFY_ACK, O_RDWR | O_CLOEXEC);
	if (n->pid_fd < 0 || n->ack_fd < 0)
		return kerr_errno(err, "open fifos for criu's action script");
	/* CRIU execs the script itself (no shell in between): a file it is. */
	script = xasprintf("#!/bin/sh\n"
			   "[ \"$CRTOOLS_SCRIPT_ACTION\" = setup-namespaces ] || exit 0\n"
			   "echo \"$CRTOOLS_INIT_PID\" >'%s/" NOTIFY_PID "' || exit 1\n"
			   "read -r r <'%s/" NOTIFY_ACK "' && [ \"$r\" = ok ]\n", dir, dir);
	if (write_file_atomic_at(dirfd, NOTIFY_SCRIPT, script, strlen(script), 0700, err) < 0)
		return kerr_prefix(err, "criu's action script");
	kargv_add(a, "--action-script=%s/" NOTIFY_SCRIPT, dir);
	return 0;
}

void criu_notify_close(struct kcriu_notify *n, int dirfd)
{
	if (n->pid_fd >= 0)
		close(n->pid_fd);
	if (n->ack_fd >= 0)
		close(n->ack_fd);
	n->pid_fd = n->ack_fd = -1;
	unlinkat(dirfd, NOTIFY_PID, 0);
	unlinkat(dirfd, NOTIFY_ACK, 0);
	unlinkat(dirfd, NOTIFY_SCRIPT, 0);
}

const char *criu_ns_key(enum kns_type t)
{
	return t == KNS_NET ? "extRootNetNS" : t == KNS_PID ? "extRootPidNS" : NULL;
}
