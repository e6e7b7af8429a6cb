#!/bin/sh
# Second stage of the test VM, in the real root (the host's userspace):
# mounts the API filesystems and a pure cgroup2 with every controller
# enabled at the root, runs /run/vm-out/cmd, writes its status, powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
out=/run/vm-out
# KAPSEL_VM_INIT=systemd: systemd becomes PID 1 (vm-systemd.sh, read from
# the shared tree, sets it up) and mounts the API filesystems itself.
[ -s $out/systemd-stage ] && exec /bin/sh "$(cat $out/systemd-stage)"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t tmpfs tmpfs /var/tmp
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
	echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
done
hostname kapsel-vm
ip link set lo up 2>/dev/null
cut -d' ' -f1 /proc/uptime >$out/boot-time
echo ok >$out/boot-ok
/bin/sh $out/cmd >$out/stdout 2>$out/stderr </dev/null
echo $? >$out/rc
sync
echo o >/proc/sysrq-trigger
sleep 30
