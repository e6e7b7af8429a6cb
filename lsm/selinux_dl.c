#include <selinux/selinux.h>

#include "common/dlib.h"
#include "lsm/selinux_dl.h"

struct lsm_selinux_api lsm_selinux;

static const char *const names[] = {
#define X(f) #f,
	LSM_SELINUX_FUNCS(X)
#undef X
};

static struct dlib lib = {
	.soname = "libselinux.so.1", .package = "libselinux1", .names = names,
	.n = sizeof(names) / sizeof(names[0]), .table = (void **)&lsm_selinux,
};

int lsm_selinux_load(struct kerr *err)
{
	_Static_assert(sizeof(lsm_selinux) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one pointer per name");
	return dlib_load(&lib, err);
}
