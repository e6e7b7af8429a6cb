/* libFuzzer target for the config.json parser (`make fuzz`): any input must
 * parse or fail cleanly, and spec_free must release everything (ASan's leak
 * check runs at exit). */
#include <stddef.h>
#include <stdint.h>

#include "runtime/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kspec *spec = NULL;
	struct kerr err;

	if (spec_parse_buffer((const char *)data, size, "/bundle", &spec, &err) == 0)
		spec_free(spec);
	return 0;
}
