#!/bin/bash
# The layer store: layers unpacked once (by ChainID), a second overlay bundle
# in milliseconds, concurrent unpacks of one image, image ls/inspect/rm with
# garbage collection that spares layers of mounted bundles, --store, and
# prepare-style reuse via `release`.
. "$(dirname "$0")/lib.sh"
need_root
need_tool umoci
I="$T/img"
python3 "$HERE/ocitool.py" new "$I" a
python3 "$HERE/mktar.py" "$T/l1.tar" d:etc/ f:etc/passwd:root:x:0:0::/:/bin/sh f:base:1
python3 "$HERE/mktar.py" "$T/l2.tar" f:second:2
python3 "$HERE/mktar.py" "$T/l3.tar" f:third:3
python3 "$HERE/ocitool.py" add "$I" a "$T/l1.tar" >/dev/null
python3 "$HERE/ocitool.py" add "$I" a "$T/l2.tar" >/dev/null
cp "$I/index.json" "$T/index.a"
python3 "$HERE/ocitool.py" add "$I" a "$T/l3.tar" >/dev/null   # a: 3 layers
python3 - "$I" "$T/index.a" <<'PY'
import json, sys
ix = json.load(open(sys.argv[1] + "/index.json"))
old = json.load(open(sys.argv[2]))["manifests"][0]
old["annotations"] = {"org.opencontainers.image.ref.name": "b"}   # b: the first 2 layers
ix["manifests"].append(old)
json.dump(ix, open(sys.argv[1] + "/index.json", "w"))
PY

# concurrent first unpacks of the same image: one unpacks each layer, both succeed
"$KAPSEL" image unpack --mode overlay "$I:a" "$T/o1" & p1=$!
"$KAPSEL" image unpack --mode overlay "$I:a" "$T/o2" & p2=$!
wait $p1 && wait $p2 || fail "concurrent overlay unpacks"
[ "$(ls "$KAPSEL_IMAGE_STORE/layers" | wc -l)" = 3 ] || fail "layers: $(ls "$KAPSEL_IMAGE_STORE/layers")"
[ "$(cat "$T/o1/rootfs/third")" = 3 ] && [ "$(cat "$T/o2/rootfs/second")" = 2 ] || fail "contents"
ok "two concurrent overlay unpacks share 3 stored layers"

start=$(date +%s%N)
"$KAPSEL" image unpack --mode overlay "$I:a" "$T/o3"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok "third overlay bundle in $ms ms"
echo written > "$T/o3/rootfs/base"
[ "$(cat "$T/o1/rootfs/base")" = 1 ] || fail "a bundle's write leaked into the shared layer"
ok "writes stay in the bundle's own upper dir"

"$KAPSEL" image unpack --mode overlay "$I:b" "$T/ob"
[ "$(ls "$KAPSEL_IMAGE_STORE/layers" | wc -l)" = 3 ] || fail "b's layers were not shared with a's"
"$KAPSEL" image ls | grep -q "$I:a" && "$KAPSEL" image ls | grep -q "$I:b" || fail "image ls: $("$KAPSEL" image ls)"
"$KAPSEL" image ls --format json | python3 -c "import json,sys; l=json.load(sys.stdin); assert len(l)==2, l"
dg=$("$KAPSEL" image inspect "$I:a" | python3 -c "import json,sys; print(json.load(sys.stdin)['digest'])")
"$KAPSEL" image inspect "${dg#sha256:}" | grep -q '"diff_id"' || fail "inspect by digest"
ok "image ls / inspect (name, digest)"

