/* runtime/hooks: real hooks (/bin/sh) recording what they saw into a temp dir. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>
#include <sys/prctl.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/hooks.h"

static char tmpdir[] = "/tmp/kapsel-hooks-XXXXXX";

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static char *slurp(const char *name)
{
	cleanup_free char *p = path_in(name);
	char *buf = NULL;
	struct kerr err;

	if (read_file_at(AT_FDCWD, p, 1 << 20, &buf, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return buf;
}

static void rm(const char *name)
{
	cleanup_free char *p = path_in(name);

	unlink(p);
}

/* A hook object: /bin/sh -c SCRIPT sh TMPDIR, so $1 is the temp dir. */
static json_t *sh_hook(const char *script)
{
	return json_pack("{s:s, s:[s, s, s, s, s]}", "path", "/bin/sh", "args", "sh", "-c", script,
			 "sh", tmpdir);
}

static json_t *hooks_of(const char *kind, json_t *arr)
{
	return json_pack("{s:o}", kind, arr);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_records_stdin_argv_env(void **state)
{
	(void)state;
	const char *script = "cat > \"$1/stdin\"; tr '\\0' '\\n' < /proc/$$/cmdline > \"$1/argv\";"
			     " tr '\\0' '\\n' < /proc/$$/environ > \"$1/env\"";
	json_t *h = json_pack("{s:s, s:[s, s, s, s, s, s], s:[s, s]}", "path", "/bin/sh", "args",
			      "hook-argv0", "-c", script, "sh", tmpdir, "a b", "env", "A=1",
			      "B=two words");
	json_t *hooks = hooks_of("createRuntime", json_pack("[o]", h));
	const char *st = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42}";
	struct kerr err;

	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_RUNTIME, st, 0, &err), 0);
	cleanup_free char *in = slurp("stdin");
	cleanup_free char *argv = slurp("argv");
	cleanup_free char *env = slurp("env");
	cleanup_free char *want_argv = xasprintf("hook-argv0\n-c\n%s\nsh\n%s\na b\n", script, tmpdir);

	assert_string_equal(in, st);
	assert_string_equal(argv, want_argv);
	assert_string_equal(env, "A=1\nB=two words\n");
	json_decref(hooks);
}

/* Without args/env: argv = { path }, environment = the runtime's (runc). */
static void test_script_defaults(void **state)
{
	(void)state;
	cleanup_free char *script = path_in("hook.sh");
	cleanup_free char *body = xasprintf("#!/bin/sh\necho \"$0 $#\" > %s/argv\n"
					    "echo \"$KAPSEL_HOOK_TEST\" > %s/env\n", tmpdir, tmpdir);
	struct kerr err;

	assert_int_equal(write_file_atomic_at(AT_FDCWD, script, body, strlen(body), 0755, &err), 0);
	setenv("KAPSEL_HOOK_TEST", "inherited", 1);
	json_t *hooks = hooks_of("poststart", json_pack("[{s:s}]", "path", script));

	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, NULL, 0, &err), 0);
	cleanup_free char *argv = slurp("argv");
	cleanup_free char *env = slurp("env");
	cleanup_free char *want = xasprintf("%s 0\n", script);

	assert_string_equal(argv, want);
	assert_string_equal(env, "inherited\n");
	unsetenv("KAPSEL_HOOK_TEST");
	json_decref(hooks);
}

static void test_order(void **state)
{
	(void)state;
	json_t *arr = json_array();
	struct kerr err;

	rm("order");
	for (int i = 0; i < 4; i++) {
		cleanup_free char *s = xasprintf("echo %d >> \"$1/order\"", i);

		json_array_append_new(arr, sh_hook(s));
	}
	json_t *hooks = hooks_of("prestart", arr);

	assert_int_equal(hooks_run(hooks, KHOOK_PRESTART, "{}", 0, &err), 0);
	cleanup_free char *got = slurp("order");

	assert_string_equal(got, "0\n1\n2\n3\n");
	/* Another kind is not run. */
	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, "{}", 0, &err), 0);
	cleanup_free char *again = slurp("order");

	assert_string_equal(again, "0\n1\n2\n3\n");
	json_decref(hooks);
}

