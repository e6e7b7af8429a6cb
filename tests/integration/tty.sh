#!/usr/bin/env bash
# Terminals: `run -t` / `exec -t` relayed by kapsel itself, driven through a
# real pty (script(1)): raw mode (^C reaches the container as a byte), the
# window size at start and on SIGWINCH, input, output, exit codes. And
# --console-socket for create/run/exec with a receiver that types a command
# into the master and reads the answer; process.consoleSize; socket paths
# longer than sun_path.
. "$(dirname "$0")/lib.sh"
kt_init
command -v script >/dev/null || kt_skip "script(1) is not installed (bsdutils)"
RECVTTY=${abs_top_builddir}/tests/integration/helpers/recvtty
[ -x "$RECVTTY" ] || kt_bail "missing $RECVTTY (make check builds it)"

# in_pty ROWS COLS INPUT_SCRIPT CMD: runs CMD (a shell string) on a fresh pty
# of ROWS x COLS under script(1); INPUT_SCRIPT (run in a subshell) writes the
# keys. Output (with \r removed) in $OUT, exit code in $RC.
in_pty() {
	local rows=$1 cols=$2 input=$3 cmd=$4 done=$KT_TMP/pty.done
	rm -f "$done"
	# The writer keeps script's stdin open until CMD is over: at its EOF
	# script(1) types a NUL, which would land in the container's pty.
	(eval "$input"; while [ ! -e "$done" ]; do sleep 0.05; done) |
		timeout -k 5 30 script -qec "stty rows $rows cols $cols; $cmd
			rc=\$?; touch $done; exit \$rc" /dev/null >"$KT_TMP/pty.out" 2>&1
	RC=$?
	touch "$done"
	OUT=$(tr -d '\r' <"$KT_TMP/pty.out")
}
KRUN="KT_TAG=$KT_TAG $KAPSEL --root $KT_ROOT"

make_bundle t
R=$KT_WORK/t/rootfs
cfg t '.process.terminal = true'

# ---- run -t through a pty ----------------------------------------------------
set_args t sh -c 'stty size; tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys
	trap "echo got-INT" INT; touch /tmp/ready; read line; echo "in=$line"
	cat; echo "cat=$?"; exit 5'
new_id
rm -f "$R/tmp/ready"
in_pty 33 99 'wait_file "$R/tmp/ready"; printf "hello\n"; sleep 0.3; printf "\003"; sleep 0.5' \
	"$KRUN run --bundle $KT_WORK/t $ID"
assert_eq "run -t: exit code passes through" 5 "$RC"
assert_match "run -t: the process's size is the outer terminal's (stty size)" "$OUT" '^33 99$'
assert_match "run -t: its tty is the container's /dev/pts/N" "$OUT" '^/dev/pts/[0-9]+$'
assert_contains "run -t: stdin, stdout, stderr are the tty" "$OUT" all-ttys
assert_contains "run -t: typed input reaches the process" "$OUT" "in=hello"
# Raw outer terminal: ^C is a byte that the container's pty turns into
# SIGINT for its foreground group (cat dies, the trapping shell goes on).
assert_contains "run -t: ^C goes through raw to the container's pty (cat killed by SIGINT)" \
	"$OUT" "cat=130"
assert_eq "run -t: the container was deleted after it exited" "" "$(ls -A "$KT_ROOT")"

# SIGWINCH: the outer terminal is resized while the container runs.
set_args t sh -c 'stty size; touch /tmp/ready
	while [ ! -e /tmp/resized ]; do sleep 0.05; done; sleep 0.3; stty size'
new_id
rm -f "$R/tmp/ready" "$R/tmp/resized"
# Without job control a background job's stdin is /dev/null: give it the tty.
in_pty 30 90 'sleep 0' "$KRUN run --bundle $KT_WORK/t $ID </dev/tty & k=\$!;
	while [ ! -e $R/tmp/ready ]; do sleep 0.05; done; stty rows 41 cols 101;
	touch $R/tmp/resized; wait \$k"
assert_eq "run -t resize: size at start, then after SIGWINCH" $'30 90\n41 101' "$OUT"

# Output written just before exit is not lost (drained after the exit).
set_args t sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); done; exit 0'
new_id
in_pty 24 80 'sleep 0' "$KRUN run --bundle $KT_WORK/t $ID"
assert_eq "run -t: all 300 lines arrive before kapsel returns" "line 299" "$(tail -n1 <<<"$OUT")"

