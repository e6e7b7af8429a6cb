#!/bin/bash
# On THIS kind of host (hybrid: cgroup v1 controllers, plus a cgroup2 at
# /sys/fs/cgroup/unified): every resource set through the v1 hierarchies and
# read back from the v1 files (hugetlb from cgroup2 when that is where the
# controller is), enforced (pids, memory, devices), update, pause/resume
# through the freezer, events --stats in runc's v1 layout, ps, exec, kill
# --all, kill -9 + delete and 50 containers leaving no directory in any
# hierarchy; v2-only settings refused with nothing made.
here=$(cd "$(dirname "$0")" && pwd)
CG=/sys/fs/cgroup
U=$CG/unified
. "$here/lib.sh"

if [ "$(id -u)" != 0 ] || [ "$(stat -f -c %T $U 2>/dev/null)" != cgroup2fs ] ||
   ! grep -q ' - cgroup cgroup .*\(memory\|pids\)' /proc/self/mountinfo; then
	echo "1..0 # SKIP needs root and a hybrid host (cgroup v1 controllers + cgroup2 at $U)"
	exit 77
fi
for c in cpu cpuacct cpuset memory pids freezer devices blkio; do
	if ! grep -q " - cgroup cgroup .*[,=]$c\(,\|$\)" /proc/self/mountinfo; then
		echo "1..0 # SKIP the v1 $c controller is not mounted here"
		exit 77
	fi
done
make_rootfs
echo "# kapsel: $KAPSEL, kernel $(uname -r)"
# Other kapsel users share this host's /kapsel: ids of ours only.
P=hyb$$
# v1dir CTRL "" ID: the container's dir in the hierarchy of CTRL
v1dir() {
	echo "$(grep ' - cgroup ' /proc/self/mountinfo | awk -v c="$1" '{
		n = split($NF, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) { print $5; exit } }')${2:-/kapsel/$3}"
}
# the hierarchies kapsel makes a dir in: every v1 one with a controller, and cgroup2
NHIER=$(( $(grep ' - cgroup ' /proc/self/mountinfo | awk '{print $NF}' |
	grep -cE '(^|,)(cpu|cpuacct|cpuset|memory|devices|freezer|net_cls|net_prio|blkio|perf_event|hugetlb|pids|rdma|misc)(,|$)') + 1 ))
f1() { cat "$(v1dir "$1" "" "$2")/$3" 2>&1; }          # f1 CTRL ID FILE
ours() { find $CG -mindepth 2 -maxdepth 4 -type d -name "$P-*" 2>/dev/null | sort; }

eq "features: cgroup v1 and v2" "$(K features | jq -c '[.linux.cgroup.v1, .linux.cgroup.v2]')" "[true,true]"

# ---------------------------------------------------------------- v2-only settings refused
b=$(bundle u2 '{"memory":{"limit":33554432},"unified":{"memory.high":"30000000"}}' true)
if K create --bundle "$b" $P-u2 >"$T/out" 2>&1; then not_ok "unified memory.high refused"; K delete --force $P-u2
else
	check "unified memory.high refused in one line naming the field" \
		grep -qx "kapsel: .*linux.resources.unified.memory.high: the memory controller is on cgroup v1 here ($CG/memory), which has no such file" "$T/out"
fi
eq "nothing left in any hierarchy" "$(ours)" ""
check "no state left" sh -c "! \"$KAPSEL\" --root \"$ROOT\" state $P-u2 >/dev/null 2>&1"

# ---------------------------------------------------------------- values after create
truncate -s 16M "$T/disk.img"
LOOP=$(losetup -f --show "$T/disk.img" 2>/dev/null || true)
IODEV=$( [ -n "$LOOP" ] && stat -L -c '%Hr:%Lr' "$LOOP")
IOMAJ=${IODEV%%:*}; IOMIN=${IODEV##*:}
RES='{
 "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
 "memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296, "kernelTCP": 16777216,
            "swappiness": 10, "disableOOMKiller": false},
 "pids": {"limit": 40},
 "hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]
}'
if [ -n "$LOOP" ]; then
	RES=$(echo "$RES" | jq --argjson ma "$IOMAJ" --argjson mi "$IOMIN" '.blockIO = {
		throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $ma, minor: $mi, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $ma, minor: $mi, rate: 300}],
		throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: 100}]}')
