# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# hooks
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hooks
TESTS += tests/unit/test_hooks
tests_unit_test_hooks_SOURCES = tests/unit/test_hooks.c
tests_unit_test_hooks_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hooks_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_tty
TESTS += tests/unit/test_tty
tests_unit_test_tty_SOURCES = tests/unit/test_tty.c
tests_unit_test_tty_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tty_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
# tests/integration/hooks.sh: add to TESTS once create/start/kill/delete work.
EXTRA_DIST += tests/integration/hooks.sh
