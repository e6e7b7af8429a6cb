/* State of one layer's extraction, shared by unpack.c and entry.c. */
#ifndef KAPSEL_IMAGE_UNPACK_H
#define KAPSEL_IMAGE_UNPACK_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "image/internal.h"

struct archive;
struct archive_entry;

/* Directories get their mode and times after the layer's last entry: creating
 * children changes a directory's mtime, and a read-only directory must stay
 * writable until then. */
struct kdeferred {
	char *path;
	mode_t mode;
	struct timespec times[2];
};

struct kunpack {
	const struct kunpack_opts *o;
	struct archive *in;          /* the tar stream */
	struct kpathset *created;    /* entries of this layer (whiteouts spare them) */
	char *parent_path;           /* cache of the last parent directory */
	int parent_fd;
	struct kdeferred *dirs;
	size_t n_dirs, cap_dirs;
	uid_t euid;
	gid_t egid;
	gid_t parent_new_gid;        /* the gid a file created in the parent gets */
	bool tar_ended;              /* the tar stopped right after a complete file */
};

/* entry.c */
int entry_extract(struct kunpack *u, struct archive_entry *e, const char *path,
		  struct kerr *err);
int entry_finish_dirs(struct kunpack *u, struct kerr *err);
void unpack_forget_parent(struct kunpack *u);
/* lower.c: a hardlink to a file of a lower layer becomes a copy of it (overlay
 * store layers cannot share inodes across layers). */
int entry_copy_from_lower(struct kunpack *u, const char *target, int dirfd, const char *name,
			  struct kerr *err);

int entry_check_lower_parents(struct kunpack *u, const char *path, struct kerr *err);

#endif
