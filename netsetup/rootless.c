/* Rootless networking: slirp4netns or pasta (Debian packages) give the
 * container's netns a user-mode TCP/IP stack whose sockets live in ours, so no
 * privilege over the host's network is needed. The helper outlives
 * `kapsel create` (double fork: never our zombie) and is stopped on delete by
 * pid, checked against its start time so a reused pid is never signalled. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "netsetup/knet-private.h"

static uint64_t start_time(pid_t pid)
{
	char path[64];
	cleanup_free char *buf = NULL;
	struct kerr ignored;
	unsigned long long t = 0;
	char state = 0;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file_at(AT_FDCWD, path, 4096, &buf, NULL, &ignored) < 0)
		return 0;
	p = strrchr(buf, ')'); /* comm may hold spaces */
	/* Field 22; after ')' come fields 3.. A zombie counts as gone: it is
	 * not ours to reap (the helper was double-forked). */
	if (p == NULL || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
				       "%*d %*d %*d %*d %*d %llu", &state, &t) != 2 || state == 'Z')
		return 0;
	return t;
}

/* The container's user namespace, if it is not ours: the helper must join it
 * to be allowed into a netns that a rootless container's user ns owns. */
static bool other_userns(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/user", &b) == 0 &&
	       (a.st_ino != b.st_ino || a.st_dev != b.st_dev);
}

/* Runs argv detached (new session, stdin /dev/null, output to log). keep_fd
 * stays open in the helper as fd 3. Returns the helper's pid. */
static pid_t spawn(char **argv, const char *log, int keep_fd, struct kerr *err)
{
	int p[2];
	pid_t child, helper = -1;
	int status;

	if (pipe2(p, O_CLOEXEC) < 0)
		return kerr_errno(err, "pipe");
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return kerr_errno(err, "fork");
	}
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			int nul = open("/dev/null", O_RDONLY);
			int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			setsid();
			if (nul < 0 || lf < 0 || dup2(nul, 0) < 0 || dup2(lf, 1) < 0 ||
			    dup2(lf, 2) < 0 || (keep_fd >= 0 && dup2(keep_fd, 3) < 0))
				_exit(127);
			execvp(argv[0], argv);
			dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
			_exit(127);
		}
		if (write_all(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(g < 0);
	}
	close(p[1]);
	if (read_all(p[0], &helper, sizeof(helper)) != sizeof(helper))
		helper = -1;
	close(p[0]);
	waitpid(child, &status, 0);
	if (helper <= 0)
		return kerr_set(err, EAGAIN, "start %s", argv[0]);
	return helper;
}

static void last_log_line(const char *log, char *buf, size_t n)
{
	cleanup_free char *text = NULL;
	struct kerr ignored;
	char *end, *start;

	buf[0] = '\0';
	if (read_file_at(AT_FDCWD, log, 1 << 16, &text, NULL, &ignored) < 0)
		return;
	end = text + strlen(text);
	while (end > text && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(text, '\n');
	snprintf(buf, n, "%s", start ? start + 1 : text);
}

/* slirp4netns' API socket: one JSON request per connection. */
static int slirp_api(const char *sock, const char *req, struct kerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char reply[1024] = "";
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return kerr_errno(err, "connect %s", sock);
	if (write_all(fd, req, strlen(req)) < 0)
		return kerr_errno(err, "write %s", sock);
	shutdown(fd, SHUT_WR);
	n = read_all(fd, reply, sizeof(reply) - 1);
	if (n <= 0 || strstr(reply, "\"error\"") != NULL)
		return knet_bad(err, EIO, "slirp4netns: %s", n > 0 ? reply : "no answer");
	return 0;
}

static int slirp_ports(const struct knet_config *c, const char *sock, struct kerr *err)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct knet_port *p = &c->ports[i];
		char ip[INET_ADDRSTRLEN];
		cleanup_free char *req = NULL;

		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		req = xasprintf("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"%s\","
				"\"host_addr\":\"%s\",\"host_port\":%u,\"guest_port\":%u}}",
				knet_proto_name(p->proto), ip, p->host_port, p->ctr_port);
		if (slirp_api(sock, req, err) < 0)
			return kerr_prefix(err, "--publish %u:%u", p->host_port, p->ctr_port);
	}
	return 0;
}

static int wait_ready(int fd, const char *log, const char *what, struct kerr *err)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c, line[256];

	if (poll(&pfd, 1, 10000) <= 0 || read(fd, &c, 1) != 1) {
		last_log_line(log, line, sizeof(line));
		return knet_bad(err, EIO, "%s did not start: %s", what, line[0] ? line : "timeout");
	}
	return 0;
}

