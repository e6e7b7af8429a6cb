#!/bin/bash
# conmon 2.1 driving $KAPSEL directly, as podman makes it do (on the host:
# no cgroup limits needed): create with --pid-file (and --console-socket
# with -t), start, the container's exit code in conmon's exit file, its
# output in conmon's k8s-file log, kill of a created container, and the
# runtime's one-line error when create fails (--log-format json --log F,
# the file conmon's caller reads it from).
# With -r /usr/sbin/runc or /usr/bin/crun the same checks pass except the
# error text (runc: "exec: \"nosuch\": executable file not found in $PATH").
. "$(dirname "$0")/../lib.sh"
kt_init
command -v conmon >/dev/null || kt_skip "conmon is not installed (scripts/deps.sh)"

# cm NAME [CONMON ARGS...]: conmon for bundle $KT_WORK/NAME, container id
# $ID, leaving its files in $KT_WORK/NAME.cm/. conmon forks off at once; it
# reports the end of create on its sync pipe (here a plain file, fd 5) as
# {"data": PID} or {"data": -1, "message": ERROR}, as podman reads it:
# $SYNC is that report, $RC conmon's own status.
cm() {
	local name=$1; shift
	local d=$KT_WORK/$name.cm
	mkdir -p "$d/exits" "$d/sock"
	: >"$d/sync"
	env KT_TAG="$KT_TAG" _OCI_SYNCPIPE=5 timeout -k 5 "$KT_TIMEOUT" conmon --api-version 1 \
		-c "$ID" -u "$ID" -n "$ID" -r "$KAPSEL" -b "$KT_WORK/$name" \
		-p "$d/pid" -P "$d/conmon.pid" -l "k8s-file:$d/ctr.log" \
		--exit-dir "$d/exits" --socket-dir-path "$d/sock" --log-level error \
		--runtime-arg "--root=$KT_ROOT" --runtime-arg --log-format=json \
		--runtime-arg "--log=$d/oci-log" "$@" \
		</dev/null >"$KT_TMP/out" 2>"$KT_TMP/err" 5>>"$d/sync"
	RC=$?
	wait_until_file_nonempty "$d/sync"
	SYNC=$(cat "$d/sync")
	OUT=$(cat "$KT_TMP/out")
	ERR=$(cat "$KT_TMP/err")
}
wait_until_file_nonempty() {
	local i
	for i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done
	return 1
}
# exit_code NAME: waits for conmon's exit file (up to ~10 s) and prints it.
exit_code() {
	wait_file "$KT_WORK/$1.cm/exits/$ID" && cat "$KT_WORK/$1.cm/exits/$ID"
}
# log_lines NAME: the container's output, from conmon's k8s-file log
# ("TIME stdout F TEXT").
log_lines() { sed -E 's/^[^ ]+ (stdout|stderr) [FP] //' "$KT_WORK/$1.cm/ctr.log" 2>&1; }
conmon_gone() { local p; p=$(cat "$KT_WORK/$1.cm/conmon.pid" 2>/dev/null); [ -n "$p" ] && wait_gone "$p"; }

# exit code, pid file, log
make_bundle out
set_args out sh -c 'echo out-line; echo err-line >&2; exit 7'
new_id
cm out
assert_rc "conmon: exit 0" 0
pid=$(cat "$KT_WORK/out.cm/pid" 2>&1)
[ -n "${DEBUG:-}" ] && { cat /proc/$pid/status | head -8; cat /proc/$pid/stack; ls -l /proc/$pid/fd; }
assert_eq "conmon's sync report: the container's pid" "{\"data\": $pid}" "$(echo $SYNC)"
assert_eq "conmon: --pid-file written by create, the created container's init" created "$(state_field "$ID" .status)"
assert_eq "conmon: the pid file is state's pid" "$(state_field "$ID" .pid)" "$pid"
kk start "$ID"
assert_rc "start" 0
assert_eq "conmon's exit file: the container's exit code 7" 7 "$(exit_code out)"
assert_eq "conmon's k8s-file log: stdout and stderr" "out-line
err-line" "$(log_lines out | sort -r)"
conmon_gone out && t_pass "conmon exits after the container" || t_fail "conmon exits after the container"
kk delete "$ID"
assert_rc "delete after exit" 0

