# lsm sources (owned by that folder)
libkapsel_a_SOURCES += lsm/lsm.h lsm/internal.h lsm/lsm.c lsm/procfs.c lsm/caps.c \
	lsm/seccomp.c lsm/seccomp_agent.c lsm/sysctl.c lsm/process_attrs.c lsm/mac.c \
	lsm/apparmor.c lsm/selinux.c lsm/selinux_dl.h lsm/selinux_dl.c lsm/features.c
