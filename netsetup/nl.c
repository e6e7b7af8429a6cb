/* rtnetlink over libmnl: one request at a time, each acknowledged, so every
 * step's errno reaches the caller with the step it belongs to. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

/* A socket keeps the netns it was created in, so the container's socket is
 * opened after entering its netns and used after coming back. Only this
 * thread moves (setns acts per thread). */
static struct mnl_socket *open_in_netns(int netns_fd, struct kerr *err)
{
	cleanup_close int self = -1;
	struct mnl_socket *s;
	int saved;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return kerr_errno(err, "open /proc/thread-self/ns/net"), NULL;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return kerr_errno(err, "enter the container's network namespace"), NULL;
	s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	saved = errno;
	if (setns(self, CLONE_NEWNET) < 0)
		abort(); /* would leave this process in the container's netns */
	if (s == NULL)
		kerr_set(err, saved, "netlink socket in the container's network namespace");
	return s;
}

int knl_open(struct knl *nl, int netns_fd, struct kerr *err)
{
	nl->sock = netns_fd >= 0 ? open_in_netns(netns_fd, err)
				 : mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl->sock == NULL)
		return netns_fd >= 0 ? -1 : kerr_errno(err, "netlink socket");
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return kerr_set(err, e, "bind netlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void knl_close(struct knl *nl)
{
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *knl_msg(struct knl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(nl->buf);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++nl->seq;
	return h;
}

int knl_talk(struct knl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data)
{
	char rbuf[8192];
	uint32_t seq = h->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl->sock, h, h->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, rbuf, sizeof(rbuf));
		if (n < 0)
			return -errno;
		/* mnl_cb_run turns an NLMSG_ERROR into -1 with errno set. */
		r = mnl_cb_run(rbuf, (size_t)n, seq, nl->portid, cb, data);
	} while (r == MNL_CB_OK); /* until the ACK (every request asks for one) */
	if (r < 0)
		return -errno;
	return 0;
}
