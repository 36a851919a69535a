/* Link set-up (82599 datasheet 4.6.4) and link status (LINKS, 8.2.3.22).
 *
 * 82599 SFP+ boards: identify the module over I2C (ixgbe_sfp.c), write the
 * board's EEPROM init sequence for it, choose the link mode (10G SFI, or
 * 1G for 1G modules) and rate select, restart the MAC pipeline, turn the
 * laser on. 82599 backplane boards (KX4/KX/KR, CX4, XAUI): the link mode is
 * the EEPROM's AUTOC; advertise what the board can, restart the pipeline;
 * no SFP access at all. Like Linux: AUTOC is written only without the
 * manageability firmware's MNG_VETO, and under the MAC_CSR semaphore when
 * the firmware runs the link (LESM). */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define AN_STATE_POLLS    10u
#define AN_STATE_POLL_US  4000u   /* Linux: 10 x 4-8 ms */
#define LASER_ON_US       100000u /* the module needs up to 100 ms to light up */

/* The Linux driver turns the SFP+ laser off (ESDP.SDP3 = 1) while its
 * interface is down, and a software reset does not turn it back on: a port
 * taken over from the kernel driver would never see a link. Linux and DPDK
 * clear SDP3 before bringing the link up on 82599 SFP+ boards. QSFP boards
 * do not wire SDP3 that way. */
static void laser_on(struct ixgbe_dev *d)
{
	uint32_t esdp;

	if (d->id->device_id == 0x1558)  /* 82599 QSFP+ */
		return;
	esdp = ixgbe_read(d, IXGBE_ESDP);
	if (!(esdp & IXGBE_ESDP_SDP3))
		return;
	ixgbe_write(d, IXGBE_ESDP, esdp & ~IXGBE_ESDP_SDP3);
	ixgbe_delay_us(d, LASER_ON_US);
}

/* Is a BMC using this port through the manageability firmware? Then its
 * laser must stay on even while no driver runs the port (Linux's test:
 * pass-through firmware mode, TCO receive on, firmware clock running). */
static bool mng_enabled(struct ixgbe_dev *d)
{
	return (ixgbe_read(d, IXGBE_FWSM) & IXGBE_FWSM_MODE_MASK) == IXGBE_FWSM_MODE_PT &&
	       (ixgbe_read(d, IXGBE_MANC) & IXGBE_MANC_RCV_TCO_EN) &&
	       !(ixgbe_read(d, IXGBE_FACTPS) & IXGBE_FACTPS_MNGCG);
}

static bool mng_veto(struct ixgbe_dev *d);

/* At close, as Linux when its interface goes down: the laser off, so the
 * link partner sees the port gone; not while a BMC uses the port or the
 * firmware vetoes link changes. The module needs 100 us to go dark. */
void ixgbe_laser_off(struct ixgbe_dev *d)
{
	if (d->id->mac != IXGBE_MAC_82599 || d->sfp.kind == IXGBE_SFP_NONE || mng_veto(d) || mng_enabled(d))
		return;
	ixgbe_set_bits(d, IXGBE_ESDP, IXGBE_ESDP_SDP3);
	ixgbe_delay_us(d, 100);
}

/* Dual-rate optics: SDP5 (an output) drives the module's rate select
 * lines, 1 = 10 Gb/s. */
static void rate_select(struct ixgbe_dev *d, uint32_t mbps)
{
	uint32_t esdp = ixgbe_read(d, IXGBE_ESDP) | IXGBE_ESDP_SDP5_DIR;
	esdp = mbps == 10000 ? esdp | IXGBE_ESDP_SDP5 : esdp & ~IXGBE_ESDP_SDP5;
	ixgbe_write(d, IXGBE_ESDP, esdp);
}

static bool mng_veto(struct ixgbe_dev *d)
{
	return ixgbe_read(d, IXGBE_MMNGC) & IXGBE_MMNGC_MNG_VETO;
}

