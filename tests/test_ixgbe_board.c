/* ixgbe driver against the virtual 82599's board: the EEPROM behind EERD,
 * the SW/FW semaphores (with a simulated firmware that holds them), the
 * SFP+ cage on the I2C bus, and the backplane personality (0x10F8).
 *
 * The model's side was written independently of the driver's; this file
 * checks that the two agree: the driver identifies the model's modules,
 * reads the same checksum the test reads itself, takes and gives back every
 * semaphore (the model records misuse and leaks as violations), gets link,
 * refuses an empty cage, and touches no register the model does not know.
 * (Unsupported modules and EEPROM corruption are covered against a
 * test-only board in test_ixgbe_sfp.c: the model offers neither.) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "drivers/ixgbe.h"
#include "error.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"

static struct ixy_sim *new_sim(const char *name, uint16_t device_id, enum ixy_sim_sfp sfp, uint32_t fw_hold_us)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id, .sfp = sfp,
				     .fw_hold_us = fw_hold_us, .mac = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 } };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		print_message("ixy_sim_create: %s\n", ixy_last_error());
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_config small_cfg(void)
{
	struct ixy_config c = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				.link_timeout_ms = 3000 };
	return c;
}

static void assert_clean(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
	unsigned u = ixy_sim_unknown_reg_count(sim);
	for (unsigned i = 0; i < u; i++) {
		uint32_t off;
		uint64_t r, w;
		assert_int_equal(ixy_sim_unknown_reg(sim, i, &off, &r, &w), 0);
		print_message("unknown register 0x%05x: %llu reads, %llu writes\n", off, (unsigned long long)r,
			      (unsigned long long)w);
	}
	assert_int_equal(u, 0);
	/* no software semaphore bit left behind */
	assert_int_equal(ixy_sim_reg_read(sim, IXGBE_SW_FW_SYNC) & 0x1F, 0);
}

static struct ixy_device *open_ok(struct ixy_sim *sim, struct ixy_config *cfg)
{
	ixy_clear_error();
	struct ixy_device *dev = ixy_open_sim(sim, cfg);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	return dev;
}

/* The test's own EERD read (8.2.3.2.2), to compare with the driver's. */
static uint16_t ee_word(struct ixy_sim *sim, uint32_t word)
{
	ixy_sim_reg_write(sim, IXGBE_EERD, word << 2 | 1u);
	for (int i = 0; i < 100000; i++) {
		uint32_t v = ixy_sim_reg_read(sim, IXGBE_EERD);
		if (v & 2u)
			return (uint16_t)(v >> 16);
	}
	fail_msg("EERD never done for word 0x%x", word);
	return 0;
}

struct counts {
	unsigned i2cctl, corectl, eerd, swfw_takes_phy0, autoc;
	unsigned fw_seen;  /* SW_FW_SYNC reads with a firmware bit set */
};

static void count_cb(void *arg, const struct ixy_reg_access *acc)
{
	struct counts *c = arg;
	if (strcmp(acc->name, "I2CCTL") == 0)
		c->i2cctl++;
	if (acc->write && strcmp(acc->name, "CORECTL") == 0)
		c->corectl++;
	if (acc->write && strcmp(acc->name, "EERD") == 0)
		c->eerd++;
	if (acc->write && strcmp(acc->name, "AUTOC") == 0)
		c->autoc++;
	if (acc->write && strcmp(acc->name, "SW_FW_SYNC") == 0 && (acc->value & IXGBE_SWFW_PHY0))
		c->swfw_takes_phy0++;
	if (!acc->write && strcmp(acc->name, "SW_FW_SYNC") == 0 && (acc->value & (0x1Fu << IXGBE_SWFW_FW_SHIFT)))
		c->fw_seen++;
}

