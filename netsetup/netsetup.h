/* Container networking done by kapsel itself (issue 8). The default is to do
 * nothing beyond config.json, so orchestrators that bring their own network
 * namespace see runc's behaviour. Asked for with --network or the
 * org.kapsel.network.* annotations, it wires the container's new network
 * namespace to a bridge (veth, address, routes, NAT in kapsel's own nftables
 * table), or, rootless, starts slirp4netns or pasta for it.
 *
 * Order in the lifecycle (parent side): knet_config_from() while validating,
 * before anything is created; knet_attach() after the child exists (its netns
 * is /proc/PID/ns/net) and before it is released to exec; record the returned
 * state; knet_detach(state) on delete, on a failed create, and on
 * delete --force after kill -9 (it is idempotent). */
#ifndef KAPSEL_NETSETUP_H
#define KAPSEL_NETSETUP_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

enum knet_mode {
	KNET_MODE_NONE,          /* kapsel does nothing (the OCI default) */
	KNET_MODE_BRIDGE,
	KNET_MODE_SLIRP4NETNS,
	KNET_MODE_PASTA,
};

#define KNET_DEFAULT_BRIDGE "kapsel0"
#define KNET_DEFAULT_SUBNET "10.88.0.0/16"

struct knet_prefix4 {
	struct in_addr addr;     /* network byte order, host bits zero */
	unsigned int len;
};

struct knet_prefix6 {
	struct in6_addr addr;
	unsigned int len;
};

struct knet_port {
	struct in_addr host_ip;  /* INADDR_ANY: every local address */
	uint16_t host_port;
	uint16_t ctr_port;
	uint8_t proto;           /* IPPROTO_TCP or IPPROTO_UDP */
};

struct knet_config {
	enum knet_mode mode;
	char bridge[IFNAMSIZ];
	struct knet_prefix4 subnet;
	bool has_subnet6;        /* IPv6 only when a v6 subnet is asked for */
	struct knet_prefix6 subnet6;
	bool has_ip;
	struct in_addr ip;       /* --ip */
	struct knet_port *ports;
	size_t n_ports;
	char **dns;              /* NULL-terminated nameserver addresses, or NULL */
	char *hostname;          /* NULL: the container id */
};

/* The CLI flags (NULL when not given). A flag overrides the annotation of the
 * same name: org.kapsel.network (MODE), org.kapsel.network.subnet,
 * org.kapsel.network.ip, org.kapsel.network.hostname,
 * org.kapsel.network.publish and org.kapsel.network.dns (comma-separated). */
struct knet_flags {
	const char *network;     /* none | bridge[:NAME] | slirp4netns | pasta */
	const char *subnet;      /* "10.88.0.0/16" or "10.88.0.0/16,fd88::/64" */
	const char *ip;
	const char *hostname;
	char *const *publish;    /* NULL-terminated "[HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp]" */
	char *const *dns;        /* NULL-terminated */
};

/* Parses and checks everything (before anything is created). annotations may
 * be NULL, flags may be NULL. *ret->mode is KNET_MODE_NONE when nothing asks
 * for networking: then the caller does nothing more. */
int knet_config_from(json_t *annotations, const struct knet_flags *flags,
		     struct knet_config **ret, struct kerr *err);
void knet_config_free(struct knet_config *c);

/* Checks the config against the container: kapsel wires only a network
 * namespace the runtime creates (new_netns: config.json asks for a network
 * namespace without a path), and a bridge needs root (rootless: use
 * slirp4netns or pasta). Mode none always passes. */
int knet_config_check(const struct knet_config *c, bool rootless, bool new_netns,
		      struct kerr *err);

/* Wires the network namespace of pid (/proc/PID/ns/net, created by the
 * runtime, the process not yet started). state_dir holds kapsel's network
 * state shared by all containers (IPAM and the lock), e.g. ROOT/network.
 * etc_dir, if not NULL, receives hosts, hostname and resolv.conf for the
 * runtime to bind-mount over /etc/...; their paths are in the state under
 * "etc". *ret_state is what knet_detach() needs; save it with the container.
 * On failure nothing is left behind. Bridge mode needs CAP_NET_ADMIN in the
 * current netns and CAP_SYS_ADMIN to enter the container's. */
int knet_attach(const struct knet_config *c, const char *state_dir, const char *id, pid_t pid,
		const char *etc_dir, json_t **ret_state, struct kerr *err);

/* Undoes knet_attach. Idempotent: the veth may already be gone with the
 * netns, the address already released. Removes kapsel's nftables table when
 * the last container using it goes. */
int knet_detach(json_t *state, struct kerr *err);

/* Undoes what a knet_attach of id in bridge mode left when the runtime died
 * before recording its state: the IPAM record (and NAT entries) found in
 * state_dir, and the veth named after id. Nothing when state_dir holds no
 * record of id; state_dir is never created. */
int knet_forget(const char *state_dir, const char *id, struct kerr *err);

const char *knet_mode_name(enum knet_mode m);

#endif
