# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# mounts
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_inroot tests/unit/test_mounts
TESTS += tests/unit/test_inroot tests/unit/test_mounts
endif
tests_unit_test_inroot_SOURCES = tests/unit/test_inroot.c
tests_unit_test_inroot_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_inroot_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
tests_unit_test_mounts_SOURCES = tests/unit/test_mounts.c
tests_unit_test_mounts_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mounts_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
