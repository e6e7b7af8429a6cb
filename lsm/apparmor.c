/* AppArmor backend: process.apparmorProfile becomes the profile of the
 * container's process at its execve. */
#include "lsm/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/apparmor.h>

#include "common/util.h"

static bool aa_available(void)
{
	return aa_is_enabled() == 1;
}

/* Checks the profile is loaded (securityfs lists it), so a typo fails at
 * validation instead of at exec inside a half-built container. When the list
 * is unreadable (no securityfs in this mount namespace, no permission) the
 * kernel will still refuse an unknown profile at exec. */
static int check_loaded(const char *profile, struct kerr *err)
{
	cleanup_free char *mnt = NULL;
	cleanup_free char *path = NULL;
	cleanup_fclose FILE *f = NULL;
	size_t len = strlen(profile);
	char line[4096];

	if (strcmp(profile, "unconfined") == 0)
		return 0;
	if (aa_find_mountpoint(&mnt) < 0) {
		kdebug("apparmor: securityfs not found, cannot check profile %s", profile);
		return 0;
	}
	path = xasprintf("%s/profiles", mnt);
	f = fopen(path, "re");
	if (f == NULL) {
		kdebug("apparmor: cannot read %s (%s), profile %s not checked", path,
		       strerror(errno), profile);
		return 0;
	}
	/* Lines are "NAME (MODE)". */
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, profile, len) == 0 && strncmp(line + len, " (", 2) == 0)
			return 0;
	return kerr_set(err, ENOENT, "process.apparmorProfile: profile \"%s\" is not loaded",
			profile);
}

static int aa_validate(const struct kprocess *proc, struct kerr *err)
{
	if (proc->selinux_label != NULL)
		kdebug("process.selinuxLabel: SELinux is not enabled, label ignored");
	if (proc->apparmor_profile == NULL)
		return 0;
	if (!aa_available())
		return kerr_set(err, ENOTSUP, "process.apparmorProfile: AppArmor is not enabled "
				"on this host");
	return check_loaded(proc->apparmor_profile, err);
}

/* What aa_change_onexec() writes, but through the verified procfs handle:
 * libapparmor opens /proc/<tid>/attr/... by path, which a hostile mount over
 * the container's /proc could redirect (runc's CVE-2019-16884). The
 * LSM-specific attr/apparmor/exec (Linux 5.8+) comes first so the write
 * reaches AppArmor even when another LSM owns attr/exec. */
static int aa_apply_exec(const struct kprocess *proc, struct kerr *err)
{
	cleanup_free char *cmd = NULL;
	struct kerr e2;

	if (proc->apparmor_profile == NULL)
		return 0;
	cmd = xasprintf("exec %s", proc->apparmor_profile);
	if (lsm_procfs_write_attr("apparmor/exec", cmd, strlen(cmd), err) == 0)
		return 0;
	if (err->code != ENOENT)
		return kerr_prefix(err, "process.apparmorProfile %s", proc->apparmor_profile);
	if (lsm_procfs_write_attr("exec", cmd, strlen(cmd), &e2) < 0) {
		*err = e2;
		return kerr_prefix(err, "process.apparmorProfile %s", proc->apparmor_profile);
	}
	return 0;
}

static char *aa_mount_data(const char *mount_label)
{
	if (mount_label != NULL)
		kdebug("linux.mountLabel: SELinux is not enabled, label ignored");
	return NULL;
}

const struct lsm_mac_ops lsm_mac_apparmor = {
	.name = "apparmor",
	.available = aa_available,
	.validate = aa_validate,
	.apply_exec = aa_apply_exec,
	.mount_data = aa_mount_data,
};
