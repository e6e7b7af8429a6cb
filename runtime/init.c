/* The child side of the start-up recipe. Each step runs with the privileges
 * the next ones take away, in the order runc uses; see lsm/lsm.h. */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/mount.h>

#include "common/log.h"
#include "common/stopat.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "lsm/lsm.h"
#include "runtime/hooks.h"
#include "runtime/mounts.h"
#include "runtime/sync.h"
#include "runtime/process.h"

static _Noreturn void fail(const struct kinit_args *a, struct kerr *err)
{
	sync_send_error(a->sync_fd, err);
	_exit(1);
}

static int set_identity_root(const struct kinit_args *a, struct kerr *err)
{
	/* In a fresh user namespace we start as the overflow id until we pick
	 * the mapped root; where 0 is not mapped we stay as we are. */
	if (!a->new_userns)
		return 0;
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return kerr_errno(err, "setresgid(0) in the user namespace");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return kerr_errno(err, "setresuid(0) in the user namespace");
	return 0;
}

/* runc and crun bring lo up in a new network namespace; programs expect it. */
static int loopback_up(struct kerr *err)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return kerr_errno(err, "socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return kerr_errno(err, "get the flags of lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return kerr_errno(err, "bring lo up");
	return 0;
}

static int set_names(const struct kspec *spec, struct kerr *err)
{
	if (spec->hostname != NULL && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return kerr_errno(err, "sethostname %s", spec->hostname);
	if (spec->domainname != NULL &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return kerr_errno(err, "setdomainname %s", spec->domainname);
	return 0;
}

/* Everything the parent had open reached us through clone: its cgroup
 * directory, procfs and log fds and whatever else. A host directory fd is a
 * way out of the rootfs (openat(fd, "../..")) for anything in the container
 * that gets at our /proc/PID/fd (CVE-2024-21626 class): keep only what the
 * init needs. The log file stays (klog writes to it; it is a file, not a
 * directory, and is closed at exec). */
static int close_stray_fds(const struct kinit_args *a, struct kerr *err)
{
	int keep[] = { a->sync_fd, a->fifo_fd, a->console_fd, klog_fd() };

	return close_fds_except(3 + a->preserve_fds, keep, ARRAY_SIZE(keep), err);
}

/* The handle the exec fifo is reopened through while the container is
 * created. A fd on the host's /proc would let whoever reaches it (a process
 * with CAP_SYS_PTRACE in the container, or in a shared pid namespace) walk
 * up to the host's /proc/sys or /proc/1/root. A private procfs instance of
 * the container's pid namespace with subset=pid holds only its processes;
 * the host's /proc is the fallback where procfs cannot be mounted (no pid
 * namespace of our own with a user namespace), then it is only as exposed as
 * the container's own /proc would be. */
static int open_proc_self_fd(struct kerr *err)
{
	cleanup_close int fs = sys_fsopen("proc", FSOPEN_CLOEXEC), mnt = -1;
	int fd;

	if (fs >= 0 && sys_fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0) == 0 &&
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
		mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
							      MOUNT_ATTR_NOEXEC);
		if (mnt >= 0) {
			fd = openat(mnt, "self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0)
				return fd;
		}
	}
	kdebug("private procfs for the exec fifo: %s; using /proc", strerror(errno));
	fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open /proc/self/fd");
	return fd;
}

/* Blocks until `kapsel start` opens the fifo for reading. The fifo is
 * reopened through the procfs fd directory taken before pivot_root, so it
 * works even when the container mounts no /proc. */
static int wait_for_start(int procfd, int fifo_fd)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%d", fifo_fd);
	fd = openat(procfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		dprintf(STDERR_FILENO, "kapsel: open exec fifo: %s\n", strerror(errno));
		_exit(1);
	}
	return fd;
}

/* The byte tells `start` the startContainer hooks passed; the fd stays open
 * and closes with execve (close-on-exec), so `start` sees EOF exactly when
 * the process is executed and only then runs poststart (runtime.md). */
static void signal_started(int fd)
{
	if (write(fd, "0", 1) != 1) {
		dprintf(STDERR_FILENO, "kapsel: write exec fifo: %s\n", strerror(errno));
		_exit(1);
	}
}

/* startContainer hooks run here, in the container, after `start` released
 * us; the state they see has the pid as seen in the container. */
