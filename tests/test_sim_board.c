/* The board around the sim's MAC: the SW/FW semaphores (SWSM, SW_FW_SYNC,
 * 82599 datasheet 8.2.3.4), MDIO without a PHY (MSCA/MSRWD, 8.2.3.22), the
 * SFP+ cage's presence pin (ESDP.SDP2) and link, the backplane personality
 * (0x10F8: link from AUTOC's KX4/KX/KR advertisement, LINKS), and the
 * record of accesses to registers the model does not know - which the
 * project's own ixgbe driver must not make. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/sim.h"
#include "sim_checks.h"

#define R_CTRL 0x00000
#define R_ESDP 0x00020
#define R_AUTOC 0x042a0
#define R_LINKS 0x042a4
#define R_MSCA 0x0425c
#define R_MSRWD 0x04260
#define R_ANLP1 0x042b0
#define R_EERD 0x10014
#define R_SWSM 0x10140
#define R_FWSM 0x10148
#define R_SWFW 0x10160

#define SMBI 0x1u
#define SWESMBI 0x2u
#define SW_EEP 0x1u
#define SW_PHY0 0x2u
#define SW_MAC_CSR 0x8u

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static struct ixy_sim *port(const char *spec)
{
	struct ixy_sim *s = ixy_sim_open_spec(spec);
	if (!s)
		print_message("%s: %s\n", spec, ixy_last_error());
	assert_non_null(s);
	return s;
}

static uint32_t rd(struct ixy_sim *s, uint32_t r) { return ixy_sim_reg_read(s, r); }
static void wr(struct ixy_sim *s, uint32_t r, uint32_t v) { ixy_sim_reg_write(s, r, v); }

/* LINKS once the link had time to train (link_delay_us=1 in the specs) */
static uint32_t links_after_training(struct ixy_sim *s)
{
	for (int i = 0; i < 1000; i++) {
		ixy_sim_step(s);
		uint32_t v = rd(s, R_LINKS);
		if (v & (1u << 30))
			return v;
		sleep_us(100);
	}
	return rd(s, R_LINKS);
}

/* ---- semaphores ---- */

/* A driver's resource acquisition: SMBI (read-to-set), SWESMBI (write,
 * read back), then the resource bit if the firmware's is clear. */
static bool acquire(struct ixy_sim *s, uint32_t mask)
{
	if (rd(s, R_SWSM) & SMBI)
		return false;
	wr(s, R_SWSM, rd(s, R_SWSM) | SWESMBI);
	assert_true(rd(s, R_SWSM) & SWESMBI);
	uint32_t sync = rd(s, R_SWFW);
	bool ok = !(sync & (mask | mask << 5));
	if (ok)
		wr(s, R_SWFW, sync | mask);
	wr(s, R_SWSM, rd(s, R_SWSM) & ~(SMBI | SWESMBI));
	return ok;
}

static void release(struct ixy_sim *s, uint32_t mask)
{
	assert_int_equal(rd(s, R_SWSM) & SMBI, 0);
	wr(s, R_SWSM, rd(s, R_SWSM) | SWESMBI);
	wr(s, R_SWFW, rd(s, R_SWFW) & ~mask);
	wr(s, R_SWSM, rd(s, R_SWSM) & ~(SMBI | SWESMBI));
}

/* On a threaded port the engine thread checks hold times with a clock it
 * read before taking the lock; a take stamped in between must count as a
 * hold of no time (it once wrapped to 2^64 ns and was reported). */
static void test_threaded_holds_not_wrapped(void **state)
{
	(void)state;
	struct ixy_sim *s = port("hold,mode=threaded,wire=null");
	for (int i = 0; i < 20000; i++) {
		assert_true(acquire(s, 1u << 1));
		release(s, 1u << 1);
	}
	assert_no_sim_violations(s);
	ixy_sim_destroy(s);
}

