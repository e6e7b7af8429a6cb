#!/usr/bin/env bash
# bench-exec.sh: exec latency, kapsel vs crun vs runc (Debian packages),
# interleaved in one run: `exec ID /bin/true` into a running container
# (busybox-static rootfs, `sleep` as its process), foreground, wall time of
# the runtime command until it returned the exit code. Prints medians and
# ratios. Each runtime execs into its own container, started once.
#
# Same conditions for all three: crun 1.8.1 refuses this host's hybrid cgroup
# layout, so everything runs inside a private mount namespace (`unshare -m`)
# where /sys/fs/cgroup/unified is unmounted (the host keeps it), as
# shared/notes/anchors-here.md explains. Caveat (as in bench-lifecycle.sh):
# there kapsel, cgroup-v2 only, joins no cgroup while crun and runc write the
# exec'd pid into their v1 cgroups.
# Interleaved round-robin (order rotated each round) so load bursts from the
# other users of this machine hit all three alike.
#
# Environment: KAPSEL (default ./build/kapsel), N (rounds, default 40).
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
N=${N:-40}
: "${KAPSEL:=$SRC/build/kapsel}"
KAPSEL=$(realpath "$KAPSEL")

if [ -z "${BENCH_INNER:-}" ]; then
	exec unshare -m --propagation private env BENCH_INNER=1 KAPSEL="$KAPSEL" N="$N" bash "$0" "$@"
fi
mountpoint -q /sys/fs/cgroup/unified && umount /sys/fs/cgroup/unified   # this mount ns only

declare -A BIN
BIN[kapsel]=$KAPSEL
BIN[crun]=$(command -v crun || true)
BIN[runc]=$(command -v runc || true)
RTS=(kapsel crun runc)

WORK=$(mktemp -d /tmp/kapsel-bench-exec.XXXXXX)
chmod 755 "$WORK"
rtcmd() { local rt=$1; shift; "${BIN[$rt]}" --root "$WORK/root-$rt" "$@"; }
cleanup() {
	local rt
	for rt in "${RTS[@]}"; do
		[ -n "${BIN[$rt]}" ] && rtcmd "$rt" delete --force "bx-$rt" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

B="$WORK/bundle"
mkdir -p "$B/rootfs"/{bin,proc,sys,dev,etc,tmp}
cp "$(command -v busybox)" "$B/rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -s busybox "$B/rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$B/rootfs/etc/passwd"
(cd "$B" && runc spec) || { echo "bench: runc spec failed" >&2; exit 1; }
jq '.process.terminal = false | .process.args = ["sleep", "100000"]' "$B/config.json" >"$B/c" &&
	mv "$B/c" "$B/config.json"

# Start each runtime's container; check that exec really runs in it.
declare -A OK ERRS S
for rt in "${RTS[@]}"; do
	OK[$rt]=0; ERRS[$rt]=0; S[$rt]=""
	if [ -z "${BIN[$rt]}" ] || [ ! -x "${BIN[$rt]}" ]; then
		echo "# $rt: not installed: n/a"; continue
	fi
	mkdir -p "$WORK/root-$rt"
	if ! rtcmd "$rt" run --detach --bundle "$B" "bx-$rt" </dev/null >/dev/null 2>"$WORK/err"; then
		echo "# $rt: run --detach failed ($(tail -n1 "$WORK/err")): n/a"; continue
	fi
	out=$(rtcmd "$rt" exec "bx-$rt" sh -c 'echo exec-ok-$((6*7))' </dev/null 2>"$WORK/err")
	if [ "$out" = exec-ok-42 ]; then OK[$rt]=1; else
		echo "# $rt: exec check failed (out '$out', err '$(tail -n1 "$WORK/err")'): n/a"; fi
done

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds, no fork
echo "# $N interleaved rounds of exec /bin/true per runtime..."
for i in $(seq "$N"); do
	for j in 0 1 2; do
		rt=${RTS[$(((i + j) % 3))]}
		[ "${OK[$rt]}" = 1 ] || continue
		t0=$(now)
		rtcmd "$rt" exec "bx-$rt" /bin/true </dev/null >/dev/null 2>>"$WORK/errors-$rt"
		rc=$?; t1=$(now)
		if [ $rc -eq 0 ]; then S[$rt]+="$((t1 - t0)) "; else ERRS[$rt]=$((ERRS[$rt] + 1)); fi
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ms() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }' || echo n/a; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo n/a; }

declare -A M
for rt in "${RTS[@]}"; do
	M[$rt]=$(echo "${S[$rt]}" | median)
	[ "${ERRS[$rt]}" -gt 0 ] && echo "# $rt: ${ERRS[$rt]} failed execs (not counted), last: $(tail -n1 "$WORK/errors-$rt")"
done
echo
echo "exec /bin/true into a running container: median of $N (ms);"
echo "conditions: all three in one private mount ns without /sys/fs/cgroup/unified"
for rt in "${RTS[@]}"; do printf '%-8s %8s\n' "$rt" "$(ms "${M[$rt]}")"; done
echo
echo "ratios (below 1 = faster)"
for rt in "${RTS[@]}"; do
	for ref in crun runc; do
		[ "$rt" = "$ref" ] && continue
		printf '%-16s %8s\n' "$rt / $ref" "$(ratio "${M[$rt]}" "${M[$ref]}")"
	done
done
