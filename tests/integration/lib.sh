# Shared helpers for the integration tests (sourced, not run).
#
# The runtime under test is $KAPSEL (default: the kapsel binary in the build
# dir), so `KAPSEL=/usr/sbin/runc make check` runs the same tests against runc.
# Every test script:
#   . "$(dirname "$0")/lib.sh"; kt_init
#   make_bundle b1; cfg b1 '.hostname = "x"'; ctr_sh b1 'hostname'; assert_eq ...
#   kt_finish            # host-clean check, summary line, exit status
# Output is TAP-like ("ok N - ...", "not ok N - ...") and ends with
# "N passed, N failed". Exit 0 when all pass, 1 on any failure, 77 to skip.

set -u

KT_NAME=$(basename "$0" .sh)
KT_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${abs_top_builddir:=/tmp/kapsel-tests-cache}"
: "${KAPSEL:=$abs_top_builddir/kapsel}"
KT_TIMEOUT=${KT_TIMEOUT:-20}
KT_PASS=0
KT_FAIL=0
KT_N=0
KT_IDN=0
KT_NETNS=()
KT_HOSTMOUNTS=()

# Under CI (CI=true, run as root on a clean machine) a skip hides a broken
# environment: it fails instead.
kt_skip() {
	if [ "${CI:-}" = true ]; then
		echo "Bail out! $KT_NAME: would skip under CI: $*"
		exit 1
	fi
	echo "SKIP: $KT_NAME: $*"
	exit 77
}

kt_bail() {
	echo "Bail out! $KT_NAME: $*"
	kt_cleanup
	exit 1
}

# ---- results -------------------------------------------------------------

t_pass() {
	KT_N=$((KT_N + 1)); KT_PASS=$((KT_PASS + 1))
	echo "ok $KT_N - $1"
}

# t_fail DESC DETAIL...: the detail (multi-line) is indented under the line.
t_fail() {
	local desc=$1; shift
	KT_N=$((KT_N + 1)); KT_FAIL=$((KT_FAIL + 1))
	echo "not ok $KT_N - $desc"
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" | sed 's/^/#   /' | head -n 40
	fi
}

