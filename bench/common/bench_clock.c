/* The benchmarks' clock (bench_clock.h). */
#include "bench_clock.h"

#include <cpuid.h>
#include <stdlib.h>
#include <time.h>

#include "bench_stats.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A dependent chain of 1-cycle adds retires one per core cycle, so its
 * rate in TSC cycles is the core clock over the TSC clock. One sample is
 * 320000 adds (~0.1 ms); preemption and a slower clock only lower a
 * sample, and the ceiling must hold at the fastest clock, so the best
 * sample seen counts. The adds take a register whose value the compiler
 * and the CPU learn only at run time, not an immediate: Intel's cores
 * since Golden Cove fold chains of "add $imm" at register renaming, and
 * on this project's Emerald Rapids VM such a chain ran at 6.94 adds per
 * TSC cycle (a 16 GHz "core clock": a ceiling 5 times too high) against
 * 1.30 for register adds (a 3.0 GHz core over a 2.3 GHz TSC). */
static double core_sample(void)
{
	uint64_t x = 0, step = 1, t0 = __rdtsc();
	__asm__ volatile("" : "+r"(step));  /* opaque: no folding by the compiler either */
	for (int i = 0; i < 20000; i++)
		__asm__ volatile(".rept 16\n\tadd %1, %0\n\t.endr" : "+r"(x) : "r"(step));
	return 16.0 * 20000 / (double)(__rdtsc() - t0);
}

static void core_note(struct bench_clock *c, double r)
{
	if (r > c->core_per_tsc) {
		c->core_per_tsc = r;
		c->ops_ceiling = bench_ops_ceiling_tsc(c->width, r);
	}
}

void bench_clock_update(struct bench_clock *c)
{
	for (int i = 0; i < 10; i++)
		core_note(c, core_sample());
}

/* CPUID: vendor, display family and model (SDM vol. 2, CPUID leaf 1). */
static double core_width(const char **name)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return bench_dispatch_width(0, 0, 0, name);
	char vendor = b == 0x756e6547u ? 'I' : b == 0x68747541u ? 'A' : 0;   /* "Genu", "Auth" */
	__get_cpuid(1, &a, &b, &c, &d);
	unsigned family = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
	if (family == 0xf)
		family += (a >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((a >> 16) & 0xf) << 4;
	return bench_dispatch_width(vendor, family, model, name);
}

void bench_clock_calibrate(struct bench_clock *c)
{
	c->core_per_tsc = 0;
	c->width = core_width(&c->core);
	c->ops_ceiling = bench_ops_ceiling_tsc(c->width, 1.0);
	uint64_t t0 = bench_now_ns(), c0 = __rdtsc();
	while (bench_now_ns() - t0 < 200000000ull)
		core_note(c, core_sample());
	uint64_t t1 = bench_now_ns(), c1 = __rdtsc();
	c->tsc_ghz = (double)(c1 - c0) / (double)(t1 - t0);
	static uint64_t d[4001];
	uint64_t prev = bench_tsc(), step = UINT64_MAX;
	for (int i = 0; i < 4001; i++) {
		uint64_t t = bench_tsc();
		d[i] = t - prev;
		if (d[i] && d[i] < step)
			step = d[i];
		prev = t;
	}
	qsort(d, 4001, sizeof(d[0]), cmp_u64);
	c->read_cost = d[2000];
	c->tick = step;
}
