/* Small helpers shared by the example apps: signals, numbers, time and the
 * per-second statistics line. Not part of the library. */
#ifndef IXY_APP_H
#define IXY_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <ixy/device.h>

/* Set by SIGINT/SIGTERM; loops poll it and then print totals and exit 0. */
extern volatile sig_atomic_t app_stop;
void app_install_signals(void);
/* After ixy_open returned NULL: report it and return the exit status. A
 * SIGINT/SIGTERM during the open (ixy_config.cancel = &app_stop ends its
 * link wait; the library has stopped and freed what it set up) is a normal
 * stop: status 0. Anything else: the library's message, status 1. */
int app_open_failed(const char *prog, const char *name);
void app_yield(void);

/* Print "PROG: message" to stderr (one line). */
void app_err(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse an unsigned number with optional k/M/G suffix (powers of 1000);
 * false on garbage. */
bool app_parse_u64(const char *s, uint64_t *out);
/* Parse a duration "10", "10s", "500ms", "2m". */
bool app_parse_seconds(const char *s, double *out);
/* Parse a rate: "100000pps", "1.5Mpps", "500Mbit", "10Gbit"; exactly one of
 * *pps / *mbit is set (the other 0). */
bool app_parse_rate(const char *s, double *pps, double *mbit);

/* Call once per poll-loop iteration with whether it did any work: after
 * many empty polls in a row it yields the CPU, so a polling app shares a
 * small machine (or the cores of a virtual NIC's engine) without costing
 * anything while traffic flows. */
static inline void app_idle(bool worked)
{
	static unsigned idle;
	if (worked)
		idle = 0;
	else if (++idle >= 256)
		app_yield();
}

/* Option parsing for getopt loops: parse `arg` of option `opt`; on bad
 * input print "PROG: OPT: 'ARG' is not ..." and return false. */
bool app_opt_u64(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
bool app_opt_seconds(const char *prog, const char *opt, const char *arg, double *out);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t app_now_ns(void);

/* One line with the rates of a port between two snapshots:
 * "NAME  RX 1.234 Mpps  829.3 Mbit/s | TX ... | dropped N" */
void app_print_rates(const char *prog, const char *name, const struct ixy_stats *now, const struct ixy_stats *prev);
/* Final totals of a port. */
void app_print_totals(const char *prog, const char *name, const struct ixy_stats *s);

#endif
