/* Ownership macros: a variable declared with one of these is released when it
 * goes out of scope, so early returns leak nothing. Hand ownership on with
 * move_ptr()/move_fd(). */
#ifndef KAPSEL_COMMON_CLEANUP_H
#define KAPSEL_COMMON_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

static inline void closedirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}

static inline void strvfreep(char ***v)
{
	if (*v != NULL) {
		for (char **p = *v; *p != NULL; p++)
			free(*p);
		free(*v);
	}
}

#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))
#define cleanup_fclose __attribute__((cleanup(fclosep)))
#define cleanup_closedir __attribute__((cleanup(closedirp)))
#define cleanup_strv __attribute__((cleanup(strvfreep)))

static inline int move_fd(int *fd)
{
	int ret = *fd;
	*fd = -1;
	return ret;
}

#define move_ptr(p)                              \
	({                                       \
		__typeof__(p) _moved_ = (p);     \
		(p) = NULL;                      \
		_moved_;                         \
	})

#endif
