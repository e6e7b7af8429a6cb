#!/bin/bash
# Hostile layers: every one must be refused with an error naming the layer
# and the entry, nothing may appear outside the bundle, and the partial bundle
# (and, in overlay mode, the partial store layer) must be gone afterwards.
. "$(dirname "$0")/lib.sh"
need_root

OUT="$T/outside"            # what an escape would write into
mkdir -p "$OUT/dir" && echo original > "$OUT/victim" && echo keep > "$OUT/dir/keep"
snapshot() { (cd "$OUT" && find . -printf '%p %s %T@\n' | sort; cat victim dir/keep) ; }
snapshot > "$T/outside.before"
n=0

# expect NAME MODE REGEX LAYER-SPECS... ; a layer spec is "TARSPEC TARSPEC ..." or
# "@how:TARSPEC ..." for a broken blob (how: bad-digest, bad-size, truncate, bad-diffid)
expect() {
	local name=$1 mode=$2 regex=$3 comp=gzip
	shift 3
	n=$((n + 1))
	local img="$T/img$n" bundle="$T/bundle$n" how="" last
	python3 "$HERE/ocitool.py" new "$img" t
	for layer in "$@"; do
		how=""
		case $layer in @*) how="--${layer%%:*}"; how=${how/@/}; layer=${layer#*:} ;; esac
		# shellcheck disable=SC2086
		python3 "$HERE/mktar.py" "$T/l.tar" $layer
		last=$(python3 "$HERE/ocitool.py" add "$img" t "$T/l.tar" $comp $how)
	done
	if "$KAPSEL" image unpack --mode "$mode" "$img:t" "$bundle" 2> "$T/err"; then
		fail "$name ($mode): unpack succeeded"
	fi
	grep -Eq -- "$regex" "$T/err" || fail "$name ($mode): unexpected error: $(cat "$T/err")"
	grep -q "layer sha256:" "$T/err" || fail "$name ($mode): error names no layer: $(cat "$T/err")"
	[ ! -e "$bundle" ] || fail "$name ($mode): partial bundle left: $(ls -la "$bundle")"
	snapshot | cmp -s - "$T/outside.before" || fail "$name ($mode): outside changed"
	[ -z "$(ls -A "$KAPSEL_IMAGE_STORE/tmp")" ] || fail "$name ($mode): store tmp not cleaned"
	[ ! -e "$KAPSEL_IMAGE_STORE/layers/${last#sha256:}" ] || true
	[ ! -e /escape-kapsel-test ] || fail "$name: wrote /escape-kapsel-test"
	ok "$name ($mode): $(head -c 220 "$T/err")"
}

for mode in copy overlay; do
	expect "dotdot" $mode "entry '\.\./escape'.*'\.\.'" "f:../escape:x"
	expect "deep dotdot" $mode "entry 'a/\.\./\.\./escape'.*'\.\.'" "d:a f:a/../../escape:x"
	expect "absolute" $mode "entry '/escape-kapsel-test'.*absolute" "f:/escape-kapsel-test:x"
	expect "symlink then write" $mode "entry 'ln/victim'.*symlink" "s:ln:$OUT f:ln/victim:pwned"
	expect "relative symlink then write" $mode "entry 'ln/victim'.*symlink" \
		"s:ln:../../../../../../$OUT f:ln/victim:pwned"
	expect "symlink to dir then mkdir" $mode "entry 'ln/dir/new/?'.*symlink" "s:ln:$OUT d:ln/dir/new"
	expect "symlink in layer 1, write in layer 2" $mode "entry 'ln/victim'.*symlink" \
		"s:ln:$OUT" "f:ln/victim:pwned"
	expect "hardlink out (dotdot)" $mode "entry 'hl'.*hardlink target.*'\.\.'" "h:hl:../../../$OUT/victim"
	expect "hardlink out (absolute)" $mode "entry 'hl'.*hardlink target.*absolute" "h:hl:$OUT/victim"
	expect "hardlink through symlink" $mode "entry 'hl'.*symlink" "s:ln:$OUT h:hl:ln/victim"
	expect "whiteout through symlink" $mode "entry 'ln/\.wh\.victim'.*symlink" "s:ln:$OUT" "f:ln/.wh.victim:"
	expect "opaque through symlink" $mode "entry 'ln/dir/\.wh\.\.wh\.\.opq'.*symlink" "s:ln:$OUT" \
		"f:ln/dir/.wh..wh..opq:"
	expect "dir replaced by a symlink, then written" $mode "entry 'a/y'.*symlink" \
		"d:a/ f:a/x:1 s:a:$OUT f:a/y:pwned"
	expect "root-level dir replaced by a symlink in layer 2" $mode "entry 'a/y'.*symlink" \
		"d:a/ f:a/x:1" "s:a:$OUT f:a/y:pwned"
	expect "whiteout of dotdot" $mode "invalid whiteout" "d:a f:a/.wh..:"
	expect "bad digest" $mode "digest mismatch" "@bad-digest:f:a:hello"
	expect "wrong size" $mode "descriptor says" "@bad-size:f:a:hello"
	expect "truncated gzip" $mode "decompress|Truncated|truncated|digest" "@truncate:f:a:$(head -c 3000 /dev/urandom | base64 -w0)"
	expect "bad diff_id" $mode "diff_id mismatch" "@bad-diffid:f:a:hello"
done

# a second layer must not be able to escape through a symlink the image's
# first layer planted even when the path looks innocent
[ ! -e "$OUT/victim.pwned" ] || fail "escape"
echo "all $n hostile images refused"
