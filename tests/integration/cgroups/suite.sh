#!/bin/bash
# The cgroup v2 suite: runs INSIDE the test VM (tests/vm/run-in-vm.sh), where
# /sys/fs/cgroup is a pure cgroup2 with every controller. For every resource:
# the file after create and after update, and its effect where cheap; pause/
# resume, ps, events, kill --all, delete after kill -9, half-failed create,
# 50 containers leaving nothing behind.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo "1..0 # SKIP needs a pure cgroup2 with controllers (run it through tests/vm/run-in-vm.sh)"
	exit 77
fi
make_rootfs
echo "# kapsel: $KAPSEL, kernel $(uname -r), $(nproc) cpus"

# A loop device for io.max / io.weight per device (major 7).
truncate -s 16M "$T/disk.img"
LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null || true)
IODEV=$( [ -n "$LOOP" ] && stat -L -c '%Hr:%Lr' "$LOOP")
IOMAJ=${IODEV%%:*}; IOMIN=${IODEV##*:}

f() { cat "$(cgdir "$1")/$2" 2>&1; }

# ---------------------------------------------------------------- values after create
RES='{
 "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "burst": 1000, "idle": 0, "cpus": "0", "mems": "0"},
 "memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
 "pids": {"limit": 40},
 "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
 "unified": {"memory.high": "60000000"}
}'
if [ -n "$LOOP" ]; then
	RES=$(echo "$RES" | jq --argjson ma "$IOMAJ" --argjson mi "$IOMIN" '.blockIO = {weight: 500,
		throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}],
		throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: 100}]}')
fi
check "create+start with every resource" start_ctr res1 res1 "$RES" 'echo started > /shared/res1; exec sleep 1000'
eq "cpu.shares 1024 -> cpu.weight" "$(f res1 cpu.weight)" 39
eq "cpu.quota/period -> cpu.max" "$(f res1 cpu.max)" "50000 100000"
eq "cpu.burst -> cpu.max.burst" "$(f res1 cpu.max.burst)" 1000
eq "cpu.idle" "$(f res1 cpu.idle)" 0
eq "cpu.cpus -> cpuset.cpus" "$(f res1 cpuset.cpus)" 0
eq "cpu.mems -> cpuset.mems" "$(f res1 cpuset.mems)" 0
eq "memory.limit -> memory.max" "$(f res1 memory.max)" 67108864
eq "memory.reservation -> memory.low" "$(f res1 memory.low)" 33554432
eq "memory.swap (mem+swap) -> memory.swap.max (swap)" "$(f res1 memory.swap.max)" 33554432
eq "memory.oom.group set with a limit" "$(f res1 memory.oom.group)" 1
eq "pids.limit -> pids.max" "$(f res1 pids.max)" 40
eq "hugepageLimits 2MB -> hugetlb.2MB.max" "$(f res1 hugetlb.2MB.max)" 4194304
eq "unified memory.high raw" "$(f res1 memory.high)" 59998208
if [ -n "$LOOP" ]; then
	if [ -e "$(cgdir res1)/io.weight" ]; then
		eq "blockIO.weight 500 -> io.weight default 4950" "$(f res1 io.weight | head -1)" "default 4950"
	else
		ok "# SKIP io.weight: no io.weight (blk-iocost) in this kernel"
	fi
	eq "throttle -> io.max" "$(f res1 io.max)" "$IODEV rbps=1048576 wbps=max riops=max wiops=100"
else
	ok "# SKIP io: no loop device"
fi
eq "the process is in the cgroup" "$(cat /proc/$(pid_of res1)/cgroup)" "0::/kapsel/res1"

# ---------------------------------------------------------------- update
check "update --memory 128m --memory-swap 256m --memory-reservation 64m" \
	K update --memory 128m --memory-swap 256m --memory-reservation 64m res1
eq "memory.max after update" "$(f res1 memory.max)" 134217728
eq "memory.swap.max after update" "$(f res1 memory.swap.max)" 134217728
eq "memory.low after update" "$(f res1 memory.low)" 67108864
check "update --cpu-quota 20000 --cpu-period 50000 --cpu-shares 2048" \
	K update --cpu-quota 20000 --cpu-period 50000 --cpu-shares 2048 res1
