#!/usr/bin/env bash
# Every command of issue 2 and the status lifecycle, on real containers.
. "$(dirname "$0")/lib.sh"
kt_init

# ---- global flags --------------------------------------------------------
kk --version
assert_rc "--version exits 0" 0
assert_match "--version names a version" "$OUT" '[0-9]+\.[0-9]+'
for c in spec create start run state list kill delete; do
	kk "$c" --help
	assert_rc "$c --help exits 0" 0
done

# ---- spec ----------------------------------------------------------------
mkdir -p "$KT_WORK/spec"
(cd "$KT_WORK/spec" && K spec) </dev/null >/dev/null 2>&1
RC=$?
assert_rc "spec writes config.json" 0
s=$(jq -r '[.ociVersion, .root.path, (.process.args | type), (.linux.namespaces | length > 0)] | @tsv' \
	"$KT_WORK/spec/config.json" 2>&1)
assert_match "spec: ociVersion, root.path rootfs, args array, namespaces" "$s" \
	$'^1\\.[0-9]+\\.[0-9]+[^\t]*\trootfs\tarray\ttrue$'
expect_fail "spec refuses to overwrite config.json" 'config\.json' \
	K spec --bundle "$KT_WORK/spec"
mkdir -p "$KT_WORK/spec-rl"
kk spec --rootless --bundle "$KT_WORK/spec-rl"
assert_rc "spec --rootless --bundle DIR" 0
s=$(jq -r '[(.linux.namespaces | map(.type) | index("user") != null),
	(.linux.uidMappings | length), (.linux.gidMappings | length)] | @tsv' \
	"$KT_WORK/spec-rl/config.json" 2>&1)
assert_eq "spec --rootless: user namespace with uid and gid mappings" $'true\t1\t1' "$s"

# ---- create / start / state / kill / delete: the lifecycle --------------
make_bundle life
set_args life sh -c 'echo started > /tmp/marker; exec sleep 1000'
cfg life '.annotations = {"org.kapsel.test": "hello"}'
new_id; LIFE=$ID
kk create --bundle "$KT_WORK/life" --pid-file "$KT_WORK/life.pid" "$LIFE"
assert_rc "create" 0
assert_eq "create: status created" created "$(state_field "$LIFE" .status)"
pid=$(state_field "$LIFE" .pid)
assert_match "create: pid is a positive number" "$pid" '^[1-9][0-9]*$'
assert_eq "create --pid-file holds the init pid" "$pid" "$(cat "$KT_WORK/life.pid" 2>&1)"
[ -d "/proc/$pid" ] && t_pass "create: init process exists" || t_fail "create: init process exists"
[ ! -e "$KT_WORK/life/rootfs/tmp/marker" ] && t_pass "create: user process not started yet" \
	|| t_fail "create: user process not started yet" "rootfs/tmp/marker exists"
assert_ne "create: init is in its own pid namespace" "$(readlink /proc/self/ns/pid)" \
	"$(readlink "/proc/$pid/ns/pid" 2>&1)"

# state JSON fields
K state "$LIFE" </dev/null >"$KT_TMP/state" 2>&1
s=$(jq -r '[.ociVersion, .id, .status, (.pid|tostring), .bundle,
	.annotations["org.kapsel.test"], (.created|type), (has("owner"))] | @tsv' "$KT_TMP/state" 2>&1)
assert_match "state: ociVersion id status pid bundle annotations created owner" "$s" \
	"^1\\.[0-9.]+[^	]*	$LIFE	created	$pid	$KT_WORK/life	hello	string	true\$"
created=$(jq -r .created "$KT_TMP/state" 2>/dev/null)
assert_match "state: created is RFC 3339" "$created" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

