/* Whiteouts (layer.md): ".wh.NAME" deletes NAME of the lower layers,
 * ".wh..wh..opq" hides all of a directory's lower children. They apply to lower
 * layers only, so entries this layer created (the pathset) are spared whatever
 * the order of the tar. KU_APPLY deletes for real; KU_OVERLAY writes
 * overlayfs's own markers into the layer's store dir (a 0:0 character device,
 * the trusted.overlay.opaque=y xattr) and lets the mount do the hiding. */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "common/util.h"
#include "image/internal.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

/* ---- a set of strings: open addressing, FNV-1a ---- */
struct kpathset {
	char **slots;
	size_t cap, n;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct kpathset *pathset_new(void)
{
	struct kpathset *s = xcalloc(1, sizeof(*s));

	s->cap = 1024;
	s->slots = xcalloc(s->cap, sizeof(char *));
	return s;
}

void pathset_free(struct kpathset *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i]);
	free(s->slots);
	free(s);
}

static char **slot_of(char **slots, size_t cap, const char *p)
{
	size_t i = fnv(p) & (cap - 1);

	while (slots[i] != NULL && strcmp(slots[i], p) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

void pathset_add(struct kpathset *s, const char *p)
{
	char **slot;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap * 2;
		char **slots = xcalloc(cap, sizeof(char *));

		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i] != NULL)
				*slot_of(slots, cap, s->slots[i]) = s->slots[i];
		free(s->slots);
		s->slots = slots;
		s->cap = cap;
	}
	slot = slot_of(s->slots, s->cap, p);
	if (*slot == NULL) {
		*slot = xstrdup(p);
		s->n++;
	}
}

bool pathset_has(const struct kpathset *s, const char *p)
{
	return *slot_of(s->slots, s->cap, p) != NULL;
}

/* ---- whiteouts ---- */
bool whiteout_is(const char *name)
{
	return strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) == 0;
}

static char *join(const char *parent, const char *name)
{
	return parent[0] ? xasprintf("%s/%s", parent, name) : xstrdup(name);
}

static int remove_name(int dirfd, const char *name, struct kerr *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : kerr_errno(err, "stat %s", name);
	if (S_ISDIR(st.st_mode))
		return rm_rf_at(dirfd, name, err);
	if (unlinkat(dirfd, name, 0) < 0)
		return kerr_errno(err, "remove %s", name);
	return 0;
}

static int opaque_apply(int parentfd, const char *parent, const struct kpathset *created,
			struct kerr *err)
{
	cleanup_close int fd = openat(parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = NULL;
	struct dirent *de;

	if (fd < 0)
		return kerr_errno(err, "open '%s'", parent);
	d = fdopendir(fd);
	if (d == NULL)
		return kerr_errno(err, "read '%s'", parent);
	fd = -1;
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		child = join(parent, de->d_name);
		if (pathset_has(created, child))
			continue;
		if (remove_name(dirfd(d), de->d_name, err) < 0)
			return -1;
	}
	return 0;
}

static int opaque_mark(int parentfd, const char *parent, struct kerr *err)
{
	cleanup_close int fd = openat(parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (parent[0] == '\0')
		return kerr_set(err, 0, "an opaque whiteout at the layer's root cannot be "
				"expressed in overlay mode (use --mode copy)");
	if (fd < 0)
		return kerr_errno(err, "open '%s'", parent);
	if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
		return kerr_errno(err, "mark '%s' opaque", parent);
	return 0;
}

int whiteout_handle(int parentfd, const char *parent, const char *name,
		    const struct kunpack_opts *o, const struct kpathset *created, struct kerr *err)
{
	const char *victim = name + strlen(WH_PREFIX);
	cleanup_free char *vpath = NULL;

	if (strcmp(name, WH_OPAQUE) == 0)
		return o->target == KU_APPLY ? opaque_apply(parentfd, parent, created, err)
					     : opaque_mark(parentfd, parent, err);
	if (victim[0] == '\0' || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0 ||
	    whiteout_is(victim))
		return kerr_set(err, 0, "invalid whiteout name");
	vpath = join(parent, victim);
	/* spare what this layer itself created */
	if (pathset_has(created, vpath))
		return 0;
	if (o->target == KU_APPLY)
		return remove_name(parentfd, victim, err);
	if (mknodat(parentfd, victim, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST)
		return kerr_errno(err, "create overlay whiteout for '%s'", vpath);
	return 0;
}
