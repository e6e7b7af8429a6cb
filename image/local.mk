# image sources (owned by that folder)
# nettle: sha256/sha512 for blob digests (Debian nettle-dev; uses the CPU's SHA
# extensions, 1.6 GB/s here; smaller API than libcrypto's EVP).
AM_CFLAGS += $(NETTLE_CFLAGS)
KAPSEL_LIBS += $(NETTLE_LIBS)
libkapsel_a_SOURCES += \
	image/image.h image/internal.h image/blob.h image/unpack.h \
	image/digest.c image/source.c image/archive_in.c image/manifest.c \
	image/pathsafe.c image/unpack.c image/entry.c image/lower.c image/whiteout.c \
	image/pipe.c image/pipe.h \
	image/user.c image/config_gen.c image/store.c image/storels.c image/overlay.c \
	image/image.c image/archive_dl.h image/archive_dl.c
