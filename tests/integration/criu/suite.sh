#!/bin/bash
# The CRIU suite, INSIDE the test VM (tests/vm/run-in-vm.sh): this host's
# kernel fails `criu check` (its vdso), Debian's 6.1 in the VM passes. Runs
# every criu/*.sh but lib.sh and this one; fails if any fails.
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v criu >/dev/null && [ ! -x /usr/sbin/criu ]; then
	echo "1..0 # SKIP criu is not installed (Debian package criu)"
	exit 77
fi
if ! out=$(/usr/sbin/criu check 2>&1); then
	echo "1..0 # SKIP criu check fails on this kernel: $(echo "$out" | grep -m1 Error)"
	exit 77
fi
echo "# kapsel: $KAPSEL, kernel $(uname -r), $(/usr/sbin/criu --version | head -1)"
rc=0
for t in "$here"/*.sh; do
	case ${t##*/} in lib.sh|suite.sh) continue ;; esac
	[ -z "${CRIU_TESTS:-}" ] || [[ " $CRIU_TESTS " == *" ${t##*/} "* ]] || continue
	echo "# ---- ${t##*/}"
	s=$(date +%s)
	bash "$t"; r=$?
	echo "# ${t##*/}: exit $r, $(( $(date +%s) - s )) s"
	[ $r -eq 0 ] || [ $r -eq 77 ] || rc=1
done
exit $rc
