/* libFuzzer target for the config.json parser (`make fuzz`): any input must
 * parse or fail cleanly, a parsed spec must then pass or fail the checks
 * create runs on it (lsm_validate, cgroups_validate) cleanly, and spec_free
 * must release everything (ASan's leak check runs at exit). */
#include <stddef.h>
#include <stdint.h>

#include "cgroups/cgroups.h"
#include "common/log.h"
#include "lsm/lsm.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kspec *spec = NULL;
	struct kerr err;
	static int quiet;

	/* spec warnings (relative mount destination, unknown hook) are not findings */
	if (!quiet)
		quiet = klog_open("/dev/null", false, false) == 0 ? 1 : -1;
	if (spec_parse_buffer((const char *)data, size, "/bundle", &spec, &err) == 0) {
		struct kerr e2 = { 0 };

		if (cgroups_validate(spec->resources, &e2) < 0)
			kerr_clear(&e2);
		(void)lsm_validate(spec, &e2);
		spec_free(spec);
	}
	return 0;
}
