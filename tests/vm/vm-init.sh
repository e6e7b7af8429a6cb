#!/bin/sh
# /init of the test VM's initramfs (busybox): loads the 9p and overlay
# modules, builds the root (host / read-only + tmpfs upper) and switch_roots
# into it. Not chroot: the kernel refuses new user namespaces to a chrooted
# process, and pivot_root (every container runtime) fails on the initramfs.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
while read -r m; do
	insmod "/lib/modules/$m" || echo "vm-init: insmod $m failed"
done </lib/modules/order
fail() { echo "vm-init: $*"; echo o >/proc/sysrq-trigger; sleep 10; }
mkdir -p /lower /rw
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /lower || fail "mount 9p host"
mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
	|| fail "mount overlay"
mkdir -p /newroot/run
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mkdir -p /newroot/run/vm-out
mount -t 9p -o trans=virtio,version=9p2000.L out /newroot/run/vm-out || fail "mount 9p out"
cp /stage2 /newroot/run/vm-stage2
umount /proc /sys /dev 2>/dev/null
exec switch_root /newroot /run/vm-stage2
