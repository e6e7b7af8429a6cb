/* Picks the MAC backend (AppArmor, SELinux or none) by what the running
 * kernel has, once, and logs the choice. The backends live in their own
 * files; "none" is here: it refuses an AppArmor profile it cannot apply and,
 * as runc does where SELinux is off, ignores an SELinux label. */
#include "lsm/internal.h"

#include <errno.h>

#include "common/util.h"

static bool none_available(void)
{
	return true;
}

static int none_validate(const struct kprocess *proc, struct kerr *err)
{
	if (proc->apparmor_profile != NULL)
		return kerr_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled "
				"on this host");
	if (proc->selinux_label != NULL)
		kdebug("process.selinuxLabel: SELinux is not enabled, label ignored");
	return 0;
}

static int none_apply_exec(const struct kprocess *proc, struct kerr *err)
{
	(void)proc;
	(void)err;
	return 0;
}

static char *none_mount_data(const char *mount_label)
{
	if (mount_label != NULL)
		kdebug("linux.mountLabel: SELinux is not enabled, label ignored");
	return NULL;
}

const struct lsm_mac_ops lsm_mac_none = {
	.name = "none",
	.available = none_available,
	.validate = none_validate,
	.apply_exec = none_apply_exec,
	.mount_data = none_mount_data,
};

const struct lsm_mac_ops *lsm_mac_get(void)
{
	static const struct lsm_mac_ops *chosen;

	if (chosen == NULL) {
		if (lsm_mac_apparmor.available())
			chosen = &lsm_mac_apparmor;
		else if (lsm_mac_selinux.available())
			chosen = &lsm_mac_selinux;
		else
			chosen = &lsm_mac_none;
		kdebug("lsm: MAC backend %s", chosen->name);
	}
	return chosen;
}