fi
R=$P-res
check "create+start with every resource" start_ctr $R res "$RES" 'echo started > /shared/res; exec sleep 1000'
eq "cpu.shares" "$(f1 cpu $R cpu.shares)" 512
eq "cpu.quota -> cpu.cfs_quota_us" "$(f1 cpu $R cpu.cfs_quota_us)" 50000
eq "cpu.period -> cpu.cfs_period_us" "$(f1 cpu $R cpu.cfs_period_us)" 100000
eq "cpu.cpus -> cpuset.cpus" "$(f1 cpuset $R cpuset.cpus)" 0
eq "cpu.mems -> cpuset.mems" "$(f1 cpuset $R cpuset.mems)" 0
eq "memory.limit -> memory.limit_in_bytes" "$(f1 memory $R memory.limit_in_bytes)" 67108864
eq "memory.reservation -> memory.soft_limit_in_bytes" "$(f1 memory $R memory.soft_limit_in_bytes)" 33554432
eq "memory.swap -> memory.memsw.limit_in_bytes (memory+swap, as is)" "$(f1 memory $R memory.memsw.limit_in_bytes)" 100663296
eq "memory.kernelTCP -> memory.kmem.tcp.limit_in_bytes" "$(f1 memory $R memory.kmem.tcp.limit_in_bytes)" 16777216
eq "memory.swappiness" "$(f1 memory $R memory.swappiness)" 10
eq "disableOOMKiller false: oom_kill_disable 0" "$(f1 memory $R memory.oom_control | awk '/^oom_kill_disable/ {print $2}')" 0
eq "pids.limit -> pids.max" "$(f1 pids $R pids.max)" 40
if grep -qw hugetlb $U/cgroup.controllers; then
	eq "hugepageLimits 2MB -> cgroup2 hugetlb.2MB.max (hugetlb is in cgroup2 here)" "$(cat $U/kapsel/$R/hugetlb.2MB.max 2>&1)" 4194304
else
	eq "hugepageLimits 2MB -> hugetlb.2MB.limit_in_bytes" "$(f1 hugetlb $R hugetlb.2MB.limit_in_bytes)" 4194304
fi
if [ -n "$LOOP" ]; then
	eq "throttleReadBpsDevice" "$(f1 blkio $R blkio.throttle.read_bps_device)" "$IODEV 1048576"
	eq "throttleWriteBpsDevice" "$(f1 blkio $R blkio.throttle.write_bps_device)" "$IODEV 2097152"
	eq "throttleReadIOPSDevice" "$(f1 blkio $R blkio.throttle.read_iops_device)" "$IODEV 300"
	eq "throttleWriteIOPSDevice" "$(f1 blkio $R blkio.throttle.write_iops_device)" "$IODEV 100"
else
	ok "# SKIP blkio throttle: no loop device"
fi
eq "devices: deny all, then the default devices" "$(f1 devices $R devices.list | tr '\n' ' ')" \
	"c *:* m b *:* m c 1:3 rwm c 1:5 rwm c 1:7 rwm c 1:8 rwm c 1:9 rwm c 5:0 rwm c 5:1 rwm c 5:2 rwm c 136:* rwm "
pid=$(pid_of $R)
for c in cpu cpuacct cpuset memory pids freezer devices blkio; do
	eq "the init is in $c:/kapsel/$R" "$(awk -F: -v c=$c '$2 == c {print $3}' /proc/$pid/cgroup)" "/kapsel/$R"
done
eq "... and in cgroup2 (0::/kapsel/$R)" "$(grep '^0::' /proc/$pid/cgroup)" "0::/kapsel/$R"

