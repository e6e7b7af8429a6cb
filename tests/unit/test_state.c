/* The state store, container ids and signal names. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/kapsel-test-state-XXXXXX");
	return mkdtemp(root) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_rf_at(AT_FDCWD, root, NULL);
}

static void test_ids(void **state)
{
	char long_id[1100];

	(void)state;
	assert_true(runtime_id_valid("abc"));
	assert_true(runtime_id_valid("a.b_c+d-9"));
	assert_true(runtime_id_valid("0"));
	assert_false(runtime_id_valid(""));
	assert_false(runtime_id_valid(NULL));
	assert_false(runtime_id_valid("/"));
	assert_false(runtime_id_valid(".."));
	assert_false(runtime_id_valid("."));
	assert_false(runtime_id_valid("a/b"));
	assert_false(runtime_id_valid("-a"));
	assert_false(runtime_id_valid("a b"));
	assert_false(runtime_id_valid("a\n"));
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_false(runtime_id_valid(long_id));
	long_id[1024] = '\0';
	assert_true(runtime_id_valid(long_id));
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(runtime_parse_signal("KILL"), SIGKILL);
	assert_int_equal(runtime_parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(runtime_parse_signal("kill"), SIGKILL);
	assert_int_equal(runtime_parse_signal("9"), 9);
	assert_int_equal(runtime_parse_signal("TERM"), SIGTERM);
	assert_int_equal(runtime_parse_signal("SIGUSR1"), SIGUSR1);
	assert_int_equal(runtime_parse_signal("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(runtime_parse_signal("0"), -1);
	assert_int_equal(runtime_parse_signal("65"), -1);
	assert_int_equal(runtime_parse_signal("FOO"), -1);
	assert_int_equal(runtime_parse_signal(""), -1);
	assert_int_equal(runtime_parse_signal("9x"), -1);
}

static void test_new_save_open(void **state)
{
	struct kcontainer *c = NULL, *d = NULL;
	struct kerr err = { 0 };
	struct stat sb;
	char path[128];

	(void)state;
	assert_int_equal(container_new(root, "c1", &c, &err), 0);
	c->st.bundle = xstrdup("/b");
	c->st.created = xstrdup("2026-01-01T00:00:00.000000000Z");
	c->st.pid = 1234;
	c->st.start_time = 99;
	c->st.owner = 7;
	c->st.cgroup_path = xstrdup("/kapsel/c1");
	c->st.creating = false;
	c->st.annotations = json_pack("{s:s}", "k", "v");
	assert_int_equal(container_save(c, &err), 0);
	/* Atomic write: no temporary file is left behind. */
	snprintf(path, sizeof(path), "%s/c1/state.json.tmp.%d", root, (int)getpid());
	assert_int_equal(stat(path, &sb), -1);
	container_close(c);

	assert_int_equal(container_new(root, "c1", &d, &err), -1);
	assert_non_null(strstr(err.msg, "already exists"));

	assert_int_equal(container_open(root, "c1", &c, &err), 0);
	assert_string_equal(c->st.bundle, "/b");
	assert_int_equal(c->st.pid, 1234);
	assert_int_equal(c->st.start_time, 99);
	assert_int_equal(c->st.owner, 7);
	assert_string_equal(c->st.cgroup_path, "/kapsel/c1");
	assert_false(c->st.creating);
	assert_string_equal(json_string_value(json_object_get(c->st.annotations, "k")), "v");
	assert_int_equal(container_remove(c, &err), 0);
	snprintf(path, sizeof(path), "%s/c1", root);
	assert_int_equal(stat(path, &sb), -1);

	assert_int_equal(container_open(root, "c1", &c, &err), -1);
	assert_non_null(strstr(err.msg, "c1 does not exist"));
}

static void test_status(void **state)
{
	struct kcontainer *c = NULL;
	struct kerr err = { 0 };
	json_t *st;

	(void)state;
	assert_int_equal(container_new(root, "s1", &c, &err), 0);
	c->st.bundle = xstrdup("/b");
	/* "creating" read by anyone but its creator: the creator is gone. No
	 * process (yet): a half-made container, stopped; its live init: creating. */
	assert_int_equal(container_status(c), KSTATUS_STOPPED);
	c->st.pid = getpid();
	c->st.start_time = proc_start_time(getpid());
	assert_true(c->st.start_time > 0);
	assert_int_equal(container_status(c), KSTATUS_CREATING);
	c->st.creating = false;
	c->st.pid = 0;
	assert_int_equal(container_status(c), KSTATUS_STOPPED);
	/* A live process with the recorded start time and a fifo: created. */
	c->st.pid = getpid();
	assert_int_equal(mkfifoat(c->dirfd, EXEC_FIFO_NAME, 0600), 0);
	assert_int_equal(container_status(c), KSTATUS_CREATED);
	assert_int_equal(unlinkat(c->dirfd, EXEC_FIFO_NAME, 0), 0);
	assert_int_equal(container_status(c), KSTATUS_RUNNING);
	st = container_state_json(c);
	assert_string_equal(json_string_value(json_object_get(st, "status")), "running");
	assert_string_equal(json_string_value(json_object_get(st, "id")), "s1");
	assert_string_equal(json_string_value(json_object_get(st, "bundle")), "/b");
	assert_int_equal(json_integer_value(json_object_get(st, "pid")), getpid());
	assert_non_null(json_object_get(st, "ociVersion"));
	json_decref(st);
	/* The same pid with another start time is a recycled pid: stopped. */
	c->st.start_time += 1;
	assert_int_equal(container_status(c), KSTATUS_STOPPED);
	container_remove(c, &err);
}

