/* knet_attach / knet_detach: the recipe. Bridge mode, in order, all under the
 * network state lock (so IPAM and the nftables table always agree):
 *   1. take an address (IPAM), check published ports, record it (commit)
 *   2. bridge with its gateway address, up (created if missing)
 *   3. veth: host end on the bridge, peer born as eth0 in the container netns
 *   4. in the container netns: lo up, address, default route (v4, v6)
 *   5. NAT table rebuilt (masquerade, DNAT), forwarding on
 *   6. /etc files
 * Any failure undoes what was done, in reverse. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "common/stopat.h"
#include "common/util.h"
#include "netsetup/knet-private.h"

struct attach {
	const struct knet_config *c;
	const char *id;
	struct knet_db db;
	struct knl nl;
	struct in_addr ip, gw;
	struct in6_addr ip6, gw6;
	char veth[IFNAMSIZ];
	bool bridge_created, veth_created;
	json_t *state;
};

/* "kv" + 48 bits of FNV-1a of the id: fits IFNAMSIZ, stable, so detach can
 * find it from the id alone. */
static void veth_name(const char *id, char ret[IFNAMSIZ])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	snprintf(ret, IFNAMSIZ, "kv%012llx", (unsigned long long)(h & 0xffffffffffffULL));
}

static int nlerr(struct kerr *err, int r, const char *fmt, const char *arg)
{
	return kerr_set(err, -r, fmt, arg);
}

static int bridge_ensure(struct attach *a, struct knet_link_info *br, struct kerr *err)
{
	const struct knet_config *c = a->c;
	int r = knet_link_get(&a->nl, c->bridge, br);

	if (r == -ENODEV) {
		r = knet_link_add_bridge(&a->nl, c->bridge);
		if (r < 0 && r != -EEXIST)
			return nlerr(err, r, "create bridge %s", c->bridge);
		a->bridge_created = r == 0;
		r = knet_link_get(&a->nl, c->bridge, br);
	}
	if (r < 0)
		return nlerr(err, r, "bridge %s", c->bridge);
	if (strcmp(br->kind, "bridge") != 0)
		return knet_bad(err, EINVAL, "%s exists and is not a bridge (%s)", c->bridge,
				br->kind[0] ? br->kind : "no kind");
	r = knet_addr_add(&a->nl, AF_INET, br->ifindex, &a->gw, c->subnet.len);
	if (r < 0 && r != -EEXIST)
		return nlerr(err, r, "gateway address on %s", c->bridge);
	if (c->has_subnet6) {
		r = knet_addr_add(&a->nl, AF_INET6, br->ifindex, &a->gw6, c->subnet6.len);
		if (r < 0 && r != -EEXIST)
			return nlerr(err, r, "IPv6 gateway address on %s", c->bridge);
	}
	r = knet_link_set_up(&a->nl, br->ifindex);
	return r < 0 ? nlerr(err, r, "set %s up", c->bridge) : 0;
}

static int container_side(struct attach *a, int nsfd, struct kerr *err)
{
	const struct knet_config *c = a->c;
	struct knet_link_info eth0;
	struct knl cn;
	int r;

	if (knl_open(&cn, nsfd, err) < 0)
		return -1;
	/* lo is ifindex 1 in every network namespace. */
	if ((r = knet_link_set_up(&cn, 1)) < 0) {
		nlerr(err, r, "set %s up", "lo");
	} else if ((r = knet_link_get(&cn, "eth0", &eth0)) < 0) {
		nlerr(err, r, "find %s in the container", "eth0");
	} else if ((r = knet_link_set_up(&cn, eth0.ifindex)) < 0) {
		nlerr(err, r, "set %s up", "eth0");
	} else if ((r = knet_addr_add(&cn, AF_INET, eth0.ifindex, &a->ip, c->subnet.len)) < 0) {
		nlerr(err, r, "address on %s", "eth0");
	} else if ((r = knet_route_default(&cn, AF_INET, &a->gw, eth0.ifindex)) < 0) {
		nlerr(err, r, "default route via %s", "the gateway");
	} else if (c->has_subnet6) {
		if ((r = knet_addr_add(&cn, AF_INET6, eth0.ifindex, &a->ip6, c->subnet6.len)) < 0)
			nlerr(err, r, "IPv6 address on %s", "eth0");
		else if ((r = knet_route_default(&cn, AF_INET6, &a->gw6, eth0.ifindex)) < 0)
			nlerr(err, r, "IPv6 default route via %s", "the gateway");
	}
	knl_close(&cn);
	return r < 0 ? -1 : 0;
}

