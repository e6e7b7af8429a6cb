/* running_in_userns: what `--rootless auto` decides with (rootless podman
 * runs the runtime as uid 0 of its own user namespace). */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

/* Whether this process starts in the initial namespace: the identity map. */
static bool initial_map(void)
{
	unsigned long a, b, c;
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n = f != NULL ? fscanf(f, "%lu %lu %lu", &a, &b, &c) : 0;

	if (f != NULL)
		fclose(f);
	return n == 3 && a == 0 && b == 0 && c == 4294967295UL;
}

static void test_here(void **state)
{
	(void)state;
	assert_int_equal(running_in_userns(), !initial_map());
}

/* A child in a new user namespace (with no map written yet, and after
 * mapping itself) is in one. */
static void test_new_userns(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(77);
		_exit(running_in_userns() ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_here),
		cmocka_unit_test(test_new_userns),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("userns", tests, NULL, NULL);
}
