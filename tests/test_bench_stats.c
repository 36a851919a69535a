/* The benchmarks' statistics and plausibility check (bench/common/
 * bench_stats.c): minimum, median and spread against hand-computed values,
 * refusal of figures implying more instructions per cycle than the
 * ceiling, and the instruction-count file's lines. No timing here. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../bench/common/bench_stats.c"

static void test_stats_odd_even(void **state)
{
	(void)state;
	struct bench_stats s;
	const double odd[] = { 30.0, 10.0, 50.0, 20.0, 40.0 };
	assert_int_equal(bench_stats_compute(odd, 5, &s), 0);
	assert_int_equal(s.n, 5);
	assert_true(s.min == 10.0 && s.max == 50.0 && s.median == 30.0);
	assert_true(fabs(s.spread_pct - 100.0 * 40.0 / 30.0) < 1e-9);
	/* the input is left as it was (the caller prints runs in order) */
	assert_true(odd[0] == 30.0 && odd[2] == 50.0);

	const double even[] = { 4.0, 1.0, 3.0, 2.0 };
	assert_int_equal(bench_stats_compute(even, 4, &s), 0);
	assert_true(s.median == 2.5 && s.min == 1.0 && s.max == 4.0);
	assert_true(fabs(s.spread_pct - 120.0) < 1e-9);

	const double one[] = { 7.5 };
	assert_int_equal(bench_stats_compute(one, 1, &s), 0);
	assert_true(s.min == 7.5 && s.median == 7.5 && s.max == 7.5 && s.spread_pct == 0.0);
}

static void test_stats_refuses_bad_input(void **state)
{
	(void)state;
	struct bench_stats s;
	const double zero[] = { 10.0, 0.0, 12.0 };
	const double neg[] = { -1.0 };
	const double nan_v[] = { 1.0, NAN };
	const double inf_v[] = { INFINITY };
	double many[BENCH_STATS_MAX + 1];
	for (unsigned i = 0; i <= BENCH_STATS_MAX; i++)
		many[i] = 1.0 + i;
	assert_int_equal(bench_stats_compute(zero, 0, &s), -1);
	assert_int_equal(s.n, 0);
	assert_int_equal(bench_stats_compute(zero, 3, &s), -1);
	assert_int_equal(bench_stats_compute(neg, 1, &s), -1);
	assert_int_equal(bench_stats_compute(nan_v, 2, &s), -1);
	assert_int_equal(bench_stats_compute(inf_v, 1, &s), -1);
	assert_int_equal(bench_stats_compute(many, BENCH_STATS_MAX + 1, &s), -1);
	assert_int_equal(bench_stats_compute(many, BENCH_STATS_MAX, &s), 0);
	assert_true(s.min == 1.0 && s.max == BENCH_STATS_MAX && s.median == (BENCH_STATS_MAX + 1) / 2.0);
}

