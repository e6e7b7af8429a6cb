kapsel_SOURCES += cli/cli.h cli/common.c cli/main.c cli/create_opts.h cli/create_opts.c \
	cli/cmd_spec.c cli/cmd_create.c cli/cmd_start.c cli/cmd_run.c cli/cmd_state.c \
	cli/cmd_list.c cli/cmd_kill.c cli/cmd_delete.c cli/cmd_exec.c cli/cmd_features.c
# cgroups
kapsel_SOURCES += cli/cmd_pause.c cli/cmd_resume.c cli/cmd_ps.c cli/cmd_update.c cli/cmd_events.c
# image
kapsel_SOURCES += cli/cmd_image.c
# checkpoint/restore (CRIU)
kapsel_SOURCES += cli/cmd_checkpoint.c cli/cmd_restore.c
