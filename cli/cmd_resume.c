#include "cli/cli.h"

static const char usage[] =
	"Usage: kapsel resume ID\n"
	"Thaw a paused container (cgroup.freeze); status becomes running again.\n";

int cmd_resume(int argc, char **argv, const struct kglobal *g)
{
	return cli_id_command("resume", usage, argc, argv, g, runtime_resume);
}
