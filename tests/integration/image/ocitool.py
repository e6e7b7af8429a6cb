#!/usr/bin/env python3
"""Writes OCI image layouts with hand-made layers, for tests that need layers
no real tool would make (hostile ones, cross-layer hardlinks).

  ocitool.py new DIR TAG                      an image with no layers
  ocitool.py add DIR TAG TARFILE [gzip|zstd|none] [--bad-digest|--bad-size|
             --truncate|--bad-diffid]         append a layer (optionally broken)
"""
import gzip
import hashlib
import json
import os
import subprocess
import sys


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def put_blob(d, b, algo="sha256"):
    dg = algo + ":" + hashlib.new(algo, b).hexdigest()
    os.makedirs(os.path.join(d, "blobs", algo), exist_ok=True)
    with open(os.path.join(d, "blobs", algo, dg[7:]), "wb") as f:
        f.write(b)
    return dg


def get_blob(d, dg):
    with open(os.path.join(d, "blobs", "sha256", dg[7:]), "rb") as f:
        return f.read()


def write_index(d, tag, mdesc):
    p = os.path.join(d, "index.json")
    ix = json.load(open(p)) if os.path.exists(p) else {"schemaVersion": 2, "manifests": []}
    ix["manifests"] = [m for m in ix["manifests"]
                       if m.get("annotations", {}).get("org.opencontainers.image.ref.name") != tag]
    mdesc["annotations"] = {"org.opencontainers.image.ref.name": tag}
    ix["manifests"].append(mdesc)
    json.dump(ix, open(p, "w"))


def find(d, tag):
    ix = json.load(open(os.path.join(d, "index.json")))
    for m in ix["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return json.loads(get_blob(d, m["digest"]))
    raise SystemExit("no tag " + tag)


def save(d, tag, manifest, config):
    cb = json.dumps(config).encode()
    manifest["config"] = {"mediaType": "application/vnd.oci.image.config.v1+json",
                          "digest": put_blob(d, cb), "size": len(cb)}
    mb = json.dumps(manifest).encode()
    write_index(d, tag, {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "digest": put_blob(d, mb), "size": len(mb)})


def new(d, tag):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": []}}
    save(d, tag, {"schemaVersion": 2, "layers": []}, config)


def add(d, tag, tarfile, comp="gzip", how=None):
    raw = open(tarfile, "rb").read()
    if comp == "gzip":
        blob, mt = gzip.compress(raw), "application/vnd.oci.image.layer.v1.tar+gzip"
    elif comp == "zstd":
        blob = subprocess.run(["zstd", "-q", "-c"], input=raw, capture_output=True,
                              check=True).stdout
        mt = "application/vnd.oci.image.layer.v1.tar+zstd"
    else:
        blob, mt = raw, "application/vnd.oci.image.layer.v1.tar"
    if how == "--truncate":
        blob = blob[: len(blob) * 2 // 3]
    # OCITOOL_ALGO=sha512: the layer blob is addressed by sha512
    algo = os.environ.get("OCITOOL_ALGO", "sha256")
    dg = put_blob(d, blob, algo)
    size = len(blob)
    if how == "--bad-digest":
        # the file named by the digest holds other bytes than it should
        bad = bytearray(blob)
        bad[len(bad) // 2] ^= 0xFF
        with open(os.path.join(d, "blobs", algo, dg[7:]), "wb") as f:
            f.write(bytes(bad))
    if how == "--bad-size":
        size += 1
    m = find(d, tag)
    config = json.loads(get_blob(d, m["config"]["digest"]))
    m["layers"].append({"mediaType": mt, "digest": dg, "size": size})
    diff = sha(raw) if how != "--bad-diffid" else sha(raw + b"x")
    config["rootfs"]["diff_ids"].append(diff)
    save(d, tag, m, config)
    return dg


if __name__ == "__main__":
    if sys.argv[1] == "new":
        new(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "add":
        a = sys.argv[2:]
        print(add(a[0], a[1], a[2], a[3] if len(a) > 3 else "gzip", a[4] if len(a) > 4 else None))
