/* Private to cgroups/systemd*.c: the calls to systemd's manager over sd-bus. */
#ifndef KAPSEL_CGROUPS_SYSTEMD_BUS_H
#define KAPSEL_CGROUPS_SYSTEMD_BUS_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/internal.h"
#include "common/error.h"

struct sd_bus;

/* Connects to the system's manager (user false) or the caller's own
 * (`systemd --user`), loading libsystemd first. */
int cg_sd_connect(bool user, struct sd_bus **ret, struct kerr *err);
void cg_sd_disconnect(struct sd_bus *bus);
/* The manager's version (252 for "252.38-1~deb12u1"); fails when no manager answers. */
int cg_sd_version(struct sd_bus *bus, unsigned *ret, struct kerr *err);
/* StartTransientUnit of the scope with pid in it, delegated, with props;
 * waits for the job. *ret_made is set once the unit exists (to stop on failure). */
int cg_sd_start_scope(struct sd_bus *bus, const char *unit, const char *slice,
		      const char *description, pid_t pid, unsigned version,
		      const struct kcg_sdprops *props, bool *ret_made, struct kerr *err);
/* SetUnitProperties (runtime, not persisted). */
int cg_sd_set_props(struct sd_bus *bus, const char *unit, const struct kcg_sdprops *props,
		    struct kerr *err);
/* StopUnit, waits for the job, then ResetFailedUnit; a unit gone already is fine. */
int cg_sd_stop_unit(struct sd_bus *bus, const char *unit, struct kerr *err);
/* The unit's cgroup ("/system.slice/x.scope"), relative to the cgroup2 root. */
int cg_sd_control_group(struct sd_bus *bus, const char *unit, char **ret, struct kerr *err);

#endif
