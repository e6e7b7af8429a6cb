# lsm sources (owned by that folder)
libkapsel_a_SOURCES += lsm/lsm.h
