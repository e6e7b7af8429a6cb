# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

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
