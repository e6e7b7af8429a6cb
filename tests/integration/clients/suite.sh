#!/bin/bash
# The client suites, INSIDE the test VM (tests/integration/clients-vm.test
# boots it): podman (with conmon) and containerd (ctr + containerd-shim-runc-v2
# with BinaryName kapsel), each driving $KAPSEL. One boot for all; the parts
# run side by side (the VM has 2 cpus, and most of each part's time is its
# client's own start-up under TCG), each into its own TAP file, merged and
# renumbered at the end.
#   CLIENTS_IMG=DIR (made by prepare-image.sh) KAPSEL=... suite.sh [PART...]
here=$(cd "$(dirname "$0")" && pwd)
if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo "1..0 # SKIP needs a pure cgroup2 with controllers (run it through tests/vm/run-in-vm.sh)"
	exit 77
fi
: "${CLIENTS_IMG:?CLIENTS_IMG must name the directory prepare-image.sh filled}"
S=$(mktemp -d /var/tmp/kapsel-clients.XXXXXX)
chmod 755 "$S"   # the rootless part's user reaches its home below
parts=${*:-podman containerd podman-rootless}
for p in $parts; do
	(
		. "$here/lib.sh"
		CT=$S/$p
		mkdir -p "$CT"
		KT_TAG=clients
		t0=$(date +%s)
		. "$here/$p.sh"
		echo "# $p: $KT_PASS passed, $KT_FAIL failed, $(($(date +%s) - t0)) s"
	) >"$S/$p.tap" 2>"$S/$p.err" &
done
wait
n=0 fail=0
for p in $parts; do
	echo "# ---- $p"
	while IFS= read -r l; do
		case $l in
		"ok "*) n=$((n + 1)); echo "ok $n - ${l#* - }" ;;
		"not ok "*) n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - ${l#* - }" ;;
		*) echo "$l" ;;
		esac
	done <"$S/$p.tap"
	[ -s "$S/$p.err" ] && sed 's/^/# stderr: /' "$S/$p.err" | tail -20
done
echo "1..$n"
echo "# clients: $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$n" -gt 0 ]
