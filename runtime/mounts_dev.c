/* /dev: the default devices every container gets (runc's list), the config's
 * linux.devices, and the standard symlinks. Device nodes are made with mknod
 * when we are real root; in a new user namespace the kernel refuses mknod
 * (and a tmpfs mounted there is nodev anyway), so the host's node is bind
 * mounted onto an empty file instead, as runc does. */
#include "runtime/mounts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/inroot.h"
#include "common/util.h"

/* runc's default devices (libcontainer/specconv AllowedDevices with a path) */
static const struct kdevice default_devices[] = {
	{ .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
	{ .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
	{ .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
	{ .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
	{ .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
	{ .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

static mode_t device_type(const struct kdevice *d)
{
	switch (d->type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;   /* 'c' and 'u' */
	}
}

static bool node_matches(const struct stat *st, const struct kdevice *d)
{
	mode_t t = device_type(d);

	if ((st->st_mode & S_IFMT) != t)
		return false;
	return t == S_IFIFO || st->st_rdev == makedev((unsigned)d->major, (unsigned)d->minor);
}

/* Splits "/dev/x/y" into the parent's fd (created inside the root) and "y". */
static int open_parent(const struct mctx *c, const char *path, int *ret_dirfd,
		       const char **ret_base, struct kerr *err)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return kerr_set(err, EINVAL, "device path %s: not a file name", path);
	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	if (inroot_mkdir_p(c->rootfd, slash ? dir : ".", 0755, ret_dirfd, err) < 0)
		return -1;
	*ret_base = base;
	return 0;
}

/* An O_PATH fd of dirfd/base to bind a device onto: what is there is used
 * (opened by O_PATH, so a device node is not opened for real), a symlink is
 * replaced, a missing file is created empty. */
static int open_bind_target(int dirfd, const char *base, struct kerr *err)
{
	int fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode) && !S_ISDIR(st.st_mode))
		return fd;
	if (fd >= 0) {
		close(fd);
		if (unlinkat(dirfd, base, 0) < 0)
			return kerr_errno(err, "remove");
	} else if (errno != ENOENT) {
		return kerr_errno(err, "open");
	}
	fd = openat(dirfd, base, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC, 0000);
	if (fd < 0)
		return kerr_errno(err, "create");
	close(fd);
	fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open");
	return fd;
}

/* The host's node, checked to be the device the config names, then bound
 * by its fd onto an empty file (never a path the kernel walks again). */
static int bind_device(int dirfd, const char *base, const struct kdevice *d, struct kerr *err)
{
	cleanup_close int src = open(d->path, O_PATH | O_CLOEXEC);
	cleanup_close int target = -1, mntfd = -1;
	struct stat st;

	if (src < 0)
		return kerr_errno(err, "open the host's %s", d->path);
	if (fstat(src, &st) < 0)
		return kerr_errno(err, "stat the host's %s", d->path);
	if (!node_matches(&st, d))
		return kerr_set(err, ENODEV, "the host's %s is not device %c %lld:%lld", d->path,
				d->type, (long long)d->major, (long long)d->minor);
	target = open_bind_target(dirfd, base, err);
	if (target < 0)
		return kerr_prefix(err, "%s", d->path);
	return mnt_bind(src, "", target, false, &mntfd, err);
}

static int mknod_device(int dirfd, const char *base, const struct kdevice *d, struct kerr *err)
{
	mode_t perm = (d->has_mode && d->file_mode != 0 ? d->file_mode : 0666) & 07777;
	dev_t rdev = makedev((unsigned)d->major, (unsigned)d->minor);
	cleanup_close int fd = -1;
	struct stat st;
	mode_t old;
	int r;

	/* a file the image ships there is replaced: the node must be exactly this */
	if (unlinkat(dirfd, base, 0) < 0 && errno != ENOENT)
		return kerr_errno(err, "remove %s", d->path);
	old = umask(0);   /* the mode is the config's, not filtered by our umask */
	r = mknodat(dirfd, base, device_type(d) | perm, device_type(d) == S_IFIFO ? 0 : rdev);
	umask(old);
	if (r < 0)
		return kerr_errno(err, "mknod %s", d->path);
	fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return kerr_errno(err, "open %s", d->path);
	if (!node_matches(&st, d))
		return kerr_set(err, EEXIST, "%s was replaced while being made", d->path);
	if (fchownat(fd, "", d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0,
		     AT_EMPTY_PATH) < 0)
		return kerr_errno(err, "chown %s", d->path);
	return 0;
}

static int make_device(const struct mctx *c, const struct kdevice *d, struct kerr *err)
{
	cleanup_close int dirfd = -1;
	const char *base = NULL;

	if (open_parent(c, d->path, &dirfd, &base, err) < 0)
		return -1;
	if (c->o->userns && device_type(d) != S_IFIFO)
		return bind_device(dirfd, base, d, err);
	return mknod_device(dirfd, base, d, err);
}

static bool in_config(const struct kspec *spec, const char *path)
{
	for (size_t i = 0; i < spec->n_devices; i++)
		if (strcmp(spec->devices[i].path, path) == 0)
			return true;
	return false;
}

/* The symlinks of the runtime spec ("Dev symbolic links"), /dev/core as runc
 * makes it (maskedPaths hides /proc/kcore anyway), and /dev/ptmx pointing at
 * the container's own devpts instance. */
static int dev_symlinks(const struct mctx *c, struct kerr *err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },     { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
		{ "/proc/kcore", "core" },
	};
	const struct kmount *pts = mounts_find(c->spec, "/dev/pts");
	cleanup_close int devfd = -1;

	if (inroot_mkdir_p(c->rootfd, "/dev", 0755, &devfd, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		if (strcmp(links[i][1], "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;   /* CONFIG_PROC_KCORE off */
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return kerr_errno(err, "symlink /dev/%s", links[i][1]);
	}
	if (pts == NULL || pts->type == NULL || strcmp(pts->type, "devpts") != 0)
		return 0;
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return kerr_errno(err, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return kerr_errno(err, "symlink /dev/ptmx");
	return 0;
}

int mounts_devices(const struct mctx *c, struct kerr *err)
{
	const struct kmount *dev = mounts_find(c->spec, "/dev");

	/* the host's /dev (or another directory) bound there: leave it alone */
	if (dev != NULL && mount_is_bind(dev))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		const struct kdevice *d = &default_devices[i];

		if (!in_config(c->spec, d->path) && make_device(c, d, err) < 0)
			return kerr_prefix(err, "default device %s", d->path);
	}
	for (size_t i = 0; i < c->spec->n_devices; i++)
		if (make_device(c, &c->spec->devices[i], err) < 0)
			return kerr_prefix(err, "linux.devices[%zu] %s", i,
					   c->spec->devices[i].path);
	return dev_symlinks(c, err);
}
