/* The error contract (read this before writing a function that can fail).
 *
 * - A function that can fail returns int: >= 0 on success, -1 on failure.
 * - On failure it fills a `struct kerr *err` passed in by the caller: the errno
 *   that caused it (0 when none) and a one-line message that names the thing
 *   that failed ("open /x/config.json: No such file or directory").
 * - Callers add context on the way up with kerr_prefix() ("create abc: ...").
 * - Library code never prints an error it also returns; only cli/ prints,
 *   once, at the top. Debug and info logging (klog) is fine anywhere.
 * - Outputs are named ret_* and left untouched on failure.
 * - Code running in the container's child process sends its struct kerr back
 *   to the parent over the sync socket, so the user sees the child's message.
 */
#ifndef KAPSEL_COMMON_ERROR_H
#define KAPSEL_COMMON_ERROR_H

#include <stdarg.h>

#define KERR_MSG_MAX 1024

struct kerr {
	int code;                 /* errno, or 0 */
	char msg[KERR_MSG_MAX];   /* one line, no trailing newline */
};

/* Sets err (msg from fmt; ": strerror(errnum)" appended when errnum != 0). Returns -1. */
int kerr_set(struct kerr *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* kerr_set with errnum = errno. Returns -1. */
int kerr_errno(struct kerr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepends "context: " to the message. Returns -1. */
int kerr_prefix(struct kerr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kerr_clear(struct kerr *err);

#endif
