#include "common/stopat.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static void on_cont(int sig)
{
	(void)sig;
}

void debug_stop_at(const char *step)
{
	const char *want = getenv("KAPSEL_DEBUG_STOP_AT");
	struct sigaction sa = { .sa_handler = on_cont }, old;
	char name[17] = "";
	sigset_t none;

	if (want == NULL || strcmp(want, step) != 0)
		return;
	/* Not raise(SIGSTOP): the init, pid 1 of its pid namespace, ignores
	 * signals it sends itself; a handled SIGCONT reaches it. */
	prctl(PR_GET_NAME, name, 0, 0, 0);
	prctl(PR_SET_NAME, DEBUG_STOP_COMM, 0, 0, 0);
	sigaction(SIGCONT, &sa, &old);
	sigemptyset(&none);
	sigsuspend(&none);
	sigaction(SIGCONT, &old, NULL);
	prctl(PR_SET_NAME, name, 0, 0, 0);
}
