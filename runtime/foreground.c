/* A container process in the foreground (run, exec): the runtime stays its
 * parent (a subreaper, also when an intermediate process forked it),
 * forwards signals to it, relays its terminal, and returns its exit code. */
#include "runtime/foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/terminal.h"

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

int foreground_wait(struct kforeground *f, pid_t pid, int pidfd, int master, int *ret_exit,
		    struct kerr *err)
{
	struct tty_relay *relay = NULL;
	int code = 255;

	if (master >= 0 && tty_relay_begin(master, &relay, err) < 0)
		return -1;
	for (;;) {
		struct pollfd p[3] = { { .fd = f->sfd, .events = POLLIN } };
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
		if (read(f->sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			if (reap(pid, &code))
				break;
		} else if (si.ssi_signo == SIGWINCH && relay != NULL) {
			tty_relay_resize(relay);
		} else {
			sys_pidfd_send_signal(pidfd, (int)si.ssi_signo, NULL, 0);
		}
	}
	if (relay != NULL) {
		tty_relay_drain(relay);
		tty_relay_end(relay);
	}
	*ret_exit = code;
	return 0;
}

int foreground_begin(struct kforeground *f, struct kerr *err)
{
	sigset_t set;

	forwardable(&set);
	sigprocmask(SIG_BLOCK, &set, &f->old);
	f->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (f->sfd < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		kerr_errno(err, "set up signal forwarding");
		foreground_end(f);
		return -1;
	}
	return 0;
}

void foreground_end(struct kforeground *f)
{
	if (f->sfd >= 0)
		close(f->sfd);
	f->sfd = -1;
	sigprocmask(SIG_SETMASK, &f->old, NULL);
}
