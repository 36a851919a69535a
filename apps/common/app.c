#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "num.h"          /* the library's strict number parser (src/num.h) */

#include <ixy/error.h>

volatile sig_atomic_t app_stop;

static void on_signal(int sig)
{
	(void)sig;
	app_stop = 1;
}

void app_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int app_open_failed(const char *prog, const char *name)
{
	if (app_stop) {
		printf("[%s] stopped by a signal before %s was open\n", prog, name);
		fflush(stdout);
		return 0;
	}
	app_err(prog, "cannot open %s: %s", name, ixy_last_error());
	return 1;
}

void app_yield(void)
{
	sched_yield();
}

void app_err(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Numbers go through the library's strict parser (src/num.c), the same one
 * the sim port specs use: no sign, no blanks, no "inf"/"nan", nothing after
 * the number but the units asked for, whole where a count is meant. */

#define APP_MAX_SECONDS 1e9     /* ~31 years: far beyond any run, and ns fit in 64 bits */

static bool parse_seconds(const char *s, double *out, const char **why)
{
	const char *unit;
	double v, scale;
	if (ixy_parse_double(s, 0, APP_MAX_SECONDS, &v, &unit, why) < 0)
		return false;
	if (!*unit || strcmp(unit, "s") == 0)
		scale = 1;
	else if (strcmp(unit, "ms") == 0)
		scale = 1e-3;
	else if (strcmp(unit, "m") == 0 || strcmp(unit, "min") == 0)
		scale = 60;
	else
		return *why = "unknown unit", false;
	if (v * scale > APP_MAX_SECONDS)
		return *why = "out of range", false;
	*out = v * scale;
	return true;
}

#define APP_MAX_PPS 1e12
#define APP_MAX_BIT 1e15

static bool parse_rate(const char *s, double *pps, double *mbit, const char **why)
{
	const char *unit;
	double v, scale = 1;
	if (ixy_parse_double(s, 0, APP_MAX_BIT, &v, &unit, why) < 0)
		return false;
	if (v <= 0)
		return *why = "not above 0", false;
	switch (*unit) {
	case 'k': case 'K': scale = 1e3; unit++; break;
	case 'M': scale = 1e6; unit++; break;
	case 'G': scale = 1e9; unit++; break;
	default: break;
	}
	v *= scale;
	if (strcasecmp(unit, "pps") == 0) {
		if (v > APP_MAX_PPS)
			return *why = "out of range", false;
		*pps = v;
		*mbit = 0;
	} else if (strcasecmp(unit, "bit") == 0 || strcasecmp(unit, "bps") == 0 || strcasecmp(unit, "bit/s") == 0) {
		if (v > APP_MAX_BIT)
			return *why = "out of range", false;
		*pps = 0;
		*mbit = v / 1e6;
	} else {
		return *why = *unit ? "unknown unit" : "no unit (pps or bit)", false;
	}
	return true;
}

static bool opt_u64(const char *prog, const char *opt, const char *arg, unsigned flags, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	const char *why = "";
	if (ixy_parse_u64(arg, flags, min, max, out, &why) == 0)
		return true;
	if (max == UINT64_MAX && min == 0)
		app_err(prog, "%s: '%s' is not a number (%s)", opt, arg, why);
	else
		app_err(prog, "%s: '%s' is not a number in %llu..%llu (%s)", opt, arg, (unsigned long long)min,
			(unsigned long long)max, why);
	return false;
}

bool app_opt_u64(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	return opt_u64(prog, opt, arg, IXY_NUM_SI, min, max, out);
}

bool app_opt_u64_hex(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	return opt_u64(prog, opt, arg, IXY_NUM_HEX, min, max, out);
}

bool app_opt_seconds(const char *prog, const char *opt, const char *arg, double *out)
{
	const char *why = "";
	if (parse_seconds(arg, out, &why))
		return true;
	app_err(prog, "%s: '%s' is not a duration (e.g. 10, 2.5s, 500ms, 1m; %s)", opt, arg, why);
	return false;
}

bool app_opt_rate(const char *prog, const char *opt, const char *arg, double *pps, double *mbit)
{
	const char *why = "";
	if (parse_rate(arg, pps, mbit, &why))
		return true;
	app_err(prog, "%s: '%s' is not a rate (e.g. 1000pps, 2.5Mpps, 500Mbit; %s)", opt, arg, why);
	return false;
}

uint64_t app_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void app_print_rates(const char *prog, const char *name, const struct ixy_stats *now, const struct ixy_stats *prev)
{
	struct ixy_rates r = ixy_stats_rates(now, prev);
	printf("[%s] %-16s RX %8.3f Mpps %9.1f Mbit/s | TX %8.3f Mpps %9.1f Mbit/s | dropped %llu\n", prog, name,
	       r.rx_mpps, r.rx_mbit, r.tx_mpps, r.tx_mbit,
	       (unsigned long long)(now->rx_dropped + now->rx_missed - prev->rx_dropped - prev->rx_missed));
	fflush(stdout);
}

void app_print_totals(const char *prog, const char *name, const struct ixy_stats *s)
{
	printf("[%s] %-16s total: RX %llu packets %llu bytes | TX %llu packets %llu bytes | dropped %llu missed %llu errors %llu",
	       prog, name, (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
	       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes, (unsigned long long)s->rx_dropped,
	       (unsigned long long)s->rx_missed, (unsigned long long)s->rx_errors);
	if (s->tx_errors)       /* frames ixy_tx_batch refused (too long): taken, never sent */
		printf(" | TX refused %llu", (unsigned long long)s->tx_errors);
	printf("\n");
	fflush(stdout);
}

bool app_wire_ok(const char *prog, const char *name, struct ixy_device *dev)
{
	struct ixy_sim *sim = dev ? ixy_device_sim(dev) : NULL;
	if (!sim)
		return true;
	const char *msg = NULL;
	uint64_t lost = ixy_sim_wire_lost(sim, &msg), bad = ixy_sim_wire_errors(sim);
	if (lost)
		app_err(prog, "%s: the wire lost %llu frames: %s", name, (unsigned long long)lost, msg ? msg : "(no message)");
	else if (msg)
		app_err(prog, "%s: wire error: %s", name, msg);
	if (bad)
		app_err(prog, "%s: the wire refused %llu pieces of bad data from its other end (see the port's "
			"violations, IXY_SIM_VERBOSE=1)", name, (unsigned long long)bad);
	return !lost && !msg && !bad;
}

bool app_read_stats(const char *prog, struct ixy_device *dev, struct ixy_stats *now)
{
	if (ixy_read_stats(dev, now) == 0)
		return true;
	app_err(prog, "%s", ixy_last_error());
	return false;
}

uint64_t app_tx_drain(const char *prog, struct ixy_device *dev, uint64_t handed, bool step, struct ixy_stats *now)
{
	return app_tx_drain_segs(prog, dev, handed, 1, step, now);
}

uint64_t app_tx_drain_segs(const char *prog, struct ixy_device *dev, uint64_t handed, uint64_t segs, bool step,
			   struct ixy_stats *now)
{
	uint64_t until = app_now_ns() + APP_DRAIN_NS;
	struct ixy_sim *sim = ixy_device_sim(dev);
	bool stepped = step && sim && ixy_sim_mode(sim) == IXY_SIM_STEPPED;
	for (;;) {
		if (stepped)
			ixy_sim_step(sim);	/* nothing moves otherwise */
		if (!app_read_stats(prog, dev, now))
			return APP_DRAIN_UNKNOWN;
		uint64_t done = now->tx_packets / segs + now->tx_errors;      /* sent, or refused and counted */
		if (done >= handed)
			return 0;
		if (app_now_ns() >= until)
			return handed - done;
		app_yield();
	}
}
