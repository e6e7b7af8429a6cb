/* Overlay store only: a hardlink whose target lives in a lower layer. Layers
 * are separate directories, so the link becomes a copy of the lower file
 * (content, owner, mode, xattrs, times), found through the lower layers'
 * dirs top first, resolved beneath each like every other path. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "common/util.h"
#include "image/unpack.h"

static int copy_data(int in, int out, off_t size, struct kerr *err)
{
	while (size > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)size, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kerr_errno(err, "copy");
		if (n == 0)
			break;
		size -= n;
	}
	return 0;
}

static int copy_xattrs(int in, int out, bool rootless, struct kerr *err)
{
	char names[8192], value[65536];
	ssize_t len = flistxattr(in, names, sizeof(names));

	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(names + i) + 1) {
		const char *n = names + i;
		ssize_t vl;

		if (strncmp(n, "trusted.overlay.", 16) == 0)
			continue;
		vl = fgetxattr(in, n, value, sizeof(value));
		if (vl < 0)
			continue;
		if (fsetxattr(out, n, value, (size_t)vl, 0) < 0 && !rootless)
			return kerr_errno(err, "set xattr %s", n);
	}
	return 0;
}

int entry_copy_from_lower(struct kunpack *u, const char *target, int dirfd, const char *name,
			  struct kerr *err)
{
	for (size_t i = 0; i < u->o->n_lower; i++) {
		cleanup_close int in = -1, out = -1;
		struct stat st;
		struct timespec ts[2];

		if (open_beneath(u->o->lower_fds[i], target, O_RDONLY, &in, err) < 0) {
			if (err->code == ENOENT)
				continue;
			return kerr_prefix(err, "hardlink target in a lower layer");
		}
		if (fstat(in, &st) < 0)
			return kerr_errno(err, "stat");
		if (!S_ISREG(st.st_mode))
			return kerr_set(err, 0, "hardlink target '%s' is not a regular file", target);
		out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     st.st_mode & 0777);
		if (out < 0)
			return kerr_errno(err, "create");
		if (copy_data(in, out, st.st_size, err) < 0)
			return -1;
		if (!u->o->rootless && fchown(out, st.st_uid, st.st_gid) < 0)
			return kerr_errno(err, "chown");
		if (fchmod(out, st.st_mode & 07777) < 0)
			return kerr_errno(err, "chmod");
		if (copy_xattrs(in, out, u->o->rootless, err) < 0)
			return -1;
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		if (futimens(out, ts) < 0)
			return kerr_errno(err, "set times");
		return 0;
	}
	return kerr_set(err, ENOENT, "hardlink target '%s' is in no lower layer", target);
}

/* Copy mode refuses an entry whose parent is a symlink of an earlier layer.
 * In the store each layer is its own directory, so the same check is made
 * against the lower layers when the parent is missing from this one: the
 * topmost layer that has each prefix decides (a whiteout ends the check,
 * everything below it is new). Without this, overlay mode would accept what
 * copy mode refuses. */
int entry_check_lower_parents(struct kunpack *u, const char *path, struct kerr *err)
{
	cleanup_free char *p = xstrdup(path);
	size_t top = u->o->n_lower;   /* layers below an opaque dir stay hidden */

	for (char *slash = strchr(p, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		for (size_t i = 0; i < top; i++) {
			cleanup_close int pfd = -1;
			const char *name;
			struct stat st;
			char v;

			if (open_parent(u->o->lower_fds[i], p, false, &pfd, &name, err) < 0 ||
			    fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			if (S_ISLNK(st.st_mode))
				return kerr_set(err, ELOOP, "a component of '%s' is a symlink in a "
						"lower layer (refused: writing through it could "
						"leave the rootfs)", p);
			if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
				return 0;
			if (!S_ISDIR(st.st_mode))
				return kerr_set(err, ENOTDIR, "'%s' is not a directory in a lower "
						"layer", p);
			{
				cleanup_close int dfd = openat(pfd, name, O_RDONLY | O_DIRECTORY |
							       O_NOFOLLOW | O_CLOEXEC);

				if (dfd >= 0 && fgetxattr(dfd, "trusted.overlay.opaque", &v, 1) == 1 &&
				    v == 'y')
					top = i + 1;
			}
			break;
		}
		*slash = '/';
	}
	kerr_clear(err);
	return 0;
}
