# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# network
check_PROGRAMS += tests/integration/net/netdriver
tests_integration_net_netdriver_SOURCES = tests/integration/net/netdriver.c
tests_integration_net_netdriver_LDADD = libkapsel.a $(KAPSEL_LIBS)
# Each runs only inside network namespaces it creates; exits 77 when not root.
NET_TESTS = tests/integration/net/bridge.sh tests/integration/net/many.sh \
	tests/integration/net/badinput.sh tests/integration/net/rootless.sh \
	tests/integration/net/rootless-pasta.sh tests/integration/net/ipv6.sh
TESTS += $(NET_TESTS)
EXTRA_DIST += tests/integration/net/lib.sh $(NET_TESTS)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_netsetup
TESTS += tests/unit/test_netsetup
tests_unit_test_netsetup_SOURCES = tests/unit/test_netsetup.c
tests_unit_test_netsetup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_netsetup_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
