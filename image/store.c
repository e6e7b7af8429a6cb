/* The layer store: each layer unpacked once (overlay format) into
 * layers/<ChainID hex>, image records in images/, and the overlay bundles that
 * use layers in bundles/ so `image rm` never pulls a layer from under a
 * mounted rootfs. A shared flock on STORE/lock is held while unpacking, an
 * exclusive one by rm; a per-layer flock in locks/ makes two concurrent
 * unpacks of one layer do the work once. Layers are unpacked in tmp/ and
 * renamed into place, so a crash never leaves a half layer under layers/. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "common/stopat.h"
#include "common/util.h"
#include "image/internal.h"

static const char *const subdirs[] = { "layers", "tmp", "images", "bundles", "locks" };

char *image_store_default(bool rootless)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (!rootless)
		return xstrdup("/var/lib/kapsel");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/kapsel", xdg);
	return xasprintf("%s/.local/share/kapsel", home ? home : "/tmp");
}

int store_open(const struct kimage_opts *o, bool exclusive, struct kstore *ret,
	       struct kerr *err)
{
	const char *env = getenv("KAPSEL_IMAGE_STORE");
	cleanup_free char *path = o->store ? xstrdup(o->store)
				: env && env[0] ? xstrdup(env) : image_store_default(o->rootless);
	cleanup_close int fd = -1, lock = -1;

	if (mkdir_p(path, 0700, err) < 0)
		return kerr_prefix(err, "image store");
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open image store %s", path);
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++)
		if (mkdirat(fd, subdirs[i], 0700) < 0 && errno != EEXIST)
			return kerr_errno(err, "mkdir %s/%s", path, subdirs[i]);
	lock = openat(fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return kerr_errno(err, "open %s/lock", path);
	if (flock(lock, exclusive ? LOCK_EX : LOCK_SH) < 0)
		return kerr_errno(err, "lock %s", path);
	ret->path = move_ptr(path);
	ret->fd = move_fd(&fd);
	ret->lock_fd = move_fd(&lock);
	return 0;
}

void store_close(struct kstore *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->path);
	s->path = NULL;
	s->fd = s->lock_fd = -1;
}

char *store_layer_path(const struct kstore *s, const char *chain_id)
{
	return xasprintf("%s/layers/%s", s->path, digest_hex(chain_id));
}

static int unpack_into_store(struct kstore *s, struct kimg *img, size_t i, const int *fds,
			     bool rootless, struct kerr *err)
{
	const struct klayer *l = &img->layers[i];
	cleanup_free char *tmp = xasprintf("%s/tmp/%s.XXXXXX", s->path, digest_hex(l->chain_id));
	cleanup_free char *dst = xasprintf("layers/%s", digest_hex(l->chain_id));
	cleanup_free int *lower = xcalloc(i + 1, sizeof(int));
	cleanup_close int fd = -1;
	struct kunpack_opts uo = { .target = KU_OVERLAY, .rootless = rootless,
				   .lower_fds = lower, .n_lower = i };
	struct kblob *b = NULL;
	int r;

	for (size_t k = 0; k < i; k++)
		lower[k] = fds[i - 1 - k];
	if (mkdtemp(tmp) == NULL)
		return kerr_errno(err, "mkdtemp %s", tmp);
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kerr_errno(err, "open %s", tmp);
	uo.rootfd = fd;
	r = src_blob_open(img->src, l->member, &b, err);
	if (r == 0)
		r = unpack_layer(b, l, &uo, err);
	blob_close(b);
	if (r == 0 && fchmod(fd, 0755) < 0)
		r = kerr_errno(err, "chmod %s", tmp);
	if (r == 0)
		debug_stop_at("image:layer");
	if (r == 0 && renameat(AT_FDCWD, tmp, s->fd, dst) < 0)
		r = kerr_errno(err, "rename %s into the store", tmp);
	if (r < 0) {
		struct kerr e2;

		rm_rf_at(AT_FDCWD, tmp, &e2);
	}
	return r;
}

/* tmp/HEX.* of a layer whose lock we hold: an unpack of it killed halfway. */
static void sweep_tmp(struct kstore *s, const char *hex)
{
	cleanup_close int fd = openat(s->fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t len = strlen(hex);
	struct dirent *de;
	DIR *d;

	if (fd < 0 || (d = fdopendir(fd)) == NULL)
		return;
	fd = -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, hex, len) == 0 && de->d_name[len] == '.')
			rm_rf_at(dirfd(d), de->d_name, NULL);
	closedir(d);
}

