/* Tar entry names are attacker-controlled. Every name is cleaned first
 * (absolute paths and ".." refused outright), then resolved beneath the
 * rootfs with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a symlink that
 * an earlier entry or layer planted is never followed on the way to a write
 * (the CVE-2018-15664 / CVE-2019-14271 family of escapes), and /proc magic
 * links cannot be used either. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "image/internal.h"

#define RESOLVE_STRICT (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | \
			RESOLVE_NO_XDEV)

int entry_path_clean(const char *raw, char **ret, struct kerr *err)
{
	size_t n = strlen(raw);
	cleanup_free char *out = xmalloc(n + 1);
	size_t o = 0;
	const char *p = raw;

	/* umoci writes the root as "/": allowed, any other absolute name is not */
	if (raw[0] == '/' && raw[strspn(raw, "/.")] != '\0')
		return kerr_set(err, 0, "absolute path refused");
	while (*p != '\0') {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return kerr_set(err, 0, "path contains '..' (refused: it could leave "
					"the rootfs)");
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p = *end ? end + 1 : end;
	}
	out[o] = '\0';
	*ret = move_ptr(out);
	return 0;
}

static int resolve_message(int e, const char *p, struct kerr *err)
{
	switch (e) {
	case ELOOP:
		return kerr_set(err, 0, "a component of '%s' is a symlink (refused: writing "
				"through it could leave the rootfs)", p);
	case EXDEV:
		return kerr_set(err, 0, "'%s' resolves outside the rootfs (refused)", p);
	case ENOTDIR:
		return kerr_set(err, 0, "a component of '%s' is not a directory", p);
	default:
		return kerr_set(err, e, "resolve '%s'", p);
	}
}

static int resolve_error(int e, const char *p, struct kerr *err)
{
	int r = resolve_message(e, p, err);

	err->code = e;
	return r;
}

/* Walks p component by component, creating missing directories. */
static int walk_create(int rootfd, const char *p, int *ret_fd, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(p);
	cleanup_close int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	char *save = NULL;

	if (cur < 0)
		return kerr_errno(err, "dup");
	for (char *c = strtok_r(copy, "/", &save); c != NULL; c = strtok_r(NULL, "/", &save)) {
		int next = sys_openat2(cur, c, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_STRICT);

		if (next < 0 && errno == ENOENT) {
			if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
				return kerr_errno(err, "mkdir '%s' (parent of an entry)", c);
			next = sys_openat2(cur, c, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
					   RESOLVE_STRICT);
		}
		if (next < 0)
			return resolve_error(errno, p, err);
		close(cur);
		cur = next;
	}
	*ret_fd = move_fd(&cur);
	return 0;
}

int open_parent(int rootfd, const char *p, bool create, int *ret_fd, const char **ret_name,
		struct kerr *err)
{
	const char *slash = strrchr(p, '/');
	cleanup_free char *parent = NULL;
	int fd;

	if (p[0] == '\0')
		return kerr_set(err, EINVAL, "the root has no parent");
	if (slash == NULL) {
		fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return kerr_errno(err, "dup");
		*ret_fd = fd;
		*ret_name = p;
		return 0;
	}
	parent = strndup(p, (size_t)(slash - p));
	fd = sys_openat2(rootfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_STRICT);
	if (fd < 0 && errno == ENOENT && create) {
		if (walk_create(rootfd, parent, &fd, err) < 0)
			return -1;
	} else if (fd < 0) {
		return resolve_error(errno, parent, err);
	}
	*ret_fd = fd;
	*ret_name = slash + 1;
	return 0;
}

int open_beneath(int rootfd, const char *p, int flags, int *ret_fd, struct kerr *err)
{
	int fd = sys_openat2(rootfd, p[0] ? p : ".", (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
			     0, RESOLVE_STRICT);

	if (fd < 0)
		return errno == ENOENT ? kerr_set(err, ENOENT, "'%s' does not exist", p)
				       : resolve_error(errno, p, err);
	*ret_fd = fd;
	return 0;
}
