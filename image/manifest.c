/* From a user's reference to one image: index.json (image-index.md) or a
 * docker manifest.json, the manifest (manifest.md) for the host's platform,
 * its config (config.md) and layers. Every small blob is checked against its
 * descriptor's digest and size before it is parsed. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "common/util.h"
#include "image/internal.h"

#define SMALL_MAX (16 * 1024 * 1024)
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"

static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.diff.tar",
};

void host_platform(const char **ret_arch, const char **ret_variant)
{
	static const struct { const char *uname, *arch, *variant; } map[] = {
		{ "x86_64", "amd64", NULL }, { "aarch64", "arm64", "v8" },
		{ "armv7l", "arm", "v7" },    { "armv6l", "arm", "v6" },
		{ "i686", "386", NULL },      { "i386", "386", NULL },
		{ "ppc64le", "ppc64le", NULL }, { "s390x", "s390x", NULL },
		{ "riscv64", "riscv64", NULL }, { "mips64", "mips64le", NULL },
	};
	static struct utsname u;

	uname(&u);
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].uname) == 0) {
			*ret_arch = map[i].arch;
			*ret_variant = map[i].variant;
			return;
		}
	*ret_arch = u.machine;
	*ret_variant = NULL;
}

static int load_json(const char *buf, size_t len, const char *what, json_t **ret,
		     struct kerr *err)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, 0, &je);

	if (j == NULL)
		return kerr_set(err, 0, "%s: invalid JSON at line %d: %s", what, je.line, je.text);
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		return kerr_set(err, 0, "%s: not a JSON object", what);
	}
	*ret = j;
	return 0;
}

static char *blob_member(const char *digest)
{
	const char *c = strchr(digest, ':');

	return xasprintf("blobs/%.*s/%s", (int)(c - digest), digest, c + 1);
}

/* Reads the blob a descriptor names, checking size and digest. */
static int read_descriptor(struct ksrc *s, const json_t *desc, json_t **ret, struct kerr *err)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_t *jsize = json_object_get(desc, "size");
	cleanup_free char *member = NULL, *buf = NULL;
	size_t len;

	if (digest_parse(digest, NULL, err) < 0)
		return kerr_prefix(err, "descriptor");
	if (!json_is_integer(jsize) || json_integer_value(jsize) < 0)
		return kerr_set(err, 0, "descriptor %s: missing or bad size", digest);
	if (json_integer_value(jsize) > SMALL_MAX)
		return kerr_set(err, 0, "descriptor %s: size %lld too large", digest,
				(long long)json_integer_value(jsize));
	member = blob_member(digest);
	if (src_read_small(s, member, SMALL_MAX, &buf, &len, err) < 0)
		return -1;
	if ((json_int_t)len != json_integer_value(jsize))
		return kerr_set(err, 0, "blob %s: size %zu, descriptor says %lld", digest, len,
				(long long)json_integer_value(jsize));
	if (digest_verify_buf(digest, buf, len, err) < 0)
		return kerr_prefix(err, "blob %s", member);
	return load_json(buf, len, member, ret, err);
}

static bool platform_matches(const json_t *desc)
{
	const json_t *p = json_object_get(desc, "platform");
	const char *arch, *variant, *v;

	host_platform(&arch, &variant);
	if (p == NULL)
		return false;
	if (strcmp(json_string_value(json_object_get(p, "os")) ?: "", "linux") != 0)
		return false;
	if (strcmp(json_string_value(json_object_get(p, "architecture")) ?: "", arch) != 0)
		return false;
	v = json_string_value(json_object_get(p, "variant"));
	return v == NULL || variant == NULL || strcmp(v, variant) == 0;
}

/* Picks one descriptor of an index: by digest, by ref.name tag, or the host's
 * platform among several. */
