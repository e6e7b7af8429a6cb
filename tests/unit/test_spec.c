/* config.json parser: the runtime-spec's own good/bad fixtures, our own bad
 * configs (each error must name its field), the mount option table, the
 * default spec, spec_load on real files, and the fuzz regressions. */
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
#include "runtime/spec.h"
#include "runtime/spec_internal.h"

static const char *srcdir(void)
{
	const char *s = getenv("abs_top_srcdir");

	return s != NULL ? s : TEST_SRCDIR;
}

static char *fixture(const char *rel)
{
	return xasprintf("%s/tests/fixtures/%s", srcdir(), rel);
}

static int parse_file(const char *path, struct kspec **ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (read_file_at(AT_FDCWD, path, 16u << 20, &buf, &len, err) < 0)
		fail_msg("cannot read %s: %s", path, err->msg);
	return spec_parse_buffer(buf, len, "/bundle", ret, err);
}

static struct kspec *parse_ok(const char *json)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	if (spec_parse_buffer(json, strlen(json), "/bundle", &spec, &err) < 0)
		fail_msg("unexpected error: %s\n%s", err.msg, json);
	assert_non_null(spec);
	return spec;
}

static void expect_fail(const char *json, const char *substring)
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

/* A config around a process object / linux object. */
#define PROC(p) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":" p "}"
#define GOOD_PROC "{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}}"
#define LINUX(l) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":" l "}"
#define MOUNTS(m) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"mounts\":" m "}"

/* --- the runtime-spec fixtures --- */

static size_t for_each_json(const char *dir, void (*fn)(const char *path, const char *name))
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

static struct kspec *load_fixture(const char *rel)
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
#undef HOOKS
}

/* --- what good configs decode to --- */

static void test_relative_paths(void **state)
{
	struct kspec *s = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"/abs/rootfs\"},\"mounts\":["
		"{\"destination\":\"/a\",\"type\":\"none\",\"source\":\"data\",\"options\":[\"rbind\"]},"
		"{\"destination\":\"b/c\",\"type\":\"bind\",\"source\":\"/x\"},"
		"{\"destination\":\"/t\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}]}");

	(void)state;
	assert_string_equal(s->root_path, "/abs/rootfs");
	assert_string_equal(s->mounts[0].source, "/bundle/data");      /* bind: from the bundle */
	assert_true(s->mounts[0].bind);
	assert_int_equal(s->mounts[0].flags, MS_BIND | MS_REC);
	assert_string_equal(s->mounts[1].destination, "/b/c");         /* relative to "/" */
	assert_true(s->mounts[1].bind);
	assert_int_equal(s->mounts[1].flags, MS_BIND);
	assert_string_equal(s->mounts[2].source, "tmpfs");             /* not a bind: as is */
	spec_free(s);
}

static void test_good_details(void **state)
{
	struct kspec *s = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"h\","
		"\"process\":{\"cwd\":\"/w\",\"args\":[\"sh\",\"-c\",\"x\"],\"user\":{\"uid\":5,\"gid\":6,"
		"\"umask\":18},\"oomScoreAdj\":-500,\"terminal\":true,\"consoleSize\":{\"height\":24,"
		"\"width\":80},\"env\":null},"
		"\"linux\":{\"namespaces\":[{\"type\":\"uts\"},{\"type\":\"network\",\"path\":\"/run/netns/a\"},"
		"{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"}],\"rootfsPropagation\":\"rprivate\","
		"\"devices\":[{\"path\":\"/dev/p\",\"type\":\"p\"},{\"path\":\"/dev/u\",\"type\":\"u\","
		"\"major\":1,\"minor\":3}],\"seccomp\":null},\"annotations\":{}}");

	(void)state;
	assert_int_equal(s->process->user.umask, 022);
	assert_true(s->process->user.has_umask);
	assert_int_equal(s->process->oom_score_adj, -500);
	assert_true(s->process->has_oom_score_adj);
	assert_true(s->process->has_console_size);
	assert_int_equal(s->process->console_width, 80);
	assert_null(s->process->env);                 /* null is absent */
	assert_string_equal(s->process->args[2], "x");
	assert_true(s->ns[KNS_NET].wanted);
	assert_string_equal(s->ns[KNS_NET].path, "/run/netns/a");
	/* joining a user ns by path needs no mappings */
	assert_true(s->ns[KNS_USER].wanted);
	assert_false(s->ns[KNS_PID].wanted);
	assert_int_equal(s->rootfs_propagation, MS_PRIVATE | MS_REC);
	assert_int_equal(s->devices[0].type, 'p');
	assert_int_equal(s->devices[1].type, 'c');     /* u is a char device */
	assert_false(s->devices[1].has_mode);
	assert_null(s->seccomp);
	spec_free(s);
}

