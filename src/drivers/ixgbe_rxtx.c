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
 * and the only per-packet branch is the DD check that the protocol needs.
 * RX takes four descriptors per step where it can (one DD compare for four,
 * the rest in SSE lanes; SSSE3, chosen once at load time), one at a time
 * elsewhere. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <tmmintrin.h>

#include "drivers/ixgbe.h"
#include "memory/memory_internal.h"

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

/* One descriptor at slot: if the NIC is done with it, hand its buffer out
 * as *out, re-arm the slot with `fresh` and return true; else false.
 * Inlined into both RX loops below. */
static inline __attribute__((always_inline)) bool rx_one(volatile uint64_t *ring, struct ixy_pkt_buf **ring_bufs,
							  uint32_t slot, uint16_t mask, struct ixy_pkt_buf *fresh,
							  struct ixy_pkt_buf **out, const uint8_t *flags,
							  uint32_t udp_tcpe_ignore, uint16_t id, uint64_t *hi_or)
{
	volatile uint64_t *desc = &ring[2 * slot];
	/* Write-back format (7.1.6.2): word 1 = status/errors, length,
	 * VLAN; word 0 = packet info, RSS hash. */
	uint64_t hi = desc[1];
	if (!(hi & IXGBE_RXD_STAT_DD))
		return false;
	/* The rest of a descriptor is valid once its DD bit is seen. */
	atomic_thread_fence(memory_order_acquire);
	uint64_t lo = desc[0];
	struct ixy_pkt_buf *b = ring_bufs[slot];
	__builtin_prefetch(ring_bufs[(slot + RX_PREFETCH) & mask], 1);

	/* Frames never span descriptors: MAXFRS <= buffer size (see init),
	 * so EOP is always set. The length is trusted here and checked per
	 * batch: the status words are ORed (one instruction), and a batch
	 * whose length bits reach q->len_fast is checked frame by frame
	 * (rx_drop_oversized). */
	*hi_or |= hi;
	/* len and rss_hash are neighbours: one 8-byte store */
	uint64_t len_rss = ((hi >> 32) & 0xffff) | (lo & 0xffffffff00000000ull);
	memcpy((uint8_t *)b + offsetof(struct ixy_pkt_buf, len), &len_rss, sizeof(len_rss));
	uint32_t status = (uint32_t)hi;
	/* 82599 erratum (as Linux handles it): a UDP frame without a
	 * checksum (0) may be flagged TCPE. TCPE on UDP is then no verdict at
	 * all: report neither good nor bad. Taken only for frames with an L4
	 * error, so it costs nothing otherwise. */
	if (__builtin_expect((status & IXGBE_RXD_ERR_TCPE) && ((uint32_t)lo & IXGBE_RXD_PKTTYPE_UDP), 0))
		status &= ~udp_tcpe_ignore;
	b->ol_flags = flags[rx_flags_index(status, (uint32_t)lo)];
	ixy__pkt_buf_rx_out(b, id);
	*out = b;

	/* Re-arm: read format, header address 0 (clears DD). One 16-byte
	 * store, so the NIC never sees half a descriptor. */
	ring_bufs[slot] = fresh;
	_mm_store_si128((__m128i *)(uintptr_t)desc, _mm_cvtsi64_si128((long long)fresh->data_phys));
	return true;
}

/* Four descriptors at slot..slot+3 (not wrapping), all or nothing: if the
 * NIC is done with all four, hand out their buffers as out[0..3], re-arm
 * the slots with fresh[0], fresh[-1], fresh[-2], fresh[-3] (the order
 * rx_one would use) and return true; else touch nothing and return false
 * (the caller then takes them one by one).
 *
 * The protocol is rx_one's: the four status words (the DD bits) are read
 * first and tested with one compare, and only after the acquire fence are
 * the other words read; the status words already read stay valid (the NIC
 * writes a descriptor back once). The per-packet arithmetic is done for
 * four lanes at a time: length and RSS hash are transposed into the
 * buffers' (len, rss_hash) pairs, and the offload flags come from one
 * 16-entry byte-table lookup (PSHUFB, SSSE3) of the same index rx_one
 * uses: flags[idx] == flags[idx & 15] | (idx & 16) in both tables, as
 * IXY_PKT_RX_RSS_HASH is 16. */
