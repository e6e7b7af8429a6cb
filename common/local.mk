libkapsel_a_SOURCES += \
	common/cleanup.h common/error.c common/error.h common/log.c common/log.h \
	common/syscalls.h common/dlib.h common/dlib.c common/util.c common/util.h \
	common/stopat.c common/stopat.h
# path resolution inside a container root (mounts)
libkapsel_a_SOURCES += common/inroot.c common/inroot.h