# ---------------------------------------------------------------- the container's /sys/fs/cgroup
# runc's v1 layout: a read-only tmpfs, each hierarchy showing the container's
# own cgroup (bound without a cgroup namespace, mounted afresh with one).
for ns in no cgroup; do
	b=$(bundle view$ns '{"memory":{"limit":33554432},"pids":{"limit":30}}' \
		'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; ls /sys/fs/cgroup | tr "\n" " "; echo; ls /sys/fs/cgroup/unified/cgroup.procs; mkdir /sys/fs/cgroup/memory/x 2>&1; touch /sys/fs/cgroup/y 2>&1; echo end')
	[ $ns = cgroup ] && { jq '.linux.namespaces += [{"type": "cgroup"}]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"; }
	K run --bundle "$b" $P-view$ns >"$T/view" 2>&1
	eq "inside (cgroup ns: $ns): its own memory limit and pids.max" "$(sed -n 1,2p "$T/view" | tr '\n' ' ')" "33554432 30 "
	check "inside (cgroup ns: $ns): memory, pids, freezer and unified there" \
		sh -c "sed -n 3p $T/view | grep -w memory | grep -w pids | grep -w freezer | grep -qw unified"
	check "inside (cgroup ns: $ns): unified is the cgroup2 view" grep -qx /sys/fs/cgroup/unified/cgroup.procs "$T/view"
	check "inside (cgroup ns: $ns): read-only" test "$(grep -c 'Read-only file system' "$T/view")" -eq 2
done

# ---------------------------------------------------------------- update
check "update --memory 128m --memory-swap 256m --memory-reservation 64m (swap raised first)" \
	K update --memory 128m --memory-swap 256m --memory-reservation 64m $R
eq "memory.limit_in_bytes after update" "$(f1 memory $R memory.limit_in_bytes)" 134217728
eq "memory.memsw.limit_in_bytes after update" "$(f1 memory $R memory.memsw.limit_in_bytes)" 268435456
eq "memory.soft_limit_in_bytes after update" "$(f1 memory $R memory.soft_limit_in_bytes)" 67108864
check "update --memory 32m --memory-swap 48m (lowered: limit first)" K update --memory 32m --memory-swap 48m $R
eq "memory.limit_in_bytes after lowering" "$(f1 memory $R memory.limit_in_bytes)" 33554432
eq "memory.memsw.limit_in_bytes after lowering" "$(f1 memory $R memory.memsw.limit_in_bytes)" 50331648
check "update --cpu-quota 20000 --cpu-period 50000 --cpu-share 2048" \
	K update --cpu-quota 20000 --cpu-period 50000 --cpu-share 2048 $R
eq "cpu.cfs_quota_us after update" "$(f1 cpu $R cpu.cfs_quota_us)" 20000
eq "cpu.cfs_period_us after update" "$(f1 cpu $R cpu.cfs_period_us)" 50000
eq "cpu.shares after update" "$(f1 cpu $R cpu.shares)" 2048
check "update --cpuset-cpus 0-N --pids-limit 50" K update --cpuset-cpus 0-$(( $(nproc) - 1 )) --pids-limit 50 $R
eq "cpuset.cpus after update" "$(f1 cpuset $R cpuset.cpus)" "0-$(( $(nproc) - 1 ))"
eq "pids.max after update" "$(f1 pids $R pids.max)" 50
check "update --memory -1 (unlimited, swap too)" K update --memory -1 $R
eq "memory.limit_in_bytes after --memory -1" "$(f1 memory $R memory.limit_in_bytes)" "$(cat $CG/memory/memory.limit_in_bytes)"
echo '{"pids":{"limit":60},"memory":{"limit":104857600,"swappiness":20,"disableOOMKiller":true}}' >"$T/upd.json"
check "update -r FILE" K update -r "$T/upd.json" $R
eq "pids.max after -r" "$(f1 pids $R pids.max)" 60
eq "memory.limit_in_bytes after -r" "$(f1 memory $R memory.limit_in_bytes)" 104857600
eq "memory.swappiness after -r" "$(f1 memory $R memory.swappiness)" 20
eq "disableOOMKiller: oom_kill_disable 1" "$(f1 memory $R memory.oom_control | awk '/^oom_kill_disable/ {print $2}')" 1
if K update -r <(echo '{"unified":{"pids.max":"5"}}') $R >"$T/out" 2>&1; then not_ok "update with a unified key refused"; else
	check "update with a unified key refused, naming it" grep -q "unified.pids.max: the pids controller is on cgroup v1" "$T/out"; fi
eq "a refused update changed nothing" "$(f1 pids $R pids.max)" 60

# ---------------------------------------------------------------- ps, events --stats
check "ps lists the container's sleep" sh -c "\"$KAPSEL\" --root \"$ROOT\" ps $R | grep -q 'sleep 1000'"
eq "ps --format json = [init pid]" "$(K ps --format json $R)" "[$pid]"
K events --stats $R >"$T/stats" 2>&1
check "events --stats: one stats line" jq -e --arg id $R '.type == "stats" and .id == $id' "$T/stats"
check "events --stats: runc's v1 numbers (cpuacct, memory.usage_in_bytes, pids)" jq -e '
	.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | length) > 0 and
	.data.memory.usage.usage > 0 and .data.memory.usage.limit == 104857600 and
	.data.memory.raw.rss != null and .data.memory.swap.limit > 0 and
	.data.pids.current == 1 and .data.pids.limit == 60' "$T/stats"