kk start "$LIFE"
assert_rc "start" 0
wait_file "$KT_WORK/life/rootfs/tmp/marker"
assert_eq "start: the process ran" started "$(cat "$KT_WORK/life/rootfs/tmp/marker" 2>&1)"
assert_eq "start: status running" running "$(state_field "$LIFE" .status)"
assert_eq "start: same pid (exec, not fork)" "$pid" "$(state_field "$LIFE" .pid)"
expect_fail "start twice is refused" 'running|not.*created|cannot start' K start "$LIFE"

# list
kk list
assert_rc "list" 0
assert_match "list: table header" "$(head -n1 <<<"$OUT")" '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
assert_match "list: table row" "$OUT" "^$LIFE +$pid +running +$KT_WORK/life "
kk list --format json
assert_eq "list --format json" "running $pid" \
	"$(jq -r --arg id "$LIFE" '.[] | select(.id == $id) | "\(.status) \(.pid)"' <<<"$OUT" 2>&1)"
kk list -q
assert_eq "list -q prints only ids" "$LIFE" "$OUT"

kk kill "$LIFE" KILL
assert_rc "kill ID KILL" 0
wait_status "$LIFE" stopped
assert_eq "kill: status stopped" stopped "$(state_field "$LIFE" .status)"
expect_fail "delete --force not needed, but start of a stopped container fails" \
	'stopped|not.*created|cannot start' K start "$LIFE"
kk delete "$LIFE"
assert_rc "delete a stopped container" 0
[ ! -e "$KT_ROOT/$LIFE" ] && t_pass "delete removes the state directory" \
	|| t_fail "delete removes the state directory"
expect_fail "state after delete: does not exist" 'not exist|no such|not found' K state "$LIFE"
kk list -q
assert_eq "list -q empty after delete" "" "$OUT"

# A process that exits on its own shows stopped.
make_bundle self
set_args self sh -c 'exit 3'
new_id
kk create --bundle "$KT_WORK/self" "$ID"
kk start "$ID"
assert_rc "start a short-lived process" 0
wait_status "$ID" stopped
assert_eq "exited on its own: status stopped" stopped "$(state_field "$ID" .status)"
kk delete "$ID"
assert_rc "delete it" 0

# delete of a created (never started) container kills its init.
new_id
kk create --bundle "$KT_WORK/self" "$ID"
pid=$(state_field "$ID" .pid)
kk delete "$ID"
assert_rc "delete a created container" 0
[ -n "$pid" ] && wait_gone "$pid" && t_pass "delete of created: init gone" \
	|| t_fail "delete of created: init gone" "pid $pid"

# delete of a running container needs --force.
make_bundle long
set_args long sleep 1000
new_id
kk run --detach --bundle "$KT_WORK/long" "$ID"
assert_rc "run --detach returns" 0
expect_fail "delete of a running container refused" 'running|force' K delete "$ID"
assert_eq "still running after refused delete" running "$(state_field "$ID" .status)"
pid=$(state_field "$ID" .pid)
kk delete --force "$ID"
assert_rc "delete --force of a running container" 0
wait_gone "$pid" && t_pass "delete --force: process gone" || t_fail "delete --force: process gone"
[ ! -e "$KT_ROOT/$ID" ] && t_pass "delete --force: state gone" || t_fail "delete --force: state gone"

# ---- run in the foreground: exit codes and signals ----------------------
make_bundle fg
for code in 0 3 42; do
	ctr_sh fg "exit $code"
	assert_rc "run: exit code $code" "$code"
done
ctr_sh fg 'echo out; echo err >&2'
assert_eq "run: stdout inherited" out "$OUT"
assert_contains "run: stderr inherited" "$ERR" err
set_args fg cat
new_id
K run --bundle "$KT_WORK/fg" "$ID" <<<"from-stdin" >"$KT_TMP/out" 2>&1
assert_eq "run: stdin inherited" from-stdin "$(cat "$KT_TMP/out")"
[ ! -e "$KT_ROOT/$ID" ] && t_pass "run: foreground container deleted on exit" \
	|| t_fail "run: foreground container deleted on exit"