/* 82599 "pipeline reset": a restart of auto-negotiation with LMS bit 2
 * flipped, held until the AN state machine has left state 0, then the real
 * LMS again with another restart. A plain AN restart does not reset the
 * whole PCS/PMA pipeline after a link mode or init-sequence change. The
 * caller holds MAC_CSR when the firmware shares AUTOC. */
static void reset_pipeline(struct ixgbe_dev *d)
{
	uint32_t autoc2 = ixgbe_read(d, IXGBE_AUTOC2);
	if (autoc2 & IXGBE_AUTOC2_LINK_DISABLE_MASK)
		ixgbe_write(d, IXGBE_AUTOC2, autoc2 & ~IXGBE_AUTOC2_LINK_DISABLE_MASK);

	uint32_t autoc = ixgbe_read(d, IXGBE_AUTOC) | IXGBE_AUTOC_AN_RESTART;
	ixgbe_write(d, IXGBE_AUTOC, autoc ^ IXGBE_AUTOC_LMS_BIT2);
	for (uint32_t i = 0; i < AN_STATE_POLLS; i++) {
		ixgbe_delay_us(d, AN_STATE_POLL_US);
		if (ixgbe_read(d, IXGBE_ANLP1) & IXGBE_ANLP1_AN_STATE_MASK)
			break;
	}
	/* Not fatal if the state never moved (Linux only logs it): the
	 * link wait that follows tells whether the link came. */
	ixgbe_write(d, IXGBE_AUTOC, autoc);
}

int ixgbe_autoc_write(struct ixgbe_dev *d, uint32_t autoc)
{
	int rc;

	/* the manageability firmware keeps the link: leave it alone */
	if (mng_veto(d))
		return 0;
	if (d->lesm && (rc = ixgbe_swfw_acquire(d, IXGBE_SWFW_MAC_CSR, "writing AUTOC")))
		return rc;
	ixgbe_write(d, IXGBE_AUTOC, autoc);
	reset_pipeline(d);
	if (d->lesm)
		ixgbe_swfw_release(d, IXGBE_SWFW_MAC_CSR);
	return 0;
}

/* Does the firmware run the link (LESM)? The firmware module (word 0x0F)
 * points to its LESM parameters, whose state word says so. Any read
 * problem means no, as for Linux. */
static bool lesm_enabled(struct ixgbe_dev *d)
{
	uint16_t fw, param, state;

	if (ixgbe_eeprom_read(d, IXGBE_EE_FW_PTR, &fw) || fw == 0 || fw == 0xFFFF ||
	    ixgbe_eeprom_read(d, fw + IXGBE_EE_FW_LESM_PARAM_PTR, &param) || param == 0 || param == 0xFFFF ||
	    ixgbe_eeprom_read(d, param + IXGBE_EE_FW_LESM_STATE_1, &state)) {
		ixy_clear_error();
		return false;
	}
	return state & IXGBE_EE_FW_LESM_ENABLED;
}

/* The boards whose SFP+ cage sits on I2CCTL's bus and that Linux treats
 * as SFP+ fiber: their module is identified. The QSFP+ board (0x1558)
 * reaches its module through an I2C mux on SDP0/1 and the LS board
 * (0x154F) has a fixed optical link: those keep the plain SFI set-up
 * below. */
static bool sfp_cage(const struct ixgbe_dev *d)
{
	switch (d->id->device_id) {
	case 0x10FB: case 0x1529: case 0x1507: case 0x154D: case 0x154A: case 0x1557:
		return true;
	}
	return false;
}

