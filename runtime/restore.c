/* `restore`: a container back from CRIU's images, under the same id, with a
 * fresh state directory, its cgroup and limits made from config.json before
 * CRIU forks the tasks into it, and the pid CRIU reports recorded as the
 * init. Like run, it stays in the foreground unless --detach. Any failure
 * removes all of it again. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/criu.h"
#include "runtime/foreground.h"
#include "runtime/hooks.h"
#include "runtime/restore_root.h"

#define CRIU_PID_FILE "criu.pid"
#define MAX_NS_FDS 2

struct restoring {
	struct kcreated k;
	char *state_dir;          /* absolute ROOT/ID */
	char *criu_root;          /* bound rootfs, while CRIU runs */
	int ns_fds[MAX_NS_FDS];
	size_t n_ns;
};

/* Net and pid namespaces joined by path are handed over as fds under the
 * keys checkpoint named them by; ipc and uts CRIU joins itself. */
static int ns_args(struct kargv *a, struct restoring *r, struct kerr *err)
{
	const struct kspec *spec = r->k.spec;

	for (int t = 0; t < KNS_COUNT; t++) {
		const struct kns *ns = &spec->ns[t];
		int fd;

		if (!ns->wanted || ns->path == NULL)
			continue;
		if (t == KNS_IPC || t == KNS_UTS) {
			kargv_add(a, "--join-ns=%s:%s", t == KNS_IPC ? "ipc" : "uts", ns->path);
			continue;
		}
		if (criu_ns_key((enum kns_type)t) == NULL)
			return kerr_set(err, ENOTSUP, "the %s namespace is joined by path (%s): "
						      "CRIU cannot restore into it",
					kns_name((enum kns_type)t), ns->path);
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return kerr_errno(err, "%s namespace %s", kns_name((enum kns_type)t),
					  ns->path);
		r->ns_fds[r->n_ns] = fd;
		kargv_add(a, "--inherit-fd=fd[%zu]:%s", 3 + r->n_ns, criu_ns_key((enum kns_type)t));
		r->n_ns++;
	}
	return 0;
}

static int restore_args(struct kargv *a, const char *criu, struct restoring *r,
			const struct kcriu_common *co, struct kerr *err)
{
	cleanup_free char *cgdir = NULL;

	kargv_add(a, "%s", criu);
	kargv_add(a, "restore");
	criu_common_args(a, co, "restore.log");
	kargv_add(a, "--root=%s", r->criu_root);
	kargv_add(a, "--restore-detached");
	kargv_add(a, "--pidfile=%s/%s", r->state_dir, CRIU_PID_FILE);
	kargv_add(a, "--evasive-devices");
	if (r->k.cg != NULL) {
		if (cgroup_mount(r->k.cg) != NULL)
			cgdir = xasprintf("%s%s", cgroup_mount(r->k.cg), cgroup_path(r->k.cg));
		kargv_add(a, "--cgroup-root=%s", cgroup_path(r->k.cg));
	}
	criu_mount_args(a, r->k.spec, true, cgdir);
	return ns_args(a, r, err);
}

static bool has_hook(json_t *hooks, const char *kind)
{
	json_t *a = json_object_get(hooks, kind);

	return json_is_array(a) && json_array_size(a) > 0;
}

/* runc's order at CRIU's setup-namespaces: prestart, then createRuntime,
 * with the state of the container being created and the new init's pid. */
static int run_restore_hooks(void *arg, pid_t init_pid, struct kerr *err)
{
	struct restoring *r = arg;
	cleanup_free char *state = NULL;

	r->k.c->st.pid = init_pid;
	r->k.c->st.start_time = proc_start_time(init_pid);
	state = lifecycle_state_string(r->k.c);
	if (hooks_run(r->k.spec->hooks, KHOOK_PRESTART, state, 0, err) < 0 ||
	    hooks_run(r->k.spec->hooks, KHOOK_CREATE_RUNTIME, state, 0, err) < 0)
		return -1;
	return 0;
}

static int check_images(const char *dir, struct kerr *err)
{
	cleanup_free char *inv = xasprintf("%s/inventory.img", dir);

	if (access(inv, R_OK) < 0)
		return kerr_set(err, errno, "--image-path %s holds no checkpoint (inventory.img)",
				dir);
	return 0;
}

static int read_pid(struct restoring *r, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	int64_t pid;

	if (read_file_at(r->k.c->dirfd, CRIU_PID_FILE, 64, &buf, NULL, err) < 0)
		return kerr_prefix(err, "criu's pid file");
	buf[strcspn(buf, "\n")] = '\0';
	if (!parse_i64(buf, &pid) || pid <= 0 || pid > INT_MAX)
		return kerr_set(err, EINVAL, "criu's pid file holds \"%s\"", buf);
	unlinkat(r->k.c->dirfd, CRIU_PID_FILE, 0);
	r->k.pid = (pid_t)pid;
	r->k.pidfd = sys_pidfd_open(r->k.pid, 0);
	if (r->k.pidfd < 0)
		return kerr_errno(err, "restored process %d", (int)r->k.pid);
	return 0;
}