eq "cpu.max after update" "$(f res1 cpu.max)" "20000 50000"
eq "cpu.weight after update" "$(f res1 cpu.weight)" 79
check "update --cpuset-cpus 0-1 --pids-limit 50" K update --cpuset-cpus 0-$(( $(nproc) - 1 )) --pids-limit 50 res1
eq "cpuset.cpus after update" "$(f res1 cpuset.cpus)" "0-$(( $(nproc) - 1 ))"
eq "pids.max after update" "$(f res1 pids.max)" 50
check "update --memory -1 (unlimited)" K update --memory -1 res1
eq "memory.max after --memory -1" "$(f res1 memory.max)" max
echo '{"pids":{"limit":60},"memory":{"limit":104857600},"unified":{"memory.high":"90000000"}}' >"$T/upd.json"
check "update -r FILE" K update -r "$T/upd.json" res1
eq "pids.max after -r" "$(f res1 pids.max)" 60
eq "memory.max after -r" "$(f res1 memory.max)" 104857600
eq "memory.high after -r" "$(f res1 memory.high)" 89997312
check "update -r - (stdin)" sh -c "echo '{\"pids\":{\"limit\":70}}' | \"$KAPSEL\" --root \"$ROOT\" update -r - res1"
eq "pids.max after -r -" "$(f res1 pids.max)" 70
if [ -n "$LOOP" ]; then
	check "update --blkio-weight 1000" K update --blkio-weight 1000 res1
	[ -e "$(cgdir res1)/io.weight" ] && eq "io.weight after update" "$(f res1 io.weight | head -1)" "default 10000"
fi
if K update --cpu-rt-runtime 1000 res1 >"$T/out" 2>&1; then not_ok "update --cpu-rt-runtime refused"; else
	check "update --cpu-rt-runtime refused, naming the field" grep -q realtimeRuntime "$T/out"; fi
if K update --memory 1x res1 >"$T/out" 2>&1; then not_ok "update --memory 1x refused"; else ok "update --memory 1x refused"; fi
eq "a refused update changed nothing" "$(f res1 pids.max)" 70

# ---------------------------------------------------------------- ps, events --stats
check "ps lists the container's sleep" sh -c "\"$KAPSEL\" --root \"$ROOT\" ps res1 | grep -q 'sleep 1000'"
check "ps -- -o pid,comm" sh -c "\"$KAPSEL\" --root \"$ROOT\" ps res1 -- -o pid,comm | grep -q sleep"
eq "ps --format json = [init pid]" "$(K ps --format json res1)" "[$(pid_of res1)]"
K events --stats res1 >"$T/stats" 2>&1
check "events --stats: one stats line" jq -e '.type == "stats" and .id == "res1"' "$T/stats"
check "events --stats: cpu, memory, pids numbers" jq -e '.data.cpu.usage.total > 0 and
	.data.memory.usage.usage > 0 and .data.memory.usage.limit == 104857600 and
	.data.pids.current == 1 and .data.pids.limit == 70 and (.data.memory.raw.anon != null)' "$T/stats"
check "events --stats: blkio section" jq -e '.data.blkio.ioServiceBytesRecursive != null' "$T/stats"
timeout 5 "$KAPSEL" --root "$ROOT" events --interval 1s res1 >"$T/ev" 2>&1
check "events --interval 1s streams stats" test "$(grep -c '"type":"stats"' "$T/ev")" -ge 2
check "delete --force a running container" K delete --force res1
check "its cgroup is gone" test ! -e "$(cgdir res1)"

# ---------------------------------------------------------------- effects
# pids: a fork bomb stops at pids.max.
check "pids: start with pids.limit 10" start_ctr pids pids '{"pids":{"limit":10}}' \
	'sh -c "for i in \$(seq 30); do sleep 100 & done" 2>/shared/pids.err; echo loopdone >/shared/pids.n; exec sleep 1000'