int store_ensure_layers(struct kstore *s, struct kimg *img, bool rootless, int **ret_fds,
			struct kerr *err)
{
	int *fds = xcalloc(img->n_layers + 1, sizeof(int));
	size_t done = 0;

	for (size_t i = 0; i < img->n_layers; i++, done++) {
		const char *hex = digest_hex(img->layers[i].chain_id);
		cleanup_free char *lk = xasprintf("locks/%s", hex);
		cleanup_free char *dir = xasprintf("layers/%s", hex);
		cleanup_close int lock = openat(s->fd, lk, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

		if (lock < 0 || flock(lock, LOCK_EX) < 0) {
			kerr_errno(err, "lock layer %s", hex);
			goto fail;
		}
		sweep_tmp(s, hex);
		fds[i] = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fds[i] >= 0)
			continue;
		if (unpack_into_store(s, img, i, fds, rootless, err) < 0)
			goto fail;
		fds[i] = openat(s->fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fds[i] < 0) {
			kerr_errno(err, "open %s/%s", s->path, dir);
			goto fail;
		}
	}
	*ret_fds = fds;
	return 0;
fail:
	for (size_t k = 0; k < done; k++)
		close(fds[k]);
	free(fds);
	return -1;
}

static json_t *image_record(const struct kimg *img, const json_t *old)
{
	json_t *layers = json_array(), *names = json_array(), *n;
	size_t i;

	json_array_foreach(json_object_get(old, "names"), i, n)
		if (strcmp(json_string_value(n) ?: "", img->name) != 0)
			json_array_append(names, n);
	json_array_append_new(names, json_string(img->name));
	for (i = 0; i < img->n_layers; i++) {
		const struct klayer *l = &img->layers[i];

		json_array_append_new(layers, json_pack("{s:s?,s:I,s:s,s:s,s:s}", "digest",
							l->digest, "size", (json_int_t)l->size,
							"diff_id", l->diff_id, "chain_id",
							l->chain_id, "mediaType", l->media_type));
	}
	return json_pack("{s:o,s:s,s:s?,s:I,s:o,s:O}", "names", names, "digest",
			 img->manifest_digest, "config_digest", img->config_digest, "stored",
			 (json_int_t)time(NULL), "layers", layers, "config", img->config);
}

int store_record_image(struct kstore *s, const struct kimg *img, struct kerr *err)
{
	cleanup_free char *p = xasprintf("images/%s.json", digest_hex(img->manifest_digest));
	cleanup_free char *buf = NULL, *old_buf = NULL;
	json_t *old = NULL, *rec;
	size_t len;

	if (read_file_at(s->fd, p, 64 << 20, &old_buf, &len, err) == 0)
		old = json_loadb(old_buf, len, 0, NULL);
	rec = image_record(img, old);
	json_decref(old);
	buf = json_dumps(rec, JSON_INDENT(2));
	json_decref(rec);
	if (write_file_atomic_at(s->fd, p, buf, strlen(buf), 0600, err) < 0)
		return kerr_prefix(err, "image store");
	return 0;
}

static char *bundle_ref_path(const char *bundle_abs)
{
	char d[DIGEST_STR_MAX];

	digest_sha256_buf(bundle_abs, strlen(bundle_abs), d);
	return xasprintf("bundles/%s.json", digest_hex(d));
}

int store_bundle_ref(struct kstore *s, const char *bundle_abs, const struct kimg *img,
		     bool add, struct kerr *err)
{
	cleanup_free char *p = bundle_ref_path(bundle_abs), *buf = NULL;
	json_t *ref, *layers;

	if (!add) {
		if (unlinkat(s->fd, p, 0) < 0 && errno != ENOENT)
			return kerr_errno(err, "remove %s/%s", s->path, p);
		return 0;
	}
	layers = json_array();
	for (size_t i = 0; i < img->n_layers; i++)
		json_array_append_new(layers, json_string(img->layers[i].chain_id));
	ref = json_pack("{s:s,s:s,s:o}", "bundle", bundle_abs, "image", img->manifest_digest,
			"layers", layers);
	buf = json_dumps(ref, 0);
	json_decref(ref);
	return write_file_atomic_at(s->fd, p, buf, strlen(buf), 0600, err);
}
