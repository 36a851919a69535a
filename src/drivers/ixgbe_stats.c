/* Statistics (82599 datasheet 8.2.3.23). The counters clear when read, so
 * every read is added to the 64-bit totals of the device. */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

/* 36-bit counters: low 32 bits, then bits 35:32; the low half must be
 * read first (the pair clears together). */
static uint64_t read36(struct ixgbe_dev *d, uint32_t lo, uint32_t hi)
{
	uint64_t v = ixgbe_read(d, lo);
	return v | ((uint64_t)(ixgbe_read(d, hi) & 0xF) << 32);
}

/* The 16 per-queue counter sets are assigned by RQSMR/TQSM (one byte per
 * queue, 4 queues per register, 8.2.3.8.11 / 8.2.3.9.13). Queue q counts
 * in set q % 16, so queues 16..63 share the sets of 0..15. */
void ixgbe_stats_map_queues(struct ixgbe_dev *d)
{
	for (unsigned n = 0; n < (d->ixy.num_rx_queues + 3u) / 4; n++) {
		uint32_t v = 0;
		for (unsigned k = 0; k < 4; k++)
			v |= ((4 * n + k) % IXY_STATS_QUEUES) << (8 * k);
		ixgbe_write(d, IXGBE_RQSMR(n), v);
	}
	for (unsigned n = 0; n < (d->ixy.num_tx_queues + 3u) / 4; n++) {
		uint32_t v = 0;
		for (unsigned k = 0; k < 4; k++)
			v |= ((4 * n + k) % IXY_STATS_QUEUES) << (8 * k);
		ixgbe_write(d, IXGBE_TQSM(n), v);
	}
}

int ixgbe_update_stats(struct ixy_device *dev)
{
	struct ixgbe_dev *d = to_ixgbe(dev);
	struct ixy_stats *t = &dev->totals;
	struct ixy_stats before = *t;

	t->rx_packets += ixgbe_read(d, IXGBE_GPRC);
	t->tx_packets += ixgbe_read(d, IXGBE_GPTC);
	t->rx_bytes += read36(d, IXGBE_GORCL, IXGBE_GORCH);
	t->tx_bytes += read36(d, IXGBE_GOTCL, IXGBE_GOTCH);
	for (unsigned i = 0; i < 8; i++)
		t->rx_missed += ixgbe_read(d, IXGBE_RXMPC(i));
	t->rx_errors += ixgbe_read(d, IXGBE_CRCERRS);
	t->rx_errors += ixgbe_read(d, IXGBE_ILLERRC);
	t->rx_errors += ixgbe_read(d, IXGBE_ERRBC);
	t->rx_errors += ixgbe_read(d, IXGBE_RLEC);
	for (unsigned q = 0; q < IXY_STATS_QUEUES; q++) {
		t->rx_dropped += ixgbe_read(d, IXGBE_QPRDC(q));
		t->rxq[q].packets += ixgbe_read(d, IXGBE_QPRC(q));
		t->rxq[q].bytes += read36(d, IXGBE_QBRC_L(q), IXGBE_QBRC_H(q));
		t->txq[q].packets += ixgbe_read(d, IXGBE_QPTC(q));
		t->txq[q].bytes += read36(d, IXGBE_QBTC_L(q), IXGBE_QBTC_H(q));
	}
	/* frames the TX path refused (software counters of the queues) */
	uint64_t txe = 0;
	for (uint16_t q = 0; d->txq && q < dev->num_tx_queues; q++)
		txe += __atomic_load_n(&d->txq[q].tx_errors, __ATOMIC_RELAXED);
	t->tx_errors += txe - d->tx_errors_seen;
	/* write-backs the RX path refused (software counters of the queues) */
	uint64_t rxe = 0;
	for (uint16_t q = 0; d->rxq && q < dev->num_rx_queues; q++)
		rxe += __atomic_load_n(&d->rxq[q].rx_errors, __ATOMIC_RELAXED);
	t->rx_errors += rxe - d->rx_errors_seen;
	if (d->gone) {
		*t = before;  /* all-ones reads are not counts */
		return ixy_error(-ENODEV, "%s: statistics registers read all ones: the device is gone", dev->name);
	}
	d->tx_errors_seen = txe;
	d->rx_errors_seen = rxe;
	int line_err = d->line_on ? __atomic_load_n(&d->line_err, __ATOMIC_ACQUIRE) : 0;
	if (line_err)
		return ixy_error(-EIO, "%s: the MSI/INTx interrupt thread stopped (%s): RX waits now end only by their "
				 "timeout; enable the queue's RX interrupt again (a new thread) or reopen the device", dev->name,
				 ixy_strerror(-line_err));
	return 0;
}
