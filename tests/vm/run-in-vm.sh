#!/bin/bash
# Runs a command inside a throw-away qemu VM with a pure cgroup v2 hierarchy
# (every controller enabled at the root), and exits with its exit status.
#
#   tests/vm/run-in-vm.sh [--cwd DIR] CMD [ARGS...]
#
# Why a VM: the build hosts mount cgroups in hybrid mode (v1 controllers, an
# empty cgroup2 at /sys/fs/cgroup/unified), so memory/cpu/pids/io limits of a
# cgroup2 manager cannot be tested on them. The guest runs Debian's own
# kernel under TCG (KVM guests hang on these nested hosts) and sees the host's
# whole filesystem read-only through 9p, under an overlay with a tmpfs upper,
# so the build tree and every host binary (crun, busybox...) are there.
#
# What is built (kernel unpacked, uncompressed vmlinux, initramfs) is cached
# in ${KAPSEL_VM_CACHE:-/var/cache/kapsel-vm}. Exit 77 only when qemu cannot
# run at all. Environment: KAPSEL_VM_TIMEOUT (s, default 1200),
# KAPSEL_VM_MEM (MiB, 1024), KAPSEL_VM_CPUS (2), KAPSEL_VM_VERBOSE=1 shows the
# guest console; KAPSEL_VM_ENV lists names of variables passed into the guest.
# KAPSEL_VM_INIT=systemd boots systemd as PID 1 (tests/vm/vm-systemd.sh) and
# runs the command as a service of it, for the systemd cgroup driver.
set -euo pipefail

CACHE=${KAPSEL_VM_CACHE:-/var/cache/kapsel-vm}
TIMEOUT=${KAPSEL_VM_TIMEOUT:-1200}
MEM=${KAPSEL_VM_MEM:-1024}
CPUS=${KAPSEL_VM_CPUS:-2}
# Modules Debian builds as modules that the guest needs, in any order (the
# load order comes from depmod): 9p for the host share, overlay for the
# root, veth/bridge for network tests, loop for io.max on a block device;
# the *_diag ones let CRIU read sockets (sock_diag), tun its tun devices,
# nf_tables its network lock (and CRIU 3.17 probes nft at every start;
# libcrc32c, which nf_tables needs, finds crc32c only if loaded before);
# without nf_conntrack_netlink CRIU fails to dump a network namespace
# ("-22 reported by netlink" right after "Dumping netns links").
# KAPSEL_VM_MODULES adds more.
MODULES="virtio_pci 9pnet_virtio 9p overlay veth bridge loop"
MODULES="$MODULES unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag tun crc32c_generic nf_tables nf_conntrack_netlink"
MODULES="$MODULES ${KAPSEL_VM_MODULES:-}"

skip() { echo "run-in-vm: SKIP: $*" >&2; exit 77; }
die() { echo "run-in-vm: $*" >&2; exit 99; }
log() { [ -n "${KAPSEL_VM_QUIET:-}" ] || echo "run-in-vm: $*" >&2; }

