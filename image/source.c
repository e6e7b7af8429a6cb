/* Image sources: an OCI layout directory (image-layout.md), or a tar file that
 * is either an oci-archive (the same layout in a tar) or a `docker save`
 * archive (manifest.json). Members are read by relative path. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "image/blob.h"
#include "image/internal.h"

/* Layout members are opened beneath the layout dir only: a layout whose
 * blobs/sha256/X is a symlink to /etc/shadow must not make us read it. */
static int layout_open(struct ksrc *s, const char *member, struct kerr *err)
{
	int fd = sys_openat2(s->fd, member, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	if (fd < 0)
		return kerr_errno(err, "open %s/%s", s->path, member);
	return fd;
}

int src_open(const char *path, struct ksrc **ret, struct kerr *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct ksrc *s;
	struct stat st;

	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "stat %s", path);
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (S_ISDIR(st.st_mode)) {
		s->kind = KSRC_LAYOUT;
		if (faccessat(fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			src_free(s);
			return kerr_set(err, 0, "%s: not an OCI image layout (no oci-layout file)",
					path);
		}
	} else if (S_ISREG(st.st_mode)) {
		if (archive_has_member(fd, "oci-layout") && archive_has_member(fd, "index.json"))
			s->kind = KSRC_OCI_ARCHIVE;
		else if (archive_has_member(fd, "manifest.json"))
			s->kind = KSRC_DOCKER_ARCHIVE;
		else {
			src_free(s);
			return kerr_set(err, 0, "%s: neither an oci-archive nor a docker archive "
					"(no oci-layout or manifest.json)", path);
		}
	} else {
		src_free(s);
		return kerr_set(err, 0, "%s: not a directory or a file", path);
	}
	s->fd = move_fd(&fd);
	*ret = s;
	return 0;
}

void src_free(struct ksrc *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

int src_blob_open(struct ksrc *s, const char *member, struct kblob **ret, struct kerr *err)
{
	struct kblob *b;
	int fd;

	if (s->kind != KSRC_LAYOUT)
		return archive_member_open(s->fd, s->path, member, ret, err);
	fd = layout_open(s, member, err);
	if (fd < 0)
		return -1;
	b = xcalloc(1, sizeof(*b));
	b->fd = fd;
	b->name = xstrdup(member);
	*ret = b;
	return 0;
}

ssize_t blob_read(struct kblob *b, void *buf, size_t n, struct kerr *err)
{
	ssize_t r;

	if (b->ar != NULL)
		return archive_member_read(b, buf, n, err);
	do
		r = read(b->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return kerr_errno(err, "read %s", b->name);
	return r;
}

void blob_close(struct kblob *b)
{
	if (b == NULL)
		return;
	if (b->ar != NULL) {
		archive_member_close(b);
		return;
	}
	if (b->fd >= 0)
		close(b->fd);
	free(b->name);
	free(b);
}

int src_read_small(struct ksrc *s, const char *member, size_t max, char **ret_buf,
		   size_t *ret_len, struct kerr *err)
{
	struct kblob *b = NULL;
	cleanup_free char *buf = xmalloc(max + 1);
	size_t len = 0;

	if (src_blob_open(s, member, &b, err) < 0)
		return -1;
	for (;;) {
		ssize_t r = blob_read(b, buf + len, max + 1 - len, err);

		if (r < 0) {
			blob_close(b);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			blob_close(b);
			return kerr_set(err, 0, "%s: %s is larger than %zu bytes", s->path, member,
					max);
		}
	}
	blob_close(b);
	buf[len] = '\0';
	*ret_buf = move_ptr(buf);
	*ret_len = len;
	return 0;
}