static void test_ipc_check(void **state)
{
	(void)state;
	double ops;
	/* the figures issue 13 found: 79.5 instructions in 8.1 cycles, 244 in
	 * 1.7, against a ceiling of 6 slots per cycle */
	assert_int_equal(bench_ipc_check(79.5, 0.0, 8.1, 6.0, &ops), BENCH_CHECK_REFUSED);
	assert_true(fabs(ops - 79.5 / 8.1) < 1e-9);
	assert_int_equal(bench_ipc_check(244.0, 30.0, 1.7, 6.0, &ops), BENCH_CHECK_REFUSED);
	assert_true(fabs(ops - 214.0 / 1.7) < 1e-9);
	/* plausible: 80 instructions, 16 of them fusable branches, in 20
	 * cycles need at least 64 slots: 3.2 per cycle */
	assert_int_equal(bench_ipc_check(80.0, 16.0, 20.0, 6.0, &ops), BENCH_CHECK_OK);
	assert_true(fabs(ops - 3.2) < 1e-9);
	/* fusion is credited: 70 instructions in 10 cycles pass a ceiling
	 * of 6 only because 10 of them are conditional branches */
	assert_int_equal(bench_ipc_check(70.0, 10.0, 10.0, 6.0, &ops), BENCH_CHECK_OK);
	assert_int_equal(bench_ipc_check(70.0, 9.0, 10.0, 6.0, &ops), BENCH_CHECK_REFUSED);
	/* the ceiling itself passes, anything above it does not */
	assert_int_equal(bench_ipc_check(60.0, 0.0, 10.0, 6.0, &ops), BENCH_CHECK_OK);
	assert_int_equal(bench_ipc_check(60.0, 0.0, 9.99, 6.0, &ops), BENCH_CHECK_REFUSED);
	/* a branch count that cannot be (negative, above the instructions)
	 * earns no credit */
	assert_int_equal(bench_ipc_check(60.0, -5.0, 9.0, 6.0, &ops), BENCH_CHECK_REFUSED);
	assert_true(fabs(ops - 60.0 / 9.0) < 1e-9);
	assert_int_equal(bench_ipc_check(60.0, 61.0, 9.0, 6.0, &ops), BENCH_CHECK_REFUSED);
	/* no cycles for known work: refused; no count: unchecked, ops 0 */
	assert_int_equal(bench_ipc_check(80.0, 0.0, 0.0, 6.0, &ops), BENCH_CHECK_REFUSED);
	assert_int_equal(bench_ipc_check(80.0, 0.0, NAN, 6.0, &ops), BENCH_CHECK_REFUSED);
	assert_int_equal(bench_ipc_check(0.0, 0.0, 25.0, 6.0, &ops), BENCH_CHECK_UNCHECKED);
	assert_true(ops == 0.0);
	/* per TSC cycle: the core's clock over the TSC's, never below 1; a
	 * width that cannot be is taken as the widest */
	assert_true(fabs(bench_ops_ceiling_tsc(8.0, 1.5) - 1.5 * BENCH_OPS_PER_CORE_CYCLE) < 1e-9);
	assert_true(fabs(bench_ops_ceiling_tsc(6.0, 1.3) - 7.8) < 1e-9);
	assert_true(bench_ops_ceiling_tsc(8.0, 0.75) == BENCH_OPS_PER_CORE_CYCLE);
	assert_true(bench_ops_ceiling_tsc(8.0, NAN) == BENCH_OPS_PER_CORE_CYCLE);
	assert_true(bench_ops_ceiling_tsc(0.0, 1.0) == BENCH_OPS_PER_CORE_CYCLE);
	assert_true(bench_ops_ceiling_tsc(NAN, 1.0) == BENCH_OPS_PER_CORE_CYCLE);
	assert_true(bench_ops_ceiling_tsc(12.0, 1.0) == BENCH_OPS_PER_CORE_CYCLE);
	/* the Zen 5 VM (core at 1.5x the TSC: 12 slots per TSC cycle):
	 * batch-1 forwarding measured 343 instructions, 38 conditional
	 * branches, in 35 cycles; the same in 25 would be impossible */
	assert_int_equal(bench_ipc_check(343.0, 38.0, 35.0, bench_ops_ceiling_tsc(8.0, 1.5), &ops), BENCH_CHECK_OK);
	assert_int_equal(bench_ipc_check(343.0, 38.0, 25.0, bench_ops_ceiling_tsc(8.0, 1.5), &ops),
			 BENCH_CHECK_REFUSED);
	/* the width by core: what CPUID says picks the row */
	const char *core;
	assert_true(bench_dispatch_width('I', 6, 0xCF, &core) == 6.0);   /* Emerald Rapids */
	assert_string_equal(core, "golden-cove");
	assert_true(bench_dispatch_width('I', 6, 0x55, &core) == 4.0);   /* Skylake-SP */
	assert_string_equal(core, "skylake");
	assert_true(bench_dispatch_width('I', 6, 0x6A, &core) == 5.0);   /* Ice Lake-SP */
	assert_true(bench_dispatch_width('I', 6, 0xC6, &core) == 8.0);   /* Arrow Lake */
	assert_true(bench_dispatch_width('A', 0x19, 0x11, &core) == 6.0); /* Zen 4 */
	assert_string_equal(core, "zen1-4");
	assert_true(bench_dispatch_width('A', 0x1A, 0x02, &core) == 8.0); /* Zen 5 */
	assert_string_equal(core, "zen5");
	/* unknown: the widest, so that no true figure is refused */
	assert_true(bench_dispatch_width('I', 6, 0x01, &core) == BENCH_OPS_PER_CORE_CYCLE);
	assert_string_equal(core, "unknown");
	assert_true(bench_dispatch_width(0, 0, 0, NULL) == BENCH_OPS_PER_CORE_CYCLE);
	assert_string_equal(bench_check_name(BENCH_CHECK_OK), "ok");
	assert_string_equal(bench_check_name(BENCH_CHECK_UNCHECKED), "unchecked");
	assert_string_equal(bench_check_name(BENCH_CHECK_REFUSED), "refused");
}

