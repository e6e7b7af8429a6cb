/* lsm/ against the real kernel, each case in a forked child so filters,
 * capability drops, uid changes and namespaces die with it: seccomp actions
 * and operators, the notify agent hand-off, capabilities across a uid
 * change, sysctls in fresh namespaces, personality/ioprio/scheduler, and
 * AppArmor where the kernel has it. Cases that need root skip without it. */
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

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c)) {                                                        \
			fprintf(stderr, "# child %s:%d: %s (errno %s)\n", __FILE__, \
				__LINE__, #c, strerror(errno));                    \
			_exit(1);                                                  \
		}                                                                  \
	} while (0)

#define CHECK_OK(fn, arg)                                                           \
	do {                                                                        \
		struct kerr e_ = { 0 };                                             \
		if (fn(arg, &e_) < 0) {                                             \
			fprintf(stderr, "# child %s:%d: %s\n", __FILE__, __LINE__, e_.msg); \
			_exit(1);                                                   \
		}                                                                   \
	} while (0)

static bool root;

/* Runs fn in a child; returns its wait status. Children leave with _exit:
 * no atexit handlers (nor LeakSanitizer) run on a copy of the test's heap. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void expect_exit0(int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed (status 0x%x)", status);
}

/* A field of /proc/self/status, e.g. "Seccomp" -> "2". */
static bool status_field(const char *key, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t klen = strlen(key);
	char line[512];
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(out, n, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

static unsigned long long status_hex(const char *key)
{
	char v[64];

	CHECK(status_field(key, v, sizeof(v)));
	return strtoull(v, NULL, 16);
}

static int status_int(const char *key)
{
	char v[64];

	CHECK(status_field(key, v, sizeof(v)));
	return atoi(v);
}

static struct klsm *prepare(struct tspec *t)
{
	struct kerr err;
	struct klsm *l;

	if (lsm_validate(&t->spec, &err) < 0 || lsm_prepare(&t->spec, &t->proc, &l, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	return l;
}

/* Both calls of lsm_load_seccomp, checking the one at the wrong moment is a
 * no-op; returns the notify fd. */
static int load_filter(struct klsm *l, bool nnp)
{
	struct kerr err;
	int fd = 123;

	CHECK(lsm_load_seccomp(l, !nnp, &fd, &err) == 0);
	CHECK(fd == -1 && status_int("Seccomp") == 0);
	if (lsm_load_seccomp(l, nnp, &fd, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	CHECK(status_int("Seccomp") == 2);
	CHECK(status_int("NoNewPrivs") == (nnp ? 1 : 0));
	return fd;
}

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
		cmocka_unit_test(test_seccomp_errno_nnp),
		cmocka_unit_test(test_seccomp_errno_privileged),
		cmocka_unit_test(test_seccomp_default_errno),
		cmocka_unit_test(test_seccomp_operators),
		cmocka_unit_test(test_seccomp_and),
		cmocka_unit_test(test_seccomp_kill_process),
		cmocka_unit_test(test_seccomp_notify),
		cmocka_unit_test(test_send_fd_errors),
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
