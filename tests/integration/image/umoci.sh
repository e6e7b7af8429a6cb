#!/bin/bash
# Images built by umoci (new, repack, insert --opaque/--whiteout): kapsel's
# copy and overlay unpacks must equal `umoci unpack` file for file (type,
# mode, owner, content, xattrs incl. security.capability, hardlinks, mtimes),
# plus explicit checks of the layer semantics and of config.json.
. "$(dirname "$0")/lib.sh"
need_root
. "$HERE/build-umoci-image.sh"

umoci unpack --image "$T/oci:v3" "$T/ref" >/dev/null
# the layers really hold what is tested: repack's whiteouts, insert's opaque marker
python3 - "$T/oci" <<'PY' > "$T/wh" || fail "listing v3's layers"
import gzip, io, json, os, sys, tarfile
d = sys.argv[1]
ix = json.load(open(os.path.join(d, "index.json")))
m = [x for x in ix["manifests"] if x["annotations"]["org.opencontainers.image.ref.name"] == "v3"][0]
man = json.load(open(os.path.join(d, "blobs/sha256", m["digest"][7:])))
print("layers", len(man["layers"]))
for l in man["layers"]:
    raw = gzip.decompress(open(os.path.join(d, "blobs/sha256", l["digest"][7:]), "rb").read())
    try:
        for ti in tarfile.open(fileobj=io.BytesIO(raw)):
            if "/.wh." in "/" + ti.name:
                print(ti.name)
    except tarfile.ReadError:
        pass   # umoci insert's unterminated tars end early
PY
grep -q "^layers 4" "$T/wh" && grep -q "del/.wh.file" "$T/wh" && grep -q "del/.wh.sub" "$T/wh" &&
	grep -q "opq/.wh..wh..opq" "$T/wh" && grep -q ".wh.h2" "$T/wh" || fail "umoci's layers: $(cat "$T/wh")"
ok "umoci made 4 layers with whiteouts (repack), an opaque marker and a whiteout (insert)"
"$KAPSEL" image unpack "$T/oci:v3" "$T/copy"
"$KAPSEL" image unpack --mode overlay "$T/oci:v3" "$T/ovl"
same_tree "$T/ref/rootfs" "$T/copy/rootfs" "copy mode vs umoci unpack"
ok "copy mode equals umoci unpack"
# across layers the overlay store keeps copies, not links (see lower.c)
tree --no-links "$T/ref/rootfs" > "$T/a.list"
tree --no-links "$T/ovl/rootfs" > "$T/b.list"
diff -u "$T/a.list" "$T/b.list" >&2 || fail "overlay mode differs from umoci unpack"
ok "overlay mode equals umoci unpack"

C="$T/copy/rootfs"
[ "$(cat "$C/hello")" = changed ] || fail "v2 change lost"
[ ! -e "$C/del/file" ] && [ ! -e "$C/del/sub" ] || fail "whiteouts not applied"
[ -L "$C/del/rellink" ] || fail "sibling of a whiteout removed"
[ "$(ls "$C/opq")" = fresh ] || fail "opaque dir kept lower entries: $(ls "$C/opq")"
[ ! -e "$C/h2" ] && [ "$(cat "$C/h1")" = shared ] || fail "umoci --whiteout /h2"
[ "$(stat -c %a "$C/bin/suid")" = 4755 ] || fail "setuid lost"
[ "$(stat -c %a "$C/bin/sgidfile")" = 2711 ] || fail "setgid file lost"
[ "$(stat -c %a "$C/sgid")" = 2775 ] && [ "$(stat -c %a "$C/sticky")" = 1777 ] || fail "dir modes"
[ "$(stat -c %u:%g "$C/home/app/file")" = 1000:2000 ] || fail "ownership"
getcap "$C/bin/ping" | grep -q cap_net_raw || fail "security.capability lost"
[ "$(getfattr --only-values -n user.kapsel "$C/xattr" 2>/dev/null || python3 -c "import os;print(os.getxattr('$C/xattr','user.kapsel').decode(),end='')")" = value ] || fail "user xattr"
[ "$(stat -c %a "$C/xattr")" = 600 ] || fail "mode change in v2"
[ -p "$C/fifo" ] && [ -c "$C/null" ] || fail "fifo or device"
[ "$(stat -c %Y "$C/newfile")" -gt 0 ] && [ "$(stat -c %Y "$T/ref/rootfs/hello")" = "$(stat -c %Y "$C/hello")" ] || fail "mtime"
[ "$(stat -c %s "$C/sparse")" = $((16 << 20)) ] || fail "sparse size"
cmp -s "$C/sparse" "$T/ref/rootfs/sparse" || fail "sparse content"
ok "whiteouts, opaque dir, setuid/setgid/sticky, owners, caps, xattrs, fifo, device"

