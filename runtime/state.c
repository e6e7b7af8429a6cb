/* The state store: ROOT/ID/state.json plus ROOT/ID/exec.fifo while the
 * container waits for `start`. Status is never stored: it is derived each
 * time from the process (and its start time, so a reused pid reads as
 * stopped), the fifo, and cgroup.freeze. */
#include "runtime/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/stopat.h"
#include "common/util.h"

#define STATE_FILE "state.json"
#define STATE_MAX (1 << 20)

static int lock_dir(int dirfd, const char *id, struct kerr *err)
{
	while (flock(dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return kerr_errno(err, "lock container %s", id);
	}
	return 0;
}

static int open_root(const char *root, bool create, struct kerr *err)
{
	int fd;

	if (create && mkdir_p(root, 0700, err) < 0)
		return -1;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open state directory %s", root);
	return fd;
}

/* A fresh state directory appears whole: made as .new~ID~XXXXXX, locked,
 * given a "creating" state.json, then renamed into place. So ROOT/ID never
 * exists without a state a concurrent command (or delete -f after a crash)
 * can read. '~' is never in an id, so the prefix names one id only. */
int container_new(const char *root, const char *id, struct kcontainer **ret, struct kerr *err)
{
	cleanup_close int rootfd = open_root(root, true, err);
	cleanup_free char *tmp = NULL;
	struct kcontainer *c;
	int fd;

	if (rootfd < 0)
		return -1;
	for (int tries = 0;; tries++) {
		struct stat sb;

		free(tmp);
		tmp = xasprintf("%s/" STATE_NEW_PREFIX "%s~XXXXXX", root, id);
		if (mkdtemp(tmp) == NULL)
			return kerr_errno(err, "create state directory %s/%s", root, id);
		fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || lock_dir(fd, id, err) < 0) {
			if (fd < 0)
				kerr_errno(err, "open state directory %s", tmp);
			else
				close(fd);
			rmdir(tmp);
			return -1;
		}
		/* Unlocked between mkdtemp and flock, a concurrent state_sweep
		 * may have taken it for a crashed create's: make another. */
		if (fstat(fd, &sb) == 0 && sb.st_nlink > 0)
			break;
		close(fd);
		if (tries == 10)
			return kerr_set(err, EAGAIN, "create state directory %s/%s: removed "
					"under us", root, id);
	}
	c = xcalloc(1, sizeof(*c));
	c->dirfd = fd;
	c->root = xstrdup(root);
	c->st.id = xstrdup(id);
	c->st.creating = true;
	if (fchmod(fd, 0711) < 0) {
		kerr_errno(err, "chmod %s", tmp);
		goto fail;
	}
	if (container_save(c, err) < 0)
		goto fail;
	if (renameat2(AT_FDCWD, tmp, rootfd, id, RENAME_NOREPLACE) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			kerr_set(err, 0, "container %s already exists", id);
		else
			kerr_errno(err, "create state directory %s/%s", root, id);
		goto fail;
	}
	*ret = c;
	return 0;
fail:
	rm_rf_at(AT_FDCWD, tmp, NULL);
	container_close(c);
	return -1;
}

static int parse_state(struct kcontainer *c, const char *buf, struct kerr *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(buf, 0, &jerr);
	const char *bundle = NULL, *created = NULL, *cgroup = NULL;
	json_int_t pid = 0, start = 0, owner = 0;
	int creating = 0, rootless = 0, systemd = 0;
	json_t *annotations = NULL, *extra = NULL;

	if (doc == NULL)
		return kerr_set(err, 0, "state of %s is corrupt: %s", c->st.id, jerr.text);
	if (json_unpack_ex(doc, &jerr, 0, "{s:s, s?s, s?I, s?I, s?I, s?s, s?b, s?b, s?b, s?o, s?o}",
			   "bundle", &bundle, "created", &created, "pid", &pid, "start_time",
			   &start, "owner", &owner, "cgroup_path", &cgroup, "rootless", &rootless,
			   "systemd_cgroup", &systemd, "creating", &creating, "annotations", &annotations, "extra",
			   &extra) < 0) {
		json_decref(doc);
		return kerr_set(err, 0, "state of %s is corrupt: %s", c->st.id, jerr.text);
	}
	c->st.bundle = xstrdup(bundle);
	c->st.created = created ? xstrdup(created) : NULL;
	c->st.pid = (pid_t)pid;
	c->st.start_time = (uint64_t)start;
	c->st.owner = (uid_t)owner;
	c->st.cgroup_path = cgroup ? xstrdup(cgroup) : NULL;
	c->st.rootless = rootless;
	c->st.systemd_cgroup = systemd;
	c->st.creating = creating;
	c->st.annotations = json_incref(annotations);
	c->st.extra = json_incref(extra);
	json_decref(doc);
	return 0;
}

