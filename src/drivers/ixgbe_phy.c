/* The internal 10GBASE-T PHY of the X540 and X550 (0x1563/0x15D1), reached
 * over the MAC's MDIO master (MSCA/MSRWD) with clause-45 frames.
 *
 * Why the driver must touch it at all: Linux's ixgbe puts this PHY into
 * low-power mode (VEND1 control 1, bit 11) whenever its interface is down,
 * and only powers it up again when the interface comes up. A global reset
 * (CTRL.RST) does not touch the PHY. A port handed over to libixy after
 * `ip link set down` therefore has a sleeping PHY: no link, ever, unless
 * the driver wakes it. So at open, as Linux's bring-up does: find the PHY,
 * power it up, advertise what it can of 10G/1G/100M (Linux leaves the
 * X550's 2.5G/5G out by default, and so do we), restart auto-negotiation,
 * all under the port's PHY semaphore, which the firmware shares. The link
 * itself is then read from LINKS like on every other board.
 *
 * Every MDIO frame waits at most 100 x 10 us for MDI_CMD to clear, as
 * Linux does. */
#include <errno.h>
#include <stdio.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define MDIO_POLLS   100u
#define MDIO_POLL_US 10u

/* One frame: write MSCA with MDI_CMD set and wait until the MAC has sent
 * it (MDI_CMD clear). */
static int mdio_frame(struct ixgbe_dev *d, uint32_t cmd, const char *what, uint8_t mmd, uint16_t reg)
{
	ixgbe_write(d, IXGBE_MSCA, cmd | IXGBE_MSCA_MDI_CMD);
	for (uint32_t i = 0; i < MDIO_POLLS; i++) {
		ixgbe_delay_us(d, MDIO_POLL_US);
		uint32_t v = ixgbe_read(d, IXGBE_MSCA);
		if (d->gone)
			return ixy_error(-ENODEV, "%s: MSCA reads all ones: the device is gone", d->ixy.name);
		if (!(v & IXGBE_MSCA_MDI_CMD))
			return 0;
	}
	return ixy_error(-EIO, "%s: MDIO %s of PHY register %u.0x%04x at address %u did not complete within %u us "
			 "(MSCA.MDI_CMD stays set): the MDIO interface is hung", d->ixy.name, what, mmd, reg,
			 d->phy_addr, MDIO_POLLS * MDIO_POLL_US);
}

static uint32_t mdio_cmd(const struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint32_t op)
{
	return (uint32_t)reg << IXGBE_MSCA_REG_SHIFT | (uint32_t)(mmd & 0x1F) << IXGBE_MSCA_MMD_SHIFT |
	       (uint32_t)(d->phy_addr & 0x1F) << IXGBE_MSCA_PHY_SHIFT | op | IXGBE_MSCA_ST_C45;
}

int ixgbe_mdio_read(struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint16_t *val)
{
	int rc;

	if ((rc = mdio_frame(d, mdio_cmd(d, mmd, reg, IXGBE_MSCA_OP_ADDR), "address cycle", mmd, reg)) ||
	    (rc = mdio_frame(d, mdio_cmd(d, mmd, reg, IXGBE_MSCA_OP_READ), "read", mmd, reg)))
		return rc;
	*val = (uint16_t)(ixgbe_read(d, IXGBE_MSRWD) >> IXGBE_MSRWD_READ_SHIFT);
	return 0;
}

int ixgbe_mdio_write(struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint16_t val)
{
	int rc;

	ixgbe_write(d, IXGBE_MSRWD, val);
	if ((rc = mdio_frame(d, mdio_cmd(d, mmd, reg, IXGBE_MSCA_OP_ADDR), "address cycle", mmd, reg)))
		return rc;
	return mdio_frame(d, mdio_cmd(d, mmd, reg, IXGBE_MSCA_OP_WRITE), "write", mmd, reg);
}

/* Read-modify-write: clear `clear`, then set `set`. */
static int mdio_update(struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint16_t clear, uint16_t set)
{
	uint16_t v;
	int rc = ixgbe_mdio_read(d, mmd, reg, &v);
	if (rc)
		return rc;
	return ixgbe_mdio_write(d, mmd, reg, (uint16_t)((v & ~clear) | set));
}

