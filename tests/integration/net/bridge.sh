#!/bin/bash
# Two containers on the bridge reach each other; the host netns reaches a
# busybox httpd in a container by IP and through a published port (DNAT),
# also from a second "client" netns over a routed link (prerouting DNAT);
# a container reaches the outside through masquerade; /etc files; detach
# removes everything.
. "$(dirname "$0")/lib.sh"
setup_host

# A client netns on an "uplink" of the host netns (198.51.100.0/24).
CLI=$TAG-cli
EXTRA_NS=$CLI
ip netns add $CLI
ip link add kt-up0 netns $HOSTNS type veth peer name kt-up1 netns $CLI
in_host ip addr add 198.51.100.1/24 dev kt-up0
in_host ip link set kt-up0 up
ip netns exec $CLI ip addr add 198.51.100.2/24 dev kt-up1
ip netns exec $CLI ip link set kt-up1 up
ip netns exec $CLI ip link set lo up
before=$(snapshot)
# A stale table (a crash, a hand edit) must be replaced, not merged into.
in_host nft add table inet kapsel
in_host nft add chain inet kapsel junk

ctr_start; C1=$CPID
ctr_start; C2=$CPID
mkdir -p $ST.etc1
attach c1 $C1 --network bridge --publish 8080:80 --hostname web --dns 192.0.2.53 \
	--etc-dir $ST.etc1 || fail "attach c1"
attach c2 $C2 --network bridge || fail "attach c2"
in_host nft list chain inet kapsel junk >/dev/null 2>&1 && fail "stale nft table not replaced"
IP1=$(field c1 ip); IP2=$(field c2 ip)
[ -n "$IP1" ] && [ -n "$IP2" ] && [ "$IP1" != "$IP2" ] || fail "addresses '$IP1' '$IP2'"
ok "attached c1=$IP1 c2=$IP2"

mtu() { sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }
[ "$(in_ctr $C1 ip -o link show eth0 | mtu)" = "$(in_host ip -o link show kapsel0 | mtu)" ] ||
	fail "eth0 MTU differs from the bridge's"
in_ctr $C1 ip -o link show lo | grep -q 'UP' || fail "lo not up in c1"
in_ctr $C1 ip route | grep -q "default via 10.88.0.1 dev eth0" || fail "no default route in c1"

in_ctr $C1 busybox ping -c1 -W2 $IP2 >/dev/null || fail "c1 cannot ping c2"
in_ctr $C2 busybox ping -c1 -W2 $IP1 >/dev/null || fail "c2 cannot ping c1"
ok "containers reach each other"

WWW=$ST.www; mkdir -p $WWW; echo "hello from c1" > $WWW/index.html
nsenter -n -t $C1 busybox httpd -f -p 80 -h $WWW &
PIDS="$PIDS $!"; disown $!
sleep 0.3
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://$IP1/)" = "hello from c1" ] || fail "host -> c1 by IP"
ok "host reaches httpd by IP"
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://198.51.100.1:8080/)" = "hello from c1" ] ||
	fail "host -> published port (output DNAT)"
ok "host reaches httpd through the published port"
[ "$(fetch ip netns exec $CLI timeout 5 busybox wget -q -O- http://198.51.100.1:8080/)" = "hello from c1" ] ||
	fail "client -> published port (prerouting DNAT)"
ok "client netns reaches httpd through the published port"
# The client has no route to 10.88/16: only masquerade makes this work.
in_ctr $C2 busybox ping -c1 -W2 198.51.100.2 >/dev/null || fail "c2 -> client (masquerade)"
ok "masquerade to the outside"
# Hairpin: c2 through the published port on the host's address.
[ "$(fetch in_ctr $C2 timeout 5 busybox wget -q -O- http://198.51.100.1:8080/)" = "hello from c1" ] ||
	fail "c2 -> published port (hairpin)"
ok "hairpin through the published port"

grep -qx "web" $ST.etc1/hostname || fail "hostname file"
grep -q "^$IP1	web$" $ST.etc1/hosts || fail "hosts file"
grep -qx "nameserver 192.0.2.53" $ST.etc1/resolv.conf || fail "resolv.conf"
ok "/etc files"

detach c1 || fail "detach c1"
in_host nft list table inet kapsel >/dev/null 2>&1 || fail "table gone while c2 still attached"
detach c2 || fail "detach c2"
detach c2 || fail "second detach of c2 (must be idempotent)"
in_host nft list table inet kapsel >/dev/null 2>&1 && fail "nft table left after the last detach"
[ ! -e $ST.etc1/hosts ] || fail "etc files left"
# The bridge and its gateway stay (as with podman); nothing else may.
after=$(snapshot | grep -v kapsel0 | grep -vx '{"bridges":{},"containers":{}}')
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after detach"; }
ok "detach removed veths, addresses and rules"