static void test_da_module_on_10fb(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("brd-da", 0x10FB, IXY_SIM_SFP_DEFAULT, 0);
	struct counts c = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = count_cb;
	cfg.trace_arg = &c;
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);

	/* the module: a passive DA cable, Intel's OUI, a vendor name */
	assert_int_equal(d->sfp.kind, IXGBE_SFP_DA_PASSIVE);
	assert_int_equal(d->sfp.identifier, 0x03);
	assert_int_equal(d->sfp.oui, 0x001B21);
	assert_true(strlen(d->sfp.vendor) > 0);
	print_message("module: %s, vendor \"%s\", part \"%s\"\n", ixgbe_sfp_kind_name(d->sfp.kind), d->sfp.vendor,
		      d->sfp.part);
	assert_true(c.i2cctl > 30);
	assert_true(c.swfw_takes_phy0 >= c.i2cctl);
	/* the EEPROM: the driver's checksum is the word the test reads, and
	 * the init sequence for DA port 0 was written */
	assert_int_equal(d->eeprom_checksum, ee_word(sim, 0x3F));
	assert_true(c.corectl > 0);
	assert_true(c.autoc >= 3);  /* the write and the pipeline reset's two */
	/* 10G link */
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	assert_int_equal(ixy_sim_reg_read(sim, IXGBE_AUTOC) & IXGBE_AUTOC_LMS_MASK, IXGBE_AUTOC_LMS_10G_SERIAL);
	/* the bus both ways on the model's module: SFF-8472's user EEPROM
	 * (0xA2, bytes 128-247) keeps what is written; the ID page (0xA0)
	 * is write-protected on real modules and the model's */
	uint8_t v = 0, id8 = 0;
	assert_int_equal(ixgbe_i2c_write_byte(d, 0xA2, 128, 0xA5, 1), 0);
	ixgbe_delay_us(d, 10000);  /* the EEPROM's write cycle */
	assert_int_equal(ixgbe_i2c_read_byte(d, 0xA2, 128, &v, 3), 0);
	assert_int_equal(v, 0xA5);
	assert_int_equal(ixgbe_i2c_read_byte(d, 0xA0, 8, &id8, 3), 0);
	assert_int_equal(id8, d->sfp.cable_tech);
	assert_clean(sim);
	ixy_close(dev);
	assert_clean(sim);
	/* closed: the laser is off, and the link with it, as under Linux
	 * with its interface down */
	assert_true(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	for (int i = 0; i < 5; i++)
		ixy_sim_step(sim);
	assert_false(ixy_sim_reg_read(sim, IXGBE_LINKS) & IXGBE_LINKS_UP);
	ixy_sim_destroy(sim);
}

