#!/bin/bash
# Rootless (issue 6): everything below runs as an unprivileged user this test
# creates (tests/integration/rootless/lib.sh), with its own XDG_RUNTIME_DIR,
# on the busybox rootfs. Root only sets up the user, the bundles and the
# checks from outside. Cgroup limits with a delegated subtree are checked in
# the test VM (rootless-vm.test); here, on a host whose cgroup2 has no
# controllers or no delegation, limits must be refused clearly.
. "$(dirname "$0")/lib.sh"
kt_init
. "$KT_SRCDIR/rootless/lib.sh"
rl_setup

# ---- spec --rootless, run, identity ---------------------------------------

rl_bundle b1
assert_eq "spec --rootless maps container root to the caller only (runc's default)" \
	"0 $RL_UID 1 / 0 $RL_GID 1" \
	"$(jq -r '[.linux.uidMappings[] | "\(.containerID) \(.hostID) \(.size)"] | join(",")' "$B/config.json") / $(
	   jq -r '[.linux.gidMappings[] | "\(.containerID) \(.hostID) \(.size)"] | join(",")' "$B/config.json")"
assert_eq "spec --rootless has no network namespace and binds /sys" "false rbind" \
	"$(jq -r '([.linux.namespaces[].type] | index("network") != null | tostring) + " " +
		  (.mounts[] | select(.destination == "/sys") | .options | map(select(. == "rbind"))[0])' \
		  "$B/config.json")"

rl_sh b1 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map'
assert_rc "run as $RL_USER" 0
assert_eq "id inside: root" "0 0" "$(echo "$OUT" | sed -n 1,2p | tr '\n' ' ' | sed 's/ $//')"
assert_eq "uid_map: root mapped to the user" "0 $RL_UID 1" "$(echo "$OUT" | sed -n 3p | tr -s ' ' | sed 's/^ //')"
assert_eq "gid_map: root mapped to the user's group" "0 $RL_GID 1" "$(echo "$OUT" | sed -n 4p | tr -s ' ' | sed 's/^ //')"
assert_eq "run prints nothing on stderr" "" "$ERR"

cfg b1 '.hostname = "rl-box"'
rl_sh b1 'echo $$; hostname; tr "\0" " " </proc/1/cmdline | cut -d" " -f1,2; echo 1 >/proc/sys/kernel/pid_max 2>/dev/null && echo "host sysctl" written'
assert_eq "isolated: its own pid and uts namespaces" "1 rl-box sh -c" \
	"$(echo "$OUT" | sed -n 1,3p | tr '\n' ' ' | sed 's/ $//')"
assert_not_contains "root in the container may not write a host sysctl" "$OUT" "host sysctl written"
assert_eq "the hostname of the host is untouched" "$(cat /proc/sys/kernel/hostname)" "$(hostname)"

# A device bound from the host, not made with mknod (refused in a userns).
rl_sh b1 'echo hi > /dev/null && head -c 4 /dev/zero | wc -c && stat -c %t:%T /dev/null'
assert_eq "devices bind-mounted from the host work" "4 1:3" "$(echo "$OUT" | tr '\n' ' ' | sed 's/ $//')"

# ---- bind mount: files owned by the user on the host ----------------------

mkdir -p "$KT_WORK/shared"
chown "$RL_UID:$RL_GID" "$KT_WORK/shared"
cfg b1 '.mounts += [{"destination": "/shared", "type": "bind", "source": $s,
	"options": ["rbind", "rw"]}]' --arg s "$KT_WORK/shared"
rl_sh b1 'echo made > /shared/by-root && ls -n /shared/by-root | awk "{print \$3, \$4}"'
assert_rc "container writes into a bind mount" 0
assert_eq "inside: the file is root's" "0 0" "$OUT"
assert_eq "on the host: the file is the user's" "$RL_UID:$RL_GID" \
	"$(stat -c %u:%g "$KT_WORK/shared/by-root" 2>&1)"

# ---- multi-range mapping through newuidmap/newgidmap ----------------------

rl_bundle b2
chmod 1777 "$KT_WORK/shared"
cfg b2 '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
		{"containerID": 1, "hostID": $su, "size": 65536}]
	| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
		{"containerID": 1, "hostID": $sg, "size": 65536}]
	| .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000]}
	| .mounts += [{"destination": "/shared", "type": "bind", "source": $s,
		"options": ["rbind", "rw"]}]' \
	--argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" \
	--argjson sg "$RL_SUBGID" --arg s "$KT_WORK/shared"
rl_sh b2 'id -u; id -G; cat /proc/self/uid_map; touch /shared/by-1000'
assert_rc "multi-range mapping as $RL_USER" 0
assert_eq "process.user 1000 with its additional gid (setgroups allowed by newgidmap)" \
	"1000 / 1000 2000" "$(echo "$OUT" | sed -n 1p) / $(echo "$OUT" | sed -n 2p)"
