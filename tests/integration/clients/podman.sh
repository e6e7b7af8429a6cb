# podman 4.3 with --runtime $KAPSEL (sourced by suite.sh, inside the VM):
# cgroupfs manager, vfs storage, file events, private roots in $CT/podman.
# Each check looks from inside the container and from the host (cgroup
# files, conmon's exit files, no state left).
# Differences with --runtime crun/runc (bench-clients.sh runs all three):
# none seen in these commands' output; runc prints "runc" in podman info.
PM=$CT/podman
mkdir -p "$PM"
cat >"$PM/containers.conf" <<C
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PM/events.log"
tmp_dir = "$PM/tmp"
static_dir = "$PM/static"
volume_path = "$PM/volumes"
runtime = "kapsel"
[engine.runtimes]
kapsel = ["$KAPSEL"]
C
cat >"$PM/storage.conf" <<C
[storage]
driver = "vfs"
runroot = "$PM/runroot"
graphroot = "$PM/graph"
C
export CONTAINERS_CONF=$PM/containers.conf CONTAINERS_STORAGE_CONF=$PM/storage.conf
P() { run_out podman "$@"; }
insp() { podman inspect --format "$2" "$1" 2>&1; }
# The container's cgroup, from its init's /proc/PID/cgroup.
ctr_cg() { local p; p=$(insp "$1" '{{.State.Pid}}'); echo "/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$p/cgroup" 2>/dev/null)"; }

P load -i "$CLIENTS_IMG/bb-oci.tar"
assert_rc "podman load of an oci-archive" 0
P run --rm "$IMG" echo ok
assert_rc "podman run --rm IMAGE echo ok: exit 0" 0
assert_eq "podman run --rm: output" ok "$OUT"
P run --rm "$IMG" sh -c 'exit 7'
assert_rc "podman run sh -c 'exit 7' exits 7" 7

# -d, ps, logs, exec, top, pause/unpause, stats, kill, rm
P run -d --name d1 --memory 64m --pids-limit 50 "$IMG" sh -c 'echo hello-log; exec sleep 1000'
assert_rc "podman run -d" 0
ID1=$OUT
P ps --format '{{.Names}} {{.Status}}'
assert_match "podman ps shows it Up" "$OUT" '^d1 Up'
wait_until 10 sh -c 'podman logs d1 | grep -q hello-log'
P logs d1
assert_eq "podman logs" hello-log "$OUT"
cg=$(ctr_cg d1)
assert_eq "host: memory.max of its cgroup ($cg)" 67108864 "$(cat "$cg/memory.max" 2>&1)"
assert_eq "host: pids.max of its cgroup" 50 "$(cat "$cg/pids.max" 2>&1)"
P exec d1 sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
assert_rc "podman exec: exit 0" 0
assert_eq "podman exec: output" "exec-ok
sleep 1000 " "$OUT"
P exec d1 sh -c 'exit 5'
assert_rc "podman exec: exit code 5 passed through" 5
P top d1 pid args
assert_match "podman top lists the init" "$OUT" '^ *1 +sleep 1000'
P pause d1
assert_rc "podman pause" 0
assert_eq "paused: podman's status" paused "$(insp d1 '{{.State.Status}}')"
assert_eq "paused: host cgroup.freeze" 1 "$(cat "$cg/cgroup.freeze" 2>&1)"
P unpause d1
assert_rc "podman unpause" 0
assert_eq "unpaused: podman's status" running "$(insp d1 '{{.State.Status}}')"
assert_eq "unpaused: host cgroup.freeze" 0 "$(cat "$cg/cgroup.freeze" 2>&1)"
P stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' d1
assert_match "podman stats --no-stream: name, pids, memory / limit" "$OUT" '^d1 1 [0-9.]+[kMG]?B / 67.1MB$'
P kill d1
assert_rc "podman kill" 0
wait_until 20 sh -c '[ "$(podman inspect --format "{{.State.Status}}" d1)" = exited ]'
assert_eq "killed: exit code 137" 137 "$(insp d1 '{{.State.ExitCode}}')"
assert_eq "conmon's exit file says 137" 137 "$(cat "$PM/tmp/exits/$ID1" 2>&1)"
P rm d1
assert_rc "podman rm" 0
assert_eq "host: its cgroup is gone" no "$([ -d "$cg" ] && echo yes || echo no)"

# stop: SIGTERM reaches the container's init, which exits 3 by itself.
P run -d --name d2 "$IMG" sh -c 'trap "exit 3" TERM; echo ready; while :; do sleep 0.1; done'
wait_until 20 sh -c 'podman logs d2 | grep -q ready'
P stop -t 30 d2
assert_rc "podman stop" 0
assert_eq "stop: SIGTERM handled, exit code 3" 3 "$(insp d2 '{{.State.ExitCode}}')"
P rm d2

# limits read back from inside
P run --rm --memory 64m --pids-limit 50 --cpus 0.5 "$IMG" \
	cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
assert_eq "--memory --pids-limit --cpus read back inside" "67108864
50
50000 100000" "$OUT"

# user, capabilities, read-only root, seccomp
P run --rm --user 1000:1000 "$IMG" id
assert_match "--user 1000:1000" "$OUT" '^uid=1000\(app\) gid=1000\(app\)'
P run --rm --cap-drop all "$IMG" sh -c 'grep CapEff /proc/self/status'
assert_match "--cap-drop all: no effective capability" "$OUT" 'CapEff:[[:space:]]+0000000000000000$'
P run --rm --cap-drop chown "$IMG" chown 1000 /tmp
assert_ne "--cap-drop chown: chown fails" 0 "$RC"
P run --rm --read-only "$IMG" sh -c 'touch /x 2>&1; touch /tmp/y && echo tmp-ok'
assert_match "--read-only: / is read-only" "$OUT" 'Read-only file system'
assert_match "--read-only: /tmp is still writable (podman's tmpfs)" "$OUT" '^tmp-ok$'
cat >"$PM/seccomp.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
J
P run --rm --security-opt "seccomp=$PM/seccomp.json" "$IMG" sh -c 'mkdir /tmp/d 2>&1; echo still-running'
assert_match "--security-opt seccomp=FILE: mkdir denied (EPERM)" "$OUT" 'Operation not permitted'
assert_match "--security-opt seccomp=FILE: the rest runs" "$OUT" '^still-running$'

# network none: only lo
P run --rm --network none "$IMG" sh -c 'ls /sys/class/net'
assert_eq "--network none: only lo" lo "$OUT"

# everything gone: no container, no cgroup below libpod_parent, no runtime state
P ps -a -q
assert_eq "podman ps -a: nothing left" "" "$OUT"
assert_eq "host: no container cgroup left" "" "$(find /sys/fs/cgroup/libpod_parent -mindepth 1 -type d -name 'libpod-*' 2>/dev/null)"
