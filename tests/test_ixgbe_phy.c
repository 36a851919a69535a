/* ixgbe driver on X540/X550 copper boards: the internal PHY over MDIO
 * (power-up, advertisement, AN restart), the X540 semaphore (SMBI +
 * SW_FW_SYNC.REGSMP), the PHY semaphore around CTRL.RST, MNG_VETO, the
 * packet buffers, and the link timeout message, against a test-only board.
 *
 * Linked with --wrap for ixy_sim_reg_read/_write (tests/CMakeLists.txt):
 * this file serves SWSM, SW_FW_SYNC, MSCA/MSRWD with a clause-45 PHY
 * behind them, LINKS (from the fake PHY), STATUS.LAN_ID, MMNGC and FWSM;
 * everything else goes to the model. Written for this test from the
 * datasheet and IEEE 802.3 clause 45, not from the model, so that the
 * driver is checked by something other than its own reading. It also
 * checks the rules: SW_FW_SYNC changed only while SMBI and REGSMP are
 * held, MDIO only under the port's PHY semaphore, CTRL.RST only under it,
 * nothing left held. */
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

uint32_t __real_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg);
void __real_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val);
uint32_t __wrap_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg);
void __wrap_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val);

/* ---- the fake board ---- */

#define REGSMP BIT(31)

struct fake {
	bool on;
	uint8_t lan_id;
	/* semaphores */
	uint32_t swsm, swfw;
	unsigned sem_violations;        /* SW_FW_SYNC written without SMBI + REGSMP */
	unsigned takes[5], gives[5];
	unsigned fw_phy_reads;          /* the firmware holds the PHY bit for this many SW_FW_SYNC reads */
	unsigned taken_over;            /* software set the PHY bit while the firmware's was set */
	/* MDIO */
	bool present;
	uint8_t addr;                   /* where the PHY answers */
	uint16_t latched[32];           /* clause 45: address per MMD */
	uint32_t msrwd;
	unsigned mdio_unlocked, mdio_frames;
	/* PHY registers */
	uint16_t id2, speed, vend1_ctrl1, an_ctrl1, an_adv, an_10gbt, prov1;
	bool power_stuck;               /* low-power bit cannot be cleared */
	bool partner;                   /* a link partner on the cable */
	bool negotiated;                /* AN finished since the PHY was last powered up */
	unsigned an_restarts, restarts_while_off;
	/* MAC */
	bool veto, mng;
	unsigned rst, rst_unguarded;
};

static struct fake F;

static uint32_t phy_sem(void)
{
	return F.lan_id ? IXGBE_SWFW_PHY1 : IXGBE_SWFW_PHY0;
}

static bool powered(void)
{
	return !(F.vend1_ctrl1 & MDIO_VEND1_LOW_POWER);
}

static uint16_t *phy_reg(uint8_t mmd, uint16_t reg)
{
	static uint16_t scratch;
	if (mmd == MDIO_MMD_VEND1 && reg == MDIO_VEND1_CTRL1)
		return &F.vend1_ctrl1;
	if (mmd == MDIO_MMD_AN) {
		switch (reg) {
		case MDIO_AN_CTRL1: return &F.an_ctrl1;
		case MDIO_AN_ADV: return &F.an_adv;
		case MDIO_AN_10GBT_CTRL: return &F.an_10gbt;
		case MDIO_AN_VEND_PROV1: return &F.prov1;
		}
	}
	scratch = 0;
	return &scratch;
}

static uint16_t phy_read(uint8_t mmd, uint16_t reg)
{
	if (mmd == MDIO_MMD_PMAPMD && reg == MDIO_PHY_ID1)
		return 0x0154;
	if (mmd == MDIO_MMD_PMAPMD && reg == MDIO_PHY_ID2)
		return F.id2;
	if (mmd == MDIO_MMD_PMAPMD && reg == MDIO_PMA_SPEED)
		return F.speed;
	if (mmd == MDIO_MMD_AN && reg == MDIO_AN_STAT1)
		return F.negotiated && powered() && F.partner ? MDIO_AN_STAT1_COMPLETE | MDIO_AN_STAT1_LINK : 0;
	return *phy_reg(mmd, reg);
}

