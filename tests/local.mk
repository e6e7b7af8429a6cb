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
# cgroups: the suite runs inside the test VM (one boot); hybrid.sh on this kind of host
TESTS += tests/integration/cgroups-vm.test tests/integration/cgroups/hybrid.sh
EXTRA_DIST += tests/integration/cgroups-vm.test tests/integration/cgroups/hybrid.sh \
	tests/integration/cgroups/lib.sh tests/integration/cgroups/suite.sh \
	tests/vm/run-in-vm.sh tests/vm/vm-init.sh tests/vm/vm-stage2.sh bench/bench-cgroups.sh
