/* Container ids and signal names, as runc accepts them. */
#include "runtime/runtime.h"

#include <errno.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "spec/spec.h"

bool runtime_id_valid(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	/* runc's rule; it also keeps "/", "." and ".." out of the state path. */
	if (n == 0 || n > 1024 || !isalnum((unsigned char)id[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)id[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '+' && ch != '-')
			return false;
	}
	return true;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },   { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
	{ "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH }, { "IO", SIGIO },         { "POLL", SIGPOLL },   { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

int runtime_parse_signal(const char *s)
{
	int64_t n;

	if (s == NULL || *s == '\0')
		return -1;
	if (parse_i64(s, &n))
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signals); i++) {
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	}
	/* RTMIN+N, RTMAX-N */
	if (strncasecmp(s, "RTMIN+", 6) == 0 && parse_i64(s + 6, &n) && n >= 0 &&
	    SIGRTMIN + n <= SIGRTMAX)
		return SIGRTMIN + (int)n;
	if (strncasecmp(s, "RTMAX-", 6) == 0 && parse_i64(s + 6, &n) && n >= 0 &&
	    SIGRTMAX - n >= SIGRTMIN)
		return SIGRTMAX - (int)n;
	return -1;
}

int runtime_spec(const char *bundle, bool rootless, struct kerr *err)
{
	cleanup_free char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
	json_t *doc = spec_default(rootless);
	cleanup_free char *text = NULL;
	FILE *f;

	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (text == NULL)
		return kerr_set(err, ENOMEM, "serialize default config");
	/* runc refuses to overwrite an existing config.json; so do we. */
	f = fopen(path, "wx");
	if (f == NULL)
		return errno == EEXIST ? kerr_set(err, EEXIST, "File %s exists. Remove it first",
						  path)
				       : kerr_errno(err, "create %s", path);
	if (fprintf(f, "%s\n", text) < 0 || fclose(f) != 0)
		return kerr_errno(err, "write %s", path);
	return 0;
}