static int sfp_link(struct ixgbe_dev *d)
{
	int rc;

	if (sfp_cage(d)) {
		if ((rc = ixgbe_sfp_identify(d)) || (rc = ixgbe_sfp_init_sequence(d)))
			return rc;
	} else {
		d->sfp.speed_mbps = 10000;
	}
	/* 4.6.4.2: SFI is the 10G serial link mode with the SFI PMA/PMD in
	 * AUTOC2; the EEPROM of an SFP+ board normally loads it already. */
	uint32_t autoc2 = ixgbe_read(d, IXGBE_AUTOC2);
	if ((autoc2 & IXGBE_AUTOC2_10G_SERIAL_PMA_PMD_MASK) != IXGBE_AUTOC2_10G_SFI)
		ixgbe_write(d, IXGBE_AUTOC2, (autoc2 & ~IXGBE_AUTOC2_10G_SERIAL_PMA_PMD_MASK) | IXGBE_AUTOC2_10G_SFI);
	if (d->sfp.dual_rate)
		rate_select(d, d->sfp.speed_mbps);
	/* 10G: serial link mode; 1G modules: 1G with clause 37 AN over the
	 * SFI PMA/PMD (AUTOC 1G_PMA_PMD = 0), as Linux sets them */
	uint32_t autoc = d->orig_autoc & ~(IXGBE_AUTOC_LMS_MASK | IXGBE_AUTOC_AN_RESTART);
	if (d->sfp.speed_mbps == 10000)
		autoc |= IXGBE_AUTOC_LMS_10G_SERIAL;
	else
		autoc = (autoc & ~IXGBE_AUTOC_1G_PMA_PMD) | IXGBE_AUTOC_LMS_1G_AN;
	if ((rc = ixgbe_autoc_write(d, autoc)))
		return rc;
	laser_on(d);
	return 0;
}

static int backplane_link(struct ixgbe_dev *d)
{
	uint32_t autoc = d->orig_autoc & ~IXGBE_AUTOC_AN_RESTART;
	uint32_t lms = autoc & IXGBE_AUTOC_LMS_MASK;

	/* Clause 73 modes: advertise 1000BASE-KX, and KX4/KR where the
	 * board's EEPROM does (the traces to the backplane decide which). The
	 * other modes (10G parallel for XAUI/CX4, 1G fixed) keep the EEPROM's
	 * AUTOC as it is. */
	if (lms == IXGBE_AUTOC_LMS_KX4_KX_KR || lms == IXGBE_AUTOC_LMS_KX4_KX_KR_1G_AN ||
	    lms == IXGBE_AUTOC_LMS_KX4_KX_KR_SGMII) {
		autoc &= ~(IXGBE_AUTOC_KX4_SUPP | IXGBE_AUTOC_KX_SUPP | IXGBE_AUTOC_KR_SUPP);
		autoc |= (d->orig_autoc & (IXGBE_AUTOC_KX4_SUPP | IXGBE_AUTOC_KR_SUPP)) | IXGBE_AUTOC_KX_SUPP;
	}
	return ixgbe_autoc_write(d, autoc);
}

int ixgbe_link_setup(struct ixgbe_dev *d)
{
	int rc = 0;

	if (d->id->mac == IXGBE_MAC_82599) {
		/* Like Linux after every 82599 reset: clear the AUTOC2 link
		 * disable bits that power management may have left set. */
		uint32_t autoc2 = ixgbe_read(d, IXGBE_AUTOC2);
		if (autoc2 & IXGBE_AUTOC2_LINK_DISABLE_MASK)
			ixgbe_write(d, IXGBE_AUTOC2, autoc2 & ~IXGBE_AUTOC2_LINK_DISABLE_MASK);
		/* after the reset AUTOC holds what the EEPROM loaded */
		d->orig_autoc = ixgbe_read(d, IXGBE_AUTOC);
		d->lesm = lesm_enabled(d);
	}
	switch (d->id->media) {
	case IXGBE_MEDIA_SFP:
		rc = sfp_link(d);
		break;
	case IXGBE_MEDIA_BACKPLANE:
		rc = backplane_link(d);
		break;
	case IXGBE_MEDIA_COPPER:
		/* X540/X550: wake the internal PHY (Linux leaves it powered
		 * down while its interface is down) and let it negotiate */
		rc = ixgbe_phy_link_setup(d);
		break;
	}
	if (rc)
		return rc;
	return d->gone ? ixy_error(-ENODEV, "%s: device gone during link set-up (registers read all ones)",
				   d->ixy.name)
		       : 0;
}

