# Rootless test helpers (sourced after tests/integration/lib.sh and kt_init).
#
# rl_setup makes (or reuses) an unprivileged user, $RL_USER, with a subuid
# and subgid range, and a private XDG_RUNTIME_DIR; UK/uk run the runtime as
# that user with nothing of root's environment. rl_cleanup (called from the
# EXIT trap) deletes what rl_setup added: the user, its group and its
# /etc/subuid and /etc/subgid lines, and puts back shadow-utils' backup files
# (passwd-, subuid-...) so that /etc is byte for byte (and time) as it was.
#
# Only /etc/passwd, group, shadow, gshadow, subuid and subgid (and their "-"
# backups) change, and only by the test user's lines, for the test's length;
# a lock serializes concurrent runs on one host.

RL_USER=${KAPSEL_RL_USER:-kapseltest}
RL_CREATED=0
RL_LOCK=/run/lock/kapsel-rootless-user.lock
RL_ETC_FILES="passwd group shadow gshadow subuid subgid passwd- group- shadow- gshadow- subuid- subgid-"

# The test user's first subordinate id, from /etc/subuid or /etc/subgid.
rl_sub_start() {
	awk -F: -v u="$RL_USER" -v id="$RL_UID" '$1 == u || $1 == id { print $2; exit }' "$1"
}

rl_setup() {
	command -v setpriv >/dev/null || kt_skip "setpriv is not installed (util-linux)"
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null \
		|| kt_skip "newuidmap/newgidmap are not installed (apt-get install uidmap)"
	command -v useradd >/dev/null || kt_skip "useradd is not installed (passwd)"
	mkdir -p "${RL_LOCK%/*}"
	exec 8>"$RL_LOCK"
	flock 8
	mkdir -p "$KT_WORK/etc-saved"
	if ! id -u "$RL_USER" >/dev/null 2>&1; then
		# useradd/userdel also rewrite shadow-utils' backups (passwd-...):
		# saved with their times, put back when the main files are unchanged.
		for f in $RL_ETC_FILES; do
			[ -e "/etc/$f" ] && cp -p "/etc/$f" "$KT_WORK/etc-saved/"
		done
		useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$RL_USER" \
			|| kt_bail "useradd $RL_USER failed"
		RL_CREATED=1
	fi
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# useradd adds a range where /etc/login.defs says so; make sure of one.
	[ -n "$(rl_sub_start /etc/subuid)" ] || rl_add_subids
	RL_SUBUID=$(rl_sub_start /etc/subuid)
	RL_SUBGID=$(rl_sub_start /etc/subgid)
	[ -n "$RL_SUBUID" ] && [ -n "$RL_SUBGID" ] || kt_bail "no subuid/subgid range for $RL_USER"
	RL_XDG="$KT_WORK/xdg-run"
	mkdir -m 700 "$RL_XDG" && chown "$RL_UID:$RL_GID" "$RL_XDG"
	# The runtime the user runs: a copy it can read wherever the build is.
	mkdir -p "$KT_WORK/bin"
	cp "$KAPSEL" "$KT_WORK/bin/kapsel" && chmod 755 "$KT_WORK/bin/kapsel"
	RL_BIN="$KT_WORK/bin/kapsel"
	# The state the runtime keeps for the user: what the host-clean check
	# (kt_leftovers) looks at.
	rmdir "$KT_ROOT"
	KT_ROOT="$RL_XDG/kapsel"
	# kt_finish and the EXIT trap both end in kt_cleanup: ours runs first.
	eval "$(declare -f kt_cleanup | sed '1s/kt_cleanup/kt_cleanup_lib/')"
	kt_cleanup() { rl_cleanup; kt_cleanup_lib; }
	echo "# user $RL_USER uid $RL_UID gid $RL_GID, subuid $RL_SUBUID, subgid $RL_SUBGID$( \
		[ $RL_CREATED = 1 ] || echo ' (reused)')"
}

# The ids of a 65536 range free in both files (after every existing one).
rl_add_subids() {
	local start
	start=$(cat /etc/subuid /etc/subgid 2>/dev/null |
		awk -F: 'BEGIN { m = 100000 } $2 + $3 > m { m = $2 + $3 } END { print m }')
	usermod --add-subuids "$start-$((start + 65535))" \
		--add-subgids "$start-$((start + 65535))" "$RL_USER" || kt_bail "usermod --add-subuids failed"
}

