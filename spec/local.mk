# spec sources: the config.json parser (spec/spec.h is the door). spec.c
# reads and frees, spec_process.c, spec_mounts.c and spec_linux.c parse their
# sections, spec_json.c and spec_shapes.c check types, spec_default.c is
# `kapsel spec`'s template.
libkapsel_a_SOURCES += spec/spec.h spec/internal.h \
	spec/spec.c spec/spec_json.c spec/spec_shapes.c \
	spec/spec_process.c spec/spec_mounts.c spec/spec_linux.c \
	spec/spec_default.c