static inline __attribute__((always_inline, target("ssse3"))) bool
rx_four(volatile uint64_t *ring, struct ixy_pkt_buf **ring_bufs, uint32_t slot, uint16_t mask,
	struct ixy_pkt_buf *const *fresh, struct ixy_pkt_buf **out, __m128i flag_tbl, __m128i tcpe_ignore,
	uint16_t id, __m128i *len_or)
{
	const __m128i *d = (const __m128i *)(uintptr_t)&ring[2 * slot];
	/* status/length words (upper halves) of descriptors 0..3 */
	__m128i h01 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(uintptr_t)&ring[2 * slot + 1]),
					 _mm_loadl_epi64((const __m128i *)(uintptr_t)&ring[2 * slot + 3]));
	__m128i h23 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(uintptr_t)&ring[2 * slot + 5]),
					 _mm_loadl_epi64((const __m128i *)(uintptr_t)&ring[2 * slot + 7]));
	__m128i status = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(h01), _mm_castsi128_ps(h23),
							 _MM_SHUFFLE(2, 0, 2, 0)));
	/* DD is bit 0: shifted to the sign bit, one movemask has all four */
	if (_mm_movemask_ps(_mm_castsi128_ps(_mm_slli_epi32(status, 31))) != 0xf)
		return false;
	atomic_thread_fence(memory_order_acquire);
	__m128i l01 = _mm_unpacklo_epi64(_mm_loadl_epi64(d + 0), _mm_loadl_epi64(d + 1));
	__m128i l23 = _mm_unpacklo_epi64(_mm_loadl_epi64(d + 2), _mm_loadl_epi64(d + 3));
	__m128i info = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(l01), _mm_castsi128_ps(l23),
						       _MM_SHUFFLE(2, 0, 2, 0)));
	__m128i rss = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(l01), _mm_castsi128_ps(l23),
						      _MM_SHUFFLE(3, 1, 3, 1)));
	__m128i len = _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(h01), _mm_castsi128_ps(h23),
						      _MM_SHUFFLE(3, 1, 3, 1)));
	len = _mm_and_si128(len, _mm_set1_epi32(0xffff));   /* drop the VLAN tag */
	*len_or = _mm_or_si128(*len_or, len);                /* checked per batch, as in rx_one */

	/* the UDP/TCPE erratum, as in rx_one, for the lanes that have both */
	const __m128i tcpe = _mm_set1_epi32((int)IXGBE_RXD_ERR_TCPE), udp = _mm_set1_epi32(IXGBE_RXD_PKTTYPE_UDP);
	__m128i hit = _mm_and_si128(_mm_cmpeq_epi32(_mm_and_si128(status, tcpe), tcpe),
				    _mm_cmpeq_epi32(_mm_and_si128(info, udp), udp));
	status = _mm_andnot_si128(_mm_and_si128(hit, tcpe_ignore), status);
	/* rx_flags_index for four lanes */
	__m128i idx = _mm_or_si128(_mm_and_si128(_mm_srli_epi32(status, 5), _mm_set1_epi32(3)),
				   _mm_and_si128(_mm_srli_epi32(status, 28), _mm_set1_epi32(0xc)));
	__m128i rss_on = _mm_and_si128(_mm_add_epi32(_mm_and_si128(info, _mm_set1_epi32(IXGBE_RXD_RSSTYPE_MASK)),
						     _mm_set1_epi32(15)),
				       _mm_set1_epi32(16));
	/* the index's bytes 1..3 are 0 and so look up flag_tbl[0] = 0 */
	__m128i fl = _mm_or_si128(_mm_shuffle_epi8(flag_tbl, idx), rss_on);
	/* one 32-bit word per lane -> the four flags as 16-bit halves */
	fl = _mm_shufflelo_epi16(_mm_shufflehi_epi16(fl, _MM_SHUFFLE(3, 3, 2, 0)), _MM_SHUFFLE(3, 3, 2, 0));
	uint64_t flags4 = (uint64_t)_mm_cvtsi128_si64(_mm_unpacklo_epi32(fl, _mm_unpackhi_epi64(fl, fl)));

	__m128i lr01 = _mm_unpacklo_epi32(len, rss), lr23 = _mm_unpackhi_epi32(len, rss);
	struct ixy_pkt_buf *b0 = ring_bufs[slot], *b1 = ring_bufs[slot + 1];
	struct ixy_pkt_buf *b2 = ring_bufs[slot + 2], *b3 = ring_bufs[slot + 3];
	for (int k = 0; k < 4; k++)
		__builtin_prefetch(ring_bufs[(slot + RX_PREFETCH + k) & mask], 1);
	const size_t lo = offsetof(struct ixy_pkt_buf, len);
	/* (len, rss_hash) sits at offset 20: 4-byte aligned, so only MOVQ
	 * (unaligned by definition) stores it */
	_mm_storel_epi64((__m128i *)(uintptr_t)((uint8_t *)b0 + lo), lr01);
	_mm_storel_epi64((__m128i *)(uintptr_t)((uint8_t *)b1 + lo), _mm_unpackhi_epi64(lr01, lr01));
	_mm_storel_epi64((__m128i *)(uintptr_t)((uint8_t *)b2 + lo), lr23);
	_mm_storel_epi64((__m128i *)(uintptr_t)((uint8_t *)b3 + lo), _mm_unpackhi_epi64(lr23, lr23));
	b0->ol_flags = (uint16_t)flags4;
	b1->ol_flags = (uint16_t)(flags4 >> 16);
	b2->ol_flags = (uint16_t)(flags4 >> 32);
	b3->ol_flags = (uint16_t)(flags4 >> 48);
	ixy__pkt_buf_rx_out(b0, id);
	ixy__pkt_buf_rx_out(b1, id);
	ixy__pkt_buf_rx_out(b2, id);
	ixy__pkt_buf_rx_out(b3, id);
	out[0] = b0;
	out[1] = b1;
	out[2] = b2;
	out[3] = b3;

	/* Re-arm, one 16-byte store per descriptor as in rx_one. */
	for (int k = 0; k < 4; k++) {
		struct ixy_pkt_buf *f = fresh[-k];
		ring_bufs[slot + (uint32_t)k] = f;
		_mm_store_si128((__m128i *)(uintptr_t)(d + k), _mm_cvtsi64_si128((long long)f->data_phys));
	}
	return true;
}

