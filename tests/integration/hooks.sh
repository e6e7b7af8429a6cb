#!/bin/sh
# OCI hooks in real containers: every kind records what it saw (the state on
# stdin, its namespaces, the hostname) and the test checks it against
# config.md / runtime.md; then a hook that times out and one that fails.
# Needs root and busybox-static. KAPSEL may point at another runtime
# (KAPSEL=/usr/sbin/runc) to check the test itself.
set -u

KAPSEL=${KAPSEL:-${abs_top_builddir:-.}/kapsel}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root"
BUSYBOX=$(command -v busybox) || skip "needs busybox (apt-get install busybox-static)"
case "$(file -L "$BUSYBOX" 2>/dev/null)" in
*statically*) ;;
*) skip "needs a static busybox (busybox-static)" ;;
esac
[ -x "$KAPSEL" ] || skip "no runtime at $KAPSEL"

T=$(mktemp -d /tmp/kapsel-hooks-it.XXXXXX)
ROOT=$T/state
ID=hooks-it-$$
cleanup() {
	"$KAPSEL" --root "$ROOT" delete -f "$ID" >/dev/null 2>&1
	"$KAPSEL" --root "$ROOT" delete -f "$ID-t" >/dev/null 2>&1
	"$KAPSEL" --root "$ROOT" delete -f "$ID-f" >/dev/null 2>&1
	"$KAPSEL" --root "$ROOT" delete -f "$ID-p" >/dev/null 2>&1
	"$KAPSEL" --root "$ROOT" delete -f "$ID-s" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

# --- bundle --------------------------------------------------------------
B=$T/bundle
OUT=$T/out
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/out" "$OUT"
cp "$BUSYBOX" "$B/rootfs/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$B/rootfs/bin/$a"
done

# The recorder: $1 = hook kind, $2 = where to write. Runs on the host (its
# path resolves in the runtime namespace) and, for startContainer, as
# /hook.sh inside the container with busybox.
cat > "$T/hook.sh" <<'EOF'
#!/bin/sh
kind=$1 out=$2
state=$(cat)
status=$(printf '%s' "$state" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
pid=$(printf '%s' "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
id=$(printf '%s' "$state" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
{
	echo "status=$status"
	echo "pid=$pid"
	echo "id=$id"
	echo "mnt=$(readlink /proc/self/ns/mnt)"
	echo "uts=$(readlink /proc/self/ns/uts)"
	echo "host=$(uname -n)"
	echo "env=$HOOK_ENV"
} > "$out/$kind"
echo "$kind" >> "$out/order"
EOF
chmod 755 "$T/hook.sh"
cp "$T/hook.sh" "$B/rootfs/hook.sh"

hook() {   # kind, path, output dir
	printf '{"path": "%s", "args": ["hook", "%s", "%s"], "env": ["HOOK_ENV=%s"]}' \
		"$2" "$1" "$3" "$1"
}

write_config() {   # hooks object, process args (JSON)
	cat > "$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false, "user": {"uid": 0, "gid": 0},
    "args": $2,
    "env": ["PATH=/bin"], "cwd": "/"
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "hooktest",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
    {"destination": "/out", "type": "bind", "source": "$OUT", "options": ["rbind", "rw"]}
  ],
  "hooks": $1,
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}, {"type": "ipc"},
                   {"type": "network"}]
  }
}
EOF
}

field() {   # file, key
	sed -n "s/^$2=//p" "$1"
}

kapsel() {
	"$KAPSEL" --root "$ROOT" "$@"
}

# --- 1. every kind, in a container's life ------------------------------------
H=$T/hook.sh
write_config "{
  \"prestart\": [$(hook prestart "$H" "$OUT")],
  \"createRuntime\": [$(hook createRuntime "$H" "$OUT")],
  \"createContainer\": [$(hook createContainer "$H" "$OUT")],
  \"startContainer\": [$(hook startContainer /hook.sh /out)],
  \"poststart\": [$(hook poststart "$H" "$OUT")],
  \"poststop\": [$(hook poststop "$H" "$OUT")]
}" '["sleep", "30"]'

