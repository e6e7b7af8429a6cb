#!/bin/bash
# Builds the client suites' test image on the host (fast there, slow in the
# VM): a busybox-static rootfs with /etc/passwd and /etc/group, packed with
# umoci into an OCI layout, then copied by skopeo into an OCI archive and a
# docker archive named localhost/bb:latest.
#   prepare-image.sh DIR
set -euo pipefail
d=$1
r=$d/ub/rootfs
umoci init --layout "$d/oci"
umoci new --image "$d/oci:latest"
umoci unpack --image "$d/oci:latest" "$d/ub" >/dev/null
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root"
cp /usr/bin/busybox "$r/bin/busybox"
for n in $("$r/bin/busybox" --list); do
	[ "$n" = busybox ] || ln -sf busybox "$r/bin/$n"
done
chmod 1777 "$r/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\napp:x:1000:1000::/tmp:/bin/sh\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n' >"$r/etc/group"
umoci repack --image "$d/oci:latest" "$d/ub" >/dev/null
umoci config --image "$d/oci:latest" --config.cmd sh \
	--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin >/dev/null
rm -rf "$d/ub"
skopeo copy -q "oci:$d/oci:latest" "oci-archive:$d/bb-oci.tar:localhost/bb:latest"
skopeo copy -q "oci:$d/oci:latest" "docker-archive:$d/bb-docker.tar:localhost/bb:latest"
rm -rf "$d/oci"
