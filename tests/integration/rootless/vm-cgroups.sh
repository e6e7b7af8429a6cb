#!/bin/bash
# Rootless containers with cgroup limits: runs INSIDE the test VM (pure
# cgroup2 with every controller; tests/integration/rootless-vm.test boots it).
# Root hands the test user a cgroup subtree the way systemd's Delegate= does
# (chown of the directory and of cgroup.procs, cgroup.subtree_control,
# cgroup.threads) and puts the user's commands in a leaf below it; the user's
# containers must get their limits there, and pause/resume/update/ps work.
# Without delegation, limits are refused clearly and a container without
# them still runs.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	echo "1..0 # SKIP needs a pure cgroup2 with controllers (run it through tests/vm/run-in-vm.sh)"
	exit 77
fi
kt_init
. "$here/lib.sh"
rl_setup

CG=/sys/fs/cgroup
DELEG="$CG/kt-deleg-$KT_TAG"
mkdir "$DELEG" || kt_bail "mkdir $DELEG"
chown "$RL_UID:$RL_GID" "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" \
	"$DELEG/cgroup.threads"
# The user's "shell" cgroup, made by the user inside its subtree.
rl_as_user mkdir "$DELEG/shell" || kt_bail "the user cannot mkdir in its delegated cgroup"

# UK in the delegated leaf: root moves the process (the common ancestor of
# the source and destination cgroups is not the user's), then drops to the user.
UD() {
	bash -c 'echo $$ >"$0/shell/cgroup.procs" && exec "$@"' "$DELEG" \
		setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$RL_XDG" \
		XDG_RUNTIME_DIR="$RL_XDG" KT_TAG="$KT_TAG" \
		timeout -k 5 "$KT_TIMEOUT" "$RL_BIN" "$@"
}
ud() {
	UD "$@" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err"
	RC=$?
	OUT=$(cat "$KT_TMP/out")
	ERR=$(cat "$KT_TMP/err")
}
cgf() { cat "$DELEG/kapsel-$1/$2" 2>&1; }
# Every runtime call of the delegated part runs in the user's leaf cgroup
# (exec moves its process into the container's cgroup: that needs write
# access to the cgroup.procs of a common ancestor, which is the delegation).
UK_LIB=$(declare -f UK)
UK() { UD "$@"; }

rl_bundle lim
set_args lim sleep 1000
cfg lim '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 40}}'
new_id
ud run --detach --bundle "$KT_WORK/lim" "$ID"
assert_rc "rootless run --detach with memory and pids limits in a delegated subtree" 0
pid=$(rl_state "$ID" .pid)
assert_eq "the init is in it" "0::/kt-deleg-$KT_TAG/kapsel-$ID" "$(cat "/proc/$pid/cgroup" 2>&1)"
assert_eq "memory.max" 67108864 "$(cgf "$ID" memory.max)"
assert_eq "pids.max" 40 "$(cgf "$ID" pids.max)"
assert_eq "the cgroup belongs to the user" "$RL_UID" "$(stat -c %u "$DELEG/kapsel-$ID" 2>&1)"

# 40 pids: the init, the exec's shell and 38 sleeps; the 39th fork fails.
uk exec "$ID" sh -c 'for i in $(seq 60); do sleep 30 & done 2>/dev/null; echo forked'
assert_eq "pids.max is enforced: the limit was hit" "max" \
	"$(awk '$2 > 0 {print $1}' "$DELEG/kapsel-$ID/pids.events" 2>&1)"
n=$(cgf "$ID" pids.current)
[ "$n" -le 40 ] 2>/dev/null && t_pass "pids.current stayed at most 40 ($n)" ||
	t_fail "pids.current stayed at most 40" "got: $n"
uk exec "$ID" pkill -f "^sleep 30"
uk ps "$ID"
assert_rc "ps" 0
assert_match "ps lists the init" "$OUT" "^[^ ]+ +$pid "
uk pause "$ID"
assert_rc "pause" 0
assert_eq "state: paused" paused "$(rl_state "$ID" .status)"
assert_eq "cgroup.freeze 1" 1 "$(cgf "$ID" cgroup.freeze)"
uk resume "$ID"
assert_rc "resume" 0
assert_eq "state: running again" running "$(rl_state "$ID" .status)"
uk update --memory 134217728 --pids-limit 50 "$ID"
assert_rc "update" 0
assert_eq "update: memory.max" 134217728 "$(cgf "$ID" memory.max)"
assert_eq "update: pids.max" 50 "$(cgf "$ID" pids.max)"
uk exec --detach "$ID" sleep 77
xpid=$(pgrep -f -u "$RL_UID" -x "sleep 77")
assert_eq "exec lands in the container's cgroup" "0::/kt-deleg-$KT_TAG/kapsel-$ID" \
	"$(cat "/proc/$xpid/cgroup" 2>&1)"
uk events --stats "$ID"
assert_eq "events --stats: the memory limit" 134217728 \
	"$(echo "$OUT" | jq -r '.data.memory.usage.limit' 2>&1)"
uk kill "$ID" KILL
wait_gone "$pid"
uk delete "$ID"
assert_rc "delete" 0
[ -e "$DELEG/kapsel-$ID" ] && t_fail "delete removed the cgroup" "$DELEG/kapsel-$ID" ||
	t_pass "delete removed the cgroup"

# A relative cgroupsPath is below the parent of the caller's cgroup too.
cfg lim '.linux.cgroupsPath = "rl-named"'
new_id
ud run --detach --bundle "$KT_WORK/lim" "$ID"
assert_rc "relative cgroupsPath inside the delegation" 0
assert_eq "its memory.max" 67108864 "$(cat "$DELEG/rl-named/memory.max" 2>&1)"
uk delete --force "$ID"
assert_rc "delete --force" 0
[ -e "$DELEG/rl-named" ] && t_fail "its cgroup is gone" || t_pass "its cgroup is gone"

# ---- without delegation ---------------------------------------------------

eval "$UK_LIB"

cfg lim 'del(.linux.cgroupsPath)'
new_id
expect_fail "limits without delegation: refused, saying a delegated cgroup is needed" \
	"linux.resources.*delegat" UK run --bundle "$KT_WORK/lim" "$ID"
assert_eq "nothing left" "" "$(ls -A "$RL_XDG/kapsel")"
cfg lim 'del(.linux.resources) | .process.args = ["true"]'
uk run --bundle "$KT_WORK/lim" "$ID"
assert_rc "without limits it runs (no cgroup)" 0
set_args lim sleep 1000
new_id
uk run --detach --bundle "$KT_WORK/lim" "$ID"
assert_rc "run --detach without limits (no cgroup)" 0
expect_fail "pause of a container without a cgroup: one clear line" "has no cgroup" \
	UK pause "$ID"
uk delete --force "$ID"
assert_rc "delete --force" 0

rmdir "$DELEG/shell" "$DELEG" 2>/dev/null
kt_finish
