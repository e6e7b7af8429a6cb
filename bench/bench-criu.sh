#!/bin/bash
# checkpoint and restore of the same container (a busybox counter), kapsel vs
# runc vs crun, interleaved, inside the test VM (CRIU fails `criu check` on
# the build hosts' kernel). Each round: run -d, checkpoint (which stops it),
# restore -d, delete -f; the checkpoint and the restore are timed. Prints
# medians and the ratios kapsel/runc and kapsel/crun; a runtime that cannot
# checkpoint (crun 1.8.1 is built without CRIU) is shown as n/a. TCG makes
# absolute times meaningless against the host: read the ratios.
#   bench/bench-criu.sh [ROUNDS]      (default 5)
#   KAPSEL=/path/to/kapsel (default ./kapsel of the current build dir)
set -u
ROUNDS=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
KAPSEL=${KAPSEL:-$PWD/kapsel}
export KAPSEL

if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	# On the host: run this very script inside the VM.
	exec "$here/../tests/vm/run-in-vm.sh" --cwd "$PWD" bash "$here/bench-criu.sh" "$ROUNDS"
fi
command -v criu >/dev/null || PATH=$PATH:/usr/sbin
command -v criu >/dev/null || { echo "bench: criu not installed"; exit 77; }
T=$(mktemp -d /var/tmp/kapsel-bench.XXXXXX)
mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/dev" "$T/rootfs/sys" "$T/rootfs/data"
cp "$(command -v busybox)" "$T/rootfs/bin/busybox"
for n in sh sleep mv; do ln -s busybox "$T/rootfs/bin/$n"; done
(cd "$T" && "$KAPSEL" spec) || exit 1
jq --arg r "$T/rootfs" '.root = {path: $r, readonly: false} | .process.terminal = false
	| .process.args = ["sh", "-c", "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >/data/n; sleep 0.2; done"]' \
	"$T/config.json" >"$T/c" && mv "$T/c" "$T/config.json"

now() { date +%s%N; }
# one RUNTIME ID: "CHECKPOINT_MS RESTORE_MS", or nothing when it fails
one() {
	local rt=$1 id=$2 st t0 t1 t2
	st=$T/state-$(basename "$rt")
	rm -rf "$T/img"
	"$rt" --root "$st" run -d --bundle "$T" "$id" >/dev/null 2>"$T/err" || { cat "$T/err" >&2; return 1; }
	sleep 0.5
	t0=$(now)
	"$rt" --root "$st" checkpoint --image-path "$T/img" "$id" 2>>"$T/err" ||
		{ "$rt" --root "$st" delete -f "$id" 2>/dev/null; sed 1q "$T/err" >&2; return 1; }
	t1=$(now)
	(cd "$T" && "$rt" --root "$st" restore -d --image-path "$T/img" --bundle "$T" "$id") \
		</dev/null >/dev/null 2>>"$T/err" || { sed 1q "$T/err" >&2; return 1; }
	t2=$(now)
	"$rt" --root "$st" delete -f "$id" >/dev/null 2>&1
	echo "$(( (t1 - t0) / 1000000 )) $(( (t2 - t1) / 1000000 ))"
}
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else print v[int((NR + 1) / 2)]}'; }

RTS=("$KAPSEL" "$(command -v runc || echo /usr/sbin/runc)" "$(command -v crun || echo /usr/bin/crun)")
NAMES=(kapsel runc crun)
declare -A ck rs
for r in $(seq "$ROUNDS"); do
	for i in 0 1 2; do
		[ -x "${RTS[$i]}" ] || continue
		out=$(one "${RTS[$i]}" "b$r-$i" 2>"$T/last-err") || { echo "# ${NAMES[$i]}: $(cat "$T/last-err")"; continue; }
		ck[$i]="${ck[$i]:-} ${out% *}"; rs[$i]="${rs[$i]:-} ${out#* }"
	done
done
echo "# checkpoint + restore of a busybox counter, $ROUNDS rounds, medians in ms ($(uname -r), TCG)"
printf '%-8s %12s %12s\n' runtime checkpoint restore
declare -a mc mr
for i in 0 1 2; do
	mc[$i]=$(tr ' ' '\n' <<<"${ck[$i]:-}" | grep . | median)
	mr[$i]=$(tr ' ' '\n' <<<"${rs[$i]:-}" | grep . | median)
	printf '%-8s %12s %12s\n' "${NAMES[$i]}" "${mc[$i]}" "${mr[$i]}"
done
ratio() { [ "$1" != n/a ] && [ "$2" != n/a ] && [ "$2" -gt 0 ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}' || echo n/a; }
for i in 1 2; do
	echo "kapsel/${NAMES[$i]}: checkpoint $(ratio "${mc[0]}" "${mc[$i]}"), restore $(ratio "${mr[0]}" "${mr[$i]}")"
done
rm -rf "$T"
