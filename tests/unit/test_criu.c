/* runtime/criu*.c: what kapsel tells CRIU about a container (the argument
 * vectors), the binary lookup, and a run of a fake criu that fails with a
 * CRIU-style log. Needs neither root nor a working CRIU. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "runtime/criu.h"

static bool has_arg(const struct kargv *a, const char *want)
{
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i], want) == 0)
			return true;
	}
	return false;
}

static struct kspec *parse(const char *json)
{
	struct kspec *spec = NULL;
	struct kerr err = { 0 };

	if (spec_parse_buffer(json, strlen(json), "/bundle", &spec, &err) < 0)
		fail_msg("spec: %s", err.msg);
	return spec;
}

#define BASE "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}," \
	     "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"%s},"
#define MOUNTS "\"mounts\":[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/d\"," \
	       "\"options\":[\"rbind\"]},{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\"," \
	       "\"source\":\"cgroup\"},{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"

static void test_mounts_dump_and_restore(void **state)
{
	char json[2048];
	struct kargv d = { 0 }, r = { 0 };
	struct kspec *spec;

	(void)state;
	snprintf(json, sizeof(json), BASE MOUNTS "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
		 "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229}]}}", "");
	spec = parse(json);
	criu_mount_args(&d, spec, false, NULL);
	criu_mount_args(&r, spec, true, "/sys/fs/cgroup/kapsel/x");
	/* bind: by destination on dump, from its source on restore */
	assert_true(has_arg(&d, "--external=mnt[/data]:/data"));
	assert_true(has_arg(&r, "--external=mnt[/data]:/srv/d"));
	/* no cgroup namespace: the bound cgroup dir is external, the new one on restore */
	assert_true(has_arg(&d, "--external=mnt[/sys/fs/cgroup]:/sys/fs/cgroup"));
	assert_true(has_arg(&r, "--external=mnt[/sys/fs/cgroup]:/sys/fs/cgroup/kapsel/x"));
	assert_true(has_arg(&d, "--external=mnt[/dev/fuse]:/dev/fuse"));
	/* a tmpfs is CRIU's own business */
	for (size_t i = 0; i < d.n; i++)
		assert_null(strstr(d.v[i], "/tmp"));
	kargv_free(&d);
	kargv_free(&r);
	spec_free(spec);
}

static void test_cgroupns_mount_not_external(void **state)
{
	char json[2048];
	struct kargv d = { 0 };
	struct kspec *spec;

	(void)state;
	snprintf(json, sizeof(json), BASE MOUNTS "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
		 "{\"type\":\"cgroup\"}]}}", "");
	spec = parse(json);
	criu_mount_args(&d, spec, false, NULL);
	assert_false(has_arg(&d, "--external=mnt[/sys/fs/cgroup]:/sys/fs/cgroup"));
	kargv_free(&d);
	spec_free(spec);
}

static void test_netns_by_path_is_external(void **state)
{
	char json[2048];
	struct kargv d = { 0 };
	struct kspec *spec;
	struct kerr err = { 0 };
	struct stat sb;
	char want[128];

	(void)state;
	snprintf(json, sizeof(json), BASE "\"linux\":{\"namespaces\":[{\"type\":\"network\","
		 "\"path\":\"/proc/self/ns/net\"},{\"type\":\"mount\"}]}}", "");
	spec = parse(json);
	assert_int_equal(criu_ns_dump_args(&d, spec, &err), 0);
	assert_int_equal(stat("/proc/self/ns/net", &sb), 0);
	snprintf(want, sizeof(want), "--external=net[%llu]:extRootNetNS",
		 (unsigned long long)sb.st_ino);
	assert_true(has_arg(&d, want));
	kargv_free(&d);
	spec_free(spec);
}

