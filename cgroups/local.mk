# cgroups sources (owned by that folder)
libkapsel_a_SOURCES += cgroups/cgroups.h cgroups/internal.h cgroups/manager.c \
	cgroups/lifecycle.c cgroups/layout.c cgroups/hybrid.c cgroups/resources.c \
	cgroups/devices_bpf.c cgroups/freeze.c cgroups/stats.c cgroups/v1.c \
	cgroups/v1_resources.c cgroups/v1_stats.c cgroups/subcgroup.c
