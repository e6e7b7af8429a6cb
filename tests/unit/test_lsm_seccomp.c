/* linux.seccomp against the real kernel, each filter in a forked child:
 * ERRNO with errnoRet and defaultErrnoRet, KILL_PROCESS, every operator
 * (MASKED_EQ with valueTwo, runc's OR for one index, AND across indexes),
 * and SCMP_ACT_NOTIFY with this test acting as the seccomp agent reached
 * through lsm_send_seccomp_fd. The privileged (no NNP) case needs root. */
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

/* ---- seccomp ---- */

static void child_mkdir_enotsup(void *arg)
{
	bool nnp = *(bool *)arg;
	struct tspec t;

	tspec_init(&t);
	t.proc.no_new_privileges = nnp;
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			       "{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\","
			       "\"errnoRet\":95}]}");
	CHECK(load_filter(prepare(&t), nnp) == -1);
	CHECK(mkdir("/tmp/kapsel-lsm-never", 0700) == -1 && errno == ENOTSUP);
	CHECK(access("/tmp/kapsel-lsm-never", F_OK) < 0);
}

static void test_seccomp_errno_nnp(void **state)
{
	bool nnp = true;

	(void)state;
	expect_exit0(in_child(child_mkdir_enotsup, &nnp));
}

static void test_seccomp_errno_privileged(void **state)
{
	bool nnp = false;

	(void)state;
	if (!root)
		skip();  /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN */
	expect_exit0(in_child(child_mkdir_enotsup, &nnp));
}

/* defaultAction ERRNO with defaultErrnoRet: an allow-list without mkdir
 * (the memory, signal and exit calls are there for ASan's _exit). */
static void child_default_errno(void *arg)
{
	struct tspec t;
	struct klsm *l;
	struct kerr err;
	int r, e, fd;

	(void)arg;
	tspec_init(&t);
	t.proc.no_new_privileges = true;
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":18,"
			       "\"syscalls\":[{\"names\":[\"exit_group\",\"exit\",\"write\",\"sigaltstack\","
			       "\"mmap\",\"munmap\",\"mprotect\",\"madvise\",\"rt_sigaction\","
			       "\"rt_sigprocmask\",\"gettid\",\"getpid\",\"futex\",\"sched_yield\","
			       "\"prctl\",\"close\",\"openat\",\"read\",\"fstat\",\"newfstatat\","
			       "\"lseek\",\"prlimit64\",\"clock_gettime\"],"
			       "\"action\":\"SCMP_ACT_ALLOW\"}]}");
	l = prepare(&t);
	/* Not load_filter(): reading /proc/self/status would be refused too. */
	if (lsm_load_seccomp(l, true, &fd, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	r = mkdir("/tmp/kapsel-lsm-never", 0700);
	e = errno;
	_exit(r == -1 && e == EXDEV ? 0 : 3);
}

static void test_seccomp_default_errno(void **state)
{
	(void)state;
	expect_exit0(in_child(child_default_errno, NULL));
}

struct op_case {
	const char *args;               /* the "args" array */
	long fds[3];                    /* close() these... */
	bool denied[3];                 /* ...expecting EXDEV (rule matched) or EBADF */
};

static void child_op(void *arg)
{
	const struct op_case *c = arg;
	cleanup_free char *json = xasprintf(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"close\"],"
		"\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18,\"args\":%s}]}", c->args);
	struct tspec t;

	tspec_init(&t);
	t.proc.no_new_privileges = true;
	t.spec.seccomp = tjson(json);
	load_filter(prepare(&t), true);
	for (int i = 0; i < 3; i++) {
		int r = close((int)c->fds[i]);
		int e = errno;

		if (r != -1 || e != (c->denied[i] ? EXDEV : EBADF)) {
			fprintf(stderr, "# %s: close(%ld) = %d errno %d\n", c->args, c->fds[i], r, e);
			_exit(1);
		}
	}
}

static void test_seccomp_operators(void **state)
{
	static const struct op_case cases[] = {
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_NE\"}]", { 4999, 5000, 5001 },
		  { true, false, true } },
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_LT\"}]", { 4999, 5000, 5001 },
		  { true, false, false } },
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_LE\"}]", { 4999, 5000, 5001 },
		  { true, true, false } },
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_EQ\"}]", { 4999, 5000, 5001 },
		  { false, true, false } },
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_GE\"}]", { 4999, 5000, 5001 },
		  { false, true, true } },
		{ "[{\"index\":0,\"value\":5000,\"op\":\"SCMP_CMP_GT\"}]", { 4999, 5000, 5001 },
		  { false, false, true } },
		/* value is the mask, valueTwo what the masked argument must equal */
		{ "[{\"index\":0,\"value\":65280,\"valueTwo\":4864,\"op\":\"SCMP_CMP_MASKED_EQ\"}]",
		  { 0x1234, 0x1334, 0x13ff }, { false, true, true } },
		/* two conditions on one index: either matches (runc's OR) */
		{ "[{\"index\":0,\"value\":1000,\"op\":\"SCMP_CMP_EQ\"},"
		  "{\"index\":0,\"value\":2000,\"op\":\"SCMP_CMP_EQ\"}]", { 1000, 2000, 3000 },
		  { true, true, false } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_exit0(in_child(child_op, (void *)&cases[i]));
}