static int pick(const json_t *index, const char *tag, const char *digest, const char *what,
		const json_t **ret, struct kerr *err)
{
	const json_t *ms = json_object_get(index, "manifests"), *d, *found = NULL;
	size_t i, candidates = 0;

	if (!json_is_array(ms))
		return kerr_set(err, 0, "%s: no manifests array", what);
	json_array_foreach(ms, i, d) {
		const char *n = json_string_value(
			json_object_get(json_object_get(d, "annotations"), REF_NAME));
		const char *dg = json_string_value(json_object_get(d, "digest"));

		if (digest != NULL && (dg == NULL || strcmp(dg, digest) != 0))
			continue;
		if (tag != NULL && (n == NULL || strcmp(n, tag) != 0))
			continue;
		/* several tags may name one manifest */
		if (found == NULL || !json_equal(json_object_get(found, "digest"),
						 json_object_get(d, "digest")))
			candidates++;
		if (found == NULL || (!platform_matches(found) && platform_matches(d)))
			found = d;
	}
	if (found == NULL)
		return kerr_set(err, ENOENT, "%s: no manifest %s%s", what,
				tag ? "tagged " : digest ? "with digest " : "",
				tag ?: digest ?: "at all");
	if (candidates > 1 && !platform_matches(found))
		return kerr_set(err, 0, "%s: %zu manifests and none for this platform; "
				"name one with :TAG or @DIGEST", what, candidates);
	*ret = found;
	return 0;
}

static int check_platform(const json_t *config, struct kerr *err)
{
	const char *os = json_string_value(json_object_get(config, "os"));
	const char *a = json_string_value(json_object_get(config, "architecture"));
	const char *v = json_string_value(json_object_get(config, "variant"));
	const char *arch, *variant;

	host_platform(&arch, &variant);
	if (os == NULL || a == NULL)
		return kerr_set(err, 0, "image config: missing os or architecture");
	if (strcmp(os, "linux") != 0 || strcmp(a, arch) != 0 ||
	    (v != NULL && variant != NULL && strcmp(v, variant) != 0))
		return kerr_set(err, 0, "image platform %s/%s%s%s does not match this host's "
				"linux/%s", os, a, v ? "/" : "", v ?: "", arch);
	return 0;
}

static int set_config(struct kimg *img, json_t *config, struct kerr *err)
{
	const json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	char prev[DIGEST_STR_MAX] = "";

	img->config = config;
	if (check_platform(config, err) < 0)
		return -1;
	if (!json_is_array(ids) || json_array_size(ids) != img->n_layers)
		return kerr_set(err, 0, "image config: rootfs.diff_ids has %zu entries for %zu "
				"layers", json_array_size(ids), img->n_layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		const char *id = json_string_value(json_array_get(ids, i));

		if (digest_parse(id, NULL, err) < 0)
			return kerr_prefix(err, "image config: diff_ids[%zu]", i);
		img->layers[i].diff_id = xstrdup(id);
		/* ChainID (config.md): a layer's store dir depends on the layers
		 * below it, since hardlinks may point into them. */
		if (i == 0) {
			snprintf(prev, sizeof(prev), "%s", id);
		} else {
			cleanup_free char *s = xasprintf("%s %s", prev, id);

			digest_sha256_buf(s, strlen(s), prev);
		}
		img->layers[i].chain_id = xstrdup(prev);
	}
	return 0;
}

static bool layer_type_ok(const char *mt)
{
	for (size_t i = 0; i < ARRAY_SIZE(layer_types); i++)
		if (strcmp(mt, layer_types[i]) == 0)
			return true;
	return false;
}

