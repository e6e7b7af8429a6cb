/* config.json parser, part 1: the runtime-spec's own good/bad fixtures and
 * our own bad configs (each error must name its field). Part 2 is
 * test_spec_decode.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "spec/spec.h"
#include "spec/internal.h"
#include "tests/unit/spec_test.h"

const char *srcdir(void)
{
	const char *s = getenv("abs_top_srcdir");

	return s != NULL ? s : TEST_SRCDIR;
}

char *fixture(const char *rel)
{
	return xasprintf("%s/tests/fixtures/%s", srcdir(), rel);
}

int parse_file(const char *path, struct kspec **ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (read_file_at(AT_FDCWD, path, 16u << 20, &buf, &len, err) < 0)
		fail_msg("cannot read %s: %s", path, err->msg);
	return spec_parse_buffer(buf, len, "/bundle", ret, err);
}

struct kspec *parse_ok(const char *json)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	if (spec_parse_buffer(json, strlen(json), "/bundle", &spec, &err) < 0)
		fail_msg("unexpected error: %s\n%s", err.msg, json);
	assert_non_null(spec);
	return spec;
}

void expect_fail(const char *json, const char *substring)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	if (spec_parse_buffer(json, strlen(json), "/bundle", &spec, &err) == 0) {
		spec_free(spec);
		fail_msg("parsed, but should fail with \"%s\":\n%s", substring, json);
	}
	assert_null(spec);
	if (strstr(err.msg, substring) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, substring);
	if (strchr(err.msg, '\n') != NULL)
		fail_msg("error is not one line: %s", err.msg);
}

/* --- the runtime-spec fixtures --- */

size_t for_each_json(const char *dir, void (*fn)(const char *path, const char *name))
{
	cleanup_free char *d = fixture(dir);
	DIR *dh = opendir(d);
	struct dirent *de;
	size_t n = 0;

	if (dh == NULL)
		fail_msg("opendir %s", d);
	while ((de = readdir(dh)) != NULL) {
		cleanup_free char *path = NULL;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		path = xasprintf("%s/%s", d, de->d_name);
		fn(path, de->d_name);
		n++;
	}
	closedir(dh);
	return n;
}

static void good_one(const char *path, const char *name)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	/* Schema-valid for FreeBSD and z/OS, but on Linux a hostname without a
	 * uts namespace would rename the host: they fail, clearly (runc too). */
	if (strcmp(name, "freebsd-example.json") == 0 || strcmp(name, "zos-example.json") == 0) {
		assert_int_equal(parse_file(path, &spec, &err), -1);
		assert_non_null(strstr(err.msg, "config.json: hostname: set, but linux.namespaces has no uts namespace"));
		return;
	}
	if (parse_file(path, &spec, &err) < 0)
		fail_msg("good/%s: %s", name, err.msg);
	assert_string_equal(spec->root_path, "/bundle/rootfs");
	spec_free(spec);
}

static void test_fixtures_good(void **state)
{
	(void)state;
	assert_int_equal(for_each_json("runtime-spec/config/good", good_one), 9);
}

static void bad_one(const char *path, const char *name)
{
	static const struct { const char *file, *msg; } expected[] = {
		{ "invalid-json.json", "config.json: not valid JSON: line 1 column" },
		{ "linux-hugepage.json",
		  "config.json: linux.resources.hugepageLimits[0].pageSize: \"64kB\" does not match" },
		{ "linux-netdevice.json",
		  "config.json: linux.netDevices[\"eth0\"].name: expected a string, got an integer" },
		{ "linux-rdma.json",
		  "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an integer, got a string" },
	};
	struct kspec *spec = NULL;
	struct kerr err = { 0 };
	int r = parse_file(path, &spec, &err);

	/* Its only fault is freebsd.jail.vnet; Linux ignores the freebsd section. */
	if (strcmp(name, "freebsd-vnet-disable.json") == 0) {
		assert_int_equal(r, 0);
		spec_free(spec);
		return;
	}
	if (r == 0)
		fail_msg("bad/%s parsed", name);
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		if (strcmp(expected[i].file, name) == 0) {
			if (strstr(err.msg, expected[i].msg) == NULL)
				fail_msg("bad/%s: \"%s\" lacks \"%s\"", name, err.msg, expected[i].msg);
			return;
		}
	}
	fail_msg("bad/%s: new fixture, add its expected error (got: %s)", name, err.msg);
}

