#!/bin/bash
# `kapsel run --image`: the bundle is made from an image inside the
# container's state dir (overlay over the store's layers), the container
# runs, and delete leaves no bundle, mount, state or store temp dir behind.
. "$(dirname "$0")/lib.sh"
need_root
need_tool umoci
[ -x /bin/busybox ] || skip "busybox not installed (apt-get install busybox-static)"

ROOT=$T/state
export KAPSEL_IMAGE_STORE=$T/store
IMG=$T/img

# An image made by umoci (not by us) holding a busybox rootfs.
umoci init --layout "$IMG"
umoci new --image "$IMG:bb"
umoci unpack --image "$IMG:bb" "$T/work" >/dev/null
mkdir -p "$T/work/rootfs/bin" "$T/work/rootfs/etc"
cp /bin/busybox "$T/work/rootfs/bin/"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$T/work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/work/rootfs/etc/passwd"
echo 'from the image' >"$T/work/rootfs/etc/motd"
umoci repack --image "$IMG:bb" "$T/work"
umoci config --image "$IMG:bb" --config.cmd cat --config.cmd /etc/motd
mounts_before=$(wc -l </proc/self/mountinfo)

out=$("$KAPSEL" --root "$ROOT" run --image "$IMG:bb" kt$$-r1 2>&1) || fail "run --image: $out"
[ "$out" = "from the image" ] || fail "run --image printed '$out'"
ok "run --image runs the image's command in a container"

# A second container from the same image reuses the unpacked layers.
"$KAPSEL" --root "$ROOT" run -d --image "$IMG:bb" kt$$-r2 >/dev/null || fail "run -d --image"
"$KAPSEL" --root "$ROOT" create --image "$IMG:bb" kt$$-r3 || fail "create --image"
grep -q " $ROOT/kt$$-r3/bundle/rootfs " /proc/self/mountinfo || fail "no overlay rootfs for kt$$-r3"
"$KAPSEL" --root "$ROOT" start kt$$-r3
for _ in $(seq 50); do
	[ "$("$KAPSEL" --root "$ROOT" state kt$$-r3 | jq -r .status)" = stopped ] && break
	sleep 0.1
done
"$KAPSEL" --root "$ROOT" delete kt$$-r3 || fail "delete kt$$-r3"
[ ! -e "$ROOT/kt$$-r3" ] || fail "state dir of kt$$-r3 left behind"
ok "create/start/delete --image; delete releases the overlay bundle"

# Bad input: both --image and --bundle; an image that does not exist.
err=$("$KAPSEL" --root "$ROOT" run --image "$IMG:bb" --bundle "$T" kt$$-r4 2>&1) && fail "--image with --bundle accepted"
case $err in *"--image and --bundle"*) ;; *) fail "unclear error: $err" ;; esac
err=$("$KAPSEL" --root "$ROOT" run --image "$T/nope:bb" kt$$-r5 2>&1) && fail "a missing image was accepted"
case $err in *"image $T/nope:bb"*) ;; *) fail "error does not name the image: $err" ;; esac
[ "$(echo "$err" | wc -l)" = 1 ] || fail "error is not one line: $err"
[ ! -e "$ROOT/kt$$-r5" ] || fail "state of a failed --image create left behind"
ok "bad --image input fails clearly and leaves nothing"

"$KAPSEL" --root "$ROOT" delete --force kt$$-r2 >/dev/null 2>&1
[ -z "$(ls "$ROOT" 2>/dev/null | grep -v '^network$')" ] || fail "state left: $(ls "$ROOT")"
[ "$(wc -l </proc/self/mountinfo)" = "$mounts_before" ] || fail "mounts left behind"
[ -z "$(ls "$KAPSEL_IMAGE_STORE/tmp" 2>/dev/null)" ] || fail "store temp dirs left"
ok "host left clean"
