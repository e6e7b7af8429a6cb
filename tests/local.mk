# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# lsm
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_lsm_validate tests/unit/test_lsm_seccomp tests/unit/test_lsm_live
TESTS += tests/unit/test_lsm_validate tests/unit/test_lsm_seccomp tests/unit/test_lsm_live
endif
tests_unit_test_lsm_validate_SOURCES = tests/unit/test_lsm_validate.c tests/unit/lsm_test.h
tests_unit_test_lsm_validate_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lsm_validate_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
tests_unit_test_lsm_seccomp_SOURCES = tests/unit/test_lsm_seccomp.c tests/unit/lsm_test.h \
	tests/unit/lsm_live.h
tests_unit_test_lsm_seccomp_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lsm_seccomp_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
tests_unit_test_lsm_live_SOURCES = tests/unit/test_lsm_live.c tests/unit/lsm_test.h \
	tests/unit/lsm_live.h
tests_unit_test_lsm_live_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_lsm_live_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
# lsm: real containers (root; skips until the runtime has `run`)
TESTS += tests/integration/lsm.sh
EXTRA_DIST += tests/integration/lsm.sh
