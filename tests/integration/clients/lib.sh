# Helpers for the client suites (sourced): podman, conmon and containerd
# driving $KAPSEL, inside the test VM (suite.sh). TAP output through the
# assertions of ../lib.sh; each client gets private roots in $CT.
CL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$CL_DIR/../lib.sh"
KAPSEL=$(readlink -f "$KAPSEL")
CL_TIMEOUT=${CL_TIMEOUT:-120}

# run_out CMD...: CMD with stdin from /dev/null, bounded in time, into $OUT
# $ERR $RC (files, not pipes: detached containers keep stdio open).
run_out() {
	timeout -k 5 "$CL_TIMEOUT" "$@" </dev/null >"$CT/out" 2>"$CT/err"
	RC=$?
	OUT=$(cat "$CT/out")
	ERR=$(cat "$CT/err")
	return 0
}

# one_line_err DESC ERE: $ERR has a line matching ERE (the client wraps
# kapsel's one-line error in its own words, so only that line is checked).
err_has() {
	if printf '%s\n' "$ERR" | grep -Eiq -- "$2"; then
		t_pass "$1"
	else
		t_fail "$1" "expected stderr matching: $2" "got: $ERR" "rc: $RC"
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.2 s.
wait_until() {
	local t=$1 i; shift
	for i in $(seq $((t * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}

# The test image: made on the host by clients-vm.test (prepare-image.sh)
# into $CLIENTS_IMG: bb-oci.tar (OCI archive, ref localhost/bb:latest) and
# bb-docker.tar (docker archive, same name).
IMG=localhost/bb:latest

# kapsel's containers are found by their cgroups: every client here asks for
# cgroups below a name with this run's tag.
cl_cgroups_of() { find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$1" 2>/dev/null; }
