/* lsm/ internals shared between its files (and its unit tests); nobody
 * outside lsm/ includes this: lsm/lsm.h is the folder's only door. */
#ifndef KAPSEL_LSM_INTERNAL_H
#define KAPSEL_LSM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <seccomp.h>

#include "common/error.h"
#include "spec/spec.h"

/* ---- procfs.c: a /proc we can trust ---- */

/* Opens path (normally "/proc") as a directory and checks it is the root of
 * a real procfs (PROC_SUPER_MAGIC), so a tmpfs or bind mount staged over it
 * cannot redirect our writes. Returns the fd. */
int lsm_procfs_open(const char *path, struct kerr *err);
/* Opens rel below a verified procfs fd without following any symlink or
 * magic link and without crossing a mount (something mounted over a /proc
 * file is refused with EXDEV): the CVE-2019-16884 / CVE-2025-52881 class. */
int lsm_procfs_open_at(int procfd, const char *rel, int flags, struct kerr *err);
/* Writes buf to /proc/thread-self/attr/<rel> through a verified handle. */
int lsm_procfs_write_attr(const char *rel, const char *buf, size_t len, struct kerr *err);

/* ---- caps.c ---- */

struct lsm_caps {
	bool present;           /* process.capabilities given: otherwise caps are left alone */
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* Validates process.capabilities (NULL is fine) and returns the masks, with
 * capabilities the running kernel does not know left out (debug log). */
int lsm_caps_parse(json_t *caps, struct lsm_caps *ret, struct kerr *err);
int lsm_caps_drop_bounding(const struct lsm_caps *c, struct kerr *err);
int lsm_caps_apply(const struct lsm_caps *c, struct kerr *err);
/* The names this build knows, indexed by capability number. */
size_t lsm_cap_known_count(void);
const char *lsm_cap_name(size_t cap);

/* ---- seccomp.c ---- */

struct lsm_seccomp {
	scmp_filter_ctx ctx;    /* NULL: no linux.seccomp */
	bool uses_notify;
};

/* Validates linux.seccomp and compiles it (nothing is loaded). json NULL: no filter. */
int lsm_seccomp_compile(json_t *json, struct lsm_seccomp *ret, struct kerr *err);
void lsm_seccomp_release(struct lsm_seccomp *s);
/* Loads the filter into the calling thread; *ret_notify_fd as lsm_load_seccomp. */
int lsm_seccomp_load(struct lsm_seccomp *s, int *ret_notify_fd, struct kerr *err);
json_t *lsm_seccomp_features(void);

/* ---- sysctl.c ---- */

int lsm_sysctl_validate(const struct kspec *spec, struct kerr *err);
/* As lsm_apply_sysctl, with the procfs root given (tests point it elsewhere). */
int lsm_sysctl_apply_at(const struct kspec *spec, const char *proc_path, struct kerr *err);

/* ---- process_attrs.c: personality, ioPriority, scheduler ---- */

int lsm_attrs_validate(const struct kspec *spec, const struct kprocess *proc, struct kerr *err);
int lsm_attrs_apply(const struct kspec *spec, const struct kprocess *proc, struct kerr *err);

/* ---- MAC backends (mac.c picks one at run time by what the kernel has) ---- */

struct lsm_mac_ops {
	const char *name;
	bool (*available)(void);
	/* Checks process.apparmorProfile / process.selinuxLabel can be applied here. */
	int (*validate)(const struct kprocess *proc, struct kerr *err);
	/* Sets the label the next execve takes on. */
	int (*apply_exec)(const struct kprocess *proc, struct kerr *err);
	/* Mount data for linux.mountLabel, or NULL. */
	char *(*mount_data)(const char *mount_label);
};

extern const struct lsm_mac_ops lsm_mac_apparmor;
extern const struct lsm_mac_ops lsm_mac_selinux;
extern const struct lsm_mac_ops lsm_mac_none;

const struct lsm_mac_ops *lsm_mac_get(void);

/* ---- the handle lsm_prepare returns ---- */

struct klsm {
	const struct kspec *spec;       /* borrowed: outlives the handle */
	const struct kprocess *proc;    /* borrowed */
	const struct lsm_mac_ops *mac;
	struct lsm_caps caps;
	struct lsm_seccomp seccomp;
	bool seccomp_loaded;
};

#endif
