# Helpers for the CRIU suite (sourced; runs inside the test VM). TAP-like
# output: one "ok"/"not ok" per check; done_testing sets the exit status.
set -u
KAPSEL=${KAPSEL:?KAPSEL must name the kapsel binary}
# /var/tmp is a tmpfs in the VM: CRIU handles it better than the 9p overlay.
T=${T:-$(mktemp -d /var/tmp/kapsel-criu.XXXXXX)}
ROOT=$T/state
K() { "$KAPSEL" --root "$ROOT" "$@"; }
n_tests=0
n_fail=0

ok() { n_tests=$((n_tests + 1)); echo "ok $n_tests - $*"; }
not_ok() { n_tests=$((n_tests + 1)); n_fail=$((n_fail + 1)); echo "not ok $n_tests - $*"; }
# check DESC CMD...: ok when CMD succeeds (its output is shown when it fails)
check() { local d=$1; shift; if "$@" >"$T/check.out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/#   /' "$T/check.out"; fi; }
# fails DESC CMD...: ok when CMD fails with exactly one line on stderr
fails_one_line() {
	local d=$1; shift
	if "$@" >"$T/fail.out" 2>"$T/fail.err"; then
		not_ok "$d: succeeded"
	elif [ "$(wc -l <"$T/fail.err")" -ne 1 ]; then
		not_ok "$d: $(wc -l <"$T/fail.err") lines"; sed 's/^/#   /' "$T/fail.err"
	else
		ok "$d: $(cat "$T/fail.err")"
	fi
}
eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', want '$3'"; return 1; fi; }
done_testing() { echo "1..$n_tests"; [ "$n_fail" -eq 0 ] || echo "# $n_fail of $n_tests failed"; [ "$n_fail" -eq 0 ]; }
wait_for() { # wait_for SECONDS CMD...: by the clock (TCG makes each try slow)
	local end=$(($(date +%s) + $1)); shift
	until "$@"; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.2; done
}
status_of() { K state "$1" 2>/dev/null | jq -r .status; }
pid_of() { K state "$1" 2>/dev/null | jq -r .pid; }
is_status() { [ "$(status_of "$1")" = "$2" ]; }

# iproute2 by full path: busybox sh would run its own `ip` applet.
IP=/usr/sbin/ip; [ -x $IP ] || IP=/sbin/ip
# A jq filter joining the network namespace `ip netns` named $1.
netns_filter() { echo "(.linux.namespaces[] | select(.type == \"network\")) += {path: \"/var/run/netns/$1\"}"; }

make_rootfs() { # make_rootfs DIR: a busybox-static rootfs
	local r=$1 b
	mkdir -p "$r/bin" "$r/proc" "$r/dev" "$r/sys" "$r/tmp" "$r/data"
	b=$(command -v busybox)
	cp "$b" "$r/bin/busybox"
	# One process, not 400 ln (each fork is slow under TCG).
	chroot "$r" /bin/busybox --install -s /bin
}

# bundle DIR CMD [JQ-FILTER]: a bundle with its own rootfs whose process runs
# CMD (sh -c) with stdio on the container's /dev/null: a host fd would be a
# file CRIU cannot reach from inside the container's mounts.
bundle() {
	local b=$1 cmd=$2 filter=${3:-.}
	mkdir -p "$b"
	make_rootfs "$b/rootfs"
	(cd "$b" && "$KAPSEL" spec)
	jq --arg cmd "exec </dev/null >/dev/null 2>&1; $cmd" '
		.process.args = ["sh", "-c", $cmd] | .process.terminal = false
		| .root.readonly = false' "$b/config.json" | jq "$filter" >"$b/c.json"
	mv "$b/c.json" "$b/config.json"
}

# The host-clean check every script ends with: no state, no cgroup, no mount.
host_clean() {
	local ids=$1 left
	left=$(ls "$ROOT" 2>/dev/null)
	[ -z "$left" ] || { echo "state left: $left"; return 1; }
	for id in $ids; do
		[ ! -e "/sys/fs/cgroup/kapsel/$id" ] || { echo "cgroup $id left"; return 1; }
	done
	! grep -q " $T/" /proc/self/mountinfo || { grep " $T/" /proc/self/mountinfo; return 1; }
}
