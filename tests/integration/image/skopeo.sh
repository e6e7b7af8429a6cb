#!/bin/bash
# skopeo copies the umoci-built image between transports (oci, oci-archive,
# docker-archive, and oci with zstd layers); every form must unpack to the same
# tree as `umoci unpack` of the original. Also: :tag/@digest selection and a
# multi-platform index picking the host's platform.
. "$(dirname "$0")/lib.sh"
need_root
need_tool skopeo
. "$HERE/build-umoci-image.sh"
umoci unpack --image "$T/oci:v3" "$T/ref" >/dev/null

skopeo copy -q "oci:$T/oci:v3" "oci-archive:$T/img.oci.tar:v3"
skopeo copy -q "oci:$T/oci:v3" "docker-archive:$T/img.docker.tar:example/img:v3"
skopeo copy -q --dest-compress-format zstd "oci:$T/oci:v3" "oci:$T/zstd:v3"
skopeo copy -q --dest-compress-format zstd "oci:$T/oci:v3" "oci:$T/zstd:other"
grep -q 'tar+zstd' "$T"/zstd/blobs/sha256/* || skip "skopeo did not write zstd layers"

n=0
for ref in "$T/img.oci.tar" "oci-archive:$T/img.oci.tar:v3" "$T/img.docker.tar" \
	"docker-archive:$T/img.docker.tar:example/img:v3" "$T/zstd:v3" "oci:$T/zstd:v3"; do
	n=$((n + 1))
	"$KAPSEL" image unpack "$ref" "$T/b$n" || fail "unpack $ref"
	same_tree "$T/ref/rootfs" "$T/b$n/rootfs" "$ref"
	cmp -s <(python3 -c "import json,sys;c=json.load(open('$T/b$n/config.json'));print(c['process'])") \
		<(python3 -c "import json,sys;c=json.load(open('$T/b1/config.json'));print(c['process'])") ||
		fail "$ref: process differs from the oci-archive's"
	ok "$ref unpacks to umoci's tree"
done
# @digest selects a manifest of the layout
dg=$(python3 -c "import json;ix=json.load(open('$T/zstd/index.json'));print([m['digest'] for m in ix['manifests'] if m['annotations']['org.opencontainers.image.ref.name']=='v3'][0])")
"$KAPSEL" image unpack "$T/zstd@$dg" "$T/bydigest"
same_tree "$T/ref/rootfs" "$T/bydigest/rootfs" "@digest"
! "$KAPSEL" image unpack "$T/oci" "$T/ambiguous" 2>"$T/err" || fail "two tags, none named: accepted"
grep -q "name one with :TAG" "$T/err" || fail "ambiguous: $(cat "$T/err")"
! "$KAPSEL" image unpack "$T/zstd:nope" "$T/nope" 2>"$T/err" || fail "unknown tag accepted"
grep -q "no manifest tagged nope" "$T/err" || fail "unknown tag: $(cat "$T/err")"
ok "@digest, ambiguous and unknown tags"

# an index with an arm64 and an amd64 manifest (made from v3's): the host's wins
python3 - "$T/oci" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
ix = json.load(open(os.path.join(d, "index.json")))
v3 = [m for m in ix["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"] == "v3"][0]
def put(b):
    h = hashlib.sha256(b).hexdigest()
    open(os.path.join(d, "blobs/sha256", h), "wb").write(b)
    return "sha256:" + h
m = json.load(open(os.path.join(d, "blobs/sha256", v3["digest"][7:])))
cfg = json.load(open(os.path.join(d, "blobs/sha256", m["config"]["digest"][7:])))
cfg["architecture"] = "arm64"
cb = json.dumps(cfg).encode()
m["config"] = dict(m["config"], digest=put(cb), size=len(cb))
mb = json.dumps(m).encode()
arm = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(mb), "size": len(mb),
       "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
amd = {"mediaType": v3["mediaType"], "digest": v3["digest"], "size": v3["size"],
       "platform": {"architecture": "amd64", "os": "linux"}}
sub = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                  "manifests": [arm, amd]}).encode()
ix["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": put(sub),
                        "size": len(sub), "annotations": {"org.opencontainers.image.ref.name": "multi"}})
arm["annotations"] = {"org.opencontainers.image.ref.name": "armonly"}
ix["manifests"].append(arm)
json.dump(ix, open(os.path.join(d, "index.json"), "w"))
PY
"$KAPSEL" image unpack "$T/oci:multi" "$T/multi"
same_tree "$T/ref/rootfs" "$T/multi/rootfs" "index picks amd64"
! "$KAPSEL" image unpack "$T/oci:armonly" "$T/arm" 2>"$T/err" || fail "arm64 image accepted on amd64"
grep -q "does not match this host" "$T/err" || fail "platform: $(cat "$T/err")"
[ ! -e "$T/arm" ] || fail "platform refusal left a bundle"
ok "index picks the host platform; a foreign platform is refused"