static void test_swsm_semantics(void **state)
{
	(void)state;
	struct ixy_sim *s = port("sema,mode=stepped");
	assert_int_equal(rd(s, R_FWSM) & (1u << 15), 1u << 15);	/* firmware valid */
	assert_int_equal(rd(s, R_FWSM) & 0xe, 0);		/* no manageability */
	assert_int_equal(rd(s, R_SWSM) & SMBI, 0);	/* free: this read took it */
	assert_int_equal(rd(s, R_SWSM) & SMBI, SMBI);	/* a second driver finds it taken */
	wr(s, R_SWSM, SMBI | SWESMBI);
	assert_int_equal(rd(s, R_SWSM) & SWESMBI, SWESMBI);	/* granted */
	assert_int_equal(rd(s, R_SWFW), 0);
	wr(s, R_SWFW, SW_PHY0);
	assert_int_equal(rd(s, R_SWFW), SW_PHY0);
	wr(s, R_SWSM, 0);
	assert_int_equal(ixy_sim_violation_count(s), 0);

	/* resource level: PHY 0 is held, another acquisition of it fails,
	 * a different resource is free; releases work */
	assert_false(acquire(s, SW_PHY0));
	assert_true(acquire(s, SW_MAC_CSR));
	assert_int_equal(rd(s, R_SWFW), SW_PHY0 | SW_MAC_CSR);
	release(s, SW_PHY0);
	release(s, SW_MAC_CSR);
	assert_int_equal(rd(s, R_SWFW), 0);
	/* bit 10: the manageability host interface, whose HICR.EN says no
	 * firmware listens (Linux's driver-version message gives up) */
	assert_true(acquire(s, 0x400u));
	assert_int_equal(rd(s, R_SWFW), 0x400u);
	assert_int_equal(rd(s, 0x15f00) & 1u, 0);
	release(s, 0x400u);
	assert_int_equal(rd(s, R_SWFW), 0);
	assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
	assert_int_equal(rd(s, R_SWSM) & SMBI, 0);
	wr(s, R_SWSM, 0);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

static void test_semaphore_misuse(void **state)
{
	(void)state;
	struct ixy_sim *s = port("sema-bad,mode=stepped,sema_hold_ms=500");
	wr(s, R_SWSM, 0);	/* releases what nobody holds */
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "holds neither"));
	wr(s, R_SWFW, SW_EEP);	/* without SWESMBI */
	assert_int_equal(ixy_sim_violation_count(s), 2);
	assert_non_null(strstr(ixy_sim_violation(s, 1), "without owning SWSM.SWESMBI"));
	assert_int_equal(rd(s, R_SWFW), SW_EEP);	/* the write took effect all the same */
	release(s, SW_EEP);
	ixy_sim_clear_violations(s);

	/* a hold never released is reported once, after sema_hold_ms */
	assert_true(acquire(s, SW_PHY0));
	ixy_sim_step(s);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	sleep_us(600000);
	ixy_sim_step(s);
	ixy_sim_step(s);
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "PHY 0 held by software"));
	release(s, SW_PHY0);
	ixy_sim_step(s);
	assert_int_equal(ixy_sim_violation_count(s), 1);
	ixy_sim_destroy(s);
}

/* The simulated firmware holds its bits for a while after reset: a driver
 * that waits for them gets the resource afterwards without a violation;
 * one that ignores them is caught. */
static void test_firmware_holds(void **state)
{
	(void)state;
	struct ixy_sim *s = port("sema-fw,mode=stepped,fw_hold_us=1000000");
	uint32_t fw = (SW_EEP | SW_PHY0 | SW_MAC_CSR) << 5;
	assert_int_equal(rd(s, R_SWFW) & fw, fw);
	assert_false(acquire(s, SW_PHY0));
	int tries = 0;
	while (!acquire(s, SW_PHY0) && tries++ < 500)
		sleep_us(10000);
	assert_true(tries > 0 && tries < 500);
	assert_int_equal(rd(s, R_SWFW) & fw, 0);
	release(s, SW_PHY0);
	assert_int_equal(ixy_sim_violation_count(s), 0);

	/* after a reset the firmware holds them again; taking one anyway */
	wr(s, R_CTRL, 1u << 26);
	sleep_us(2500);
	assert_int_equal(rd(s, R_SWSM) & SMBI, 0);
	wr(s, R_SWSM, SMBI | SWESMBI);
	wr(s, R_SWFW, rd(s, R_SWFW) | SW_PHY0);
	wr(s, R_SWSM, 0);
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "while the firmware holds it"));
	ixy_sim_destroy(s);
}