/* 18446744073709551615 (RLIM_INFINITY) is a valid uint64; jansson alone refuses it. */
static void test_big_uint64(void **state)
{
	struct kspec *s = parse_ok(PROC(
		"{\"cwd\":\"/\",\"args\":[\"a \\\" 18446744073709551615\"],\"rlimits\":[{\"type\":"
		"\"RLIMIT_NOFILE\",\"soft\":9223372036854775808,\"hard\":18446744073709551615}]}"));

	(void)state;
	assert_true(s->process->rlimits[0].hard == UINT64_MAX);
	assert_true(s->process->rlimits[0].soft == (uint64_t)1 << 63);
	assert_string_equal(s->process->args[0], "a \" 18446744073709551615");  /* strings untouched */
	spec_free(s);
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			 "\"soft\":1,\"hard\":18446744073709551616}]}"), "not valid JSON");
	/* in a signed field the two's complement is still range-checked */
	expect_fail(PROC("{\"cwd\":\"/\",\"args\":[\"a\"],\"oomScoreAdj\":9223372036854775808}"),
		    "process.oomScoreAdj: -9223372036854775808 is out of range");
}

static void test_hooks_kept(void **state)
{
	struct kspec *s = parse_ok(
		"{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hooks\":{\"prestart\":[{\"path\":"
		"\"/bin/h\",\"args\":[\"h\",\"1\"],\"env\":[\"A=B\"],\"timeout\":3}],\"futureHook\":[]}}");

	(void)state;
	assert_non_null(s->hooks);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(s->hooks, "prestart"), 0), "timeout")), 3);
	spec_free(s);
}

/* --- the mount option table --- */

struct opt_case {
	const char *options[6];
	unsigned long flags, clear_flags, propagation;
	bool bind, recursive_ro;
	unsigned long rec_set, rec_clr;
	const char *data;
};

static const struct opt_case opt_cases[] = {
	{ { "ro" }, MS_RDONLY, 0, 0, false, false, 0, 0, NULL },
	{ { "ro", "rw" }, 0, MS_RDONLY, 0, false, false, 0, 0, NULL },
	{ { "rw", "ro" }, MS_RDONLY, 0, 0, false, false, 0, 0, NULL },
	{ { "nosuid", "nodev", "noexec" }, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, 0, false, false, 0, 0, NULL },
	{ { "suid", "dev", "exec" }, 0, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, false, false, 0, 0, NULL },
	{ { "sync", "dirsync", "remount", "mand" },
	  MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK, 0, 0, false, false, 0, 0, NULL },
	{ { "async", "nomand" }, 0, MS_SYNCHRONOUS | MS_MANDLOCK, 0, false, false, 0, 0, NULL },
	{ { "noatime", "nodiratime", "relatime", "strictatime", "lazytime" },
	  MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME, 0, 0, false, false, 0, 0, NULL },
	{ { "atime", "diratime", "norelatime", "nostrictatime", "nolazytime" }, 0,
	  MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME, 0, false, false, 0, 0, NULL },
	{ { "nosymfollow" }, MS_NOSYMFOLLOW, 0, 0, false, false, 0, 0, NULL },
	{ { "symfollow" }, 0, MS_NOSYMFOLLOW, 0, false, false, 0, 0, NULL },
	{ { "bind" }, MS_BIND, 0, 0, true, false, 0, 0, NULL },
	{ { "rbind", "ro" }, MS_BIND | MS_REC | MS_RDONLY, 0, 0, true, false, 0, 0, NULL },
	{ { "shared" }, 0, 0, MS_SHARED, false, false, 0, 0, NULL },
	{ { "rshared" }, 0, 0, MS_SHARED | MS_REC, false, false, 0, 0, NULL },
	{ { "private" }, 0, 0, MS_PRIVATE, false, false, 0, 0, NULL },
	{ { "rprivate" }, 0, 0, MS_PRIVATE | MS_REC, false, false, 0, 0, NULL },
	{ { "slave" }, 0, 0, MS_SLAVE, false, false, 0, 0, NULL },
	{ { "rslave" }, 0, 0, MS_SLAVE | MS_REC, false, false, 0, 0, NULL },
	{ { "unbindable" }, 0, 0, MS_UNBINDABLE, false, false, 0, 0, NULL },
	{ { "runbindable" }, 0, 0, MS_UNBINDABLE | MS_REC, false, false, 0, 0, NULL },
	{ { "rshared", "rprivate" }, 0, 0, MS_PRIVATE | MS_REC, false, false, 0, 0, NULL },
	{ { "rbind", "rro" }, MS_BIND | MS_REC, 0, 0, true, true, MOUNT_ATTR_RDONLY, 0, NULL },
	{ { "rro", "rrw" }, 0, 0, 0, false, false, 0, MOUNT_ATTR_RDONLY, NULL },
	{ { "rnosuid", "rnodev", "rnoexec", "rnosymfollow" }, 0, 0, 0, false, false,
	  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW, 0, NULL },
	{ { "rsuid", "rdev", "rexec", "rdiratime" }, 0, 0, 0, false, false, 0,
	  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME, NULL },
	{ { "rnoatime" }, 0, 0, 0, false, false, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, NULL },
	{ { "rnoatime", "rstrictatime" }, 0, 0, 0, false, false, MOUNT_ATTR_STRICTATIME,
	  MOUNT_ATTR__ATIME, NULL },
	{ { "rnoatime", "rrelatime" }, 0, 0, 0, false, false, 0, MOUNT_ATTR__ATIME, NULL },
	{ { "defaults", "tmpcopyup" }, 0, 0, 0, false, false, 0, 0, NULL },
	{ { "size=65536k", "nosuid", "mode=755", "newinstance" }, MS_NOSUID, 0, 0, false, false, 0, 0,
	  "size=65536k,mode=755,newinstance" },
	{ { "ptmxmode=0666", "gid=5", "context=\"a,b\"" }, 0, 0, 0, false, false, 0, 0,
	  "ptmxmode=0666,gid=5,context=\"a,b\"" },
	{ { "silent", "iversion", "acl" }, MS_SILENT | MS_I_VERSION | MS_POSIXACL, 0, 0, false, false, 0, 0, NULL },
	{ { "loud", "noiversion", "noacl" }, 0, MS_SILENT | MS_I_VERSION | MS_POSIXACL, 0, false, false, 0, 0, NULL },
	{ { "RO" }, 0, 0, 0, false, false, 0, 0, "RO" },   /* case matters, as in mount(8) */
};

