/* runtime/mounts: a real container filesystem on a busybox rootfs (needs
 * root). Each case forks:
 *   C1  a mount namespace of its own, "/" made rshared (so a mount leaking
 *       out of the container's namespace would show up here), maybe a
 *       nosuid,nodev,noexec tmpfs to bind from;
 *   C2  unshare(NEWNS|NEWPID|NEWIPC [|NEWUSER|NEWCGROUP], maps itself 0->0);
 *   C3  pid 1 of the new pid namespace: mounts_prepare, mounts_pivot,
 *       mounts_finalize, then checks what it sees and writes each failure
 *       as a line on a pipe.
 * The parent test reads the pipe: any line, or a non-zero exit, fails it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "runtime/mounts.h"

static char tmpdir[] = "/tmp/kapsel-mounts-XXXXXX";
static int report_fd = -1;
static int nfail;

#define CHECK(cond, ...)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			nfail++;                                                  \
			dprintf(report_fd, "line %d: %s: ", __LINE__, #cond);     \
			dprintf(report_fd, __VA_ARGS__);                          \
			dprintf(report_fd, "\n");                                 \
		}                                                                 \
	} while (0)

enum variant { V_ROOT_PIVOT, V_ROOT_NOPIVOT, V_USERNS, V_EVIL_DEVNULL };

/* The host has a cgroup v1 memory hierarchy (hybrid or v1; read in main). */
static bool host_v1;

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmpdir, rel);
}

static void write_text(const char *rel, const char *text)
{
	cleanup_free char *p = tpath(rel);
	struct kerr err;

	if (write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0644, &err) < 0)
		fail_msg("%s", err.msg);
}

static void mk(const char *rel)
{
	cleanup_free char *p = tpath(rel);

	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	cleanup_close int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_close int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	char buf[65536];
	ssize_t n;

	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}

/* rootfs/bin/busybox and its applets (not one named busybox: that link
 * would replace the binary, see /work/shared/notes/anchors-here.md). */
static int make_busybox_rootfs(void)
{
	cleanup_free char *bin = tpath("rootfs/bin/busybox");
	char line[256];
	FILE *list;

	if (copy_file("/usr/bin/busybox", bin, 0755) < 0)
		return -1;
	list = popen("/usr/bin/busybox --list", "r");
	if (list == NULL)
		return -1;
	while (fgets(line, sizeof(line), list) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || strcmp(line, "busybox") == 0)
			continue;
		cleanup_free char *l = xasprintf("%s/rootfs/bin/%s", tmpdir, line);
		if (symlink("busybox", l) < 0 && errno != EEXIST) {
			pclose(list);
			return -1;
		}
	}
	return pclose(list) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	cleanup_free char *outside = NULL, *evil = NULL, *evildev_null = NULL;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	evildev_null = tpath("evildev/null");
	mk("outside");
	write_text("outside/keep", "keep\n");
	mk("src");
	write_text("src/hello", "hello\n");
	write_text("srcfile", "hello-file\n");
	mk("locked");
	mk("nest");
	mk("nest/sub");
	mk("evildev");
	/* CVE-2025-31133: the container's /dev/null is a symlink to a host knob */
	if (symlink("/proc/sys/kernel/core_pattern", evildev_null) < 0)
		return -1;
	mk("rootfs");
	mk("rootfs/bin");
	mk("rootfs/etc");
	mk("rootfs/etc/maskdir");
	write_text("rootfs/etc/maskdir/inner", "x\n");
	mk("rootfs/etc/rodir");
	write_text("rootfs/etc/secret", "secret\n");
	outside = tpath("outside");
	evil = tpath("rootfs/evil");
	/* a hostile image: /evil points at a host directory */
	if (symlink(outside, evil) < 0)
		return -1;
	return make_busybox_rootfs();
}

static int teardown(void **state)
{
	struct kerr err;

	(void)state;
	return rm_rf_at(AT_FDCWD, tmpdir, &err);
}

/* ---- the config ---- */

static struct kmount mnt(const char *dest, const char *type, char *src, unsigned long flags,
			 unsigned long clr, const char *data)
{
	struct kmount m = { .destination = (char *)dest, .type = (char *)type, .source = src,
			    .flags = flags, .clear_flags = clr, .data = (char *)data,
			    .bind = (flags & MS_BIND) != 0 };
	return m;
}

static char *masked[] = { "/etc/secret", "/etc/maskdir", "/proc/kcore", "/nonexistent", NULL };
static char *readonly[] = { "/etc/rodir", "/proc/sys", "/nonexistent2", NULL };
static struct kmount mounts[16];
static char *spec_strings[16];
static size_t n_spec_strings;

