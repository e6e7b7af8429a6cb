/* cgroups/: conversions, linux.resources -> files, validation errors and the
 * cgroup path rules. Needs no root and no cgroup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "cgroups/internal.h"

static void test_conversions(void **state)
{
	int64_t v;
	struct kerr err;

	(void)state;
	/* runc's ConvertCPUSharesToCgroupV2Value values. */
	assert_int_equal(cg_shares_to_weight(0), 0);
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_blkio_to_io_weight(10), 1);
	assert_int_equal(cg_blkio_to_io_weight(500), 4950);
	assert_int_equal(cg_blkio_to_io_weight(1000), 10000);
	/* swap: v1 memory+swap -> v2 swap alone. */
	assert_int_equal(cg_swap_to_v2(300, 100, &v, &err), 0);
	assert_int_equal(v, 200);
	assert_int_equal(cg_swap_to_v2(-1, 100, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_to_v2(0, -1, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(cg_swap_to_v2(0, 100, &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cg_swap_to_v2(50, 100, &v, &err), -1);
	assert_non_null(strstr(err.msg, "memory.swap"));
	assert_int_equal(cg_swap_to_v2(50, 0, &v, &err), -1);
}

/* The value planned for file, or NULL. */
static const char *planned(const struct kcg_plan *p, const char *file)
{
	const char *v = NULL;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->w[i].file, file) == 0)
			v = p->w[i].value;
	return v;
}

static void plan_ok(const char *json, struct kcg_plan *p)
{
	json_error_t je;
	json_t *doc = json_loads(json, 0, &je);
	struct kerr err = { 0 };
	int r;

	assert_non_null(doc);
	r = cg_plan_build(doc, 0, p, &err);
	if (r < 0)
		fail_msg("plan %s: %s", json, err.msg);
	json_decref(doc);
}

static void test_plan_values(void **state)
{
	struct kcg_plan p;

	(void)state;
	plan_ok("{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":1000,"
		"\"idle\":1,\"cpus\":\"0-1\",\"mems\":\"0\"},"
		"\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200},"
		"\"pids\":{\"limit\":20},"
		"\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":7,\"minor\":0,\"rate\":1048576}],"
		"\"throttleWriteIOPSDevice\":[{\"major\":7,\"minor\":0,\"rate\":0}]},"
		"\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
		"\"unified\":{\"memory.high\":\"90000000\"}}", &p);
	assert_string_equal(planned(&p, "cpu.weight"), "39");
	assert_string_equal(planned(&p, "cpu.max"), "50000 100000");
	assert_string_equal(planned(&p, "cpu.max.burst"), "1000");
	assert_string_equal(planned(&p, "cpu.idle"), "1");
	assert_string_equal(planned(&p, "cpuset.cpus"), "0-1");
	assert_string_equal(planned(&p, "cpuset.mems"), "0");
	assert_string_equal(planned(&p, "memory.max"), "104857600");
	assert_string_equal(planned(&p, "memory.low"), "52428800");
	assert_string_equal(planned(&p, "memory.swap.max"), "104857600");
	assert_string_equal(planned(&p, "memory.oom.group"), "1");
	assert_string_equal(planned(&p, "pids.max"), "20");
	assert_string_equal(planned(&p, "io.weight"), "default 4950");
	assert_string_equal(planned(&p, "hugetlb.2MB.max"), "0");
	assert_string_equal(planned(&p, "memory.high"), "90000000");
	assert_int_equal(p.has_devices, false);
	cg_plan_free(&p);

	/* The last io.max write wins per key, so check both are planned. */
	plan_ok("{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":7,\"minor\":0,\"rate\":0}]},"
		"\"cpu\":{\"quota\":-1},\"memory\":{\"limit\":-1},\"pids\":{\"limit\":-1}}", &p);
	assert_string_equal(planned(&p, "io.max"), "7:0 wiops=max");
	assert_string_equal(planned(&p, "cpu.max"), "max");
	assert_string_equal(planned(&p, "memory.max"), "max");
	assert_string_equal(planned(&p, "memory.swap.max"), "max");
	assert_string_equal(planned(&p, "pids.max"), "max");
	assert_null(planned(&p, "memory.oom.group"));
	cg_plan_free(&p);

	/* runc spec's default: only a deny-all device rule, no writes at all. */
	plan_ok("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", &p);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.has_devices, true);
	assert_int_equal(p.n_dev, 1);
	assert_int_equal(p.dev[0].allow, false);
	assert_int_equal(p.dev[0].type, 'a');
	cg_plan_free(&p);
}

