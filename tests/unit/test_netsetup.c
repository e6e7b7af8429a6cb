/* netsetup/: option parsing, subnet math, IPAM (with parallel allocators),
 * the generated nftables table and /etc files. No root needed. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_prefix4(void **state)
{
	struct knet_prefix4 p;
	struct kerr err = { 0 };
	char ip[INET_ADDRSTRLEN];
	struct in_addr a;

	(void)state;
	assert_int_equal(knet_parse_prefix4("10.88.0.0/16", &p, &err), 0);
	assert_int_equal(p.len, 16);
	assert_int_equal(knet_prefix4_capacity(&p), 65533);
	a = knet_prefix4_nth(&p, 258);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	assert_string_equal(ip, "10.88.1.2");
	assert_int_equal(knet_prefix4_offset(&p, a), 258);
	assert_true(knet_prefix4_contains(&p, A("10.88.255.254")));
	assert_false(knet_prefix4_contains(&p, A("10.89.0.1")));

	assert_int_equal(knet_parse_prefix4("192.168.5.4/30", &p, &err), 0);
	assert_int_equal(knet_prefix4_capacity(&p), 1);

	assert_int_equal(knet_parse_prefix4("10.88.0.1/16", &p, &err), -1);
	assert_non_null(strstr(err.msg, "host bits"));
	assert_int_equal(knet_parse_prefix4("10.88.0.0/31", &p, &err), -1);
	assert_int_equal(knet_parse_prefix4("10.88.0.0", &p, &err), -1);
	assert_int_equal(knet_parse_prefix4("10.88.0.0/x", &p, &err), -1);
	assert_int_equal(knet_parse_prefix4("300.1.1.0/24", &p, &err), -1);
}

static void test_prefix6(void **state)
{
	struct knet_prefix6 p;
	struct kerr err = { 0 };
	char ip[INET6_ADDRSTRLEN];
	struct in6_addr a;

	(void)state;
	assert_int_equal(knet_parse_prefix6("fd88::/64", &p, &err), 0);
	a = knet_prefix6_nth(&p, 0x0102);
	inet_ntop(AF_INET6, &a, ip, sizeof(ip));
	assert_string_equal(ip, "fd88::102");
	assert_int_equal(knet_parse_prefix6("fd88::1/64", &p, &err), -1);
	assert_int_equal(knet_parse_prefix6("fd88::/120", &p, &err), -1);
}

static void test_check_ip(void **state)
{
	struct knet_prefix4 p;
	struct kerr err = { 0 };

	(void)state;
	assert_int_equal(knet_parse_prefix4("10.88.0.0/24", &p, &err), 0);
	assert_int_equal(knet_check_ip(&p, A("10.88.0.7"), &err), 0);
	assert_int_equal(knet_check_ip(&p, A("10.99.0.7"), &err), -1);
	assert_non_null(strstr(err.msg, "outside the subnet 10.88.0.0/24"));
	assert_int_equal(knet_check_ip(&p, A("10.88.0.0"), &err), -1);
	assert_int_equal(knet_check_ip(&p, A("10.88.0.1"), &err), -1);
	assert_int_equal(knet_check_ip(&p, A("10.88.0.255"), &err), -1);
	assert_int_equal(knet_check_ip(&p, A("10.88.0.254"), &err), 0);
}

static void test_parse_port(void **state)
{
	struct knet_port p;
	struct kerr err = { 0 };

	(void)state;
	assert_int_equal(knet_parse_port("8080:80", &p, &err), 0);
	assert_int_equal(p.host_port, 8080);
	assert_int_equal(p.ctr_port, 80);
	assert_int_equal(p.proto, IPPROTO_TCP);
	assert_int_equal(p.host_ip.s_addr, INADDR_ANY);
	assert_int_equal(knet_parse_port("127.0.0.1:53:5353/udp", &p, &err), 0);
	assert_int_equal(p.proto, IPPROTO_UDP);
	assert_int_equal(p.host_ip.s_addr, A("127.0.0.1").s_addr);
	assert_int_equal(p.ctr_port, 5353);
	assert_int_equal(knet_parse_port("80", &p, &err), -1);
	assert_int_equal(knet_parse_port("0:80", &p, &err), -1);
	assert_int_equal(knet_parse_port("65536:80", &p, &err), -1);
	assert_int_equal(knet_parse_port("80:80/sctp", &p, &err), -1);
	assert_non_null(strstr(err.msg, "tcp or udp"));
	assert_int_equal(knet_parse_port("host:80:80", &p, &err), -1);
	assert_int_equal(knet_parse_port("1:2:3:4", &p, &err), -1);
}

static void test_config_default_none(void **state)
{
	struct knet_config *c = NULL;
	struct kerr err = { 0 };

	(void)state;
	assert_int_equal(knet_config_from(NULL, NULL, &c, &err), 0);
	assert_int_equal(c->mode, KNET_MODE_NONE);
	knet_config_free(c);
}

static void test_config_flags_override(void **state)
{
	json_t *ann = json_pack("{s:s,s:s,s:s,s:s,s:s}", "org.kapsel.network", "bridge:br9",
				"org.kapsel.network.subnet", "10.9.0.0/24",
				"org.kapsel.network.publish", "8080:80,53:53/udp",
				"org.kapsel.network.dns", "1.1.1.1,2606:4700::1111",
				"org.kapsel.network.hostname", "web");
	char *pub[] = { "9090:90", NULL };
	struct knet_flags f = { .ip = "10.9.0.9", .publish = pub };
	struct knet_config *c = NULL;
	struct kerr err = { 0 };

	(void)state;
	assert_int_equal(knet_config_from(ann, NULL, &c, &err), 0);
	assert_int_equal(c->mode, KNET_MODE_BRIDGE);
	assert_string_equal(c->bridge, "br9");
	assert_int_equal(c->subnet.len, 24);
	assert_int_equal(c->n_ports, 2);
	assert_int_equal(c->ports[1].proto, IPPROTO_UDP);
	assert_string_equal(c->dns[1], "2606:4700::1111");
	assert_string_equal(c->hostname, "web");
	knet_config_free(c);

	assert_int_equal(knet_config_from(ann, &f, &c, &err), 0);
	assert_int_equal(c->n_ports, 1);
	assert_int_equal(c->ports[0].host_port, 9090);
	assert_true(c->has_ip);
	knet_config_free(c);
	json_decref(ann);
}

static void expect_config_error(const char *network, const char *subnet, const char *ip,
				const char *want)
{
	struct knet_flags f = { .network = network, .subnet = subnet, .ip = ip };
	struct knet_config *c = (void *)0x1;
	struct kerr err = { 0 };

	assert_int_equal(knet_config_from(NULL, &f, &c, &err), -1);
	assert_ptr_equal(c, (void *)0x1); /* untouched on failure */
	if (strstr(err.msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void test_config_errors(void **state)
{
	(void)state;
	expect_config_error("macvlan", NULL, NULL, "unknown network type");
	expect_config_error("bridge:", NULL, NULL, "bad bridge name");
	expect_config_error("bridge:a/b", NULL, NULL, "bad bridge name");
	expect_config_error("bridge:aaaaaaaaaaaaaaaa", NULL, NULL, "bad bridge name");
	expect_config_error("bridge", "10.0.0.0/33", NULL, "prefix length");
	expect_config_error("bridge", NULL, "10.99.0.5", "outside the subnet 10.88.0.0/16");
	expect_config_error("bridge", NULL, "nope", "not an IPv4 address");
	expect_config_error("slirp4netns", NULL, "10.88.0.5", "--ip needs --network bridge");
	expect_config_error(NULL, "10.0.0.0/24", NULL, "need --network");
}

static void test_config_check(void **state)
{
	struct knet_config *c = NULL;
	struct knet_flags f = { .network = "bridge" };
	struct kerr err = { 0 };

	(void)state;
	assert_int_equal(knet_config_from(NULL, &f, &c, &err), 0);
	assert_int_equal(knet_config_check(c, false, true, &err), 0);
	assert_int_equal(knet_config_check(c, true, true, &err), -1);
	assert_non_null(strstr(err.msg, "slirp4netns or pasta"));
	assert_int_equal(knet_config_check(c, false, false, &err), -1);
	assert_non_null(strstr(err.msg, "needs a new network namespace"));
	c->mode = KNET_MODE_SLIRP4NETNS;
	assert_int_equal(knet_config_check(c, true, true, &err), 0);
	c->mode = KNET_MODE_NONE;
	assert_int_equal(knet_config_check(c, true, false, &err), 0);
	knet_config_free(c);
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/knet-unit-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void rmdir_all(const char *dir)
{
	struct kerr err = { 0 };

	assert_int_equal(rm_rf_at(AT_FDCWD, dir, &err), 0);
}

static struct knet_config *bridge_config(const char *subnet)
{
	struct knet_flags f = { .network = "bridge", .subnet = subnet };
	struct knet_config *c = NULL;
	struct kerr err = { 0 };

	assert_int_equal(knet_config_from(NULL, &f, &c, &err), 0);
	return c;
}

static void test_ipam_sequence(void **state)
{
	cleanup_free char *dir = tmpdir();
	struct knet_config *c = bridge_config("10.7.0.0/29"); /* .2 .. .6 */
	struct kerr err = { 0 };
	struct in_addr got[6];
	char id[16];

	(void)state;
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(knet_ipam_reserve(dir, c, id, &got[i], &err), 0);
		assert_int_equal(ntohl(got[i].s_addr) & 0xff, 2 + i);
	}
	assert_int_equal(knet_ipam_reserve(dir, c, "c5", &got[5], &err), -1);
	assert_int_equal(err.code, ENOSPC);
	assert_non_null(strstr(err.msg, "no free address"));
	/* The same id twice is refused, not given a second address. */
	assert_int_equal(knet_ipam_reserve(dir, c, "c1", &got[5], &err), -1);
	assert_int_equal(err.code, EEXIST);

	/* Release c1 (.3); the next one comes after the last handed out, which
	 * wraps to the only free one. */
	struct knet_db d;
	assert_int_equal(knet_db_open(dir, &d, &err), 0);
	assert_true(knet_ipam_release(d.db, "c1"));
	assert_false(knet_ipam_release(d.db, "c1"));
	assert_int_equal(knet_db_commit(&d, &err), 0);
	knet_db_close(&d);
	assert_int_equal(knet_ipam_reserve(dir, c, "c6", &got[5], &err), 0);
	assert_int_equal(ntohl(got[5].s_addr) & 0xff, 3);
	knet_config_free(c);
	rmdir_all(dir);
}

static void test_ipam_requested_and_conflicts(void **state)
{
	cleanup_free char *dir = tmpdir();
	char *pub[] = { "8080:80", NULL };
	struct knet_flags f = { .network = "bridge", .ip = "10.88.3.4", .publish = pub };
	struct knet_config *c = NULL, *other;
	struct kerr err = { 0 };
	struct in_addr a;

	(void)state;
	assert_int_equal(knet_config_from(NULL, &f, &c, &err), 0);
	assert_int_equal(knet_ipam_reserve(dir, c, "a", &a, &err), 0);
	assert_int_equal(a.s_addr, A("10.88.3.4").s_addr);
	/* Same address again. */
	c->n_ports = 0;
	assert_int_equal(knet_ipam_reserve(dir, c, "b", &a, &err), -1);
	assert_non_null(strstr(err.msg, "already in use by container a"));
	/* Same host port, another container. */
	c->has_ip = false;
	c->n_ports = 1;
	assert_int_equal(knet_ipam_reserve(dir, c, "b", &a, &err), -1);
	assert_non_null(strstr(err.msg, "port in use by container a"));
	/* The bridge already serves another subnet. */
	other = bridge_config("10.50.0.0/16");
	assert_int_equal(knet_ipam_reserve(dir, other, "b", &a, &err), -1);
	assert_non_null(strstr(err.msg, "already serves subnet 10.88.0.0/16"));
	knet_config_free(other);
	knet_config_free(c);
	rmdir_all(dir);
}

/* 10 processes allocate at once: the flock must serialise them. */
static void test_ipam_parallel(void **state)
{
	cleanup_free char *dir = tmpdir();
	struct knet_config *c = bridge_config("10.88.0.0/16");
	struct in_addr got[10];
	int p[2];
	pid_t kids[10];

	(void)state;
	assert_int_equal(pipe(p), 0);
	for (int i = 0; i < 10; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct kerr err = { 0 };
			struct in_addr a = { 0 };
			char id[16];

			snprintf(id, sizeof(id), "par%d", i);
			if (knet_ipam_reserve(dir, c, id, &a, &err) < 0)
				a.s_addr = 0;
			if (write(p[1], &a, sizeof(a)) != sizeof(a))
				_exit(2);
			_exit(a.s_addr ? 0 : 1);
		}
	}
	close(p[1]);
	for (int i = 0; i < 10; i++) {
		int status;

		assert_int_equal(read(p[0], &got[i], sizeof(got[i])), sizeof(got[i]));
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(p[0]);
	for (int i = 0; i < 10; i++)
		for (int k = i + 1; k < 10; k++)
			assert_int_not_equal(got[i].s_addr, got[k].s_addr);

	struct knet_db d;
	struct kerr err = { 0 };
	assert_int_equal(knet_db_open(dir, &d, &err), 0);
	assert_int_equal(json_object_size(json_object_get(d.db, "containers")), 10);
	knet_db_close(&d);
	knet_config_free(c);
	rmdir_all(dir);
}

static void test_nat_ruleset(void **state)
{
	json_t *db = json_pack("{s:{},s:{}}", "bridges", "containers");
	cleanup_free char *empty = knet_nat_ruleset(db);
	struct knet_config *c = bridge_config("10.88.0.0/16");
	struct kerr err = { 0 };
	struct in_addr a;

	(void)state;
	assert_string_equal(empty, "table inet kapsel {}\ndelete table inet kapsel\n");
	c->ports = xcalloc(2, sizeof(*c->ports));
	c->n_ports = 2;
	assert_int_equal(knet_parse_port("8080:80", &c->ports[0], &err), 0);
	assert_int_equal(knet_parse_port("192.0.2.1:53:53/udp", &c->ports[1], &err), 0);
	assert_int_equal(knet_ipam_alloc(db, c, "x", &a, NULL, &err), 0);
	cleanup_free char *full = knet_nat_ruleset(db);
	assert_non_null(strstr(full, "elements = { 10.88.0.0/16 }"));
	assert_non_null(strstr(full, "elements = { tcp . 8080 : 10.88.0.2 . 80 }"));
	assert_non_null(strstr(full, "elements = { 192.0.2.1 . udp . 53 : 10.88.0.2 . 53 }"));
	assert_non_null(strstr(full, "masquerade"));
	assert_true(knet_ipam_release(db, "x"));
	cleanup_free char *again = knet_nat_ruleset(db);
	assert_string_equal(again, empty);
	knet_config_free(c);
	json_decref(db);
}

static void test_etc(void **state)
{
	const char *host = "nameserver 127.0.0.53\nsearch example.org\nnameserver 192.0.2.53\n"
			   "options edns0\n# comment\n";
	char *dns[] = { "9.9.9.9", NULL };
	cleanup_free char *r1 = knet_etc_resolv(NULL, host, NULL);
	cleanup_free char *r2 = knet_etc_resolv(dns, host, NULL);
	cleanup_free char *r3 = knet_etc_resolv(NULL, "nameserver 127.0.0.53\n", "10.0.2.3");
	cleanup_free char *h = knet_etc_hosts("web", "10.88.0.2", "fd88::2");

	(void)state;
	assert_null(strstr(r1, "127.0.0.53"));
	assert_non_null(strstr(r1, "nameserver 192.0.2.53\n"));
	assert_non_null(strstr(r1, "search example.org\n"));
	assert_non_null(strstr(r1, "options edns0\n"));
	assert_null(strstr(r2, "192.0.2.53"));
	assert_non_null(strstr(r2, "nameserver 9.9.9.9\n"));
	assert_non_null(strstr(r3, "nameserver 10.0.2.3\n"));
	assert_non_null(strstr(h, "10.88.0.2\tweb\n"));
	assert_non_null(strstr(h, "fd88::2\tweb\n"));
	assert_non_null(strstr(h, "127.0.0.1\tlocalhost\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix4),
		cmocka_unit_test(test_prefix6),
		cmocka_unit_test(test_check_ip),
		cmocka_unit_test(test_parse_port),
		cmocka_unit_test(test_config_default_none),
		cmocka_unit_test(test_config_flags_override),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_ipam_sequence),
		cmocka_unit_test(test_ipam_requested_and_conflicts),
		cmocka_unit_test(test_ipam_parallel),
		cmocka_unit_test(test_nat_ruleset),
		cmocka_unit_test(test_etc),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
