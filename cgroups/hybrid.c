/* Which hierarchy each limit goes to. A controller lives in one hierarchy:
 * in cgroup2 when its root lists it (then with the v2 conversions of
 * resources.c), else in the v1 hierarchy that has it (with runc's v1 meaning,
 * v1_resources.c). Everything is decided here, before the first write, so a
 * limit nothing can apply is refused with nothing made. */
#include "cgroups/internal.h"

#include <errno.h>
#include <string.h>

#include "common/util.h"

/* v2 and v1 spell the block I/O controller differently. */
static const char *v2_name(const char *c)
{
	return strcmp(c, "blkio") == 0 ? "io" : c;
}

static const char *v1_name(const char *c)
{
	return strcmp(c, "io") == 0 ? "blkio" : c;
}

enum kcg_where cg_where(const struct kcg_layout *l, const char *ctrl)
{
	if (ctrl == NULL)   /* cgroup.* files: cgroup2 itself */
		return l->v2_mount ? KCG_V2 : KCG_NONE;
	if (l->v2_mount && cg_list_has(l->v2_ctrls, v2_name(ctrl)))
		return KCG_V2;
	if (cg_hier_find(l->v1, l->n_v1, v1_name(ctrl)) != NULL)
		return KCG_V1;
	/* Pure v2: missing means missing there (rootless without delegation,
	 * a controller not enabled); cg_check_controllers says so. */
	if (l->n_v1 == 0 && l->v2_mount)
		return KCG_V2;
	return KCG_NONE;
}

static int refuse_none(const struct kcg_layout *l, const struct kcg_write *w, struct kerr *err)
{
	const char *c = w->ctrl ? v1_name(w->ctrl) : "cgroup2";

	if (w->ctrl == NULL)
		kerr_set(err, 0, "%s: no cgroup2 hierarchy is mounted", w->field);
	else if (l->v2_mount)
		kerr_set(err, 0, "%s: the %s controller is not available in %s nor as a cgroup v1 "
				 "hierarchy", w->field, c, l->v2_mount);
	else
		kerr_set(err, 0, "%s: the %s controller is not mounted (cgroup v1)", w->field, c);
	err->code = ENOTSUP;
	return -1;
}

static void move_write(struct kcg_plan *to, struct kcg_write *w)
{
	to->w = realloc(to->w, (to->n + 1) * sizeof(*to->w));
	if (to->w == NULL)
		abort();
	to->w[to->n++] = *w;
	memset(w, 0, sizeof(*w));
}

static int select_v2(const struct kcg_layout *l, struct kcg_plan *p2, struct kcg_plan *out,
		     struct kerr *err)
{
	for (size_t i = 0; i < p2->n; i++) {
		struct kcg_write *w = &p2->w[i];
		enum kcg_where where = cg_where(l, w->ctrl);

		if (w->kind == KCG_IGNORE) {
			if (where == KCG_V2)
				klog(KLOG_WARN, "%s %s", w->field, w->why);
			continue;
		}
		if (where == KCG_V2 && w->kind == KCG_REFUSE) {
			kerr_set(err, 0, "%s: %s", w->field, w->why);
			err->code = ENOTSUP;
			return -1;
		}
		if (where == KCG_V2) {
			move_write(out, w);
		} else if (w->optional || w->kind != KCG_WRITE) {
			continue;
		} else if (where == KCG_V1 && w->v2_only) {
			struct kcg_hier *h = cg_hier_find(l->v1, l->n_v1, v1_name(w->ctrl));

			kerr_set(err, 0, "%s: the %s controller is on cgroup v1 here (%s), which has "
					 "no such file", w->field, w->ctrl, h->mount);
			err->code = ENOTSUP;
			return -1;
		} else if (where == KCG_NONE) {
			return refuse_none(l, w, err);
		}
	}
	return 0;
}

static int select_v1(const struct kcg_layout *l, struct kcg_plan *p1, bool rootless,
		     struct kcg_plan *out, struct kerr *err)
{
	for (size_t i = 0; i < p1->n; i++) {
		struct kcg_write *w = &p1->w[i];
		enum kcg_where where = cg_where(l, w->ctrl);

		/* The devices rules are for the v1 devices hierarchy only (the
		 * eBPF filter serves cgroup2). */
		if (strcmp(w->ctrl, "devices") == 0 &&
		    cg_hier_find(l->v1, l->n_v1, "devices") == NULL)
			continue;
		if (where == KCG_V1 && rootless) {
			if (w->optional)
				continue;
			kerr_set(err, 0, "%s: rootless on cgroup v1: no cgroup to apply it in (as runc)",
				 w->field);
			err->code = ENOTSUP;
			return -1;
		}
		if (where == KCG_V1)
			move_write(out, w);
		else if (where == KCG_NONE && !w->optional)
			return refuse_none(l, w, err);
	}
	return 0;
}

int cg_plan_select(const struct kcg_layout *l, json_t *res, int64_t cur_v2, int64_t cur_v1,
		   bool rootless, struct kcg_plan *ret_v2, struct kcg_plan *ret_v1,
		   struct kerr *err)
{
	struct kcg_plan p2, p1, o2 = { 0 }, o1 = { 0 };
	int r;

	if (cg_plan_build(res, cur_v2, &p2, err) < 0)
		return -1;
	cg_v1_plan_build(res, cur_v1, &p1, err);
	if (p2.has_devices && !rootless)
		cg_v1_plan_devices(p2.dev, p2.n_dev, &p1);
	r = select_v2(l, &p2, &o2, err);
	if (r == 0)
		r = select_v1(l, &p1, rootless, &o1, err);
	if (r == 0 && l->v2_mount != NULL) {
		/* The eBPF device filter goes on the cgroup2 directory. */
		o2.has_devices = p2.has_devices;
		o2.dev = p2.dev;
		o2.n_dev = p2.n_dev;
		p2.dev = NULL;
	}
	cg_plan_free(&p2);
	cg_plan_free(&p1);
	if (r < 0) {
		cg_plan_free(&o2);
		cg_plan_free(&o1);
		return -1;
	}
	*ret_v2 = o2;
	*ret_v1 = o1;
	return 0;
}
