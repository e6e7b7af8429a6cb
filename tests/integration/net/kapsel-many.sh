#!/bin/bash
# Many containers through the CLI: 20 get distinct addresses and leave
# nothing after delete; 10 parallel `kapsel create --network bridge` never
# share an address; bad input fails with one clear line and leaves nothing
# (state dir, veth, address, IPAM record, nft rules).
. "$(dirname "$0")/klib.sh"
setup_kapsel
make_bundle $BUNDLE
before=$(ksnapshot)

ips=""
for i in $(seq 20); do
	krun_d m$i --network bridge --publish $((9000 + i)):80 || fail "run m$i: $(cat $ST.err.m$i)"
	ips="$ips $(kip m$i)"
done
n=$(echo $ips | tr ' ' '\n' | sort -u | grep -c .)
[ "$n" = 20 ] || fail "20 containers got $n distinct addresses: $ips"
[ "$(addr_of m20)" = "$(kip m20)" ] || fail "eth0 of m20 differs from its state"
[ "$(in_host ip -o link show master kapsel0 | grep -c .)" = 20 ] || fail "not 20 veths on kapsel0"
[ "$(in_host nft list map inet kapsel pub4 | grep -o ' : 10\.88\.' | wc -l)" = 20 ] ||
	fail "not 20 published ports in the nft map"
ok "20 containers, 20 distinct addresses, veths and published ports"
for i in $(seq 20); do k delete -f m$i || fail "delete m$i"; done
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after 20 deletes"; }
ok "after delete: no address, veth, nft rule or state left"

# 10 creates at once (they serialize on the IPAM lock).
for i in $(seq 10); do
	k create --bundle $BUNDLE --network bridge p$i </dev/null >/dev/null 2>$ST.err.p$i &
done
wait
ips=""
for i in $(seq 10); do
	[ "$(k state p$i | jq -r .status)" = created ] || fail "parallel create p$i: $(cat $ST.err.p$i)"
	ips="$ips $(kip p$i)"
done
n=$(echo $ips | tr ' ' '\n' | sort -u | grep -c .)
[ "$n" = 10 ] || fail "10 parallel creates got $n distinct addresses: $ips"
ok "10 parallel creates: 10 distinct addresses"
for i in $(seq 10); do k delete p$i || fail "delete p$i"; done
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after parallel"; }

# Bad input: refused before anything is made, or undone half-way.
kexpect_fail "unknown network type" k create --bundle $BUNDLE --network macvlan b1
kexpect_fail "outside the subnet 10.88.0.0/16" k create --bundle $BUNDLE --network bridge --ip 10.99.0.5 b2
kexpect_fail "--publish" k create --bundle $BUNDLE --network bridge --publish 80:99999 b3
kexpect_fail "--subnet" k create --bundle $BUNDLE --network bridge --subnet 10.1.2.3/99 b4
kexpect_fail "bad bridge name" k create --bundle $BUNDLE --network bridge:way-too-long-bridge-name b5
# Subnet exhausted: a /30 has one address besides the gateway.
krun_d s1 --network bridge:ktb30 --subnet 10.77.0.0/30 || fail "first on a /30: $(cat $ST.err.s1)"
kexpect_fail "no free address" k create --bundle $BUNDLE --network bridge:ktb30 --subnet 10.77.0.0/30 b6
kexpect_fail "no free address" k run -d --bundle $BUNDLE --network bridge:ktb30 --subnet 10.77.0.0/30 b7
# An address another container has; a port a local process holds; a port
# another container publishes.
kexpect_fail "already in use by container s1" k create --bundle $BUNDLE --network bridge:ktb30 \
	--subnet 10.77.0.0/30 --ip 10.77.0.2 b8
ip netns exec $HOSTNS busybox nc -l -p 8081 >/dev/null 2>&1 &
PIDS="$PIDS $!"; disown $!; sleep 0.2
kexpect_fail "8081/tcp: host port not available" k create --bundle $BUNDLE --network bridge --publish 8081:80 b9
krun_d holder --network bridge --publish 8090:80 || fail "run holder: $(cat $ST.err.holder)"
kexpect_fail "port in use by container holder" k run -d --bundle $BUNDLE --network bridge --publish 8090:80 b10
# The same id twice: the second create fails, the first keeps its network.
kexpect_fail "holder" k create --bundle $BUNDLE --network bridge holder
[ -n "$(kip holder)" ] && [ "$(addr_of holder)" = "$(kip holder)" ] || fail "holder lost its address"
k delete -f holder; k delete -f s1
in_host ip link del ktb30
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after bad input"; }
ok "bad input left nothing behind"
