#!/usr/bin/env bash
# Crash safety (issue 16): kapsel commands killed with SIGKILL at random
# instants and at named steps (KAPSEL_DEBUG_STOP_AT=STEP makes kapsel wait
# there), then `list` + `delete -f` of every id, then a before/after
# snapshot of everything kapsel makes on the host: cgroup dirs in every
# hierarchy, mounts, processes, links/addresses/nftables of the test's own
# network namespace, IPAM records, the state root (and the image stores).
# Sections (CHAOS_SECTIONS): create (also joining a netns by path), run
# (run -d, run, start), exec, delete, network (create --network bridge),
# concurrent (commands on one id), image (image unpack, create --image).
# CHAOS_N scales the random kills (default 1; 0: named steps only).
. "$(dirname "$0")/lib.sh"

# Everything runs in a network namespace of our own: nsenter --net, unlike
# `ip netns exec`, leaves /sys and its cgroup mounts as they are.
if [ -z "${CHAOS_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || kt_skip "integration tests need root"
	for t in ip nft nsenter jq; do
		command -v $t >/dev/null || kt_skip "$t is not installed (scripts/deps.sh)"
	done
	ns=kt-chaos-$$
	ip netns add "$ns" || kt_bail "ip netns add $ns failed"
	CHAOS_NETNS=$ns nsenter --net="/run/netns/$ns" bash "$0" "$@"
	rc=$?
	ip netns del "$ns"
	exit $rc
fi
kt_init
ip link set lo up
KT_TIMEOUT=30
N=${CHAOS_N:-1}
CH_IDS=()
# CHAOS_SECTIONS: which of them run (the VM runs fewer).
SECTIONS=${CHAOS_SECTIONS:-create run exec delete network concurrent image}
want() { [[ " $SECTIONS " == *" $1 "* ]]; }

# ---- killing -------------------------------------------------------------

# ch_start ARGS...: kapsel in the background, its pid in CH_PID; $STOP, when
# set, names the step it stops at.
ch_start() {
	env KT_TAG="$KT_TAG" ${STOP:+KAPSEL_DEBUG_STOP_AT=$STOP} "$KAPSEL" --root "$KT_ROOT" "$@" \
		</dev/null >/dev/null 2>>"$KT_TMP/ch.err" &
	CH_PID=$!
}

# Milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ch_time ARGS...: runs kapsel once to the end; its duration (ms) in CH_MS.
ch_time() {
	local t0
	t0=$(now_ms)
	K "$@" </dev/null >/dev/null 2>"$KT_TMP/time.err" || kt_bail "kapsel $* failed: $(cat "$KT_TMP/time.err")"
	CH_MS=$(($(now_ms) - t0))
	[ "$CH_MS" -ge 2 ] || CH_MS=2
}

# ch_kill_random MAXMS ARGS...: kapsel killed after 0..MAXMS ms.
ch_kill_random() {
	local max=$1; shift
	ch_start "$@"
	sleep "$(printf '%d.%03d' $((RANDOM % max / 1000)) $((RANDOM % max % 1000)))"
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	CH_KILLS=$((CH_KILLS + 1))
}

# Tagged processes waiting at a step (common/stopat.h names them so).
ch_stopped() {
	local p
	for p in $(kt_tagged_pids); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = kapsel-stop ] && echo "$p"
	done
}

# ch_kill_at STEP ARGS...: kapsel waits at STEP (in the runtime or in a
# child of it); then the runtime is killed and the waiting one continued.
# Fails when the step is never reached (a renamed or lost step).
ch_kill_at() {
	local step=$1 i stopped=""; shift
	STOP=$step ch_start "$@"
	for i in $(seq 3000); do
		stopped=$(ch_stopped)
		[ -n "$stopped" ] && break
		pid_alive "$CH_PID" || break
		sleep 0.02
	done
	kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
	for i in $stopped; do kill -CONT "$i" 2>/dev/null; done
	CH_KILLS=$((CH_KILLS + 1))
	if [ -n "$stopped" ]; then
		t_pass "killed at step $step ($*)"
	else
		t_fail "killed at step $step ($*)" "kapsel never stopped there" "$(tail -n 3 "$KT_TMP/ch.err")"
	fi
}

