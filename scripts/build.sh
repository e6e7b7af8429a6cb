#!/usr/bin/env bash
# build.sh DIR [CONFIGURE ARGS...]: an out-of-tree build of kapsel in DIR
# (relative to the repo), configured once, then `make -j$JOBS`.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
DIR=$1; shift
JOBS=${JOBS:-2}

if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi >/dev/null
fi
mkdir -p "$DIR"
cd "$DIR"
if [ ! -f Makefile ] || [ "$SRC/configure" -nt config.status ]; then
	"$SRC/configure" -q "$@"
fi
make -j"$JOBS" >/dev/null