/* Everything up to a recorded, running container. */
static int do_restore(const struct kglobal *g, const char *id, const struct krestore_opts *o,
		      const char *criu, struct restoring *r, struct kerr *err)
{
	struct kcriu_common co = criu_common_defaults(&o->criu);
	cleanup_free char *rootdir = NULL;
	struct kcriu_notify notify = { .pid_fd = -1, .ack_fd = -1 };
	struct kcontainer *c;
	struct kargv a = { 0 };
	int ret = -1;

	/* A systemd scope starts with its first pid, known only inside criu. */
	if (g->systemd_cgroup)
		return kerr_set(err, ENOTSUP, "--systemd-cgroup: restoring into a systemd scope is "
					      "not supported");
	if (criu_common_prepare(&co, false, err) < 0 || check_images(co.image_path, err) < 0 ||
	    spec_load(o->bundle != NULL ? o->bundle : ".", &r->k.spec, err) < 0)
		return -1;
	if (r->k.spec->process == NULL)
		return kerr_set(err, 0, "config.json: process: required to restore a container");
	if (criu_refuse_terminal(r->k.spec, o->criu.shell_job, err) < 0)
		return -1;
	if (cgroups_validate(r->k.spec->resources, err) < 0 ||
	    container_new(g->root, id, &r->k.c, err) < 0)
		return -1;
	c = r->k.c;
	c->st.bundle = xstrdup(r->k.spec->bundle);
	c->st.owner = geteuid();
	c->st.annotations = json_incref(r->k.spec->annotations);
	c->st.created = lifecycle_now();   /* as runc stamps a restored container */
	rootdir = realpath(g->root, NULL);
	if (rootdir == NULL)
		return kerr_errno(err, "state directory %s", g->root);
	r->state_dir = xasprintf("%s/%s", rootdir, id);
	if (container_save(c, err) < 0 ||
	    cgroup_create(id, r->k.spec->cgroups_path, r->k.spec->resources, g->rootless, &r->k.cg,
			  err) < 0)
		return -1;
	if (r->k.cg != NULL)
		c->st.cgroup_path = xstrdup(cgroup_path(r->k.cg));
	if (restore_root_prepare(c->dirfd, r->state_dir, r->k.spec, &r->criu_root, err) < 0 ||
	    restore_args(&a, criu, r, &co, err) < 0)
		goto out;
	if (has_hook(r->k.spec->hooks, "prestart") || has_hook(r->k.spec->hooks, "createRuntime")) {
		notify = (struct kcriu_notify){ .fn = run_restore_hooks, .arg = r };
		if (criu_notify_open(&notify, &a, c->dirfd, r->state_dir, err) < 0) {
			criu_notify_close(&notify, c->dirfd);
			goto out;
		}
	}
	ret = criu_run(&a, r->k.cg, r->ns_fds, r->n_ns,
		       co.work_path ? co.work_path : co.image_path, "restore.log",
		       notify.fn != NULL ? &notify : NULL, err);
	if (notify.fn != NULL)
		criu_notify_close(&notify, c->dirfd);
	restore_root_release(c->dirfd, r->criu_root);
	free(r->criu_root);
	r->criu_root = NULL;
	if (ret < 0 || (ret = read_pid(r, err)) < 0)
		goto out;
	c->st.pid = r->k.pid;
	c->st.start_time = proc_start_time(r->k.pid);
	c->st.creating = false;
	ret = container_save(c, err);
	if (ret == 0 && o->pid_file != NULL)
		ret = write_pid_file(o->pid_file, r->k.pid, err);
out:
	kargv_free(&a);
	return ret;
}

static void undo_restore(struct restoring *r)
{
	struct kerr ignore = { 0 };

	if (r->k.c != NULL) {
		restore_root_release(r->k.c->dirfd, r->criu_root);
		if (r->k.pidfd >= 0) {
			sys_pidfd_send_signal(r->k.pidfd, SIGKILL, NULL, 0);
			wait_pidfd_exit(r->k.pidfd, 5000);
		}
	}
	if (r->k.cg != NULL) {
		cgroup_destroy(r->k.cg, &ignore);
		cgroup_free(r->k.cg);
		r->k.cg = NULL;
	}
	if (r->k.c != NULL) {
		container_remove(r->k.c, &ignore);
		r->k.c = NULL;
	}
}

static void restoring_free(struct restoring *r)
{
	for (size_t i = 0; i < r->n_ns; i++)
		close(r->ns_fds[i]);
	free(r->state_dir);
	free(r->criu_root);
	lifecycle_release(&r->k);
}

int runtime_restore(const struct kglobal *g, const char *id, const struct krestore_opts *o,
		    int *ret_exit, struct kerr *err)
{
	struct restoring r = { .k = { .pidfd = -1 } };
	struct kforeground f = { .sfd = -1 };
	cleanup_free char *criu = NULL;
	int ret = -1;

	*ret_exit = 0;
	if (!runtime_id_valid(id))
		return kerr_set(err, EINVAL, "invalid container id \"%s\"", id);
	if (criu_find(g->criu, &criu, err) < 0)
		return -1;
	/* In the foreground we are a subreaper: the restored task, CRIU's child,
	 * becomes ours when CRIU exits, and we reap it. */
	if (!o->detach && foreground_begin(&f, err) < 0)
		return -1;
	if (do_restore(g, id, o, criu, &r, err) < 0) {
		kerr_prefix(err, "restore %s", id);
		undo_restore(&r);
		goto out;
	}
	ret = 0;
	if (o->detach)
		goto out;
	container_close(r.k.c);
	r.k.c = NULL;
	ret = foreground_wait(&f, r.k.pid, r.k.pidfd, -1, ret_exit, err);
	if (container_open(g->root, id, &r.k.c, NULL) == 0) {
		struct kerr derr = { 0 };

		if (lifecycle_destroy(r.k.c, r.k.spec, ret < 0 ? &derr : err) < 0 && ret == 0)
			ret = -1;
		r.k.c = NULL;
	}
out:
	if (!o->detach)
		foreground_end(&f);
	restoring_free(&r);
	return ret;
}
