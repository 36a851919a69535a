/* The virtual X540/X550: the internal 10GBASE-T PHY on the MDIO bus.
 *
 * A clause-45 PHY (IEEE 802.3 clause 45; register numbers as in Linux's
 * include/uapi/linux/mdio.h) at address 0 with the MMDs PMA/PMD (1), PCS
 * (3), PHY XS (4), auto-negotiation (7) and the two vendor MMDs (30, 31):
 *  - every present MMD answers STAT2 with "device present" (15:14 = 10b)
 *    and the devices-in-package words DEVS1/DEVS2, which is what a
 *    clause-45 scan (Linux's mdio45_probe) looks for, and the PHY id in
 *    DEVID1/DEVID2: 0x0154:0x0200 on the X540 (Linux's X540_PHY_ID, an
 *    "aq" PHY), 0x0154:0x0223 on the X550 (X550_PHY_ID2; Linux masks the
 *    revision nibble off before comparing, so it finds no id match there
 *    and takes the PHY as copper from PMA_EXTABLE's 10GBASE-T bit);
 *  - PMA/PMD SPEED: 10G, 1000M, 100M capable; PMA_EXTABLE: 10GBASE-T,
 *    1000BASE-T, 100BASE-TX;
 *  - the power-down bit: VEND1 register 0 (CTRL1) bit 11, which Linux's
 *    set_phy_power sets when the interface goes down (ixgbe_reset with the
 *    interface down, ixgbe_close) and clears when it comes up. While it is
 *    set there is no link. Clearing it starts auto-negotiation again.
 *  - auto-negotiation (AN MMD): CTRL1 bit 12 enable (default on), bit 9
 *    restart (self-clearing; the link drops and trains again);
 *    advertisement of 10GBASE-T in 10GBT_CTRL (32) bit 12, of 1000BASE-T
 *    in the vendor provisioning register 0xC400 bit 15, of 100BASE-TX full
 *    duplex in the base page ADVERTISE (16) bit 8 - where Linux's
 *    setup_phy_link writes them (0xC400 bits 10/11, 2.5G/5G on the X550,
 *    are stored and not negotiated). The partner at the other end of the
 *    wire can do all three: the link comes up at the best speed both
 *    advertise, after the port's link delay. STAT1 shows link (bit 2) and
 *    AN complete (bit 5); the vendor status 0xC800 bits 2:0 the result as
 *    Linux decodes it (7 10G, 5 1G, 3 100M full duplex); 10GBT_STAT (33)
 *    the partner's 10G ability.
 *  - CTRL1 bit 15 (reset) of PMA/PMD or PHY XS: back to the defaults
 *    (powered up, everything advertised), self-clearing, AN restarts.
 *  - VEND1 register 0x20: a firmware revision (Linux prints it).
 * Other registers in these MMDs keep what is written and read 0; MMDs the
 * PHY does not have read all ones (nothing answers).
 *
 * The PHY is its own device: CTRL.RST/LRST of the MAC do not reset it, so
 * a power-down survives a MAC reset (the reason a port Linux left down
 * has no link for a driver that does not power the PHY up). Power-on state:
 * powered up (a cold boot), or powered down with the port's phy_power=off
 * (the state Linux leaves an interface it took down).
 */
#include "model/sim_internal.h"

#define MMD_PMAPMD	1
#define MMD_PCS		3
#define MMD_PHYXS	4
#define MMD_AN		7
#define MMD_VEND1	30
#define MMD_VEND2	31
#define MMDS_PRESENT	(1u << MMD_PMAPMD | 1u << MMD_PCS | 1u << MMD_PHYXS | 1u << MMD_AN | \
			 1u << MMD_VEND1 | 1u << MMD_VEND2)

