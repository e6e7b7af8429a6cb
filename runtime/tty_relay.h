/* Terminals for process.terminal, private to runtime/.
 *
 * Two ways a container gets its pty (as runc does):
 *  - --console-socket: the container's init opens the pty with tty_open_pty()
 *    after pivot_root (so it is the container's devpts), makes the slave its
 *    controlling terminal and stdio, and hands the master to the socket's
 *    listener with tty_send_master(). kapsel keeps no copy.
 *  - `run -t` / foreground `exec -t` without --console-socket: the init sends
 *    the master back to kapsel (over the sync socket, SCM_RIGHTS), and kapsel
 *    relays it to its own stdin/stdout with tty_relay() until the process
 *    exits.
 * process.consoleSize: tty_set_size() on the pty before the process starts.
 */
#ifndef KAPSEL_RUNTIME_TTY_RELAY_H
#define KAPSEL_RUNTIME_TTY_RELAY_H

#include "common/error.h"

/* Opens a new pty pair from /dev/ptmx of the current mount namespace and
 * unlocks it. The slave is opened through the master (TIOCGPTPEER, Linux
 * 4.13+) so no path is looked up in a devpts the container could swap; older
 * kernels fall back to /dev/pts/N. Both fds are O_CLOEXEC, the slave
 * O_NOCTTY (make it the controlling terminal with TIOCSCTTY after setsid). */
int tty_open_pty(int *ret_master, int *ret_slave, struct kerr *err);

/* TIOCSWINSZ on a pty fd (master or slave). */
int tty_set_size(int fd, unsigned int rows, unsigned int cols, struct kerr *err);

/* Connects to the AF_UNIX stream socket at console_socket_path and sends
 * master_fd with SCM_RIGHTS. The payload is the master's name, "/dev/ptmx",
 * which is what runc 1.1.5 sends (measured: containerd/console names the
 * master after the file it opened). Paths longer than sun_path work. The
 * caller still owns master_fd and closes it afterwards. */
int tty_send_master(const char *console_socket_path, int master_fd, struct kerr *err);

/* Relays the runtime's stdin to master_fd and master_fd to its stdout until
 * the pty hangs up (read gives EIO once every slave fd is closed) or, when
 * pidfd >= 0, until that process exited (then what the master still holds
 * is copied out): a process left behind in the container holding the slave
 * would otherwise keep `run -t` alive. The caller must have closed its own
 * copies of the slave.
 * If stdin is a terminal it is put in raw mode (so ^C, ^Z reach the container
 * as bytes and its pty does the line discipline) and restored on return,
 * errors included. The window size of stdin is copied to the master at start
 * and on every SIGWINCH (SIGWINCH is blocked during the call and read from a
 * signalfd). At EOF on stdin, reading it stops; the pty is left open. */
int tty_relay(int master_fd, int pidfd, struct kerr *err);

#endif