static void test_fixtures_bad(void **state)
{
	(void)state;
	assert_int_equal(for_each_json("runtime-spec/config/bad", bad_one), 5);
}

struct kspec *load_fixture(const char *rel)
{
	cleanup_free char *path = fixture(rel);
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	if (parse_file(path, &spec, &err) < 0)
		fail_msg("%s: %s", rel, err.msg);
	return spec;
}

static void check_example_process(const struct kprocess *p)
{
	assert_non_null(p);
	assert_true(p->terminal);
	assert_int_equal(p->user.uid, 1);
	assert_int_equal(p->user.gid, 1);
	assert_int_equal(p->user.n_additional_gids, 2);
	assert_int_equal(p->user.additional_gids[1], 6);
	assert_string_equal(p->args[0], "sh");
	assert_null(p->args[1]);
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_string_equal(p->cwd, "/");
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_CORE);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[1].soft, 1024);
	assert_int_equal(p->rlimits[1].hard, 1024);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "acme_secure_profile");
	assert_non_null(p->capabilities);
	assert_int_equal(json_array_size(json_object_get(p->capabilities, "effective")), 2);
	assert_false(p->has_oom_score_adj);
}

static void check_example_mounts(const struct kspec *s)
{
	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[1].destination, "/dev");
	assert_string_equal(s->mounts[1].type, "tmpfs");
	assert_int_equal(s->mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(s->mounts[1].data, "mode=755,size=65536k");
	assert_int_equal(s->mounts[2].flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	assert_null(s->mounts[0].data);
	assert_int_equal(s->mounts[6].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	assert_false(s->mounts[6].bind);
	assert_string_equal(s->mounts[6].source, "cgroup");
}

static void check_example_linux(const struct kspec *s)
{
	for (int t = 0; t < KNS_COUNT; t++) {
		assert_true(s->ns[t].wanted);
		assert_null(s->ns[t].path);
	}
	assert_int_equal(s->n_uid_mappings, 1);
	assert_int_equal(s->uid_mappings[0].container_id, 0);
	assert_int_equal(s->uid_mappings[0].host_id, 1000);
	assert_int_equal(s->uid_mappings[0].size, 32000);
	assert_int_equal(s->n_gid_mappings, 1);
	assert_int_equal(s->n_devices, 2);
	assert_string_equal(s->devices[0].path, "/dev/fuse");
	assert_int_equal(s->devices[0].type, 'c');
	assert_int_equal(s->devices[0].major, 10);
	assert_int_equal(s->devices[0].minor, 229);
	assert_int_equal(s->devices[0].file_mode, 0666);
	assert_true(s->devices[0].has_mode && s->devices[0].has_uid && s->devices[0].has_gid);
	assert_int_equal(s->devices[1].type, 'b');
	assert_int_equal(s->devices[1].file_mode, 0660);
	assert_string_equal(s->masked_paths[0], "/proc/kcore");
	assert_int_equal(strv_len(s->readonly_paths), 6);
	assert_int_equal(s->rootfs_propagation, MS_SLAVE);
	assert_string_equal(s->cgroups_path, "/myRuntime/myContainer");
	assert_string_equal(s->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s->resources, "pids"),
							       "limit")), 32771);
	assert_string_equal(json_string_value(json_object_get(s->sysctl, "net.core.somaxconn")),
			    "256");
	assert_string_equal(json_string_value(json_object_get(s->seccomp, "defaultAction")),
			    "SCMP_ACT_ALLOW");
	assert_null(s->personality);
}

