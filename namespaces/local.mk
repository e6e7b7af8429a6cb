libkapsel_a_SOURCES += namespaces/namespaces.c namespaces/namespaces.h
