/* --network/--subnet/--ip/--publish/--dns/--hostname and the
 * org.kapsel.network.* annotations (a bundle carries its settings). Everything
 * is checked here, before the runtime creates anything. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

#define ANN "org.kapsel.network"

int knet_bad(struct kerr *err, int code, const char *fmt, ...)
{
	char msg[KERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kerr_set(err, 0, "%s", msg);
	err->code = code;
	return -1;
}

const char *knet_mode_name(enum knet_mode m)
{
	switch (m) {
	case KNET_MODE_NONE: return "none";
	case KNET_MODE_BRIDGE: return "bridge";
	case KNET_MODE_SLIRP4NETNS: return "slirp4netns";
	case KNET_MODE_PASTA: return "pasta";
	}
	return "?";
}

const char *knet_proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* Linux interface names: 1..15 bytes, no '/', ':', whitespace (dev_valid_name). */
static bool ifname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

int knet_parse_mode(const char *s, struct knet_config *c, struct kerr *err)
{
	const char *name = KNET_DEFAULT_BRIDGE;

	if (strcmp(s, "none") == 0 || strcmp(s, "") == 0) {
		c->mode = KNET_MODE_NONE;
	} else if (strcmp(s, "bridge") == 0 || strncmp(s, "bridge:", 7) == 0) {
		c->mode = KNET_MODE_BRIDGE;
		if (s[6] == ':')
			name = s + 7;
		if (!ifname_valid(name))
			return knet_bad(err, EINVAL, "--network %s: bad bridge name", s);
	} else if (strcmp(s, "slirp4netns") == 0) {
		c->mode = KNET_MODE_SLIRP4NETNS;
	} else if (strcmp(s, "pasta") == 0) {
		c->mode = KNET_MODE_PASTA;
	} else {
		return knet_bad(err, EINVAL,
				"--network %s: unknown network type (none, bridge[:NAME], "
				"slirp4netns, pasta)", s);
	}
	snprintf(c->bridge, sizeof(c->bridge), "%s", name);
	return 0;
}

static int parse_port_num(const char *s, size_t n, uint16_t *ret)
{
	char buf[8];
	uint64_t v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_u64(buf, &v) || v == 0 || v > 65535)
		return -1;
	*ret = (uint16_t)v;
	return 0;
}

/* [HOSTIP:]HOSTPORT:CTRPORT[/tcp|udp] */
int knet_parse_port(const char *s, struct knet_port *ret, struct kerr *err)
{
	struct knet_port p = { .proto = IPPROTO_TCP };
	cleanup_free char *copy = xstrdup(s);
	char *slash = strchr(copy, '/');
	char *last, *first;

	if (slash != NULL) {
		*slash = '\0';
		if (strcmp(slash + 1, "tcp") == 0)
			p.proto = IPPROTO_TCP;
		else if (strcmp(slash + 1, "udp") == 0)
			p.proto = IPPROTO_UDP;
		else
			return knet_bad(err, EINVAL, "--publish %s: protocol must be tcp or udp", s);
	}
	last = strrchr(copy, ':');
	if (last == NULL)
		return knet_bad(err, EINVAL, "--publish %s: expected [HOSTIP:]HOSTPORT:CTRPORT", s);
	*last = '\0';
	first = strrchr(copy, ':');
	if (first != NULL) {
		*first = '\0';
		if (inet_pton(AF_INET, copy, &p.host_ip) != 1)
			return knet_bad(err, EINVAL, "--publish %s: bad host IPv4 address", s);
	} else {
		first = copy - 1;
	}
	if (parse_port_num(first + 1, strlen(first + 1), &p.host_port) < 0 ||
	    parse_port_num(last + 1, strlen(last + 1), &p.ctr_port) < 0)
		return knet_bad(err, EINVAL, "--publish %s: ports must be 1..65535", s);
	*ret = p;
	return 0;
}

static int set_subnets(struct knet_config *c, const char *s, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(s);
	char *save = NULL;
	bool have4 = false;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strchr(tok, ':') != NULL) {
			if (knet_parse_prefix6(tok, &c->subnet6, err) < 0)
				return kerr_prefix(err, "--subnet");
			c->has_subnet6 = true;
		} else {
			if (have4)
				return knet_bad(err, EINVAL, "--subnet %s: two IPv4 subnets", s);
			if (knet_parse_prefix4(tok, &c->subnet, err) < 0)
				return kerr_prefix(err, "--subnet");
			have4 = true;
		}
	}
	return 0;
}