static int load_manifest(struct kimg *img, const json_t *desc, int depth, struct kerr *err)
{
	json_t *m = NULL, *config = NULL;
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	const json_t *layers, *l;
	size_t i;

	if (depth > 4)
		return kerr_set(err, 0, "image index nested too deeply");
	if (read_descriptor(img->src, desc, &m, err) < 0)
		return -1;
	if (mt == NULL)
		mt = json_string_value(json_object_get(m, "mediaType"));
	if (mt != NULL && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0)) {
		const json_t *sub;
		int r = pick(m, NULL, NULL, json_string_value(json_object_get(desc, "digest")),
			     &sub, err);

		r = r < 0 ? -1 : load_manifest(img, sub, depth + 1, err);
		json_decref(m);
		return r;
	}
	if (mt != NULL && strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0) {
		json_decref(m);
		return kerr_set(err, 0, "unsupported manifest media type %s", mt);
	}
	img->manifest_digest = xstrdup(json_string_value(json_object_get(desc, "digest")));
	layers = json_object_get(m, "layers");
	if (!json_is_array(layers)) {
		json_decref(m);
		return kerr_set(err, 0, "manifest %s: no layers", img->manifest_digest);
	}
	img->n_layers = json_array_size(layers);
	img->layers = xcalloc(img->n_layers + 1, sizeof(*img->layers));
	json_array_foreach(layers, i, l) {
		struct klayer *kl = &img->layers[i];
		const char *d = json_string_value(json_object_get(l, "digest"));
		const char *lmt = json_string_value(json_object_get(l, "mediaType"));
		const json_t *sz = json_object_get(l, "size");

		if (digest_parse(d, NULL, err) < 0 || !json_is_integer(sz) ||
		    json_integer_value(sz) < 0) {
			json_decref(m);
			return kerr_set(err, 0, "manifest %s: layer %zu: bad digest or size",
					img->manifest_digest, i);
		}
		if (lmt == NULL || !layer_type_ok(lmt)) {
			json_decref(m);
			return kerr_set(err, 0, "manifest %s: layer %s: unsupported media type %s",
					img->manifest_digest, d, lmt ?: "(none)");
		}
		kl->digest = xstrdup(d);
		kl->size = json_integer_value(sz);
		kl->media_type = xstrdup(lmt);
		kl->member = blob_member(d);
	}
	img->config_digest = xstrdup(json_string_value(
		json_object_get(json_object_get(m, "config"), "digest")) ?: "");
	if (read_descriptor(img->src, json_object_get(m, "config"), &config, err) < 0) {
		json_decref(m);
		return kerr_prefix(err, "config of %s", img->manifest_digest);
	}
	json_decref(m);
	return set_config(img, config, err);
}

static int open_oci(struct kimg *img, const char *tag, const char *digest, struct kerr *err)
{
	cleanup_free char *buf = NULL;
	json_t *index = NULL;
	const json_t *desc;
	size_t len;
	int r;

	if (src_read_small(img->src, "index.json", SMALL_MAX, &buf, &len, err) < 0 ||
	    load_json(buf, len, "index.json", &index, err) < 0)
		return -1;
	r = pick(index, tag, digest, "index.json", &desc, err);
	if (r == 0)
		r = load_manifest(img, desc, 0, err);
	json_decref(index);
	return r;
}

/* "docker.io/library/x:1" is named by itself, "x:1", "library/x:1" or "1". */
static bool repo_tag_matches(const char *repo_tag, const char *want)
{
	static const char *const prefixes[] = { "", "docker.io/", "docker.io/library/" };
	const char *c;

	if (repo_tag == NULL)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(repo_tag, prefixes[i], n) == 0 && strcmp(repo_tag + n, want) == 0)
			return true;
	}
	c = strrchr(repo_tag, ':');
	return c != NULL && strchr(want, ':') == NULL && strcmp(c + 1, want) == 0;
}

/* docker save: manifest.json is [{Config, RepoTags, Layers}], layers named by
 * path; their digests are known only as diff_ids (checked while unpacking). */
static int open_docker(struct kimg *img, const char *tag, struct kerr *err)
{
	cleanup_free char *buf = NULL, *cbuf = NULL;
	json_t *list = NULL, *config = NULL;
	const json_t *e = NULL, *it, *layers;
	const char *cfg;
	char cdig[DIGEST_STR_MAX];
	size_t len, clen, i;

	if (src_read_small(img->src, "manifest.json", SMALL_MAX, &buf, &len, err) < 0 ||
	    load_json(buf, len, "manifest.json", &list, err) < 0)
		return -1;
	json_array_foreach(list, i, it) {
		const json_t *t;
		size_t k;

		if (tag == NULL) {
			if (e != NULL) {
				json_decref(list);
				return kerr_set(err, 0, "manifest.json holds several images; name "
						"one with :TAG");
			}
			e = it;
			continue;
		}
		json_array_foreach(json_object_get(it, "RepoTags"), k, t) {
			if (repo_tag_matches(json_string_value(t), tag))
				e = it;
		}
	}
	cfg = json_string_value(json_object_get(e, "Config"));
	layers = json_object_get(e, "Layers");
	if (cfg == NULL || !json_is_array(layers)) {
		json_decref(list);
		return kerr_set(err, ENOENT, "manifest.json: no image%s%s", tag ? " tagged " : "",
				tag ?: "");
	}
	if (src_read_small(img->src, cfg, SMALL_MAX, &cbuf, &clen, err) < 0) {
		json_decref(list);
		return -1;
	}
	/* the config's name is its digest ("HEX.json" or "blobs/sha256/HEX") */
	digest_sha256_buf(cbuf, clen, cdig);
	if (strstr(cfg, digest_hex(cdig)) == NULL) {
		json_decref(list);
		return kerr_set(err, 0, "%s: content digest %s does not match its name", cfg, cdig);
	}
	img->manifest_digest = xstrdup(cdig);
	img->config_digest = xstrdup(cdig);
	img->n_layers = json_array_size(layers);
	img->layers = xcalloc(img->n_layers + 1, sizeof(*img->layers));
	for (i = 0; i < img->n_layers; i++) {
		const char *p = json_string_value(json_array_get(layers, i));

		img->layers[i].member = xstrdup(p ?: "");
		img->layers[i].size = -1;
		img->layers[i].media_type = xstrdup("application/vnd.docker.image.rootfs.diff.tar");
	}
	json_decref(list);
	if (load_json(cbuf, clen, cfg, &config, err) < 0)
		return -1;
	return set_config(img, config, err);
}

