/* The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a
 * transient scope that systemd creates with the init in it and delegates to
 * us (Delegate=yes), so systemd knows the container and never moves or kills
 * its processes behind our back. The limits systemd understands are unit
 * properties; every limit is also written to the scope's files, as by the
 * cgroupfs driver (runc does both), so the two views always agree. */
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/systemd_bus.h"
#include "common/log.h"
#include "common/util.h"

struct kcg_sd {
	struct sd_bus *bus;
	char *unit, *slice, *description;
	bool user;           /* the caller's own `systemd --user` */
	bool made;           /* the unit exists: stop it on destroy */
	unsigned version;    /* 0 until asked */
	struct kcg_plan plan;        /* create: applied once the scope exists */
	struct kcg_sdprops props;
};

static void sd_free(struct kcg_sd *sd)
{
	if (sd == NULL)
		return;
	cg_sd_disconnect(sd->bus);
	free(sd->unit);
	free(sd->slice);
	free(sd->description);
	cg_plan_free(&sd->plan);
	cg_sd_props_free(&sd->props);
	free(sd);
}

static void sd_release(struct kcgroup *cg)
{
	sd_free(cg->sd);
	cg->sd = NULL;
}

static int open_dir(struct kcgroup *cg, struct kerr *err)
{
	cleanup_free char *full = xasprintf("%s%s", cg->mount, cg->path);

	cg->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0)
		return kerr_errno(err, "open cgroup %s", full);
	return 0;
}

/* The first enter starts the scope with the init in it. */
static int sd_enter(struct kcgroup *cg, pid_t pid, struct kerr *err)
{
	struct kcg_sd *sd = cg->sd;
	char *path = NULL;

	if (sd->made)
		return cg_fs_enter(cg, pid, err);
	if (cg_sd_start_scope(sd->bus, sd->unit, sd->slice, sd->description, pid, sd->version,
			      &sd->props, &sd->made, err) < 0)
		return -1;
	struct kcg_plan none = { 0 };

	if (cg_sd_control_group(sd->bus, sd->unit, &path, err) < 0)
		return -1;
	free(cg->path);
	cg->path = path;
	if (open_dir(cg, err) < 0 || cg_apply_plans(cg, &sd->plan, &none, err) < 0)
		return -1;
	kdebug("systemd: %s started in %s, cgroup %s", sd->unit, sd->slice, cg->path);
	return 0;
}

static int sd_update(struct kcgroup *cg, json_t *resources, struct kerr *err)
{
	cleanup_free char *where = xasprintf("%s%s", cg->mount, cg->path);
	struct kcg_sd *sd = cg->sd;
	struct kcg_sdprops props = { 0 };
	struct kcg_plan p2, p1;
	int r;

	if (cg->dirfd < 0)
		return kerr_set(err, ENOENT, "cgroup %s is gone", where);
	if (cg_update_plans(cg, resources, &p2, &p1, err) < 0)
		return -1;
	/* Checks first: systemd must not get limits the files then refuse. */
	r = cg_check_controllers(cg->dirfd, where, cg->rootless, &p2, err);
	if (r == 0 && sd->version == 0)
		r = cg_sd_version(sd->bus, &sd->version, err);
	if (r == 0)
		r = cg_sd_props_from_plan(&p2, sd->version, &props, err);
	if (r == 0 && props.n > 0)
		r = cg_sd_set_props(sd->bus, sd->unit, &props, err);
	if (r == 0)
		r = cg_apply_plans(cg, &p2, &p1, err);
	cg_sd_props_free(&props);
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	return r;
}

/* Processes first (a scope stopped with processes in it would get SIGTERM
 * and 90 s of grace), then the unit, then whatever systemd left. */
static int sd_destroy(struct kcgroup *cg, struct kerr *err)
{
	struct kcg_sd *sd = cg->sd;
	cleanup_close int rootfd = -1;

	if (cg2_empty(cg, err) < 0)
		return -1;
	if (sd->made && cg_sd_stop_unit(sd->bus, sd->unit, err) < 0)
		return -1;
	if (cg->dirfd < 0)
		return 0;
	/* What the container made below its delegated scope, if systemd left it. */
	rootfd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return kerr_errno(err, "open %s", cg->mount);
	if (cg_rmdir_tree(rootfd, cg->path + 1) < 0)
		return kerr_errno(err, "remove cgroup %s%s", cg->mount, cg->path);
	return 0;
}

