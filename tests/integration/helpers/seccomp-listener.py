# seccomp-listener.py SOCKET OUT N: a linux.seccomp.listenerPath agent that
# accepts N connections and writes each message (containerProcessState JSON)
# to OUT.0, OUT.1, ...; it closes the notify fds (notified syscalls then fail
# with ENOSYS).
import os, socket, sys
path, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(4)
for i in range(n):
    c, _ = s.accept()
    msg, fds, _, _ = socket.recv_fds(c, 65536, 4)
    with open("%s.%d" % (out, i), "wb") as f:
        f.write(msg)
    for fd in fds:
        os.close(fd)   # notified syscalls now fail with ENOSYS
    c.close()