static void expect_invalid(const char *json, const char *needle)
{
	json_t *doc = json_loads(json, 0, NULL);
	struct kerr err = { 0 };

	assert_non_null(doc);
	if (cgroups_validate(doc, &err) == 0)
		fail_msg("accepted %s", json);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("%s: message \"%s\" does not name %s", json, err.msg, needle);
	json_decref(doc);
}

static void test_validation(void **state)
{
	struct kerr err;

	(void)state;
	assert_int_equal(cgroups_validate(NULL, &err), 0);
	expect_invalid("[]", "linux.resources");
	expect_invalid("{\"cpu\":{\"shares\":1}}", "linux.resources.cpu.shares");
	expect_invalid("{\"cpu\":{\"shares\":\"x\"}}", "linux.resources.cpu.shares");
	expect_invalid("{\"cpu\":{\"cpus\":\"0\\nmemory.max 1\"}}", "linux.resources.cpu.cpus");
	expect_invalid("{\"cpu\":{\"realtimeRuntime\":1000}}", "realtimeRuntime");
	expect_invalid("{\"cpu\":{\"period\":10}}", "linux.resources.cpu.period");
	expect_invalid("{\"memory\":{\"swap\":100}}", "memory.swap");
	expect_invalid("{\"memory\":{\"limit\":200,\"swap\":100}}", "memory.swap");
	expect_invalid("{\"memory\":{\"limit\":-5}}", "memory.limit");
	expect_invalid("{\"pids\":{\"limit\":\"10\"}}", "linux.resources.pids.limit");
	expect_invalid("{\"blockIO\":{\"weight\":5}}", "blockIO.weight");
	expect_invalid("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"rate\":1}]}}",
		       "throttleReadBpsDevice[0].minor");
	expect_invalid("{\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]}", "hugepageLimits[0]");
	expect_invalid("{\"unified\":{\"../cgroup.procs\":\"1\"}}", "unified");
	expect_invalid("{\"unified\":{\"cgroup.procs\":\"1\"}}", "unified.cgroup.procs");
	expect_invalid("{\"unified\":{\"foo.bar\":\"1\"}}", "unknown cgroup controller");
	expect_invalid("{\"unified\":{\"memory.max\":1}}", "unified.memory.max");
	expect_invalid("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "devices[0].type");
	expect_invalid("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", "devices[0].access");
	expect_invalid("{\"devices\":[{\"access\":\"rwm\"}]}", "devices[0].allow");
}

static void path_is(const char *id, const char *cp, const char *own, const char *want)
{
	char *p = NULL;
	struct kerr err = { 0 };

	if (cg_compute_path(id, cp, own, &p, &err) < 0)
		fail_msg("path %s: %s", cp ? cp : "(null)", err.msg);
	assert_string_equal(p, want);
	free(p);
}

static void path_bad(const char *cp)
{
	char *p = NULL;
	struct kerr err = { 0 };

	assert_int_equal(cg_compute_path("c", cp, "/", &p, &err), -1);
	assert_null(p);
	assert_non_null(strstr(err.msg, "linux.cgroupsPath"));
}

static void test_paths(void **state)
{
	(void)state;
	path_is("abc", NULL, "/", "/kapsel/abc");
	path_is("abc", "", "/user.slice/x.scope", "/kapsel/abc");
	path_is("abc", "/my/group/", NULL, "/my/group");
	path_is("abc", "//my//group", NULL, "/my/group");
	/* runc: relative to the parent of our own cgroup. */
	path_is("abc", "foo/bar", "/user.slice/session-1.scope", "/user.slice/foo/bar");
	path_is("abc", "foo", "/", "/foo");
	/* systemd form */
	path_is("abc", "system.slice:docker:abc", "/", "/system.slice/docker-abc.scope");
	path_is("abc", "machine-qemu.slice:kapsel:abc", "/",
		"/machine.slice/machine-qemu.slice/kapsel-abc.scope");
	path_is("abc", ":kapsel:abc", "/", "/system.slice/kapsel-abc.scope");
	path_bad("/a/../../etc");
	path_bad("a/./b");
	path_bad("/");
	path_bad("notaslice:x:y");
	path_bad("a.slice:x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_plan_values),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_paths),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
