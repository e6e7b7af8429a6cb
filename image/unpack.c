/* One layer blob -> files. The blob is read once: the bytes are hashed for its
 * digest as they arrive, decompressed by libarchive (gzip, zstd or none, found
 * by sniffing, so a lying media type does no harm), hashed again for the
 * diff_id, and parsed as tar. Size, digest and diff_id are checked when the
 * stream ends; a mismatch fails the unpack and the caller removes the partial
 * result. */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "common/util.h"
#include "image/blob.h"
#include "image/pipe.h"
#include "image/unpack.h"
#include "image/archive_dl.h"

#define BUF_SIZE (1024 * 1024)

/* Threads: blob_cb and the decompressor run on the pipe's producer thread
 * once it is started; they own blob_d, got, berr/bfailed until pipe_stop().
 * tar_cb and everything else run on the caller's thread (err/failed). */
struct kstream {
	struct kblob *b;
	const struct klayer *l;
	struct archive *raw;        /* decompressor ("raw" format) */
	struct kpipe *pipe;
	struct kdigest blob_d, diff_d;
	bool hash_blob, hash_diff;
	int64_t got;
	bool bfailed, failed;
	struct kerr berr, err;
	char *buf;
};

static const char *layer_name(const struct klayer *l)
{
	return l->digest ?: l->diff_id ?: l->member;
}

static la_ssize_t blob_cb(struct archive *a, void *data, const void **ret)
{
	struct kstream *s = data;
	ssize_t r = blob_read(s->b, s->buf, BUF_SIZE, &s->berr);

	if (r < 0) {
		s->bfailed = true;
		archive_set_error(a, EIO, "%s", s->berr.msg);
		return -1;
	}
	s->got += r;
	if (s->l->size >= 0 && s->got > s->l->size) {
		s->bfailed = true;
		kerr_set(&s->berr, 0, "blob is longer than the %lld bytes its descriptor says",
			 (long long)s->l->size);
		archive_set_error(a, EIO, "%s", s->berr.msg);
		return -1;
	}
	if (s->hash_blob)
		digest_update(&s->blob_d, s->buf, (size_t)r);
	*ret = s->buf;
	return r;
}

/* The producer: decompressed bytes of the blob. */
static ssize_t produce_raw(void *ctx, void *buf, size_t n, struct kerr *err)
{
	struct kstream *s = ctx;
	la_ssize_t r = archive_read_data(s->raw, buf, n);

	if (r < 0) {
		if (s->bfailed)
			*err = s->berr;
		else
			kerr_set(err, 0, "decompress: %s", archive_error_string(s->raw));
		return -1;
	}
	return r;
}

/* The tar parser's input: decompressed chunks from the pipe, hashed for the diff_id. */
static ssize_t next_chunk(struct kstream *s, const void **ret)
{
	ssize_t r = pipe_next(s->pipe, ret, &s->err);

	if (r < 0)
		s->failed = true;
	else if (r > 0 && s->hash_diff)
		digest_update(&s->diff_d, *ret, (size_t)r);
	return r;
}

static la_ssize_t tar_cb(struct archive *a, void *data, const void **ret)
{
	struct kstream *s = data;
	ssize_t r = next_chunk(s, ret);

	if (r < 0)
		archive_set_error(a, EIO, "%s", s->err.msg);
	return r;
}