# ---- exec -t through a pty -----------------------------------------------------
cfg t '.process.terminal = false'
set_args t sleep 1000
new_id
C=$ID
kk run --detach --bundle "$KT_WORK/t" "$C"
assert_rc "target container for exec -t" 0
rm -f "$R/tmp/ready"
in_pty 27 77 'wait_file "$R/tmp/ready"; printf "typed\n"' \
	"$KRUN exec -t $C sh -c 'stty size; tty; touch /tmp/ready; read l; echo in=\$l; exit 6'"
assert_eq "exec -t: exit code passes through" 6 "$RC"
assert_match "exec -t: stty size is the outer terminal's" "$OUT" '^27 77$'
assert_match "exec -t: a pty of the container" "$OUT" '^/dev/pts/[0-9]+$'
assert_contains "exec -t: typed input reaches the process" "$OUT" "in=typed"
# Without -t the process gets kapsel's stdio as it is (runc does the same):
# here the host's pty, which has no name in the container's devpts.
in_pty 24 80 'sleep 0' "$KRUN exec $C tty"
assert_eq "exec without -t: no container pty (stdio passed through)" "not a tty" "$OUT"

# ---- --console-socket -------------------------------------------------------------
# A socket path longer than sun_path (108 bytes).
LONG="$KT_WORK/$(printf 'd%.0s' $(seq 120))"
mkdir -p "$LONG"
SOCK="$LONG/console.sock"
[ ${#SOCK} -gt 108 ] || kt_bail "socket path not long enough"
# recv_start OUT INPUT: a receiver on $SOCK typing INPUT.
recv_start() {
	rm -f "$SOCK"
	"$RECVTTY" "$SOCK" "$1" 20 "$2" 2>>"$KT_WORK/recvtty.err" &
	RPID=$!
	wait_file "$SOCK"
}

cfg t '.process.terminal = true | .process.consoleSize = {"height": 35, "width": 111}'
set_args t sh
new_id
recv_start "$KT_WORK/c1.out" $'stty size; echo via-$((6*7)); tty; exit\n'
kk create --bundle "$KT_WORK/t" --console-socket "$SOCK" "$ID"
assert_rc "create --console-socket with a ${#SOCK}-byte path" 0
kk start "$ID"
wait "$RPID"; rc=$?
out=$(tr -d '\r' <"$KT_WORK/c1.out")
assert_eq "receiver got the master and read to the end" 0 "$rc"
assert_match "create --console-socket: the typed command ran" "$out" '^via-42$'
assert_match "process.consoleSize honoured (stty size)" "$out" '^35 111$'
assert_match "the pty is the container's /dev/pts/N" "$out" '^/dev/pts/[0-9]+$'
wait_status "$ID" stopped
kk delete "$ID"

new_id
recv_start "$KT_WORK/c2.out" $'echo run-$((2*3)); exit 4\n'
kk run --bundle "$KT_WORK/t" --console-socket "$SOCK" "$ID"
assert_rc "run --console-socket (foreground): the exit code" 4
wait "$RPID"
assert_match "run --console-socket: the typed command ran" "$(tr -d '\r' <"$KT_WORK/c2.out")" '^run-6$'

recv_start "$KT_WORK/c3.out" $'stty size; echo exec-$((3*3)); exit 9\n'
kk exec -t --console-socket "$SOCK" "$C" sh
assert_rc "exec -t --console-socket (foreground): the exit code" 9
wait "$RPID"
out=$(tr -d '\r' <"$KT_WORK/c3.out")
assert_match "exec --console-socket: the typed command ran in the container" "$out" '^exec-9$'
recv_start "$KT_WORK/c4.out" $'echo detached-exec; exit\n'
kk exec -t -d --console-socket "$SOCK" "$C" sh
assert_rc "exec -t --detach --console-socket" 0
wait "$RPID"; rc=$?
assert_eq "exec --detach --console-socket: receiver got the master" 0 "$rc"
assert_match "exec --detach --console-socket: output through the pty" \
	"$(tr -d '\r' <"$KT_WORK/c4.out")" '^detached-exec$'
expect_fail "exec -t --detach without --console-socket is refused" 'console' \
	K exec -t -d "$C" sh
expect_fail "--console-socket nobody listens on: one clear line" 'console-socket' \
	K exec -t --console-socket "$KT_WORK/nobody.sock" "$C" sh
kk delete --force "$C"

kt_finish
