#!/usr/bin/env bash
# The process fields, checked from inside the container: args, env, cwd,
# user (uid, gid, additionalGids, umask), rlimits, noNewPrivileges,
# oomScoreAdj; and that the runtime binary cannot be overwritten from inside.
. "$(dirname "$0")/lib.sh"
kt_init

make_bundle p

# ---- args, env, cwd ------------------------------------------------------
set_args p sh -c 'echo "$0|$1|$2|$#"' zero "one two" '$three'
new_id
kk run --bundle "$KT_WORK/p" "$ID"
assert_eq "args passed verbatim (spaces, \$)" 'zero|one two|$three|2' "$OUT"

cfg p '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "KT_TAG=" + $t]' --arg t "$KT_TAG"
new_id
KT_HOST_SECRET=leak ctr_sh p 'env | sort'
# HOME may be added from /etc/passwd when process.env has none (runc does).
assert_eq "env is exactly process.env (nothing of the runtime's)" \
	"EMPTY= FOO=bar baz KT_TAG=$KT_TAG PATH=/bin PWD=/ SHLVL=1" "$(echo $(grep -v -e '^_=' -e '^HOME=' <<<"$OUT"))"
cfg p '.process.env = ["PATH=/bin", "KT_TAG=" + $t]' --arg t "$KT_TAG"

cfg p '.process.cwd = "/tmp"'
ctr_sh p 'pwd'
assert_eq "cwd" /tmp "$OUT"
cfg p '.process.cwd = "/not/yet/there"'
ctr_sh p 'pwd'
assert_eq "cwd that does not exist in the rootfs is created (as runc)" /not/yet/there "$OUT"
cfg p '.process.cwd = "/"'

# ---- user ----------------------------------------------------------------
ctr_sh p 'id -u; id -g; id -G'
assert_eq "default user: uid 0 gid 0" $'0\n0\n0' "$OUT"
cfg p '.process.user = {"uid":1000,"gid":1000,"additionalGids":[2000,3000]}'
ctr_sh p 'id -u; id -g; id -G | tr " " "\n" | sort -n | tr "\n" " "; echo; grep -E "^(Uid|Gid|Groups):" /proc/self/status | tr -s "\t " " "'
assert_eq "user uid 1000" 1000 "$(sed -n 1p <<<"$OUT")"
assert_eq "user gid 1000" 1000 "$(sed -n 2p <<<"$OUT")"
assert_eq "additionalGids 2000 3000 (and nothing else)" "1000 2000 3000 " "$(sed -n 3p <<<"$OUT")"
assert_match "real, effective, saved uid all 1000" "$OUT" '^Uid: 1000 1000 1000 1000'
assert_match "supplementary groups exactly 2000 3000" "$OUT" '^Groups: 2000 3000 ?$'
cfg p '.process.user = {"uid":1000,"gid":1000}'
ctr_sh p 'grep -E "^Groups:" /proc/self/status | tr -s "\t " " "'
assert_match "no additionalGids: no supplementary groups (root's are dropped)" "$OUT" '^Groups: ?$'
cfg p '.process.user = {"uid":0,"gid":0,"umask":63}'
ctr_sh p 'umask; touch /tmp/um; stat -c %a /tmp/um'
assert_eq "umask 077" $'0077\n600' "$OUT"
cfg p '.process.user = {"uid":0,"gid":0,"umask":18}'
ctr_sh p 'umask'
assert_eq "umask 022" 0022 "$OUT"
cfg p '.process.user = {"uid":0,"gid":0}'

# ---- rlimits -------------------------------------------------------------
cfg p '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":321,"hard":654},
	{"type":"RLIMIT_CORE","soft":0,"hard":0},
	{"type":"RLIMIT_NPROC","soft":4000,"hard":5000}]'
ctr_sh p 'ulimit -n; ulimit -Hn; grep -E "^Max (open files|core file size|processes)" /proc/self/limits | tr -s " "'
assert_eq "rlimit NOFILE via ulimit" $'321\n654' "$(sed -n 1,2p <<<"$OUT")"
assert_match "rlimit NOFILE in /proc/self/limits" "$OUT" '^Max open files 321 654 files'
assert_match "rlimit CORE in /proc/self/limits" "$OUT" '^Max core file size 0 0 bytes'
assert_match "rlimit NPROC in /proc/self/limits" "$OUT" '^Max processes 4000 5000 processes'
cfg p 'del(.process.rlimits)'

