/* cgroups/ systemd driver without a bus: which unit and slice a cgroupsPath
 * names, and which unit properties a resource plan becomes for systemd
 * versions with and without CPUWeight, CPUQuotaPeriodUSec and AllowedCPUs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cgroups/internal.h"

static void names_are(const char *path, bool rootless, const char *slice, const char *unit)
{
	char *s = NULL, *u = NULL;
	struct kerr err = { 0 };

	if (cg_sd_unit_names("abc", path, rootless, &s, &u, &err) < 0)
		fail_msg("%s: %s", path ? path : "(null)", err.msg);
	assert_string_equal(s, slice);
	assert_string_equal(u, unit);
	free(s);
	free(u);
}

static void names_bad(const char *path, const char *msg_part)
{
	char *s = NULL, *u = NULL;
	struct kerr err = { 0 };

	if (cg_sd_unit_names("abc", path, false, &s, &u, &err) == 0)
		fail_msg("%s accepted as %s in %s", path, u, s);
	assert_non_null(strstr(err.msg, msg_part));
	assert_null(strchr(err.msg, '\n'));
}

static void test_unit_names(void **state)
{
	(void)state;
	names_are(NULL, false, "system.slice", "kapsel-abc.scope");
	names_are("", true, "user.slice", "kapsel-abc.scope");
	names_are("system.slice:docker:abc", false, "system.slice", "docker-abc.scope");
	names_are(":crio:abc", false, "system.slice", "crio-abc.scope");
	names_are(":crio:abc", true, "user.slice", "crio-abc.scope");
	names_are("machine.slice::abc", false, "machine.slice", "abc.scope");
	names_are("kubepods-besteffort.slice:cri-containerd:0123", false,
		  "kubepods-besteffort.slice", "cri-containerd-0123.scope");
	names_bad("/kapsel/abc", "slice:prefix:name");
	names_bad("relative/path", "slice:prefix:name");
	names_bad("a.slice:b:c:d", "slice:prefix:name");
	names_bad("a.slice:b:", "slice:prefix:name");
	names_bad("a.slice:b/c:d", "slice:prefix:name");
	names_bad("notaslice:p:n", "not a systemd slice");
	names_bad("a--b.slice:p:n", "not a systemd slice");
	names_bad("system.slice:p:n.slice", "own slice");
}

static void test_slice_paths(void **state)
{
	struct kerr err = { 0 };
	char *p = NULL;

	(void)state;
	assert_int_equal(cg_slice_path("system.slice", &p, &err), 0);
	assert_string_equal(p, "/system.slice");
	free(p);
	assert_int_equal(cg_slice_path("a-b-c.slice", &p, &err), 0);
	assert_string_equal(p, "/a.slice/a-b.slice/a-b-c.slice");
	free(p);
	assert_int_equal(cg_slice_path("-.slice", &p, &err), 0);
	assert_string_equal(p, "");
	free(p);
	assert_int_equal(cg_slice_path("a-.slice", &p, &err), -1);
}

static void test_cpuset_mask(void **state)
{
	struct kerr err = { 0 };
	uint8_t *m = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(cg_sd_cpuset_mask("0-2,9", &m, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(m[0], 0x07);
	assert_int_equal(m[1], 0x02);
	free(m);
	assert_int_equal(cg_sd_cpuset_mask("0", &m, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m[0], 0x01);
	free(m);
	assert_int_equal(cg_sd_cpuset_mask("3,1", &m, &n, &err), 0);
	assert_int_equal(m[0], 0x0a);
	free(m);
	assert_int_equal(cg_sd_cpuset_mask("3-1", &m, &n, &err), -1);
	assert_int_equal(cg_sd_cpuset_mask("x", &m, &n, &err), -1);
	assert_int_equal(cg_sd_cpuset_mask("", &m, &n, &err), -1);
	assert_int_equal(cg_sd_cpuset_mask("8192", &m, &n, &err), -1);
}

/* The properties for resources (JSON) at a systemd version. */
static void props_of(const char *json, unsigned version, struct kcg_sdprops *ret)
{
	json_error_t je;
	json_t *doc = json_loads(json, 0, &je);
	struct kcg_plan plan;
	struct kerr err = { 0 };

	assert_non_null(doc);
	if (cg_plan_build(doc, 0, &plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	if (cg_sd_props_from_plan(&plan, version, ret, &err) < 0)
		fail_msg("props: %s", err.msg);
	cg_plan_free(&plan);
	json_decref(doc);
}

static const struct kcg_sdprop *prop(const struct kcg_sdprops *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			return &ps->p[i];
	return NULL;
}

static uint64_t prop_u64(const struct kcg_sdprops *ps, const char *name)
{
	const struct kcg_sdprop *p = prop(ps, name);

	if (p == NULL)
		fail_msg("no property %s", name);
	assert_int_equal(p->type, KCG_SD_U64);
	return p->u;
}

static const char all_limits[] =
	"{\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728},"
	" \"pids\": {\"limit\": 50},"
	" \"cpu\": {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"cpus\": \"0-1\","
	"          \"mems\": \"0\"},"
	" \"blockIO\": {\"weight\": 500},"
	" \"unified\": {\"memory.high\": \"60000000\"}}";

static void test_props_current(void **state)
{
	struct kcg_sdprops ps;
	const struct kcg_sdprop *p;

	(void)state;
	props_of(all_limits, 252, &ps);
	assert_int_equal(prop_u64(&ps, "MemoryMax"), 67108864);
	assert_int_equal(prop_u64(&ps, "MemoryLow"), 33554432);
	assert_int_equal(prop_u64(&ps, "MemorySwapMax"), 67108864);  /* swap - memory */
	assert_int_equal(prop_u64(&ps, "MemoryHigh"), 60000000);
	assert_int_equal(prop_u64(&ps, "TasksMax"), 50);
	assert_int_equal(prop_u64(&ps, "CPUWeight"), 39);
	assert_int_equal(prop_u64(&ps, "CPUQuotaPerSecUSec"), 500000);
	assert_int_equal(prop_u64(&ps, "CPUQuotaPeriodUSec"), 100000);
	assert_int_equal(prop_u64(&ps, "IOWeight"), 4950);
	assert_null(prop(&ps, "CPUShares"));
	p = prop(&ps, "AllowedCPUs");
	assert_non_null(p);
	assert_int_equal(p->type, KCG_SD_BYTES);
	assert_int_equal(p->n_bytes, 1);
	assert_int_equal(p->bytes[0], 0x03);
	p = prop(&ps, "AllowedMemoryNodes");
	assert_non_null(p);
	assert_int_equal(p->bytes[0], 0x01);
	/* memory.oom.group, which systemd has no property for, is left to the files. */
	for (size_t i = 0; i < ps.n; i++)
		assert_null(strstr(ps.p[i].name, "OOM"));
	cg_sd_props_free(&ps);
}

static void test_props_old_systemd(void **state)
{
	struct kcg_sdprops ps;

	(void)state;
	/* 240: no AllowedCPUs (244) nor CPUQuotaPeriodUSec (242): files only. */
	props_of(all_limits, 240, &ps);
	assert_null(prop(&ps, "AllowedCPUs"));
	assert_null(prop(&ps, "AllowedMemoryNodes"));
	assert_null(prop(&ps, "CPUQuotaPeriodUSec"));
	assert_int_equal(prop_u64(&ps, "CPUQuotaPerSecUSec"), 500000);
	assert_int_equal(prop_u64(&ps, "CPUWeight"), 39);
	cg_sd_props_free(&ps);
	/* 230: the v1 knob CPUShares, converted back (as close as the
	 * weight keeps it), and no MemorySwapMax (232). */
	props_of(all_limits, 230, &ps);
	assert_null(prop(&ps, "CPUWeight"));
	assert_null(prop(&ps, "MemorySwapMax"));
	assert_int_equal(cg_shares_to_weight(prop_u64(&ps, "CPUShares")), 39);
	cg_sd_props_free(&ps);
}

static void test_props_values(void **state)
{
	struct kcg_sdprops ps;

	(void)state;
	/* systemd keeps whole percents: 12.345% of a CPU is rounded up to 13%. */
	props_of("{\"cpu\": {\"quota\": 12345, \"period\": 100000}}", 252, &ps);
	assert_int_equal(prop_u64(&ps, "CPUQuotaPerSecUSec"), 130000);
	cg_sd_props_free(&ps);
	props_of("{\"cpu\": {\"quota\": -1}}", 252, &ps);
	assert_true(prop_u64(&ps, "CPUQuotaPerSecUSec") == UINT64_MAX);
	assert_null(prop(&ps, "CPUQuotaPeriodUSec"));
	cg_sd_props_free(&ps);
	props_of("{\"memory\": {\"limit\": -1}, \"pids\": {\"limit\": -1}}", 252, &ps);
	assert_true(prop_u64(&ps, "MemoryMax") == UINT64_MAX);
	assert_true(prop_u64(&ps, "MemorySwapMax") == UINT64_MAX);
	assert_true(prop_u64(&ps, "TasksMax") == UINT64_MAX);
	cg_sd_props_free(&ps);
	/* Nothing asked, nothing set. */
	props_of("{}", 252, &ps);
	assert_int_equal(ps.n, 0);
	cg_sd_props_free(&ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_names),
		cmocka_unit_test(test_slice_paths),
		cmocka_unit_test(test_cpuset_mask),
		cmocka_unit_test(test_props_current),
		cmocka_unit_test(test_props_old_systemd),
		cmocka_unit_test(test_props_values),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
