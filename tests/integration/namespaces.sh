#!/usr/bin/env bash
# Namespaces, checked from inside the container: new ones, joined by path,
# hostname/domainname, pid 1, user namespace with uid/gid mappings.
. "$(dirname "$0")/lib.sh"
kt_init

host_ns() { readlink "/proc/self/ns/$1"; }

# ---- new namespaces ------------------------------------------------------
make_bundle ns
cfg ns '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},
	{"type":"mount"},{"type":"cgroup"}]'
ctr_sh ns 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done'
assert_rc "run with pid net ipc uts mount cgroup namespaces" 0
i=1
for n in pid net ipc uts mnt cgroup; do
	got=$(sed -n "${i}p" <<<"$OUT")
	assert_match "$n namespace is new" "$got" "^$n:\\[[0-9]+\\]\$"
	assert_ne "$n namespace differs from the host's" "$(host_ns "$n")" "$got"
	i=$((i + 1))
done
ctr_sh ns 'echo $$; cat /proc/1/cmdline | tr "\0" " "; echo; ps -o pid,comm | tail -n +2 | wc -l'
assert_eq "pid namespace: the shell is pid 1" 1 "$(sed -n 1p <<<"$OUT")"
assert_eq "pid namespace: /proc/1 is the container's process" "sh -c" \
	"$(sed -n 2p <<<"$OUT" | cut -d' ' -f1-2)"
assert_match "pid namespace: ps sees only the container (sh, ps, tail, wc)" "$(sed -n 3p <<<"$OUT" | tr -d ' ')" '^[1-4]$'
ctr_sh ns 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "; ip -o link | wc -l'
assert_eq "net namespace: only lo" $'lo\n1' "$OUT"
ctr_sh ns 'ip -o addr show lo | grep -c "inet 127.0.0.1"'
# runc and crun bring lo up in a new network namespace; users expect it.
assert_eq "net namespace: lo is up with 127.0.0.1 (as runc and crun)" 1 "$OUT"
ctr_sh ns 'ipcs -m | grep -c "^0x"'
hostmk=$(awk 'NR > 1' /proc/sysvipc/shm | wc -l)
assert_eq "ipc namespace: no SysV shm segments of the host ($hostmk on host)" 0 "$OUT"
ctr_sh ns 'cat /proc/self/cgroup'
assert_match "cgroup namespace: own cgroup is /" "$OUT" '^0::/$'
bad=$(grep -v ':/$' <<<"$OUT")
assert_eq "cgroup namespace: every hierarchy rooted at /" "" "$bad"

# time namespace, where the kernel has it
if [ -e /proc/self/ns/time ]; then
	make_bundle tns
	cfg tns '.linux.namespaces += [{"type":"time"}]'
	ctr_sh tns 'readlink /proc/self/ns/time_for_children; readlink /proc/self/ns/time'
	assert_rc "run with a time namespace" 0
	assert_ne "time namespace differs from the host's" "$(host_ns time)" "$(sed -n 2p <<<"$OUT")"
else
	echo "# kernel has no time namespace: not tested"
fi

# Without a uts namespace the runtime must not touch the host's hostname.
make_bundle nouts
cfg nouts '.linux.namespaces |= map(select(.type != "uts")) | del(.hostname)'
ctr_sh nouts 'hostname'
assert_eq "no uts namespace: host's hostname visible" "$(hostname)" "$OUT"

# ---- hostname and domainname ---------------------------------------------
make_bundle uts
cfg uts '.hostname = "kt-host" | .domainname = "kt.example"'
ctr_sh uts 'hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
assert_eq "hostname and domainname set" $'kt-host\nkt-host\nkt.example' "$OUT"
assert_ne "host's hostname untouched" kt-host "$(hostname)"
assert_ne "host's domainname untouched" kt.example "$(cat /proc/sys/kernel/domainname)"

# ---- joined by path -------------------------------------------------------
kt_netns join
# A marker only this netns has (no dummy/veth modules are assumed).
ip -n "$NETNS" addr add 10.77.0.1/32 dev lo
make_bundle join
cfg join '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
	--arg p "/var/run/netns/$NETNS"
ctr_sh join 'readlink /proc/self/ns/net; ip -o addr show lo'
assert_rc "run joining a network namespace by path" 0
want="net:[$(stat -L -c %i "/var/run/netns/$NETNS")]"
assert_eq "joined netns is the one named by path" "$want" "$(sed -n 1p <<<"$OUT")"
assert_contains "joined netns: its address 10.77.0.1 is visible" "$OUT" 10.77.0.1

# Joining another container's namespaces (uts, ipc) by /proc/PID/ns path.
make_bundle owner
cfg owner '.hostname = "kt-owner"'
set_args owner sleep 1000
new_id; OWNER=$ID
kk run --detach --bundle "$KT_WORK/owner" "$OWNER"
opid=$(state_field "$OWNER" .pid)
make_bundle joiner
cfg joiner '.linux.namespaces |= map(if .type == "uts" or .type == "ipc"
	then .path = "/proc/\($pid)/ns/\(if .type == "uts" then "uts" else "ipc" end)" else . end)
	| del(.hostname)' --arg pid "$opid"
ctr_sh joiner 'hostname; readlink /proc/self/ns/ipc'
assert_eq "joined uts and ipc of another container" "kt-owner $(readlink "/proc/$opid/ns/ipc")" \
	"$(echo $OUT)"
kk delete --force "$OWNER"

# ---- user namespace ------------------------------------------------------
if [ -e /proc/self/ns/user ]; then
	make_bundle userns
	cfg userns '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
		| .mounts |= map(select(.type != "cgroup"))'
	# The rootfs must belong to the mapped root for a real image; here
	# world-readable is enough, but /tmp must be writable by uid 100000.
	ctr_sh userns 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user'
	assert_rc "run with a user namespace" 0
	assert_eq "user ns: id -u / id -g are 0 inside" $'0\n0' "$(sed -n 1,2p <<<"$OUT")"
	assert_eq "user ns: /proc/self/uid_map" "0 100000 65536" "$(sed -n 3p <<<"$OUT" | tr -s ' ' | sed 's/^ //')"
	assert_eq "user ns: /proc/self/gid_map" "0 200000 65536" "$(sed -n 4p <<<"$OUT" | tr -s ' ' | sed 's/^ //')"
	assert_ne "user ns differs from the host's" "$(host_ns user)" "$(sed -n 5p <<<"$OUT")"
	# The container's uid 1000 is host uid 101000.
	cfg userns '.process.user = {"uid":1000,"gid":1000}'
	set_args userns sleep 1000
	new_id
	kk run --detach --bundle "$KT_WORK/userns" "$ID"
	upid=$(state_field "$ID" .pid)
	assert_eq "user ns: uid 1000 inside is host uid 101000" "101000 201000" \
		"$(awk '/^Uid:/{u=$2} /^Gid:/{g=$2} END{print u, g}' "/proc/$upid/status" 2>&1)"
	kk delete --force "$ID"
else
	echo "# kernel has no user namespaces: not tested"
fi

kt_finish