wait_for 20 test -s "$T/shared/pids.n"
check "pids: forks beyond pids.max failed" grep -qi "fork\|resource" "$T/shared/pids.err"
check "pids: pids.current never above 10 ($(f pids pids.current))" test "$(f pids pids.current)" -le 10
check "pids: pids.events counts the refused forks" test "$(awk '/^max/ {print $2}' "$(cgdir pids)/pids.events")" -gt 0
check "pids: delete --force" K delete --force pids

# memory: a hog over memory.max is OOM-killed; events reports it.
check "memory: start a hog with memory.limit 32M" start_ctr oom oom '{"memory":{"limit":33554432,"swap":33554432}}' \
	'sleep 3; x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived >/shared/oom'
"$KAPSEL" --root "$ROOT" events --interval 1s oom >"$T/oom.ev" 2>&1 &
evpid=$!
wait_for 60 is_status oom stopped
eq "memory: the hog was OOM-killed" "$(cat "$(cgdir oom)/memory.events" | awk '/^oom_kill/ {print ($2 > 0)}')" 1
check "memory: it did not survive" test ! -e "$T/shared/oom"
wait_for 5 sh -c "! kill -0 $evpid 2>/dev/null"
kill $evpid 2>/dev/null
check "events: reported the oom" grep -q '{"type":"oom","id":"oom"}' "$T/oom.ev"
check "memory: delete" K delete oom

# devices: a node without a driver (42:0): ENXIO when allowed, EPERM when denied.
mknod "$T/devtest/c42" c 42 0
chmod 666 "$T/devtest/c42"
check "devices: start with the default deny-all" start_ctr dev1 dev1 '{}' \
	'cat /devtest/c42 2>/shared/dev1; cat /dev/null && echo null-ok >>/shared/dev1; sleep 1000'
wait_for 10 grep -q null-ok "$T/shared/dev1"
check "devices: denied node -> EPERM" grep -q "Operation not permitted" "$T/shared/dev1"
check "devices: /dev/null still allowed" grep -q null-ok "$T/shared/dev1"
check "devices: delete" K delete --force dev1
check "devices: start with c 42:0 allowed" start_ctr dev2 dev2 \
	'{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":42,"minor":0,"access":"rw"}]}' \
	'cat /devtest/c42 2>/shared/dev2; echo done >>/shared/dev2; sleep 1000'
wait_for 10 grep -q done "$T/shared/dev2"
check "devices: allowed node -> ENXIO (passes the filter)" grep -q "No such device" "$T/shared/dev2"
check "devices: delete" K delete --force dev2

# ---------------------------------------------------------------- pause / resume
check "pause: start a counter" start_ctr cnt cnt '{}' \
	'i=0; while true; do i=$((i+1)); echo $i >/shared/count; usleep 50000; done'
wait_for 10 test -s "$T/shared/count"
check "pause" K pause cnt
eq "status paused" "$(status_of cnt)" paused
eq "cgroup.freeze 1" "$(f cnt cgroup.freeze)" 1
a=$(cat "$T/shared/count"); sleep 1; b=$(cat "$T/shared/count")
eq "the counter stood still while paused" "$b" "$a"
if K pause cnt >/dev/null 2>&1; then not_ok "pause of a paused container refused"; else ok "pause of a paused container refused"; fi
check "resume" K resume cnt
eq "status running" "$(status_of cnt)" running
sleep 1; c=$(cat "$T/shared/count")
check "the counter moves again after resume ($b -> $c)" test "$c" -gt "$b"
if K resume cnt >/dev/null 2>&1; then not_ok "resume of a running container refused"; else ok "resume of a running container refused"; fi
check "pause again, then delete --force a paused container" sh -c "\"$KAPSEL\" --root \"$ROOT\" pause cnt && \"$KAPSEL\" --root \"$ROOT\" delete --force cnt"
check "its cgroup is gone" test ! -e "$(cgdir cnt)"

# ---------------------------------------------------------------- kill --all
check "kill --all: start a container with children" start_ctr ka ka '{}' \
	'sleep 1000 & sleep 1000 & sh -c "sleep 1000" & trap "" TERM; wait'
wait_for 10 nprocs_ge ka 4
check "kill --all KILL" K kill --all ka KILL
wait_for 10 nprocs_le ka 0
eq "every process is gone" "$(wc -l <"$(cgdir ka)/cgroup.procs")" 0
check "kill --all: delete" K delete ka
check "its cgroup is gone" test ! -e "$(cgdir ka)"

