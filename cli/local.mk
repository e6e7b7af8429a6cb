kapsel_SOURCES += cli/main.c
kapsel_SOURCES += cli/cmd_image.c
