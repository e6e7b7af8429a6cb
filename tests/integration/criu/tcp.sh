#!/bin/bash
# --tcp-established: a client keeps its TCP connection to a container while
# the container is checkpointed, its network namespace destroyed, and it is
# restored into a new namespace holding the same address (live migration's
# network side). The container joins a namespace by path, which kapsel hands
# to CRIU as external (net[INODE]:extRootNetNS, runc's key). The server is
# busybox nc running cat: an echo server without the read timeout httpd has.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

NS=kcriu-ct$$ CL=kcriu-cl$$
cleanup() {
	K delete -f srv >/dev/null 2>&1
	$IP netns del "$NS" 2>/dev/null; $IP netns del "$CL" 2>/dev/null
}
trap cleanup EXIT

# net_up: the container's namespace and a veth to the client's, 10.89.0.0/24
net_up() {
	$IP netns add "$NS" && $IP -n "$CL" link add vcl type veth peer name vct netns "$NS" &&
	$IP -n "$NS" addr add 10.89.0.2/24 dev vct && $IP -n "$NS" link set vct up &&
	$IP -n "$NS" link set lo up &&
	$IP -n "$CL" addr add 10.89.0.1/24 dev vcl && $IP -n "$CL" link set vcl up
}
check "client namespace" $IP netns add "$CL"
check "container namespace with a veth to the client" net_up

B=$T/srv
bundle "$B" 'exec nc -l -p 7000 -e cat' "$(netns_filter "$NS")"
check "run -d the echo server in $NS" K run -d --bundle "$B" srv

# The client: one connection for the whole test. It sends a line, reads the
# echo, waits for $T/go, then sends and reads a second line.
$IP netns exec "$CL" bash -c '
	for i in $(seq 100); do exec 3<>/dev/tcp/10.89.0.2/7000 && break; sleep 0.3; done 2>/dev/null
	echo one >&3 && read -r -t 120 a <&3 && echo "$a" >"$1/c1"
	while [ ! -e "$1/go" ]; do sleep 0.2; done
	echo two >&3 && read -r -t 120 b <&3 && echo "$b" >"$1/c2"
' client "$T" &
client=$!
check "the client got its first echo" wait_for 90 test -s "$T/c1"
eq "first echo" "$(cat "$T/c1" 2>/dev/null)" one

fails_one_line "checkpoint without --tcp-established refuses the connection" \
	K checkpoint --image-path "$T/img-notcp" srv
eq "still running after the refused checkpoint" "$(status_of srv)" running
check "checkpoint --tcp-established" K checkpoint --tcp-established --image-path "$T/img" srv
# The namespace goes; a new one gets the same address (another host would).
check "destroy the container's namespace" $IP netns del "$NS"
check "a new namespace with the same address" net_up
check "restore --tcp-established" K restore -d --tcp-established --image-path "$T/img" --bundle "$B" srv
eq "running" "$(status_of srv)" running
touch "$T/go"
check "the client got its second echo on the same connection" wait_for 90 test -s "$T/c2"
eq "second echo" "$(cat "$T/c2" 2>/dev/null)" two
wait "$client"; eq "the client exited cleanly" $? 0
check "delete -f" K delete -f srv
cleanup; trap - EXIT
check "host clean" host_clean srv
done_testing
