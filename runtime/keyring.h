/* The container's session keyring (runc's default, --no-new-keyring to
 * keep the caller's). */
#ifndef KAPSEL_RUNTIME_KEYRING_H
#define KAPSEL_RUNTIME_KEYRING_H

#include <stdbool.h>

#include "common/error.h"

/* Joins the session keyring named name, creating it if it does not exist.
 * With make_searchable (the init), it becomes searchable by the container's
 * uid (by everyone with a user namespace: its owner may be unmapped) so that
 * `exec` processes, after setuid, can join it by name too. A kernel without
 * keyrings (ENOSYS) is not an error: the isolation is best-effort, as runc's. */
int keyring_join_session(const char *name, bool make_searchable, bool userns,
			 struct kerr *err);

#endif
