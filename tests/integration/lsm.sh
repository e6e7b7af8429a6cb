#!/bin/bash
# lsm/ through real containers: a seccomp filter, capabilities of a non-root
# process, no_new_privs, namespaced sysctls (the host's untouched), refusal
# of a bad config with nothing left behind, and AppArmor where the kernel has
# it. Needs root, the runtime's `run` command and a static busybox; skips (77)
# otherwise. $KAPSEL: the binary (make check sets it).
set -u

KAPSEL=${KAPSEL:-$(dirname "$0")/../../kapsel}
skip() { echo "lsm.sh: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$KAPSEL" ] || skip "no kapsel binary at $KAPSEL"
"$KAPSEL" --help 2>&1 | grep -q '^  run ' || skip "this kapsel has no run command yet"
BUSYBOX=$(command -v busybox || echo /bin/busybox)
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || skip "needs a static busybox"

work=$(mktemp -d /tmp/kapsel-lsm-it.XXXXXX)
state=$work/state
trap '"$KAPSEL" --root "$state" delete -f lsm-it >/dev/null 2>&1; rm -rf "$work"' EXIT
mkdir -p "$work/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$work/rootfs/bin/busybox"
for c in sh cat grep mkdir id; do ln -s busybox "$work/rootfs/bin/$c"; done
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

# config USER_JSON CAPS_JSON NNP EXTRA_LINUX_JSON SCRIPT [PROCESS_EXTRA]
config() {
	cat >"$work/config.json" <<JSON
{
 "ociVersion": "1.2.0",
 "root": {"path": "rootfs"},
 "hostname": "lsm",
 "process": {
  "terminal": false, "user": $1, "cwd": "/",
  "args": ["sh", "-c", $(printf '%s' "$5" | sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/')],
  "env": ["PATH=/bin"],
  "capabilities": $2,
  "noNewPrivileges": $3 ${6:-}
 },
 "mounts": [
  {"destination": "/proc", "type": "proc", "source": "proc"},
  {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid","mode=755"]}
 ],
 "linux": {
  "namespaces": [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
  "maskedPaths": ["/proc/kcore"],
  "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"]
  $4
 }
}
JSON
}

run() { (cd "$work" && "$KAPSEL" --root "$state" run lsm-it) >"$work/out" 2>"$work/err"; }

# 1. seccomp ERRNO, no_new_privs, capabilities of uid 1000
config '{"uid": 1000, "gid": 1000}' \
	'{"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"],"inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]}' \
	true ', "seccomp": {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":95}]}' \
	'grep -E "^(Cap|Seccomp|NoNewPrivs)" /proc/self/status; id -u; mkdir /tmp/d 2>&1; echo rc=$?'
if run; then
	grep -q "^Seccomp:.2" "$work/out" && grep -q "not supported" "$work/out" \
		&& ok "seccomp ERRNO(ENOTSUP) on mkdir" || notok "seccomp ERRNO(ENOTSUP) on mkdir"
	grep -q "^NoNewPrivs:.1" "$work/out" && ok "noNewPrivileges" || notok "noNewPrivileges"
	grep -q "^CapBnd:.0000000000000021" "$work/out" && grep -q "^CapEff:.0000000000000020" "$work/out" \
		&& grep -q "^CapAmb:.0000000000000020" "$work/out" && grep -qx 1000 "$work/out" \
		&& ok "capabilities of uid 1000" || notok "capabilities of uid 1000"
else
	notok "run with seccomp/caps: $(cat "$work/err")"
fi
[ $fails = 0 ] || { cat "$work/out" "$work/err"; }

# 2. sysctls land in the container's namespaces only
host_shm=$(cat /proc/sys/kernel/shmmax)
config '{"uid": 0, "gid": 0}' '{"bounding":[],"effective":[],"permitted":[]}' false \
	', "sysctl": {"kernel.shmmax":"424242","net.ipv4.ip_forward":"1"}' \
	'cat /proc/sys/kernel/shmmax /proc/sys/net/ipv4/ip_forward'
if run && [ "$(tr '\n' ' ' <"$work/out")" = "424242 1 " ] && \
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shm" ]; then
	ok "sysctl in the container's ipc/net namespaces"
else
	notok "sysctl: $(cat "$work/out" "$work/err" | tr '\n' ' ')"
fi

# 3. a bad config fails up front, naming the field, leaving nothing
config '{"uid": 0, "gid": 0}' '{"bounding":["CAP_FOO"]}' false '' 'true'
if ! run && grep -q 'process.capabilities.bounding: unknown capability "CAP_FOO"' "$work/err" \
	&& [ -z "$(ls -A "$state" 2>/dev/null)" ]; then
	ok "unknown capability refused, nothing created"
else
	notok "unknown capability: $(cat "$work/err")"
fi
config '{"uid": 0, "gid": 0}' '{}' false ', "sysctl": {"vm.swappiness":"1"}' 'true'
if ! run && grep -q 'vm.swappiness is not in a separate kernel namespace' "$work/err"; then
	ok "host sysctl refused"
else
	notok "host sysctl: $(cat "$work/err")"
fi

# 4. AppArmor (the test VM has it; KAPSEL_APPARMOR_PARSER may point to a parser)
parser=${KAPSEL_APPARMOR_PARSER:-/sbin/apparmor_parser}
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && [ -x "$parser" ] \
	&& [ -d /sys/kernel/security/apparmor ]; then
	printf 'profile kapsel-it flags=(attach_disconnected) {\n file,\n capability,\n signal,\n}\n' \
		>"$work/profile"
	"$parser" -r "$work/profile" 2>/dev/null
	config '{"uid": 0, "gid": 0}' '{}' false '' 'cat /proc/self/attr/current' \
		', "apparmorProfile": "kapsel-it"'
	if run && grep -q '^kapsel-it (enforce)' "$work/out"; then
		ok "apparmorProfile applied"
	else
		notok "apparmorProfile: $(cat "$work/out" "$work/err" | tr '\n' ' ')"
	fi
	"$parser" -R "$work/profile" 2>/dev/null
else
	n=$((n + 1)); echo "ok $n # SKIP AppArmor not enabled here"
fi
echo "1..$n"
[ $fails = 0 ]
