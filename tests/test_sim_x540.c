/* The model's X540 and X550 personalities, driven by this test's own
 * register accesses (no driver): the copper PHY on MDIO (clause 45: scan,
 * ids, power-down bit, auto-negotiation at 10G/1G/100M, LINKS following
 * it, LSC), SW_FW_SYNC with the X540 guard and the PHY semaphore around
 * CTRL.RST, packet-buffer reset values and the receive memory, the NVM
 * checksum by the X540 rule (computed here), and the device ids the model
 * refuses.
 *
 * Register offsets and bits are written out here from the datasheets and
 * IEEE 802.3 clause 45, not taken from the model's headers, so a wrong
 * constant in the model shows up as a failure. */
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

#define R_CTRL		0x00000
#define  CTRL_RST	(1u << 26)
#define R_EICR		0x00800
#define  EICR_LSC	(1u << 20)
#define R_RDRXCTL	0x02f00
#define  RDRXCTL_CRCSTRIP (1u << 1)
#define R_RXCTRL	0x03000
#define R_RXPBSIZE(n)	(0x03c00 + 4 * (n))
#define R_TXPBTHRESH(n)	(0x04950 + 4 * (n))
#define R_TXPBSIZE(n)	(0x0cc00 + 4 * (n))
#define R_LINKS		0x042a4
#define  LINKS_UP	(1u << 30)
#define R_MSCA		0x0425c
#define R_MSRWD		0x04260
#define R_EEC		0x10010
#define R_EERD		0x10014
#define R_SWSM		0x10140
#define R_SW_FW_SYNC	0x10160
#define  SWFW_PHY0	(1u << 1)
#define  SWFW_FW_PHY0	(1u << 6)
#define  SWFW_REGSMP	(1u << 31)

/* clause 45 (IEEE 802.3 45.2) */
#define MMD_PMA		1
#define MMD_AN		7
#define MMD_VEND1	30
#define LPOWER		0x0800u		/* VEND1 CTRL1 bit 11 as Linux's set_phy_power uses it */

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

static void assert_clean(struct ixy_sim *s)
{
	assert_no_sim_violations(s);
}

/* One MDIO frame: MSCA = register | MMD << 16 | PHY << 21 | opcode << 26
 * | MDI_CMD (bit 30); MDI_CMD clears when it is done. */
static void mdio_cmd(struct ixy_sim *s, unsigned op, unsigned phy, unsigned mmd, unsigned reg)
{
	wr(s, R_MSCA, reg | mmd << 16 | phy << 21 | op << 26 | 1u << 30);
	int i;
	for (i = 0; i < 100 && (rd(s, R_MSCA) & (1u << 30)); i++)
		;
	assert_true(i < 100);
}

static uint16_t phy_rd(struct ixy_sim *s, unsigned phy, unsigned mmd, unsigned reg)
{
	mdio_cmd(s, 0, phy, mmd, reg);	/* address */
	mdio_cmd(s, 3, phy, mmd, reg);	/* read */
	return (uint16_t)(rd(s, R_MSRWD) >> 16);
}

static void phy_wr(struct ixy_sim *s, unsigned mmd, unsigned reg, uint16_t v)
{
	mdio_cmd(s, 0, 0, mmd, reg);
	wr(s, R_MSRWD, v);
	mdio_cmd(s, 1, 0, mmd, reg);
}

/* The X540 way to change SW_FW_SYNC: SWSM.SMBI read as 0 (taken), then
 * SW_FW_SYNC.REGSMP read as 0 (taken), change, give REGSMP and SMBI back.
 * Returns false (nothing taken) when the firmware or software holds the
 * resource. */
static bool x540_swfw(struct ixy_sim *s, uint32_t mask, bool take)
{
	assert_int_equal(rd(s, R_SWSM) & 1u, 0);
	uint32_t v = rd(s, R_SW_FW_SYNC);
	assert_int_equal(v & SWFW_REGSMP, 0);
	bool ok = true;
	if (take && (v & (mask | mask << 5)))
		ok = false;
	else
		v = take ? v | mask : v & ~mask;
	wr(s, R_SW_FW_SYNC, v | SWFW_REGSMP);	/* still guarded */
	wr(s, R_SW_FW_SYNC, v & ~SWFW_REGSMP);	/* REGSMP back */
	wr(s, R_SWSM, 0);			/* SMBI back */
	return ok;
}

