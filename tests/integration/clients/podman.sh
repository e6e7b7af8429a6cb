# podman 4.3 with --runtime $KAPSEL (sourced by suite.sh, inside the VM):
# cgroupfs manager, vfs storage, file events, private roots in $CT/podman.
# Each check looks from inside the container and from the host (cgroup
# files, conmon's exit files, no state left). Under TCG every podman call
# costs seconds, so one container carries many checks and waits poll host
# files, not podman.
# With --runtime crun or runc (bench-clients.sh runs all three) the same
# commands work; crun would also accept --cgroups=disabled, which podman
# allows only for the runtimes in runtime_supports_nocgroups.
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
# PT CMD: a podman command line under a pty (script), for -it.
PT() { run_out script -qec "$1" /dev/null; OUT=$(printf '%s' "$OUT" | tr -d '\r'); }
insp() { podman inspect --format "$2" "$1" 2>&1; }

P load -i "$CLIENTS_IMG/bb-oci.tar"
assert_rc "podman load of an oci-archive" 0
P run --rm "$IMG" echo ok
assert_rc "podman run --rm IMAGE echo ok: exit 0" 0
assert_eq "podman run --rm: output" ok "$OUT"
P run --rm "$IMG" sh -c 'exit 7'
assert_rc "podman run sh -c 'exit 7' exits 7" 7

# One long-lived container for -d, ps, logs, exec, top, pause/unpause,
# stats, kill with a signal, stop (its init exits 3 on SIGTERM), rm.
P run -d --name d1 --memory 64m --pids-limit 50 --cpus 0.5 "$IMG" sh -c \
	'trap "exit 3" TERM; trap "echo got-usr1" USR1; echo hello-log; while :; do sleep 0.2; done'
assert_rc "podman run -d" 0
ID1=$OUT
pid=$(insp d1 '{{.State.Pid}}')
cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup" 2>/dev/null)
assert_match "host: the init's cgroup is podman's cgroupfs parent" "$cg" "^/sys/fs/cgroup/libpod_parent/libpod-$ID1\$"
assert_eq "host: memory.max" 67108864 "$(cat "$cg/memory.max" 2>&1)"
assert_eq "host: pids.max" 50 "$(cat "$cg/pids.max" 2>&1)"
assert_eq "host: cpu.max" "50000 100000" "$(cat "$cg/cpu.max" 2>&1)"
P ps --format '{{.Names}} {{.Status}}'
assert_match "podman ps shows it Up" "$OUT" '^d1 Up'
P exec d1 sh -c 'echo exec-ok; cat /sys/fs/cgroup/memory.max; exit 5'
assert_rc "podman exec: exit code 5 passed through" 5
assert_eq "podman exec: output (in the container's cgroup)" "exec-ok
67108864" "$OUT"
PT "podman exec -it d1 sh -c 'tty; test -t 0 && echo in-tty'"
assert_match "podman exec -it: a pty" "$OUT" '/dev/pts/[0-9]+$'
assert_match "podman exec -it: stdin is the tty" "$OUT" '^in-tty$'
P top d1 pid args
assert_match "podman top lists the init" "$OUT" '^ *1 +sh -c trap'
P pause d1
assert_rc "podman pause" 0
assert_eq "paused: podman's status" paused "$(insp d1 '{{.State.Status}}')"
assert_eq "paused: host cgroup.freeze" 1 "$(cat "$cg/cgroup.freeze" 2>&1)"
P unpause d1
assert_rc "podman unpause" 0
assert_eq "unpaused: host cgroup.freeze" 0 "$(cat "$cg/cgroup.freeze" 2>&1)"
# (before update: podman 4.3's stats shows the limit it stored at create)
P stats --no-stream --format '{{.Name}} {{.MemUsage}}' d1
assert_match "podman stats --no-stream: name, memory / limit" "$OUT" '^d1 [0-9.]+[kMG]?B / 67.1[0-9]*MB$'
P update --memory 128m --cpus 1 d1
assert_rc "podman update (kapsel update --resources)" 0
assert_eq "updated: host memory.max" 134217728 "$(cat "$cg/memory.max" 2>&1)"
assert_eq "updated: host cpu.max" "100000 100000" "$(cat "$cg/cpu.max" 2>&1)"
P kill -s USR1 d1
assert_rc "podman kill -s USR1" 0
P stop -t 60 d1
assert_rc "podman stop" 0
# (podman's cleanup reads and removes conmon's exit file: conmon.sh checks those)
assert_eq "stop: SIGTERM handled, exit code 3" 3 "$(insp d1 '{{.State.ExitCode}}')"
P logs d1
assert_eq "podman logs: what the init wrote" "hello-log
got-usr1" "$OUT"
P rm d1
assert_rc "podman rm" 0
assert_eq "host: its cgroup is gone" no "$([ -d "$cg" ] && echo yes || echo no)"

