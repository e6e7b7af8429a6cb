/* The lsm/ entry points: validation up front, then the container init's
 * steps in the order lsm/lsm.h lists, each delegating to the file that owns
 * the concern. */
#include "lsm/lsm.h"
#include "lsm/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/util.h"

static const struct kprocess no_process;

int lsm_validate_process(const struct kspec *spec, const struct kprocess *proc,
			 struct kerr *err)
{
	struct lsm_caps caps;

	if (proc == NULL)
		return 0;
	if (lsm_caps_parse(proc->capabilities, &caps, err) < 0 ||
	    lsm_attrs_validate(spec, proc, err) < 0 ||
	    lsm_mac_get()->validate(proc, err) < 0)
		return -1;
	return 0;
}

int lsm_validate(const struct kspec *spec, struct kerr *err)
{
	json_t *linux_obj = json_object_get(spec->json, "linux");
	json_t *rdt = json_object_get(linux_obj, "intelRdt");
	struct lsm_seccomp sc;

	if (rdt != NULL && !json_is_null(rdt))
		return kerr_set(err, ENOTSUP, "linux.intelRdt: not supported by kapsel");
	/* Compiling the filter is the only complete check of it (libseccomp
	 * may still refuse a rule); it is cheap and applies nothing. */
	if (lsm_seccomp_compile(spec->seccomp, &sc, err) < 0)
		return -1;
	lsm_seccomp_release(&sc);
	if (lsm_sysctl_validate(spec, err) < 0 || lsm_attrs_validate(spec, NULL, err) < 0)
		return -1;
	return lsm_validate_process(spec, spec->process, err);
}

int lsm_prepare(const struct kspec *spec, const struct kprocess *proc, struct klsm **ret,
		struct kerr *err)
{
	struct klsm *l = xcalloc(1, sizeof(*l));

	l->spec = spec;
	l->proc = proc != NULL ? proc : &no_process;
	l->mac = lsm_mac_get();
	if (lsm_caps_parse(l->proc->capabilities, &l->caps, err) < 0 ||
	    lsm_seccomp_compile(spec->seccomp, &l->seccomp, err) < 0) {
		free(l);
		return -1;
	}
	*ret = l;
	return 0;
}

int lsm_apply_sysctl(const struct kspec *spec, struct kerr *err)
{
	return lsm_sysctl_apply_at(spec, "/proc", err);
}

int lsm_apply_labels(struct klsm *l, struct kerr *err)
{
	if (l->mac->apply_exec(l->proc, err) < 0)
		return -1;
	return lsm_attrs_apply(l->spec, l->proc, err);
}

int lsm_drop_bounding(struct klsm *l, struct kerr *err)
{
	return lsm_caps_drop_bounding(&l->caps, err);
}

int lsm_apply_caps(struct klsm *l, struct kerr *err)
{
	return lsm_caps_apply(&l->caps, err);
}

/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN in effect, but a
 * switch to a non-root uid (even with PR_SET_KEEPCAPS) empties the effective
 * set. Raise CAP_SYS_ADMIN back from the permitted set for the load;
 * lsm_apply_caps sets the final sets right after. */
static int raise_sys_admin(struct kerr *err)
{
	cap_value_t v = CAP_SYS_ADMIN;
	cap_flag_value_t have = CAP_CLEAR;
	cap_t caps = cap_get_proc();
	int r = 0;

	if (caps == NULL)
		return kerr_errno(err, "cap_get_proc");
	if (cap_get_flag(caps, v, CAP_EFFECTIVE, &have) == 0 && have == CAP_SET)
		goto out;
	if (cap_get_flag(caps, v, CAP_PERMITTED, &have) == 0 && have == CAP_SET &&
	    (cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 || cap_set_proc(caps) < 0))
		r = kerr_errno(err, "raise CAP_SYS_ADMIN to load the seccomp filter");
out:
	cap_free(caps);
	return r;
}

int lsm_load_seccomp(struct klsm *l, bool late, int *ret_notify_fd, struct kerr *err)
{
	bool nnp = l->proc->no_new_privileges;

	if (l->seccomp.ctx == NULL || late != nnp || l->seccomp_loaded) {
		*ret_notify_fd = -1;
		return 0;
	}
	if (nnp) {
		/* Set here too (idempotent with the runtime's prctl): it is
		 * what lets an unprivileged process load the filter. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return kerr_errno(err, "prctl(PR_SET_NO_NEW_PRIVS)");
	} else if (raise_sys_admin(err) < 0) {
		return -1;
	}
	if (lsm_seccomp_load(&l->seccomp, ret_notify_fd, err) < 0)
		return -1;
	l->seccomp_loaded = true;
	return 0;
}

void lsm_free(struct klsm *l)
{
	if (l == NULL)
		return;
	lsm_seccomp_release(&l->seccomp);
	free(l);
}

char *lsm_mount_label_data(const struct kspec *spec)
{
	return lsm_mac_get()->mount_data(spec->mount_label);
}