static void test_spec_example(void **state)
{
	struct kspec *s = load_fixture("runtime-spec/config/good/spec-example.json");

	(void)state;
	assert_string_equal(s->oci_version, "0.5.0-dev");
	assert_string_equal(s->bundle, "/bundle");
	assert_string_equal(s->root_path, "/bundle/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "slartibartfast");
	assert_string_equal(s->domainname, "foobarbaz.test");
	check_example_process(s->process);
	check_example_mounts(s);
	check_example_linux(s);
	assert_int_equal(json_array_size(json_object_get(s->hooks, "prestart")), 2);
	assert_string_equal(json_string_value(json_object_get(s->annotations, "com.example.key1")),
			    "value1");
	spec_free(s);
}

static void test_minimal(void **state)
{
	struct kspec *s = load_fixture("runtime-spec/config/good/minimal.json");

	(void)state;
	assert_null(s->process);
	assert_int_equal(s->n_mounts, 0);
	for (int t = 0; t < KNS_COUNT; t++)
		assert_false(s->ns[t].wanted);
	assert_int_equal(s->rootfs_propagation, 0);
	assert_null(s->hooks);
	spec_free(s);
}

/* Other platforms' sections are ignored; the Linux requirements still hold. */
static void test_other_platforms(void **state)
{
	struct kspec *s = load_fixture("runtime-spec/config/good/zos-minimal.json");

	(void)state;
	assert_null(s->process);
	spec_free(s);
	s = load_fixture("runtime-spec/config/good/freebsd-minimal.json");
	assert_null(s->process);
	spec_free(s);
	/* zos-example.json with the uts namespace Linux needs for its hostname */
	s = parse_ok("{\"ociVersion\":\"0.5.0-dev\",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"s\","
		     "\"mounts\":[{\"destination\":\"/dev\",\"type\":\"tfs\",\"source\":\"tmpfs\","
		     "\"options\":[\"nosuid\",\"-p 1755\",\"-s 64\"]}],\"zos\":{},"
		     "\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]}}");
	assert_int_equal(s->mounts[0].flags, MS_NOSUID);
	assert_string_equal(s->mounts[0].data, "-p 1755,-s 64");   /* z/OS options: data on Linux */
	spec_free(s);
	s = parse_ok("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
		     "\"args\":[\"sh\"]}}");
	assert_int_equal(s->process->user.uid, 0);   /* no process.user: root, as in runc */
	assert_int_equal(s->process->user.gid, 0);
	spec_free(s);
	expect_fail("{\"ociVersion\":\"1.3.0\",\"freebsd\":{}}", "config.json: root: missing (required)");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"zos\":{},\"root\":{}}",
		    "config.json: root.path: missing (required)");
}

/* --- our own bad configs: the error must name the field --- */

static void test_bad_documents(void **state)
{
	(void)state;
	expect_fail("{\"ociVersion\": }", "config.json: not valid JSON: line 1 column");
	expect_fail("", "config.json: empty file");
	expect_fail(" \n\t", "config.json: empty file");
	expect_fail("[1, 2]", "config.json: expected a JSON object at the top level, got an array");
	expect_fail("\"x\"", "config.json: not valid JSON");
	expect_fail("{\"root\":{\"path\":\"r\"}}", "config.json: ociVersion: missing (required)");
	expect_fail("{\"ociVersion\":1,\"root\":{\"path\":\"r\"}}",
		    "config.json: ociVersion: expected a string, got an integer");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"ociVersion\":\"1.0.0\"}",
		    "duplicate object key");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\"}}", "config.json: root.path: empty");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
		    "root.readonly: expected a boolean, got a string");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"annotations\":{\"a\":1}}",
		    "annotations[\"a\"]: expected a string");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"h\\nx\","
		    "\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]},\"process\":3}",
		    "config.json: process: expected an object, got an integer");
}

static void test_bad_process(void **state)
{
	(void)state;
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[]}"),
		    "config.json: process.args: expected a non-empty array of strings");
	expect_fail(PROC("{\"cwd\":\"/\"}"), "config.json: process.args: missing (required)");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\",3]}"),
		    "config.json: process.args[1]: expected a string, got an integer");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":\"sh\"}"), "process.args: expected a non-empty array");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"\"]}"), "process.args[0]: empty");
	expect_fail(PROC("{\"args\":[\"sh\"]}"), "config.json: process.cwd: missing (required)");
	expect_fail(PROC("{\"cwd\":\"tmp\",\"args\":[\"sh\"]}"),
		    "config.json: process.cwd: \"tmp\" is not an absolute path");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"gid\":0}}"),
		    "config.json: process.user.uid: missing (required)");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0}}"),
		    "config.json: process.user.gid: missing (required)");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":-1,\"gid\":0}}"),
		    "process.user.uid: -1 is out of range");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0,"
			 "\"additionalGids\":[1,\"x\"]}}"),
		    "process.user.additionalGids[1]: expected an integer");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0,\"umask\":512}}"),
		    "process.user.umask: 512 is not a umask");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"env\":[\"A=1\",\"PATH\"]}"),
		    "config.json: process.env[1]: \"PATH\" is not NAME=VALUE");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"env\":[\"=x\"]}"),
		    "process.env[0]: \"=x\" is not NAME=VALUE");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"terminal\":1}"),
		    "process.terminal: expected a boolean, got an integer");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"oomScoreAdj\":1001}"),
		    "process.oomScoreAdj: 1001 is out of range [-1000, 1000]");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"consoleSize\":{\"height\":10}}"),
		    "process.consoleSize.width: missing (required)");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"capabilities\":{\"bounding\":\"CAP_KILL\"}}"),
		    "process.capabilities.bounding: expected an array, got a string");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"ioPriority\":{\"class\":\"IOPRIO_CLASS_X\"}}"),
		    "process.ioPriority.class: unknown value \"IOPRIO_CLASS_X\"");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"scheduler\":{\"nice\":1}}"),
		    "process.scheduler.policy: missing (required)");
}

