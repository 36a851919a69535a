/* The ixgbe data path, receive side: batches of frames out of the RX
 * descriptor ring (ixgbe_tx.c is the transmit side).
 *
 * Descriptor rings (82599 datasheet 7.1.9 receive, 7.2.3 transmit): the
 * NIC owns the descriptors from head (RDH/TDH, advanced by the NIC) up to
 * tail - 1 (RDT/TDT, written by us); we own the rest. Everything here
 * touches only DMA memory and one tail register per batch, written through
 * a pointer cached per queue. No locks, no indirect calls, one thread per
 * queue. x86 keeps stores in order, so a release store for the tail (a
 * compiler barrier there) is enough to publish the descriptors first.
 *
 * Cost per packet is the point of this file and of ixgbe_tx.c
 * (docs/performance.md has the figures and how they were measured): each
 * descriptor is read and written as whole 64/128-bit words, buffers come
 * straight off the mempool's stack, and the only per-packet branch is the
 * DD check that the protocol needs. RX takes eight descriptors per step
 * with AVX2, four with SSSE3 (one DD compare for all, the rest in vector
 * lanes; chosen once at load time), one at a time elsewhere. A call for a
 * single frame takes a straight-line path (ixgbe_rx_one). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>

#include "drivers/ixgbe.h"
#include "drivers/ixgbe_datapath.h"
#include "memory/memory_internal.h"

/* How far ahead the RX loop prefetches the metadata of the buffers whose
 * len/flags it is about to write (on hardware that line was last touched
 * when the buffer was put into the ring, one ring length ago). */
#define RX_PREFETCH 4

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

/* The index of a write-back's flags (into rx_flags_*): status bits 5, 6
 * (L4CS, IPCS) and 30, 31 (TCPE, IPE) become index bits 0..3 by one
 * multiplication with RX_IDX_MUL, x << 54 + x << 31: the first term puts
 * bits 5, 6 at 59, 60, the second bits 30, 31 at 61, 62; the rest of the
 * products lands below bit 55 or beyond bit 63, and no two set bits meet,
 * so nothing carries. Bit 4: (type + 15) & 16 is 16 exactly when the 4-bit
 * RSS type is not 0. rx_meta_offset gives the index times 16, the byte
 * offset of its q->meta16 entry (the shift stops four bits early). idx_mul
 * is q->idx_mul: not knowing it, the compiler keeps the multiplication (one
 * instruction reading it from memory) instead of making shifts and an add. */
#define RX_IDX_MUL ((1ull << 54) | (1ull << 31))

static inline uint32_t rx_meta_offset(uint32_t status, uint32_t pkt_info, uint64_t idx_mul)
{
	return (uint32_t)(((uint64_t)(status & 0xc0000060u) * idx_mul) >> 55) |
	       ((((pkt_info & IXGBE_RXD_RSSTYPE_MASK) + 15) << 4) & 256);
}

/* The per-queue table the one-at-a-time paths read: for each index, the
 * 16 metadata bytes from rss_hash on as a received buffer gets them
 * (q->meta16), so that with the descriptor's two words they are three
 * stores (rx_store_meta). Called by ixgbe_init once the queue's pool exists. */
void ixgbe_rx_queue_tables(struct ixgbe_rx_queue *q, const struct ixy_pkt_buf *any)
{
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	q->meta = (uint64_t)any->data_off << 16 | (uint64_t)any->buf_len << 32;
	q->idx_mul = RX_IDX_MUL;
	for (int i = 0; i < 32; i++) {
		q->meta16[i][0] = (uint64_t)flags[i] << 32 | (uint64_t)any->data_off << 48;  /* rss_hash: 0 */
		q->meta16[i][1] = any->buf_len | (uint64_t)q->id << 32;  /* state 0: handed out */
	}
}

/* RX writes the 20 bytes of metadata from len on: len, rss_hash,
 * ol_flags, data_off, buf_len, queue and state. data_off and buf_len are
 * rewritten with the values the queue's pool gave every buffer, so nothing
 * changes there; queue and state 0 mark the buffer handed out (checked
 * pools). The vector loops store the first 16 bytes at once and the last
 * four as ixy__pkt_buf_rx_out does; the one-at-a-time paths store 16 bytes
 * from rss_hash on out of q->meta16, then the descriptor's packet-info/RSS
 * word over bytes 0..7 and the length over bytes 0..3 (rx_store_meta). */