# signal exit code
make_bundle sig
set_args sig sleep 1000
new_id
cm sig
kk start "$ID"

# exec: conmon -e runs `exec --detach --pid-file F --process P ID` and
# reports the exec'd process like a container (sync report, exit file, log)
jq -n '{args: ["sh", "-c", "echo exec-out; exit 4"], cwd: "/", env: ["PATH=/bin"],
	user: {uid: 0, gid: 0}}' >"$KT_WORK/exec.json"
mkdir -p "$KT_WORK/exec1"
( cid=$ID; ID=exec1; mkdir -p "$KT_WORK/exec1.cm/exits"
  cm exec1 -c "$cid" -e --exec-process-spec "$KT_WORK/exec.json" -b "$KT_WORK/sig"
  echo "$RC" >"$KT_TMP/exec.rc"; echo "$SYNC" >"$KT_TMP/exec.sync" )
assert_eq "conmon -e: exit 0" 0 "$(cat "$KT_TMP/exec.rc")"
assert_match "conmon -e: the sync report names the exec'd pid" "$(cat "$KT_TMP/exec.sync")" '"data": [1-9][0-9]*'
assert_eq "conmon -e: the exec's exit code 4 in its exit file" 4 \
	"$(wait_file "$KT_WORK/exec1.cm/exits/$ID" && cat "$KT_WORK/exec1.cm/exits/$ID")"
assert_eq "conmon -e: the exec's output in its log" exec-out "$(log_lines exec1)"
kk kill "$ID" KILL
assert_eq "conmon's exit file: killed by SIGKILL gives 137" 137 "$(exit_code sig)"
conmon_gone sig; kk delete "$ID"

# kill during create: conmon sees the exit of a never-started container
make_bundle kc
set_args kc sleep 1000
new_id
cm kc
assert_rc "create (to be killed)" 0
kk kill "$ID" KILL
assert_rc "kill of a created container" 0
assert_eq "conmon's exit file after kill during create: 137" 137 "$(exit_code kc)"
conmon_gone kc; kk delete "$ID"
assert_rc "delete after kill during create" 0

# -t: conmon passes --console-socket and receives the pty master
make_bundle tty
cfg tty '.process.terminal = true'
set_args tty sh -c 'tty; test -t 0 && echo stdin-is-a-tty'
new_id
cm tty -t
assert_rc "conmon -t: create with --console-socket" 0
kk start "$ID"
assert_eq "conmon -t: exit 0" 0 "$(exit_code tty)"
conmon_gone tty
assert_match "conmon -t: the process has a pty from the console socket" "$(log_lines tty)" '^/dev/pts/[0-9]+'
assert_match "conmon -t: stdin is the tty" "$(log_lines tty)" 'stdin-is-a-tty'
kk delete "$ID"

# a failing create: one JSON error line in --log for conmon's caller
make_bundle bad
set_args bad nosuch-command
new_id
cm bad
assert_match "conmon's sync report: create failed, with kapsel's error" "$SYNC" '"data": -1, "message": ".*nosuch-command.*"' 
n=$(grep -c '"level":"error"' "$KT_WORK/bad.cm/oci-log" 2>/dev/null)
assert_eq "the runtime's --log has one error line" 1 "$n"
assert_match "the error names the command" "$(jq -r 'select(.level == "error") | .msg' \
	"$KT_WORK/bad.cm/oci-log" 2>&1)" 'nosuch-command'
assert_eq "nothing left for the failed create" "" "$(ls -A "$KT_ROOT")"
kt_finish
