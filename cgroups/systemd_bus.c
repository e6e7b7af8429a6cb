/* systemd's manager over sd-bus: transient scopes, their properties, their
 * jobs. Root talks to /run/systemd/private as systemctl does (no
 * dbus-daemon needed); a rootless caller to its own `systemd --user`. */
#include <systemd/sd-bus.h>

#include "cgroups/systemd_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/systemd_dl.h"
#include "common/log.h"
#include "common/util.h"

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define MANAGER "org.freedesktop.systemd1.Manager"
#define CALL_TIMEOUT_US (60ULL * 1000000)  /* TCG test VMs are slow */
#define JOB_TIMEOUT_MS 60000

static void bus_error_free(sd_bus_error *e)
{
	sd_bus_error_free(e);
}
#define cleanup_bus_error __attribute__((cleanup(bus_error_free)))

static void msg_unrefp(sd_bus_message **m)
{
	if (*m != NULL)
		sd_bus_message_unref(*m);
}
#define cleanup_msg __attribute__((cleanup(msg_unrefp)))

/* The bus error's message, or the errno's. */
static int bus_fail(struct kerr *err, int r, const sd_bus_error *e, const char *what,
		    const char *unit)
{
	if (e != NULL && e->message != NULL)
		return kerr_set(err, -r, "systemd: %s %s: %s", what, unit, e->message);
	return kerr_set(err, -r, "systemd: %s %s", what, unit);
}

static int connect_private(const char *path, sd_bus **ret)
{
	cleanup_free char *addr = xasprintf("unix:path=%s", path);
	sd_bus *b = NULL;
	int r;

	if (access(path, F_OK) < 0)
		return -errno;
	r = sd_bus_new(&b);
	if (r < 0)
		return r;
	r = sd_bus_set_address(b, addr);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r < 0) {
		sd_bus_flush_close_unref(b);
		return r;
	}
	*ret = b;
	return 0;
}

int cg_sd_connect(bool user, struct sd_bus **ret, struct kerr *err)
{
	cleanup_free char *priv = NULL;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	sd_bus *b = NULL;
	int r;

	if (cg_sd_load(err) < 0)
		return -1;
	if (user && (xdg == NULL || xdg[0] == '\0'))
		return kerr_set(err, 0, "systemd: XDG_RUNTIME_DIR is not set: cannot find the "
				"user's systemd");
	priv = user ? xasprintf("%s/systemd/private", xdg) : xstrdup("/run/systemd/private");
	r = connect_private(priv, &b);
	if (r < 0 && (user ? sd_bus_open_user(&b) : sd_bus_open_system(&b)) >= 0)
		r = 0;
	if (r < 0)
		return kerr_set(err, -r, "systemd: cannot connect to %s%s", priv,
				user ? " (is `systemd --user` running?)" : " (is systemd running?)");
	*ret = b;
	return 0;
}

void cg_sd_disconnect(struct sd_bus *bus)
{
	if (bus != NULL)
		sd_bus_flush_close_unref(bus);
}

int cg_sd_version(struct sd_bus *bus, unsigned *ret, struct kerr *err)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	char *v = NULL;
	int r = sd_bus_get_property_string(bus, DEST, PATH, MANAGER, "Version", &e, &v);

	if (r < 0)
		return bus_fail(err, r, &e, "get the version of", "the manager");
	*ret = (unsigned)strtoul(v, NULL, 10);
	free(v);
	return 0;
}

/* JobRemoved signals for one unit, remembered until the job's path is known
 * (the signal can come before the reply to the call that made the job). */
struct job_watch {
	const char *unit;
	char *job[8], *result[8];
	size_t n;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct job_watch *w = userdata;
	const char *job, *unit, *result;
	uint32_t id;

	(void)e;
	if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
		return 0;
	if (strcmp(unit, w->unit) == 0 && w->n < ARRAY_SIZE(w->job)) {
		w->job[w->n] = xstrdup(job);
		w->result[w->n++] = xstrdup(result);
	}
	return 0;
}

