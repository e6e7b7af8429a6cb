/* libselinux, loaded on first use (common/dlib.h says why; its constructor
 * also probes selinuxfs at every start). Include after <selinux/selinux.h>. */
#ifndef KAPSEL_LSM_SELINUX_DL_H
#define KAPSEL_LSM_SELINUX_DL_H

#include <selinux/selinux.h>

#include "common/error.h"

#define LSM_SELINUX_FUNCS(X) \
	X(is_selinux_enabled) X(security_check_context) X(selinux_trans_to_raw_context) \
	X(freecon)

struct lsm_selinux_api {
#define X(f) __typeof__(f) *f;
	LSM_SELINUX_FUNCS(X)
#undef X
};

extern struct lsm_selinux_api lsm_selinux;
int lsm_selinux_load(struct kerr *err);

#define is_selinux_enabled (lsm_selinux.is_selinux_enabled)
#define security_check_context (lsm_selinux.security_check_context)
#define selinux_trans_to_raw_context (lsm_selinux.selinux_trans_to_raw_context)
#define freecon (lsm_selinux.freecon)

#endif
