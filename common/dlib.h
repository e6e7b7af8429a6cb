/* Optional libraries, loaded on first use. Every library a binary links is
 * mapped and relocated at each start, and kapsel starts twice per container
 * (the sealed-memfd re-exec): libarchive, libnftables and libselinux cost
 * ~2 ms there while most containers need none of them. A folder that uses
 * one declares a table of its functions typed with __typeof__ from the
 * library's own header (so a prototype is never restated by hand), and
 * redirects calls to the table with macros; see netsetup/nft_dl.h. */
#ifndef KAPSEL_COMMON_DLIB_H
#define KAPSEL_COMMON_DLIB_H

#include <stddef.h>

#include "common/error.h"

struct dlib {
	const char *soname;       /* "libnftables.so.1" */
	const char *package;      /* the Debian package that ships it */
	const char *const *names; /* the symbols, in the order of the table */
	size_t n;
	void **table;             /* n function pointers, filled by dlib_load */
	int loaded;               /* 1 loaded, -1 failed, 0 not tried */
};

/* Loads the library and every symbol once; a missing library or symbol is a
 * clear error naming the package. */
int dlib_load(struct dlib *lib, struct kerr *err);

#endif
