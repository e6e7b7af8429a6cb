/* libFuzzer target for the layer unpacker: the input is a layer blob (any
 * compression libarchive sniffs, then tar). It is unpacked into a fresh
 * directory DIR/root; afterwards DIR must hold nothing but root, or an entry
 * escaped (abort). Digest checks fail by design (the diff_id is zeros): what
 * is fuzzed is everything before them. Build: make fuzz-unpack; run:
 * tests/fuzz/fuzz_unpack -max_total_time=60 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "image/blob.h"
#include "image/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[] = "/tmp/kapsel-fuzz-unpack.XXXXXX";

static void check_nothing_escaped(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "root")) {
			fprintf(stderr, "escaped: %s/%s\n", dir, de->d_name);
			abort();
		}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long n;
	struct klayer l = {
		.member = "fuzz", .size = -1, .media_type = "fuzz",
		.diff_id = "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	};
	struct kunpack_opts o = { .rootless = true };
	struct kblob *b;
	struct kerr err;
	cleanup_free char *dir = NULL, *root = NULL;
	int fd, rootfd;

	if (base[sizeof(base) - 2] == 'X' && mkdtemp(base) == NULL)
		abort();
	dir = xasprintf("%s/%lu", base, n++);
	root = xasprintf("%s/root", dir);
	if (mkdir(dir, 0700) < 0 || mkdir(root, 0700) < 0)
		abort();
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = memfd_create("layer", MFD_CLOEXEC);
	if (rootfd < 0 || fd < 0 || write_all(fd, data, size) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	o.rootfd = rootfd;
	/* the first byte's low bit picks the target: plain rootfs or overlay store */
	o.target = size > 0 && (data[0] & 1) ? KU_OVERLAY : KU_APPLY;
	b = xcalloc(1, sizeof(*b));
	b->fd = fd;
	b->name = xstrdup("fuzz");
	unpack_layer(b, &l, &o, &err);
	blob_close(b);
	close(rootfd);
	check_nothing_escaped(dir);
	rm_rf_at(AT_FDCWD, dir, &err);
	return 0;
}
