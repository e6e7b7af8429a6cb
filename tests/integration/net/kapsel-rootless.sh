#!/bin/bash
# Rootless through the CLI: as uid 65534, `kapsel run --network slirp4netns`
# (or pasta, the first argument) gives a user-namespaced container a network:
# it reaches a server in the test netns, its httpd is reachable through a
# port published by the helper, and delete stops the helper. Like
# rootless.sh, this runs in a private mount namespace with its own 0666 tun
# node (this host's /dev/net/tun is 0600); the host's /dev is not touched.
. "$(dirname "$0")/klib.sh"
MODE=${1:-slirp4netns}
[ -n "${KT_INNER:-}" ] || {
	need_kapsel
	command -v $MODE >/dev/null || skip "$MODE not installed (apt-get install ${MODE/pasta/passt})"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	exec unshare -m --propagation private env KT_INNER=1 bash "$0" "$@"
}
mount -t tmpfs -o mode=755 tmpfs /dev/net || skip "cannot mount a private /dev/net"
mknod -m 666 /dev/net/tun c 10 200 || skip "cannot make a tun node"
setup_host
trap kcleanup EXIT
U="setpriv --reuid 65534 --regid 65534 --clear-groups env HOME=$KROOT XDG_RUNTIME_DIR=$KROOT"
# kapsel as the user, in the test netns.
k() { in_host $U "$KAPSEL" --root "$KROOT" "$@"; }
kcleanup() {
	local id
	for id in $(ls "$KROOT" 2>/dev/null); do
		[ "$id" = network ] || k delete --force "$id" 2>/dev/null
	done
	cleanup
	rm -rf "$KROOT" "$BUNDLE"*
}

# The test netns' "outside": an uplink with a default route (pasta copies
# it), and a server on another link (pasta gives the container a copy of the
# uplink's address, so 203.0.113.1 would be the container itself).
in_host ip link add up0 type veth peer name up0p
in_host ip addr add 203.0.113.1/24 dev up0
in_host ip link set up0 up
in_host ip link set up0p up
in_host ip route add default via 203.0.113.2 dev up0
in_host ip link add srv0 type veth peer name srv0p
in_host ip addr add 192.0.2.1/24 dev srv0
in_host ip link set srv0 up
in_host ip link set srv0p up
WWW=$ST.www; mkdir -p $WWW; echo "server in the test netns" > $WWW/index.html
ip netns exec $HOSTNS busybox httpd -f -p 192.0.2.1:8000 -h $WWW &
PIDS="$PIDS $!"; disown $!

mkdir -p $KROOT
SPEC_ARGS=--rootless make_bundle $BUNDLE '.process.args = ["sh", "-c",
	"mkdir /tmp/www && echo rootless httpd > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"]
	| .linux.namespaces += [{"type": "network"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 65534, "size": 1}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": 65534, "size": 1}]'
chown -R 65534:65534 $KROOT $BUNDLE

krun_d r1 --network $MODE --publish 8085:80 || fail "run --network $MODE as uid 65534: $(cat $ST.err.r1)"
st=$KROOT/r1/state.json
HELPER=$(jq -r '.extra.network.helper_pid // empty' $st)
[ -n "$HELPER" ] && [ "$(stat -c %u /proc/$HELPER)" = 65534 ] || fail "no $MODE running as 65534: $(cat $st)"
ok "kapsel run --network $MODE as uid 65534 (helper pid $HELPER)"

[ "$(fetch kget r1 192.0.2.1 8000)" = "server in the test netns" ] || fail "container -> server in the test netns"
ok "the container reaches a server in the test netns through $MODE"
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://203.0.113.1:8085/)" = "rootless httpd" ] ||
	fail "published port 8085 -> container:80"
ok "the published port reaches the container's httpd through $MODE"
kexec r1 cat /etc/resolv.conf | grep -q nameserver || fail "no nameserver in /etc/resolv.conf"

k delete --force r1 || fail "delete --force r1"
sleep 0.2
[ -d /proc/$HELPER ] && [ "$(cut -d' ' -f3 /proc/$HELPER/stat)" != Z ] && fail "$MODE still running after delete"
[ -z "$(ls $KROOT | grep -vx network)" ] || fail "state left: $(ls $KROOT)"
ok "delete stopped $MODE and removed the state"