/* ---- MDIO: no PHY at any address ---- */

static uint32_t mdio_cmd(struct ixy_sim *s, uint32_t cmd)
{
	wr(s, R_MSCA, cmd | 1u << 30);
	uint32_t v = 0;
	for (int i = 0; i < 100; i++)
		if (!((v = rd(s, R_MSCA)) & (1u << 30)))
			break;
	assert_int_equal(v & (1u << 30), 0);	/* MDI_CMD self-cleared */
	return v;
}

static void test_mdio_no_phy(void **state)
{
	(void)state;
	const char *specs[] = { "mdio-sfp,mode=stepped", "mdio-bp,mode=stepped,device_id=0x10f8" };
	for (unsigned k = 0; k < 2; k++) {
		struct ixy_sim *s = port(specs[k]);
		for (uint32_t phy = 0; phy < 32; phy++) {
			for (uint32_t reg = 2; reg <= 8; reg += 6) {	/* device id 1, status 2 */
				uint32_t base = reg | 1u << 16 | phy << 21;	/* MMD 1 (PMA/PMD) */
				mdio_cmd(s, base);			/* address cycle */
				wr(s, R_MSRWD, 0x1234);
				mdio_cmd(s, base | 3u << 26);		/* read */
				assert_int_equal(rd(s, R_MSRWD) >> 16, 0xffff);
			}
		}
		mdio_cmd(s, 0x0 | 1u << 16 | 1u << 26);	/* a write goes nowhere */
		assert_int_equal(ixy_sim_violation_count(s), 0);
		assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
		ixy_sim_destroy(s);
	}
}

/* ---- SFP+ cage and backplane ---- */

static void test_sfp_cage(void **state)
{
	(void)state;
	struct ixy_sim *s = port("cage-da,mode=stepped,wire=null,link_delay_us=1");
	assert_true(rd(s, R_ESDP) & (1u << 2));		/* SDP2: a module is in */
	uint32_t l = links_after_training(s);
	assert_true(l & (1u << 30));
	assert_int_equal((l >> 28) & 3, 3);		/* 10 Gb/s */
	assert_int_equal((rd(s, R_AUTOC) >> 13) & 7, 3);	/* EEPROM: 10G serial (SFI) */
	ixy_sim_destroy(s);

	s = port("cage-none,mode=stepped,wire=null,link_delay_us=1,sfp=none");
	assert_int_equal(rd(s, R_ESDP) & (1u << 2), 0);
	sleep_us(2000);
	assert_int_equal(links_after_training(s) & (1u << 30), 0);	/* no module, no link */
	ixy_sim_destroy(s);
}

/* Hot-plug: a module into an empty cage and out again. SDP2 follows, the
 * GPI cause is raised when GPIE enables it, the link trains and drops. */
static void test_sfp_hotplug(void **state)
{
	(void)state;
	struct ixy_sim *s = port("plug,mode=stepped,wire=null,link_delay_us=1,sfp=none");
	wr(s, 0x00898, 1u << 2);			/* GPIE.SDP2_GPIEN */
	(void)rd(s, 0x00800);
	assert_int_equal(links_after_training(s) & (1u << 30), 0);
	assert_int_equal(ixy_sim_set_sfp(s, IXY_SIM_SFP_DA), 0);
	assert_true(rd(s, R_ESDP) & (1u << 2));
	assert_true(rd(s, 0x00800) & (1u << 26));	/* EICR.GPI_SDP2 */
	assert_true(links_after_training(s) & (1u << 30));
	assert_int_equal(ixy_sim_set_sfp(s, IXY_SIM_SFP_NONE), 0);
	assert_int_equal(rd(s, R_ESDP) & (1u << 2), 0);
	uint32_t eicr = rd(s, 0x00800);
	assert_true(eicr & (1u << 26));
	assert_true(eicr & (1u << 20));			/* LSC: the link went down */
	assert_int_equal(rd(s, R_LINKS) & (1u << 30), 0);
	/* without the GPI enable no cause */
	wr(s, 0x00898, 0);
	assert_int_equal(ixy_sim_set_sfp(s, IXY_SIM_SFP_SR), 0);
	assert_int_equal(rd(s, 0x00800) & (1u << 26), 0);
	assert_int_equal(ixy_sim_set_sfp(s, IXY_SIM_SFP_DEFAULT), -EINVAL);
	ixy_sim_destroy(s);

	struct ixy_sim *b = port("plug-bp,mode=stepped,device_id=0x10f8");
	assert_int_equal(ixy_sim_set_sfp(b, IXY_SIM_SFP_DA), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "no SFP+ cage"));
	ixy_sim_destroy(b);
}

