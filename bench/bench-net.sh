#!/bin/bash
# Cost of wiring one container to a bridge (veth, address, routes, NAT) and of
# tearing it down: kapsel (netsetup through tests/integration/net/netdriver)
# vs the CNI bridge + host-local plugins (invoked directly, as a runtime
# would) vs `netavark setup`/`teardown`. One process per operation for all
# three, on the same kind of pre-made netns (`unshare -n sleep`), interleaved
# with a rotating order, all inside a network namespace made for the run.
#
#   bench/bench-net.sh [ROUNDS] [resident|empty]
#     resident (default): one other container stays attached on each network
#        for the whole run, so no tool creates or deletes its bridge or its
#        shared NAT rules per round (a host with containers running);
#     empty: every round starts from an empty network.
#   ND=path/to/netdriver (default: the build dir's)
# Then the wiring cost through the CLI: `kapsel run --network bridge` vs
# `kapsel run` of /bin/true (busybox rootfs), interleaved, same netns.
#   KAPSEL=path/to/kapsel (default: the build dir's; skipped when missing)
set -u
ROUNDS=${1:-30}
SCENE=${2:-resident}
ND=${ND:-${abs_top_builddir:-/tmp/build-net}/tests/integration/net/netdriver}
KAPSEL=${KAPSEL:-${abs_top_builddir:-/tmp/build-net}/kapsel}
CNI_PATH=${CNI_PATH:-/usr/lib/cni}
NETAVARK=${NETAVARK:-/usr/lib/podman/netavark}

if [ -z "${KT_BENCH_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-net: needs root (network namespaces)"; exit 77; }
	for x in "$ND" "$CNI_PATH/bridge" "$CNI_PATH/host-local" "$NETAVARK"; do
		[ -x "$x" ] || { echo "bench-net: $x missing (containernetworking-plugins, netavark)"; exit 77; }
	done
	NS=kt-net-bench-$$
	ip netns add $NS || exit 1
	KT_BENCH_INNER=1 ip netns exec $NS bash "$0" "$@"
	rc=$?
	ip netns del $NS
	exit $rc
fi

D=/tmp/kt-net-bench-$$
mkdir -p $D/nv $D/cni
trap 'kill -9 $RES_PIDS 2>/dev/null; [ -x "$KAPSEL" ] && "$KAPSEL" --root $D/kr delete -f res 2>/dev/null
	rm -rf $D' EXIT
ip link set lo up
RES_PIDS=""

ctr() { unshare -n sleep 600 & CPID=$!; disown $CPID
	while [ "$(cat /proc/$CPID/comm 2>/dev/null)" != sleep ]; do :; done; }
now() { echo ${EPOCHREALTIME/./}; }   # microseconds

kapsel_add() { "$ND" attach --state-dir $D/kapsel --id "$1" --pid "$2" --network bridge:kbench \
	--subnet 10.88.0.0/16 > $D/k.$1.json; }
kapsel_del() { "$ND" detach $D/k.$1.json; }

cni_conf() { cat <<JSON
{"cniVersion":"1.0.0","name":"cbench","type":"bridge","bridge":"cbench","isGateway":true,
 "ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"10.89.0.0/16"}]],
 "routes":[{"dst":"0.0.0.0/0"}],"dataDir":"$D/cni"}}
JSON
}
cni_conf > $D/cni.json
cni() { CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/proc/$3/ns/net CNI_IFNAME=eth0 \
	CNI_PATH=$CNI_PATH "$CNI_PATH/bridge" < $D/cni.json > /dev/null; }
cni_add() { cni ADD "$1" "$2"; }
cni_del() { cni DEL "$1" "$2"; }

# netavark does no IPAM (podman does): it gets a static address per round.
NV_N=1
nv_opts() { cat <<JSON
{"container_id":"$1","container_name":"$1","networks":{"nbench":{"interface_name":"eth0",
 "static_ips":["10.90.$(( $2 / 250 )).$(( $2 % 250 + 2 ))"]}},"network_info":{"nbench":{
 "dns_enabled":false,"driver":"bridge","id":"$(printf '%064d' 7)","internal":false,
 "ipv6_enabled":false,"name":"nbench","network_interface":"nbench","subnets":[
 {"gateway":"10.90.0.1","subnet":"10.90.0.0/16"}]}},"port_mappings":[]}
JSON
}
nv_add() { NV_N=$((NV_N + 1)); nv_opts "$1" $NV_N > $D/nv.$1.json
	"$NETAVARK" --config $D/nv setup /proc/$2/ns/net < $D/nv.$1.json > /dev/null; }
nv_del() { "$NETAVARK" --config $D/nv teardown /proc/$2/ns/net < $D/nv.$1.json; }

TOOLS=(kapsel cni nv)
NAMES=(kapsel "cni-bridge+host-local" netavark)