kapsel create -b "$B" "$ID" </dev/null >/dev/null || fail "create with hooks"
pid=$(kapsel state "$ID" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
[ -n "$pid" ] || fail "no pid in state"
cmnt=$(readlink "/proc/$pid/ns/mnt")
cuts=$(readlink "/proc/$pid/ns/uts")
hmnt=$(readlink /proc/self/ns/mnt)
huts=$(readlink /proc/self/ns/uts)
hhost=$(uname -n)

for k in prestart createRuntime createContainer; do
	[ -f "$OUT/$k" ] || fail "$k hook did not run at create"
	[ "$(field "$OUT/$k" status)" = creating ] || fail "$k: status $(field "$OUT/$k" status), want creating"
	[ "$(field "$OUT/$k" id)" = "$ID" ] || fail "$k: id $(field "$OUT/$k" id)"
	[ "$(field "$OUT/$k" env)" = "$k" ] || fail "$k: env not from the config"
done
[ -f "$OUT/startContainer" ] && fail "startContainer ran before start"
[ -f "$OUT/poststart" ] && fail "poststart ran before start"
for k in prestart createRuntime; do   # runtime namespace
	[ "$(field "$OUT/$k" pid)" = "$pid" ] || fail "$k: pid $(field "$OUT/$k" pid), want $pid"
	[ "$(field "$OUT/$k" mnt)" = "$hmnt" ] || fail "$k: not in the runtime's mount ns"
	[ "$(field "$OUT/$k" host)" = "$hhost" ] || fail "$k: not in the runtime's uts ns"
done
# createContainer: the container's namespaces (before pivot_root)
[ "$(field "$OUT/createContainer" pid)" = "$pid" ] || fail "createContainer: pid $(field "$OUT/createContainer" pid), want $pid"
[ "$(field "$OUT/createContainer" mnt)" = "$cmnt" ] || fail "createContainer: mnt ns $(field "$OUT/createContainer" mnt), want $cmnt"
[ "$(field "$OUT/createContainer" uts)" = "$cuts" ] || fail "createContainer: not in the container's uts ns"
[ "$(field "$OUT/createContainer" host)" = hooktest ] || fail "createContainer: hostname $(field "$OUT/createContainer" host)"

kapsel start "$ID" || fail "start"
sleep 0.3
[ -f "$OUT/startContainer" ] || fail "startContainer hook did not run"
[ "$(field "$OUT/startContainer" status)" = created ] || fail "startContainer: status $(field "$OUT/startContainer" status), want created"
# It runs in the container's pid namespace: the init is pid 1 there (runc
# 1.1.5 sends the same, its init's getpid()).
[ "$(field "$OUT/startContainer" pid)" = 1 ] || fail "startContainer: pid $(field "$OUT/startContainer" pid), want 1"
[ "$(field "$OUT/startContainer" mnt)" = "$cmnt" ] || fail "startContainer: not in the container's mount ns"
[ "$(field "$OUT/startContainer" host)" = hooktest ] || fail "startContainer: hostname $(field "$OUT/startContainer" host)"
[ -f "$OUT/poststart" ] || fail "poststart hook did not run"
[ "$(field "$OUT/poststart" status)" = running ] || fail "poststart: status $(field "$OUT/poststart" status), want running"
[ "$(field "$OUT/poststart" pid)" = "$pid" ] || fail "poststart: pid $(field "$OUT/poststart" pid), want $pid"
[ "$(field "$OUT/poststart" mnt)" = "$hmnt" ] || fail "poststart: not in the runtime's mount ns"
[ -f "$OUT/poststop" ] && fail "poststop ran before delete"

kapsel kill "$ID" KILL || fail "kill"
for i in $(seq 50); do
	kapsel state "$ID" 2>/dev/null | grep -q '"stopped"' && break
	sleep 0.1
done
kapsel delete "$ID" || fail "delete"
[ -f "$OUT/poststop" ] || fail "poststop hook did not run at delete"
[ "$(field "$OUT/poststop" status)" = stopped ] || fail "poststop: status $(field "$OUT/poststop" status), want stopped"
[ "$(field "$OUT/poststop" mnt)" = "$hmnt" ] || fail "poststop: not in the runtime's mount ns"
order=$(tr '\n' ' ' < "$OUT/order")
[ "$order" = "prestart createRuntime createContainer startContainer poststart poststop " ] ||
	fail "order: $order"

# --- 2. a hook that times out ------------------------------------------------
rm -f "$OUT"/*
printf '#!/bin/sh\necho $$ > %s/slow.pid\nexec sleep 100\n' "$OUT" > "$T/slow.sh"
chmod 755 "$T/slow.sh"
write_config "{
  \"createRuntime\": [{\"path\": \"$T/slow.sh\", \"timeout\": 1}],
  \"poststop\": [$(hook poststop "$H" "$OUT")]
}" '["true"]'
t0=$(date +%s)
kapsel create -b "$B" "$ID-t" </dev/null >/dev/null 2>"$T/err" && fail "create with a hook that times out succeeded"
took=$(( $(date +%s) - t0 ))
[ "$took" -le 5 ] || fail "timeout: create took $took s"
grep -qi "time" "$T/err" || fail "timeout: error does not say so: $(cat "$T/err")"
slow=$(cat "$OUT/slow.pid")
sleep 0.2
if [ -d "/proc/$slow" ] && ! grep -q '^State:.*Z' "/proc/$slow/status"; then
	fail "timeout: the hook (pid $slow) is still alive"
fi
kapsel state "$ID-t" >/dev/null 2>&1 && fail "timeout: the container was left behind"
[ -f "$OUT/poststop" ] || fail "timeout: poststop did not run after the failed create"

# --- 3. a hook that fails ----------------------------------------------------
rm -f "$OUT"/*
write_config "{
  \"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo broken >&2; exit 3\"]}],
  \"poststop\": [$(hook poststop "$H" "$OUT")]
}" '["true"]'
kapsel create -b "$B" "$ID-f" </dev/null >/dev/null 2>"$T/err" && fail "create with a failing hook succeeded"
grep -q "status 3" "$T/err" || fail "failing hook: error lacks the status: $(cat "$T/err")"
grep -q "broken" "$T/err" || fail "failing hook: error lacks the hook's output: $(cat "$T/err")"
kapsel state "$ID-f" >/dev/null 2>&1 && fail "failing hook: the container was left behind"
[ -f "$OUT/poststop" ] || fail "failing hook: poststop did not run after the failed create"

# --- 4. a poststart hook that fails: start fails, the container is killed ---
rm -f "$OUT"/*
write_config "{
  \"poststart\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"exit 4\"]}],
  \"poststop\": [$(hook poststop "$H" "$OUT")]
}" '["sleep", "30"]'
kapsel create -b "$B" "$ID-p" </dev/null >/dev/null 2>"$T/err" || fail "create (poststart case): $(cat "$T/err")"
ppid=$(kapsel state "$ID-p" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
kapsel start "$ID-p" </dev/null >/dev/null 2>"$T/err" && fail "start with a failing poststart hook succeeded"
grep -qi "poststart" "$T/err" || fail "failing poststart: the error does not name it: $(cat "$T/err")"
for i in $(seq 50); do
	{ [ -d "/proc/$ppid" ] && ! grep -q '^State:.*Z' "/proc/$ppid/status"; } || break
	sleep 0.1
done
if [ -d "/proc/$ppid" ] && ! grep -q '^State:.*Z' "/proc/$ppid/status"; then
	fail "failing poststart: the container process (pid $ppid) still runs"
fi
kapsel delete -f "$ID-p" >/dev/null 2>&1
[ -f "$OUT/poststop" ] || fail "failing poststart: poststop did not run at delete"

# --- 5. a poststop hook that fails: only logged, delete succeeds ---------------
write_config '{
  "poststop": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 5"]}]
}' '["true"]'
kapsel run -b "$B" "$ID-s" </dev/null >/dev/null 2>"$T/err" || fail "run with a failing poststop hook failed: $(cat "$T/err")"
kapsel state "$ID-s" >/dev/null 2>&1 && fail "failing poststop: the container was left behind"
grep -qi "poststop" "$T/err" || fail "failing poststop: not logged: $(cat "$T/err")"

echo "PASS: hooks"