static void test_failure_stops(void **state)
{
	(void)state;
	struct kerr err;
	json_t *hooks;

	json_t *first = sh_hook("true");

	/* An absurd timeout is just a long one (no overflow, UBSan checks). */
	json_object_set_new(first, "timeout", json_integer(INT64_MAX));
	rm("after");
	hooks = hooks_of("createRuntime",
			 json_pack("[o, o, o]", first,
				   sh_hook("echo; echo 'it broke' >&2; echo more; exit 3"),
				   sh_hook("touch \"$1/after\"")));
	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_RUNTIME, "{}", 0, &err), -1);
	assert_string_equal(err.msg, "hook createRuntime[1] /bin/sh: exited with status 3: it broke");
	cleanup_free char *after = path_in("after");

	assert_int_equal(access(after, F_OK), -1);
	json_decref(hooks);
}

/* runtime.md: a failing poststop hook is a warning; the rest still run. */
static void test_poststop_continues(void **state)
{
	(void)state;
	struct kerr err;
	json_t *hooks;

	rm("after");
	hooks = hooks_of("poststop", json_pack("[o, o, o]", sh_hook("exit 4"), sh_hook("exit 5"),
					       sh_hook("touch \"$1/after\"")));
	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTOP, "{}", 0, &err), -1);
	assert_string_equal(err.msg, "hook poststop[0] /bin/sh: exited with status 4");
	cleanup_free char *after = path_in("after");

	assert_int_equal(access(after, F_OK), 0);
	json_decref(hooks);
}

static void test_killed_and_exec_fail(void **state)
{
	(void)state;
	struct kerr err;
	json_t *hooks = hooks_of("poststart", json_pack("[o]", sh_hook("kill -9 $$")));

	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, "{}", 0, &err), -1);
	assert_string_equal(err.msg, "hook poststart[0] /bin/sh: killed by signal 9 (Killed)");
	json_decref(hooks);

	hooks = hooks_of("poststart", json_pack("[{s:s}]", "path", "/nonexistent/hook"));
	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, "{}", 0, &err), -1);
	assert_string_equal(err.msg,
			    "hook poststart[0] /nonexistent/hook: exec: No such file or directory");
	assert_int_equal(err.code, ENOENT);
	json_decref(hooks);
}

static bool pid_gone(pid_t pid)
{
	char p[64], *buf = NULL;
	struct kerr err;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (read_file_at(AT_FDCWD, p, 4096, &buf, NULL, &err) < 0)
		return true;
	char *rp = strrchr(buf, ')');
	bool zombie = rp != NULL && rp[1] == ' ' && rp[2] == 'Z';

	free(buf);
	return zombie;
}

/* The timeout kills the hook's whole process group, its children too. */
static void test_timeout_kills_group(void **state)
{
	(void)state;
	struct kerr err;
	json_t *h = sh_hook("sleep 100 & echo $! > \"$1/bgpid\"; sleep 100");

	json_object_set_new(h, "timeout", json_integer(1));
	rm("bgpid");
	json_t *hooks = hooks_of("createContainer", json_pack("[o]", h));
	int64_t t0 = now_ms();

	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_CONTAINER, "{}", 0, &err), -1);
	int64_t took = now_ms() - t0;

	assert_string_equal(err.msg, "hook createContainer[0] /bin/sh: timed out after 1 s");
	assert_int_equal(err.code, ETIMEDOUT);
	assert_true(took >= 900 && took < 2500);

	cleanup_free char *bg = slurp("bgpid");
	int64_t pid;

	assert_true(parse_i64(strtok(bg, "\n"), &pid));
	/* The background sleep was reparented; give init a moment to reap it. */
	for (int i = 0; i < 100 && !pid_gone((pid_t)pid); i++)
		usleep(10000);
	assert_true(pid_gone((pid_t)pid));
	json_decref(hooks);
}

/* A hook that never reads a state bigger than a pipe must not hang us. */
static void test_unread_big_stdin(void **state)
{
	(void)state;
	size_t n = 4 << 20;
	cleanup_free char *big = xmalloc(n + 1);
	struct kerr err;

	memset(big, 'x', n);
	big[n] = '\0';
	json_t *hooks = hooks_of("poststart", json_pack("[o, o]", sh_hook("sleep 0.2"),
							sh_hook("exit 0")));
	int64_t t0 = now_ms();

	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, big, 0, &err), 0);
	assert_true(now_ms() - t0 < 3000);
	json_decref(hooks);

	/* And one that does read it all gets every byte. */
	hooks = hooks_of("poststart", json_pack("[o]", sh_hook("wc -c > \"$1/count\"")));
	assert_int_equal(hooks_run(hooks, KHOOK_POSTSTART, big, 0, &err), 0);
	cleanup_free char *count = slurp("count");

	assert_int_equal(strtoul(count, NULL, 10), n);
	json_decref(hooks);
}