assert_eq() {
	local desc=$1 want=$2 got=$3
	if [ "$want" = "$got" ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected: $want" "got:      $got" "${ERR:+last stderr: $ERR}"
	fi
}

assert_ne() {
	local desc=$1 notwant=$2 got=$3
	if [ "$notwant" != "$got" ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected anything but: $notwant"
	fi
}

assert_contains() {
	local desc=$1 hay=$2 needle=$3
	if [[ "$hay" == *"$needle"* ]]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected to contain: $needle" "got: $hay" "${ERR:+stderr: $ERR}"
	fi
}

assert_not_contains() {
	local desc=$1 hay=$2 needle=$3
	if [[ "$hay" != *"$needle"* ]]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected NOT to contain: $needle" "got: $hay"
	fi
}

# assert_match DESC TEXT ERE: some line of TEXT matches the extended regex.
assert_match() {
	local desc=$1 hay=$2 re=$3
	if printf '%s\n' "$hay" | grep -Eq -- "$re"; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected a line matching: $re" "got: $hay" "${ERR:+stderr: $ERR}"
	fi
}

assert_rc() {
	local desc=$1 want=$2
	if [ "$RC" = "$want" ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected exit $want, got $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# ---- running the runtime -------------------------------------------------

# The runtime and everything it starts carry KT_TAG in their environment, and
# containers carry it in process.env: that is how leftovers are found.
K() {
	env KT_TAG="$KT_TAG" timeout -k 5 "$KT_TIMEOUT" "$KAPSEL" --root "$KT_ROOT" "$@"
}

# kk ARGS...: runs the runtime, stdin from /dev/null, into $OUT $ERR $RC.
# Output goes through files, never a pipe: a detached container keeps its
# stdio open and a pipe would never see EOF.
kk() {
	K "$@" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err"
	RC=$?
	OUT=$(cat "$KT_TMP/out")
	ERR=$(cat "$KT_TMP/err")
	return 0
}

# new_id: a fresh, unique container id in $ID.
new_id() {
	KT_IDN=$((KT_IDN + 1))
	ID="kt-$KT_TAG-$KT_NAME-$KT_IDN"
}

# expect_fail DESC ERE CMD...: CMD exits non-zero and its error is one line
# (stderr has exactly one non-empty line) matching ERE (case-insensitive).
expect_fail() {
	local desc=$1 re=$2; shift 2
	"$@" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err"
	RC=$?
	OUT=$(cat "$KT_TMP/out")
	ERR=$(cat "$KT_TMP/err")
	local lines
	lines=$(grep -c . "$KT_TMP/err")
	if [ "$RC" -eq 0 ]; then
		t_fail "$desc" "expected failure, got exit 0" "stdout: $OUT" "stderr: $ERR"
	elif [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		t_fail "$desc" "exit $RC: timed out or killed" "stderr: $ERR"
	elif ! grep -Eiq -- "$re" "$KT_TMP/err"; then
		t_fail "$desc" "exit $RC but error does not match /$re/i" "stderr: $ERR"
	elif [ "$lines" -ne 1 ]; then
		t_fail "$desc" "exit $RC, error is $lines lines, expected one" "stderr: $ERR"
	else
		t_pass "$desc"
	fi
}

# ---- rootfs and bundles --------------------------------------------------

# The busybox-static rootfs, built once per build dir (flock: tests run in
# parallel) and copied into each bundle (containers write into their rootfs).
kt_rootfs() {
	local cache="$abs_top_builddir/tests/rootfs-cache"
	KT_ROOTFS="$cache/rootfs"
	mkdir -p "$cache"
	(
		flock 9
		[ -x "$KT_ROOTFS/bin/busybox" ] && exit 0
		local bb tmp a
		bb=$(command -v busybox) || exit 1
		# A dynamic busybox would need the host's libraries in the rootfs.
		ldd "$bb" >/dev/null 2>&1 && exit 1
		tmp="$cache/rootfs.tmp.$$"
		rm -rf "$tmp"
		mkdir -p "$tmp"/{bin,proc,sys,dev,etc,tmp,root,home/user,mnt,run}
		chmod 1777 "$tmp/tmp"
		cp "$bb" "$tmp/bin/busybox"
		# `busybox --list` names busybox itself: linking it would replace
		# the binary with a symlink to itself.
		for a in $("$bb" --list); do
			[ "$a" = busybox ] && continue
			ln -sf busybox "$tmp/bin/$a"
		done
		ln -s bin "$tmp/sbin"
		mkdir -p "$tmp/usr"
		ln -s ../bin "$tmp/usr/bin"
		ln -s ../bin "$tmp/usr/sbin"
		cat >"$tmp/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		user:x:1000:1000:user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/:/bin/false
		EOF
		cat >"$tmp/etc/group" <<-'EOF'
		root:x:0:
		tty:x:5:
		user:x:1000:
		g2000:x:2000:
		g3000:x:3000:
		nogroup:x:65534:
		EOF
		chown -R 1000:1000 "$tmp/home/user"
		mv "$tmp" "$KT_ROOTFS"
	) 9>"$cache/lock" || kt_bail "cannot build the busybox-static rootfs (apt-get install busybox-static)"
}

# make_bundle NAME: $KT_WORK/NAME with rootfs/ and a config.json from
# `$KAPSEL spec`, made non-interactive: terminal false, writable root,
# args `true`, KT_TAG in env. The path is in $B.
make_bundle() {
	local name=$1
	B="$KT_WORK/$name"
	mkdir -p "$B"
	cp -a "$KT_ROOTFS" "$B/rootfs"
	if ! (cd "$B" && "$KAPSEL" spec >/dev/null 2>"$KT_TMP/spec.err"); then
		kt_bail "\`$KAPSEL spec\` failed in $B: $(cat "$KT_TMP/spec.err")"
	fi
	[ -f "$B/config.json" ] || kt_bail "\`$KAPSEL spec\` wrote no config.json in $B"
	cfg "$name" '.process.terminal = false | .root.readonly = false
		| .process.args = ["true"]
		| .process.env += ["KT_TAG=" + $tag]' --arg tag "$KT_TAG"
}

# cfg NAME JQFILTER [JQ ARGS...]: edits NAME's config.json in place.
cfg() {
	local name=$1 filter=$2; shift 2
	local f="$KT_WORK/$name/config.json"
	jq "$filter" "$f" "$@" >"$f.new" || kt_bail "jq failed on $name: $filter"
	mv "$f.new" "$f"
}

# set_args NAME ARG...: process.args ("--args --": jq would take an argument
# like -c for its own option).
set_args() {
	local name=$1; shift
	cfg "$name" '.process.args = $ARGS.positional' --args -- "$@"
}

# pid_alive PID: running and not a zombie.
pid_alive() {
	[ -n "$1" ] && [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# wait_gone PID: polls up to ~5 s until PID is dead.
wait_gone() {
	local i
	for i in $(seq 50); do
		pid_alive "$1" || return 0
		sleep 0.1
	done
	return 1
}

# ctr_sh NAME SCRIPT [ARGS]: runs `sh -c SCRIPT` in a fresh container from
# bundle NAME in the foreground; results in $OUT $ERR $RC, id in $ID.
ctr_sh() {
	local name=$1; shift
	set_args "$name" sh -c "$@"
	new_id
	kk run --bundle "$KT_WORK/$name" "$ID"
}

# state_field ID JQ: a field of `state ID`, empty when state fails.
state_field() {
	K state "$1" 2>/dev/null </dev/null | jq -r "$2" 2>/dev/null
}

# wait_status ID STATUS: polls `state` up to ~10 s.
wait_status() {
	local i s
	for i in $(seq 100); do
		s=$(state_field "$1" .status)
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_file PATH: polls up to ~10 s.
wait_file() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# A network namespace for this run (ip netns); removed at cleanup.
kt_netns() {
	local n="kt-$KT_TAG-$1"
	ip netns add "$n" || kt_bail "ip netns add $n failed"
	KT_NETNS+=("$n")
	NETNS="$n"
}

# A mount made on the host by a test; unmounted (lazily) at cleanup.
kt_host_mount() {
	mount "$@" || kt_bail "mount $* failed"
	KT_HOSTMOUNTS+=("${@: -1}")
}

# ---- host cleanliness ----------------------------------------------------

# Processes carrying this run's tag: the runtime's and the containers'.
kt_tagged_pids() {
	grep -lzx "KT_TAG=$KT_TAG" /proc/[0-9]*/environ 2>/dev/null \
		| sed 's|^/proc/||; s|/environ$||' | grep -vx "$$"
}

# kt_leftovers: prints what this run left on the host (empty = clean).
# Mounts made on purpose by the test (kt_host_mount) are not counted.
kt_leftovers() {
	local m p cg
	m=$(awk '{print $5}' /proc/self/mountinfo | grep -E "^($KT_WORK|$KT_ROOT)(/|$)")
	for p in "${KT_HOSTMOUNTS[@]+"${KT_HOSTMOUNTS[@]}"}"; do
		m=$(printf '%s\n' "$m" | grep -vx -- "$p")
	done
	[ -n "$m" ] && echo "mounts: $(echo $m)"
	p=$(kt_tagged_pids)
	[ -n "$p" ] && echo "processes: $(for x in $p; do
		printf '%s(%s) ' "$x" "$(tr '\0' ' ' <"/proc/$x/cmdline" 2>/dev/null)"; done)"
	[ -n "$(ls -A "$KT_ROOT" 2>/dev/null)" ] && echo "state dir not empty: $(ls -A "$KT_ROOT")"
	cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "*kt-$KT_TAG*" 2>/dev/null)
	cg+=$(find /sys/fs/cgroup/unified -maxdepth 3 -type d -path "*kapsel*" \
		-name "*kt-$KT_TAG*" 2>/dev/null)
	[ -n "$cg" ] && echo "cgroups: $(echo $cg)"
	return 0
}

# assert_clean DESC: nothing of this run is left (state, mounts, processes, cgroups).
assert_clean() {
	local l
	l=$(kt_leftovers)
	if [ -z "$l" ]; then
		t_pass "${1:-host clean}"
	else
		t_fail "${1:-host clean}" "$l"
	fi
}

# ---- setup and teardown --------------------------------------------------

kt_init() {
	[ "$(id -u)" -eq 0 ] || kt_skip "integration tests need root"
	[ -x "$KAPSEL" ] || kt_bail "runtime binary not found: KAPSEL=$KAPSEL"
	command -v jq >/dev/null || kt_skip "jq is not installed (scripts/deps.sh)"
	KT_TAG=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
	KT_WORK=$(mktemp -d "/tmp/kt-work-$KT_NAME.XXXXXX")
	KT_ROOT=$(mktemp -d "/tmp/kt-root-$KT_NAME.XXXXXX")
	KT_TMP="$KT_WORK/.tmp"
	mkdir -p "$KT_TMP"
	# Containers with a user namespace (uid 100000) must reach their rootfs.
	chmod 755 "$KT_WORK"
	trap kt_cleanup EXIT
	trap 'exit 130' INT TERM
	kt_rootfs
	echo "# $KT_NAME: runtime $KAPSEL ($("$KAPSEL" --version 2>&1 | head -n1)), tag $KT_TAG"
}

kt_cleanup() {
	trap - EXIT
	[ -n "${KT_ROOT:-}" ] || return 0
	local id p m
	for id in $(ls -A "$KT_ROOT" 2>/dev/null); do
		K delete --force "$id" >/dev/null 2>&1 </dev/null
	done
	for p in $(kt_tagged_pids); do kill -KILL "$p" 2>/dev/null; done
	for m in "${KT_HOSTMOUNTS[@]+"${KT_HOSTMOUNTS[@]}"}"; do umount -l "$m" 2>/dev/null; done
	for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($KT_WORK|$KT_ROOT)(/|$)" | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	for m in "${KT_NETNS[@]+"${KT_NETNS[@]}"}"; do ip netns del "$m" 2>/dev/null; done
	if [ -z "${KT_KEEP:-}" ]; then
		rm -rf "$KT_WORK" "$KT_ROOT"
	else
		echo "# kept $KT_WORK and $KT_ROOT"
	fi
}

# kt_finish: final host-clean check, summary, exit status.
kt_finish() {
	assert_clean "host left clean at the end (state dir, mounts, processes, cgroups)"
	echo "# $KT_NAME: $KT_PASS passed, $KT_FAIL failed"
	kt_cleanup
	[ "$KT_FAIL" -eq 0 ] || exit 1
	exit 0
}
