/* The benchmarks' clock: the TSC, its rate and step, and the fastest core
 * clock seen (for the plausibility ceiling of bench_stats.h).
 *
 * TSC cycles are reference cycles at tsc_ghz, whatever the core's clock
 * does; on this VM the core runs up to ~1.6x faster than the TSC, and the
 * host changes its clock. docs/performance.md, "How it measures". */
#ifndef IXY_BENCH_CLOCK_H
#define IXY_BENCH_CLOCK_H

#include <stdint.h>
#include <x86intrin.h>

struct bench_clock {
	double tsc_ghz;
	uint64_t tick;          /* smallest non-zero difference of two reads */
	uint64_t read_cost;     /* median gap of back-to-back reads */
	double core_per_tsc;    /* fastest core clock / TSC clock seen so far */
	double width;           /* dispatch slots per core cycle (bench_dispatch_width) */
	const char *core;       /* which core CPUID says this is */
	double ops_ceiling;     /* dispatch slots per TSC cycle at that clock */
};

static inline uint64_t bench_tsc(void)
{
	_mm_lfence();           /* earlier instructions finish before the read */
	return __rdtsc();
}

uint64_t bench_now_ns(void);
/* 200 ms: the TSC rate against CLOCK_MONOTONIC, meanwhile core clock
 * samples; then the TSC's step and read cost. */
void bench_clock_calibrate(struct bench_clock *c);
/* Ten more core clock samples (~1 ms): call before each run, so that a
 * boost after the calibration raises the ceiling. */
void bench_clock_update(struct bench_clock *c);

#endif