static void test_bad_rlimits(void **state)
{
	(void)state;
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_FOO\","
			 "\"soft\":1,\"hard\":1}]}"),
		    "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
			 "\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]}"),
		    "process.rlimits[1].type: RLIMIT_CORE listed twice");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
			 "\"soft\":1}]}"),
		    "process.rlimits[0].hard: missing (required)");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
			 "\"soft\":2,\"hard\":1}]}"),
		    "process.rlimits[0]: soft limit 2 is above the hard limit 1");
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"sh\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
			 "\"soft\":1.5,\"hard\":2}]}"),
		    "process.rlimits[0].soft: expected an integer, got a number with a fraction");
}

static void test_bad_linux(void **state)
{
	(void)state;
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"foo\"}]}"),
		    "config.json: linux.namespaces[2].type: unknown namespace type \"foo\"");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}"),
		    "config.json: linux.namespaces[1].type: namespace \"pid\" listed twice");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"network\",\"path\":\"run/netns/x\"}]}"),
		    "linux.namespaces[0].path: \"run/netns/x\" is not an absolute path");
	expect_fail(LINUX("{\"namespaces\":[{\"path\":\"/proc/1/ns/net\"}]}"),
		    "linux.namespaces[0].type: missing (required)");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"user\"}]}"),
		    "config.json: linux.uidMappings: user namespace enabled, but no uid mappings found");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
			  "\"hostID\":1000,\"size\":1}]}"),
		    "linux.gidMappings: user namespace enabled, but no gid mappings found");
	expect_fail(LINUX("{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}"),
		    "linux.uidMappings: uid mappings given, but linux.namespaces has no user namespace");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
			  "\"hostID\":1000,\"size\":0}]}"),
		    "linux.uidMappings[0].size: must be at least 1");
	expect_fail(LINUX("{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
			  "\"hostID\":4294967295,\"size\":2}]}"),
		    "linux.uidMappings[0]: the range goes past 4294967295");
	expect_fail(LINUX("{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"q\",\"major\":1,\"minor\":1}]}"),
		    "config.json: linux.devices[0].type: unknown device type \"q\"");
	expect_fail(LINUX("{\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1}]}"),
		    "linux.devices[0].path: \"dev/x\" is not an absolute path");
	expect_fail(LINUX("{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"b\",\"minor\":1}]}"),
		    "linux.devices[0].major: missing (required for type b)");
	expect_fail(LINUX("{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1,"
			  "\"fileMode\":8630}]}"),
		    "linux.devices[0].fileMode: 8630 is not a permission mode");
	expect_fail(LINUX("{\"maskedPaths\":[\"/proc/kcore\",\"proc/keys\"]}"),
		    "linux.maskedPaths[1]: \"proc/keys\" is not an absolute path");
	expect_fail(LINUX("{\"readonlyPaths\":[1]}"), "linux.readonlyPaths[0]: expected a string");
	expect_fail(LINUX("{\"rootfsPropagation\":\"sideways\"}"),
		    "linux.rootfsPropagation: unknown value \"sideways\"");
	expect_fail(LINUX("{\"sysctl\":{\"net.ipv4.ip_forward\":1}}"),
		    "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got an integer");
	expect_fail(LINUX("{\"seccomp\":{\"syscalls\":[]}}"), "linux.seccomp.defaultAction: missing (required)");
	expect_fail(LINUX("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],"
			  "\"action\":\"SCMP_ACT_ERRNO\"}]}}"),
		    "linux.seccomp.syscalls[0].names: expected at least one item");
	expect_fail(LINUX("{\"personality\":{\"domain\":\"LINUX64\"}}"),
		    "linux.personality.domain: unknown value \"LINUX64\"");
	expect_fail(LINUX("{\"resources\":{\"pids\":{}}}"), "linux.resources.pids.limit: missing (required)");
	expect_fail(LINUX("{\"resources\":{\"blockIO\":{\"weight\":70000}}}"),
		    "linux.resources.blockIO.weight: 70000 is out of range");
	expect_fail(LINUX("{\"resources\":[]}"), "linux.resources: expected an object, got an array");
	expect_fail(LINUX("[]"), "config.json: linux: expected an object, got an array");
	/* hostname without its own uts namespace would rename the host (runc refuses too) */
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"c1\"}",
		    "config.json: hostname: set, but linux.namespaces has no uts namespace");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"domainname\":\"d\"}",
		    "config.json: domainname: set, but linux.namespaces has no uts namespace");
	expect_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"namespaces\":"
		    "[{\"type\":\"uts\"}]},\"hostname\":\"0123456789012345678901234567890123456789"
		    "01234567890123456789012345\"}", "hostname: longer than 64 characters");
}

