/* Internal to runtime/: driving the criu(8) binary by its command line.
 * Debian ships no libcriu, and `criu swrk` speaks protobuf (protobuf-c): the
 * command line needs neither. Checkpoint and restore (runtime/checkpoint.c,
 * runtime/restore.c) build an argument vector here and run it. */
#ifndef KAPSEL_RUNTIME_CRIU_H
#define KAPSEL_RUNTIME_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "common/error.h"
#include "runtime/runtime.h"
#include "spec/spec.h"

/* How CRIU keeps TCP peers out while it dumps (--tcp-established): nftables
 * needs only the nf_tables module (iptables 1.8 on Debian is nft underneath
 * anyway, plus xt_* modules); see tests/integration/criu/README. */
#define CRIU_NETWORK_LOCK "nftables"

struct kargv {
	char **v;          /* NULL-terminated */
	size_t n, cap;
};

void kargv_add(struct kargv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kargv_free(struct kargv *a);

/* The criu binary: `--criu PATH` if given, else criu on PATH (or /usr/sbin).
 * Fails with one line naming the Debian package when there is none. */
int criu_find(const char *wanted, char **ret_path, struct kerr *err);

/* The options with runc's defaults filled in (./checkpoint for the images). */
struct kcriu_common criu_common_defaults(const struct kcriu_common *o);
/* Checks the values (cgroup mode) and makes the image and work dirs. */
int criu_common_prepare(const struct kcriu_common *o, bool create_images, struct kerr *err);
/* Appends -D, -W, -o LOG, -v4, --manage-cgroups and the boolean flags. */
void criu_common_args(struct kargv *a, const struct kcriu_common *o, const char *log);

/* process.terminal: the pty master lives outside the container, and only
 * CRIU's RPC (not its command line) hands a new one back for
 * --console-socket, as runc does. With --shell-job CRIU accepts the slave
 * without its master and restores it onto its own stdin's terminal (the
 * restore's); without, refused with one line. */
int criu_refuse_terminal(const struct kspec *spec, bool shell_job, struct kerr *err);

/* Bind mounts and linux.devices as CRIU "external" mounts (runc's list):
 * dumped by name (their destination), bound again from their source on
 * restore; so is the cgroup mount without a cgroup namespace (then
 * cgroup_dir is the restored container's cgroup directory). */
void criu_mount_args(struct kargv *a, const struct kspec *spec, bool restore,
		     const char *cgroup_dir);
/* Network and pid namespaces joined by path are external too: CRIU leaves
 * them alone and, on restore, puts the tasks into the fd we pass. */
int criu_ns_dump_args(struct kargv *a, const struct kspec *spec, struct kerr *err);

/* CRIU's "setup-namespaces" moment of a restore (the tasks exist in their
 * namespaces, nothing runs yet), where runc runs the prestart and
 * createRuntime hooks. CRIU's command line reports it only to an
 * --action-script: ours writes the init's pid into a fifo in dir and waits
 * for our answer on another. */
struct kcriu_notify {
	int (*fn)(void *arg, pid_t init_pid, struct kerr *err);
	void *arg;
	int pid_fd, ack_fd;   /* the fifos, opened by criu_notify_open */
};

/* Makes the fifos in dirfd (path dir) and appends --action-script. */
int criu_notify_open(struct kcriu_notify *n, struct kargv *a, int dirfd, const char *dir,
		     struct kerr *err);
void criu_notify_close(struct kcriu_notify *n, int dirfd);

/* Runs criu with argv (argv[0] is the binary). Before the exec the child
 * joins cg (may be NULL; restored tasks are born in it) and
 * gets keep_fds[i] as fd 3+i. Waits, answering notify (may be NULL); a
 * non-zero exit becomes an error naming the first "Error" line of
 * log_dir/log (or notify's error). */
int criu_run(struct kargv *a, struct kcgroup *cg, const int *keep_fds, size_t n_keep,
	     const char *log_dir, const char *log, struct kcriu_notify *notify, struct kerr *err);

/* The key CRIU knows an external namespace by (runc's): extRootNetNS, extRootPidNS. */
const char *criu_ns_key(enum kns_type t);

#endif
