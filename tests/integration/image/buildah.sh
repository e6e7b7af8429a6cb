#!/bin/bash
# An image built by buildah from scratch (vfs storage in the temp dir, two
# layers, the second deleting a file through `buildah mount` so buildah writes
# a whiteout), committed as an OCI layout: kapsel must unpack it to the same
# tree as `umoci unpack` and run it. `buildah run` itself does not work on
# these hosts (hybrid cgroups), so nothing here needs it.
. "$(dirname "$0")/lib.sh"
need_root
need_tool buildah
need_tool umoci
[ -x /usr/bin/busybox ] || skip "busybox not installed"
# buildah derives image names from the path: keep it lower-case
BT=/tmp/kapsel-bah-$$; rm -rf "$BT"; mkdir -p "$BT"; trap 'rm -rf "$BT"; cleanup' EXIT
B() { buildah --root "$T/broot" --runroot "$T/brun" --storage-driver vfs "$@"; }

c=$(B from scratch 2>"$T/err") || skip "buildah from scratch fails here: $(cat "$T/err")"
mkdir -p "$T/src/bin" "$T/src/data" && cp /usr/bin/busybox "$T/src/bin/" && echo gone > "$T/src/data/old"
B copy --chown 123:456 "$c" "$T/src" / >/dev/null
B config --entrypoint '["/bin/busybox"]' --cmd 'cat /data/new' --env A=1 --label built.by=buildah "$c"
B commit -q "$c" "oci:$BT/img:one" >/dev/null || skip "buildah commit fails here"
c2=$(B from -q --name kapsel-c2 "oci:$BT/img:one")
m=$(B mount "$c2") || skip "buildah mount fails here"
rm "$m/data/old" && echo fresh > "$m/data/new"
B umount "$c2" >/dev/null
B commit -q "$c2" "oci:$BT/img:two" >/dev/null
B rm -a >/dev/null 2>&1 || true

umoci unpack --image "$BT/img:two" "$T/ref" >/dev/null
"$KAPSEL" image unpack "$BT/img:two" "$T/copy"
"$KAPSEL" image unpack --mode overlay "$BT/img:two" "$T/ovl"
same_tree "$T/ref/rootfs" "$T/copy/rootfs" "buildah image, copy mode"
same_tree "$T/ref/rootfs" "$T/ovl/rootfs" "buildah image, overlay mode"
[ ! -e "$T/copy/rootfs/data/old" ] && [ "$(stat -c %u:%g "$T/copy/rootfs/bin/busybox")" = 123:456 ] ||
	fail "whiteout or --chown lost"
ok "buildah image (2 layers, whiteout, --chown) equals umoci unpack in both modes"
grep -q '"built.by": "buildah"' "$T/copy/config.json" || fail "label"
if "$KAPSEL" --help 2>&1 | grep -q '^  run '; then RT="$KAPSEL"; else need_tool runc; RT=runc; fi
out=$(cd "$T/copy" && timeout 30 $RT run "kapsel-bah-$$") || fail "run: $out"
[ "$out" = fresh ] || fail "run printed: $out"
"$KAPSEL" image release "$T/ovl"
ok "ran the buildah image's Entrypoint+Cmd with $RT"