#define RX_META offsetof(struct ixy_pkt_buf, len)
_Static_assert(offsetof(struct ixy_pkt_buf, rss_hash) == RX_META + 4 &&
		       offsetof(struct ixy_pkt_buf, ol_flags) == RX_META + 8 &&
		       offsetof(struct ixy_pkt_buf, data_off) == RX_META + 10 &&
		       offsetof(struct ixy_pkt_buf, buf_len) == RX_META + 12 &&
		       offsetof(struct ixy_pkt_buf, queue) == RX_META + 16 &&
		       offsetof(struct ixy_pkt_buf, state) == RX_META + 18,
	       "the RX loops write len .. state as 20 contiguous bytes");

static inline __attribute__((always_inline)) void rx_store_meta(struct ixy_pkt_buf *b, const struct ixgbe_rx_queue *q,
								 uint32_t off, uint64_t lo, uint32_t len)
{
	uint8_t *m = (uint8_t *)b + RX_META;
	const __m128i *e = (const __m128i *)(const void *)((const uint8_t *)q->meta16 + off);
	_mm_storeu_si128((__m128i *)(uintptr_t)(m + 4), _mm_load_si128(e));
	memcpy(m, &lo, sizeof(lo));      /* packet info (overwritten next), RSS hash */
	memcpy(m, &len, sizeof(len));
}

/* One descriptor at slot: if the NIC is done with it, hand its buffer out
 * as *out, re-arm the slot with `fresh` and return true; else false.
 * Inlined into every RX loop below (the vector ones take it for what is
 * left after their wide steps). */
static inline __attribute__((always_inline)) bool rx_one(volatile uint64_t *ring, struct ixy_pkt_buf **ring_bufs,
							  uint32_t slot, struct ixy_pkt_buf *fresh,
							  struct ixy_pkt_buf **out, const struct ixgbe_rx_queue *q,
							  uint64_t *hi_or)
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
	__builtin_prefetch(ring_bufs[slot + RX_PREFETCH], 1);   /* past the ring's end: a NULL of the pad */

	/* Frames never span descriptors: MAXFRS <= buffer size (see init),
	 * so EOP is always set. The length is trusted here and checked per
	 * batch: the status words are ORed (one instruction), and a batch
	 * whose length bits reach q->len_fast is checked frame by frame
	 * (rx_drop_oversized). */
	*hi_or |= hi;
	uint32_t status = (uint32_t)hi;
	/* 82599 erratum (as Linux handles it): a UDP frame without a
	 * checksum (0) may be flagged TCPE. TCPE on UDP is then no verdict at
	 * all: report neither good nor bad. Taken only for frames with an L4
	 * error, so it costs nothing otherwise. */
	if (__builtin_expect((status & IXGBE_RXD_ERR_TCPE) && ((uint32_t)lo & IXGBE_RXD_PKTTYPE_UDP), 0))
		status &= ~q->udp_tcpe_ignore;
	rx_store_meta(b, q, rx_meta_offset(status, (uint32_t)lo, q->idx_mul), lo, (uint32_t)(hi >> 32) & 0xffff);
	*out = b;

	/* Re-arm: read format, header address 0 (clears DD), one 16-byte
	 * store. (The NIC reads it only after the tail write.) */
	ring_bufs[slot] = fresh;
	_mm_store_si128((__m128i *)(uintptr_t)desc, _mm_cvtsi64_si128((long long)fresh->data_phys));
	return true;
}

/* The constants of the vector steps, as one table in memory (rx_four
 * reads the first half of each): each is used
 * once per step, so a memory operand is the cheapest form. The step reads
 * them through a pointer the compiler cannot see through (rx8_consts):
 * knowing the values, GCC 12 rebuilds each from immediates in every step
 * (three instructions instead of none). */