# umoci writes holes as zeros; GNU tar --sparse (pax format) writes real sparse entries
mkdir -p "$T/sp" && python3 -c "
f = open('$T/sp/holes', 'wb'); f.seek(64 << 20); f.write(b'mid'); f.seek(128 << 20); f.write(b'end')"
tar -C "$T/sp" --sparse --format=posix -cf "$T/sparse.tar" holes
python3 "$HERE/ocitool.py" new "$T/spimg" s
python3 "$HERE/ocitool.py" add "$T/spimg" s "$T/sparse.tar" zstd >/dev/null
"$KAPSEL" image unpack "$T/spimg:s" "$T/spb"
cmp "$T/sp/holes" "$T/spb/rootfs/holes" || fail "sparse content"
[ "$(stat -c %b "$T/spb/rootfs/holes")" -lt 1024 ] || fail "sparse file not sparse: $(stat -c %b "$T/spb/rootfs/holes") blocks"
ok "sparse file from a zstd layer stays sparse ($(stat -c %b "$T/spb/rootfs/holes") blocks for 128 MiB)"

# config.json (conversion.md)
python3 - "$T/copy/config.json" <<'PY' || fail "config.json"
import json, sys
c = json.load(open(sys.argv[1]))
p = c["process"]
assert p["args"] == ["/bin/busybox", "sh", "-c", "id; pwd; echo $FOO; cat /hello"], p["args"]
assert "FOO=bar" in p["env"] and any(e.startswith("PATH=") for e in p["env"]), p["env"]
assert p["cwd"] == "/home/app", p["cwd"]
assert p["user"] == {"uid": 1000, "gid": 1000, "additionalGids": [2000]}, p["user"]
a = c["annotations"]
assert a["org.example.label"] == "yes", a
assert a["org.opencontainers.image.os"] == "labelled", a       # Labels win
assert a["org.opencontainers.image.architecture"] == "amd64", a
assert a["org.opencontainers.image.exposedPorts"] == "80/tcp", a
assert c["root"]["path"] == "rootfs"
PY
ok "config.json: args, env, cwd, user from /etc/passwd+group, annotations"

# run it: with kapsel once its runtime is there, runc until then
run_bundle() {
	if "$KAPSEL" --help 2>&1 | grep -q '^  run '; then
		(cd "$1" && timeout 30 "$KAPSEL" run "kapsel-img-$$-$2")
	else
		need_tool runc
		(cd "$1" && timeout 30 runc run "kapsel-img-$$-$2")
	fi
}
for b in copy ovl; do
	out=$(run_bundle "$T/$b" "$b") || fail "running the $b bundle failed: $out"
	printf '%s\n' "$out" | grep -q '^uid=1000(app) gid=1000(app) groups=2000(extra)' || fail "$b: $out"
	printf '%s\n' "$out" | grep -qx '/home/app' && printf '%s\n' "$out" | grep -qx bar &&
		printf '%s\n' "$out" | grep -qx changed || fail "$b: $out"
done
ok "containers from both bundles ran as app:app (+extra) in /home/app"

"$KAPSEL" image release "$T/ovl"
! findmnt "$T/ovl/rootfs" >/dev/null || fail "release left the overlay mounted"
ok "release unmounted the overlay bundle"
