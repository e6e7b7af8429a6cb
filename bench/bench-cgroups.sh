#!/bin/bash
# create + start + delete of a container WITH resources set (memory, pids,
# cpu), kapsel vs crun, interleaved, inside the test VM (pure cgroup2: the
# build hosts are hybrid, where crun refuses to run). Prints medians and the
# ratio kapsel/crun. TCG makes absolute times meaningless against the host:
# read the ratio.
#   bench/bench-cgroups.sh [ROUNDS]      (default 20)
#   KAPSEL=/path/to/kapsel (default ./kapsel of the current build dir)
set -u
ROUNDS=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
KAPSEL=${KAPSEL:-$PWD/kapsel}
export KAPSEL

if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	# On the host: run this very script inside the VM.
	exec "$here/../tests/vm/run-in-vm.sh" --cwd "$PWD" bash "$here/bench-cgroups.sh" "$ROUNDS"
fi
command -v crun >/dev/null || { echo "bench: crun not installed"; exit 77; }
T=$(mktemp -d /var/tmp/kapsel-bench.XXXXXX)
mkdir -p "$T/rootfs/bin"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for n in sh sleep true; do ln -s busybox "$T/rootfs/bin/$n"; done
(cd "$T" && "$KAPSEL" spec) || exit 1
jq --arg r "$T/rootfs" '.root = {path: $r, readonly: true} | .process.terminal = false
	| .process.args = ["sleep", "1000"]
	| .linux.resources += {memory: {limit: 67108864, swap: 134217728}, pids: {limit: 100},
			       cpu: {shares: 512, quota: 50000, period: 100000}}' \
	"$T/config.json" >"$T/c" && mv "$T/c" "$T/config.json"

now() { date +%s%N; }
one() { # one RUNTIME ID: ms for create+start+delete
	local rt=$1 id=$2 t0 t1
	t0=$(now)
	"$rt" --root "$T/state-$(basename "$rt")" create --bundle "$T" "$id" >/dev/null 2>"$T/err" &&
	"$rt" --root "$T/state-$(basename "$rt")" start "$id" 2>>"$T/err" &&
	"$rt" --root "$T/state-$(basename "$rt")" delete --force "$id" 2>>"$T/err" || { cat "$T/err" >&2; return 1; }
	t1=$(now)
	echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000}'; }

one "$KAPSEL" warm >/dev/null; one crun warm >/dev/null
: >"$T/k"; : >"$T/c"
for i in $(seq "$ROUNDS"); do
	one "$KAPSEL" "k$i" >>"$T/k" || exit 1
	one crun "c$i" >>"$T/c" || exit 1
done
mk=$(median <"$T/k"); mc=$(median <"$T/c")
echo "create+start+delete with memory/pids/cpu limits, $ROUNDS rounds, inside the TCG VM:"
echo "  kapsel median ${mk} ms"
echo "  crun   median ${mc} ms"
awk -v k="$mk" -v c="$mc" 'BEGIN {printf "  ratio kapsel/crun %.2f\n", k / c}'
leftover=$(find /sys/fs/cgroup -mindepth 1 -type d | wc -l)
echo "  cgroups left under /sys/fs/cgroup: $leftover"
rm -rf "$T"
