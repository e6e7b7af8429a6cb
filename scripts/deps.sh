#!/usr/bin/env bash
# Installs the Debian packages needed to build, test, demo and benchmark kapsel.
# apt-get update runs only when something is missing, so a warm machine pays nothing.
# Add packages to PKGS (one list, keep it sorted by purpose).
set -euo pipefail

PKGS=(
	# build
	autoconf automake libtool pkg-config gcc make
	libjansson-dev libseccomp-dev libcap-dev libapparmor-dev libselinux1-dev
	libarchive-dev libmnl-dev libcmocka-dev libnftables-dev nettle-dev libsystemd-dev
	# tests and demo
	busybox-static jq iproute2 uidmap clang libclang-rt-14-dev
	umoci skopeo buildah slirp4netns passt nftables bsdutils tmux
	# hybrid-tools.sh: ctr and podman driving kapsel
	containerd podman
	# comparisons and benchmark
	crun runc hyperfine time containernetworking-plugins netavark
	# cgroup v2 test VM
	qemu-system-x86 cpio kmod xz-utils
	# checkpoint/restore (kapsel drives the criu binary; its tests run in the VM);
	# CRIU runs iptables-save and ip while it dumps a network namespace
	criu iptables
	# the systemd test VM boots the host's systemd; dbus for rootless and crun/runc
	systemd dbus
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
