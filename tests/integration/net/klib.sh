# Shared by the kapsel-*.sh network tests: real containers through the CLI.
# kapsel itself runs inside the test netns ($HOSTNS, see lib.sh), so the
# bridge, the veths and the nftables table it makes live there, never in the
# host's netns.
. "$(dirname "$0")/lib.sh"

KAPSEL=${KAPSEL:-${abs_top_builddir:-.}/kapsel}
KROOT=/tmp/$TAG.root
BUNDLE=/tmp/$TAG.bundle

need_kapsel() {
	need_root
	command -v jq >/dev/null || skip "jq not installed"
	[ -x "$KAPSEL" ] || skip "kapsel not built ($KAPSEL)"
}

kcleanup() {
	local id
	for id in $(ls "$KROOT" 2>/dev/null); do
		[ "$id" = network ] || in_host "$KAPSEL" --root "$KROOT" delete --force "$id" 2>/dev/null
	done
	cleanup
	rm -rf "$KROOT" "$BUNDLE"*
}

# The test netns plus an "uplink" address the published ports are reached on.
setup_kapsel() {
	need_kapsel
	setup_host
	trap kcleanup EXIT
	in_host ip link add kt-up0 type veth peer name kt-up1
	in_host ip link set kt-up1 up
	in_host ip addr add 198.51.100.1/24 dev kt-up0
	in_host ip link set kt-up0 up
}

# make_bundle DIR [JQ-FILTER]: a busybox rootfs (root read-only, a tmpfs on
# /tmp), the process `sleep 600` unless the filter says otherwise;
# $SPEC_ARGS are passed to `kapsel spec` (--rootless).
make_bundle() {
	local b=$1 f=${2:-.}
	mkdir -p "$b/rootfs/bin" "$b/rootfs/etc"
	cp "$(command -v busybox)" "$b/rootfs/bin/busybox"
	for a in sh sleep httpd wget nc hostname cat ip echo timeout; do
		ln -sf busybox "$b/rootfs/bin/$a"
	done
	(cd "$b" && "$KAPSEL" spec ${SPEC_ARGS:-}) || fail "kapsel spec"
	jq '.process.terminal = false | .process.args = ["sleep", "600"]
	    | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
	                   "options": ["nosuid", "nodev", "mode=1777"]}]' \
		"$b/config.json" | jq "$f" > "$b/config.json.new" || fail "jq $f"
	mv "$b/config.json.new" "$b/config.json"
}

# k ARGS...: kapsel in the test netns, with the test's --root.
k() { in_host "$KAPSEL" --root "$KROOT" "$@"; }
# krun_d ID [OPTS...] -- detached run of $BUNDLE (or $KB when set).
krun_d() {
	local id=$1; shift
	k run -d --bundle "${KB:-$BUNDLE}" "$@" "$id" </dev/null >/dev/null 2>"$ST.err.$id"
}
kpid() { k state "$1" | jq -r .pid; }
# kexec ID CMD...: a command in the container (stdio through files: no pipe
# can hang on a process that keeps it open).
kexec() { local id=$1; shift; k exec "$id" "$@" </dev/null 2>/dev/null; }
# The container's eth0 address, as recorded in its state.
# kget ID IP PORT: GET / from inside the container, the body's last line.
# (nc: the static busybox's wget crashes in a rootfs without NSS files;
# timeout: through pasta, busybox nc does not exit when the server closes.)
kget() {
	local out
	out=$(k exec "$1" sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 5 nc -w 3 $2 $3" \
		</dev/null 2>/dev/null | tail -n 1)
	[ -n "$out" ] && echo "$out"
}
kip() { jq -r '.extra.network.ip // empty' "$KROOT/$1/state.json" 2>/dev/null; }
addr_of() { kexec "$1" ip -o -4 addr show eth0 | awk '{print $4}' | cut -d/ -f1; }

# What must be gone once every container is deleted: containers' veths and
# addresses, the nftables table, IPAM records, state directories. The bridge
# and its gateway stay (as with podman).
ksnapshot() {
	in_host ip -o link show | sed 's/^[0-9]*: //; s/[:@].*//' | grep -v '^kapsel0$' | sort
	in_host ip -o addr show | awk '$2 != "kapsel0" && $4 !~ /^fe80:/ {print $2, $4}' | sort
	in_host nft list table inet kapsel 2>/dev/null
	jq -c '.containers // {}' "$KROOT/network/ipam.json" 2>/dev/null | grep -vx '{}'
	ls "$KROOT" 2>/dev/null | grep -vx network
	true
}

# kexpect_fail WANT CMD...: CMD fails with exactly one line on stderr that
# contains WANT and leaves nothing behind (ksnapshot unchanged).
kexpect_fail() {
	local want=$1 before after; shift
	before=$(ksnapshot)
	if "$@" </dev/null >/dev/null 2>"$ST.err"; then fail "$* succeeded"; fi
	grep -q -- "$want" "$ST.err" || fail "$*: error '$(cat "$ST.err")' lacks '$want'"
	[ "$(grep -v 'no cgroup2 hierarchy' "$ST.err" | grep -c .)" = 1 ] ||
		fail "$*: error is not one line: $(cat "$ST.err")"
	after=$(ksnapshot)
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "$* left something"; }
	ok "$(echo "$*" | sed "s|$KAPSEL --root $KROOT|kapsel|") -> $(grep -v 'cgroup2' "$ST.err")"
}