#define R_CTRL1		0
#define  CTRL1_RESET		0x8000u
#define  CTRL1_LPOWER		0x0800u	/* VEND1: global low power */
#define  AN_CTRL1_ENABLE	0x1000u
#define  AN_CTRL1_RESTART	0x0200u
#define R_STAT1		1
#define  STAT1_LSTATUS		0x0004u
#define  AN_STAT1_ABLE		0x0008u
#define  AN_STAT1_COMPLETE	0x0020u
#define R_DEVID1	2
#define R_DEVID2	3
#define R_SPEED		4
#define  SPEED_10G		0x0001u
#define  PMA_SPEED_1000		0x0010u
#define  PMA_SPEED_100		0x0020u
#define R_DEVS1		5
#define R_DEVS2		6
#define R_STAT2		8
#define  STAT2_PRESENT		0x8000u	/* 15:14 = 10b */
#define R_PMA_EXTABLE	11
#define  EXTABLE_10GBT		0x0004u
#define  EXTABLE_1000BT		0x0020u
#define  EXTABLE_100BTX		0x0080u
#define R_AN_ADVERTISE	16
#define  ADV_100FULL		0x0100u
#define  ADV_SELECTOR_8023	0x0001u
#define R_AN_10GBT_CTRL	32
#define  ADV_10G		0x1000u
#define R_AN_10GBT_STAT	33
#define  LP_10G			0x0800u
#define R_AN_PROV1	0xc400	/* vendor: 1G (and X550 2.5G/5G) advertisement */
#define  ADV_1G			0x8000u
#define R_AN_VSTAT	0xc800	/* vendor: the negotiated speed/duplex */
#define R_VEND1_FWREV	0x20

#define PHY_FW_REV	0x0102	/* the model's own number */

static uint32_t key(unsigned mmd, unsigned reg)
{
	return (uint32_t)mmd << 16 | reg | 1u << 31;	/* bit 31: never 0 */
}

static uint16_t get(const struct sim_phy *p, unsigned mmd, unsigned reg)
{
	uint32_t k = key(mmd, reg);
	for (unsigned i = 0; i < p->n; i++)
		if (p->key[i] == k)
			return p->val[i];
	return 0;
}

static void put(struct sim_phy *p, unsigned mmd, unsigned reg, uint16_t v)
{
	uint32_t k = key(mmd, reg);
	for (unsigned i = 0; i < p->n; i++)
		if (p->key[i] == k) {
			p->val[i] = v;
			return;
		}
	if (p->n < SIM_PHY_REGS) {	/* a full table drops the write: a register nobody reads */
		p->key[p->n] = k;
		p->val[p->n++] = v;
	}
}

static void defaults(struct sim_phy *p, bool lpower)
{
	p->n = 0;
	p->lpower = lpower;
	put(p, MMD_AN, R_CTRL1, AN_CTRL1_ENABLE);
	put(p, MMD_AN, R_AN_ADVERTISE, ADV_100FULL | ADV_SELECTOR_8023);
	put(p, MMD_AN, R_AN_10GBT_CTRL, ADV_10G);
	put(p, MMD_AN, R_AN_PROV1, ADV_1G);
}

void sim_phy_power_on(struct ixy_sim *sim)
{
	for (unsigned i = 0; i < 32; i++)
		sim->phy.addr[i] = 0;
	defaults(&sim->phy, sim->cfg.phy_power_off);
}

uint32_t sim_phy_speed(const struct ixy_sim *sim)
{
	const struct sim_phy *p = &sim->phy;
	if (p->lpower || !(get(p, MMD_AN, R_CTRL1) & AN_CTRL1_ENABLE))
		return 0;	/* forced speeds are not modelled: AN off, no link */
	if (get(p, MMD_AN, R_AN_10GBT_CTRL) & ADV_10G)
		return 3;
	if (get(p, MMD_AN, R_AN_PROV1) & ADV_1G)
		return 2;
	if (get(p, MMD_AN, R_AN_ADVERTISE) & ADV_100FULL)
		return 1;
	return 0;
}

