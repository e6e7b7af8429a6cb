/* Links over rtnetlink: bridge, veth pair, up, MTU, rename, move, delete.
 * Each returns 0 or -errno; the caller names the step in its error. */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

static struct ifinfomsg *put_ifi(struct nlmsghdr *h, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

static int linkinfo_attr(const struct nlattr *a, void *data)
{
	struct knet_link_info *info = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		snprintf(info->kind, sizeof(info->kind), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *data)
{
	struct knet_link_info *info = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_MTU:
		info->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_LINKINFO:
		mnl_attr_parse_nested(a, linkinfo_attr, info);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct knet_link_info *info = data;

	info->ifindex = ifi->ifi_index;
	return mnl_attr_parse(h, sizeof(*ifi), link_attr, info);
}

int knet_link_get(struct knl *nl, const char *name, struct knet_link_info *ret)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_GETLINK, 0);
	struct knet_link_info info = { 0 };
	int r;

	put_ifi(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	r = knl_talk(nl, h, link_cb, &info);
	if (r < 0)
		return r;
	*ret = info;
	return 0;
}

int knet_link_add_bridge(struct knl *nl, const char *name)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info;

	put_ifi(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(h, info);
	return knl_talk(nl, h, NULL, NULL);
}

/* One request creates both ends: the peer is born inside the container's netns
 * with its final name and is never visible in ours (no rename race, no clash
 * with a host "eth0"); the host end is enslaved and up at once. The peer is
 * brought up from inside the container's netns. */
int knet_link_add_veth(struct knl *nl, const char *host_name, int master, unsigned int mtu,
		       const char *peer_name, int peer_netns_fd)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = put_ifi(h, 0), *peer;
	struct nlattr *info, *data, *peer_nest;

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(h, IFLA_IFNAME, host_name);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master);
	info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(h, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(h, sizeof(*peer));
	/* Not IFF_UP here: veth_newlink configures the peer before linking the
	 * pair, so veth_open() would fail with ENOTCONN. */
	peer->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(h, peer_nest);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return knl_talk(nl, h, NULL, NULL);
}

int knet_link_set_up(struct knl *nl, int ifindex)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifi(h, ifindex);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return knl_talk(nl, h, NULL, NULL);
}

int knet_link_set_mtu(struct knl *nl, int ifindex, unsigned int mtu)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, 0);

	put_ifi(h, ifindex);
	mnl_attr_put_u32(h, IFLA_MTU, mtu);
	return knl_talk(nl, h, NULL, NULL);
}

int knet_link_rename(struct knl *nl, int ifindex, const char *name)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, 0);

	put_ifi(h, ifindex);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	return knl_talk(nl, h, NULL, NULL);
}

int knet_link_move(struct knl *nl, int ifindex, int netns_fd)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_NEWLINK, 0);

	put_ifi(h, ifindex);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	return knl_talk(nl, h, NULL, NULL);
}

int knet_link_del(struct knl *nl, const char *name)
{
	struct nlmsghdr *h = knl_msg(nl, RTM_DELLINK, 0);

	put_ifi(h, 0);
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	return knl_talk(nl, h, NULL, NULL);
}
