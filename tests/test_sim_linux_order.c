/* The order in which Linux 6.1's ixgbe brings up an 82599 (ixgbe_probe,
 * reset_hw/identify/setup_sfp in ixgbe_82599.c, ixgbe_phy.c, the open
 * path), replayed against the sim in this test's own code: EEC, the PHY
 * scan over MDIO under the PHY semaphore, the SFP+ identification over
 * bit-banged I2C, the init sequence from EEPROM word 0x2B into CORECTL
 * under the MAC CSR semaphore, the AUTOC pipeline reset waiting for
 * ANLP1, the reset, the EEPROM-loaded AUTOC and address, the checksum,
 * FWSM, the firmware version, the laser and the link check with the
 * crosstalk pin - for the SFP+ board with each module and for the
 * backplane board. Every step must see what Linux needs, without a
 * violation and without an unknown register.
 *
 * Replayed too: Linux's flush read of STATUS right after setting CTRL.RST,
 * which the model's 1 ms rule allows as the first access (docs/sim.md,
 * "Violations under Linux's driver"). Not replayed: PCI config space,
 * interrupts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"

#define R_CTRL 0x00000
#define R_STATUS 0x00008
#define R_ESDP 0x00020
#define R_I2CCTL 0x00028
#define R_MSCA 0x0425c
#define R_MSRWD 0x04260
#define R_AUTOC 0x042a0
#define R_LINKS 0x042a4
#define R_AUTOC2 0x042a8
#define R_ANLP1 0x042b0
#define R_MMNGC 0x042d0
#define R_RAL0 0x0a200
#define R_RAH0 0x0a204
#define R_EEC 0x10010
#define R_EERD 0x10014
#define R_SWSM 0x10140
#define R_FWSM 0x10148
#define R_SWFW 0x10160
#define R_CORECTL 0x14f00

#define GSSR_PHY0 0x2u
#define GSSR_MAC_CSR 0x8u

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static uint32_t rd(struct ixy_sim *s, uint32_t r) { return ixy_sim_reg_read(s, r); }
static void wr(struct ixy_sim *s, uint32_t r, uint32_t v) { ixy_sim_reg_write(s, r, v); }

/* ---- the semaphores, with the waiting a driver does ---- */

static bool eeprom_sema_get(struct ixy_sim *s)
{
	int i;
	for (i = 0; i < 2000 && (rd(s, R_SWSM) & 1u); i++)
		sleep_us(50);
	if (i == 2000)
		return false;
	for (i = 0; i < 2000; i++) {
		wr(s, R_SWSM, rd(s, R_SWSM) | 2u);
		if (rd(s, R_SWSM) & 2u)
			return true;
		sleep_us(50);
	}
	return false;
}

static void eeprom_sema_put(struct ixy_sim *s)
{
	wr(s, R_SWSM, rd(s, R_SWSM) & ~3u);
}

static bool swfw_get(struct ixy_sim *s, uint32_t mask)
{
	for (int i = 0; i < 200; i++) {
		assert_true(eeprom_sema_get(s));
		uint32_t g = rd(s, R_SWFW);
		if (!(g & (mask | mask << 5))) {
			wr(s, R_SWFW, g | mask);
			eeprom_sema_put(s);
			return true;
		}
		eeprom_sema_put(s);
		sleep_us(5000);
	}
	return false;
}

static void swfw_put(struct ixy_sim *s, uint32_t mask)
{
	assert_true(eeprom_sema_get(s));
	wr(s, R_SWFW, rd(s, R_SWFW) & ~mask);
	eeprom_sema_put(s);
}

/* ---- EEPROM through EERD ---- */

static uint16_t ee(struct ixy_sim *s, unsigned word)
{
	assert_true(rd(s, R_EEC) & (1u << 8));
	assert_true(word < (1u << (((rd(s, R_EEC) >> 11) & 0xf) + 6)));
	wr(s, R_EERD, word << 2 | 1u);
	for (int i = 0; i < 100000; i++) {
		uint32_t v = rd(s, R_EERD);
		if (v & 2u)
			return (uint16_t)(v >> 16);
	}
	fail_msg("EERD never done");
	return 0;
}

