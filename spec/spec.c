/* config.json: read, parse, validate into struct kspec, and free.
 *
 * Sections for other platforms (windows, solaris, vm, zos, freebsd) are
 * ignored, as runc ignores them: a FreeBSD or z/OS config that also has what
 * Linux needs (ociVersion, root.path) parses, one without fails on that. */
#include "spec/spec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "spec/internal.h"

/* A config.json is a few KiB; 16 MiB of it is a mistake or an attack. */
#define SPEC_MAX_SIZE (16u << 20)
#define HOSTNAME_MAX 64   /* sethostname()/setdomainname(): __NEW_UTS_LEN */

/* The digits of a non-negative JSON integer at p (not a fraction/exponent),
 * or 0. */
static size_t integer_token(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && isdigit((unsigned char)p[n]))
		n++;
	if (p + n < end && strchr(".eE", p[n]) != NULL)
		return 0;
	return n;
}

/* The value of a 19-20 digit literal above INT64_MAX that fits a uint64. */
static bool big_uint64(const char *p, size_t n, unsigned long long *ret)
{
	char digits[24];

	if (n < 19 || n > 20 || p[0] == '0')
		return false;
	memcpy(digits, p, n);
	digits[n] = '\0';
	errno = 0;
	*ret = strtoull(digits, NULL, 10);
	return errno == 0 && *ret > (unsigned long long)INT64_MAX;
}

/* Rewrites integer literals in [2^63, 2^64) to their two's-complement int64:
 * jansson refuses them ("too big integer") but they are valid uint64 values
 * (18446744073709551615 is RLIM_INFINITY, and docker's "swappiness": -1 as a
 * Go uint64). Strings are skipped. Returns NULL when nothing changes. */
static char *widen_uint64(const char *buf, size_t len, size_t *ret_len)
{
	const char *p = buf, *end = buf + len, *copied = buf;
	char *out = NULL;
	size_t out_len = 0;
	bool in_string = false;

	while (p < end) {
		unsigned long long v;
		size_t n;

		if (in_string || *p == '"') {
			if (in_string && *p == '\\' && p + 1 < end)
				p++;
			else
				in_string = *p == '"' ? !in_string : in_string;
			p++;
			continue;
		}
		/* a number starts after a delimiter, never inside a token */
		bool starts = isdigit((unsigned char)*p) &&
			      (p == buf || strchr("[{,: \t\r\n", p[-1]) != NULL);
		n = starts ? integer_token(p, end) : 0;
		if (!big_uint64(p, n, &v)) {
			p += n ? n : 1;
			continue;
		}
		/* each rewrite grows the text by at most one byte (2^63 -> -2^63),
		 * and a rewritten literal has at least 19 */
		if (out == NULL)
			out = xmalloc(len + len / 19 + 2);
		memcpy(out + out_len, copied, (size_t)(p - copied));
		out_len += (size_t)(p - copied);
		out_len += (size_t)sprintf(out + out_len, "%lld", (long long)(int64_t)v);
		p += n;
		copied = p;
	}
	if (out == NULL)
		return NULL;
	memcpy(out + out_len, copied, (size_t)(end - copied));
	out_len += (size_t)(end - copied);
	out[out_len] = '\0';
	*ret_len = out_len;
	return out;
}

static bool all_space(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)buf[i]))
			return false;
	return true;
}

/* Values from the config are quoted in messages: keep them to one line so a
 * crafted string cannot forge extra lines in a log. */