/* 1G fallback of dual-rate optics, as Linux's multispeed set-up does when
 * 10G does not come: rate select 1G, 1G link mode, pipeline reset. */
int ixgbe_sfp_fallback_1g(struct ixgbe_dev *d)
{
	if (!d->sfp.dual_rate || d->sfp.speed_mbps != 10000)
		return -EOPNOTSUPP;
	d->sfp.speed_mbps = 1000;
	rate_select(d, 1000);
	uint32_t autoc = d->orig_autoc & ~(IXGBE_AUTOC_LMS_MASK | IXGBE_AUTOC_AN_RESTART | IXGBE_AUTOC_1G_PMA_PMD);
	return ixgbe_autoc_write(d, autoc | IXGBE_AUTOC_LMS_1G_AN);
}

/* What to tell the user when the link does not come. */
const char *ixgbe_link_hint(struct ixgbe_dev *d, char *buf, size_t len)
{
	if (d->id->mac == IXGBE_MAC_82599 && d->id->media == IXGBE_MEDIA_SFP && d->sfp.kind != IXGBE_SFP_NONE)
		snprintf(buf, len, "SFP+ module %s, vendor \"%s\", part \"%s\", set up for %u Mb/s: check the cable "
			 "and that the link partner runs that speed", ixgbe_sfp_kind_name(d->sfp.kind), d->sfp.vendor,
			 d->sfp.part, d->sfp.speed_mbps);
	else if (d->id->mac == IXGBE_MAC_82599 && d->id->media == IXGBE_MEDIA_BACKPLANE)
		snprintf(buf, len, "backplane link mode %u from the EEPROM (AUTOC = 0x%08x)%s: check the link partner "
			 "on the backplane", (d->orig_autoc & IXGBE_AUTOC_LMS_MASK) >> IXGBE_AUTOC_LMS_SHIFT,
			 d->orig_autoc, mng_veto(d) ? ", manageability firmware holds MNG_VETO" : "");
	else if (d->id->media == IXGBE_MEDIA_COPPER)
		ixgbe_phy_describe(d, buf, len);
	else
		snprintf(buf, len, "cable, transceiver or link partner?");
	return buf;
}

int ixgbe_get_link(struct ixy_device *dev, struct ixy_link *link)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	uint32_t links = ixgbe_read(d, IXGBE_LINKS);
	bool x550 = d->id->mac >= IXGBE_MAC_X550;

	if (d->gone)
		return ixy_error(-ENODEV, "%s: LINKS reads all ones: the device is gone", dev->name);
	link->up = links & IXGBE_LINKS_UP;
	link->speed_mbps = 0;
	if (!link->up)
		return 0;
	switch (links & IXGBE_LINKS_SPEED_MASK) {
	case IXGBE_LINKS_SPEED_10G:
		/* X550: the "non-standard" bit turns the 10G code into 2.5G */
		link->speed_mbps = x550 && (links & IXGBE_LINKS_SPEED_NON_STD) ? 2500 : 10000;
		break;
	case IXGBE_LINKS_SPEED_1G:
		link->speed_mbps = 1000;
		break;
	case IXGBE_LINKS_SPEED_100M:
		link->speed_mbps = x550 && (links & IXGBE_LINKS_SPEED_NON_STD) ? 5000 : 100;
		break;
	default:
		/* 00b: reserved on the 82599/X540/X550 (10 Mb/s only on the
		 * X550EM_a 1GBASE-T boards, which this driver does not take) */
		link->speed_mbps = 0;
		break;
	}
	return 0;
}
