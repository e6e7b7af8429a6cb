/* --mode overlay: BUNDLE/rootfs is an overlayfs whose lower layers are the
 * store's (read-only, shared by every bundle) and whose upper and work dirs are
 * fresh in BUNDLE/.kapsel-overlay. Built with the new mount API and one
 * "lowerdir+" per layer (Linux 6.8+), so the page-sized limit of a mount
 * option string never caps the number of layers; older kernels get the
 * classic mount(2) string. */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <linux/mount.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "image/internal.h"

#define OVERLAY_DIR ".kapsel-overlay"
#define OVERLAYFS_MAGIC 0x794c7630

static int mount_new_api(int bundle_fd, char *const *lowers, size_t n, const char *upper,
			 const char *work)
{
	cleanup_close int fs = sys_fsopen("overlay", FSOPEN_CLOEXEC), mnt = -1;

	if (fs < 0)
		return -1;
	/* "lowerdir+" appends below the previous one: topmost first */
	for (size_t i = n; i-- > 0;)
		if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
			return -1;
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return -1;
	return sys_move_mount(mnt, "", bundle_fd, "rootfs", MOVE_MOUNT_F_EMPTY_PATH);
}

static int mount_old_api(const char *bundle, char *const *lowers, size_t n, const char *upper,
			 const char *work)
{
	cleanup_free char *opts = xasprintf("upperdir=%s,workdir=%s,lowerdir=", upper, work);
	cleanup_free char *target = xasprintf("%s/rootfs", bundle);

	for (size_t i = n; i-- > 0;) {
		char *o = xasprintf("%s%s%s", opts, i + 1 < n ? ":" : "", lowers[i]);

		free(opts);
		opts = o;
	}
	return mount("overlay", target, "overlay", 0, opts);
}

int overlay_mount(int bundle_fd, const char *bundle, char *const *layer_paths, size_t n,
		  struct kerr *err)
{
	cleanup_free char *upper = xasprintf("%s/" OVERLAY_DIR "/upper", bundle);
	cleanup_free char *work = xasprintf("%s/" OVERLAY_DIR "/work", bundle);

	if (n == 0)
		return kerr_set(err, 0, "overlay mode needs at least one layer");
	if ((mkdirat(bundle_fd, OVERLAY_DIR, 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(bundle_fd, OVERLAY_DIR "/upper", 0755) < 0 && errno != EEXIST) ||
	    (mkdirat(bundle_fd, OVERLAY_DIR "/work", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(bundle_fd, "rootfs", 0755) < 0 && errno != EEXIST))
		return kerr_errno(err, "create %s/" OVERLAY_DIR, bundle);
	if (mount_new_api(bundle_fd, layer_paths, n, upper, work) == 0)
		return 0;
	kdebug("overlay with the new mount API failed (%m); trying mount(2)");
	if (mount_old_api(bundle, layer_paths, n, upper, work) < 0)
		return kerr_errno(err, "mount overlay on %s/rootfs", bundle);
	return 0;
}

bool overlay_is_mounted(int bundle_fd)
{
	cleanup_close int fd = openat(bundle_fd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
						       O_CLOEXEC);
	struct statfs sf;

	return fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == OVERLAYFS_MAGIC;
}

int overlay_unmount(int bundle_fd, const char *bundle, struct kerr *err)
{
	cleanup_free char *target = xasprintf("%s/rootfs", bundle);

	if (overlay_is_mounted(bundle_fd) && umount2(target, UMOUNT_NOFOLLOW) < 0 &&
	    umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
		return kerr_errno(err, "unmount %s", target);
	if (rm_rf_at(bundle_fd, OVERLAY_DIR, err) < 0)
		return kerr_prefix(err, "remove the overlay upper dir of %s", bundle);
	return 0;
}