# rm a: its top layer is still used by mounted bundles o1..o3, so it stays
"$KAPSEL" image rm "$I:a"
! "$KAPSEL" image inspect "$I:a" 2>/dev/null || fail "rm left the record"
[ "$(ls "$KAPSEL_IMAGE_STORE/layers" | wc -l)" = 3 ] || fail "rm removed a layer in use"
for b in o1 o2 o3; do "$KAPSEL" image release "$T/$b"; done
"$KAPSEL" image rm "$dg" 2>/dev/null && fail "rm of a removed image succeeded" || true
"$KAPSEL" image rm "$I:b"      # gc runs: nothing mounted uses a's top layer any more
[ "$(ls "$KAPSEL_IMAGE_STORE/layers" | wc -l)" = 2 ] || fail "gc: $(ls "$KAPSEL_IMAGE_STORE/layers")"
"$KAPSEL" image release "$T/ob"
"$KAPSEL" image unpack "$I:b" "$T/c" && "$KAPSEL" image rm "$I:b"
[ "$(ls "$KAPSEL_IMAGE_STORE/layers" | wc -l)" = 0 ] || fail "unused layers left"
ok "rm spares layers of mounted bundles; unused layers removed"

# prepare (run --image): reuse a bundle made from the same image, remount it
"$KAPSEL" image prepare --mode overlay "$I:a" "$T/p"
echo mine > "$T/p/rootfs/state"
"$KAPSEL" image prepare --mode overlay "$I:a" "$T/p"
[ "$(cat "$T/p/rootfs/state")" = mine ] || fail "prepare did not reuse the bundle"
umount "$T/p/rootfs"
"$KAPSEL" image prepare --mode overlay "$I:a" "$T/p"
findmnt "$T/p/rootfs" >/dev/null && [ "$(cat "$T/p/rootfs/state")" = mine ] ||
	fail "prepare did not remount over the existing upper dir"
! "$KAPSEL" image prepare "$I:b" "$T/p" 2>"$T/err" || fail "prepare over another image's bundle"
grep -q "holds another image" "$T/err" || fail "prepare: $(cat "$T/err")"
"$KAPSEL" image release --rm "$T/p"
ok "prepare reuses and remounts a bundle, refuses another image's"

# --store and release --rm
"$KAPSEL" image unpack --store "$T/other" --mode overlay "$I:a" "$T/os"
[ -d "$T/other/layers" ] && [ "$(ls "$T/other/layers" | wc -l)" = 3 ] || fail "--store"
"$KAPSEL" image release --rm "$T/os"
[ ! -e "$T/os" ] || fail "release --rm"
ok "--store DIR; release --rm removes the bundle"

# an existing non-empty bundle is refused and left alone
mkdir -p "$T/full" && echo mine > "$T/full/keep"
! "$KAPSEL" image unpack "$I:a" "$T/full" 2>"$T/err" || fail "non-empty bundle accepted"
grep -q "not empty" "$T/err" && [ "$(cat "$T/full/keep")" = mine ] || fail "non-empty bundle: $(cat "$T/err")"
ok "a non-empty bundle directory is refused and untouched"

# rootless copy mode (as nobody, in a directory it owns): no chown, still the files
if command -v setpriv >/dev/null; then
	mkdir -p "$T/nobody" && chown nobody "$T/nobody" && chmod 755 "$T"
	chmod -R a+rX "$I"
	if setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$T/nobody" \
		KAPSEL_IMAGE_STORE="$T/nobody/store" "$KAPSEL" image unpack "$I:a" "$T/nobody/b" 2>"$T/err"; then
		[ "$(cat "$T/nobody/b/rootfs/third")" = 3 ] || fail "rootless contents"
		[ "$(stat -c %U "$T/nobody/b/rootfs/base")" = nobody ] || fail "rootless owner"
		grep -q '"user"' "$T/nobody/b/config.json" && grep -q uidMappings "$T/nobody/b/config.json" ||
			fail "rootless config has no user namespace"
		ok "rootless copy unpack as nobody (user namespace in config.json)"
	else
		fail "rootless unpack: $(cat "$T/err")"
	fi
	! setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$T/nobody" \
		"$KAPSEL" image unpack --mode overlay "$I:a" "$T/nobody/o" 2>"$T/err" || fail "rootless overlay accepted"
	grep -q "overlay mode needs root" "$T/err" || fail "rootless overlay: $(cat "$T/err")"
fi
