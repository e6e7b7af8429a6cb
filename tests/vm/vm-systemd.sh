#!/bin/sh
# KAPSEL_VM_INIT=systemd: PID 1 of the test VM until it execs systemd. Boots
# systemd straight into kapsel-test.target, which runs /run/vm-out/cmd as a
# service and powers off: no generators, no sysinit.target, no journald, no
# dbus (root's systemctl and kapsel use /run/systemd/private), so the boot
# costs seconds of TCG time, not minutes. Units live in the tmpfs upper of
# the root overlay: nothing of the host changes.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
out=/run/vm-out
# Only these units: reading all of /lib/systemd/system over 9p at start-up
# costs tens of seconds under TCG.
# The transient and control directories stay: daemon-reload re-reads
# transient units (the containers' scopes) and their properties from them.
unit=/run/kapsel-units
export SYSTEMD_UNIT_PATH=/etc/systemd/system.control:/run/systemd/system.control:/run/systemd/transient:$unit
mkdir -p $unit /etc/systemd/system-generators
for u in system.slice user.slice user@.service dbus.socket dbus.service; do
	cp /lib/systemd/system/$u $unit/ 2>/dev/null
done
for g in /lib/systemd/system-generators/* /usr/lib/systemd/system-generators/*; do
	[ -e "$g" ] && ln -sf /dev/null "/etc/systemd/system-generators/${g##*/}"
done
# A user manager (user@UID.service) for rootless tests: its own few units,
# no generators either, and the XDG_RUNTIME_DIR pam_systemd would set
# through logind (not running here).
mkdir -p /etc/systemd/user-generators $unit/user@.service.d /run/kapsel-user-units
for g in /usr/lib/systemd/user-generators/* /lib/systemd/user-generators/*; do
	[ -e "$g" ] && ln -sf /dev/null "/etc/systemd/user-generators/${g##*/}"
done
cat >$unit/user@.service.d/kapsel-test.conf <<'UNIT'
[Service]
Environment=XDG_RUNTIME_DIR=/run/user/%i
Environment=SYSTEMD_UNIT_PATH=/run/user/%i/systemd/user.control:/run/user/%i/systemd/transient:/run/kapsel-user-units
UNIT
printf '[Unit]\nDescription=kapsel test user session\n' >/run/kapsel-user-units/default.target
# systemd-user-runtime-dir asks logind (over the D-Bus system bus, not
# running here) for the directory's size: make it plainly instead.
cat >$unit/user-runtime-dir@.service <<'UNIT'
[Unit]
Description=User runtime directory /run/user/%i (test VM stand-in)
DefaultDependencies=no
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'mkdir -p -m 700 /run/user/%i && chown %i /run/user/%i'
UNIT
# Empty stand-ins for the boot targets that services' default dependencies
# name (user-runtime-dir@, user@, dbus): nothing of a real boot is pulled in.
for t in sysinit basic sockets shutdown; do
	printf '[Unit]\nDefaultDependencies=no\n' >$unit/$t.target
done
cat >$unit/kapsel-test.target <<'UNIT'
[Unit]
Description=kapsel test VM
DefaultDependencies=no
Requires=kapsel-test.service
After=kapsel-test.service
AllowIsolate=yes
UNIT
cat >$unit/kapsel-test.service <<'UNIT'
[Unit]
Description=kapsel test command
DefaultDependencies=no
[Service]
Type=exec
ExecStart=/bin/sh /run/vm-systemd-run
UNIT
# The command, then poweroff through sysrq: no unit is stopped on the way
# out, so nothing (a user manager...) can hang the shutdown.
cat >/run/vm-systemd-run <<'RUN'
export HOME=/root TERM=dumb
out=/run/vm-out
hostname kapsel-vm
ip link set lo up 2>/dev/null
mount -t tmpfs tmpfs /var/tmp
cut -d' ' -f1 /proc/uptime >$out/boot-time
echo ok >$out/boot-ok
/bin/sh $out/cmd >$out/stdout 2>$out/stderr </dev/null
echo $? >$out/rc
sync
echo o >/proc/sysrq-trigger
RUN
exec /lib/systemd/systemd --unit=kapsel-test.target --show-status=false --log-level=warning \
	--log-target=console
