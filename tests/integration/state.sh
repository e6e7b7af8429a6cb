#!/usr/bin/env bash
# The state store under --root: one directory per container, duplicate and
# invalid ids refused, concurrent deletes safe; --log / --log-format json.
. "$(dirname "$0")/lib.sh"
kt_init

make_bundle s
set_args s sleep 1000

# ---- one directory per container ------------------------------------------
new_id; A=$ID
kk create --bundle "$KT_WORK/s" "$A"
assert_rc "create A" 0
[ -d "$KT_ROOT/$A" ] && t_pass "state: one directory per container under --root" \
	|| t_fail "state: one directory per container under --root" "$(ls -la "$KT_ROOT")"

# ---- duplicate id ---------------------------------------------------------
expect_fail "duplicate id refused (create)" 'exist|already|in use' K create --bundle "$KT_WORK/s" "$A"
expect_fail "duplicate id refused (run)" 'exist|already|in use' K run --bundle "$KT_WORK/s" "$A"
assert_eq "the first container is untouched" created "$(state_field "$A" .status)"
assert_eq "exactly one container listed" "$A" "$(K list -q </dev/null 2>&1)"

# Another --root does not see it.
ROOT2=$(mktemp -d /tmp/kt-root2.XXXXXX)
assert_eq "another --root lists nothing" "" \
	"$(env KT_TAG="$KT_TAG" "$KAPSEL" --root "$ROOT2" list -q </dev/null 2>&1)"
rmdir "$ROOT2"
kk delete "$A"
assert_rc "delete A (created)" 0

# ---- invalid ids ----------------------------------------------------------
for bad in "/" ".." "." "" "a/b" "../escape" "a b"; do
	expect_fail "invalid id '$bad' refused" 'id|invalid|usage|flag' K create --bundle "$KT_WORK/s" -- "$bad"
done
[ ! -e "$KT_WORK/escape" ] && [ ! -e "$(dirname "$KT_ROOT")/escape" ] \
	&& t_pass "invalid id ../escape created nothing outside --root" \
	|| t_fail "invalid id ../escape created nothing outside --root"
assert_clean "invalid ids: nothing left behind"

# ---- concurrent deletes --------------------------------------------------
# Stopped containers: several deletes race; one or more succeed, the others
# say it does not exist; nothing corrupt or left.
set_args s true
for round in 1 2 3; do
	new_id
	kk run --detach --bundle "$KT_WORK/s" "$ID"
	wait_status "$ID" stopped
	for j in 1 2 3 4; do
		(K delete "$ID" </dev/null >"$KT_TMP/d$j.out" 2>"$KT_TMP/d$j.err"; echo $? >"$KT_TMP/d$j.rc") &
	done
	wait
	ok=0; other=""
	for j in 1 2 3 4; do
		if [ "$(cat "$KT_TMP/d$j.rc")" = 0 ]; then
			ok=$((ok + 1))
		elif ! grep -Eiq 'not exist|not found|no such' "$KT_TMP/d$j.err"; then
			other+="$(cat "$KT_TMP/d$j.err") "
		fi
	done
	# At least one: runc lets two racing deletes both succeed, which is not
	# corruption; a locked store makes it exactly one.
	[ "$ok" -ge 1 ] && t_pass "round $round: 4 concurrent deletes: $ok succeeded (>= 1)" \
		|| t_fail "round $round: 4 concurrent deletes: at least one succeeds" "none did: $(cat "$KT_TMP"/d*.err)"
	assert_eq "round $round: the others say 'does not exist'" "" "$other"
	assert_clean "round $round: nothing left"
done
# Running containers with --force, racing with state and list.
set_args s sleep 1000
new_id
kk run --detach --bundle "$KT_WORK/s" "$ID"
pid=$(state_field "$ID" .pid)
for j in 1 2 3; do
	(K delete --force "$ID" </dev/null >/dev/null 2>&1) &
	(K state "$ID" </dev/null >"$KT_TMP/st$j" 2>/dev/null) &
	(K list --format json </dev/null >"$KT_TMP/ls$j" 2>/dev/null; echo $? >"$KT_TMP/ls$j.rc") &
done
wait
wait_gone "$pid" && t_pass "concurrent delete --force: process gone" || t_fail "concurrent delete --force: process gone"
bad=""
for j in 1 2 3; do
	[ -s "$KT_TMP/st$j" ] && ! jq -e .status "$KT_TMP/st$j" >/dev/null 2>&1 && bad+="state$j "
	[ "$(cat "$KT_TMP/ls$j.rc")" = 0 ] && ! jq -e 'type == "array" or type == "null"' "$KT_TMP/ls$j" >/dev/null 2>&1 && bad+="list$j "
done
assert_eq "state and list racing with delete never print broken JSON" "" "$bad"
assert_clean "concurrent delete --force: nothing left"

# ---- --log, --log-format json, --debug -------------------------------------
new_id
K --log "$KT_WORK/log.json" --log-format json state "$ID" </dev/null >/dev/null 2>&1
assert_ne "--log-format json: the error is logged" "" "$(cat "$KT_WORK/log.json" 2>/dev/null)"
badlines=$(jq -c 'select((.level | type) != "string" or (.msg | type) != "string" or (.time | type) != "string")' \
	"$KT_WORK/log.json" 2>&1)
assert_eq "--log-format json: every line is {level, msg, time}" "" "$badlines"
assert_eq "--log-format json: the error line" "error" \
	"$(jq -r 'select(.msg | test("exist|not found"; "i")) | .level' "$KT_WORK/log.json" 2>&1 | head -n1)"
new_id
set_args s true
K --debug --log "$KT_WORK/debug.json" --log-format json run --bundle "$KT_WORK/s" "$ID" </dev/null >/dev/null 2>&1
assert_match "--debug: debug lines in the log" "$(jq -r .level "$KT_WORK/debug.json" 2>&1)" '^debug$'
K --log "$KT_WORK/log.txt" state "$ID" </dev/null >/dev/null 2>&1
assert_match "--log (text): the error is logged" "$(cat "$KT_WORK/log.txt" 2>&1)" 'exist|not found'

kt_finish