check "events --stats: throttling and blkio sections" jq -e '.data.cpu.throttling.periods != null and .data.blkio != null' "$T/stats"

# ---------------------------------------------------------------- exec
check "exec --detach sleep" K exec --detach $R sleep 999
for c in cpu cpuset memory pids freezer devices blkio; do
	eq "exec: the exec'd process joined $c" "$(wc -l <"$(v1dir $c "" $R)/cgroup.procs")" 2
done
eq "exec: ... and cgroup2" "$(wc -l <$U/kapsel/$R/cgroup.procs)" 2

# ---------------------------------------------------------------- pause / resume
check "pause" K pause $R
eq "status paused" "$(status_of $R)" paused
eq "freezer.state FROZEN" "$(f1 freezer $R freezer.state)" FROZEN
check "resume" K resume $R
eq "status running" "$(status_of $R)" running
eq "freezer.state THAWED" "$(f1 freezer $R freezer.state)" THAWED
check "pause again, then delete --force a paused container" sh -c "\"$KAPSEL\" --root \"$ROOT\" pause $R && \"$KAPSEL\" --root \"$ROOT\" delete --force $R"
eq "no directory left in any hierarchy" "$(ours)" ""

# ---------------------------------------------------------------- real-time, at the top level
# (a nested group needs RT runtime in every ancestor; runc sets only its own)
if [ -e $CG/cpu/cpu.rt_runtime_us ]; then
	b=$(bundle rt '{"cpu":{"realtimePeriod":1000000,"realtimeRuntime":10000}}' 'sleep 1000')
	jq --arg p "/$P-rt" '.linux.cgroupsPath = $p' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	check "cpu.realtime*: create with cgroupsPath /$P-rt" K create --bundle "$b" $P-rt
	eq "cpu.rt_period_us" "$(cat $CG/cpu/$P-rt/cpu.rt_period_us 2>&1)" 1000000
	eq "cpu.rt_runtime_us" "$(cat $CG/cpu/$P-rt/cpu.rt_runtime_us 2>&1)" 10000
	check "delete" K delete --force $P-rt
else
	ok "# SKIP cpu.rt_*: no RT group scheduling in this kernel"
fi

# ---------------------------------------------------------------- enforcement
check "pids: start with pids.limit 10" start_ctr $P-pids pids '{"pids":{"limit":10}}' \
	'sh -c "for i in \$(seq 30); do sleep 100 & done" 2>/shared/pids.err; echo loopdone >/shared/pids.n; exec sleep 1000'
wait_for 20 test -s "$T/shared/pids.n"
check "pids: forks beyond pids.max failed" grep -qi "fork\|resource" "$T/shared/pids.err"
check "pids: pids.current never above 10 ($(f1 pids $P-pids pids.current))" test "$(f1 pids $P-pids pids.current)" -le 10
check "pids: pids.events counts the refused forks" test "$(f1 pids $P-pids pids.events | awk '/^max/ {print $2}')" -gt 0
check "pids: delete --force" K delete --force $P-pids

