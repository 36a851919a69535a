/* Statistics and plausibility checks for the benchmarks (bench_stats.h). */
#include "bench_stats.h"

#include <stddef.h>

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

double bench_dispatch_width(char vendor, unsigned family, unsigned model, const char **name)
{
	/* Intel family 6 models (the SDM's model list), by core */
	static const struct { unsigned char model; unsigned char width; const char *core; } intel[] = {
		{ 0x4E, 4, "skylake" }, { 0x5E, 4, "skylake" }, { 0x55, 4, "skylake" }, { 0x8E, 4, "skylake" },
		{ 0x9E, 4, "skylake" }, { 0xA5, 4, "skylake" }, { 0xA6, 4, "skylake" }, { 0x66, 4, "skylake" },
		{ 0x7D, 5, "sunny-cove" }, { 0x7E, 5, "sunny-cove" }, { 0x6A, 5, "sunny-cove" },
		{ 0x6C, 5, "sunny-cove" }, { 0x8C, 5, "sunny-cove" }, { 0x8D, 5, "sunny-cove" },
		{ 0xA7, 5, "sunny-cove" },
		{ 0x97, 6, "golden-cove" }, { 0x9A, 6, "golden-cove" }, { 0xB7, 6, "golden-cove" },
		{ 0xBA, 6, "golden-cove" }, { 0xBF, 6, "golden-cove" }, { 0x8F, 6, "golden-cove" },
		{ 0xCF, 6, "golden-cove" }, { 0xAA, 6, "golden-cove" }, { 0xAC, 6, "golden-cove" },
		{ 0xAD, 6, "golden-cove" }, { 0xAE, 6, "golden-cove" },
		{ 0xC5, 8, "lion-cove" }, { 0xC6, 8, "lion-cove" }, { 0xBD, 8, "lion-cove" },
	};
	const char *core = "unknown";
	double width = BENCH_OPS_PER_CORE_CYCLE;
	if (vendor == 'I' && family == 6) {
		for (size_t i = 0; i < sizeof(intel) / sizeof(intel[0]); i++) {
			if (intel[i].model == model) {
				width = intel[i].width;
				core = intel[i].core;
				break;
			}
		}
	} else if (vendor == 'A' && (family == 0x17 || family == 0x19)) {
		width = 6;
		core = "zen1-4";
	} else if (vendor == 'A' && family == 0x1A) {
		width = 8;
		core = "zen5";
	}
	if (name)
		*name = core;
	return width;
}

double bench_ops_ceiling_tsc(double width, double core_per_tsc)
{
	if (!isfinite(core_per_tsc) || core_per_tsc < 1.0)
		core_per_tsc = 1.0;
	if (!isfinite(width) || width <= 0 || width > BENCH_OPS_PER_CORE_CYCLE)
		width = BENCH_OPS_PER_CORE_CYCLE;
	return width * core_per_tsc;
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
