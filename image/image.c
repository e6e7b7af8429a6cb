/* image_unpack and friends: the recipe that ties the pieces together.
 *   1. img_open: reference -> verified manifest + config (platform checked)
 *   2. copy: stream every layer onto BUNDLE/rootfs (whiteouts applied);
 *      overlay: make sure each layer is in the store, mount overlayfs
 *   3. config.json from the image config and the rootfs's /etc/passwd
 *   4. record the image in the store (for image ls/inspect/rm)
 * Any failure removes what this call created. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "image/internal.h"

#define MARKER ".kapsel-image"

struct bundle {
	char *path;      /* absolute */
	int fd;
	bool created;    /* we made the directory itself */
	bool mounted;
};

static int bundle_create(const char *dir, struct bundle *b, struct kerr *err)
{
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (mkdir(dir, 0755) == 0)
		b->created = true;
	else if (errno != EEXIST)
		return kerr_errno(err, "mkdir bundle %s", dir);
	b->fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (b->fd < 0)
		return kerr_errno(err, "open bundle %s", dir);
	b->path = realpath(dir, NULL);
	if (b->path == NULL)
		return kerr_errno(err, "realpath %s", dir);
	d = fdopendir(fcntl(b->fd, F_DUPFD_CLOEXEC, 3));
	while (d != NULL && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			return kerr_set(err, EEXIST, "bundle %s exists and is not empty", dir);
	return 0;
}

/* Removes what we wrote: the partial bundle must not survive a failure. */
static void bundle_discard(struct bundle *b)
{
	struct kerr e;

	if (b->fd < 0)
		return;
	if (b->mounted)
		overlay_unmount(b->fd, b->path, &e);
	rm_rf_at(b->fd, "rootfs", &e);
	rm_rf_at(b->fd, ".kapsel-overlay", &e);
	unlinkat(b->fd, "config.json", 0);
	unlinkat(b->fd, MARKER, 0);
	if (b->created)
		rmdir(b->path);
}

static void bundle_close(struct bundle *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->path);
}