# Killed by a signal: 128+N. In a pid namespace init ignores signals it has no
# handler for, so the kill comes from the host (KILL always lands).
set_args fg sleep 1000
new_id
K run --bundle "$KT_WORK/fg" "$ID" </dev/null >/dev/null 2>&1 &
rpid=$!
wait_status "$ID" running
kk kill "$ID" 9
assert_rc "kill ID 9 (by number)" 0
wait $rpid; RC=$?
assert_rc "run: killed by SIGKILL exits 137" 137

# Without a pid namespace the shell is not init and dies of its own SIGTERM.
make_bundle nopid
cfg nopid '.linux.namespaces |= map(select(.type != "pid"))'
ctr_sh nopid 'kill -TERM $$; sleep 5'
assert_rc "run: killed by SIGTERM exits 143" 143

# Signals sent to the foreground runtime are forwarded.
set_args fg sh -c 'trap "exit 7" TERM; echo up > /tmp/up; while :; do sleep 0.1; done'
new_id
K run --bundle "$KT_WORK/fg" "$ID" </dev/null >/dev/null 2>&1 &
rpid=$!
wait_file "$KT_WORK/fg/rootfs/tmp/up"
wait_status "$ID" running
# $rpid is timeout(1); the runtime is its child.
kpid=$(pgrep -P "$rpid" | head -n1)
kill -TERM "${kpid:-$rpid}"
wait $rpid; RC=$?
assert_rc "run: SIGTERM to the runtime forwarded (trap exits 7)" 7

# ---- run --detach, --pid-file, kill by name, kill --all -----------------
make_bundle det
set_args det sh -c 'trap "echo got-term > /tmp/term" TERM; sleep 1000 & sleep 1000 & while :; do sleep 0.1; done'
new_id; DET=$ID
kk run --detach --pid-file "$KT_WORK/det.pid" --bundle "$KT_WORK/det" "$DET"
assert_rc "run --detach" 0
assert_eq "run --detach: running" running "$(state_field "$DET" .status)"
assert_eq "run --detach --pid-file" "$(state_field "$DET" .pid)" "$(cat "$KT_WORK/det.pid" 2>&1)"
sleeps() {
	local p n=0
	for p in $(kt_tagged_pids); do
		[ "$(tr "\\0" " " 2>/dev/null <"/proc/$p/cmdline")" = "sleep 1000 " ] && n=$((n + 1))
	done
	echo $n
}
for i in $(seq 50); do [ "$(sleeps)" = 2 ] && break; sleep 0.1; done
assert_eq "two children running" 2 "$(sleeps)"
kk kill "$DET" SIGTERM
assert_rc "kill ID SIGTERM (SIG-prefixed name)" 0
wait_file "$KT_WORK/det/rootfs/tmp/term"
assert_eq "kill: init's TERM handler ran" got-term "$(cat "$KT_WORK/det/rootfs/tmp/term" 2>&1)"
assert_eq "kill: children untouched" 2 "$(sleeps)"
kk kill --all "$DET" TERM
assert_rc "kill --all ID TERM" 0
for i in $(seq 50); do [ "$(sleeps)" = 0 ] && break; sleep 0.1; done
assert_eq "kill --all: children got TERM" 0 "$(sleeps)"
assert_eq "kill --all: init (handler) still running" running "$(state_field "$DET" .status)"
rm -f "$KT_WORK/det/rootfs/tmp/term"
kk kill "$DET"
assert_rc "kill ID (no signal)" 0
wait_file "$KT_WORK/det/rootfs/tmp/term"
assert_eq "kill: the default signal is TERM" got-term "$(cat "$KT_WORK/det/rootfs/tmp/term" 2>&1)"
expect_fail "kill with an unknown signal" 'signal|BOGUS' K kill "$DET" BOGUS
kk kill "$DET" KILL
assert_rc "kill ID KILL (name)" 0
wait_status "$DET" stopped
assert_eq "killed: stopped" stopped "$(state_field "$DET" .status)"
kk delete "$DET"
assert_rc "delete after kill" 0

