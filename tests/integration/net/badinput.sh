#!/bin/bash
# Bad input and failures half-way fail with a clear message and leave nothing
# behind; detach after kill -9 of the container still cleans up.
. "$(dirname "$0")/lib.sh"
setup_host
ctr_start; C=$CPID
clean() { snapshot | grep -vx '{"bridges":{},"containers":{}}'; }

# expect_fail WANT ATTACH-ARGS...: attach fails, says WANT, changes nothing.
expect_fail() {
	local want=$1; shift
	local before after
	before=$(clean)
	if attach bad $C "$@" 2> $ST.err; then fail "attach $* succeeded"; fi
	grep -q -- "$want" $ST.err || fail "attach $*: error '$(cat $ST.err)' lacks '$want'"
	[ "$(wc -l < $ST.err)" = 1 ] || fail "error is not one line: $(cat $ST.err)"
	grep -q "Invalid argument$" $ST.err && fail "strerror tacked onto a validation message"
	after=$(clean)
	[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "attach $* left something"; }
	ok "$* -> $(cat $ST.err)"
}

expect_fail "unknown network type" --network macvlan
expect_fail "outside the subnet 10.88.0.0/16" --network bridge --ip 10.99.0.5
expect_fail "bad bridge name" --network bridge:way-too-long-bridge-name

ctr_start; C30=$CPID
attach first $C30 --network bridge:ktb30 --subnet 10.77.0.0/30 || fail "first on a /30"
expect_fail "no free address" --network bridge:ktb30 --subnet 10.77.0.0/30
detach first || fail "detach first"

# A port a local process holds, and one another container publishes.
ip netns exec $HOSTNS busybox nc -l -p 8081 >/dev/null &
PIDS="$PIDS $!"; disown $!; sleep 0.2
expect_fail "8081/tcp: host port not available" --network bridge --publish 8081:80
ctr_start
attach holder $CPID --network bridge --publish 8090:80 || fail "attach holder"
expect_fail "port in use by container holder" --network bridge --publish 8090:80
if in_host "$ND" attach --state-dir "$ST" --id holder --pid $C --network bridge 2> $ST.err; then
	fail "second attach of one id succeeded"
fi
grep -q "already has a network address" $ST.err || fail "same id twice: $(cat $ST.err)"
detach holder || fail "detach holder"

# Half-way failures: the container already has an eth0 (veth creation fails
# after the address was taken and a new bridge made); a non-bridge name.
in_ctr $C ip link add eth0 type veth peer name eth0p
expect_fail "create veth" --network bridge:ktnew
in_ctr $C ip link del eth0
in_host ip link show ktnew >/dev/null 2>&1 && fail "bridge made by a failed attach left behind"
in_host ip link add ktdummy type veth peer name ktdummyp
expect_fail "ktdummy exists and is not a bridge" --network bridge:ktdummy

# kill -9 of the container: its netns (and the veth) vanish; detach still
# releases the address and the rules.
ctr_start; K=$CPID
attach k $K --network bridge --publish 8099:80 || fail "attach k"
kill -9 $K; sleep 0.2
detach k || fail "detach after kill -9"
grep -q '"k"' $ST/ipam.json && fail "address of k not released"
in_host nft list table inet kapsel >/dev/null 2>&1 && fail "nft table left after kill -9 + detach"
in_host ip -o link | grep -q ' kv' && fail "veth left after kill -9"
ok "detach after kill -9 released everything"