static int stream_open(struct kstream *s, struct archive **ret_tar, struct kerr *err)
{
	struct archive_entry *e;
	struct archive *tar;
	enum kdigest_algo algo;

	s->hash_blob = s->l->digest != NULL;
	if (s->hash_blob) {
		if (digest_parse(s->l->digest, &algo, err) < 0)
			return -1;
		digest_init(&s->blob_d, algo);
	}
	/* an uncompressed layer's digest is its diff_id: hash it once */
	s->hash_diff = !(s->hash_blob && strcmp(s->l->digest, s->l->diff_id) == 0);
	if (s->hash_diff) {
		if (digest_parse(s->l->diff_id, &algo, err) < 0)
			return -1;
		digest_init(&s->diff_d, algo);
	}
	if (image_archive_load(err) < 0)
		return -1;
	s->raw = archive_read_new();
	archive_read_support_filter_gzip(s->raw);
	archive_read_support_filter_zstd(s->raw);
	archive_read_support_format_raw(s->raw);
	if (archive_read_open(s->raw, s, NULL, blob_cb, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(s->raw, &e) != ARCHIVE_OK)
		return kerr_set(err, 0, "%s", s->bfailed ? s->berr.msg
							 : archive_error_string(s->raw));
	if (pipe_start(produce_raw, s, BUF_SIZE, &s->pipe, err) < 0)
		return -1;
	tar = archive_read_new();
	archive_read_support_format_tar(tar);
	archive_read_support_format_gnutar(tar);
	if (archive_read_open(tar, s, NULL, tar_cb, NULL) != ARCHIVE_OK) {
		kerr_set(err, 0, "%s", s->failed ? s->err.msg : archive_error_string(tar));
		archive_read_free(tar);
		return -1;
	}
	*ret_tar = tar;
	return 0;
}

/* Reads what the tar parser left (end-of-archive padding, trailing bytes) so
 * the digests cover the whole blob, then compares. */
static int stream_verify(struct kstream *s, struct kerr *err)
{
	char got[DIGEST_STR_MAX];
	const void *p;
	ssize_t r;

	while ((r = next_chunk(s, &p)) > 0)
		;
	if (r < 0)
		return kerr_set(err, 0, "%s", s->err.msg);
	pipe_stop(s->pipe);
	while ((r = blob_cb(s->raw, s, &p)) > 0)
		;
	if (r < 0)
		return kerr_set(err, 0, "%s", s->berr.msg);
	if (s->l->size >= 0 && s->got != s->l->size)
		return kerr_set(err, 0, "blob is %lld bytes, its descriptor says %lld",
				(long long)s->got, (long long)s->l->size);
	if (s->hash_blob) {
		digest_final(&s->blob_d, got);
		if (strcmp(got, s->l->digest) != 0)
			return kerr_set(err, 0, "digest mismatch: blob hashes to %s", got);
	}
	if (s->hash_diff) {
		digest_final(&s->diff_d, got);
		if (strcmp(got, s->l->diff_id) != 0)
			return kerr_set(err, 0, "diff_id mismatch: the uncompressed layer hashes "
					"to %s, the image config says %s", got, s->l->diff_id);
	}
	return 0;
}

static int extract_all(struct kunpack *u, struct kstream *s, struct kerr *err)
{
	struct archive_entry *e;

	for (;;) {
		cleanup_free char *path = NULL;
		const char *raw;
		int r = archive_read_next_header(u->in, &e);

		if (r == ARCHIVE_EOF || (r < ARCHIVE_WARN && u->tar_ended && !s->failed))
			return entry_finish_dirs(u, err);
		if (r < ARCHIVE_WARN)
			return kerr_set(err, 0, "%s", s->failed ? s->err.msg
								: archive_error_string(u->in));
		raw = archive_entry_pathname(e);
		if (raw == NULL)
			return kerr_set(err, 0, "entry without a name");
		if (entry_path_clean(raw, &path, err) < 0 || entry_extract(u, e, path, err) < 0) {
			if (s->failed)
				kerr_set(err, 0, "%s", s->err.msg);
			return kerr_prefix(err, "entry '%.200s'", raw);
		}
	}
}

/* A blob that fails to decompress or parse: if it is also not the blob its
 * descriptor names, say that (the root cause) rather than what the parser hit. */
static void blame_digest(struct kstream *s, struct kerr *err)
{
	char got[DIGEST_STR_MAX], buf[4096];
	ssize_t r;

	pipe_stop(s->pipe);
	if (!s->hash_blob || s->bfailed)
		return;
	while ((r = blob_read(s->b, buf, sizeof(buf), &s->berr)) > 0)
		digest_update(&s->blob_d, buf, (size_t)r);
	if (r < 0)
		return;
	digest_final(&s->blob_d, got);
	if (strcmp(got, s->l->digest) != 0) {
		struct kerr orig = *err;

		kerr_set(err, 0, "digest mismatch: blob hashes to %s (and: %s)", got, orig.msg);
	}
}

int unpack_layer(struct kblob *b, const struct klayer *l, const struct kunpack_opts *o,
		 struct kerr *err)
{
	struct kstream s = { .b = b, .l = l };
	struct kunpack u = { .o = o, .parent_fd = -1, .euid = geteuid(),
			   .egid = getegid() };
	mode_t old_umask = umask(0);
	int r = -1;

	s.buf = xmalloc(BUF_SIZE);
	u.created = pathset_new();
	if (stream_open(&s, &u.in, err) == 0 && extract_all(&u, &s, err) == 0 &&
	    stream_verify(&s, err) == 0)
		r = 0;
	else if (strstr(err->msg, "mismatch") == NULL)
		blame_digest(&s, err);
	umask(old_umask);
	unpack_forget_parent(&u);
	for (size_t i = 0; i < u.n_dirs; i++)
		free(u.dirs[i].path);
	free(u.dirs);
	pathset_free(u.created);
	if (u.in != NULL)
		archive_read_free(u.in);
	/* the producer thread uses raw and buf until it is stopped */
	pipe_free(s.pipe);
	if (s.raw != NULL)
		archive_read_free(s.raw);
	free(s.buf);
	if (r < 0)
		return kerr_prefix(err, "layer %s", layer_name(l));
	return 0;
}
