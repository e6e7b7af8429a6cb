# runtime sources (owned by that folder)
libkapsel_a_SOURCES += runtime/spec.h
# hooks
libkapsel_a_SOURCES += runtime/hooks.c runtime/hooks.h runtime/tty_relay.c runtime/tty_relay.h
