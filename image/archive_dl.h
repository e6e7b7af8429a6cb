/* libarchive, loaded on first use (common/dlib.h says why: 1.3 ms more per
 * start of every kapsel command otherwise). Include after <archive.h> and
 * <archive_entry.h>; image_archive_load() runs before the first
 * archive_read_new(), and every other call needs a struct archive. */
#ifndef KAPSEL_IMAGE_ARCHIVE_DL_H
#define KAPSEL_IMAGE_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "common/error.h"

#define IMAGE_ARCHIVE_FUNCS(X) \
	X(archive_entry_atime) X(archive_entry_atime_is_set) X(archive_entry_atime_nsec) \
	X(archive_entry_filetype) X(archive_entry_gid) X(archive_entry_hardlink) \
	X(archive_entry_mtime) X(archive_entry_mtime_nsec) X(archive_entry_pathname) \
	X(archive_entry_perm) X(archive_entry_rdevmajor) X(archive_entry_rdevminor) \
	X(archive_entry_size) X(archive_entry_symlink) X(archive_entry_uid) \
	X(archive_entry_xattr_next) X(archive_entry_xattr_reset) X(archive_error_string) \
	X(archive_read_data) X(archive_read_data_block) X(archive_read_free) X(archive_read_new) \
	X(archive_read_next_header) X(archive_read_open) X(archive_read_open_fd) \
	X(archive_read_support_filter_all) X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_zstd) X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar) X(archive_set_error)

struct image_archive_api {
#define X(f) __typeof__(f) *f;
	IMAGE_ARCHIVE_FUNCS(X)
#undef X
};

extern struct image_archive_api image_archive;
int image_archive_load(struct kerr *err);

#define archive_entry_atime (image_archive.archive_entry_atime)
#define archive_entry_atime_is_set (image_archive.archive_entry_atime_is_set)
#define archive_entry_atime_nsec (image_archive.archive_entry_atime_nsec)
#define archive_entry_filetype (image_archive.archive_entry_filetype)
#define archive_entry_gid (image_archive.archive_entry_gid)
#define archive_entry_hardlink (image_archive.archive_entry_hardlink)
#define archive_entry_mtime (image_archive.archive_entry_mtime)
#define archive_entry_mtime_nsec (image_archive.archive_entry_mtime_nsec)
#define archive_entry_pathname (image_archive.archive_entry_pathname)
#define archive_entry_perm (image_archive.archive_entry_perm)
#define archive_entry_rdevmajor (image_archive.archive_entry_rdevmajor)
#define archive_entry_rdevminor (image_archive.archive_entry_rdevminor)
#define archive_entry_size (image_archive.archive_entry_size)
#define archive_entry_symlink (image_archive.archive_entry_symlink)
#define archive_entry_uid (image_archive.archive_entry_uid)
#define archive_entry_xattr_next (image_archive.archive_entry_xattr_next)
#define archive_entry_xattr_reset (image_archive.archive_entry_xattr_reset)
#define archive_error_string (image_archive.archive_error_string)
#define archive_read_data (image_archive.archive_read_data)
#define archive_read_data_block (image_archive.archive_read_data_block)
#define archive_read_free (image_archive.archive_read_free)
#define archive_read_new (image_archive.archive_read_new)
#define archive_read_next_header (image_archive.archive_read_next_header)
#define archive_read_open (image_archive.archive_read_open)
#define archive_read_open_fd (image_archive.archive_read_open_fd)
#define archive_read_support_filter_all (image_archive.archive_read_support_filter_all)
#define archive_read_support_filter_gzip (image_archive.archive_read_support_filter_gzip)
#define archive_read_support_filter_zstd (image_archive.archive_read_support_filter_zstd)
#define archive_read_support_format_gnutar (image_archive.archive_read_support_format_gnutar)
#define archive_read_support_format_raw (image_archive.archive_read_support_format_raw)
#define archive_read_support_format_tar (image_archive.archive_read_support_format_tar)
#define archive_set_error (image_archive.archive_set_error)

#endif
