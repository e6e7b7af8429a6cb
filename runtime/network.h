#ifndef KAPSEL_RUNTIME_NETWORK_H
#define KAPSEL_RUNTIME_NETWORK_H

#include "netsetup/netsetup.h"
#include "runtime/runtime.h"
#include "spec/spec.h"
#include "runtime/state.h"

/* Parses and checks --network & co. and the annotations before anything is
 * created; when kapsel wires the network, adds the bind mounts of the
 * generated /etc files. *ret is NULL when there is nothing to do. */
int network_prepare(const struct kglobal *g, const struct kcreate_opts *o, struct kspec *spec,
		    const char *id, struct knet_config **ret, struct kerr *err);
/* After the init exists, before it is released: wires its netns and records
 * how to undo it in the container's state. */
int network_attach(const struct kglobal *g, struct kcontainer *c, const struct knet_config *net,
		   pid_t pid, struct kerr *err);
/* Undoes network_attach (idempotent; errors are logged). */
void network_detach(struct kcontainer *c);
/* The network leftovers of id (bridge mode) that no state records. */
void network_forget(const char *root, const char *id);

#endif