/* tpath() for the config: freed by free_spec_strings() */
static char *spath(const char *rel)
{
	char *p = tpath(rel);

	assert_true(n_spec_strings < ARRAY_SIZE(spec_strings));
	spec_strings[n_spec_strings++] = p;
	return p;
}

static void free_spec_strings(void)
{
	while (n_spec_strings > 0)
		free(spec_strings[--n_spec_strings]);
}
static struct kdevice devices[1];

static void build_spec(struct kspec *s, enum variant v)
{
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->root_path = spath("rootfs");
	if (v == V_EVIL_DEVNULL) {
		mounts[n++] = mnt("/proc", "proc", "proc", 0, 0, NULL);
		mounts[n++] = mnt("/dev", "bind", spath("evildev"), MS_BIND, 0, NULL);
		s->mounts = mounts;
		s->n_mounts = n;
		s->masked_paths = masked;
		return;
	}
	mounts[n++] = mnt("/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, NULL);
	mounts[n++] = mnt("/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, 0,
			  "mode=755,size=65536k");
	mounts[n++] = mnt("/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, 0,
			  "newinstance,ptmxmode=0666,mode=0620");
	mounts[n++] = mnt("/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0,
			  "mode=1777,size=65536k");
	mounts[n++] = mnt("/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0,
			  NULL);
	mounts[n++] = mnt("/sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
			  0, NULL);
	mounts[n++] = mnt("/sys/fs/cgroup", "cgroup", "cgroup",
			  MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME | MS_RDONLY, 0, NULL);
	mounts[n++] = mnt("/data", NULL, spath("src"),
			  MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, NULL);
	/* through the hostile symlink: must land inside the rootfs */
	mounts[n++] = mnt("/evil/sub", "bind", spath("src"), MS_BIND, 0, NULL);
	mounts[n++] = mnt("/etc/hostfile", "bind", spath("srcfile"), MS_BIND | MS_RDONLY, 0,
			  NULL);
	mounts[n++] = mnt("/run", "tmpfs", "tmpfs", MS_NOEXEC, 0, "size=1m,mode=1777");
	if (v != V_ROOT_PIVOT)
		/* "ro,exec,suid" on a nosuid,nodev,noexec source */
		mounts[n++] = mnt("/locked", "bind", spath("locked"), MS_BIND | MS_RDONLY,
				  MS_NOEXEC | MS_NOSUID, NULL);
	if (v != V_ROOT_PIVOT) {
		/* rro reaches the tmpfs mounted on nest/sub */
		mounts[n] = mnt("/nest", "bind", spath("nest"), MS_BIND | MS_REC, 0, NULL);
		mounts[n++].recursive_ro = true;
	}
	s->mounts = mounts;
	s->n_mounts = n;
	s->masked_paths = masked;
	s->readonly_paths = readonly;
	s->root_readonly = v == V_ROOT_PIVOT;
	s->ns[KNS_CGROUP].wanted = v == V_USERNS;
	if (v != V_USERNS) {
		devices[0] = (struct kdevice){ .path = "/dev/kapsel/null2", .type = 'c',
					       .major = 1, .minor = 3, .file_mode = 0600,
					       .has_mode = true, .uid = 1000, .gid = 1001,
					       .has_uid = true, .has_gid = true };
		s->devices = devices;
		s->n_devices = 1;
	}
}

/* ---- checks from inside ---- */

struct minfo {
	char root[PATH_MAX], opts[512], fstype[64], super[1024];
};

/* The topmost mount at mp in our mountinfo. */
static bool find_mount(const char *mp, struct minfo *ret)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	struct kerr err;
	bool found = false;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &buf, NULL, &err) < 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char root[PATH_MAX], m[PATH_MAX], opts[512];
		const char *sep = strstr(line, " - ");

		if (sep == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s %511s", root, m,
					  opts) != 3 || strcmp(m, mp) != 0)
			continue;
		snprintf(ret->root, sizeof(ret->root), "%s", root);
		snprintf(ret->opts, sizeof(ret->opts), "%s", opts);
		if (sscanf(sep + 3, "%63s %*s %1023s", ret->fstype, ret->super) != 2)
			continue;
		found = true;
	}
	return found;
}

