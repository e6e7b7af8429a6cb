#include "runtime/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"

int sync_send(int sock, uint32_t type, int32_t value, int fd, struct kerr *err)
{
	struct ksync_msg m = { .type = type, .value = value };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "sync with container process");
	}
	return 0;
}

int sync_send_error(int sock, const struct kerr *child_err)
{
	struct ksync_msg m = { .type = SYNC_ERROR };

	m.err = *child_err;
	return send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int sync_recv(int sock, struct ksync_msg *ret, int *ret_fd, struct kerr *err)
{
	struct ksync_msg m;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n;
	int fd = -1;

	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return kerr_errno(err, "sync with container process");
	if (n == 0)
		return kerr_set(err, EPIPE, "container process exited during setup");
	if ((size_t)n != sizeof(m))
		return kerr_set(err, EPROTO, "sync with container process: short message");
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	}
	if (m.type == SYNC_ERROR) {
		if (fd >= 0)
			close(fd);
		m.err.msg[sizeof(m.err.msg) - 1] = '\0';
		if (err != NULL)
			*err = m.err;
		return -1;
	}
	if (ret_fd != NULL)
		*ret_fd = fd;
	else if (fd >= 0)
		close(fd);
	*ret = m;
	return 0;
}

int sync_expect(int sock, uint32_t want, struct ksync_msg *ret, int *ret_fd, struct kerr *err)
{
	struct ksync_msg m;

	if (sync_recv(sock, &m, ret_fd, err) < 0)
		return -1;
	if (m.type != want) {
		if (ret_fd != NULL && *ret_fd >= 0)
			close(*ret_fd);
		return kerr_set(err, EPROTO, "sync with container process: got message %u, want %u",
				m.type, want);
	}
	if (ret != NULL)
		*ret = m;
	return 0;
}
