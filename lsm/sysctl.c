/* linux.sysctl: only sysctls that belong to a namespace the container owns,
 * with runc's rules (libcontainer/configs/validate), so a container config
 * can never retune the host kernel. Writes go through a verified procfs
 * handle (lsm/procfs.c): a rootfs that stages a fake /proc/sys or a symlink
 * inside it cannot turn "net.ipv4.ip_forward" into a write to some other
 * procfs file (CVE-2025-52881 class). */
#include "lsm/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"

/* Sysctls of the IPC namespace (ipc/ipc_sysctl.c, ipc/mq_sysctl.c). */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
	"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.msg_next_id",
	"kernel.sem_next_id", "kernel.shm_next_id",
};

static bool is_ipc_sysctl(const char *name)
{
	if (strncmp(name, "fs.mqueue.", 10) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		if (strcmp(ipc_sysctls[i], name) == 0)
			return true;
	return false;
}

/* The name becomes a path below /proc/sys: no empty, "." or ".."
 * components and no '/' so it cannot climb out of it. */
static bool name_ok(const char *name)
{
	const char *p = name;

	if (*name == '\0' || strchr(name, '/') != NULL)
		return false;
	while (*p != '\0') {
		size_t len = strcspn(p, ".");

		if (len == 0)
			return false;
		p += len;
		if (*p == '.' && *++p == '\0')
			return false;
	}
	return true;
}

/* A netns given by path may still be the runtime's own ("host") one. */
static int netns_is_host(const char *path, bool *ret, struct kerr *err)
{
	struct stat a, b;

	if (stat(path, &a) < 0)
		return kerr_errno(err, "stat network namespace %s", path);
	if (stat("/proc/self/ns/net", &b) < 0)
		return kerr_errno(err, "stat /proc/self/ns/net");
	*ret = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return 0;
}

static int check_net(const struct kspec *spec, const char *name, struct kerr *err)
{
	const struct kns *ns = &spec->ns[KNS_NET];
	bool host = !ns->wanted;

	if (ns->wanted && ns->path != NULL && netns_is_host(ns->path, &host, err) < 0)
		return kerr_prefix(err, "linux.sysctl.%s", name);
	if (host)
		return kerr_set(err, EINVAL, "linux.sysctl: %s is not allowed in the host's "
				"network namespace", name);
	return 0;
}

static int check_one(const struct kspec *spec, const char *name, json_t *value,
		     struct kerr *err)
{
	if (!json_is_string(value))
		return kerr_set(err, EINVAL, "linux.sysctl.%s: value is not a string", name);
	if (!name_ok(name))
		return kerr_set(err, EINVAL, "linux.sysctl: invalid sysctl name \"%s\"", name);
	if (is_ipc_sysctl(name)) {
		if (!spec->ns[KNS_IPC].wanted)
			return kerr_set(err, EINVAL, "linux.sysctl: %s is not allowed in the host's "
					"ipc namespace", name);
		return 0;
	}
	if (strncmp(name, "net.", 4) == 0)
		return check_net(spec, name, err);
	if (spec->ns[KNS_UTS].wanted && strcmp(name, "kernel.domainname") == 0)
		return 0;
	if (spec->ns[KNS_UTS].wanted && strcmp(name, "kernel.hostname") == 0) {
		if (spec->hostname != NULL)
			return kerr_set(err, EINVAL, "linux.sysctl: kernel.hostname conflicts with "
					"the hostname field");
		return 0;
	}
	return kerr_set(err, EINVAL, "linux.sysctl: %s is not in a separate kernel namespace "
			"of this container", name);
}

int lsm_sysctl_validate(const struct kspec *spec, struct kerr *err)
{
	const char *name;
	json_t *value;

	if (spec->sysctl == NULL || json_is_null(spec->sysctl))
		return 0;
	if (!json_is_object(spec->sysctl))
		return kerr_set(err, EINVAL, "linux.sysctl: not an object");
	json_object_foreach(spec->sysctl, name, value)
		if (check_one(spec, name, value, err) < 0)
			return -1;
	return 0;
}

int lsm_sysctl_apply_at(const struct kspec *spec, const char *proc_path, struct kerr *err)
{
	cleanup_close int procfd = -1;
	cleanup_close int sysfd = -1;
	const char *name;
	json_t *value;

	if (spec->sysctl == NULL || json_object_size(spec->sysctl) == 0)
		return 0;
	procfd = lsm_procfs_open(proc_path, err);
	if (procfd < 0)
		return kerr_prefix(err, "linux.sysctl");
	sysfd = lsm_procfs_open_at(procfd, "sys", O_PATH | O_DIRECTORY, err);
	if (sysfd < 0 && err->code == EXDEV)
		return kerr_set(err, EXDEV, "linux.sysctl: /proc/sys is a mount of its own (made "
				"read-only already?): sysctls are written before readonlyPaths");
	if (sysfd < 0)
		return kerr_prefix(err, "linux.sysctl");
	json_object_foreach(spec->sysctl, name, value) {
		cleanup_free char *rel = xstrdup(name);
		cleanup_close int fd = -1;
		const char *v = json_string_value(value);

		if (v == NULL || !name_ok(name))
			return kerr_set(err, EINVAL, "linux.sysctl: invalid entry %s", name);
		for (char *p = rel; *p != '\0'; p++)
			if (*p == '.')
				*p = '/';
		fd = lsm_procfs_open_at(sysfd, rel, O_WRONLY | O_TRUNC, err);
		if (fd < 0)
			return kerr_prefix(err, "linux.sysctl.%s", name);
		if (write_all(fd, v, strlen(v)) < 0)
			return kerr_errno(err, "linux.sysctl.%s: write %s", name, v);
	}
	return 0;
}