static int wire(struct attach *a, pid_t pid, struct kerr *err)
{
	char nspath[64];
	cleanup_close int nsfd = -1;
	struct knet_link_info br;
	int r;

	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)pid);
	nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return kerr_errno(err, "open %s", nspath);
	if (bridge_ensure(a, &br, err) < 0)
		return -1;
	r = knet_link_add_veth(&a->nl, a->veth, br.ifindex, br.mtu ? br.mtu : 1500, "eth0", nsfd);
	if (r < 0)
		return nlerr(err, r, "create veth %s (peer eth0 in the container)", a->veth);
	a->veth_created = true;
	return container_side(a, nsfd, err);
}

static void undo(struct attach *a)
{
	struct kerr ignored;

	if (a->veth_created)
		knet_link_del(&a->nl, a->veth);
	/* Only a bridge this attach made: another may be in use by others. */
	if (a->bridge_created)
		knet_link_del(&a->nl, a->c->bridge);
	if (knet_ipam_release(a->db.db, a->id)) {
		knet_nat_sync(a->db.db, NULL, &ignored);
		knet_db_commit(&a->db, &ignored);
	}
	if (a->state != NULL)
		knet_etc_remove(a->state);
}

static json_t *bridge_state(struct attach *a, const char *state_dir)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &a->gw, gw, sizeof(gw));
	json_t *s = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "mode", "bridge", "state_dir",
			      state_dir, "id", a->id, "bridge", a->c->bridge, "veth", a->veth,
			      "ip", ip, "gateway", gw, "prefix", (int)a->c->subnet.len);
	if (a->c->has_subnet6) {
		inet_ntop(AF_INET6, &a->ip6, ip6, sizeof(ip6));
		json_object_set_new(s, "ip6", json_string(ip6));
	}
	return s;
}

/* Steps 1 and 5 (see the top) run back to back under the lock; the nftables
 * context stays open across the netlink work so that the kernel's grace
 * periods of both overlap (see nat.c). */
static int attach_bridge(const struct knet_config *c, const char *state_dir, const char *id,
			 pid_t pid, const char *etc_dir, json_t **ret_state, struct kerr *err)
{
	struct attach a = { .c = c, .id = id, .db = { -1, -1, NULL } };
	char ip[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN];
	struct nft_ctx *nft = NULL;
	int r = -1;

	veth_name(id, a.veth);
	a.gw = knet_prefix4_nth(&c->subnet, 1);
	a.gw6 = c->has_subnet6 ? knet_prefix6_nth(&c->subnet6, 1) : a.gw6;
	if (knet_db_open(state_dir, &a.db, err) < 0)
		return -1;
	for (size_t i = 0; i < c->n_ports; i++)
		if (knet_port_free(&c->ports[i], err) < 0)
			goto out_close;
	if (knet_ipam_alloc(a.db.db, c, id, &a.ip, &a.ip6, err) < 0)
		goto out_close;
	if (knet_nat_sync(a.db.db, &nft, err) < 0) {
		struct kerr ignored;

		knet_ipam_release(a.db.db, id);
		knet_nat_sync(a.db.db, NULL, &ignored);
		goto out_close;
	}
	/* Recorded before any link exists, so a crash from here on leaves a
	 * record that knet_detach (delete --force) can find. */
	if (knet_db_commit(&a.db, err) < 0 || knl_open(&a.nl, -1, err) < 0) {
		undo(&a);
		goto out_close;
	}
	debug_stop_at("network:ipam");
	a.state = bridge_state(&a, state_dir);
	inet_ntop(AF_INET, &a.ip, ip, sizeof(ip));
	inet_ntop(AF_INET6, &a.ip6, ip6, sizeof(ip6));
	if (wire(&a, pid, err) < 0 ||
	    (etc_dir != NULL && knet_etc_write(etc_dir, c, id, ip, c->has_subnet6 ? ip6 : NULL,
					       NULL, a.state, err) < 0)) {
		undo(&a);
		json_decref(a.state);
	} else {
		*ret_state = a.state;
		r = 0;
	}
	knl_close(&a.nl);
out_close:
	knet_nat_close(nft);
	knet_db_close(&a.db);
	return r < 0 ? kerr_prefix(err, "network %s", id) : 0;
}

