/* What kapsel tells CRIU about a container, both directions: the options
 * the user gave, the mounts CRIU must treat as external (bind mounts and
 * devices from the host, as runc lists them) and the namespaces the
 * container joined by path. */
#include "runtime/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "common/util.h"

static const char *cgroup_mode(const struct kcriu_common *o)
{
	return o->manage_cgroups_mode != NULL ? o->manage_cgroups_mode : "soft";
}

struct kcriu_common criu_common_defaults(const struct kcriu_common *o)
{
	struct kcriu_common co = *o;

	if (co.image_path == NULL)
		co.image_path = "checkpoint";
	return co;
}

int criu_common_prepare(const struct kcriu_common *o, bool create_images, struct kerr *err)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore" };
	const char *mode = cgroup_mode(o);
	bool known = false;
	struct stat sb;

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		known = known || strcmp(mode, modes[i]) == 0;
	if (!known)
		return kerr_set(err, EINVAL, "--manage-cgroups-mode %s: expected soft, full, "
					     "strict or ignore", mode);
	/* A container can be checkpointed many times: the dir may exist. */
	if (create_images && mkdir_p(o->image_path, 0700, err) < 0)
		return kerr_prefix(err, "--image-path");
	if (stat(o->image_path, &sb) < 0)
		return kerr_errno(err, "--image-path %s", o->image_path);
	if (!S_ISDIR(sb.st_mode))
		return kerr_set(err, ENOTDIR, "--image-path %s: not a directory", o->image_path);
	if (o->work_path != NULL && mkdir_p(o->work_path, 0700, err) < 0)
		return kerr_prefix(err, "--work-path");
	return 0;
}

void criu_common_args(struct kargv *a, const struct kcriu_common *o, const char *log)
{
	kargv_add(a, "--images-dir=%s", o->image_path);
	if (o->work_path != NULL)
		kargv_add(a, "--work-dir=%s", o->work_path);
	kargv_add(a, "--log-file=%s", log);
	kargv_add(a, "-v4");
	kargv_add(a, "--manage-cgroups=%s", cgroup_mode(o));
	if (o->tcp_established)
		kargv_add(a, "--tcp-established");
	if (o->ext_unix_sk)
		kargv_add(a, "--ext-unix-sk");
	if (o->shell_job)
		kargv_add(a, "--shell-job");
	if (o->file_locks)
		kargv_add(a, "--file-locks");
}

int criu_refuse_terminal(const struct kspec *spec, bool shell_job, struct kerr *err)
{
	if (spec->process != NULL && spec->process->terminal && !shell_job)
		return kerr_set(err, ENOTSUP, "process.terminal is true: only --shell-job can "
					      "checkpoint or restore it (CRIU's command line cannot "
					      "return a new pty master for --console-socket)");
	return 0;
}

static bool is_bind(const struct kmount *m)
{
	return m->bind || (m->flags & MS_BIND) || (m->type != NULL && strcmp(m->type, "bind") == 0);
}

void criu_mount_args(struct kargv *a, const struct kspec *spec, bool restore,
		     const char *cgroup_dir)
{
	bool cgroupns = spec->ns[KNS_CGROUP].wanted;

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct kmount *m = &spec->mounts[i];

		if (is_bind(m))
			kargv_add(a, "--external=mnt[%s]:%s", m->destination,
				  restore ? m->source : m->destination);
		/* Without a cgroup namespace kapsel binds the container's own
		 * cgroup directory there (runtime/mounts_cgroup.c): a mount whose
		 * root CRIU cannot see; on restore, the new cgroup is bound. */
		else if (!cgroupns && m->type != NULL && strcmp(m->type, "cgroup") == 0 &&
			 (!restore || cgroup_dir != NULL))
			kargv_add(a, "--external=mnt[%s]:%s", m->destination,
				  restore ? cgroup_dir : m->destination);
	}
	/* Nodes kapsel bound from the host (no mknod in a user namespace). */
	for (size_t i = 0; i < spec->n_devices; i++)
		kargv_add(a, "--external=mnt[%s]:%s", spec->devices[i].path,
			  spec->devices[i].path);
}

int criu_ns_dump_args(struct kargv *a, const struct kspec *spec, struct kerr *err)
{
	static const enum kns_type ext[] = { KNS_NET, KNS_PID };

	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		const struct kns *ns = &spec->ns[ext[i]];
		struct stat sb;

		if (!ns->wanted || ns->path == NULL)
			continue;
		if (stat(ns->path, &sb) < 0)
			return kerr_errno(err, "%s namespace %s", kns_name(ext[i]), ns->path);
		kargv_add(a, "--external=%s[%llu]:%s", ext[i] == KNS_NET ? "net" : "pid",
			  (unsigned long long)sb.st_ino, criu_ns_key(ext[i]));
	}
	return 0;
}