check "memory: start a hog with memory.limit 32M (no swap)" start_ctr $P-oom oom '{"memory":{"limit":33554432,"swap":33554432}}' \
	'sleep 2; x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived >/shared/oom'
"$KAPSEL" --root "$ROOT" events --interval 1s $P-oom >"$T/oom.ev" 2>&1 &
evpid=$!
wait_for 60 is_status $P-oom stopped
eq "memory: OOM-killed (memory.oom_control oom_kill)" "$(f1 memory $P-oom memory.oom_control | awk '/^oom_kill / {print ($2 > 0)}')" 1
check "memory: it did not survive" test ! -e "$T/shared/oom"
wait_for 5 sh -c "! kill -0 $evpid 2>/dev/null"
kill $evpid 2>/dev/null
check "events: reported the oom" grep -q "{\"type\":\"oom\",\"id\":\"$P-oom\"}" "$T/oom.ev"
check "memory: delete" K delete $P-oom

# disableOOMKiller: the hog is not killed but stopped under OOM; events
# reports it all the same (the memory.oom_control eventfd, as runc).
check "memory: start a hog with disableOOMKiller" start_ctr $P-oom2 oom2 \
	'{"memory":{"limit":33554432,"swap":33554432,"disableOOMKiller":true}}' \
	'sleep 2; x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived >/shared/oom2'
timeout 30 "$KAPSEL" --root "$ROOT" events --interval 1s $P-oom2 >"$T/oom2.ev" 2>&1 &
evpid=$!
wait_for 30 sh -c "grep -q '^under_oom 1' $(v1dir memory "" $P-oom2)/memory.oom_control"
eq "memory: under_oom, nothing killed" "$(f1 memory $P-oom2 memory.oom_control | tr '\n' ' ')" "oom_kill_disable 1 under_oom 1 oom_kill 0 "
wait_for 10 grep -q '"type":"oom"' "$T/oom2.ev"
check "events: reported the oom that killed nothing" grep -q "{\"type\":\"oom\",\"id\":\"$P-oom2\"}" "$T/oom2.ev"
check "memory: delete --force a container stuck under OOM" K delete --force $P-oom2
wait_for 5 sh -c "! kill -0 $evpid 2>/dev/null"
kill $evpid 2>/dev/null
check "memory: it did not survive" test ! -e "$T/shared/oom2"

mknod "$T/devtest/c42" c 42 0 && chmod 666 "$T/devtest/c42"
check "devices: start with the default deny-all" start_ctr $P-dev1 dev1 '{}' \
	'cat /devtest/c42 2>/shared/dev1; cat /dev/null && echo null-ok >>/shared/dev1; sleep 1000'
wait_for 10 grep -q null-ok "$T/shared/dev1"
check "devices: denied node -> EPERM" grep -q "Operation not permitted" "$T/shared/dev1"
check "devices: /dev/null still allowed" grep -q null-ok "$T/shared/dev1"
check "devices: delete" K delete --force $P-dev1
check "devices: start with c 42:0 allowed" start_ctr $P-dev2 dev2 \
	'{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":42,"minor":0,"access":"rw"}]}' \
	'cat /devtest/c42 2>/shared/dev2; echo done >>/shared/dev2; sleep 1000'
wait_for 10 grep -q done "$T/shared/dev2"
check "devices: allowed node -> ENXIO (passes v1 devices and the eBPF filter)" grep -q "No such device" "$T/shared/dev2"
check "devices: c 42:0 rw in devices.list" sh -c "cat $(v1dir devices "" $P-dev2)/devices.list | grep -qx 'c 42:0 rw'"
check "devices: delete" K delete --force $P-dev2

# ---------------------------------------------------------------- kill --all, kill -9
check "kill --all: start a container with children" start_ctr $P-ka ka '{}' \
	'sleep 1000 & sleep 1000 & sh -c "sleep 1000" & trap "" TERM; wait'
