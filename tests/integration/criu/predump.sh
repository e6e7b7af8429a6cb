#!/bin/bash
# Live migration's memory side: a container with 256 MiB of anonymous memory
# (helpers/memhog, which dirties one page every 100 ms) is dumped once
# whole, then again as a pre-dump (memory only, it keeps running) followed by
# a final dump that writes only what changed since. The downtime is CRIU's
# own stats (stats-dump, read with crit): frozen_time, the whole freeze, is
# printed; the check is on the memory part of it (memdump_time +
# memwrite_time), which must be lower after a pre-dump. Under TCG on a busy
# host the rest of the freeze (seizing, parasite, files) is seconds of noise
# that swamps the whole (measured: 10.0 s vs 9.6 s in one run, 20.1 s vs
# 7.3 s in another), so a check on the total would be flaky. Then the final
# images (with the pre-dump as parent) are restored and memhog goes on, its
# pages intact.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

MEMHOG=${abs_top_builddir:-$(dirname "$KAPSEL")}/tests/integration/helpers/memhog
if [ ! -x "$MEMHOG" ]; then
	echo "1..0 # SKIP $MEMHOG is not built (make check builds it)"
	exit 77
fi
iters() { cat "$1/rootfs/data/n" 2>/dev/null || echo 0; }
advancing() { local a b; a=$(iters "$1"); sleep 0.5; b=$(iters "$1"); [ "$b" != corrupt ] && [ "$b" -gt "$a" ]; }
frozen_ms() { crit decode -i "$1/stats-dump" 2>/dev/null |
	jq '.entries[0].dump.frozen_time / 1000 | floor'; }
mem_ms() { crit decode -i "$1/stats-dump" 2>/dev/null |
	jq '(.entries[0].dump.memdump_time + .entries[0].dump.memwrite_time) / 1000 | floor'; }
written() { crit decode -i "$1/stats-dump" 2>/dev/null | jq '.entries[0].dump.pages_written'; }

# A network namespace joined by path: CRIU leaves it alone, so the frozen
# time is about memory, not about running ip and iptables-save under TCG.
NS=kcriu-hog$$
$IP netns add $NS
trap '$IP netns del $NS 2>/dev/null' EXIT
B=$T/hog
bundle "$B" 'exec /bin/memhog 256 /data/n' "$(netns_filter $NS)"
cp "$MEMHOG" "$B/rootfs/bin/memhog"
check "run -d memhog (256 MiB)" K run -d --bundle "$B" hog
check "memhog filled its memory and runs" wait_for 120 advancing "$B"

check "full dump (--leave-running)" K checkpoint --leave-running --image-path "$T/full" hog
full=$(frozen_ms "$T/full"); full_pages=$(written "$T/full"); full_mem=$(mem_ms "$T/full")
echo "# full dump: frozen ${full} ms (memory ${full_mem} ms), ${full_pages} pages written"
rm -rf "$T/full"

check "pre-dump" K checkpoint --pre-dump --image-path "$T/pre" hog
eq "still running after the pre-dump" "$(status_of hog)" running
check "still advancing" advancing "$B"
check "final dump with --parent-path" K checkpoint --parent-path ../pre --image-path "$T/final" hog
final=$(frozen_ms "$T/final"); final_pages=$(written "$T/final"); final_mem=$(mem_ms "$T/final")
echo "# pre-dump + dump: frozen ${final} ms (memory ${final_mem} ms), ${final_pages} pages written"
check "the final dump wrote fewer pages (${final_pages} < ${full_pages})" \
	test "${final_pages:-999999999}" -lt "${full_pages:-0}"
check "downtime, memory part: ${final_mem} ms < ${full_mem} ms (whole freeze: ${final} vs ${full} ms)" \
	test "${final_mem:-999999}" -lt "${full_mem:-0}"
eq "the container is gone after the final dump" "$(K list -q)" ""

check "restore from the final dump (pages from its parent)" \
	K restore -d --image-path "$T/final" --bundle "$B" hog
check "memhog goes on, its memory intact" wait_for 60 advancing "$B"
check "delete -f" K delete -f hog
check "host clean" host_clean hog
done_testing
