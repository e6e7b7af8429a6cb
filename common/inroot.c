/* Path resolution inside a container root: see common/inroot.h for the rules
 * and the CVEs they close. */
#include "common/inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"

#define INROOT_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
/* as the kernel's MAXSYMLINKS: a loop of symlinks ends with ELOOP */
#define INROOT_MAX_SYMLINKS 40
/* openat2 returns EAGAIN when a rename raced with a ".." in RESOLVE_IN_ROOT */
#define INROOT_EAGAIN_RETRIES 16

enum walk_create { WALK_NONE, WALK_DIRS, WALK_FILE };

/* The user-space walk: a stack of fds of the directories entered below the
 * root. ".." pops the stack (never the kernel's ".."), so it cannot climb
 * above the root, and a symlink's target is fed back into the walk (from
 * the root when absolute). */
struct walk {
	int rootfd;
	int *stack;
	size_t depth, cap;
	enum walk_create create;
	mode_t mode;
	bool nofollow_last;
	int symlinks;
};

static int walk_cur(const struct walk *w)
{
	return w->depth > 0 ? w->stack[w->depth - 1] : w->rootfd;
}

static void walk_pop(struct walk *w)
{
	if (w->depth > 0)
		close(w->stack[--w->depth]);
}

static void walk_push(struct walk *w, int fd)
{
	if (w->depth == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->stack = realloc(w->stack, w->cap * sizeof(*w->stack));
		if (w->stack == NULL)
			abort();
	}
	w->stack[w->depth++] = fd;
}

static void walk_free(struct walk *w)
{
	while (w->depth > 0)
		walk_pop(w);
	free(w->stack);
}

/* Creates the missing component name in the current directory. EEXIST is
 * fine: whoever made it, the caller opens it with O_NOFOLLOW next. */