static uint32_t links_speed(struct ixy_sim *s)
{
	uint32_t l = rd(s, R_LINKS);
	return (l & LINKS_UP) ? (l >> 28) & 3 : 0;
}

/* The scan a driver does (Linux: mdio45_probe at addresses 0..31, the
 * first MMD 1..5 whose STAT2 15:14 reads 10b): the PHY is at 0, the ids
 * are the X540's / X550's, the package lists PMA, PCS, PHY XS, AN, VEND1,
 * VEND2; nobody at the other addresses. On an 82599 nobody at all. */
static void scan(const char *spec, int want_addr, uint32_t want_id)
{
	struct ixy_sim *s = port(spec);
	int found = -1;
	for (unsigned a = 0; a < 32 && found < 0; a++)
		for (unsigned mmd = 1; mmd <= 5; mmd++)
			if ((phy_rd(s, a, mmd, 8) & 0xc000) == 0x8000) {
				found = (int)a;
				break;
			}
	assert_int_equal(found, want_addr);
	if (found >= 0) {
		uint32_t id = (uint32_t)phy_rd(s, 0, MMD_PMA, 2) << 16 | phy_rd(s, 0, MMD_PMA, 3);
		assert_int_equal(id, want_id);
		assert_int_equal(phy_rd(s, 0, MMD_PMA, 5), 1u << 1 | 1u << 3 | 1u << 4 | 1u << 7);
		assert_int_equal(phy_rd(s, 0, MMD_PMA, 6), 1u << 14 | 1u << 15);	/* VEND1, VEND2 */
		/* 10G, 1000M, 100M capable (PMA speed ability); 10GBASE-T in the
		 * extended abilities (what makes Linux call it copper) */
		assert_int_equal(phy_rd(s, 0, MMD_PMA, 4) & 0x31, 0x31);
		assert_true(phy_rd(s, 0, MMD_PMA, 11) & 0x0004);
		assert_int_equal(phy_rd(s, 1, MMD_PMA, 2), 0xffff);
		assert_int_equal(phy_rd(s, 0, 2, 8), 0xffff);	/* no WIS */
	}
	assert_clean(s);
	ixy_sim_destroy(s);
}

static void test_phy_scan(void **state)
{
	(void)state;
	scan("x540-scan,mode=stepped,device_id=0x1528", 0, 0x01540200);
	scan("x540t1-scan,mode=stepped,device_id=0x1560", 0, 0x01540200);
	scan("x550-scan,mode=stepped,device=0x1563", 0, 0x01540223);
	scan("82599-scan,mode=stepped", -1, 0);
}

/* Clause-45 read-increment (opcode 2) reads consecutive registers after
 * one address cycle. */
static void test_read_increment(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x540-inc,mode=stepped,device_id=0x1528");
	mdio_cmd(s, 0, 0, MMD_PMA, 2);
	mdio_cmd(s, 2, 0, MMD_PMA, 2);
	assert_int_equal(rd(s, R_MSRWD) >> 16, 0x0154);
	mdio_cmd(s, 2, 0, MMD_PMA, 3);
	assert_int_equal(rd(s, R_MSRWD) >> 16, 0x0200);
	assert_clean(s);
	ixy_sim_destroy(s);
}

/* phy_power=off: the state Linux leaves a port it took down. No link
 * however long one waits; clearing the power-down bit starts AN, the link
 * comes at 10G with LSC; setting it drops the link at once with LSC. */
static void test_power_down_and_up(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x540-pwr,mode=stepped,device_id=0x1528,link_delay_us=1000,phy_power=off");
	uint16_t c1 = phy_rd(s, 0, MMD_VEND1, 0);
	assert_true(c1 & LPOWER);
	sleep_us(3000);
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);
	assert_int_equal(phy_rd(s, 0, MMD_AN, 1) & 0x0024, 0);	/* no link, AN not complete */
	rd(s, R_EICR);						/* clear */

	assert_true(x540_swfw(s, SWFW_PHY0, true));
	phy_wr(s, MMD_VEND1, 0, (uint16_t)(c1 & ~LPOWER));
	assert_true(x540_swfw(s, SWFW_PHY0, false));
	assert_int_equal(phy_rd(s, 0, MMD_VEND1, 0) & LPOWER, 0);
	sleep_us(3000);
	assert_int_equal(links_speed(s), 3);				/* 10 Gb/s */
	assert_int_equal(phy_rd(s, 0, MMD_AN, 1) & 0x0024, 0x0024);	/* link, AN complete */
	assert_int_equal(phy_rd(s, 0, MMD_AN, 0xc800) & 7, 7);		/* 10G full duplex */
	assert_true(phy_rd(s, 0, MMD_PMA, 1) & 0x0004);
	assert_true(rd(s, R_EICR) & EICR_LSC);

	phy_wr(s, MMD_VEND1, 0, (uint16_t)(phy_rd(s, 0, MMD_VEND1, 0) | LPOWER));
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);
	assert_true(rd(s, R_EICR) & EICR_LSC);
	assert_int_equal(phy_rd(s, 0, MMD_AN, 1) & 0x0004, 0);
	assert_clean(s);
	ixy_sim_destroy(s);
}

