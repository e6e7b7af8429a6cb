/* The config.json that `kapsel spec` writes: the same document as runc 1.1.5's
 * `runc spec` (and `runc spec --rootless`), key for key and in the same order,
 * so scripts written against runc's template keep working. */
#include "spec/spec.h"

#include <unistd.h>

#include "common/util.h"

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();

	for (; *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *default_process(void)
{
	static const char *const caps[] = {
		"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL
	};
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
	};

	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o, s:o}, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1,
			 "user", "uid", 0, "gid", 0,
			 "args", "sh",
			 "env", strv_json(env),
			 "cwd", "/",
			 "capabilities", "bounding", strv_json(caps), "effective", strv_json(caps),
			 "permitted", strv_json(caps), "ambient", strv_json(caps),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1);
}

static json_t *mount_json(const char *dest, const char *type, const char *source,
			  const char *const *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type,
			      "source", source);

	if (options != NULL)
		json_object_set_new(m, "options", strv_json(options));
	return m;
}

static json_t *default_mounts(bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const devpts[] = {
		"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL
	};
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
					   NULL };
	static const char *const mqueue[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sysfs[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const sysfs_bind[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cgroup[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	/* rootless: no gid=5 (group 5 is unmapped), and /sys bind-mounted,
	 * since a user namespace without its own netns cannot mount sysfs */
	static const char *const devpts_rootless[] = {
		"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL
	};
	json_t *a = json_array();

	json_array_append_new(a, mount_json("/proc", "proc", "proc", NULL));
	json_array_append_new(a, mount_json("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a, mount_json("/dev/pts", "devpts", "devpts",
					    rootless ? devpts_rootless : devpts));
	json_array_append_new(a, mount_json("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(a, mount_json("/dev/mqueue", "mqueue", "mqueue", mqueue));
	if (rootless)
		json_array_append_new(a, mount_json("/sys", "none", "/sys", sysfs_bind));
	else
		json_array_append_new(a, mount_json("/sys", "sysfs", "sysfs", sysfs));
	json_array_append_new(a, mount_json("/sys/fs/cgroup", "cgroup", "cgroup", cgroup));
	return a;
}

static json_t *default_namespaces(bool rootless)
{
	json_t *a = json_array();

	json_array_append_new(a, json_pack("{s:s}", "type", "pid"));
	if (!rootless)
		json_array_append_new(a, json_pack("{s:s}", "type", "network"));
	json_array_append_new(a, json_pack("{s:s}", "type", "ipc"));
	json_array_append_new(a, json_pack("{s:s}", "type", "uts"));
	json_array_append_new(a, json_pack("{s:s}", "type", "mount"));
	if (rootless)
		json_array_append_new(a, json_pack("{s:s}", "type", "user"));
	return a;
}

static json_t *default_linux(bool rootless)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL
	};
	json_t *lx = json_object();

	if (rootless) {
		/* map root in the container to the user who runs it */
		json_object_set_new(lx, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)geteuid(), "size", 1));
		json_object_set_new(lx, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)getegid(), "size", 1));
	} else {
		/* deny every device; the default devices are allowed by the runtime */
		json_object_set_new(lx, "resources",
				    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0,
					      "access", "rwm"));
	}
	json_object_set_new(lx, "namespaces", default_namespaces(rootless));
	json_object_set_new(lx, "maskedPaths", strv_json(masked));
	json_object_set_new(lx, "readonlyPaths", strv_json(readonly));
	return lx;
}

json_t *spec_default(bool rootless)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "ociVersion", json_string("1.0.2-dev"));
	json_object_set_new(doc, "process", default_process());
	json_object_set_new(doc, "root", json_pack("{s:s, s:b}", "path", "rootfs", "readonly", 1));
	json_object_set_new(doc, "hostname", json_string("runc"));
	json_object_set_new(doc, "mounts", default_mounts(rootless));
	json_object_set_new(doc, "linux", default_linux(rootless));
	return doc;
}
