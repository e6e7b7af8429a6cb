/* lsm_validate and friends: every bad section fails with a message naming
 * the field, good ones pass; the procfs handle refuses what is not a procfs
 * root; the features JSON. No root needed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/util.h"
#include "lsm/internal.h"
#include "lsm/lsm.h"
#include "tests/unit/lsm_test.h"

/* Validates t and expects failure with a message containing want (NULL: success). */
static void expect(struct tspec *t, const char *want)
{
	struct kerr err = { 0 };
	int r = lsm_validate(&t->spec, &err);

	if (want == NULL) {
		if (r < 0)
			fail_msg("unexpected failure: %s", err.msg);
		return;
	}
	if (r == 0)
		fail_msg("validation passed, wanted \"%s\"", want);
	if (strstr(err.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

static void check_seccomp(const char *json, const char *want)
{
	struct tspec t;

	tspec_init(&t);
	t.spec.seccomp = tjson(json);
	expect(&t, want);
	tspec_done(&t);
}

static void test_caps(void **state)
{
	struct tspec t;
	struct lsm_caps c;
	struct kerr err;

	(void)state;
	tspec_init(&t);
	t.proc.capabilities = tjson("{\"bounding\":[\"CAP_CHOWN\",\"CAP_FOO\"]}");
	expect(&t, "process.capabilities.bounding: unknown capability \"CAP_FOO\"");
	json_decref(t.proc.capabilities);
	t.proc.capabilities = tjson("{\"ambient\":[\"cap_chown\"]}");
	expect(&t, "process.capabilities.ambient: unknown capability \"cap_chown\"");
	json_decref(t.proc.capabilities);
	t.proc.capabilities = tjson("{\"effective\":\"CAP_CHOWN\"}");
	expect(&t, "process.capabilities.effective: not an array");
	json_decref(t.proc.capabilities);
	t.proc.capabilities = tjson("{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_BPF\"],"
				    "\"effective\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],"
				    "\"inheritable\":[],\"ambient\":[\"CAP_CHECKPOINT_RESTORE\"]}");
	expect(&t, NULL);
	assert_int_equal(lsm_caps_parse(t.proc.capabilities, &c, &err), 0);
	assert_true(c.present);
	assert_int_equal(c.bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 39));
	assert_int_equal(c.effective, 1ULL << 5);
	assert_int_equal(c.inheritable, 0);
	assert_int_equal(c.ambient, 1ULL << 40);
	tspec_done(&t);
}

static void test_seccomp_errors(void **state)
{
	(void)state;
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
		      "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
	check_seccomp("{\"syscalls\":[]}", "linux.seccomp.defaultAction: missing");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
		      "\"action\":\"SCMP_ACT_DENY\"}]}",
		      "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_DENY\"");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":"
		      "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_Z80\"]}",
		      "linux.seccomp.architectures[1]: unknown architecture SCMP_ARCH_Z80");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
		      "linux.seccomp.flags[0]: unsupported flag SECCOMP_FILTER_FLAG_X");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
		      "SCMP_ACT_ALLOW does not take an errno");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
		      "\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]}",
		      "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL does not take an errno");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],"
		      "\"action\":\"SCMP_ACT_KILL\"}]}",
		      "linux.seccomp.syscalls[0].names: must be a non-empty array");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,"
		      "\"op\":\"SCMP_CMP_ABOUT\"}]}]}",
		      "linux.seccomp.syscalls[0].args[0].op: unknown operator SCMP_CMP_ABOUT");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
		      "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,"
		      "\"op\":\"SCMP_CMP_EQ\"}]}]}",
		      "linux.seccomp.syscalls[0].args[0].index: must be 0 to 5");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}",
		      "SCMP_ACT_NOTIFY cannot be the default action");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],"
		      "\"action\":\"SCMP_ACT_NOTIFY\"}]}", "listenerPath is not set");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/x\","
		      "\"syscalls\":[{\"names\":[\"write\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
		      "SCMP_ACT_NOTIFY cannot be used for the write syscall");
	check_seccomp("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\"}",
		      "linux.seccomp.listenerMetadata: set without listenerPath");
}

