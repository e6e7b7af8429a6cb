/* image/pipe.c: decompress on a second thread (private to image/). */
#ifndef KAPSEL_IMAGE_PIPE_H
#define KAPSEL_IMAGE_PIPE_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* Fills buf (up to n bytes): returns the length, 0 at the end, -1 with err. */
typedef ssize_t (*kpipe_produce_fn)(void *ctx, void *buf, size_t n, struct kerr *err);

struct kpipe;

int pipe_start(kpipe_produce_fn produce, void *ctx, size_t size, struct kpipe **ret,
	       struct kerr *err);
/* The next chunk (valid until the next call): length, 0 at the end, -1 with
 * the producer's error in err. */
ssize_t pipe_next(struct kpipe *p, const void **ret, struct kerr *err);
/* Stops the producer and waits for it; afterwards its state is the caller's. */
void pipe_stop(struct kpipe *p);
void pipe_free(struct kpipe *p);

#endif