/* Scan the 32 addresses for a PHY, as Linux's identification does: the
 * first whose PMA/PMD identifier reads neither all ones (nothing drives
 * the bus) nor zero. */
static int phy_find(struct ixgbe_dev *d)
{
	uint16_t id1, id2;
	int rc;

	for (unsigned a = 0; a < IXGBE_MDIO_ADDRS; a++) {
		d->phy_addr = (uint8_t)a;
		if ((rc = ixgbe_mdio_read(d, MDIO_MMD_PMAPMD, MDIO_PHY_ID1, &id1)))
			return rc;
		if (id1 == 0xFFFF || id1 == 0)
			continue;
		if ((rc = ixgbe_mdio_read(d, MDIO_MMD_PMAPMD, MDIO_PHY_ID2, &id2)))
			return rc;
		d->phy_id = (uint32_t)id1 << 16 | (id2 & ~MDIO_PHY_ID2_REV_MASK);
		d->phy_found = true;
		return 0;
	}
	d->phy_addr = 0;
	return ixy_error(-ENODEV, "%s: no PHY answers on MDIO at any of the %u addresses (identifier 1.2 reads "
			 "0xFFFF or 0): this %s needs its internal copper PHY; the NVM or the board is broken",
			 d->ixy.name, IXGBE_MDIO_ADDRS, d->id->model);
}

static bool mng_veto(struct ixgbe_dev *d)
{
	return ixgbe_read(d, IXGBE_MMNGC) & IXGBE_MMNGC_MNG_VETO;
}

/* Power up, advertise, restart AN. The caller holds the PHY semaphore. */
static int phy_setup_locked(struct ixgbe_dev *d)
{
	uint16_t v, speeds;
	int rc;

	if (!d->phy_found && (rc = phy_find(d)))
		return rc;
	/* Power first: a PHY in low-power mode still answers MDIO, but
	 * neither negotiates nor links. Linux clears the bit without a
	 * wait, and its advertisement writes follow at once. */
	if ((rc = ixgbe_mdio_read(d, MDIO_MMD_VEND1, MDIO_VEND1_CTRL1, &v)))
		return rc;
	d->phy_was_off = v & MDIO_VEND1_LOW_POWER;
	if (d->phy_was_off &&
	    (rc = ixgbe_mdio_write(d, MDIO_MMD_VEND1, MDIO_VEND1_CTRL1, (uint16_t)(v & ~MDIO_VEND1_LOW_POWER))))
		return rc;

	/* What the PHY can do (1.4), then advertise exactly that of 10G,
	 * 1G (full duplex) and 100M (full duplex only), as Linux's default
	 * advertisement. The X550's 2.5G/5G stay off: Linux leaves them out
	 * by default because switches in the field choke on them. */
	if ((rc = ixgbe_mdio_read(d, MDIO_MMD_PMAPMD, MDIO_PMA_SPEED, &speeds)))
		return rc;
	d->phy_speeds = speeds;
	if ((rc = mdio_update(d, MDIO_MMD_AN, MDIO_AN_10GBT_CTRL, MDIO_AN_10GBT_ADV10G,
			      speeds & MDIO_PMA_SPEED_10G ? MDIO_AN_10GBT_ADV10G : 0)))
		return rc;
	uint16_t nbase_t = d->id->mac == IXGBE_MAC_X550 ? MDIO_AN_VEND_PROV1_2G5 | MDIO_AN_VEND_PROV1_5G : 0;
	if ((rc = mdio_update(d, MDIO_MMD_AN, MDIO_AN_VEND_PROV1, MDIO_AN_VEND_PROV1_1G | nbase_t,
			      speeds & MDIO_PMA_SPEED_1G ? MDIO_AN_VEND_PROV1_1G : 0)))
		return rc;
	if ((rc = mdio_update(d, MDIO_MMD_AN, MDIO_AN_ADV, MDIO_AN_ADV_100FULL | MDIO_AN_ADV_100HALF,
			      speeds & MDIO_PMA_SPEED_100M ? MDIO_AN_ADV_100FULL : 0)))
		return rc;

	/* The manageability firmware forbids link changes: the new
	 * advertisement waits for the next negotiation (as in Linux). */
	if (mng_veto(d))
		return 0;
	return mdio_update(d, MDIO_MMD_AN, MDIO_AN_CTRL1, 0, MDIO_AN_CTRL1_RESTART);
}