# ch_id: a fresh id in $ID, remembered for the final delete -f.
ch_id() {
	new_id
	CH_IDS+=("$ID")
}

# ---- the snapshot --------------------------------------------------------

ch_snapshot() {
	local p
	echo "## cgroups (every hierarchy)"
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "*$KT_TAG*" 2>/dev/null | sort
	echo "## mounts"
	awk '{print $5}' /proc/self/mountinfo | grep -E "$KT_WORK|$KT_ROOT|$KT_TAG" | sort
	echo "## processes"
	for p in $(kt_tagged_pids); do
		echo "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done | sort
	echo "## links"
	ip -o link show | sed 's/^[0-9]*: //; s/[:@].*//' | sort
	echo "## addresses"
	ip -o addr show | awk '$4 !~ /^fe80:/ {print $2, $4}' | sort
	echo "## nftables"
	nft list ruleset 2>/dev/null
	echo "## ipam"
	jq -cS '.containers' "$KT_ROOT/network/ipam.json" 2>/dev/null
	echo "## state root"
	(cd "$KT_ROOT" && find . -mindepth 1 | sort)
	true
}

# ch_list_all DESC: every state directory is a container `list` shows.
ch_list_all() {
	local dirs listed
	# (.new~ID~ and .gone~ID~: a create or delete killed halfway; the
	# delete -f of the id removes them, the snapshot checks it)
	dirs=$(ls "$KT_ROOT" | grep -vx network | sort)
	listed=$(K list -q </dev/null 2>"$KT_TMP/list.err" | sort)
	assert_eq "$1: list shows every container left on disk" "$dirs" "$listed"
}

# ch_delete_all DESC BEFORE: delete -f of every id `list` shows must remove
# each whole (the host is then as before), and delete -f of every id tried
# must succeed too (for ids without state: nothing left to find).
ch_delete_all() {
	local id bad=""
	for id in $(K list -q </dev/null 2>/dev/null); do
		K delete -f "$id" </dev/null >/dev/null 2>"$KT_TMP/del.err" ||
			bad+="$id: $(cat "$KT_TMP/del.err") "
	done
	assert_eq "$1: delete -f succeeds for every listed id" "" "$bad"
	ch_compare "$1: list + delete -f" "$2"
	for id in "${CH_IDS[@]+"${CH_IDS[@]}"}"; do
		K delete -f "$id" </dev/null >/dev/null 2>"$KT_TMP/del.err" ||
			bad+="$id: $(cat "$KT_TMP/del.err") "
	done
	assert_eq "$1: delete -f succeeds for every id tried" "" "$bad"
	CH_IDS=()
}

# ch_compare DESC BEFORE: the host is as it was.
ch_compare() {
	local after
	after=$(ch_snapshot)
	echo "# $1: done at ${SECONDS}s (one uninterrupted run: ${CH_MS} ms)"
	if [ "$2" = "$after" ]; then
		t_pass "$1: host identical before and after ($CH_KILLS kills)"
	else
		t_fail "$1: host identical before and after ($CH_KILLS kills)" \
			"$(diff <(echo "$2") <(echo "$after") | grep '^[<>]')"
	fi
}

# The container of most sections: sleep 100.
make_bundle c
set_args c sleep 100
BC="$KT_WORK/c"

# ---- create --------------------------------------------------------------

