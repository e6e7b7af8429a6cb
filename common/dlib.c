#include "common/dlib.h"

#include <dlfcn.h>
#include <errno.h>

int dlib_load(struct dlib *lib, struct kerr *err)
{
	void *h;

	if (lib->loaded == 1)
		return 0;
	h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return kerr_set(err, ENOENT, "%s: %s (install the Debian package %s)", lib->soname,
				dlerror(), lib->package);
	for (size_t i = 0; i < lib->n; i++) {
		lib->table[i] = dlsym(h, lib->names[i]);
		if (lib->table[i] == NULL) {
			kerr_set(err, ENOENT, "%s: no symbol %s", lib->soname, lib->names[i]);
			dlclose(h);
			return -1;
		}
	}
	lib->loaded = 1;
	return 0;
}
