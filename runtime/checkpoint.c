/* `checkpoint`: criu dump (or pre-dump) of a running container. Without
 * --leave-running CRIU kills the tasks once the images are written, and the
 * container is then deleted as runc does (cgroup, poststop hooks, state);
 * `restore` brings it back under the same id. A failed dump leaves the
 * container running: CRIU resumes the tasks it froze. */
#include "runtime/lifecycle.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"
#include "runtime/criu.h"

static const char *dump_log(const struct kcheckpoint_opts *o)
{
	return o->pre_dump ? "pre-dump.log" : "dump.log";
}

static int dump_args(struct kargv *a, const char *criu, struct kcontainer *c,
		     const struct kspec *spec, const struct kcheckpoint_opts *o,
		     const struct kcriu_common *co, struct kerr *err)
{
	kargv_add(a, "%s", criu);
	kargv_add(a, "%s", o->pre_dump ? "pre-dump" : "dump");
	kargv_add(a, "--tree=%d", (int)c->st.pid);
	criu_common_args(a, co, dump_log(o));
	kargv_add(a, "--root=%s", spec->root_path);
	kargv_add(a, "--network-lock=%s", CRIU_NETWORK_LOCK);
	if (c->st.cgroup_path != NULL) {
		struct kcgroup *cg = NULL;

		/* The cgroup freezer stops a forking task that ptrace might miss. */
		if (cgroup_open(c->st.cgroup_path, &cg, err) < 0)
			return -1;
		if (cgroup_mount(cg) != NULL)
			kargv_add(a, "--freeze-cgroup=%s%s", cgroup_mount(cg), cgroup_path(cg));
		cgroup_free(cg);
	}
	if (o->leave_running)
		kargv_add(a, "--leave-running");
	/* Memory tracking lets the next dump write only the pages dirtied since. */
	if (o->pre_dump || o->parent_path != NULL)
		kargv_add(a, "--track-mem");
	if (o->parent_path != NULL)
		kargv_add(a, "--prev-images-dir=%s", o->parent_path);
	if (o->pre_dump)
		return 0;
	criu_mount_args(a, spec, false, NULL);
	return criu_ns_dump_args(a, spec, err);
}

int runtime_checkpoint(const struct kglobal *g, const char *id, const struct kcheckpoint_opts *o,
		       struct kerr *err)
{
	struct kcriu_common co = criu_common_defaults(&o->criu);
	cleanup_free char *criu = NULL;
	struct kcontainer *c = NULL;
	struct kspec *spec = NULL;
	struct kargv a = { 0 };
	enum kstatus s;
	int ret = -1;

	if (criu_find(g->criu, &criu, err) < 0)
		return -1;
	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	s = container_status(c);
	if (s != KSTATUS_RUNNING && s != KSTATUS_PAUSED) {
		kerr_set(err, 0, "cannot checkpoint container %s: it is %s, not running", id,
			 kstatus_name(s));
		goto out;
	}
	if (spec_load(c->st.bundle, &spec, err) < 0 || criu_refuse_terminal(spec, o->criu.shell_job, err) < 0 ||
	    criu_common_prepare(&co, true, err) < 0 ||
	    dump_args(&a, criu, c, spec, o, &co, err) < 0 ||
	    criu_run(&a, NULL, NULL, 0, co.work_path ? co.work_path : co.image_path, dump_log(o),
		     NULL, err) < 0) {
		kerr_prefix(err, "checkpoint %s", id);
		goto out;
	}
	ret = 0;
	if (!o->leave_running && !o->pre_dump) {
		ret = lifecycle_destroy(c, spec, err);
		c = NULL;
	}
out:
	kargv_free(&a);
	spec_free(spec);
	container_close(c);
	return ret;
}
