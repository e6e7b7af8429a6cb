#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel start ID\n"
	"Start the process of a created container.\n";

int cmd_start(int argc, char **argv, const struct kglobal *g)
{
	return cli_id_command("start", usage, argc, argv, g, runtime_start);
}
