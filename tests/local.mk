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
# Includes follow the layers: cli -> runtime -> subsystems -> spec -> common,
# through each folder's door header only.
TESTS += tests/check-layout.sh
EXTRA_DIST += tests/check-layout.sh

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
# the systemd driver without a bus (names, properties, systemd versions)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_cgroups_systemd
TESTS += tests/unit/test_cgroups_systemd
endif
tests_unit_test_cgroups_systemd_SOURCES = tests/unit/test_cgroups_systemd.c
tests_unit_test_cgroups_systemd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cgroups_systemd_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS) -ldl

# hooks
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_hooks
TESTS += tests/unit/test_hooks
tests_unit_test_hooks_SOURCES = tests/unit/test_hooks.c
tests_unit_test_hooks_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_hooks_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif

# spec: the config.json parser (spec/*.c)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_spec
TESTS += tests/unit/test_spec
tests_unit_test_spec_SOURCES = tests/unit/test_spec.c tests/unit/test_spec_decode.c \
	tests/unit/spec_test.h
tests_unit_test_spec_CPPFLAGS = $(AM_CPPFLAGS) -DTEST_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_spec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_spec_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
EXTRA_DIST += tests/fixtures/runtime-spec tests/fixtures/fuzz-regressions tests/fuzz/fuzz_spec.c \
	tests/fuzz/spec.dict

# `make fuzz`: libFuzzer over spec_parse_buffer for $(FUZZ_SECONDS) seconds,
# seeded with the fixtures (copied to a temporary corpus, never the source
# tree). Crashing inputs land in fuzz-artifacts/ of the build directory: keep
# each one in tests/fixtures/fuzz-regressions/ once fixed.
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_SPEC_SRCS = $(srcdir)/tests/fuzz/fuzz_spec.c \
	$(srcdir)/common/error.c $(srcdir)/common/log.c $(srcdir)/common/util.c \
	$(srcdir)/spec/spec.c $(srcdir)/spec/spec_json.c $(srcdir)/spec/spec_shapes.c \
	$(srcdir)/spec/spec_process.c $(srcdir)/spec/spec_mounts.c \
	$(srcdir)/spec/spec_linux.c $(srcdir)/spec/spec_default.c \
	$(FUZZ_VALIDATE_SRCS)
# what create runs on a parsed spec: lsm_validate and cgroups_validate
FUZZ_VALIDATE_SRCS = $(srcdir)/lsm/lsm.c $(srcdir)/lsm/procfs.c $(srcdir)/lsm/caps.c \
	$(srcdir)/lsm/seccomp.c $(srcdir)/lsm/seccomp_agent.c $(srcdir)/lsm/sysctl.c \
	$(srcdir)/lsm/process_attrs.c $(srcdir)/lsm/mac.c $(srcdir)/lsm/apparmor.c \
	$(srcdir)/lsm/selinux.c $(srcdir)/lsm/selinux_dl.c $(srcdir)/common/dlib.c \
	$(srcdir)/cgroups/resources.c
tests/fuzz/fuzz-spec: $(FUZZ_SPEC_SRCS)
	@mkdir -p tests/fuzz
	$(AM_V_CC)$(FUZZ_CC) $(FUZZ_CFLAGS) $(AM_CPPFLAGS) $(CPPFLAGS) $(JANSSON_CFLAGS) -o $@ \
		$(FUZZ_SPEC_SRCS) $(KAPSEL_LIBS) -ldl
fuzz: tests/fuzz/fuzz-spec
	@corpus=$$(mktemp -d /tmp/kapsel-fuzz-spec.XXXXXX) && \
	for d in runtime-spec/config/good runtime-spec/config/bad fuzz-regressions; do \
		for f in $(srcdir)/tests/fixtures/$$d/*; do \
			cp "$$f" "$$corpus/$$(echo $$d | tr / -)-$${f##*/}" || exit 1; \
		done; \
	done && \
	mkdir -p fuzz-artifacts && \
	./tests/fuzz/fuzz-spec -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 \
		-dict=$(srcdir)/tests/fuzz/spec.dict \
		-artifact_prefix=$(abs_top_builddir)/fuzz-artifacts/ $$corpus; \
	rc=$$?; rm -rf $$corpus; exit $$rc
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz-spec

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

