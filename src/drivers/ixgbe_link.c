/* Link set-up (82599 datasheet 4.6.4) and link status (LINKS, 8.2.3.22.20). */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

int ixgbe_link_setup(struct ixgbe_dev *d)
{
	uint32_t autoc;

	switch (d->id->media) {
	case IXGBE_MEDIA_SFP:
		/* 4.6.4.2: SFI needs the 10 Gb/s serial link mode with the SFI
		 * PMA/PMD selected in AUTOC2; then restart auto-negotiation so
		 * the MAC takes the new mode. */
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
		/* X540/X550: the internal 10GBASE-T PHY auto-negotiates all
		 * speeds by itself after reset; X550EM: the firmware and the
		 * NVM configure the link. Nothing to do on the MAC side. */
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
		/* 00b is reserved on the 82599/X540; the X550EM_a reports 10M */
		link->speed_mbps = d->id->mac == IXGBE_MAC_X550EM_A ? 10 : 0;
		break;
	}
	return 0;
}
