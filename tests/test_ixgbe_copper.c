/* ixgbe driver against the model's X540 and X550 personalities (written
 * on another branch from the datasheets, without reading this driver):
 * a port whose copper PHY Linux left powered down gets link at 10G, under
 * a firmware that holds the semaphores for a while, with no violation, no
 * unguarded reset and no semaphore left held; what the driver wrote is
 * read back through the model: the PHY's low-power bit (over MDIO, with
 * this file's own frames), RXPBSIZE/TXPBSIZE/TXPBTHRESH. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/ixgbe.h"
#include "error.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"

/* Register offsets and bits, written out here from the datasheets (not
 * taken from the driver's header): SWSM 0x10140 (SMBI bit 0), SW_FW_SYNC
 * 0x10160 (PHY0 bit 1, REGSMP bit 31 on the X540/X550), MSCA 0x425C,
 * MSRWD 0x4260, RXPBSIZE 0x3C00, TXPBSIZE 0xCC00, TXPBTHRESH 0x4950. */
#define SWSM       0x10140u
#define SW_FW_SYNC 0x10160u
#define MSCA       0x0425Cu
#define MSRWD      0x04260u
#define RXPBSIZE0  0x03C00u
#define TXPBSIZE0  0x0CC00u
#define TXPBTHRESH0 0x04950u

/* One clause-45 read of the PHY at address 0 (where the X540's internal
 * PHY sits), the test's own frames: address cycle, then read; the port's
 * PHY0 semaphore taken the X540 way around it. */
static uint16_t phy_read(struct ixy_sim *sim, unsigned mmd, unsigned reg)
{
	while (ixy_sim_reg_read(sim, SWSM) & 1u)
		ixy_sim_step(sim);
	while (ixy_sim_reg_read(sim, SW_FW_SYNC) & (1u << 31))
		ixy_sim_step(sim);
	uint32_t sync;
	for (;;) {
		sync = ixy_sim_reg_read(sim, SW_FW_SYNC);
		if (!(sync & (0x2u | 0x2u << 5)))
			break;
		/* the firmware holds PHY0: let go of the guards and wait */
		ixy_sim_reg_write(sim, SW_FW_SYNC, sync & ~(1u << 31));
		ixy_sim_reg_write(sim, SWSM, 0);
		ixy_sim_step(sim);
		while (ixy_sim_reg_read(sim, SWSM) & 1u)
			ixy_sim_step(sim);
		while (ixy_sim_reg_read(sim, SW_FW_SYNC) & (1u << 31))
			ixy_sim_step(sim);
	}
	ixy_sim_reg_write(sim, SW_FW_SYNC, sync | 0x2u);
	sync = ixy_sim_reg_read(sim, SW_FW_SYNC);
	ixy_sim_reg_write(sim, SW_FW_SYNC, sync & ~(1u << 31));
	ixy_sim_reg_write(sim, SWSM, 0);

	uint32_t base = reg | mmd << 16 | 0u << 21;
	ixy_sim_reg_write(sim, MSCA, base | 0u << 26 | 1u << 30);
	while (ixy_sim_reg_read(sim, MSCA) & (1u << 30))
		ixy_sim_step(sim);
	ixy_sim_reg_write(sim, MSCA, base | 3u << 26 | 1u << 30);
	while (ixy_sim_reg_read(sim, MSCA) & (1u << 30))
		ixy_sim_step(sim);
	uint16_t v = (uint16_t)(ixy_sim_reg_read(sim, MSRWD) >> 16);

	while (ixy_sim_reg_read(sim, SWSM) & 1u)
		ixy_sim_step(sim);
	while (ixy_sim_reg_read(sim, SW_FW_SYNC) & (1u << 31))
		ixy_sim_step(sim);
	sync = ixy_sim_reg_read(sim, SW_FW_SYNC);
	ixy_sim_reg_write(sim, SW_FW_SYNC, sync & ~(0x2u | 1u << 31));
	ixy_sim_reg_write(sim, SWSM, 0);
	return v;
}

static bool phy_low_power(struct ixy_sim *sim)
{
	return phy_read(sim, 30, 0) & (1u << 11);  /* VEND1 control 1, bit 11 */
}

static void assert_clean(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
	assert_int_equal(ixy_sim_unguarded_resets(sim), 0);
	/* nothing held: neither guard nor any software bit (each read
	 * that finds a guard clear takes it: given back in order after) */
	assert_int_equal(ixy_sim_reg_read(sim, SWSM) & 1u, 0);
	uint32_t sync = ixy_sim_reg_read(sim, SW_FW_SYNC);
	assert_int_equal(sync & (0x1Fu | 1u << 31), 0);
	ixy_sim_reg_write(sim, SW_FW_SYNC, sync);  /* REGSMP (taken by the read) back */
	ixy_sim_reg_write(sim, SWSM, 0);
}

