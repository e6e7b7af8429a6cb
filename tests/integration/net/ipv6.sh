#!/bin/bash
# IPv6 where asked: a v6 subnet beside the v4 one gives each container a v6
# address (same host offset as its v4 one), a v6 default route, and v6
# reachability between containers and to the gateway; masquerade for v6 too.
. "$(dirname "$0")/lib.sh"
setup_host
ctr_start; C1=$CPID
ctr_start; C2=$CPID
attach a $C1 --network bridge --subnet 10.88.0.0/16,fd88::/64 --etc-dir $ST.etc || fail "attach a"
attach b $C2 --network bridge --subnet 10.88.0.0/16,fd88::/64 || fail "attach b"
A6=$(field a ip6); B6=$(field b ip6)
[ "$A6" = fd88::2 ] && [ "$B6" = fd88::3 ] || fail "v6 addresses '$A6' '$B6'"
in_ctr $C1 ip -6 route | grep -q "default via fd88::1 dev eth0" || fail "no v6 default route"
in_ctr $C1 busybox ping -6 -c1 -W2 $B6 >/dev/null || fail "a -> b over v6"
in_ctr $C2 busybox ping -6 -c1 -W2 fd88::1 >/dev/null || fail "b -> gateway over v6"
grep -q "^fd88::2	a$" $ST.etc/hosts || fail "v6 address not in /etc/hosts"
in_host nft list set inet kapsel nets6 | grep -q "fd88::/64" || fail "v6 subnet not masqueraded"
[ "$(in_host cat /proc/sys/net/ipv6/conf/all/forwarding)" = 1 ] || fail "v6 forwarding off"
ok "IPv6: addresses, route, reachability, hosts, NAT"
# A second v6 subnet on the same bridge is refused.
ctr_start
if attach c $CPID --network bridge --subnet 10.88.0.0/16,fd99::/64 2> $ST.err; then fail "v6 subnet change accepted"; fi
grep -q "already serves subnet" $ST.err || fail "unclear error: $(cat $ST.err)"
detach a && detach b || fail detach
in_host nft list table inet kapsel >/dev/null 2>&1 && fail "table left"
ok "detach"