static void test_common_args_and_modes(void **state)
{
	char dir[] = "/tmp/kapsel-criu-XXXXXX";
	struct kcriu_common co = { .tcp_established = true, .shell_job = true };
	struct kerr err = { 0 };
	struct kargv a = { 0 };
	cleanup_free char *img = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	img = xasprintf("%s/img/deeper", dir);
	co.image_path = img;
	co.manage_cgroups_mode = "bogus";
	assert_int_equal(criu_common_prepare(&co, true, &err), -1);
	assert_non_null(strstr(err.msg, "--manage-cgroups-mode bogus"));
	co.manage_cgroups_mode = "full";
	assert_int_equal(criu_common_prepare(&co, true, &err), 0);
	criu_common_args(&a, &co, "dump.log");
	assert_true(has_arg(&a, "--manage-cgroups=full"));
	assert_true(has_arg(&a, "--tcp-established"));
	assert_true(has_arg(&a, "--shell-job"));
	assert_false(has_arg(&a, "--file-locks"));
	assert_true(has_arg(&a, "--log-file=dump.log"));
	kargv_free(&a);
	/* restore does not create the image dir: a missing one is an error */
	co.image_path = "/nonexistent/images";
	assert_int_equal(criu_common_prepare(&co, false, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/images"));
	{
		cleanup_free char *cmd = xasprintf("rm -rf %s", dir);

		assert_int_equal(system(cmd), 0);
	}
}

static void test_terminal_needs_shell_job(void **state)
{
	char json[2048];
	struct kspec *spec;
	struct kerr err = { 0 };

	(void)state;
	snprintf(json, sizeof(json), BASE "\"linux\":{}}", ",\"terminal\":true");
	spec = parse(json);
	assert_int_equal(criu_refuse_terminal(spec, false, &err), -1);
	assert_non_null(strstr(err.msg, "--shell-job"));
	assert_int_equal(criu_refuse_terminal(spec, true, &err), 0);
	spec_free(spec);
}

static void test_missing_binary_names_package(void **state)
{
	struct kerr err = { 0 };
	char *path = NULL;

	(void)state;
	assert_int_equal(criu_find("/nonexistent/criu", &path, &err), -1);
	assert_non_null(strstr(err.msg, "Debian package criu"));
	assert_int_equal(criu_find("kapsel-no-such-criu", &path, &err), -1);
	assert_non_null(strstr(err.msg, "Debian package criu"));
	assert_int_equal(criu_find("/bin/sh", &path, &err), 0);
	assert_string_equal(path, "/bin/sh");
	free(path);
}

/* A fake criu that writes a CRIU-style log and fails: the error is its line. */
static void test_run_reports_first_log_error(void **state)
{
	char dir[] = "/tmp/kapsel-criu-XXXXXX";
	struct kargv a = { 0 };
	struct kerr err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	kargv_add(&a, "/bin/sh");
	kargv_add(&a, "-c");
	kargv_add(&a, "printf '(00.1) x\\n(00.2) Error (criu/mount.c:1): mnt: no root\\n"
		      "(00.3) Error (criu/x.c:2): later\\n' >%s/dump.log; exit 1", dir);
	assert_int_equal(criu_run(&a, NULL, NULL, 0, dir, "dump.log", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "mnt: no root"));
	assert_null(strstr(err.msg, "later"));
	kargv_free(&a);
	kargv_add(&a, "/bin/true");
	assert_int_equal(criu_run(&a, NULL, NULL, 0, dir, "dump.log", NULL, &err), 0);
	kargv_free(&a);
	{
		cleanup_free char *cmd = xasprintf("rm -rf %s", dir);

		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mounts_dump_and_restore),
		cmocka_unit_test(test_cgroupns_mount_not_external),
		cmocka_unit_test(test_netns_by_path_is_external),
		cmocka_unit_test(test_common_args_and_modes),
		cmocka_unit_test(test_terminal_needs_shell_job),
		cmocka_unit_test(test_missing_binary_names_package),
		cmocka_unit_test(test_run_reports_first_log_error),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
