# Shared by the network tests. Everything happens inside network namespaces
# the test creates (never the host's): "host" below is a test netns that plays
# the host, and each "container" is `unshare -n sleep` started inside it.
set -u

ND=${abs_top_builddir:-.}/tests/integration/net/netdriver
[ -n "${KT_DEBUG:-}" ] && set -x
TAG=kt-net-$(basename "$0" .sh)-$$
HOSTNS=$TAG
ST=/tmp/$TAG.state
PIDS=""
EXTRA_NS=""

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (creates network namespaces)"
	for t in ip nft nsenter unshare busybox; do
		command -v $t >/dev/null || skip "$t not installed"
	done
	[ -x "$ND" ] || skip "netdriver not built ($ND)"
}

cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	for n in $EXTRA_NS $HOSTNS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$ST" "$ST".*
}

setup_host() {
	need_root
	trap cleanup EXIT
	ip netns add "$HOSTNS" || fail "ip netns add $HOSTNS"
	in_host ip link set lo up
}

in_host() { ip netns exec "$HOSTNS" "$@"; }
in_ctr() { local p=$1; shift; nsenter -n -t "$p" "$@"; }

# Starts a "container" (a process in a new netns inside the host netns); sets CPID.
ctr_start() {
	ip netns exec "$HOSTNS" unshare -n sleep 600 &
	CPID=$!
	disown $CPID
	PIDS="$PIDS $CPID"
	for _ in $(seq 50); do
		[ "$(cat /proc/$CPID/comm 2>/dev/null)" = sleep ] && return 0
		sleep 0.02
	done
	fail "container process did not start"
}

# attach ID PID [netdriver options...]: state JSON into $ST.ID.json
attach() {
	local id=$1 pid=$2; shift 2
	in_host "$ND" attach --state-dir "$ST" --id "$id" --pid "$pid" "$@" > "$ST.$id.json"
}
detach() { in_host "$ND" detach "$ST.$1.json"; }
field() { sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" "$ST.$1.json"; }

# What must be gone after detach / a failed attach.
snapshot() {
	in_host ip -o link show | sed 's/^[0-9]*: //; s/ link\/.*//; s/<.*//' | sort
	# (link-local addresses come and go with links, asynchronously: not state)
	in_host ip -o addr show | awk '$4 !~ /^fe80:/ {print $2, $4}' | sort
	in_host nft list table inet kapsel 2>/dev/null
	cat "$ST/ipam.json" 2>/dev/null | sed 's/"last":[0-9]*,//; s/,"nat":"[0-9a-f]*"//'
	echo
}

# fetch NETNS-RUNNER... URL: busybox wget, retried for ~2 s (a server just started).
fetch() {
	local out
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		out=$("$@" 2>/dev/null) && { echo "$out"; return 0; }
		sleep 0.2
	done
	echo "$out"
	return 1
}
