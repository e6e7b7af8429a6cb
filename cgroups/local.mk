# cgroups sources (owned by that folder)
libkapsel_a_SOURCES += cgroups/cgroups.h cgroups/internal.h cgroups/manager.c \
	cgroups/lifecycle.c cgroups/layout.c cgroups/hybrid.c cgroups/resources.c \
	cgroups/devices_bpf.c cgroups/freeze.c cgroups/stats.c cgroups/v1.c \
	cgroups/v1_resources.c cgroups/v1_stats.c
# the systemd driver (--systemd-cgroup)
libkapsel_a_SOURCES += cgroups/systemd.c cgroups/systemd_props.c cgroups/systemd_bus.c \
	cgroups/systemd_bus.h cgroups/systemd_dl.c cgroups/systemd_dl.h
