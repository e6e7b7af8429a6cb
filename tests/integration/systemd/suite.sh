#!/bin/bash
# The systemd cgroup driver (--systemd-cgroup): runs INSIDE the test VM booted
# with systemd as PID 1 (tests/vm/run-in-vm.sh with KAPSEL_VM_INIT=systemd).
# The container's scope is a unit systemd lists, holding the init; its cgroup
# is the scope's; limits read back from the cgroup files and `systemctl show`;
# update changes both; delete, kill -9 + delete, delete --force and 20 runs in
# a row leave no unit and no cgroup; bad input and no systemd fail with one
# line and leave nothing. Few systemctl calls: each costs ~0.5 s under TCG.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cgroups/lib.sh"

if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] ||
   ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo "1..0 # SKIP needs systemd as PID 1 on a pure cgroup2 (run it through tests/vm/run-in-vm.sh with KAPSEL_VM_INIT=systemd)"
	exit 77
fi
# The applets the containers run, not all ~400 (each ln costs under TCG).
mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/dev" "$T/rootfs/sys" "$T/rootfs/tmp" \
	"$T/rootfs/shared" "$T/rootfs/devtest"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for n in sh sleep true echo cat; do ln -s busybox "$T/rootfs/bin/$n"; done
echo "# kapsel: $KAPSEL, systemd $(systemctl --version | head -1), $(nproc) cpus"
KS() { K --systemd-cgroup "$@"; }
# Guest uptime at each section: where the VM's time goes.
tm() { echo "# $(cut -d' ' -f1 /proc/uptime) s uptime: $*"; }
SC=/sys/fs/cgroup

# sd_bundle NAME CGROUPSPATH RES CMD: a bundle with linux.cgroupsPath set.
sd_bundle() {
	local name=$1 cgp=$2 res=$3 b; shift 3
	b=$(bundle "$name" "$res" "$@") || return 1
	jq --arg p "$cgp" 'if $p == "" then del(.linux.cgroupsPath) else .linux.cgroupsPath = $p end' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	echo "$b"
}
# sd_start ID CGROUPSPATH RES CMD: create + start through systemd.
sd_start() {
	local id=$1 cgp=$2 res=$3 b; shift 3
	b=$(sd_bundle "$id" "$cgp" "$res" "$@") || return 1
	KS create --bundle "$b" "$id" </dev/null && KS start "$id"
}
# show UNIT PROPS: "Name=value" lines of systemctl show, one call.
show() { systemctl show -p "$2" "$1" 2>&1; }
prop() { echo "$1" | sed -n "s/^$2=//p"; }
# gone UNIT DIR: no unit loaded and no cgroup directory (systemd collects a
# stopped unit right after its job; wait a little for it, bounded).
gone() {
	local u=$1 d=$2
	for _ in $(seq 50); do
		[ "$(systemctl show -P LoadState "$u" 2>/dev/null)" = not-found ] && [ ! -e "$d" ] && return 0
		sleep 0.1
	done
	echo "unit $u: $(systemctl show -p LoadState -p ActiveState "$u" | tr '\n' ' '); dir $d: $( [ -e "$d" ] && echo exists || echo gone)"
	return 1
}
units_like() { systemctl list-units --all --no-legend --plain "$1" 2>/dev/null | awk '{print $1}'; }

# ---------------------------------------------------------------- a scope with limits
tm "a scope with limits"
U=kapsel-sd1.scope
D=$SC/system.slice/$U
RES='{"memory": {"limit": 67108864, "reservation": 33554432, "swap": 100663296},
      "pids": {"limit": 40},
      "cpu": {"shares": 1024, "quota": 50000, "period": 100000, "cpus": "0"}}'
check "create+start with --systemd-cgroup and limits" sd_start sd1 system.slice:kapsel:sd1 "$RES" \
	'echo started > /shared/sd1; exec sleep 1000'
eq "systemctl lists the scope, active and running" \
	"$(systemctl list-units --no-legend --plain $U | awk '{print $1, $2, $3, $4}')" "$U loaded active running"
