#!/bin/bash
# --shell-job: a container with a pty (process.terminal true, run in the
# foreground under script(1), kapsel relaying the master). It prints a tick
# every 0.3 s; checkpoint --shell-job takes the pty slave without its master;
# restore --shell-job under another script(1) gives the process that
# terminal, and the ticks go on from where they stopped. (A terminal from
# outside the container with terminal false cannot work: CRIU finds its
# devpts mount outside the container's mount namespace.)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

if ! command -v script >/dev/null; then
	echo "1..0 # SKIP script(1) is missing (Debian package bsdutils)"
	exit 77
fi
last_tick() { tr -d '\r' <"$1" 2>/dev/null | awk '/^tick / {n = $2} END {print n + 0}'; }
ticks_past() { [ "$(last_tick "$1")" -gt "$2" ]; }

B=$T/sj
mkdir -p "$B"; make_rootfs "$B/rootfs"
(cd "$B" && "$KAPSEL" spec)
jq '.process.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.3; done"]
	| .process.terminal = true' "$B/config.json" >"$B/c.json" &&
	mv "$B/c.json" "$B/config.json"

script -qfec "$KAPSEL --root $ROOT run --bundle $B sj" "$T/tty1" </dev/null >/dev/null 2>&1 &
run=$!
check "the container ticks on script's terminal" wait_for 60 ticks_past "$T/tty1" 2
check "checkpoint --shell-job" K checkpoint --shell-job --image-path "$T/img" sj
K delete -f sj >/dev/null 2>&1   # (only if the checkpoint failed)
check "the foreground run ended" wait_for 60 eval '! kill -0 $run 2>/dev/null'
kill "$run" 2>/dev/null
n1=$(last_tick "$T/tty1")
script -qfec "$KAPSEL --root $ROOT restore --shell-job --image-path $T/img --bundle $B sj" \
	"$T/tty2" </dev/null >/dev/null 2>&1 &
restore=$!
check "restore --shell-job: ticks on the new terminal" wait_for 60 ticks_past "$T/tty2" 0
first=$(tr -d '\r' <"$T/tty2" | awk '/^tick / {print $2; exit}')
check "ticks go on from $n1 (first after restore: $first)" test "${first:-0}" -gt "$n1" -a "${first:-0}" -le "$((n1 + 5))"
check "kill it" K kill sj KILL
check "the foreground restore ended" wait_for 60 eval '! kill -0 $restore 2>/dev/null'
kill "$restore" 2>/dev/null; K delete -f sj >/dev/null 2>&1
check "the foreground restore deleted it when it died" wait_for 30 test -z "$(K list -q)"
check "host clean" host_clean sj
done_testing
