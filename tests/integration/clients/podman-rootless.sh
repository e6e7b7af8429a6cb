# Rootless podman (sourced by suite.sh, inside the VM, where /etc is a
# throw-away overlay): a normal user with a subuid/subgid range and a
# delegated cgroup subtree (what systemd's Delegate= gives), podman with
# --runtime $KAPSEL, cgroupfs, vfs, its own roots under $CT.
# podman runs the runtime inside its rootless user namespace, as uid 0 there.
RU=kpodman
RH=$CT/home
useradd -M -d "$RH" -s /bin/sh -U "$RU" 2>/dev/null
grep -q "^$RU:" /etc/subuid || echo "$RU:300000:65536" >>/etc/subuid
grep -q "^$RU:" /etc/subgid || echo "$RU:300000:65536" >>/etc/subgid
RUID=$(id -u "$RU"); RGID=$(id -g "$RU")
mkdir -p "$RH/xdg" && chmod 700 "$RH/xdg" && chown -R "$RUID:$RGID" "$RH"
chmod 755 "$CT"
RCG=/sys/fs/cgroup/kt-rootless-podman
mkdir -p "$RCG"
chown "$RUID:$RGID" "$RCG" "$RCG/cgroup.procs" "$RCG/cgroup.subtree_control" "$RCG/cgroup.threads"
cat >"$RH/containers.conf" <<C
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$RH/events.log"
runtime = "kapsel"
[engine.runtimes]
kapsel = ["$KAPSEL"]
C
printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' "$RH/runroot" "$RH/graph" \
	>"$RH/storage.conf"
cp "$CLIENTS_IMG/bb-oci.tar" "$RH/"   # the image dir is root's (0700)
chown "$RUID:$RGID" "$RH"/*.conf "$RH/bb-oci.tar"
# RP ARGS...: podman as the user, in a leaf of its delegated cgroup.
RP() {
	run_out bash -c 'mkdir -p "$0/user" && echo $$ >"$0/user/cgroup.procs" && exec "$@"' "$RCG" \
		setpriv --reuid="$RUID" --regid="$RGID" --init-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$RH" USER="$RU" \
		XDG_RUNTIME_DIR="$RH/xdg" CONTAINERS_CONF="$RH/containers.conf" \
		CONTAINERS_STORAGE_CONF="$RH/storage.conf" podman "$@"
}
RP load -i "$RH/bb-oci.tar"
assert_rc "rootless podman load" 0
RP run --rm "$IMG" sh -c 'id -u; cat /proc/self/uid_map'
assert_rc "rootless podman run --rm: exit 0" 0
assert_match "rootless podman run: root in the container" "$OUT" '^0$'
assert_match "rootless podman run: mapped to the user" "$OUT" "^ +0 +$RUID +1\$"
RP run --rm "$IMG" sh -c 'exit 7'
assert_rc "rootless podman run: exit 7" 7
RP run -d --name r1 --memory 64m --pids-limit 30 "$IMG" sleep 1000
assert_rc "rootless podman run -d with limits (delegated cgroup)" 0
RP exec r1 cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max
assert_eq "rootless: limits read back inside" "67108864
30" "$OUT"
assert_match "host: the limit is on a cgroup inside the user's delegated subtree" \
	"$(grep -rlx 67108864 "$RCG" --include=memory.max 2>/dev/null)" "^$RCG/.+/memory.max\$"
RP rm -f r1
assert_rc "rootless podman rm -f" 0
RP ps -a -q
assert_eq "rootless podman ps -a: nothing left" "" "$OUT"
