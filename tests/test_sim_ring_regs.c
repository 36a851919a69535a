/* Ring base and length registers, and RAH, keep only the bits the 82599
 * has (datasheet 8.2.3.8.1/3, 8.2.3.9.5/7, 8.2.3.7.9): what Linux's ethtool
 * register test (ixgbe_ethtool.c, reg_test_82599) writes and expects back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ixy/sim.h"

static void test_read_only_low_bits(void **state)
{
	(void)state;
	struct ixy_sim_config cfg = { .mode = IXY_SIM_STEPPED };
	struct ixy_sim *sim = ixy_sim_create("ringregs", &cfg);
	assert_non_null(sim);
	ixy_sim_reg_write(sim, 0x01008, 0x000a5a5a);	/* RDLEN[0] */
	assert_int_equal(ixy_sim_reg_read(sim, 0x01008), 0x000a5a00);
	ixy_sim_reg_write(sim, 0x06008, 0xfffa5a5a);	/* TDLEN[0] */
	assert_int_equal(ixy_sim_reg_read(sim, 0x06008), 0x000a5a00);
	ixy_sim_reg_write(sim, 0x01000, 0x5a5a5a5a);	/* RDBAL[0] */
	assert_int_equal(ixy_sim_reg_read(sim, 0x01000), 0x5a5a5a00);
	ixy_sim_reg_write(sim, 0x06000, 0xa5a5a5a5);	/* TDBAL[0] */
	assert_int_equal(ixy_sim_reg_read(sim, 0x06000), 0xa5a5a580);
	ixy_sim_reg_write(sim, 0x01004, 0xffffffff);	/* RDBAH: all bits */
	assert_int_equal(ixy_sim_reg_read(sim, 0x01004), 0xffffffff);
	ixy_sim_destroy(sim);
}

/* RAH 30:17 read 0 on the 82599: Linux's ethtool register test writes
 * 0x800CFFFF to RAH[0..15] (at the 82598 address 0x5404 + 8n) and expects
 * 0x8001FFFF of it back ("pattern test reg 5404 failed" before). */
static void test_rah_reserved_bits(void **state)
{
	(void)state;
	struct ixy_sim_config cfg = { .mode = IXY_SIM_STEPPED };
	struct ixy_sim *sim = ixy_sim_create("rahbits", &cfg);
	assert_non_null(sim);
	const uint32_t pat[] = { 0x5a5a5a5a, 0xa5a5a5a5, 0, 0xffffffff };
	for (unsigned i = 0; i < 4; i++) {
		ixy_sim_reg_write(sim, 0x05404, pat[i] & 0x800cffff);	/* RAH[0], 82598 address */
		assert_int_equal(ixy_sim_reg_read(sim, 0x05404), pat[i] & 0x800cffff & 0x8001ffff);
		ixy_sim_reg_write(sim, 0x0a204 + 8 * 100, pat[i]);	/* RAH[100] */
		assert_int_equal(ixy_sim_reg_read(sim, 0x0a204 + 8 * 100), pat[i] & 0x8001ffff);
	}
	ixy_sim_reg_write(sim, 0x0a200 + 8 * 100, 0xffffffff);	/* RAL keeps every bit */
	assert_int_equal(ixy_sim_reg_read(sim, 0x0a200 + 8 * 100), 0xffffffff);
	assert_int_equal(ixy_sim_violation_count(sim), 0);
	ixy_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only_low_bits),
		cmocka_unit_test(test_rah_reserved_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
