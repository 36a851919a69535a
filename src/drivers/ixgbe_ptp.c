/* ixgbe: IEEE 1588 hardware timestamps (82599 datasheet 7.9, registers
 * 8.2.3.26), the driver's side of ixy/ptp.h.
 *
 * The clock: SYSTIM adds TIMINCA's value every increment period. We choose
 * the value so that SYSTIM is a fixed-point nanosecond count, ns = SYSTIM
 * >> shift, with the shift as large as the register allows (finer
 * frequency adjustment, a shorter wrap: 2^43 ns, ~2.4 h, on the 82599 at
 * 10 Gb/s). The oscillator's period depends on the link speed (6.4 ns at
 * 10 Gb/s and without link, 64 ns at 1 Gb/s, 640 ns at 100 Mb/s), so the
 * value does too: enable again after a speed change.
 *
 * Timestamps: one TX and one RX register set, latched until the high word
 * is read. RX frames are 1588 frames by the EtherType filter ETQF[3]
 * (0x88F7, with its 1588 bit) or by the UDP port in RXMTRL (319); of
 * those, TSYNCRXCTL's type "v2 event messages" are stamped. The RX
 * attribute register holds the frame's sequence id: that is how the
 * caller pairs the timestamp with the frame (the descriptor's TS bit is
 * not looked at, so the RX loop stays as it is).
 *
 * Other MACs:
 *  - X540: the same registers and timestamps; TIMINCA has no period field
 *    and a 31-bit value added every tick (6.4 * 2^28 at 10 Gb/s), so the
 *    shift is 7 larger and the clock wraps after 2^36 ns (~69 s).
 *  - X550 family: SYSTIMH counts seconds and SYSTIML nanoseconds, with a
 *    residue register SYSTIMR read first; TIMINCA is a signed correction to
 *    a fixed 12.5 ns step; it can stamp every frame and put the RX
 *    timestamp into the receive buffer (TSYNCRXCTL.TSIP_UT_EN). The model
 *    is an 82599 and cannot check any of that: -ENOTSUP here.
 */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"
#include "ixy/ptp.h"

static int check_mac(struct ixgbe_dev *d)
{
	if (d->id->mac == IXGBE_MAC_82599 || d->id->mac == IXGBE_MAC_X540)
		return 0;
	return ixy_error(-ENOTSUP, "%s (%s): IEEE 1588 timestamps are implemented for the 82599 and X540 only; "
			 "the X550 family's clock (seconds/ns, SYSTIMR) is not (see src/drivers/ixgbe_ptp.c); "
			 "use software timestamps", d->ixy.name, d->id->model);
}

static int check_on(struct ixgbe_dev *d, const char *what)
{
	int rc = check_mac(d);
	if (rc < 0)
		return rc;
	if (!d->ptp_on)
		return ixy_error(-EINVAL, "%s: %s: timestamping is off; call ixy_ptp_enable first", d->ixy.name, what);
	return 0;
}

/* TIMINCA and the shift for a link speed (Mb/s; 0 = no link, clocked as 10 Gb/s) */
static void incval(const struct ixgbe_dev *d, uint32_t mbps, uint32_t *inca, uint8_t *shift)
{
	uint32_t v;
	if (mbps == 100) {
		v = IXGBE_TIMINCA_82599_100M;
		*shift = IXGBE_SYSTIM_SHIFT_100M;
	} else if (mbps == 1000) {
		v = IXGBE_TIMINCA_82599_1G;
		*shift = IXGBE_SYSTIM_SHIFT_1G;
	} else {
		v = IXGBE_TIMINCA_82599_10G;
		*shift = IXGBE_SYSTIM_SHIFT_10G;
	}
	if (d->id->mac == IXGBE_MAC_X540) {
		/* 31 bits, no period field: the same tick in ns << (shift + 7) */
		v = mbps == 100 ? IXGBE_X540_TIMINCA_100M : mbps == 1000 ? IXGBE_X540_TIMINCA_1G : IXGBE_X540_TIMINCA_10G;
		*shift = (uint8_t)(*shift + IXGBE_X540_SHIFT_EXTRA);
	}
	*inca = v;
}

/* The TX loop honours timestamp requests only while this is set
 * (ixgbe_tx.c: a second instance of its fill loop). */
static void tx_requests(struct ixgbe_dev *d, bool on)
{
	for (uint16_t q = 0; d->txq && q < d->ixy.num_tx_queues; q++)
		__atomic_store_n(&d->txq[q].ts, on, __ATOMIC_RELAXED);
}