#define RX8_CONST(v) { v, v, v, v, v, v, v, v }
static const struct {
	uint32_t dd[8], len[8], tcpe[8], udp[8], b0_1[8], b2_3[8], rsstype[8], fifteen[8], sixteen[8];
} rx8_c __attribute__((aligned(32))) = {
	RX8_CONST(IXGBE_RXD_STAT_DD), RX8_CONST(0xffff), RX8_CONST(IXGBE_RXD_ERR_TCPE),
	RX8_CONST(IXGBE_RXD_PKTTYPE_UDP), RX8_CONST(3), RX8_CONST(0xc), RX8_CONST(IXGBE_RXD_RSSTYPE_MASK),
	RX8_CONST(15), RX8_CONST(16),
};
typedef __typeof__(rx8_c) rx8_consts_t;
static inline const rx8_consts_t *rx8_consts(void)
{
	const rx8_consts_t *c = &rx8_c;
	__asm__("" : "+r"(c));
	return c;
}
#define RX8(name) _mm256_load_si256((const __m256i *)c->name)
#define RX4(name) _mm_load_si128((const __m128i *)c->name)

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
 * four lanes at a time: the offload flags come from one 16-entry byte-table
 * lookup (PSHUFB, SSSE3) of the index rx_one uses: flags[idx] ==
 * flags[idx & 15] | (idx & 16) in both tables, as IXY_PKT_RX_RSS_HASH is
 * 16; length, RSS hash, flags and q->meta are transposed into each
 * buffer's 16 metadata bytes (rx_one's two words), one store each. */
static inline __attribute__((always_inline, target("ssse3"))) bool
rx_four(volatile uint64_t *ring, struct ixy_pkt_buf **ring_bufs, uint32_t slot,
	struct ixy_pkt_buf *const *fresh, struct ixy_pkt_buf **out, __m128i flag_tbl, __m128i tcpe_ignore,
	__m128i meta, uint16_t id, __m128i *len_or, const rx8_consts_t *c)
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
	len = _mm_and_si128(len, RX4(len));   /* drop the VLAN tag */
	*len_or = _mm_or_si128(*len_or, len);                /* checked per batch, as in rx_one */

	/* the UDP/TCPE erratum, as in rx_one, for the lanes that have both */
	__m128i hit = _mm_and_si128(_mm_cmpeq_epi32(_mm_and_si128(status, RX4(tcpe)), RX4(tcpe)),
				    _mm_cmpeq_epi32(_mm_and_si128(info, RX4(udp)), RX4(udp)));
	status = _mm_andnot_si128(_mm_and_si128(hit, tcpe_ignore), status);
	/* the flag index (rx_meta_offset / 16) for four lanes */
	__m128i idx = _mm_or_si128(_mm_and_si128(_mm_srli_epi32(status, 5), RX4(b0_1)),
				   _mm_and_si128(_mm_srli_epi32(status, 28), RX4(b2_3)));
	__m128i rss_on = _mm_and_si128(_mm_add_epi32(_mm_and_si128(info, RX4(rsstype)), RX4(fifteen)), RX4(sixteen));
	/* the index's bytes 1..3 are 0 and so look up flag_tbl[0] = 0 */
	__m128i fl = _mm_or_si128(_mm_shuffle_epi8(flag_tbl, idx), rss_on);

	/* (len, rss_hash, ol_flags | data_off << 16, buf_len) per buffer,
	 * then (queue, handed out) */
	__m128i lr01 = _mm_unpacklo_epi32(len, rss), lr23 = _mm_unpackhi_epi32(len, rss);
	__m128i fm01 = _mm_or_si128(_mm_unpacklo_epi32(fl, _mm_setzero_si128()), meta);
	__m128i fm23 = _mm_or_si128(_mm_unpackhi_epi32(fl, _mm_setzero_si128()), meta);
	struct ixy_pkt_buf **rb = &ring_bufs[slot];
#define RX_OUT(k, v)                                                                                   \
	do {                                                                                           \
		struct ixy_pkt_buf *b_ = rb[k];                                                        \
		_mm_storeu_si128((__m128i *)(uintptr_t)((uint8_t *)b_ + RX_META), (v)); /* 4-aligned */ \
		ixy__pkt_buf_rx_out(b_, id);                                                           \
	} while (0)
	RX_OUT(0, _mm_unpacklo_epi64(lr01, fm01));
	RX_OUT(1, _mm_unpackhi_epi64(lr01, fm01));
	RX_OUT(2, _mm_unpacklo_epi64(lr23, fm23));
	RX_OUT(3, _mm_unpackhi_epi64(lr23, fm23));
