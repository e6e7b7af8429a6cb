# netsetup sources (owned by that folder)
libkapsel_a_SOURCES += \
	netsetup/netsetup.h netsetup/knet-private.h netsetup/netsetup.c netsetup/nl.c \
	netsetup/link.c netsetup/addr.c netsetup/ipam.c netsetup/nat.c netsetup/etcfiles.c \
	netsetup/rootless.c netsetup/options.c netsetup/nft_dl.h netsetup/nft_dl.c
# NAT goes through libnftables (atomic rule batches; no hand-rolled nft netlink),
# loaded with dlopen on first use (netsetup/nft_dl.h): only its headers at build time.
AM_CFLAGS += $(NFTABLES_CFLAGS)
