#include "cli/create_opts.h"

static const char usage[] =
	"Usage: kapsel create [options] ID\n"
	"Create a container from a bundle; its process waits until `kapsel start ID`.\n"
	"  -b, --bundle DIR          bundle directory (default: current directory)\n"
	"      --image IMAGE         make the bundle from an OCI image (layout dir[:tag],\n"
	"                            oci-archive or docker-archive; see `kapsel image`)\n"
	"      --pid-file FILE       write the container's pid to FILE\n"
	"      --console-socket SOCK send the pty master to this unix socket\n"
	"      --no-pivot            use chroot instead of pivot_root\n"
	"      --preserve-fds N      pass N more fds (3..3+N-1) to the process\n"
	"      --network MODE        none | bridge[:NAME] | slirp4netns | pasta (kapsel wires it)\n"
	"      --subnet CIDR         bridge subnet (default 10.88.0.0/16)\n"
	"      --ip ADDR             the container's address on the bridge\n"
	"      --publish [IP:]HOST:CTR[/tcp|udp]  publish a port (repeatable)\n"
	"      --dns ADDR            nameserver for the container (repeatable)\n"
	"      --hostname NAME       the container's hostname\n";

int cmd_create(int argc, char **argv, const struct kglobal *g)
{
	struct kcreate_opts o = { .detach = true };
	struct kerr err = { 0 };
	int r = create_opts_parse("create", argc, argv, &o, usage, false);

	if (r != 0) {
		create_opts_free(&o);
		return r < 0 ? 0 : r;
	}
	r = runtime_create(g, argv[optind], &o, &err) < 0 ? cli_fail(&err) : 0;
	create_opts_free(&o);
	return r;
}
