/* Terminals for process.terminal, private to runtime/.
 *
 * Two ways a container process gets its pty (as runc does):
 *  - --console-socket: kapsel connects to the socket (tty_console_connect)
 *    and gives the connection to the container process, which opens the pty
 *    with tty_open_pty() after pivot_root (so it is the container's devpts),
 *    makes the slave its controlling terminal and stdio, and hands the master
 *    over with tty_send_master_fd(). kapsel keeps no copy.
 *  - `run -t` / foreground `exec -t` without --console-socket: the master
 *    comes back to kapsel over a socketpair (tty_recv_master_fd), and the
 *    foreground loop (runtime/foreground.c) relays it to kapsel's own
 *    stdin/stdout with the tty_relay_* steps until the process exits.
 * process.consoleSize: tty_set_size() on the pty before the process starts.
 */
#ifndef KAPSEL_RUNTIME_TERMINAL_H
#define KAPSEL_RUNTIME_TERMINAL_H

#include <poll.h>

#include "common/error.h"

/* Opens a new pty pair from /dev/ptmx of the current mount namespace and
 * unlocks it. The slave is opened through the master (TIOCGPTPEER, Linux
 * 4.13+) so no path is looked up in a devpts the container could swap; older
 * kernels fall back to /dev/pts/N. Both fds are O_CLOEXEC, the slave
 * O_NOCTTY (make it the controlling terminal with TIOCSCTTY after setsid). */
int tty_open_pty(int *ret_master, int *ret_slave, struct kerr *err);

/* TIOCSWINSZ on a pty fd (master or slave). */
int tty_set_size(int fd, unsigned int rows, unsigned int cols, struct kerr *err);
/* The window size of the runtime's stdin; -1 if it is no terminal (or has
 * no size). The relay's pty gets it before the process starts: a process
 * asking at once (stty size) must not see 0x0 because the relay's first
 * resize came later. */
int tty_stdin_size(unsigned int *ret_rows, unsigned int *ret_cols);

/* Connects to the AF_UNIX stream socket at path (--console-socket); returns
 * the connected fd (O_CLOEXEC). Paths longer than sun_path (108 bytes) work:
 * they are reached through their directory opened O_PATH. */
int tty_console_connect(const char *path, struct kerr *err);

/* Sends master over a connected unix socket with SCM_RIGHTS; the payload is
 * the name runc 1.1.5 sends ("/dev/ptmx"). The caller still owns master. */
int tty_send_master_fd(int sock, int master, struct kerr *err);
/* Receives one fd sent that way (O_CLOEXEC). */
int tty_recv_master_fd(int sock, int *ret_master, struct kerr *err);

/* The relay: stdin -> master, master -> stdout. If stdin is a terminal it is
 * raw while the relay runs (so ^C, ^Z reach the container as bytes and its
 * pty does the line discipline) and its window size is copied to the master
 * at start and by tty_relay_resize() (the caller calls it on SIGWINCH). At EOF
 * on stdin, reading it stops; the process keeps its pty. */
struct tty_relay;
int tty_relay_begin(int master, struct tty_relay **ret, struct kerr *err);
/* Fills exactly 2 pollfds (an unused one has fd -1); returns 2. */
int tty_relay_pollfds(struct tty_relay *r, struct pollfd *p);
/* Handles their revents; -1 once the master hung up (every slave closed):
 * the relay is done, call tty_relay_end(). */
int tty_relay_step(struct tty_relay *r, const struct pollfd *p);
void tty_relay_resize(struct tty_relay *r);
/* After the process exited: copies what is still buffered in the pty (a
 * process left behind holding the slave must not keep the relay alive). */
void tty_relay_drain(struct tty_relay *r);
/* Restores the terminal and frees r (NULL is fine). */
void tty_relay_end(struct tty_relay *r);

#endif
