#!/usr/bin/env bash
# exec: every flag checked from inside the exec'd process (id, pwd, env,
# /proc/self/status), exit codes and signals, the namespaces and cgroup it
# joins, fds, user namespaces, stopped/paused/unknown containers, and the
# runtime running from a sealed memfd while it execs (CVE-2019-5736).
. "$(dirname "$0")/lib.sh"
kt_init

# Runs the runtime in the background without `timeout` in between (signals
# must reach kapsel itself); its pid in $KPID, output in $KT_TMP/bg.*.
kbg() {
	KT_TAG=$KT_TAG "$KAPSEL" --root "$KT_ROOT" "$@" </dev/null \
		>"$KT_TMP/bg.out" 2>"$KT_TMP/bg.err" &
	KPID=$!
}

# ns_of PID: the inodes of its namespaces, one "name:[inode]" per line.
ns_of() {
	local n
	for n in cgroup ipc mnt net pid user uts; do
		echo "$n $(readlink "/proc/$1/ns/$n")"
	done
}

make_bundle e
cfg e '.process.env += ["BASE=from-config"]'
set_args e sleep 1000
new_id
C=$ID
kk run --detach --bundle "$KT_WORK/e" "$C"
assert_rc "run --detach the target container" 0
INIT=$(state_field "$C" .pid)
R=$KT_WORK/e/rootfs

# ---- the process: env, cwd, user, caps, no_new_privs ---------------------
kk exec "$C" sh -c 'echo "$BASE|$PATH|$(id -u):$(id -g)|$(pwd)"'
assert_eq "exec: the config's env, user and cwd by default" \
	"from-config|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|0:0|/" "$OUT"
kk exec --env NEW=1 --env 'SP=a b' "$C" sh -c 'echo "$NEW|$SP|$BASE"'
assert_eq "--env is appended to the config's env (runc), spaces kept" "1|a b|from-config" "$OUT"
kk exec --env BASE=over "$C" sh -c 'echo $BASE; env | grep -c ^BASE='
assert_eq "--env overrides a config variable: last one wins, once (runc)" $'over\n1' "$OUT"
kk exec --cwd /tmp "$C" pwd
assert_eq "--cwd" /tmp "$OUT"
kk exec --user 1000:1000 "$C" sh -c 'id -u; id -g; grep ^Uid: /proc/self/status | tr -s "\t " " "'
assert_eq "--user 1000:1000 (real, effective, saved)" $'1000\n1000\nUid: 1000 1000 1000 1000' "$OUT"
kk exec --user 1000:1000 --additional-gids 2000 --additional-gids 3000 "$C" id -G
assert_eq "--additional-gids" "1000 2000 3000" "$OUT"
kk exec --user 1000:1000 "$C" sh -c 'grep ^Groups: /proc/self/status | tr -s "\t " " "'
assert_match "--user without --additional-gids: no supplementary groups" "$OUT" '^Groups: ?$'
expect_fail "--user with a name is refused clearly" 'user' K exec --user nobody "$C" true

caps() { sed -n "s/^$1:[[:space:]]*//p" <<<"$OUT"; }
kk exec "$C" cat /proc/self/status
base_eff=$(caps CapEff)
kk exec --cap CAP_NET_ADMIN --cap CAP_SYS_TIME "$C" cat /proc/self/status
# CAP_NET_ADMIN is bit 12, CAP_SYS_TIME bit 25.
want=$(printf '%016x' $((0x$base_eff | (1 << 12) | (1 << 25))))
assert_eq "--cap added to CapEff" "$want" "$(caps CapEff)"
assert_eq "--cap added to CapBnd" "$want" "$(caps CapBnd)"
assert_ne "the config's caps lack CAP_NET_ADMIN (the test can fail)" "$want" "$base_eff"
kk exec "$C" grep NoNewPrivs /proc/self/status
nnp_default=$(awk '{print $2}' <<<"$OUT")
cfg e '.process.noNewPrivileges = false'
kk exec --no-new-privs "$C" grep NoNewPrivs /proc/self/status
assert_eq "--no-new-privs: NoNewPrivs 1" 1 "$(awk '{print $2}' <<<"$OUT")"
kk exec "$C" grep NoNewPrivs /proc/self/status
assert_eq "without it (config false): NoNewPrivs 0" 0 "$(awk '{print $2}' <<<"$OUT")"
assert_eq "the config's default (true) gives NoNewPrivs 1" 1 "$nnp_default"