int knet_attach(const struct knet_config *c, const char *state_dir, const char *id, pid_t pid,
		const char *etc_dir, json_t **ret_state, struct kerr *err)
{
	json_t *state;

	switch (c->mode) {
	case KNET_MODE_NONE:
		*ret_state = json_pack("{s:s}", "mode", "none");
		return 0;
	case KNET_MODE_BRIDGE:
		return attach_bridge(c, state_dir, id, pid, etc_dir, ret_state, err);
	case KNET_MODE_SLIRP4NETNS:
	case KNET_MODE_PASTA:
		state = json_pack("{s:s,s:s}", "mode", knet_mode_name(c->mode), "id", id);
		if (knet_rootless_start(c, pid, state_dir, id, state, err) < 0) {
			json_decref(state);
			return kerr_prefix(err, "network %s", id);
		}
		/* slirp4netns answers DNS on 10.0.2.3; pasta forwards to the host's. */
		if (etc_dir != NULL &&
		    knet_etc_write(etc_dir, c, id, NULL, NULL,
				   c->mode == KNET_MODE_SLIRP4NETNS ? "10.0.2.3" : NULL, state,
				   err) < 0) {
			struct kerr ignored;

			knet_rootless_stop(state, &ignored);
			knet_etc_remove(state);
			json_decref(state);
			return kerr_prefix(err, "network %s", id);
		}
		*ret_state = state;
		return 0;
	}
	return knet_bad(err, EINVAL, "network %s: unknown mode", id);
}

static int detach_bridge(json_t *state, struct kerr *err)
{
	const char *dir = json_string_value(json_object_get(state, "state_dir"));
	const char *id = json_string_value(json_object_get(state, "id"));
	const char *veth = json_string_value(json_object_get(state, "veth"));
	struct kerr later = { 0 };
	struct nft_ctx *nft = NULL;
	struct knet_db db;
	struct knl nl;
	bool released;
	int r = 0, e;

	if (dir == NULL || id == NULL || veth == NULL)
		return knet_bad(err, EINVAL, "network state: missing state_dir, id or veth");
	if (knet_db_open(dir, &db, err) < 0)
		return -1;
	/* The address and the NAT entries go even if the veth cannot. */
	released = knet_ipam_release(db.db, id);
	if (released && knet_nat_sync(db.db, &nft, &later) < 0)
		r = -1;
	if (knl_open(&nl, -1, r < 0 ? &(struct kerr){ 0 } : &later) == 0) {
		/* ENODEV: the netns died with the container and took the pair. */
		e = knet_link_del(&nl, veth);
		if (e < 0 && e != -ENODEV && r == 0)
			r = kerr_set(&later, -e, "delete veth %s", veth);
		knl_close(&nl);
	} else {
		r = -1;
	}
	/* Committed even if nftables failed: the address is free, and the table
	 * is retried on the next change (its hash was dropped). */
	if (released && knet_db_commit(&db, r < 0 ? &(struct kerr){ 0 } : &later) < 0)
		r = -1;
	knet_nat_close(nft);
	knet_db_close(&db);
	if (r < 0)
		*err = later;
	return r;
}

int knet_detach(json_t *state, struct kerr *err)
{
	const char *mode = json_string_value(json_object_get(state, "mode"));
	int r = 0;

	if (mode == NULL)
		return knet_bad(err, EINVAL, "network state: no mode");
	if (strcmp(mode, "bridge") == 0)
		r = detach_bridge(state, err);
	else if (strcmp(mode, "slirp4netns") == 0 || strcmp(mode, "pasta") == 0)
		r = knet_rootless_stop(state, err);
	knet_etc_remove(state);
	return r;
}

int knet_forget(const char *state_dir, const char *id, struct kerr *err)
{
	cleanup_free char *db = xasprintf("%s/ipam.json", state_dir);
	struct knet_db d;
	json_t *rec, *state;
	char veth[IFNAMSIZ];
	int r;

	/* Nothing to find, and nothing to create either. */
	if (access(db, F_OK) < 0)
		return 0;
	if (knet_db_open(state_dir, &d, err) < 0)
		return -1;
	rec = json_object_get(json_object_get(d.db, "containers"), id);
	if (rec == NULL) {
		knet_db_close(&d);
		return 0;
	}
	veth_name(id, veth);
	state = json_pack("{s:s,s:s,s:s,s:s}", "mode", "bridge", "state_dir", state_dir, "id", id,
			  "veth", veth);
	knet_db_close(&d);   /* detach_bridge takes the lock itself */
	r = detach_bridge(state, err);
	json_decref(state);
	return r;
}