static bool has_opt(const char *list, const char *opt)
{
	size_t len = strlen(opt);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static void check_mount(const char *mp, const char *fstype, const char *const *opts,
			const char *const *super)
{
	struct minfo mi;

	if (!find_mount(mp, &mi)) {
		CHECK(false, "%s is not a mount point", mp);
		return;
	}
	CHECK(fstype == NULL || strcmp(mi.fstype, fstype) == 0, "%s: type %s, wanted %s", mp, mi.fstype, fstype);
	for (size_t i = 0; opts && opts[i]; i++)
		CHECK(has_opt(mi.opts, opts[i]), "%s: %s lacks %s", mp, mi.opts, opts[i]);
	for (size_t i = 0; super && super[i]; i++)
		CHECK(has_opt(mi.super, super[i]), "%s: %s lacks %s", mp, mi.super, super[i]);
}

static void check_no_opt(const char *mp, const char *opt)
{
	struct minfo mi;

	CHECK(find_mount(mp, &mi) && !has_opt(mi.opts, opt), "%s: %s has %s", mp, mi.opts, opt);
}

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void check_mounts(enum variant v)
{
	struct stat st;

	check_mount("/proc", "proc", OPTS("nosuid", "nodev", "noexec"), NULL);
	check_mount("/dev", "tmpfs", OPTS("nosuid"), OPTS("size=65536k", "mode=755"));
	check_mount("/dev/pts", "devpts", OPTS("nosuid", "noexec"), OPTS("ptmxmode=666"));
	/* (tmpfs shows no mode= when it is 1777: checked with stat) */
	check_mount("/dev/shm", "tmpfs", OPTS("nosuid", "nodev", "noexec"), OPTS("size=65536k"));
	CHECK(stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777, "/dev/shm mode");
	check_mount("/dev/mqueue", "mqueue", OPTS("nosuid", "nodev", "noexec"), NULL);
	check_mount("/sys", "sysfs", OPTS("ro", "nosuid", "nodev", "noexec"), NULL);
	if (host_v1 && v != V_USERNS) {
		/* a host with v1 hierarchies: runc's layout, a tmpfs of them */
		check_mount("/sys/fs/cgroup", "tmpfs", OPTS("ro", "nosuid", "nodev", "noexec"), NULL);
		check_mount("/sys/fs/cgroup/memory", "cgroup", OPTS("ro", "nosuid", "nodev", "noexec"),
			    OPTS("memory"));
	} else {
		check_mount("/sys/fs/cgroup", "cgroup2", OPTS("ro", "nosuid", "nodev", "noexec"), NULL);
	}
	check_mount("/data", NULL, OPTS("ro", "nosuid", "nodev", "noexec"), NULL);
	check_mount("/run", "tmpfs", OPTS("noexec"), OPTS("size=1024k"));
	CHECK(stat("/run", &st) == 0 && (st.st_mode & 07777) == 01777, "/run mode");
	check_mount("/etc/hostfile", NULL, OPTS("ro"), NULL);
	if (v != V_ROOT_PIVOT) {
		check_mount("/locked", "tmpfs", OPTS("ro"), NULL);
		check_mount("/nest/sub", "tmpfs", OPTS("ro"), NULL);
		CHECK(mkdir("/nest/sub/x", 0755) < 0 && errno == EROFS, "rro: /nest/sub writable");
		if (v == V_USERNS) {
			/* locked by the kernel: kept, not an error */
			check_mount("/locked", "tmpfs", OPTS("noexec", "nosuid", "nodev"), NULL);
		} else {
			check_no_opt("/locked", "noexec");
			check_no_opt("/locked", "nosuid");
		}
	}
}

static void check_char(const char *path, unsigned maj, unsigned min, mode_t perm)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		CHECK(false, "stat %s: %s", path, strerror(errno));
		return;
	}
	CHECK(S_ISCHR(st.st_mode) && major(st.st_rdev) == maj && minor(st.st_rdev) == min,
	      "%s is not char %u:%u", path, maj, min);
	CHECK(perm == 0 || (st.st_mode & 07777) == perm, "%s mode %o", path,
	      st.st_mode & 07777);
}

static void check_link(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n >= 0)
		buf[n] = '\0';
	CHECK(n >= 0 && strcmp(buf, target) == 0, "%s -> %s, wanted %s", path,
	      n >= 0 ? buf : strerror(errno), target);
}