/* The same on a threaded port: the engine sees the AN end after the
 * power-up (it schedules nothing while the PHY is down). */
static void test_power_up_threaded(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x540-thr,mode=threaded,device_id=0x1528,link_delay_us=2000,phy_power=off");
	sleep_us(5000);
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);
	rd(s, R_EICR);
	phy_wr(s, MMD_VEND1, 0, (uint16_t)(phy_rd(s, 0, MMD_VEND1, 0) & ~LPOWER));
	int i;
	for (i = 0; i < 1000 && !(rd(s, R_LINKS) & LINKS_UP); i++)
		sleep_us(1000);
	assert_int_equal(links_speed(s), 3);
	assert_true(rd(s, R_EICR) & EICR_LSC);
	assert_clean(s);
	ixy_sim_destroy(s);
}

/* The default port: powered up as after a cold boot, link at 10G. */
static void test_power_default_on(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x550-on,mode=stepped,device_id=0x1563,link_delay_us=500");
	assert_int_equal(phy_rd(s, 0, MMD_VEND1, 0) & LPOWER, 0);
	sleep_us(2000);
	assert_int_equal(links_speed(s), 3);
	assert_clean(s);
	ixy_sim_destroy(s);
	assert_null(ixy_sim_open_spec("x-pwr-bad,device_id=0x10fb,phy_power=off"));
	assert_non_null(strstr(ixy_last_error(), "copper PHY"));
	assert_null(ixy_sim_open_spec("x-pwr-bad2,phy_power=on"));
	assert_non_null(strstr(ixy_last_error(), "copper PHY"));
	assert_null(ixy_sim_open_spec("x-pwr-bad3,device_id=0x1528,phy_power=maybe"));
	struct ixy_sim_config c = { .mode = IXY_SIM_STEPPED, .device_id = 0x10f8, .phy_power_off = true };
	assert_null(ixy_sim_create("x-pwr-bad4", &c));
	assert_non_null(strstr(ixy_last_error(), "no copper PHY"));
}

/* Advertise one speed and restart AN: the link comes at that speed
 * (LINKS 29:28: 11b 10G, 10b 1G, 01b 100M); nothing advertised, no link. */
static void an_to(struct ixy_sim *s, uint16_t adv10g, uint16_t prov1g, uint16_t adv100, uint32_t want_links,
		  uint16_t want_vstat)
{
	phy_wr(s, MMD_AN, 32, adv10g);		/* 10GBT control, bit 12 */
	phy_wr(s, MMD_AN, 0xc400, prov1g);	/* vendor provisioning, bit 15: 1000BASE-T */
	phy_wr(s, MMD_AN, 16, adv100);		/* base page, bit 8: 100BASE-TX full duplex */
	uint16_t c = phy_rd(s, 0, MMD_AN, 0);
	assert_true(c & 0x1000);		/* AN enabled */
	phy_wr(s, MMD_AN, 0, (uint16_t)(c | 0x0200));	/* restart */
	assert_int_equal(phy_rd(s, 0, MMD_AN, 0) & 0x0200, 0);	/* self-clearing */
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);		/* training */
	sleep_us(2500);
	assert_int_equal(links_speed(s), want_links);
	assert_int_equal(phy_rd(s, 0, MMD_AN, 0xc800) & 7, want_vstat);
}

static void test_an_speeds(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x540-an,mode=stepped,device_id=0x1528,link_delay_us=500");
	an_to(s, 0, 0x8000, 0x0101, 2, 5);
	an_to(s, 0, 0, 0x0101, 1, 3);
	an_to(s, 0x1000, 0, 0x0001, 3, 7);
	an_to(s, 0, 0, 0x0001, 0, 0);
	/* a new advertisement does not change a running link */
	an_to(s, 0, 0x8000, 0, 2, 5);
	phy_wr(s, MMD_AN, 32, 0x1000);
	assert_int_equal(links_speed(s), 2);
	assert_clean(s);
	ixy_sim_destroy(s);
}

