/* Without a session keyring of its own, a container's processes would share
 * the session keyring of whoever ran the runtime (with the keys in it: a
 * login's kerberos or ecryptfs keys), since keyrings are not namespaced. */
#include "runtime/keyring.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/syscalls.h"

/* <linux/keyctl.h> values (no libkeyutils dependency). */
#define K_JOIN_SESSION_KEYRING 1
#define K_SETPERM 5
#define K_DESCRIBE 6
#define K_PERM_USR_SEARCH 0x00080000u
#define K_PERM_OTH_SEARCH 0x00000008u

/* KEYCTL_DESCRIBE gives "type;uid;gid;perm;description", perm in hex. */
static int keyring_perm(long id, unsigned int *ret, struct kerr *err)
{
	char buf[256], *p = buf;
	long n = sys_keyctl(K_DESCRIBE, (unsigned long)id, (unsigned long)buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return kerr_errno(err, "describe the session keyring");
	buf[(size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1] = '\0';
	for (int i = 0; i < 3 && p != NULL; i++)
		p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL;
	if (p == NULL)
		return kerr_set(err, EPROTO, "session keyring description \"%s\"", buf);
	*ret = (unsigned int)strtoul(p, NULL, 16);
	return 0;
}

int keyring_join_session(const char *name, bool make_searchable, bool userns,
			 struct kerr *err)
{
	long id = sys_keyctl(K_JOIN_SESSION_KEYRING, (unsigned long)name, 0, 0, 0);
	unsigned int perm;

	if (id < 0 && errno == ENOSYS) {
		kdebug("no keyrings in this kernel: the session keyring is the caller's");
		return 0;
	}
	if (id < 0)
		return kerr_errno(err, "join session keyring %s", name);
	if (!make_searchable)
		return 0;
	if (keyring_perm(id, &perm, err) < 0)
		return -1;
	perm |= userns ? K_PERM_OTH_SEARCH : K_PERM_USR_SEARCH;
	if (sys_keyctl(K_SETPERM, (unsigned long)id, perm, 0, 0) < 0)
		return kerr_errno(err, "set the session keyring's permissions");
	return 0;
}
