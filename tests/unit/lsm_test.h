/* Shared by the lsm/ unit tests: specs built by hand (the config parser is
 * not needed), with the raw JSON parts from literals. */
#ifndef KAPSEL_TESTS_LSM_TEST_H
#define KAPSEL_TESTS_LSM_TEST_H

#include <string.h>

#include <jansson.h>

#include "spec/spec.h"

struct tspec {
	struct kspec spec;
	struct kprocess proc;
};

static inline json_t *tjson(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (j == NULL) {
		fprintf(stderr, "bad test JSON (%s): %s\n", e.text, text);
		abort();
	}
	return j;
}

static inline void tspec_init(struct tspec *t)
{
	memset(t, 0, sizeof(*t));
	t->spec.json = json_object();
	t->spec.process = &t->proc;
	t->spec.oci_version = (char *)"1.2.0";
}

static inline void tspec_done(struct tspec *t)
{
	json_decref(t->spec.json);
	json_decref(t->spec.seccomp);
	json_decref(t->spec.sysctl);
	json_decref(t->spec.personality);
	json_decref(t->proc.capabilities);
	json_decref(t->proc.io_priority);
	json_decref(t->proc.scheduler);
	memset(t, 0, sizeof(*t));
}

#endif