static int ptp_enable(struct ixy_device *dev, bool on)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_mac(d);
	if (rc < 0)
		return rc;
	if (!on) {
		ixgbe_write(d, IXGBE_TSYNCRXCTL, 0);
		ixgbe_write(d, IXGBE_TSYNCTXCTL, 0);
		ixgbe_write(d, IXGBE_ETQF(IXGBE_ETQF_PTP_INDEX), 0);
		ixgbe_read(d, IXGBE_RXSTMPH);	/* release what is latched */
		ixgbe_read(d, IXGBE_TXSTMPH);
		d->ptp_on = false;
		tx_requests(d, false);
		return 0;
	}
	struct ixy_link link = { 0 };
	rc = ixgbe_get_link(dev, &link);
	if (rc < 0)
		return rc;
	uint32_t mbps = link.up ? link.speed_mbps : 0, inca;
	if (mbps && mbps != 100 && mbps != 1000 && mbps != 10000)
		return ixy_error(-ENOTSUP, "%s: link at %u Mb/s: the time sync clock is defined for 100, 1000 and "
				 "10000 Mb/s", dev->name, mbps);
	uint8_t shift;
	incval(d, mbps, &inca, &shift);
	ixgbe_write(d, IXGBE_TIMINCA, inca);
	ixgbe_write(d, IXGBE_ETQF(IXGBE_ETQF_PTP_INDEX), IXGBE_ETQF_EN | IXGBE_ETQF_1588 | IXGBE_ETHERTYPE_1588);
	/* UDP port 319; message type / control field 0 (unused by the v2
	 * event type, which takes all event messages) */
	ixgbe_write(d, IXGBE_RXMTRL, (uint32_t)IXGBE_PTP_EVENT_PORT << IXGBE_RXMTRL_UDP_SHIFT);
	ixgbe_write(d, IXGBE_TSYNCRXCTL, IXGBE_TSYNCRXCTL_EN | IXGBE_TSYNCRXCTL_TYPE_EVENT_V2);
	ixgbe_write(d, IXGBE_TSYNCTXCTL, IXGBE_TSYNCTXCTL_EN);
	ixgbe_read(d, IXGBE_RXSTMPH);	/* a stale latch would block the first timestamp */
	ixgbe_read(d, IXGBE_TXSTMPH);
	d->ptp_shift = shift;
	d->ptp_link_mbps = mbps;
	d->ptp_on = true;
	tx_requests(d, true);
	return 0;
}

static int ptp_info(struct ixy_device *dev, struct ixy_ptp_info *info)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_info");
	if (rc < 0)
		return rc;
	uint32_t mbps = d->ptp_link_mbps ? d->ptp_link_mbps : 10000;
	info->resolution_ps = 6400u * (10000u / mbps);
	info->clock_bits = 64u - d->ptp_shift;
	info->link_mbps = d->ptp_link_mbps;
	return 0;
}

static uint64_t read64(struct ixgbe_dev *d, uint32_t lo_reg, uint32_t hi_reg)
{
	uint64_t lo = ixgbe_read(d, lo_reg);	/* L first: SYSTIML latches SYSTIMH, TXSTMPH/RXSTMPH release */
	return lo | (uint64_t)ixgbe_read(d, hi_reg) << 32;
}

static int read_clock(struct ixy_device *dev, uint64_t *ns)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_read_clock");
	if (rc < 0)
		return rc;
	*ns = read64(d, IXGBE_SYSTIML, IXGBE_SYSTIMH) >> d->ptp_shift;
	return 0;
}

static int write_clock(struct ixy_device *dev, uint64_t ns)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_write_clock");
	if (rc < 0)
		return rc;
	/* The low word wraps every 2^32 >> shift ns (2 us at 10 Gb/s): a
	 * carry between writing L and H would be overwritten by H. So L = 0
	 * first (2 us until the next carry), then H, then the real L. */
	uint64_t raw = ns << d->ptp_shift;
	ixgbe_write(d, IXGBE_SYSTIML, 0);
	ixgbe_write(d, IXGBE_SYSTIMH, (uint32_t)(raw >> 32));
	ixgbe_write(d, IXGBE_SYSTIML, (uint32_t)raw);
	return 0;
}

static int adjust_clock(struct ixy_device *dev, int64_t delta_ns)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_adjust_clock");
	if (rc < 0)
		return rc;
	uint64_t mag = delta_ns < 0 ? (uint64_t)0 - (uint64_t)delta_ns : (uint64_t)delta_ns;
	if (mag >> (63 - d->ptp_shift))
		return ixy_error(-ERANGE, "%s: clock adjustment of %lld ns does not fit TIMADJ (at most 2^%u ns)",
				 dev->name, (long long)delta_ns, 63 - d->ptp_shift);
	uint64_t raw = mag << d->ptp_shift;
	ixgbe_write(d, IXGBE_TIMADJL, (uint32_t)raw);
	ixgbe_write(d, IXGBE_TIMADJH, (uint32_t)(raw >> 32) | (delta_ns < 0 ? IXGBE_TIMADJH_SIGN : 0));
	return 0;
}

static int tx_stamp(struct ixy_device *dev, uint64_t *ns)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_tx_timestamp");
	if (rc < 0)
		return rc;
	if (!(ixgbe_read(d, IXGBE_TSYNCTXCTL) & IXGBE_TSYNCTXCTL_VALID))
		return 0;
	*ns = read64(d, IXGBE_TXSTMPL, IXGBE_TXSTMPH) >> d->ptp_shift;
	return 1;
}

static int rx_stamp(struct ixy_device *dev, uint64_t *ns, uint16_t *seq)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	int rc = check_on(d, "ixy_ptp_rx_timestamp");
	if (rc < 0)
		return rc;
	if (!(ixgbe_read(d, IXGBE_TSYNCRXCTL) & IXGBE_TSYNCRXCTL_VALID))
		return 0;
	/* the attributes first: reading RXSTMPH lets the next frame in */
	uint32_t satrh = ixgbe_read(d, IXGBE_RXSATRH);
	if (seq)
		*seq = (uint16_t)(satrh >> IXGBE_RXSATRH_SEQ_SHIFT);
	*ns = read64(d, IXGBE_RXSTMPL, IXGBE_RXSTMPH) >> d->ptp_shift;
	return 1;
}

const struct ixy_ptp_ops ixgbe_ptp_ops = {
	.enable = ptp_enable,
	.info = ptp_info,
	.read_clock = read_clock,
	.write_clock = write_clock,
	.adjust_clock = adjust_clock,
	.tx_stamp = tx_stamp,
	.rx_stamp = rx_stamp,
};
