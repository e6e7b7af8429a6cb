/* Process security: capabilities, seccomp, AppArmor, SELinux, sysctl,
 * personality, io priority, scheduler: the only door into lsm/.
 *
 * The container's init calls these in this order (runtime/init.c), the order
 * runc uses, because each step needs privileges the next one takes away:
 *   lsm_prepare          parse caps, compile the seccomp filter (nothing applied)
 *   lsm_apply_sysctl     after /proc is mounted in the container
 *   lsm_apply_labels     AppArmor/SELinux exec labels, personality, ioprio, scheduler
 *   lsm_drop_bounding    needs CAP_SETPCAP
 *   (runtime: PR_SET_KEEPCAPS, setgroups/setgid/setuid)
 *   lsm_load_seccomp     if !noNewPrivileges: needs CAP_SYS_ADMIN, so before caps drop
 *                        (it raises CAP_SYS_ADMIN from the permitted set kept by
 *                        PR_SET_KEEPCAPS; runc calls it before lsm_drop_bounding)
 *   lsm_apply_caps       effective/permitted/inheritable/ambient
 *   lsm_load_seccomp     if noNewPrivileges: as late as possible
 *   (runtime: exec fifo, execve)
 */
#ifndef KAPSEL_LSM_H
#define KAPSEL_LSM_H

#include <stdbool.h>

#include <jansson.h>

#include "common/error.h"
#include "spec/spec.h"

struct klsm;

/* Validates every section lsm/ owns (capabilities, seccomp, sysctl,
 * personality, ioPriority, scheduler, apparmor/selinux availability). */
int lsm_validate(const struct kspec *spec, struct kerr *err);
/* The process-only part (capabilities, ioPriority, scheduler, labels), for
 * `exec -p process.json`; lsm_validate calls it for spec->process. */
int lsm_validate_process(const struct kspec *spec, const struct kprocess *proc,
			 struct kerr *err);

/* spec and proc must outlive the handle (it borrows them). proc NULL: none. */
int lsm_prepare(const struct kspec *spec, const struct kprocess *proc, struct klsm **ret,
		struct kerr *err);
/* Needs the container's /proc mounted and still writable: call it before
 * readonlyPaths/maskedPaths make /proc/sys read-only (runc's order). */
int lsm_apply_sysctl(const struct kspec *spec, struct kerr *err);
int lsm_apply_labels(struct klsm *l, struct kerr *err);
int lsm_drop_bounding(struct klsm *l, struct kerr *err);
int lsm_apply_caps(struct klsm *l, struct kerr *err);
/* Loads the filter if this is the right moment for it (see above); sets
 * *ret_notify_fd to the listener fd when the filter uses SCMP_ACT_NOTIFY, else -1.
 * With noNewPrivileges, the late call sets PR_SET_NO_NEW_PRIVS itself first. */
int lsm_load_seccomp(struct klsm *l, bool late, int *ret_notify_fd, struct kerr *err);
/* Sends the notify fd and the container state to linux.seccomp.listenerPath.
 * state_json: the container's state (runtime.md "state", status "creating");
 * its "pid" becomes the message's pid. */
int lsm_send_seccomp_fd(const struct kspec *spec, int notify_fd, const char *state_json,
			struct kerr *err);
void lsm_free(struct klsm *l);

/* The SELinux mount label as mount data ("context=\"...\""), or NULL. */
char *lsm_mount_label_data(const struct kspec *spec);

/* JSON for the `features` command's linux.{capabilities,seccomp,apparmor,selinux}. */
json_t *lsm_features(void);

#endif
