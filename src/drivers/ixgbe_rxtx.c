/* The ixgbe data path: receive and transmit batches.
 *
 * Descriptor rings (82599 datasheet 7.1.9 receive, 7.2.3 transmit): the
 * NIC owns the descriptors from head (RDH/TDH, advanced by the NIC) up to
 * tail - 1 (RDT/TDT, written by us); we own the rest. Everything here
 * touches only DMA memory and one tail register per batch, written through
 * a pointer cached per queue. No locks, no indirect calls, one thread per
 * queue. x86 keeps stores in order, so a release store for the tail (a
 * compiler barrier there) is enough to publish the descriptors first.
 *
 * Cost per packet is the point of this file (docs/performance.md has the
 * figures and how they were measured): each descriptor is read and written
 * as whole 64/128-bit words, buffers come straight off the mempool's stack,
 * and the only per-packet branch is the DD check that the protocol needs. */
#include <emmintrin.h>
#include <stdatomic.h>
#include <string.h>

#include "drivers/ixgbe.h"

/* TX descriptors are reclaimed this many at a time. Only the last
 * descriptor of each block carries RS (report status), so the NIC writes
 * back one descriptor per block instead of every one (7.2.3.5.1: DD is
 * written for descriptors with RS set), and one DD check frees the block.
 * This holds only with TXDCTL.WTHRESH = 0 (ixgbe_init.c): with WTHRESH > 0
 * the NIC ignores RS and writes back every descriptor in bursts. */
#define TX_CLEAN_BATCH 32

/* How far ahead the RX loop prefetches the metadata of the buffers whose
 * len/flags it is about to write (on hardware that line was last touched
 * when the buffer was put into the ring, one ring length ago). */
#define RX_PREFETCH 4

_Static_assert(offsetof(struct ixy_pkt_buf, rss_hash) == offsetof(struct ixy_pkt_buf, len) + 4,
	       "the RX loop writes len and rss_hash with one store");

static inline void write_tail(volatile uint32_t *tail, uint32_t v)
{
	__atomic_store_n(tail, v, __ATOMIC_RELEASE);
}

/* Offload status to IXY_PKT_RX_*, by table: index bits 0..1 are the
 * "checked" bits L4CS/IPCS (status 5..6), bits 2..3 the error bits
 * TCPE/IPE (status 30..31), bit 4 "an RSS type was computed". A checked
 * IPv4 header gives IP_CKSUM_GOOD, or _BAD with IPE; likewise for L4. Two
 * tables: with checksum reporting, and with only the RSS flag. */
#define RXF_IPG IXY_PKT_RX_IP_CKSUM_GOOD
#define RXF_IPB IXY_PKT_RX_IP_CKSUM_BAD
#define RXF_L4G IXY_PKT_RX_L4_CKSUM_GOOD
#define RXF_L4B IXY_PKT_RX_L4_CKSUM_BAD
#define RXF_ROW(rss)                                                                                   \
	(rss), (rss) | RXF_L4G, (rss) | RXF_IPG, (rss) | RXF_IPG | RXF_L4G,          /* no errors */      \
	(rss), (rss) | RXF_L4B, (rss) | RXF_IPG, (rss) | RXF_IPG | RXF_L4B,          /* TCPE */           \
	(rss), (rss) | RXF_L4G, (rss) | RXF_IPB, (rss) | RXF_IPB | RXF_L4G,          /* IPE */            \
	(rss), (rss) | RXF_L4B, (rss) | RXF_IPB, (rss) | RXF_IPB | RXF_L4B           /* both */
static const uint8_t rx_flags_csum[32] = { RXF_ROW(0), RXF_ROW(IXY_PKT_RX_RSS_HASH) };
static const uint8_t rx_flags_rss_only[32] = {
	[16 ... 31] = IXY_PKT_RX_RSS_HASH,
};

static inline uint32_t rx_flags_index(uint32_t status, uint32_t pkt_info)
{
	/* (type + 15) & 16 is 16 exactly when the 4-bit RSS type is not 0 */
	return ((status >> 5) & 3) | ((status >> 28) & 0xc) | (((pkt_info & IXGBE_RXD_RSSTYPE_MASK) + 15) & 16);
}