#undef RX_OUT
	_mm_storeu_si128((__m128i *)out, _mm_loadu_si128((const __m128i *)rb));
	_mm_storeu_si128((__m128i *)(out + 2), _mm_loadu_si128((const __m128i *)(rb + 2)));
	for (int k = 0; k < 4; k++)   /* past the ring's end: NULLs of the pad */
		__builtin_prefetch(rb[RX_PREFETCH + k], 1);

	/* Re-arm, one 16-byte store per descriptor as in rx_one. */
	__m128i *dd = (__m128i *)(uintptr_t)d;
	for (int k = 0; k < 4; k++) {
		struct ixy_pkt_buf *f = fresh[-k];
		rb[k] = f;
		_mm_store_si128(dd + k, _mm_cvtsi64_si128((long long)f->data_phys));
	}
	return true;
}

/* Eight descriptors at slot..slot+7 (not wrapping), all or nothing, as
 * rx_four (AVX2). Each 32-byte load holds two descriptors; first only
 * their status words are used (each an aligned quadword, which the CPU
 * reads whole), all eight DD bits tested with one VPTEST; after the acquire
 * fence the descriptors are loaded again for the other words. The lanes
 * come in the order 0 2 4 6 | 1 3 5 7 (the 256-bit unpacks work per 128-bit
 * half), which the transpose at the end undoes: each 16-byte half of m01,
 * m23, m45, m67 is one buffer's metadata. The buffer pointers move between
 * the ring, the pool's stack and out[] four at a time. The next eight
 * buffers' metadata lines are prefetched: ring_bufs has
 * IXGBE_RX_BUFS_PAD NULL entries past the ring's end for the last group
 * (a prefetch of NULL is a no-op). */
static inline __attribute__((always_inline, target("avx2"))) bool
rx_eight(volatile uint64_t *ring, struct ixy_pkt_buf **ring_bufs, uint32_t slot, struct ixy_pkt_buf *const *fresh,
	 struct ixy_pkt_buf **out, __m256i flag_tbl, __m256i tcpe_ignore, __m256i meta, uint16_t id,
	 __m256i *len_or, const rx8_consts_t *c)
{
	const __m256i *d = (const __m256i *)(uintptr_t)&ring[2 * slot];
	struct ixy_pkt_buf **rb = &ring_bufs[slot];
	__m256i h01 = _mm256_unpackhi_epi64(_mm256_loadu_si256(d + 0), _mm256_loadu_si256(d + 1));
	__m256i h23 = _mm256_unpackhi_epi64(_mm256_loadu_si256(d + 2), _mm256_loadu_si256(d + 3));
	__m256i status = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(h01), _mm256_castsi256_ps(h23),
							       _MM_SHUFFLE(2, 0, 2, 0)));
	if (!_mm256_testc_si256(status, RX8(dd)))
		return false;
	atomic_thread_fence(memory_order_acquire);
	__m256i l01 = _mm256_unpacklo_epi64(_mm256_loadu_si256(d + 0), _mm256_loadu_si256(d + 1));
	__m256i l23 = _mm256_unpacklo_epi64(_mm256_loadu_si256(d + 2), _mm256_loadu_si256(d + 3));
	__m256i info = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(l01), _mm256_castsi256_ps(l23),
							     _MM_SHUFFLE(2, 0, 2, 0)));
	__m256i rss = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(l01), _mm256_castsi256_ps(l23),
							    _MM_SHUFFLE(3, 1, 3, 1)));
	__m256i len = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(h01), _mm256_castsi256_ps(h23),
							    _MM_SHUFFLE(3, 1, 3, 1)));
	len = _mm256_and_si256(len, RX8(len));
	*len_or = _mm256_or_si256(*len_or, len);

	__m256i hit = _mm256_and_si256(_mm256_cmpeq_epi32(_mm256_and_si256(status, RX8(tcpe)), RX8(tcpe)),
				       _mm256_cmpeq_epi32(_mm256_and_si256(info, RX8(udp)), RX8(udp)));
	status = _mm256_andnot_si256(_mm256_and_si256(hit, tcpe_ignore), status);
	__m256i idx = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(status, 5), RX8(b0_1)),
				      _mm256_and_si256(_mm256_srli_epi32(status, 28), RX8(b2_3)));
	__m256i rss_on = _mm256_and_si256(_mm256_add_epi32(_mm256_and_si256(info, RX8(rsstype)), RX8(fifteen)),
					  RX8(sixteen));
	__m256i fl = _mm256_or_si256(_mm256_shuffle_epi8(flag_tbl, idx), rss_on);

	__m256i lr_lo = _mm256_unpacklo_epi32(len, rss), lr_hi = _mm256_unpackhi_epi32(len, rss);
	__m256i fm_lo = _mm256_or_si256(_mm256_unpacklo_epi32(fl, _mm256_setzero_si256()), meta);
	__m256i fm_hi = _mm256_or_si256(_mm256_unpackhi_epi32(fl, _mm256_setzero_si256()), meta);
	__m256i m01 = _mm256_unpacklo_epi64(lr_lo, fm_lo), m23 = _mm256_unpackhi_epi64(lr_lo, fm_lo);
	__m256i m45 = _mm256_unpacklo_epi64(lr_hi, fm_hi), m67 = _mm256_unpackhi_epi64(lr_hi, fm_hi);

	/* per buffer: its 16 metadata bytes, then (queue, handed out) */
