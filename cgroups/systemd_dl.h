/* libsystemd's sd-bus, loaded on first use (common/dlib.h says why: only
 * runs with --systemd-cgroup talk to systemd). Include after
 * <systemd/sd-bus.h>; call cg_sd_load() before any sd_bus_* call. */
#ifndef KAPSEL_CGROUPS_SYSTEMD_DL_H
#define KAPSEL_CGROUPS_SYSTEMD_DL_H

#include <systemd/sd-bus.h>

#include "common/error.h"

#define CG_SD_FUNCS(X) \
	X(sd_bus_new) X(sd_bus_set_address) X(sd_bus_start) X(sd_bus_open_system) \
	X(sd_bus_open_user) X(sd_bus_flush_close_unref) X(sd_bus_message_new_method_call) \
	X(sd_bus_message_append) X(sd_bus_message_append_array) \
	X(sd_bus_message_open_container) X(sd_bus_message_close_container) \
	X(sd_bus_message_read) X(sd_bus_message_unref) X(sd_bus_call) X(sd_bus_call_method) \
	X(sd_bus_get_property_string) X(sd_bus_error_free) X(sd_bus_error_has_name) \
	X(sd_bus_match_signal) X(sd_bus_slot_unref) X(sd_bus_process) X(sd_bus_wait)

struct cg_sd_api {
#define X(f) __typeof__(f) *f;
	CG_SD_FUNCS(X)
#undef X
};

extern struct cg_sd_api cg_sd;
int cg_sd_load(struct kerr *err);

#define sd_bus_new (cg_sd.sd_bus_new)
#define sd_bus_set_address (cg_sd.sd_bus_set_address)
#define sd_bus_start (cg_sd.sd_bus_start)
#define sd_bus_open_system (cg_sd.sd_bus_open_system)
#define sd_bus_open_user (cg_sd.sd_bus_open_user)
#define sd_bus_flush_close_unref (cg_sd.sd_bus_flush_close_unref)
#define sd_bus_message_new_method_call (cg_sd.sd_bus_message_new_method_call)
#define sd_bus_message_append (cg_sd.sd_bus_message_append)
#define sd_bus_message_append_array (cg_sd.sd_bus_message_append_array)
#define sd_bus_message_open_container (cg_sd.sd_bus_message_open_container)
#define sd_bus_message_close_container (cg_sd.sd_bus_message_close_container)
#define sd_bus_message_read (cg_sd.sd_bus_message_read)
#define sd_bus_message_unref (cg_sd.sd_bus_message_unref)
#define sd_bus_call (cg_sd.sd_bus_call)
#define sd_bus_call_method (cg_sd.sd_bus_call_method)
#define sd_bus_get_property_string (cg_sd.sd_bus_get_property_string)
#define sd_bus_error_free (cg_sd.sd_bus_error_free)
#define sd_bus_error_has_name (cg_sd.sd_bus_error_has_name)
#define sd_bus_match_signal (cg_sd.sd_bus_match_signal)
#define sd_bus_slot_unref (cg_sd.sd_bus_slot_unref)
#define sd_bus_process (cg_sd.sd_bus_process)
#define sd_bus_wait (cg_sd.sd_bus_wait)

#endif