static void test_other_modules(void **state)
{
	(void)state;
	static const struct {
		enum ixy_sim_sfp sfp;
		enum ixgbe_sfp_kind kind;
		uint16_t init_id;
	} cases[] = {
		{ IXY_SIM_SFP_DA, IXGBE_SFP_DA_PASSIVE, 3 },
		{ IXY_SIM_SFP_DA_ACTIVE, IXGBE_SFP_DA_ACTIVE, 5 },
		{ IXY_SIM_SFP_SR, IXGBE_SFP_SR, 5 },
		{ IXY_SIM_SFP_LR, IXGBE_SFP_LR, 5 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ixy_sim *sim = new_sim("brd-mod", 0x10FB, cases[i].sfp, 0);
		struct ixy_config cfg = small_cfg();
		struct ixy_device *dev = open_ok(sim, &cfg);
		struct ixgbe_dev *d = to_ixgbe(dev);
		print_message("module: %s, vendor \"%s\", part \"%s\"\n", ixgbe_sfp_kind_name(d->sfp.kind),
			      d->sfp.vendor, d->sfp.part);
		assert_int_equal(d->sfp.kind, cases[i].kind);
		assert_int_equal(d->sfp.init_id, cases[i].init_id);
		assert_int_equal(ixy_get_link_speed(dev), 10000);
		assert_clean(sim);
		ixy_close(dev);
		assert_clean(sim);
		ixy_sim_destroy(sim);
	}
}

static void test_empty_cage_refused(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("brd-none", 0x10FB, IXY_SIM_SFP_NONE, 0);
	struct ixy_config cfg = small_cfg();
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -ENOENT);
	assert_non_null(strstr(ixy_last_error(), "sim:brd-none: no SFP+ module in the cage"));
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

static void test_firmware_holding_semaphores(void **state)
{
	(void)state;
	/* the simulated firmware holds EEPROM, PHY0 and MAC_CSR for 300 ms
	 * after the reset: the driver waits its turn */
	struct ixy_sim *sim = new_sim("brd-fw", 0x10FB, IXY_SIM_SFP_DEFAULT, 300000);
	struct counts c = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = count_cb;
	cfg.trace_arg = &c;
	struct ixy_device *dev = open_ok(sim, &cfg);
	/* the driver did find the firmware holding and waited */
	assert_true(c.fw_seen > 0);
	assert_int_equal(to_ixgbe(dev)->sfp.kind, IXGBE_SFP_DA_PASSIVE);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_clean(sim);
	ixy_close(dev);
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

static void test_laser_turned_on(void **state)
{
	(void)state;
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = 0x10FB, .laser_off = true };
	struct ixy_sim *sim = ixy_sim_create("brd-laser", &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	assert_true(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_false(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_clean(sim);
	ixy_close(dev);
	ixy_sim_destroy(sim);
}

static void test_backplane_10f8(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("brd-bp", 0x10F8, IXY_SIM_SFP_DEFAULT, 0);
	uint32_t autoc0 = ixy_sim_reg_read(sim, IXGBE_AUTOC);
	print_message("AUTOC from the EEPROM: 0x%08x\n", autoc0);
	struct counts c = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = count_cb;
	cfg.trace_arg = &c;
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);
	/* no SFP access of any kind */
	assert_int_equal(c.i2cctl, 0);
	assert_int_equal(c.corectl, 0);
	assert_int_equal(d->sfp.kind, IXGBE_SFP_NONE);
	/* the EEPROM checksum was still checked */
	assert_int_equal(d->eeprom_checksum, ee_word(sim, 0x3F));
	/* the board's link mode kept, KX advertised, the pipeline restarted */
	uint32_t autoc = ixy_sim_reg_read(sim, IXGBE_AUTOC);
	assert_int_equal(autoc & IXGBE_AUTOC_LMS_MASK, d->orig_autoc & IXGBE_AUTOC_LMS_MASK);
	uint32_t lms = autoc & IXGBE_AUTOC_LMS_MASK;
	if (lms == IXGBE_AUTOC_LMS_KX4_KX_KR || lms == IXGBE_AUTOC_LMS_KX4_KX_KR_1G_AN ||
	    lms == IXGBE_AUTOC_LMS_KX4_KX_KR_SGMII)
		assert_true(autoc & IXGBE_AUTOC_KX_SUPP);
	assert_true(c.autoc >= 3);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	print_message("backplane link %u Mb/s, AUTOC 0x%08x\n", link.speed_mbps, autoc);
	assert_int_equal(link.speed_mbps, 10000);
	assert_clean(sim);
	ixy_close(dev);
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* Every 82599 id the driver lists, on the model's personality for it:
 * the SFP+ boards with the cage on I2CCTL identify their module, the
 * others touch no I2C; all reach 10G with no violation and no unknown
 * register. */
static void test_every_82599_id(void **state)
{
	(void)state;
	static const struct {
		uint16_t id;
		bool cage;
	} ids[] = {
		{ 0x10FB, true }, { 0x1529, true }, { 0x1507, true }, { 0x154D, true }, { 0x154A, true },
		{ 0x1557, true }, { 0x154F, false }, { 0x1558, false }, { 0x10F7, false },
		{ 0x1514, false }, { 0x1517, false }, { 0x10F8, false }, { 0x10F9, false }, { 0x10FC, false },
		{ 0x152A, false },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "brd-%04x", ids[i].id);
		struct ixy_sim *sim = new_sim(name, ids[i].id, IXY_SIM_SFP_DEFAULT, 0);
		struct counts c = { 0 };
		struct ixy_config cfg = small_cfg();
		cfg.trace = true;
		cfg.trace_fn = count_cb;
		cfg.trace_arg = &c;
		struct ixy_device *dev = open_ok(sim, &cfg);
		struct ixgbe_dev *d = to_ixgbe(dev);
		print_message("%04x (%s): %s, AUTOC from the EEPROM 0x%08x\n", ids[i].id, ixy_device_model(dev),
			      ixgbe_sfp_kind_name(d->sfp.kind), d->orig_autoc);
		if (ids[i].cage) {
			assert_int_equal(d->sfp.kind, IXGBE_SFP_DA_PASSIVE);
			assert_true(c.i2cctl > 0);
		} else {
			assert_int_equal(d->sfp.kind, IXGBE_SFP_NONE);
			assert_int_equal(c.i2cctl, 0);
		}
		assert_int_equal(ixy_get_link_speed(dev), 10000);
		assert_clean(sim);
		ixy_close(dev);
		assert_clean(sim);
		ixy_sim_destroy(sim);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_da_module_on_10fb),
		cmocka_unit_test(test_other_modules),
		cmocka_unit_test(test_empty_cage_refused),
		cmocka_unit_test(test_firmware_holding_semaphores),
		cmocka_unit_test(test_laser_turned_on),
		cmocka_unit_test(test_backplane_10f8),
		cmocka_unit_test(test_every_82599_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