static int unpack_copy(struct kimg *img, struct bundle *b, bool rootless, struct kerr *err)
{
	cleanup_close int root = -1;
	struct kunpack_opts uo = { .target = KU_APPLY, .rootless = rootless };

	if (mkdirat(b->fd, "rootfs", 0755) < 0)
		return kerr_errno(err, "mkdir %s/rootfs", b->path);
	root = openat(b->fd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return kerr_errno(err, "open %s/rootfs", b->path);
	uo.rootfd = root;
	for (size_t i = 0; i < img->n_layers; i++) {
		struct kblob *blob = NULL;
		int r = src_blob_open(img->src, img->layers[i].member, &blob, err);

		if (r == 0)
			r = unpack_layer(blob, &img->layers[i], &uo, err);
		blob_close(blob);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int unpack_overlay(struct kimg *img, struct kstore *s, struct bundle *b,
			  struct kerr *err)
{
	cleanup_free int *fds = NULL;
	char **paths;
	int r;

	if (store_ensure_layers(s, img, false, &fds, err) < 0)
		return -1;
	paths = xcalloc(img->n_layers + 1, sizeof(char *));
	for (size_t i = 0; i < img->n_layers; i++) {
		close(fds[i]);
		paths[i] = store_layer_path(s, img->layers[i].chain_id);
	}
	r = store_bundle_ref(s, b->path, img, true, err);
	if (r == 0)
		r = overlay_mount(b->fd, b->path, paths, img->n_layers, err);
	if (r == 0)
		b->mounted = true;
	else
		store_bundle_ref(s, b->path, img, false, &(struct kerr){ 0 });
	strv_free(paths);
	return r;
}

static int write_json_at(int dirfd, const char *name, json_t *j, struct kerr *err)
{
	cleanup_free char *buf = json_dumps(j, JSON_INDENT(2));
	size_t len;

	if (buf == NULL)
		return kerr_set(err, ENOMEM, "serialize %s", name);
	len = strlen(buf);
	buf[len] = '\n';
	return write_file_atomic_at(dirfd, name, buf, len + 1, 0644, err);
}

static int write_config(struct kimg *img, struct bundle *b, const struct kimage_opts *o,
			const struct kstore *s, struct kerr *err)
{
	cleanup_close int root = openat(b->fd, "rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	json_t *spec = NULL, *marker;
	int r;

	if (root < 0)
		return kerr_errno(err, "open %s/rootfs", b->path);
	if (config_generate(img->config, root, o->rootless, &spec, err) < 0)
		return -1;
	r = write_json_at(b->fd, "config.json", spec, err);
	json_decref(spec);
	if (r < 0)
		return -1;
	marker = json_pack("{s:s,s:s,s:s,s:s}", "image", img->name, "digest",
			   img->manifest_digest, "mode",
			   o->mode == KIMAGE_OVERLAY ? "overlay" : "copy", "store", s->path);
	r = write_json_at(b->fd, MARKER, marker, err);
	json_decref(marker);
	return r;
}

int image_unpack(const char *image_ref, const char *bundle_dir, const struct kimage_opts *o,
		 struct kerr *err)
{
	struct bundle b = { .fd = -1 };
	struct kstore s = { .fd = -1, .lock_fd = -1 };
	struct kimg *img = NULL;
	int r = -1;

	if (o->mode == KIMAGE_OVERLAY && o->rootless)
		return kerr_set(err, 0, "overlay mode needs root (its whiteouts are trusted.* "
				"xattrs); use --mode copy rootless");
	if (img_open(image_ref, &img, err) < 0)
		return -1;
	if (store_open(o, false, &s, err) < 0 || bundle_create(bundle_dir, &b, err) < 0)
		goto out;
	if (o->mode == KIMAGE_OVERLAY)
		r = unpack_overlay(img, &s, &b, err);
	else
		r = unpack_copy(img, &b, o->rootless, err);
	if (r == 0)
		r = write_config(img, &b, o, &s, err);
	if (r == 0)
		r = store_record_image(&s, img, err);
	if (r < 0)
		bundle_discard(&b);
out:
	bundle_close(&b);
	store_close(&s);
	if (r < 0)
		kerr_prefix(err, "unpack %s", image_ref);
	img_free(img);
	return r;
}

static json_t *read_marker(int bundle_fd)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	size_t len;

	if (read_file_at(bundle_fd, MARKER, 1 << 20, &buf, &len, &e) < 0)
		return NULL;
	return json_loadb(buf, len, 0, NULL);
}

/* A bundle made earlier from the same image is reused; an overlay bundle whose
 * mount is gone (reboot) is remounted over its existing upper dir. */
int image_prepare_bundle(const char *image_ref, const char *bundle_dir,
			 const struct kimage_opts *o, struct kerr *err)
{
	cleanup_close int fd = open(bundle_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct kimg *img = NULL;
	json_t *m;
	int r = 0;

	if (fd < 0)
		return image_unpack(image_ref, bundle_dir, o, err);
	m = read_marker(fd);
	if (m == NULL || faccessat(fd, "config.json", F_OK, 0) < 0) {
		json_decref(m);
		return image_unpack(image_ref, bundle_dir, o, err);
	}
	if (img_open(image_ref, &img, err) < 0) {
		json_decref(m);
		return -1;
	}
	if (strcmp(json_string_value(json_object_get(m, "digest")) ?: "",
		   img->manifest_digest) != 0)
		r = kerr_set(err, EEXIST, "bundle %s holds another image (%s)", bundle_dir,
			     json_string_value(json_object_get(m, "image")) ?: "?");
	else if (strcmp(json_string_value(json_object_get(m, "mode")) ?: "", "overlay") == 0 &&
		 !overlay_is_mounted(fd)) {
		struct kimage_opts o2 = *o;
		struct kstore s = { .fd = -1, .lock_fd = -1 };
		struct bundle b = { .fd = fd, .path = realpath(bundle_dir, NULL) };

		o2.store = json_string_value(json_object_get(m, "store"));
		r = store_open(&o2, false, &s, err);
		if (r == 0 && b.path != NULL)
			r = unpack_overlay(img, &s, &b, err);
		store_close(&s);
		free(b.path);
	}
	json_decref(m);
	img_free(img);
	return r;
}

int image_bundle_release(const char *bundle_dir, const struct kimage_opts *o,
			 bool remove_bundle, struct kerr *err)
{
	cleanup_close int fd = open(bundle_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_free char *abs = realpath(bundle_dir, NULL);
	json_t *m;
	int r = 0;

	if (fd < 0 || abs == NULL)
		return kerr_errno(err, "open bundle %s", bundle_dir);
	m = read_marker(fd);
	/* No marker but a mounted rootfs: an unpack killed between its mount
	 * and its marker; the store is the one we are given. */
	if (m != NULL ? strcmp(json_string_value(json_object_get(m, "mode")) ?: "",
			       "overlay") == 0
		      : overlay_is_mounted(fd)) {
		struct kimage_opts o2 = *o;
		struct kstore s = { .fd = -1, .lock_fd = -1 };

		r = overlay_unmount(fd, abs, err);
		if (m != NULL)
			o2.store = json_string_value(json_object_get(m, "store"));
		if (r == 0 && store_open(&o2, false, &s, err) == 0) {
			r = store_bundle_ref(&s, abs, NULL, false, err);
			store_close(&s);
		}
	}
	json_decref(m);
	if (r == 0 && remove_bundle) {
		close(fd);
		fd = -1;
		r = rm_rf_at(AT_FDCWD, abs, err);
	}
	return r < 0 ? kerr_prefix(err, "release bundle %s", bundle_dir) : 0;
}
