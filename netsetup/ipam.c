/* Subnet math and address management. Addresses are handed out from a JSON
 * file that is only read and written under an flock, so parallel creates
 * (separate processes) never take the same address. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

static uint32_t mask4(unsigned int len)
{
	return len == 0 ? 0 : ~(uint32_t)0 << (32 - len);
}

int knet_parse_prefix4(const char *s, struct knet_prefix4 *ret, struct kerr *err)
{
	char buf[INET_ADDRSTRLEN + 4];
	uint64_t len;
	char *slash;
	struct in_addr a;

	if (strlen(s) >= sizeof(buf))
		return knet_bad(err, EINVAL, "subnet %s: not an IPv4 prefix (A.B.C.D/LEN)", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return knet_bad(err, EINVAL, "subnet %s: missing /LEN", s);
	*slash = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1 || !parse_u64(slash + 1, &len))
		return knet_bad(err, EINVAL, "subnet %s: not an IPv4 prefix (A.B.C.D/LEN)", s);
	/* /31 and /32 leave no address beside the gateway. */
	if (len < 8 || len > 30)
		return knet_bad(err, EINVAL, "subnet %s: prefix length must be 8..30", s);
	if ((ntohl(a.s_addr) & ~mask4((unsigned int)len)) != 0)
		return knet_bad(err, EINVAL, "subnet %s: host bits set", s);
	ret->addr = a;
	ret->len = (unsigned int)len;
	return 0;
}

int knet_parse_prefix6(const char *s, struct knet_prefix6 *ret, struct kerr *err)
{
	char buf[INET6_ADDRSTRLEN + 5];
	uint64_t len;
	char *slash;
	struct in6_addr a;

	if (strlen(s) >= sizeof(buf))
		return knet_bad(err, EINVAL, "subnet %s: not an IPv6 prefix", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return knet_bad(err, EINVAL, "subnet %s: missing /LEN", s);
	*slash = '\0';
	if (inet_pton(AF_INET6, buf, &a) != 1 || !parse_u64(slash + 1, &len))
		return knet_bad(err, EINVAL, "subnet %s: not an IPv6 prefix", s);
	/* Container addresses reuse the IPv4 host offset, which needs 32 bits. */
	if (len < 8 || len > 96)
		return knet_bad(err, EINVAL, "subnet %s: IPv6 prefix length must be 8..96", s);
	for (unsigned int bit = (unsigned int)len; bit < 128; bit++)
		if (a.s6_addr[bit / 8] & (0x80 >> (bit % 8)))
			return knet_bad(err, EINVAL, "subnet %s: host bits set", s);
	ret->addr = a;
	ret->len = (unsigned int)len;
	return 0;
}

uint64_t knet_prefix4_capacity(const struct knet_prefix4 *p)
{
	return ((uint64_t)1 << (32 - p->len)) - 3;
}

bool knet_prefix4_contains(const struct knet_prefix4 *p, struct in_addr a)
{
	uint32_t m = mask4(p->len);

	return (ntohl(a.s_addr) & m) == ntohl(p->addr.s_addr);
}

struct in_addr knet_prefix4_nth(const struct knet_prefix4 *p, uint32_t n)
{
	struct in_addr a = { htonl(ntohl(p->addr.s_addr) + n) };

	return a;
}

uint32_t knet_prefix4_offset(const struct knet_prefix4 *p, struct in_addr a)
{
	return ntohl(a.s_addr) - ntohl(p->addr.s_addr);
}

struct in6_addr knet_prefix6_nth(const struct knet_prefix6 *p, uint32_t n)
{
	struct in6_addr a = p->addr;

	for (int i = 15; i >= 12; i--, n >>= 8)
		a.s6_addr[i] |= (uint8_t)(n & 0xff);
	return a;
}

int knet_check_ip(const struct knet_prefix4 *p, struct in_addr a, struct kerr *err)
{
	char ip[INET_ADDRSTRLEN];
	cleanup_free char *net = knet_prefix4_str(p);
	uint32_t off = 0;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	if (!knet_prefix4_contains(p, a))
		return knet_bad(err, EINVAL, "--ip %s: outside the subnet %s", ip, net);
	off = knet_prefix4_offset(p, a);
	if (off == 0 || off == 1 || off == (uint32_t)(knet_prefix4_capacity(p) + 2))
		return knet_bad(err, EINVAL,
				"--ip %s: the network, gateway or broadcast address of %s", ip, net);
	return 0;
}

char *knet_prefix4_str(const struct knet_prefix4 *p)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, ip, sizeof(ip));
	return xasprintf("%s/%u", ip, p->len);
}

char *knet_prefix6_str(const struct knet_prefix6 *p)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &p->addr, ip, sizeof(ip));
	return xasprintf("%s/%u", ip, p->len);
}

/* ---- the locked store ---- */

#define DB_NAME "ipam.json"

/* ipam.json.tmp.PID files: writers hold the lock we now hold, so any
 * there is from one killed between its write and its rename. */
static void sweep_tmp(int dirfd)
{
	static const char prefix[] = DB_NAME ".tmp.";
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, sizeof(prefix) - 1) == 0)
			unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

