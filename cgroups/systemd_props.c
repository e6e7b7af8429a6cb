/* The systemd driver's pure half: which unit a cgroupsPath names, and which
 * unit properties mirror the files a resource plan writes. Kept apart from
 * the bus so the unit tests can check it without systemd. */
#include "cgroups/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int cg_sd_unit_names(const char *id, const char *cgroups_path, bool rootless, char **ret_slice,
		     char **ret_unit, struct kerr *err)
{
	cleanup_free char *copy = NULL, *check = NULL;
	const char *slice, *prefix, *name;
	char *c1, *c2;

	if (cgroups_path == NULL || cgroups_path[0] == '\0') {
		/* runc's default with --systemd-cgroup is ":runc:<id>". */
		*ret_slice = xstrdup(rootless ? "user.slice" : "system.slice");
		*ret_unit = xasprintf("kapsel-%s.scope", id);
		return 0;
	}
	copy = xstrdup(cgroups_path);
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (copy[0] == '/' || c1 == NULL || c2 == NULL || strchr(c2 + 1, ':') != NULL)
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\": --systemd-cgroup needs the "
				"form slice:prefix:name", cgroups_path);
	*c1 = *c2 = '\0';
	slice = copy[0] ? copy : (rootless ? "user.slice" : "system.slice");
	prefix = c1 + 1;
	name = c2 + 1;
	if (*name == '\0' || strchr(prefix, '/') || strchr(name, '/'))
		return kerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\": --systemd-cgroup needs the "
				"form slice:prefix:name", cgroups_path);
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		return kerr_set(err, ENOTSUP, "linux.cgroupsPath: \"%s\": a container in its own "
				"slice is not supported (use a scope name)", cgroups_path);
	/* The same slice name rules as the cgroupfs mapping. */
	if (cg_slice_path(slice, &check, err) < 0)
		return -1;
	*ret_slice = xstrdup(slice);
	*ret_unit = *prefix ? xasprintf("%s-%s.scope", prefix, name) : xasprintf("%s.scope", name);
	return 0;
}