#define RX_OUT(k, v)                                                                          \
	do {                                                                                  \
		struct ixy_pkt_buf *b_ = rb[k];                                               \
		_mm_storeu_si128((__m128i *)(uintptr_t)((uint8_t *)b_ + RX_META), (v));       \
		ixy__pkt_buf_rx_out(b_, id);                                                  \
	} while (0)
	RX_OUT(0, _mm256_castsi256_si128(m01));
	RX_OUT(1, _mm256_extracti128_si256(m01, 1));
	RX_OUT(2, _mm256_castsi256_si128(m23));
	RX_OUT(3, _mm256_extracti128_si256(m23, 1));
	RX_OUT(4, _mm256_castsi256_si128(m45));
	RX_OUT(5, _mm256_extracti128_si256(m45, 1));
	RX_OUT(6, _mm256_castsi256_si128(m67));
	RX_OUT(7, _mm256_extracti128_si256(m67, 1));
#undef RX_OUT
	_mm256_storeu_si256((__m256i *)out, _mm256_loadu_si256((const __m256i *)rb));
	_mm256_storeu_si256((__m256i *)(out + 4), _mm256_loadu_si256((const __m256i *)(rb + 4)));
	for (int k = 8; k < 16; k++)
		__builtin_prefetch(rb[k], 1);

	/* Re-arm with fresh[0], fresh[-1], ..., fresh[-7] (rx_one's order):
	 * the stack's pointers reversed into the ring, one 16-byte
	 * descriptor store each. */
	_mm256_storeu_si256((__m256i *)rb, _mm256_permute4x64_epi64(_mm256_loadu_si256((const __m256i *)(fresh - 3)),
								     _MM_SHUFFLE(0, 1, 2, 3)));
	_mm256_storeu_si256((__m256i *)(rb + 4), _mm256_permute4x64_epi64(
							 _mm256_loadu_si256((const __m256i *)(fresh - 7)), _MM_SHUFFLE(0, 1, 2, 3)));
	__m128i *dd = (__m128i *)(uintptr_t)d;
	for (int k = 0; k < 8; k++)
		_mm_store_si128(dd + k, _mm_cvtsi64_si128((long long)fresh[-k]->data_phys));
	return true;
}

/* What the RX loops share: how many descriptors to look at, at most. At
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
	q->next = slot;
	/* Give the refilled descriptors back, keeping one slot between tail
	 * and our next read position: RDT == RDH would mean "no descriptors"
	 * to the NIC (7.1.9). */
	write_tail(q->tail, (slot - 1) & q->mask);
}

/* The one-at-a-time loop: batches of two and three, and CPUs without
 * SSSE3. RX_TX_NOIPA, as the vector loops: ixgbe_rx_batch chooses and jumps,
 * without saving registers first. */
RX_TX_NOIPA static uint32_t ixgbe_rx_batch_scalar(struct ixy_device *dev, struct ixgbe_rx_queue *q,
								 struct ixy_pkt_buf **bufs, uint32_t n)
{
	(void)dev;
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;  /* two words per descriptor */
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	uint32_t slot = q->next;
	n = rx_limit(q, n);
	struct ixy_pkt_buf *const *fresh = q->pool->free_bufs + q->pool->free_top - 1;

