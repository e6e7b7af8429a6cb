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





/* Blocks until `kapsel start` opens the fifo for reading. The fifo is
 * reopened through the procfs fd directory taken before pivot_root, so it
 * works even when the container mounts no /proc. */
static void wait_for_start(int procfd, int fifo_fd)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%d", fifo_fd);
	fd = openat(procfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		dprintf(STDERR_FILENO, "kapsel: open exec fifo: %s\n", strerror(errno));
		_exit(1);
	}
	close(fd);
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
	char **env = NULL;
	/* A non-dumpable process's /proc/PID files belong to the real root (its
	 * mm was made in the host's user namespace): a rootless parent could then
	 * not write our uid_map, setgroups and oom_score_adj. As runc does, stay
	 * dumpable until the parent is done with them (SYNC_GO); until then we
	 * run only runtime code, as the same user as the parent. */
	bool rootless_maps = a->rootless && a->new_userns;
	sigset_t none;

	/* The copy of the state directory's fd would hold its flock until exec
	 * and deadlock `kapsel start`; run blocks signals to forward them. */
	close(a->state_dirfd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Die with the runtime until setup is done (when an intermediate process
	 * forked us, it is our parent and exits at once: then the sync socket's
	 * EOF is what tells us the runtime is gone), and keep other processes in
	 * the container from ptrace or /proc/PID/exe access to this one while it
	 * still runs the runtime's code (CVE-2019-5736 class). */
	if ((!a->via_intermediate && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) ||
	    (!rootless_maps && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)) {
		kerr_errno(&err, "prctl");
		fail(a, &err);
	}
	procfd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		kerr_errno(&err, "open /proc/self/fd");
		fail(a, &err);
	}
	if (sync_expect(a->sync_fd, SYNC_GO, NULL, NULL, &err) < 0)
		_exit(1);   /* the parent gave up; it cleans up */
	if (rootless_maps && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_DUMPABLE)");
		fail(a, &err);
	}
	if (set_identity_root(a, &err) < 0)
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
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_PDEATHSIG)");
		fail(a, &err);
	}
	if (sync_send(a->sync_fd, SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	close(a->sync_fd);
	/* A non-dumpable process's /proc/self/fd belongs to root, so a non-root
	 * process.user could not reopen the fifo through it. From here on the
	 * process has the container's credentials, capabilities and seccomp
	 * filter, and its exe is the sealed memfd: being dumpable gives a
	 * process in the container nothing it does not already have. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	wait_for_start(procfd, a->fifo_fd);
	close(procfd);
	procfd = -1;
	run_start_hooks(a);
	execve(exe, p->args, env);
	dprintf(STDERR_FILENO, "kapsel: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
