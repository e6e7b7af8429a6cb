/* image/ internals without root: entry name cleaning, digests, the strict
 * resolver against planted symlinks, the path set, user resolution and the
 * config.json conversion rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "image/internal.h"

static void test_clean(void **state)
{
	static const struct { const char *in, *out; } good[] = {
		{ "a/b", "a/b" }, { "./a//b/", "a/b" }, { "./", "" }, { "/", "" },
		{ "a/./b", "a/b" }, { "...", "..." }, { "a/..b", "a/..b" }, { "./.", "" },
	};
	static const char *const bad[] = { "../x", "a/../../x", "a/..", "/etc/passwd", "/./x", ".." };
	struct kerr err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char *out = NULL;

		assert_int_equal(entry_path_clean(good[i].in, &out, &err), 0);
		assert_string_equal(out, good[i].out);
		free(out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *out = NULL;

		assert_int_equal(entry_path_clean(bad[i], &out, &err), -1);
		assert_null(out);
	}
}

static void test_digest(void **state)
{
	char d[DIGEST_STR_MAX];
	struct kerr err;
	enum kdigest_algo a;

	(void)state;
	digest_sha256_buf("abc", 3, d);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_verify_buf(d, "abc", 3, &err), 0);
	assert_int_equal(digest_verify_buf(d, "abd", 3, &err), -1);
	assert_non_null(strstr(err.msg, "mismatch"));
	assert_int_equal(digest_parse(d, &a, &err), 0);
	assert_int_equal(a, KD_SHA256);
	assert_int_equal(digest_parse("sha256:ABC", NULL, &err), -1);
	assert_int_equal(digest_parse("md5:00", NULL, &err), -1);
	/* a digest becomes a file name: no path characters may pass */
	assert_int_equal(digest_parse("sha256:../../../../etc/passwd0000000000000000000000000000000000000000"
				      , NULL, &err), -1);
	{
		struct kdigest k;
		char out[DIGEST_STR_MAX];

		digest_init(&k, KD_SHA512);
		digest_update(&k, "abc", 3);
		digest_final(&k, out);
		assert_true(strncmp(out, "sha512:ddaf35a193617aba", 23) == 0);
		assert_int_equal(digest_verify_buf(out, "abc", 3, &err), 0);
	}
}

static char *tmpdir(void)
{
	char *t = xstrdup("/tmp/kapsel-unit-image.XXXXXX");

	assert_non_null(mkdtemp(t));
	return t;
}

static void test_open_parent(void **state)
{
	cleanup_free char *t = tmpdir();
	cleanup_free char *root = xasprintf("%s/root", t), *out = xasprintf("%s/out", t);
	int rootfd, fd;
	const char *name;
	struct kerr err;

	(void)state;
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(out, 0755), 0);
	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(rootfd >= 0);
	assert_int_equal(symlinkat(out, rootfd, "abs"), 0);
	assert_int_equal(symlinkat("../out", rootfd, "rel"), 0);
	assert_int_equal(symlinkat("/proc/self/cwd", rootfd, "magic"), 0);

	assert_int_equal(open_parent(rootfd, "a/b/c", true, &fd, &name, &err), 0);
	assert_string_equal(name, "c");
	close(fd);
	assert_int_equal(faccessat(rootfd, "a/b", F_OK, 0), 0);
	for (const char *const *p = (const char *const[]){ "abs/x", "rel/x", "magic/x", "abs/y/z",
							   NULL }; *p; p++) {
		assert_int_equal(open_parent(rootfd, *p, true, &fd, &name, &err), -1);
		assert_non_null(strstr(err.msg, "symlink"));
	}
	/* nothing was created outside */
	assert_int_equal(faccessat(AT_FDCWD, out, F_OK, 0), 0);
	{
		cleanup_free char *y = xasprintf("%s/y", out);

		assert_int_equal(access(y, F_OK), -1);
	}
	assert_int_equal(open_beneath(rootfd, "abs", O_RDONLY | O_DIRECTORY, &fd, &err), -1);
	close(rootfd);
	rm_rf_at(AT_FDCWD, t, &err);
}

static void test_pathset(void **state)
{
	struct kpathset *s = pathset_new();
	char buf[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "p/%d", i);
		pathset_add(s, buf);
	}
	pathset_add(s, "p/7");
	assert_true(pathset_has(s, "p/0"));
	assert_true(pathset_has(s, "p/4999"));
	assert_false(pathset_has(s, "p/5000"));
	assert_false(pathset_has(s, "p"));
	pathset_free(s);
}

