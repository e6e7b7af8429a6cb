/* What the `features` command reports for lsm/: what this build recognises
 * and, for seccomp flags, what the running kernel takes too. */
#include "lsm/lsm.h"
#include "lsm/internal.h"

json_t *lsm_features(void)
{
	json_t *o = json_object();
	json_t *caps = json_array();

	for (size_t i = 0; i < lsm_cap_known_count(); i++)
		json_array_append_new(caps, json_string(lsm_cap_name(i)));
	json_object_set_new(o, "capabilities", caps);
	json_object_set_new(o, "seccomp", lsm_seccomp_features());
	/* "Irrelevant to the availability on the host": this build has both. */
	json_object_set_new(o, "apparmor", json_pack("{s:b}", "enabled", 1));
	json_object_set_new(o, "selinux", json_pack("{s:b}", "enabled", 1));
	return o;
}
