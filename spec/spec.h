/* config.json, parsed and validated once, up front, before anything is
 * created: a bad config fails here with a message naming the field and leaves
 * nothing behind. Sections owned by other folders (linux.resources, seccomp,
 * capabilities, hooks, sysctl) stay as JSON in `json` and are validated by
 * those folders' own validate functions, which runtime/create.c calls. */
#ifndef KAPSEL_SPEC_SPEC_H
#define KAPSEL_SPEC_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

enum kns_type {
	KNS_PID, KNS_NET, KNS_MNT, KNS_IPC, KNS_UTS, KNS_USER, KNS_CGROUP, KNS_TIME,
	KNS_COUNT
};

struct kns {
	bool wanted;        /* listed in linux.namespaces */
	char *path;         /* join this one (NULL: create a new one) */
};

struct kidmap {
	uint32_t container_id, host_id, size;
};

struct kmount {
	char *destination;  /* absolute, inside the container */
	char *type;         /* may be NULL (bind) */
	char *source;       /* absolute on the host for binds (made so relative to the bundle) */
	char **options;     /* raw options, NULL-terminated */
	/* decoded from options */
	unsigned long flags;        /* MS_* set */
	unsigned long clear_flags;  /* MS_* the options clear (rw, suid, dev, exec...) */
	unsigned long propagation;  /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [|MS_REC] */
	bool bind;                  /* bind or rbind */
	bool recursive_ro;          /* rro */
	char *data;                 /* the options the kernel takes as data (size=, mode=...) */
	/* the recursive r* options (rro, rnosuid, rnoatime...): MOUNT_ATTR_* for
	 * mount_setattr(AT_RECURSIVE) after the mount; rec_attr_set has
	 * MOUNT_ATTR_RDONLY exactly when recursive_ro is true */
	unsigned long rec_attr_set, rec_attr_clr;
	/* idmap / ridmap: an idmapped mount (mount's uidMappings/gidMappings in the
	 * JSON, else the container's user namespace); never passed to mount(2) */
	bool idmap, idmap_recursive;
};

struct kdevice {
	char *path;
	char type;          /* 'c', 'b', 'p' (u is treated as c) */
	int64_t major, minor;
	uint32_t file_mode; /* 0 when absent: 0666 */
	bool has_mode;
	uint32_t uid, gid;
	bool has_uid, has_gid;
};

struct krlimit {
	int resource;       /* RLIMIT_* */
	uint64_t soft, hard;
};

struct kuser {
	uint32_t uid, gid;
	uint32_t umask;
	bool has_umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	char *username;     /* for Windows only in the spec; ignored */
};

struct kprocess {
	bool terminal;
	unsigned int console_height, console_width;
	bool has_console_size;
	struct kuser user;
	char **args;        /* NULL-terminated, at least one */
	char **env;         /* NULL-terminated */
	char *cwd;          /* absolute */
	struct krlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	int oom_score_adj;
	bool has_oom_score_adj;
	char *apparmor_profile;
	char *selinux_label;
	json_t *capabilities;   /* validated by lsm/ */
	json_t *io_priority;    /* validated by lsm/ */
	json_t *scheduler;      /* validated by lsm/ */
};

struct kspec {
	json_t *json;           /* the whole document (owned) */
	char *bundle;           /* absolute bundle directory */
	char *oci_version;

	char *root_path;        /* absolute rootfs path on the host */
	bool root_readonly;

	char *hostname;
	char *domainname;

	struct kprocess *process;   /* NULL is allowed for create-only configs */

	struct kmount *mounts;
	size_t n_mounts;

	/* linux */
	struct kns ns[KNS_COUNT];
	struct kidmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct kdevice *devices;
	size_t n_devices;
	char **masked_paths;
	char **readonly_paths;
	unsigned long rootfs_propagation;   /* MS_* or 0 (default: MS_SLAVE|MS_REC) */
	char *mount_label;
	char *cgroups_path;
	json_t *resources;      /* linux.resources, validated by cgroups/ */
	json_t *seccomp;        /* linux.seccomp, validated by lsm/ */
	json_t *sysctl;         /* linux.sysctl, validated by lsm/ */
	json_t *personality;    /* linux.personality, validated by lsm/ */
	json_t *hooks;          /* hooks, validated by runtime/hooks */
	json_t *annotations;    /* object or NULL */
};

/* Reads BUNDLE/config.json. bundle may be relative; it is made absolute. */
int spec_load(const char *bundle, struct kspec **ret, struct kerr *err);
/* Parses a document (takes a reference to it). bundle is used for relative paths.
 * The json_t pointers in kspec (resources, seccomp, ...) are borrowed from spec->json. */
int spec_parse(json_t *doc, const char *bundle, struct kspec **ret, struct kerr *err);
/* Parses the text of a config.json (what spec_load does after reading it; the
 * fuzz target's entry point). Integers in [2^63, 2^64) are kept as their
 * two's-complement int64 (18446744073709551615 -> -1), as runc's Go uint64
 * fields read them: read uint64 fields as (uint64_t)json_integer_value(). */
int spec_parse_buffer(const char *buf, size_t len, const char *bundle, struct kspec **ret,
		      struct kerr *err);
void spec_free(struct kspec *spec);

/* Appends a bind mount of a host file or directory (the runtime's own, e.g.
 * generated /etc files), unless config.json already mounts destination. */
void spec_add_bind_mount(struct kspec *spec, const char *source, const char *destination);

/* Parses one process object (config.json's "process", or exec --process). */
int spec_process_parse(json_t *obj, struct kprocess **ret, struct kerr *err);
void spec_process_free(struct kprocess *p);

/* The default config.json of `spec` (and `spec --rootless`), as a new JSON object. */
json_t *spec_default(bool rootless);

/* The mount options the parser recognizes (NULL-terminated), for `features`. */
const char *const *spec_mount_option_names(void);

const char *kns_name(enum kns_type t);   /* "pid", "network", ... as in config.json */
int kns_clone_flag(enum kns_type t);     /* CLONE_NEW* */

#endif