static void test_backplane(void **state)
{
	(void)state;
	struct ixy_sim *s = port("bp,mode=stepped,wire=null,link_delay_us=1,device_id=0x10f8");
	assert_int_equal(ixy_sim_device_id(s), 0x10f8);
	uint32_t autoc = rd(s, R_AUTOC);
	assert_int_equal((autoc >> 13) & 7, 4);		/* KX4/KX/KR auto-negotiation */
	assert_int_equal(autoc & (1u << 16 | 1u << 30 | 1u << 31), 1u << 16 | 1u << 30 | 1u << 31);
	assert_int_equal(rd(s, R_ESDP) & (1u << 2), 0);	/* no cage: SDP2 not driven */
	uint32_t l = links_after_training(s);
	assert_true(l & (1u << 30));
	assert_int_equal((l >> 28) & 3, 3);		/* KR/KX4: 10 Gb/s */
	assert_true(l & (1u << 31));			/* KX_AN_COMP */
	assert_true(rd(s, R_ANLP1) & (0xfu << 16));	/* AN has left state 0 */

	/* advertise KX only and restart: the link drops (EICR.LSC) and
	 * trains to 1 Gb/s */
	(void)rd(s, 0x00800);					/* clear EICR */
	wr(s, R_AUTOC, (autoc & ~(1u << 16 | 1u << 31)) | 1u << 12);
	assert_true(rd(s, 0x00800) & (1u << 20));
	l = links_after_training(s);
	assert_true(l & (1u << 30));
	assert_int_equal((l >> 28) & 3, 2);
	/* advertise nothing: no link */
	wr(s, R_AUTOC, (autoc & ~(1u << 16 | 1u << 30 | 1u << 31)) | 1u << 12);
	sleep_us(2000);
	assert_int_equal(links_after_training(s) & (1u << 30), 0);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

/* ---- flow director commands complete (no filters are applied) ---- */

static void test_fdir_completes(void **state)
{
	(void)state;
	struct ixy_sim *s = port("fdir,mode=stepped");
	assert_int_equal(rd(s, 0x0ee00) & 0x8u, 0);		/* FDIRCTRL: off, not initialised */
	wr(s, 0x0ee00, 0x1u | 2u << 8);				/* PBALLOC 64K, drop queue 2 */
	assert_int_equal(rd(s, 0x0ee00), 0x1u | 2u << 8 | 0x8u);	/* INIT_DONE */
	wr(s, 0x0ee2c, 0x1u | 0x1u << 3 | 5u << 16);		/* FDIRCMD: add, queue 5 */
	assert_int_equal(rd(s, 0x0ee2c), 0x1u << 3 | 5u << 16);	/* command field back to 0 */
	wr(s, 0x0ee00, 0);
	assert_int_equal(rd(s, 0x0ee00), 0);
	assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
	ixy_sim_destroy(s);
}

/* ---- unknown registers ---- */

static void test_unknown_registers(void **state)
{
	(void)state;
	struct ixy_sim *s = port("unk,mode=stepped");
	(void)rd(s, R_CTRL);
	wr(s, 0x0a200, 0x12345678);			/* RAL0: known */
	(void)rd(s, R_EERD);
	assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
	(void)rd(s, 0x00030);				/* a hole in the map */
	(void)rd(s, 0x00030);
	wr(s, 0x15f5c, 1);				/* X550's I2CCTL: not an 82599 register */
	wr(s, 0x00030, 7);
	assert_int_equal(ixy_sim_unknown_reg_count(s), 2);
	uint32_t off;
	uint64_t r, w;
	assert_int_equal(ixy_sim_unknown_reg(s, 0, &off, &r, &w), 0);
	assert_int_equal(off, 0x00030);
	assert_int_equal(r, 2);
	assert_int_equal(w, 1);
	assert_int_equal(ixy_sim_unknown_reg(s, 1, &off, &r, &w), 0);
	assert_int_equal(off, 0x15f5c);
	assert_int_equal(r, 0);
	assert_int_equal(w, 1);
	assert_int_equal(rd(s, 0x00030), 7);		/* still stored */
	assert_int_equal(ixy_sim_unknown_reg(s, 2, &off, &r, &w), -EINVAL);
	assert_true(ixy_sim_reg_known(0x042a0));
	assert_false(ixy_sim_reg_known(0x00030));
	/* the table keeps the first 256 distinct offsets */
	for (uint32_t o = 0x15000; o < 0x15000 + 4 * 300; o += 4)
		(void)rd(s, o);
	assert_int_equal(ixy_sim_unknown_reg_count(s), 256);
	ixy_sim_destroy(s);
}

/* The project's ixgbe driver on the SFP+ and the backplane board: it
 * initialises, gets the link at 10 Gb/s and touches only registers the
 * model knows, without a violation. */
static void driver_on(const char *name, uint16_t device_id)
{
	char path[256];
	if (geteuid() != 0 || ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, path, sizeof(path)) < 0) {
		print_message("skipped: needs root and a 2 MiB hugetlbfs\n");
		skip();
	}
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id, .link_delay_us = 1000 };
	struct ixy_sim *s = ixy_sim_create(name, &sc);
	assert_non_null(s);
	assert_int_equal(ixy_sim_wire_null(s), 0);
	struct ixy_config c = { .rx_ring_size = 256, .tx_ring_size = 256, .mempool_size = 512, .link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open_sim(s, &c);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	ixy_close(dev);
	for (unsigned i = 0; i < ixy_sim_unknown_reg_count(s); i++) {
		uint32_t off;
		uint64_t r, w;
		ixy_sim_unknown_reg(s, i, &off, &r, &w);
		print_message("unknown register 0x%05x: %llu reads, %llu writes\n", off, (unsigned long long)r,
			      (unsigned long long)w);
	}
	assert_int_equal(ixy_sim_unknown_reg_count(s), 0);
	assert_no_sim_violations(s);
	ixy_sim_destroy(s);
}

