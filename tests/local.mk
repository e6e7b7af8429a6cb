# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# image
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_image
TESTS += tests/unit/test_image
tests_unit_test_image_SOURCES = tests/unit/test_image.c
tests_unit_test_image_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_image_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
IMAGE_ITESTS = tests/integration/image/hostile.sh tests/integration/image/layers.sh \
	tests/integration/image/umoci.sh tests/integration/image/skopeo.sh \
	tests/integration/image/store.sh tests/integration/image/buildah.sh
TESTS += $(IMAGE_ITESTS)
EXTRA_DIST += $(IMAGE_ITESTS) tests/integration/image/lib.sh \
	tests/integration/image/build-umoci-image.sh tests/integration/image/treelist.py \
	tests/integration/image/ocitool.py tests/integration/image/mktar.py \
	tests/fuzz/fuzz_unpack.c bench/bench-image.sh
# `make fuzz-unpack`: the layer unpacker's libFuzzer target (needs clang)
FUZZ_CC = clang
FUZZ_UNPACK_SRCS = $(srcdir)/tests/fuzz/fuzz_unpack.c \
	$(srcdir)/image/digest.c $(srcdir)/image/source.c $(srcdir)/image/archive_in.c \
	$(srcdir)/image/pathsafe.c $(srcdir)/image/unpack.c $(srcdir)/image/entry.c \
	$(srcdir)/image/lower.c $(srcdir)/image/whiteout.c $(srcdir)/image/pipe.c \
	$(srcdir)/common/error.c $(srcdir)/common/log.c $(srcdir)/common/util.c
tests/fuzz/fuzz_unpack: $(FUZZ_UNPACK_SRCS)
	@mkdir -p tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(AM_CPPFLAGS) $(CPPFLAGS) \
		-std=gnu11 $(ARCHIVE_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
		$(FUZZ_UNPACK_SRCS) -o $@ $(ARCHIVE_LIBS) $(NETTLE_LIBS) $(JANSSON_LIBS)
fuzz-unpack: tests/fuzz/fuzz_unpack
fuzz: fuzz-unpack
.PHONY: fuzz fuzz-unpack
CLEANFILES += tests/fuzz/fuzz_unpack
