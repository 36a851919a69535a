/* Latency statistics for ixy-latency (see lat_stats.h). */
#include <stdlib.h>

#include "lat_stats.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int64_t lat_percentile(const int64_t *sorted, uint64_t n, double p)
{
	if (!n)
		return 0;
	/* rank = ceil(p / 100 * n), computed in integers where it matters:
	 * p given in 1/10000 % steps (99.99 -> 999900) */
	uint64_t pp = (uint64_t)(p * 10000 + 0.5);
	uint64_t rank = (pp * n + 1000000 - 1) / 1000000;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

void lat_summarize(int64_t *samples, uint64_t n, struct lat_summary *s)
{
	*s = (struct lat_summary){ .n = n };
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_i64);
	double sum = 0;
	for (uint64_t i = 0; i < n; i++)
		sum += (double)samples[i];
	s->min = samples[0];
	s->max = samples[n - 1];
	s->mean = sum / (double)n;
	s->p50 = lat_percentile(samples, n, 50);
	s->p90 = lat_percentile(samples, n, 90);
	s->p99 = lat_percentile(samples, n, 99);
	s->p999 = lat_percentile(samples, n, 99.9);
	s->p9999 = lat_percentile(samples, n, 99.99);
}

/* floor division for negative samples too (a clock offset can make one) */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

long lat_histogram_csv(FILE *f, const int64_t *sorted, uint64_t n, int64_t bin_ns)
{
	if (bin_ns < 1)
		return -1;
	fprintf(f, "bin_ns,count\n");
	if (!n)
		return 0;
	int64_t first = floor_div(sorted[0], bin_ns), last = floor_div(sorted[n - 1], bin_ns);
	long bins = 0;
	uint64_t i = 0;
	for (int64_t b = first; b <= last; b++, bins++) {
		uint64_t c = 0;
		while (i < n && floor_div(sorted[i], bin_ns) == b) {
			c++;
			i++;
		}
		fprintf(f, "%lld,%llu\n", (long long)(b * bin_ns), (unsigned long long)c);
	}
	return bins;
}
