/* Crash-safety testing (tests/integration/chaos.sh): with
 * KAPSEL_DEBUG_STOP_AT=STEP in the environment, the process that reaches the
 * named step waits there, named "kapsel-stop" (/proc/PID/comm), until it gets
 * SIGCONT, so that a test can SIGKILL the runtime at exactly that point.
 * Without the variable it costs one getenv. */
#ifndef KAPSEL_COMMON_STOPAT_H
#define KAPSEL_COMMON_STOPAT_H

#define DEBUG_STOP_COMM "kapsel-stop"

void debug_stop_at(const char *step);

#endif
