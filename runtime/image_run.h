#ifndef KAPSEL_RUNTIME_IMAGE_RUN_H
#define KAPSEL_RUNTIME_IMAGE_RUN_H

#include "runtime/runtime.h"
#include "runtime/state.h"

/* Makes ROOT/ID/bundle from image and records it in the container's state. */
int image_run_prepare(const struct kglobal *g, struct kcontainer *c, const char *image,
		      char **ret_bundle, struct kerr *err);
/* Unmounts and removes the bundle image_run_prepare made, if any. */
void image_run_release(struct kcontainer *c);

#endif
