/* Ring base and length registers keep only the bits the 82599 has
 * (datasheet 8.2.3.8.1/3, 8.2.3.9.5/7): what Linux's ethtool register test
 * (ixgbe_ethtool.c, reg_test_82599) writes and expects back. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only_low_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
