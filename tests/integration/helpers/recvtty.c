/* recvtty SOCKET OUTFILE [SECONDS]: the other end of --console-socket, like
 * runc's contrib/cmd/recvtty. Listens on the unix socket SOCKET, accepts one
 * connection, receives the pty master over SCM_RIGHTS, checks that it is a pty
 * master (TIOCGPTN), then copies everything the container writes to its
 * terminal into OUTFILE until the slave side is closed (EIO). Exits 0 on
 * success, 1 on any error, 2 if nothing arrived within SECONDS (default 20). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "recvtty: timed out\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(2);
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "recvtty: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
		fprintf(stderr, "recvtty: listen on %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

/* Receives one fd passed with SCM_RIGHTS (runc sends the pty master's path as data). */
static int recv_fd(int conn)
{
	char data[4096];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0) {
		fprintf(stderr, "recvtty: recvmsg: %s\n", strerror(errno));
		return -1;
	}
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "recvtty: no SCM_RIGHTS fd in the message\n");
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static int copy_out(int master, const char *outfile)
{
	char buf[4096];
	ssize_t n;
	int out = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (out < 0) {
		fprintf(stderr, "recvtty: open %s: %s\n", outfile, strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* EIO: every slave fd is closed, the container is gone */
		if (write(out, buf, (size_t)n) != n) {
			fprintf(stderr, "recvtty: write %s: %s\n", outfile, strerror(errno));
			close(out);
			return -1;
		}
	}
	close(out);
	return 0;
}

int main(int argc, char **argv)
{
	int lfd, conn, master;
	unsigned int ptn;

	if (argc < 3) {
		fprintf(stderr, "usage: recvtty SOCKET OUTFILE [SECONDS]\n");
		return 1;
	}
	signal(SIGALRM, on_alarm);
	alarm(argc > 3 ? (unsigned)atoi(argv[3]) : 20);

	lfd = listen_on(argv[1]);
	if (lfd < 0)
		return 1;
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		fprintf(stderr, "recvtty: accept: %s\n", strerror(errno));
		return 1;
	}
	master = recv_fd(conn);
	close(conn);
	close(lfd);
	if (master < 0)
		return 1;
	if (ioctl(master, TIOCGPTN, &ptn) < 0) {
		fprintf(stderr, "recvtty: received fd is not a pty master: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "recvtty: got pty master, /dev/pts/%u\n", ptn);
	return copy_out(master, argv[2]) < 0 ? 1 : 0;
}