static void check_devices(enum variant v)
{
	struct stat st;
	char c;
	int fd;

	check_char("/dev/null", 1, 3, v == V_USERNS ? 0 : 0666);
	check_char("/dev/zero", 1, 5, v == V_USERNS ? 0 : 0666);
	check_char("/dev/full", 1, 7, 0);
	check_char("/dev/random", 1, 8, 0);
	check_char("/dev/urandom", 1, 9, 0);
	check_char("/dev/tty", 5, 0, 0);
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, &c, 1) == 1 && c == 0, "read /dev/zero: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	if (v != V_USERNS) {
		check_char("/dev/kapsel/null2", 1, 3, 0600);
		CHECK(stat("/dev/kapsel/null2", &st) == 0 && st.st_uid == 1000 &&
		      st.st_gid == 1001, "/dev/kapsel/null2 owner");
	}
	check_link("/dev/fd", "/proc/self/fd");
	check_link("/dev/stdin", "/proc/self/fd/0");
	check_link("/dev/stdout", "/proc/self/fd/1");
	check_link("/dev/stderr", "/proc/self/fd/2");
	check_link("/dev/ptmx", "pts/ptmx");
	if (access("/proc/kcore", F_OK) == 0)
		check_link("/dev/core", "/proc/kcore");
}

static ssize_t read_size(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n;
}

static bool dir_empty_except(const char *path, const char *except)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		     strcmp(e->d_name, except) != 0;
	closedir(d);
	return n == 0;
}

static bool dir_empty(const char *path)
{
	return dir_empty_except(path, ".");
}

static void check_paths(enum variant v)
{
	int fd;

	CHECK(read_size("/etc/secret") == 0, "masked /etc/secret is readable");
	CHECK(dir_empty("/etc/maskdir"), "masked /etc/maskdir is not empty");
	CHECK(mkdir("/etc/maskdir/x", 0755) < 0 && errno == EROFS, "masked dir is writable");
	if (access("/proc/kcore", F_OK) == 0)
		CHECK(read_size("/proc/kcore") == 0, "/proc/kcore is not masked");
	CHECK(mkdir("/etc/rodir/x", 0755) < 0 && errno == EROFS, "readonly /etc/rodir: %s",
	      strerror(errno));
	fd = open("/proc/sys/kernel/domainname", O_WRONLY | O_CLOEXEC);
	CHECK(fd < 0 && errno == EROFS, "/proc/sys is writable");
	if (fd >= 0)
		close(fd);
	if (v == V_ROOT_PIVOT) {
		CHECK(mkdir("/newdir", 0755) < 0 && errno == EROFS, "root is writable");
	} else {
		CHECK(mkdir("/newdir", 0755) == 0, "root: %s", strerror(errno));
		rmdir("/newdir");
	}
	CHECK(read_size("/etc/hostfile") == 11, "the bound file");
	CHECK(read_size("/evil/sub/hello") == 6, "the mount through /evil is not there");
	CHECK(mkdir("/data/x", 0755) < 0 && errno == EROFS, "/data is writable");
}

static int run_sh(const char *script)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void check_exec(void)
{
	char cwd[PATH_MAX];

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/") == 0, "cwd is not /");
	CHECK(run_sh("test -c /dev/null && test -d /proc/1 && test \"$(cat /data/hello)\" = hello")
	      == 0, "busybox sh inside the container");
	/* /run is noexec */
	CHECK(run_sh("printf '#!/bin/sh\\nexit 0\\n' >/run/x && chmod 755 /run/x && "
		     "test -x /run/x && ! /run/x 2>/dev/null") == 0, "/run is not noexec");
}

/* pid 1 of the container */
static _Noreturn void container(const struct kspec *s, enum variant v)
{
	struct kmount_opts o = { .no_pivot = v == V_ROOT_NOPIVOT, .userns = v == V_USERNS };
	struct kerr err = { 0 };

	if (v == V_EVIL_DEVNULL) {
		int r;

		if (mounts_prepare(s, &o, &err) < 0 || mounts_pivot(s, &o, &err) < 0) {
			dprintf(report_fd, "setup: %s\n", err.msg);
			_exit(1);
		}
		r = mounts_finalize(s, &o, &err);
		CHECK(r < 0 && strstr(err.msg, "not the null device") != NULL,
		      "masking with a symlinked /dev/null: %d %s", r, err.msg);
		/* and nothing was mounted over the file it points at */
		CHECK(read_size("/etc/secret") > 0, "/etc/secret was masked anyway");
		CHECK(!find_mount("/proc/sys/kernel/core_pattern", &(struct minfo){ 0 }),
		      "core_pattern got a mount");
		_exit(nfail ? 1 : 0);
	}
	if (mounts_prepare(s, &o, &err) < 0 || mounts_pivot(s, &o, &err) < 0 ||
	    mounts_finalize(s, &o, &err) < 0) {
		dprintf(report_fd, "setup: %s\n", err.msg);
		_exit(1);
	}
	check_mounts(v);
	check_devices(v);
	check_paths(v);
	check_exec();
	_exit(nfail ? 1 : 0);
}

