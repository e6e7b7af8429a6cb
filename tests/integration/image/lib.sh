# Shared by the image integration tests: skips, a private temp dir and layer
# store (never /var/lib/kapsel), and a tree listing to compare unpacked trees.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
KAPSEL=${KAPSEL:-$(cd "$HERE/../../.." && pwd)/kapsel}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }

need_root() { [ "$(id -u)" = 0 ] || skip "needs root (ownership, device nodes, overlay mounts)"; }
need_tool() { command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (apt-get install ${2:-$1})"; }

[ -x "$KAPSEL" ] || skip "no kapsel binary at $KAPSEL"
need_tool python3

T=$(mktemp -d /tmp/kapsel-image-test.XXXXXX)
export KAPSEL_IMAGE_STORE="$T/store"
cleanup() {
	# overlay bundles are mounts: undo them before removing the temp dir
	for m in $(findmnt -rn -o TARGET | grep "^$T/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT

# One line per file: path type mode uid gid size/target sha256 xattrs hardlink-group.
tree() { python3 "$HERE/treelist.py" "$@"; }

# Checks that two rootfs trees are identical in everything tree() lists.
same_tree() {
	tree "$1" > "$T/a.list"
	tree "$2" > "$T/b.list"
	diff -u "$T/a.list" "$T/b.list" >&2 || fail "$3: trees differ ($1 vs $2)"
}
