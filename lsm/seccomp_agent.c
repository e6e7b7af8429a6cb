/* Hands the SCMP_ACT_NOTIFY listener to the seccomp agent at
 * linux.seccomp.listenerPath, as runc does: one connection per container, one
 * message whose payload is the JSON of the "container process state"
 * (config-linux.md) and whose SCM_RIGHTS carries the listener fd, named
 * "seccompFd" in its "fds" array. */
#include "lsm/lsm.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "common/util.h"

static json_t *process_state(const struct kspec *spec, const char *state_json,
			     struct kerr *err)
{
	json_t *seccomp = spec->seccomp;
	json_t *meta = json_object_get(seccomp, "listenerMetadata");
	json_error_t jerr;
	json_t *state = json_loads(state_json, 0, &jerr);
	json_t *msg, *ver;

	if (state == NULL || !json_is_object(state)) {
		json_decref(state);
		kerr_set(err, EINVAL, "container state JSON: %s",
			 state == NULL ? jerr.text : "not an object");
		return NULL;
	}
	ver = json_object_get(state, "ociVersion");
	msg = json_object();
	json_object_set_new(msg, "ociVersion",
			    json_is_string(ver) ? json_copy(ver)
						: json_string(spec->oci_version ? spec->oci_version
										: "1.0.2"));
	json_object_set_new(msg, "fds", json_pack("[s]", "seccompFd"));
	json_object_set_new(msg, "pid", json_integer(json_integer_value(
						json_object_get(state, "pid"))));
	if (json_is_string(meta))
		json_object_set(msg, "metadata", meta);
	json_object_set_new(msg, "state", state);
	return msg;
}

static int connect_unix(const char *path, struct kerr *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return kerr_set(err, ENAMETOOLONG, "linux.seccomp.listenerPath %s: too long", path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kerr_errno(err, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return kerr_errno(err, "connect to the seccomp agent at %s", path);
	return move_fd(&fd);
}

/* The fd travels with the first bytes; the rest (if the socket took only
 * part) follows in plain writes, which the spec allows. */
static int send_with_fd(int sock, const char *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n < len && write_all(sock, buf + n, len - (size_t)n) < 0)
		return -1;
	return 0;
}

int lsm_send_seccomp_fd(const struct kspec *spec, int notify_fd, const char *state_json,
			struct kerr *err)
{
	const char *path = json_string_value(json_object_get(spec->seccomp, "listenerPath"));
	cleanup_free char *buf = NULL;
	cleanup_close int sock = -1;
	json_t *msg;

	if (path == NULL)
		return kerr_set(err, EINVAL, "linux.seccomp.listenerPath: not set");
	if (notify_fd < 0)
		return kerr_set(err, EBADF, "no seccomp notify fd to send");
	msg = process_state(spec, state_json, err);
	if (msg == NULL)
		return -1;
	buf = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (buf == NULL)
		return kerr_set(err, ENOMEM, "encode the container process state");
	sock = connect_unix(path, err);
	if (sock < 0)
		return -1;
	if (send_with_fd(sock, buf, strlen(buf), notify_fd) < 0)
		return kerr_errno(err, "send the seccomp fd to %s", path);
	return 0;
}
