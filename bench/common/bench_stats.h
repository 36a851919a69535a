/* Statistics and plausibility checks for the benchmarks' cycle figures.
 *
 * Pure functions (no clock, no device), so a unit test can check them:
 * tests/test_bench_stats.c. The benchmarks time many iterations as one
 * region, repeat that in several runs and report the runs' minimum, median
 * and spread; a figure that implies more instructions per cycle than the
 * CPU can retire is refused instead of printed (docs/performance.md). */
#ifndef IXY_BENCH_STATS_H
#define IXY_BENCH_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* Dispatch slots per core cycle above which a figure is refused, for a
 * core we do not know: the width of the widest x86 cores (AMD Zen 5,
 * Intel Lion Cove: 8 macro-ops per cycle), which no true figure exceeds.
 * A compare or ALU op fused with the conditional branch after it takes
 * one slot, so a stretch of code needs at least (instructions -
 * conditional branches) slots. docs/performance.md, "The IPC ceiling". */
#define BENCH_OPS_PER_CORE_CYCLE 8.0

/* The width of the core CPUID names (vendor 'I'ntel or 'A'MD, display
 * family and model): its rename/dispatch slots per cycle, the narrowest
 * stage every instruction passes. Intel Skylake-class 4, Sunny/Willow/
 * Cypress Cove 5, Golden/Raptor/Redwood Cove 6 (a hybrid chip's wider
 * core: the ceiling must hold on either), Lion Cove 8; AMD Zen 1-4 6,
 * Zen 5 8; anything else BENCH_OPS_PER_CORE_CYCLE. *name says which. */
double bench_dispatch_width(char vendor, unsigned family, unsigned model, const char **name);

/* The ceiling per TSC cycle, the unit of the figures: width slots per
 * core cycle, and the core may run faster than the TSC (core_per_tsc,
 * measured; taken as at least 1). */
double bench_ops_ceiling_tsc(double width, double core_per_tsc);

/* Summary of n repeated runs' figures (e.g. cycles per packet). */
struct bench_stats {
	unsigned n;
	double min, median, max;
	double spread_pct;      /* 100 * (max - min) / median */
};

/* Fills *s from v[0..n-1] (v is not changed; at most BENCH_STATS_MAX
 * values). The median of an even count is the mean of the two middle
 * values. Returns 0, or -1 (s zeroed) if n is 0 or too large, or a value
 * is not a positive finite number. */
#define BENCH_STATS_MAX 256
int bench_stats_compute(const double *v, unsigned n, struct bench_stats *s);

enum bench_check {
	BENCH_CHECK_OK,         /* plausible: at most `ceiling` instructions per cycle */
	BENCH_CHECK_UNCHECKED,  /* no instruction count known for this configuration */
	BENCH_CHECK_REFUSED,    /* implies more than `ceiling`, or no cycles at all */
};

/* Is cycles_per_pkt plausible for instr_per_pkt instructions of which
 * cbr_per_pkt are conditional branches? *ops gets the least dispatch slots
 * per cycle the figure implies, (instr - cbr) / cycles (0 if unknown).
 * instr_per_pkt <= 0 means unknown; cbr_per_pkt outside 0..instr_per_pkt
 * is taken as 0 (no fusion credited). Check the smallest figure of a set:
 * if it passes, all do. */
enum bench_check bench_ipc_check(double instr_per_pkt, double cbr_per_pkt, double cycles_per_pkt, double ceiling,
				 double *ops);
const char *bench_check_name(enum bench_check c);       /* "ok", "unchecked", "refused" */

/* Instruction and conditional-branch counts per packet of the
 * configurations callgrind measured, one per line of a file that
 * bench/run.sh writes:
 *     KIND BATCH RING INSTR_PER_PKT CBR_PER_PKT     e.g. "fwd 32 512 81.2 9.1"
 * Blank lines and lines starting with '#' are skipped. */
struct bench_instr {
	char kind[16];
	uint32_t batch, ring;
	double instr, cbr;
};
/* Parses one line. Returns 1 (entry filled), 0 (blank or comment), or -1
 * (malformed: wrong field count, kind too long, batch/ring 0, instruction
 * count not positive, branch count negative or above it). */
int bench_instr_parse_line(const char *line, struct bench_instr *out);
/* The entry for (kind, batch, ring) in tab[0..n-1], or NULL if absent. */
const struct bench_instr *bench_instr_find(const struct bench_instr *tab, unsigned n, const char *kind,
					   uint32_t batch, uint32_t ring);

#endif
