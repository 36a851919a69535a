/* Statistics and plausibility checks for the benchmarks (bench_stats.h). */
#include "bench_stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int bench_stats_compute(const double *v, unsigned n, struct bench_stats *s)
{
	double w[BENCH_STATS_MAX];
	memset(s, 0, sizeof(*s));
	if (n == 0 || n > BENCH_STATS_MAX)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (!isfinite(v[i]) || v[i] <= 0)
			return -1;
		w[i] = v[i];
	}
	qsort(w, n, sizeof(w[0]), cmp_double);
	s->n = n;
	s->min = w[0];
	s->max = w[n - 1];
	s->median = n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
	s->spread_pct = 100.0 * (s->max - s->min) / s->median;
	return 0;
}

double bench_ops_ceiling_tsc(double core_per_tsc)
{
	if (!isfinite(core_per_tsc) || core_per_tsc < 1.0)
		core_per_tsc = 1.0;
	return BENCH_OPS_PER_CORE_CYCLE * core_per_tsc;
}

enum bench_check bench_ipc_check(double instr_per_pkt, double cbr_per_pkt, double cycles_per_pkt, double ceiling,
				 double *ops)
{
	*ops = 0;
	if (!(instr_per_pkt > 0) || !isfinite(instr_per_pkt))
		return BENCH_CHECK_UNCHECKED;
	/* no cycles for a known amount of work: as implausible as it gets */
	if (!(cycles_per_pkt > 0) || !isfinite(cycles_per_pkt))
		return BENCH_CHECK_REFUSED;
	if (!(cbr_per_pkt >= 0 && cbr_per_pkt <= instr_per_pkt))
		cbr_per_pkt = 0;
	*ops = (instr_per_pkt - cbr_per_pkt) / cycles_per_pkt;
	return *ops > ceiling ? BENCH_CHECK_REFUSED : BENCH_CHECK_OK;
}

const char *bench_check_name(enum bench_check c)
{
	switch (c) {
	case BENCH_CHECK_OK:
		return "ok";
	case BENCH_CHECK_UNCHECKED:
		return "unchecked";
	default:
		return "refused";
	}
}

/* A whole token as an unsigned number 1..UINT32_MAX, or 0. */
static uint32_t parse_u32(const char *t)
{
	char *end;
	if (*t < '0' || *t > '9')
		return 0;
	unsigned long v = strtoul(t, &end, 10);
	return *end || v > UINT32_MAX ? 0 : (uint32_t)v;
}

int bench_instr_parse_line(const char *line, struct bench_instr *out)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '#')
		return 0;
	char kind[32], tb[32], tr[32], ti[32], tc[32], extra[2], *end_i, *end_c;
	if (sscanf(p, "%31s %31s %31s %31s %31s %1s", kind, tb, tr, ti, tc, extra) != 5)
		return -1;
	uint32_t batch = parse_u32(tb), ring = parse_u32(tr);
	double instr = strtod(ti, &end_i), cbr = strtod(tc, &end_c);
	if (strlen(kind) >= sizeof(out->kind) || !batch || !ring || *end_i || *end_c || !isfinite(instr) ||
	    instr <= 0 || !(cbr >= 0 && cbr <= instr))
		return -1;
	memset(out, 0, sizeof(*out));
	strcpy(out->kind, kind);
	out->batch = batch;
	out->ring = ring;
	out->instr = instr;
	out->cbr = cbr;
	return 1;
}

const struct bench_instr *bench_instr_find(const struct bench_instr *tab, unsigned n, const char *kind,
					   uint32_t batch, uint32_t ring)
{
	for (unsigned i = 0; i < n; i++)
		if (tab[i].batch == batch && tab[i].ring == ring && strcmp(tab[i].kind, kind) == 0)
			return &tab[i];
	return NULL;
}
