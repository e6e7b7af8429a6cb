/* runtime/terminal: real ptys; an openpty() pair stands in for the user's
 * terminal, and the relay is driven through its step API by a loop shaped
 * like runtime/foreground.c's (SIGWINCH from a signalfd, exit from a pidfd). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/terminal.h"

static char tmpdir[] = "/tmp/kapsel-tty-XXXXXX";

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

static void test_open_pty_and_size(void **state)
{
	(void)state;
	struct winsize ws = { 0 };
	struct kerr err;
	int master = -1, slave = -1;
	unsigned int n;
	char link[64] = "", want[64], proc[64];

	assert_int_equal(tty_open_pty(&master, &slave, &err), 0);
	assert_true(isatty(slave));
	assert_true(cloexec(master) && cloexec(slave));
	/* The slave is the master's peer: /dev/pts/N with N from the master. */
	assert_int_equal(ioctl(master, TIOCGPTN, &n), 0);
	snprintf(want, sizeof(want), "/dev/pts/%u", n);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", slave);
	assert_true(readlink(proc, link, sizeof(link) - 1) > 0);
	assert_string_equal(link, want);

	assert_int_equal(tty_set_size(master, 37, 113, &err), 0);
	assert_int_equal(ioctl(slave, TIOCGWINSZ, &ws), 0);
	assert_int_equal(ws.ws_row, 37);
	assert_int_equal(ws.ws_col, 113);
	assert_int_equal(tty_set_size(master, 70000, 1, &err), -1);

	/* Bytes go through: slave -> master. */
	assert_int_equal(write(slave, "ping", 4), 4);
	char buf[16] = "";

	assert_int_equal(read(master, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "ping", 4);
	close(master);
	close(slave);
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 1), 0);
	return s;
}

/* Receives one fd the way runc's recvtty does; *ret_name gets the payload. */
static int recv_master(int lsock, char *name, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = len - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	int c = accept4(lsock, NULL, NULL, SOCK_CLOEXEC), fd;
	ssize_t n;

	assert_true(c >= 0);
	n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
	assert_true(n > 0);
	name[n] = '\0';
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	assert_non_null(cm);
	assert_int_equal(cm->cmsg_level, SOL_SOCKET);
	assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
	assert_int_equal(cm->cmsg_len, CMSG_LEN(sizeof(int)));
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(c);
	return fd;
}

/* What create/exec do with --console-socket: connect, then the container
 * process sends the master over the connection. */
static int send_master(const char *path, int master, struct kerr *err)
{
	int sock = tty_console_connect(path, err), ret;

	if (sock < 0)
		return -1;
	assert_true(cloexec(sock));
	ret = tty_send_master_fd(sock, master, err);
	close(sock);
	return ret;
}