/* ---- MDIO, clause 45, under the PHY 0 semaphore ---- */

static bool mdio_done(struct ixy_sim *s)
{
	for (int i = 0; i < 100; i++)
		if (!(rd(s, R_MSCA) & (1u << 30)))
			return true;
	return false;
}

static uint16_t mdio_read(struct ixy_sim *s, uint32_t phy, uint32_t mmd, uint32_t reg)
{
	assert_true(swfw_get(s, GSSR_PHY0));
	uint32_t a = reg | mmd << 16 | phy << 21;
	wr(s, R_MSCA, a | 1u << 30);
	assert_true(mdio_done(s));
	wr(s, R_MSCA, a | 3u << 26 | 1u << 30);
	assert_true(mdio_done(s));
	uint16_t v = (uint16_t)(rd(s, R_MSRWD) >> 16);
	swfw_put(s, GSSR_PHY0);
	return v;
}

/* A PHY answers with devices-in-package bits 15:14 = 10b in STAT2 of one
 * of MMD 1-5 (IEEE 802.3 clause 45) */
static bool phy_scan(struct ixy_sim *s)
{
	for (uint32_t phy = 0; phy < 32; phy++)
		for (uint32_t mmd = 1; mmd <= 5; mmd++)
			if ((mdio_read(s, phy, mmd, 8) & 0xc000) == 0x8000)
				return true;
	return false;
}

/* ---- I2C byte read, bit-banged, under the PHY 0 semaphore ---- */

static void i2c_set(struct ixy_sim *s, uint32_t *ctl, bool scl, bool sda)
{
	*ctl = (*ctl & ~0xau) | (scl ? 2u : 0) | (sda ? 8u : 0);
	wr(s, R_I2CCTL, *ctl);
}

static bool i2c_data(struct ixy_sim *s)
{
	return rd(s, R_I2CCTL) & 4u;
}

static void i2c_start(struct ixy_sim *s, uint32_t *ctl)
{
	i2c_set(s, ctl, *ctl & 2u, true);
	i2c_set(s, ctl, true, true);
	i2c_set(s, ctl, true, false);
	i2c_set(s, ctl, false, false);
}

static void i2c_stop(struct ixy_sim *s, uint32_t *ctl)
{
	i2c_set(s, ctl, false, false);
	i2c_set(s, ctl, true, false);
	i2c_set(s, ctl, true, true);
}

static bool i2c_bit_out(struct ixy_sim *s, uint32_t *ctl, bool b)
{
	i2c_set(s, ctl, false, b);
	if (b && !i2c_data(s))
		return false;	/* someone holds the line */
	i2c_set(s, ctl, true, b);
	i2c_set(s, ctl, false, b);
	return true;
}

static bool i2c_bit_in(struct ixy_sim *s, uint32_t *ctl)
{
	i2c_set(s, ctl, false, true);
	i2c_set(s, ctl, true, true);
	bool b = i2c_data(s);
	i2c_set(s, ctl, false, true);
	return b;
}

static bool i2c_byte_out(struct ixy_sim *s, uint32_t *ctl, uint8_t v)
{
	for (int i = 7; i >= 0; i--)
		if (!i2c_bit_out(s, ctl, (v >> i) & 1))
			return false;
	return !i2c_bit_in(s, ctl);	/* acknowledged */
}

