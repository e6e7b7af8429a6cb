/* common/inroot: resolution inside a root in a temp tree full of hostile
 * symlinks. Runs twice: with openat2, and in a child where a seccomp filter
 * makes openat2 fail with ENOSYS so the user-space walk is exercised too. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "common/inroot.h"
#include "common/util.h"

static char tmpdir[] = "/tmp/kapsel-inroot-XXXXXX";
static int rootfd = -1;
static bool without_openat2;

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static bool exists(const char *rel)
{
	cleanup_free char *p = tpath(rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

static bool is_dir(const char *rel)
{
	cleanup_free char *p = tpath(rel);
	struct stat st;

	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_reg(const char *rel)
{
	cleanup_free char *p = tpath(rel);
	struct stat st;

	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* outside/ holds exactly one file, "keep": nothing may be added there */
static void assert_outside_untouched(void)
{
	cleanup_free char *p = tpath("outside");
	DIR *d = opendir(p);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			assert_string_equal(e->d_name, "keep");
			n++;
		}
	closedir(d);
	assert_int_equal(n, 1);
}

/* The fd's path, as the kernel sees it, lies below tmpdir/root. */
static void assert_fd_inside(int fd)
{
	char proc[64], buf[PATH_MAX];
	cleanup_free char *root = tpath("root");
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_memory_equal(buf, root, strlen(root));
	assert_true(buf[strlen(root)] == '/' || buf[strlen(root)] == '\0');
}

static void mk(const char *rel)
{
	cleanup_free char *p = tpath(rel);

	assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *target, const char *rel)
{
	cleanup_free char *p = tpath(rel);

	assert_int_equal(symlink(target, p), 0);
}

