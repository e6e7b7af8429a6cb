kapsel_SOURCES += cli/main.c