int ixgbe_phy_link_setup(struct ixgbe_dev *d)
{
	uint32_t sem = ixgbe_swfw_phy(d);
	int rc = ixgbe_swfw_acquire(d, sem, "copper PHY set-up");
	if (rc)
		return rc;
	rc = phy_setup_locked(d);
	ixgbe_swfw_release(d, sem);
	return rc;
}

void ixgbe_phy_power_down(struct ixgbe_dev *d)
{
	uint32_t sem = ixgbe_swfw_phy(d);

	/* Linux's conditions: not while the firmware shares the port with
	 * a BMC (FWSM pass-through mode), not under MNG_VETO. */
	if (!d->phy_found || (ixgbe_read(d, IXGBE_FWSM) & IXGBE_FWSM_MODE_MASK) == IXGBE_FWSM_MODE_PT ||
	    mng_veto(d))
		return;
	if (ixgbe_swfw_acquire(d, sem, "copper PHY power-down")) {
		ixy_clear_error();  /* closing anyway: the PHY just stays up */
		return;
	}
	if (mdio_update(d, MDIO_MMD_VEND1, MDIO_VEND1_CTRL1, 0, MDIO_VEND1_LOW_POWER))
		ixy_clear_error();
	ixgbe_swfw_release(d, sem);
}

void ixgbe_phy_describe(struct ixgbe_dev *d, char *buf, size_t len)
{
	uint32_t sem = ixgbe_swfw_phy(d);
	uint16_t ctrl = 0, an = 0;
	int rc;

	if (!d->phy_found) {
		snprintf(buf, len, "no copper PHY was found on MDIO");
		return;
	}
	if ((rc = ixgbe_swfw_acquire(d, sem, "reading the copper PHY state"))) {
		snprintf(buf, len, "copper PHY at MDIO address %u not readable: %s", d->phy_addr, ixy_last_error());
		ixy_clear_error();
		return;
	}
	rc = ixgbe_mdio_read(d, MDIO_MMD_VEND1, MDIO_VEND1_CTRL1, &ctrl);
	if (!rc)
		rc = ixgbe_mdio_read(d, MDIO_MMD_AN, MDIO_AN_STAT1, &an);
	ixgbe_swfw_release(d, sem);
	if (rc) {
		snprintf(buf, len, "copper PHY at MDIO address %u not readable: %s", d->phy_addr, ixy_last_error());
		ixy_clear_error();
		return;
	}
	bool veto = mng_veto(d), off = ctrl & MDIO_VEND1_LOW_POWER;
	const char *verdict = off ? ": a powered-down PHY cannot link; something (firmware, another driver) "
				    "powered it down again after the open"
			      : an & MDIO_AN_STAT1_COMPLETE ? ": the link partner answered, the MAC link did not come"
			      : ": no link partner negotiated: check the cable and the partner's port";
	snprintf(buf, len,
		 "copper PHY 0x%08x at MDIO address %u: %s%s; auto-negotiation %s, PHY link %s (AN status 7.1 = "
		 "0x%04x); advertised at open:%s%s%s; LINKS = 0x%08x%s%s",
		 d->phy_id, d->phy_addr,
		 off ? "in low-power mode (30.0 bit 11 set)" : "powered up",
		 d->phy_was_off ? " (was powered down at open, as Linux leaves a down interface)" : "",
		 an & MDIO_AN_STAT1_COMPLETE ? "complete" : "not complete", an & MDIO_AN_STAT1_LINK ? "up" : "down",
		 an, d->phy_speeds & MDIO_PMA_SPEED_10G ? " 10G" : "", d->phy_speeds & MDIO_PMA_SPEED_1G ? " 1G" : "",
		 d->phy_speeds & MDIO_PMA_SPEED_100M ? " 100M" : "", ixgbe_read(d, IXGBE_LINKS),
		 veto ? "; the manageability firmware holds MNG_VETO (no AN restart)" : "", verdict);
}