static int wait_status(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 100;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int map_self(void)
{
	struct kerr err;

	return write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny", 4, &err) < 0 ||
	       write_file_at(AT_FDCWD, "/proc/self/uid_map", "0 0 1", 5, &err) < 0 ||
	       write_file_at(AT_FDCWD, "/proc/self/gid_map", "0 0 1", 5, &err) < 0 ? -1 : 0;
}

static _Noreturn void c2(const struct kspec *s, enum variant v)
{
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;

	if (v == V_USERNS)
		flags |= CLONE_NEWUSER | CLONE_NEWCGROUP;
	if (unshare(flags) < 0 || (v == V_USERNS && map_self() < 0)) {
		dprintf(report_fd, "unshare: %s\n", strerror(errno));
		_exit(1);
	}
	pid_t pid = fork();

	if (pid == 0)
		container(s, v);
	_exit(wait_status(pid));
}

static int count_mounts_under(const char *prefix)
{
	cleanup_free char *buf = NULL;
	char *line, *save = NULL;
	struct kerr err;
	int n = 0;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 20, &buf, NULL, &err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		n += strstr(line, prefix) != NULL;
	return n;
}

static _Noreturn void c1(const struct kspec *s, enum variant v)
{
	cleanup_free char *locked = tpath("locked"), *nest = tpath("nest/sub");
	int before, after, status;
	pid_t pid;

	/* shared: a mount escaping the container's namespace would appear here */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0 ||
	    mount("tmpfs", locked, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m") < 0 ||
	    mount("tmpfs", nest, "tmpfs", 0, "size=1m") < 0) {
		dprintf(report_fd, "c1: %s\n", strerror(errno));
		_exit(1);
	}
	before = count_mounts_under(tmpdir);
	pid = fork();
	if (pid == 0)
		c2(s, v);
	status = wait_status(pid);
	after = count_mounts_under(tmpdir);
	if (before != after) {
		dprintf(report_fd, "mounts leaked out of the container: %d before, %d after\n",
			before, after);
		_exit(1);
	}
	_exit(status);
}

static void run_variant(enum variant v)
{
	struct kspec s;
	char buf[4096];
	int pipefd[2];
	ssize_t n;
	size_t len = 0;
	pid_t pid;
	int status;

	build_spec(&s, v);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		report_fd = pipefd[1];
		c1(&s, v);
	}
	close(pipefd[1]);
	while (len < sizeof(buf) - 1 && (n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(pipefd[0]);
	status = wait_status(pid);
	free_spec_strings();
	if (len > 0)
		print_message("%s", buf);
	assert_int_equal(len, 0);
	assert_int_equal(status, 0);
}

static void assert_outside_untouched(void)
{
	cleanup_free char *outside = tpath("outside");
	cleanup_free char *inside = xasprintf("%s/rootfs%s/sub", tmpdir, outside);
	struct stat st;

	assert_true(dir_empty_except(outside, "keep"));
	/* the mount point was made inside the rootfs, where /evil resolves */
	assert_int_equal(stat(inside, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* nothing is left mounted in the test's (the host's) namespace */
	assert_int_equal(count_mounts_under(tmpdir), 0);
}

static void test_root_pivot(void **state)
{
	(void)state;
	run_variant(V_ROOT_PIVOT);
	assert_outside_untouched();
}

static void test_root_no_pivot(void **state)
{
	(void)state;
	run_variant(V_ROOT_NOPIVOT);
	assert_outside_untouched();
}

static void test_userns(void **state)
{
	(void)state;
	run_variant(V_USERNS);
	assert_outside_untouched();
}

static void test_evil_dev_null(void **state)
{
	(void)state;
	run_variant(V_EVIL_DEVNULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_pivot),
		cmocka_unit_test(test_root_no_pivot),
		cmocka_unit_test(test_userns),
		cmocka_unit_test(test_evil_dev_null),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	{
		char *mi = NULL;
		struct kerr e;

		host_v1 = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 1 << 24, &mi, NULL, &e) == 0 &&
			  strstr(mi, " /sys/fs/cgroup/memory ") != NULL;
		free(mi);
	}
	if (geteuid() != 0) {
		printf("1..0 # SKIP test_mounts needs root (mount namespaces, mknod, pivot_root)\n");
		return 77;
	}
	if (access("/usr/bin/busybox", X_OK) < 0) {
		printf("1..0 # SKIP needs /usr/bin/busybox (apt-get install busybox-static)\n");
		return 77;
	}
	return cmocka_run_group_tests_name("mounts", tests, setup, teardown);
}