static void touch(const char *rel)
{
	cleanup_free char *p = tpath(rel);
	int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

static int setup(void **state)
{
	cleanup_free char *outside = NULL, *root = NULL;

	(void)state;
	strcpy(tmpdir, "/tmp/kapsel-inroot-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	outside = tpath("outside");
	mk("outside");
	touch("outside/keep");
	mk("root");
	mk("root/dir");
	touch("root/file");
	ln(outside, "root/abs");                 /* absolute, to the real outside */
	ln("/etc", "root/etc_link");             /* absolute, to the host's /etc */
	ln("../../..", "root/up");               /* a ".." chain */
	ln("../../outside", "root/dir/mid");     /* a symlink in the middle */
	ln("/proc/self/root", "root/proc_root"); /* to the magic link */
	ln("loop2", "root/loop1");
	ln("loop1", "root/loop2");
	ln("/nonexistent/deep", "root/dangling");
	root = tpath("root");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct kerr err;

	(void)state;
	close(rootfd);
	rootfd = -1;
	return rm_rf_at(AT_FDCWD, tmpdir, &err);
}

static void test_mkdir_abs_symlink(void **state)
{
	cleanup_free char *inside = NULL;
	struct kerr err;
	int fd = -1;

	(void)state;
	assert_int_equal(inroot_mkdir_p(rootfd, "/abs/new/sub", 0755, &fd, &err), 0);
	assert_fd_inside(fd);
	close(fd);
	/* the symlink's target was taken as a path inside the root */
	inside = xasprintf("root%s/outside/new/sub", tmpdir);
	assert_true(is_dir(inside));
	assert_outside_untouched();
}

static void test_mkdir_dotdot_chain(void **state)
{
	struct kerr err;
	int fd = -1;

	(void)state;
	assert_int_equal(inroot_mkdir_p(rootfd, "up/x/../x2", 0755, &fd, &err), 0);
	assert_fd_inside(fd);
	close(fd);
	assert_true(is_dir("root/x"));
	assert_true(is_dir("root/x2"));
	assert_false(exists("x"));
	assert_false(exists("x2"));
}

static void test_mkdir_middle_symlink(void **state)
{
	struct kerr err;
	int fd = -1;

	(void)state;
	assert_int_equal(inroot_mkdir_p(rootfd, "dir/mid/y", 0755, &fd, &err), 0);
	assert_fd_inside(fd);
	close(fd);
	assert_true(is_dir("root/outside/y"));
	assert_false(exists("outside/y"));
	assert_outside_untouched();
}

static void test_mkdir_proc_self_root(void **state)
{
	struct kerr err;
	int fd = -1;

	(void)state;
	/* inside this root /proc/self/root is just a missing path */
	assert_int_equal(inroot_mkdir_p(rootfd, "proc_root/z", 0755, &fd, &err), 0);
	assert_fd_inside(fd);
	close(fd);
	assert_true(is_dir("root/proc/self/root/z"));
}

static void test_mkdir_dangling(void **state)
{
	struct kerr err;

	(void)state;
	assert_int_equal(inroot_mkdir_p(rootfd, "dangling/more", 0755, NULL, &err), 0);
	assert_true(is_dir("root/nonexistent/deep/more"));
	assert_false(exists("../nonexistent"));
}

static void test_open_host_etc_not_reached(void **state)
{
	struct kerr err;

	(void)state;
	assert_int_equal(inroot_open(rootfd, "etc_link/passwd", O_RDONLY, &err), -1);
	assert_int_equal(err.code, ENOENT);
}

static void test_open_clamped_dotdot(void **state)
{
	cleanup_free char *p = tpath("root/file");
	struct stat a, b;
	struct kerr err;
	int fd;

	(void)state;
	fd = inroot_open(rootfd, "up/../../dir/../file", O_RDONLY, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	close(fd);
}

static void test_loop(void **state)
{
	struct kerr err;

	(void)state;
	assert_int_equal(inroot_open(rootfd, "loop1", O_RDONLY, &err), -1);
	assert_int_equal(err.code, ELOOP);
	assert_int_equal(inroot_mkdir_p(rootfd, "loop1/a", 0755, NULL, &err), -1);
}

static void test_magic_link_refused(void **state)
{
	int hostroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct kerr err;
	int fd;

	(void)state;
	assert_true(hostroot >= 0);
	/* from a real root with /proc: /proc/self/root is a magic link */
	fd = inroot_open(hostroot, "/proc/self/root/etc", O_PATH, &err);
	if (without_openat2) {
		/* the user-space walk reads the link as "/", inside this root:
		 * nothing escapes, though the kernel's walk would refuse */
		assert_true(fd >= 0);
		close(fd);
	} else {
		assert_int_equal(fd, -1);
		assert_int_equal(err.code, ELOOP);
	}
	close(hostroot);
}

static mode_t current_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static void test_create_file(void **state)
{
	struct kerr err;
	struct stat st;
	int fd = -1;

	(void)state;
	assert_int_equal(inroot_create_file(rootfd, "dir/mid/newdir/newfile", 0600, &fd, &err), 0);
	assert_fd_inside(fd);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	assert_true(is_reg("root/outside/newdir/newfile"));
	/* the directory on the way got 0755, not the file's 0600 */
	{
		cleanup_free char *d = tpath("root/outside/newdir");
		struct stat ds;

		assert_int_equal(stat(d, &ds), 0);
		assert_int_equal(ds.st_mode & 07777, 0755 & ~current_umask());
	}
	assert_outside_untouched();
	/* an existing file is kept, not refused */
	assert_int_equal(inroot_create_file(rootfd, "file", 0644, NULL, &err), 0);
	/* a file in the middle of a path */
	assert_int_equal(inroot_mkdir_p(rootfd, "file/sub", 0755, NULL, &err), -1);
	assert_int_equal(err.code, ENOTDIR);
}

static void test_check_beneath(void **state)
{
	int hostroot = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct kerr err;

	(void)state;
	assert_int_equal(inroot_check_beneath(rootfd, rootfd, &err), 0);
	assert_int_equal(inroot_check_beneath(rootfd, hostroot, &err), -1);
	assert_int_equal(err.code, EXDEV);
	close(hostroot);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_mkdir_abs_symlink, setup, teardown),
	cmocka_unit_test_setup_teardown(test_mkdir_dotdot_chain, setup, teardown),
	cmocka_unit_test_setup_teardown(test_mkdir_middle_symlink, setup, teardown),
	cmocka_unit_test_setup_teardown(test_mkdir_proc_self_root, setup, teardown),
	cmocka_unit_test_setup_teardown(test_mkdir_dangling, setup, teardown),
	cmocka_unit_test_setup_teardown(test_open_host_etc_not_reached, setup, teardown),
	cmocka_unit_test_setup_teardown(test_open_clamped_dotdot, setup, teardown),
	cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
	cmocka_unit_test_setup_teardown(test_magic_link_refused, setup, teardown),
	cmocka_unit_test_setup_teardown(test_create_file, setup, teardown),
	cmocka_unit_test_setup_teardown(test_check_beneath, setup, teardown),
};

/* The same tests where openat2 does not exist (kernels < 5.6). */
static int run_without_openat2(void)
{
	scmp_filter_ctx ctx;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return 1;
	if (pid == 0) {
		without_openat2 = true;
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (ctx == NULL ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(99);
		seccomp_release(ctx);
		_exit(cmocka_run_group_tests_name("inroot without openat2", tests, NULL, NULL)
		      ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}

int main(void)
{
	int r;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	r = cmocka_run_group_tests_name("inroot", tests, NULL, NULL);
	return (r != 0) | run_without_openat2();
}