# kill: SIGKILL of a running container gives 137
P run -d --name d2 "$IMG" sleep 1000
P kill d2
assert_rc "podman kill" 0
P wait d2
assert_eq "killed: podman wait gives 137" 137 "$OUT"
P rm -f d2

# OOM: the kernel kills the hog in the cgroup kapsel made. (podman 4.3's
# inspect says OOMKilled false here with crun too, so that is not checked.)
P run --rm --memory 16m "$IMG" sh -c 'a=xxxxxxxxxxxxxxxx; while :; do a=$a$a; done'
assert_rc "a memory hog under --memory 16m: killed, exit 137" 137

# -it through conmon's console socket
PT "podman run -it --rm $IMG sh -c 'tty; test -t 0 && echo in-tty'"
assert_match "podman run -it: a pty" "$OUT" '/dev/pts/[0-9]+$'
assert_match "podman run -it: stdin is the tty" "$OUT" '^in-tty$'

# limits read back inside; capabilities, read-only root, seccomp: one run
cat >"$PM/seccomp.json" <<'J'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
J
P run --rm --memory 32m --pids-limit 20 --cpus 1.5 --cap-drop all --read-only \
	--security-opt "seccomp=$PM/seccomp.json" "$IMG" sh -c '
	cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
	grep CapEff /proc/self/status
	touch /x 2>&1; echo data >/tmp/y && echo tmp-ok
	mkdir /tmp/d 2>&1; echo end'
assert_eq "--memory --pids-limit --cpus read back inside" "33554432
20
150000 100000" "$(printf '%s\n' "$OUT" | head -3)"
assert_match "--cap-drop all: no effective capability" "$OUT" 'CapEff:[[:space:]]+0000000000000000$'
assert_match "--read-only: / is read-only" "$OUT" 'touch: /x: Read-only file system'
assert_match "--read-only: /tmp is still writable (podman's tmpfs)" "$OUT" '^tmp-ok$'
assert_match "--security-opt seccomp=FILE: mkdir denied (EPERM)" "$OUT" 'mkdir: .*Operation not permitted'
assert_match "--security-opt seccomp=FILE: the rest runs" "$OUT" '^end$'

# --user and --network none
P run --rm --user 1000:1000 --network none "$IMG" sh -c 'id; ls /sys/class/net'
assert_match "--user 1000:1000" "$OUT" '^uid=1000\(app\) gid=1000\(app\)'
assert_match "--network none: only lo" "$OUT" '^lo$'
assert_eq "--network none: nothing but lo" 1 "$(printf '%s\n' "$OUT" | grep -vc '^uid=')"

# bad input: the client shows the error, nothing is left behind
P run --rm localhost/no-such-image true
assert_ne "a missing image: podman fails" 0 "$RC"
err_has "a missing image: the error names it" 'no-such-image'
P run --rm "$IMG" no-such-command
assert_rc "a command not in the image: exit 127 (podman maps kapsel's runc-style error)" 127
err_has "a command not in the image: kapsel's one-line error" 'exec: "no-such-command": executable file not found in \$PATH'
P run --rm --cpuset-cpus 63 "$IMG" true
assert_ne "an impossible limit (--cpuset-cpus 63 on 2 cpus): podman fails" 0 "$RC"
err_has "an impossible limit: kapsel's error names cpuset.cpus" 'cpuset\.cpus'

# everything gone: no container, no container cgroup, no runtime state
P ps -a -q
assert_eq "podman ps -a: nothing left" "" "$OUT"
assert_eq "host: no container cgroup left" "" \
	"$(find /sys/fs/cgroup/libpod_parent -mindepth 1 -type d -name 'libpod-*' 2>/dev/null)"
assert_eq "host: no conmon left" "" "$(pgrep -x conmon)"
assert_eq "host: kapsel's default state dir (podman passes no --root as root) is empty" "" \
	"$(ls -A /run/kapsel 2>/dev/null)"
