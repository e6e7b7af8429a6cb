/* CVE-2019-5736: a process in the container that can reach the runtime's
 * binary through /proc/PID/exe could overwrite it on the host. Before any
 * command that runs code in a container's namespaces, kapsel re-executes
 * itself from a sealed memfd copy: there is nothing on the host to write to. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/stopat.h"
#include "common/util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static bool running_sealed(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int seals;

	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* read/write rather than sendfile: spliced pages may stay referenced for a
 * while, and a referenced page makes sealing fail. */
static int copy_file(int from, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (write_all(to, buf, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

int runtime_ensure_sealed_self(char **argv, struct kerr *err)
{
	extern char **environ;
	cleanup_close int exe = -1, mfd = -1;

	if (running_sealed())
		return 0;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return kerr_errno(err, "open /proc/self/exe");
	mfd = memfd_create("kapsel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return kerr_errno(err, "memfd_create");
	if (copy_file(exe, mfd) < 0)
		return kerr_errno(err, "copy /proc/self/exe");
	/* The kernel refuses F_SEAL_WRITE (EBUSY) while pages are still pinned;
	 * a loaded machine can hold one briefly. */
	for (int i = 0; fcntl(mfd, F_ADD_SEALS, SEALS) < 0; i++) {
		if (errno != EBUSY || i == 50)
			return kerr_errno(err, "seal the runtime's copy");
		usleep(2000);
	}
	debug_stop_at("reexec");
	fexecve(mfd, argv, environ);
	return kerr_errno(err, "re-execute the runtime from a sealed copy");
}