	uint64_t hi_or = 0;
	struct ixy_pkt_buf **out = bufs, **end = bufs + n;
	for (; out != end; out++, fresh--) {
		if (!rx_one(ring, ring_bufs, slot, *fresh, out, q, &hi_or))
			break;
		slot = (slot + 1) & q->mask;
	}
	uint32_t i = (uint32_t)(out - bufs);
	rx_finish(q, i, slot);
	if (__builtin_expect(((uint32_t)(hi_or >> 32) & 0xffff) >= q->len_fast, 0))
		i = rx_drop_oversized(q, bufs, i);
	return i;
}

/* Four at a time while four are wanted and do not wrap around the ring's
 * end, then one at a time (the rest of the batch, the ring's end, or a
 * group of four that is not complete yet). */
RX_TX_NOIPA __attribute__((target("ssse3"))) static uint32_t ixgbe_rx_batch_ssse3(struct ixy_device *dev, struct ixgbe_rx_queue *q,
									struct ixy_pkt_buf **bufs, uint32_t n)
{
	(void)dev;
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint32_t mask = q->mask;
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	const __m128i flag_tbl = _mm_loadu_si128((const __m128i *)flags);
	const __m128i tcpe_ignore = _mm_set1_epi32((int)q->udp_tcpe_ignore);
	const __m128i meta2 = _mm_set1_epi64x((long long)q->meta);
	const rx8_consts_t *c = rx8_consts();
	const uint16_t id = q->id;
	uint32_t slot = q->next;
	n = rx_limit(q, n);
	struct ixy_pkt_buf *const *fresh_top = q->pool->free_bufs + q->pool->free_top - 1;