static const struct kcg_ops sd_ops = {
	.enter = sd_enter,
	.update = sd_update,
	.destroy = sd_destroy,
	.release = sd_release,
};

int cgroup_create_systemd(const char *id, const char *cgroups_path, json_t *resources,
			  bool rootless, struct kcgroup **ret, struct kerr *err)
{
	const char *mount = cg_mount_point();
	cleanup_free char *slice_path = NULL, *ctrls = NULL;
	cleanup_close int rootfd = -1;
	struct kcg_plan p1 = { 0 };
	struct kcg_layout l = { 0 };
	struct kcg_sd *sd;
	struct kcgroup *cg;
	int r;

	if (mount == NULL)
		return kerr_set(err, ENOTSUP, "--systemd-cgroup: no cgroup2 hierarchy is mounted");
	sd = xcalloc(1, sizeof(*sd));
	sd->user = rootless;
	/* The cgroup path until systemd says (a user manager's is deeper). */
	cg = cg_new(mount, "/", rootless);
	cg->ops = &sd_ops;
	cg->sd = sd;
	rootfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		kerr_errno(err, "open %s", mount);
		goto fail;
	}
	/* cgroup2 only: systemd owns the v1 hierarchies of a hybrid host. */
	if (read_file_at(rootfd, "cgroup.controllers", 4096, &ctrls, NULL, err) < 0)
		goto fail;
	l.v2_mount = (char *)mount;
	l.v2_ctrls = ctrls;
	if (cg_sd_unit_names(id, cgroups_path, rootless, &sd->slice, &sd->unit, err) < 0 ||
	    cg_slice_path(sd->slice, &slice_path, err) < 0)
		goto fail;
	r = cg_plan_select(&l, resources, 0, -1, rootless, &sd->plan, &p1, err);
	cg_plan_free(&p1);
	if (r < 0)
		goto fail;
	free(cg->path);
	cg->path = xasprintf("%s/%s", slice_path, sd->unit);
	sd->description = xasprintf("kapsel container %s", id);
	/* Everything that can be refused is, before systemd makes anything. */
	if (cg_check_controllers(rootfd, mount, rootless, &sd->plan, err) < 0 ||
	    cg_sd_connect(sd->user, &sd->bus, err) < 0 ||
	    cg_sd_version(sd->bus, &sd->version, err) < 0 ||
	    cg_sd_props_from_plan(&sd->plan, sd->version, &sd->props, err) < 0)
		goto fail;
	*ret = cg;
	return 0;
fail:
	cgroup_free(cg);
	return -1;
}

int cgroup_open_systemd(const char *path, struct kcgroup **ret, struct kerr *err)
{
	const char *mount = cg_mount_point(), *base;
	struct kcg_sd *sd;
	struct kcgroup *cg;
	struct kerr e;

	if (mount == NULL)
		return kerr_set(err, ENOENT, "no cgroup2 hierarchy is mounted");
	base = path ? strrchr(path, '/') : NULL;
	if (base == NULL || path[0] != '/' || strlen(base) < 7 ||
	    strcmp(base + strlen(base) - 6, ".scope") != 0 || strstr(path, "/..") != NULL)
		return kerr_set(err, EINVAL, "invalid systemd cgroup path \"%s\"", path ? path : "");
	cg = cg_new(mount, path, geteuid() != 0);
	/* The scope goes away by itself when its processes are gone. */
	if (open_dir(cg, &e) < 0 && e.code != ENOENT) {
		*err = e;
		cgroup_free(cg);
		return -1;
	}
	sd = xcalloc(1, sizeof(*sd));
	sd->user = cg->rootless;
	sd->unit = xstrdup(base + 1);
	sd->made = true;
	cg->ops = &sd_ops;
	cg->sd = sd;
	if (cg_sd_connect(sd->user, &sd->bus, err) < 0) {
		cgroup_free(cg);
		return -1;
	}
	*ret = cg;
	return 0;
}
