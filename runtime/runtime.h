/* The runtime's door for cli/: one function per command. cli/ parses argv
 * into these option structs and prints what they return; the work is here. */
#ifndef KAPSEL_RUNTIME_H
#define KAPSEL_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/error.h"

struct kglobal {
	const char *root;         /* state directory (--root) */
	bool rootless;            /* resolved from --rootless / euid */
	bool debug;
	const char *criu;         /* --criu: the criu binary (NULL: criu on PATH) */
	bool systemd_cgroup;      /* --systemd-cgroup: the cgroup is a systemd scope */
};

struct kcreate_opts {
	const char *bundle;       /* NULL: "." */
	const char *image;        /* --image: the bundle is made from this image */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	bool detach;              /* run only */
	bool keep;                /* run only: leave the stopped container */
	bool no_subreaper;        /* run only: accepted, see foreground.c */
	/* kapsel's own networking (netsetup/); all NULL: config.json only */
	const char *network, *subnet, *ip, *hostname;
	char **publish, **dns;    /* NULL-terminated */
};

struct kexec_opts {
	const char *process_json; /* --process FILE */
	char **args;              /* NULL-terminated */
	char **env;               /* --env K=V, appended (runc's behaviour) */
	const char *cwd;
	const char *user;         /* "UID[:GID]" */
	char **additional_gids;
	char **caps;
	bool tty, detach, no_new_privs, ignore_paused;
	const char *console_socket, *pid_file, *apparmor, *process_label;
	const char *cgroup;       /* --cgroup: a sub-cgroup of the container's, or NULL */
	int preserve_fds;
};

int runtime_spec(const char *bundle, bool rootless, struct kerr *err);
int runtime_create(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		   struct kerr *err);
int runtime_start(const struct kglobal *g, const char *id, struct kerr *err);
/* Foreground: *ret_exit is the container's exit code (128+N for signal N). */
int runtime_run(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		int *ret_exit, struct kerr *err);
int runtime_state(const struct kglobal *g, const char *id, json_t **ret, struct kerr *err);
/* An array of state objects, one per container under root. */
int runtime_list(const struct kglobal *g, json_t **ret, struct kerr *err);
int runtime_kill(const struct kglobal *g, const char *id, int sig, bool all, struct kerr *err);
int runtime_delete(const struct kglobal *g, const char *id, bool force, struct kerr *err);
int runtime_exec(const struct kglobal *g, const char *id, const struct kexec_opts *o,
		 int *ret_exit, struct kerr *err);

/* Implemented with cgroups/ (runtime/control.c). */
int runtime_pause(const struct kglobal *g, const char *id, struct kerr *err);
int runtime_resume(const struct kglobal *g, const char *id, struct kerr *err);
int runtime_ps(const struct kglobal *g, const char *id, pid_t **ret, size_t *ret_n,
	       struct kerr *err);
int runtime_update(const struct kglobal *g, const char *id, json_t *resources, struct kerr *err);
/* Prints JSON lines to stdout until the container stops (or once with --stats). */
int runtime_events(const struct kglobal *g, const char *id, bool stats_once, int interval_ms,
		   struct kerr *err);

/* checkpoint/restore through criu(8) (runtime/checkpoint.c, restore.c). */
/* Options checkpoint and restore share. image_path NULL: ./checkpoint, as
 * runc; work_path NULL: CRIU's default (the image dir). */
struct kcriu_common {
	const char *image_path, *work_path;
	const char *manage_cgroups_mode;   /* soft|full|strict|ignore, NULL: soft */
	bool tcp_established, ext_unix_sk, shell_job, file_locks;
};

struct kcheckpoint_opts {
	struct kcriu_common criu;
	const char *parent_path;  /* --parent-path: previous (pre-)dump, relative to image_path */
	bool leave_running, pre_dump;
};

struct krestore_opts {
	struct kcriu_common criu;
	const char *bundle, *pid_file, *console_socket;
	bool detach;
};

int runtime_checkpoint(const struct kglobal *g, const char *id, const struct kcheckpoint_opts *o,
		       struct kerr *err);
/* Foreground (no detach): *ret_exit as for run. */
int runtime_restore(const struct kglobal *g, const char *id, const struct krestore_opts *o,
		    int *ret_exit, struct kerr *err);

/* `features`: the JSON of features.md. */
json_t *runtime_features(void);

/* Re-executes the binary from a sealed memfd unless already running from
 * one (CVE-2019-5736). Returns only on failure. */
int runtime_ensure_sealed_self(char **argv, struct kerr *err);

/* Whether id is a valid container id ([A-Za-z0-9][A-Za-z0-9_.+-]*, <= 1024). */
bool runtime_id_valid(const char *id);
/* Signal by name ("KILL", "SIGKILL", "kill") or number; -1 if unknown. */
int runtime_parse_signal(const char *s);

#endif