P=$(show $U ControlGroup,Delegate,Slice,MemoryMax,MemoryLow,MemorySwapMax,TasksMax,CPUWeight,CPUQuotaPerSecUSec,CPUQuotaPeriodUSec,AllowedCPUs)
eq "its cgroup is /system.slice/$U" "$(prop "$P" ControlGroup)" "/system.slice/$U"
eq "the init is in the scope's cgroup" "$(cat /proc/$(pid_of sd1)/cgroup)" "0::/system.slice/$U"
eq "the scope holds the init" "$(cat $D/cgroup.procs)" "$(pid_of sd1)"
eq "Delegate=yes" "$(prop "$P" Delegate)" yes
eq "Slice=system.slice" "$(prop "$P" Slice)" system.slice
eq "MemoryMax" "$(prop "$P" MemoryMax)" 67108864
eq "memory.max" "$(cat $D/memory.max)" 67108864
eq "MemoryLow" "$(prop "$P" MemoryLow)" 33554432
eq "memory.low" "$(cat $D/memory.low)" 33554432
eq "MemorySwapMax (swap - memory)" "$(prop "$P" MemorySwapMax)" 33554432
eq "memory.swap.max" "$(cat $D/memory.swap.max)" 33554432
eq "TasksMax" "$(prop "$P" TasksMax)" 40
eq "pids.max" "$(cat $D/pids.max)" 40
eq "CPUWeight (shares 1024)" "$(prop "$P" CPUWeight)" 39
eq "cpu.weight" "$(cat $D/cpu.weight)" 39
eq "CPUQuotaPerSecUSec" "$(prop "$P" CPUQuotaPerSecUSec)" 500ms
eq "CPUQuotaPeriodUSec" "$(prop "$P" CPUQuotaPeriodUSec)" 100ms
eq "cpu.max" "$(cat $D/cpu.max)" "50000 100000"
eq "AllowedCPUs" "$(prop "$P" AllowedCPUs)" 0
eq "cpuset.cpus" "$(cat $D/cpuset.cpus)" 0
eq "memory.oom.group (a file only)" "$(cat $D/memory.oom.group)" 1
eq "state.json records the scope's cgroup" \
	"$(jq -r '[.cgroup_path, .systemd_cgroup] | @tsv' "$ROOT/sd1/state.json")" "/system.slice/$U	true"

# ---------------------------------------------------------------- update: unit and files
tm "update: unit and files"
NCPU=$(nproc)
check "update --memory 128m --memory-swap 256m --pids-limit 50 --cpu-quota 20000 --cpu-period 50000 --cpuset-cpus 0-$((NCPU - 1))" \
	K update --memory 128m --memory-swap 256m --pids-limit 50 --cpu-quota 20000 --cpu-period 50000 \
	--cpuset-cpus "0-$((NCPU - 1))" sd1
P=$(show $U MemoryMax,MemorySwapMax,TasksMax,CPUQuotaPerSecUSec,CPUQuotaPeriodUSec,AllowedCPUs)
eq "MemoryMax after update" "$(prop "$P" MemoryMax)" 134217728
eq "memory.max after update" "$(cat $D/memory.max)" 134217728
eq "MemorySwapMax after update" "$(prop "$P" MemorySwapMax)" 134217728
eq "memory.swap.max after update" "$(cat $D/memory.swap.max)" 134217728
eq "TasksMax after update" "$(prop "$P" TasksMax)" 50
eq "pids.max after update" "$(cat $D/pids.max)" 50
eq "CPUQuotaPerSecUSec after update" "$(prop "$P" CPUQuotaPerSecUSec)" 400ms
eq "CPUQuotaPeriodUSec after update" "$(prop "$P" CPUQuotaPeriodUSec)" 50ms
eq "cpu.max after update" "$(cat $D/cpu.max)" "20000 50000"
eq "AllowedCPUs after update" "$(prop "$P" AllowedCPUs)" "0-$((NCPU - 1))"
eq "cpuset.cpus after update" "$(cat $D/cpuset.cpus)" "0-$((NCPU - 1))"
# systemd re-applies its properties on daemon-reload: they must be ours.
check "daemon-reload" systemctl daemon-reload
eq "memory.max after daemon-reload" "$(cat $D/memory.max)" 134217728
eq "pids.max after daemon-reload" "$(cat $D/pids.max)" 50
check "update with a bad value changes nothing" sh -c "! \"$KAPSEL\" --root \"$ROOT\" update --cpu-period 5 sd1"
eq "TasksMax after a refused update" "$(systemctl show -P TasksMax $U)" 50