static void phy_write(uint8_t mmd, uint16_t reg, uint16_t val)
{
	if (mmd == MDIO_MMD_VEND1 && reg == MDIO_VEND1_CTRL1) {
		if (F.power_stuck)
			val |= MDIO_VEND1_LOW_POWER;
		if (val & MDIO_VEND1_LOW_POWER)
			F.negotiated = false;
		F.vend1_ctrl1 = val;
		return;
	}
	if (mmd == MDIO_MMD_AN && reg == MDIO_AN_CTRL1 && (val & MDIO_AN_CTRL1_RESTART)) {
		F.an_restarts++;
		if (!powered())
			F.restarts_while_off++;
		F.negotiated = powered();
		val &= (uint16_t)~MDIO_AN_CTRL1_RESTART;  /* self-clearing */
	}
	*phy_reg(mmd, reg) = val;
}

static void mdio_cmd(uint32_t cmd)
{
	uint8_t mmd = (cmd >> IXGBE_MSCA_MMD_SHIFT) & 0x1F, addr = (cmd >> IXGBE_MSCA_PHY_SHIFT) & 0x1F;
	uint16_t reg = cmd & 0xFFFF;
	uint32_t op = cmd & (3u << 26);
	bool here = F.present && addr == F.addr;

	F.mdio_frames++;
	if (!(F.swfw & phy_sem()))
		F.mdio_unlocked++;
	if (op == IXGBE_MSCA_OP_ADDR) {
		if (here)
			F.latched[mmd] = reg;
	} else if (op == IXGBE_MSCA_OP_WRITE) {
		if (here)
			phy_write(mmd, F.latched[mmd], (uint16_t)F.msrwd);
	} else if (op == IXGBE_MSCA_OP_READ) {
		uint16_t v = here ? phy_read(mmd, F.latched[mmd]) : 0xFFFF;  /* pull-up: nobody drives */
		F.msrwd = (F.msrwd & 0xFFFF) | (uint32_t)v << 16;
	}
}

/* The MAC's link follows the PHY: 10G when both ends advertise it. */
static uint32_t links(void)
{
	if (!(F.negotiated && powered() && F.partner))
		return 0;
	if ((F.an_10gbt & MDIO_AN_10GBT_ADV10G) && (F.speed & MDIO_PMA_SPEED_10G))
		return IXGBE_LINKS_UP | IXGBE_LINKS_SPEED_10G;
	if (F.prov1 & MDIO_AN_VEND_PROV1_1G)
		return IXGBE_LINKS_UP | IXGBE_LINKS_SPEED_1G;
	return IXGBE_LINKS_UP | IXGBE_LINKS_SPEED_100M;
}

uint32_t __wrap_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg)
{
	if (!F.on)
		return __real_ixy_sim_reg_read(sim, reg);
	switch (reg) {
	case IXGBE_SWSM: {
		uint32_t v = F.swsm;
		F.swsm |= IXGBE_SWSM_SMBI;  /* the read that finds it clear takes it */
		return v;
	}
	case IXGBE_SW_FW_SYNC: {
		if (F.fw_phy_reads) {
			F.fw_phy_reads--;
			F.swfw |= phy_sem() << IXGBE_SWFW_FW_SHIFT;
		} else {
			F.swfw &= ~(phy_sem() << IXGBE_SWFW_FW_SHIFT);
		}
		uint32_t v = F.swfw;
		F.swfw |= REGSMP;  /* the same for REGSMP */
		return v;
	}
	case IXGBE_MSCA:
		return 0;  /* every frame is done at once */
	case IXGBE_MSRWD:
		return F.msrwd;
	case IXGBE_LINKS:
		return links();
	case IXGBE_STATUS:
		return (__real_ixy_sim_reg_read(sim, reg) & ~IXGBE_STATUS_LAN_ID_MASK) |
		       (uint32_t)F.lan_id << IXGBE_STATUS_LAN_ID_SHIFT;
	case IXGBE_MMNGC:
		return F.veto ? IXGBE_MMNGC_MNG_VETO : 0;
	case IXGBE_FWSM:
		return F.mng ? IXGBE_FWSM_MODE_PT : 0;
	}
	return __real_ixy_sim_reg_read(sim, reg);
}

