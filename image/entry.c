/* One tar entry -> one file, created with *at() calls relative to a parent
 * directory fd that pathsafe.c resolved beneath the rootfs. Files are created
 * O_EXCL|O_NOFOLLOW (an existing name, symlink or not, is removed first and
 * never written through); hardlink targets are resolved beneath the rootfs
 * the same way, so a link can only name a file already inside it. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/util.h"
#include "image/unpack.h"
#include "image/archive_dl.h"

void unpack_forget_parent(struct kunpack *u)
{
	if (u->parent_fd >= 0)
		close(u->parent_fd);
	u->parent_fd = -1;
	free(u->parent_path);
	u->parent_path = NULL;
}

/* Tar entries come directory by directory: reuse the last parent's fd. */
static int get_parent(struct kunpack *u, const char *path, const char **ret_name,
		      struct kerr *err)
{
	const char *slash = strrchr(path, '/');
	size_t plen = slash ? (size_t)(slash - path) : 0;
	struct stat st;
	int fd;

	if (u->parent_path != NULL && strlen(u->parent_path) == plen &&
	    strncmp(u->parent_path, path, plen) == 0) {
		*ret_name = slash ? slash + 1 : path;
		return u->parent_fd;
	}
	unpack_forget_parent(u);
	if (open_parent(u->o->rootfd, path, false, &fd, ret_name, err) < 0) {
		if (err->code != ENOENT)
			return -1;
		/* missing parents are created, after a look at the lower layers */
		if (u->o->target == KU_OVERLAY && entry_check_lower_parents(u, path, err) < 0)
			return -1;
		if (open_parent(u->o->rootfd, path, true, &fd, ret_name, err) < 0)
			return -1;
	}
	u->parent_fd = fd;
	u->parent_path = strndup(path, plen);
	/* a new file's group: ours, or the directory's if it is set-group-ID */
	u->parent_new_gid = fstat(fd, &st) == 0 && (st.st_mode & S_ISGID) ? st.st_gid : u->egid;
	return fd;
}

/* Makes room for a new entry: removes what is there (a directory only when
 * the new entry is not one). Returns 1 if a directory stays. */
static int clear_name(struct kunpack *u, int dirfd, const char *name, bool keep_dir,
		      struct kerr *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : kerr_errno(err, "stat");
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir)
			return 1;
		/* the cached parent may lie below what goes away: drop its path
		 * so the next entry resolves again, but keep the fd open, since
		 * dirfd may be that very fd */
		free(u->parent_path);
		u->parent_path = NULL;
		return rm_rf_at(dirfd, name, err);
	}
	if (unlinkat(dirfd, name, 0) < 0)
		return kerr_errno(err, "remove the previous file");
	return 0;
}

static bool tolerable(const struct kunpack *u, int e)
{
	/* rootless: trusted.* and some security.* xattrs, chown to ids we do
	 * not map, are refused by the kernel; umoci skips them too */
	return u->o->rootless && (e == EPERM || e == ENOTSUP || e == EACCES || e == EINVAL);
}

static int set_xattrs(struct kunpack *u, int fd, struct archive_entry *e, struct kerr *err)
{
	const char *name;
	const void *value;
	size_t size;

	if (archive_entry_xattr_reset(e) == 0)
		return 0;
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (fsetxattr(fd, name, value, size, 0) < 0 && !tolerable(u, errno))
			return kerr_errno(err, "set xattr %s", name);
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

static int chown_at(struct kunpack *u, int dirfd, const char *name, int fd, bool fresh,
		    struct archive_entry *e, struct kerr *err)
{
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	int r;

	if (u->o->rootless)
		return 0;
	/* most files belong to root: skip the syscall when creating them gave
	 * the right owner already (one syscall of five per file) */
	if (fresh && uid == u->euid && gid == u->parent_new_gid)
		return 0;
	r = fd >= 0 ? fchown(fd, uid, gid) : fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return kerr_errno(err, "chown %u:%u", uid, gid);
	return 0;
}

static int write_data(struct kunpack *u, int fd, struct archive_entry *e, struct kerr *err)
{
	int64_t end = 0, size = archive_entry_size(e);

	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(u->in, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN && end >= size) {
			/* Debian's umoci 0.4.7 `insert` writes layers whose tar stops
			 * right after the last file's data (no padding, no end
			 * blocks); Go's reader and umoci accept them. The data is
			 * complete and the blob's digest still decides. */
			kdebug("layer tar ends without padding after its last file");
			u->tar_ended = true;
			break;
		}
		if (r < ARCHIVE_WARN)
			return kerr_set(err, 0, "read data: %s", archive_error_string(u->in));
		/* sparse entries arrive as blocks at offsets: holes stay holes */
		for (size_t done = 0; done < len;) {
			ssize_t w = pwrite(fd, (const char *)buf + done, len - done,
					   off + (off_t)done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return kerr_errno(err, "write");
			done += (size_t)w;
		}
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	if (size > end && ftruncate(fd, size) < 0)
		return kerr_errno(err, "truncate");
	return 0;
}

static int do_file(struct kunpack *u, int dirfd, const char *name, struct archive_entry *e,
		   struct kerr *err)
{
	mode_t mode = archive_entry_perm(e);
	struct timespec ts[2];
	cleanup_close int fd = -1;

	/* created with its final permission bits (umask is 0 here); set-id bits
	 * only after chown, which would clear them */
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode & 0777);
	if (fd < 0 && errno == EEXIST) {
		if (clear_name(u, dirfd, name, false, err) < 0)
			return -1;
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode & 0777);
	}
	if (fd < 0)
		return kerr_errno(err, "create");
	if (write_data(u, fd, e, err) < 0 || chown_at(u, dirfd, name, fd, true, e, err) < 0)
		return -1;
	if ((mode & 07000) && fchmod(fd, mode) < 0)
		return kerr_errno(err, "chmod %o", mode);
	/* after chown: chown drops security.capability */
	if (set_xattrs(u, fd, e, err) < 0)
		return -1;
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return kerr_errno(err, "set times");
	return 0;
}

