# runtime sources (owned by that folder)
libkapsel_a_SOURCES += runtime/runtime.h runtime/state.h runtime/state.c \
	runtime/sync.h runtime/sync.c runtime/init.h runtime/init.c runtime/exec_path.h \
	runtime/exec_path.c runtime/lifecycle.h runtime/create.c runtime/start.c runtime/run.c \
	runtime/names.c runtime/selfexe.c runtime/process.h runtime/process.c runtime/exec.c runtime/foreground.h runtime/foreground.c runtime/features.c runtime/terminal.h runtime/terminal.c runtime/network.h runtime/network.c runtime/image_run.h runtime/image_run.c \
	runtime/keyring.h runtime/keyring.c
libkapsel_a_SOURCES += runtime/control.c
# hooks
libkapsel_a_SOURCES += runtime/hooks.c runtime/hooks.h
# mounts
libkapsel_a_SOURCES += runtime/mounts.h runtime/mounts_internal.h runtime/mounts.c \
	runtime/mounts_dev.c runtime/mounts_cgroup.c runtime/mounts_cgroup1.c runtime/mounts_paths.c
	runtime/mounts_dev.c runtime/mounts_cgroup.c runtime/mounts_paths.c
libkapsel_a_SOURCES += runtime/hooks.c runtime/hooks.h
# checkpoint/restore: criu(8) by its command line
libkapsel_a_SOURCES += runtime/criu.h runtime/criu.c runtime/criu_args.c runtime/checkpoint.c \
	runtime/restore.c runtime/restore_root.h runtime/restore_root.c
