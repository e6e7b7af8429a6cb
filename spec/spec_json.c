/* JSON accessors for config.json that name the field in every error, and the
 * schema-shape checker (see spec_internal.h). */
#include "spec/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"

/* Paths deeper than SPEC_WHERE_MAX end in "..." rather than being cut silently. */
static void mark_truncated(char *buf, size_t n, int r)
{
	if (r >= 0 && (size_t)r >= n && n > 4)
		memcpy(buf + n - 4, "...", 4);
}

void sj_key(char *buf, size_t n, const char *parent, const char *key)
{
	int r;

	if (parent == NULL || *parent == '\0')
		r = snprintf(buf, n, "%s", key);
	else
		r = snprintf(buf, n, "%s.%s", parent, key);
	mark_truncated(buf, n, r);
}

void sj_idx(char *buf, size_t n, const char *parent, size_t i)
{
	mark_truncated(buf, n, snprintf(buf, n, "%s[%zu]", parent, i));
}

const char *sj_printable(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

const char *sj_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "something else";
}

static const char *type_want(json_type type)
{
	switch (type) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

json_t *sj_get(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

int sj_want(const json_t *v, json_type type, const char *where, struct kerr *err)
{
	bool ok = json_typeof(v) == type ||
		  (type == JSON_TRUE && json_is_boolean(v)) ||
		  (type == JSON_REAL && json_is_number(v));

	if (!ok)
		return kerr_set(err, 0, "%s: expected %s, got %s", where, type_want(type),
				sj_type_name(v));
	return 0;
}

int sj_string(const json_t *v, const char *where, const char **ret, struct kerr *err)
{
	if (sj_want(v, JSON_STRING, where, err) < 0)
		return -1;
	*ret = json_string_value(v);
	return 0;
}

int sj_bool(const json_t *v, const char *where, bool *ret, struct kerr *err)
{
	if (sj_want(v, JSON_TRUE, where, err) < 0)
		return -1;
	*ret = json_is_true(v);
	return 0;
}

int sj_int(const json_t *v, const char *where, int64_t min, int64_t max, int64_t *ret,
	   struct kerr *err)
{
	int64_t n;

	if (sj_want(v, JSON_INTEGER, where, err) < 0)
		return -1;
	n = json_integer_value(v);
	if (n < min || n > max)
		return kerr_set(err, 0, "%s: %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
				where, n, min, max);
	*ret = n;
	return 0;
}

int sj_u32(const json_t *v, const char *where, uint32_t *ret, struct kerr *err)
{
	int64_t n = 0;

	if (sj_int(v, where, 0, UINT32_MAX, &n, err) < 0)
		return -1;
	*ret = (uint32_t)n;
	return 0;
}

int sj_u64(const json_t *v, const char *where, uint64_t *ret, struct kerr *err)
{
	if (sj_want(v, JSON_INTEGER, where, err) < 0)
		return -1;
	*ret = (uint64_t)json_integer_value(v);
	return 0;
}

int sj_strv(const json_t *v, const char *where, char ***ret, struct kerr *err)
{
	char w[SPEC_WHERE_MAX];
	char **strv;
	size_t i;
	json_t *s;

	if (!json_is_array(v))
		return kerr_set(err, 0, "%s: expected an array of strings, got %s", where,
				sj_type_name(v));
	json_array_foreach(v, i, s) {
		if (!json_is_string(s)) {
			sj_idx(w, sizeof(w), where, i);
			return kerr_set(err, 0, "%s: expected a string, got %s", w, sj_type_name(s));
		}
	}
	strv = xcalloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, s)
		strv[i] = xstrdup(json_string_value(s));
	*ret = strv;
	return 0;
}

int sj_string_map(const json_t *v, const char *where, struct kerr *err)
{
	const char *key;
	json_t *val;

	if (sj_want(v, JSON_OBJECT, where, err) < 0)
		return -1;
	json_object_foreach((json_t *)v, key, val) {
		if (!json_is_string(val))
			return kerr_set(err, 0, "%s[\"%s\"]: expected a string, got %s", where, key,
					sj_type_name(val));
	}
	return 0;
}

/* Looks up obj.key; 1 when found (in *ret), 0 when absent and optional. */
static int member(const json_t *obj, const char *parent, const char *key, bool required,
		  char *where, json_t **ret, struct kerr *err)
{
	sj_key(where, SPEC_WHERE_MAX, parent, key);
	*ret = sj_get(obj, key);
	if (*ret != NULL)
		return 1;
	if (required)
		return kerr_set(err, 0, "%s: missing (required)", where);
	return 0;
}

int sj_get_type(const json_t *obj, const char *parent, const char *key, json_type type,
		bool required, json_t **ret, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v;
	int r = member(obj, parent, key, required, where, &v, err);

	if (r <= 0)
		return r;
	if (sj_want(v, type, where, err) < 0)
		return -1;
	*ret = v;
	return 0;
}

int sj_get_string(const json_t *obj, const char *parent, const char *key, bool required,
		  const char **ret, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v;
	int r = member(obj, parent, key, required, where, &v, err);

	return r <= 0 ? r : sj_string(v, where, ret, err);
}

int sj_get_strdup(const json_t *obj, const char *parent, const char *key, bool required,
		  char **ret, struct kerr *err)
{
	const char *s = NULL;

	if (sj_get_string(obj, parent, key, required, &s, err) < 0)
		return -1;
	if (s != NULL)
		*ret = xstrdup(s);
	return 0;
}

int sj_get_bool(const json_t *obj, const char *parent, const char *key, bool *ret,
		struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v;
	int r = member(obj, parent, key, false, where, &v, err);

	return r <= 0 ? r : sj_bool(v, where, ret, err);
}

int sj_get_u32(const json_t *obj, const char *parent, const char *key, bool required,
	       uint32_t *ret, bool *ret_present, struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v;
	int r = member(obj, parent, key, required, where, &v, err);

	if (r <= 0)
		return r;
	if (sj_u32(v, where, ret, err) < 0)
		return -1;
	if (ret_present != NULL)
		*ret_present = true;
	return 0;
}

int sj_get_strv(const json_t *obj, const char *parent, const char *key, char ***ret,
		struct kerr *err)
{
	char where[SPEC_WHERE_MAX];
	json_t *v;
	int r = member(obj, parent, key, false, where, &v, err);

	return r <= 0 ? r : sj_strv(v, where, ret, err);
}

int sj_get_abs_paths(const json_t *obj, const char *parent, const char *key, char ***ret,
		     struct kerr *err)
{
	char where[SPEC_WHERE_MAX], w[SPEC_WHERE_MAX];
	cleanup_strv char **v = NULL;

	if (sj_get_strv(obj, parent, key, &v, err) < 0)
		return -1;
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		if (v[i][0] != '/') {
			sj_key(where, sizeof(where), parent, key);
			sj_idx(w, sizeof(w), where, i);
			return kerr_set(err, 0, "%s: \"%s\" is not an absolute path", w, v[i]);
		}
	}
	if (v != NULL)
		*ret = move_ptr(v);
	return 0;
}

