# cgroups sources (owned by that folder)
libkapsel_a_SOURCES += cgroups/cgroups.h cgroups/internal.h cgroups/manager.c \
	cgroups/resources.c cgroups/devices_bpf.c cgroups/freeze.c cgroups/stats.c \
	cgroups/subcgroup.c
