/* Private to the files of spec/ (and the spec unit test): JSON accessors that
 * name the field in their errors, the schema-shape checker for the sections
 * kept as raw JSON, and the parsers of each part of config.json.
 *
 * Every error names its field as a path from the top of the document
 * ("linux.namespaces[2].type: ..."); spec_parse adds "config.json: ". A JSON
 * null counts as an absent field, as it does for runc's Go decoder. */
#ifndef KAPSEL_SPEC_INTERNAL_H
#define KAPSEL_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/error.h"
#include "spec/spec.h"

#define SPEC_WHERE_MAX 256

/* buf = "parent.key" (or "key" at the top) / "parent[i]". */
void sj_key(char *buf, size_t n, const char *parent, const char *key);
void sj_idx(char *buf, size_t n, const char *parent, size_t i);
const char *sj_type_name(const json_t *v);
/* s copied into buf (truncated) with control characters as '?': for log lines
 * that quote config values, so a crafted value cannot forge log lines. */
const char *sj_printable(const char *s, char *buf, size_t n);

/* The member key of obj, or NULL when absent or null. */
json_t *sj_get(const json_t *obj, const char *key);

/* Checks on a value already found; where names it. */
int sj_want(const json_t *v, json_type type, const char *where, struct kerr *err);
int sj_string(const json_t *v, const char *where, const char **ret, struct kerr *err);
int sj_bool(const json_t *v, const char *where, bool *ret, struct kerr *err);
int sj_int(const json_t *v, const char *where, int64_t min, int64_t max, int64_t *ret,
	   struct kerr *err);
int sj_u32(const json_t *v, const char *where, uint32_t *ret, struct kerr *err);
/* Any integer: a negative one is the two's complement of a uint64 >= 2^63
 * (see spec_parse_buffer), as crun's strtoull and runc's int64 casts read it. */
int sj_u64(const json_t *v, const char *where, uint64_t *ret, struct kerr *err);
/* An array of strings, copied into a NULL-terminated vector. */
int sj_strv(const json_t *v, const char *where, char ***ret, struct kerr *err);
/* An object whose values are all strings (annotations, sysctl). */
int sj_string_map(const json_t *v, const char *where, struct kerr *err);

/* Member versions: absent (or null) and !required leaves *ret untouched and
 * returns 0 (so callers preset defaults); absent and required is an error. */
int sj_get_type(const json_t *obj, const char *parent, const char *key, json_type type,
		bool required, json_t **ret, struct kerr *err);
int sj_get_string(const json_t *obj, const char *parent, const char *key, bool required,
		  const char **ret, struct kerr *err);
int sj_get_strdup(const json_t *obj, const char *parent, const char *key, bool required,
		  char **ret, struct kerr *err);
int sj_get_bool(const json_t *obj, const char *parent, const char *key, bool *ret,
		struct kerr *err);
int sj_get_u32(const json_t *obj, const char *parent, const char *key, bool required,
	       uint32_t *ret, bool *ret_present, struct kerr *err);
int sj_get_strv(const json_t *obj, const char *parent, const char *key, char ***ret,
		struct kerr *err);
/* An array of absolute paths (maskedPaths, readonlyPaths). */
int sj_get_abs_paths(const json_t *obj, const char *parent, const char *key, char ***ret,
		     struct kerr *err);

/* A tiny JSON-schema subset for the sections other folders interpret
 * (linux.resources, linux.seccomp, process.capabilities...): the types,
 * required members and enums of the runtime-spec JSON schema, so a config that breaks the
 * schema fails here, up front, with the field named. Unknown members are
 * allowed, as the schema allows them. */
enum sj_kind {
	SJ_ANY, SJ_OBJECT, SJ_MAP, SJ_ARRAY, SJ_STRING, SJ_BOOL,
	SJ_INT32, SJ_INT64, SJ_UINT16, SJ_UINT32, SJ_UINT64,
};

struct sj_shape {
	const char *key;                     /* member name, in a fields list */
	enum sj_kind kind;
	bool required;
	bool nonempty;                       /* SJ_ARRAY: at least one item */
	const struct sj_shape *fields;       /* SJ_OBJECT: {NULL}-terminated */
	const struct sj_shape *items;        /* SJ_ARRAY items, SJ_MAP values */
	const char *const *enums;            /* SJ_STRING: NULL-terminated */
	bool (*valid)(const char *s);        /* SJ_STRING: a pattern */
	const char *pattern;                 /* its description, for errors */
};

int sj_check(const json_t *v, const struct sj_shape *shape, const char *where,
	     struct kerr *err);

extern const struct sj_shape spec_shape_resources, spec_shape_seccomp,
	spec_shape_personality, spec_shape_capabilities, spec_shape_io_priority,
	spec_shape_scheduler, spec_shape_net_devices, spec_shape_intel_rdt,
	spec_shape_time_offsets, spec_shape_memory_policy, spec_shape_idmappings,
	spec_shape_cpu_affinity;

/* The parts of config.json, in spec.c, spec_mounts.c, spec_linux.c. */
int spec_parse_process(const json_t *doc, struct kspec *spec, struct kerr *err);
int spec_parse_mounts(const json_t *doc, struct kspec *spec, struct kerr *err);
int spec_parse_linux(const json_t *doc, struct kspec *spec, struct kerr *err);
int spec_parse_hooks(const json_t *doc, struct kspec *spec, struct kerr *err);

/* Decodes mount options into m's flags, clear_flags, propagation, bind,
 * recursive_ro, rec_attr_set/clr, idmap and data (m->options is not read). */
void spec_mount_options_decode(char *const *options, struct kmount *m);

void spec_mount_free(struct kmount *m);
void spec_process_free(struct kprocess *p);

#endif