static int walk_create_one(struct walk *w, const char *name, bool last, struct kerr *err)
{
	int cur = walk_cur(w);

	if (last && w->create == WALK_FILE) {
		int fd = openat(cur, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY | O_CLOEXEC,
				w->mode);

		if (fd < 0 && errno != EEXIST)
			return kerr_errno(err, "create %s", name);
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* the directories on the way to a file get 0755, not the file's mode */
	if (mkdirat(cur, name, w->create == WALK_FILE ? 0755 : w->mode) < 0 && errno != EEXIST)
		return kerr_errno(err, "mkdir %s", name);
	return 0;
}

/* Replaces *rest with TARGET/REMAINDER. */
static void walk_splice(char **rest, const char *target, const char *remainder)
{
	char *n = xasprintf("%s/%s", target, remainder);

	free(*rest);
	*rest = n;
}

static int walk_symlink(struct walk *w, int linkfd, const char *name, char **rest,
			const char *remainder, struct kerr *err)
{
	char target[PATH_MAX];
	ssize_t n;

	if (++w->symlinks > INROOT_MAX_SYMLINKS)
		return kerr_set(err, ELOOP, "resolve %s", name);
	n = readlinkat(linkfd, "", target, sizeof(target));
	if (n < 0)
		return kerr_errno(err, "readlink %s", name);
	if ((size_t)n >= sizeof(target))
		return kerr_set(err, ENAMETOOLONG, "readlink %s", name);
	target[n] = '\0';
	/* an absolute target starts again from the container's root, as if
	 * chrooted there: this is what keeps "/etc" inside */
	if (target[0] == '/')
		while (w->depth > 0)
			walk_pop(w);
	walk_splice(rest, target, remainder);
	return 0;
}

/* One component: returns 1 when it was a symlink (the walk goes on with the
 * spliced path), 0 when entered, -1 on error. */
static int walk_step(struct walk *w, const char *name, bool last, char **rest,
		     const char *remainder, struct kerr *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	if (strcmp(name, "..") == 0) {
		walk_pop(w);
		return 0;
	}
	fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && w->create != WALK_NONE) {
		if (walk_create_one(w, name, last, err) < 0)
			return -1;
		fd = openat(walk_cur(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return kerr_errno(err, "open %s", name);
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "stat %s", name);
	if (S_ISLNK(st.st_mode) && !(last && w->nofollow_last)) {
		if (walk_symlink(w, fd, name, rest, remainder, err) < 0)
			return -1;
		return 1;
	}
	if (!last && !S_ISDIR(st.st_mode))
		return kerr_set(err, ENOTDIR, "open %s", name);
	walk_push(w, move_fd(&fd));
	return 0;
}

/* Resolves path below w->rootfd; *ret_fd gets an O_PATH fd. */
static int walk_path(struct walk *w, const char *path, int *ret_fd, struct kerr *err)
{
	cleanup_free char *rest = xstrdup(path);
	size_t pos = 0;

	for (;;) {
		char *p = rest + pos, *end;
		bool last;
		int r;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchrnul(p, '/');
		pos = (size_t)(end - rest);
		if (*end != '\0')
			*end = '\0', pos++;
		last = rest[pos] == '\0' || rest[pos + strspn(rest + pos, "/")] == '\0';
		if (strcmp(p, ".") == 0)
			continue;
		cleanup_free char *remainder = xstrdup(rest + pos);

		r = walk_step(w, p, last, &rest, remainder, err);
		if (r < 0)
			return -1;
		if (r == 1)
			pos = 0;
	}
	if (w->depth > 0) {
		*ret_fd = w->stack[--w->depth];
		return 0;
	}
	*ret_fd = openat(w->rootfd, ".", O_PATH | O_CLOEXEC);
	if (*ret_fd < 0)
		return kerr_errno(err, "open the root");
	return 0;
}

static int walk_run(int rootfd, const char *path, enum walk_create create, mode_t mode,
		    bool nofollow_last, int *ret_fd, struct kerr *err)
{
	struct walk w = { .rootfd = rootfd, .create = create, .mode = mode,
			  .nofollow_last = nofollow_last };
	int r = walk_path(&w, path, ret_fd, err);

	walk_free(&w);
	return r;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	int fd = -1;

	for (int i = 0; i < INROOT_EAGAIN_RETRIES; i++) {
		fd = sys_openat2(rootfd, path, (uint64_t)(flags | O_CLOEXEC), 0, INROOT_RESOLVE);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

static bool no_openat2(int e)
{
	return e == ENOSYS || e == E2BIG;
}

/* The user-space fallback of inroot_open: walk to an O_PATH fd, then reopen
 * it with the wanted flags through procfs (the fd, not the path). */
static int inroot_open_walk(int rootfd, const char *path, int flags, struct kerr *err)
{
	cleanup_close int fd = -1;
	char proc[FD_PATH_MAX];
	struct stat st;
	int r;

	if (walk_run(rootfd, path, WALK_NONE, 0, (flags & O_NOFOLLOW) != 0, &fd, err) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return kerr_errno(err, "stat %s", path);
	if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
		return kerr_set(err, ENOTDIR, "open %s", path);
	if (flags & O_PATH)
		return move_fd(&fd);
	if (S_ISLNK(st.st_mode))
		return kerr_set(err, ELOOP, "open %s", path);
	r = open(fd_path(fd, proc), (flags & ~O_NOFOLLOW) | O_CLOEXEC);
	if (r < 0)
		return kerr_errno(err, "open %s", path);
	return r;
}

int inroot_open(int rootfd, const char *path, int flags, struct kerr *err)
{
	int fd = openat2_in_root(rootfd, path, flags);

	if (fd >= 0)
		return fd;
	if (!no_openat2(errno))
		return kerr_errno(err, "open %s", path);
	return inroot_open_walk(rootfd, path, flags, err);
}

/* Walks with creation, then asks the kernel for the final fd so the result
 * carries openat2's guarantee whatever raced with the walk. */
static int inroot_make(int rootfd, const char *path, enum walk_create create, mode_t mode,
		       int flags, int *ret_fd, struct kerr *err)
{
	cleanup_close int fd = openat2_in_root(rootfd, path, flags);
	bool have_openat2 = fd >= 0 || !no_openat2(errno);

	if (fd < 0 && have_openat2 && errno != ENOENT)
		return kerr_errno(err, "open %s", path);
	if (fd < 0) {
		if (walk_run(rootfd, path, create, mode, false, &fd, err) < 0)
			return kerr_prefix(err, "create %s", path);
		if (have_openat2) {
			close(fd);
			fd = openat2_in_root(rootfd, path, flags);
			if (fd < 0)
				return kerr_errno(err, "open %s", path);
		}
	}
	if (ret_fd != NULL)
		*ret_fd = move_fd(&fd);
	return 0;
}

int inroot_mkdir_p(int rootfd, const char *path, mode_t mode, int *ret_fd, struct kerr *err)
{
	int fd = -1;
	struct stat st;

	if (inroot_make(rootfd, path, WALK_DIRS, mode, O_PATH | O_DIRECTORY, &fd, err) < 0)
		return -1;
	/* the walk fallback returns whatever it reached */
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return kerr_set(err, ENOTDIR, "mkdir %s", path);
	}
	if (ret_fd != NULL)
		*ret_fd = fd;
	else
		close(fd);
	return 0;
}

int inroot_create_file(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct kerr *err)
{
	return inroot_make(rootfd, path, WALK_FILE, mode, O_PATH, ret_fd, err);
}

/* Where fd's file is now, as the kernel names it. */
static int fd_target(int fd, char *buf, size_t size)
{
	char proc[FD_PATH_MAX];
	ssize_t n;

	n = readlink(fd_path(fd, proc), buf, size);
	if (n < 0)
		return -1;
	if ((size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

int inroot_check_beneath(int rootfd, int fd, struct kerr *err)
{
	char root[PATH_MAX], path[PATH_MAX];
	size_t len;

	if (fd_target(rootfd, root, sizeof(root)) < 0 || fd_target(fd, path, sizeof(path)) < 0) {
		if (errno == ENOENT)
			return 0;   /* no /proc here: nothing to check with */
		return kerr_errno(err, "readlink /proc/self/fd");
	}
	len = strlen(root);
	if (strcmp(root, "/") == 0)
		return 0;
	if (strncmp(path, root, len) == 0 && (path[len] == '\0' || path[len] == '/'))
		return 0;
	return kerr_set(err, EXDEV, "%s is no longer inside the root %s", path, root);
}
