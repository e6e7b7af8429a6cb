#!/bin/sh
# The folders' arrows run one way, so a reader can take the tree top-down:
#
#   cli -> runtime -> namespaces cgroups lsm image netsetup -> spec -> common
#
# A file may include headers of its own folder, of common/ (a toolbox: every
# header there is public), and the door header X/X.h of a folder of a lower
# layer; never a folder of its own layer or above, never another folder's
# private header. tests/ and bench/ are outside the product and may reach
# internals (the unit tests link the same sources).
cd "${abs_top_srcdir:-.}" || exit 1

# folder:layer, lowest first. A new folder must be given a place here.
LAYERS='common:0 spec:1 namespaces:2 cgroups:2 lsm:2 image:2 netsetup:2 runtime:3 cli:4'
OUTSIDE='tests bench scripts'

layer_of() {
	for fl in $LAYERS; do
		[ "${fl%%:*}" = "$1" ] && { echo "${fl#*:}"; return; }
	done
}

bad=0
folders=$(sed -n 's|^include \([^/]*\)/local\.mk$|\1|p' Makefile.am)
[ -n "$folders" ] || { echo "no 'include X/local.mk' lines in Makefile.am"; exit 1; }
for f in $folders; do
	case " $OUTSIDE " in *" $f "*) continue ;; esac
	# a folder without C (documentation, data) is no layer
	[ -n "$(find "$f" -name '*.[ch]' 2>/dev/null | head -1)" ] || continue
	if [ -z "$(layer_of "$f")" ]; then
		echo "$f/: not placed in the layout (add it to LAYERS in tests/check-layout.sh)"
		bad=1
	fi
done

nfiles=0
for fl in $LAYERS; do
	dir=${fl%%:*}
	n=$(find "$dir" -name '*.[ch]' 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] || { echo "$dir/: no sources found (run from the source tree)"; bad=1; }
	nfiles=$((nfiles + n))
done

# Every project #include (quoted or angled) as "file:line: target".
incs=$(for fl in $LAYERS; do find "${fl%%:*}" -name '*.[ch]' 2>/dev/null; done | sort |
	xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^">]*[">]' /dev/null |
	sed -E 's/^([^:]*:[0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*)[">].*/\1: \2/')

while IFS= read -r line; do
	[ -n "$line" ] || continue
	loc=${line%%: *}
	target=${line#*: }
	from=${loc%%/*}
	case "$target" in
	*../*) echo "$loc: includes $target: name headers from the top of the tree"; bad=1; continue ;;
	*/*) to=${target%%/*} ;;
	*) continue ;;   # a system header, or one beside the file in its own folder
	esac
	lto=$(layer_of "$to")
	[ -n "$lto" ] || continue   # not a project folder (e.g. <sys/stat.h>)
	[ "$to" = "$from" ] && continue
	[ "$to" = common ] && continue
	lfrom=$(layer_of "$from")
	if [ "$lto" -ge "$lfrom" ]; then
		echo "$loc: includes $target: $from/ must not depend on $to/ (same layer or above)"
		bad=1
	elif [ "$target" != "$to/$to.h" ]; then
		echo "$loc: includes $target: outside $to/ only its door $to/$to.h may be included"
		bad=1
	fi
done <<EOF
$incs
EOF

if [ "$bad" -ne 0 ]; then
	echo "layout check failed (the arrows: tests/check-layout.sh)"
	exit 1
fi
echo "ok: $nfiles files include only their own folder, common/ and the doors of lower layers"
