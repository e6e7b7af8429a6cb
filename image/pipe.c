/* A two-stage pipeline for layer streams: a thread reads, hashes and
 * decompresses the blob (zlib's inflate is half of an unpack's CPU time)
 * while the caller's thread parses tar and creates files. Chunks pass
 * through a small ring of buffers; the producer blocks when it is full. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "image/pipe.h"

#define NBUF 4

struct kpipe {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	kpipe_produce_fn produce;
	void *ctx;
	size_t size;
	char *bufs[NBUF];
	size_t len[NBUF];
	unsigned head, count;      /* head: the consumer's next chunk */
	bool held;                 /* the consumer holds bufs[head] */
	bool eof, failed, stop;
	struct kerr err;           /* the producer's, read after failed is seen */
};

static void *producer(void *arg)
{
	struct kpipe *p = arg;

	for (;;) {
		unsigned slot;
		ssize_t r;

		pthread_mutex_lock(&p->mu);
		while (p->count == NBUF && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		slot = (p->head + p->count) % NBUF;
		pthread_mutex_unlock(&p->mu);

		r = p->produce(p->ctx, p->bufs[slot], p->size, &p->err);

		pthread_mutex_lock(&p->mu);
		if (r <= 0) {
			p->failed = r < 0;
			p->eof = r == 0;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		p->len[slot] = (size_t)r;
		p->count++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

int pipe_start(kpipe_produce_fn produce, void *ctx, size_t size, struct kpipe **ret,
	       struct kerr *err)
{
	struct kpipe *p = xcalloc(1, sizeof(*p));
	int e;

	p->produce = produce;
	p->ctx = ctx;
	p->size = size;
	for (int i = 0; i < NBUF; i++)
		p->bufs[i] = xmalloc(size);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	e = pthread_create(&p->thread, NULL, producer, p);
	if (e != 0) {
		for (int i = 0; i < NBUF; i++)
			free(p->bufs[i]);
		free(p);
		return kerr_set(err, e, "start the decompression thread");
	}
	*ret = p;
	return 0;
}

ssize_t pipe_next(struct kpipe *p, const void **ret, struct kerr *err)
{
	ssize_t r;

	pthread_mutex_lock(&p->mu);
	if (p->held) {
		/* the previous chunk is consumed: hand its buffer back */
		p->held = false;
		p->head = (p->head + 1) % NBUF;
		p->count--;
		pthread_cond_broadcast(&p->cv);
	}
	while (p->count == 0 && !p->eof && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->count > 0) {
		p->held = true;
		*ret = p->bufs[p->head];
		r = (ssize_t)p->len[p->head];
	} else if (p->failed) {
		*err = p->err;
		r = -1;
	} else {
		r = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return r;
}

void pipe_stop(struct kpipe *p)
{
	if (p == NULL || p->stop)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
}

void pipe_free(struct kpipe *p)
{
	if (p == NULL)
		return;
	pipe_stop(p);
	for (int i = 0; i < NBUF; i++)
		free(p->bufs[i]);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
