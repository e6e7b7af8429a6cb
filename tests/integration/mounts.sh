#!/usr/bin/env bash
# Mounts, checked from inside the container through /proc/self/mountinfo,
# stat and real reads/writes/execs.
. "$(dirname "$0")/lib.sh"
kt_init

# mountinfo line fields: 5 mount point, 6 per-mount options, 7.. optional
# fields up to "-", then fstype, source, super options.
MI='awk '\''{ o = ""; for (i = 7; $i != "-"; i++) o = o $i " "; print $5, $(i+1), $6, $(i+3), "[" o "]" }'\'' /proc/self/mountinfo'
mi_line() { grep -E "^$1 " <<<"$OUT" | tail -n1; }

# ---- the default mounts and devices --------------------------------------
make_bundle def
ctr_sh def "$MI"
assert_rc "run with the default mounts" 0
for m in "/proc proc" "/dev tmpfs" "/dev/pts devpts" "/dev/shm tmpfs" "/dev/mqueue mqueue" "/sys sysfs"; do
	set -- $m
	assert_match "$1 is $2" "$OUT" "^$1 $2 "
done
assert_match "/sys is read-only (spec option ro)" "$(mi_line /sys)" '^/sys sysfs ro,'
assert_match "/dev/shm is nosuid,nodev,noexec" "$(mi_line /dev/shm)" '^/dev/shm tmpfs rw,nosuid,nodev,noexec'
assert_match "/dev/pts has its own instance with ptmxmode=666" "$(mi_line /dev/pts)" 'ptmxmode=0?666'
ctr_sh def 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
assert_eq "default devices null zero full random urandom tty" "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0" "$OUT"
ctr_sh def 'echo x > /dev/null && head -c 3 /dev/zero | od -An -tx1 && head -c 8 /dev/urandom | wc -c; echo x > /dev/full || echo full-refused'
assert_eq "default devices work" "00 00 00 8 full-refused" "$(echo $OUT)"
ctr_sh def 'for l in fd stdin stdout stderr; do readlink /dev/$l; done; ls -l /dev/ptmx | cut -c1; readlink /dev/ptmx || stat -c "%t:%T" /dev/ptmx'
assert_eq "/dev/fd, stdin, stdout, stderr symlinks" $'/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2' \
	"$(sed -n 1,4p <<<"$OUT")"
assert_match "/dev/ptmx is pts/ptmx (symlink) or 5:2" "$(sed -n 6p <<<"$OUT")" '^(pts/ptmx|/dev/pts/ptmx|5:2)$'
# /dev/core (-> /proc/kcore) is optional: runc makes none, Docker does.
ctr_sh def 'ls /dev | grep -vx core | tr "\n" " "'
assert_eq "nothing else from the host's /dev" "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "$OUT"

# linux.devices
make_bundle devs
cfg devs '.linux.devices = [{"path":"/dev/kt-full","type":"c","major":1,"minor":7,"fileMode":432,"uid":0,"gid":5},
	{"path":"/dev/sub/kt-zero","type":"c","major":1,"minor":5}]
	| .linux.resources.devices += [{"allow":true,"type":"c","major":1,"minor":7,"access":"rwm"},
	{"allow":true,"type":"c","major":1,"minor":5,"access":"rwm"}]'
ctr_sh devs 'stat -c "%F %t:%T %a %u:%g" /dev/kt-full; stat -c "%F %t:%T" /dev/sub/kt-zero; head -c 2 /dev/sub/kt-zero | od -An -tx1'
assert_eq "linux.devices created with type, numbers, mode, owner" \
	$'character special file 1:7 660 0:5\ncharacter special file 1:5\n 00 00' "$OUT"

# ---- bind, rbind, ro, nosuid, nodev, noexec, tmpfs ------------------------
mkdir -p "$KT_WORK/src/sub"
echo bound >"$KT_WORK/src/file"
kt_host_mount -t tmpfs kt-sub "$KT_WORK/src/sub"
echo submount >"$KT_WORK/src/sub/x"
make_bundle opts
cfg opts '.mounts += [
	{"destination":"/mnt/bind","type":"bind","source":$s,"options":["bind"]},
	{"destination":"/mnt/rbind","type":"bind","source":$s,"options":["rbind"]},
	{"destination":"/mnt/ro","type":"bind","source":$s,"options":["bind","ro"]},
	{"destination":"/mnt/t","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","noexec","size=4m","mode=1770"]},
	{"destination":"/mnt/exec","type":"tmpfs","source":"tmpfs","options":["size=4m"]},
	{"destination":"/a/b/c","type":"tmpfs","source":"tmpfs"},
	{"destination":"/mnt/relsrc","type":"bind","source":"relsrc","options":["bind"]}]' --arg s "$KT_WORK/src"
