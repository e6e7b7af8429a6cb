#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/syscalls.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	char *p = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

void strv_free(char **v)
{
	strvfreep(&v);
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		 struct kerr *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0, cap = 4096;

	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap >= max + 1)
				return kerr_set(err, EFBIG, "read %s: larger than %zu bytes", path, max);
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return kerr_errno(err, "read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (ret_len != NULL)
		*ret_len = len;
	*ret_buf = move_ptr(buf);
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *buf, size_t len, struct kerr *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return kerr_errno(err, "open %s", path);
	if (write_all(fd, buf, len) < 0)
		return kerr_errno(err, "write %s", path);
	return 0;
}

int write_file_atomic_at(int dirfd, const char *path, const char *buf, size_t len, mode_t mode,
			 struct kerr *err)
{
	char tmp[PATH_MAX];
	cleanup_close int fd = -1;

	/* Per process: concurrent writers of one file (the image store's
	 * records) must not rename each other's temporary away. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return kerr_errno(err, "create %s", tmp);
	if (write_all(fd, buf, len) < 0) {
		kerr_errno(err, "write %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		kerr_errno(err, "rename %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(path);

	for (char *p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, mode) < 0 && errno != EEXIST)
				return kerr_errno(err, "mkdir %s", copy);
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

int rm_rf_at(int parent, const char *name, struct kerr *err)
{
	cleanup_close int fd = -1;
	DIR *dir;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return kerr_errno(err, "unlink %s", name);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open %s", name);
	dir = fdopendir(fd);
	if (dir == NULL)
		return kerr_errno(err, "opendir %s", name);
	fd = -1;   /* owned by dir now */
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rm_rf_at(dirfd(dir), de->d_name, err) < 0) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return kerr_errno(err, "rmdir %s", name);
	return 0;
}

bool parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*ret = v;
	return true;
}

bool parse_i64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*ret = v;
	return true;
}

int mark_cloexec_from(int first, struct kerr *err)
{
	if (sys_close_range((unsigned int)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Kernels before 5.11: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (d == NULL)
		return kerr_errno(err, "open /proc/self/fd");
	while ((de = readdir(d)) != NULL) {
		int64_t fd;

		if (!parse_i64(de->d_name, &fd) || fd < first || fd == dirfd(d))
			continue;
		if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF) {
			closedir(d);
			return kerr_errno(err, "set close-on-exec on fd %d", (int)fd);
		}
	}
	closedir(d);
	return 0;
}

static bool fd_kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (keep[i] == fd)
			return true;
	}
	return false;
}

int close_fds_except(int first, const int *keep, size_t n, struct kerr *err)
{
	unsigned int from = first < 3 ? 3 : (unsigned int)first;

	/* close_range between the kept fds, in increasing order. */
	for (;;) {
		int next = -1;

		for (size_t i = 0; i < n; i++) {
			if (keep[i] >= (int)from && (next < 0 || keep[i] < next))
				next = keep[i];
		}
		if (next < 0)
			break;
		if ((unsigned int)next > from &&
		    sys_close_range(from, (unsigned int)next - 1, 0) < 0)
			goto walk;
		from = (unsigned int)next + 1;
	}
	if (sys_close_range(from, ~0U, 0) == 0)
		return 0;
walk:;
	/* Kernels before 5.9: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (d == NULL)
		return kerr_errno(err, "open /proc/self/fd");
	while ((de = readdir(d)) != NULL) {
		int64_t fd;

		if (!parse_i64(de->d_name, &fd) || fd < (int64_t)from || fd == dirfd(d) ||
		    fd_kept((int)fd, keep, n))
			continue;
		close((int)fd);
	}
	closedir(d);
	return 0;
}

const char *fd_path(int fd, char buf[FD_PATH_MAX])
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}
