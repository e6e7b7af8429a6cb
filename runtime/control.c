/* pause, resume, ps, update, events: the commands that act on a running
 * container through its cgroup. */
#include "runtime/runtime.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/util.h"
#include "runtime/state.h"

/* Opens the container (locked) and its cgroup; through its driver (systemd)
 * when it changes limits, on the filesystem otherwise. */
static int open_driver(const struct kglobal *g, const char *id, bool driver,
		       struct kcontainer **ret_c, struct kcgroup **ret_cg, struct kerr *err)
{
	struct kcontainer *c = NULL;
	struct kcgroup *cg = NULL;

	if (container_open(g->root, id, &c, err) < 0)
		return -1;
	if (c->st.cgroup_path == NULL) {
		bool rootless = c->st.rootless;

		container_close(c);
		return kerr_set(err, ENOTSUP, "container %s has no cgroup (%s)", id,
				rootless ? "rootless without a delegated cgroup (systemd Delegate=)"
					 : "no cgroup2 mounted?");
	}
	if ((driver && c->st.systemd_cgroup ? cgroup_open_systemd : cgroup_open)(c->st.cgroup_path,
										   &cg, err) < 0) {
		container_close(c);
		return kerr_prefix(err, "container %s", id);
	}
	*ret_c = c;
	*ret_cg = cg;
	return 0;
}

static int open_both(const struct kglobal *g, const char *id, struct kcontainer **ret_c,
		     struct kcgroup **ret_cg, struct kerr *err)
{
	return open_driver(g, id, false, ret_c, ret_cg, err);
}

static int freeze(const struct kglobal *g, const char *id, bool frozen, struct kerr *err)
{
	struct kcontainer *c;
	struct kcgroup *cg;
	enum kstatus s;
	int r;

	if (open_both(g, id, &c, &cg, err) < 0)
		return -1;
	s = container_status(c);
	/* runc pauses created and running containers, and resumes paused ones. */
	if (frozen && s != KSTATUS_RUNNING && s != KSTATUS_CREATED)
		r = kerr_set(err, EINVAL, "container %s is %s, not running or created", id,
			     kstatus_name(s));
	else if (!frozen && s != KSTATUS_PAUSED)
		r = kerr_set(err, EINVAL, "container %s is %s, not paused", id, kstatus_name(s));
	else
		r = cgroup_freeze(cg, frozen, err);
	cgroup_free(cg);
	container_close(c);
	return r;
}

int runtime_pause(const struct kglobal *g, const char *id, struct kerr *err)
{
	return freeze(g, id, true, err);
}

int runtime_resume(const struct kglobal *g, const char *id, struct kerr *err)
{
	return freeze(g, id, false, err);
}

int runtime_ps(const struct kglobal *g, const char *id, pid_t **ret, size_t *ret_n,
	       struct kerr *err)
{
	struct kcontainer *c;
	struct kcgroup *cg;
	int r;

	if (open_both(g, id, &c, &cg, err) < 0)
		return -1;
	r = cgroup_pids(cg, ret, ret_n, err);
	cgroup_free(cg);
	container_close(c);
	return r;
}

int runtime_update(const struct kglobal *g, const char *id, json_t *resources, struct kerr *err)
{
	struct kcontainer *c;
	struct kcgroup *cg;
	enum kstatus s;
	int r;

	if (cgroups_validate(resources, err) < 0)
		return -1;
	if (open_driver(g, id, true, &c, &cg, err) < 0)
		return -1;
	s = container_status(c);
	if (s == KSTATUS_STOPPED)
		r = kerr_set(err, EINVAL, "container %s is stopped", id);
	else
		r = cgroup_update(cg, resources, err);
	cgroup_free(cg);
	container_close(c);
	return r < 0 ? kerr_prefix(err, "update %s", id) : 0;
}

/* Prints one event line. Limits of -1 ("max") are printed as runc prints
 * them, 2^64-1, which a jansson integer cannot hold. */
static int print_event(const char *type, const char *id, json_t *data)
{
	static const char key[] = "\"limit\":-1";
	json_t *ev = json_pack("{s:s,s:s}", "type", type, "id", id);
	cleanup_free char *s = NULL;
	const char *p, *q;

	if (data != NULL)
		json_object_set(ev, "data", data);
	s = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (s == NULL)
		return -1;
	for (p = s; (q = strstr(p, key)) != NULL; p = q + sizeof(key) - 1) {
		bool whole = q[sizeof(key) - 1] == ',' || q[sizeof(key) - 1] == '}';

		fwrite(p, 1, (size_t)(q - p), stdout);
		fputs(whole ? "\"limit\":18446744073709551615" : key, stdout);
	}
	fputs(p, stdout);
	return putchar('\n') == EOF || fflush(stdout) != 0 ? -1 : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int print_stats(struct kcgroup *cg, const char *id, struct kerr *err)
{
	json_t *stats = NULL;
	int r;

	if (cgroup_stats(cg, &stats, err) < 0)
		return -1;
	r = print_event("stats", id, stats);
	json_decref(stats);
	return r < 0 ? kerr_errno(err, "write to stdout") : 0;
}

int runtime_events(const struct kglobal *g, const char *id, bool stats_once, int interval_ms,
		   struct kerr *err)
{
	struct kcontainer *c;
	struct kcgroup *cg;
	pid_t pid;
	uint64_t start;
	int64_t ooms, next_stats;
	int r = 0, oomfd;

	if (open_both(g, id, &c, &cg, err) < 0)
		return -1;
	pid = c->st.pid;
	start = c->st.start_time;
	/* Not held while streaming: kill and delete must not wait for us. */
	container_close(c);
	if (stats_once) {
		r = print_stats(cg, id, err);
		cgroup_free(cg);
		return r;
	}
	if (interval_ms <= 0)
		interval_ms = 5000;
	/* v1: an eventfd per OOM (runc's notifyOnOOM); cgroup2: the count of
	 * OOM kills in memory.events, polled. */
	oomfd = cgroup_oom_fd(cg);
	ooms = cgroup_oom_kills(cg);
	next_stats = now_ms() + interval_ms;
	for (;;) {
		int64_t o = oomfd < 0 ? cgroup_oom_kills(cg) : -1;
		bool alive = pid > 0 && proc_start_time(pid) == start;
		struct pollfd pfd = { .fd = oomfd, .events = POLLIN };
		uint64_t n;

		/* The eventfd (non-blocking) also fires when the cgroup goes
		 * away: that is no OOM. */
		if (oomfd >= 0 && read(oomfd, &n, sizeof(n)) == sizeof(n) &&
		    cgroup_oom_kills(cg) >= 0 && print_event("oom", id, NULL) < 0) {
			r = kerr_errno(err, "write to stdout");
			goto out;
		}
		/* memory.events oom_kill counts kills; report each new one. */
		for (; o > ooms && ooms >= 0; ooms++)
			if (print_event("oom", id, NULL) < 0) {
				r = kerr_errno(err, "write to stdout");
				goto out;
			}
		if (o >= 0)
			ooms = o;
		if (!alive)
			break;
		if (now_ms() >= next_stats) {
			if (print_stats(cg, id, err) < 0) {
				r = -1;
				goto out;
			}
			next_stats += interval_ms;
		}
		poll(oomfd >= 0 ? &pfd : NULL, oomfd >= 0 ? 1 : 0, 100);
	}
out:
	if (oomfd >= 0)
		close(oomfd);
	cgroup_free(cg);
	return r;
}
