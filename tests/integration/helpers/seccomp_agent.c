/* A minimal seccomp notify agent for tests/integration/security.sh.
 *
 *   seccomp_agent SOCKET ERRNO OUTFILE
 *
 * Listens on the unix socket SOCKET (linux.seccomp.listenerPath), accepts one
 * connection, receives the listener fd (SCM_RIGHTS) with the container's
 * state JSON, writes "state: <json>" to OUTFILE, then answers every notified
 * syscall: ERRNO > 0 fails it with that errno, ERRNO 0 lets it continue
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Each answer appends "syscall N" to
 * OUTFILE. It exits when the listener is gone (the container exited). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/seccomp.h>

static int recv_fd(int conn, char *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = buf, .iov_len = len - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	int fd;

	if (n < 0)
		return -1;
	buf[n] = '\0';
	c = CMSG_FIRSTHDR(&mh);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static int serve(int lfd, int answer, FILE *out)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		if (poll(&p, 1, 30000) <= 0 || (p.revents & (POLLHUP | POLLERR)))
			return 0;
		memset(&req, 0, sizeof(req));
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return 0;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (answer > 0)
			resp.error = -answer;
		else
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			return perror("SECCOMP_IOCTL_NOTIF_SEND"), 1;
		fprintf(out, "syscall %d\n", req.data.nr);
		fflush(out);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char state[65536];
	int s, conn, lfd;
	FILE *out;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: seccomp_agent SOCKET ERRNO OUTFILE\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		return perror("listen"), 1;
	out = fopen(argv[3], "w");
	if (out == NULL)
		return perror(argv[3]), 1;
	fprintf(out, "listening\n");
	fflush(out);
	conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return perror("accept"), 1;
	lfd = recv_fd(conn, state, sizeof(state));
	if (lfd < 0)
		return fprintf(stderr, "no listener fd received\n"), 1;
	fprintf(out, "state: %s\n", state);
	fflush(out);
	return serve(lfd, atoi(argv[2]), out);
}
