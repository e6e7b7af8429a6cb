# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# network
check_PROGRAMS += tests/integration/net/netdriver
tests_integration_net_netdriver_SOURCES = tests/integration/net/netdriver.c
tests_integration_net_netdriver_LDADD = libkapsel.a $(KAPSEL_LIBS)
