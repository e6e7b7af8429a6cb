/* image ls / inspect / rm over the store's records, and the garbage
 * collection of layers that no image record and no mounted bundle uses. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "image/internal.h"

static json_t *load_at(int dirfd, const char *name)
{
	cleanup_free char *buf = NULL;
	struct kerr e;
	size_t len;

	if (read_file_at(dirfd, name, 64 << 20, &buf, &len, &e) < 0)
		return NULL;
	return json_loadb(buf, len, 0, NULL);
}

/* Calls fn for each *.json in the store's subdir; stops when fn returns != 0. */
static int each_json(struct kstore *s, const char *sub,
		     int (*fn)(int dirfd, const char *name, json_t *j, void *data), void *data,
		     struct kerr *err)
{
	cleanup_close int fd = openat(s->fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (fd < 0 || (d = fdopendir(fd)) == NULL)
		return kerr_errno(err, "open %s/%s", s->path, sub);
	fd = -1;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		json_t *j;
		int r;

		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		j = load_at(dirfd(d), de->d_name);
		if (j == NULL)
			continue;
		r = fn(dirfd(d), de->d_name, j, data);
		json_decref(j);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

static int add_summary(int dirfd, const char *name, json_t *rec, void *data)
{
	json_t *layers = json_object_get(rec, "layers"), *l;
	json_int_t size = 0;
	size_t i;

	(void)dirfd;
	(void)name;
	json_array_foreach(layers, i, l)
		size += json_integer_value(json_object_get(l, "size"));
	json_array_append_new(data, json_pack("{s:O,s:O,s:I,s:I,s:O}", "names",
					      json_object_get(rec, "names"), "digest",
					      json_object_get(rec, "digest"), "layers",
					      (json_int_t)json_array_size(layers), "size", size,
					      "stored", json_object_get(rec, "stored")));
	return 0;
}

int image_list(const struct kimage_opts *o, json_t **ret, struct kerr *err)
{
	struct kstore s = { .fd = -1, .lock_fd = -1 };
	json_t *a = json_array();

	if (store_open(o, false, &s, err) < 0 || each_json(&s, "images", add_summary, a, err) < 0) {
		json_decref(a);
		store_close(&s);
		return -1;
	}
	store_close(&s);
	*ret = a;
	return 0;
}

struct match {
	const char *ref;
	json_t *found;
	char file[300];
	int n;
};

static bool rec_matches(json_t *rec, const char *ref)
{
	const char *dg = json_string_value(json_object_get(rec, "digest")) ?: "";
	cleanup_free char *abs = realpath(ref, NULL);
	json_t *n;
	size_t i;

	if (strlen(ref) >= 4 && (strncmp(dg, ref, strlen(ref)) == 0 ||
				 strncmp(digest_hex(dg), ref, strlen(ref)) == 0))
		return true;
	json_array_foreach(json_object_get(rec, "names"), i, n) {
		const char *s = json_string_value(n) ?: "";

		if (strcmp(s, ref) == 0 || (abs != NULL && strcmp(s, abs) == 0))
			return true;
	}
	return false;
}

static int find_one(int dirfd, const char *name, json_t *rec, void *data)
{
	struct match *m = data;

	(void)dirfd;
	if (!rec_matches(rec, m->ref))
		return 0;
	m->n++;
	if (m->found == NULL) {
		m->found = json_incref(rec);
		snprintf(m->file, sizeof(m->file), "images/%s", name);
	}
	return 0;
}

static int find_record(struct kstore *s, const char *ref, struct match *m, struct kerr *err)
{
	m->ref = ref;
	if (each_json(s, "images", find_one, m, err) < 0)
		return -1;
	if (m->n == 0)
		return kerr_set(err, ENOENT, "no image %s in the store %s", ref, s->path);
	if (m->n > 1) {
		json_decref(m->found);
		return kerr_set(err, 0, "%s names %d images; give more of the digest", ref, m->n);
	}
	return 0;
}

int image_inspect(const struct kimage_opts *o, const char *ref, json_t **ret, struct kerr *err)
{
	struct kstore s = { .fd = -1, .lock_fd = -1 };
	struct match m = { 0 };
	int r;

	if (store_open(o, false, &s, err) < 0)
		return -1;
	r = find_record(&s, ref, &m, err);
	store_close(&s);
	if (r < 0)
		return -1;
	*ret = m.found;
	return 0;
}

/* ---- garbage collection ---- */
static int mark_layers(int dirfd, const char *name, json_t *j, void *data)
{
	json_t *used = data, *l;
	size_t i;

	(void)dirfd;
	(void)name;
	json_array_foreach(json_object_get(j, "layers"), i, l) {
		const char *c = json_is_string(l) ? json_string_value(l)
						  : json_string_value(json_object_get(l, "chain_id"));

		if (c != NULL)
			json_object_set_new(used, digest_hex(c), json_true());
	}
	return 0;
}

/* A bundle reference counts while its rootfs is still an overlay mount. */
static int mark_bundles(int dirfd, const char *name, json_t *j, void *data)
{
	const char *bundle = json_string_value(json_object_get(j, "bundle"));
	cleanup_close int bfd = bundle ? open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (bfd < 0 || !overlay_is_mounted(bfd)) {
		unlinkat(dirfd, name, 0);
		return 0;
	}
	return mark_layers(dirfd, name, j, data);
}

static int gc_layers(struct kstore *s, struct kerr *err)
{
	json_t *used = json_object();
	cleanup_close int fd = -1;
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;
	int r = 0;

	if (each_json(s, "images", mark_layers, used, err) < 0 ||
	    each_json(s, "bundles", mark_bundles, used, err) < 0) {
		json_decref(used);
		return -1;
	}
	fd = openat(s->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		json_decref(used);
		return kerr_errno(err, "open %s/layers", s->path);
	}
	fd = -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || json_object_get(used, de->d_name) != NULL)
			continue;
		kdebug("image store: removing unused layer %s", de->d_name);
		r = rm_rf_at(dirfd(d), de->d_name, err);
	}
	json_decref(used);
	/* interrupted unpacks leave tmp/ entries; we hold the exclusive lock */
	if (r == 0)
		r = rm_rf_at(s->fd, "tmp", err);
	if (r == 0 && mkdirat(s->fd, "tmp", 0700) < 0 && errno != EEXIST)
		r = kerr_errno(err, "mkdir %s/tmp", s->path);
	return r;
}

int image_remove(const struct kimage_opts *o, const char *ref, struct kerr *err)
{
	struct kstore s = { .fd = -1, .lock_fd = -1 };
	struct match m = { 0 };
	int r;

	if (store_open(o, true, &s, err) < 0)
		return -1;
	r = find_record(&s, ref, &m, err);
	if (r == 0 && unlinkat(s.fd, m.file, 0) < 0)
		r = kerr_errno(err, "remove %s/%s", s.path, m.file);
	if (r == 0)
		r = gc_layers(&s, err);
	json_decref(m.found);
	store_close(&s);
	return r;
}
