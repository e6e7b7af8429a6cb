/* Terminals: opening the container's pty, handing it to a console socket,
 * and relaying it for `run -t`. See tty_relay.h. */
#include "runtime/tty_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What runc puts in the console-socket message (containerd/console's name
 * for the master it opened). */
#define MASTER_NAME "/dev/ptmx"

/* --- opening ------------------------------------------------------------- */

static int open_slave_by_name(int master, struct kerr *err)
{
	unsigned int n;
	char path[64];
	int fd;

	if (ioctl(master, TIOCGPTN, &n) < 0)
		return kerr_errno(err, "get the pty number");
	snprintf(path, sizeof(path), "/dev/pts/%u", n);
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	return fd;
}

int tty_open_pty(int *ret_master, int *ret_slave, struct kerr *err)
{
	cleanup_close int master = -1;
	cleanup_close int slave = -1;
	int unlock = 0;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return kerr_errno(err, "open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return kerr_errno(err, "unlock the pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		/* Kernels before 4.13 know no TIOCGPTPEER. */
		if (errno != EINVAL && errno != ENOTTY)
			return kerr_errno(err, "open the pty slave");
		slave = open_slave_by_name(master, err);
		if (slave < 0)
			return -1;
	}
	*ret_master = move_fd(&master);
	*ret_slave = move_fd(&slave);
	return 0;
}

int tty_set_size(int fd, unsigned int rows, unsigned int cols, struct kerr *err)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (rows > 0xffff || cols > 0xffff)
		return kerr_set(err, EINVAL, "console size %ux%u", rows, cols);
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return kerr_errno(err, "set the console size");
	return 0;
}

/* --- the console socket -------------------------------------------------- */

/* sun_path holds 108 bytes: a longer path is reached through its directory
 * opened with O_PATH, as /proc/self/fd/N/NAME. */
static int connect_unix(int sock, const char *path, struct kerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int dirfd = -1;
	cleanup_free char *dir = NULL, *base = NULL;

	if (strlen(path) < sizeof(sa.sun_path)) {
		memcpy(sa.sun_path, path, strlen(path) + 1);
	} else {
		dir = xstrdup(path);
		base = xstrdup(path);
		dirfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			return kerr_errno(err, "open the directory of %s", path);
		if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
				     basename(base)) >= sizeof(sa.sun_path))
			return kerr_set(err, ENAMETOOLONG, "console socket %s", path);
	}
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return kerr_errno(err, "connect to console socket %s", path);
	return 0;
}

int tty_send_master(const char *console_socket_path, int master_fd, struct kerr *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)MASTER_NAME, .iov_len = strlen(MASTER_NAME) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	cleanup_close int sock = -1;
	ssize_t n;

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return kerr_errno(err, "socket");
	if (connect_unix(sock, console_socket_path, err) < 0)
		return -1;
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master_fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return kerr_errno(err, "send the pty master to %s", console_socket_path);
	return 0;
}

/* --- the relay ----------------------------------------------------------- */

struct relay {
	int master, sigfd, pidfd;
	bool stdin_open;
	char in[4096];          /* read from stdin, not yet written to the master */
	size_t in_len, in_off;
};

static void copy_winsize(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

static int pump_stdin(struct relay *r, struct kerr *err)
{
	ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));

	(void)err;
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	/* EOF or a hung-up terminal: stop reading; the process keeps its pty. */
	if (n <= 0) {
		r->stdin_open = false;
		return 0;
	}
	r->in_len = (size_t)n;
	r->in_off = 0;
	return 0;
}

static int pump_to_master(struct relay *r, struct kerr *err)
{
	ssize_t n = write(r->master, r->in + r->in_off, r->in_len - r->in_off);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0 && errno == EIO) {    /* the other side is gone: drop the input */
		r->in_len = r->in_off = 0;
		r->stdin_open = false;
		return 0;
	}
	if (n < 0)
		return kerr_errno(err, "write to the pty");
	r->in_off += (size_t)n;
	if (r->in_off == r->in_len)
		r->in_len = r->in_off = 0;
	return 0;
}

/* Copies what the master has to stdout. Returns 1 at hang-up (EIO: every
 * slave fd is closed), 0 when it would block, -1 on error. */
static int pump_master(struct relay *r, struct kerr *err)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(r->master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n == 0 || (n < 0 && errno == EIO))
			return 1;
		if (n < 0)
			return kerr_errno(err, "read from the pty");
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return kerr_errno(err, "write stdout");
	}
}

static void drain_signals(int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
}

/* After the process exited: the last bytes it wrote may still be on their
 * way through the tty layer (the flip buffer is pushed by a worker), so read
 * until the master hangs up or stays quiet for a moment. Bounded, for a
 * leftover process that keeps writing. */
static int drain_after_exit(struct relay *r, struct kerr *err)
{
	for (int i = 0; i < 20; i++) {
		struct pollfd p = { .fd = r->master, .events = POLLIN };
		int n = poll(&p, 1, 50), ret;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? kerr_errno(err, "poll") : 0;
		ret = pump_master(r, err);
		if (ret != 0)
			return ret < 0 ? -1 : 0;
	}
	return 0;
}

static int relay_loop(struct relay *r, struct kerr *err)
{
	for (;;) {
		bool pending = r->in_len > 0;
		struct pollfd p[4] = {
			{ .fd = r->master, .events = POLLIN | (pending ? POLLOUT : 0) },
			{ .fd = (r->stdin_open && !pending) ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = r->sigfd, .events = POLLIN },
			{ .fd = r->pidfd, .events = POLLIN },
		};
		int ret;

		if (poll(p, ARRAY_SIZE(p), -1) < 0) {
			if (errno == EINTR)
				continue;
			return kerr_errno(err, "poll");
		}
		if (p[2].revents & POLLIN) {
			drain_signals(r->sigfd);
			copy_winsize(r->master);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ret = pump_master(r, err);
			if (ret != 0)
				return ret < 0 ? -1 : 0;
		}
		if ((p[0].revents & POLLOUT) && pump_to_master(r, err) < 0)
			return -1;
		/* POLLHUP without data: a closed pipe or terminal on stdin. */
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && pump_stdin(r, err) < 0)
			return -1;
		if (p[3].revents & POLLIN)   /* the process exited: take what is left */
			return drain_after_exit(r, err);
	}
}

int tty_relay(int master_fd, int pidfd, struct kerr *err)
{
	struct relay r = { .master = master_fd, .sigfd = -1, .pidfd = pidfd, .stdin_open = true };
	struct termios saved, raw;
	bool restore_tty = false;
	sigset_t winch, old_mask;
	int old_flags, ret = -1;

	old_flags = fcntl(master_fd, F_GETFL);
	if (old_flags < 0 || fcntl(master_fd, F_SETFL, old_flags | O_NONBLOCK) < 0)
		return kerr_errno(err, "set the pty nonblocking");
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &winch, &old_mask);
	r.sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r.sigfd < 0) {
		kerr_errno(err, "signalfd");
		goto out;
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
			kerr_errno(err, "set the terminal raw");
			goto out;
		}
		restore_tty = true;
		copy_winsize(master_fd);
	}
	ret = relay_loop(&r, err);
out:
	if (restore_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (r.sigfd >= 0)
		close(r.sigfd);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	fcntl(master_fd, F_SETFL, old_flags);
	return ret;
}