if want create; then
	CREATE_STEPS="reexec create:state create:cgroup create:spawned init:go init:mounted
		create:ready create:committed"

	# A second bundle joins a network namespace by path (made before the
	# snapshot: it is the test's, not kapsel's).
	kt_netns j
	make_bundle j
	set_args j sleep 100
	cfg j '(.linux.namespaces[] | select(.type == "network")) |= (.path = $p)' \
		--arg p "/run/netns/$NETNS"
	jq -e '.linux.namespaces[] | select(.type == "network") | .path' "$KT_WORK/j/config.json" \
		>/dev/null || cfg j '.linux.namespaces += [{"type": "network", "path": $p}]' \
		--arg p "/run/netns/$NETNS"
	ch_id; ch_time create --bundle "$BC" "$ID"
	K delete -f "$ID" </dev/null
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	for i in $(seq $((60 * N))); do
		ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) create --bundle "$BC" "$ID"
	done
	for s in $CREATE_STEPS; do
		ch_id; ch_kill_at "$s" create --bundle "$BC" "$ID"
	done
	# Joining a namespace by path: the init is forked by an intermediate
	# process, so it cannot die with the runtime by PR_SET_PDEATHSIG.
	ch_id; ch_time create --bundle "$KT_WORK/j" "$ID"
	for i in $(seq $((15 * N))); do
		ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) create --bundle "$KT_WORK/j" "$ID"
	done
	for s in create:spawned init:go; do
		ch_id; ch_kill_at "$s" create --bundle "$KT_WORK/j" "$ID"
	done
	ch_list_all create
	ch_delete_all create "$BEFORE"
	# An id without state, as an older kapsel killed halfway left it: a
	# state directory without state.json and an empty cgroup.
	ch_id
	cg2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
	mkdir "$KT_ROOT/$ID"
	[ -n "$cg2" ] && mkdir -p "$cg2/kapsel/$ID"
	kk delete -f "$ID"
	assert_rc "delete -f of an id without state" 0
	assert_eq "delete -f of an id without state: its directory and cgroup are gone" "" \
		"$(ls -d "$KT_ROOT/$ID" ${cg2:+"$cg2/kapsel/$ID"} 2>/dev/null)"
	ch_compare create "$BEFORE"
fi

# ---- run -d, run, start ---------------------------------------------------

if want run; then
	ch_id; ch_time run -d --bundle "$BC" "$ID"
	K delete -f "$ID" </dev/null
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	for i in $(seq $((20 * N))); do
		ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) run -d --bundle "$BC" "$ID"
	done
	ch_id; ch_kill_at create:committed run -d --bundle "$BC" "$ID"
	# In the foreground, a killed run may also be inside its wait or its
	# own delete of the container.
	make_bundle t
	ch_id; ch_time run --bundle "$KT_WORK/t" "$ID"
	for i in $(seq $((10 * N))); do
		ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) run --bundle "$KT_WORK/t" "$ID"
	done
	# start: the init is released, or not yet, or dies with a start killed
	# mid-way; never a state other commands cannot read.
	ch_id; K create --bundle "$BC" "$ID" </dev/null; ch_time start "$ID"
	bad=""
	for i in $(seq $((10 * N))); do
		ch_id; K create --bundle "$BC" "$ID" </dev/null
		ch_kill_random $((CH_MS * 3 / 2 + 2)) start "$ID"
		s=$(state_field "$ID" .status)
		case $s in created|running|stopped) ;; *) bad+="$ID: '$s' " ;; esac
	done
	assert_eq "start: a killed start leaves created, running or stopped" "" "$bad"
	ch_list_all "run -d"
	ch_delete_all "run -d" "$BEFORE"
	ch_compare "run -d" "$BEFORE"
fi

# ---- exec: a killed exec leaves no process outside the container's cgroup --

if want exec; then
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	new_id; E=$ID
	kk run -d --bundle "$BC" "$E"
	assert_rc "exec: the target container runs" 0
	ECG=$(jq -r '.cgroup_path // empty' "$KT_ROOT/$E/state.json")
	ch_time exec "$E" true
	for i in $(seq $((30 * N))); do
		ch_kill_random $((CH_MS * 3 / 2 + 2)) exec "$E" sleep 1001
	done
	for s in exec:forked exec:joined exec:cgroup exec:ready; do
		ch_kill_at "$s" exec "$E" sleep 1001
	done
	outside=""
	for p in $(kt_tagged_pids); do
		case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
		"sleep 100 ") ;;   # the container's init
		*) grep -qx "0::$ECG" "/proc/$p/cgroup" 2>/dev/null ||
			outside+="$p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) " ;;
		esac
	done
	[ -n "$ECG" ] || outside="(no cgroup recorded for $E)"
	assert_eq "exec: no process left outside the container's cgroup" "" "$outside"
	kk exec "$E" true
	assert_rc "exec: the container still takes an exec" 0
	assert_eq "exec: the container still runs" running "$(state_field "$E" .status)"
	CH_IDS+=("$E")
	ch_delete_all exec "$BEFORE"
	ch_compare exec "$BEFORE"
fi

# ---- delete: a killed delete can be repeated ----------------------------

