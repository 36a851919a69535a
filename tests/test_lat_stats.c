/* ixy-latency's statistics (apps/common/lat_stats.c): nearest-rank
 * percentiles against hand-computed ranks, the histogram's bins and
 * counts (negative samples too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../apps/common/lat_stats.c"

static void test_percentiles(void **state)
{
	(void)state;
	/* 1..10000 shuffled: the p-th percentile of 1..n is ceil(p * n / 100) */
	uint64_t n = 10000;
	int64_t *v = malloc(n * sizeof(*v));
	assert_non_null(v);
	for (uint64_t i = 0; i < n; i++)
		v[i] = (int64_t)((i * 7919) % n) + 1;	/* 7919 is prime: a permutation */
	struct lat_summary s;
	lat_summarize(v, n, &s);
	assert_int_equal(s.n, n);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.max, 10000);
	assert_int_equal(s.p50, 5000);
	assert_int_equal(s.p90, 9000);
	assert_int_equal(s.p99, 9900);
	assert_int_equal(s.p999, 9990);
	assert_int_equal(s.p9999, 9999);
	assert_true(s.mean > 5000.49 && s.mean < 5000.51);
	/* few samples: ranks round up */
	int64_t w[] = { 30, 10, 20 };
	lat_summarize(w, 3, &s);
	assert_int_equal(s.p50, 20);	/* ceil(1.5) = 2nd */
	assert_int_equal(s.p90, 30);
	assert_int_equal(s.p9999, 30);
	assert_int_equal(lat_percentile(w, 3, 33), 10);	/* ceil(0.99) = 1st */
	assert_int_equal(lat_percentile(w, 3, 34), 20);
	lat_summarize(w, 0, &s);
	assert_int_equal(s.n, 0);
	free(v);
}

static void test_histogram(void **state)
{
	(void)state;
	int64_t v[] = { -15, -5, 0, 3, 9, 10, 31 };	/* sorted */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(lat_histogram_csv(f, v, 7, 10), 6);	/* bins -20 .. 30 */
	fclose(f);
	assert_string_equal(buf, "bin_ns,count\n-20,1\n-10,1\n0,3\n10,1\n20,0\n30,1\n");
	free(buf);
	assert_int_equal(lat_histogram_csv(stdout, v, 7, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_histogram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