	__m128i len_or4 = _mm_setzero_si128();
	uint64_t hi_or = 0;
	uint32_t i = 0;
	while (i + 4 <= n && slot + 4 <= (uint32_t)mask + 1 &&
	       rx_four(ring, ring_bufs, slot, fresh_top - i, &bufs[i], flag_tbl, tcpe_ignore, meta2, id,
		       &len_or4, c)) {
		i += 4;
		slot = (slot + 4) & mask;
	}
	for (; i < n; i++) {
		if (!rx_one(ring, ring_bufs, slot, fresh_top[-(ptrdiff_t)i], &bufs[i], q, &hi_or))
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

/* Eight at a time, then four, then one, under the same conditions. */
RX_TX_NOIPA __attribute__((target("avx2"))) static uint32_t ixgbe_rx_batch_avx2(struct ixy_device *dev, struct ixgbe_rx_queue *q,
								      struct ixy_pkt_buf **bufs, uint32_t n)
{
	(void)dev;
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint32_t mask = q->mask;
	const uint8_t *flags = q->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD ? rx_flags_csum : rx_flags_rss_only;
	const __m128i flag_tbl = _mm_loadu_si128((const __m128i *)flags);
	const __m128i tcpe_ignore = _mm_set1_epi32((int)q->udp_tcpe_ignore);
	const __m128i meta2 = _mm_set1_epi64x((long long)q->meta);
	const rx8_consts_t *c = rx8_consts();
	const uint16_t id = q->id;
	uint32_t slot = q->next;
	n = rx_limit(q, n);
	struct ixy_pkt_buf *const *fresh_top = q->pool->free_bufs + q->pool->free_top - 1;

	__m256i len_or8 = _mm256_setzero_si256();
	__m128i len_or4 = _mm_setzero_si128();
	uint64_t hi_or = 0;
	uint32_t i = 0;
	if (n >= 8) {
		const __m256i flag_tbl8 = _mm256_broadcastsi128_si256(flag_tbl);
		const __m256i tcpe_ignore8 = _mm256_broadcastsi128_si256(tcpe_ignore);
		const __m256i meta8 = _mm256_broadcastsi128_si256(meta2);
		while (i + 8 <= n && slot + 8 <= (uint32_t)mask + 1 &&
		       rx_eight(ring, ring_bufs, slot, fresh_top - i, &bufs[i], flag_tbl8, tcpe_ignore8, meta8, id,
				&len_or8, c)) {
			i += 8;
			slot = (slot + 8) & mask;
		}
		len_or4 = _mm_or_si128(_mm256_castsi256_si128(len_or8), _mm256_extracti128_si256(len_or8, 1));
	}
	while (i + 4 <= n && slot + 4 <= (uint32_t)mask + 1 &&
	       rx_four(ring, ring_bufs, slot, fresh_top - i, &bufs[i], flag_tbl, tcpe_ignore, meta2, id,
		       &len_or4, c)) {
		i += 4;
		slot = (slot + 4) & mask;
	}
	for (; i < n; i++) {
		if (!rx_one(ring, ring_bufs, slot, fresh_top[-(ptrdiff_t)i], &bufs[i], q, &hi_or))
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

/* The loop is chosen once, when the library is loaded: 8-wide with AVX2
 * (Haswell / Excavator and later), 4-wide with SSSE3 (PSHUFB; every
 * x86-64 CPU since Core 2 / Bulldozer), else one at a time. In the
 * environment, IXY_RX_SCALAR=1 forces the one-at-a-time loop and
 * IXY_NO_AVX2=1 keeps off AVX2 (to compare them, or to test them). All give
 * identical results (tests/test_ixgbe_rx_vector.c). */
enum rx_loop { RX_SCALAR, RX_SSSE3, RX_AVX2 };
static enum rx_loop rx_loop;

__attribute__((constructor)) static void choose_rx_loop(void)
{
	const char *scalar = getenv("IXY_RX_SCALAR");
	bool avx2 = ixgbe_use_avx2();
	if (scalar && scalar[0] == '1')
		rx_loop = RX_SCALAR;
	else if (avx2)
		rx_loop = RX_AVX2;
	else if (__builtin_cpu_supports("ssse3"))
		rx_loop = RX_SSSE3;
	else
		rx_loop = RX_SCALAR;
}

/* A batch of one (request/response, latency probes): rx_one's steps for a
 * single descriptor, ordered so that few values are live at once (the
 * whole path fits in the registers a call may use freely, nothing is
 * saved). A length at or beyond q->len_fast takes the batch loop, which
 * checks it exactly. */
static inline __attribute__((always_inline)) uint32_t ixgbe_rx_one(struct ixgbe_rx_queue *q, struct ixy_pkt_buf **out)
{
	const uint32_t slot = q->next;
	volatile uint64_t *desc = (volatile uint64_t *)&q->ring[slot];
	uint64_t hi = desc[1];
	if (!(hi & IXGBE_RXD_STAT_DD) || !q->pool->free_top)
		return 0;
	uint32_t len = (uint32_t)(hi >> 32) & 0xffff;
	if (__builtin_expect(len >= q->len_fast, 0))
		return ixgbe_rx_batch_scalar(NULL, q, out, 1);
	atomic_thread_fence(memory_order_acquire);
	uint64_t lo = desc[0];

	/* hand the buffer out: its metadata, then out[0] */
	uint32_t status = (uint32_t)hi;
	if (__builtin_expect((status & IXGBE_RXD_ERR_TCPE) && ((uint32_t)lo & IXGBE_RXD_PKTTYPE_UDP), 0))
		status &= ~q->udp_tcpe_ignore;
	struct ixy_pkt_buf **rb = &q->bufs[slot];
	struct ixy_pkt_buf *b = *rb;
	rx_store_meta(b, q, rx_meta_offset(status, (uint32_t)lo, q->idx_mul), lo, len);
	*out = b;
	__builtin_prefetch(rb[RX_PREFETCH], 1);   /* past the ring's end: a NULL of the pad */

	/* re-arm the slot with the pool's top buffer */
	struct ixy_mempool *pool = q->pool;
	uint32_t top = pool->free_top - 1;
	struct ixy_pkt_buf *fresh = pool->free_bufs[top];
	pool->free_top = top;
	*rb = fresh;
	_mm_store_si128((__m128i *)(uintptr_t)desc, _mm_cvtsi64_si128((long long)fresh->data_phys));
	q->next = (slot + 1) & q->mask;
	write_tail(q->tail, slot);      /* the slot just re-armed, one behind next */
	return 1;
}

/* The loops above take the op's arguments (RX_TX_NOIPA). */
uint32_t ixgbe_rx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	if (n == 1)
		return ixgbe_rx_one(q, bufs);
	/* below four the vector loops have nothing to do but cost their
	 * set-up (about 15 instructions per call, callgrind) */
	if (n < 4 || rx_loop == RX_SCALAR)
		return ixgbe_rx_batch_scalar(dev, q, bufs, n);
	return rx_loop == RX_AVX2 ? ixgbe_rx_batch_avx2(dev, q, bufs, n) : ixgbe_rx_batch_ssse3(dev, q, bufs, n);
}
