#!/bin/bash
# On THIS kind of host (hybrid layout: v1 controllers, an empty cgroup2 at
# /sys/fs/cgroup/unified): kapsel still tracks each container in a cgroup2,
# refuses limits it cannot apply (naming the field, leaving nothing behind),
# and the default config (devices only: the eBPF filter) works.
here=$(cd "$(dirname "$0")" && pwd)
CG=/sys/fs/cgroup/unified
. "$here/lib.sh"

if [ "$(id -u)" != 0 ] || [ "$(stat -f -c %T $CG 2>/dev/null)" != cgroup2fs ] ||
   grep -qw memory $CG/cgroup.controllers; then
	echo "1..0 # SKIP needs root and a hybrid host (controller-less cgroup2 at $CG)"
	exit 77
fi
make_rootfs
# Other kapsel users may share this host's /kapsel: look only for our ids.
P=hyb$$
ours() { find $CG -mindepth 1 -type d -name "$P*" | sort; }

b=$(bundle lim '{"memory":{"limit":33554432}}' true)
if K create --bundle "$b" $P-lim >"$T/out" 2>&1; then not_ok "memory limit refused"; K delete --force $P-lim
else
	check "memory limit refused with a clear error" grep -q "linux.resources.memory.limit: the memory controller is not available in $CG (hybrid cgroup layout?)" "$T/out"
fi
eq "nothing left in $CG" "$(ours)" ""
check "no state left" sh -c "! \"$KAPSEL\" --root \"$ROOT\" state $P-lim >/dev/null 2>&1"
b=$(bundle lim2 '{"pids":{"limit":10},"cpu":{"shares":512}}' true)
if K create --bundle "$b" $P-lim2 >"$T/out" 2>&1; then not_ok "pids/cpu limits refused"; K delete --force lim2
else check "pids/cpu limits refused" grep -q "controller is not available" "$T/out"; fi
eq "still nothing left in $CG" "$(ours)" ""

mknod "$T/devtest/c42" c 42 0 && chmod 666 "$T/devtest/c42"
check "the default config (devices deny-all) runs" start_ctr $P-dev dev '{}' \
	'cat /devtest/c42 2>/shared/dev; cat /dev/null && echo null-ok >>/shared/dev; sleep 1000'
wait_for 20 grep -q null-ok "$T/shared/dev"
eq "tracked in $CG/kapsel/$P-dev" "$(grep '^0::' /proc/$(pid_of $P-dev)/cgroup)" "0::/kapsel/$P-dev"
check "device filter: 42:0 -> EPERM" grep -q "Operation not permitted" "$T/shared/dev"
check "device filter: /dev/null allowed" grep -q null-ok "$T/shared/dev"
check "pause works without controllers (cgroup.freeze)" K pause $P-dev
eq "status paused" "$(status_of $P-dev)" paused
check "resume" K resume $P-dev
check "kill --all" K kill --all $P-dev KILL
wait_for 10 is_status $P-dev stopped
check "delete" K delete $P-dev
eq "nothing left in $CG after delete" "$(ours)" ""
rm -rf "$T"
done_testing