/* The PHY is not reset with the MAC: a powered-down PHY stays down over
 * CTRL.RST (the reason a driver must power it up itself); a PHY reset
 * (PMA CTRL1 bit 15) brings it back to its defaults, powered. */
static void test_phy_survives_mac_reset(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x540-rst,mode=stepped,device_id=0x1528,link_delay_us=500,phy_power=off");
	assert_true(x540_swfw(s, SWFW_PHY0, true));
	wr(s, R_CTRL, rd(s, R_CTRL) | CTRL_RST);
	assert_true(x540_swfw(s, SWFW_PHY0, false));	/* right after RST, as Linux */
	sleep_us(3000);
	assert_int_equal(rd(s, R_CTRL) & CTRL_RST, 0);
	assert_true(phy_rd(s, 0, MMD_VEND1, 0) & LPOWER);
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);
	phy_wr(s, MMD_PMA, 0, 0x8000);
	assert_int_equal(phy_rd(s, 0, MMD_PMA, 0) & 0x8000, 0);
	assert_int_equal(phy_rd(s, 0, MMD_VEND1, 0) & LPOWER, 0);
	sleep_us(2000);
	assert_int_equal(links_speed(s), 3);
	assert_int_equal(ixy_sim_unguarded_resets(s), 0);
	assert_clean(s);
	ixy_sim_destroy(s);
}

#define FW_HOLD_US 20000
#define FW_HOLD_STR "20000"

/* CTRL.RST without the PHY semaphore: counted always, a violation when
 * the firmware holds the PHY at that moment; with the semaphore neither. The firmware's PHY bit (6) is visible
 * while it holds it, and taking PHY 0 then is a violation. */
static void test_rst_phy_semaphore(void **state)
{
	(void)state;
	/* The firmware's hold is wall-clock time from power-on and from each
	 * reset: long enough that the steps before "firmware holds it" fit
	 * inside it on a slow run (ASan, a loaded machine: 300 us did not),
	 * and each wait for its end sleeps past it. */
	struct ixy_sim *s = port("x540-sem,mode=stepped,device_id=0x1528,fw_hold_us=" FW_HOLD_STR);
	uint32_t v = rd(s, R_SW_FW_SYNC);	/* a read takes REGSMP (read-to-set) */
	assert_true(v & SWFW_FW_PHY0);
	assert_true(rd(s, R_SW_FW_SYNC) & SWFW_REGSMP);
	wr(s, R_SW_FW_SYNC, v & ~SWFW_REGSMP);	/* give it back; SMBI was not held: a violation */
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "REGSMP"));
	assert_false(x540_swfw(s, SWFW_PHY0, true));	/* firmware holds it: wait */
	sleep_us(FW_HOLD_US + 1000);
	assert_int_equal(rd(s, R_SW_FW_SYNC) & SWFW_FW_PHY0, 0);
	assert_int_equal(rd(s, R_SW_FW_SYNC) & SWFW_REGSMP, SWFW_REGSMP);	/* the first read took it */
	wr(s, R_SW_FW_SYNC, 0);		/* without SMBI: the second violation */
	assert_int_equal(ixy_sim_violation_count(s), 2);

	/* no semaphore while the firmware is idle (Linux's first reset at
	 * probe): counted, not a violation */
	wr(s, R_CTRL, CTRL_RST);
	sleep_us(1500);
	assert_int_equal(ixy_sim_violation_count(s), 2);
	assert_int_equal(ixy_sim_unguarded_resets(s), 1);

	sleep_us(FW_HOLD_US);			/* the firmware's hold after the reset ends */
	assert_true(x540_swfw(s, SWFW_PHY0, true));
	wr(s, R_CTRL, CTRL_RST);
	assert_true(x540_swfw(s, SWFW_PHY0, false));
	sleep_us(1500);
	assert_int_equal(ixy_sim_violation_count(s), 2);
	assert_int_equal(ixy_sim_unguarded_resets(s), 1);

	/* a PHY access with a firmware around: inside the semaphore none,
	 * outside a violation */
	sleep_us(FW_HOLD_US);
	assert_true(x540_swfw(s, SWFW_PHY0, true));
	assert_int_equal(phy_rd(s, 0, MMD_PMA, 2), 0x0154);
	assert_true(x540_swfw(s, SWFW_PHY0, false));
	assert_int_equal(ixy_sim_violation_count(s), 2);
	assert_int_equal(phy_rd(s, 0, MMD_PMA, 2), 0x0154);
	assert_int_equal(ixy_sim_violation_count(s), 4);	/* address and read frame */
	assert_non_null(strstr(ixy_sim_violation(s, 2), "MDIO"));
	ixy_sim_destroy(s);

	/* the firmware holds the PHY (a long hold after power-on): a reset
	 * without the semaphore cuts its access short */
	s = port("x540-sem2,mode=stepped,device_id=0x1528,fw_hold_us=500000");
	wr(s, R_CTRL, CTRL_RST);
	sleep_us(1500);
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "PHY semaphore"));
	assert_int_equal(ixy_sim_unguarded_resets(s), 1);
	ixy_sim_destroy(s);

	s = port("x550-sem,mode=stepped,device_id=0x1563");
	wr(s, R_CTRL, CTRL_RST);
	sleep_us(1500);
	assert_int_equal(ixy_sim_unguarded_resets(s), 1);
	assert_clean(s);
	ixy_sim_destroy(s);
}