static int one_line(struct kerr *err)
{
	for (char *c = err->msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

int spec_parse_buffer(const char *buf, size_t len, const char *bundle, struct kspec **ret,
		      struct kerr *err)
{
	cleanup_free char *wide = NULL;
	size_t wide_len = 0;
	json_error_t jerr;
	json_t *doc;
	int r;

	if (all_space(buf, len))
		return kerr_set(err, 0, "config.json: empty file");
	wide = widen_uint64(buf, len, &wide_len);
	/* Duplicate keys are refused: a checker reading the first value and the
	 * runtime the last would disagree about what runs. */
	doc = json_loadb(wide != NULL ? wide : buf, wide != NULL ? wide_len : len,
			 JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		kerr_set(err, 0, "config.json: not valid JSON: line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return one_line(err);
	}
	r = spec_parse(doc, bundle, ret, err);
	json_decref(doc);
	return r;
}

int spec_load(const char *bundle, struct kspec **ret, struct kerr *err)
{
	char abs[PATH_MAX];
	cleanup_free char *path = NULL, *buf = NULL;
	size_t len = 0;

	if (realpath(bundle, abs) == NULL)
		return kerr_errno(err, "bundle %s", bundle);
	path = xasprintf("%s/config.json", abs);
	if (read_file_at(AT_FDCWD, path, SPEC_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	return spec_parse_buffer(buf, len, abs, ret, err);
}

static int parse_root(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	json_t *root = NULL;
	const char *path = NULL;

	/* Linux: root is REQUIRED (config.md, "On all other platforms") */
	if (sj_get_type(doc, "", "root", JSON_OBJECT, true, &root, err) < 0 ||
	    sj_get_string(root, "root", "path", true, &path, err) < 0 ||
	    sj_get_bool(root, "root", "readonly", &spec->root_readonly, err) < 0)
		return -1;
	if (path[0] == '\0')
		return kerr_set(err, 0, "root.path: empty");
	/* relative to the bundle; its existence is checked when it is used */
	spec->root_path = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", spec->bundle, path);
	return 0;
}

static int parse_uts_name(const json_t *doc, const char *key, char **ret, struct kerr *err)
{
	if (sj_get_strdup(doc, "", key, false, ret, err) < 0)
		return -1;
	if (*ret != NULL && strlen(*ret) > HOSTNAME_MAX)
		return kerr_set(err, 0, "%s: longer than %d characters", key, HOSTNAME_MAX);
	return 0;
}

static int parse_annotations(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	json_t *a = sj_get(doc, "annotations");

	if (a == NULL)
		return 0;
	if (sj_string_map(a, "annotations", err) < 0)
		return -1;
	spec->annotations = a;
	return 0;
}

static int parse_all(const json_t *doc, struct kspec *spec, struct kerr *err)
{
	const char *version = NULL;

	if (sj_get_string(doc, "", "ociVersion", true, &version, err) < 0)
		return -1;
	if (version[0] == '\0')
		return kerr_set(err, 0, "ociVersion: empty");
	spec->oci_version = xstrdup(version);
	/* hostname before linux: the uts namespace check needs it */
	if (parse_root(doc, spec, err) < 0 ||
	    parse_uts_name(doc, "hostname", &spec->hostname, err) < 0 ||
	    parse_uts_name(doc, "domainname", &spec->domainname, err) < 0 ||
	    spec_parse_process(doc, spec, err) < 0 ||
	    spec_parse_mounts(doc, spec, err) < 0 ||
	    spec_parse_linux(doc, spec, err) < 0 ||
	    spec_parse_hooks(doc, spec, err) < 0 ||
	    parse_annotations(doc, spec, err) < 0)
		return -1;
	return 0;
}

int spec_parse(json_t *doc, const char *bundle, struct kspec **ret, struct kerr *err)
{
	struct kspec *spec;
	char cwd[PATH_MAX];

	if (!json_is_object(doc))
		return kerr_set(err, 0, "config.json: expected a JSON object at the top level, got %s",
				doc == NULL ? "nothing" : sj_type_name(doc));
	if (bundle == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return kerr_errno(err, "getcwd");
		bundle = cwd;
	}
	spec = xcalloc(1, sizeof(*spec));
	spec->json = json_incref(doc);
	spec->bundle = xstrdup(bundle);
	if (parse_all(doc, spec, err) < 0) {
		spec_free(spec);
		kerr_prefix(err, "config.json");
		return one_line(err);
	}
	*ret = spec;
	return 0;
}

void spec_free(struct kspec *spec)
{
	if (spec == NULL)
		return;
	free(spec->bundle);
	free(spec->oci_version);
	free(spec->root_path);
	free(spec->hostname);
	free(spec->domainname);
	spec_process_free(spec->process);
	for (size_t i = 0; i < spec->n_mounts; i++)
		spec_mount_free(&spec->mounts[i]);
	free(spec->mounts);
	for (int t = 0; t < KNS_COUNT; t++)
		free(spec->ns[t].path);
	free(spec->uid_mappings);
	free(spec->gid_mappings);
	for (size_t i = 0; i < spec->n_devices; i++)
		free(spec->devices[i].path);
	free(spec->devices);
	strv_free(spec->masked_paths);
	strv_free(spec->readonly_paths);
	free(spec->mount_label);
	free(spec->cgroups_path);
	/* resources, seccomp, sysctl, personality, hooks, annotations and the
	 * process' capabilities/ioPriority/scheduler point into json */
	json_decref(spec->json);
	free(spec);
}