nprocs1() { wc -l <"$(v1dir memory "" $P-ka)/cgroup.procs" 2>/dev/null || echo -1; }
wait_for 10 sh -c "[ \$(wc -l <$(v1dir memory "" $P-ka)/cgroup.procs) -ge 4 ]"
check "kill --all KILL" K kill --all $P-ka KILL
wait_for 10 sh -c "[ \$(wc -l <$(v1dir memory "" $P-ka)/cgroup.procs) -eq 0 ]"
eq "every process is gone" "$(nprocs1)" 0
check "kill --all: delete" K delete $P-ka
check "kill -9: start" start_ctr $P-k9 k9 '{"pids":{"limit":20}}' 'sleep 1000 & sleep 1000'
wait_for 10 sh -c "[ \$(cat $(v1dir pids "" $P-k9)/pids.current) -ge 2 ]"
kill -9 "$(pid_of $P-k9)"
wait_for 10 is_status $P-k9 stopped
check "delete after kill -9 of the init" K delete $P-k9
eq "no directory left in any hierarchy after kill -9 + delete" "$(ours)" ""

# ---------------------------------------------------------------- cgroupsPath
b=$(bundle cgp '{"pids":{"limit":5},"memory":{"limit":16777216}}' 'sleep 1000')
jq --arg p "/$P-custom/deep/cgp" '.linux.cgroupsPath = $p' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
check "cgroupsPath /$P-custom/deep/cgp" sh -c "\"$KAPSEL\" --root \"$ROOT\" create --bundle $b $P-cgp && \"$KAPSEL\" --root \"$ROOT\" start $P-cgp"
eq "pids.max there" "$(cat $CG/pids/$P-custom/deep/cgp/pids.max 2>&1)" 5
eq "memory.limit_in_bytes there" "$(cat $CG/memory/$P-custom/deep/cgp/memory.limit_in_bytes 2>&1)" 16777216
check "delete removes it from every hierarchy" sh -c "\"$KAPSEL\" --root \"$ROOT\" delete --force $P-cgp && ! ls -d $CG/*/$P-custom/deep/cgp 2>/dev/null"
for d in $CG/*/$P-custom; do [ -d "$d" ] && rmdir "$d/deep" "$d"; done

# ---------------------------------------------------------------- failed creates leave nothing
b=$(bundle bad '{"pids":{"limit":5},"cpu":{"cpus":"0-250"}}' true)
jq --arg p "/$P-bad/deep/x" '.linux.cgroupsPath = $p' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
if K create --bundle "$b" $P-bad >"$T/out" 2>&1; then not_ok "cpuset.cpus the kernel refuses: create fails"; K delete --force $P-bad
else check "cpuset.cpus the kernel refuses: create fails, naming the field" grep -q "linux.resources.cpu.cpus" "$T/out"; fi
eq "... and leaves no directory in any hierarchy (cgroup2 included)" "$(ls -d $CG/*/$P-bad 2>/dev/null)" ""
check "... and no state" sh -c "! \"$KAPSEL\" --root \"$ROOT\" state $P-bad >/dev/null 2>&1"

# ---------------------------------------------------------------- pure v1
# A private mount namespace without the cgroup2 mount is a pure v1 host to
# kapsel (the host keeps its mount): limits, pause, stats, delete there.
b=$(bundle v1 '{"memory":{"limit":33554432},"pids":{"limit":20}}' 'sleep 1000')
KAPSEL=$KAPSEL ROOT=$ROOT unshare -m --propagation private bash -c '
	set -u
	umount /sys/fs/cgroup/unified || exit 1
	k() { "$KAPSEL" --root "$ROOT" "$@"; }
	k create --bundle "$1" "$2" && k start "$2" || exit 1
	pid=$(k state "$2" | jq .pid)
	grep -E "^[0-9]+:(memory|pids|freezer):" /proc/$pid/cgroup
	echo "limit $(cat /sys/fs/cgroup/memory/kapsel/$2/memory.limit_in_bytes)"
	k pause "$2" && echo "state $(k state "$2" | jq -r .status) $(cat /sys/fs/cgroup/freezer/kapsel/$2/freezer.state)"
	k resume "$2" && echo "state $(k state "$2" | jq -r .status)"
	k events --stats "$2" | jq -r "\"pids \(.data.pids.current) \(.data.pids.limit)\""
	k kill --all "$2" KILL
	for i in $(seq 100); do [ "$(k state "$2" | jq -r .status)" = stopped ] && break; sleep 0.1; done
	echo "after kill --all: $(k state "$2" | jq -r .status), $(wc -l </sys/fs/cgroup/memory/kapsel/$2/cgroup.procs) left"
	k delete "$2" && echo deleted
