#!/bin/bash
# Layer semantics on hand-made (benign) layers, in copy and overlay mode:
# hardlinks to a file of an earlier layer, whiteouts sparing what their own
# layer created, opaque whiteouts in either order, type changes across layers.
. "$(dirname "$0")/lib.sh"
need_root
I="$T/img"
python3 "$HERE/ocitool.py" new "$I" t
layer() { python3 "$HERE/mktar.py" "$T/l.tar" "$@"; python3 "$HERE/ocitool.py" add "$I" t "$T/l.tar" gzip >/dev/null; }
layer d:a/ f:a/one:1 f:a/two:2 d:dir/ f:dir/old:old d:o2/ f:o2/old:old f:base:base \
	d:becomes-file/ f:becomes-file/x:x f:becomes-dir:f s:ln:a
# the same name whited out and re-created in one layer survives, whatever the order
layer h:link-to-base:base f:a/.wh.one: f:a/one:new-one f:a/two:new-two f:a/.wh.two: \
	f:dir/new:new f:dir/.wh..wh..opq: f:o2/.wh..wh..opq: f:o2/new:new \
	f:.wh.becomes-file: f:becomes-file:now-a-file d:becomes-dir/ f:becomes-dir/y:y \
	d:ln/ f:ln/inside:in

check() {
	local r=$1 mode=$2
	[ "$(cat "$r/link-to-base")" = base ] || fail "$mode: cross-layer hardlink content"
	[ "$(cat "$r/a/one")" = new-one ] && [ "$(cat "$r/a/two")" = new-two ] ||
		fail "$mode: whiteout hid its own layer's file"
	[ "$(ls "$r/dir")" = new ] && [ "$(ls "$r/o2")" = new ] || fail "$mode: opaque: $(ls "$r/dir") / $(ls "$r/o2")"
	[ -f "$r/becomes-file" ] && [ -d "$r/becomes-dir" ] && [ "$(cat "$r/becomes-dir/y")" = y ] ||
		fail "$mode: type changes"
	[ -d "$r/ln" ] && [ ! -L "$r/ln" ] && [ "$(cat "$r/ln/inside")" = in ] && [ ! -e "$r/a/inside" ] ||
		fail "$mode: a directory entry replaces an earlier symlink (not written through)"
}
"$KAPSEL" image unpack "$I:t" "$T/c"
check "$T/c/rootfs" copy
[ "$(stat -c %i "$T/c/rootfs/base")" = "$(stat -c %i "$T/c/rootfs/link-to-base")" ] ||
	fail "copy: cross-layer hardlink is not a link"
ok "copy mode: cross-layer hardlink, whiteout/opaque ordering, type changes"
"$KAPSEL" image unpack --mode overlay "$I:t" "$T/o"
check "$T/o/rootfs" overlay
ok "overlay mode: same results (cross-layer hardlink as a copy)"
tree --no-links "$T/c/rootfs" > "$T/a"
tree --no-links "$T/o/rootfs" > "$T/b"
diff -u "$T/a" "$T/b" >&2 || fail "copy and overlay trees differ"
ok "copy and overlay trees are equal"

# sha512-addressed layers (descriptor.md allows them), verified like sha256 ones
python3 "$HERE/ocitool.py" new "$T/i512" t
python3 "$HERE/mktar.py" "$T/l.tar" f:file:sha512-content
OCITOOL_ALGO=sha512 python3 "$HERE/ocitool.py" add "$T/i512" t "$T/l.tar" zstd | grep -q '^sha512:' || fail "no sha512 blob"
"$KAPSEL" image unpack "$T/i512:t" "$T/b512"
[ "$(cat "$T/b512/rootfs/file")" = sha512-content ] || fail "sha512 layer content"
python3 "$HERE/ocitool.py" new "$T/j512" t
OCITOOL_ALGO=sha512 python3 "$HERE/ocitool.py" add "$T/j512" t "$T/l.tar" zstd --bad-digest >/dev/null
! "$KAPSEL" image unpack "$T/j512:t" "$T/c512" 2>"$T/err" && grep -q "layer sha512:.*digest mismatch" "$T/err" ||
	fail "corrupt sha512 blob: $(cat "$T/err")"
ok "sha512 layer verified and unpacked; a corrupt one refused"