/* What both RX loops share: how many descriptors to look at, at most. At
 * most size - 1 descriptors can be done (one is always held back), so the
 * loop never wraps onto itself. Each received buffer is replaced by a fresh
 * one from the queue's pool; with fewer free buffers than that, the rest
 * stay in the ring (the NIC then drops new frames once the ring is full:
 * QPRDC). The pool is the queue's own, created single-threaded by
 * ixgbe_init, so its stack is popped here directly, without an
 * intermediate array. */
static inline uint32_t rx_limit(const struct ixgbe_rx_queue *q, uint32_t n)
{
	if (n > q->mask)
		n = q->mask;
	return n > q->pool->free_top ? q->pool->free_top : n;
}

/* A batch in which some write-back length reached q->len_fast: hand out
 * only the frames that fit their buffer. A longer length can only come
 * from a device that breaks the protocol (the buffers hold the largest
 * frame the MAC accepts, so frames never span descriptors): the
 * application would read past the buffer. Such a buffer goes back to its
 * pool and counts as an RX error. Out of line: correct write-backs never
 * come here, except full-size frames when len_fast is below buf_len + 1. */
__attribute__((noinline, cold)) static uint32_t rx_drop_oversized(struct ixgbe_rx_queue *q,
								   struct ixy_pkt_buf **bufs, uint32_t n)
{
	uint32_t kept = 0;
	for (uint32_t k = 0; k < n; k++) {
		struct ixy_pkt_buf *b = bufs[k];
		if (b->len <= b->buf_len) {
			bufs[kept++] = b;
			continue;
		}
		ixy_pkt_buf_free(b);
		__atomic_store_n(&q->rx_errors, q->rx_errors + 1, __ATOMIC_RELAXED);
	}
	return kept;
}

static inline void rx_finish(struct ixgbe_rx_queue *q, uint32_t taken, uint32_t slot)
{
	if (!taken)
		return;
	q->pool->free_top -= taken;
	q->next = (uint16_t)slot;
	/* Give the refilled descriptors back, keeping one slot between tail
	 * and our next read position: RDT == RDH would mean "no descriptors"
	 * to the NIC (7.1.9). */
	write_tail(q->tail, (slot - 1) & q->mask);
}