/* Only ROOT/ID (whole) or nothing: no .new~/.gone~ directory is left by a
 * create or a delete that finishes; state_sweep removes those of one killed
 * halfway, but never one a live command still holds. */
static void test_sweep(void **state)
{
	struct kcontainer *c = NULL;
	struct kerr err = { 0 };
	char path[256];
	struct stat sb;
	int held;
	char **ids = NULL;

	(void)state;
	assert_int_equal(container_new(root, "w1", &c, &err), 0);
	assert_int_equal(container_remove(c, &err), 0);
	assert_int_equal(state_list_ids(root, &ids, &err), 0);
	assert_null(ids[0]);
	strv_free(ids);
	snprintf(path, sizeof(path), "%s/.new~w1~abc", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.gone~w1~1.0", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.gone~w1~1.0/state.json", root);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, "{}", 2, 0600, &err), 0);
	/* Another id's, and one still held by a live command: kept. */
	snprintf(path, sizeof(path), "%s/.new~w10~abc", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/.new~w1~held", root);
	assert_int_equal(mkdir(path, 0700), 0);
	held = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	if (fork() == 0) {
		state_sweep(root, "w1");
		_exit(0);
	}
	wait(NULL);
	snprintf(path, sizeof(path), "%s/.new~w1~abc", root);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/.gone~w1~1.0", root);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/.new~w10~abc", root);
	assert_int_equal(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/.new~w1~held", root);
	assert_int_equal(stat(path, &sb), 0);
	close(held);
	state_sweep(root, "w1");
	assert_int_equal(stat(path, &sb), -1);
	/* Without an id (what `list` does): every id's. */
	state_sweep(root, NULL);
	snprintf(path, sizeof(path), "%s/.new~w10~abc", root);
	assert_int_equal(stat(path, &sb), -1);
}

static void test_zombie_is_stopped(void **state)
{
	pid_t child = fork();

	(void)state;
	if (child == 0)
		_exit(0);
	/* Give it time to exit; it stays a zombie until we reap it. */
	for (int i = 0; i < 200; i++) {
		char path[64], buf[256];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)child);
		f = fopen(path, "r");
		if (f != NULL && fgets(buf, sizeof(buf), f) != NULL && strstr(buf, ") Z ") != NULL) {
			fclose(f);
			break;
		}
		if (f != NULL)
			fclose(f);
		usleep(5000);
	}
	assert_int_equal(proc_start_time(child), 0);
	waitpid(child, NULL, 0);
}

/* A second opener blocks while the first holds the container. */
static void test_lock(void **state)
{
	struct kcontainer *c = NULL;
	struct kerr err = { 0 };
	int p[2];
	pid_t child;
	struct pollfd pfd;
	char byte;
	int status;

	(void)state;
	assert_int_equal(container_new(root, "l1", &c, &err), 0);
	c->st.bundle = xstrdup("/b");
	assert_int_equal(container_save(c, &err), 0);
	assert_int_equal(pipe(p), 0);
	child = fork();
	if (child == 0) {
		struct kcontainer *d = NULL;

		/* The flock belongs to the open file description: our inherited
		 * copy of the parent's fd would keep holding it. */
		close(c->dirfd);
		close(p[0]);
		if (container_open(root, "l1", &d, NULL) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		container_close(d);
		_exit(0);
	}
	close(p[1]);
	pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 300), 0);   /* still blocked */
	container_close(c);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(read(p[0], &byte, 1), 1);
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[0]);
	assert_int_equal(container_open(root, "l1", &c, &err), 0);
	container_remove(c, &err);
}

static void test_list(void **state)
{
	const char *ids[] = { "b", "a", "c" };
	char **list = NULL;
	struct kerr err = { 0 };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct kcontainer *c = NULL;

		assert_int_equal(container_new(root, ids[i], &c, &err), 0);
		container_close(c);
	}
	assert_int_equal(state_list_ids(root, &list, &err), 0);
	assert_int_equal(strv_len(list), 3);
	assert_string_equal(list[0], "a");
	assert_string_equal(list[1], "b");
	assert_string_equal(list[2], "c");
	strv_free(list);
	assert_int_equal(state_list_ids("/nonexistent-kapsel-root", &list, &err), 0);
	assert_int_equal(strv_len(list), 0);
	strv_free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_signals),
		cmocka_unit_test_setup_teardown(test_new_save_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test(test_zombie_is_stopped),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