# ---------------------------------------------------------------- pause, exec, ps in the scope
tm "pause, exec, ps in the scope"
check "pause" K pause sd1
eq "cgroup.freeze in the scope" "$(cat $D/cgroup.freeze)" 1
check "resume" K resume sd1
check "exec joins the scope" sh -c "\"$KAPSEL\" --root \"$ROOT\" exec sd1 sh -c 'sleep 1000' & sleep 0; \
	for i in \$(seq 100); do [ \$(wc -l < $D/cgroup.procs) -ge 2 ] && exit 0; sleep 0.1; done; exit 1"
eq "ps lists the init and the exec'd process" "$(K ps --format json sd1 2>/dev/null | jq length)" 2

# ---------------------------------------------------------------- delete
tm "delete"
check "kill + delete" sh -c "\"$KAPSEL\" --root \"$ROOT\" kill --all sd1 KILL"
wait_for 10 is_status sd1 stopped
check "delete" K delete sd1
check "delete: no unit and no cgroup left" gone $U $D

check "kill -9 of the init: start" sd_start sd2 "" '{}' 'sleep 1000'
U2=kapsel-sd2.scope
eq "no cgroupsPath: kapsel-ID.scope in system.slice" "$(systemctl show -P ControlGroup $U2)" "/system.slice/$U2"
kill -9 "$(pid_of sd2)"
wait_for 10 is_status sd2 stopped
check "kill -9 of the init: delete" K delete sd2
check "kill -9 + delete: no unit and no cgroup left" gone $U2 $SC/system.slice/$U2

check "delete --force: start" sd_start sd3 machine.slice:kt:sd3 '{"pids": {"limit": 20}}' \
	'sleep 1000 & sleep 1000'
U3=kt-sd3.scope
eq "another slice: machine.slice" "$(systemctl show -P ControlGroup $U3)" "/machine.slice/$U3"
check "delete --force a running container" K delete --force sd3
check "delete --force: no unit and no cgroup left" gone $U3 $SC/machine.slice/$U3

# ---------------------------------------------------------------- 20 in a row
tm "20 in a row"
b=$(sd_bundle many "" '{"pids": {"limit": 10}}' true)
fails=0
for i in $(seq 20); do
	KS run --bundle "$b" "many$i" </dev/null >/dev/null 2>"$T/many.err" || { fails=$((fails + 1)); cat "$T/many.err"; }
done
eq "20 runs of true with --systemd-cgroup" "$fails" 0
eq "20 runs: no kapsel unit left" "$(units_like 'kapsel-many*')" ""
eq "20 runs: no cgroup left" "$(ls -d $SC/system.slice/kapsel-many* 2>/dev/null)" ""

# ---------------------------------------------------------------- bad input
tm "bad input"
# one_line_fail DESC CMD...: fails, with exactly one line on stderr.
one_line_fail() {
	local d=$1; shift
	if "$@" >"$T/out" 2>"$T/err" </dev/null; then
		not_ok "$d: succeeded"
	elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
		not_ok "$d: $(wc -l <"$T/err") lines"; sed 's/^/#   /' "$T/err"
	else
		ok "$d: $(cat "$T/err")"
	fi
}
b=$(sd_bundle bad1 /kapsel/plain '{}' true)
one_line_fail "a plain cgroupsPath with --systemd-cgroup" KS run --bundle "$b" bad1
b=$(sd_bundle bad2 system.slice:kapsel:bad2 '{}' true)
one_line_fail "no systemd to talk to" unshare -m sh -c \
	"mount -t tmpfs tmpfs /run/systemd && exec \"$KAPSEL\" --root \"$ROOT\" --systemd-cgroup run --bundle $b bad2"
check "a unit of the same name: start the first" sd_start dup1 system.slice:kt:dup '{}' 'sleep 1000'
b=$(sd_bundle dup2 system.slice:kt:dup '{}' true)
one_line_fail "a unit of the same name: the second is refused" KS run --bundle "$b" dup2
eq "the first container's scope is untouched" "$(systemctl show -P ActiveState kt-dup.scope)" active
eq "the first container still runs" "$(status_of dup1)" running
check "delete --force the first" K delete --force dup1
eq "bad input: no state left" "$(ls "$ROOT")" ""
eq "bad input: no unit left" "$(units_like 'kapsel-bad*'; units_like 'kt-*')" ""
eq "bad input: no cgroup left" "$(ls -d $SC/system.slice/kapsel-bad* $SC/system.slice/kt-* 2>/dev/null)" ""