/* Conditions on different indexes must all hold (AND). */
static void child_and(void *arg)
{
	struct tspec t;

	(void)arg;
	tspec_init(&t);
	t.proc.no_new_privileges = true;
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
			       "[\"dup2\",\"dup3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18,"
			       "\"args\":[{\"index\":0,\"value\":7000,\"op\":\"SCMP_CMP_EQ\"},"
			       "{\"index\":1,\"value\":7001,\"op\":\"SCMP_CMP_EQ\"}]}]}");
	load_filter(prepare(&t), true);
	CHECK(dup2(7000, 7001) == -1 && errno == EXDEV);
	CHECK(dup2(7000, 7002) == -1 && errno == EBADF);
	CHECK(dup2(7003, 7001) == -1 && errno == EBADF);
}

static void test_seccomp_and(void **state)
{
	(void)state;
	expect_exit0(in_child(child_and, NULL));
}

static void child_kill_process(void *arg)
{
	struct rlimit nocore = { 0, 0 };
	struct tspec t;

	(void)arg;
	setrlimit(RLIMIT_CORE, &nocore);
	tspec_init(&t);
	t.proc.no_new_privileges = true;
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
			       "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}");
	load_filter(prepare(&t), true);
	getppid();
	_exit(4);   /* still alive: the filter did not kill */
}

static void test_seccomp_kill_process(void **state)
{
	int status;

	(void)state;
	status = in_child(child_kill_process, NULL);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("child not killed by SIGSYS (status 0x%x)", status);
}

/* ---- seccomp notify: the test is the agent ---- */

static char agent_dir[] = "/tmp/kapsel-lsm-agent-XXXXXX";

static void child_notify(void *arg)
{
	const char *sock = arg;
	cleanup_free char *json = xasprintf(
		"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"%s\","
		"\"listenerMetadata\":\"MKNOD=/dev/null\",\"syscalls\":[{\"names\":"
		"[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", sock);
	cleanup_free char *state = xasprintf(
		"{\"ociVersion\":\"1.2.0\",\"id\":\"lsm-test\",\"status\":\"creating\","
		"\"pid\":%d,\"bundle\":\"/b\",\"annotations\":{\"k\":\"v\"}}", (int)getpid());
	cleanup_free char *a = xasprintf("%s/denied", agent_dir);
	cleanup_free char *b = xasprintf("%s/continued", agent_dir);
	struct kerr err;
	struct tspec t;
	int fd;

	tspec_init(&t);
	t.proc.no_new_privileges = true;
	t.spec.seccomp = tjson(json);
	fd = load_filter(prepare(&t), true);
	CHECK(fd >= 0);
	if (lsm_send_seccomp_fd(&t.spec, fd, state, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	close(fd);
	/* The agent answers the first with EXDEV, lets the second run. */
	CHECK(mkdir(a, 0700) == -1 && errno == EXDEV);
	CHECK(mkdir(b, 0700) == 0);
}

static bool wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 10000) == 1;
}

