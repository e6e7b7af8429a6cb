# containerd 1.6 (sourced by suite.sh, inside the VM): a private containerd
# (temp config, root, state and socket), ctr with containerd-shim-runc-v2
# and BinaryName = $KAPSEL (ctr's --runc-binary), runc root in $CD/runc.
# The shim reads the container's cgroup v2 itself (metrics, OOM events):
# the cgroup must be exactly the spec's cgroupsPath, /<namespace>/<id>.
CD=$CT/containerd
mkdir -p "$CD"
cat >"$CD/config.toml" <<C
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD/containerd.sock"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = "$CD/debug.sock"
C
containerd --config "$CD/config.toml" >"$CD/containerd.log" 2>&1 &
CD_PID=$!
C() { run_out ctr --address "$CD/containerd.sock" --namespace kt "$@"; }
CR() { C run --runc-binary "$KAPSEL" --runc-root "$CD/runc" "$@"; }
task_status() { ctr --address "$CD/containerd.sock" --namespace kt task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}'; }
is_task_status() { [ "$(task_status "$1")" = "$2" ]; }
if ! wait_until 60 ctr --address "$CD/containerd.sock" version; then
	t_fail "containerd started" "$(tail -20 "$CD/containerd.log")"
	return 0
fi

C image import "$CLIENTS_IMG/bb-docker.tar"
assert_rc "ctr image import of a docker archive" 0
C image ls -q
assert_contains "the image is listed" "$OUT" "$IMG"

CR --rm "$IMG" r1 echo ok
assert_rc "ctr run --rm: exit 0" 0
assert_eq "ctr run --rm: output" ok "$OUT"
CR --rm "$IMG" r2 sh -c 'exit 7'
assert_rc "ctr run --rm sh -c 'exit 7' exits 7" 7

CR -d --memory-limit 67108864 "$IMG" c1 sleep 1000
assert_rc "ctr run -d" 0
wait_until 20 is_task_status c1 RUNNING
assert_eq "ctr task ls: RUNNING" RUNNING "$(task_status c1)"
cg=/sys/fs/cgroup/kt/c1
assert_eq "host: the cgroup is the spec's cgroupsPath /kt/c1 (memory.max)" 67108864 "$(cat "$cg/memory.max" 2>&1)"
C task exec --exec-id e1 c1 sh -c 'echo exec-ok; exit 4'
assert_rc "ctr task exec: exit code 4 passed through" 4
assert_eq "ctr task exec: output" exec-ok "$OUT"
C task ps c1
pid=$(awk 'NR == 2 {print $1}' "$CT/out")
assert_eq "ctr task ps: the init's pid, in the cgroup" "$pid" "$(cat "$cg/cgroup.procs" 2>&1)"
C task pause c1
assert_rc "ctr task pause" 0
assert_eq "paused: PAUSED" PAUSED "$(task_status c1)"
assert_eq "paused: cgroup.freeze" 1 "$(cat "$cg/cgroup.freeze" 2>&1)"
C task resume c1
assert_rc "ctr task resume" 0
assert_eq "resumed: RUNNING" RUNNING "$(task_status c1)"
C task metrics c1
assert_rc "ctr task metrics" 0
assert_match "ctr task metrics: the memory limit, read by the shim from the cgroup" "$OUT" 'memory\.usage_limit +67108864( |$)'
assert_match "ctr task metrics: pids.current 1" "$OUT" 'pids\.current +1( |$)'
C task kill -s KILL c1
assert_rc "ctr task kill -s KILL" 0
wait_until 20 is_task_status c1 STOPPED
assert_eq "killed: STOPPED" STOPPED "$(task_status c1)"
C task delete c1
assert_rc "ctr task delete" 0
assert_match "ctr task delete: exit status 137 (ctr warns about it)" "$ERR" 'exit code 137'
C container delete c1
assert_rc "ctr container delete" 0
assert_eq "host: the cgroup is gone" no "$([ -d "$cg" ] && echo yes || echo no)"

# OOM: the shim watches memory.events of the spec's cgroup.
ctr --address "$CD/containerd.sock" events >"$CD/events" 2>&1 &
EV_PID=$!
CR -d --memory-limit 16777216 "$IMG" oom1 sh -c 'a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done'
wait_until 60 is_task_status oom1 STOPPED
assert_eq "memory hog: STOPPED" STOPPED "$(task_status oom1)"
wait_until 10 grep -q '/tasks/oom' "$CD/events"
assert_match "ctr events: /tasks/oom for it" "$(cat "$CD/events")" '/tasks/oom .*oom1'
kill "$EV_PID" 2>/dev/null; wait "$EV_PID" 2>/dev/null
C task delete oom1
C container delete oom1

# a pty through the shim's console socket
run_out script -qec "ctr --address $CD/containerd.sock --namespace kt run -t --rm --runc-binary $KAPSEL --runc-root $CD/runc $IMG t1 sh -c 'tty; test -t 0 && echo in-tty'" /dev/null
OUT=$(printf '%s' "$OUT" | tr -d '\r')
assert_match "ctr run -t: a pty" "$OUT" '/dev/pts/[0-9]+$'
assert_match "ctr run -t: stdin is the tty" "$OUT" '^in-tty$'

# bad input: the shim passes kapsel's error on; nothing is left
CR --rm "$IMG" b1 no-such-command
assert_ne "a command not in the image: ctr run fails" 0 "$RC"
err_has "a command not in the image: kapsel's error through the shim" 'exec: "no-such-command": executable file not found in \$PATH'
C container delete b1
C run --rm localhost/no-such-image:latest b2 true
assert_ne "a missing image: ctr run fails" 0 "$RC"
err_has "a missing image: the error names it" 'no-such-image'

# nothing left: no task, no container, no runtime state, no cgroup
C task ls -q
assert_eq "ctr task ls: nothing left" "" "$OUT"
assert_eq "host: kapsel's state dir for the namespace is empty" "" "$(ls -A "$CD/runc/kt" 2>/dev/null)"
assert_eq "host: no cgroup left below /kt" "" "$(find /sys/fs/cgroup/kt -mindepth 1 -type d 2>/dev/null)"
kill "$CD_PID"; wait "$CD_PID" 2>/dev/null
