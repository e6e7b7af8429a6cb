/* CVE-2019-5736: a process in the container that can reach the runtime's
 * binary through /proc/PID/exe could overwrite it on the host. Before any
 * command that runs code in a container's namespaces, kapsel re-executes
 * itself from a sealed memfd copy: there is nothing on the host to write to. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

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

int runtime_ensure_sealed_self(char **argv, struct kerr *err)
{
	extern char **environ;
	cleanup_close int exe = -1, mfd = -1;
	struct stat sb;
	off_t off = 0;

	if (running_sealed())
		return 0;
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0 || fstat(exe, &sb) < 0)
		return kerr_errno(err, "open /proc/self/exe");
	mfd = memfd_create("kapsel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return kerr_errno(err, "memfd_create");
	while (off < sb.st_size) {
		ssize_t n = sendfile(mfd, exe, &off, (size_t)(sb.st_size - off));

		if (n <= 0)
			return kerr_errno(err, "copy /proc/self/exe");
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return kerr_errno(err, "seal the runtime's copy");
	fexecve(mfd, argv, environ);
	return kerr_errno(err, "re-execute the runtime from a sealed copy");
}
