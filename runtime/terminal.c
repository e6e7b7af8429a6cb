/* Terminals for process.terminal (see terminal.h): opening the pty inside
 * the container, handing its master to a --console-socket, and relaying it
 * for `run -t` / `exec -t` as steps of the foreground loop. */
#include "runtime/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What runc puts in the console-socket message. */
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

int tty_stdin_size(unsigned int *ret_rows, unsigned int *ret_cols)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return -1;
	*ret_rows = ws.ws_row;
	*ret_cols = ws.ws_col;
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
			return kerr_errno(err, "--console-socket %s: open its directory", path);
		if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd,
				     basename(base)) >= sizeof(sa.sun_path))
			return kerr_set(err, ENAMETOOLONG, "--console-socket %s: path too long", path);
	}
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return kerr_errno(err, "connect to --console-socket %s", path);
	return 0;
}

int tty_console_connect(const char *path, struct kerr *err)
{
	cleanup_close int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (sock < 0)
		return kerr_errno(err, "socket");
	if (connect_unix(sock, path, err) < 0)
		return -1;
	return move_fd(&sock);
}

int tty_send_master_fd(int sock, int master, struct kerr *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)MASTER_NAME, .iov_len = strlen(MASTER_NAME) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;

	if (sock < 0)
		return kerr_set(err, EINVAL, "process.terminal: no console socket");
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "send the pty master to the console socket");
	}
	return 0;
}

int tty_recv_master_fd(int sock, int *ret_master, struct kerr *err)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char name[256];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return kerr_errno(err, "receive the pty master");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			memcpy(ret_master, CMSG_DATA(c), sizeof(int));
			return 0;
		}
	}
	return kerr_set(err, EPROTO, "receive the pty master: no fd in the message");
}

/* --- the relay (steps of the foreground loop) ----------------------------- */

struct tty_relay {
	int master;
	bool stdin_open;
	bool raw;
	struct termios saved;
	char in[4096];          /* from stdin, not yet written to the master */
	size_t in_len, in_off;
};

void tty_relay_resize(struct tty_relay *r)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(r->master, TIOCSWINSZ, &ws);
}

int tty_relay_begin(int master, struct tty_relay **ret, struct kerr *err)
{
	struct tty_relay *r = xcalloc(1, sizeof(*r));
	int flags = fcntl(master, F_GETFL);

	r->master = master;
	r->stdin_open = true;
	if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0) {
		free(r);
		return kerr_errno(err, "set the pty non-blocking");
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &r->saved) == 0) {
		struct termios raw = r->saved;

		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			r->raw = true;
		tty_relay_resize(r);
	}
	*ret = r;
	return 0;
}

int tty_relay_pollfds(struct tty_relay *r, struct pollfd *p)
{
	bool pending = r->in_len > 0;

	p[0] = (struct pollfd){ .fd = r->master, .events = POLLIN | (pending ? POLLOUT : 0) };
	p[1] = (struct pollfd){ .fd = (r->stdin_open && !pending) ? STDIN_FILENO : -1,
				.events = POLLIN };
	return 2;
}

/* Master -> stdout until it would block. 1: hung up (every slave closed). */
static int pump_master(struct tty_relay *r)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(r->master, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return 1;
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return 1;
	}
}

int tty_relay_step(struct tty_relay *r, const struct pollfd *p)
{
	if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && pump_master(r))
		return -1;
	if ((p[0].revents & POLLOUT) && r->in_len > 0) {
		ssize_t n = write(r->master, r->in + r->in_off, r->in_len - r->in_off);

		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			r->in_len = r->in_off = 0;
			r->stdin_open = false;
		} else if (n > 0) {
			r->in_off += (size_t)n;
			if (r->in_off == r->in_len)
				r->in_len = r->in_off = 0;
		}
	}
	if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t n = read(STDIN_FILENO, r->in, sizeof(r->in));

		if (n > 0) {
			r->in_len = (size_t)n;
			r->in_off = 0;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			r->stdin_open = false;   /* EOF: the process keeps its pty */
		}
	}
	return 0;
}

void tty_relay_drain(struct tty_relay *r)
{
	/* The last output may still be in the tty layer's flip buffer, pushed by
	 * a kernel worker: read until the master hangs up or stays quiet. */
	for (int i = 0; i < 20; i++) {
		struct pollfd p = { .fd = r->master, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0 || pump_master(r))
			return;
	}
}

void tty_relay_end(struct tty_relay *r)
{
	if (r == NULL)
		return;
	if (r->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &r->saved);
	free(r);
}