static void test_mount_options(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(opt_cases); i++) {
		const struct opt_case *c = &opt_cases[i];
		struct kmount m = { 0 };

		spec_mount_options_decode((char *const *)c->options, &m);
		if (m.flags != c->flags || m.clear_flags != c->clear_flags ||
		    m.propagation != c->propagation || m.bind != c->bind ||
		    m.recursive_ro != c->recursive_ro || m.rec_attr_set != c->rec_set ||
		    m.rec_attr_clr != c->rec_clr)
			fail_msg("case %zu (%s...): flags %#lx/%#lx clear %#lx/%#lx prop %#lx/%#lx "
				 "rec %#lx,%#lx/%#lx,%#lx", i, c->options[0], m.flags, c->flags,
				 m.clear_flags, c->clear_flags, m.propagation, c->propagation,
				 m.rec_attr_set, m.rec_attr_clr, c->rec_set, c->rec_clr);
		if (c->data == NULL)
			assert_null(m.data);
		else
			assert_string_equal(m.data, c->data);
		free(m.data);
	}
}

static void test_idmap_options(void **state)
{
	struct kspec *s = parse_ok(MOUNTS(
		"[{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"ridmap\"]},"
		"{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"idmap\"],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}],"
		"\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]"));

	(void)state;
	assert_true(s->mounts[0].idmap && s->mounts[0].idmap_recursive);
	assert_true(s->mounts[1].idmap && !s->mounts[1].idmap_recursive);
	assert_null(s->mounts[0].data);   /* never passed to mount(2) */
	spec_free(s);
}

/* --- spec_default --- */

