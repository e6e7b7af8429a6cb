/* Helpers for the lsm/ tests that run cases in forked children (include
 * after <cmocka.h>). Children leave with _exit and report by exit status. */
#ifndef KAPSEL_TESTS_LSM_LIVE_H
#define KAPSEL_TESTS_LSM_LIVE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsm/internal.h"
#include "lsm/lsm.h"
#include "tests/unit/lsm_test.h"

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c)) {                                                        \
			fprintf(stderr, "# child %s:%d: %s (errno %s)\n", __FILE__, \
				__LINE__, #c, strerror(errno));                    \
			_exit(1);                                                  \
		}                                                                  \
	} while (0)

#define CHECK_OK(fn, arg)                                                           \
	do {                                                                        \
		struct kerr e_ = { 0 };                                             \
		if (fn(arg, &e_) < 0) {                                             \
			fprintf(stderr, "# child %s:%d: %s\n", __FILE__, __LINE__, e_.msg); \
			_exit(1);                                                   \
		}                                                                   \
	} while (0)

static bool root;   /* set by main */

/* Runs fn in a child; returns its wait status. Children leave with _exit:
 * no atexit handlers (nor LeakSanitizer) run on a copy of the test's heap. */
static inline int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static inline void expect_exit0(int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		skip();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed (status 0x%x)", status);
}

/* A field of /proc/self/status, e.g. "Seccomp" -> "2". */
static inline bool status_field(const char *key, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t klen = strlen(key);
	char line[512];
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(out, n, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = true;
		}
	}
	fclose(f);
	return found;
}

static inline unsigned long long status_hex(const char *key)
{
	char v[64];

	CHECK(status_field(key, v, sizeof(v)));
	return strtoull(v, NULL, 16);
}

static inline int status_int(const char *key)
{
	char v[64];

	CHECK(status_field(key, v, sizeof(v)));
	return atoi(v);
}

static inline struct klsm *prepare(struct tspec *t)
{
	struct kerr err;
	struct klsm *l;

	if (lsm_validate(&t->spec, &err) < 0 || lsm_prepare(&t->spec, &t->proc, &l, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	return l;
}

/* Both calls of lsm_load_seccomp, checking the one at the wrong moment is a
 * no-op; returns the notify fd. */
static inline int load_filter(struct klsm *l, bool nnp)
{
	struct kerr err;
	int fd = 123;

	CHECK(lsm_load_seccomp(l, !nnp, &fd, &err) == 0);
	CHECK(fd == -1 && status_int("Seccomp") == 0);
	if (lsm_load_seccomp(l, nnp, &fd, &err) < 0) {
		fprintf(stderr, "# child: %s\n", err.msg);
		_exit(1);
	}
	CHECK(status_int("Seccomp") == 2);
	CHECK(status_int("NoNewPrivs") == (nnp ? 1 : 0));
	return fd;
}

#endif
