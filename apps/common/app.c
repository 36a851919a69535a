#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"

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

static bool suffix_scale(const char *end, double *scale, const char **rest)
{
	*scale = 1;
	switch (*end) {
	case 'k': case 'K': *scale = 1e3; end++; break;
	case 'M': *scale = 1e6; end++; break;
	case 'G': *scale = 1e9; end++; break;
	default: break;
	}
	*rest = end;
	return true;
}

bool app_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	double scale;
	const char *rest;
	if (!s || !*s || *s == '-')
		return false;
	double v = strtod(s, &end);
	if (end == s || !suffix_scale(end, &scale, &rest) || *rest || v < 0 || v * scale > 1.8e19)
		return false;
	*out = (uint64_t)llround(v * scale);
	return true;
}

bool app_parse_seconds(const char *s, double *out)
{
	char *end;
	if (!s || !*s)
		return false;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return false;
	if (!*end || strcmp(end, "s") == 0)
		*out = v;
	else if (strcmp(end, "ms") == 0)
		*out = v / 1e3;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		*out = v * 60;
	else
		return false;
	return true;
}

bool app_parse_rate(const char *s, double *pps, double *mbit)
{
	char *end;
	double scale;
	const char *unit;
	if (!s || !*s)
		return false;
	double v = strtod(s, &end);
	if (end == s || v <= 0 || !suffix_scale(end, &scale, &unit))
		return false;
	*pps = *mbit = 0;
	if (strcasecmp(unit, "pps") == 0)
		*pps = v * scale;
	else if (strcasecmp(unit, "bit") == 0 || strcasecmp(unit, "bps") == 0 || strcasecmp(unit, "bit/s") == 0)
		*mbit = v * scale / 1e6;
	else
		return false;
	return true;
}

bool app_opt_u64(const char *prog, const char *opt, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	if (app_parse_u64(arg, &v) && v >= min && v <= max) {
		*out = v;
		return true;
	}
	if (max == UINT64_MAX)
		app_err(prog, "%s: '%s' is not a number", opt, arg);
	else
		app_err(prog, "%s: '%s' is not a number in %llu..%llu", opt, arg, (unsigned long long)min,
			(unsigned long long)max);
	return false;
}

bool app_opt_seconds(const char *prog, const char *opt, const char *arg, double *out)
{
	if (app_parse_seconds(arg, out))
		return true;
	app_err(prog, "%s: '%s' is not a duration (e.g. 10, 2.5s, 500ms, 1m)", opt, arg);
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
	printf("[%s] %-16s total: RX %llu packets %llu bytes | TX %llu packets %llu bytes | dropped %llu missed %llu errors %llu\n",
	       prog, name, (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
	       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes, (unsigned long long)s->rx_dropped,
	       (unsigned long long)s->rx_missed, (unsigned long long)s->rx_errors);
	fflush(stdout);
}