static int sfp_read(struct ixy_sim *s, uint8_t off)
{
	for (int retry = 0; retry < 2; retry++) {
		assert_true(swfw_get(s, GSSR_PHY0));
		uint32_t ctl = rd(s, R_I2CCTL);
		i2c_start(s, &ctl);
		bool ok = i2c_byte_out(s, &ctl, 0xa0) && i2c_byte_out(s, &ctl, off);
		if (ok) {
			i2c_start(s, &ctl);
			ok = i2c_byte_out(s, &ctl, 0xa1);
		}
		uint8_t v = 0;
		if (ok) {
			for (int i = 0; i < 8; i++)
				v = (uint8_t)(v << 1 | i2c_bit_in(s, &ctl));
			ok = i2c_bit_out(s, &ctl, true);	/* NACK: one byte */
		}
		i2c_stop(s, &ctl);
		if (!ok) {	/* the bus clear: nine clocks, START, STOP */
			for (int i = 0; i < 9; i++)
				(void)i2c_bit_in(s, &ctl);
			i2c_start(s, &ctl);
			i2c_stop(s, &ctl);
		}
		swfw_put(s, GSSR_PHY0);
		if (ok)
			return v;
	}
	return -1;
}

/* ---- the sequence ---- */

enum media { FIBER, BACKPLANE };
enum sfp { NOT_PRESENT, DA_CU_CORE0, DA_ACT_LMT_CORE0, SRLR_CORE0, UNSUPPORTED };

struct outcome {
	bool phy;
	enum sfp sfp;
	unsigned corectl_writes;
	uint32_t speed_mbps;
	bool link;
};

static enum sfp identify_sfp(struct ixy_sim *s)
{
	int id = sfp_read(s, 0);
	if (id < 0)
		return NOT_PRESENT;
	if (id != 3)
		return UNSUPPORTED;
	int c1g = sfp_read(s, 6), c10g = sfp_read(s, 3), tech = sfp_read(s, 8);
	assert_true(c1g >= 0 && c10g >= 0 && tech >= 0);
	enum sfp t = UNSUPPORTED;
	if (tech & 0x04)
		t = DA_CU_CORE0;
	else if ((tech & 0x08) && (sfp_read(s, 60) & 0x04))
		t = DA_ACT_LMT_CORE0;
	else if (c10g & 0x30)
		t = SRLR_CORE0;
	uint32_t oui = (uint32_t)sfp_read(s, 37) << 16 | (uint32_t)sfp_read(s, 38) << 8 | (uint32_t)sfp_read(s, 39);
	/* optics must be Intel's unless the EEPROM allows any (word 0x2C bit 0) */
	if (!(tech & 0x0c) && oui != 0x001b21 && !(ee(s, 0x2c) & 1))
		return UNSUPPORTED;
	return t;
}

/* toggle LMS bit 2 with RESTART_AN, wait for AN to leave state 0, restore */
static void pipeline_reset(struct ixy_sim *s)
{
	uint32_t autoc = rd(s, R_AUTOC) | 1u << 12;
	wr(s, R_AUTOC, autoc ^ (4u << 13));
	int i;
	for (i = 0; i < 10 && !(rd(s, R_ANLP1) & (0xfu << 16)); i++)
		sleep_us(4000);
	assert_true(i < 10);
	wr(s, R_AUTOC, autoc);
}

static void setup_sfp(struct ixy_sim *s, enum sfp t, struct outcome *o)
{
	uint16_t want = t == DA_CU_CORE0 ? 3 : 5;	/* active DA and optics: the SR/LR sequence */
	uint16_t list = ee(s, 0x2b);
	assert_true(list != 0 && list != 0xffff);
	uint16_t data = 0;
	for (unsigned at = list + 1u; ee(s, at) != 0xffff; at += 2)
		if (ee(s, at) == want) {
			data = ee(s, at + 1);
			break;
		}
	assert_true(data != 0 && data != 0xffff);
	assert_true(swfw_get(s, GSSR_MAC_CSR));
	for (unsigned at = data + 1u; ee(s, at) != 0xffff; at++) {
		wr(s, R_CORECTL, ee(s, at));
		(void)rd(s, R_STATUS);
		o->corectl_writes++;
	}
	swfw_put(s, GSSR_MAC_CSR);
	assert_int_equal(rd(s, R_MMNGC) & 1u, 0);	/* no manageability veto */
	wr(s, R_AUTOC, rd(s, R_AUTOC) | 3u << 13);	/* 10G serial */
	pipeline_reset(s);
}

