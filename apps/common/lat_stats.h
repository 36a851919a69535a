/* Latency statistics for ixy-latency: nearest-rank percentiles and a
 * histogram, over samples in ns. Not part of the library. */
#ifndef IXY_LAT_STATS_H
#define IXY_LAT_STATS_H

#include <stdint.h>
#include <stdio.h>

struct lat_summary {
	uint64_t n;
	int64_t min, max;
	double mean;
	int64_t p50, p90, p99, p999, p9999;
};

/* Sort samples (in place) and summarise them; n may be 0 (all zero). */
void lat_summarize(int64_t *samples, uint64_t n, struct lat_summary *s);
/* The nearest-rank p-th percentile (0 < p <= 100) of n sorted samples:
 * the smallest sample with at least p % of the samples at or below it. */
int64_t lat_percentile(const int64_t *sorted, uint64_t n, double p);
/* Histogram of sorted samples as CSV ("bin_ns,count": the bin's lower
 * edge), bins of bin_ns from min rounded down; empty bins inside the range
 * included. Returns the number of bins written, or -1 (bin_ns < 1). */
long lat_histogram_csv(FILE *f, const int64_t *sorted, uint64_t n, int64_t bin_ns);

#endif