mkdir -p "$KT_WORK/opts/relsrc"
echo relative >"$KT_WORK/opts/relsrc/f"
# stat on the first run: runc chmods a tmpfs to the mode of an existing mount point.
ctr_sh opts "stat -c %a /mnt/t; cat /mnt/bind/file; cat /mnt/bind/sub/x 2>/dev/null || echo no-sub; cat /mnt/rbind/sub/x; $MI"
assert_rc "run with bind, rbind, ro, tmpfs mounts" 0
assert_eq "tmpfs mode=1770: the mount's root has mode 1770" 1770 "$(sed -n 1p <<<"$OUT")"
assert_eq "bind: file visible" bound "$(sed -n 2p <<<"$OUT")"
assert_match "bind source relative to the bundle" "$(mi_line /mnt/relsrc)" '^/mnt/relsrc '

assert_eq "bind (not rbind): submount not carried" no-sub "$(sed -n 3p <<<"$OUT")"
assert_eq "rbind: submount carried" submount "$(sed -n 4p <<<"$OUT")"
assert_match "ro: mounted read-only" "$(mi_line /mnt/ro)" '^/mnt/ro [a-z0-9]+ ro[, ]'
assert_match "nosuid,nodev,noexec on the mount" "$(mi_line /mnt/t)" '^/mnt/t tmpfs rw,nosuid,nodev,noexec'
assert_match "tmpfs size=4m" "$(mi_line /mnt/t)" '(^|[ ,])size=4096k(,| |$)'
assert_match "tmpfs mode=1770" "$(mi_line /mnt/t)" '(^|[ ,])mode=1770(,| |$)'
assert_match "target created inside the rootfs (/a/b/c)" "$(mi_line /a/b/c)" '^/a/b/c tmpfs '
ctr_sh opts 'echo x > /mnt/ro/new 2>/dev/null && echo ro-writable || echo ro-refused
	cp /bin/busybox /mnt/t/true && /mnt/t/true 2>/dev/null; echo noexec-rc=$?
	cp /bin/busybox /mnt/exec/true && /mnt/exec/true; echo exec-rc=$?'
assert_eq "ro refuses writes, noexec refuses exec (126), exec allowed" \
	"ro-refused noexec-rc=126 exec-rc=0" "$(echo $OUT)"
[ ! -e "$KT_WORK/src/new" ] && t_pass "ro: nothing written to the source" || t_fail "ro: nothing written to the source"
[ -d "$KT_WORK/opts/rootfs/a/b/c" ] && t_pass "missing target directories created in the rootfs" \
	|| t_fail "missing target directories created in the rootfs"

# ---- propagation ---------------------------------------------------------
mkdir -p "$KT_WORK/propsrc" "$KT_WORK/ctl"
kt_host_mount -t tmpfs kt-prop "$KT_WORK/propsrc"
mount --make-shared "$KT_WORK/propsrc"
make_bundle prop
cfg prop '.mounts += [
	{"destination":"/mnt/shared","type":"bind","source":$w,"options":["rbind","rshared"]},
	{"destination":"/mnt/private","type":"bind","source":$w,"options":["rbind","rprivate"]},
	{"destination":"/mnt/slave","type":"bind","source":$p,"options":["rbind","rslave"]},
	{"destination":"/mnt/ctl","type":"bind","source":$c,"options":["rbind"]}]
	| .linux.rootfsPropagation = "slave"' --arg w "$KT_WORK/src" --arg p "$KT_WORK/propsrc" \
	--arg c "$KT_WORK/ctl"
set_args prop sh -c "$MI > /mnt/ctl/mi; touch /mnt/ctl/ready
	while [ ! -e /mnt/ctl/go ]; do sleep 0.1; done; cat /mnt/slave/sub/x > /mnt/ctl/result 2>&1"
new_id
kk run --detach --bundle "$KT_WORK/prop" "$ID"
assert_rc "run with propagation options" 0
wait_file "$KT_WORK/ctl/ready"
OUT=$(cat "$KT_WORK/ctl/mi" 2>&1)
assert_match "rshared: the mount is shared" "$(mi_line /mnt/shared)" '\[.*shared:[0-9]+'
assert_match "rprivate: no peer group, no master" "$(mi_line /mnt/private)" '\[\]$'
assert_match "rslave: the mount has a master" "$(mi_line /mnt/slave)" '\[.*master:[0-9]+'
mkdir -p "$KT_WORK/propsrc/sub"
kt_host_mount -t tmpfs kt-prop-sub "$KT_WORK/propsrc/sub"
echo propagated >"$KT_WORK/propsrc/sub/x"
touch "$KT_WORK/ctl/go"
wait_file "$KT_WORK/ctl/result"
assert_eq "rslave: a later host mount propagates into the container" propagated \
	"$(cat "$KT_WORK/ctl/result" 2>&1)"
wait_status "$ID" stopped
kk delete "$ID"