static void reset(struct ixy_sim *s)
{
	bool up = rd(s, R_LINKS) & (1u << 30);
	wr(s, R_CTRL, rd(s, R_CTRL) | (up ? 1u << 26 : 1u << 3));
	(void)rd(s, R_STATUS);	/* IXGBE_WRITE_FLUSH: allowed as the first access */
	sleep_us(1100);
	int i;
	for (i = 0; i < 10 && (rd(s, R_CTRL) & (1u << 26 | 1u << 3)); i++)
		sleep_us(1);
	assert_true(i < 10);
	sleep_us(50000);
	uint32_t autoc2 = rd(s, R_AUTOC2);
	assert_int_equal(autoc2 & 0x70000000u, 0);	/* link not disabled in the NVM */
}

static uint16_t checksum_of(struct ixy_sim *s)
{
	uint16_t sum = 0;
	for (unsigned i = 0; i < 0x3f; i++)
		sum = (uint16_t)(sum + ee(s, i));
	for (unsigned p = 3; p < 0x0f; p++) {
		uint16_t ptr = ee(s, p);
		if (ptr == 0 || ptr == 0xffff)
			continue;
		uint16_t len = ee(s, ptr);
		if (len == 0 || len == 0xffff)
			continue;
		for (unsigned j = ptr + 1u; j <= (unsigned)ptr + len; j++)
			sum = (uint16_t)(sum + ee(s, j));
	}
	return (uint16_t)(0xbaba - sum);
}

static struct outcome bring_up(const char *spec, enum media media)
{
	struct outcome o = { 0 };
	struct ixy_sim *s = ixy_sim_open_spec(spec);
	if (!s)
		print_message("%s: %s\n", spec, ixy_last_error());
	assert_non_null(s);

	assert_true(rd(s, R_EEC) & (1u << 8));		/* EERD usable */
	/* reset_hw: identify, set up the module, reset, store AUTOC */
	o.phy = phy_scan(s);
	o.sfp = media == FIBER ? identify_sfp(s) : NOT_PRESENT;
	if (o.sfp == DA_CU_CORE0 || o.sfp == DA_ACT_LMT_CORE0 || o.sfp == SRLR_CORE0)
		setup_sfp(s, o.sfp, &o);
	reset(s);
	uint32_t autoc = rd(s, R_AUTOC);
	uint32_t lms = (autoc >> 13) & 7;
	if (media == FIBER)
		assert_int_equal(lms, 3);
	else
		assert_true(lms == 4 && (autoc & (1u << 16 | 1u << 31)));
	uint32_t ral = rd(s, R_RAL0), rah = rd(s, R_RAH0);
	uint8_t mac[6] = { (uint8_t)ral, (uint8_t)(ral >> 8), (uint8_t)(ral >> 16), (uint8_t)(ral >> 24),
			   (uint8_t)rah, (uint8_t)(rah >> 8) };
	static const uint8_t zero[6];
	assert_false(mac[0] & 1);			/* unicast */
	assert_memory_not_equal(mac, zero, 6);
	uint16_t san = ee(s, 0x28);
	assert_true(san == 0 || san == 0xffff);

	/* probe: firmware state, checksum, versions */
	uint32_t fwsm = rd(s, R_FWSM);
	assert_true(fwsm & (1u << 15));
	assert_int_equal(fwsm & 0x01f80000u, 0);
	assert_int_equal(fwsm & 0xe, 0);		/* no manageability: the driver runs the laser */
	assert_int_equal(checksum_of(s), ee(s, 0x3f));
	if (media == FIBER) {
		uint16_t fw = ee(s, 0x0f), pt = ee(s, fw + 4u);
		assert_true(ee(s, pt + 7u) > 5);
	}

