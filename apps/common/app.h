/* Small helpers shared by the example apps: signals, numbers, time and the
 * per-second statistics line. Not part of the library. */
#ifndef IXY_APP_H
#define IXY_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <ixy/device.h>
#include <ixy/sim.h>

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

/* Call once per poll-loop iteration with whether it did any work: after
 * many empty polls in a row it yields the CPU, so a polling app shares a
 * small machine (or the cores of a virtual NIC's engine) without costing
 * anything while traffic flows. app_idle_at keeps the count in *idle, for
 * apps with several polling threads (one each). */
static inline void app_idle_at(unsigned *idle, bool worked)
{
	if (worked)
		*idle = 0;
	else if (++*idle >= 256)
		app_yield();
}
static inline void app_idle(bool worked)
{
	static unsigned idle;
	app_idle_at(&idle, worked);
}

/* Option parsing for getopt loops: parse `arg` of option `opt`; on bad
 * input print "PROG: OPT: 'ARG' is not ... (why)" and return false.
 * Strict (src/num.h): u64 is a whole number with an optional k/M/G suffix
 * (powers of 1000, "1.5k" = 1500); seconds "10", "2.5s", "500ms", "2m",
 * finite, 0..1e9 s; a rate "1000pps", "1.5Mpps", "500Mbit", "10Gbit",
 * above 0 (exactly one of *pps / *mbit is set, the other 0). */
bool app_opt_u64(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
/* The same for values written in hex as often as not (a VLAN TCI): decimal or 0x... */
bool app_opt_u64_hex(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out);
bool app_opt_seconds(const char *prog, const char *opt, const char *arg, double *out);
bool app_opt_rate(const char *prog, const char *opt, const char *arg, double *pps, double *mbit);

/* A virtual port's wire problems: frames lost on the wire's side (a pcap
 * file that could not be written: ixy_sim_wire_lost) and bad data it
 * refused (a shm peer breaking the protocol: ixy_sim_wire_errors). True if
 * none (or not a virtual port), else prints "PROG: NAME: the wire lost N
 * frames: MESSAGE" (and/or the refused count) and returns false. */
bool app_wire_ok(const char *prog, const char *name, struct ixy_device *dev);

/* Wait (at most APP_DRAIN_NS) until the port has transmitted (or refused
 * as too long, tx_errors) `handed` frames since it was opened (its TX
 * statistics), so totals are printed after the TX ring drained and nothing
 * is cut off by closing. With `step` (an app that steps its virtual ports, ixy-fwd), a port in stepped mode is stepped
 * meanwhile; the other apps leave the stepping to whoever does it. Leaves the final statistics in *now; returns how
 * many frames never left, or APP_DRAIN_UNKNOWN after printing the library's error when the statistics could not be
 * read (the device went away). */
#define APP_DRAIN_NS 1000000000ull
#define APP_DRAIN_UNKNOWN UINT64_MAX
uint64_t app_tx_drain(const char *prog, struct ixy_device *dev, uint64_t handed, bool step, struct ixy_stats *now);
/* The same for frames that each leave as `segs` segments (ixy-pktgen --tso):
 * the NIC counts a sent segment in tx_packets but a refused frame once in
 * tx_errors, so a frame is done when all its segments left or it was
 * refused; handed and the result are in frames. */
uint64_t app_tx_drain_segs(const char *prog, struct ixy_device *dev, uint64_t handed, uint64_t segs, bool step,
			   struct ixy_stats *now);

/* The periodic statistics read, which is also where the library notices a
 * device that went away (the kernel took it back from VFIO, it was
 * removed) or a DMA the IOMMU refused: false after printing the error.
 * The apps call it at least once a second (APP_CHECK_NS), statistics
 * line or not, and stop when it fails. */
#define APP_CHECK_NS 1000000000ull
bool app_read_stats(const char *prog, struct ixy_device *dev, struct ixy_stats *now);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t app_now_ns(void);

/* One line with the rates of a port between two snapshots:
 * "NAME  RX 1.234 Mpps  829.3 Mbit/s | TX ... | dropped N" */
void app_print_rates(const char *prog, const char *name, const struct ixy_stats *now, const struct ixy_stats *prev);
/* Final totals of a port. */
void app_print_totals(const char *prog, const char *name, const struct ixy_stats *s);

#endif