static int add_port(struct knet_config *c, const char *s, struct kerr *err)
{
	struct knet_port p;

	if (knet_parse_port(s, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < c->n_ports; i++)
		if (c->ports[i].host_port == p.host_port && c->ports[i].proto == p.proto)
			return knet_bad(err, EINVAL, "--publish %s: host port %u/%s given twice", s,
					p.host_port, knet_proto_name(p.proto));
	c->ports = realloc(c->ports, (c->n_ports + 1) * sizeof(*c->ports));
	if (c->ports == NULL)
		abort();
	c->ports[c->n_ports++] = p;
	return 0;
}

static int add_dns(struct knet_config *c, const char *s, struct kerr *err)
{
	struct in6_addr tmp;
	size_t n = strv_len(c->dns);

	if (inet_pton(AF_INET, s, &tmp) != 1 && inet_pton(AF_INET6, s, &tmp) != 1)
		return knet_bad(err, EINVAL, "--dns %s: not an IP address", s);
	c->dns = realloc(c->dns, (n + 2) * sizeof(char *));
	if (c->dns == NULL)
		abort();
	c->dns[n] = xstrdup(s);
	c->dns[n + 1] = NULL;
	return 0;
}

/* Applies a comma-separated annotation value, or the flag's list when given. */
static int each(struct knet_config *c, const char *ann, char *const *flag,
		int (*fn)(struct knet_config *, const char *, struct kerr *), struct kerr *err)
{
	if (flag != NULL && flag[0] != NULL) {
		for (; *flag; flag++)
			if (fn(c, *flag, err) < 0)
				return -1;
		return 0;
	}
	if (ann != NULL) {
		cleanup_free char *copy = xstrdup(ann);
		char *save = NULL;

		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (fn(c, t, err) < 0)
				return -1;
	}
	return 0;
}

static const char *pick(const char *flag, json_t *annotations, const char *key,
			struct kerr *err, bool *bad)
{
	json_t *v;

	if (flag != NULL)
		return flag;
	v = annotations ? json_object_get(annotations, key) : NULL;
	if (v != NULL && !json_is_string(v)) {
		knet_bad(err, EINVAL, "annotation %s: not a string", key);
		*bad = true;
	}
	return json_string_value(v);
}

static int check_hostname(const char *h, struct kerr *err)
{
	size_t n = strlen(h);

	if (n == 0 || n > 64)
		return knet_bad(err, EINVAL, "--hostname %s: must be 1..64 characters", h);
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return knet_bad(err, EINVAL, "--hostname %s: only letters, digits, '-', '.'",
					h);
	return 0;
}

static int config_fill(struct knet_config *c, json_t *ann, const struct knet_flags *f,
		       struct kerr *err)
{
	bool bad = false;
	const char *mode = pick(f->network, ann, ANN, err, &bad);
	const char *subnet = pick(f->subnet, ann, ANN ".subnet", err, &bad);
	const char *ip = pick(f->ip, ann, ANN ".ip", err, &bad);
	const char *host = pick(f->hostname, ann, ANN ".hostname", err, &bad);
	const char *pub = pick(NULL, ann, ANN ".publish", err, &bad);
	const char *dns = pick(NULL, ann, ANN ".dns", err, &bad);

	if (bad)
		return -1;
	if (knet_parse_mode(mode ? mode : "none", c, err) < 0 ||
	    set_subnets(c, subnet ? subnet : KNET_DEFAULT_SUBNET, err) < 0 ||
	    each(c, pub, f->publish, add_port, err) < 0 || each(c, dns, f->dns, add_dns, err) < 0)
		return -1;
	if (host != NULL) {
		if (check_hostname(host, err) < 0)
			return -1;
		c->hostname = xstrdup(host);
	}
	if (ip != NULL) {
		if (inet_pton(AF_INET, ip, &c->ip) != 1)
			return knet_bad(err, EINVAL, "--ip %s: not an IPv4 address", ip);
		c->has_ip = true;
	}
	if (c->mode == KNET_MODE_NONE && (ip || c->n_ports || f->subnet))
		return knet_bad(err, EINVAL,
				"--ip, --publish and --subnet need --network bridge, slirp4netns "
				"or pasta");
	if (c->mode != KNET_MODE_BRIDGE && ip != NULL)
		return knet_bad(err, EINVAL, "--ip needs --network bridge");
	if (c->has_ip && knet_check_ip(&c->subnet, c->ip, err) < 0)
		return -1;
	return 0;
}

int knet_config_from(json_t *annotations, const struct knet_flags *flags,
		     struct knet_config **ret, struct kerr *err)
{
	static const struct knet_flags none;
	struct knet_config *c = xcalloc(1, sizeof(*c));

	if (config_fill(c, annotations, flags ? flags : &none, err) < 0) {
		knet_config_free(c);
		return -1;
	}
	*ret = c;
	return 0;
}

void knet_config_free(struct knet_config *c)
{
	if (c == NULL)
		return;
	free(c->ports);
	strv_free(c->dns);
	free(c->hostname);
	free(c);
}

int knet_config_check(const struct knet_config *c, bool rootless, bool new_netns,
		      struct kerr *err)
{
	if (c->mode == KNET_MODE_NONE)
		return 0;
	if (!new_netns)
		return knet_bad(err, EINVAL,
				"--network %s needs a new network namespace (config.json: a "
				"\"network\" namespace without \"path\")", knet_mode_name(c->mode));
	if (c->mode == KNET_MODE_BRIDGE && rootless)
		return knet_bad(err, EPERM,
				"--network bridge needs root; rootless containers can use "
				"--network slirp4netns or pasta");
	return 0;
}