int container_open(const char *root, const char *id, struct kcontainer **ret, struct kerr *err)
{
	cleanup_close int rootfd = -1;
	cleanup_free char *buf = NULL;
	struct kcontainer *c;
	int fd;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 && errno != ENOENT)
		return kerr_errno(err, "open state directory %s", root);
	fd = rootfd < 0 ? -1 : openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (rootfd < 0 || errno == ENOENT || errno == ENOTDIR)
			return kerr_set(err, ENOENT, "container %s does not exist", id);
		return kerr_errno(err, "open state of %s", id);
	}
	if (lock_dir(fd, id, err) < 0) {
		close(fd);
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->dirfd = fd;
	c->root = xstrdup(root);
	c->st.id = xstrdup(id);
	if (read_file_at(fd, STATE_FILE, STATE_MAX, &buf, NULL, err) < 0) {
		/* A concurrent delete removed it between our open and our lock. */
		if (err != NULL && err->code == ENOENT)
			kerr_set(err, ENOENT, "container %s does not exist", id);
		container_close(c);
		return -1;
	}
	if (parse_state(c, buf, err) < 0) {
		container_close(c);
		return -1;
	}
	*ret = c;
	return 0;
}

int container_save(struct kcontainer *c, struct kerr *err)
{
	/* "*": a NULL field is left out rather than stored as null. */
	json_t *o = json_pack("{s:s, s:s, s:s*, s:I, s:I, s:I, s:s*, s:b, s:b, s:b, s:O*, s:O*}",
			      "id", c->st.id, "bundle", c->st.bundle ? c->st.bundle : "",
			      "created", c->st.created, "pid", (json_int_t)c->st.pid,
			      "start_time", (json_int_t)c->st.start_time, "owner",
			      (json_int_t)c->st.owner, "cgroup_path", c->st.cgroup_path,
			      "rootless", c->st.rootless, "systemd_cgroup", c->st.systemd_cgroup,
			      "creating", c->st.creating,
			      "annotations", c->st.annotations, "extra", c->st.extra);
	cleanup_free char *text = NULL;

	if (o == NULL)
		return kerr_set(err, ENOMEM, "serialize state of %s", c->st.id);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return kerr_set(err, ENOMEM, "serialize state of %s", c->st.id);
	return write_file_atomic_at(c->dirfd, STATE_FILE, text, strlen(text), 0600, err);
}

static void state_clear(struct kstate *st)
{
	free(st->id);
	free(st->bundle);
	free(st->created);
	free(st->cgroup_path);
	json_decref(st->annotations);
	json_decref(st->extra);
}

void container_close(struct kcontainer *c)
{
	if (c == NULL)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);   /* drops the flock */
	state_clear(&c->st);
	free(c->root);
	free(c);
}

/* Renamed out of the way first, so a delete killed halfway leaves no
 * half-removed ROOT/ID (its state gone, its directory not): a container is
 * there whole, or it is gone and the rest is a .gone~ID~ directory that
 * state_sweep() removes. */