	/* probe ends with the laser off; open turns it on and sets up the link */
	if (media == FIBER) {
		wr(s, R_ESDP, rd(s, R_ESDP) | 8u);
		wr(s, R_ESDP, rd(s, R_ESDP) & ~8u);
	}
	wr(s, R_AUTOC, rd(s, R_AUTOC) | 1u << 12);	/* restart AN with the EEPROM's mode */
	for (int i = 0; i < 500; i++) {
		ixy_sim_step(s);
		/* the crosstalk fix: on fiber a link counts only with the cage full */
		bool cage = media != FIBER || (rd(s, R_ESDP) & 4u);
		uint32_t links = rd(s, R_LINKS);
		if (cage && (links & (1u << 30))) {
			o.link = true;
			uint32_t sp = (links >> 28) & 3;
			o.speed_mbps = sp == 3 ? 10000 : sp == 2 ? 1000 : 100;
			if (media == BACKPLANE)
				assert_true(links & (1u << 31));	/* KX_AN_COMP */
			break;
		}
		if (media == FIBER && !(rd(s, R_ESDP) & 4u))
			break;	/* an empty cage never gets a link: no need to wait */
		sleep_us(2000);
	}

	assert_no_sim_violations(s);
	for (unsigned i = 0; i < ixy_sim_unknown_reg_count(s); i++) {
		uint32_t off;
		ixy_sim_unknown_reg(s, i, &off, NULL, NULL);
		print_message("unknown register 0x%05x\n", off);
	}
	assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
	ixy_sim_destroy(s);
	return o;
}

static void test_sfp_da(void **state)
{
	(void)state;
	struct outcome o = bring_up("lx-da,mode=stepped,wire=null,link_delay_us=1000", FIBER);
	assert_false(o.phy);
	assert_int_equal(o.sfp, DA_CU_CORE0);
	assert_true(o.corectl_writes > 0);
	assert_true(o.link);
	assert_int_equal(o.speed_mbps, 10000);
}

static void test_sfp_other_modules(void **state)
{
	(void)state;
	struct outcome o = bring_up("lx-daa,mode=stepped,wire=null,link_delay_us=1000,sfp=da-active", FIBER);
	assert_int_equal(o.sfp, DA_ACT_LMT_CORE0);
	assert_true(o.link);
	o = bring_up("lx-sr,mode=stepped,wire=null,link_delay_us=1000,sfp=sr", FIBER);
	assert_int_equal(o.sfp, SRLR_CORE0);
	assert_true(o.link);
	o = bring_up("lx-lr,mode=stepped,wire=null,link_delay_us=1000,sfp=lr", FIBER);
	assert_int_equal(o.sfp, SRLR_CORE0);
	assert_true(o.link);
}

static void test_sfp_empty_cage(void **state)
{
	(void)state;
	struct outcome o = bring_up("lx-none,mode=stepped,wire=null,link_delay_us=1000,sfp=none", FIBER);
	assert_false(o.phy);
	assert_int_equal(o.sfp, NOT_PRESENT);
	assert_int_equal(o.corectl_writes, 0);
	assert_false(o.link);
}

static void test_backplane(void **state)
{
	(void)state;
	struct outcome o = bring_up("lx-bp,mode=stepped,wire=null,link_delay_us=1000,device_id=0x10f8", BACKPLANE);
	assert_false(o.phy);
	assert_int_equal(o.sfp, NOT_PRESENT);
	assert_true(o.link);
	assert_int_equal(o.speed_mbps, 10000);
}

/* The same with a firmware that holds its semaphores for 50 ms after each
 * reset: the driver waits and still gets everything, without violations. */
static void test_firmware_busy(void **state)
{
	(void)state;
	struct outcome o = bring_up("lx-fw,mode=stepped,wire=null,link_delay_us=1000,fw_hold_us=50000", FIBER);
	assert_int_equal(o.sfp, DA_CU_CORE0);
	assert_true(o.link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sfp_da),
		cmocka_unit_test(test_sfp_other_modules),
		cmocka_unit_test(test_sfp_empty_cage),
		cmocka_unit_test(test_backplane),
		cmocka_unit_test(test_firmware_busy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
