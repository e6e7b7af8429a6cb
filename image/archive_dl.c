#include <archive.h>
#include <archive_entry.h>

#include "common/dlib.h"
#include "image/archive_dl.h"

struct image_archive_api image_archive;

static const char *const names[] = {
#define X(f) #f,
	IMAGE_ARCHIVE_FUNCS(X)
#undef X
};

static struct dlib lib = {
	.soname = "libarchive.so.13", .package = "libarchive13", .names = names,
	.n = sizeof(names) / sizeof(names[0]), .table = (void **)&image_archive,
};

int image_archive_load(struct kerr *err)
{
	_Static_assert(sizeof(image_archive) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
		       "one pointer per name");
	return dlib_load(&lib, err);
}
