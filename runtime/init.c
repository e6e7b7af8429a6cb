/* The child side of the start-up recipe. Each step runs with the privileges
 * the next ones take away, in the order runc uses; see lsm/lsm.h. */
#include "runtime/init.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "lsm/lsm.h"
#include "runtime/exec_path.h"
#include "runtime/mounts.h"
#include "runtime/sync.h"
#include "runtime/tty_relay.h"

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

static int set_names(const struct kspec *spec, struct kerr *err)
{
	if (spec->hostname != NULL && sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return kerr_errno(err, "sethostname %s", spec->hostname);
	if (spec->domainname != NULL &&
	    setdomainname(spec->domainname, strlen(spec->domainname)) < 0)
		return kerr_errno(err, "setdomainname %s", spec->domainname);
	return 0;
}

/* CVE-2024-21626: a leaked runtime fd as cwd ("/proc/self/fd/7") would put
 * the process outside its root; chdir after pivot_root and check the kernel
 * agrees we are below "/". */
static int enter_cwd(const struct kprocess *p, struct kerr *err)
{
	char buf[PATH_MAX];

	if (chdir(p->cwd) < 0)
		return kerr_errno(err, "chdir to process.cwd %s", p->cwd);
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return kerr_set(err, EPERM, "process.cwd %s is outside the container's root",
				p->cwd);
	return 0;
}

static int setup_terminal(const struct kinit_args *a, struct kerr *err)
{
	const struct kprocess *p = a->spec->process;
	cleanup_close int master = -1, slave = -1;

	if (!p->terminal) {
		if (setsid() < 0)
			return kerr_errno(err, "setsid");
		return 0;
	}
	if (tty_open_pty(&master, &slave, err) < 0)
		return kerr_prefix(err, "process.terminal");
	if (p->has_console_size &&
	    tty_set_size(master, p->console_height, p->console_width, err) < 0)
		return -1;
	if (tty_send_master_fd(a->console_fd, master, err) < 0)
		return -1;
	if (setsid() < 0)
		return kerr_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return kerr_errno(err, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++) {
		if (dup2(slave, fd) < 0)
			return kerr_errno(err, "dup2 pty to fd %d", fd);
	}
	return 0;
}

static int change_user(const struct kinit_args *a, struct kerr *err)
{
	const struct kuser *u = &a->spec->process->user;

	/* Drop the runtime's supplementary groups; a user namespace with
	 * setgroups denied (rootless) has none to drop and refuses the call. */
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0 &&
	    !(errno == EPERM && a->rootless && u->n_additional_gids == 0))
		return kerr_errno(err, "setgroups (process.user.additionalGids)");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return kerr_errno(err, "setgid %u (process.user.gid)", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return kerr_errno(err, "setuid %u (process.user.uid)", u->uid);
	if (u->has_umask)
		umask(u->umask);
	return 0;
}

static int apply_security(const struct kinit_args *a, struct klsm *l, struct kerr *err)
{
	const struct kprocess *p = a->spec->process;
	int notify_fd = -1;

	if (lsm_apply_labels(l, err) < 0 || lsm_drop_bounding(l, err) < 0)
		return -1;
	/* Keep the permitted set across setuid: the spec's capabilities apply
	 * to the configured user, not only to root. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return kerr_errno(err, "prctl(PR_SET_KEEPCAPS)");
	if (change_user(a, err) < 0)
		return -1;
	if (lsm_load_seccomp(l, false, &notify_fd, err) < 0)
		return -1;
	if (lsm_apply_caps(l, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return kerr_errno(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (notify_fd < 0 && lsm_load_seccomp(l, true, &notify_fd, err) < 0)
		return -1;
	if (notify_fd >= 0) {
		int r = sync_send(a->sync_fd, SYNC_SECCOMP_FD, 0, notify_fd, err);

		close(notify_fd);
		if (r < 0 || sync_expect(a->sync_fd, SYNC_SECCOMP_DONE, NULL, NULL, err) < 0)
			return -1;
	}
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

_Noreturn void init_main(const struct kinit_args *a)
{
	const struct kspec *spec = a->spec;
	const struct kprocess *p = spec->process;
	struct kmount_opts mo = { .no_pivot = a->no_pivot, .userns = a->new_userns,
				  .rootless = a->rootless };
	struct kerr err = { 0 };
	struct klsm *l = NULL;
	cleanup_free char *exe = NULL;
	cleanup_free char *label = NULL;
	cleanup_close int procfd = -1;
	char **env = NULL;

	sigset_t none;

	/* The copy of the state directory's fd would hold its flock until exec
	 * and deadlock `kapsel start`; run blocks signals to forward them. */
	close(a->state_dirfd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Die with the runtime until setup is done, and keep other processes in
	 * the container from ptrace or /proc/PID/exe access to this one while it
	 * still runs the runtime's code (CVE-2019-5736 class). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
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
	if (set_identity_root(a, &err) < 0)
		fail(a, &err);
	if (a->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0) {
		kerr_errno(&err, "unshare the cgroup namespace");
		fail(a, &err);
	}
	if (set_names(spec, &err) < 0)
		fail(a, &err);
	label = lsm_mount_label_data(spec);
	mo.mount_label_data = label;
	if (mounts_prepare(spec, &mo, &err) < 0)
		fail(a, &err);
	if (a->hooks_pre_pivot &&
	    (sync_send(a->sync_fd, SYNC_PRE_PIVOT, 0, -1, &err) < 0 ||
	     sync_expect(a->sync_fd, SYNC_PRE_PIVOT_DONE, NULL, NULL, &err) < 0))
		_exit(1);
	if (mounts_pivot(spec, &mo, &err) < 0 || mounts_finalize(spec, &mo, &err) < 0)
		fail(a, &err);
	if (lsm_apply_sysctl(spec, &err) < 0)
		fail(a, &err);
	if (setup_terminal(a, &err) < 0 || enter_cwd(p, &err) < 0)
		fail(a, &err);
	env = exec_env(p);
	if (exec_find(p->args[0], env, &exe, &err) < 0)
		fail(a, &err);
	if (lsm_prepare(spec, p, &l, &err) < 0 || apply_security(a, l, &err) < 0)
		fail(a, &err);
	/* Only 0-2 and the preserved fds may reach the process. */
	if (mark_cloexec_from(3 + a->preserve_fds, &err) < 0)
		fail(a, &err);
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		kerr_errno(&err, "prctl(PR_SET_PDEATHSIG)");
		fail(a, &err);
	}
	if (sync_send(a->sync_fd, SYNC_READY, 0, -1, &err) < 0)
		_exit(1);
	close(a->sync_fd);
	wait_for_start(procfd, a->fifo_fd);
	close(procfd);
	procfd = -1;
	execve(exe, p->args, env);
	dprintf(STDERR_FILENO, "kapsel: exec %s: %s\n", exe, strerror(errno));
	_exit(127);
}
