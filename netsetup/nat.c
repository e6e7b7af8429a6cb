/* NAT in kapsel's own nftables table, "inet kapsel", through libnftables:
 * nftables' own library gives atomic batches, so the table is rebuilt from
 * the IPAM state in one transaction on every attach and detach. Nothing is
 * ever half-applied, a table damaged by hand heals on the next change, and
 * the table disappears with the last container. Other tables (the host's
 * firewall) are never touched. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/util.h"
#include "netsetup/knet-private.h"
#include "netsetup/nft_dl.h"

#define TABLE "inet kapsel"

/* Appends to a growing string (open_memstream would need fclose checks). */
struct sbuf {
	char *s;
	size_t len;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *piece = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&piece, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	b->s = realloc(b->s, b->len + (size_t)n + 1);
	if (b->s == NULL)
		abort();
	memcpy(b->s + b->len, piece, (size_t)n + 1);
	b->len += (size_t)n;
}

static void add_subnets(struct sbuf *b, json_t *bridges, const char *key, const char *type)
{
	const char *name;
	json_t *br;
	bool first = true;

	sb_add(b, "  set %s { type %s; flags interval; auto-merge;", key, type);
	json_object_foreach(bridges, name, br) {
		const char *net = json_string_value(json_object_get(br, key[4] == '6' ?
								       "subnet6" : "subnet"));
		if (net == NULL)
			continue;
		sb_add(b, "%s %s", first ? " elements = {" : ",", net);
		first = false;
	}
	sb_add(b, "%s }\n", first ? "" : " };");
}

static void add_ports(struct sbuf *b, json_t *containers, bool with_ip)
{
	const char *id;
	json_t *rec, *p;
	size_t i;
	bool first = true;

	if (with_ip)
		sb_add(b, "  map pub4ip { type ipv4_addr . inet_proto . inet_service : "
			  "ipv4_addr . inet_service;");
	else
		sb_add(b, "  map pub4 { type inet_proto . inet_service : ipv4_addr . inet_service;");
	json_object_foreach(containers, id, rec) {
		json_array_foreach(json_object_get(rec, "ports"), i, p) {
			const char *hip = json_string_value(json_object_get(p, "host_ip"));
			bool any = hip == NULL || strcmp(hip, "0.0.0.0") == 0;

			if (any == with_ip)
				continue;
			sb_add(b, "%s ", first ? " elements = {" : ",");
			if (with_ip)
				sb_add(b, "%s . ", hip);
			sb_add(b, "%s . %d : %s . %d", json_string_value(json_object_get(p, "proto")),
			       (int)json_integer_value(json_object_get(p, "host_port")),
			       json_string_value(json_object_get(rec, "ip")),
			       (int)json_integer_value(json_object_get(p, "ctr_port")));
			first = false;
		}
	}
	sb_add(b, "%s }\n", first ? "" : " };");
}

#define DNAT_RULES                                                                   \
	"    fib daddr type local dnat ip to meta l4proto . th dport map @pub4;\n"       \
	"    dnat ip to ip daddr . meta l4proto . th dport map @pub4ip;\n"

static char *ruleset(json_t *db, bool fresh)
{
	json_t *containers = json_object_get(db, "containers");
	json_t *bridges = json_object_get(db, "bridges");
	struct sbuf b = { 0 };

	/* "add" then "delete" makes the delete valid whether or not it exists.
	 * fresh: "create" instead, which fails (atomically) if a table is there. */
	if (fresh)
		sb_add(&b, "create table " TABLE "\n");
	else
		sb_add(&b, "table " TABLE " {}\ndelete table " TABLE "\n");
	if (json_object_size(containers) == 0)
		return b.s;
	sb_add(&b, "table " TABLE " {\n");
	add_subnets(&b, bridges, "nets4", "ipv4_addr");
	add_subnets(&b, bridges, "nets6", "ipv6_addr");
	add_ports(&b, containers, false);
	add_ports(&b, containers, true);
	sb_add(&b, "  chain prerouting {\n    type nat hook prerouting priority dstnat;\n"
		   DNAT_RULES "  }\n");
	/* Connections from this host itself to a published port. */
	sb_add(&b, "  chain output {\n    type nat hook output priority -100;\n"
		   DNAT_RULES "  }\n");
	/* Masquerade what leaves the subnets; and hairpin (a container reaching
	 * another through a published port): without the masquerade the reply
	 * would go straight over the bridge and miss the reverse DNAT. */
	sb_add(&b, "  chain postrouting {\n    type nat hook postrouting priority srcnat;\n"
		   "    ip saddr @nets4 ip daddr != @nets4 masquerade;\n"
		   "    ct status dnat ip saddr @nets4 ip daddr @nets4 masquerade;\n"
		   "    ip6 saddr @nets6 ip6 daddr != @nets6 masquerade;\n  }\n}\n");
	return b.s;
}

