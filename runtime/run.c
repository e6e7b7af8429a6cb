/* `run`: create + start. In the foreground the runtime stays as the
 * container's parent (a subreaper, so also when an intermediate process
 * forked the init), forwards signals to it, relays its terminal when asked,
 * and exits with its exit code after deleting it. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/tty_relay.h"

/* Every signal a user may send to a foreground container, as runc forwards. */
static void forwardable(sigset_t *set)
{
	sigfillset(set);
	sigdelset(set, SIGKILL);
	sigdelset(set, SIGSTOP);
	sigdelset(set, SIGSEGV);
	sigdelset(set, SIGBUS);
	sigdelset(set, SIGILL);
	sigdelset(set, SIGFPE);
	sigdelset(set, SIGABRT);
	sigdelset(set, SIGTRAP);
	sigdelset(set, SIGSYS);
}

static int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Reaps every exited child; returns 1 and sets *code when init was one. */
static int reap(pid_t init, int *code)
{
	int status, found = 0;
	pid_t p;

	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p == init) {
			*code = exit_code(status);
			found = 1;
		}
	}
	return found;
}

static int wait_foreground(struct kcreated *k, int sfd, int master, int *ret_exit,
			   struct kerr *err)
{
	struct tty_relay *relay = NULL;
	int code = 255;

	if (master >= 0 && tty_relay_begin(master, &relay, err) < 0)
		return -1;
	for (;;) {
		struct pollfd p[3] = { { .fd = sfd, .events = POLLIN } };
		nfds_t n = 1;
		struct signalfd_siginfo si;

		if (relay != NULL)
			n += tty_relay_pollfds(relay, &p[1]);
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			kerr_errno(err, "poll");
			break;
		}
		if (relay != NULL && tty_relay_step(relay, &p[1]) < 0)
			tty_relay_end(relay), relay = NULL;
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			if (reap(k->pid, &code))
				break;
		} else if (si.ssi_signo == SIGWINCH && relay != NULL) {
			tty_relay_resize(relay);
		} else {
			sys_pidfd_send_signal(k->pidfd, (int)si.ssi_signo, NULL, 0);
		}
	}
	if (relay != NULL) {
		tty_relay_drain(relay);
		tty_relay_end(relay);
	}
	*ret_exit = code;
	return 0;
}

static int run_foreground(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
			  int *ret_exit, struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };
	cleanup_close int sfd = -1, master = -1;
	int socks[2] = { -1, -1 };
	sigset_t set, old;
	int ret = -1;

	forwardable(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		kerr_errno(err, "set up signal forwarding");
		goto out;
	}
	/* run -t without --console-socket: the pty master comes to us. */
	if (o->console_socket == NULL &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) < 0) {
		kerr_errno(err, "socketpair");
		goto out;
	}
	ret = lifecycle_create(g, id, o, socks[1], &k, err);
	if (ret < 0)
		goto out;
	if (k.spec->process->terminal && socks[0] >= 0 &&
	    (ret = tty_recv_master_fd(socks[0], &master, err)) < 0)
		goto fail;
	ret = lifecycle_start(k.c, k.spec, err);
	if (ret < 0)
		goto fail;
	/* Let state, kill and friends at the container while it runs. */
	container_close(k.c);
	k.c = NULL;
	ret = wait_foreground(&k, sfd, master, ret_exit, err);
fail:
	if (k.c == NULL && container_open(g->root, id, &k.c, NULL) < 0)
		k.c = NULL;
	if (k.c != NULL) {
		struct kerr derr = { 0 };

		if (lifecycle_destroy(k.c, k.spec, ret < 0 ? &derr : err) < 0 && ret == 0)
			ret = -1;
		k.c = NULL;
	}
	lifecycle_release(&k);
out:
	if (socks[0] >= 0)
		close(socks[0]);
	if (socks[1] >= 0)
		close(socks[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

int runtime_run(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		int *ret_exit, struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };
	int ret;

	*ret_exit = 0;
	if (!o->detach)
		return run_foreground(g, id, o, ret_exit, err);
	if (lifecycle_create(g, id, o, -1, &k, err) < 0)
		return -1;
	ret = lifecycle_start(k.c, k.spec, err);
	if (ret < 0) {
		lifecycle_destroy(k.c, k.spec, NULL);
		k.c = NULL;
	}
	lifecycle_release(&k);
	return ret;
}

int runtime_create(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		   struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };

	if (lifecycle_create(g, id, o, -1, &k, err) < 0)
		return -1;
	lifecycle_release(&k);
	return 0;
}