static void test_bad_mounts(void **state)
{
	(void)state;
	expect_fail(MOUNTS("[{\"type\":\"tmpfs\"}]"), "config.json: mounts[0].destination: missing (required)");
	expect_fail(MOUNTS("[{\"destination\":\"/a\"},{\"destination\":\"\"}]"),
		    "config.json: mounts[1].destination: empty");
	expect_fail(MOUNTS("[{\"destination\":7}]"), "mounts[0].destination: expected a string");
	expect_fail(MOUNTS("[{\"destination\":\"/a\",\"options\":[\"ro\",false]}]"),
		    "mounts[0].options[1]: expected a string, got a boolean");
	expect_fail(MOUNTS("[{\"destination\":\"/a\",\"options\":[\"rbind\"]}]"),
		    "mounts[0].source: missing (required for a bind mount)");
	expect_fail(MOUNTS("[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/x\","
			   "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]"),
		    "mounts[0]: uidMappings and gidMappings must be given together");
	expect_fail(MOUNTS("{}"), "config.json: mounts: expected an array, got an object");
}

static void test_bad_hooks(void **state)
{
	(void)state;
#define HOOKS(h) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hooks\":" h "}"
	expect_fail(HOOKS("{\"prestart\":[{\"path\":\"bin/hook\"}]}"),
		    "config.json: hooks.prestart[0].path: \"bin/hook\" is not an absolute path");
	expect_fail(HOOKS("{\"poststop\":[{\"args\":[\"x\"]}]}"),
		    "hooks.poststop[0].path: missing (required)");
	expect_fail(HOOKS("{\"createRuntime\":[{\"path\":\"/h\",\"timeout\":0}]}"),
		    "hooks.createRuntime[0].timeout: 0 is out of range");
	expect_fail(HOOKS("{\"startContainer\":[{\"path\":\"/h\",\"env\":[\"X\"]}]}"),
		    "hooks.startContainer[0].env[0]: \"X\" is not NAME=VALUE");
	expect_fail(HOOKS("{\"poststart\":{\"path\":\"/h\"}}"), "hooks.poststart: expected an array");
	expect_fail(HOOKS("[]"), "config.json: hooks: expected an object, got an array");
	/* a quoted value cannot break the message into two lines */
	expect_fail(HOOKS("{\"prestart\":[{\"path\":\"a\\nb\"}]}"),
		    "hooks.prestart[0].path: \"a?b\" is not an absolute path");
#undef HOOKS
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_good),
		cmocka_unit_test(test_fixtures_bad),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_other_platforms),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_bad_process),
		cmocka_unit_test(test_bad_rlimits),
		cmocka_unit_test(test_bad_linux),
		cmocka_unit_test(test_bad_mounts),
		cmocka_unit_test(test_bad_hooks),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_good_details),
		cmocka_unit_test(test_big_uint64),
		cmocka_unit_test(test_hooks_kept),
		cmocka_unit_test(test_mount_options),
		cmocka_unit_test(test_idmap_options),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_fuzz_regressions),
		cmocka_unit_test(test_kns),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