assert_eq "uid_map written by newuidmap: two ranges" \
	"0 $RL_UID 1,1 $RL_SUBUID 65536" \
	"$(echo "$OUT" | sed -n 3,4p | tr -s ' ' | sed 's/^ //' | paste -sd,)"
assert_eq "uid 1000 inside is subuid start + 999 outside" \
	"$((RL_SUBUID + 999)):$((RL_SUBGID + 999))" "$(stat -c %u:%g "$KT_WORK/shared/by-1000" 2>&1)"

# ---- lifecycle: create/start/state/list/exec/kill/delete -------------------

set_args b2 sleep 1000
cfg b2 '.process.user = {"uid": 0, "gid": 0}'
new_id
uk create --bundle "$KT_WORK/b2" "$ID"
assert_rc "create" 0
assert_eq "state: created" created "$(rl_state "$ID" .status)"
pid=$(rl_state "$ID" .pid)
assert_eq "the init runs as the user on the host" "$RL_UID" "$(stat -c %u "/proc/$pid" 2>&1)"
uk start "$ID"
assert_rc "start" 0
assert_eq "state: running" running "$(rl_state "$ID" .status)"
uk list --format json
assert_eq "list shows it with the user as owner" "running $RL_USER" \
	"$(echo "$OUT" | jq -r --arg id "$ID" '.[] | select(.id == $id) | "\(.status) \(.owner)"')"
uk exec "$ID" sh -c 'id -u; cat /proc/self/uid_map | wc -l'
assert_eq "exec as rootless: root, in the container's user namespace" "0 2" \
	"$(echo "$OUT" | tr '\n' ' ' | sed 's/ $//')"
uk exec --user 1000:1000 "$ID" id -u
assert_eq "exec --user 1000 (a subuid) as rootless" 1000 "$OUT"
uk exec --detach "$ID" sleep 500
assert_rc "exec --detach" 0
uk exec "$ID" sh -c 'ps -o args | grep -c "^sleep 500"'
assert_eq "the detached exec runs in the container" 1 "$OUT"
# No cgroup without delegation: ps, pause, resume, update need one.
expect_fail "ps without a cgroup: one clear line" "has no cgroup" UK ps "$ID"
expect_fail "pause without a cgroup: one clear line" "has no cgroup" UK pause "$ID"
assert_eq "still running after the refused pause" running "$(rl_state "$ID" .status)"
uk kill "$ID" KILL
assert_rc "kill" 0
wait_gone "$pid"
assert_eq "state: stopped" stopped "$(rl_state "$ID" .status)"
uk delete "$ID"
assert_rc "delete" 0
assert_eq "nothing left in \$XDG_RUNTIME_DIR after kill+delete (its empty kapsel dir)" "kapsel" \
	"$(find "$RL_XDG" -mindepth 1 -printf '%P\n' | paste -sd' ')"

new_id
uk run --detach --bundle "$KT_WORK/b2" "$ID"
assert_rc "run --detach" 0
pid=$(rl_state "$ID" .pid)
uk delete --force "$ID"
assert_rc "delete --force of a running container" 0
wait_gone "$pid" && t_pass "its processes are gone" || t_fail "its processes are gone" "pid $pid"
assert_eq "\$XDG_RUNTIME_DIR/kapsel empty" "" "$(ls -A "$RL_XDG/kapsel")"

# ---- the no-delegation rules ----------------------------------------------

cfg b1 '.process.args = ["true"]'
new_id
cfg b1 '.linux.resources = {"memory": {"limit": 67108864}}'
expect_fail "limits without a delegated cgroup: refused clearly" "linux.resources" \
	UK run --bundle "$KT_WORK/b1" "$ID"
assert_eq "the refused run left nothing" "" "$(ls -A "$RL_XDG/kapsel")"
cfg b1 'del(.linux.resources)'
uk run --bundle "$KT_WORK/b1" "$ID"
assert_rc "the same config without limits runs" 0

# ---- bad input -------------------------------------------------------------

new_id
rl_without_subids expect_fail "a mapping beyond the user's own id with no subuid range names /etc/subuid" \
	"/etc/subuid" UK run --bundle "$KT_WORK/b2" "$ID"
assert_eq "the refused mapping left nothing in \$XDG_RUNTIME_DIR" "" "$(ls -A "$RL_XDG/kapsel")"
assert_eq "and no process" "" "$(kt_tagged_pids | tr '\n' ' ')"

cfg b2 '.linux.uidMappings[1].hostID = 1'
new_id
expect_fail "a range outside the user's subuids is refused, naming /etc/subuid" "/etc/subuid" \
	UK run --bundle "$KT_WORK/b2" "$ID"

new_id
expect_fail "no XDG_RUNTIME_DIR and no --root: says how to set it" "XDG_RUNTIME_DIR.*--root" \
	rl_as_user env -u XDG_RUNTIME_DIR "$RL_BIN" run --bundle "$KT_WORK/b1" "$ID"

kt_finish