# ---- noNewPrivileges, oomScoreAdj ----------------------------------------
cfg p '.process.noNewPrivileges = true'
ctr_sh p 'grep NoNewPrivs /proc/self/status | tr -d "\t "'
assert_eq "noNewPrivileges true" NoNewPrivs:1 "$OUT"
cfg p '.process.noNewPrivileges = false'
ctr_sh p 'grep NoNewPrivs /proc/self/status | tr -d "\t "'
assert_eq "noNewPrivileges false" NoNewPrivs:0 "$OUT"
cfg p '.process.oomScoreAdj = 123'
ctr_sh p 'cat /proc/self/oom_score_adj'
assert_eq "oomScoreAdj 123" 123 "$OUT"
# Lowering needs CAP_SYS_RESOURCE, which some sandboxes withhold even from root.
if (echo -1 >/proc/self/oom_score_adj) 2>/dev/null; then
	cfg p '.process.oomScoreAdj = -7'
	ctr_sh p 'cat /proc/self/oom_score_adj'
	assert_eq "oomScoreAdj -7" -7 "$OUT"
else
	echo "# host cannot lower oom_score_adj (no CAP_SYS_RESOURCE): negative value not tested"
fi
cfg p 'del(.process.oomScoreAdj)'
ctr_sh p 'cat /proc/self/oom_score_adj'
assert_eq "no oomScoreAdj: inherited from the runtime (0 here)" "$(cat /proc/self/oom_score_adj)" "$OUT"

# ---- CVE-2019-5736 class: the runtime binary cannot be overwritten -------
# Container A is created (its init is the runtime, waiting for start).
# Container B joins A's pid namespace, opens A's pid 1 /proc/1/exe (the
# runtime as A's init executes it), waits for A to exec its own program, then
# writes through the fd it kept. The runtime is a copy, so a vulnerable
# runtime only damages the copy. B is given CAP_SYS_PTRACE, so a
# non-dumpable init alone does not pass: the binary itself must be protected
# (a sealed memfd copy as runc, or a read-only bind as crun).
VICTIM="$KT_WORK/victim-runtime"
cp "$KAPSEL" "$VICTIM"
sum_before=$(sha256sum <"$VICTIM")
mkdir -p "$KT_WORK/cve"
make_bundle cveA
set_args cveA sleep 1000
make_bundle cveB
cfg cveB '.mounts += [{"destination":"/ctl","type":"bind","source":$c,"options":["rbind"]}]
	| .process.capabilities |= map_values(. + ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"])
	| .process.noNewPrivileges = true' --arg c "$KT_WORK/cve"
set_args cveB sh -c 'exec 3</proc/1/exe || { touch /ctl/open-failed; exit 9; }; readlink /proc/1/exe > /ctl/exe; touch /ctl/opened
	while [ ! -e /ctl/started ]; do sleep 0.1; done
	if echo PWNED >> /proc/self/fd/3; then echo WROTE; else echo REFUSED; fi > /ctl/result'
idA="kt-$KT_TAG-cveA"; idB="kt-$KT_TAG-cveB"
vk() { env KT_TAG="$KT_TAG" timeout -k 5 "$KT_TIMEOUT" "$VICTIM" --root "$KT_ROOT" "$@" </dev/null; }
vk create --bundle "$KT_WORK/cveA" "$idA" >/dev/null 2>"$KT_TMP/cveA.err"
RC=$?; ERR=$(cat "$KT_TMP/cveA.err")
assert_rc "CVE-2019-5736: create the victim container" 0
apid=$(state_field "$idA" .pid)
cfg cveB '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/\($p)/ns/pid" else . end)' --arg p "$apid"
# B detached: no runtime process may still execute the copy when B writes
# (that would make the write fail with ETXTBSY even on a vulnerable runtime).
vk run --detach --bundle "$KT_WORK/cveB" "$idB" >"$KT_WORK/cve/out" 2>"$KT_WORK/cve/err"
bpid=$(state_field "$idB" .pid)
for i in $(seq 100); do
	[ -e "$KT_WORK/cve/opened" ] || [ -e "$KT_WORK/cve/open-failed" ] || ! pid_alive "$bpid" && break
	sleep 0.1
done
if [ -e "$KT_WORK/cve/opened" ]; then
	vk start "$idA" >/dev/null 2>&1
	wait_status "$idA" running
	sleep 0.3
	touch "$KT_WORK/cve/started"
	wait_file "$KT_WORK/cve/result"
	out=$(cat "$KT_WORK/cve/result" 2>&1)
	assert_eq "CVE-2019-5736: writing through the runtime's exe from inside fails" REFUSED "$out"
elif [ -e "$KT_WORK/cve/open-failed" ]; then
	# Not reaching /proc/1/exe at all also protects the binary.
	t_pass "CVE-2019-5736: container could not open the runtime's exe ($(head -c 200 "$KT_WORK/cve/err"))"
else
	t_fail "CVE-2019-5736: the attacking container (joins A's pid namespace by path) did not run" \
		"$(head -c 400 "$KT_WORK/cve/err")"
fi
assert_eq "CVE-2019-5736: the runtime binary is unchanged" "$sum_before" "$(sha256sum <"$VICTIM")"
vk delete --force "$idB" >/dev/null 2>&1
vk delete --force "$idA" >/dev/null 2>&1

kt_finish
