libkapsel_a_SOURCES += \
	common/cleanup.h common/error.c common/error.h common/log.c common/log.h \
	common/syscalls.h common/util.c common/util.h