static int defer_dir(struct kunpack *u, const char *path, struct archive_entry *e)
{
	struct kdeferred *d;

	if (u->n_dirs == u->cap_dirs) {
		u->cap_dirs = u->cap_dirs ? 2 * u->cap_dirs : 64;
		u->dirs = realloc(u->dirs, u->cap_dirs * sizeof(*u->dirs));
		if (u->dirs == NULL)
			abort();
	}
	d = &u->dirs[u->n_dirs++];
	d->path = xstrdup(path);
	d->mode = archive_entry_perm(e);
	entry_times(e, d->times);
	return 0;
}

static int do_dir(struct kunpack *u, int dirfd, const char *name, const char *path,
		  struct archive_entry *e, struct kerr *err)
{
	cleanup_close int fd = -1;

	bool fresh = true;

	/* 0700 until the layer ends: we may still have to write into it */
	if (mkdirat(dirfd, name, 0700) < 0) {
		fresh = false;
		if (errno != EEXIST)
			return kerr_errno(err, "mkdir");
		if (clear_name(u, dirfd, name, true, err) < 0)
			return -1;
		if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
			return kerr_errno(err, "mkdir");
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open directory");
	if (chown_at(u, dirfd, name, fd, fresh, e, err) < 0 || set_xattrs(u, fd, e, err) < 0)
		return -1;
	return defer_dir(u, path, e);
}

static int do_hardlink(struct kunpack *u, int dirfd, const char *name, const char *target,
		       struct kerr *err)
{
	cleanup_free char *t = NULL;
	cleanup_close int tfd = -1;
	const char *tname;

	if (entry_path_clean(target, &t, err) < 0)
		return kerr_prefix(err, "hardlink target '%.200s'", target);
	if (t[0] == '\0')
		return kerr_set(err, 0, "hardlink to the root directory");
	if (open_parent(u->o->rootfd, t, false, &tfd, &tname, err) < 0) {
		if (err->code == ENOENT && u->o->target == KU_OVERLAY)
			return entry_copy_from_lower(u, t, dirfd, name, err);
		return kerr_prefix(err, "hardlink target");
	}
	/* linkat without AT_SYMLINK_FOLLOW: a symlink target is linked itself */
	if (linkat(tfd, tname, dirfd, name, 0) == 0)
		return 0;
	if (errno == EEXIST) {
		if (clear_name(u, dirfd, name, false, err) < 0)
			return -1;
		if (linkat(tfd, tname, dirfd, name, 0) == 0)
			return 0;
	}
	if (errno == ENOENT && u->o->target == KU_OVERLAY)
		return entry_copy_from_lower(u, t, dirfd, name, err);
	return kerr_errno(err, "hardlink to '%s'", t);
}

/* Owner and times of a name just created (not followed if a symlink). */
static int own_and_time(struct kunpack *u, int dirfd, const char *name, struct archive_entry *e,
			struct kerr *err)
{
	struct timespec ts[2];

	if (chown_at(u, dirfd, name, -1, false, e, err) < 0)
		return -1;
	entry_times(e, ts);
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return kerr_errno(err, "set times");
	return 0;
}

static int do_symlink(struct kunpack *u, int dirfd, const char *name, struct archive_entry *e,
		      struct kerr *err)
{
	const char *target = archive_entry_symlink(e);

