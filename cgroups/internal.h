/* Private to cgroups/: the pieces the manager's files share. Tests include it
 * to reach the conversions and the path logic. */
#ifndef KAPSEL_CGROUPS_INTERNAL_H
#define KAPSEL_CGROUPS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cgroups/cgroups.h"
#include "common/error.h"

struct kcgroup;

/* A cgroup driver: how a container's cgroup gets its processes, new limits,
 * and goes away. cgroupfs (manager.c) does it on the filesystem; systemd
 * (systemd.c) through a transient scope unit, then on the filesystem. */
struct kcg_ops {
	int (*enter)(struct kcgroup *cg, pid_t pid, struct kerr *err);
	int (*update)(struct kcgroup *cg, json_t *resources, struct kerr *err);
	int (*destroy)(struct kcgroup *cg, struct kerr *err);
	void (*release)(struct kcgroup *cg);  /* frees what the driver added */
};

struct kcg_sd;      /* systemd.c: the unit behind the cgroup */

struct kcgroup {
	char *mount;        /* the cgroup2 mount point, e.g. /sys/fs/cgroup */
	char *path;         /* relative to it, starting with '/' */
	int dirfd;          /* O_PATH|O_DIRECTORY would not do: fchown/openat need a real fd */
	bool rootless;
	const struct kcg_ops *ops;
	struct kcg_sd *sd;  /* systemd driver only */
};

/* ---- resources.c: linux.resources -> file writes ---- */

struct kcg_write {
	const char *ctrl;   /* controller it needs ("memory"...), NULL for none */
	char *file;         /* e.g. "memory.max" */
	char *value;
	char *field;        /* the config field, for errors: "linux.resources.memory.limit" */
	char *fallback;     /* file tried on ENOENT (io.bfq.weight), or NULL */
	char *fallback_value;
	bool optional;      /* ENOENT is not an error (hugetlb.*.rsvd.max on old kernels) */
};

/* A device rule of the eBPF filter (major/minor -1: any). */
struct kcg_devrule {
	bool allow;
	char type;          /* 'a', 'c' or 'b' */
	int64_t major, minor;
	unsigned access;    /* BPF_DEVCG_ACC_* bits */
};

struct kcg_plan {
	struct kcg_write *w;
	size_t n;
	struct kcg_devrule *dev;
	size_t n_dev;
	bool has_devices;   /* linux.resources.devices was given */
};

/* Builds the writes for resources (may be NULL). current_memory is the
 * cgroup's memory.max (-1 max, 0 unknown), used by `update` to convert a new
 * swap limit when no new memory limit comes with it. */
int cg_plan_build(json_t *resources, int64_t current_memory, struct kcg_plan *ret,
		  struct kerr *err);
void cg_plan_free(struct kcg_plan *p);

/* The conversions runc and crun use, exposed for the unit tests. */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_to_io_weight(uint64_t weight);
/* swap (v1: memory+swap) to memory.swap.max; -1 = max, 0 = leave unset. */
int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *ret, struct kerr *err);

/* ---- manager.c ---- */

extern const struct kcg_ops cg_fs_ops;
struct kcgroup *cg_new(const char *mount, char *path, int dirfd, bool rootless);
/* "a-b.slice" -> "/a.slice/a-b.slice", as systemd nests slices. */
int cg_slice_path(const char *slice, char **ret, struct kerr *err);
/* The cgroupfs driver's steps, which the systemd driver reuses. */
int cg_fs_enter(struct kcgroup *cg, pid_t pid, struct kerr *err);
/* The plan for an update (reads the current memory.max for swap). */
int cg_fs_update_plan(struct kcgroup *cg, json_t *resources, struct kcg_plan *ret,
		      struct kerr *err);
/* Checks controllers, then applies the writes and the device filter. */
int cg_fs_apply(struct kcgroup *cg, const struct kcg_plan *p, struct kerr *err);
/* Kills every process and waits until the cgroup is empty. */
int cg_fs_empty(struct kcgroup *cg, struct kerr *err);
/* rmdir of the cgroup and its children (ENOENT is fine). */
int cg_fs_remove(struct kcgroup *cg, struct kerr *err);

/* The cgroup2 mount point, or NULL when there is none. */
const char *cg_mount_point(void);
/* The cgroup path (relative to the mount) for cgroupsPath, or the default
 * /kapsel/<id>. own_cgroup is this process's cgroup ("0::" line of
 * /proc/self/cgroup), used for relative paths. */
int cg_compute_path(const char *id, const char *cgroups_path, const char *own_cgroup,
		    char **ret, struct kerr *err);
/* Whether the controllers file at dirfd lists ctrl. */
bool cg_has_controller(int dirfd, const char *ctrl);
/* Applies the writes of a plan in the cgroup. */
int cg_apply_writes(int dirfd, const struct kcg_plan *p, struct kerr *err);
/* Checks that every controller the plan needs is in the controllers file of
 * dirfd (the mount root at create, the cgroup itself at update). */
int cg_check_controllers(int dirfd, const char *where, bool rootless, const struct kcg_plan *p,
			 struct kerr *err);

/* ---- systemd_props.c: the systemd driver without a bus ---- */

enum kcg_sdtype { KCG_SD_U64, KCG_SD_BYTES };

/* A unit property mirroring a cgroup file: "t" or "ay" on the bus. */
struct kcg_sdprop {
	const char *name;   /* "MemoryMax" */
	enum kcg_sdtype type;
	uint64_t u;         /* UINT64_MAX is systemd's infinity */
	uint8_t *bytes;     /* AllowedCPUs, AllowedMemoryNodes */
	size_t n_bytes;
};

struct kcg_sdprops {
	struct kcg_sdprop *p;
	size_t n;
};

/* "slice:prefix:name" -> slice "slice" and unit "prefix-name.scope"; NULL or
 * "" -> the default slice and "kapsel-<id>.scope". Plain paths are refused. */
int cg_sd_unit_names(const char *id, const char *cgroups_path, bool rootless, char **ret_slice,
		     char **ret_unit, struct kerr *err);
/* The properties, for a systemd of the given version, that carry the plan's
 * writes systemd knows (MemoryMax for memory.max...); other writes have none. */
int cg_sd_props_from_plan(const struct kcg_plan *p, unsigned version, struct kcg_sdprops *ret,
			  struct kerr *err);
void cg_sd_props_free(struct kcg_sdprops *ps);
/* "0-2,5" -> systemd's CPU mask bytes (CPU n is bit n%8 of byte n/8). */
int cg_sd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_n, struct kerr *err);

/* ---- devices_bpf.c ---- */

struct bpf_insn;
/* Builds the program: rules (last match wins), then the OCI default devices,
 * default deny. *ret is malloc'ed. */
int cg_devices_program(const struct kcg_devrule *rules, size_t n, struct bpf_insn **ret,
		       size_t *ret_n, struct kerr *err);
/* Loads the program for rules and attaches it to the cgroup, then detaches
 * the programs that were attached before (update replaces the filter). */
int cg_devices_apply(int cgroup_fd, const struct kcg_devrule *rules, size_t n, struct kerr *err);

/* ---- freeze.c ---- */

/* The value of key in a flat "key value" file (cgroup.events, memory.events), or -1. */
int64_t cg_flat_key(int dirfd, const char *file, const char *key);

/* Waits until cgroup.events has "key value" (timeout in ms). */
int cg_wait_event(int dirfd, const char *key, int value, int timeout_ms, struct kerr *err);

#endif