/* noinline: inlined into ixgbe_rx_batch, its register saves would be paid
 * before the choice of loop, by the 4-wide one as well */
__attribute__((noinline)) static uint32_t ixgbe_rx_batch_scalar(struct ixgbe_rx_queue *q, struct ixy_pkt_buf **bufs, uint32_t n)
{
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;  /* two words per descriptor */
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint16_t mask = q->mask;
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	const uint32_t udp_tcpe_ignore = q->udp_tcpe_ignore;
	const uint16_t id = q->id;
	uint32_t slot = q->next;
	n = rx_limit(q, n);
	struct ixy_pkt_buf *const *fresh_top = q->pool->free_bufs + q->pool->free_top - 1;

	uint64_t hi_or = 0;
	uint32_t i;
	for (i = 0; i < n; i++) {
		if (!rx_one(ring, ring_bufs, slot, mask, fresh_top[-(ptrdiff_t)i], &bufs[i], flags,
			    udp_tcpe_ignore, id, &hi_or))
			break;
		slot = (slot + 1) & mask;
	}
	rx_finish(q, i, slot);
	if (__builtin_expect(((uint32_t)(hi_or >> 32) & 0xffff) >= q->len_fast, 0))
		i = rx_drop_oversized(q, bufs, i);
	return i;
}

/* Four at a time while four are wanted and do not wrap around the ring's
 * end, then one at a time (the rest of the batch, the ring's end, or a
 * group of four that is not complete yet). */
__attribute__((target("ssse3"))) static uint32_t ixgbe_rx_batch_ssse3(struct ixgbe_rx_queue *q,
									struct ixy_pkt_buf **bufs, uint32_t n)
{
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint16_t mask = q->mask;
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	const __m128i flag_tbl = _mm_loadu_si128((const __m128i *)flags);
	const uint32_t udp_tcpe_ignore = q->udp_tcpe_ignore;
	const __m128i tcpe_ignore = _mm_set1_epi32((int)udp_tcpe_ignore);
	const uint16_t id = q->id;
	uint32_t slot = q->next;
	n = rx_limit(q, n);
	struct ixy_pkt_buf *const *fresh_top = q->pool->free_bufs + q->pool->free_top - 1;

	__m128i len_or4 = _mm_setzero_si128();
	uint64_t hi_or = 0;
	uint32_t i = 0;
	while (i + 4 <= n && slot + 4 <= (uint32_t)mask + 1 &&
	       rx_four(ring, ring_bufs, slot, mask, fresh_top - i, &bufs[i], flag_tbl, tcpe_ignore, id, &len_or4)) {
		i += 4;
		slot = (slot + 4) & mask;
	}
	for (; i < n; i++) {
		if (!rx_one(ring, ring_bufs, slot, mask, fresh_top[-(ptrdiff_t)i], &bufs[i], flags,
			    udp_tcpe_ignore, id, &hi_or))
			break;
		slot = (slot + 1) & mask;
	}
	rx_finish(q, i, slot);
	len_or4 = _mm_or_si128(len_or4, _mm_srli_si128(len_or4, 8));
	len_or4 = _mm_or_si128(len_or4, _mm_srli_si128(len_or4, 4));
	uint32_t len_or = (uint32_t)_mm_cvtsi128_si32(len_or4) | ((uint32_t)(hi_or >> 32) & 0xffff);
	if (__builtin_expect(len_or >= q->len_fast, 0))
		i = rx_drop_oversized(q, bufs, i);
	return i;
}

/* The loop is chosen once, when the library is loaded: the 4-wide one
 * needs SSSE3 (PSHUFB), which every x86-64 CPU since Core 2 / Bulldozer
 * has; IXY_RX_SCALAR=1 in the environment forces the one-at-a-time loop
 * (to compare them, or to test it). Both give identical results. */
static bool rx_use_ssse3;

__attribute__((constructor)) static void rx_choose_loop(void)
{
	const char *force = getenv("IXY_RX_SCALAR");
	__builtin_cpu_init();
	rx_use_ssse3 = __builtin_cpu_supports("ssse3") && !(force && force[0] == '1');
}