# cgroups: the suite runs inside the test VM (one boot); hybrid.sh on this kind of host
TESTS += tests/integration/cgroups-vm.test tests/integration/cgroups/hybrid.sh \
	tests/integration/cgroups/hybrid-tools.sh
EXTRA_DIST += tests/integration/cgroups-vm.test tests/integration/cgroups/hybrid.sh \
	tests/integration/cgroups/hybrid-tools.sh \
	tests/integration/cgroups/lib.sh tests/integration/cgroups/suite.sh \
	tests/vm/run-in-vm.sh tests/vm/vm-init.sh tests/vm/vm-stage2.sh bench/bench-cgroups.sh bench/bench-systemd.sh
# the systemd cgroup driver: one boot of the test VM with systemd as PID 1
TESTS += tests/integration/systemd-vm.test
EXTRA_DIST += tests/integration/systemd-vm.test tests/integration/systemd/suite.sh \
	tests/vm/vm-systemd.sh
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_tty
TESTS += tests/unit/test_tty
tests_unit_test_tty_SOURCES = tests/unit/test_tty.c
tests_unit_test_tty_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_tty_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
# tests/integration/hooks.sh: in EXEC_ITESTS below.

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
# network through the CLI (kapsel run/create --network ...), same rules
NET_KAPSEL_TESTS = tests/integration/net/kapsel-bridge.sh tests/integration/net/kapsel-many.sh \
	tests/integration/net/kapsel-rootless.sh tests/integration/net/kapsel-rootless-pasta.sh
TESTS += $(NET_KAPSEL_TESTS)
EXTRA_DIST += tests/integration/net/klib.sh $(NET_KAPSEL_TESTS)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_netsetup
TESTS += tests/unit/test_netsetup
tests_unit_test_netsetup_SOURCES = tests/unit/test_netsetup.c
tests_unit_test_netsetup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_netsetup_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif

# integration
# Real containers on a busybox-static rootfs, as root (skipped otherwise).
# The runtime is $KAPSEL (default: ./kapsel): `KAPSEL=/usr/sbin/runc make check`
# runs them against runc.
check_PROGRAMS += tests/integration/helpers/recvtty
tests_integration_helpers_recvtty_SOURCES = tests/integration/helpers/recvtty.c
TEST_EXTENSIONS = .sh .test
SH_LOG_COMPILER = bash
INTEGRATION_TESTS = tests/integration/lifecycle.sh tests/integration/namespaces.sh \
	tests/integration/mounts.sh tests/integration/process.sh \
	tests/integration/badinput.sh tests/integration/state.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += tests/integration/lib.sh $(INTEGRATION_TESTS)

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
	tests/integration/image/store.sh tests/integration/image/buildah.sh \
	tests/integration/image/run.sh
TESTS += $(IMAGE_ITESTS)
EXTRA_DIST += $(IMAGE_ITESTS) tests/integration/image/lib.sh \
	tests/integration/image/build-umoci-image.sh tests/integration/image/treelist.py \
	tests/integration/image/ocitool.py tests/integration/image/mktar.py \
	tests/fuzz/fuzz_unpack.c bench/bench-image.sh
# `make fuzz-unpack`: the layer unpacker's libFuzzer target (needs clang)
FUZZ_UNPACK_SRCS = $(srcdir)/tests/fuzz/fuzz_unpack.c \
	$(srcdir)/image/digest.c $(srcdir)/image/source.c $(srcdir)/image/archive_in.c \
	$(srcdir)/image/pathsafe.c $(srcdir)/image/unpack.c $(srcdir)/image/entry.c \
	$(srcdir)/image/lower.c $(srcdir)/image/whiteout.c $(srcdir)/image/pipe.c \
	$(srcdir)/image/archive_dl.c $(srcdir)/common/dlib.c \
	$(srcdir)/common/error.c $(srcdir)/common/log.c $(srcdir)/common/util.c
