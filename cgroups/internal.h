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

/* One cgroup v1 hierarchy (layout.c), and in a kcgroup the container's
 * directory in it. */
struct kcg_hier {
	char *mount;        /* e.g. /sys/fs/cgroup/cpu,cpuacct */
	char *ctrls;        /* its controllers, comma-separated: "cpu,cpuacct" */
	int dirfd;          /* the container's directory (kcgroup), -1 in a layout */
};

/* What the host mounts: a cgroup2 hierarchy (pure v2, or hybrid's
 * .../unified) and cgroup v1 hierarchies (hybrid, pure v1). */
struct kcg_layout {
	char *v2_mount;     /* NULL when no cgroup2 is mounted */
	char *v2_ctrls;     /* controllers usable there, space-separated ("" for none) */
	struct kcg_hier *v1;
	size_t n_v1;
};

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
	char *mount;        /* the cgroup2 mount point, e.g. /sys/fs/cgroup, or NULL (pure v1) */
	char *path;         /* relative to each mount, starting with '/' */
	int dirfd;          /* cgroup2 dir, or -1; a real fd: fchown/openat need one */
	bool rootless;
	struct kcg_hier *v1;   /* the container's dir in each v1 hierarchy */
	size_t n_v1;

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
	bool v2_only;       /* a cgroup2 file with no v1 counterpart (linux.resources.unified) */
	enum { KCG_WRITE, KCG_IGNORE, KCG_REFUSE } kind;
	char *why;          /* KCG_IGNORE: warning; KCG_REFUSE: error (both after field) */
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

/* Exposed to v1_resources.c (same meaning as in resources.c). */
void cg_plan_add(struct kcg_plan *p, const char *ctrl, const char *field, char *file,
		 char *value);
int cg_get_int(json_t *obj, const char *key, const char *where, int64_t *ret, bool *present,
	       struct kerr *err);

/* ---- v1_resources.c: linux.resources -> cgroup v1 files, runc's v1 meaning ---- */

/* The writes (ctrl: the v1 controller) for resources already accepted by
 * cg_plan_build. current_limit is memory.limit_in_bytes (-1 unknown or
 * unlimited): when raising both, memsw must be raised before the limit. */
int cg_v1_plan_build(json_t *resources, int64_t current_limit, struct kcg_plan *ret,
		     struct kerr *err);
/* devices.deny "a", the rules, then the OCI default devices. */
void cg_v1_plan_devices(const struct kcg_devrule *rules, size_t n, struct kcg_plan *p);

/* ---- layout.c ---- */

/* Parses a mountinfo text (tests) or reads /proc/self/mountinfo and the
 * cgroup2 root's controllers. */
int cg_layout_parse(const char *mountinfo, struct kcg_layout *ret);
int cg_layout_read(struct kcg_layout *ret, struct kerr *err);
void cg_layout_free(struct kcg_layout *l);
/* Whether item is in a list separated by spaces, commas or newlines. */
bool cg_list_has(const char *list, const char *item);
/* The v1 hierarchy of hiers holding v1 controller ctrl, or NULL. */
struct kcg_hier *cg_hier_find(struct kcg_hier *hiers, size_t n, const char *ctrl);

/* ---- hybrid.c: which hierarchy each limit goes to ---- */

enum kcg_where { KCG_NONE, KCG_V2, KCG_V1 };
/* Where controller ctrl (v2 or v1 name: "io" and "blkio" are one) lives. */
enum kcg_where cg_where(const struct kcg_layout *l, const char *ctrl);
/* Splits resources into the cgroup2 writes (*ret_v2) and the v1 writes
 * (*ret_v1), refusing (before anything is written) what the layout cannot
 * apply. cur_v2/cur_v1: the current memory limits, for `update`. */
int cg_plan_select(const struct kcg_layout *l, json_t *resources, int64_t cur_v2, int64_t cur_v1,
		   bool rootless, struct kcg_plan *ret_v2, struct kcg_plan *ret_v1,
		   struct kerr *err);

/* ---- v1.c: the container's directories in the v1 hierarchies ---- */

/* Creates path in every hierarchy of l and applies p; on failure removes
 * what it made. */
int cg_v1_create(const struct kcg_layout *l, const char *path, const struct kcg_plan *p,
		 struct kcg_hier **ret, size_t *ret_n, struct kerr *err);
/* Opens path in each hierarchy of l where it exists. */
int cg_v1_open(const struct kcg_layout *l, const char *path, struct kcg_hier **ret,
	       size_t *ret_n, struct kerr *err);