static void test_no_fd_leak(void **state)
{
	(void)state;
	struct kerr err;
	int leak = open("/dev/null", O_RDONLY);   /* deliberately without O_CLOEXEC */
	int leak2 = dup(leak);

	assert_true(leak >= 3 && leak2 >= 3);
	json_t *hooks = hooks_of("createRuntime",
				 json_pack("[o]", sh_hook("exec ls /proc/self/fd > \"$1/fds\"")));

	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_RUNTIME, "{}", 0, &err), 0);
	cleanup_free char *fds = slurp("fds");

	/* 3 is ls's own handle on /proc/self/fd. */
	assert_string_equal(fds, "0\n1\n2\n3\n");
	close(leak);
	close(leak2);
	json_decref(hooks);
}

/* A process in new uts, mnt and pid namespaces (pid 1 there) that waits for
 * the test to close *ret_hold. */
static pid_t spawn_ns_target(int *ret_hold, pid_t *ret_outer)
{
	int ready[2], pids[2], hold[2];
	pid_t outer, target = 0;
	char c;

	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	assert_int_equal(pipe2(pids, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	outer = fork();
	assert_true(outer >= 0);
	if (outer == 0) {
		close(hold[1]);
		if (unshare(CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWPID) < 0)
			_exit(1);
		pid_t inner = fork();

		if (inner == 0) {
			if (sethostname("inner", 5) < 0)
				_exit(1);
			(void)!write(ready[1], "x", 1);
			(void)!read(hold[0], &c, 1);
			_exit(0);
		}
		(void)!write(pids[1], &inner, sizeof(inner));
		waitpid(inner, NULL, 0);
		_exit(0);
	}
	close(ready[1]);
	close(pids[1]);
	close(hold[0]);
	assert_int_equal(read(pids[0], &target, sizeof(target)), sizeof(target));
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(pids[0]);
	*ret_hold = hold[1];
	*ret_outer = outer;
	return target;
}

static void test_ns_pid(void **state)
{
	(void)state;
	struct kerr err;
	int hold;
	pid_t outer;

	if (geteuid() != 0)
		skip();   /* new uts/mnt/pid namespaces need CAP_SYS_ADMIN */
	pid_t target = spawn_ns_target(&hold, &outer);
	char p[64], want_mnt[128] = "", want_pid[128] = "";

	snprintf(p, sizeof(p), "/proc/%d/ns/mnt", (int)target);
	assert_true(readlink(p, want_mnt, sizeof(want_mnt) - 1) > 0);
	snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)target);
	assert_true(readlink(p, want_pid, sizeof(want_pid) - 1) > 0);

	json_t *hooks = hooks_of("createContainer",
				 json_pack("[o]", sh_hook("{ uname -n; readlink /proc/self/ns/mnt;"
							  " readlink /proc/self/ns/pid; echo $$; }"
							  " > \"$1/ns\"")));

	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_CONTAINER, "{}", target, &err), 0);
	cleanup_free char *got = slurp("ns");
	char host[256];
	/* The hook's shell is the second process of that pid namespace. */
	cleanup_free char *want = xasprintf("inner\n%s\n%s\n2\n", want_mnt, want_pid);

	assert_string_equal(got, want);
	/* ns_pid 0: the runtime's own namespaces. */
	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_CONTAINER, "{}", 0, &err), 0);
	cleanup_free char *got0 = slurp("ns");

	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_true(strncmp(got0, host, strlen(host)) == 0);
	assert_null(strstr(got0, want_mnt));

	/* A failing hook in the namespaces reports its status like any other. */
	json_decref(hooks);
	hooks = hooks_of("createContainer", json_pack("[o]", sh_hook("exit 7")));
	assert_int_equal(hooks_run(hooks, KHOOK_CREATE_CONTAINER, "{}", target, &err), -1);
	assert_string_equal(err.msg, "hook createContainer[0] /bin/sh: exited with status 7");

	close(hold);
	waitpid(outer, NULL, 0);
	json_decref(hooks);
}

