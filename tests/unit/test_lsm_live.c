/* lsm/ against the real kernel, each case in a forked child so capability
 * drops, uid changes and namespaces die with it: capabilities across a uid
 * change, the whole lsm.h order, sysctls in fresh namespaces,
 * personality/ioprio/scheduler, and AppArmor where the kernel has it (the
 * test VM). Seccomp is in test_lsm_seccomp.c. Root-only cases skip without root. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ioprio.h>
#include <linux/seccomp.h>
#include <cmocka.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "lsm/internal.h"
#include "lsm/lsm.h"
#include "tests/unit/lsm_test.h"
#include "tests/unit/lsm_live.h"

/* ---- capabilities ---- */

#define BIT(n) (1ULL << (n))

static void become_1000(void)
{
	CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
	CHECK(setgroups(0, NULL) == 0);
	CHECK(setresgid(1000, 1000, 1000) == 0);
	CHECK(setresuid(1000, 1000, 1000) == 0);
}

static void child_caps(void *arg)
{
	struct tspec t;
	struct klsm *l;
	int fd;

	(void)arg;
	tspec_init(&t);
	t.proc.capabilities = tjson(
		"{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\",\"CAP_SETUID\","
		"\"CAP_SETGID\"],\"effective\":[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"],"
		"\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
		"\"inheritable\":[\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"],"
		"\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}");
	l = prepare(&t);
	CHECK_OK(lsm_apply_labels, l);
	{
		struct kerr e;

		CHECK(lsm_drop_bounding(l, &e) == 0);
		become_1000();
		CHECK(lsm_load_seccomp(l, false, &fd, &e) == 0 && fd == -1);
		CHECK(lsm_apply_caps(l, &e) == 0);
		CHECK(lsm_load_seccomp(l, true, &fd, &e) == 0 && fd == -1);
	}
	CHECK(getuid() == 1000 && geteuid() == 1000);
	CHECK(status_hex("CapBnd") == (BIT(0) | BIT(5) | BIT(6) | BIT(7) | BIT(10)));
	CHECK(status_hex("CapPrm") == (BIT(0) | BIT(5) | BIT(10)));
	CHECK(status_hex("CapEff") == (BIT(0) | BIT(10)));
	CHECK(status_hex("CapInh") == (BIT(5) | BIT(10)));
	CHECK(status_hex("CapAmb") == BIT(10));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
	CHECK(status_int("Seccomp") == 0);
}

static void test_caps(void **state)
{
	(void)state;
	if (!root)
		skip();
	expect_exit0(in_child(child_caps, NULL));
}

/* The whole lsm/lsm.h order with a filter loaded without no_new_privs after
 * the switch to uid 1000 (the effective set is empty there) and a bounding
 * set without CAP_SYS_ADMIN. */
static void child_recipe(void *arg)
{
	struct tspec t;
	struct klsm *l;
	struct kerr e;
	int fd;

	(void)arg;
	tspec_init(&t);
	t.proc.capabilities = tjson("{\"bounding\":[\"CAP_CHOWN\"],\"effective\":[\"CAP_CHOWN\"],"
				    "\"permitted\":[\"CAP_CHOWN\"]}");
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			       "{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\","
			       "\"errnoRet\":95}]}");
	l = prepare(&t);
	CHECK(lsm_apply_labels(l, &e) == 0);
	CHECK(lsm_drop_bounding(l, &e) == 0);
	become_1000();
	CHECK(status_hex("CapEff") == 0);
	if (lsm_load_seccomp(l, false, &fd, &e) < 0) {
		fprintf(stderr, "# child: %s\n", e.msg);
		_exit(1);
	}
	CHECK(fd == -1 && status_int("Seccomp") == 2 && status_int("NoNewPrivs") == 0);
	CHECK(lsm_apply_caps(l, &e) == 0);
	CHECK(lsm_load_seccomp(l, true, &fd, &e) == 0 && fd == -1);
	CHECK(status_hex("CapEff") == BIT(0) && status_hex("CapPrm") == BIT(0));
	CHECK(status_hex("CapBnd") == BIT(0));
	CHECK(mkdir("/tmp/kapsel-lsm-never", 0700) == -1 && errno == ENOTSUP);
}

static void test_recipe(void **state)
{
	(void)state;
	if (!root)
		skip();
	expect_exit0(in_child(child_recipe, NULL));
}

/* ---- sysctl ---- */