# rl_without_subids CMD...: runs CMD while the user has no subuid/subgid range.
rl_without_subids() {
	local su sg rc
	su=$(grep "^$RL_USER:" /etc/subuid)
	sg=$(grep "^$RL_USER:" /etc/subgid)
	usermod --del-subuids "$RL_SUBUID-$((RL_SUBUID + 65535))" \
		--del-subgids "$RL_SUBGID-$((RL_SUBGID + 65535))" "$RL_USER" \
		|| kt_bail "usermod --del-subuids failed"
	"$@"
	rc=$?
	usermod --add-subuids "$RL_SUBUID-$((RL_SUBUID + 65535))" \
		--add-subgids "$RL_SUBGID-$((RL_SUBGID + 65535))" "$RL_USER" \
		|| kt_bail "usermod --add-subuids failed"
	[ "$su" = "$(grep "^$RL_USER:" /etc/subuid)" ] && [ "$sg" = "$(grep "^$RL_USER:" /etc/subgid)" ] \
		|| kt_bail "could not restore the subuid/subgid range of $RL_USER"
	return $rc
}

rl_cleanup() {
	local f
	# The user's containers first, as the user (root would not find them).
	[ -n "${RL_BIN:-}" ] && for f in $(ls -A "$KT_ROOT" 2>/dev/null); do
		UK delete --force "$f" >/dev/null 2>&1 </dev/null
	done
	if [ "$RL_CREATED" = 1 ]; then
		for f in $(kt_tagged_pids); do kill -KILL "$f" 2>/dev/null; done
		userdel "$RL_USER" 2>/dev/null
		for f in subuid subgid; do
			grep -q "^$RL_USER:" /etc/$f 2>/dev/null && sed -i "/^$RL_USER:/d" /etc/$f
		done
		rl_restore_etc
	fi
	RL_CREATED=0
	flock -u 8 2>/dev/null
}

# Puts back the saved /etc files (contents, modes, times) when the main ones
# hold exactly what they held before: then only the test changed them.
rl_restore_etc() {
	local f
	for f in passwd group shadow gshadow subuid subgid; do
		[ -e "$KT_WORK/etc-saved/$f" ] || continue
		if ! cmp -s "/etc/$f" "$KT_WORK/etc-saved/$f"; then
			echo "# WARNING: /etc/$f differs from before the test (another writer?): left as is"
			return 0
		fi
	done
	for f in $RL_ETC_FILES; do
		[ -e "$KT_WORK/etc-saved/$f" ] && cp -p "$KT_WORK/etc-saved/$f" "/etc/$f"
	done
	return 0
}

# rl_as_user CMD...: CMD as the test user, with a clean environment.
rl_as_user() {
	setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$RL_XDG" \
		XDG_RUNTIME_DIR="$RL_XDG" KT_TAG="$KT_TAG" ${RL_EXTRA_ENV:-} "$@"
}

# UK ARGS...: the runtime as the test user, its default --root.
UK() {
	rl_as_user timeout -k 5 "$KT_TIMEOUT" "$RL_BIN" "$@"
}

# uk ARGS...: like kk (lib.sh), as the test user.
uk() {
	UK "$@" </dev/null >"$KT_TMP/out" 2>"$KT_TMP/err"
	RC=$?
	OUT=$(cat "$KT_TMP/out")
	ERR=$(cat "$KT_TMP/err")
	return 0
}

# rl_bundle NAME: $KT_WORK/NAME owned by the user, its config.json from
# `spec --rootless` run by the user, made non-interactive (args `true`).
rl_bundle() {
	local name=$1
	B="$KT_WORK/$name"
	mkdir -p "$B"
	cp -a "$KT_ROOTFS" "$B/rootfs"
	chown -R "$RL_UID:$RL_GID" "$B"
	uk spec --rootless --bundle "$B"
	[ "$RC" = 0 ] && [ -f "$B/config.json" ] || kt_bail "spec --rootless as $RL_USER failed: $ERR"
	cfg "$name" '.process.terminal = false | .process.args = ["true"]
		| .process.env += ["KT_TAG=" + $tag]' --arg tag "$KT_TAG"
}

# rl_sh NAME SCRIPT: `sh -c SCRIPT` in a fresh container of bundle NAME, run
# in the foreground by the user; $OUT $ERR $RC, id in $ID.
rl_sh() {
	local name=$1; shift
	set_args "$name" sh -c "$@"
	new_id
	uk run --bundle "$KT_WORK/$name" "$ID"
}

# rl_state ID JQ: a field of `state ID` run by the user.
rl_state() {
	UK state "$1" 2>/dev/null </dev/null | jq -r "$2" 2>/dev/null
}