/* Reset values: RXPBSIZE(0) 512 KiB, TXPBSIZE(0) 160 KiB, TXPBTHRESH(0)
 * 150 KiB, the others 0. The X540/X550 have 384 KiB of receive memory:
 * enabling receive with the reset value is a violation, with RXPBSIZE(0)
 * written to 384 KiB none; the 82599's 512 KiB fit. */
static void pb_case(const char *spec, bool write_384, unsigned want_violations)
{
	struct ixy_sim *s = port(spec);
	assert_int_equal(rd(s, R_RXPBSIZE(0)), 0x80000);
	assert_int_equal(rd(s, R_TXPBSIZE(0)), 0x28000);
	assert_int_equal(rd(s, R_TXPBTHRESH(0)), 150);
	for (unsigned i = 1; i < 8; i++) {
		assert_int_equal(rd(s, R_RXPBSIZE(i)), 0);
		assert_int_equal(rd(s, R_TXPBSIZE(i)), 0);
		assert_int_equal(rd(s, R_TXPBTHRESH(i)), 0);
	}
	if (write_384)
		wr(s, R_RXPBSIZE(0), 384u << 10);
	wr(s, R_RDRXCTL, rd(s, R_RDRXCTL) | RDRXCTL_CRCSTRIP);
	wr(s, R_RXCTRL, 1);
	unsigned n = ixy_sim_violation_count(s);
	assert_int_equal(n, want_violations);
	if (n)
		assert_non_null(strstr(ixy_sim_violation(s, 0), "RXPBSIZE"));
	ixy_sim_destroy(s);
}

static void test_packet_buffers(void **state)
{
	(void)state;
	pb_case("pb-x540,mode=stepped,device_id=0x1528", false, 1);
	pb_case("pb-x540w,mode=stepped,device_id=0x1528", true, 0);
	pb_case("pb-x550,mode=stepped,device_id=0x1563", false, 1);
	pb_case("pb-82599,mode=stepped", false, 0);
}

/* Link up within 2 s (training takes the spec's link_delay_us). */
static void wait_link_up(struct ixy_sim *s)
{
	for (int i = 0; i < 2000 && !(rd(s, R_LINKS) & LINKS_UP); i++)
		sleep_us(1000);
	assert_true(rd(s, R_LINKS) & LINKS_UP);
}

/* CTRL.RST resets the MAC and leaves an up link up (no LSC); CTRL.LRST
 * (bit 3) also resets the link: it drops, LSC, and trains again. The
 * training takes 200 ms of wall-clock time, so that the 1.5 ms look after
 * LRST falls inside it even on a slow run (ASan on a loaded machine
 * outlasted 5 ms). */
static void rst_case(const char *spec)
{
	struct ixy_sim *s = port(spec);
	wait_link_up(s);
	rd(s, R_EICR);
	wr(s, R_CTRL, CTRL_RST);
	sleep_us(1500);
	assert_true(rd(s, R_LINKS) & LINKS_UP);
	assert_int_equal(rd(s, R_EICR) & EICR_LSC, 0);
	wr(s, R_CTRL, 1u << 3);
	sleep_us(1500);
	assert_int_equal(rd(s, R_LINKS) & LINKS_UP, 0);
	assert_true(rd(s, R_EICR) & EICR_LSC);
	wait_link_up(s);
	assert_clean(s);
	ixy_sim_destroy(s);
}

