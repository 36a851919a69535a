/* The public IEEE 1588 calls (ixy/ptp.h): argument checks and one dispatch
 * to the driver; drivers without hardware timestamps say so. */
#include <errno.h>
#include <stddef.h>

#include "drivers/driver.h"
#include "error.h"
#include "ixy/ptp.h"

static int unsupported(struct ixy_device *dev)
{
	return ixy_error(-ENOTSUP, "%s (%s): no IEEE 1588 hardware timestamps in this driver; use software "
			 "timestamps (clock_gettime) instead", dev->name, dev->driver_name);
}

#define PTP_CALL(dev, fn, ...)                                                                \
	do {                                                                                   \
		if (!(dev))                                                                    \
			return ixy_error(-EINVAL, "ixy_ptp: no device");                       \
		if (!(dev)->ops->ptp)                                                          \
			return unsupported(dev);                                               \
		return (dev)->ops->ptp->fn(__VA_ARGS__);                                       \
	} while (0)

int ixy_ptp_enable(struct ixy_device *dev) { PTP_CALL(dev, enable, dev, true); }
int ixy_ptp_disable(struct ixy_device *dev) { PTP_CALL(dev, enable, dev, false); }

int ixy_ptp_info(struct ixy_device *dev, struct ixy_ptp_info *info)
{
	if (!info)
		return ixy_error(-EINVAL, "ixy_ptp_info: info is NULL");
	PTP_CALL(dev, info, dev, info);
}

int ixy_ptp_read_clock(struct ixy_device *dev, uint64_t *ns)
{
	if (!ns)
		return ixy_error(-EINVAL, "ixy_ptp_read_clock: ns is NULL");
	PTP_CALL(dev, read_clock, dev, ns);
}

int ixy_ptp_write_clock(struct ixy_device *dev, uint64_t ns) { PTP_CALL(dev, write_clock, dev, ns); }
int ixy_ptp_adjust_clock(struct ixy_device *dev, int64_t delta_ns) { PTP_CALL(dev, adjust_clock, dev, delta_ns); }

int ixy_ptp_tx_timestamp(struct ixy_device *dev, uint64_t *ns)
{
	if (!ns)
		return ixy_error(-EINVAL, "ixy_ptp_tx_timestamp: ns is NULL");
	PTP_CALL(dev, tx_stamp, dev, ns);
}

int ixy_ptp_rx_timestamp(struct ixy_device *dev, uint64_t *ns, uint16_t *seq)
{
	if (!ns)
		return ixy_error(-EINVAL, "ixy_ptp_rx_timestamp: ns is NULL");
	PTP_CALL(dev, rx_stamp, dev, ns, seq);
}
