#include "cli/create_opts.h"

static const char usage[] =
	"Usage: kapsel run [options] ID\n"
	"Create and start a container. In the foreground, signals are forwarded to it and\n"
	"kapsel exits with its exit code (128+N if killed by signal N), then deletes it.\n"
	"  -b, --bundle DIR          bundle directory (default: current directory)\n"
	"      --image IMAGE         make the bundle from an OCI image (layout dir[:tag],\n"
	"                            oci-archive or docker-archive; see `kapsel image`)\n"
	"  -d, --detach              return once the container runs\n"
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

int cmd_run(int argc, char **argv, const struct kglobal *g)
{
	struct kcreate_opts o = { 0 };
	struct kerr err = { 0 };
	int code = 0;
	int r = create_opts_parse("run", argc, argv, &o, usage, true);

	if (r != 0) {
		create_opts_free(&o);
		return r < 0 ? 0 : r;
	}
	if (runtime_run(g, argv[optind], &o, &code, &err) < 0)
		code = cli_fail(&err);
	create_opts_free(&o);
	return code;
}
