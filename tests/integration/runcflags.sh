#!/usr/bin/env bash
# runc's flags that podman, conmon and containerd pass, with runc's meaning:
# help, the global --criu, run --keep / --no-subreaper, the
# session keyring (--no-new-keyring), update's Intel RDT flags.
. "$(dirname "$0")/lib.sh"
kt_init

make_bundle f

# ---- help COMMAND ---------------------------------------------------------
kk help
assert_rc "help: exit 0" 0
assert_eq "help is --help" "$(K --help 2>&1 </dev/null)" "$OUT"
kk help exec
assert_rc "help exec: exit 0" 0
assert_eq "help exec is exec --help" "$(K exec --help 2>&1 </dev/null)" "$OUT"
expect_fail "help of an unknown command" 'unknown command "nope"' K help nope

# ---- global flags with no meaning here: accepted, said in the debug log ----
set_args f true
new_id
kk --criu /usr/sbin/criu run --bundle "$KT_WORK/f" "$ID"
assert_rc "--criu PATH: run works" 0
assert_eq "--criu: nothing on stderr" "" "$ERR"

# ---- run --keep -------------------------------------------------------------
set_args f sh -c 'exit 3'
new_id
kk run --keep --bundle "$KT_WORK/f" "$ID"
assert_rc "run --keep: the container's exit code" 3
assert_eq "run --keep: the container stays, stopped" stopped "$(state_field "$ID" .status)"
assert_eq "run --keep: listed" "$ID" "$(K list -q </dev/null 2>&1)"
kk delete "$ID"
assert_rc "run --keep: delete removes it" 0
assert_eq "run --keep: gone after delete" "" "$(K list -q </dev/null 2>&1)"
new_id
kk run --bundle "$KT_WORK/f" "$ID"
assert_eq "run without --keep: deleted at exit" "" "$(K list -q </dev/null 2>&1)"
new_id
expect_fail "create --keep refused (a run option, as runc)" 'unknown option --keep' \
	K create --keep --bundle "$KT_WORK/f" "$ID"
[ ! -e "$KT_ROOT/$ID" ] && t_pass "create --keep: nothing left" || t_fail "create --keep: nothing left"

# ---- run --no-subreaper ------------------------------------------------------
set_args f sh -c 'exit 5'
new_id
kk --debug run --no-subreaper --bundle "$KT_WORK/f" "$ID"
assert_rc "run --no-subreaper: exit code still collected" 5
assert_contains "run --no-subreaper: the debug log says why it is ignored" \
	"$ERR" "--no-subreaper: ignored"
expect_fail "create --no-subreaper refused (a run option, as runc)" 'unknown option' \
	K create --no-subreaper --bundle "$KT_WORK/f" "$ID"

# ---- session keyring ----------------------------------------------------------
# /proc/keys shows root the keyrings owned by uid 0: the container's init
# (root, no user namespace) made "_ses.ID" unless --no-new-keyring.
set_args f sleep 100
new_id; A=$ID
kk run -d --bundle "$KT_WORK/f" "$A"
assert_rc "run -d (default keyring)" 0
assert_match "default: a session keyring _ses.ID of the container's own" \
	"$(cat /proc/keys)" " keyring +_ses\.$A: "
kk exec "$A" true
assert_rc "exec joins it and runs" 0
new_id; B=$ID
kk run -d --no-new-keyring --bundle "$KT_WORK/f" "$B"
assert_rc "run -d --no-new-keyring" 0
assert_not_contains "--no-new-keyring: no _ses.ID keyring" "$(cat /proc/keys)" "_ses.$B:"
kk exec "$B" true
assert_rc "--no-new-keyring: exec runs" 0
# From inside (with /proc/keys unmasked): the process possesses it.
cfg f '.linux.maskedPaths -= ["/proc/keys"]'
new_id
set_args f sh -c "grep -c ' keyring  *_ses\\.$ID: ' /proc/keys"
kk run --bundle "$KT_WORK/f" "$ID"
assert_eq "inside the container: its session keyring is _ses.ID" 1 "$OUT"
for id in "$A" "$B"; do
	kk delete --force "$id"