uint32_t ixgbe_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;  /* two words per descriptor */
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	struct ixy_mempool *pool = q->pool;
	const uint16_t mask = q->mask;
	const uint16_t id = q->id;
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	const uint32_t udp_tcpe_ignore = q->udp_tcpe_ignore;
	uint32_t slot = q->next;

	/* At most size - 1 descriptors can be done (one is always held
	 * back), so the loop never wraps onto itself. Each received buffer
	 * is replaced by a fresh one from the queue's pool; with fewer free
	 * buffers than that, the rest stay in the ring (the NIC then drops
	 * new frames once the ring is full: QPRDC). The pool is the queue's
	 * own, created single-threaded by ixgbe_init, so its stack is popped
	 * here directly, without an intermediate array. */
	if (n > mask)
		n = mask;
	uint32_t avail = pool->free_top;
	if (n > avail)
		n = avail;
	struct ixy_pkt_buf *const *fresh_top = pool->free_bufs + avail - 1;

	uint32_t i;
	for (i = 0; i < n; i++) {
		volatile uint64_t *desc = &ring[2 * slot];
		/* Write-back format (7.1.6.2): word 1 = status/errors,
		 * length, VLAN; word 0 = packet info, RSS hash. */
		uint64_t hi = desc[1];
		if (!(hi & IXGBE_RXD_STAT_DD))
			break;
		/* The rest of a descriptor is valid once its DD bit is seen. */
		atomic_thread_fence(memory_order_acquire);
		uint64_t lo = desc[0];
		struct ixy_pkt_buf *b = ring_bufs[slot];
		struct ixy_pkt_buf *fresh = fresh_top[-(ptrdiff_t)i];
		__builtin_prefetch(ring_bufs[(slot + RX_PREFETCH) & mask], 1);

		/* Frames never span descriptors: MAXFRS <= buffer size (see
		 * init), so EOP is always set. */
		/* len and rss_hash are neighbours: one 8-byte store */
		uint64_t len_rss = ((hi >> 32) & 0xffff) | (lo & 0xffffffff00000000ull);
		memcpy((uint8_t *)b + offsetof(struct ixy_pkt_buf, len), &len_rss, sizeof(len_rss));
		uint32_t status = (uint32_t)hi;
		/* 82599 erratum (as Linux handles it): a UDP frame without a
		 * checksum (0) may be flagged TCPE. TCPE on UDP is then no
		 * verdict at all: report neither good nor bad. Taken only for
		 * frames with an L4 error, so it costs nothing otherwise. */
		if (__builtin_expect((status & IXGBE_RXD_ERR_TCPE) && ((uint32_t)lo & IXGBE_RXD_PKTTYPE_UDP), 0))
			status &= ~udp_tcpe_ignore;
		b->ol_flags = flags[rx_flags_index(status, (uint32_t)lo)];
		b->queue = id;
		bufs[i] = b;

		/* Re-arm: read format, header address 0 (clears DD). One
		 * 16-byte store, so the NIC never sees half a descriptor. */
		ring_bufs[slot] = fresh;
		_mm_store_si128((__m128i *)(uintptr_t)desc, _mm_cvtsi64_si128((long long)fresh->data_phys));
		slot = (slot + 1) & mask;
	}
	if (i) {
		pool->free_top = avail - i;
		q->next = (uint16_t)slot;
		/* Give the refilled descriptors back, keeping one slot between
		 * tail and our next read position: RDT == RDH would mean "no
		 * descriptors" to the NIC (7.1.9). */
		write_tail(q->tail, (slot - 1) & mask);
	}
	return i;
}

uint32_t ixgbe_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_tx_queue *q = &to_ixgbe(dev)->txq[queue];
	volatile union ixgbe_tx_desc *ring = q->ring;
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint16_t mask = q->mask;
	uint16_t clean = q->clean;
	uint16_t next = q->next;

	/* 1. Reclaim sent descriptors in whole blocks. clean is always a
	 * multiple of TX_CLEAN_BATCH and so is the ring size, so a block
	 * never wraps, its buffers are contiguous in q->bufs, and its last
	 * descriptor is the one with RS. */
	while (((next - clean) & mask) >= TX_CLEAN_BATCH) {
		uint16_t last = (uint16_t)(clean + TX_CLEAN_BATCH - 1);
		if (!(ring[last].wb.status & IXGBE_TXD_STAT_DD))
			break;
		ixy_pkt_buf_free_batch(&ring_bufs[clean], TX_CLEAN_BATCH);
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
		uint32_t slot = (next + i) & mask;
		uint64_t len = b->len;
		/* Advanced data descriptor (7.2.3.2.4): one buffer = one
		 * frame (EOP), CRC by the NIC (IFCS); PAYLEN in olinfo (the
		 * upper word; writing it also clears the old DD). RS is added
		 * below, per block. One 16-byte store per descriptor. */
		uint64_t cmd = IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA |
			       len | (len << IXGBE_TXD_PAYLEN_SHIFT) << 32;
		ring_bufs[slot] = b;
		_mm_store_si128((__m128i *)(uintptr_t)&ring[slot], _mm_set_epi64x((long long)cmd, (long long)b->data_phys));
	}
	if (n) {
		/* RS on every descriptor that ends a block (slot = 31 mod 32)
		 * among those just written; the NIC does not own them yet. */
		for (uint32_t k = (uint32_t)((TX_CLEAN_BATCH - 1 - next) & (TX_CLEAN_BATCH - 1)); k < n;
		     k += TX_CLEAN_BATCH)
			ring[(next + k) & mask].read.cmd_type_len |= IXGBE_TXD_CMD_RS;
		q->next = (uint16_t)((next + n) & mask);
		write_tail(q->tail, q->next);
	}
	return n;
}