int container_remove(struct kcontainer *c, struct kerr *err)
{
	cleanup_close int rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *gone = NULL;
	int ret;

	if (rootfd < 0) {
		kerr_errno(err, "open state directory %s", c->root);
		container_close(c);
		return -1;
	}
	for (unsigned i = 0;; i++) {
		free(gone);
		gone = xasprintf(STATE_GONE_PREFIX "%s~%d.%u", c->st.id, (int)getpid(), i);
		if (renameat2(rootfd, c->st.id, rootfd, gone, RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST || i == 100) {
			ret = kerr_errno(err, "remove state of %s", c->st.id);
			container_close(c);
			return ret;
		}
	}
	debug_stop_at("delete:state");
	/* Still holding the lock: a concurrent command waits, then finds nothing. */
	ret = rm_rf_at(rootfd, gone, err);
	if (ret < 0)   /* back where a retried delete finds it */
		renameat2(rootfd, gone, rootfd, c->st.id, RENAME_NOREPLACE);
	container_close(c);
	return ret;
}

/* name is PREFIX~ (any id) or PREFIX+ID~ (exact: that id's, not ID2's). */
static bool has_prefix_id(const char *name, const char *prefix, bool exact)
{
	size_t n = strlen(prefix);

	return strncmp(name, prefix, n) == 0 && (!exact || name[n] == '~');
}

/* Removes what a killed create or delete of id (NULL: of any id) left
 * beside ROOT/ID: its .new~ID~ and .gone~ID~ directories, each only when no
 * live command holds its lock. */
void state_sweep(const char *root, const char *id)
{
	cleanup_free char *pnew = xasprintf(STATE_NEW_PREFIX "%s", id ? id : "");
	cleanup_free char *pgone = xasprintf(STATE_GONE_PREFIX "%s", id ? id : "");
	DIR *d = opendir(root);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd;

		if (!has_prefix_id(de->d_name, pnew, id != NULL) &&
		    !has_prefix_id(de->d_name, pgone, id != NULL))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			rm_rf_at(dirfd(d), de->d_name, NULL);
		close(fd);
	}
	closedir(d);
}

uint64_t proc_start_time(pid_t pid)
{
	char path[64];
	char buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start = 0;
	char state;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL)
		return 0;
	/* state is field 3, starttime field 22: 19 fields after state. */
	if (sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu", &state, &start) != 2)
		return 0;
	if (state == 'Z' || state == 'X')
		return 0;
	return start;
}

enum kstatus container_status(struct kcontainer *c)
{
	struct stat sb;

	/* Whoever reads a "creating" state other than its creator holds the
	 * lock the creator held: the creator is gone, and what it made is a
	 * half-made container that is stopped once its process is. */
	if (c->st.creating)
		return c->st.pid > 0 && proc_start_time(c->st.pid) == c->st.start_time
			       ? KSTATUS_CREATING
			       : KSTATUS_STOPPED;
	if (c->st.pid <= 0 || proc_start_time(c->st.pid) != c->st.start_time)
		return KSTATUS_STOPPED;
	if (fstatat(c->dirfd, EXEC_FIFO_NAME, &sb, 0) == 0)
		return KSTATUS_CREATED;
	if (c->st.cgroup_path != NULL) {
		struct kcgroup *cg = NULL;
		int frozen = 0;

		if (cgroup_open(c->st.cgroup_path, &cg, NULL) == 0) {
			frozen = cgroup_is_frozen(cg);
			cgroup_free(cg);
		}
		if (frozen == 1)
			return KSTATUS_PAUSED;
	}
	return KSTATUS_RUNNING;
}

const char *kstatus_name(enum kstatus s)
{
	static const char *const names[] = { "creating", "created", "running", "paused",
					     "stopped" };

	return names[s];
}

/* runc reports the owner by name; a uid without a passwd entry stays numeric. */
static const char *owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		return pw->pw_name;
	snprintf(buf, len, "%u", (unsigned)uid);
	return buf;
}

json_t *container_state_json(struct kcontainer *c)
{
	char buf[32];
	enum kstatus s = container_status(c);
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", "1.0.2", "id", c->st.id,
			      "status", kstatus_name(s), "pid",
			      (json_int_t)(s == KSTATUS_STOPPED ? 0 : c->st.pid), "bundle",
			      c->st.bundle ? c->st.bundle : "");

	if (o == NULL)
		return NULL;
	if (c->st.annotations != NULL)
		json_object_set(o, "annotations", c->st.annotations);
	if (c->st.created != NULL)
		json_object_set_new(o, "created", json_string(c->st.created));
	json_object_set_new(o, "owner", json_string(owner_name(c->st.owner, buf, sizeof(buf))));
	return o;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(const char *root, char ***ret, struct kerr *err)
{
	DIR *d = opendir(root);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		if (errno != ENOENT)
			return kerr_errno(err, "open state directory %s", root);
		*ret = xcalloc(1, sizeof(char *));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(v, cap * sizeof(char *));
			if (v == NULL)
				abort();
		}
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (v == NULL)
		v = xcalloc(1, sizeof(char *));
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp_str);
	*ret = v;
	return 0;
}
