/* SELinux backend: process.selinuxLabel becomes the context of the
 * container's process at its execve; linux.mountLabel the context= of its
 * mounts. */
#include "lsm/internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <selinux/selinux.h>

#include "common/util.h"
#include "lsm/selinux_dl.h"

/* Without libselinux there is no SELinux to serve: the do-nothing backend. */
static bool se_available(void)
{
	struct kerr err = { 0 };

	/* No selinuxfs, no SELinux: not worth loading the library to learn it. */
	if (access("/sys/fs/selinux", F_OK) < 0 && access("/selinux", F_OK) < 0)
		return false;
	if (lsm_selinux_load(&err) < 0) {
		kdebug("SELinux support not loaded: %s", err.msg);
		return false;
	}
	return is_selinux_enabled() == 1;
}

static int se_validate(const struct kprocess *proc, struct kerr *err)
{
	if (proc->apparmor_profile != NULL)
		return kerr_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled "
				"on this host");
	if (proc->selinux_label == NULL)
		return 0;
	if (security_check_context(proc->selinux_label) < 0)
		return kerr_set(err, EINVAL, "process.selinuxLabel: \"%s\" is not a valid context "
				"in the loaded policy", proc->selinux_label);
	return 0;
}

/* setexeccon() without its path-based open of /proc/thread-self/attr/exec:
 * the write goes through the verified procfs handle (CVE-2019-16884 class).
 * Like libselinux, translate to the raw context and write it with its NUL. */
static int se_apply_exec(const struct kprocess *proc, struct kerr *err)
{
	char *raw = NULL;
	int r;

	if (proc->selinux_label == NULL)
		return 0;
	if (selinux_trans_to_raw_context(proc->selinux_label, &raw) < 0 || raw == NULL)
		return kerr_errno(err, "process.selinuxLabel: translate %s", proc->selinux_label);
	r = lsm_procfs_write_attr("exec", raw, strlen(raw) + 1, err);
	freecon(raw);
	if (r < 0)
		return kerr_prefix(err, "process.selinuxLabel %s", proc->selinux_label);
	return 0;
}

static char *se_mount_data(const char *mount_label)
{
	if (mount_label == NULL)
		return NULL;
	return xasprintf("context=\"%s\"", mount_label);
}

const struct lsm_mac_ops lsm_mac_selinux = {
	.name = "selinux",
	.available = se_available,
	.validate = se_validate,
	.apply_exec = se_apply_exec,
	.mount_data = se_mount_data,
};
