# runtime sources (owned by that folder)
libkapsel_a_SOURCES += runtime/spec.h
libkapsel_a_SOURCES += runtime/control.c
