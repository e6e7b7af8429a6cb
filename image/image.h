/* OCI images: read an OCI layout / oci-archive / docker-archive, verify every
 * blob while streaming it, unpack its layers safely and write a runtime
 * bundle (rootfs + config.json). The only door to image/. */
#ifndef KAPSEL_IMAGE_H
#define KAPSEL_IMAGE_H

#include <stdbool.h>

#include <jansson.h>

#include "common/error.h"

enum kimage_mode {
	KIMAGE_COPY,    /* BUNDLE/rootfs is a plain directory, layers applied in order */
	KIMAGE_OVERLAY, /* BUNDLE/rootfs is an overlayfs over the store's layers */
};

struct kimage_opts {
	const char *store;   /* NULL: $KAPSEL_IMAGE_STORE, else image_store_default() */
	bool rootless;       /* no device nodes, no chown (as umoci --rootless) */
	enum kimage_mode mode;
};

/* The layer store's default place: /var/lib/kapsel, or $XDG_DATA_HOME/kapsel
 * (~/.local/share/kapsel) when rootless. Returns a malloc'd string. */
char *image_store_default(bool rootless);

/* Writes bundle_dir/rootfs and bundle_dir/config.json from image_ref:
 * "DIR[:TAG|@DIGEST]" (OCI layout), "FILE[:TAG]" (oci-archive or docker save
 * archive), optionally with a skopeo-style transport prefix (oci:, oci-archive:,
 * docker-archive:). bundle_dir must not exist or be empty. On failure nothing is
 * left: the partial bundle is removed. */
int image_unpack(const char *image_ref, const char *bundle_dir, const struct kimage_opts *o,
		 struct kerr *err);

/* For `kapsel run --image`: like image_unpack, but a bundle_dir that already
 * holds a config.json and a rootfs made by us from the same image is reused
 * (its overlay remounted if needed). */
int image_prepare_bundle(const char *image_ref, const char *bundle_dir,
			 const struct kimage_opts *o, struct kerr *err);

/* Undoes an overlay-mode bundle's mount (BUNDLE/rootfs) and removes its upper
 * dir; a copy-mode bundle is left alone. remove_bundle: also rm -rf bundle_dir.
 * Safe to call on a bundle that is not mounted. */
int image_bundle_release(const char *bundle_dir, const struct kimage_opts *o,
			 bool remove_bundle, struct kerr *err);

/* The store's images: an array of {name, digest, config, layers, size, ...}. */
int image_list(const struct kimage_opts *o, json_t **ret, struct kerr *err);
/* One image record by name or (a prefix of its) manifest digest. */
int image_inspect(const struct kimage_opts *o, const char *ref, json_t **ret, struct kerr *err);
/* Forgets the image and removes its layers that no other image or mounted bundle uses. */
int image_remove(const struct kimage_opts *o, const char *ref, struct kerr *err);

#endif
