/* Logging for the runtime: to stderr by default, or to --log FILE as text or
 * JSON lines ({"level":..,"msg":..,"time":..}) the way containerd reads runc's. */
#ifndef KAPSEL_COMMON_LOG_H
#define KAPSEL_COMMON_LOG_H

#include <stdbool.h>

enum klog_level { KLOG_ERROR, KLOG_WARN, KLOG_INFO, KLOG_DEBUG };

/* path NULL: stderr. json: JSON lines. Returns -1 with errno if the file can't be opened. */
int klog_open(const char *path, bool json, bool debug);
void klog_close(void);
void klog(enum klog_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool klog_debug_enabled(void);
/* The fd of the log file, or -1: children close it before exec. */
int klog_fd(void);

#define kdebug(...) do { if (klog_debug_enabled()) klog(KLOG_DEBUG, __VA_ARGS__); } while (0)

#endif
