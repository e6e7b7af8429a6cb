/* The state store: ROOT/ID/state.json, written atomically and guarded by an
 * flock on ROOT/ID, so concurrent commands on one id cannot corrupt it. */
#ifndef KAPSEL_RUNTIME_STATE_H
#define KAPSEL_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

enum kstatus { KSTATUS_CREATING, KSTATUS_CREATED, KSTATUS_RUNNING, KSTATUS_PAUSED,
	       KSTATUS_STOPPED };

struct kstate {
	char *id;
	char *bundle;
	char *created;          /* RFC 3339, UTC */
	uid_t owner;
	pid_t pid;              /* init, in the host's pid namespace; 0 while creating */
	uint64_t start_time;    /* /proc/PID/stat starttime: guards against pid reuse */
	char *cgroup_path;      /* relative to the cgroup2 mount, or NULL */
	bool systemd_cgroup;    /* cgroup_path is a systemd scope (--systemd-cgroup) */
	bool rootless;
	bool creating;          /* create has not finished */
	json_t *annotations;    /* object or NULL */
	json_t *extra;          /* other folders' state (network, ...), object or NULL */
};

struct kcontainer {
	int dirfd;              /* ROOT/ID, flocked */
	char *root;
	struct kstate st;
};

/* Creates ROOT/ID exclusively (EEXIST: "container ID already exists") and locks it. */
int container_new(const char *root, const char *id, struct kcontainer **ret, struct kerr *err);
/* Opens and locks an existing container (ENOENT: "container ID does not exist"). */
int container_open(const char *root, const char *id, struct kcontainer **ret, struct kerr *err);
int container_save(struct kcontainer *c, struct kerr *err);
/* Removes ROOT/ID and frees c. */
int container_remove(struct kcontainer *c, struct kerr *err);
/* Removes the leftovers of a create or delete of id (NULL: any) killed
 * halfway (no-op when a live command still holds them). */
void state_sweep(const char *root, const char *id);
void container_close(struct kcontainer *c);

/* Computed from the process and the exec fifo (and cgroup.freeze for paused). */
enum kstatus container_status(struct kcontainer *c);
const char *kstatus_name(enum kstatus s);
/* The OCI state JSON (ociVersion, id, status, pid, bundle, annotations, created, owner). */
json_t *container_state_json(struct kcontainer *c);

/* The start time of pid from /proc, or 0 if it is gone or a zombie. */
uint64_t proc_start_time(pid_t pid);

/* Names every container directory under root (NULL-terminated, sorted). */
int state_list_ids(const char *root, char ***ret, struct kerr *err);

#define EXEC_FIFO_NAME "exec.fifo"
/* Beside ROOT/ID while it is made or removed ('~' is never in an id). */
#define STATE_NEW_PREFIX ".new~"
#define STATE_GONE_PREFIX ".gone~"

#endif
