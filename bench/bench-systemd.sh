#!/bin/bash
# create + start + delete of a container with limits (memory, pids, cpu)
# through the systemd cgroup driver, inside the test VM booted with systemd
# as PID 1: kapsel --systemd-cgroup vs kapsel's cgroupfs driver, and vs crun
# and runc with their --systemd-cgroup, interleaved round-robin. Prints
# medians and ratios. TCG makes absolute times meaningless against the host:
# read the ratios.
#   bench/bench-systemd.sh [ROUNDS]      (default 15)
#   KAPSEL=/path/to/kapsel (default ./kapsel of the current build dir)
set -u
ROUNDS=${1:-15}
here=$(cd "$(dirname "$0")" && pwd)
KAPSEL=${KAPSEL:-$PWD/kapsel}
export KAPSEL

if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ] ||
   ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	# On the host: run this very script inside the VM, systemd as PID 1.
	KAPSEL_VM_INIT=systemd exec "$here/../tests/vm/run-in-vm.sh" --cwd "$PWD" \
		bash "$here/bench-systemd.sh" "$ROUNDS"
fi
# crun and runc reach systemd through the D-Bus system bus (kapsel, as root,
# through systemd's private socket): start dbus-daemon for them.
systemctl start dbus.socket dbus.service || echo "bench: no dbus-daemon: crun/runc will be n/a"
T=$(mktemp -d /var/tmp/kapsel-bench.XXXXXX)
mkdir -p "$T/rootfs/bin"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for n in sh sleep true; do ln -s busybox "$T/rootfs/bin/$n"; done
(cd "$T" && "$KAPSEL" spec) || exit 1
# No cgroupsPath: each runtime names the scope after the id (kapsel-ID.scope,
# crun-ID.scope, runc-ID.scope in system.slice).
jq --arg r "$T/rootfs" '.root = {path: $r, readonly: true} | .process.terminal = false
	| .process.args = ["sleep", "1000"] | del(.linux.cgroupsPath)
	| .linux.resources += {memory: {limit: 67108864, swap: 134217728}, pids: {limit: 100},
			       cpu: {shares: 512, quota: 50000, period: 100000}}' \
	"$T/config.json" >"$T/c" && mv "$T/c" "$T/config.json"

now() { date +%s%N; }
one() { # one NAME ID RUNTIME [GLOBAL FLAGS]: ms for create+start+delete
	local name=$1 id=$2 rt=$3 t0 t1; shift 3
	local r=("$rt" --root "$T/state-$name" "$@")
	t0=$(now)
	"${r[@]}" create --bundle "$T" "$id" >/dev/null 2>"$T/err" &&
	"${r[@]}" start "$id" 2>>"$T/err" &&
	"${r[@]}" delete --force "$id" 2>>"$T/err" || { sed "s/^/$name: /" "$T/err" >&2; return 1; }
	t1=$(now)
	echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n | awk 'NR > 0 {a[NR] = $1} END {if (NR == 0) {printf "n/a"; exit}
	m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000}'; }

declare -A cmd=(
	[kapsel-fs]="$KAPSEL" [kapsel-sd]="$KAPSEL --systemd-cgroup"
	[crun-sd]="crun --systemd-cgroup" [runc-sd]="runc --systemd-cgroup"
)
names=(kapsel-fs kapsel-sd crun-sd runc-sd)
ok=()
for n in "${names[@]}"; do
	# shellcheck disable=SC2086
	if one "$n" warm ${cmd[$n]} >/dev/null; then ok+=("$n"); fi
	: >"$T/t-$n"
done
for i in $(seq "$ROUNDS"); do
	for n in "${ok[@]}"; do
		# shellcheck disable=SC2086
		one "$n" "b$i" ${cmd[$n]} >>"$T/t-$n" || true
	done
done
echo "create+start+delete with memory/pids/cpu limits, $ROUNDS rounds, systemd $(systemctl --version | awk 'NR == 1 {print $2}') as PID 1, inside the TCG VM:"
declare -A med
for n in "${names[@]}"; do
	med[$n]=$(median <"$T/t-$n")
	printf "  %-10s median %s ms\n" "$n" "${med[$n]}"
done
ratio() { awk -v a="${med[$1]}" -v b="${med[$2]}" -v l="$3" \
	'BEGIN {if (a == "n/a" || b == "n/a") printf "  %s n/a\n", l; else printf "  %s %.2f\n", l, a / b}'; }
ratio kapsel-sd kapsel-fs "kapsel --systemd-cgroup / kapsel (cgroupfs):"
ratio kapsel-sd crun-sd "kapsel --systemd-cgroup / crun --systemd-cgroup:"
ratio kapsel-sd runc-sd "kapsel --systemd-cgroup / runc --systemd-cgroup:"
left=$(systemctl list-units --all --no-legend --plain '*.scope' | awk '$1 ~ /^(kapsel|crun|runc)-/' | wc -l)
echo "  scopes left: $left; cgroups left under system.slice: $(find /sys/fs/cgroup/system.slice -mindepth 1 -maxdepth 1 -type d -name '*-b*.scope' | wc -l)"
rm -rf "$T"
