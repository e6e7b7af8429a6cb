#include "runtime/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "lsm/lsm.h"
#include "runtime/exec_path.h"
#include "runtime/keyring.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"

/* CVE-2024-21626: a leaked runtime fd as cwd ("/proc/self/fd/7") would put
 * the process outside its root; chdir after pivot_root and check the kernel
 * agrees we are below "/". */
static int enter_cwd(const struct kprocess *p, bool create, struct kerr *err)
{
	char buf[PATH_MAX];

	/* After pivot_root every path resolves inside the container's root. */
	if (chdir(p->cwd) < 0 && !(errno == ENOENT && create && mkdir_p(p->cwd, 0755, NULL) == 0 &&
				   chdir(p->cwd) == 0))
		return kerr_errno(err, "chdir to process.cwd %s", p->cwd);
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return kerr_set(err, EPERM, "process.cwd %s is outside the container's root",
				p->cwd);
	return 0;
}

static int setup_terminal(const struct kproc_ctx *a, struct kerr *err)
{
	const struct kprocess *p = a->proc;
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

static int change_user(const struct kproc_ctx *a, struct kerr *err)
{
	const struct kuser *u = &a->proc->user;

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

static int apply_security(const struct kproc_ctx *a, struct klsm *l, struct kerr *err)
{
	const struct kprocess *p = a->proc;
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

int process_prepare(const struct kproc_ctx *a, char **ret_exe, char ***ret_env,
		    struct kerr *err)
{
	cleanup_free char *exe = NULL;
	char **env = NULL;
	struct klsm *l = NULL;
	int ret = -1;

	/* First, while still the container's root (runc's order). */
	if (a->session_keyring != NULL &&
	    keyring_join_session(a->session_keyring, a->keyring_searchable, a->userns, err) < 0)
		return -1;
	if (setup_terminal(a, err) < 0 || enter_cwd(a->proc, a->create_cwd, err) < 0)
		return -1;
	env = exec_env(a->proc);
	if (exec_find(a->proc->args[0], env, &exe, err) < 0)
		goto out;
	if (lsm_prepare(a->spec, a->proc, &l, err) < 0 || apply_security(a, l, err) < 0)
		goto out;
	/* Only 0-2 and the preserved fds may reach the process. */
	if (mark_cloexec_from(3 + a->preserve_fds, err) < 0)
		goto out;
	*ret_exe = move_ptr(exe);
	*ret_env = move_ptr(env);
	ret = 0;
out:
	lsm_free(l);
	strv_free(env);
	return ret;
}
