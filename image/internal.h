/* image/'s private interfaces between its files. Not for other folders:
 * they use image/image.h. */
#ifndef KAPSEL_IMAGE_INTERNAL_H
#define KAPSEL_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "common/error.h"
#include "image/image.h"

/* ---- digest.c: "sha256:<64 hex>" / "sha512:<128 hex>" ---- */
enum kdigest_algo { KD_SHA256, KD_SHA512 };
#define DIGEST_STR_MAX (7 + 128 + 1)

struct kdigest {
	enum kdigest_algo algo;
	union {
		struct sha256_ctx s256;
		struct sha512_ctx s512;
	} u;
};

/* Checks the form of a digest string (algorithm we support, lower-case hex of
 * the right length), so it is safe to use as a file name. */
int digest_parse(const char *s, enum kdigest_algo *ret_algo, struct kerr *err);
void digest_init(struct kdigest *d, enum kdigest_algo algo);
void digest_update(struct kdigest *d, const void *buf, size_t n);
void digest_final(struct kdigest *d, char out[DIGEST_STR_MAX]);
/* Verifies a small in-memory blob against its expected digest. */
int digest_verify_buf(const char *expected, const void *buf, size_t n, struct kerr *err);
/* "sha256:<hex>" of buf. */
void digest_sha256_buf(const void *buf, size_t n, char out[DIGEST_STR_MAX]);
/* The hex part of a digest ("sha256:ab.." -> "ab.."). */
const char *digest_hex(const char *digest);

/* ---- source.c / archive_in.c: where blobs come from ---- */
enum ksrc_kind { KSRC_LAYOUT, KSRC_OCI_ARCHIVE, KSRC_DOCKER_ARCHIVE };

struct ksrc {
	enum ksrc_kind kind;
	char *path;   /* the directory or archive file */
	int fd;       /* layout: O_DIRECTORY fd; archives: the file */
};

struct kblob;     /* an open member: a file of the layout or an archive entry */

int src_open(const char *path, struct ksrc **ret, struct kerr *err);
void src_free(struct ksrc *s);
/* Reads a member (relative path such as "index.json" or "blobs/sha256/HEX") whole. */
int src_read_small(struct ksrc *s, const char *member, size_t max, char **ret_buf,
		   size_t *ret_len, struct kerr *err);
int src_blob_open(struct ksrc *s, const char *member, struct kblob **ret, struct kerr *err);
/* Returns bytes read, 0 at end, -1 on error. */
ssize_t blob_read(struct kblob *b, void *buf, size_t n, struct kerr *err);
void blob_close(struct kblob *b);

/* archive_in.c: members of a tar file (oci-archive, docker save). */
bool archive_has_member(int fd, const char *member);
int archive_member_open(int fd, const char *path, const char *member, struct kblob **ret,
			struct kerr *err);
ssize_t archive_member_read(struct kblob *b, void *buf, size_t n, struct kerr *err);
void archive_member_close(struct kblob *b);

/* ---- manifest.c: from a reference to a manifest, config and layers ---- */
struct klayer {
	char *member;      /* path inside the source */
	char *digest;      /* the blob's digest, NULL when unknown (docker-archive) */
	int64_t size;      /* -1 when unknown */
	char *diff_id;     /* digest of the uncompressed tar (config rootfs.diff_ids) */
	char *chain_id;    /* config.md ChainID: names the layer in the store */
	char *media_type;
};

struct kimg {
	struct ksrc *src;
	char *name;             /* canonical reference: /abs/path[:tag] */
	char *manifest_digest;  /* sha256 of the manifest (docker: of manifest.json entry) */
	char *config_digest;
	json_t *config;
	size_t n_layers;
	struct klayer *layers;
};

int img_open(const char *ref, struct kimg **ret, struct kerr *err);
void img_free(struct kimg *img);
/* The host's platform as OCI names it ("amd64", "arm64"...; variant may be NULL). */
void host_platform(const char **ret_arch, const char **ret_variant);

