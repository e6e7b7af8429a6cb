# Unit tests (cmocka, TAP) and integration tests (real containers, as root).

# integration
# Real containers on a busybox-static rootfs, as root (skipped otherwise).
# The runtime is $KAPSEL (default: ./kapsel): `KAPSEL=/usr/sbin/runc make check`
# runs them against runc.
check_PROGRAMS += tests/integration/helpers/recvtty
tests_integration_helpers_recvtty_SOURCES = tests/integration/helpers/recvtty.c
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = bash
INTEGRATION_TESTS = tests/integration/lifecycle.sh tests/integration/namespaces.sh \
	tests/integration/mounts.sh tests/integration/process.sh \
	tests/integration/badinput.sh tests/integration/state.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/lib.sh $(INTEGRATION_TESTS)
