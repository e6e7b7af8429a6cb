#!/bin/bash
# The client suites, INSIDE the test VM (tests/integration/clients-vm.test
# boots it): podman (with conmon), containerd (ctr + containerd-shim-runc-v2
# with BinaryName kapsel), each driving $KAPSEL. One boot for all of them:
# TCG makes each boot and each first start of a client slow.
#   CLIENTS_IMG=DIR (made by prepare-image.sh) KAPSEL=... suite.sh [podman|containerd|...]
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo "1..0 # SKIP needs a pure cgroup2 with controllers (run it through tests/vm/run-in-vm.sh)"
	exit 77
fi
: "${CLIENTS_IMG:?CLIENTS_IMG must name the directory prepare-image.sh filled}"
CT=$(mktemp -d /var/tmp/kapsel-clients.XXXXXX)
KT_TAG=clients
parts=${*:-podman containerd}
for p in $parts; do
	t0=$(date +%s)
	echo "# ---- $p"
	. "$here/$p.sh"
	echo "# $p: $(($(date +%s) - t0)) s"
done
echo "1..$KT_N"
echo "# clients: $KT_PASS passed, $KT_FAIL failed"
[ "$KT_FAIL" -eq 0 ]