if want delete; then
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	ch_id; K run -d --bundle "$BC" "$ID" </dev/null; ch_time delete -f "$ID"
	for i in $(seq $((20 * N))); do
		ch_id; K run -d --bundle "$BC" "$ID" </dev/null
		ch_kill_random $((CH_MS * 3 / 2 + 2)) delete -f "$ID"
	done
	for s in delete:killed delete:cgroup delete:network delete:state; do
		ch_id; K run -d --bundle "$BC" "$ID" </dev/null
		ch_kill_at "$s" delete -f "$ID"
	done
	ch_list_all delete
	ch_delete_all delete "$BEFORE"
	ch_compare delete "$BEFORE"
fi

# ---- create --network bridge: no address leaked ---------------------------

want network && ! nft list tables >/dev/null 2>&1 && echo "# network: skipped (no nftables in this kernel)"
if want network && nft list tables >/dev/null 2>&1; then
	make_bundle n
	set_args n sleep 100
	BN="$KT_WORK/n"
	ch_id; ch_time create --network bridge --bundle "$BN" "$ID"
	K delete -f "$ID" </dev/null
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	for i in $(seq $((30 * N))); do
		ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) create --network bridge --bundle "$BN" "$ID"
	done
	for s in create:network network:ipam init:go; do
		ch_id; ch_kill_at "$s" create --network bridge --bundle "$BN" "$ID"
	done
	ch_list_all network
	ch_delete_all network "$BEFORE"
	ch_compare "create --network bridge" "$BEFORE"
fi

# ---- concurrent commands on one id ----------------------------------------

if want concurrent; then
	BEFORE=$(ch_snapshot)
	CH_KILLS=0
	for i in $(seq $((4 * N))); do
		ch_id
		(K create --bundle "$BC" "$ID" </dev/null >/dev/null 2>&1; echo $? >"$KT_TMP/c1") &
		(K create --bundle "$BC" "$ID" </dev/null >/dev/null 2>&1; echo $? >"$KT_TMP/c2") &
		wait
		assert_eq "concurrent create of one id: exactly one succeeds" \
			"1" "$(cat "$KT_TMP/c1" "$KT_TMP/c2" | grep -cx 0)"
		assert_eq "concurrent create of one id: it is created" created "$(state_field "$ID" .status)"
		ch_id
		K create --bundle "$BC" "$ID" </dev/null >/dev/null 2>&1 &
		K delete -f "$ID" </dev/null >/dev/null 2>&1 &
		wait
		s=$(state_field "$ID" .status)
		[ -z "$s" ] || [ "$s" = created ] && t_pass "delete during create: nothing or a created container" \
			|| t_fail "delete during create: nothing or a created container" "status: $s"
		ch_id
		K create --bundle "$BC" "$ID" </dev/null >/dev/null 2>&1
		K start "$ID" </dev/null >/dev/null 2>&1 &
		K kill "$ID" KILL </dev/null >/dev/null 2>&1 &
		wait
		s=$(state_field "$ID" .status)
		[ "$s" = running ] || [ "$s" = stopped ] && t_pass "kill during start: running or stopped" \
			|| t_fail "kill during start: running or stopped" "status: $s"
	done
	ch_list_all concurrent
	ch_delete_all concurrent "$BEFORE"
	ch_compare "concurrent commands" "$BEFORE"
fi

# ---- image unpack: no partial layer in the store ---------------------------

