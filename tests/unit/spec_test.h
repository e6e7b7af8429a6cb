/* Shared by the spec unit test's two files (test_spec.c, test_spec_decode.c). */
#ifndef KAPSEL_TESTS_UNIT_SPEC_TEST_H
#define KAPSEL_TESTS_UNIT_SPEC_TEST_H

#include <stddef.h>

#include "spec/spec.h"

/* A config around a process object / linux object / mounts array. */
#define PROC(p) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":" p "}"
#define LINUX(l) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":" l "}"
#define MOUNTS(m) "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"mounts\":" m "}"

const char *srcdir(void);
/* tests/fixtures/REL under the source tree (free it) */
char *fixture(const char *rel);
/* parse a file as config.json of bundle /bundle */
int parse_file(const char *path, struct kspec **ret, struct kerr *err);
struct kspec *load_fixture(const char *rel);
/* calls fn for each file of tests/fixtures/DIR but README; returns how many */
size_t for_each_json(const char *dir, void (*fn)(const char *path, const char *name));
/* parse text that must parse / must fail with an error containing substring */
struct kspec *parse_ok(const char *json);
void expect_fail(const char *json, const char *substring);

void test_relative_paths(void **state);
void test_good_details(void **state);
void test_big_uint64(void **state);
void test_hooks_kept(void **state);
void test_mount_options(void **state);
void test_idmap_options(void **state);
void test_default(void **state);
void test_load(void **state);
void test_fuzz_regressions(void **state);
void test_kns(void **state);

#endif