/* Receives the agent message: the JSON and the fd. */
static int agent_receive(int conn, json_t **ret_json)
{
	char buf[4096];
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
			      .msg_controllen = sizeof(ctl.b) };
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	assert_true(wait_readable(conn));
	n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
	assert_true(n > 0);
	buf[n] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	*ret_json = json_loads(buf, 0, NULL);
	assert_non_null(*ret_json);
	return fd;
}

static void agent_answer(int fd, bool cont)
{
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	int nr;

	assert_true(wait_readable(fd));
	assert_int_equal(seccomp_notify_alloc(&req, &resp), 0);
	assert_int_equal(seccomp_notify_receive(fd, req), 0);
	nr = req->data.nr;
	assert_true(nr == seccomp_syscall_resolve_name("mkdir") ||
		    nr == seccomp_syscall_resolve_name("mkdirat"));
	resp->id = req->id;
	resp->val = 0;
	resp->error = cont ? 0 : -EXDEV;
	resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	assert_int_equal(seccomp_notify_respond(fd, resp), 0);
	seccomp_notify_free(req, resp);
}

static void test_seccomp_notify(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	cleanup_free char *sock = NULL;
	cleanup_free char *b = NULL;
	int lfd, conn, fd, status;
	json_t *msg, *st;
	struct stat sb;
	pid_t pid;

	(void)state;
	assert_non_null(mkdtemp(agent_dir));
	sock = xasprintf("%s/agent.sock", agent_dir);
	b = xasprintf("%s/continued", agent_dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(lfd, 1), 0);

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		child_notify(sock);
		_exit(0);
	}
	assert_true(wait_readable(lfd));
	conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	fd = agent_receive(conn, &msg);
	close(conn);
	/* runc's specs.ContainerProcessState */
	assert_string_equal(json_string_value(json_object_get(msg, "ociVersion")), "1.2.0");
	assert_string_equal(json_string_value(json_array_get(json_object_get(msg, "fds"), 0)),
			    "seccompFd");
	assert_int_equal(json_array_size(json_object_get(msg, "fds")), 1);
	assert_int_equal(json_integer_value(json_object_get(msg, "pid")), pid);
	assert_string_equal(json_string_value(json_object_get(msg, "metadata")), "MKNOD=/dev/null");
	st = json_object_get(msg, "state");
	assert_string_equal(json_string_value(json_object_get(st, "id")), "lsm-test");
	assert_string_equal(json_string_value(json_object_get(st, "status")), "creating");
	assert_int_equal(json_integer_value(json_object_get(st, "pid")), pid);
	json_decref(msg);

	agent_answer(fd, false);
	agent_answer(fd, true);
	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	expect_exit0(status);
	assert_int_equal(stat(b, &sb), 0);
	rmdir(b);
	unlink(sock);
	close(lfd);
	rmdir(agent_dir);
}

static void test_send_fd_errors(void **state)
{
	struct tspec t;
	struct kerr err;

	(void)state;
	tspec_init(&t);
	t.spec.seccomp = tjson("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
			       "\"listenerPath\":\"/nonexistent/kapsel-agent.sock\"}");
	assert_int_equal(lsm_send_seccomp_fd(&t.spec, 0, "{\"pid\":1}", &err), -1);
	assert_non_null(strstr(err.msg, "connect to the seccomp agent at /nonexistent"));
	tspec_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp_errno_nnp),
		cmocka_unit_test(test_seccomp_errno_privileged),
		cmocka_unit_test(test_seccomp_default_errno),
		cmocka_unit_test(test_seccomp_operators),
		cmocka_unit_test(test_seccomp_and),
		cmocka_unit_test(test_seccomp_kill_process),
		cmocka_unit_test(test_seccomp_notify),
		cmocka_unit_test(test_send_fd_errors),
	};

	root = geteuid() == 0;
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