static void test_instr_lines(void **state)
{
	(void)state;
	struct bench_instr e, tab[3];
	assert_int_equal(bench_instr_parse_line("fwd 32 512 84.1 9.5\n", &e), 1);
	assert_string_equal(e.kind, "fwd");
	assert_int_equal(e.batch, 32);
	assert_int_equal(e.ring, 512);
	assert_true(e.instr == 84.1 && e.cbr == 9.5);
	assert_int_equal(bench_instr_parse_line("  fwd 1 512 300 0", &e), 1);
	assert_true(e.instr == 300.0 && e.cbr == 0.0);
	assert_int_equal(bench_instr_parse_line("", &e), 0);
	assert_int_equal(bench_instr_parse_line("   \n", &e), 0);
	assert_int_equal(bench_instr_parse_line("# kind batch ring instr cbr\n", &e), 0);
	const char *bad[] = { "fwd 32 512 84.1", "fwd 32 512 84.1 9 1", "fwd 0 512 84.1 9", "fwd 32 0 84.1 9",
			      "fwd -1 512 84.1 9", "fwd 32 512 -3 0", "fwd 32 512 0 0", "fwd 32x 512 84.1 9",
			      "fwd 32 512 84.1x 9", "fwd 32 512 84.1 9x", "averyveryverylongkind 32 512 84.1 9",
			      "fwd 32 512 nan 1", "fwd 32 512 84.1 -1", "fwd 32 512 84.1 85", "fwd 32 512 84.1 nan" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(bench_instr_parse_line(bad[i], &e), -1);
	}
	assert_int_equal(bench_instr_parse_line("fwd 1 512 250.5 30", &tab[0]), 1);
	assert_int_equal(bench_instr_parse_line("rx 32 512 60.25 4", &tab[1]), 1);
	assert_int_equal(bench_instr_parse_line("fwd 32 512 84 8", &tab[2]), 1);
	assert_ptr_equal(bench_instr_find(tab, 3, "fwd", 32, 512), &tab[2]);
	assert_ptr_equal(bench_instr_find(tab, 3, "fwd", 1, 512), &tab[0]);
	assert_ptr_equal(bench_instr_find(tab, 3, "rx", 32, 512), &tab[1]);
	assert_null(bench_instr_find(tab, 3, "rx", 1, 512));
	assert_null(bench_instr_find(tab, 3, "fwd", 32, 1024));
	assert_null(bench_instr_find(tab, 3, "tx", 32, 512));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_odd_even),
		cmocka_unit_test(test_stats_refuses_bad_input),
		cmocka_unit_test(test_ipc_check),
		cmocka_unit_test(test_instr_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
