# Unit tests (cmocka, TAP) and integration tests (real containers, as root).
UNIT_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

# state store, ids, signals
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_state
TESTS += tests/unit/test_state
tests_unit_test_state_SOURCES = tests/unit/test_state.c
tests_unit_test_state_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_state_LDADD = $(UNIT_LDADD)
endif

# No raw syscall() outside common/syscalls.h (the one syscall header).
TESTS += tests/check-syscalls.sh
EXTRA_DIST += tests/check-syscalls.sh

# cgroups
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_cgroups_resources tests/unit/test_cgroups_live
TESTS += tests/unit/test_cgroups_resources tests/unit/test_cgroups_live
endif
tests_unit_test_cgroups_resources_SOURCES = tests/unit/test_cgroups_resources.c
tests_unit_test_cgroups_resources_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cgroups_resources_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
tests_unit_test_cgroups_live_SOURCES = tests/unit/test_cgroups_live.c
tests_unit_test_cgroups_live_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cgroups_live_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)

# hooks
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hooks
TESTS += tests/unit/test_hooks
tests_unit_test_hooks_SOURCES = tests/unit/test_hooks.c
tests_unit_test_hooks_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hooks_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
