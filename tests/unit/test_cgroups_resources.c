/* cgroups/: conversions, linux.resources -> files, validation errors and the
 * cgroup path rules. Needs no root and no cgroup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
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
		if (p->w[i].file != NULL && strcmp(p->w[i].file, file) == 0)
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
	expect_invalid("{\"cpu\":{\"realtimePeriod\":-1}}", "realtimePeriod");
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

/* This host's mountinfo (hybrid, cpu and cpuacct apart), plus noise. */
static const char hybrid_mi[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:9 - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	"42 23 0:32 /sub /mnt/mem rw,relatime - cgroup cgroup rw,memory\n"
	"43 23 0:39 / /mnt/cpu\\040x rw - cgroup cgroup rw,cpu,cpuacct\n";

static void test_layout(void **state)
{
	struct kcg_layout l;

	(void)state;
	cg_layout_parse(hybrid_mi, &l);
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup/unified");
	/* 8 controller hierarchies; name=systemd and a subtree mount left out; the
	 * co-mounted cpu,cpuacct is a ninth (its own hierarchy) */
	assert_int_equal(l.n_v1, 9);
	assert_string_equal(cg_hier_find(l.v1, l.n_v1, "cpuacct")->mount, "/sys/fs/cgroup/cpuacct");
	assert_string_equal(cg_hier_find(l.v1, l.n_v1, "memory")->mount, "/sys/fs/cgroup/memory");
	assert_string_equal(l.v1[8].mount, "/mnt/cpu x");
	assert_string_equal(l.v1[8].ctrls, "cpu,cpuacct");
	assert_null(cg_hier_find(l.v1, l.n_v1, "hugetlb"));
	assert_true(cg_list_has("cpu,cpuacct", "cpuacct"));
	assert_false(cg_list_has("cpuacct", "cpu"));
	cg_layout_free(&l);
	cg_layout_parse("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &l);
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup");
	assert_int_equal(l.n_v1, 0);
	cg_layout_free(&l);
}

/* Selects res for layout l: 0 with the plans, or -1 with the message. */
static int select_for(struct kcg_layout *l, const char *json, bool rootless, struct kcg_plan *p2,
		      struct kcg_plan *p1, struct kerr *err)
{
	json_t *doc = json_loads(json, 0, NULL);
	int r;

	assert_non_null(doc);
	r = cg_plan_select(l, doc, 0, -1, rootless, p2, p1, err);
	json_decref(doc);
	return r;
}

static void select_ok(struct kcg_layout *l, const char *json, struct kcg_plan *p2,
		      struct kcg_plan *p1)
{
	struct kerr err = { 0 };

	if (select_for(l, json, false, p2, p1, &err) < 0)
		fail_msg("select %s: %s", json, err.msg);
}

static void select_refused(struct kcg_layout *l, const char *json, bool rootless,
			   const char *needle)
{
	struct kcg_plan p2, p1;
	struct kerr err = { 0 };

	if (select_for(l, json, rootless, &p2, &p1, &err) == 0)
		fail_msg("accepted %s", json);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", json, err.msg, needle);
}

static void test_select_hybrid(void **state)
{
	struct kcg_plan p2, p1;
	struct kcg_layout l;

	(void)state;
	cg_layout_parse(hybrid_mi, &l);
	free(l.v2_ctrls);
	l.v2_ctrls = strdup("hugetlb");
	/* v1 numbers as they are, hugetlb where it is (cgroup2), devices both ways. */
	select_ok(&l, "{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,"
		  "\"realtimePeriod\":1000000,\"realtimeRuntime\":950},"
		  "\"memory\":{\"limit\":100,\"swap\":300,\"reservation\":50,\"swappiness\":0,"
		  "\"disableOOMKiller\":true},\"pids\":{\"limit\":-1},"
		  "\"blockIO\":{\"weight\":500,\"throttleReadBpsDevice\":[{\"major\":7,\"minor\":0,\"rate\":0}]},"
		  "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4096}],"
		  "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
		  "{\"allow\":true,\"type\":\"c\",\"major\":42,\"access\":\"rw\"}]}", &p2, &p1);
	assert_string_equal(planned(&p1, "cpu.shares"), "1024");
	assert_string_equal(planned(&p1, "cpu.cfs_quota_us"), "50000");
	assert_string_equal(planned(&p1, "cpu.cfs_period_us"), "100000");
	assert_string_equal(planned(&p1, "cpu.rt_runtime_us"), "950");
	assert_string_equal(planned(&p1, "memory.limit_in_bytes"), "100");
	assert_string_equal(planned(&p1, "memory.memsw.limit_in_bytes"), "300");
	assert_string_equal(planned(&p1, "memory.soft_limit_in_bytes"), "50");
	assert_string_equal(planned(&p1, "memory.swappiness"), "0");
	assert_string_equal(planned(&p1, "memory.oom_control"), "1");
	assert_string_equal(planned(&p1, "pids.max"), "max");
	assert_string_equal(planned(&p1, "blkio.weight"), "500");
	assert_string_equal(p1.w[0].file, "cpu.rt_period_us");  /* before the runtime */
	assert_string_equal(planned(&p1, "blkio.throttle.read_bps_device"), "7:0 0");
	assert_null(planned(&p1, "hugetlb.2MB.limit_in_bytes"));
	assert_string_equal(planned(&p2, "hugetlb.2MB.max"), "4096");
	assert_null(planned(&p2, "memory.max"));
	assert_null(planned(&p2, "cpu.weight"));
	assert_true(p2.has_devices);   /* the eBPF filter on the cgroup2 dir */
	assert_string_equal(planned(&p1, "devices.deny"), "a");
	assert_string_equal(planned(&p1, "devices.allow"), "c 136:* rwm");  /* defaults last */
	cg_plan_free(&p2);
	cg_plan_free(&p1);

	/* Where hugetlb is a v1 hierarchy instead: v1's file names. */
	free(l.v2_ctrls);
	l.v2_ctrls = strdup("");
	free(l.v1[0].ctrls);
	l.v1[0].ctrls = strdup("cpu,hugetlb");
	select_ok(&l, "{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":0}]}", &p2, &p1);
	assert_string_equal(planned(&p1, "hugetlb.1GB.limit_in_bytes"), "0");
	assert_true(p1.w[p1.n - 1].optional);   /* the .rsvd. file, 5.7+ */
	assert_int_equal(p2.n, 0);
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	select_refused(&l, "{\"unified\":{\"memory.high\":\"1\"}}", false,
		       "linux.resources.unified.memory.high: the memory controller is on cgroup v1 "
		       "here (/sys/fs/cgroup/memory)");
	select_refused(&l, "{\"network\":{\"classID\":1}}", false,
		       "linux.resources.network.classID: the net_cls controller is not available in "
		       "/sys/fs/cgroup/unified nor as a cgroup v1 hierarchy");
	select_refused(&l, "{\"pids\":{\"limit\":5}}", true,
		       "linux.resources.pids.limit: rootless on cgroup v1");
	/* rootless with no limits: nothing to refuse (no cgroup, as runc) */
	{
		struct kerr err = { 0 };

		assert_int_equal(select_for(&l, "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}",
					    true, &p2, &p1, &err), 0);
		assert_int_equal(p1.n, 0);
	}
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	cg_layout_free(&l);
}