void __wrap_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val)
{
	if (!F.on) {
		__real_ixy_sim_reg_write(sim, reg, val);
		return;
	}
	switch (reg) {
	case IXGBE_SWSM:
		F.swsm = val & IXGBE_SWSM_SMBI;
		return;
	case IXGBE_SW_FW_SYNC:
		if (!(F.swsm & IXGBE_SWSM_SMBI) || !(F.swfw & REGSMP))
			F.sem_violations++;
		if (!(F.swfw & phy_sem()) && (val & phy_sem()) && (F.swfw & phy_sem() << IXGBE_SWFW_FW_SHIFT))
			F.taken_over++;
		for (unsigned b = 0; b < 5; b++) {
			if (!(F.swfw & BIT(b)) && (val & BIT(b)))
				F.takes[b]++;
			if ((F.swfw & BIT(b)) && !(val & BIT(b)))
				F.gives[b]++;
		}
		/* the firmware's bits are the firmware's */
		F.swfw = (val & ~(0x1Fu << IXGBE_SWFW_FW_SHIFT)) | (F.swfw & (0x1Fu << IXGBE_SWFW_FW_SHIFT));
		return;
	case IXGBE_MSCA:
		if (val & IXGBE_MSCA_MDI_CMD)
			mdio_cmd(val);
		return;
	case IXGBE_MSRWD:
		F.msrwd = (F.msrwd & 0xFFFF0000u) | (val & 0xFFFF);
		return;
	case IXGBE_MMNGC:
	case IXGBE_FWSM:
		return;
	case IXGBE_CTRL:
		if (val & IXGBE_CTRL_RST) {
			F.rst++;
			if (!(F.swfw & phy_sem()))
				F.rst_unguarded++;
		}
		break;  /* the PHY survives the MAC's reset */
	}
	__real_ixy_sim_reg_write(sim, reg, val);
}

/* An X540 (or X550) whose PHY Linux left powered down, a partner on the
 * cable, advertisement registers as an NVM might leave them. */
static void fake_init(bool x550)
{
	memset(&F, 0, sizeof(F));
	F.on = true;
	F.present = true;
	F.id2 = x550 ? 0x0223 : 0x0201;
	F.speed = MDIO_PMA_SPEED_10G | MDIO_PMA_SPEED_1G | MDIO_PMA_SPEED_100M;
	F.vend1_ctrl1 = MDIO_VEND1_LOW_POWER;
	F.an_adv = 0x0181;          /* 100 full and half, selector */
	F.an_10gbt = 0;             /* 10G not advertised */
	F.prov1 = x550 ? MDIO_AN_VEND_PROV1_2G5 | MDIO_AN_VEND_PROV1_5G : 0;
	F.partner = true;
}

/* ---- helpers ---- */

static struct ixy_sim *new_sim(const char *name, uint16_t device_id)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id,
				     .mac = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x57 } };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_config small_cfg(void)
{
	struct ixy_config c = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				.link_timeout_ms = 2000 };
	return c;
}

