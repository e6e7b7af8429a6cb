# netsetup sources (owned by that folder)
libkapsel_a_SOURCES += \
	netsetup/netsetup.h netsetup/knet-private.h netsetup/netsetup.c netsetup/nl.c \
	netsetup/link.c netsetup/addr.c netsetup/ipam.c netsetup/nat.c netsetup/etcfiles.c \
	netsetup/rootless.c netsetup/options.c
# NAT goes through libnftables (atomic rule batches; no hand-rolled nft netlink).
AM_CFLAGS += $(NFTABLES_CFLAGS)
KAPSEL_LIBS += $(NFTABLES_LIBS)
