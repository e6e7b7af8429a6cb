#!/bin/bash
# Hooks around checkpoint/restore, as runc runs them: a checkpoint that stops
# the container runs poststop (it is deleted); restore runs prestart and
# createRuntime at CRIU's setup-namespaces step, with the new init's pid in
# the state; a failing prestart hook makes the restore fail, leaving nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

hook() { # hook NAME: a hook that saves its stdin (the state) as $T/NAME.json
	jq -n --arg t "$T" --arg n "$1" '{path: "/bin/sh", args: ["sh", "-c", "cat > \($t)/\($n).json"]}'
}
B=$T/h
bundle "$B" 'while :; do sleep 0.2; done' \
	".hooks = {prestart: [$(hook prestart)], createRuntime: [$(hook createRuntime)], poststop: [$(hook poststop)]}"
check "run -d with hooks" K run -d --bundle "$B" hk
rm -f "$T"/*.json
check "checkpoint" K checkpoint --image-path "$T/img" hk
eq "poststop ran with the container's state" "$(jq -r .id "$T/poststop.json" 2>/dev/null)" hk
check "restore -d" K restore -d --image-path "$T/img" --bundle "$B" hk
pid=$(pid_of hk); pid=${pid:-no pid}
eq "prestart got the restored init's pid" "$(jq -r .pid "$T/prestart.json" 2>/dev/null)" "$pid"
eq "createRuntime too" "$(jq -r .pid "$T/createRuntime.json" 2>/dev/null)" "$pid"
eq "status while restoring: creating" "$(jq -r .status "$T/prestart.json" 2>/dev/null)" creating
check "checkpoint again" K checkpoint --image-path "$T/img2" hk

jq '.hooks.prestart = [{path: "/bin/false"}]' "$B/config.json" >"$T/c" && cp "$T/c" "$B/config.json"
fails_one_line "restore with a failing prestart hook" K restore -d --image-path "$T/img2" --bundle "$B" hk
check "the error names the hook" grep -q "prestart" "$T/fail.err"
eq "nothing left" "$(K list -q)" ""
check "host clean" host_clean hk
done_testing
