#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel pause ID\n"
	"Freeze every process of the container (cgroup.freeze); status becomes paused.\n";

int cmd_pause(int argc, char **argv, const struct kglobal *g)
{
	return cli_id_command("pause", usage, argc, argv, g, runtime_pause);
}