/* "DIR:tag", "DIR@sha256:..", "FILE", "FILE:repo/name:tag": the path is the
 * shortest prefix before a ':' or '@' that exists. */
static void split_path(const char *ref, char **ret_path, char **ret_tag, char **ret_digest)
{
	cleanup_free char *r = xstrdup(ref);
	struct stat st;

	*ret_tag = *ret_digest = NULL;
	for (char *p = r; *p != '\0'; p++) {
		char c = *p;

		if (c != ':' && c != '@')
			continue;
		*p = '\0';
		if (p > r && stat(r, &st) == 0) {
			if (c == '@')
				*ret_digest = xstrdup(p + 1);
			else
				*ret_tag = xstrdup(p + 1);
			*ret_path = move_ptr(r);
			return;
		}
		*p = c;
	}
	*ret_path = move_ptr(r);
}

/* As umoci ("oci:TAG" is the layout "oci", tag TAG) unless that path does not
 * exist and the reference starts with a skopeo transport (oci:DIR:TAG,
 * oci-archive:FILE, docker-archive:FILE). */
static void split_ref(const char *ref, char **ret_path, char **ret_tag, char **ret_digest)
{
	static const char *const prefixes[] = { "oci:", "oci-archive:", "docker-archive:" };
	struct stat st;

	split_path(ref, ret_path, ret_tag, ret_digest);
	if (stat(*ret_path, &st) == 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(ref, prefixes[i], strlen(prefixes[i])) == 0) {
			free(*ret_path);
			free(*ret_tag);
			free(*ret_digest);
			split_path(ref + strlen(prefixes[i]), ret_path, ret_tag, ret_digest);
			return;
		}
}

int img_open(const char *ref, struct kimg **ret, struct kerr *err)
{
	cleanup_free char *path = NULL, *tag = NULL, *digest = NULL, *abs = NULL;
	struct kimg *img;
	int r;

	split_ref(ref, &path, &tag, &digest);
	if (digest != NULL && digest_parse(digest, NULL, err) < 0)
		return kerr_prefix(err, "image %s", ref);
	img = xcalloc(1, sizeof(*img));
	if (src_open(path, &img->src, err) < 0) {
		free(img);
		return kerr_prefix(err, "image %s", ref);
	}
	abs = realpath(path, NULL);
	img->name = xasprintf("%s%s%s", abs ?: path, tag ? ":" : digest ? "@" : "",
			      tag ?: digest ?: "");
	if (img->src->kind == KSRC_DOCKER_ARCHIVE) {
		if (digest != NULL)
			r = kerr_set(err, 0, "docker archives are selected by :TAG, not @DIGEST");
		else
			r = open_docker(img, tag, err);
	} else {
		r = open_oci(img, tag, digest, err);
	}
	if (r < 0) {
		img_free(img);
		return kerr_prefix(err, "image %s", ref);
	}
	*ret = img;
	return 0;
}

void img_free(struct kimg *img)
{
	if (img == NULL)
		return;
	for (size_t i = 0; i < img->n_layers; i++) {
		free(img->layers[i].member);
		free(img->layers[i].digest);
		free(img->layers[i].diff_id);
		free(img->layers[i].chain_id);
		free(img->layers[i].media_type);
	}
	free(img->layers);
	json_decref(img->config);
	src_free(img->src);
	free(img->name);
	free(img->manifest_digest);
	free(img->config_digest);
	free(img);
}