bool sim_phy_read(struct ixy_sim *sim, unsigned mmd, unsigned reg, uint16_t *v, uint64_t now)
{
	const struct sim_phy *p = &sim->phy;
	if (mmd >= 32 || !(MMDS_PRESENT & 1u << mmd))
		return false;
	sim_link_update(sim, now);
	bool up = sim->link_up;
	switch (reg) {
	case R_DEVID1:
		*v = 0x0154;
		return true;
	case R_DEVID2:
		*v = sim->mac == SIM_MAC_X550 ? 0x0223 : 0x0200;
		return true;
	case R_DEVS1:
		*v = (uint16_t)(MMDS_PRESENT & 0xffff);
		return true;
	case R_DEVS2:
		*v = (uint16_t)(MMDS_PRESENT >> 16);
		return true;
	}
	if (mmd == MMD_VEND1 && reg == R_CTRL1) {
		*v = (uint16_t)((get(p, mmd, reg) & ~CTRL1_LPOWER) | (p->lpower ? CTRL1_LPOWER : 0));
		return true;
	}
	if (mmd == MMD_VEND1 && reg == R_VEND1_FWREV) {
		*v = PHY_FW_REV;
		return true;
	}
	if (mmd == MMD_PMAPMD || mmd == MMD_PCS || mmd == MMD_PHYXS) {
		switch (reg) {
		case R_STAT1:
			*v = up ? STAT1_LSTATUS : 0;
			return true;
		case R_STAT2:
			*v = STAT2_PRESENT;
			return true;
		}
	}
	if (mmd == MMD_PMAPMD && reg == R_SPEED) {
		*v = SPEED_10G | PMA_SPEED_1000 | PMA_SPEED_100;
		return true;
	}
	if (mmd == MMD_PMAPMD && reg == R_PMA_EXTABLE) {
		*v = EXTABLE_10GBT | EXTABLE_1000BT | EXTABLE_100BTX;
		return true;
	}
	if (mmd == MMD_AN) {
		static const uint16_t vstat[4] = { 0, 3, 5, 7 };	/* none, 100M, 1G, 10G full duplex */
		switch (reg) {
		case R_STAT1:
			*v = AN_STAT1_ABLE | (up ? STAT1_LSTATUS | AN_STAT1_COMPLETE : 0);
			return true;
		case R_AN_10GBT_STAT:
			*v = up ? LP_10G : 0;
			return true;
		case R_AN_VSTAT:
			*v = up ? vstat[sim_phy_speed(sim) & 3] : 0;
			return true;
		}
	}
	*v = get(p, mmd, reg);
	return true;
}

void sim_phy_write(struct ixy_sim *sim, unsigned mmd, unsigned reg, uint16_t v, uint64_t now)
{
	struct sim_phy *p = &sim->phy;
	if (mmd >= 32 || !(MMDS_PRESENT & 1u << mmd))
		return;		/* nobody there */
	if ((mmd == MMD_PMAPMD || mmd == MMD_PHYXS) && reg == R_CTRL1 && (v & CTRL1_RESET)) {
		defaults(p, false);	/* a PHY reset: registers to defaults, powered up */
		sim_link_restart(sim, now);
		return;
	}
	if (mmd == MMD_VEND1 && reg == R_CTRL1) {
		bool was = p->lpower;
		p->lpower = v & CTRL1_LPOWER;
		put(p, mmd, reg, (uint16_t)(v & ~CTRL1_LPOWER));
		if (was && !p->lpower)
			sim_link_restart(sim, now);	/* powered up: AN starts */
		sim_link_update(sim, now);		/* powered down: the link drops now */
		return;
	}
	if (mmd == MMD_AN && reg == R_CTRL1) {
		put(p, mmd, reg, (uint16_t)(v & ~AN_CTRL1_RESTART));
		if (v & AN_CTRL1_RESTART)
			sim_link_restart(sim, now);
		sim_link_update(sim, now);
		return;
	}
	/* read-only status and id registers keep their computed values */
	if (reg == R_STAT1 || reg == R_STAT2 || reg == R_DEVID1 || reg == R_DEVID2 || reg == R_DEVS1 ||
	    reg == R_DEVS2 || (mmd == MMD_AN && (reg == R_AN_10GBT_STAT || reg == R_AN_VSTAT)))
		return;
	put(p, mmd, reg, v);
}