static char *read_proc(const char *path)
{
	char *buf = NULL;
	struct kerr err;

	if (read_file_at(AT_FDCWD, path, 4096, &buf, NULL, &err) < 0)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void child_sysctl(void *arg)
{
	struct tspec t;
	struct kerr err;
	char *v;

	(void)arg;
	CHECK(unshare(CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS) == 0);
	tspec_init(&t);
	t.spec.ns[KNS_IPC].wanted = t.spec.ns[KNS_NET].wanted = t.spec.ns[KNS_UTS].wanted = true;
	t.spec.sysctl = tjson("{\"kernel.shmmax\":\"123456789\",\"net.ipv4.ip_forward\":\"1\","
			      "\"kernel.domainname\":\"kapsel.test\",\"fs.mqueue.msg_max\":\"17\"}");
	if (lsm_validate(&t.spec, &err) < 0 || lsm_apply_sysctl(&t.spec, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	v = read_proc("/proc/sys/kernel/shmmax");
	CHECK(v != NULL && strcmp(v, "123456789") == 0);
	v = read_proc("/proc/sys/net/ipv4/ip_forward");
	CHECK(v != NULL && strcmp(v, "1") == 0);
	v = read_proc("/proc/sys/kernel/domainname");
	CHECK(v != NULL && strcmp(v, "kapsel.test") == 0);
	v = read_proc("/proc/sys/fs/mqueue/msg_max");
	CHECK(v != NULL && strcmp(v, "17") == 0);
}

static void test_sysctl(void **state)
{
	cleanup_free char *shm = NULL, *dom = NULL, *shm2 = NULL, *dom2 = NULL;

	(void)state;
	if (!root)
		skip();
	shm = read_proc("/proc/sys/kernel/shmmax");
	dom = read_proc("/proc/sys/kernel/domainname");
	assert_non_null(shm);
	assert_non_null(dom);
	expect_exit0(in_child(child_sysctl, NULL));
	/* The host's own values are untouched. */
	shm2 = read_proc("/proc/sys/kernel/shmmax");
	dom2 = read_proc("/proc/sys/kernel/domainname");
	assert_string_equal(shm, shm2);
	assert_string_equal(dom, dom2);
}

/* A /proc/sys already bind-mounted read-only (readonlyPaths) is a mount of
 * its own: refused with a message saying why, not written through. */
static void child_sysctl_ro(void *arg)
{
	struct tspec t;
	struct kerr err;

	(void)arg;
	CHECK(unshare(CLONE_NEWNS | CLONE_NEWIPC) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mount("/proc/sys", "/proc/sys", NULL, MS_BIND, NULL) == 0);
	CHECK(mount(NULL, "/proc/sys", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0);
	tspec_init(&t);
	t.spec.ns[KNS_IPC].wanted = true;
	t.spec.sysctl = tjson("{\"kernel.shmmax\":\"4242\"}");
	CHECK(lsm_apply_sysctl(&t.spec, &err) == -1);
	CHECK(strstr(err.msg, "/proc/sys is a mount of its own") != NULL);
}

static void test_sysctl_readonly_proc(void **state)
{
	(void)state;
	if (!root)
		skip();
	expect_exit0(in_child(child_sysctl_ro, NULL));
}

/* ---- personality, ioPriority, scheduler ---- */

static void child_attrs(void *arg)
{
	struct utsname u;
	struct tspec t;
	struct klsm *l;

	(void)arg;
	tspec_init(&t);
	t.spec.personality = tjson("{\"domain\":\"LINUX32\"}");
	t.proc.io_priority = tjson("{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":5}");
	t.proc.scheduler = tjson("{\"policy\":\"SCHED_BATCH\",\"nice\":7}");
	l = prepare(&t);
	CHECK_OK(lsm_apply_labels, l);
	CHECK((personality(0xffffffff) & PER_MASK) == PER_LINUX32);
	CHECK(uname(&u) == 0 && strcmp(u.machine, "i686") == 0);
	CHECK(sys_ioprio_get(IOPRIO_WHO_PROCESS, 0) == IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 5));
	CHECK(sched_getscheduler(0) == SCHED_BATCH);
	errno = 0;
	CHECK(getpriority(PRIO_PROCESS, 0) == 7 && errno == 0);
}

static void test_process_attrs(void **state)
{
	(void)state;
	expect_exit0(in_child(child_attrs, NULL));
}

static void child_attrs_rt(void *arg)
{
	struct sched_param sp;
	struct tspec t;
	struct klsm *l;
	struct kerr err;

	(void)arg;
	tspec_init(&t);
	t.proc.io_priority = tjson("{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":2}");
	t.proc.scheduler = tjson("{\"policy\":\"SCHED_FIFO\",\"priority\":10}");
	l = prepare(&t);
	if (lsm_apply_labels(l, &err) < 0) {
		/* No real-time budget for this cgroup (cpu.rt_runtime_us 0). */
		if (err.code == EPERM && strstr(err.msg, "sched_setattr") != NULL) {
			fprintf(stderr, "# SCHED_FIFO refused here (%s): skipped\n", err.msg);
			_exit(77);
		}
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	CHECK(sys_ioprio_get(IOPRIO_WHO_PROCESS, 0) == IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 2));
	CHECK(sched_getscheduler(0) == SCHED_FIFO);
	CHECK(sched_getparam(0, &sp) == 0 && sp.sched_priority == 10);
}

static void test_process_attrs_rt(void **state)
{
	(void)state;
	if (!root)
		skip();
	expect_exit0(in_child(child_attrs_rt, NULL));
}

/* ---- AppArmor (the test VM has it; these hosts do not) ---- */

static const char aa_profile[] =
	"profile kapsel-lsm-test flags=(attach_disconnected) {\n"
	"  file,\n  capability,\n  signal,\n  unix,\n  network,\n  mount,\n  umount,\n"
	"  pivot_root,\n  ptrace,\n}\n";

/* /sbin/apparmor_parser, or $KAPSEL_APPARMOR_PARSER (e.g. unpacked from the
 * Debian package on a host that does not install it). */
static const char *parser_path(void)
{
	const char *p = getenv("KAPSEL_APPARMOR_PARSER");

	return p != NULL && *p != '\0' ? p : "/sbin/apparmor_parser";
}

static int run_parser(const char *opt, const char *file)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl(parser_path(), "apparmor_parser", opt, file, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void child_aa(void *arg)
{
	int pipe_w = *(int *)arg;
	struct tspec t;
	struct klsm *l;

	tspec_init(&t);
	t.proc.apparmor_profile = (char *)"kapsel-lsm-test";
	l = prepare(&t);
	CHECK_OK(lsm_apply_labels, l);
	CHECK(dup2(pipe_w, 1) == 1);
	execl("/bin/cat", "cat", "/proc/self/attr/current", (char *)NULL);
	_exit(127);
}

static void test_apparmor(void **state)
{
	char file[] = "/tmp/kapsel-aa-XXXXXX";
	char buf[256] = "";
	struct tspec t;
	struct kerr err;
	int p[2], fd, status;
	ssize_t n;

	(void)state;
	if (lsm_mac_get() != &lsm_mac_apparmor) {
		fprintf(stderr, "# AppArmor is not enabled on this kernel: skipped\n");
		skip();
	}
	if (!root || access(parser_path(), X_OK) < 0) {
		fprintf(stderr, "# AppArmor test needs root and %s: skipped\n", parser_path());
		skip();
	}
	/* A profile that is not loaded is refused at validation. */
	tspec_init(&t);
	t.proc.apparmor_profile = (char *)"kapsel-not-loaded";
	assert_int_equal(lsm_validate(&t.spec, &err), -1);
	assert_non_null(strstr(err.msg, "profile \"kapsel-not-loaded\" is not loaded"));
	tspec_done(&t);

	fd = mkstemp(file);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, aa_profile, strlen(aa_profile)), (ssize_t)strlen(aa_profile));
	close(fd);
	assert_int_equal(run_parser("-r", file), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	status = in_child(child_aa, &p[1]);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	run_parser("-R", file);
	unlink(file);
	expect_exit0(status);
	assert_true(n > 0);
	buf[n] = '\0';
	fprintf(stderr, "# exec'd process label: %s", buf);
	assert_non_null(strstr(buf, "kapsel-lsm-test"));
}

static void test_selinux(void **state)
{
	(void)state;
	if (lsm_mac_get() != &lsm_mac_selinux) {
		fprintf(stderr, "# SELinux is not enabled on this kernel: skipped\n");
		skip();
	}
	/* An enforcing test needs a loaded policy with a container domain;
	 * no machine this project tests on has one. */
	fprintf(stderr, "# SELinux enabled but no policy test written: skipped\n");
	skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_recipe),
		cmocka_unit_test(test_sysctl),
		cmocka_unit_test(test_sysctl_readonly_proc),
		cmocka_unit_test(test_process_attrs),
		cmocka_unit_test(test_process_attrs_rt),
		cmocka_unit_test(test_apparmor),
		cmocka_unit_test(test_selinux),
	};

	root = geteuid() == 0;
	if (!root)
		fprintf(stderr, "# not root: capability, sysctl, privileged seccomp and "
			"real-time cases are skipped\n");
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
