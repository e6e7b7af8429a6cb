#include "runtime/exec_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

static const char *env_get(char *const *env, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		if (strncmp(env[i], key, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	}
	return NULL;
}

/* The home directory of uid in /etc/passwd of the current root, or "/". */
static char *home_of(uid_t uid)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	char line[1024];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *fields[7] = { 0 };
		char *p = line;
		int n = 0;
		uint64_t id;

		line[strcspn(line, "\n")] = '\0';
		/* strsep keeps empty fields (a passwordless "::"). */
		while (n < 7 && (fields[n] = strsep(&p, ":")) != NULL)
			n++;
		if (n == 7 && parse_u64(fields[2], &id) && id == uid && fields[5][0] == '/')
			return xstrdup(fields[5]);
	}
	return xstrdup("/");
}

char **exec_env(const struct kprocess *p)
{
	size_t n = strv_len(p->env);
	char **env = xcalloc(n + 2, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		env[i] = xstrdup(p->env[i]);
	if (env_get(env, "HOME") == NULL) {
		cleanup_free char *home = home_of(p->user.uid);

		env[n] = xasprintf("HOME=%s", home);
	}
	return env;
}

static bool is_executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

int exec_find(const char *name, char *const *env, char **ret, struct kerr *err)
{
	const char *path = env_get(env, "PATH");
	cleanup_free char *copy = NULL;
	char *save = NULL;

	if (strchr(name, '/') != NULL) {
		struct stat sb;

		if (stat(name, &sb) < 0)
			return kerr_errno(err, "exec: \"%s\"", name);
		if (!S_ISREG(sb.st_mode) || access(name, X_OK) < 0)
			return kerr_set(err, EACCES, "exec: \"%s\": permission denied", name);
		*ret = xstrdup(name);
		return 0;
	}
	copy = xstrdup(path != NULL ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
					     "/usr/bin:/sbin:/bin");
	for (char *dir = strtok_r(copy, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *full = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (is_executable(full)) {
			*ret = move_ptr(full);
			return 0;
		}
	}
	return kerr_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", name);
}
