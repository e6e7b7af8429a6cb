/* Members of a tar file (oci-archive, docker save) read with libarchive.
 * Each open reopens the file and skips to the member: libarchive skips data
 * with lseek on a regular file, so finding a member costs one read of each
 * header, not of the blobs before it. */
#include <fcntl.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/util.h"
#include "image/blob.h"
#include "image/internal.h"
#include "image/archive_dl.h"

#define ARCHIVE_BLOCK (1024 * 1024)

static const char *strip_dot(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (p[0] == '/')
		p++;
	return p;
}

/* Positions a new reader of fd's file at member; returns it, or NULL. */
static struct archive *seek_member(int fd, const char *member, int *ret_fd, struct kerr *err,
				   const char *path)
{
	struct archive *a;
	struct archive_entry *e;
	char proc[FD_PATH_MAX];
	int mfd;

	/* a private open file: libarchive reads through the file offset, and
	 * several members may be open at once */
	mfd = open(fd_path(fd, proc), O_RDONLY | O_CLOEXEC);
	if (mfd < 0) {
		kerr_errno(err, "reopen %s", path);
		return NULL;
	}
	if (image_archive_load(err) < 0) {
		close(mfd);
		return NULL;
	}
	a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_fd(a, mfd, ARCHIVE_BLOCK) != ARCHIVE_OK) {
		kerr_set(err, 0, "%s: %s", path, archive_error_string(a));
		goto fail;
	}
	for (;;) {
		int r = archive_read_next_header(a, &e);

		if (r == ARCHIVE_EOF) {
			kerr_set(err, ENOENT, "%s: no member %s", path, member);
			goto fail;
		}
		if (r < ARCHIVE_WARN) {
			kerr_set(err, 0, "%s: %s", path, archive_error_string(a));
			goto fail;
		}
		if (archive_entry_filetype(e) == AE_IFREG &&
		    strcmp(strip_dot(archive_entry_pathname(e)), member) == 0)
			break;
	}
	*ret_fd = mfd;
	return a;
fail:
	archive_read_free(a);
	close(mfd);
	return NULL;
}

bool archive_has_member(int fd, const char *member)
{
	struct kerr err;
	int mfd;
	struct archive *a = seek_member(fd, member, &mfd, &err, "");

	if (a == NULL)
		return false;
	archive_read_free(a);
	close(mfd);
	return true;
}

int archive_member_open(int fd, const char *path, const char *member, struct kblob **ret,
			struct kerr *err)
{
	struct kblob *b;
	int mfd;
	struct archive *a = seek_member(fd, strip_dot(member), &mfd, err, path);

	if (a == NULL)
		return -1;
	b = xcalloc(1, sizeof(*b));
	b->ar = a;
	b->fd = mfd;
	b->name = xasprintf("%s:%s", path, member);
	*ret = b;
	return 0;
}

ssize_t archive_member_read(struct kblob *b, void *buf, size_t n, struct kerr *err)
{
	la_ssize_t r = archive_read_data(b->ar, buf, n);

	if (r < 0)
		return kerr_set(err, 0, "read %s: %s", b->name, archive_error_string(b->ar));
	return r;
}

void archive_member_close(struct kblob *b)
{
	archive_read_free(b->ar);
	close(b->fd);
	free(b->name);
	free(b);
}
