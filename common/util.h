/* Small helpers shared by every folder: files, strings, numbers. */
#ifndef KAPSEL_COMMON_UTIL_H
#define KAPSEL_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Reads a whole file (at most max bytes; NUL-terminated). */
int read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		 struct kerr *err);
/* Writes buf to an existing file (O_WRONLY|O_TRUNC), e.g. a /proc or cgroup knob. */
int write_file_at(int dirfd, const char *path, const char *buf, size_t len, struct kerr *err);
/* Writes path atomically: a temporary file in the same directory, fsync-free rename. */
int write_file_atomic_at(int dirfd, const char *path, const char *buf, size_t len, mode_t mode,
			 struct kerr *err);
/* mkdir -p of an absolute or relative path (host side, trusted paths only). */
int mkdir_p(const char *path, mode_t mode, struct kerr *err);
/* Removes a directory tree below dirfd/name without following symlinks. */
int rm_rf_at(int dirfd, const char *name, struct kerr *err);

/* Writes all of buf, retrying on EINTR and short writes. */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* "123" -> 123; false on garbage, overflow or trailing characters. */
bool parse_u64(const char *s, uint64_t *ret);
bool parse_i64(const char *s, int64_t *ret);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Number of elements in a NULL-terminated vector. */
size_t strv_len(char *const *v);
void strv_free(char **v);

/* Sets FD_CLOEXEC on every fd >= first (so exec leaves only 0..first-1). */
int mark_cloexec_from(int first, struct kerr *err);
/* Closes every fd >= first except those in keep[] (negative entries
 * ignored): what a process entering a container must not carry in
 * (CVE-2024-21626: a leaked host directory fd is a way out of the root). */
int close_fds_except(int first, const int *keep, size_t n, struct kerr *err);

#define FD_PATH_MAX 32
/* "/proc/self/fd/N" in buf: mount(2) or open(2) through it acts on exactly
 * fd's file, with no path looked up again. Returns buf. */
const char *fd_path(int fd, char buf[FD_PATH_MAX]);

#endif
