/* Addresses and default routes over rtnetlink. 0 or -errno. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

int knet_addr_add(struct knl *nl, int family, int ifindex, const void *addr, unsigned int plen)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)ifindex;
	/* No duplicate address detection: IPAM already guarantees uniqueness,
	 * and DAD would keep the v6 address unusable for ~1 s after start. */
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	mnl_attr_put(h, IFA_LOCAL, addr_len(family), addr);
	mnl_attr_put(h, IFA_ADDRESS, addr_len(family), addr);
	return knl_talk(nl, h, NULL, NULL);
}

int knet_route_default(struct knl *nl, int family, const void *gw, int ifindex)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));

	rt->rtm_family = (uint8_t)family;
	rt->rtm_dst_len = 0;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_GATEWAY, addr_len(family), gw);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)ifindex);
	return knl_talk(nl, h, NULL, NULL);
}