	/* the target string is stored, never followed by us */
	if (target == NULL)
		return kerr_set(err, 0, "symlink without a target");
	if (symlinkat(target, dirfd, name) < 0) {
		if (errno != EEXIST || clear_name(u, dirfd, name, false, err) < 0 ||
		    symlinkat(target, dirfd, name) < 0)
			return err->msg[0] ? -1 : kerr_errno(err, "symlink");
	}
	return own_and_time(u, dirfd, name, e, err);
}

/* Device nodes and fifos. Rootless, device nodes are skipped (as umoci does):
 * mknod of a device needs CAP_MKNOD in the initial user namespace. */
static int do_special(struct kunpack *u, int dirfd, const char *name, struct archive_entry *e,
		      struct kerr *err)
{
	mode_t type = archive_entry_filetype(e), mode = archive_entry_perm(e);
	dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));

	if (type == AE_IFSOCK)
		return 0;
	if (type != AE_IFIFO && u->o->rootless) {
		kdebug("rootless: skipping device node %s", name);
		return 0;
	}
	if (type == AE_IFIFO)
		dev = 0;
	if (mknodat(dirfd, name, type | (mode & 0777), dev) < 0) {
		if (errno != EEXIST || clear_name(u, dirfd, name, false, err) < 0 ||
		    mknodat(dirfd, name, type | (mode & 0777), dev) < 0)
			return err->msg[0] ? -1 : kerr_errno(err, "mknod");
	}
	return own_and_time(u, dirfd, name, e, err);
}

int entry_extract(struct kunpack *u, struct archive_entry *e, const char *path,
		  struct kerr *err)
{
	const char *name, *hardlink = archive_entry_hardlink(e);
	int dirfd, r;

	if (path[0] == '\0') {
		/* "./": the root's own metadata */
		if (archive_entry_filetype(e) != AE_IFDIR || hardlink != NULL)
			return kerr_set(err, 0, "the root entry is not a directory");
		return defer_dir(u, path, e);
	}
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (whiteout_is(name) && u->o->target == KU_APPLY) {
		cleanup_free char *parent = strndup(path, name > path ? (size_t)(name - path) - 1 : 0);
		cleanup_close int pfd = -1;

		/* a whiteout under a directory that is not there has nothing to hide */
		unpack_forget_parent(u);
		if (open_parent(u->o->rootfd, path, false, &pfd, &name, err) < 0)
			return err->code == ENOENT ? 0 : -1;
		return whiteout_handle(pfd, parent, name, u->o, u->created, err);
	}
	dirfd = get_parent(u, path, &name, err);
	if (dirfd < 0)
		return -1;
	if (whiteout_is(name)) {
		cleanup_free char *parent = strndup(path, name > path ? (size_t)(name - path) - 1 : 0);

		/* overlay: the marker needs its parent directory in this layer */
		return whiteout_handle(dirfd, parent, name, u->o, u->created, err);
	}
	err->msg[0] = '\0';
	if (hardlink != NULL)
		r = do_hardlink(u, dirfd, name, hardlink, err);
	else if (archive_entry_filetype(e) == AE_IFREG)
		r = do_file(u, dirfd, name, e, err);
	else if (archive_entry_filetype(e) == AE_IFDIR)
		r = do_dir(u, dirfd, name, path, e, err);
	else if (archive_entry_filetype(e) == AE_IFLNK)
		r = do_symlink(u, dirfd, name, e, err);
	else
		r = do_special(u, dirfd, name, e, err);
	if (r < 0)
		return -1;
	pathset_add(u->created, path);
	return 0;
}

int entry_finish_dirs(struct kunpack *u, struct kerr *err)
{
	unpack_forget_parent(u);
	/* deepest first is not needed: chmod and utimes of a directory do not
	 * touch its parent's mtime */
	for (size_t i = 0; i < u->n_dirs; i++) {
		struct kdeferred *d = &u->dirs[i];
		cleanup_close int fd = -1;

		if (open_beneath(u->o->rootfd, d->path, O_RDONLY | O_DIRECTORY, &fd, err) < 0) {
			/* removed again by a later entry of the layer */
			if (err->code == ENOENT || err->code == ENOTDIR)
				continue;
			return kerr_prefix(err, "directory '%s'", d->path);
		}
		if (fchmod(fd, d->mode) < 0 || futimens(fd, d->times) < 0)
			return kerr_errno(err, "directory '%s': set mode and times", d->path);
	}
	return 0;
}