uint32_t ixgbe_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	/* below four the 4-wide loop has nothing to do but cost its set-up
	 * (about 15 instructions per call, callgrind) */
	return rx_use_ssse3 && n >= 4 ? ixgbe_rx_batch_ssse3(q, bufs, n) : ixgbe_rx_batch_scalar(q, bufs, n);
}

/* Only the queue's thread writes the counter; update_stats reads it. */
static void count_tx_errors(struct ixgbe_tx_queue *q, uint32_t n)
{
	__atomic_store_n(&q->tx_errors, q->tx_errors + n, __ATOMIC_RELAXED);
}

/* The exact length check, out of line: only batches in which some frame
 * is at least ixy__tx_len_fast bytes come here (see below). Frames longer
 * than their buffer's data area or the port's largest frame would put
 * neighbouring memory on the wire: they are taken but not sent (freed,
 * counted in tx_errors), and the descriptors written for the batch, which
 * the NIC does not own yet, are closed up behind them. Returns how many
 * descriptors remain. */
__attribute__((noinline, cold)) static uint32_t tx_drop_oversized(struct ixgbe_tx_queue *q, uint16_t next,
								  uint32_t n)
{
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint16_t mask = q->mask;
	struct ixy_pkt_buf *bad[64];
	uint32_t kept = 0, nbad = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t from = (next + i) & mask, to = (next + kept) & mask;
		struct ixy_pkt_buf *b = q->bufs[from];
		if (b->len > b->buf_len || b->len > q->max_len) {
			bad[nbad++] = b;
			if (nbad == 64) {
				ixy_pkt_buf_free_batch(bad, nbad);
				count_tx_errors(q, nbad);
				nbad = 0;
			}
			continue;
		}
		if (to != from) {
			q->bufs[to] = b;
			_mm_store_si128((__m128i *)(uintptr_t)&ring[to],
					_mm_load_si128((const __m128i *)(uintptr_t)&ring[from]));
		}
		kept++;
	}
	ixy_pkt_buf_free_batch(bad, nbad);
	count_tx_errors(q, nbad);
	return kept;
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
	 * TDH means an empty ring). The lengths are ORed together on the
	 * way: if the result is below ixy__tx_len_fast, a power of two no
	 * larger than any buffer's data area or any port's largest frame,
	 * every frame is short enough and nothing else is checked; otherwise
	 * tx_drop_oversized checks each one exactly. The OR is paid for by
	 * computing the length and PAYLEN fields with one multiplication
	 * (len * (1 + 2^46)) instead of a shift and an add. */
	uint32_t room = (uint16_t)((clean - next - 1) & mask);
	if (n > room)
		n = room;
	uint64_t len_to_fields = 1 + (1ull << (IXGBE_TXD_PAYLEN_SHIFT + 32));
	__asm__("" : "+r"(len_to_fields));  /* keep the multiplication a multiplication */
	uint32_t len_or = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		uint32_t slot = (next + i) & mask;
		uint32_t len = b->len;
		len_or |= len;
		/* Advanced data descriptor (7.2.3.2.4): one buffer = one
		 * frame (EOP), CRC by the NIC (IFCS); PAYLEN in olinfo (the
		 * upper word; writing it also clears the old DD). RS is added
		 * below, per block. One 16-byte store per descriptor. */
		uint64_t cmd = (IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA) |
			       (uint64_t)len * len_to_fields;
		ring_bufs[slot] = b;
		_mm_store_si128((__m128i *)(uintptr_t)&ring[slot], _mm_set_epi64x((long long)cmd, (long long)b->data_phys));
	}
	uint32_t ndesc = n;
	if (__builtin_expect(len_or >= __atomic_load_n(&ixy__tx_len_fast, __ATOMIC_RELAXED), 0))
		ndesc = tx_drop_oversized(q, next, n);
	if (ndesc) {
		/* RS on every descriptor that ends a block (slot = 31 mod 32)
		 * among those just written; the NIC does not own them yet. */
		for (uint32_t k = (uint32_t)((TX_CLEAN_BATCH - 1 - next) & (TX_CLEAN_BATCH - 1)); k < ndesc;
		     k += TX_CLEAN_BATCH)
			ring[(next + k) & mask].read.cmd_type_len |= IXGBE_TXD_CMD_RS;
		q->next = (uint16_t)((next + ndesc) & mask);
		write_tail(q->tail, q->next);
	}
	return n;
}