' sh "$b" $P-v1 >"$T/v1.out" 2>&1
eq "pure v1: in memory, pids and freezer cgroups" "$(grep -c ":/kapsel/$P-v1\$" "$T/v1.out")" 3
check "pure v1: memory.limit_in_bytes" grep -qx "limit 33554432" "$T/v1.out"
check "pure v1: pause through the freezer" grep -qx "state paused FROZEN" "$T/v1.out"
check "pure v1: resume" grep -qx "state running" "$T/v1.out"
check "pure v1: events --stats" grep -qx "pids 1 20" "$T/v1.out"
check "pure v1: kill --all (freeze, kill, thaw)" grep -qx "after kill --all: stopped, 0 left" "$T/v1.out"
check "pure v1: delete" grep -qx deleted "$T/v1.out"
eq "pure v1: nothing left in any hierarchy" "$(ours)" "" || sed 's/^/#   /' "$T/v1.out"

# ---------------------------------------------------------------- blkio weights
if [ -n "$LOOP" ]; then
	W='{"blockIO":{"weight":300,"weightDevice":[{"major":'$IOMAJ',"minor":'$IOMIN',"weight":200}]}}'
	wf=$(ls $CG/blkio/blkio.weight $CG/blkio/blkio.bfq.weight 2>/dev/null | head -1)
	if [ -n "$wf" ]; then
		check "blockIO.weight/weightDevice: create" start_ctr $P-bw bw "$W" 'sleep 1000'
		eq "blockIO.weight -> ${wf##*/}" "$(f1 blkio $P-bw ${wf##*/} | awk 'NR == 1 {print $NF}')" 300
		check "weightDevice -> ${wf##*/}_device" sh -c "cat $(v1dir blkio "" $P-bw)/${wf##*/}_device | grep -q '^$IODEV 200'"
		check "delete" K delete --force $P-bw
	else
		# no CFQ or BFQ scheduler: refused in one line, nothing left
		b=$(bundle bw "$W" true)
		if K create --bundle "$b" $P-bw >"$T/out" 2>&1; then not_ok "blockIO.weight refused without CFQ/BFQ"; K delete --force $P-bw
		else check "blockIO.weight refused without CFQ/BFQ, naming the field" \
			grep -qx "kapsel: .*linux.resources.blockIO.weight: this kernel has no $CG/blkio/blkio.weight.*" "$T/out"; fi
		eq "... nothing left in any hierarchy" "$(ours)" ""
	fi
fi

# ---------------------------------------------------------------- net_cls, net_prio
# Not mounted on these hosts: the check mounts them in a private mount
# namespace of its own (the host's mounts are not touched) and waits, after
# delete, for the kernel to drop the hierarchy's cgroups before unmounting
# it, so the hierarchy goes away with the mount.
if grep -q ' - cgroup .*net_cls' /proc/self/mountinfo; then
	NC=$(v1dir net_cls "" x); NC=${NC%/kapsel/x}; NP=$(v1dir net_prio "" x); NP=${NP%/kapsel/x}; NS=()
elif awk '$1 == "net_cls" && $2 == 0 {f = 1} END {exit !f}' /proc/cgroups; then
	NC=$T/netcls; NP=$NC; NS=(unshare -m --propagation private)
else
	NC=