int cg_v1_apply(struct kcg_hier *h, size_t n, const struct kcg_plan *p, struct kerr *err);
int cg_v1_enter(struct kcgroup *cg, pid_t pid, struct kerr *err);
/* The hierarchy dirs, as a layout, for cg_plan_select at `update`. */
void cg_v1_as_layout(const struct kcgroup *cg, struct kcg_layout *ret);
/* Kills, waits until empty, removes the dirs. */
int cg_v1_destroy(struct kcgroup *cg, struct kerr *err);
void cg_v1_free(struct kcg_hier *h, size_t n);
/* freezer.state: freeze or thaw (waits for the kernel), is frozen (1/0/-1). */
int cg_v1_freeze(struct kcgroup *cg, bool frozen, struct kerr *err);
int cg_v1_is_frozen(struct kcgroup *cg);
/* Signals every process (frozen meanwhile, so none forks away). */
int cg_v1_kill_all(struct kcgroup *cg, int sig, struct kerr *err);
/* An eventfd signalled on each OOM of the memory cgroup (cgroup.event_control). */
int cg_v1_oom_eventfd(const struct kcgroup *cg, struct kerr *err);
/* The directory to list processes from (any hierarchy holds them all). */
int cg_v1_any_fd(const struct kcgroup *cg);

/* ---- v1_stats.c ---- */
json_t *cg_v1_cpu_stats(int cpu_fd, int cpuacct_fd);
json_t *cg_v1_memory_stats(int fd);
json_t *cg_v1_pids_stats(int fd);
json_t *cg_v1_blkio_stats(int fd);
json_t *cg_v1_hugetlb_stats(int fd);

/* ---- stats.c: the cgroup2 sections ---- */
json_t *cg2_cpu_stats(int dirfd);
json_t *cg2_memory_stats(int dirfd);
json_t *cg2_pids_stats(int dirfd);
json_t *cg2_blkio_stats(int dirfd);
json_t *cg2_hugetlb_stats(int dirfd);

/* ---- lifecycle.c: the cgroupfs driver ---- */

extern const struct kcg_ops cg_fs_ops;
/* A kcgroup of the cgroupfs driver, no dirs open yet (dirfd -1). */
struct kcgroup *cg_new(const char *mount, const char *path, bool rootless);
/* The cgroupfs driver's steps, which the systemd driver reuses. */
int cg_fs_enter(struct kcgroup *cg, pid_t pid, struct kerr *err);
/* The writes an update makes (cgroup2, v1), against the current limits. */
int cg_update_plans(struct kcgroup *cg, json_t *resources, struct kcg_plan *ret_v2,
		    struct kcg_plan *ret_v1, struct kerr *err);
/* Checks the controllers, then writes the plans and the device filter. */
int cg_apply_plans(struct kcgroup *cg, const struct kcg_plan *p2, const struct kcg_plan *p1,
		   struct kerr *err);
/* Kills every process of the cgroup2 dir and waits until it is empty. */
int cg2_empty(struct kcgroup *cg, struct kerr *err);

/* ---- manager.c ---- */

/* "a-b.slice" -> "/a.slice/a-b.slice", as systemd nests slices. */
int cg_slice_path(const char *slice, char **ret, struct kerr *err);
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
/* mkdir of each missing component of path below rootfd; *ret_first: the
 * first one made, to undo with cg_remove_created. */
int cg_mkdir_path(int rootfd, const char *path, char **ret_first, struct kerr *err);
void cg_remove_created(int rootfd, const char *mount, const char *path, const char *first);
/* rmdir of a cgroup dir and its children; -1 with errno. */
int cg_rmdir_tree(int parentfd, const char *name);
/* Removes the shared default parent (/kapsel) under rootfd when path was its last child. */
void cg_rmdir_default_parent(int rootfd, const char *path);
/* This process's cgroup2 path ("0::" line of /proc/self/cgroup), or NULL. */
char *cg_own_cgroup(void);
/* Makes the cgroup2 dir path with controllers enabled above it, applies p,
 * puts the device filter on; *ret_fd the dir, *ret_first the first dir made
 * (for cg_remove_created, or NULL). Undoes it all on failure. */
int cg2_create_in(int rootfd, const char *mount, const char *path, const struct kcg_plan *p,
		  bool rootless, int *ret_fd, char **ret_first, struct kerr *err);
/* No empty, "." or ".." components. */
bool cg_path_clean(const char *p);
/* Appends the pids of cfd's cgroup.procs and every child cgroup's. */
int cg_collect_pids(int cfd, pid_t **v, size_t *n, struct kerr *err);

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
/* The devices every container gets (config-linux.md "Default Devices"). */
extern const struct kcg_devrule cg_default_devrules[];
extern const size_t cg_n_default_devrules;
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