tests/fuzz/fuzz_unpack: $(FUZZ_UNPACK_SRCS)
	@mkdir -p tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined $(AM_CPPFLAGS) $(CPPFLAGS) \
		-std=gnu11 $(ARCHIVE_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
		$(FUZZ_UNPACK_SRCS) -o $@ $(ARCHIVE_LIBS) $(NETTLE_LIBS) $(JANSSON_LIBS)
# Seeds: small plain and gzip layers with a directory, a file and a symlink.
fuzz-unpack: tests/fuzz/fuzz_unpack
	@corpus=$$(mktemp -d /tmp/kapsel-fuzz-unpack.XXXXXX) && \
	mkdir -p $$corpus/t/d && echo hi >$$corpus/t/d/f && ln -s f $$corpus/t/d/l && \
	tar -C $$corpus/t -cf $$corpus/plain.tar . && tar -C $$corpus/t -czf $$corpus/gz.tgz . && \
	rm -rf $$corpus/t && mkdir -p fuzz-artifacts && \
	./tests/fuzz/fuzz_unpack -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(abs_top_builddir)/fuzz-artifacts/ $$corpus; \
	rc=$$?; rm -rf $$corpus; exit $$rc
fuzz: fuzz-unpack
.PHONY: fuzz fuzz-unpack
CLEANFILES += tests/fuzz/fuzz_unpack

# exec, terminals, hooks (issue 5): real containers as root, skipped otherwise
EXEC_ITESTS = tests/integration/exec.sh tests/integration/tty.sh tests/integration/hooks.sh
TESTS += $(EXEC_ITESTS)
EXTRA_DIST += $(EXEC_ITESTS) tests/integration/helpers/seccomp-listener.py
EXTRA_DIST += bench/bench-exec.sh
# security: hardening regression tests from real containers (issue 4)
check_PROGRAMS += tests/integration/helpers/seccomp_agent
tests_integration_helpers_seccomp_agent_SOURCES = tests/integration/helpers/seccomp_agent.c
TESTS += tests/integration/security.sh
EXTRA_DIST += tests/integration/security.sh

# rootless (issue 6): as an unprivileged user the test creates; the cgroup
# checks with a delegated subtree run in the test VM (one boot)
TESTS += tests/integration/rootless.sh tests/integration/rootless-vm.test
EXTRA_DIST += tests/integration/rootless.sh tests/integration/rootless-vm.test \
	tests/integration/rootless/lib.sh tests/integration/rootless/vm-cgroups.sh

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
# lsm: real containers (root; skips until the runtime has `run`)
TESTS += tests/integration/lsm.sh
EXTRA_DIST += tests/integration/lsm.sh

# checkpoint/restore (issue 13): CRIU fails `criu check` on the build hosts'
# kernel, so the suite runs in the test VM (one boot for every criu/*.sh)
TESTS += tests/integration/criu-vm.test
# what kapsel passes to criu, without root or a working CRIU
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_criu
TESTS += tests/unit/test_criu
tests_unit_test_criu_SOURCES = tests/unit/test_criu.c
tests_unit_test_criu_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_criu_LDADD = libkapsel.a $(KAPSEL_LIBS) $(CMOCKA_LIBS)
endif
# memhog runs inside busybox containers: static, and without the sanitizers
# (their runtime cannot be linked statically)
check_PROGRAMS += tests/integration/helpers/memhog
tests_integration_helpers_memhog_SOURCES = tests/integration/helpers/memhog.c
tests_integration_helpers_memhog_CFLAGS = -std=gnu11 -O2 -Wall -Wextra -Werror
tests_integration_helpers_memhog_LDFLAGS = -static
EXTRA_DIST += tests/integration/criu-vm.test tests/integration/criu/lib.sh \
	tests/integration/criu/suite.sh tests/integration/criu/basic.sh \
	tests/integration/criu/tcp.sh tests/integration/criu/predump.sh \
	tests/integration/criu/shelljob.sh tests/integration/criu/hooks.sh bench/bench-criu.sh
# crash safety (issue 16): commands killed at random points and named steps,
# then list + delete -f, then a before/after snapshot of the host
TESTS += tests/integration/chaos.sh tests/integration/chaos-vm.test
EXTRA_DIST += tests/integration/chaos.sh tests/integration/chaos-vm.test
