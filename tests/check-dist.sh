#!/usr/bin/env bash
# The release tarball is complete: every file git tracks (but its own
# dotfiles) is in `make distdir`, so `make distcheck` and a build from the
# tarball have every test script, fixture, VM script, man page and
# completion. A full `make distcheck` reruns the whole suite: too slow for
# every `make check`, this is its cheap half.
set -u
src=${abs_top_srcdir:-.}
build=${abs_top_builddir:-.}
command -v git >/dev/null || { echo "SKIP: git is not installed"; exit 77; }
# (a tarball unpacked inside some other checkout is no checkout of kapsel)
top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)
[ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$src" && pwd -P)" ] ||
	{ echo "SKIP: $src is not a git checkout (a tarball build)"; exit 77; }
tmp=$(mktemp -d /tmp/kapsel-distdir.XXXXXX)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
# A make of its own, outside the one running the tests.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$build" distdir distdir="$tmp/d" \
	>"$tmp/log" 2>&1; then
	echo "not ok 1 - make distdir"; sed 's/^/#   /' "$tmp/log"; echo "1..1"; exit 1
fi
(cd "$tmp/d" && find . -type f | sed 's|^\./||' | sort) >"$tmp/dist"
git -C "$src" ls-files | sort -u | grep -vE '^(\.gitignore|\.gitattributes|\.ci/)' | sort >"$tmp/git"
missing=$(comm -23 "$tmp/git" "$tmp/dist")
if [ -z "$missing" ]; then
	echo "ok 1 - every tracked file is in the dist tarball ($(wc -l <"$tmp/git") files)"
else
	echo "not ok 1 - every tracked file is in the dist tarball"
	echo "#   missing (add to EXTRA_DIST or a _SOURCES list):"
	printf '#   %s\n' $missing
fi
echo "1..1"
[ -z "$missing" ]
