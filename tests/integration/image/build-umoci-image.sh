# Sourced: builds $T/oci (tags v1, v2, v3) with umoci, the reference tool.
#  v1: umoci new + repack of a rootfs with owners, setuid/setgid/sticky, xattrs,
#      security.capability, hardlinks, symlinks, a fifo, a device, a sparse file
#  v2: repack after deleting a file and a tree (whiteouts) and changing others
#  v3: umoci insert --opaque (opaque dir) and --whiteout, then config
need_tool umoci
need_tool setcap libcap2-bin
[ -x /usr/bin/busybox ] || skip "busybox not installed (apt-get install busybox-static)"

umoci init --layout "$T/oci"
umoci new --image "$T/oci:v0"
umoci unpack --image "$T/oci:v0" "$T/ub" >/dev/null
R="$T/ub/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/home/app" "$R/del/sub" "$R/opq/old" "$R/sgid" "$R/sticky"
cp /usr/bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\napp:x:1000:\nextra:x:2000:app\nother:x:3000:root\n' > "$R/etc/group"
echo hello > "$R/hello"
chown 1000:1000 "$R/home/app" && echo mine > "$R/home/app/file" && chown 1000:2000 "$R/home/app/file"
cp /usr/bin/busybox "$R/bin/suid" && chmod 4755 "$R/bin/suid"
echo g > "$R/bin/sgidfile" && chmod 2711 "$R/bin/sgidfile"
chmod 2775 "$R/sgid" && chmod 1777 "$R/sticky" && chmod 1777 "$R/tmp"
cp /usr/bin/busybox "$R/bin/ping" && setcap cap_net_raw+ep "$R/bin/ping"
echo x > "$R/xattr" && python3 -c "import os; os.setxattr('$R/xattr', 'user.kapsel', b'value')"
echo shared > "$R/h1" && ln "$R/h1" "$R/h2"
ln -s /etc/passwd "$R/abslink" && ln -s ../hello "$R/del/rellink"
mkfifo "$R/fifo" && mknod "$R/null" c 1 3 && chmod 666 "$R/null"
python3 -c "
f = open('$R/sparse', 'wb'); f.seek(8 << 20); f.write(b'end'); f.truncate(16 << 20)"
echo gone > "$R/del/file" && echo gone > "$R/del/sub/deep" && echo old > "$R/opq/old/x"
echo keep > "$R/opq/keep"
touch -d @1600000000 "$R/hello"
# --refresh-bundle: the next repack is a layer on top of v1, not a new single-layer image
umoci repack --refresh-bundle --image "$T/oci:v1" "$T/ub" >/dev/null

# v2: whiteouts for a file and a whole tree, a changed file, a changed mode
rm "$R/del/file" && rm -r "$R/del/sub"
echo changed > "$R/hello" && chmod 600 "$R/xattr"
echo new > "$R/newfile"
umoci repack --image "$T/oci:v2" "$T/ub" >/dev/null

# v3: an opaque directory and an explicit whiteout made by umoci insert
mkdir -p "$T/ins/opq" && echo fresh > "$T/ins/opq/fresh"
umoci insert --image "$T/oci:v2" --tag v3 --opaque "$T/ins/opq" /opq >/dev/null
umoci insert --image "$T/oci:v3" --whiteout /h2 >/dev/null
umoci config --image "$T/oci:v3" --config.user app --config.workingdir /home/app \
	--config.env FOO=bar --config.entrypoint /bin/busybox --config.cmd sh \
	--config.cmd -c --config.cmd 'id; pwd; echo $FOO; cat /hello' \
	--config.label org.example.label=yes --config.label org.opencontainers.image.os=labelled \
	--config.exposedports 80/tcp >/dev/null
