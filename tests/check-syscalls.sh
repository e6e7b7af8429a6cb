#!/bin/sh
# Every raw syscall goes through the typed wrappers in common/syscalls.h.
cd "${abs_top_srcdir:-.}" || exit 1
bad=$(grep -rn --include='*.c' --include='*.h' -E '\bsyscall *\(' \
	cli runtime spec namespaces cgroups lsm image netsetup common 2>/dev/null |
	grep -v '^common/syscalls.h:')
if [ -n "$bad" ]; then
	echo "raw syscall() outside common/syscalls.h:"
	echo "$bad"
	exit 1
fi
echo "ok: no raw syscall() outside common/syscalls.h"
