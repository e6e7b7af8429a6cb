#!/bin/bash
# 20 containers get distinct addresses; 10 parallel attaches never share one;
# after detach the addresses, veths and nftables rules are gone.
. "$(dirname "$0")/lib.sh"
setup_host
# First attach creates the bridge: take the baseline after it exists.
ctr_start; attach warm $CPID --network bridge || fail "attach warm"
detach warm || fail "detach warm"
before=$(snapshot | grep -vx '{"bridges":{},"containers":{}}')

ids=""
for i in $(seq 20); do
	ctr_start
	attach s$i $CPID --network bridge --publish $((9000 + i)):80 || fail "attach s$i"
	ids="$ids s$i"
done
n=$(for id in $ids; do field $id ip; done | sort -u | wc -l)
[ "$n" = 20 ] || fail "20 containers got $n distinct addresses"
[ "$(in_host ip -o link show master kapsel0 | wc -l)" = 20 ] || fail "not 20 veths on the bridge"
[ "$(in_host nft list map inet kapsel pub4 | grep -o ' : 10\.88' | wc -l)" = 20 ] ||
	fail "not 20 DNAT entries"
ok "20 containers, 20 distinct addresses, 20 veths, 20 DNAT entries"

for id in $ids; do detach $id || fail "detach $id"; done
after=$(snapshot | grep -vx '{"bridges":{},"containers":{}}')
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after 20 detaches"; }
ok "after detach: no veths, addresses or rules left"

# 10 attaches at the same time (separate processes, one IPAM lock).
pids=""
for i in $(seq 10); do
	ctr_start
	attach p$i $CPID --network bridge > /dev/null 2> $ST.p$i.err &
	pids="$pids $!"
done
for p in $pids; do wait $p || fail "a parallel attach failed: $(cat $ST.p*.err)"; done
n=$(for i in $(seq 10); do field p$i ip; done | sort -u | grep -c .)
[ "$n" = 10 ] || fail "10 parallel attaches got $n distinct addresses"
for i in $(seq 10); do IP=$(field p$i ip); in_host busybox ping -c1 -W2 $IP >/dev/null || fail "ping $IP"; done
ok "10 parallel attaches: 10 distinct, reachable addresses"
for i in $(seq 10); do detach p$i & done; wait
after=$(snapshot | grep -vx '{"bridges":{},"containers":{}}')
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after parallel detach"; }
ok "parallel detach left nothing"
