/* The ixgbe data path: receive and transmit batches.
 *
 * Descriptor rings (82599 datasheet 7.1.9 receive, 7.2.3 transmit): the
 * NIC owns the descriptors from head (RDH/TDH, advanced by the NIC) up to
 * tail - 1 (RDT/TDT, written by us); we own the rest. Everything here
 * touches only DMA memory and one tail register per batch, written through
 * a pointer cached per queue. No locks, no indirect calls, one thread per
 * queue. x86 keeps stores in order, so a release store for the tail (a
 * compiler barrier there) is enough to publish the descriptors first. */
#include <stdatomic.h>

#include "drivers/ixgbe.h"

/* TX descriptors are reclaimed this many at a time, checking only the last
 * one's DD bit (every descriptor has RS set, so each gets written back). */
#define TX_CLEAN_BATCH 32

static inline void write_tail(volatile uint32_t *tail, uint32_t v)
{
	__atomic_store_n(tail, v, __ATOMIC_RELEASE);
}

/* Offload status to IXY_PKT_RX_* without branches: a checked-and-good
 * IPv4 header gives 0x1 (shifted by the error bit to 0x2 when bad); the
 * L4 checksum likewise 0x4 / 0x8; a computed RSS hash 0x10. */
static inline uint16_t rx_flags(uint32_t status, uint16_t pkt_info)
{
	uint32_t ipcs = (status >> 6) & 1, ipe = status >> 31;
	uint32_t l4cs = (status >> 5) & 1, tcpe = (status >> 30) & 1;
	uint32_t rss = (pkt_info & IXGBE_RXD_RSSTYPE_MASK) != 0;
	return (uint16_t)((ipcs << ipe) | ((l4cs << tcpe) << 2) | (rss << 4));
}

uint32_t ixgbe_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	volatile union ixgbe_rx_desc *ring = q->ring;
	const uint16_t mask = q->mask;
	const uint16_t start = q->next;
	uint32_t ready = 0;

	/* At most size - 1 descriptors can be done (one is always held
	 * back), so the scan below never wraps onto itself. */
	if (n > mask)
		n = mask;
	/* 1. How many descriptors has the NIC written back (DD set)? */
	while (ready < n && (ring[(start + ready) & mask].wb.status_error & IXGBE_RXD_STAT_DD))
		ready++;
	if (ready == 0)
		return 0;
	/* The rest of a descriptor is valid once its DD bit is seen. */
	atomic_thread_fence(memory_order_acquire);

	/* 2. One fresh buffer per descriptor, allocated as a batch straight
	 * into the caller's array; each is swapped with the buffer it
	 * replaces in the ring. An empty pool leaves the packets in the
	 * ring (the NIC drops new ones once the ring is full: QPRDC). */
	uint32_t got = ixy_pkt_buf_alloc_batch(q->pool, bufs, ready);

	for (uint32_t i = 0; i < got; i++) {
		uint16_t slot = (uint16_t)((start + i) & mask);
		volatile union ixgbe_rx_desc *desc = &ring[slot];
		struct ixy_pkt_buf *fresh = bufs[i];
		struct ixy_pkt_buf *b = q->bufs[slot];
		uint32_t status = desc->wb.status_error;

		/* Frames never span descriptors: MAXFRS <= buffer size (see
		 * init), so EOP is always set. */
		b->len = desc->wb.length;
		b->rss_hash = desc->wb.rss_hash;
		b->ol_flags = rx_flags(status, desc->wb.pkt_info) & q->ol_mask;
		b->queue = q->id;
		bufs[i] = b;

		q->bufs[slot] = fresh;
		desc->read.pkt_addr = fresh->data_phys;
		desc->read.hdr_addr = 0;  /* also clears DD */
	}
	if (got) {
		q->next = (uint16_t)((start + got) & mask);
		/* Give the refilled descriptors back, keeping one slot between
		 * tail and our next read position: RDT == RDH would mean "no
		 * descriptors" to the NIC (7.1.9). */
		write_tail(q->tail, (uint16_t)((q->next - 1) & mask));
	}
	return got;
}

uint32_t ixgbe_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_tx_queue *q = &to_ixgbe(dev)->txq[queue];
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint16_t mask = q->mask;
	uint16_t clean = q->clean;
	uint16_t next = q->next;

	/* 1. Reclaim sent descriptors in whole batches. clean is always a
	 * multiple of TX_CLEAN_BATCH and so is the ring size, so a batch
	 * never wraps and its buffers are contiguous in q->bufs. */
	while (((next - clean) & mask) >= TX_CLEAN_BATCH) {
		uint16_t last = (uint16_t)((clean + TX_CLEAN_BATCH - 1) & mask);
		if (!(ring[last].wb.status & IXGBE_TXD_STAT_DD))
			break;
		ixy_pkt_buf_free_batch(&q->bufs[clean], TX_CLEAN_BATCH);
		clean = (uint16_t)((clean + TX_CLEAN_BATCH) & mask);
	}
	q->clean = clean;

	/* 2. Fill as many descriptors as are free (one stays empty: TDT ==
	 * TDH means an empty ring). */
	uint32_t room = (uint16_t)((clean - next - 1) & mask);
	if (n > room)
		n = room;
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		uint16_t slot = (uint16_t)((next + i) & mask);
		volatile union ixgbe_tx_desc *desc = &ring[slot];

		q->bufs[slot] = b;
		desc->read.buffer_addr = b->data_phys;
		/* one buffer = one frame: EOP; CRC by the NIC: IFCS; RS so
		 * DD is written back; advanced data descriptor (7.2.3.2.4) */
		desc->read.cmd_type_len = IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_RS |
					  IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA | b->len;
		desc->read.olinfo_status = b->len << IXGBE_TXD_PAYLEN_SHIFT;  /* also clears DD */
	}
	if (n) {
		q->next = (uint16_t)((next + n) & mask);
		write_tail(q->tail, q->next);
	}
	return n;
}