/* In a child whose seccomp filter refuses pidfd_open (as a container's may,
 * for startContainer hooks): exit status, timeout and stdin still work. */
static int run_without_pidfd(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct kerr err;
	int64_t t0;

	if (ctx == NULL || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
		return 2;
	if (sys_pidfd_open(getpid(), 0) >= 0 || errno != ENOSYS)
		return 3;
	json_t *fail3 = hooks_of("startContainer", json_pack("[o]", sh_hook("exit 3")));
	json_t *slow = sh_hook("sleep 100");

	json_object_set_new(slow, "timeout", json_integer(1));
	json_t *tmo = hooks_of("startContainer", json_pack("[o]", slow));
	json_t *rd = hooks_of("startContainer", json_pack("[o]", sh_hook("cat > \"$1/nopidfd\"")));

	if (hooks_run(fail3, KHOOK_START_CONTAINER, "{}", 0, &err) != -1 ||
	    strcmp(err.msg, "hook startContainer[0] /bin/sh: exited with status 3") != 0)
		return fprintf(stderr, "exit: %s\n", err.msg), 4;
	t0 = now_ms();
	if (hooks_run(tmo, KHOOK_START_CONTAINER, "{}", 0, &err) != -1 ||
	    strcmp(err.msg, "hook startContainer[0] /bin/sh: timed out after 1 s") != 0 ||
	    now_ms() - t0 > 2500)
		return fprintf(stderr, "timeout: %s\n", err.msg), 5;
	if (hooks_run(rd, KHOOK_START_CONTAINER, "{\"x\":1}", 0, &err) != 0)
		return fprintf(stderr, "stdin: %s\n", err.msg), 6;
	return 0;
}

static void test_without_pidfd(void **state)
{
	(void)state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(run_without_pidfd());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cleanup_free char *got = slurp("nopidfd");

	assert_string_equal(got, "{\"x\":1}");
}

static void test_validate(void **state)
{
	(void)state;
	struct kerr err;
	json_t *ok = json_pack("{s:[{s:s, s:[s], s:[s], s:i}], s:[]}", "createRuntime", "path", "/x",
			       "args", "x", "env", "A=1", "timeout", 3, "poststop");

	assert_int_equal(hooks_validate(ok, &err), 0);
	assert_int_equal(hooks_validate(NULL, &err), 0);
	json_decref(ok);

	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "[]", "hooks: must be an object" },
		{ "{\"prestart\": {}}", "hooks.prestart: must be an array" },
		{ "{\"poststart\": [{\"path\": \"x\"}]}",
		  "hooks.poststart[0].path: must be an absolute path" },
		{ "{\"poststop\": [{\"path\": \"/x\"}, {}]}",
		  "hooks.poststop[1].path: must be an absolute path" },
		{ "{\"createRuntime\": [{\"path\": \"/x\", \"args\": [1]}]}",
		  "hooks.createRuntime[0].args[0]: must be a string" },
		{ "{\"createContainer\": [{\"path\": \"/x\", \"env\": \"A=1\"}]}",
		  "hooks.createContainer[0].env: must be an array of strings" },
		{ "{\"startContainer\": [{\"path\": \"/x\", \"timeout\": 0}]}",
		  "hooks.startContainer[0].timeout: must be an integer > 0" },
		{ "{\"startContainer\": [1]}", "hooks.startContainer[0]: must be an object" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *j = json_loads(bad[i].json, 0, NULL);

		assert_non_null(j);
		assert_int_equal(hooks_validate(j, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
		json_decref(j);
	}
	assert_string_equal(khook_name(KHOOK_START_CONTAINER), "startContainer");
	assert_string_equal(khook_name(KHOOK_CREATE_RUNTIME), "createRuntime");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_stdin_argv_env),
		cmocka_unit_test(test_script_defaults),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_failure_stops),
		cmocka_unit_test(test_poststop_continues),
		cmocka_unit_test(test_killed_and_exec_fail),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_unread_big_stdin),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_ns_pid),
		cmocka_unit_test(test_without_pidfd),
		cmocka_unit_test(test_validate),
	};
	int ret;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	struct kerr err;

	rm_rf_at(AT_FDCWD, tmpdir, &err);
	return ret;
}
