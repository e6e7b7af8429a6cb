#!/bin/bash
# Checkpoint and restore of a counter container: it continues from where it
# was; --leave-running; restore under a fresh --root (migration); the
# restored container's state, cgroup and limits; bad input.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

count() { cat "$1/rootfs/data/count" 2>/dev/null || echo 0; }
counting() { local a b; a=$(count "$1"); sleep 0.5; b=$(count "$1"); [ "$b" -gt "$a" ]; }
COUNTER='i=0; while :; do i=$((i+1)); echo $i >/data/count.tmp; mv /data/count.tmp /data/count; sleep 0.1; done'
LIMITS='.linux.resources = {memory: {limit: 134217728}, pids: {limit: 50}}'

eq "features names the criu binary" \
	"$("$KAPSEL" features | jq -r '.annotations["org.kapsel.checkpoint.criu"]')" "$(command -v criu || echo /usr/sbin/criu)"
check "--help lists checkpoint and restore" eval '"$KAPSEL" --help | grep -q "^  checkpoint " && "$KAPSEL" --help | grep -q "^  restore "'

B=$T/counter
bundle "$B" "$COUNTER" "$LIMITS"
check "run -d the counter" K run -d --bundle "$B" ctr
check "it counts" wait_for 30 counting "$B"

# -- checkpoint, then restore under the same id
check "checkpoint" K checkpoint --image-path "$T/img1" ctr
eq "checkpointed container is gone (as runc)" "$(K list -q)" ""
before=$(count "$B")
sleep 1
eq "no counting while checkpointed" "$(count "$B")" "$before"
check "dump.log and images written" test -s "$T/img1/inventory.img" -a -s "$T/img1/dump.log"
check "restore -d" K restore -d --pid-file "$T/ctr.pid" --image-path "$T/img1" --bundle "$B" ctr
eq "state: running" "$(status_of ctr)" running
pid=$(pid_of ctr)
eq "--pid-file holds the state's pid" "$(cat "$T/ctr.pid" 2>/dev/null)" "$pid"
check "state: the pid is the restored init" test -d "/proc/$pid"
check "it counts again" wait_for 30 counting "$B"
after=$(count "$B")
check "the count continued from $before (now $after), not from 0" \
	test "$after" -ge "$before" -a "$after" -lt "$((before + 400))"
eq "restored init is in the container's cgroup" "$(cut -d: -f3 "/proc/$pid/cgroup")" "/kapsel/ctr"
eq "memory limit applied" "$(cat /sys/fs/cgroup/kapsel/ctr/memory.max)" 134217728
eq "pids limit applied" "$(cat /sys/fs/cgroup/kapsel/ctr/pids.max)" 50
eq "bundle in state" "$(K state ctr | jq -r .bundle)" "$B"

# -- --leave-running
check "checkpoint --leave-running" K checkpoint --leave-running --image-path "$T/img2" ctr
eq "still running" "$(status_of ctr)" running
eq "same pid" "$(pid_of ctr)" "$pid"
check "still counting" counting "$B"

# -- bad input: one line, nothing changes
fails_one_line "checkpoint of an unknown id" K checkpoint --image-path "$T/bad" nosuch
fails_one_line "restore from a missing image dir" K restore -d --image-path "$T/nope" --bundle "$B" ctr2
mkdir -p "$T/corrupt"; cp -a "$T/img2/." "$T/corrupt/"
for f in "$T"/corrupt/pages-*.img "$T"/corrupt/core-*.img; do head -c 100 /dev/urandom >"$f"; done
fails_one_line "restore from a corrupted image dir" K restore -d --image-path "$T/corrupt" --bundle "$B" ctr2
mkdir -p "$T/ttyb"
jq --arg r "$B/rootfs" '.process.terminal = true | .root.path = $r' "$B/config.json" >"$T/ttyb/config.json"
fails_one_line "restore with process.terminal (unsupported)" K restore -d --image-path "$T/img2" --bundle "$T/ttyb" ctr2
eq "nothing left of ctr2" "$(ls "$ROOT")" ctr
check "no cgroup left for ctr2" test ! -e /sys/fs/cgroup/kapsel/ctr2
fails_one_line "restore of an id that exists" K restore -d --image-path "$T/img2" --bundle "$B" ctr
fails_one_line "bad --manage-cgroups-mode" K checkpoint --manage-cgroups-mode bogus --image-path "$T/bad" ctr
eq "ctr still running after the bad commands" "$(status_of ctr)" running
check "and counting" counting "$B"
fails_one_line "checkpoint without criu" K --criu /nonexistent/criu checkpoint --image-path "$T/bad" ctr
check "the error names the package" grep -q "Debian package criu" "$T/fail.err"
fails_one_line "restore without criu" K --criu /nonexistent/criu restore -d --image-path "$T/img2" --bundle "$B" ctr3
check "the error names the package" grep -q "Debian package criu" "$T/fail.err"
eq "ctr still running" "$(status_of ctr)" running

# -- migration: restore the --leave-running images under a fresh --root,
# from a copy of the rootfs, while the original is gone.
check "kill the original" K delete -f ctr
cp -a "$B" "$T/copy"
jq --arg r "$T/copy/rootfs" '.root.path = $r' "$B/config.json" >"$T/copy/config.json"
R2=$T/state2
check "restore under a fresh --root" "$KAPSEL" --root "$R2" restore -d --image-path "$T/img2" --bundle "$T/copy" ctr
eq "running there" "$("$KAPSEL" --root "$R2" state ctr | jq -r .status)" running
check "counting in the copy" wait_for 30 counting "$T/copy"
check "kill -9 it" "$KAPSEL" --root "$R2" kill ctr KILL
check "stopped" wait_for 20 test "$("$KAPSEL" --root "$R2" state ctr | jq -r .status)" = stopped
check "delete" "$KAPSEL" --root "$R2" delete ctr

# -- a stopped container cannot be checkpointed
bundle "$T/short" 'exit 0'
check "run -d a container that exits" K run -d --bundle "$T/short" short
check "it stopped" wait_for 20 is_status short stopped
fails_one_line "checkpoint of a stopped container" K checkpoint --image-path "$T/bad" short
check "delete it" K delete short

check "host clean" host_clean "ctr ctr2 short"
done_testing
