/* The host's cgroup layout, read from /proc/self/mountinfo at run time:
 * pure v2 (one cgroup2 at /sys/fs/cgroup), hybrid (v1 hierarchies plus a
 * cgroup2 at /sys/fs/cgroup/unified, like these build machines) or pure v1.
 * A controller is in one hierarchy only, so where each limit goes follows
 * from this (hybrid.c). */
#include "cgroups/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* The v1 controllers kapsel makes a directory for (what runc joins). Named
 * hierarchies (name=systemd) carry no controller and are left alone. */
static const char *const known[] = { "cpu",     "cpuacct", "cpuset",  "memory",  "devices",
				     "freezer", "net_cls", "net_prio", "blkio", "perf_event",
				     "hugetlb", "pids",    "rdma",    "misc" };

bool cg_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, " ,\n");

		if (len == n && strncmp(p, item, n) == 0)
			return true;
		p += len;
		p += strspn(p, " ,\n");
	}
	return false;
}

struct kcg_hier *cg_hier_find(struct kcg_hier *hiers, size_t n, const char *ctrl)
{
	for (size_t i = 0; i < n; i++)
		if (cg_list_has(hiers[i].ctrls, ctrl))
			return &hiers[i];
	return NULL;
}

/* mountinfo escapes blanks in paths as \040 (octal). */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct" (known controllers only), or NULL. */
static char *v1_controllers(const char *opts)
{
	char *out = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		char *t;

		if (!cg_list_has(opts, known[i]))
			continue;
		t = out ? xasprintf("%s,%s", out, known[i]) : xstrdup(known[i]);
		free(out);
		out = t;
	}
	return out;
}

static void add_v1(struct kcg_layout *l, const char *mp, char *ctrls)
{
	/* One hierarchy can be mounted more than once: the first one serves. */
	for (size_t i = 0; i < l->n_v1; i++)
		if (strcmp(l->v1[i].ctrls, ctrls) == 0) {
			free(ctrls);
			return;
		}
	l->v1 = realloc(l->v1, (l->n_v1 + 1) * sizeof(*l->v1));
	if (l->v1 == NULL)
		abort();
	l->v1[l->n_v1++] = (struct kcg_hier){ .mount = xstrdup(mp), .ctrls = ctrls, .dirfd = -1 };
}

static void parse_line(char *line, struct kcg_layout *l)
{
	char *sep = strstr(line, " - "), root[4096], mp[4096], fstype[64], opts[1024];

	if (sep == NULL || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2 ||
	    sscanf(sep + 3, "%63s %*s %1023s", fstype, opts) != 2)
		return;
	/* A mount of a subtree (inside another container's cgroup namespace
	 * view) cannot take paths from the hierarchy's root. */
	if (strcmp(root, "/") != 0)
		return;
	unescape(mp);
	if (strcmp(fstype, "cgroup2") == 0) {
		/* The last one is the one on top. */
		if (strcmp(mp, "/sys/fs/cgroup") == 0 || strcmp(mp, "/sys/fs/cgroup/unified") == 0) {
			free(l->v2_mount);
			l->v2_mount = xstrdup(mp);
		}
	} else if (strcmp(fstype, "cgroup") == 0) {
		char *ctrls = v1_controllers(opts);

		if (ctrls != NULL)
			add_v1(l, mp, ctrls);
	}
}

int cg_layout_parse(const char *mountinfo, struct kcg_layout *ret)
{
	cleanup_free char *copy = xstrdup(mountinfo);
	struct kcg_layout l = { 0 };
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_line(line, &l);
	l.v2_ctrls = xstrdup("");
	*ret = l;
	return 0;
}

int cg_layout_read(struct kcg_layout *ret, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	struct kcg_layout l;

	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16 << 20, &buf, NULL, err) < 0)
		return -1;
	cg_layout_parse(buf, &l);
	if (l.v2_mount != NULL) {
		cleanup_free char *f = xasprintf("%s/cgroup.controllers", l.v2_mount);
		char *ctrls = NULL;
		struct kerr e;

		if (read_file_at(AT_FDCWD, f, 4096, &ctrls, NULL, &e) == 0) {
			ctrls[strcspn(ctrls, "\n")] = '\0';
			free(l.v2_ctrls);
			l.v2_ctrls = ctrls;
		}
	}
	kdebug("cgroups: v2 %s (%s), %zu v1 hierarchies", l.v2_mount ? l.v2_mount : "none",
	       l.v2_ctrls, l.n_v1);
	*ret = l;
	return 0;
}

void cg_layout_free(struct kcg_layout *l)
{
	for (size_t i = 0; i < l->n_v1; i++) {
		free(l->v1[i].mount);
		free(l->v1[i].ctrls);
	}
	free(l->v1);
	free(l->v2_mount);
	free(l->v2_ctrls);
	memset(l, 0, sizeof(*l));
}