# ---------------------------------------------------------------- rootless: systemd --user
tm "rootless"
# A user with its own manager (user@UID.service, Delegate=pids memory cpu);
# kapsel run by that user reaches it through $XDG_RUNTIME_DIR/systemd/private.
# The user's kapsel runs outside the user's own subtree (in this test's
# service), so the user manager cannot move the init into the scope itself:
# it asks PID 1 (AttachProcessesToUnit) over the D-Bus system bus, as on any
# desktop or server. Hence dbus-daemon, started before the user manager.
RUID=4242
XR=/run/user/$RUID
US() { setpriv --reuid=$RUID --regid=$RUID --clear-groups env -i PATH="$PATH" HOME=/ \
	XDG_RUNTIME_DIR=$XR "$@"; }
RK() { US "$KAPSEL" --systemd-cgroup "$@"; }
RL_OK=false
if useradd -M -d / -s /bin/sh -u $RUID -U kt-sd && systemctl start dbus.socket dbus.service &&
   timeout 120 systemctl start user@$RUID.service; then
	ok "rootless: the user's systemd is running"
	RL_OK=true
else
	not_ok "rootless: start user@$RUID.service"
	systemctl status --no-pager user@$RUID.service 2>&1 | sed 's/^/#   /' | head -20
fi
if $RL_OK; then
	chmod 755 "$T"
	mkdir "$T/rl" && chown $RUID:$RUID "$T/rl"
	US sh -c "cd $T/rl && \"$KAPSEL\" spec --rootless"
	jq --arg r "$T/rootfs" '.root = {path: $r, readonly: true} | .process.terminal = false
		| .process.args = ["sleep", "1000"]
		| .linux.resources = {memory: {limit: 67108864}, pids: {limit: 30}}' \
		"$T/rl/config.json" >"$T/rl/c" && mv "$T/rl/c" "$T/rl/config.json" && chmod 644 "$T/rl/config.json"
	check "rootless: create with --systemd-cgroup" RK create --bundle "$T/rl" rl1
	check "rootless: start" RK start rl1
	RU=kapsel-rl1.scope
	RP=$(US systemctl --user show -p ControlGroup,MemoryMax,TasksMax,Delegate,ActiveState $RU 2>&1)
	RCG=$(prop "$RP" ControlGroup)
	eq "rootless: the scope is active in the user's manager" "$(prop "$RP" ActiveState)" active
	eq "rootless: its cgroup is in user@$RUID.service" "$RCG" \
		"/user.slice/user-$RUID.slice/user@$RUID.service/user.slice/$RU"
	RPID=$(RK state rl1 2>/dev/null | jq -r .pid)
	eq "rootless: the init is in the scope" "$(cat /proc/$RPID/cgroup 2>&1)" "0::$RCG"
	eq "rootless: Delegate=yes" "$(prop "$RP" Delegate)" yes
	eq "rootless: MemoryMax" "$(prop "$RP" MemoryMax)" 67108864
	eq "rootless: memory.max" "$(cat "$SC$RCG/memory.max" 2>&1)" 67108864
	eq "rootless: TasksMax" "$(prop "$RP" TasksMax)" 30
	eq "rootless: pids.max" "$(cat "$SC$RCG/pids.max" 2>&1)" 30
	check "rootless: update --pids-limit 40" RK update --pids-limit 40 rl1
	eq "rootless: TasksMax after update" "$(US systemctl --user show -P TasksMax $RU 2>&1)" 40
	eq "rootless: pids.max after update" "$(cat "$SC$RCG/pids.max" 2>&1)" 40
	check "rootless: delete --force" RK delete --force rl1
	for _ in $(seq 50); do [ ! -e "$SC$RCG" ] && break; sleep 0.1; done
	eq "rootless: no unit left" "$(US systemctl --user show -P LoadState $RU 2>&1)" not-found
	eq "rootless: no cgroup left" "$( [ -e "$SC$RCG" ] && echo "$SC$RCG exists")" ""
	eq "rootless: no state left" "$(ls $XR/kapsel 2>&1)" ""
	# Never a blocking stop of a user manager (it can hang the run): kill it.
	systemctl kill -s KILL user@$RUID.service
	systemctl stop --no-block user@$RUID.service
fi

# ---------------------------------------------------------------- the host is clean
tm "the host is clean"
eq "no kapsel or kt- scope left at all" "$(units_like '*.scope' | grep -E '^(kapsel|kt)-')" ""
rm -rf "$T"
done_testing
