/* Link set-up (82599 datasheet 4.6.4) and link status (LINKS, 8.2.3.22.20). */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

/* The Linux driver turns the SFP+ laser off (ESDP.SDP3 = 1) while its
 * interface is down, and a software reset does not turn it back on: a port
 * taken over from the kernel driver would never see a link. Linux and DPDK
 * clear SDP3 before bringing the link up on 82599 SFP+ boards; the module
 * needs up to 100 ms to light up. QSFP boards do not wire SDP3 that way. */
static void laser_on(struct ixgbe_dev *d)
{
	uint32_t esdp;

	if (d->id->device_id == 0x1558)  /* 82599 QSFP+ */
		return;
	esdp = ixgbe_read(d, IXGBE_ESDP);
	if (!(esdp & IXGBE_ESDP_SDP3))
		return;
	ixgbe_write(d, IXGBE_ESDP, esdp & ~IXGBE_ESDP_SDP3);
	ixgbe_delay_us(d, 100000);
}

int ixgbe_link_setup(struct ixgbe_dev *d)
{
	uint32_t autoc, autoc2;

	if (d->id->mac == IXGBE_MAC_82599) {
		/* Like Linux after every 82599 reset: clear the AUTOC2 link
		 * disable bits that power management may have left set. */
		autoc2 = ixgbe_read(d, IXGBE_AUTOC2);
		if (autoc2 & IXGBE_AUTOC2_LINK_DISABLE_MASK)
			ixgbe_write(d, IXGBE_AUTOC2, autoc2 & ~IXGBE_AUTOC2_LINK_DISABLE_MASK);
	}
	switch (d->id->media) {
	case IXGBE_MEDIA_SFP:
		laser_on(d);
		/* 4.6.4.2: SFI needs the 10 Gb/s serial link mode with the SFI
		 * PMA/PMD selected in AUTOC2; then restart auto-negotiation so
		 * the MAC takes the new mode. The EEPROM of an SFP+ board
		 * normally loads exactly these values already.
		 * Not done (as in ixy): Linux takes the SW/FW semaphore
		 * (SW_FW_SYNC.SW_MAC_CSR_SM) around AUTOC writes when the
		 * manageability firmware runs the link (LESM), and toggles
		 * AUTOC.LMS bit 2 to reset the pipeline. On a board whose
		 * firmware runs the link, these writes could race it. */
		ixgbe_write(d, IXGBE_AUTOC2, (ixgbe_read(d, IXGBE_AUTOC2) & ~IXGBE_AUTOC2_10G_SERIAL_PMA_PMD_MASK) |
						     IXGBE_AUTOC2_10G_SFI);
		autoc = (ixgbe_read(d, IXGBE_AUTOC) & ~IXGBE_AUTOC_LMS_MASK) | IXGBE_AUTOC_LMS_10G_SERIAL;
		ixgbe_write(d, IXGBE_AUTOC, autoc | IXGBE_AUTOC_AN_RESTART);
		break;
	case IXGBE_MEDIA_BACKPLANE:
		/* KR/KX4/KX/CX4: the link mode the board needs is what its
		 * EEPROM loaded into AUTOC; overriding it would break other
		 * boards. Only restart auto-negotiation (4.6.4.1). */
		ixgbe_set_bits(d, IXGBE_AUTOC, IXGBE_AUTOC_AN_RESTART);
		break;
	case IXGBE_MEDIA_COPPER:
	case IXGBE_MEDIA_FIRMWARE:
		/* X540/X550: the internal 10GBASE-T PHY auto-negotiates with
		 * its NVM defaults after power-up; X550EM: the firmware and
		 * the NVM configure the link. Nothing is written here.
		 * Known gap: Linux powers the copper PHY down (MDIO, under the
		 * SW/FW PHY semaphore) when its interface is down, and neither
		 * CTRL.RST nor this driver powers it up again; such a port
		 * needs a reboot or the kernel driver once (ip link set up). */
		break;
	}
	return d->gone ? ixy_error(-ENODEV, "%s: device gone during link set-up (registers read all ones)",
				   d->ixy.name)
		       : 0;
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
		/* 00b is reserved on the 82599/X540; only the X550EM_a 1GBASE-T
		 * ports use it for 10 Mb/s (as Linux reads it) */
		link->speed_mbps = d->id->device_id == 0x15E4 || d->id->device_id == 0x15E5 ? 10 : 0;
		break;
	}
	return 0;
}