fi
if [ -n "$NC" ]; then
	b=$(bundle net '{"network":{"classID":1048577,"priorities":[{"name":"lo","priority":5}]}}' 'sleep 1000')
	mkdir -p "$T/netcls"
	KAPSEL=$KAPSEL ROOT=$ROOT T=$T "${NS[@]}" bash -c '
		set -u
		if [ -n "$0" ]; then mount -t cgroup -o net_cls,net_prio kapsel-test "$1" || exit 1; fi
		"$KAPSEL" --root "$ROOT" create --bundle "$2" "$3" 2>&1 || exit 1
		cat "$1/kapsel/$3/net_cls.classid" >"$T/classid"
		cat "$4/kapsel/$3/net_prio.ifpriomap" >"$T/prio"
		"$KAPSEL" --root "$ROOT" delete --force "$3" || exit 1
		ls -d "$1/kapsel/$3" "$4/kapsel/$3" >"$T/netleft" 2>/dev/null
		if [ -n "$0" ]; then
			for i in $(seq 100); do
				awk "\$1 == "net_cls" && \$3 == 1 {f = 1} END {exit !f}" /proc/cgroups && break
				sleep 0.1
			done
			umount "$1"
		fi' "${NS[*]}" "$NC" "$b" $P-net "$NP" >"$T/net.out" 2>&1
	rc=$?
	eq "net_cls/net_prio: create, read, delete (private mount: ${NS[*]:-no})" "$rc" 0 || sed 's/^/#   /' "$T/net.out"
	eq "network.classID -> net_cls.classid" "$(cat "$T/classid" 2>&1)" 1048577
	check "network.priorities -> net_prio.ifpriomap" grep -qx "lo 5" "$T/prio"
	eq "... gone after delete" "$(cat "$T/netleft" 2>&1)" ""
else
	ok "# SKIP net_cls/net_prio: in use by another hierarchy we cannot see"
	b=$(bundle net '{"network":{"classID":1}}' true)
fi
if ! grep -q ' - cgroup .*net_cls' /proc/self/mountinfo; then
	if K create --bundle "$b" $P-net2 >"$T/out" 2>&1; then not_ok "network limits refused where net_cls is not mounted"; K delete --force $P-net2
	else check "network limits refused where net_cls is not mounted, naming the field" \
		grep -q "linux.resources.network.classID: the net_cls controller is not available" "$T/out"; fi
	eq "... nothing left" "$(ours)" ""
fi

# ---------------------------------------------------------------- 50 containers
b=$(bundle many '{"pids":{"limit":10},"memory":{"limit":16777216},"cpu":{"shares":256}}' 'sleep 1000')
fails=0
for i in $(seq 50); do
	K create --bundle "$b" "$P-m$i" >/dev/null 2>&1 && K start "$P-m$i" >/dev/null 2>&1 || fails=$((fails + 1))
done
eq "50 containers created and started" "$fails" 0
eq "50 dirs in each of the $NHIER hierarchies" "$(ours | wc -l)" $((50 * NHIER))
fails=0
for i in $(seq 50); do K delete --force "$P-m$i" >/dev/null 2>&1 || fails=$((fails + 1)); done
eq "50 containers deleted" "$fails" 0
eq "no directory left in any hierarchy" "$(ours)" ""
eq "no state left" "$(ls "$ROOT" 2>/dev/null | wc -l)" 0

# ---------------------------------------------------------------- in parallel
# Creates and deletes race on the shared /kapsel parent of every hierarchy
# (a delete removes it when it empties while a create is making it).
b=$(bundle par '{"pids":{"limit":10}}' true)
for w in 1 2 3 4 5 6; do
	( for i in 1 2 3 4; do
		K create --bundle "$b" "$P-p$w-$i" >/dev/null 2>"$T/par.$w.$i" && K delete --force "$P-p$w-$i" 2>>"$T/par.$w.$i" ||
			echo "$P-p$w-$i failed: $(cat "$T/par.$w.$i")"
	  done ) >"$T/par.$w" &
done
wait
eq "24 parallel create+delete: none failed" "$(cat "$T"/par.? | head -3)" ""
eq "... and nothing left in any hierarchy" "$(ours)" ""

[ -n "$LOOP" ] && losetup -d "$LOOP"
rm -rf "$T"
done_testing