static void one_board(uint16_t id, uint32_t fw_hold_us)
{
	char name[32];
	snprintf(name, sizeof(name), "cu-%04x-%u", id, fw_hold_us);
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = id, .phy_power_off = true,
				     .fw_hold_us = fw_hold_us };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	assert_true(phy_low_power(sim));  /* as Linux left it */
	print_message("%04x reset values: RXPBSIZE0 0x%x RXPBSIZE1 0x%x TXPBSIZE0 0x%x TXPBTHRESH0 0x%x\n", id,
		      ixy_sim_reg_read(sim, RXPBSIZE0), ixy_sim_reg_read(sim, RXPBSIZE0 + 4),
		      ixy_sim_reg_read(sim, TXPBSIZE0), ixy_sim_reg_read(sim, TXPBTHRESH0));

	struct ixy_config cfg = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				  .link_timeout_ms = 3000 };
	for (int round = 0; round < 2; round++) {
		ixy_clear_error();
		struct ixy_device *dev = ixy_open_sim(sim, &cfg);
		if (!dev)
			print_message("%04x: %s\n", id, ixy_last_error());
		assert_non_null(dev);
		assert_int_equal(ixy_get_link_speed(dev), 10000);
		assert_false(phy_low_power(sim));
		/* the driver's reading of the PHY matches the model's */
		struct ixgbe_dev *d = to_ixgbe(dev);
		assert_int_equal(d->phy_addr, 0);
		assert_int_equal(d->phy_id, id == 0x1528 || id == 0x1560 ? IXGBE_PHY_ID_X540 : IXGBE_PHY_ID_X550);
		assert_int_equal(d->phy_speeds & (MDIO_PMA_SPEED_10G | MDIO_PMA_SPEED_1G | MDIO_PMA_SPEED_100M),
				 MDIO_PMA_SPEED_10G | MDIO_PMA_SPEED_1G | MDIO_PMA_SPEED_100M);
		assert_true(d->phy_was_off);  /* Linux left it down (round 0), our close did (round 1) */
		assert_int_equal(ixy_sim_reg_read(sim, RXPBSIZE0), 384u << 10);
		assert_int_equal(ixy_sim_reg_read(sim, TXPBSIZE0), 160u << 10);
		assert_int_equal(ixy_sim_reg_read(sim, TXPBTHRESH0), 150u);
		for (unsigned i = 1; i < 8; i++)
			assert_int_equal(ixy_sim_reg_read(sim, RXPBSIZE0 + 4 * i), 0);
		print_message("%04x (%s), round %d: 10G, PHY powered up, RXPBSIZE0 = 384 KiB\n", id,
			      ixy_device_model(dev), round);
		assert_clean(sim);
		ixy_close(dev);
		/* down again, as Linux leaves a closed port; the next open
		 * (round 1) must wake it once more */
		assert_true(phy_low_power(sim));
		assert_clean(sim);
	}
	ixy_sim_destroy(sim);
}

static void test_x540_x550_from_powered_down(void **state)
{
	(void)state;
	static const uint16_t ids[] = { 0x1528, 0x1560, 0x1563, 0x15D1 };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		one_board(ids[i], 0);
}

/* The model's firmware holds EEPROM, PHY0 and MAC CSR for 300 ms after
 * power-on and after every reset: the reset and the PHY set-up wait. */
static void test_firmware_holds_semaphores(void **state)
{
	(void)state;
	one_board(0x1528, 300000);
	one_board(0x1563, 300000);
}

/* No cable: the open fails after the link timeout, and the message says
 * what the driver saw on the PHY (powered up by us, AN state), not a
 * generic cable hint; nothing is left held. */
static void test_no_cable_message(void **state)
{
	(void)state;
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = 0x1563, .phy_power_off = true };
	struct ixy_sim *sim = ixy_sim_create("cu-nocable", &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	ixy_sim_set_carrier(sim, false);
	struct ixy_config cfg = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				  .link_timeout_ms = 300 };
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	assert_non_null(strstr(ixy_last_error(), "copper PHY 0x01540220 at MDIO address 0: powered up (was powered "
						 "down at open"));
	assert_non_null(strstr(ixy_last_error(), "auto-negotiation not complete, PHY link down"));
	assert_null(strstr(ixy_last_error(), "cable, transceiver or link partner?"));
	assert_true(phy_low_power(sim));  /* the failed open closed the port like a close */
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x540_x550_from_powered_down),
		cmocka_unit_test(test_firmware_holds_semaphores),
		cmocka_unit_test(test_no_cable_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
