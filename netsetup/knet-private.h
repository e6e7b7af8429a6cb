/* netsetup's internals, shared by its files and its unit tests only. Other
 * folders include netsetup/netsetup.h. */
#ifndef KAPSEL_NETSETUP_PRIVATE_H
#define KAPSEL_NETSETUP_PRIVATE_H

#include <libmnl/libmnl.h>

#include "netsetup/netsetup.h"

/* ---- subnet math and IPAM (ipam.c) ---- */

int knet_parse_prefix4(const char *s, struct knet_prefix4 *ret, struct kerr *err);
int knet_parse_prefix6(const char *s, struct knet_prefix6 *ret, struct kerr *err);
/* Addresses a container can get: all but the network, gateway (.1) and broadcast. */
uint64_t knet_prefix4_capacity(const struct knet_prefix4 *p);
bool knet_prefix4_contains(const struct knet_prefix4 *p, struct in_addr a);
/* The address at host offset n (0 is the network address). */
struct in_addr knet_prefix4_nth(const struct knet_prefix4 *p, uint32_t n);
uint32_t knet_prefix4_offset(const struct knet_prefix4 *p, struct in_addr a);
struct in6_addr knet_prefix6_nth(const struct knet_prefix6 *p, uint32_t n);
/* Checks a requested address: inside the subnet, not network/gateway/broadcast. */
int knet_check_ip(const struct knet_prefix4 *p, struct in_addr a, struct kerr *err);
char *knet_prefix4_str(const struct knet_prefix4 *p);
char *knet_prefix6_str(const struct knet_prefix6 *p);

/* The shared state: STATE_DIR/ipam.json, read and written only while holding
 * an flock on STATE_DIR/net.lock (so parallel creates cannot both take one
 * address). Layout:
 *   {"bridges": {NAME: {"subnet": S, "subnet6": S6?, "last": N, "allocs": {IP: ID}}},
 *    "containers": {ID: {"bridge": B, "ip": IP, "ip6": IP6?, "ports": [...]}}} */
struct knet_db {
	int lockfd;
	int dirfd;
	json_t *db;
};

int knet_db_open(const char *state_dir, struct knet_db *ret, struct kerr *err);
int knet_db_commit(struct knet_db *d, struct kerr *err);
void knet_db_close(struct knet_db *d);

/* Takes an address (c->ip if given) for id on c->bridge and records its ports.
 * Fails on a used address, an exhausted subnet, a bridge already bound to
 * another subnet, or a published port another container holds. */
int knet_ipam_alloc(json_t *db, const struct knet_config *c, const char *id,
		    struct in_addr *ret_ip, struct in6_addr *ret_ip6, struct kerr *err);
/* Returns true if id held an address. */
bool knet_ipam_release(json_t *db, const char *id);
/* lock + load + alloc + commit + unlock, for callers that need nothing else. */
int knet_ipam_reserve(const char *state_dir, const struct knet_config *c, const char *id,
		      struct in_addr *ret_ip, struct kerr *err);

/* ---- options.c ---- */
/* A validation error: the message alone (no ": Invalid argument" appended),
 * err->code still set for callers that test it. Returns -1. */
int knet_bad(struct kerr *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int knet_parse_port(const char *s, struct knet_port *ret, struct kerr *err);
int knet_parse_mode(const char *s, struct knet_config *c, struct kerr *err);

/* ---- netlink (nl.c) ---- */
struct knl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq;
	char buf[8192];
};

/* A NETLINK_ROUTE socket in the current netns, or in netns_fd's if >= 0. */
int knl_open(struct knl *nl, int netns_fd, struct kerr *err);
void knl_close(struct knl *nl);
struct nlmsghdr *knl_msg(struct knl *nl, uint16_t type, uint16_t flags);
/* Sends h and reads the answer (cb for data, may be NULL). Returns 0 or -errno. */
int knl_talk(struct knl *nl, struct nlmsghdr *h, mnl_cb_t cb, void *data);

/* ---- links (link.c) ---- */
struct knet_link_info {
	int ifindex;
	unsigned int mtu;
	char kind[16];
};

int knet_link_get(struct knl *nl, const char *name, struct knet_link_info *ret);
int knet_link_add_bridge(struct knl *nl, const char *name);
/* A veth pair: host end on master (ifindex), up; the peer created directly in
 * peer_netns_fd under peer_name (so a host interface called eth0 cannot clash). */
int knet_link_add_veth(struct knl *nl, const char *host_name, int master, unsigned int mtu,
		       const char *peer_name, int peer_netns_fd);
int knet_link_set_up(struct knl *nl, int ifindex);
int knet_link_set_mtu(struct knl *nl, int ifindex, unsigned int mtu);
int knet_link_rename(struct knl *nl, int ifindex, const char *name);
int knet_link_move(struct knl *nl, int ifindex, int netns_fd);
int knet_link_del(struct knl *nl, const char *name);

/* ---- addresses and routes (addr.c) ---- */
int knet_addr_add(struct knl *nl, int family, int ifindex, const void *addr, unsigned int plen);
int knet_route_default(struct knl *nl, int family, const void *gw, int ifindex);

/* ---- NAT (nat.c) ---- */
/* The whole "inet kapsel" table for db (NULL text: no table needed). */
char *knet_nat_ruleset(json_t *db);
/* Replaces kapsel's table with the one db needs, in one atomic batch, unless
 * db["nat"] says it is already applied. 1: applied (commit the db), 0: no change.
 * *ret_ctx (if ret_ctx): an nftables context to knet_nat_close() later, or NULL. */
struct nft_ctx;
int knet_nat_sync(json_t *db, struct nft_ctx **ret_ctx, struct kerr *err);
void knet_nat_close(struct nft_ctx *ctx);
/* Whether a host port can be taken (nothing else bound to it here). */
int knet_port_free(const struct knet_port *p, struct kerr *err);
const char *knet_proto_name(uint8_t proto);

/* ---- /etc files (etcfiles.c) ---- */
char *knet_etc_hosts(const char *hostname, const char *ip, const char *ip6);
/* dns NULL: the nameservers of host_resolv, loopback ones dropped (the
 * container cannot reach the host's 127.0.0.53). */
char *knet_etc_resolv(char *const *dns, const char *host_resolv, const char *fallback_ns);
int knet_etc_write(const char *etc_dir, const struct knet_config *c, const char *id,
		   const char *ip, const char *ip6, const char *fallback_ns, json_t *state,
		   struct kerr *err);
void knet_etc_remove(json_t *state);

/* ---- rootless helpers (rootless.c) ---- */
int knet_rootless_start(const struct knet_config *c, pid_t pid, const char *state_dir,
			const char *id, json_t *state, struct kerr *err);
int knet_rootless_stop(json_t *state, struct kerr *err);

#endif
