#ifndef KAPSEL_RUNTIME_FOREGROUND_H
#define KAPSEL_RUNTIME_FOREGROUND_H

#include <signal.h>
#include <sys/types.h>

#include "common/error.h"

struct kforeground {
	int sfd;          /* signalfd of the forwarded signals */
	sigset_t old;
};

/* Blocks the forwarded signals (before the child exists, so none is lost;
 * the child unblocks them) and makes the runtime a subreaper. */
int foreground_begin(struct kforeground *f, struct kerr *err);
/* Until pid exits: forwards signals to it, relays master (if >= 0), reaps.
 * *ret_exit: its exit code, 128+N for signal N. */
int foreground_wait(struct kforeground *f, pid_t pid, int pidfd, int master, int *ret_exit,
		    struct kerr *err);
void foreground_end(struct kforeground *f);

#endif
