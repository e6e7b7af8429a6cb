#include "common/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static int log_fd = -1;   /* -1: stderr */
static bool log_json;
static bool log_debug;

int klog_open(const char *path, bool json, bool debug)
{
	log_json = json;
	log_debug = debug;
	if (path == NULL || path[0] == '\0')
		return 0;
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	return log_fd < 0 ? -1 : 0;
}

void klog_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

bool klog_debug_enabled(void)
{
	return log_debug;
}

int klog_fd(void)
{
	return log_fd;
}

static const char *level_name(enum klog_level level)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	return names[level];
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

void klog(enum klog_level level, const char *fmt, ...)
{
	char msg[2048];
	char when[64];
	va_list ap;
	int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;

	if (level == KLOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	now_rfc3339(when, sizeof(when));
	if (log_json) {
		json_t *o = json_pack("{s:s,s:s,s:s}", "level", level_name(level), "msg", msg,
				      "time", when);
		char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (line != NULL)
			dprintf(fd, "%s\n", line);
		free(line);
		json_decref(o);
	} else if (log_fd >= 0) {
		dprintf(fd, "%s %s: %s\n", when, level_name(level), msg);
	} else {
		if (level == KLOG_ERROR)
			dprintf(fd, "kapsel: %s\n", msg);
		else
			dprintf(fd, "kapsel: %s: %s\n", level_name(level), msg);
	}
}