static void check_default(bool rootless)
{
	json_t *doc = spec_default(rootless);
	struct kspec *s = NULL;
	struct kerr err = { 0 };
	const char *const caps[] = { "bounding", "effective", "permitted", "ambient" };

	assert_non_null(doc);
	if (spec_parse(doc, "/b", &s, &err) < 0)
		fail_msg("the default spec does not parse: %s", err.msg);
	json_decref(doc);
	assert_string_equal(s->oci_version, "1.0.2-dev");
	assert_string_equal(s->root_path, "/b/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->process->args[0], "sh");
	assert_true(s->process->terminal);
	assert_true(s->process->no_new_privileges);
	assert_int_equal(s->process->n_rlimits, 1);
	assert_int_equal(s->process->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->process->rlimits[0].hard, 1024);
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		json_t *set = json_object_get(s->process->capabilities, caps[i]);

		assert_int_equal(json_array_size(set), 3);
		assert_string_equal(json_string_value(json_array_get(set, 2)), "CAP_NET_BIND_SERVICE");
	}
	assert_null(json_object_get(s->process->capabilities, "inheritable"));
	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[6].destination, "/sys/fs/cgroup");
	assert_int_equal(strv_len(s->masked_paths), 10);
	assert_int_equal(strv_len(s->readonly_paths), 5);
	assert_true(s->ns[KNS_PID].wanted && s->ns[KNS_IPC].wanted && s->ns[KNS_UTS].wanted &&
		    s->ns[KNS_MNT].wanted);
	assert_false(s->ns[KNS_CGROUP].wanted);
	assert_int_equal(s->ns[KNS_NET].wanted, !rootless);
	assert_int_equal(s->ns[KNS_USER].wanted, rootless);
	if (rootless) {
		assert_int_equal(s->n_uid_mappings, 1);
		assert_int_equal(s->uid_mappings[0].host_id, geteuid());
		assert_int_equal(s->gid_mappings[0].host_id, getegid());
		assert_true(s->mounts[5].bind);             /* /sys bind-mounted */
		assert_string_equal(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620");
		assert_null(s->resources);
	} else {
		assert_int_equal(s->mounts[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
		assert_string_equal(s->mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
		assert_false(json_is_true(json_object_get(
			json_array_get(json_object_get(s->resources, "devices"), 0), "allow")));
	}
	spec_free(s);
}

static void test_default(void **state)
{
	json_t *doc = spec_default(false);
	const char *first = NULL;
	void *it;

	(void)state;
	check_default(false);
	check_default(true);
	/* runc's key order, for a template diffable against runc's */
	it = json_object_iter(doc);
	first = json_object_iter_key(it);
	assert_string_equal(first, "ociVersion");
	assert_string_equal(json_object_iter_key(json_object_iter_next(doc, it)), "process");
	json_decref(doc);
}

/* --- spec_load on real files --- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_load(void **state)
{
	char dir[] = "/tmp/kapsel-test-spec-XXXXXX";
	char cwd[PATH_MAX];
	cleanup_free char *cfg = NULL, *rel = NULL, *expect_root = NULL;
	struct kspec *s = NULL;
	struct kerr err = { 0 };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg = xasprintf("%s/config.json", dir);
	/* missing config.json: the error names the file */
	assert_int_equal(spec_load(dir, &s, &err), -1);
	assert_non_null(strstr(err.msg, "config.json: No such file or directory"));
	assert_int_equal(spec_load("/nonexistent-kapsel-bundle", &s, &err), -1);
	assert_non_null(strstr(err.msg, "bundle /nonexistent-kapsel-bundle"));

	write_text(cfg, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"}}");
	/* a relative bundle is made absolute */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/tmp"), 0);
	rel = xstrdup(dir + strlen("/tmp/"));
	if (spec_load(rel, &s, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(s->bundle, dir);
	expect_root = xasprintf("%s/rootfs", dir);
	assert_string_equal(s->root_path, expect_root);
	spec_free(s);
	s = NULL;

	/* bigger than the cap: refused without reading it all */
	fd = open(cfg, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	assert_int_equal(spec_load(dir, &s, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_null(s);
	unlink(cfg);
	rmdir(dir);
}

/* --- fuzz regressions: each must simply return --- */

static void regression_one(const char *path, const char *name)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	(void)name;
	if (parse_file(path, &spec, &err) == 0)
		spec_free(spec);
}

static void test_fuzz_regressions(void **state)
{
	(void)state;
	for_each_json("fuzz-regressions", regression_one);
}

static void test_kns(void **state)
{
	(void)state;
	assert_string_equal(kns_name(KNS_NET), "network");
	assert_string_equal(kns_name(KNS_MNT), "mount");
	assert_int_equal(kns_clone_flag(KNS_MNT), CLONE_NEWNS);
	assert_int_equal(kns_clone_flag(KNS_USER), CLONE_NEWUSER);
	assert_int_equal(kns_clone_flag(KNS_TIME), 0x80);
	assert_null(kns_name(KNS_COUNT));
	assert_int_equal(kns_clone_flag(KNS_COUNT), 0);
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
