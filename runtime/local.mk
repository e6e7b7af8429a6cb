# runtime sources (owned by that folder)
libkapsel_a_SOURCES += runtime/spec.h
# mounts
libkapsel_a_SOURCES += runtime/mounts.h runtime/mounts_internal.h runtime/mounts.c \
	runtime/mounts_dev.c runtime/mounts_cgroup.c runtime/mounts_paths.c