cwd=$PWD
if [ "${1:-}" = "--cwd" ]; then cwd=$2; shift 2; fi
[ $# -ge 1 ] || die "usage: run-in-vm.sh [--cwd DIR] CMD [ARGS...]"

# --- host packages ---------------------------------------------------------
need_pkgs=()
command -v qemu-system-x86_64 >/dev/null || need_pkgs+=(qemu-system-x86)
[ -x /bin/busybox ] && file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' \
	|| need_pkgs+=(busybox-static)
command -v cpio >/dev/null || need_pkgs+=(cpio)
command -v depmod >/dev/null || [ -x /usr/sbin/depmod ] || need_pkgs+=(kmod)
command -v xz >/dev/null || need_pkgs+=(xz-utils)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing ${need_pkgs[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >&2; then
		apt-get update -q >&2 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_pkgs[@]}" >&2 \
			|| skip "cannot install ${need_pkgs[*]}"
	fi
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not available"
BUSYBOX=$(command -v busybox || echo /bin/busybox)
PATH=$PATH:/usr/sbin:/sbin

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # one builder at a time; concurrent VMs share the finished cache

# --- kernel ----------------------------------------------------------------
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || kpkg=$(cd "$CACHE" && ls -d kernel-linux-image-* 2>/dev/null | sed 's/^kernel-//' | tail -1)
[ -n "$kpkg" ] || skip "cannot find which linux-image package linux-image-amd64 names"
kver=${kpkg#linux-image-}
kdir=$CACHE/kernel-$kpkg
if [ ! -e "$kdir/.done" ]; then
	log "downloading $kpkg"
	rm -rf "$kdir" && mkdir -p "$kdir"
	(cd "$kdir" && apt-get download -q "$kpkg" >&2) || skip "apt-get download $kpkg failed"
	dpkg-deb -x "$kdir"/*.deb "$kdir/root"
	rm -f "$kdir"/*.deb
	touch "$kdir/.done"
fi

# The uncompressed ELF boots through qemu's PVH entry: no TCG time spent
# decompressing (~7 s saved per boot).
vmlinux=$CACHE/vmlinux-$kver
if [ ! -s "$vmlinux" ]; then
	log "extracting vmlinux"
	bz=$kdir/root/boot/vmlinuz-$kver
	for magic in xz:'\xfd7zXZ\x00' gz:'\x1f\x8b\x08' zst:'\x28\xb5\x2f\xfd'; do
		tool=${magic%%:*}; pat=${magic#*:}
		for off in $(LC_ALL=C grep -aobUP "$pat" "$bz" | cut -d: -f1); do
			case $tool in
			xz) tail -c +$((off + 1)) "$bz" | xz -dc >"$vmlinux.tmp" 2>/dev/null || true ;;
			gz) tail -c +$((off + 1)) "$bz" | gzip -dc >"$vmlinux.tmp" 2>/dev/null || true ;;
			zst) tail -c +$((off + 1)) "$bz" | zstd -dc >"$vmlinux.tmp" 2>/dev/null || true ;;
			esac
			if [ -s "$vmlinux.tmp" ] && head -c 4 "$vmlinux.tmp" | grep -q ELF; then
				mv "$vmlinux.tmp" "$vmlinux"; break 2
			fi
		done
	done
	rm -f "$vmlinux.tmp"
	[ -s "$vmlinux" ] || { log "no vmlinux found in $bz: booting the bzImage"; ln -sf "$bz" "$vmlinux"; }
fi

# --- initramfs -------------------------------------------------------------
vmdir=$(dirname "$0")
# Named after its scripts and module list (KAPSEL_VM_MODULES): trees with
# different scripts (other branches, other worktrees) sharing the cache do
# not boot each other's.
initrd=$CACHE/initramfs-$kver-$( (cat "$0" "$vmdir/vm-init.sh" "$vmdir/vm-stage2.sh"; echo $MODULES) | md5sum | cut -c1-10).cpio.gz
if [ ! -s "$initrd" ] || [ "$0" -nt "$initrd" ] || [ "$vmdir/vm-init.sh" -nt "$initrd" ] ||
   [ "$vmdir/vm-stage2.sh" -nt "$initrd" ]; then
	log "building initramfs"
	st=$(mktemp -d)
	trap 'rm -rf "$st"' EXIT
	mkdir -p "$st"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$BUSYBOX" "$st/bin/busybox"
	ln -s busybox "$st/bin/sh"
	# The kernel does not mount devtmpfs before /init here: without a
	# console node /init's output goes nowhere.
	mknod "$st/dev/console" c 5 1
	mknod "$st/dev/null" c 1 3
	mdir=$kdir/root/lib/modules/$kver
	depmod -b "$kdir/root" "$kver"
	# Load order: every module after its dependencies (modules.dep lists them).
	declare -A seen=()
	order=()
	add_mod() {
		local name=$1 line path dep
		line=$(grep -E "(^|/)${name//_/[_-]}\.ko(\.xz)?:" "$mdir/modules.dep" || true)
		[ -n "$line" ] || { grep -qE "/${name//_/[_-]}\.ko" "$mdir/modules.builtin" 2>/dev/null \
			|| log "module $name not found (assuming built in)"; return 0; }
		path=${line%%:*}
		[ -z "${seen[$path]:-}" ] || return 0
		seen[$path]=1
		for dep in ${line#*:}; do
			dep=$(basename "$dep"); dep=${dep%.xz}; dep=${dep%.ko}
			add_mod "$dep"
		done
		order+=("$path")
	}
	for m in $MODULES; do add_mod "$m"; done
	: >"$st/lib/modules/order"
	for p in "${order[@]}"; do
		b=$(basename "$p"); b=${b%.xz}
		case $p in *.xz) xz -dc "$mdir/$p" >"$st/lib/modules/$b" ;; *) cp "$mdir/$p" "$st/lib/modules/$b" ;; esac
		echo "$b" >>"$st/lib/modules/order"
	done
	cp "$vmdir/vm-init.sh" "$st/init"
	cp "$vmdir/vm-stage2.sh" "$st/stage2"
	chmod 755 "$st/init" "$st/stage2"
	(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$st"; trap - EXIT
fi
flock -u 9

# --- run -------------------------------------------------------------------
out=$(mktemp -d /tmp/kapsel-vm-out.XXXXXX)
trap 'rm -rf "$out"' EXIT
{
	echo "cd $(printf '%q' "$cwd") || exit 125"
	for v in ${KAPSEL_VM_ENV:-} KAPSEL abs_top_builddir abs_top_srcdir; do
		[ -n "${!v+x}" ] && echo "export $v=$(printf '%q' "${!v}")"
	done
	printf '%q ' "$@"; echo
} >"$out/cmd"
case ${KAPSEL_VM_INIT:-} in
'') ;;
systemd) (cd "$vmdir" && pwd) | sed 's|$|/vm-systemd.sh|' >"$out/systemd-stage" ;;
*) die "KAPSEL_VM_INIT: expected systemd or nothing" ;;
esac

console=$out/console
[ -n "${KAPSEL_VM_VERBOSE:-}" ] && console=/dev/stderr
t0=$(date +%s.%N)
qrc=0
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg -m "$MEM" -smp "$CPUS" -nographic -no-reboot -nic none \
	-kernel "$vmlinux" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init" \
	-virtfs local,path=/,mount_tag=host,security_model=passthrough,readonly=on \
	-virtfs local,path="$out",mount_tag=out,security_model=passthrough \
	-serial file:"$console" -monitor none -display none </dev/null >"$out/qemu.log" 2>&1 || qrc=$?
t1=$(date +%s.%N)
log "VM ran $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s (qemu exit $qrc)"

[ -f "$out/stdout" ] && cat "$out/stdout"
[ -f "$out/stderr" ] && cat "$out/stderr" >&2
if [ ! -s "$out/rc" ]; then
	echo "run-in-vm: the command's exit status did not come back (qemu exit $qrc)" >&2
	cat "$out/qemu.log" >&2 || true
	[ "$console" = /dev/stderr ] || tail -40 "$console" >&2 || true
	# qemu that cannot start at all (no TCG, no memory...) is a skip.
	if [ ! -s "$out/boot-ok" ] && grep -qiE 'could not|failed to|unsupported' "$out/qemu.log"; then
		exit 77
	fi
	exit 99
fi
[ -f "$out/boot-time" ] && log "guest userspace reached at $(cat "$out/boot-time") s uptime"
exit "$(cat "$out/rc")"
