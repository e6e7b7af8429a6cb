#!/bin/bash
# On a hybrid host, the two tools that always ask for limits run containers
# with kapsel as their runtime (issue 14): `ctr run --runc-binary kapsel`
# through containerd's runc shim (containerd always sets cpu.shares), and
# `podman --runtime kapsel run` with podman's default pids limit. Both with
# their own private state (a containerd of our own on a socket in $T, podman
# with its own --root/--runroot), from a busybox image built here.
here=$(cd "$(dirname "$0")" && pwd)
CG=/sys/fs/cgroup
. "$here/lib.sh"

if [ "$(id -u)" != 0 ] || [ "$(stat -f -c %T $CG/unified 2>/dev/null)" != cgroup2fs ] ||
   ! grep -q ' - cgroup cgroup .*pids' /proc/self/mountinfo; then
	echo "1..0 # SKIP needs root and a hybrid host (cgroup v1 controllers + cgroup2 at $CG/unified)"
	exit 77
fi
for b in podman containerd ctr containerd-shim-runc-v2; do
	if ! command -v $b >/dev/null; then
		echo "1..0 # SKIP $b is not installed (scripts/deps.sh installs podman and containerd)"
		exit 77
	fi
done
make_rootfs
P=hyt$$
cpid=
cleanup() {
	[ -n "$cpid" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
	# vfs storage and containerd's snapshots hold no mounts once the
	# containers are gone; anything still mounted below $T goes first.
	grep -o " $T/[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ours() { find $CG -mindepth 2 -maxdepth 4 -type d -name "*$1*" 2>/dev/null; }

# ---------------------------------------------------------------- podman
pm() { podman --root "$T/podman" --runroot "$T/podman-run" --storage-driver vfs \
	--cgroup-manager cgroupfs --runtime "$KAPSEL" "$@"; }
tar -C "$T/rootfs" -c . | pm import - localhost/kbusybox:$P >"$T/import.out" 2>&1
check "podman import of a busybox image" pm image exists localhost/kbusybox:$P
# podman's default rlimits (nofile/nproc 1048576) need CAP_SYS_RESOURCE
# beyond the hard limits some build sandboxes impose (runc fails there
# too): keep them within ours. Everything cgroup-related stays podman's default.
ulim=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
if pm run "${ulim[@]}" --name $P-pm --rm localhost/kbusybox:$P sh -c 'echo pm-ran; cat /proc/self/cgroup' >"$T/pm.out" 2>&1; then
	ok "podman --runtime kapsel run (default pids limit)"
else
	not_ok "podman --runtime kapsel run (default pids limit)"; sed 's/^/#   /' "$T/pm.out"
fi
check "podman: the process ran" grep -qx pm-ran "$T/pm.out"
check "podman: in its libpod cgroup in the v1 pids hierarchy" grep -q '^[0-9]*:pids:/libpod_parent/libpod-' "$T/pm.out"
cid=$(sed -n 's|^[0-9]*:pids:/libpod_parent/libpod-||p' "$T/pm.out")
eq "podman: its cgroup is gone from every hierarchy after --rm" "$( [ -n "$cid" ] && ours "libpod-$cid" || echo "(no container id)")" ""
if pm run "${ulim[@]}" -d --name $P-pm2 localhost/kbusybox:$P sleep 1000 >"$T/pm2.out" 2>&1; then
	cid=$(cat "$T/pm2.out")
	want=$(pm container inspect --format '{{.HostConfig.PidsLimit}}' $P-pm2)
	check "podman: a default pids limit ($want)" test "${want:-0}" -gt 0
	eq "podman: ... is in pids.max" "$(cat $CG/pids/libpod_parent/libpod-$cid/pids.max 2>&1)" "$want"
	check "podman rm -f" pm rm -f $P-pm2
	eq "podman: its cgroup is gone after rm -f" "$(ours "libpod-$cid")" ""
else
	not_ok "podman run -d"; sed 's/^/#   /' "$T/pm2.out"
fi
pm rmi -f localhost/kbusybox:$P >/dev/null 2>&1

# ---------------------------------------------------------------- containerd
mkdir -p "$T/ctrd"
cat >"$T/ctrd/config.toml" <<EOF
version = 2
root = "$T/ctrd/root"
state = "$T/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$T/ctrd/c.sock"
[ttrpc]
  address = "$T/ctrd/c.sock.ttrpc"
EOF
containerd --config "$T/ctrd/config.toml" >"$T/ctrd/log" 2>&1 &
cpid=$!
ct() { ctr -a "$T/ctrd/c.sock" -n kapsel-$P "$@"; }
wait_for 20 ct version >/dev/null 2>&1
check "a private containerd answers" ct version
tar -C "$T/rootfs" -c . | pm import - localhost/kbusybox:$P >/dev/null 2>&1
pm save --format oci-archive -o "$T/img.tar" localhost/kbusybox:$P >/dev/null 2>&1
pm rmi -f localhost/kbusybox:$P >/dev/null 2>&1
check "ctr images import" ct images import --base-name localhost/kbusybox "$T/img.tar"
if timeout 120 ctr -a "$T/ctrd/c.sock" -n kapsel-$P run --rm --runc-binary "$KAPSEL" \
	localhost/kbusybox:$P $P-ct sh -c 'echo ct-ran; cat /proc/self/cgroup' >"$T/ct.out" 2>&1; then
	ok "ctr run --runc-binary kapsel (containerd's runc shim, cpu.shares set)"
else
	not_ok "ctr run --runc-binary kapsel"; sed 's/^/#   /' "$T/ct.out"
fi
check "ctr: the process ran" grep -qx ct-ran "$T/ct.out"
check "ctr: in /kapsel-$P/$P-ct of the v1 cpu hierarchy" grep -qx "[0-9]*:cpu:/kapsel-$P/$P-ct" "$T/ct.out"
eq "ctr: its cgroup is gone from every hierarchy after --rm" "$(ours "$P-ct")" ""
# A process that exits at once: start must not lose the race with it.
fails=0
for i in 1 2 3 4 5 6 7 8; do
	timeout 60 ctr -a "$T/ctrd/c.sock" -n kapsel-$P run --rm --runc-binary "$KAPSEL" \
		localhost/kbusybox:$P $P-q$i true >"$T/q.out" 2>&1 || { fails=$((fails + 1)); sed 's/^/#   /' "$T/q.out"; }
done
eq "ctr: 8 runs of a process that exits at once" "$fails" 0
ct images rm localhost/kbusybox:$P >/dev/null 2>&1
for d in $CG/*/kapsel-$P; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
done_testing