static void watch_free(struct job_watch *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->job[i]);
		free(w->result[i]);
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for job's JobRemoved; its result must be "done". */
static int wait_job(sd_bus *bus, struct job_watch *w, const char *job, const char *what,
		    struct kerr *err)
{
	int64_t deadline = now_ms() + JOB_TIMEOUT_MS;

	for (;;) {
		int64_t left;
		int r;

		for (size_t i = 0; i < w->n; i++) {
			if (strcmp(w->job[i], job) != 0)
				continue;
			if (strcmp(w->result[i], "done") == 0)
				return 0;
			return kerr_set(err, 0, "systemd: %s %s: the job ended with \"%s\"", what,
					w->unit, w->result[i]);
		}
		r = sd_bus_process(bus, NULL);
		if (r < 0)
			return kerr_set(err, -r, "systemd: %s %s: reading the bus", what, w->unit);
		if (r > 0)
			continue;
		left = deadline - now_ms();
		if (left <= 0)
			return kerr_set(err, ETIMEDOUT, "systemd: %s %s: no answer in %d s", what,
					w->unit, JOB_TIMEOUT_MS / 1000);
		r = sd_bus_wait(bus, (uint64_t)left * 1000);
		if (r < 0 && r != -EINTR)
			return kerr_set(err, -r, "systemd: %s %s: waiting on the bus", what, w->unit);
	}
}

/* Subscribes to JobRemoved for w->unit; systemd sends job signals on its
 * private socket unconditionally, on the bus only to subscribers. */
static int watch_jobs(sd_bus *bus, struct job_watch *w, sd_bus_slot **slot, struct kerr *err)
{
	int r = sd_bus_match_signal(bus, slot, DEST, PATH, MANAGER, "JobRemoved", on_job_removed, w);

	if (r < 0)
		return kerr_set(err, -r, "systemd: subscribe to the jobs of %s", w->unit);
	sd_bus_call_method(bus, DEST, PATH, MANAGER, "Subscribe", NULL, NULL, "");
	return 0;
}

static int append_props(sd_bus_message *m, const struct kcg_sdprops *ps)
{
	int r = 0;

	for (size_t i = 0; i < ps->n && r >= 0; i++) {
		const struct kcg_sdprop *p = &ps->p[i];

		if (p->type == KCG_SD_U64) {
			r = sd_bus_message_append(m, "(sv)", p->name, "t", p->u);
			continue;
		}
		r = sd_bus_message_open_container(m, 'r', "sv");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", p->name);
		if (r >= 0)
			r = sd_bus_message_open_container(m, 'v', "ay");
		if (r >= 0)
			r = sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r;
}

static int scope_message(sd_bus *bus, const char *unit, const char *slice, const char *description,
			 pid_t pid, unsigned version, const struct kcg_sdprops *props,
			 sd_bus_message **ret)
{
	cleanup_msg sd_bus_message *m = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "StartTransientUnit");

	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	/* No DefaultDependencies: a container must not be stopped with
	 * shutdown.target ordering games, as runc does. The accounting
	 * switches make systemd enable the controllers along the slice. */
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "Description", "s", description,
					  "Slice", "s", slice, "Delegate", "b", 1,
					  "DefaultDependencies", "b", 0);
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "MemoryAccounting", "b", 1,
					  "CPUAccounting", "b", 1, "IOAccounting", "b", 1,
					  "TasksAccounting", "b", 1);
	/* A failed scope would stay loaded until reset-failed. */
	if (r >= 0 && version >= 236)
		r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
	if (r >= 0)
		r = append_props(m, props);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		return r;
	*ret = move_ptr(m);
	return 0;
}

