#!/usr/bin/env bash
# bench-lifecycle.sh: kapsel vs crun vs runc (Debian packages), interleaved in
# one run, on the same bundle (busybox-static rootfs, /bin/true):
#   run       `run` of /bin/true in the foreground (which deletes on exit)
#   create / start / delete   the phases separately (the wait for "stopped"
#             between start and delete is not timed)
# Prints medians, ratios vs crun and runc, peak RSS medians (/usr/bin/time
# -f %M, the runtime process and its children) and binary sizes.
#
# Same conditions for all three: crun 1.8.1 refuses this host's hybrid cgroup
# layout, so everything runs inside a private mount namespace (`unshare -m`)
# where /sys/fs/cgroup/unified is unmounted (the host keeps it); each runtime
# then uses its default cgroup manager on what is left (v1 here): all three
# make a directory in every v1 hierarchy and write the limits containerd and
# podman always send (cpu.shares, a pids limit) plus a memory limit
# (BENCH_LIMITS=0: none). The check run asserts each container really is in
# a cgroup of its own (memory hierarchy), so no runtime skips the work.
# BENCH_SAME_NS=0 runs kapsel and runc on the host as is, hybrid (kapsel then
# also makes its cgroup2 directory with the eBPF device filter; crun is
# still started in its own `unshare -m`, paying for it on every call).
#
# Interleaving: hyperfine runs one command's samples back to back, so a burst
# of load from the other helpers on this shared machine would hit one runtime
# only; a round-robin loop (order rotated every iteration) spreads it evenly.
#
# Environment: KAPSEL (default ./build/kapsel), N (iterations, default 30),
# RSS_N (peak RSS samples, default 10). A missing runtime shows n/a.
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
N=${N:-30}
RSS_N=${RSS_N:-10}
: "${KAPSEL:=$SRC/build/kapsel}"
SAME_NS=${BENCH_SAME_NS:-1}

if [ "$SAME_NS" = 1 ] && [ -z "${BENCH_INNER:-}" ]; then
	exec unshare -m --propagation private env BENCH_INNER=1 KAPSEL="$KAPSEL" bash "$0" "$@"
fi
if [ -n "${BENCH_INNER:-}" ] && mountpoint -q /sys/fs/cgroup/unified; then
	umount /sys/fs/cgroup/unified   # only in this private mount namespace
fi

declare -A BIN
BIN[kapsel]=$KAPSEL
BIN[crun]=$(command -v crun || true)
BIN[runc]=$(command -v runc || true)
RTS=(kapsel crun runc)