static void test_seccomp_good(void **state)
{
	struct lsm_seccomp sc;
	struct kerr err;
	json_t *j;

	(void)state;
	/* Every action, operator and flag this build knows; a syscall name no
	 * libseccomp knows is skipped, not an error; a rule equal to the
	 * default action is dropped. */
	j = tjson("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
		  "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
		  "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\",\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\","
		  "\"SECCOMP_FILTER_FLAG_TSYNC\"],\"listenerPath\":\"/run/agent.sock\","
		  "\"listenerMetadata\":\"meta\",\"syscalls\":["
		  "{\"names\":[\"read\",\"no_such_syscall_kapsel\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		  "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38},"
		  "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL\"},"
		  "{\"names\":[\"tkill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
		  "{\"names\":[\"tgkill\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},"
		  "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_TRAP\"},"
		  "{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":1},"
		  "{\"names\":[\"umount2\"],\"action\":\"SCMP_ACT_LOG\"},"
		  "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"},"
		  "{\"names\":[\"close\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
		  "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_NE\"},"
		  "{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_LT\"},"
		  "{\"index\":2,\"value\":1,\"op\":\"SCMP_CMP_LE\"},"
		  "{\"index\":3,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},"
		  "{\"index\":4,\"value\":1,\"op\":\"SCMP_CMP_GE\"},"
		  "{\"index\":5,\"value\":255,\"valueTwo\":3,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		  "{\"names\":[\"dup\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		  "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_GT\"},"
		  "{\"index\":0,\"value\":100,\"op\":\"SCMP_CMP_LT\"}]}]}");
	if (lsm_seccomp_compile(j, &sc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(sc.ctx);
	assert_true(sc.uses_notify);
	lsm_seccomp_release(&sc);
	json_decref(j);
	/* No linux.seccomp: no filter. */
	assert_int_equal(lsm_seccomp_compile(NULL, &sc, &err), 0);
	assert_null(sc.ctx);
}

static void check_sysctl(const char *json, bool ipc, bool net, bool uts, const char *want)
{
	struct tspec t;

	tspec_init(&t);
	t.spec.sysctl = tjson(json);
	t.spec.ns[KNS_IPC].wanted = ipc;
	t.spec.ns[KNS_NET].wanted = net;
	t.spec.ns[KNS_UTS].wanted = uts;
	expect(&t, want);
	tspec_done(&t);
}

static void test_sysctl(void **state)
{
	struct tspec t;

	(void)state;
	check_sysctl("{\"kernel.shmmax\":\"1\"}", false, true, true,
		     "kernel.shmmax is not allowed in the host's ipc namespace");
	check_sysctl("{\"kernel.shmmax\":\"1\",\"fs.mqueue.msg_max\":\"20\",\"kernel.sem\":\"1 2 3 4\","
		     "\"kernel.msgmax\":\"9\"}", true, false, false, NULL);
	check_sysctl("{\"net.ipv4.ip_forward\":\"1\"}", true, false, true,
		     "net.ipv4.ip_forward is not allowed in the host's network namespace");
	check_sysctl("{\"net.ipv4.ip_forward\":\"1\"}", false, true, false, NULL);
	check_sysctl("{\"kernel.domainname\":\"x\"}", true, true, false,
		     "kernel.domainname is not in a separate kernel namespace");
	check_sysctl("{\"kernel.domainname\":\"x\",\"kernel.hostname\":\"h\"}", false, false, true,
		     NULL);
	check_sysctl("{\"vm.swappiness\":\"1\"}", true, true, true,
		     "vm.swappiness is not in a separate kernel namespace");
	check_sysctl("{\"kernel.shmmax\":1}", true, true, true,
		     "linux.sysctl.kernel.shmmax: value is not a string");
	check_sysctl("{\"net.ipv4..x\":\"1\"}", true, true, true, "invalid sysctl name");
	check_sysctl("{\"net.ipv4/../../sysrq-trigger\":\"1\"}", true, true, true,
		     "invalid sysctl name");
	check_sysctl("{\"net.\":\"1\"}", true, true, true, "invalid sysctl name");

	/* kernel.hostname next to the hostname field: which one wins? Refused. */
	tspec_init(&t);
	t.spec.sysctl = tjson("{\"kernel.hostname\":\"h\"}");
	t.spec.ns[KNS_UTS].wanted = true;
	t.spec.hostname = (char *)"other";
	expect(&t, "kernel.hostname conflicts with the hostname field");
	tspec_done(&t);

	/* A netns given by path that is the host's own. */
	tspec_init(&t);
	t.spec.sysctl = tjson("{\"net.core.somaxconn\":\"100\"}");
	t.spec.ns[KNS_NET].wanted = true;
	t.spec.ns[KNS_NET].path = (char *)"/proc/self/ns/net";
	expect(&t, "not allowed in the host's network namespace");
	tspec_done(&t);
}

static void check_proc(const char *io, const char *sched, const char *want)
{
	struct tspec t;

	tspec_init(&t);
	t.proc.io_priority = io ? tjson(io) : NULL;
	t.proc.scheduler = sched ? tjson(sched) : NULL;
	expect(&t, want);
	tspec_done(&t);
}

static void test_process_attrs(void **state)
{
	(void)state;
	check_proc("{\"class\":\"IOPRIO_CLASS_NONE\",\"priority\":1}", NULL,
		   "process.ioPriority.class: must be IOPRIO_CLASS_RT");
	check_proc("{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}", NULL,
		   "process.ioPriority.priority: must be 0 to 7");
	check_proc("{\"class\":\"IOPRIO_CLASS_BE\"}", NULL, "process.ioPriority.priority");
	check_proc("{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7}", NULL, NULL);
	check_proc(NULL, "{\"policy\":\"SCHED_FAST\"}", "process.scheduler.policy: unknown");
	check_proc(NULL, "{\"policy\":\"SCHED_ISO\"}", "process.scheduler.policy: unknown or unsupported");
	check_proc(NULL, "{\"policy\":\"SCHED_OTHER\",\"nice\":20}", "process.scheduler.nice");
	check_proc(NULL, "{\"policy\":\"SCHED_OTHER\",\"priority\":3}", "only for SCHED_FIFO");
	check_proc(NULL, "{\"policy\":\"SCHED_FIFO\"}", "need a priority from 1 to 99");
	check_proc(NULL, "{\"policy\":\"SCHED_BATCH\",\"runtime\":100}", "only for SCHED_DEADLINE");
	check_proc(NULL, "{\"policy\":\"SCHED_RR\",\"priority\":5,\"flags\":[\"SCHED_FLAG_X\"]}",
		   "process.scheduler.flags[0]: unknown flag SCHED_FLAG_X");
	check_proc(NULL, "{\"policy\":\"SCHED_RR\",\"priority\":5,\"nice\":-3,"
		   "\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"]}", NULL);
	check_proc(NULL, "{\"policy\":\"SCHED_DEADLINE\",\"runtime\":1000000,"
		   "\"deadline\":2000000,\"period\":3000000}", NULL);
}