static void assert_clean(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(F.sem_violations, 0);
	assert_int_equal(F.mdio_unlocked, 0);
	assert_int_equal(F.rst_unguarded, 0);
	assert_int_equal(F.swsm, 0);
	assert_int_equal(F.swfw & (REGSMP | 0x1Fu), 0);
	for (unsigned b = 0; b < 5; b++)
		assert_int_equal(F.takes[b], F.gives[b]);
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

/* ---- tests ---- */

/* The bug of the issue: a PHY Linux powered down. The driver powers it
 * up, advertises 10G/1G/100M-full, restarts AN once (after the power-up),
 * links at 10G; the reset was under the PHY semaphore; the packet buffers
 * read back as written; at close the PHY goes back to low power. */
static void test_x540_powered_down_phy_links(void **state)
{
	(void)state;
	fake_init(false);
	struct ixy_sim *sim = new_sim("phy-x540", 0x1528);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);

	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_true(d->phy_found);
	assert_int_equal(d->phy_addr, 0);
	assert_int_equal(d->phy_id, IXGBE_PHY_ID_X540);
	assert_true(d->phy_was_off);
	assert_true(powered());
	assert_int_equal(F.an_restarts, 1);
	assert_int_equal(F.restarts_while_off, 0);
	assert_int_equal(F.an_10gbt & MDIO_AN_10GBT_ADV10G, MDIO_AN_10GBT_ADV10G);
	assert_int_equal(F.prov1 & MDIO_AN_VEND_PROV1_1G, MDIO_AN_VEND_PROV1_1G);
	assert_int_equal(F.an_adv & (MDIO_AN_ADV_100FULL | MDIO_AN_ADV_100HALF), MDIO_AN_ADV_100FULL);
	assert_int_equal(F.an_adv & 0x1F, 1);  /* the selector is left alone */
	assert_int_equal(F.rst, 1);
	/* what the model holds for the packet buffers */
	assert_int_equal(__real_ixy_sim_reg_read(sim, IXGBE_RXPBSIZE(0)), 384u << 10);
	assert_int_equal(__real_ixy_sim_reg_read(sim, IXGBE_TXPBSIZE(0)), 160u << 10);
	assert_int_equal(__real_ixy_sim_reg_read(sim, IXGBE_TXPBTHRESH(0)), 150u);
	for (unsigned i = 1; i < IXGBE_NUM_PB; i++)
		assert_int_equal(__real_ixy_sim_reg_read(sim, IXGBE_RXPBSIZE(i)), 0);
	/* one PHY semaphore for the reset, one for the set-up */
	assert_int_equal(F.takes[1], 2);
	assert_clean(sim);
	ixy_close(dev);
	assert_false(powered());  /* as Linux with its interface down */
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* X550: the same, and the NBASE-T advertisement (2.5G/5G) an NVM left on
 * is cleared, as Linux's default; port 1 uses the PHY1 semaphore; a PHY at
 * another MDIO address is found by the scan. */
static void test_x550_port1(void **state)
{
	(void)state;
	fake_init(true);
	F.lan_id = 1;
	F.addr = 5;
	struct ixy_sim *sim = new_sim("phy-x550", 0x1563);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);

	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_int_equal(d->phy_addr, 5);
	assert_int_equal(d->phy_id, IXGBE_PHY_ID_X550);
	assert_int_equal(F.prov1, MDIO_AN_VEND_PROV1_1G);
	assert_int_equal(F.takes[1], 0);
	assert_int_equal(F.takes[2], 2);
	assert_int_equal(__real_ixy_sim_reg_read(sim, IXGBE_RXPBSIZE(0)), 384u << 10);
	assert_clean(sim);
	ixy_close(dev);
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* A PHY that can only 1G: only 1G is advertised, the link is 1G. */
static void test_speeds_follow_ability(void **state)
{
	(void)state;
	fake_init(false);
	F.speed = MDIO_PMA_SPEED_1G;
	F.an_10gbt = MDIO_AN_10GBT_ADV10G;  /* left on by someone: must go */
	struct ixy_sim *sim = new_sim("phy-1g", 0x1560);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(ixy_get_link_speed(dev), 1000);
	assert_int_equal(F.an_10gbt & MDIO_AN_10GBT_ADV10G, 0);
	assert_int_equal(F.an_adv & (MDIO_AN_ADV_100FULL | MDIO_AN_ADV_100HALF), 0);
	ixy_close(dev);
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* MNG_VETO: the PHY is powered up (Linux does that under the veto too)
 * but AN is not restarted, and at close it is not powered down. A BMC
 * (FWSM pass-through) also keeps it up at close. */
static void test_mng_veto_and_bmc(void **state)
{
	(void)state;
	fake_init(false);
	F.veto = true;
	F.vend1_ctrl1 = 0;
	F.an_10gbt = MDIO_AN_10GBT_ADV10G;
	F.negotiated = true;  /* the firmware's link */
	struct ixy_sim *sim = new_sim("phy-veto", 0x1528);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_int_equal(F.an_restarts, 0);
	ixy_close(dev);
	assert_true(powered());
	assert_clean(sim);
	ixy_sim_destroy(sim);

	fake_init(false);
	F.mng = true;
	sim = new_sim("phy-bmc", 0x1528);
	dev = open_ok(sim, &cfg);
	assert_int_equal(F.an_restarts, 1);
	ixy_close(dev);
	assert_true(powered());
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* The firmware holds the PHY semaphore for a while: the driver waits for
 * it and never writes MDIO or CTRL.RST without it. */
static void test_firmware_holds_phy_semaphore(void **state)
{
	(void)state;
	fake_init(false);
	F.fw_phy_reads = 20;
	struct ixy_sim *sim = new_sim("phy-fw", 0x1528);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_int_equal(F.fw_phy_reads, 0);
	ixy_close(dev);
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* A firmware that never gives the PHY bit back: after 1 s the X540 rule
 * (Linux's) takes the resource next to the firmware's bit, for the reset
 * and for the set-up, instead of failing the open. */
static void test_firmware_never_releases(void **state)
{
	(void)state;
	fake_init(false);
	F.fw_phy_reads = 0xFFFFFFFFu;
	struct ixy_sim *sim = new_sim("phy-fw-hung", 0x1528);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_int_equal(F.taken_over, 2);
	ixy_close(dev);
	assert_int_equal(F.taken_over, 3);  /* the power-down at close */
	assert_false(powered());
	F.fw_phy_reads = 0;
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* No link: the message says what the PHY shows, not "cable?". */
static void test_timeout_says_what_was_seen(void **state)
{
	(void)state;
	struct ixy_config cfg = small_cfg();
	cfg.link_timeout_ms = 200;

	fake_init(false);
	F.partner = false;
	struct ixy_sim *sim = new_sim("phy-nolink", 0x1528);
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	assert_non_null(strstr(ixy_last_error(), "powered up (was powered down at open"));
	assert_non_null(strstr(ixy_last_error(), "auto-negotiation not complete"));
	assert_non_null(strstr(ixy_last_error(), "advertised at open: 10G 1G 100M"));
	assert_null(strstr(ixy_last_error(), "cable, transceiver or link partner?"));
	assert_clean(sim);
	ixy_sim_destroy(sim);

	/* something keeps the PHY in low power */
	fake_init(false);
	F.power_stuck = true;
	sim = new_sim("phy-stuck", 0x1528);
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_non_null(strstr(ixy_last_error(), "in low-power mode"));
	assert_non_null(strstr(ixy_last_error(), "a powered-down PHY cannot link"));
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* Nothing on MDIO: refused at once, with a reason, not after a timeout. */
static void test_no_phy(void **state)
{
	(void)state;
	fake_init(false);
	F.present = false;
	struct ixy_sim *sim = new_sim("phy-none", 0x1528);
	struct ixy_config cfg = small_cfg();
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -ENODEV);
	assert_non_null(strstr(ixy_last_error(), "no PHY answers on MDIO at any of the 32 addresses"));
	assert_int_equal(F.mdio_frames, 64);  /* address + read at each */
	assert_clean(sim);
	ixy_sim_destroy(sim);
}

/* The ids this driver refuses, each with a reason that names the board. */
static void test_refused_ids(void **state)
{
	(void)state;
	static const uint16_t gone[] = { 0x15AA, 0x15AB, 0x15AC, 0x15AD, 0x15AE, 0x15B0, 0x15C2, 0x15C3,
					 0x15C4, 0x15C6, 0x15C7, 0x15C8, 0x15CE, 0x15E4, 0x15E5 };
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		assert_null(ixgbe_lookup(gone[i]));
		assert_non_null(strstr(ixgbe_refusal(gone[i]), "no link programming for X550EM boards yet"));
	}
	assert_null(ixgbe_lookup(0x151C));
	assert_non_null(strstr(ixgbe_refusal(0x151C), "T3 LOM"));
	assert_null(ixgbe_lookup(0x155C));
	assert_null(ixgbe_lookup(0x155D));
	assert_non_null(strstr(ixgbe_refusal(0x155D), "bypass"));
	assert_null(ixgbe_refusal(0x1528));
	assert_null(ixgbe_refusal(0x15A8));  /* an X550EM VF: not ours, not "refused" */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x540_powered_down_phy_links),
		cmocka_unit_test(test_x550_port1),
		cmocka_unit_test(test_speeds_follow_ability),
		cmocka_unit_test(test_mng_veto_and_bmc),
		cmocka_unit_test(test_firmware_holds_phy_semaphore),
		cmocka_unit_test(test_firmware_never_releases),
		cmocka_unit_test(test_timeout_says_what_was_seen),
		cmocka_unit_test(test_no_phy),
		cmocka_unit_test(test_refused_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