# The rootfs on a shared mount, so that private has something to undo.
make_bundle rprop
mkdir -p "$KT_WORK/rprop-shared"
kt_host_mount -t tmpfs kt-rprop "$KT_WORK/rprop-shared"
mount --make-shared "$KT_WORK/rprop-shared"
cp -a "$KT_WORK/rprop/rootfs" "$KT_WORK/rprop-shared/"
cfg rprop '.linux.rootfsPropagation = "private" | .root.path = $r' --arg r "$KT_WORK/rprop-shared/rootfs"
ctr_sh rprop "$MI"
assert_match "rootfsPropagation private: / has no peer group, no master" "$(mi_line /)" '\[\]$'

# ---- maskedPaths, readonlyPaths, root.readonly ---------------------------
make_bundle mask
echo secret >"$KT_WORK/mask/rootfs/etc/kt-secret"
mkdir -p "$KT_WORK/mask/rootfs/etc/kt-secretdir" "$KT_WORK/mask/rootfs/etc/kt-ro"
echo secret >"$KT_WORK/mask/rootfs/etc/kt-secretdir/f"
cfg mask '.linux.maskedPaths = ["/etc/kt-secret", "/etc/kt-secretdir", "/proc/kcore", "/does/not/exist"]
	| .linux.readonlyPaths = ["/etc/kt-ro", "/proc/sys", "/does/not/exist2"]'
ctr_sh mask 'echo "[$(cat /etc/kt-secret)]"; ls /etc/kt-secretdir | wc -l; echo "[$(head -c 10 /proc/kcore | wc -c)]"
	touch /etc/kt-ro/x 2>/dev/null && echo ro-writable || echo ro-refused
	echo x > /proc/sys/kernel/hostname 2>/dev/null && echo sys-writable || echo sys-refused
	touch /etc/kt-secret-sibling && echo rest-writable'
assert_rc "run with maskedPaths and readonlyPaths" 0
assert_eq "masked file reads empty, masked dir is empty, /proc/kcore masked; readonly paths refuse writes" \
	"[] 0 [0] ro-refused sys-refused rest-writable" "$(echo $OUT)"

make_bundle rootro
cfg rootro '.root.readonly = true'
ctr_sh rootro "touch /newfile 2>/dev/null && echo writable || echo refused; echo x > /dev/shm/ok && echo shm-ok; $MI"
assert_rc "run with root.readonly" 0
assert_eq "root.readonly: / refuses writes, /dev/shm still writable" $'refused\nshm-ok' "$(sed -n 1,2p <<<"$OUT")"
assert_match "root.readonly: / is mounted ro" "$(mi_line /)" '^/ [a-z0-9]+ ro[, ]'

# ---- hostile symlinks: mount targets resolve inside the rootfs ----------
mkdir -p "$KT_WORK/escape" "$KT_WORK/escape2"
make_bundle evil
ln -s "$KT_WORK/escape" "$KT_WORK/evil/rootfs/evil"
ln -s "../../../../../../../../../..$KT_WORK/escape2" "$KT_WORK/evil/rootfs/evil2"
cfg evil '.mounts += [
	{"destination":"/evil/x","type":"tmpfs","source":"tmpfs"},
	{"destination":"/evil2/y","type":"bind","source":$s,"options":["bind"]}]' --arg s "$KT_WORK/src"
ctr_sh evil "echo inside > /evil/x/f; cat /evil2/y/file; $MI"
assert_rc "run with mount targets behind symlinks" 0
assert_eq "the mounts work inside" bound "$(sed -n 1p <<<"$OUT")"
assert_eq "absolute symlink: host directory untouched" "" "$(ls -A "$KT_WORK/escape")"
assert_eq "relative ../ symlink: host directory untouched" "" "$(ls -A "$KT_WORK/escape2")"
assert_match "absolute symlink: mount landed at rootfs$KT_WORK/escape/x" "$OUT" "^$KT_WORK/escape/x tmpfs "
[ -d "$KT_WORK/evil/rootfs$KT_WORK/escape/x" ] && [ -d "$KT_WORK/evil/rootfs$KT_WORK/escape2/y" ] \
	&& t_pass "targets created under the rootfs" \
	|| t_fail "targets created under the rootfs" "$(cd "$KT_WORK/evil/rootfs" && find . -path ./proc -prune -o -path "*escape*" -print)"

# ---- --no-pivot ----------------------------------------------------------
make_bundle nopivot
set_args nopivot sh -c 'ls /bin/busybox && cat /etc/passwd | head -n1 && ls /mnt'
new_id
kk run --no-pivot --bundle "$KT_WORK/nopivot" "$ID"
assert_rc "run --no-pivot" 0
assert_eq "--no-pivot: / is the rootfs" $'/bin/busybox\nroot:x:0:0:root:/root:/bin/sh' "$(sed -n 1,2p <<<"$OUT")"

kt_finish
