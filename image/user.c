/* Config.User -> uid/gid/additionalGids (conversion.md), resolved against the
 * image's own /etc/passwd and /etc/group, opened with RESOLVE_IN_ROOT so a
 * symlinked /etc/passwd in the image cannot make us read the host's. */
#include <fcntl.h>
#include <string.h>

#include "common/syscalls.h"
#include "common/util.h"
#include "image/internal.h"

#define DB_MAX (8 * 1024 * 1024)

static int read_db(int rootfs_fd, const char *path, char **ret, struct kerr *err)
{
	cleanup_close int fd = sys_openat2(rootfs_fd, path, O_RDONLY | O_CLOEXEC, 0,
					   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (fd < 0) {
		if (errno == ENOENT) {
			*ret = xstrdup("");
			return 0;
		}
		return kerr_errno(err, "open %s in the image", path);
	}
	buf = xmalloc(DB_MAX + 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, DB_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kerr_errno(err, "read %s in the image", path);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == DB_MAX)
			return kerr_set(err, 0, "%s in the image is too large", path);
	}
	buf[len] = '\0';
	*ret = move_ptr(buf);
	return 0;
}

/* Field i (0-based) of a colon-separated line, copied into a static buffer. */
static const char *field(const char *line, int i, char *buf, size_t size)
{
	const char *p = line, *end;

	for (; i > 0; i--) {
		p = strchr(p, ':');
		if (p == NULL)
			return NULL;
		p++;
	}
	end = strchrnul(p, ':');
	if ((size_t)(end - p) >= size)
		return NULL;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return buf;
}

/* Finds the line whose field 0 (name) or field 2 (id) matches key. */
static bool lookup(char *db, const char *key, bool numeric, uint32_t *ret_id, uint32_t *ret_gid,
		   char *ret_name, size_t name_size)
{
	char *save = NULL, buf[256];

	for (char *line = strtok_r(db, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *name = field(line, 0, ret_name, name_size);
		const char *id = field(line, 2, buf, sizeof(buf));
		uint64_t v;

		if (name == NULL || id == NULL || !parse_u64(id, &v) || v > UINT32_MAX)
			continue;
		if (numeric ? strcmp(id, key) != 0 : strcmp(name, key) != 0)
			continue;
		*ret_id = (uint32_t)v;
		if (ret_gid != NULL) {
			const char *g = field(line, 3, buf, sizeof(buf));

			if (g == NULL || !parse_u64(g, &v) || v > UINT32_MAX)
				continue;
			*ret_gid = (uint32_t)v;
		}
		return true;
	}
	return false;
}

/* The groups whose member list (field 3) names user. */
static void member_of(char *db, const char *user, uint32_t **gids, size_t *n)
{
	char *save = NULL, members[4096], idbuf[64];

	for (char *line = strtok_r(db, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *m = field(line, 3, members, sizeof(members));
		const char *id = field(line, 2, idbuf, sizeof(idbuf));
		char *s2 = NULL;
		uint64_t v;

		if (m == NULL || id == NULL || !parse_u64(id, &v) || v > UINT32_MAX)
			continue;
		for (char *u = strtok_r(members, ",", &s2); u; u = strtok_r(NULL, ",", &s2))
			if (strcmp(u, user) == 0) {
				*gids = realloc(*gids, (*n + 1) * sizeof(**gids));
				if (*gids == NULL)
					abort();
				(*gids)[(*n)++] = (uint32_t)v;
				break;
			}
	}
}

static bool is_numeric(const char *s)
{
	return s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

int user_resolve(int rootfs_fd, const char *spec, uint32_t *ret_uid, uint32_t *ret_gid,
		 uint32_t **ret_gids, size_t *ret_ngids, struct kerr *err)
{
	cleanup_free char *copy = xstrdup(spec), *passwd = NULL, *group = NULL;
	char *grp = strchr(copy, ':'), name[256] = "";
	uint32_t uid = 0, gid = 0, *gids = NULL;
	size_t ngids = 0;
	bool found;

	if (grp != NULL)
		*grp++ = '\0';
	if (read_db(rootfs_fd, "/etc/passwd", &passwd, err) < 0 ||
	    read_db(rootfs_fd, "/etc/group", &group, err) < 0)
		return -1;
	found = lookup(passwd, copy, is_numeric(copy), &uid, &gid, name, sizeof(name));
	if (!found) {
		uint64_t v;

		if (!is_numeric(copy) || !parse_u64(copy, &v) || v > UINT32_MAX)
			return kerr_set(err, 0, "user '%s' is not in the image's /etc/passwd", copy);
		uid = (uint32_t)v;
		gid = 0;
	}
	if (grp != NULL) {
		uint64_t v;
		char gname[256];
		cleanup_free char *g2 = xstrdup(group);

		if (is_numeric(grp) && parse_u64(grp, &v) && v <= UINT32_MAX)
			gid = (uint32_t)v;
		else if (!lookup(g2, grp, false, &gid, NULL, gname, sizeof(gname)))
			return kerr_set(err, 0, "group '%s' is not in the image's /etc/group", grp);
	} else if (!is_numeric(copy)) {
		/* conversion.md: additionalGids only for a named user and no group */
		member_of(group, name, &gids, &ngids);
	}
	*ret_uid = uid;
	*ret_gid = gid;
	*ret_gids = gids;
	*ret_ngids = ngids;
	return 0;
}