# A correctness check before timing anything: each tool really wired eth0.
for i in 0 1 2; do
	t=${TOOLS[$i]}; ctr
	${t}_add chk$t $CPID || { echo "bench-net: ${NAMES[$i]} setup failed"; exit 1; }
	nsenter -n -t $CPID ip -4 -o addr show eth0 | grep -q inet ||
		{ echo "bench-net: ${NAMES[$i]} left eth0 without an address"; exit 1; }
	${t}_del chk$t $CPID || { echo "bench-net: ${NAMES[$i]} teardown failed"; exit 1; }
	kill -9 $CPID
done
if [ "$SCENE" = resident ]; then
	for t in "${TOOLS[@]}"; do ctr; RES_PIDS="$RES_PIDS $CPID"; ${t}_add res$t $CPID || exit 1; done
fi

: > $D/times
for r in $(seq $ROUNDS); do
	for k in 0 1 2; do
		i=$(( (r + k) % 3 )); t=${TOOLS[$i]}
		ctr
		t0=$(now); ${t}_add b$r $CPID || { echo "bench-net: $t add failed"; exit 1; }
		t1=$(now); ${t}_del b$r $CPID || { echo "bench-net: $t del failed"; exit 1; }
		t2=$(now)
		kill -9 $CPID
		echo "$t $((t1 - t0)) $((t2 - t1))" >> $D/times
	done
done

med() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "bench-net: $ROUNDS rounds, scene '$SCENE', medians in ms (one process per operation)"
printf "%-24s %9s %9s %9s\n" tool setup teardown total
declare -A S T
for i in 0 1 2; do
	t=${TOOLS[$i]}
	S[$t]=$(awk -v t=$t '$1 == t {print $2}' $D/times | med)
	T[$t]=$(awk -v t=$t '$1 == t {print $3}' $D/times | med)
	awk -v n="${NAMES[$i]}" -v s=${S[$t]} -v d=${T[$t]} \
		'BEGIN {printf "%-24s %9.1f %9.1f %9.1f\n", n, s/1000, d/1000, (s+d)/1000}'
done
for i in 1 2; do
	t=${TOOLS[$i]}
	awk -v n="${NAMES[$i]}" -v ks=${S[kapsel]} -v kd=${T[kapsel]} -v s=${S[$t]} -v d=${T[$t]} \
		'BEGIN {printf "%s / kapsel: setup %.1fx, teardown %.1fx, total %.1fx\n", n, s/ks, d/kd, (s+d)/(ks+kd)}'
done

# Through the CLI: what --network bridge adds to a whole `kapsel run`.
[ -x "$KAPSEL" ] && command -v busybox >/dev/null || { echo "bench-net: no kapsel or busybox, CLI part skipped"; exit 0; }
B=$D/bundle
mkdir -p $B/rootfs/bin $B/rootfs/etc
cp "$(command -v busybox)" $B/rootfs/bin/busybox
for a in true sleep; do ln -s busybox $B/rootfs/bin/$a; done
(cd $B && "$KAPSEL" spec) || exit 1
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' $B/config.json
grep -q '"true"' $B/config.json || { echo "bench-net: could not set the process to true"; exit 1; }
kr() { "$KAPSEL" --root $D/kr run --bundle $B "$@" </dev/null >/dev/null 2>&1; }
kr --network bridge chk && kr chk || { echo "bench-net: kapsel run failed"; exit 1; }
if [ "$SCENE" = resident ]; then
	sed 's/"true"$/"sleep", "600"/' $B/config.json > $B/res.json
	mkdir -p $D/res && cp $B/res.json $D/res/config.json && ln -s $B/rootfs $D/res/rootfs
	"$KAPSEL" --root $D/kr run -d --bundle $D/res --network bridge res </dev/null >/dev/null 2>&1 ||
		{ echo "bench-net: resident container failed"; exit 1; }
fi
: > $D/runs
for r in $(seq $ROUNDS); do
	for k in 0 1; do
		if [ $(( (r + k) % 2 )) = 0 ]; then
			t0=$(now); kr --network bridge r$r || { echo "bench-net: run --network bridge failed"; exit 1; }
			echo "bridge $(( $(now) - t0 ))" >> $D/runs
		else
			t0=$(now); kr r$r || { echo "bench-net: run failed"; exit 1; }
			echo "none $(( $(now) - t0 ))" >> $D/runs
		fi
	done
done
rb=$(awk '$1 == "bridge" {print $2}' $D/runs | med)
rn=$(awk '$1 == "none" {print $2}' $D/runs | med)
awk -v b=$rb -v n=$rn 'BEGIN {printf "kapsel run /bin/true: %.1f ms, with --network bridge: %.1f ms (+%.1f ms, %.2fx)\n", n/1000, b/1000, (b-n)/1000, b/n}'
