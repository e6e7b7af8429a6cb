#!/usr/bin/env bash
# The man pages cannot drift from the binary: every command `kapsel --help`
# lists has man/kapsel-COMMAND.8, every option of `kapsel COMMAND --help`
# (and of `kapsel --help`, in kapsel.8) appears in its page, every option a
# page describes (.TP items) is in that --help, and each page is installed
# (man/local.mk). groff, when installed, checks the roff too.
set -u
src=${abs_top_srcdir:-.}
bin=${abs_top_builddir:-.}/kapsel
[ -x "$bin" ] || { echo "Bail out! $bin not built"; exit 99; }
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; shift; printf '#   %s\n' "$@"; }

# page text with roff escapes undone: \fB, \fR, \- and friends
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/--/g' -e 's/\\&//g' "$1"; }
# long options in a help text, and short ones at the start of its option lines
longs() { grep -oE -- '--[a-zA-Z][a-zA-Z0-9-]+' | sort -u; }
shorts() { grep -oE -- '^ +-[a-zA-Z],' | tr -d ' ,' | sort -u; }
# the options a page describes: the line after each .TP
described() { plain "$1" | awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' | longs; }

# check PAGE HELPTEXT WHAT
check() {
	local page=$1 help=$2 what=$3 text o missing= extra=
	text=$(plain "$page")
	for o in $(printf '%s\n' "$help" | longs) $(printf '%s\n' "$help" | shorts); do
		grep -qe "$o\b" <<<"$text" || missing+=" $o"
	done
	[ -z "$missing" ] && ok "$what: every option of its --help is in ${page##*/}" \
		|| bad "$what: every option of its --help is in ${page##*/}" "missing:$missing"
	for o in $(described "$page"); do
		grep -qe "$o\b" <<<"$help" || extra+=" $o"
	done
	[ -z "$extra" ] && ok "$what: every option ${page##*/} describes is in its --help" \
		|| bad "$what: every option ${page##*/} describes is in its --help" "not in --help:$extra"
	if command -v groff >/dev/null; then
		local w
		w=$(groff -man -ww -z "$page" 2>&1)
		[ -z "$w" ] && ok "${page##*/}: groff -ww has no warning" \
			|| bad "${page##*/}: groff -ww has no warning" "$w"
	fi
}

global=$("$bin" --help)
cmds=$(printf '%s\n' "$global" | sed -n '/^Commands:/,$p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$cmds" ] && ok "kapsel --help lists commands" || bad "kapsel --help lists commands" "$global"
# the global options: the part before "Commands:"
check "$src/man/kapsel.8" "$(printf '%s\n' "$global" | sed '/^Commands:/,$d')" "kapsel"
installed=$(sed -e 's/\\$//' "$src/man/local.mk")
for c in $cmds; do
	page=$src/man/kapsel-$c.8
	if [ ! -f "$page" ]; then
		bad "$c: has man/kapsel-$c.8"
		continue
	fi
	ok "$c: has man/kapsel-$c.8"
	check "$page" "$("$bin" "$c" --help)" "$c"
	grep -qw "kapsel\\\\-$c" "$src/man/kapsel.8" && ok "$c: kapsel.8 names its page" \
		|| bad "$c: kapsel.8 names its page"
	grep -q "man/kapsel-$c.8" <<<"$installed" && ok "$c: its page is installed (man/local.mk)" \
		|| bad "$c: its page is installed (man/local.mk)"
done
# no page for a command that is gone
for page in "$src"/man/kapsel-*.8; do
	c=${page##*/kapsel-}; c=${c%.8}
	grep -qx "$c" <<<"$cmds" || bad "man/kapsel-$c.8: $c is no command of kapsel --help"
done
echo "1..$n"
[ "$fail" -eq 0 ]