static void test_select_v1_order(void **state)
{
	struct kcg_plan p;
	json_t *doc = json_loads("{\"memory\":{\"limit\":200,\"swap\":400}}", 0, NULL);
	struct kerr err;

	(void)state;
	/* Raising both above the current limit: memsw first, else the kernel
	 * refuses a limit above memsw. */
	cg_v1_plan_build(doc, 100, &p, &err);
	assert_string_equal(p.w[0].file, "memory.memsw.limit_in_bytes");
	assert_string_equal(p.w[1].file, "memory.limit_in_bytes");
	cg_plan_free(&p);
	/* Lowering: the limit first. */
	cg_v1_plan_build(doc, 1000, &p, &err);
	assert_string_equal(p.w[0].file, "memory.limit_in_bytes");
	assert_string_equal(p.w[1].file, "memory.memsw.limit_in_bytes");
	cg_plan_free(&p);
	json_decref(doc);
}

static void test_select_pure_v2(void **state)
{
	struct kcg_plan p2, p1;
	struct kcg_layout l;

	(void)state;
	cg_layout_parse("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", &l);
	free(l.v2_ctrls);
	l.v2_ctrls = strdup("cpuset cpu io memory hugetlb pids rdma misc");
	select_refused(&l, "{\"cpu\":{\"realtimeRuntime\":1000}}", false,
		       "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2");
	/* net_cls/net_prio do not exist on v2: ignored with a warning, as before. */
	select_ok(&l, "{\"network\":{\"classID\":1},\"memory\":{\"limit\":100,\"swappiness\":5}}",
		  &p2, &p1);
	assert_int_equal(p1.n, 0);
	assert_string_equal(planned(&p2, "memory.max"), "100");
	assert_null(planned(&p2, "memory.swappiness"));
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	cg_layout_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_plan_values),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_select_hybrid),
		cmocka_unit_test(test_select_v1_order),
		cmocka_unit_test(test_select_pure_v2),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
