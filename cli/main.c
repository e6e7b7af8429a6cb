#include <stdio.h>
#include <string.h>

#include "runtime/runtime.h"

int cmd_image(int argc, char **argv, const struct kglobal *g);

/* Placeholder until the lead's dispatch table lands on main: only `image`. */
int main(int argc, char **argv)
{
	struct kglobal g = { .root = "/run/kapsel" };

	if (argc > 1 && strcmp(argv[1], "image") == 0)
		return cmd_image(argc - 1, argv + 1, &g);
	printf("kapsel version %s\n", KAPSEL_VERSION);
	return 0;
}
