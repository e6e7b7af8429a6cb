/* Terminals: the container's pty (opened inside its devpts), handing its
 * master over a console socket as runc does, and relaying it for `run -t` /
 * `exec -t` without a console socket, inside the runtime's foreground loop. */
#ifndef KAPSEL_RUNTIME_TERMINAL_H
#define KAPSEL_RUNTIME_TERMINAL_H

#include <poll.h>

#include "common/error.h"

#include "runtime/tty_relay.h"   /* tty_open_pty, tty_set_size */
/* Sends master over a connected unix socket with SCM_RIGHTS; the payload is
 * the name runc sends ("/dev/ptmx"). */
int tty_send_master_fd(int sock, int master, struct kerr *err);
int tty_recv_master_fd(int sock, int *ret_master, struct kerr *err);

/* The relay: stdin -> master, master -> stdout, the terminal raw while it
 * runs and the window size copied at start and on SIGWINCH. */
struct tty_relay;
int tty_relay_begin(int master, struct tty_relay **ret, struct kerr *err);
/* Fills up to 2 pollfds; returns how many. */
int tty_relay_pollfds(struct tty_relay *r, struct pollfd *p);
/* Handles their revents; -1 once the master hung up (the relay is done). */
int tty_relay_step(struct tty_relay *r, const struct pollfd *p);
void tty_relay_resize(struct tty_relay *r);
/* After the process exited: copies what is still buffered in the pty. */
void tty_relay_drain(struct tty_relay *r);
/* Restores the terminal and frees r. */
void tty_relay_end(struct tty_relay *r);

#endif