WORK=$(mktemp -d /tmp/kapsel-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	local rt id
	for rt in "${RTS[@]}"; do
		for id in $(ls "$WORK/root-$rt" 2>/dev/null); do
			rtcmd "$rt" delete --force "$id" >/dev/null 2>&1
		done
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# rt_argv RT: the command line prefix for RT in $CMD (crun in its own mount
# namespace when the others run on the host), with its own state root.
rt_argv() {
	CMD=()
	if [ "$1" = crun ] && [ "$SAME_NS" != 1 ]; then
		CMD=(unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh)
	fi
	CMD+=("${BIN[$1]}" --root "$WORK/root-$1")
}
rtcmd() {
	local CMD
	rt_argv "$1"; shift
	"${CMD[@]}" "$@"
}

# ---- the bundle: one config for all three ---------------------------------
B="$WORK/bundle"
mkdir -p "$B/rootfs"/{bin,proc,sys,dev,etc,tmp}
cp "$(command -v busybox)" "$B/rootfs/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -s busybox "$B/rootfs/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$B/rootfs/etc/passwd"
(cd "$B" && runc spec) || { echo "bench: runc spec failed" >&2; exit 1; }
# No cgroup namespace, so the check below sees the host's cgroup paths.
jq --argjson lim "$([ "${BENCH_LIMITS:-1}" = 1 ] && echo 1 || echo 0)" '
	.process.terminal = false | .process.args = ["/bin/true"]
	| .linux.namespaces |= map(select(.type != "cgroup"))
	| if $lim == 1 then .linux.resources += {cpu: {shares: 1024}, pids: {limit: 2048},
						 memory: {limit: 268435456}} else . end
' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds, no fork

# Check each runtime once (the container must really run: it prints a word);
# a failing one is n/a.
mkdir -p "$WORK/check"
cp -a "$B/rootfs" "$WORK/check/"
jq '.process.args = ["sh", "-c", "grep -q \"^[0-9]*:memory:/.\" /proc/self/cgroup && echo ran-ok"]' \
	"$B/config.json" >"$WORK/check/config.json"
declare -A OK ERRS
for rt in "${RTS[@]}"; do
	OK[$rt]=0; ERRS[$rt]=0
	if [ -z "${BIN[$rt]}" ] || [ ! -x "${BIN[$rt]}" ]; then
		echo "# $rt: binary not found (${BIN[$rt]:-not installed}): n/a"
		continue
	fi
	mkdir -p "$WORK/root-$rt"
	out=$(rtcmd "$rt" run --bundle "$WORK/check" "check-$rt" </dev/null 2>"$WORK/check.err")
	if [ "$out" = ran-ok ]; then
		OK[$rt]=1
	else
		echo "# $rt: a test container did not run in a memory cgroup of its own (stdout: '$(echo $out | head -c 80)', stderr: '$(tail -n1 "$WORK/check.err")'): n/a"
	fi
	rtcmd "$rt" delete --force "check-$rt" >/dev/null 2>&1
done

declare -A S   # S[rt.metric] = space-separated samples (µs or KB)
sample() { S[$1.$2]+="$3 "; }

# timed RT METRIC ARGS: runs the runtime, records the wall time in µs, or
# counts an error (a failed step is not a sample).
timed() {
	local rt=$1 m=$2 t0 t1 rc; shift 2
	local CMD
	rt_argv "$rt"
	t0=$(now); "${CMD[@]}" "$@" </dev/null >/dev/null 2>>"$WORK/errors-$rt"; rc=$?; t1=$(now)
	if [ $rc -eq 0 ]; then
		sample "$rt" "$m" $((t1 - t0))
	else
		ERRS[$rt]=$((ERRS[$rt] + 1))
	fi
}

one_round() {
	local rt=$1 i=$2 id k
	id="b$i-$rt"
	timed "$rt" run run --bundle "$B" "$id-r"
	rtcmd "$rt" delete --force "$id-r" >/dev/null 2>&1   # in case run left it
	timed "$rt" create create --bundle "$B" "$id"
	timed "$rt" start start "$id"
	for k in $(seq 200); do
		rtcmd "$rt" state "$id" 2>/dev/null | grep -q '"stopped"' && break
		sleep 0.005
	done
	timed "$rt" delete delete "$id"
	rtcmd "$rt" delete --force "$id" >/dev/null 2>&1
}

echo "# $N interleaved rounds (run; create, start, delete) per runtime..."
for i in $(seq "$N"); do
	# Rotate the order so no runtime always goes first.
	for j in 0 1 2; do
		rt=${RTS[$(((i + j) % 3))]}
		[ "${OK[$rt]}" = 1 ] && one_round "$rt" "$i"
	done
done
echo "# $RSS_N interleaved peak-RSS samples of run..."
for i in $(seq "$RSS_N"); do
	for j in 0 1 2; do
		rt=${RTS[$(((i + j) % 3))]}
		[ "${OK[$rt]}" = 1 ] || continue
		rt_argv "$rt"
		if /usr/bin/time -f %M -o "$WORK/rss" "${CMD[@]}" run --bundle "$B" "m$i-$rt" \
			</dev/null >/dev/null 2>&1; then
			sample "$rt" rss "$(tail -n1 "$WORK/rss")"
		fi
		rtcmd "$rt" delete --force "m$i-$rt" >/dev/null 2>&1
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A M
for rt in "${RTS[@]}"; do
	for m in run create start delete rss; do
		M[$rt.$m]=$(echo "${S[$rt.$m]:-}" | median)
	done
	if [ -n "${BIN[$rt]}" ] && [ -e "${BIN[$rt]}" ]; then
		M[$rt.size]=$(( $(stat -L -c %s "${BIN[$rt]}") / 1024 ))
	fi
done

for rt in "${RTS[@]}"; do
	if [ "${ERRS[$rt]}" -gt 0 ]; then
		echo "# $rt: ${ERRS[$rt]} failed steps (not counted), last: $(tail -n1 "$WORK/errors-$rt")"
	fi
done

ms() { [ -n "$1" ] && awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }' || echo n/a; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo n/a; }

echo
echo "medians of $N rounds (ms), peak RSS median of $RSS_N (KB), binary size (KB);"
echo "conditions: $([ "$SAME_NS" = 1 ] && echo "all three in one private mount ns without /sys/fs/cgroup/unified" || echo "kapsel and runc on the host, crun in its own mount ns")"
printf '%-8s %10s %10s %10s %10s %10s %10s\n' runtime "run" create start delete "rss KB" "size KB"
for rt in "${RTS[@]}"; do
	printf '%-8s %10s %10s %10s %10s %10s %10s\n' "$rt" "$(ms "${M[$rt.run]}")" "$(ms "${M[$rt.create]}")" \
		"$(ms "${M[$rt.start]}")" "$(ms "${M[$rt.delete]}")" "${M[$rt.rss]:-n/a}" "${M[$rt.size]:-n/a}"
done
echo
echo "ratios (runtime / reference; below 1 = faster or smaller)"
printf '%-16s %8s %8s %8s %8s %8s %8s\n' "" run create start delete rss size
for rt in "${RTS[@]}"; do
	for ref in crun runc; do
		[ "$rt" = "$ref" ] && continue
		printf '%-16s %8s %8s %8s %8s %8s %8s\n' "$rt / $ref" \
			"$(ratio "${M[$rt.run]}" "${M[$ref.run]}")" "$(ratio "${M[$rt.create]}" "${M[$ref.create]}")" \
			"$(ratio "${M[$rt.start]}" "${M[$ref.start]}")" "$(ratio "${M[$rt.delete]}" "${M[$ref.delete]}")" \
			"$(ratio "${M[$rt.rss]}" "${M[$ref.rss]}")" "$(ratio "${M[$rt.size]:-}" "${M[$ref.size]:-}")"
	done
done
