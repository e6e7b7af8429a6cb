#!/usr/bin/env bash
# README command 1: builds kapsel and runs real containers on a busybox-static
# rootfs (no network needed), showing isolation, limits and networking.
# KAPSEL=/usr/sbin/runc scripts/demo.sh runs the same demo on runc.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

[ "$(id -u)" -eq 0 ] || {
	echo "demo.sh: must run as root (containers need namespaces, mounts and cgroups): su -c $0 root" >&2
	exit 1
}

bash scripts/deps.sh
if [ -z "${KAPSEL:-}" ]; then
	echo "== building kapsel in ./build"
	bash scripts/build.sh build
	KAPSEL=$SRC/build/kapsel
fi
echo "== runtime: $KAPSEL ($("$KAPSEL" --version 2>&1 | head -n1))"

WORK=$(mktemp -d /tmp/kapsel-demo.XXXXXX)
chmod 755 "$WORK"
ROOT="$WORK/state"
cleanup() {
	local id
	for id in $(ls "$ROOT" 2>/dev/null); do "$KAPSEL" --root "$ROOT" delete --force "$id" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# ---- a bundle from busybox-static ------------------------------------------
BB=$(command -v busybox)
R="$WORK/bundle/rootfs"
mkdir -p "$R"/{bin,proc,sys,dev,etc,tmp,root,home/user}
chmod 1777 "$R/tmp"
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' >"$R/etc/group"
(cd "$WORK/bundle" && "$KAPSEL" spec)
B="$WORK/bundle"

# cfg JQFILTER [ARGS]: edit the bundle's config.json.
cfg() { local f=$1; shift; jq "$f" "$B/config.json" "$@" >"$B/c.new" && mv "$B/c.new" "$B/config.json"; }
cfg '.process.terminal = false | .root.readonly = false | .hostname = "kapsel-demo"'
N=0
# run_sh TITLE SCRIPT: one container in the foreground running `sh -c SCRIPT`.
run_sh() {
	N=$((N + 1))
	echo
	echo "== $1"
	cfg '.process.args = ["sh", "-c", $s]' --arg s "$2"
	"$KAPSEL" --root "$ROOT" run --bundle "$B" "demo-$$-$N" </dev/null || echo "(exit status $?)"
}

# ---- isolation ----------------------------------------------------------
echo
echo "host: hostname $(hostname), $(ls /proc | grep -c '^[0-9]') processes, $(wc -l </proc/self/mountinfo) mounts"
run_sh "isolation: hostname, pid 1, processes, mounts, user" '
	echo "hostname:  $(hostname)"
	echo "my pid:    $$ ($(cat /proc/1/comm) is pid 1)"
	echo "processes:"; ps -o pid,user,comm
	echo "mounts:";   awk "{ for (i = 7; \$i != \"-\"; i++); printf \"  %-14s %s\n\", \$5, \$(i+1) }" /proc/self/mountinfo
	echo "id:        $(id)"
	echo "namespaces: $(for n in pid mnt uts ipc net; do printf "%s " "$(readlink /proc/self/ns/$n)"; done)"'
echo "host namespaces: $(for n in pid mnt uts ipc net; do printf "%s " "$(readlink /proc/self/ns/$n)"; done)"

cfg '.process.user = {"uid": 1000, "gid": 1000}'
run_sh "an unprivileged user inside" 'id; touch /etc/passwd 2>&1 || true'
cfg '.process.user = {"uid": 0, "gid": 0}'

# ---- limits -------------------------------------------------------------
cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 256, "hard": 256},
	{"type": "RLIMIT_NPROC", "soft": 64, "hard": 64}]'
cgroup_note=""
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers \
	&& grep -qw pids /sys/fs/cgroup/cgroup.controllers; then
	# A pure cgroup v2 host with controllers: real limits.
	cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 32}'
	cgroup_note="memory.max 64 MiB and pids.max 32 applied (cgroup v2)"
	check='echo "memory.max: $(cat /sys/fs/cgroup/memory.max)"; echo "pids.max:   $(cat /sys/fs/cgroup/pids.max)"'
elif grep -q ' - cgroup .*[,=]memory' /proc/self/mountinfo && grep -q ' - cgroup .*[,=]pids' /proc/self/mountinfo; then
	# Hybrid (these build machines) or pure v1: the limits go to the v1
	# hierarchies, as runc puts them.
	cfg '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 32}'
	cgroup_note="memory.limit_in_bytes 64 MiB and pids.max 32 applied in the cgroup v1 hierarchies (this host is $([ -d /sys/fs/cgroup/unified ] && echo "hybrid: v1 controllers + a cgroup2 at /sys/fs/cgroup/unified" || echo "cgroup v1"))"
	check='grep -E "^[0-9]+:(memory|pids):" /proc/self/cgroup | sed "s/^/in cgroup /"'
else
	cgroup_note="not applied: no memory and pids controllers on this host"
	check='true'
fi
echo
echo "cgroup limits: $cgroup_note"
run_sh "limits" "echo \"ulimit -n: \$(ulimit -n)\"; echo \"ulimit -u: \$(ulimit -u)\"; $check"
cfg 'del(.process.rlimits) | del(.linux.resources.memory) | del(.linux.resources.pids)'

# ---- networking ---------------------------------------------------------
run_sh "networking: a new network namespace with only loopback" '
	ip -o link | cut -d: -f2
	ip -o addr show lo | sed "s/^/  /"
	nc -l -p 8081 >/tmp/got & sleep 0.3
	echo "hello over loopback" | nc 127.0.0.1 8081; sleep 0.3
	echo "a TCP server on 127.0.0.1:8081 received: $(cat /tmp/got)"'

# HOOK(net helper): bridge networking. When `kapsel run` accepts
# `--network bridge` (netsetup/), this runs a container attached to the bridge
# and shows its address and route. Until then it says so; nothing is faked.
if "$KAPSEL" run --help 2>&1 | grep -q -- '--network'; then
	N=$((N + 1))
	echo
	echo "== networking: --network bridge"
	cfg '.process.args = ["sh", "-c", "ip -o addr; ip route"]'
	"$KAPSEL" --root "$ROOT" run --network bridge --bundle "$B" "demo-$$-$N" </dev/null \
		|| echo "(exit status $?)"
else
	echo
	echo "== networking: --network bridge: not available in this runtime build yet"
fi

echo
left=$("$KAPSEL" --root "$ROOT" list -q 2>/dev/null | tr '\n' ' ')
echo "== done; containers left: ${left:-none}"
