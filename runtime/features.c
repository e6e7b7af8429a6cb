/* `features` (runtime-spec features.md): what this build recognizes, decided
 * at compile time as the spec asks, not what the host happens to allow. */
#include "runtime/runtime.h"

#include <stdio.h>
#include <stdlib.h>

#include "lsm/lsm.h"
#include "runtime/criu.h"
#include "spec/spec.h"

static json_t *string_array(const char *const *v)
{
	json_t *a = json_array();

	for (; *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static const char *criu_where(void)
{
	static char where[512];
	char *path = NULL;

	if (criu_find(NULL, &path, NULL) < 0)
		return "not installed (Debian package criu)";
	snprintf(where, sizeof(where), "%s", path);
	free(path);
	return where;
}

json_t *runtime_features(void)
{
	static const char *const hooks[] = { "prestart", "createRuntime", "createContainer",
					     "startContainer", "poststart", "poststop", NULL };
	json_t *linux_obj = lsm_features();
	json_t *ns = json_array();

	for (int t = 0; t < KNS_COUNT; t++)
		json_array_append_new(ns, json_string(kns_name((enum kns_type)t)));
	json_object_set_new(linux_obj, "namespaces", ns);
	json_object_set_new(linux_obj, "cgroup",
			    json_pack("{s:b,s:b,s:b,s:b,s:b}", "v1", 1, "v2", 1, "systemd", 1,
				      "systemdUser", 1, "rdma", 0));
	json_object_set_new(linux_obj, "intelRdt", json_pack("{s:b}", "enabled", 0));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s, s:s}}", "ociVersionMin", "1.0.0",
			 "ociVersionMax", "1.1.0", "hooks", string_array(hooks), "mountOptions",
			 string_array(spec_mount_option_names()), "linux", linux_obj,
			 "annotations", "org.kapsel.version", KAPSEL_VERSION,
			 /* checkpoint/restore is built in; whether it can run
			  * depends on the criu binary, so say which one. */
			 "org.kapsel.checkpoint", "criu command line",
			 "org.kapsel.checkpoint.criu", criu_where());
}
