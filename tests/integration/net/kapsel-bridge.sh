#!/bin/bash
# Bridge networking through the real CLI (kapsel run/create --network ...),
# kapsel running inside the test netns: two containers reach each other, the
# test netns reaches a detached container's httpd by IP and through
# --publish; /etc files; delete, delete --force and kill -9 + delete release
# everything; the org.kapsel.network.* annotations without flags; a config
# that joins a netns path or has no network namespace is refused clearly.
. "$(dirname "$0")/klib.sh"
setup_kapsel
make_bundle $BUNDLE '.process.args = ["sh", "-c",
	"mkdir /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"]'
before=$(ksnapshot)

krun_d web1 --network bridge --hostname web1 --publish 8080:80 --dns 192.0.2.53 ||
	fail "run web1: $(cat $ST.err.web1)"
krun_d web2 --network bridge --hostname web2 || fail "run web2: $(cat $ST.err.web2)"
IP1=$(kip web1); IP2=$(kip web2)
[ -n "$IP1" ] && [ -n "$IP2" ] && [ "$IP1" != "$IP2" ] || fail "addresses '$IP1' '$IP2'"
[ "$(addr_of web1)" = "$IP1" ] || fail "eth0 of web1 is '$(addr_of web1)', state says $IP1"
kexec web1 ip route | grep -q "^default via 10.88.0.1 dev eth0" || fail "no default route in web1"
ok "web1=$IP1 web2=$IP2, eth0 and the default route set"

# Container to container over the bridge, both ways (TCP: the default
# capabilities have no CAP_NET_RAW for ping), and with nc.
[ "$(fetch kget web2 $IP1 80)" = web1 ] || fail "web2 -> web1 by IP"
[ "$(fetch kget web1 $IP2 80)" = web2 ] || fail "web1 -> web2 by IP"
k exec -d web2 sh -c 'nc -l -p 7000 > /tmp/got' </dev/null >/dev/null 2>&1 || fail "exec -d nc -l"
sleep 0.3
echo "over nc" | k exec web1 nc -w 2 $IP2 7000 2>/dev/null
sleep 0.2
[ "$(kexec web2 cat /tmp/got)" = "over nc" ] || fail "nc web1 -> web2: '$(kexec web2 cat /tmp/got)'"
ok "containers reach each other (HTTP both ways, nc)"

[ "$(fetch in_host timeout 5 busybox wget -q -O- http://$IP1/)" = web1 ] || fail "test netns -> web1 by IP"
ok "test netns reaches the detached container's httpd by IP"
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://198.51.100.1:8080/)" = web1 ] ||
	fail "test netns -> published port 8080"
ok "test netns reaches it through --publish 8080:80"
[ "$(fetch kget web2 198.51.100.1 8080)" = web1 ] ||
	fail "web2 -> published port (hairpin)"
ok "hairpin: web2 through the published port"

[ "$(kexec web1 cat /etc/hostname)" = web1 ] || fail "/etc/hostname: $(kexec web1 cat /etc/hostname)"
kexec web1 cat /etc/hosts | grep -q "^$IP1	web1$" || fail "/etc/hosts: $(kexec web1 cat /etc/hosts)"
kexec web1 cat /etc/resolv.conf | grep -qx "nameserver 192.0.2.53" || fail "/etc/resolv.conf"
ok "/etc/hostname, /etc/hosts, /etc/resolv.conf inside the container"

# delete of a stopped container; delete --force of a running one.
k kill web2 KILL || fail "kill web2"
for _ in $(seq 50); do [ "$(k state web2 | jq -r .status)" = stopped ] && break; sleep 0.1; done
k delete web2 || fail "delete web2"
in_host nft list table inet kapsel >/dev/null 2>&1 || fail "nft table gone while web1 runs"
k delete --force web1 || fail "delete --force web1"
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after delete"; }
ok "delete and delete --force released veths, addresses, rules and state"

# kill -9 of the container's init from outside, then delete.
krun_d k9 --network bridge --publish 8081:80 || fail "run k9: $(cat $ST.err.k9)"
kill -9 "$(kpid k9)"
for _ in $(seq 50); do [ "$(k state k9 | jq -r .status)" = stopped ] && break; sleep 0.1; done
k delete k9 || fail "delete k9 after kill -9"
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after kill -9 + delete"; }
ok "kill -9 then delete released everything"

# A foreground run: the process sees its address; kapsel deletes on exit.
make_bundle $BUNDLE.fg '.process.args = ["ip", "-o", "-4", "addr", "show", "eth0"]'
out=$(k run --bundle $BUNDLE.fg --network bridge --ip 10.88.7.7 fg </dev/null 2>/dev/null) ||
	fail "foreground run --network bridge"
echo "$out" | grep -q "inet 10.88.7.7/16" || fail "foreground run: '$out'"
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after a foreground run"; }
ok "foreground run --network bridge --ip: address seen, everything released on exit"

# The annotations, no flags.
KB=$BUNDLE.ann
make_bundle $KB '.process.args = ["sh", "-c",
	"mkdir /tmp/www && hostname > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"]
	| .annotations = {"org.kapsel.network": "bridge:ktbr1",
	  "org.kapsel.network.subnet": "10.66.0.0/24", "org.kapsel.network.ip": "10.66.0.42",
	  "org.kapsel.network.hostname": "annotated", "org.kapsel.network.publish": "8082:80",
	  "org.kapsel.network.dns": "192.0.2.1,192.0.2.2"}'
krun_d ann || fail "run with annotations: $(cat $ST.err.ann)"
[ "$(addr_of ann)" = 10.66.0.42 ] || fail "annotated address: '$(addr_of ann)'"
in_host ip -o addr show ktbr1 | grep -q "10.66.0.1/24" || fail "bridge ktbr1 has no 10.66.0.1/24"
[ "$(fetch in_host timeout 5 busybox wget -q -O- http://198.51.100.1:8082/)" = annotated ] ||
	fail "annotated hostname/publish"
[ "$(kexec ann cat /etc/resolv.conf | grep -c nameserver)" = 2 ] || fail "annotated dns"
# A flag overrides its annotation.
krun_d ann2 --ip 10.66.0.43 --publish 8083:80 || fail "run ann2: $(cat $ST.err.ann2)"
[ "$(addr_of ann2)" = 10.66.0.43 ] || fail "--ip did not override the annotation: '$(addr_of ann2)'"
k delete -f ann; k delete -f ann2
in_host ip link del ktbr1
after=$(ksnapshot)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after"); fail "leftovers after annotations"; }
ok "org.kapsel.network.* annotations (and a flag overriding one)"
unset KB

# A network namespace kapsel did not create: refused before anything exists.
ip netns add $TAG-join || fail "ip netns add"
EXTRA_NS="$EXTRA_NS $TAG-join"
make_bundle $BUNDLE.join ".linux.namespaces |= map(if .type == \"network\"
	then .path = \"/var/run/netns/$TAG-join\" else . end)"
kexpect_fail "network" k create --bundle $BUNDLE.join --network bridge j1
make_bundle $BUNDLE.nonet '.linux.namespaces |= map(select(.type != "network"))'
kexpect_fail "network" k create --bundle $BUNDLE.nonet --network bridge j2
# Without --network the same configs are fine (kapsel leaves the network alone).
k create --bundle $BUNDLE.join j3 </dev/null >/dev/null 2>&1 || fail "joining a netns without --network"
k delete -f j3
ok "--network refused for a joined netns path and for no network namespace"
