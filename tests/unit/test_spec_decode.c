/* The spec unit test, part 2: what good configs decode to, the mount option
 * table, the default spec, spec_load on real files, fuzz regressions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/util.h"
#include "cgroups/cgroups.h"
#include "lsm/lsm.h"
#include "spec/spec.h"
#include "spec/internal.h"
#include "tests/unit/spec_test.h"

/* --- what good configs decode to --- */

void test_relative_paths(void **state)
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

void test_good_details(void **state)
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
void test_big_uint64(void **state)
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

void test_hooks_kept(void **state)
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

void test_mount_options(void **state)
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

void test_idmap_options(void **state)
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

void test_default(void **state)
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

void test_load(void **state)
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
	if (parse_file(path, &spec, &err) == 0) {
		/* the fuzz target runs the validators on what parses */
		(void)cgroups_validate(spec->resources, &err);
		(void)lsm_validate(spec, &err);
		spec_free(spec);
	}
}

void test_fuzz_regressions(void **state)
{
	(void)state;
	for_each_json("fuzz-regressions", regression_one);
}

void test_kns(void **state)
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