if want image; then
	# store_list DIR: what a layer store holds (names, types, sizes).
	store_list() { (cd "$1" && find . -mindepth 1 -printf '%p %y %s\n' | grep -v '^\./lock ' | sort); }

	if command -v umoci >/dev/null; then
		IMG="$KT_WORK/img"
		umoci init --layout "$IMG" >/dev/null && umoci new --image "$IMG:bb" >/dev/null &&
			umoci unpack --image "$IMG:bb" "$KT_WORK/iw" >/dev/null || kt_bail "umoci: cannot build the image"
		cp -a "$KT_ROOTFS/." "$KT_WORK/iw/rootfs/"
		umoci repack --image "$IMG:bb" "$KT_WORK/iw" >/dev/null || kt_bail "umoci repack"
		# A second layer of many small files: an unpack worth interrupting.
		mkdir -p "$KT_WORK/iw/rootfs/many"
		for i in $(seq 150); do echo "$i" >"$KT_WORK/iw/rootfs/many/f$i"; done
		umoci repack --image "$IMG:bb" "$KT_WORK/iw" >/dev/null || kt_bail "umoci repack"
		umoci config --image "$IMG:bb" --config.cmd sleep --config.cmd 100 \
			--config.env "KT_TAG=$KT_TAG" >/dev/null || kt_bail "umoci config"
		rm -rf "$KT_WORK/iw"
		# A full cycle (unpack, release, rm) gives the reference: the layers a
		# complete unpack leaves, and the store once everything is released.
		S0="$KT_WORK/istore0"
		ch_time image unpack --store "$S0" --mode overlay "$IMG:bb" "$KT_WORK/ib0"
		(cd "$S0/layers" && find . -mindepth 1 -printf '%p %y %s\n' | sort) >"$KT_TMP/layers.ref"
		K image release --rm --store "$S0" "$KT_WORK/ib0" </dev/null >/dev/null
		K image rm --store "$S0" "$IMG:bb" </dev/null >/dev/null
		STORE_REF=$(store_list "$S0")
		BEFORE=$(ch_snapshot)
		CH_KILLS=0
		# One store per kill: each kill lands in a first unpack of the layers.
		for i in $(seq $((4 * N))); do
			ch_kill_random $((CH_MS * 3 / 2 + 2)) image unpack --store "$KT_WORK/istore$i" \
				--mode overlay "$IMG:bb" "$KT_WORK/ib$i"
		done
		i=$((4 * N + 1))
		ch_kill_at image:layer image unpack --store "$KT_WORK/istore$i" --mode overlay "$IMG:bb" \
			"$KT_WORK/ib$i"
		partial="" leftover="" stores=""
		for i in $(seq $((4 * N + 1))); do
			st="$KT_WORK/istore$i"
			[ -d "$st/layers" ] || continue
			partial+=$(cd "$st/layers" && find . -mindepth 1 -printf '%p %y %s\n' | sort |
				grep -vxF -f "$KT_TMP/layers.ref")
			# What a killed unpack left goes with the next one and the release.
			K image release --rm --store "$st" "$KT_WORK/ib$i" </dev/null >/dev/null 2>&1
			[ -e "$KT_WORK/ib$i" ] && leftover+="ib$i "
			if K image unpack --store "$st" --mode overlay "$IMG:bb" "$KT_WORK/ic$i" \
				</dev/null >/dev/null 2>"$KT_TMP/iu.err"; then
				[ -z "$(ls "$st/tmp")" ] || leftover+="$st/tmp: $(ls "$st/tmp") "
				K image release --rm --store "$st" "$KT_WORK/ic$i" </dev/null >/dev/null 2>&1
				K image rm --store "$st" "$IMG:bb" </dev/null >/dev/null 2>&1
				[ "$(store_list "$st")" = "$STORE_REF" ] || stores+="$st "
			else
				leftover+="unpack into $st: $(cat "$KT_TMP/iu.err") "
			fi
		done
		assert_eq "image unpack: every layer in the store is whole" "" "$partial"
		assert_eq "image unpack: release --rm and the next unpack clean up after a killed one" "" "$leftover"
		assert_eq "image unpack: each store ends as a complete cycle leaves it" "" "$stores"
		ch_compare "image unpack" "$BEFORE"
		# create --image: the bundle, an overlay in the state directory,
		# goes with delete -f whatever instant the create died at.
		export KAPSEL_IMAGE_STORE="$KT_WORK/rstore"
		CH_KILLS=0
		ch_id; ch_time create --image "$IMG:bb" "$ID"
		K delete -f "$ID" </dev/null
		for i in $(seq $((10 * N))); do
			ch_id; ch_kill_random $((CH_MS * 3 / 2 + 2)) create --image "$IMG:bb" "$ID"
		done
		ch_id; ch_kill_at create:cgroup create --image "$IMG:bb" "$ID"
		ch_list_all "create --image"
		ch_delete_all "create --image" "$BEFORE"
		unset KAPSEL_IMAGE_STORE
		rm -rf "$KT_WORK"/istore* "$KT_WORK/rstore"
		ch_compare "create --image" "$BEFORE"
	fi
fi

# kapsel's shared network state (IPAM, its lock) stays, as the bridge does;
# checked above: no container is left in it.
rm -rf "$KT_ROOT/network"
kt_finish
