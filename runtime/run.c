/* `run`: create + start; in the foreground, wait (runtime/foreground.c),
 * then delete. `create` is here too: it is run without the start. */
#include "runtime/lifecycle.h"

#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/foreground.h"
#include "runtime/terminal.h"

static int run_foreground(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
			  int *ret_exit, struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };
	struct kforeground f = { .sfd = -1 };
	cleanup_close int master = -1;
	int socks[2] = { -1, -1 };
	int ret = -1;

	/* The init may be forked by an intermediate process (joined
	 * namespaces): only as a subreaper can we collect its exit status. */
	if (o->no_subreaper)
		kdebug("--no-subreaper: ignored, kapsel waits for its init as a subreaper");
	if (foreground_begin(&f, err) < 0)
		return -1;
	/* run -t without --console-socket: the pty master comes to us. */
	if (o->console_socket == NULL &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) < 0) {
		kerr_errno(err, "socketpair");
		goto out;
	}
	ret = lifecycle_create(g, id, o, socks[1], &k, err);
	if (ret < 0)
		goto out;
	if (k.spec->process->terminal && socks[0] >= 0 &&
	    (ret = tty_recv_master_fd(socks[0], &master, err)) < 0)
		goto fail;
	if (master >= 0) {
		unsigned int rows, cols;

		if (tty_stdin_size(&rows, &cols) == 0 &&
		    (ret = tty_set_size(master, rows, cols, err)) < 0)
			goto fail;
	}
	ret = lifecycle_start(k.c, k.spec, err);
	if (ret < 0)
		goto fail;
	/* Let state, kill and friends at the container while it runs. */
	container_close(k.c);
	k.c = NULL;
	ret = foreground_wait(&f, k.pid, k.pidfd, master, ret_exit, err);
	/* --keep: the stopped container stays for `state` and `delete`. */
	if (ret == 0 && o->keep)
		goto keep;
fail:
	if (k.c == NULL && container_open(g->root, id, &k.c, NULL) < 0)
		k.c = NULL;
	if (k.c != NULL) {
		struct kerr derr = { 0 };

		if (lifecycle_destroy(k.c, k.spec, ret < 0 ? &derr : err) < 0 && ret == 0)
			ret = -1;
		k.c = NULL;
	}
keep:
	lifecycle_release(&k);
out:
	if (socks[0] >= 0)
		close(socks[0]);
	if (socks[1] >= 0)
		close(socks[1]);
	foreground_end(&f);
	return ret;
}

int runtime_run(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		int *ret_exit, struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };
	int ret;

	*ret_exit = 0;
	if (!o->detach)
		return run_foreground(g, id, o, ret_exit, err);
	if (lifecycle_create(g, id, o, -1, &k, err) < 0)
		return -1;
	ret = lifecycle_start(k.c, k.spec, err);
	if (ret < 0) {
		lifecycle_destroy(k.c, k.spec, NULL);
		k.c = NULL;
	}
	lifecycle_release(&k);
	return ret;
}

int runtime_create(const struct kglobal *g, const char *id, const struct kcreate_opts *o,
		   struct kerr *err)
{
	struct kcreated k = { .pidfd = -1 };

	if (lifecycle_create(g, id, o, -1, &k, err) < 0)
		return -1;
	lifecycle_release(&k);
	return 0;
}
