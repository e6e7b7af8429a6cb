# Helpers for the cgroup suites (sourced). TAP output: one "ok"/"not ok" per check.
set -u
KAPSEL=${KAPSEL:?KAPSEL must name the kapsel binary}
T=${T:-$(mktemp -d /var/tmp/kapsel-cg.XXXXXX)}
ROOT=$T/state
K() { "$KAPSEL" --root "$ROOT" "$@"; }
n_tests=0
n_fail=0

ok() { n_tests=$((n_tests + 1)); echo "ok $n_tests - $*"; }
not_ok() { n_tests=$((n_tests + 1)); n_fail=$((n_fail + 1)); echo "not ok $n_tests - $*"; }
# check DESC CMD...: ok when CMD succeeds
check() { local d=$1; shift; if "$@" >"$T/check.out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/#   /' "$T/check.out"; fi; }
# eq DESC GOT WANT
eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; return 1; fi; }
done_testing() { echo "1..$n_tests"; [ "$n_fail" -eq 0 ] || echo "# $n_fail of $n_tests failed"; [ "$n_fail" -eq 0 ]; }

# A busybox-static rootfs shared by every bundle (read-only in the configs).
make_rootfs() {
	local r=$T/rootfs b
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/sys" "$r/tmp" "$r/shared" "$r/devtest"
	b=$(command -v busybox)
	cp "$b" "$r/bin/busybox"
	for n in $("$r/bin/busybox" --list); do
		[ "$n" = busybox ] || ln -sf busybox "$r/bin/$n"
	done
}

# bundle NAME RESOURCES_JSON CMD... : a bundle at $T/NAME whose process runs CMD
# (sh -c), with $T/shared bind-mounted rw at /shared and $T/devtest at /devtest.
bundle() {
	local name=$1 res=$2; shift 2
	local b=$T/$name
	mkdir -p "$b" "$T/shared" "$T/devtest"
	[ -f "$T/spec.json" ] || (cd "$T" && K spec && mv config.json spec.json)
	jq --arg rootfs "$T/rootfs" --arg shared "$T/shared" --arg devtest "$T/devtest" \
	   --arg cmd "$*" --argjson res "$res" '
		.root = {path: $rootfs, readonly: true}
		| .process.args = ["sh", "-c", $cmd]
		| .process.terminal = false
		| .mounts += [{destination: "/shared", type: "bind", source: $shared, options: ["rbind", "rw"]},
			      {destination: "/devtest", type: "bind", source: $devtest, options: ["rbind", "rw"]}]
		| .linux.resources = ((.linux.resources // {}) * $res)
	' "$T/spec.json" >"$b/config.json"
	echo "$b"
}

# run_bg ID NAME RES CMD: create + start a detached container.
start_ctr() {
	local id=$1 name=$2 res=$3; shift 3
	local b
	b=$(bundle "$name" "$res" "$@") || return 1
	K create --bundle "$b" "$id" </dev/null >"$T/create.out" 2>&1 || { cat "$T/create.out"; return 1; }
	K start "$id"
}

CG=${CG:-/sys/fs/cgroup}
cgdir() { echo "$CG/kapsel/$1"; }     # the default cgroupsPath /kapsel/<id>
status_of() { K state "$1" 2>/dev/null | jq -r .status; }
pid_of() { K state "$1" 2>/dev/null | jq -r .pid; }
wait_for() { # wait_for SECONDS CMD...
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}
is_status() { [ "$(status_of "$1")" = "$2" ]; }
nprocs() { wc -l <"$(cgdir "$1")/cgroup.procs" 2>/dev/null || echo -1; }
nprocs_ge() { [ "$(nprocs "$1")" -ge "$2" ]; }
nprocs_le() { [ "$(nprocs "$1")" -le "$2" ]; }