# ---- --console-socket ---------------------------------------------------
RECVTTY="$abs_top_builddir/tests/integration/helpers/recvtty"
if [ -x "$RECVTTY" ]; then
	make_bundle tty
	cfg tty '.process.terminal = true'
	set_args tty sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; echo done'
	new_id
	sock="$KT_WORK/tty.sock"
	"$RECVTTY" "$sock" "$KT_WORK/tty.out" 20 2>"$KT_WORK/recvtty.err" &
	tpid=$!
	wait_file "$sock"
	kk create --bundle "$KT_WORK/tty" --console-socket "$sock" "$ID"
	assert_rc "create --console-socket" 0
	kk start "$ID"
	assert_rc "start (terminal)" 0
	wait $tpid; trc=$?
	assert_eq "recvtty got a pty master over SCM_RIGHTS and read to EOF" 0 "$trc"
	out=$(tr -d '\r' <"$KT_WORK/tty.out" 2>&1)
	assert_match "terminal: tty is /dev/pts/N" "$out" '^/dev/pts/[0-9]+$'
	assert_contains "terminal: stdin, stdout, stderr are the tty" "$out" all-ttys
	wait_status "$ID" stopped
	kk delete "$ID"
	# run --detach --console-socket: the same through run.
	rm -f "$sock"
	set_args tty sh -c 'tty; echo detached-tty'
	"$RECVTTY" "$sock" "$KT_WORK/tty2.out" 20 2>>"$KT_WORK/recvtty.err" &
	tpid=$!
	wait_file "$sock"
	new_id
	kk run --detach --console-socket "$sock" --bundle "$KT_WORK/tty" "$ID"
	assert_rc "run --detach --console-socket" 0
	wait $tpid; trc=$?
	assert_eq "run --detach --console-socket: pty master received" 0 "$trc"
	assert_contains "run --detach --console-socket: output through the pty" \
		"$(tr -d '\r' <"$KT_WORK/tty2.out" 2>&1)" detached-tty
	wait_status "$ID" stopped
	kk delete "$ID"
	expect_fail "terminal without --console-socket refused" 'console|terminal|socket' \
		K create --bundle "$KT_WORK/tty" "$ID-2"
else
	t_fail "recvtty helper built" "missing $RECVTTY (make check builds it)"
fi

# ---- --preserve-fds and no fd leak ---------------------------------------
make_bundle fds
echo pf-three >"$KT_WORK/pf3"
echo pf-four >"$KT_WORK/pf4"
# ls in a subshell lists the (waiting) shell's fds: run by the shell itself
# (busybox runs some applets in-process) or exec'd, its own fds would show.
set_args fds sh -c 'cat <&3; cat <&4; (ls /proc/$$/fd); true'
new_id
(exec 3<"$KT_WORK/pf3" 4<"$KT_WORK/pf4" 7</etc/hostname;
 K run --preserve-fds 2 --bundle "$KT_WORK/fds" "$ID" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err")
RC=$?; OUT=$(cat "$KT_TMP/out"); ERR=$(cat "$KT_TMP/err")
assert_rc "run --preserve-fds 2" 0
assert_eq "preserved fds 3 and 4 readable, only 0-4 open" "pf-three pf-four 0 1 2 3 4" "$(echo $OUT)"
set_args fds sh -c '(ls /proc/$$/fd); true'
new_id
(exec 3<"$KT_WORK/pf3" 7</etc/hostname 9</etc/hostname;
 K run --bundle "$KT_WORK/fds" "$ID" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err")
RC=$?; OUT=$(cat "$KT_TMP/out")
assert_eq "no fd leak: only 0 1 2 open in the container" "0 1 2" "$(echo $OUT)"
kt_finish
