/* MAC address (receive address register 0, RAL/RAH 8.2.3.7.9-10) and the
 * filter control bits (FCTRL 8.2.3.7.1). */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

int ixgbe_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	/* RAL holds bytes 0..3 (byte 0 in the low bits), RAH bytes 4..5. */
	uint32_t lo = ixgbe_read(d, IXGBE_RAL(0));
	uint32_t hi = ixgbe_read(d, IXGBE_RAH(0));

	if (d->gone)
		return ixy_error(-ENODEV, "%s: RAL/RAH read all ones: the device is gone", dev->name);
	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(lo >> (8 * i));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
	return 0;
}

int ixgbe_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	uint32_t lo = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
	uint32_t hi = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;

	if (mac[0] & 1)
		return ixy_error(-EINVAL, "%s: %02x:%02x:%02x:%02x:%02x:%02x is a multicast address; "
				 "a station address must have bit 0 of the first byte clear",
				 dev->name, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	/* Clear AV first so the filter never matches a half-written address. */
	ixgbe_write(d, IXGBE_RAH(0), 0);
	ixgbe_write(d, IXGBE_RAL(0), lo);
	ixgbe_write(d, IXGBE_RAH(0), hi | IXGBE_RAH_AV);
	return 0;
}

int ixgbe_set_filter(struct ixy_device *dev, uint32_t what, bool on)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	uint32_t set = 0, clear = 0;

	switch (what) {
	case IXY_FILTER_PROMISC:
		d->promisc = on;
		break;
	case IXY_FILTER_ALLMULTI:
		d->allmulti = on;
		break;
	case IXY_FILTER_BROADCAST:
		if (on)
			set |= IXGBE_FCTRL_BAM;
		else
			clear |= IXGBE_FCTRL_BAM;
		break;
	default:
		return ixy_error(-EINVAL, "%s: unknown filter %u", dev->name, what);
	}
	/* Promiscuous implies all multicast; turning it off must not undo
	 * an all-multicast setting made separately. */
	if (d->promisc)
		set |= IXGBE_FCTRL_UPE | IXGBE_FCTRL_MPE;
	else
		clear |= IXGBE_FCTRL_UPE;
	if (!d->promisc && d->allmulti)
		set |= IXGBE_FCTRL_MPE;
	else if (!d->promisc)
		clear |= IXGBE_FCTRL_MPE;
	uint32_t fctrl = ixgbe_read(d, IXGBE_FCTRL);
	if (d->gone)
		return ixy_error(-ENODEV, "%s: FCTRL reads all ones: the device is gone", dev->name);
	ixgbe_write(d, IXGBE_FCTRL, (fctrl & ~clear) | set);
	return 0;
}