/* ---- pathsafe.c: tar entry names, resolved only beneath the rootfs ---- */
/* "./a//b/" -> "a/b"; "" is the root. Refuses absolute paths and "..". */
int entry_path_clean(const char *raw, char **ret, struct kerr *err);
/* Opens the parent directory of clean path p beneath rootfd (O_PATH), never
 * following a symlink or leaving the tree; creates missing parents (mode 0755)
 * when create is set. *ret_name points into p. */
int open_parent(int rootfd, const char *p, bool create, int *ret_fd, const char **ret_name,
		struct kerr *err);
/* Opens clean path p itself beneath rootfd with the same rules. */
int open_beneath(int rootfd, const char *p, int flags, int *ret_fd, struct kerr *err);

/* ---- unpack.c / whiteout.c: one layer ---- */
enum kunpack_target {
	KU_APPLY,    /* extract onto the rootfs: whiteouts delete */
	KU_OVERLAY,  /* extract into an empty store dir: whiteouts become overlayfs's */
};

struct kunpack_opts {
	int rootfd;
	enum kunpack_target target;
	bool rootless;
	const int *lower_fds;    /* KU_OVERLAY: lower layer dirs, topmost first */
	size_t n_lower;
};

/* Streams blob (whose digest/size/diff_id layer l names) into o->rootfd,
 * verifying digest, size and diff_id as it goes. Errors name the layer and
 * the entry. */
int unpack_layer(struct kblob *b, const struct klayer *l, const struct kunpack_opts *o,
		 struct kerr *err);

/* A set of strings (paths created by the current layer). */
struct kpathset;
struct kpathset *pathset_new(void);
void pathset_free(struct kpathset *s);
void pathset_add(struct kpathset *s, const char *p);
bool pathset_has(const struct kpathset *s, const char *p);

/* whiteout.c: name is the entry's last component (".wh.X" / ".wh..wh..opq"). */
bool whiteout_is(const char *name);
int whiteout_handle(int parentfd, const char *parent, const char *name,
		    const struct kunpack_opts *o, const struct kpathset *created, struct kerr *err);

/* ---- config_gen.c / user.c ---- */
/* Builds config.json's object from the image config and the unpacked rootfs. */
int config_generate(const json_t *image_config, int rootfs_fd, bool rootless, json_t **ret,
		    struct kerr *err);
/* Resolves "user[:group]" against rootfs's /etc/passwd and /etc/group. */
int user_resolve(int rootfs_fd, const char *spec, uint32_t *ret_uid, uint32_t *ret_gid,
		 uint32_t **ret_gids, size_t *ret_ngids, struct kerr *err);

/* ---- store.c / overlay.c ---- */
struct kstore {
	char *path;
	int fd;         /* the store directory */
	int lock_fd;    /* flock: shared while unpacking, exclusive for rm */
};

int store_open(const struct kimage_opts *o, bool exclusive, struct kstore *ret, struct kerr *err);
void store_close(struct kstore *s);
/* Makes sure every layer of img is in the store (unpacking missing ones once,
 * under a per-layer lock); returns an fd per layer, bottom first. */
int store_ensure_layers(struct kstore *s, struct kimg *img, bool rootless, int **ret_fds,
			struct kerr *err);
int store_record_image(struct kstore *s, const struct kimg *img, struct kerr *err);
int store_bundle_ref(struct kstore *s, const char *bundle_abs, const struct kimg *img,
		     bool add, struct kerr *err);
char *store_layer_path(const struct kstore *s, const char *chain_id);

/* Mounts overlayfs at bundle/rootfs over the layers (bottom first) with a fresh
 * upper dir in bundle/.kapsel-overlay. */
int overlay_mount(int bundle_fd, const char *bundle, char *const *layer_paths, size_t n,
		  struct kerr *err);
int overlay_unmount(int bundle_fd, const char *bundle, struct kerr *err);
bool overlay_is_mounted(int bundle_fd);

#endif