# ---------------------------------------------------------------- delete after kill -9
check "kill -9: start" start_ctr k9 k9 '{"pids":{"limit":20}}' 'sleep 1000 & sleep 1000'
wait_for 10 nprocs_ge k9 2
kill -9 "$(pid_of k9)"
wait_for 10 is_status k9 stopped
check "delete after kill -9 of the init (a child still in the cgroup)" K delete k9
check "no cgroup left after kill -9 + delete" test ! -e "$(cgdir k9)"

# ---------------------------------------------------------------- failed creates leave nothing
b=$(bundle bad '{"cpu":{"cpus":"0-250"}}' true)
if K create --bundle "$b" bad >"$T/out" 2>&1; then not_ok "create with cpuset.cpus the kernel refuses fails"
else check "create with cpuset.cpus the kernel refuses fails, naming the field" grep -q "linux.resources.cpu.cpus" "$T/out"; fi
check "... and leaves no cgroup" test ! -e "$(cgdir bad)"
check "... and no state" sh -c "! \"$KAPSEL\" --root \"$ROOT\" state bad >/dev/null 2>&1"
b=$(bundle bad2 '{"memory":{"limit":100,"swap":50}}' true)
if K create --bundle "$b" bad2 >"$T/out" 2>&1; then not_ok "create with swap < limit fails"
else check "create with swap < limit fails, naming the field" grep -q "memory.swap" "$T/out"; fi
check "... and leaves no cgroup" test ! -e "$(cgdir bad2)"
b=$(bundle cgp '{"pids":{"limit":5}}' 'sleep 1000')
jq '.linux.cgroupsPath = "/custom/deep/cgp"' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
check "cgroupsPath /custom/deep/cgp" sh -c "\"$KAPSEL\" --root \"$ROOT\" create --bundle $b cgp && \"$KAPSEL\" --root \"$ROOT\" start cgp"
eq "pids.max in /custom/deep/cgp" "$(cat "$CG/custom/deep/cgp/pids.max" 2>&1)" 5
check "delete removes /custom/deep/cgp" sh -c "\"$KAPSEL\" --root \"$ROOT\" delete --force cgp && test ! -e $CG/custom/deep/cgp"
rmdir "$CG/custom/deep" "$CG/custom" 2>/dev/null

# ---------------------------------------------------------------- 50 containers
# User processes only (kernel threads come and go): pid and command. The
# pipeline's own processes are children of this shell (a forked bash can be
# seen before it execs awk), so children of $$ are left out.
userprocs() {
	ps -e -o pid=,ppid=,comm= |
		awk -v self=$$ '$1 != 2 && $2 != 2 && $2 != self {print $1, $3}'
}
userprocs >"$T/ps.before"
mounts_before=$(wc -l </proc/self/mountinfo)
b=$(bundle many '{"pids":{"limit":10},"memory":{"limit":16777216}}' 'sleep 1000')
fails=0
for i in $(seq 50); do
	K create --bundle "$b" "m$i" >/dev/null 2>&1 && K start "m$i" >/dev/null 2>&1 || fails=$((fails + 1))
done
eq "50 containers created and started" "$fails" 0
eq "50 cgroups under /kapsel" "$(find "$CG"/kapsel -mindepth 1 -maxdepth 1 -type d -name 'm*' | wc -l)" 50
fails=0
for i in $(seq 50); do K delete --force "m$i" >/dev/null 2>&1 || fails=$((fails + 1)); done
eq "50 containers deleted" "$fails" 0
eq "no cgroup left (/kapsel removed with its last container)" "$(ls -d "$CG"/kapsel 2>/dev/null | wc -l)" 0
eq "no mount left" "$(wc -l </proc/self/mountinfo)" "$mounts_before"
sleep 0.5
userprocs >"$T/ps.after"
check "no process left" diff "$T/ps.before" "$T/ps.after"
eq "no state left" "$(ls "$ROOT" 2>/dev/null | wc -l)" 0

[ -n "$LOOP" ] && losetup -d "$LOOP"
done_testing