done

# ---- exec --cgroup: an existing sub-cgroup of the container's ----------------
set_args f sleep 100
new_id
kk run -d --bundle "$KT_WORK/f" "$ID"
cgpath=$(jq -r '.cgroup_path // empty' "$KT_ROOT/$ID/state.json" 2>/dev/null)
cgmnt=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
if [ -n "$cgpath" ] && [ -n "$cgmnt" ] && mkdir "$cgmnt$cgpath/sub"; then
	kk exec --cgroup sub "$ID" cat /proc/self/cgroup
	assert_match "exec --cgroup sub: the process is in it" "$OUT" "^0::.*/sub$"
	kk exec --cgroup pids,memory:/sub "$ID" cat /proc/self/cgroup
	assert_match "exec --cgroup CTRL,CTRL:/sub: the same PATH" "$OUT" "^0::.*/sub$"
	kk exec "$ID" cat /proc/self/cgroup
	assert_match "exec without --cgroup: the container's cgroup" "$OUT" "^0::.*$ID$"
	# cgroup v1 hierarchies (a hybrid host): the sub-cgroup where it
	# exists, the container's own directory where it does not.
	pids_v1=$(findmnt -n -t cgroup -o TARGET | grep -E '/pids$' | head -n1)
	if [ -n "$pids_v1" ] && [ -d "$pids_v1$cgpath" ] && mkdir "$pids_v1$cgpath/sub"; then
		kk exec --cgroup sub "$ID" cat /proc/self/cgroup
		assert_match "exec --cgroup sub, v1: pids:.../sub where it exists" "$OUT" "^[0-9]+:pids:.*$ID/sub$"
		assert_match "exec --cgroup sub, v1: the container's own dir elsewhere" "$OUT" \
			"^[0-9]+:memory:.*$ID$"
		rmdir "$cgmnt$cgpath/sub"
		kk exec --cgroup sub "$ID" cat /proc/self/cgroup
		assert_match "exec --cgroup sub only in v1: joined there" "$OUT" "^[0-9]+:pids:.*$ID/sub$"
		assert_match "exec --cgroup sub only in v1: cgroup2, the container's dir" "$OUT" "^0::.*$ID$"
	fi
	expect_fail "exec --cgroup ../x: refused" 'not below the container' \
		K exec --cgroup ../x "$ID" true
	expect_fail "exec --cgroup of a missing sub-cgroup: refused" 'nope: no such sub-cgroup' \
		K exec --cgroup nope "$ID" true
else
	echo "# exec --cgroup: skipped, the container has no cgroup2 directory here"
fi
expect_fail "exec --cgroup a:b:c: refused" 'expected \[CONTROLLER:\]PATH' \
	K exec --cgroup a:b:c "$ID" true
expect_fail "exec --cgroup naming two paths: refused" 'one PATH for every hierarchy' \
	K exec --cgroup cpu:/a --cgroup memory:/b "$ID" true
kk delete --force "$ID"
assert_rc "delete --force removes the sub-cgroup too" 0
[ -z "$cgpath" ] || [ ! -e "$cgmnt$cgpath" ] && t_pass "container cgroup gone" \
	|| t_fail "container cgroup gone" "$cgmnt$cgpath"

# ---- update: Intel RDT flags ------------------------------------------------
set_args f sleep 100
new_id
kk run -d --bundle "$KT_WORK/f" "$ID"
for fl in --l3-cache-schema --mem-bw-schema; do
	expect_fail "update $fl: refused, one line" "$fl: Intel RDT is not supported" \
		K update "$fl" "L3:0=f" "$ID"
done
kk delete --force "$ID"

kt_finish