char *knet_nat_ruleset(json_t *db)
{
	return ruleset(db, false);
}

static int set_forwarding(json_t *db, struct kerr *err)
{
	const char *name;
	json_t *br;
	bool v6 = false;
	char cur[4] = "";
	int fd;

	json_object_foreach(json_object_get(db, "bridges"), name, br)
		v6 |= json_object_get(br, "subnet6") != NULL;
	/* Per network namespace; read first so an unchanged value costs no write. */
	fd = open("/proc/sys/net/ipv4/ip_forward", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, cur, sizeof(cur) - 1) < 0)
			cur[0] = '\0';
		close(fd);
	}
	if (cur[0] != '1' && write_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", "1", 1,
					   err) < 0)
		return -1;
	if (v6 && write_file_at(AT_FDCWD, "/proc/sys/net/ipv6/conf/all/forwarding", "1", 1,
				err) < 0)
		return -1;
	return 0;
}

static char *text_hash(const char *text)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return xasprintf("%016llx", (unsigned long long)h);
}

/* Closing an nftables socket waits for the kernel's deferred destruction of
 * committed transactions (an RCU grace period, ~10-15 ms here). So the
 * caller may keep the context open (ret_ctx) while it does other work that
 * waits for a grace period too (deleting a veth), and close it afterwards:
 * the two waits overlap. Replacing a table costs most, so the first
 * container's table is only created, and the replacing batch runs only if a
 * table is unexpectedly there. */
static int nft_apply(const char *rules, const char *fresh, struct nft_ctx **ret_ctx,
		     struct kerr *err)
{
	struct nft_ctx *ctx;

	if (knet_nft_load(err) < 0)
		return -1;
	ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (ctx == NULL)
		return kerr_set(err, ENOMEM, "nftables context");
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	if (fresh != NULL && nft_run_cmd_from_buffer(ctx, fresh) == 0)
		goto done;
	if (nft_run_cmd_from_buffer(ctx, rules) != 0) {
		cleanup_free char *msg = xstrdup(nft_ctx_get_error_buffer(ctx));
		char *nl = strchr(msg, '\n');

		if (nl != NULL)
			*nl = '\0';
		nft_ctx_free(ctx);
		return knet_bad(err, EINVAL, "nftables table %s: %s", TABLE, msg);
	}
done:
	if (ret_ctx != NULL)
		*ret_ctx = ctx;
	else
		nft_ctx_free(ctx);
	return 0;
}

void knet_nat_close(struct nft_ctx *ctx)
{
	if (ctx != NULL)
		nft_ctx_free(ctx);
}

/* The table depends only on the subnets and the published ports, so most
 * attaches and detaches (a container without --publish on a bridge in use)
 * leave it as it is: the hash of what was last applied, kept in the db,
 * skips the nftables transaction then. Deleting a table also costs an RCU
 * grace period, so this is most of a detach's time saved.
 * ret_ctx (may be NULL): the nftables context, to close later with
 * knet_nat_close() (see nft_apply) after other slow work. */
int knet_nat_sync(json_t *db, struct nft_ctx **ret_ctx, struct kerr *err)
{
	cleanup_free char *rules = knet_nat_ruleset(db);
	cleanup_free char *hash = text_hash(rules);
	const char *applied = json_string_value(json_object_get(db, "nat"));
	cleanup_free char *fresh = NULL;

	if (applied != NULL && strcmp(applied, hash) == 0)
		return 0;
	if (json_object_size(json_object_get(db, "containers")) > 0 &&
	    set_forwarding(db, err) < 0)
		return kerr_prefix(err, "enable forwarding");
	/* No table applied as far as the state knows, and one is needed. */
	if (applied == NULL && json_object_size(json_object_get(db, "containers")) > 0)
		fresh = ruleset(db, true);
	/* Forget the old hash first: if applying fails, the next change retries. */
	json_object_del(db, "nat");
	if (nft_apply(rules, fresh, ret_ctx, err) < 0)
		return -1;
	json_object_set_new(db, "nat", json_string(hash));
	return 1;
}

/* DNAT does not hold the port; refuse one a local socket already uses, or the
 * two would silently shadow each other. */
int knet_port_free(const struct knet_port *p, struct kerr *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port),
				  .sin_addr = p->host_ip };
	cleanup_close int fd = -1;
	int one = 1;
	char ip[INET_ADDRSTRLEN];

	fd = socket(AF_INET, (p->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return kerr_errno(err, "socket");
	/* TIME_WAIT leftovers must not count as "in use"; a listener still does. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		return kerr_errno(err, "--publish %s:%u/%s: host port not available", ip,
				  p->host_port, knet_proto_name(p->proto));
	}
	return 0;
}
