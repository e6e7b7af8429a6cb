#!/usr/bin/env bash
# completions/kapsel in a plain bash (no bash-completion package needed):
# commands, global and command flags, option values, and container ids from
# `kapsel list -q` under the --root on the command line (a state directory
# made here: `list` needs no root).
set -u
src=${abs_top_srcdir:-.}
bin=${abs_top_builddir:-.}/kapsel
[ -x "$bin" ] || { echo "Bail out! $bin not built"; exit 99; }
n=0 fail=0
eq() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"; else
		fail=$((fail + 1)); echo "not ok $n - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}
# comp WORD...: the sorted completions of the last word
comp() {
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_kapsel
	printf '%s\n' "${COMPREPLY[@]}" | sort | xargs
}

. "$src/completions/kapsel" || { echo "Bail out! sourcing completions/kapsel failed"; exit 99; }
eq "registered for kapsel" "complete -F _kapsel kapsel" "$(complete -p kapsel)"

root=$(mktemp -d /tmp/kapsel-comp.XXXXXX)
trap 'rm -rf "$root"' EXIT
for id in web1 db-2; do
	mkdir "$root/$id"
	printf '{"id":"%s","bundle":"/nonexistent","created":"2026-01-01T00:00:00Z","pid":0,"start_time":0,"owner":0,"rootless":false,"creating":false}\n' \
		"$id" >"$root/$id/state.json"
done
eq "the state directory lists (the ids to complete)" "db-2 web1" "$("$bin" --root "$root" list -q | xargs)"

cmds=$("$bin" --help | sed -n '/^Commands:/,$p' | awk 'NR > 1 && NF { print $1 }')
eq "commands: every command of kapsel --help, and help" "$(printf '%s\n' $cmds help | sort | xargs)" \
	"$(comp '')"
eq "commands by prefix" "delete" "$(comp de)"
eq "global flags by prefix" "--root --rootless" "$(comp --ro)"
eq "--log-format values" "json text" "$(comp --log-format '')"
eq "--rootless values" "auto false true" "$(comp --rootless '')"
want=$("$bin" run --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | xargs)
eq "run: every long flag of run --help" "$want" "$(comp run --)"
eq "exec flags by prefix" "--cap --cgroup --console-socket --cwd" "$(comp exec --c)"
eq "list --format values" "json table" "$(comp list --format '')"
eq "run --network values" "bridge none pasta slirp4netns" "$(comp run --network '')"
eq "ids under --root DIR" "db-2 web1" "$(comp --root "$root" delete '')"
eq "ids under --root=DIR" "web1" "$(comp --root="$root" state w)"
eq "ids after global flags and a command's flags" "db-2 web1" \
	"$(comp --debug --root "$root" exec -e A=1 --cwd /tmp '')"
eq "no id after the id (exec's command)" "" "$(comp --root "$root" exec web1 '')"
eq "kill: ids, then signals" "db-2 web1" "$(comp --root "$root" kill '')"
got=$(comp --root "$root" kill web1 TE)
eq "kill ID SIGNAL: signal names" "TERM" "$got"
eq "create takes a new id: nothing offered" "" "$(comp --root "$root" create '')"
eq "image subcommands" "inspect ls prepare release rm unpack" "$(comp image '')"
eq "help COMMAND" "events exec" "$(comp help e)"
# The completion reads `kapsel CMD --help`: it must work for a user without
# XDG_RUNTIME_DIR (no state directory), as uid 65534 when run as root.
as=()
[ "$(id -u)" -eq 0 ] && as=(setpriv --reuid 65534 --regid 65534 --clear-groups)
if [ ${#as[@]} -eq 0 ] || "${as[@]}" test -x "$bin" 2>/dev/null; then
	eq "run --help without XDG_RUNTIME_DIR, as a user" "Usage: kapsel run [options] ID" \
		"$(env -u XDG_RUNTIME_DIR "${as[@]}" "$bin" run --help 2>&1 | head -n1)"
else
	echo "# (uid 65534 cannot reach $bin: the --help check without XDG_RUNTIME_DIR is left out)"
fi
echo "1..$n"
[ "$fail" -eq 0 ]