static void test_rst_vs_lrst(void **state)
{
	(void)state;
	rst_case("rst-82599,mode=stepped,link_delay_us=200000");
	rst_case("rst-x540,mode=stepped,device_id=0x1528,link_delay_us=200000");
}

/* PHY accesses the way Linux makes them: the PHY semaphore around each
 * one, waiting while the firmware holds it. */
static void phy_take(struct ixy_sim *s)
{
	int i;
	for (i = 0; i < 200 && !x540_swfw(s, SWFW_PHY0, true); i++)
		sleep_us(500);
	assert_true(i < 200);
}

static uint16_t phy_rd_locked(struct ixy_sim *s, unsigned mmd, unsigned reg)
{
	phy_take(s);
	uint16_t v = phy_rd(s, 0, mmd, reg);
	assert_true(x540_swfw(s, SWFW_PHY0, false));
	return v;
}

static void phy_wr_locked(struct ixy_sim *s, unsigned mmd, unsigned reg, uint16_t v)
{
	phy_take(s);
	phy_wr(s, mmd, reg, v);
	assert_true(x540_swfw(s, SWFW_PHY0, false));
}

/* Linux's order on an X540/X550 that Linux itself left down (PHY powered
 * down), with a firmware that holds the semaphores after each reset:
 * reset_hw_X540 (PHY semaphore around CTRL.RST, released before the 1 ms
 * wait, RXPBSIZE(0) = 384 KiB), identify the PHY, set_phy_power(true),
 * setup_phy_link (10G, 1G, 100M advertised, AN restart), LINKS at 10G,
 * receive on. No violation on the way. */
static void linux_order(const char *spec, uint32_t want_id)
{
	struct ixy_sim *s = port(spec);
	phy_take(s);
	wr(s, R_CTRL, rd(s, R_CTRL) | CTRL_RST);
	rd(s, 0x00008);				/* flush (STATUS) */
	assert_true(x540_swfw(s, SWFW_PHY0, false));
	sleep_us(1200);
	int i;
	for (i = 0; i < 10 && (rd(s, R_CTRL) & (CTRL_RST | 1u << 3)); i++)
		sleep_us(1);
	assert_true(i < 10);
	wr(s, R_RXPBSIZE(0), 384u << 10);

	uint32_t id = (uint32_t)phy_rd_locked(s, MMD_PMA, 2) << 16 | phy_rd_locked(s, MMD_PMA, 3);
	assert_int_equal(id, want_id);
	uint16_t c1 = phy_rd_locked(s, MMD_VEND1, 0);
	assert_true(c1 & LPOWER);
	phy_wr_locked(s, MMD_VEND1, 0, (uint16_t)(c1 & ~LPOWER));

	phy_wr_locked(s, MMD_AN, 32, (uint16_t)(phy_rd_locked(s, MMD_AN, 32) | 0x1000));
	phy_wr_locked(s, MMD_AN, 0xc400, (uint16_t)(phy_rd_locked(s, MMD_AN, 0xc400) | 0x8000));
	phy_wr_locked(s, MMD_AN, 16, (uint16_t)(phy_rd_locked(s, MMD_AN, 16) | 0x0100));
	phy_wr_locked(s, MMD_AN, 0, (uint16_t)(phy_rd_locked(s, MMD_AN, 0) | 0x0200));
	for (i = 0; i < 100 && !(rd(s, R_LINKS) & LINKS_UP); i++)
		sleep_us(1000);
	assert_int_equal(links_speed(s), 3);
	wr(s, R_RDRXCTL, rd(s, R_RDRXCTL) | RDRXCTL_CRCSTRIP);
	wr(s, R_RXCTRL, 1);
	assert_int_equal(ixy_sim_unguarded_resets(s), 0);
	assert_clean(s);
	ixy_sim_destroy(s);
}

static void test_linux_order(void **state)
{
	(void)state;
	linux_order("lx-x540,mode=stepped,device_id=0x1528,phy_power=off,fw_hold_us=3000,link_delay_us=2000",
		    0x01540200);
	linux_order("lx-x550,mode=stepped,device_id=0x1563,phy_power=off,fw_hold_us=3000,link_delay_us=2000",
		    0x01540223);
}

static uint16_t ee(struct ixy_sim *s, unsigned w)
{
	wr(s, R_EERD, w << 2 | 1u);
	uint32_t v = rd(s, R_EERD);
	assert_true(v & 2u);
	return (uint16_t)(v >> 16);
}

