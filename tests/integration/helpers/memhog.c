/* memhog MIB FILE: a process with MIB MiB of anonymous memory for the CRIU
 * tests (static, so it runs in the busybox rootfs). It fills every page with
 * a pattern, then every 100 ms dirties one page, checks another against the
 * pattern and writes its iteration count to FILE (via rename). A restore that
 * lost or mixed up pages makes it write "corrupt" and exit 3. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static void put(const char *file, const char *tmp, const char *text)
{
	FILE *f = fopen(tmp, "w");

	if (f == NULL)
		exit(2);
	fputs(text, f);
	fclose(f);
	rename(tmp, file);
}

int main(int argc, char **argv)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	unsigned long pages, n;
	unsigned char *p;
	char tmp[4096], text[64];

	if (argc != 3)
		return 2;
	pages = strtoul(argv[1], NULL, 10) * (1024 * 1024 / PAGE);
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || pages == 0)
		return 2;
	for (unsigned long i = 0; i < pages; i++)
		p[i * PAGE] = (unsigned char)(i * 31 + 7);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	for (n = 1;; n++) {
		unsigned long check = (n * 7919) % pages;

		p[(n % pages) * PAGE + 1]++;
		if (p[check * PAGE] != (unsigned char)(check * 31 + 7)) {
			put(argv[2], tmp, "corrupt\n");
			return 3;
		}
		snprintf(text, sizeof(text), "%lu\n", n);
		put(argv[2], tmp, text);
		nanosleep(&ts, NULL);
	}
}
