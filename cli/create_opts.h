#ifndef KAPSEL_CLI_CREATE_OPTS_H
#define KAPSEL_CLI_CREATE_OPTS_H

#include "cli/cli.h"

/* The --help lines of the options create and run share. */
#define CREATE_OPTS_HELP \
	"  -b, --bundle DIR          bundle directory (default: current directory)\n" \
	"      --image IMAGE         make the bundle from an OCI image (layout dir[:tag],\n" \
	"                            oci-archive or docker-archive; see `kapsel image`)\n" \
	"      --pid-file FILE       write the container's pid to FILE\n" \
	"      --console-socket SOCK send the pty master to this unix socket\n" \
	"      --no-pivot            use chroot instead of pivot_root\n" \
	"      --no-new-keyring      keep the caller's session keyring (default: a new\n" \
	"                            one named _ses.ID)\n" \
	"      --preserve-fds N      pass N more fds (3..3+N-1) to the process\n" \
	"      --network MODE        none | bridge[:NAME] | slirp4netns | pasta (kapsel wires it)\n" \
	"      --subnet CIDR         bridge subnet (default 10.88.0.0/16)\n" \
	"      --ip ADDR             the container's address on the bridge\n" \
	"      --publish [IP:]HOST:CTR[/tcp|udp]  publish a port (repeatable)\n" \
	"      --dns ADDR            nameserver for the container (repeatable)\n" \
	"      --hostname NAME       the container's hostname\n"

/* 0: parsed; 1: error printed; -1: --help printed. */
int create_opts_parse(const char *cmd, int argc, char **argv, struct kcreate_opts *o,
		      const char *usage, bool is_run);

/* Frees the repeatable options' vectors (not their strings: argv's). */
void create_opts_free(struct kcreate_opts *o);

#endif