cat >"$KT_WORK/proc.json" <<-'EOF'
{"terminal": false, "user": {"uid": 1000, "gid": 3000}, "cwd": "/home",
 "args": ["sh", "-c", "echo \"$ONLY|$BASE|$(id -u):$(id -g)|$(pwd)|$0\""],
 "env": ["PATH=/bin", "ONLY=from-file"]}
EOF
kk exec --process "$KT_WORK/proc.json" "$C"
assert_eq "--process FILE replaces the whole process (env, user, cwd, args)" \
	"from-file||1000:3000|/home|sh" "$OUT"
echo '{"args": ' >"$KT_WORK/bad.json"
expect_fail "--process with broken JSON: one line naming the file" 'bad\.json' \
	K exec --process "$KT_WORK/bad.json" "$C"

# ---- exit codes and signals -----------------------------------------------
kk exec "$C" sh -c 'exit 7'
assert_rc "exit 7 -> 7" 7
kk exec "$C" sh -c 'kill -9 $$'
assert_rc "killed by SIGKILL -> 137" 137
kk exec "$C" sh -c 'kill -TERM $$'
assert_rc "killed by SIGTERM -> 143" 143
kk exec "$C" /no/such/binary
assert_ne "exec of a missing binary fails" 0 "$RC"
assert_contains "exec of a missing binary: the error names it" "$ERR" /no/such/binary

rm -f "$R/tmp/sig-ready" "$R/tmp/sig-got"
kbg exec "$C" sh -c 'trap "echo USR1 >>/tmp/sig-got" USR1
	trap "echo TERM >>/tmp/sig-got; exit 3" TERM
	touch /tmp/sig-ready; while :; do sleep 0.05; done'
if wait_file "$R/tmp/sig-ready"; then
	exe=$(readlink "/proc/$KPID/exe")
	assert_match "a running 'kapsel exec' executes a sealed memfd copy (CVE-2019-5736)" \
		"$exe" '^/memfd:kapsel'
	kill -USR1 "$KPID"
	for i in $(seq 50); do grep -q USR1 "$R/tmp/sig-got" 2>/dev/null && break; sleep 0.1; done
	kill -TERM "$KPID"
	wait "$KPID"; rc=$?
	assert_eq "SIGUSR1 and SIGTERM sent to kapsel exec reach the process" \
		"USR1 TERM" "$(echo $(cat "$R/tmp/sig-got" 2>/dev/null))"
	assert_eq "the trapped TERM's exit code 3 comes back" 3 "$rc"
else
	t_fail "signal test: the exec'd process started" "$(cat "$KT_TMP/bg.err")"
	kill -KILL "$KPID"
fi

# ---- --detach, --pid-file: namespaces, cgroup, fds --------------------------
kk exec --detach --pid-file "$KT_WORK/x.pid" "$C" sleep 1000
assert_rc "exec --detach --pid-file" 0
XP=$(cat "$KT_WORK/x.pid" 2>/dev/null)
if pid_alive "$XP"; then
	assert_eq "the exec'd process runs sleep" "sleep 1000" "$(tr '\0' ' ' <"/proc/$XP/cmdline" | sed 's/ $//')"
	assert_eq "it is in every namespace of the init (/proc/PID/ns inodes)" \
		"$(ns_of "$INIT")" "$(ns_of "$XP")"
	assert_ne "the container has its own namespaces (the test can fail)" \
		"$(ns_of 1)" "$(ns_of "$INIT")"
	assert_eq "it is in the init's cgroup (/proc/PID/cgroup)" \
		"$(cat "/proc/$INIT/cgroup")" "$(cat "/proc/$XP/cgroup")"
	assert_match "that cgroup is the container's" "$(cat "/proc/$XP/cgroup")" "$C"
	assert_ne "its pid namespace pid is not the host pid" "$XP" \
		"$(awk '/^NSpid:/ {print $NF}' "/proc/$XP/status")"
	kill -KILL "$XP"
else
	t_fail "--pid-file names a live process" "pid file: '$XP'" "$ERR"
fi
kk exec "$C" sh -c 'cat /proc/self/cgroup; echo ==; cat /proc/1/cgroup'
assert_eq "inside: same cgroup as pid 1" "$(sed -n '/^==$/q;p' <<<"$OUT")" "$(sed '1,/^==$/d' <<<"$OUT")"

kk exec "$C" sh -c '(ls /proc/$$/fd); true'
assert_eq "no runtime fd leaks into the process (only 0 1 2)" "0 1 2" "$(echo $OUT)"
echo pf-three >"$KT_WORK/pf3"
(exec 3<"$KT_WORK/pf3" 4</etc/hostname 7</etc/hostname;
 K exec --preserve-fds 2 "$C" sh -c 'cat <&3; (ls /proc/$$/fd); true' </dev/null \
	>"$KT_TMP/out" 2>"$KT_TMP/err")