int knet_db_open(const char *state_dir, struct knet_db *ret, struct kerr *err)
{
	cleanup_close int dirfd = -1, lockfd = -1;
	cleanup_free char *buf = NULL;
	json_t *db;
	json_error_t jerr;

	if (mkdir_p(state_dir, 0700, err) < 0)
		return -1;
	dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return kerr_errno(err, "open %s", state_dir);
	lockfd = openat(dirfd, "net.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lockfd < 0)
		return kerr_errno(err, "open %s/net.lock", state_dir);
	while (flock(lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return kerr_errno(err, "lock %s/net.lock", state_dir);
	sweep_tmp(dirfd);

	if (read_file_at(dirfd, DB_NAME, 64 << 20, &buf, NULL, err) < 0) {
		if (err->code != ENOENT)
			return -1;
		kerr_clear(err);
		db = json_pack("{s:{},s:{}}", "bridges", "containers");
	} else {
		db = json_loads(buf, 0, &jerr);
		if (db == NULL || !json_is_object(json_object_get(db, "bridges")) ||
		    !json_is_object(json_object_get(db, "containers"))) {
			json_decref(db);
			return knet_bad(err, EINVAL, "%s/%s: corrupt (%s)", state_dir, DB_NAME,
					jerr.text);
		}
	}
	ret->dirfd = move_fd(&dirfd);
	ret->lockfd = move_fd(&lockfd);
	ret->db = db;
	return 0;
}

int knet_db_commit(struct knet_db *d, struct kerr *err)
{
	cleanup_free char *text = json_dumps(d->db, JSON_COMPACT | JSON_SORT_KEYS);

	if (text == NULL)
		return kerr_set(err, ENOMEM, "serialize %s", DB_NAME);
	return write_file_atomic_at(d->dirfd, DB_NAME, text, strlen(text), 0600, err);
}

void knet_db_close(struct knet_db *d)
{
	json_decref(d->db);
	d->db = NULL;
	if (d->dirfd >= 0)
		close(d->dirfd);
	if (d->lockfd >= 0)
		close(d->lockfd); /* drops the flock */
	d->dirfd = d->lockfd = -1;
}

static json_t *port_json(const struct knet_port *p)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	return json_pack("{s:s,s:i,s:i,s:s}", "host_ip", ip, "host_port", (int)p->host_port,
			 "ctr_port", (int)p->ctr_port, "proto", knet_proto_name(p->proto));
}

/* Another container's published port on the same host address (or on "any"). */
static int check_port_conflicts(json_t *containers, const struct knet_config *c,
				struct kerr *err)
{
	const char *other;
	json_t *rec, *port;
	size_t i;

	json_object_foreach(containers, other, rec) {
		json_array_foreach(json_object_get(rec, "ports"), i, port) {
			for (size_t k = 0; k < c->n_ports; k++) {
				const struct knet_port *p = &c->ports[k];
				const char *hs = json_string_value(json_object_get(port, "host_ip"));
				const char *proto = json_string_value(json_object_get(port, "proto"));
				struct in_addr hip = { INADDR_ANY };

				if (hs != NULL)
					inet_pton(AF_INET, hs, &hip);
				if (json_integer_value(json_object_get(port, "host_port")) !=
					    p->host_port ||
				    strcmp(proto ? proto : "tcp", knet_proto_name(p->proto)) != 0)
					continue;
				if (hip.s_addr == INADDR_ANY || p->host_ip.s_addr == INADDR_ANY ||
				    hip.s_addr == p->host_ip.s_addr)
					return knet_bad(err, EADDRINUSE,
							"--publish %u/%s: port in use by container %s",
							p->host_port, knet_proto_name(p->proto), other);
			}
		}
	}
	return 0;
}

static json_t *bridge_record(json_t *bridges, const struct knet_config *c, struct kerr *err)
{
	cleanup_free char *net = knet_prefix4_str(&c->subnet);
	cleanup_free char *net6 = c->has_subnet6 ? knet_prefix6_str(&c->subnet6) : NULL;
	json_t *b = json_object_get(bridges, c->bridge);
	const char *have, *have6;

	if (b == NULL) {
		b = json_pack("{s:s,s:i,s:{}}", "subnet", net, "last", 1, "allocs");
		if (net6 != NULL)
			json_object_set_new(b, "subnet6", json_string(net6));
		json_object_set_new(bridges, c->bridge, b);
		return b;
	}
	/* A bridge carries one subnet: a second one would give two containers on
	 * one link addresses that cannot reach each other. */
	have = json_string_value(json_object_get(b, "subnet"));
	have6 = json_string_value(json_object_get(b, "subnet6"));
	if (have == NULL || strcmp(have, net) != 0 ||
	    (net6 != NULL && (have6 == NULL || strcmp(have6, net6) != 0))) {
		knet_bad(err, EINVAL, "bridge %s already serves subnet %s, not %s%s%s", c->bridge,
			 have ? have : "?", net, net6 ? "," : "", net6 ? net6 : "");
		return NULL;
	}
	return b;
}

static int pick_address(json_t *b, const struct knet_config *c, uint32_t *ret_off,
			struct kerr *err)
{
	json_t *allocs = json_object_get(b, "allocs");
	uint64_t cap = knet_prefix4_capacity(&c->subnet);
	char ip[INET_ADDRSTRLEN];
	uint32_t last, off;

	if (c->has_ip) {
		if (knet_check_ip(&c->subnet, c->ip, err) < 0)
			return -1;
		inet_ntop(AF_INET, &c->ip, ip, sizeof(ip));
		if (json_object_get(allocs, ip) != NULL)
			return knet_bad(err, EADDRINUSE, "--ip %s: already in use by container %s",
					ip, json_string_value(json_object_get(allocs, ip)));
		*ret_off = knet_prefix4_offset(&c->subnet, c->ip);
		return 0;
	}
	if (json_object_size(allocs) >= cap) {
		cleanup_free char *net = knet_prefix4_str(&c->subnet);
		return knet_bad(err, ENOSPC, "subnet %s of bridge %s: no free address", net,
				c->bridge);
	}
	/* Round-robin from the last one handed out, so a just-released address
	 * (still in peers' ARP caches) is not reused at once. Offsets 2..cap+1. */
	last = (uint32_t)json_integer_value(json_object_get(b, "last"));
	for (uint64_t i = 1; i <= cap; i++) {
		off = (uint32_t)(((uint64_t)last - 2 + i) % cap) + 2;
		struct in_addr a = knet_prefix4_nth(&c->subnet, off);

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		if (json_object_get(allocs, ip) == NULL) {
			*ret_off = off;
			return 0;
		}
	}
	return knet_bad(err, ENOSPC, "bridge %s: no free address", c->bridge);
}

int knet_ipam_alloc(json_t *db, const struct knet_config *c, const char *id,
		    struct in_addr *ret_ip, struct in6_addr *ret_ip6, struct kerr *err)
{
	json_t *containers = json_object_get(db, "containers");
	json_t *b, *rec, *ports;
	char ip[INET_ADDRSTRLEN], ip6[INET6_ADDRSTRLEN];
	struct in_addr a;
	struct in6_addr a6;
	uint32_t off = 0;

	if (json_object_get(containers, id) != NULL)
		return knet_bad(err, EEXIST, "container %s already has a network address", id);
	b = bridge_record(json_object_get(db, "bridges"), c, err);
	if (b == NULL)
		return -1;
	if (check_port_conflicts(containers, c, err) < 0 || pick_address(b, c, &off, err) < 0)
		return -1;

	a = knet_prefix4_nth(&c->subnet, off);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	json_object_set_new(json_object_get(b, "allocs"), ip, json_string(id));
	if (!c->has_ip)
		json_object_set_new(b, "last", json_integer(off));
	ports = json_array();
	for (size_t i = 0; i < c->n_ports; i++)
		json_array_append_new(ports, port_json(&c->ports[i]));
	rec = json_pack("{s:s,s:s,s:o}", "bridge", c->bridge, "ip", ip, "ports", ports);
	if (c->has_subnet6) {
		a6 = knet_prefix6_nth(&c->subnet6, off);
		inet_ntop(AF_INET6, &a6, ip6, sizeof(ip6));
		json_object_set_new(rec, "ip6", json_string(ip6));
		if (ret_ip6 != NULL)
			*ret_ip6 = a6;
	}
	json_object_set_new(containers, id, rec);
	*ret_ip = a;
	return 0;
}

bool knet_ipam_release(json_t *db, const char *id)
{
	json_t *containers = json_object_get(db, "containers");
	json_t *rec = json_object_get(containers, id);
	json_t *bridges = json_object_get(db, "bridges");
	json_t *b;

	if (rec == NULL)
		return false;
	b = json_object_get(bridges, json_string_value(json_object_get(rec, "bridge")));
	if (b != NULL) {
		json_t *allocs = json_object_get(b, "allocs");
		const char *ip = json_string_value(json_object_get(rec, "ip"));
		json_t *holder = ip ? json_object_get(allocs, ip) : NULL;

		if (holder != NULL && strcmp(json_string_value(holder), id) == 0)
			json_object_del(allocs, ip);
		/* A bridge record without containers is forgotten, so the bridge
		 * may be given another subnet later. */
		if (json_object_size(allocs) == 0)
			json_object_del(bridges, json_string_value(json_object_get(rec, "bridge")));
	}
	json_object_del(containers, id);
	return true;
}

int knet_ipam_reserve(const char *state_dir, const struct knet_config *c, const char *id,
		      struct in_addr *ret_ip, struct kerr *err)
{
	struct knet_db d;
	struct in_addr a;
	int r;

	if (knet_db_open(state_dir, &d, err) < 0)
		return -1;
	r = knet_ipam_alloc(d.db, c, id, &a, NULL, err);
	if (r == 0)
		r = knet_db_commit(&d, err);
	knet_db_close(&d);
	if (r == 0)
		*ret_ip = a;
	return r;
}