static void test_our_driver_sfp(void **state)
{
	(void)state;
	driver_on("drv-sfp", 0x10fb);
}

static void test_our_driver_backplane(void **state)
{
	(void)state;
	driver_on("drv-bp", 0x10f8);
}

/* The copper personalities with the PHY powered up (the default, as
 * after a cold boot): today's driver, which writes nothing to the PHY,
 * gets the link the PHY negotiates by itself. */
static void test_our_driver_x540(void **state)
{
	(void)state;
	driver_on("drv-x540", 0x1528);
}

static void test_our_driver_x550(void **state)
{
	(void)state;
	driver_on("drv-x550", 0x1563);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swsm_semantics),
		cmocka_unit_test(test_semaphore_misuse),
		cmocka_unit_test(test_firmware_holds),
		cmocka_unit_test(test_mdio_no_phy),
		cmocka_unit_test(test_sfp_cage),
		cmocka_unit_test(test_sfp_hotplug),
		cmocka_unit_test(test_backplane),
		cmocka_unit_test(test_fdir_completes),
		cmocka_unit_test(test_unknown_registers),
		cmocka_unit_test(test_threaded_holds_not_wrapped),
		cmocka_unit_test(test_our_driver_sfp),
		cmocka_unit_test(test_our_driver_backplane),
		cmocka_unit_test(test_our_driver_x540),
		cmocka_unit_test(test_our_driver_x550),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
