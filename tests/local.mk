# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# spec: the config.json parser (runtime/spec*.c)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_spec
TESTS += tests/unit/test_spec
tests_unit_test_spec_SOURCES = tests/unit/test_spec.c tests/unit/test_spec_decode.c \
	tests/unit/spec_test.h
tests_unit_test_spec_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_spec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_spec_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
EXTRA_DIST += tests/fixtures/runtime-spec tests/fixtures/fuzz-regressions tests/fuzz/fuzz_spec.c \
	tests/fuzz/spec.dict

# `make fuzz`: libFuzzer over spec_parse_buffer for $(FUZZ_SECONDS) seconds,
# seeded with the fixtures (copied to a temporary corpus, never the source
# tree). Crashing inputs land in fuzz-artifacts/ of the build directory: keep
# each one in tests/fixtures/fuzz-regressions/ once fixed.
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SPEC_SRCS = $(srcdir)/tests/fuzz/fuzz_spec.c \
	$(srcdir)/common/error.c $(srcdir)/common/log.c $(srcdir)/common/util.c \
	$(srcdir)/runtime/spec.c $(srcdir)/runtime/spec_json.c $(srcdir)/runtime/spec_shapes.c \
	$(srcdir)/runtime/spec_process.c $(srcdir)/runtime/spec_mounts.c \
	$(srcdir)/runtime/spec_linux.c $(srcdir)/runtime/spec_default.c
tests/fuzz/fuzz-spec: $(FUZZ_SPEC_SRCS)
	@mkdir -p tests/fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) $(AM_CPPFLAGS) $(JANSSON_CFLAGS) -o $@ \
		$(FUZZ_SPEC_SRCS) $(JANSSON_LIBS)
fuzz: tests/fuzz/fuzz-spec
	@corpus=$$(mktemp -d /tmp/kapsel-fuzz-spec.XXXXXX) && \
	for d in runtime-spec/config/good runtime-spec/config/bad fuzz-regressions; do \
		for f in $(srcdir)/tests/fixtures/$$d/*; do \
			cp "$$f" "$$corpus/$$(echo $$d | tr / -)-$${f##*/}" || exit 1; \
		done; \
	done && \
	mkdir -p fuzz-artifacts && \
	./tests/fuzz/fuzz-spec -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
		-dict=$(srcdir)/tests/fuzz/spec.dict \
		-artifact_prefix=$(abs_top_builddir)/fuzz-artifacts/ $$corpus; \
	rc=$$?; rm -rf $$corpus; exit $$rc
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz-spec