static pid_t start_slirp(const struct knet_config *c, pid_t pid, const char *sock,
			 const char *log, struct kerr *err)
{
	char pidstr[16], userns[64];
	int ready[2];
	pid_t helper;
	char *argv[16];
	int n = 0;

	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	snprintf(userns, sizeof(userns), "--userns-path=/proc/%d/ns/user", (int)pid);
	argv[n++] = "slirp4netns";
	argv[n++] = "--configure";
	argv[n++] = "--mtu=65520";
	/* The container must not reach the host's 127.0.0.1 services. */
	argv[n++] = "--disable-host-loopback";
	argv[n++] = "--ready-fd=3";
	argv[n++] = "--api-socket";
	argv[n++] = (char *)sock;
	if (other_userns(pid))
		argv[n++] = userns;
	argv[n++] = pidstr;
	argv[n++] = "tap0";
	argv[n] = NULL;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return kerr_errno(err, "pipe");
	helper = spawn(argv, log, ready[1], err);
	close(ready[1]);
	if (helper > 0 && wait_ready(ready[0], log, "slirp4netns", err) < 0) {
		kill(helper, SIGKILL);
		helper = -1;
	}
	close(ready[0]);
	if (helper > 0 && slirp_ports(c, sock, err) < 0) {
		kill(helper, SIGKILL);
		helper = -1;
	}
	return helper;
}

/* pasta configures the netns, then forks into the background and its first
 * process exits 0: so it is run to completion and its pid read from -P. */
static pid_t start_pasta(const struct knet_config *c, pid_t pid, const char *pidfile,
			 const char *log, struct kerr *err)
{
	char nspath[64], userns[64], line[256];
	cleanup_strv char **argv = xcalloc(16 + 2 * c->n_ports, sizeof(char *));
	cleanup_free char *text = NULL;
	int n = 0, status;
	pid_t child;
	uint64_t helper;

	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", (int)pid);
	snprintf(userns, sizeof(userns), "/proc/%d/ns/user", (int)pid);
	argv[n++] = xstrdup("pasta");
	argv[n++] = xstrdup("--config-net");
	argv[n++] = xstrdup("--quiet");
	argv[n++] = xstrdup("--pid");
	argv[n++] = xstrdup(pidfile);
	if (other_userns(pid)) {
		argv[n++] = xstrdup("--userns");
		argv[n++] = xstrdup(userns);
	}
	argv[n++] = xstrdup("--netns");
	argv[n++] = xstrdup(nspath);
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct knet_port *p = &c->ports[i];
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
		argv[n++] = xstrdup(p->proto == IPPROTO_UDP ? "-u" : "-t");
		argv[n++] = p->host_ip.s_addr == INADDR_ANY
				    ? xasprintf("%u:%u", p->host_port, p->ctr_port)
				    : xasprintf("%s/%u:%u", ip, p->host_port, p->ctr_port);
	}
	child = fork();
	if (child < 0)
		return kerr_errno(err, "fork");
	if (child == 0) {
		int lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (lf < 0 || dup2(lf, 1) < 0 || dup2(lf, 2) < 0)
			_exit(127);
		setsid();
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		last_log_line(log, line, sizeof(line));
		return knet_bad(err, EIO, "pasta failed: %s", line[0] ? line : "exit status");
	}
	if (read_file_at(AT_FDCWD, pidfile, 64, &text, NULL, err) < 0)
		return kerr_prefix(err, "pasta pid file");
	text[strcspn(text, "\n")] = '\0';
	if (!parse_u64(text, &helper) || helper == 0)
		return knet_bad(err, EINVAL, "pasta pid file %s: %s", pidfile, text);
	return (pid_t)helper;
}

int knet_rootless_start(const struct knet_config *c, pid_t pid, const char *state_dir,
			const char *id, json_t *state, struct kerr *err)
{
	cleanup_free char *base = NULL, *sock = NULL, *log = NULL, *pidfile = NULL;
	pid_t helper;

	if (mkdir_p(state_dir, 0700, err) < 0)
		return -1;
	base = xasprintf("%s/%s", state_dir, id);
	log = xasprintf("%s.%s.log", base, knet_mode_name(c->mode));
	if (c->mode == KNET_MODE_SLIRP4NETNS) {
		sock = xasprintf("%s.slirp.sock", base);
		unlink(sock);
		if (strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return kerr_set(err, ENAMETOOLONG, "socket path %s: too long", sock);
		helper = start_slirp(c, pid, sock, log, err);
	} else {
		pidfile = xasprintf("%s.pasta.pid", base);
		helper = start_pasta(c, pid, pidfile, log, err);
		unlink(pidfile);
	}
	if (helper <= 0) {
		if (sock != NULL)
			unlink(sock);
		unlink(log);
		return -1;
	}
	json_object_set_new(state, "helper_pid", json_integer(helper));
	json_object_set_new(state, "helper_start", json_integer((json_int_t)start_time(helper)));
	json_object_set_new(state, "helper_log", json_string(log));
	if (sock != NULL)
		json_object_set_new(state, "api_socket", json_string(sock));
	return 0;
}

int knet_rootless_stop(json_t *state, struct kerr *err)
{
	pid_t pid = (pid_t)json_integer_value(json_object_get(state, "helper_pid"));
	uint64_t st = (uint64_t)json_integer_value(json_object_get(state, "helper_start"));
	const char *sock = json_string_value(json_object_get(state, "api_socket"));
	const char *log = json_string_value(json_object_get(state, "helper_log"));

	if (pid > 0 && st != 0 && start_time(pid) == st) {
		if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
			return kerr_errno(err, "stop network helper %d", (int)pid);
		for (int i = 0; i < 100 && start_time(pid) == st; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (start_time(pid) == st)
			kill(pid, SIGKILL);
	}
	if (sock != NULL)
		unlink(sock);
	if (log != NULL)
		unlink(log);
	return 0;
}