static void run_start_hooks(const struct kinit_args *a)
{
	json_t *st;
	char *text;
	struct kerr err = { 0 };

	if (!json_is_array(json_object_get(a->spec->hooks, "startContainer")))
		return;
	st = json_pack("{s:s,s:s,s:s,s:i,s:s}", "ociVersion", "1.0.2", "id", a->id, "status",
		       "created", "pid", (int)getpid(), "bundle", a->spec->bundle);
	if (a->spec->annotations != NULL)
		json_object_set(st, "annotations", a->spec->annotations);
	text = json_dumps(st, JSON_COMPACT);
	json_decref(st);
	if (hooks_run(a->spec->hooks, KHOOK_START_CONTAINER, text, 0, &err) < 0) {
		dprintf(STDERR_FILENO, "kapsel: %s\n", err.msg);
		_exit(1);
	}
	free(text);
}

_Noreturn void init_main(const struct kinit_args *a)
{
	const struct kspec *spec = a->spec;
	const struct kprocess *p = spec->process;
	struct kmount_opts mo = { .no_pivot = a->no_pivot, .userns = a->new_userns,
				  .rootless = a->rootless };
	struct kerr err = { 0 };
	struct kproc_ctx pc = { .spec = spec, .proc = p, .sync_fd = a->sync_fd,
				.console_fd = a->console_fd, .preserve_fds = a->preserve_fds,
				.rootless = a->rootless, .create_cwd = true };
	cleanup_free char *exe = NULL;
	cleanup_free char *label = NULL;
	cleanup_close int procfd = -1;
	int fifo;
	char **env = NULL;
	sigset_t none;

	/* The copy of the state directory's fd would hold its flock until exec
	 * and deadlock `kapsel start`; run blocks signals to forward them. */
	close(a->state_dirfd);
	if (close_stray_fds(a, &err) < 0)
		fail(a, &err);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Die with the runtime until setup is done (when an intermediate process
	 * forked us, it is our parent and exits at once: then the sync socket's
	 * EOF is what tells us the runtime is gone). */
	if (!a->via_intermediate && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_PDEATHSIG)");
		fail(a, &err);
	}
	if (sync_expect(a->sync_fd, SYNC_GO, NULL, NULL, &err) < 0)
		_exit(1);   /* the parent gave up; it cleans up */
	debug_stop_at("init:go");
	/* Keep other processes in the container from ptrace or /proc/PID/exe
	 * access to this one while it still runs the runtime's code
	 * (CVE-2019-5736 class). Only after GO, as runc does: until then an
	 * unprivileged (rootless) parent must open our /proc/PID/uid_map,
	 * gid_map and setgroups, which a non-dumpable process's are not; and
	 * no other process is in our namespaces yet. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_DUMPABLE)");
		fail(a, &err);
	}
	if (set_identity_root(a, &err) < 0)
		fail(a, &err);
	procfd = open_proc_self_fd(&err);
	if (procfd < 0)
		fail(a, &err);
	if (a->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		kerr_errno(&err, "unshare the cgroup namespace");
		fail(a, &err);
	}
	if (set_names(spec, &err) < 0)
		fail(a, &err);
	if (a->new_netns && loopback_up(&err) < 0)
		fail(a, &err);
	label = lsm_mount_label_data(spec);
	mo.mount_label_data = label;
	if (mounts_prepare(spec, &mo, &err) < 0)
		fail(a, &err);
	if (a->hooks_pre_pivot &&
	    (sync_send(a->sync_fd, SYNC_PRE_PIVOT, 0, -1, &err) < 0 ||
	     sync_expect(a->sync_fd, SYNC_PRE_PIVOT_DONE, NULL, NULL, &err) < 0))
		_exit(1);
	/* sysctls go in before readonlyPaths makes /proc/sys read-only (runc's order). */
	if (mounts_pivot(spec, &mo, &err) < 0 || lsm_apply_sysctl(spec, &err) < 0 ||
	    mounts_finalize(spec, &mo, &err) < 0)
		fail(a, &err);
	if (process_prepare(&pc, &exe, &env, &err) < 0)
		fail(a, &err);
	debug_stop_at("init:mounted");
	/* From here we outlive the runtime (seccomp may be loaded: no more
	 * sync points). The state has recorded our pid since we were cloned,
	 * so a runtime killed now leaves a container delete -f removes. */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_PDEATHSIG)");
		fail(a, &err);
	}
	if (sync_send(a->sync_fd, SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	close(a->sync_fd);
	/* We stay non-dumpable until execve: while the container is created,
	 * a dumpable init would let any process in the container with the same
	 * credentials (`kapsel exec` into a created container, a shared pid
	 * namespace) open our /proc/PID/fd entries and reach the runtime's fds.
	 * The kernel lets a process into its own /proc/self/fd whatever its
	 * dumpable flag (proc_fd_permission), so a non-root process.user still
	 * reopens the fifo. */
	fifo = wait_for_start(procfd, a->fifo_fd);
	close(procfd);
	procfd = -1;
	run_start_hooks(a);
	signal_started(fifo);
	execve(exe, p->args, env);
	dprintf(STDERR_FILENO, "kapsel: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
