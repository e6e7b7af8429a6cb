#!/bin/bash
# `podman run --rm IMAGE true` with kapsel, crun and runc as podman's
# runtime, interleaved round-robin, inside the test VM (pure cgroup2; on the
# hybrid build hosts crun refuses to run and kapsel has no v1 backend yet).
# Prints medians and the ratios kapsel/crun and kapsel/runc. Under TCG the
# absolute times mean nothing against a real machine: read the ratios.
# Most of each run is podman and conmon, the same for all three runtimes.
#   bench/bench-clients.sh [ROUNDS]      (default 10)
#   KAPSEL=/path/to/kapsel (default ./kapsel of the current build dir)
set -u
ROUNDS=${1:-10}
here=$(cd "$(dirname "$0")" && pwd)
KAPSEL=$(readlink -f "${KAPSEL:-$PWD/kapsel}")
export KAPSEL

if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	# On the host: build the image here, run this very script in the VM.
	CLIENTS_IMG=$(mktemp -d /tmp/kapsel-bench-img.XXXXXX)
	trap 'rm -rf "$CLIENTS_IMG"' EXIT
	bash "$here/../tests/integration/clients/prepare-image.sh" "$CLIENTS_IMG" || exit 1
	export CLIENTS_IMG KAPSEL_VM_ENV="CLIENTS_IMG ${KAPSEL_VM_ENV:-}"
	"$here/../tests/vm/run-in-vm.sh" --cwd "$PWD" bash "$here/bench-clients.sh" "$ROUNDS"
	exit
fi
for t in podman crun runc; do
	command -v $t >/dev/null || { echo "bench: $t is not installed"; exit 77; }
done
T=$(mktemp -d /var/tmp/kapsel-bench.XXXXXX)
cat >"$T/containers.conf" <<C
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "none"
tmp_dir = "$T/tmp"
static_dir = "$T/static"
volume_path = "$T/volumes"
[engine.runtimes]
kapsel = ["$KAPSEL"]
crun = ["$(command -v crun)"]
runc = ["$(command -v runc)"]
C
printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$T/runroot" "$T/graph" \
	>"$T/storage.conf"
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf
podman load -q -i "$CLIENTS_IMG/bb-oci.tar" >/dev/null || exit 1

now() { date +%s%N; }
one() { # one RUNTIME: ms for podman run --rm IMAGE true
	local t0 t1
	t0=$(now)
	podman --runtime "$1" run --rm localhost/bb:latest true </dev/null >/dev/null 2>"$T/err" ||
		{ echo "bench: podman --runtime $1 failed: $(cat "$T/err")" >&2; return 1; }
	t1=$(now)
	echo $(( (t1 - t0) / 1000 ))
}
median() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000}'; }

RTS="kapsel crun runc"
for rt in $RTS; do one "$rt" >/dev/null || exit 1; : >"$T/t-$rt"; done   # warm-up
for i in $(seq "$ROUNDS"); do
	for rt in $RTS; do one "$rt" >>"$T/t-$rt" || exit 1; done
done
echo "podman run --rm IMAGE true, $ROUNDS rounds interleaved, inside the TCG VM:"
for rt in $RTS; do
	m=$(median <"$T/t-$rt"); eval "m_$rt=$m"
	printf '  %-6s median %8s ms\n' "$rt" "$m"
done
awk -v k="$m_kapsel" -v c="$m_crun" -v r="$m_runc" \
	'BEGIN {printf "  ratio kapsel/crun %.2f, kapsel/runc %.2f\n", k / c, k / r}'
echo "  containers left: $(podman ps -a -q | wc -l)"
rm -rf "$T"