int cg_sd_start_scope(struct sd_bus *bus, const char *unit, const char *slice,
		      const char *description, pid_t pid, unsigned version,
		      const struct kcg_sdprops *props, bool *ret_made, struct kerr *err)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_msg sd_bus_message *m = NULL, *reply = NULL;
	struct job_watch w = { .unit = unit };
	sd_bus_slot *slot = NULL;
	const char *job;
	int r;

	if (watch_jobs(bus, &w, &slot, err) < 0)
		return -1;
	r = scope_message(bus, unit, slice, description, pid, version, props, &m);
	if (r < 0) {
		kerr_set(err, -r, "systemd: build the request for %s", unit);
		goto out;
	}
	r = sd_bus_call(bus, m, CALL_TIMEOUT_US, &e, &reply);
	if (r < 0) {
		bus_fail(err, r, &e, "start", unit);
		goto out;
	}
	*ret_made = true;
	r = sd_bus_message_read(reply, "o", &job);
	if (r < 0)
		kerr_set(err, -r, "systemd: start %s: unexpected reply", unit);
	else
		r = wait_job(bus, &w, job, "start", err);
out:
	sd_bus_slot_unref(slot);
	watch_free(&w);
	return r < 0 ? -1 : 0;
}

int cg_sd_set_props(struct sd_bus *bus, const char *unit, const struct kcg_sdprops *props,
		    struct kerr *err)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_msg sd_bus_message *m = NULL, *reply = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, DEST, PATH, MANAGER, "SetUnitProperties");

	if (r >= 0)
		r = sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = append_props(m, props);
	if (r >= 0)
		r = sd_bus_message_close_container(m);
	if (r < 0)
		return kerr_set(err, -r, "systemd: build the request for %s", unit);
	r = sd_bus_call(bus, m, CALL_TIMEOUT_US, &e, &reply);
	if (r < 0)
		return bus_fail(err, r, &e, "set the properties of", unit);
	return 0;
}

int cg_sd_stop_unit(struct sd_bus *bus, const char *unit, struct kerr *err)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_msg sd_bus_message *reply = NULL;
	struct job_watch w = { .unit = unit };
	sd_bus_slot *slot = NULL;
	const char *job;
	int r;

	if (watch_jobs(bus, &w, &slot, err) < 0)
		return -1;
	r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "StopUnit", &e, &reply, "ss", unit,
			       "replace");
	if (r < 0) {
		/* An empty scope stops by itself when its last process exits. */
		if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
			r = 0;
		else
			bus_fail(err, r, &e, "stop", unit);
	} else if ((r = sd_bus_message_read(reply, "o", &job)) < 0) {
		kerr_set(err, -r, "systemd: stop %s: unexpected reply", unit);
	} else {
		r = wait_job(bus, &w, job, "stop", err);
	}
	sd_bus_slot_unref(slot);
	watch_free(&w);
	if (r < 0)
		return -1;
	/* A scope that failed (its init killed by a signal...) stays listed
	 * until this; not an error when it is gone. */
	sd_bus_call_method(bus, DEST, PATH, MANAGER, "ResetFailedUnit", NULL, NULL, "s", unit);
	return 0;
}

int cg_sd_control_group(struct sd_bus *bus, const char *unit, char **ret, struct kerr *err)
{
	cleanup_bus_error sd_bus_error e = SD_BUS_ERROR_NULL;
	cleanup_msg sd_bus_message *reply = NULL;
	const char *obj;
	char *cg = NULL;
	int r = sd_bus_call_method(bus, DEST, PATH, MANAGER, "GetUnit", &e, &reply, "s", unit);

	if (r < 0)
		return bus_fail(err, r, &e, "find", unit);
	r = sd_bus_message_read(reply, "o", &obj);
	if (r < 0)
		return kerr_set(err, -r, "systemd: find %s: unexpected reply", unit);
	r = sd_bus_get_property_string(bus, DEST, obj, "org.freedesktop.systemd1.Scope",
				       "ControlGroup", &e, &cg);
	if (r < 0)
		return bus_fail(err, r, &e, "get the cgroup of", unit);
	if (cg[0] != '/') {
		free(cg);
		return kerr_set(err, 0, "systemd: %s has no cgroup", unit);
	}
	*ret = cg;
	return 0;
}