assert_eq "--preserve-fds 2: fd 3 readable, only 0-4 open" "pf-three 0 1 2 3 4" \
	"$(echo $(cat "$KT_TMP/out"))"

# ---- stopped, unknown, paused ---------------------------------------------
expect_fail "exec into an unknown container: one clear line" 'does not exist|not found|no such' \
	K exec kt-no-such-container true
if K pause "$C" >/dev/null 2>&1; then
	expect_fail "exec into a paused container fails" 'paused' K exec "$C" true
	# As runc: the process joins the frozen cgroup and waits there, and so
	# does exec (even --detach), until the container is resumed.
	rm -f "$R/tmp/ip"
	kbg exec --detach --ignore-paused "$C" sh -c 'echo ran >/tmp/ip'
	sleep 0.5
	assert_eq "exec --ignore-paused: the process is frozen with the container" \
		"no still-waiting" "$([ -e "$R/tmp/ip" ] && echo yes || echo no) $(pid_alive "$KPID" && echo still-waiting)"
	K resume "$C" >/dev/null 2>&1
	wait "$KPID"; rc=$?
	assert_eq "... and on resume exec returns 0" 0 "$rc"
	# The redirect creates the file before echo writes into it: wait for the word.
	for _ in $(seq 50); do [ "$(cat "$R/tmp/ip" 2>/dev/null)" = ran ] && break; sleep 0.1; done
	assert_eq "... and the process runs" ran "$(cat "$R/tmp/ip" 2>/dev/null)"
else
	echo "# pause not available here: paused-container checks skipped"
fi
kk kill "$C" KILL
wait_status "$C" stopped
expect_fail "exec into a stopped container: one clear line" 'stopped|not running' \
	K exec "$C" true
kk delete "$C"

# ---- user namespace ---------------------------------------------------------
make_bundle u
chown -R 100000:100000 "$KT_WORK/u/rootfs"
cfg u '.linux.namespaces += [{"type":"user"}]
	| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
	| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
	| .mounts |= map(select(.destination != "/sys"))'
set_args u sleep 1000
new_id
U=$ID
kk run --detach --bundle "$KT_WORK/u" "$U"
assert_rc "run a container with a user namespace" 0
UINIT=$(state_field "$U" .pid)
kk exec --user 1000:1000 "$U" sh -c 'id -u; id -g; cat /proc/self/uid_map | tr -s " "'
assert_eq "exec in a user namespace: ids inside and the mapping" \
	$'1000\n1000\n 0 100000 65536' "$OUT"
kk exec --detach --pid-file "$KT_WORK/u.pid" "$U" sleep 1000
UP=$(cat "$KT_WORK/u.pid" 2>/dev/null)
if pid_alive "$UP"; then
	assert_eq "on the host the exec'd root is uid 100000" \
		"Uid: 100000 100000 100000 100000" "$(grep ^Uid: "/proc/$UP/status" | tr -s '\t ' ' ')"
	assert_eq "exec joined the container's user namespace (and the others)" \
		"$(ns_of "$UINIT")" "$(ns_of "$UP")"
	kill -KILL "$UP"
else
	t_fail "user-namespace exec --detach --pid-file" "$ERR"
fi
kk delete --force "$U"

# ---- seccomp listenerPath: exec sends the container's state with the fd -------
if command -v python3 >/dev/null; then
	make_bundle s
	set_args s sleep 1000
	cfg s '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $p,
		"syscalls": [{"names": ["acct"], "action": "SCMP_ACT_NOTIFY"}]}' --arg p "$KT_WORK/sn.sock"
	python3 "$KT_SRCDIR/helpers/seccomp-listener.py" "$KT_WORK/sn.sock" "$KT_WORK/sn" 2 &
	LP=$!
	wait_file "$KT_WORK/sn.sock"
	new_id
	kk run --detach --bundle "$KT_WORK/s" "$ID"
	assert_rc "run with a seccomp listener" 0
	kk exec "$ID" true
	assert_rc "exec with a seccomp listener" 0
	wait "$LP"
	assert_eq "exec: the listener gets the container's state (id, status, init pid)" \
		"$ID running $(state_field "$ID" .pid)" \
		"$(jq -r '[.state.id, .state.status, .state.pid] | join(" ")' "$KT_WORK/sn.1" 2>&1)"
	kk delete --force "$ID"
else
	echo "# python3 missing: seccomp listener check skipped"
fi

kt_finish