/* The NVM checksums, written here from the rules (Linux's
 * calc_eeprom_checksum_X540 / calc_checksum_X550 as the reference, no code
 * shared with the model). X540: words 0x00-0x3E, and the words after the
 * length word of the sections pointers 0x03 and 0x06-0x0E point to (the
 * PHY module 0x04 and option ROM 0x05 left out; pointers 0/0xFFFF or
 * beyond the NVM skipped, sections with length 0/0xFFFF or running past
 * the end skipped), plus word 0x3F make 0xBABA. X550: words 0x00-0x41
 * but 0x3F, pointers from 0x02, and the PCIe general (0x06) and config
 * (0x07, 0x08) sections are fixed blocks of 0x24 and 8 words from the
 * pointed-to word on. The 82599 rule, which adds the 0x04 section, must
 * not add up on either image. */
static uint16_t section_sum(struct ixy_sim *s, unsigned ptr, unsigned from, unsigned n)
{
	uint16_t part = 0;
	for (unsigned j = ptr + from; j < ptr + from + n; j++)
		part = (uint16_t)(part + ee(s, j));
	return part;
}

static void nvm_case(const char *spec, bool x550)
{
	struct ixy_sim *s = port(spec);
	unsigned n = 1u << (((rd(s, R_EEC) >> 11) & 0xf) + 6);
	assert_true(rd(s, R_EEC) & (1u << 26));		/* FLUDONE */
	uint16_t sum = 0, sum_82599 = 0;
	for (unsigned i = 0; i < 0x3f; i++)
		sum_82599 = (uint16_t)(sum_82599 + ee(s, i));
	for (unsigned i = 0; i <= (x550 ? 0x41u : 0x3eu); i++)
		if (i != 0x3f)
			sum = (uint16_t)(sum + ee(s, i));
	unsigned phy_words = 0;
	for (unsigned p = 0x02; p < 0x0f; p++) {
		uint16_t ptr = ee(s, p);
		if (ptr == 0 || ptr == 0xffff || ptr >= n)
			continue;
		uint16_t len = ee(s, ptr);
		bool len_ok = len != 0 && len != 0xffff && ptr + len < n;
		if (p >= 0x03 && len_ok)
			sum_82599 = (uint16_t)(sum_82599 + section_sum(s, ptr, 1, len));
		if (p == 0x04 || p == 0x05) {
			phy_words += len_ok ? len : 0;
			continue;
		}
		if (x550 && (p == 0x06 || p == 0x07 || p == 0x08)) {
			sum = (uint16_t)(sum + section_sum(s, ptr, 0, p == 0x06 ? 0x24 : 8));
			continue;
		}
		if ((x550 || p >= 0x03) && len_ok)
			sum = (uint16_t)(sum + section_sum(s, ptr, 1, len));
	}
	uint16_t check = ee(s, 0x3f);
	assert_int_equal((uint16_t)(sum + check), 0xbaba);
	assert_true(phy_words > 0);			/* the image has a PHY module */
	assert_int_not_equal((uint16_t)(sum_82599 + check), 0xbaba);
	assert_clean(s);
	ixy_sim_destroy(s);
}

static void test_nvm_checksum(void **state)
{
	(void)state;
	nvm_case("nvm-x540,mode=stepped,device_id=0x1528", false);
	nvm_case("nvm-x550,mode=stepped,device_id=0x1563", true);
}

/* The X550's NVM through the host interface, the way Linux's X550 reads
 * it: a shadow RAM read command (0x31; byte address and count big-endian)
 * in FLEX_MNG, HICR.C, wait for C to clear, SV set, the words from dword 3
 * on. They equal what EERD returns. Other commands get "success"; a read
 * beyond the NVM is refused (SV 0) and reported. The X540 has no firmware
 * listening (HICR.EN 0). */
#define R_HICR		0x15f00
#define R_FLEX_MNG(i)	(0x15800 + 4 * (i))

