/* libixy: IEEE 1588 hardware timestamps (the NIC's time sync clock).
 *
 * The ixgbe driver supports the 82599 and the X540 (real and sim ports):
 * the port clock (SYSTIM) counts nanoseconds at the resolution of the time
 * sync oscillator (6.4 ns at 10 Gb/s); one TX and one RX timestamp are
 * latched at a time. The usual use, a latency probe:
 *
 *   ixy_ptp_enable(a); ixy_ptp_enable(b);            both ports
 *   ixy_pkt_request_tx_timestamp(buf);              a PTP frame (see below)
 *   ixy_tx_batch(a, 0, &buf, 1);
 *   ixy_ptp_tx_timestamp(a, &t_tx)  until it returns 1
 *   ixy_rx_batch(b, ...) gets the frame;
 *   ixy_ptp_rx_timestamp(b, &t_rx, &seq): 1, seq = the frame's sequence id
 *
 * RX timestamps are taken for IEEE 1588 v2 event messages (Sync,
 * Delay_Req, Pdelay_Req, Pdelay_Resp): L2 frames of EtherType 0x88F7, or
 * UDP to port 319. While a timestamp is latched, no further frame gets one
 * until it was read (a frame that arrives meanwhile is received, without a
 * timestamp): read each one before the next probe. The sequence id
 * (bytes 30-31 of the PTP header) tells which frame the RX timestamp
 * belongs to. TX timestamps are taken for any frame marked with
 * ixy_pkt_request_tx_timestamp.
 *
 * Ports without hardware timestamps (virtio, the X550 family for now)
 * return -ENOTSUP: measure with software timestamps there (ixy-latency
 * does). All functions return 0/1 or a negative errno with ixy_last_error(). */
#ifndef IXY_PTP_H
#define IXY_PTP_H

#include <stdint.h>

#include "ixy/device.h"
#include "ixy/mempool.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_ptp_info {
	uint32_t resolution_ps;  /* one step of the clock: 6400 at 10 Gb/s, 64000 at 1 Gb/s */
	uint32_t clock_bits;     /* the clock wraps at 2^clock_bits ns (43 on an 82599 at 10 Gb/s) */
	uint32_t link_mbps;      /* the speed TIMINCA was set for (0 = no link: as 10000) */
};

/* Program the clock's increment for the current link speed (call again
 * after the speed changed), the 1588 EtherType filter, the UDP port and
 * the RX/TX timestamp enables; drops latched timestamps. */
int ixy_ptp_enable(struct ixy_device *dev);
int ixy_ptp_disable(struct ixy_device *dev);
int ixy_ptp_info(struct ixy_device *dev, struct ixy_ptp_info *info);

/* The port clock in ns (modulo 2^clock_bits). */
int ixy_ptp_read_clock(struct ixy_device *dev, uint64_t *ns);
int ixy_ptp_write_clock(struct ixy_device *dev, uint64_t ns);
/* Add delta_ns (negative: subtract) to the running clock (TIMADJ). */
int ixy_ptp_adjust_clock(struct ixy_device *dev, int64_t delta_ns);

/* Ask for a TX timestamp of this frame (a bit in ol_flags, consumed when
 * it is queued). */
static inline void ixy_pkt_request_tx_timestamp(struct ixy_pkt_buf *b)
{
	b->ol_flags |= IXY_PKT_TX_TIMESTAMP;
}

/* 1 and *ns: the latched TX timestamp (reading it frees the latch for the
 * next frame); 0: none latched (not sent yet, or not stamped). */
int ixy_ptp_tx_timestamp(struct ixy_device *dev, uint64_t *ns);
/* 1, *ns and *seq (may be NULL): the latched RX timestamp and the PTP
 * sequence id of the frame it belongs to; 0: none latched. */
int ixy_ptp_rx_timestamp(struct ixy_device *dev, uint64_t *ns, uint16_t *seq);

/* b - a for two readings of one port clock, across its wrap. */
static inline int64_t ixy_ptp_diff(const struct ixy_ptp_info *info, uint64_t b, uint64_t a)
{
	unsigned s = 64 - info->clock_bits;
	return (int64_t)((b - a) << s) >> s;
}

#ifdef __cplusplus
}
#endif

#endif
