#!/bin/bash
# Unpack benchmark: a debootstrap'd Debian rootfs split into 3 layers, built
# as an OCI image by umoci; then, interleaved in one run, N times each:
#   umoci unpack                         (the reference)
#   kapsel image unpack --mode copy
#   kapsel image unpack --mode overlay   first bundle (empty store: unpacks the layers)
#   kapsel image unpack --mode overlay   second bundle (layers already stored)
# Prints the medians and the ratios. Needs root, umoci, debootstrap (or falls
# back to a rootfs copied from the host's /usr if the mirror is unreachable).
#   KAPSEL=path/to/kapsel bench/bench-image.sh [N]
set -eu
N=${1:-5}
KAPSEL=${KAPSEL:-$(pwd)/kapsel}
CACHE=${BENCH_CACHE:-/tmp/kapsel-bench-cache}
W=$(mktemp -d /tmp/kapsel-bench.XXXXXX)
trap 'for m in $(findmnt -rn -o TARGET | grep "^$W/"); do umount -l "$m"; done; rm -rf "$W"' EXIT
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
command -v umoci >/dev/null || { echo "needs umoci"; exit 77; }
[ -x "$KAPSEL" ] || { echo "no kapsel at $KAPSEL"; exit 77; }

mkdir -p "$CACHE"
if [ ! -f "$CACHE/rootfs/.done" ]; then
	rm -rf "$CACHE/rootfs"
	if ! debootstrap --variant=minbase --include=python3,perl,libc6-dev,gcc-12,locales \
		bookworm "$CACHE/rootfs" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1; then
		echo "debootstrap failed (see $CACHE/debootstrap.log): using a copy of the host's /usr"
		rm -rf "$CACHE/rootfs" && mkdir -p "$CACHE/rootfs"
		cp -a /usr /etc "$CACHE/rootfs/" && mkdir -p "$CACHE/rootfs/var"
		ln -s usr/bin "$CACHE/rootfs/bin" && ln -s usr/lib "$CACHE/rootfs/lib"
	fi
	touch "$CACHE/rootfs/.done"
fi
if [ ! -f "$CACHE/oci/.done" ]; then
	rm -rf "$CACHE/oci" "$CACHE/ub"
	umoci init --layout "$CACHE/oci" && umoci new --image "$CACHE/oci:b"
	umoci unpack --image "$CACHE/oci:b" "$CACHE/ub" >/dev/null
	R="$CACHE/ub/rootfs"
	# layer 1: all but /usr/share and /var; layer 2: /usr/share; layer 3: /var,
	# minus the apt lists and docs (whiteouts)
	(cd "$CACHE/rootfs" && tar --exclude=./usr/share --exclude=./var --exclude=./.done -cf - .) | tar -C "$R" -xf -
	umoci repack --refresh-bundle --image "$CACHE/oci:b" "$CACHE/ub" >/dev/null
	(cd "$CACHE/rootfs" && tar -cf - ./usr/share) | tar -C "$R" -xf -
	umoci repack --refresh-bundle --image "$CACHE/oci:b" "$CACHE/ub" >/dev/null
	(cd "$CACHE/rootfs" && tar -cf - ./var) | tar -C "$R" -xf -
	rm -rf "$R/usr/share/doc" "$R/var/cache/apt"
	umoci repack --refresh-bundle --image "$CACHE/oci:b" "$CACHE/ub" >/dev/null
	rm -rf "$CACHE/ub"
	touch "$CACHE/oci/.done"
fi
IMG="$CACHE/oci:b"
echo "image: $(du -sh "$CACHE/oci" | cut -f1) compressed, rootfs $(du -sh --exclude=.done "$CACHE/rootfs" | cut -f1), $(python3 -c "import json,sys; ix=json.load(open('$CACHE/oci/index.json')); m=ix['manifests'][-1]['digest'][7:]; print(len(json.load(open('$CACHE/oci/blobs/sha256/'+m))['layers']))") layers"

# Where the bundles go. This host's / (ext4) spends most of each file
# creation in ext4's recently_deleted() scan (perf: ~70% of a create, 300 us
# per file) after the heavy create/delete churn of the other jobs, which
# measures the disk's history, not the unpackers: by default every iteration
# gets a fresh ext4 on a loop device. BENCH_FS=tmpfs or BENCH_FS=here (the
# temp dir's own file system) for the other views.
FS=${BENCH_FS:-ext4}
fresh_fs() {
	mkdir -p "$W/fs"
	case $FS in
	ext4)
		truncate -s 6G "$W/fs.img" && mkfs.ext4 -q -F "$W/fs.img" && mount -o loop "$W/fs.img" "$W/fs" ;;
	tmpfs) mount -t tmpfs -o size=6G tmpfs "$W/fs" ;;
	here) ;;
	esac
}
drop_fs() {
	for m in $(findmnt -rn -o TARGET | grep "^$W/fs/" | sort -r); do umount "$m"; done
	case $FS in ext4|tmpfs) umount "$W/fs" ;; esac
	rm -rf "$W/fs" "$W/fs.img"
}
ms() { echo $(( ($2 - $1) / 1000000 )); }
t() { local s e; sync; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); ms "$s" "$e"; }
declare -a U C O1 O2
for i in $(seq "$N"); do
	fresh_fs
	F="$W/fs"
	if [ $((i % 2)) = 1 ]; then U+=("$(t umoci unpack --image "$IMG" "$F/u")"); fi
	C+=("$(t "$KAPSEL" image unpack --store "$F/s" "$IMG" "$F/c")")
	O1+=("$(t "$KAPSEL" image unpack --store "$F/s" --mode overlay "$IMG" "$F/o1")")
	O2+=("$(t "$KAPSEL" image unpack --store "$F/s" --mode overlay "$IMG" "$F/o2")")
	if [ $((i % 2)) = 0 ]; then U+=("$(t umoci unpack --image "$IMG" "$F/u")"); fi
	"$KAPSEL" image release "$F/o1" && "$KAPSEL" image release "$F/o2"
	drop_fs
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
mu=$(median "${U[@]}"); mc=$(median "${C[@]}"); mo1=$(median "${O1[@]}"); mo2=$(median "${O2[@]}")
echo "runs: $N (interleaved, bundles on: $FS); all times in ms"
printf '%-34s %8s   %s\n' "umoci unpack" "$mu" "${U[*]}"
printf '%-34s %8s   %s\n' "kapsel copy" "$mc" "${C[*]}"
printf '%-34s %8s   %s\n' "kapsel overlay, first bundle" "$mo1" "${O1[*]}"
printf '%-34s %8s   %s\n' "kapsel overlay, second bundle" "$mo2" "${O2[*]}"
awk -v u="$mu" -v c="$mc" -v o="$mo1" 'BEGIN {
	printf "umoci/kapsel-copy %.2fx, umoci/kapsel-overlay-first %.2fx\n", u / c, u / o }'