static bool hostif_read(struct ixy_sim *s, unsigned word, unsigned n, uint16_t *out)
{
	wr(s, R_FLEX_MNG(0), 0x31u | 6u << 16);
	wr(s, R_FLEX_MNG(1), __builtin_bswap32(word * 2));
	wr(s, R_FLEX_MNG(2), __builtin_bswap16((uint16_t)(n * 2)));
	wr(s, R_FLEX_MNG(3), 0);
	wr(s, R_HICR, rd(s, R_HICR) | 2u);
	int i;
	for (i = 0; i < 100 && (rd(s, R_HICR) & 2u); i++)
		;
	assert_true(i < 100);
	if (!(rd(s, R_HICR) & 4u))
		return false;
	for (unsigned k = 0; k < n; k++)
		out[k] = (uint16_t)(rd(s, R_FLEX_MNG(3 + k / 2)) >> (k % 2 ? 16 : 0));
	return true;
}

static void test_x550_hostif_nvm(void **state)
{
	(void)state;
	struct ixy_sim *s = port("x550-hi,mode=stepped,device_id=0x1563");
	assert_true(rd(s, R_HICR) & 1u);
	uint16_t w[0x42];
	assert_true(hostif_read(s, 0, 0x42, w));
	for (unsigned i = 0; i < 0x42; i++)
		assert_int_equal(w[i], ee(s, i));
	uint16_t gen = ee(s, 0x06), sec[0x25];
	assert_true(hostif_read(s, gen, 0x25, sec));	/* odd count: the last dword's high half unused */
	for (unsigned i = 0; i < 0x25; i++)
		assert_int_equal(sec[i], ee(s, gen + i));
	wr(s, R_FLEX_MNG(0), 0xdd);			/* another command (driver info) */
	wr(s, R_HICR, 2u);
	assert_int_equal(rd(s, R_HICR) & 6u, 4u);
	assert_int_equal((rd(s, R_FLEX_MNG(0)) >> 16) & 0xff, 1);	/* status: success */
	wr(s, R_RDRXCTL, rd(s, R_RDRXCTL) | RDRXCTL_CRCSTRIP);
	wr(s, R_RXPBSIZE(0), 384u << 10);
	wr(s, R_RXCTRL, 1);
	wr(s, R_FLEX_MNG(0), 0xde | 1u << 8);		/* firmware RX disable */
	wr(s, R_FLEX_MNG(1), 0);
	wr(s, R_HICR, 2u);
	assert_int_equal(rd(s, R_HICR) & 6u, 4u);
	assert_int_equal(rd(s, R_RXCTRL) & 1u, 0);
	assert_clean(s);
	assert_false(hostif_read(s, 0x1ff0, 0x20, w));
	assert_int_equal(ixy_sim_violation_count(s), 1);
	ixy_sim_destroy(s);

	s = port("x540-hi,mode=stepped,device_id=0x1528");
	assert_int_equal(rd(s, R_HICR) & 1u, 0);
	ixy_sim_destroy(s);
}

/* Ids the model cannot be are refused by the spec parser, with the list
 * of what it can be; X550EM ids also by ixy_sim_create. */
static void test_refused_ids(void **state)
{
	(void)state;
	static const char *const bad[] = { "x,device_id=0x15ad", "x,device_id=0x15c8", "x,device_id=0x1234" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ixy_clear_error();
		assert_null(ixy_sim_open_spec(bad[i]));
		assert_non_null(strstr(ixy_last_error(), "0x1528"));
		assert_non_null(strstr(ixy_last_error(), "0x1563"));
	}
	static const char *const malformed[] = { "x,device_id=0", "x,device_id=0x1528x", "x,device=70000" };
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		assert_null(ixy_sim_open_spec(malformed[i]));
	ixy_sim_open_spec("x,device_id=0x15aa");
	assert_non_null(strstr(ixy_last_error(), "X550EM"));
	struct ixy_sim_config c = { .mode = IXY_SIM_STEPPED, .device_id = 0x15e4 };
	assert_null(ixy_sim_create("x550em", &c));
	assert_non_null(strstr(ixy_last_error(), "not model"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phy_scan),
		cmocka_unit_test(test_read_increment),
		cmocka_unit_test(test_power_down_and_up),
		cmocka_unit_test(test_power_up_threaded),
		cmocka_unit_test(test_power_default_on),
		cmocka_unit_test(test_an_speeds),
		cmocka_unit_test(test_phy_survives_mac_reset),
		cmocka_unit_test(test_rst_phy_semaphore),
		cmocka_unit_test(test_packet_buffers),
		cmocka_unit_test(test_rst_vs_lrst),
		cmocka_unit_test(test_linux_order),
		cmocka_unit_test(test_nvm_checksum),
		cmocka_unit_test(test_x550_hostif_nvm),
		cmocka_unit_test(test_refused_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