static int make_rootfs(char **ret_t)
{
	char *t = tmpdir();
	cleanup_free char *etc = xasprintf("%s/etc", t);
	struct kerr err;
	int fd;

	assert_int_equal(mkdir(etc, 0755), 0);
	fd = open(t, O_RDONLY | O_DIRECTORY);
	const char *pw = "root:x:0:0::/root:/bin/sh\nweb:x:33:44::/:/bin/sh\n#bad\nodd:x:notnum:1::/:\n";
	const char *gr = "root:x:0:\nwww:x:44:\nops:x:500:web,other\nmisc:x:600:other\n";

	assert_int_equal(write_file_atomic_at(fd, "etc/passwd", pw, strlen(pw), 0644, &err), 0);
	assert_int_equal(write_file_atomic_at(fd, "etc/group", gr, strlen(gr), 0644, &err), 0);
	*ret_t = t;
	return fd;
}

static void test_user(void **state)
{
	cleanup_free char *t = NULL;
	int fd = make_rootfs(&t);
	uint32_t uid, gid, *gids = NULL;
	size_t n;
	struct kerr err;

	(void)state;
	assert_int_equal(user_resolve(fd, "web", &uid, &gid, &gids, &n, &err), 0);
	assert_int_equal(uid, 33);
	assert_int_equal(gid, 44);
	assert_int_equal(n, 1);
	assert_int_equal(gids[0], 500);
	free(gids);
	gids = NULL;
	assert_int_equal(user_resolve(fd, "web:misc", &uid, &gid, &gids, &n, &err), 0);
	assert_int_equal(gid, 600);
	assert_int_equal(n, 0);
	assert_int_equal(user_resolve(fd, "1234:55", &uid, &gid, &gids, &n, &err), 0);
	assert_int_equal(uid, 1234);
	assert_int_equal(gid, 55);
	assert_int_equal(user_resolve(fd, "33", &uid, &gid, &gids, &n, &err), 0);
	assert_int_equal(gid, 44);
	assert_int_equal(n, 0);   /* numeric user: no additionalGids (conversion.md) */
	assert_int_equal(user_resolve(fd, "nobody", &uid, &gid, &gids, &n, &err), -1);
	assert_non_null(strstr(err.msg, "nobody"));
	assert_int_equal(user_resolve(fd, "web:nogroup", &uid, &gid, &gids, &n, &err), -1);
	close(fd);
	rm_rf_at(AT_FDCWD, t, &err);
}

static void test_config(void **state)
{
	cleanup_free char *t = NULL;
	int fd = make_rootfs(&t);
	json_t *img = json_loads("{\"os\":\"linux\",\"architecture\":\"amd64\",\"author\":\"me\","
		"\"config\":{\"User\":\"web\",\"Entrypoint\":[\"/e\"],\"Cmd\":[\"a\",\"b\"],"
		"\"Env\":[\"PATH=/x\",\"K=V\"],\"WorkingDir\":\"/w\",\"StopSignal\":\"SIGTERM\","
		"\"Labels\":{\"org.opencontainers.image.author\":\"label\",\"l\":\"v\"}}}", 0, NULL);
	json_t *spec = NULL, *p, *a;
	struct kerr err;

	(void)state;
	assert_int_equal(config_generate(img, fd, false, &spec, &err), 0);
	p = json_object_get(spec, "process");
	assert_int_equal(json_array_size(json_object_get(p, "args")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 0)), "/e");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 2)), "b");
	/* the image's PATH is kept, not doubled */
	assert_int_equal(json_array_size(json_object_get(p, "env")), 2);
	assert_string_equal(json_string_value(json_object_get(p, "cwd")), "/w");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(p, "user"), "uid")), 33);
	a = json_object_get(spec, "annotations");
	assert_string_equal(json_string_value(json_object_get(a, "org.opencontainers.image.author")),
			    "label");
	assert_string_equal(json_string_value(json_object_get(a, "org.opencontainers.image.stopSignal")),
			    "SIGTERM");
	assert_string_equal(json_string_value(json_object_get(a, "l")), "v");
	json_decref(spec);
	assert_int_equal(config_generate(img, fd, true, &spec, &err), 0);
	assert_non_null(json_object_get(json_object_get(spec, "linux"), "uidMappings"));
	json_decref(spec);
	json_decref(img);
	close(fd);
	rm_rf_at(AT_FDCWD, t, &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_open_parent),
		cmocka_unit_test(test_pathset),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_config),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