static void send_and_check(const char *sock_path, const char *listen_path)
{
	struct kerr err;
	int master, slave, got, lsock = listen_at(listen_path);
	unsigned int n1, n2;
	char name[4096];

	assert_int_equal(tty_open_pty(&master, &slave, &err), 0);
	assert_int_equal(send_master(sock_path, master, &err), 0);
	got = recv_master(lsock, name, sizeof(name));
	assert_string_equal(name, "/dev/ptmx");
	/* The same pty, and usable: what the slave writes arrives on it. */
	assert_int_equal(ioctl(master, TIOCGPTN, &n1), 0);
	assert_int_equal(ioctl(got, TIOCGPTN, &n2), 0);
	assert_int_equal(n1, n2);
	close(master);
	assert_int_equal(write(slave, "pong", 4), 4);
	char buf[16] = "";

	assert_int_equal(read(got, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "pong", 4);
	close(got);
	close(slave);
	close(lsock);
	unlink(listen_path);
}

static void test_send_master(void **state)
{
	(void)state;
	cleanup_free char *path = xasprintf("%s/console.sock", tmpdir);
	struct kerr err;

	send_and_check(path, path);
	/* Nobody listening: a clear error. */
	int m, s;

	assert_int_equal(tty_open_pty(&m, &s, &err), 0);
	assert_int_equal(send_master(path, m, &err), -1);
	assert_non_null(strstr(err.msg, "connect to --console-socket"));
	close(m);
	close(s);
}

/* The master handed back over a socketpair (run -t without a console
 * socket): the same pty arrives, O_CLOEXEC. */
static void test_recv_master(void **state)
{
	(void)state;
	struct kerr err;
	int sp[2], master, slave, got = -1;
	unsigned int n1, n2;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(tty_open_pty(&master, &slave, &err), 0);
	assert_int_equal(tty_send_master_fd(sp[1], master, &err), 0);
	assert_int_equal(tty_recv_master_fd(sp[0], &got, &err), 0);
	assert_true(cloexec(got));
	assert_int_equal(ioctl(master, TIOCGPTN, &n1), 0);
	assert_int_equal(ioctl(got, TIOCGPTN, &n2), 0);
	assert_int_equal(n1, n2);
	/* No fd in the message: a clear error, not a garbage fd. */
	assert_int_equal(write(sp[1], "x", 1), 1);
	assert_int_equal(tty_recv_master_fd(sp[0], &got, &err), -1);
	assert_non_null(strstr(err.msg, "no fd"));
	close(got);
	close(master);
	close(slave);
	close(sp[0]);
	close(sp[1]);
}

/* A socket path longer than sun_path (108 bytes) still works. */
static void test_send_master_long_path(void **state)
{
	(void)state;
	char dir[512];
	struct kerr err;

	snprintf(dir, sizeof(dir), "%s/%0120d", tmpdir, 0);
	assert_int_equal(mkdir_p(dir, 0700, &err), 0);
	cleanup_free char *full = xasprintf("%s/console.sock", dir);
	/* Bind through a relative path from inside the directory. */
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	int lsock = listen_at("console.sock");

	assert_int_equal(chdir(cwd), 0);

	int master, slave, got;
	char name[64];

	assert_true(strlen(full) >= sizeof(((struct sockaddr_un *)0)->sun_path));
	assert_int_equal(tty_open_pty(&master, &slave, &err), 0);
	assert_int_equal(send_master(full, master, &err), 0);
	got = recv_master(lsock, name, sizeof(name));
	assert_string_equal(name, "/dev/ptmx");
	assert_true(isatty(got));
	close(got);
	close(master);
	close(slave);
	close(lsock);
}

/* Reads from fd until want has arrived (or 5 s passed); returns the bytes. */
static char *read_until(int fd, const char *want)
{
	size_t cap = 4096, len = 0;
	char *buf = xcalloc(1, cap + 1);
	int64_t end = now_ms() + 5000;

	while (strstr(buf, want) == NULL && now_ms() < end && len < cap) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = read(fd, buf + len, cap - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return buf;
}

/* The container side: a new session with the pty slave as its terminal. */
static pid_t spawn_on_pty(int slave, char *const argv[])
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(20);   /* never outlive a failed test */
		setsid();
		if (ioctl(slave, TIOCSCTTY, 0) < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 ||
		    dup2(slave, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* The foreground loop of runtime/foreground.c, reduced to the terminal:
 * relay steps, SIGWINCH -> resize, the process's exit (pidfd) -> drain. */
static int relay_loop(int master, int pidfd)
{
	struct tty_relay *r = NULL;
	struct kerr err;
	sigset_t winch;
	int sfd;

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, NULL);
	sfd = signalfd(-1, &winch, SFD_CLOEXEC);
	if (sfd < 0 || tty_relay_begin(master, &r, &err) < 0)
		return 1;
	for (;;) {
		struct pollfd p[4];
		struct signalfd_siginfo si;

		assert_int_equal(tty_relay_pollfds(r, p), 2);
		p[2] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		p[3] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(p, 4, -1) < 0)
			continue;
		if (tty_relay_step(r, p) < 0)
			break;                  /* hung up: every slave closed */
		if ((p[2].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si))
			tty_relay_resize(r);
		if (p[3].revents & POLLIN) {
			tty_relay_drain(r);     /* exited: take what is left */
			break;
		}
	}
	tty_relay_end(r);
	close(sfd);
	return 0;
}

/* The runtime side: the relay loop with the fake terminal's slave as stdin and
 * stdout (and as its controlling terminal, so SIGWINCH reaches it). */
static pid_t spawn_relay(int term_slave, int master, int pidfd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(20);   /* never outlive a failed test */
		setsid();
		if (ioctl(term_slave, TIOCSCTTY, 0) < 0 || dup2(term_slave, 0) < 0 ||
		    dup2(term_slave, 1) < 0)
			_exit(126);
		_exit(relay_loop(master, pidfd));
	}
	return pid;
}

static int wait_exit(pid_t pid, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int status;

	while (now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static bool winsize_is(int fd, unsigned short rows, unsigned short cols)
{
	struct winsize ws;

	return ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row == rows && ws.ws_col == cols;
}

static void test_relay_cat(void **state)
{
	(void)state;
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct termios before, after;
	struct kerr err;
	int tm, ts, cm, cs;
	char *const cat[] = { "/bin/cat", NULL };

	assert_int_equal(openpty(&tm, &ts, NULL, NULL, &ws), 0);
	assert_int_equal(tcgetattr(ts, &before), 0);
	assert_int_equal(tty_open_pty(&cm, &cs, &err), 0);
	pid_t child = spawn_on_pty(cs, cat);

	close(cs);
	pid_t relay = spawn_relay(ts, cm, -1);

	/* The window size of the terminal reached the container's pty. */
	for (int i = 0; i < 200 && !winsize_is(cm, 40, 120); i++)
		usleep(10000);
	assert_true(winsize_is(cm, 40, 120));

	/* The terminal is raw: its own line discipline neither echoes nor turns
	 * \n into \r\n, so exactly the container pty's echo and cat's copy. */
	assert_int_equal(write(tm, "hello\n", 6), 6);
	cleanup_free char *out = read_until(tm, "hello\r\nhello\r\n");

	assert_string_equal(out, "hello\r\nhello\r\n");

	/* SIGWINCH: a resized terminal resizes the container's pty. */
	ws.ws_row = 50;
	ws.ws_col = 132;
	assert_int_equal(ioctl(tm, TIOCSWINSZ, &ws), 0);
	for (int i = 0; i < 200 && !winsize_is(cm, 50, 132); i++)
		usleep(10000);
	assert_true(winsize_is(cm, 50, 132));

	/* ^D goes through as a byte: cat sees EOF and exits; the pty hangs up
	 * and the relay returns. */
	assert_int_equal(write(tm, "\x04", 1), 1);
	assert_int_equal(wait_exit(child, 5000), 0);
	assert_int_equal(wait_exit(relay, 5000), 0);
	/* The terminal's mode was restored. */
	assert_int_equal(tcgetattr(ts, &after), 0);
	assert_int_equal(after.c_lflag, before.c_lflag);
	assert_int_equal(after.c_oflag, before.c_oflag);
	close(cm);
	close(tm);
	close(ts);
}

/* A process left behind holds the slave: the relay ends with the main
 * process (pidfd), after copying its last output. */
static void test_relay_pidfd(void **state)
{
	(void)state;
	struct kerr err;
	int tm, ts, cm, cs;
	char *const sh[] = { "/bin/sh", "-c", "sleep 100 & echo bg=$!; echo last-words", NULL };

	assert_int_equal(openpty(&tm, &ts, NULL, NULL, NULL), 0);
	assert_int_equal(tty_open_pty(&cm, &cs, &err), 0);
	pid_t child = spawn_on_pty(cs, sh);
	int pidfd = sys_pidfd_open(child, 0);

	assert_true(pidfd >= 0);
	close(cs);
	pid_t relay = spawn_relay(ts, cm, pidfd);

	assert_int_equal(wait_exit(child, 5000), 0);
	assert_int_equal(wait_exit(relay, 5000), 0);
	cleanup_free char *out = read_until(tm, "last-words\r\n");

	assert_non_null(strstr(out, "last-words\r\n"));
	char *bg = strstr(out, "bg=");

	assert_non_null(bg);
	pid_t bgpid = (pid_t)strtol(bg + 3, NULL, 10);

	assert_true(bgpid > 0);
	assert_int_equal(kill(bgpid, 0), 0);   /* still there, holding the slave */
	kill(bgpid, SIGKILL);
	close(pidfd);
	close(cm);
	close(tm);
	close(ts);
}

/* stdin and stdout pipes, not a terminal: no raw mode, input still goes
 * through, EOF on stdin stops only the reading side. */
static void test_relay_pipes(void **state)
{
	(void)state;
	struct kerr err;
	int in[2], out[2], cm, cs, status;
	char *const sh[] = { "/bin/sh", NULL };

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_int_equal(tty_open_pty(&cm, &cs, &err), 0);
	pid_t child = spawn_on_pty(cs, sh);

	close(cs);
	pid_t relay = fork();

	assert_true(relay >= 0);
	if (relay == 0) {
		alarm(20);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(126);
		close(in[1]);
		close(out[0]);
		_exit(relay_loop(cm, -1));
	}
	close(in[0]);
	close(out[1]);
	assert_int_equal(write(in[1], "echo via-$((6*7)); exit 5\n", 27), 27);
	close(in[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(WEXITSTATUS(status), 5);
	assert_int_equal(wait_exit(relay, 5000), 0);
	cleanup_free char *got = read_until(out[0], "via-42\r\n");

	assert_non_null(strstr(got, "via-42\r\n"));
	close(out[0]);
	close(cm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_pty_and_size),
		cmocka_unit_test(test_send_master),
		cmocka_unit_test(test_recv_master),
		cmocka_unit_test(test_send_master_long_path),
		cmocka_unit_test(test_relay_cat),
		cmocka_unit_test(test_relay_pidfd),
		cmocka_unit_test(test_relay_pipes),
	};
	struct kerr err;
	int ret;

	if (access("/dev/ptmx", R_OK | W_OK) < 0) {
		printf("1..0 # SKIP no usable /dev/ptmx\n");
		return 77;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rm_rf_at(AT_FDCWD, tmpdir, &err);
	return ret;
}
