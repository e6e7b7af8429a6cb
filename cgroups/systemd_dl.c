#include <systemd/sd-bus.h>

#include "cgroups/systemd_dl.h"
#include "common/dlib.h"

struct cg_sd_api cg_sd;

static const char *const names[] = {
#define X(f) #f,
	CG_SD_FUNCS(X)
#undef X
};

static struct dlib lib = {
	.soname = "libsystemd.so.0", .package = "libsystemd0", .names = names,
	.n = sizeof(names) / sizeof(names[0]), .table = (void **)&cg_sd,
};

int cg_sd_load(struct kerr *err)
{
	_Static_assert(sizeof(cg_sd) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one pointer per name");
	return dlib_load(&lib, err);
}