static void test_personality_rdt(void **state)
{
	struct tspec t;

	(void)state;
	tspec_init(&t);
	t.spec.personality = tjson("{\"domain\":\"LINUX32\"}");
	expect(&t, NULL);
	json_decref(t.spec.personality);
	t.spec.personality = tjson("{\"domain\":\"LINUX64\"}");
	expect(&t, "linux.personality.domain: unknown domain \"LINUX64\"");
	json_decref(t.spec.personality);
	t.spec.personality = tjson("{\"domain\":\"LINUX\",\"flags\":[\"ADDR_NO_RANDOMIZE\"]}");
	expect(&t, "linux.personality.flags: no flags are supported");
	json_decref(t.spec.personality);
	t.spec.personality = NULL;
	json_object_set_new(t.spec.json, "linux",
			    tjson("{\"intelRdt\":{\"closID\":\"guaranteed_group\"}}"));
	expect(&t, "linux.intelRdt: not supported by kapsel");
	tspec_done(&t);
}

static void test_mac(void **state)
{
	struct tspec t;
	char *data;

	(void)state;
	tspec_init(&t);
	t.proc.selinux_label = (char *)"system_u:system_r:container_t:s0:c1,c2";
	t.spec.mount_label = (char *)"system_u:object_r:container_file_t:s0:c1,c2";
	if (lsm_mac_get() == &lsm_mac_none) {
		/* This host: neither AppArmor nor SELinux. An SELinux label is
		 * ignored (as runc), an AppArmor profile refused up front. */
		expect(&t, NULL);
		assert_null(lsm_mount_label_data(&t.spec));
		t.proc.apparmor_profile = (char *)"kapsel-test";
		expect(&t, "process.apparmorProfile: AppArmor is not enabled on this host");
	} else {
		fprintf(stderr, "# MAC backend %s: the none-backend checks are skipped\n",
			lsm_mac_get()->name);
	}
	/* The SELinux backend's mount data, whatever this host has. */
	data = lsm_mac_selinux.mount_data(t.spec.mount_label);
	assert_string_equal(data, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	free(data);
	tspec_done(&t);
}

static void test_procfs_handle(void **state)
{
	struct kerr err;
	int fd, f2;

	(void)state;
	fd = lsm_procfs_open("/tmp", &err);
	assert_int_equal(fd, -1);
	assert_int_equal(err.code, EXDEV);
	assert_non_null(strstr(err.msg, "/tmp is not on a procfs"));
	/* A procfs directory that is not the root (a bind of /proc/self over
	 * /proc would look like this). */
	fd = lsm_procfs_open("/proc/self", &err);
	assert_int_equal(fd, -1);
	assert_non_null(strstr(err.msg, "not the root of a procfs"));

	fd = lsm_procfs_open("/proc", &err);
	assert_true(fd >= 0);
	f2 = lsm_procfs_open_at(fd, "sys/kernel/ostype", O_RDONLY, &err);
	assert_true(f2 >= 0);
	close(f2);
	/* Symlinks (even procfs's own), magic links and ".." out are refused. */
	assert_int_equal(lsm_procfs_open_at(fd, "mounts", O_RDONLY, &err), -1);
	assert_int_equal(err.code, ELOOP);
	assert_int_equal(lsm_procfs_open_at(fd, "self/cwd/x", O_RDONLY, &err), -1);
	assert_int_equal(lsm_procfs_open_at(fd, "sys/../../etc/passwd", O_RDONLY, &err), -1);
	assert_int_equal(err.code, EXDEV);
	close(fd);
}

static void test_sysctl_refuses_fake_proc(void **state)
{
	char dir[] = "/tmp/kapsel-lsm-XXXXXX";
	struct tspec t;
	struct kerr err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	tspec_init(&t);
	t.spec.sysctl = tjson("{\"kernel.shmmax\":\"1\"}");
	assert_int_equal(lsm_sysctl_apply_at(&t.spec, dir, &err), -1);
	assert_non_null(strstr(err.msg, "is not on a procfs"));
	tspec_done(&t);
	rmdir(dir);
}

static bool has_string(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static void test_features(void **state)
{
	json_t *f = lsm_features();
	json_t *sc = json_object_get(f, "seccomp");
	json_t *known = json_object_get(sc, "knownFlags");
	size_t i;
	json_t *v;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(f, "capabilities")), 41);
	assert_true(has_string(json_object_get(f, "capabilities"), "CAP_CHECKPOINT_RESTORE"));
	assert_true(json_is_true(json_object_get(sc, "enabled")));
	assert_int_equal(json_array_size(json_object_get(sc, "actions")), 9);
	assert_true(has_string(json_object_get(sc, "actions"), "SCMP_ACT_NOTIFY"));
	assert_int_equal(json_array_size(json_object_get(sc, "operators")), 7);
	assert_true(has_string(json_object_get(sc, "archs"), "SCMP_ARCH_X86_64"));
	assert_int_equal(json_array_size(known), 3);
	/* supportedFlags is what this kernel takes: a subset of knownFlags
	 * (6.x kernels take all three). */
	json_array_foreach(json_object_get(sc, "supportedFlags"), i, v)
		assert_true(has_string(known, json_string_value(v)));
	assert_true(has_string(json_object_get(sc, "supportedFlags"), "SECCOMP_FILTER_FLAG_LOG"));
	assert_true(json_is_true(json_object_get(json_object_get(f, "apparmor"), "enabled")));
	assert_true(json_is_true(json_object_get(json_object_get(f, "selinux"), "enabled")));
	json_decref(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_seccomp_errors),
		cmocka_unit_test(test_seccomp_good),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_process_attrs),
		cmocka_unit_test(test_personality_rdt),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_procfs_handle),
		cmocka_unit_test(test_sysctl_refuses_fake_proc),
		cmocka_unit_test(test_features),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
