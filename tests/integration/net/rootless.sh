#!/bin/bash
# Rootless: as an unprivileged user (uid 65534, no new account needed), a
# container in its own user+net namespace gets slirp4netns or pasta via
# knet_attach, reaches a server in the test netns, and its httpd is reachable
# through a published port; detach stops the helper.
# This host's /dev/net/tun is 0600 (Debian's udev default is 0666), so the test
# runs in a private mount namespace with its own 0666 tun node on a tmpfs;
# the host's /dev is not touched.
. "$(dirname "$0")/lib.sh"
MODE=${1:-slirp4netns}
[ -n "${KT_INNER:-}" ] || {
	need_root
	command -v $MODE >/dev/null || skip "$MODE not installed (apt-get install ${MODE/pasta/passt})"
	command -v setpriv >/dev/null || skip "setpriv not installed"
	exec unshare -m --propagation private env KT_INNER=1 bash "$0" "$@"
}
mount -t tmpfs -o mode=755 tmpfs /dev/net || skip "cannot mount a private /dev/net"
mknod -m 666 /dev/net/tun c 10 200 || skip "cannot make a tun node"
setup_host
trap '[ -s $ST.r1.json ] && in_host "$ND" detach $ST.r1.json; cleanup' EXIT
U="setpriv --reuid 65534 --regid 65534 --clear-groups"
as_user_in_ctr() { local p=$1; shift; $U nsenter -U -n -t $p --preserve-credentials "$@"; }

# The test netns' "outside": an uplink with a default route (pasta copies it).
in_host ip link add up0 type veth peer name up0p
in_host ip addr add 203.0.113.1/24 dev up0
in_host ip link set up0 up
in_host ip link set up0p up
in_host ip route add default via 203.0.113.2 dev up0
# The server sits on another link: pasta gives the container a copy of the
# uplink's address, so 203.0.113.1 would be the container itself.
in_host ip link add srv0 type veth peer name srv0p
in_host ip addr add 192.0.2.1/24 dev srv0
in_host ip link set srv0 up
in_host ip link set srv0p up
WWW=$ST.www; mkdir -p $WWW; echo "server in the test netns" > $WWW/index.html
ip netns exec $HOSTNS busybox httpd -f -p 192.0.2.1:8000 -h $WWW &
PIDS="$PIDS $!"; disown $!

mkdir -p $ST; chown 65534:65534 $ST; chmod 755 $ST
ip netns exec $HOSTNS $U unshare -rn sleep 600 &
C=$!; PIDS="$PIDS $C"; disown $C; sleep 0.3
in_host $U "$ND" attach --state-dir $ST --id r1 --pid $C --network $MODE \
	--publish 8085:80 --etc-dir $ST/etc > $ST.r1.json || fail "attach $MODE as uid 65534"
HELPER=$(sed -n 's/.*"helper_pid":\([0-9]*\).*/\1/p' $ST.r1.json)
[ -n "$HELPER" ] && [ "$(stat -c %u /proc/$HELPER)" = 65534 ] || fail "helper not running as 65534"
ok "$MODE started as uid 65534 (pid $HELPER)"

[ "$(fetch as_user_in_ctr $C timeout 5 busybox wget -q -O- http://192.0.2.1:8000/)" = \
	"server in the test netns" ] || fail "container -> server in the test netns"
ok "container reaches a server in the test netns through $MODE"

CW=$ST/cwww; mkdir -p $CW; echo "httpd in the rootless container" > $CW/index.html
chmod -R a+rX $ST
ip netns exec $HOSTNS $U nsenter -U -n -t $C --preserve-credentials busybox httpd -f -p 80 -h $CW &
PIDS="$PIDS $!"; disown $!
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://203.0.113.1:8085/)" = \
	"httpd in the rootless container" ] || fail "published port 8085 -> container:80"
ok "published port reaches the container through $MODE"
grep -q nameserver $ST/etc/resolv.conf || fail "no nameserver in resolv.conf"

in_host $U "$ND" detach $ST.r1.json || fail "detach"
sleep 0.2
[ -d /proc/$HELPER ] && [ "$(cut -d' ' -f3 /proc/$HELPER/stat)" != Z ] && fail "helper still running"
ok "detach stopped $MODE"
