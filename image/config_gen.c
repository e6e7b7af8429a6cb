/* Image config -> runtime config.json (conversion.md), on top of the defaults
 * `runc spec` writes (namespaces, mounts, masked paths, the capabilities
 * Docker and runc give by default). */
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "image/internal.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL",
					    "CAP_NET_BIND_SERVICE" };

static const char *base_json =
	"{\"ociVersion\":\"1.0.2\","
	"\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
	"\"hostname\":\"kapsel\","
	"\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	"\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
	"\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\","
	"\"gid=5\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
	"{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
	"{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
	"\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}],"
	"\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\","
	"\"/proc/latency_stats\",\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\","
	"\"/sys/firmware\",\"/proc/scsi\"],"
	"\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\","
	"\"/proc/sysrq-trigger\"]}}";

static json_t *strv_json(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *process_args(const json_t *cfg)
{
	json_t *args = json_array(), *x;
	size_t i;

	json_array_foreach(json_object_get(cfg, "Entrypoint"), i, x)
		if (json_is_string(x))
			json_array_append(args, x);
	json_array_foreach(json_object_get(cfg, "Cmd"), i, x)
		if (json_is_string(x))
			json_array_append(args, x);
	if (json_array_size(args) == 0)
		json_array_append_new(args, json_string("sh"));
	return args;
}

static json_t *process_env(const json_t *cfg)
{
	json_t *env = json_array(), *x;
	bool has_path = false;
	size_t i;

	json_array_foreach(json_object_get(cfg, "Env"), i, x) {
		if (!json_is_string(x))
			continue;
		has_path |= strncmp(json_string_value(x), "PATH=", 5) == 0;
		json_array_append(env, x);
	}
	/* conversion.md: we may add variables the image does not set */
	if (!has_path)
		json_array_append_new(env, json_string(DEFAULT_PATH));
	return env;
}

static int process_user(const json_t *cfg, int rootfs_fd, json_t **ret, struct kerr *err)
{
	const char *spec = json_string_value(json_object_get(cfg, "User"));
	uint32_t uid = 0, gid = 0, *gids = NULL;
	size_t n = 0;
	json_t *u;

	if (spec != NULL && spec[0] != '\0' &&
	    user_resolve(rootfs_fd, spec, &uid, &gid, &gids, &n, err) < 0)
		return kerr_prefix(err, "Config.User");
	u = json_pack("{s:I,s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid);
	if (n > 0) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(gids[i]));
		json_object_set_new(u, "additionalGids", a);
	}
	free(gids);
	*ret = u;
	return 0;
}

static json_t *annotations(const json_t *image)
{
	static const struct { const char *field, *key; } implicit[] = {
		{ "os", "org.opencontainers.image.os" },
		{ "architecture", "org.opencontainers.image.architecture" },
		{ "variant", "org.opencontainers.image.variant" },
		{ "os.version", "org.opencontainers.image.os.version" },
		{ "author", "org.opencontainers.image.author" },
		{ "created", "org.opencontainers.image.created" },
	};
	const json_t *cfg = json_object_get(image, "config"), *v;
	json_t *a = json_object();
	const char *k;

	for (size_t i = 0; i < ARRAY_SIZE(implicit); i++) {
		v = json_object_get(image, implicit[i].field);
		if (json_is_string(v))
			json_object_set(a, implicit[i].key, (json_t *)v);
	}
	v = json_object_get(cfg, "StopSignal");
	if (json_is_string(v))
		json_object_set(a, "org.opencontainers.image.stopSignal", (json_t *)v);
	if (json_object_size(json_object_get(cfg, "ExposedPorts")) > 0) {
		cleanup_free char *ports = NULL;

		json_object_foreach((json_t *)json_object_get(cfg, "ExposedPorts"), k, v) {
			char *n = ports ? xasprintf("%s,%s", ports, k) : xstrdup(k);

			free(ports);
			ports = n;
		}
		json_object_set_new(a, "org.opencontainers.image.exposedPorts", json_string(ports));
	}
	/* Labels last: they win over implicit annotations */
	json_object_foreach((json_t *)json_object_get(cfg, "Labels"), k, v)
		if (json_is_string(v))
			json_object_set(a, k, (json_t *)v);
	return a;
}

/* As `runc spec --rootless`: a user namespace mapping us to root, devpts
 * without gid=5, /sys bind-mounted (sysfs needs a network namespace we own). */
static void make_rootless(json_t *spec)
{
	json_t *linux_ = json_object_get(spec, "linux"), *m;
	json_t *map = json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
				(json_int_t)geteuid(), "size", 1);
	json_t *gmap = json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
				 (json_int_t)getegid(), "size", 1);
	size_t i;

	json_array_append_new(json_object_get(linux_, "namespaces"),
			      json_pack("{s:s}", "type", "user"));
	json_object_set_new(linux_, "uidMappings", map);
	json_object_set_new(linux_, "gidMappings", gmap);
	json_array_foreach(json_object_get(spec, "mounts"), i, m) {
		const char *dst = json_string_value(json_object_get(m, "destination"));

		if (strcmp(dst, "/dev/pts") == 0)
			json_array_remove(json_object_get(m, "options"), 5);
		else if (strcmp(dst, "/sys") == 0)
			json_array_set_new(json_object_get(spec, "mounts"), i,
				json_pack("{s:s,s:s,s:s,s:[s,s,s,s,s]}", "destination", "/sys",
					  "type", "none", "source", "/sys", "options", "rbind",
					  "nosuid", "noexec", "nodev", "ro"));
		else if (strcmp(dst, "/sys/fs/cgroup") == 0)
			json_array_remove(json_object_get(spec, "mounts"), i--);
	}
}

int config_generate(const json_t *image_config, int rootfs_fd, bool rootless, json_t **ret,
		    struct kerr *err)
{
	const json_t *cfg = json_object_get(image_config, "config");
	const char *cwd = json_string_value(json_object_get(cfg, "WorkingDir"));
	json_t *spec = json_loads(base_json, 0, NULL), *proc, *user = NULL, *caps;

	if (process_user(cfg, rootfs_fd, &user, err) < 0) {
		json_decref(spec);
		return -1;
	}
	caps = json_object();
	json_object_set_new(caps, "bounding", strv_json(default_caps, ARRAY_SIZE(default_caps)));
	json_object_set_new(caps, "effective", strv_json(default_caps, ARRAY_SIZE(default_caps)));
	json_object_set_new(caps, "permitted", strv_json(default_caps, ARRAY_SIZE(default_caps)));
	proc = json_pack("{s:b,s:o,s:o,s:o,s:s,s:o,s:[{s:s,s:i,s:i}],s:b}", "terminal", 0,
			 "user", user, "args", process_args(cfg), "env", process_env(cfg),
			 "cwd", cwd && cwd[0] ? cwd : "/", "capabilities", caps, "rlimits",
			 "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
	json_object_set_new(spec, "process", proc);
	json_object_set_new(spec, "annotations", annotations(image_config));
	if (rootless)
		make_rootless(spec);
	*ret = spec;
	return 0;
}