/* --- the shape checker --- */

static int check_string(const json_t *v, const struct sj_shape *sh, const char *where,
			struct kerr *err)
{
	const char *s = json_string_value(v);

	if (sh->enums != NULL) {
		for (const char *const *e = sh->enums; *e != NULL; e++)
			if (strcmp(*e, s) == 0)
				return 0;
		return kerr_set(err, 0, "%s: unknown value \"%s\"", where, s);
	}
	if (sh->valid != NULL && !sh->valid(s))
		return kerr_set(err, 0, "%s: \"%s\" does not match %s", where, s, sh->pattern);
	return 0;
}

static int check_object(const json_t *v, const struct sj_shape *sh, const char *where,
			struct kerr *err)
{
	char w[SPEC_WHERE_MAX];

	for (const struct sj_shape *f = sh->fields; f != NULL && f->key != NULL; f++) {
		json_t *m = sj_get(v, f->key);

		sj_key(w, sizeof(w), where, f->key);
		if (m == NULL) {
			if (f->required)
				return kerr_set(err, 0, "%s: missing (required)", w);
			continue;
		}
		if (sj_check(m, f, w, err) < 0)
			return -1;
	}
	return 0;
}

static int check_items(const json_t *v, const struct sj_shape *sh, const char *where,
		       struct kerr *err)
{
	char w[SPEC_WHERE_MAX];
	size_t i;
	json_t *item;

	if (sh->nonempty && json_array_size(v) == 0)
		return kerr_set(err, 0, "%s: expected at least one item", where);
	if (sh->items == NULL)
		return 0;
	json_array_foreach(v, i, item) {
		sj_idx(w, sizeof(w), where, i);
		if (sj_check(item, sh->items, w, err) < 0)
			return -1;
	}
	return 0;
}

static int check_map(const json_t *v, const struct sj_shape *sh, const char *where,
		     struct kerr *err)
{
	char w[SPEC_WHERE_MAX];
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)v, key, val) {
		mark_truncated(w, sizeof(w), snprintf(w, sizeof(w), "%s[\"%s\"]", where, key));
		if (sj_check(val, sh->items, w, err) < 0)
			return -1;
	}
	return 0;
}

static int check_int(const json_t *v, enum sj_kind kind, const char *where, struct kerr *err)
{
	int64_t n;

	switch (kind) {
	case SJ_INT32: return sj_int(v, where, INT32_MIN, INT32_MAX, &n, err);
	case SJ_UINT16: return sj_int(v, where, 0, UINT16_MAX, &n, err);
	case SJ_UINT32: return sj_int(v, where, 0, UINT32_MAX, &n, err);
	default: return sj_want(v, JSON_INTEGER, where, err);   /* int64, uint64 */
	}
}

int sj_check(const json_t *v, const struct sj_shape *sh, const char *where, struct kerr *err)
{
	switch (sh->kind) {
	case SJ_ANY:
		return 0;
	case SJ_OBJECT:
		if (sj_want(v, JSON_OBJECT, where, err) < 0)
			return -1;
		return check_object(v, sh, where, err);
	case SJ_MAP:
		if (sj_want(v, JSON_OBJECT, where, err) < 0)
			return -1;
		return check_map(v, sh, where, err);
	case SJ_ARRAY:
		if (sj_want(v, JSON_ARRAY, where, err) < 0)
			return -1;
		return check_items(v, sh, where, err);
	case SJ_STRING:
		if (sj_want(v, JSON_STRING, where, err) < 0)
			return -1;
		return check_string(v, sh, where, err);
	case SJ_BOOL:
		return sj_want(v, JSON_TRUE, where, err);
	case SJ_INT32: case SJ_INT64: case SJ_UINT16: case SJ_UINT32: case SJ_UINT64:
		return check_int(v, sh->kind, where, err);
	}
	return kerr_set(err, EINVAL, "%s: bad shape", where);
}
