/* Freezing through cgroup.freeze: the write only asks; the cgroup is frozen
 * when cgroup.events says so (every task has stopped), which is what `pause`
 * must wait for before reporting "paused". */
#include "cgroups/internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

/* The value of key in a "key value" file such as cgroup.events, or -1. */
int64_t cg_flat_key(int dirfd, const char *file, const char *key)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	size_t klen = strlen(key);

	if (read_file_at(dirfd, file, 1 << 16, &buf, NULL, &e) < 0)
		return -1;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		int64_t v;
		char *end;

		if (strncmp(l, key, klen) != 0 || l[klen] != ' ')
			continue;
		end = strchr(l, '\n');
		if (end)
			*end = '\0';
		return parse_i64(l + klen + 1, &v) ? v : -1;
	}
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cg_wait_event(int dirfd, const char *key, int value, int timeout_ms, struct kerr *err)
{
	int64_t deadline = now_ms() + timeout_ms;
	int delay = 1;

	for (;;) {
		int64_t v = cg_flat_key(dirfd, "cgroup.events", key);

		if (v < 0)
			return kerr_set(err, EIO, "read cgroup.events: no \"%s\"", key);
		if (v == value)
			return 0;
		if (now_ms() >= deadline)
			return kerr_set(err, ETIMEDOUT, "cgroup.events: \"%s\" still %lld after %d ms",
					key, (long long)v, timeout_ms);
		/* Short sleeps first: a small container freezes or empties in
		 * well under a millisecond. */
		poll(NULL, 0, delay);
		if (delay < 50)
			delay *= 2;
	}
}

int cgroup_freeze(struct kcgroup *cg, bool frozen, struct kerr *err)
{
	struct kerr e;

	/* v1's freezer where the host has one (runc's way on hybrid hosts);
	 * cgroup2's core cgroup.freeze otherwise. */
	if (cg_v1_is_frozen(cg) >= 0)
		return cg_v1_freeze(cg, frozen, err);
	if (cg->dirfd < 0)
		return kerr_set(err, ENOTSUP, "cgroup %s: no freezer", cg->path);

	if (write_file_at(cg->dirfd, "cgroup.freeze", frozen ? "1" : "0", 1, err) < 0)
		return kerr_prefix(err, "%s cgroup %s%s", frozen ? "freeze" : "thaw", cg->mount,
				   cg->path);
	if (cg_wait_event(cg->dirfd, "frozen", frozen ? 1 : 0, 10000, err) < 0) {
		/* Do not leave a half-frozen container behind a failed pause. */
		if (frozen)
			write_file_at(cg->dirfd, "cgroup.freeze", "0", 1, &e);
		return kerr_prefix(err, "%s cgroup %s%s", frozen ? "freeze" : "thaw", cg->mount,
				   cg->path);
	}
	return 0;
}

int cgroup_is_frozen(struct kcgroup *cg)
{
	cleanup_free char *buf = NULL;
	struct kerr e;

	int v1 = cg_v1_is_frozen(cg);

	if (v1 >= 0 || cg->dirfd < 0)
		return v1;
	/* cgroup.freeze holds what was asked: a pause that was asked reads as
	 * "paused", as runc reports it (the root cgroup has no such file). */
	if (read_file_at(cg->dirfd, "cgroup.freeze", 64, &buf, NULL, &e) < 0)
		return -1;
	return buf[0] == '1' ? 1 : 0;
}