int cg_sd_cpuset_mask(const char *list, uint8_t **ret, size_t *ret_n, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(list);
	uint8_t *mask = NULL;
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(t, '-');
		uint64_t lo, hi;

		if (dash)
			*dash = '\0';
		if (!parse_u64(t, &lo) || (dash && !parse_u64(dash + 1, &hi)))
			goto bad;
		if (!dash)
			hi = lo;
		if (hi < lo || hi >= 8192)  /* systemd's own limit on CPU numbers */
			goto bad;
		if (hi / 8 + 1 > n) {
			mask = realloc(mask, hi / 8 + 1);
			if (mask == NULL)
				abort();
			memset(mask + n, 0, hi / 8 + 1 - n);
			n = hi / 8 + 1;
		}
		for (uint64_t i = lo; i <= hi; i++)
			mask[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	if (n == 0)
		goto bad;
	*ret = mask;
	*ret_n = n;
	return 0;
bad:
	free(mask);
	return kerr_set(err, EINVAL, "invalid cpuset list \"%s\"", list);
}

static struct kcg_sdprop *prop_add(struct kcg_sdprops *ps, const char *name, enum kcg_sdtype type)
{
	struct kcg_sdprop *p;

	ps->p = realloc(ps->p, (ps->n + 1) * sizeof(*ps->p));
	if (ps->p == NULL)
		abort();
	p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->type = type;
	return p;
}

/* "max" is systemd's infinity (UINT64_MAX) for the limit properties. */
static bool limit_value(const char *v, uint64_t *ret)
{
	if (strncmp(v, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return true;
	}
	return parse_u64(v, ret);
}

/* cpu.max "QUOTA [PERIOD]" -> CPUQuotaPerSecUSec (and CPUQuotaPeriodUSec). */
static int cpu_max_props(const char *v, unsigned version, struct kcg_sdprops *ps, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(v);
	char *sp = strchr(copy, ' ');
	uint64_t quota = UINT64_MAX, period = 100000, per_sec;
	bool has_period = sp != NULL;

	if (sp)
		*sp++ = '\0';
	if ((strcmp(copy, "max") != 0 && !parse_u64(copy, &quota)) ||
	    (has_period && (!parse_u64(sp, &period) || period == 0)))
		return kerr_set(err, EINVAL, "cpu.max: cannot read \"%s\"", v);
	if (quota == UINT64_MAX) {
		per_sec = UINT64_MAX;
	} else {
		/* systemd keeps the quota as a percentage of a CPU: round up to
		 * 10 ms per second (runc does the same) so it is never below. */
		per_sec = quota * 1000000 / period;
		if (per_sec % 10000 != 0)
			per_sec = (per_sec / 10000 + 1) * 10000;
	}
	prop_add(ps, "CPUQuotaPerSecUSec", KCG_SD_U64)->u = per_sec;
	if (has_period && version >= 242)
		prop_add(ps, "CPUQuotaPeriodUSec", KCG_SD_U64)->u = period;
	return 0;
}

static int one_prop(const struct kcg_write *w, unsigned version, struct kcg_sdprops *ps,
		    struct kerr *err)
{
	static const struct { const char *file, *prop; unsigned since; } limits[] = {
		{ "memory.max", "MemoryMax", 231 },     { "memory.high", "MemoryHigh", 231 },
		{ "memory.low", "MemoryLow", 231 },     { "memory.min", "MemoryMin", 240 },
		{ "memory.swap.max", "MemorySwapMax", 232 }, { "pids.max", "TasksMax", 227 },
	};
	uint64_t v;

	if (w->kind != KCG_WRITE || w->file == NULL)
		return 0;  /* a warning or a refusal, not a value */
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		if (strcmp(w->file, limits[i].file) != 0 || version < limits[i].since)
			continue;
		if (!limit_value(w->value, &v))
			return kerr_set(err, EINVAL, "%s: cannot read \"%s\"", w->field, w->value);
		prop_add(ps, limits[i].prop, KCG_SD_U64)->u = v;
		return 0;
	}
	if (strcmp(w->file, "cpu.weight") == 0) {
		if (!parse_u64(w->value, &v) || v < 1 || v > 10000)
			return kerr_set(err, EINVAL, "%s: cannot read \"%s\"", w->field, w->value);
		/* Before 231 systemd had only the v1 knob: undo the conversion
		 * (rounded up, so that converting again gives the same weight). */
		if (version < 231)
			prop_add(ps, "CPUShares", KCG_SD_U64)->u = 2 + ((v - 1) * 262142 + 9998) / 9999;
		else
			prop_add(ps, "CPUWeight", KCG_SD_U64)->u = v;
	} else if (strcmp(w->file, "cpu.max") == 0) {
		return cpu_max_props(w->value, version, ps, err);
	} else if ((strcmp(w->file, "cpuset.cpus") == 0 || strcmp(w->file, "cpuset.mems") == 0) &&
		   version >= 244) {
		struct kcg_sdprop *p = prop_add(ps, strcmp(w->file, "cpuset.cpus") == 0
						? "AllowedCPUs" : "AllowedMemoryNodes", KCG_SD_BYTES);

		if (cg_sd_cpuset_mask(w->value, &p->bytes, &p->n_bytes, err) < 0) {
			ps->n--;
			return kerr_prefix(err, "%s", w->field);
		}
	} else if (strcmp(w->file, "io.weight") == 0 && strncmp(w->value, "default ", 8) == 0) {
		if (!parse_u64(w->value + 8, &v))
			return kerr_set(err, EINVAL, "%s: cannot read \"%s\"", w->field, w->value);
		prop_add(ps, "IOWeight", KCG_SD_U64)->u = v;
	}
	return 0;
}

int cg_sd_props_from_plan(const struct kcg_plan *p, unsigned version, struct kcg_sdprops *ret,
			  struct kerr *err)
{
	struct kcg_sdprops ps = { 0 };

	for (size_t i = 0; i < p->n; i++) {
		if (one_prop(&p->w[i], version, &ps, err) < 0) {
			cg_sd_props_free(&ps);
			return -1;
		}
	}
	*ret = ps;
	return 0;
}

void cg_sd_props_free(struct kcg_sdprops *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i].bytes);
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}
