/* The root CRIU restores into. CRIU wants a mount point whose parent is not
 * overmounted, so the rootfs is bound (recursively) to ROOT/ID/criu-root, as
 * runc does; mount points the container's mounts need are created in the
 * rootfs first (a rootfs copied to another machine may lack them), except
 * under a tmpfs, whose contents CRIU restores itself. */
#include "runtime/restore_root.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/inroot.h"
#include "common/util.h"

#define CRIU_ROOT "criu-root"

static bool under_tmpfs(const struct kspec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct kmount *m = &spec->mounts[i];
		size_t n = strlen(m->destination);

		if (m->type != NULL && strcmp(m->type, "tmpfs") == 0 &&
		    strncmp(dest, m->destination, n) == 0 && dest[n] == '/')
			return true;
	}
	return false;
}

static int make_mountpoints(const struct kspec *spec, struct kerr *err)
{
	cleanup_close int rootfd = open(spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return kerr_errno(err, "rootfs %s", spec->root_path);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct kmount *m = &spec->mounts[i];
		struct stat sb;
		int r;

		/* cgroup2 appears with /sys; under a tmpfs CRIU restores the contents. */
		if ((m->type != NULL && strcmp(m->type, "cgroup") == 0) ||
		    under_tmpfs(spec, m->destination))
			continue;
		if (m->source != NULL && m->source[0] == '/' && stat(m->source, &sb) == 0 &&
		    !S_ISDIR(sb.st_mode))
			r = inroot_create_file(rootfd, m->destination, 0644, NULL, err);
		else
			r = inroot_mkdir_p(rootfd, m->destination, 0755, NULL, err);
		if (r < 0)
			return kerr_prefix(err, "mount point %s", m->destination);
	}
	return 0;
}

int restore_root_prepare(int state_dirfd, const char *state_dir, const struct kspec *spec,
			 char **ret_path, struct kerr *err)
{
	cleanup_free char *path = xasprintf("%s/%s", state_dir, CRIU_ROOT);

	if (make_mountpoints(spec, err) < 0)
		return -1;
	if (mkdirat(state_dirfd, CRIU_ROOT, 0755) < 0 && errno != EEXIST)
		return kerr_errno(err, "create %s", path);
	if (mount(spec->root_path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		kerr_errno(err, "bind %s to %s", spec->root_path, path);
		unlinkat(state_dirfd, CRIU_ROOT, AT_REMOVEDIR);
		return -1;
	}
	*ret_path = move_ptr(path);
	return 0;
}

void restore_root_release(int state_dirfd, const char *path)
{
	if (path == NULL)
		return;
	umount2(path, MNT_DETACH);
	unlinkat(state_dirfd, CRIU_ROOT, AT_REMOVEDIR);
}
