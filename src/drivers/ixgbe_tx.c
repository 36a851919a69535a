/* The ixgbe data path, transmit side: batches of frames into the TX
 * descriptor ring, and the sent buffers back to their pools (ixgbe_rx.c
 * is the receive side and says what both sides rest on).
 *
 * Each data descriptor is two 8-byte stores straight from the integer
 * registers; RS only on the last descriptor of each block of
 * TX_CLEAN_BATCH, so one DD check frees a block, and the block goes back
 * to its pool 32 buffers at a time (mempool_block.h with AVX2). A call
 * for a single frame takes a straight-line path (ixgbe_tx_one). Frames
 * with offload requests take the loop of ixgbe_offload.c instead (a port
 * opened with tx_offload). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>

#include "drivers/ixgbe.h"
#include "drivers/ixgbe_datapath.h"
#include "memory/memory_internal.h"
#include "memory/mempool_block.h"

/* TX descriptors are reclaimed this many at a time. Only the last
 * descriptor of each block carries RS (report status), so the NIC writes
 * back one descriptor per block instead of every one (7.2.3.5.1: DD is
 * written for descriptors with RS set), and one DD check frees the block.
 * This holds only with TXDCTL.WTHRESH = 0 (ixgbe_init.c): with WTHRESH > 0
 * the NIC ignores RS and writes back every descriptor in bursts. */
#define TX_CLEAN_BATCH 32

/* Sent blocks go back through ixy__pkt_buf_free_block_avx2 with AVX2
 * (identical results: tests/test_mempool_block.c). */
static bool tx_free_avx2;

__attribute__((constructor)) static void choose_tx_free(void)
{
	tx_free_avx2 = ixgbe_use_avx2();
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
__attribute__((noinline, cold)) static uint32_t tx_drop_oversized(struct ixgbe_tx_queue *q, uint32_t next,
								  uint32_t n)
{
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint32_t mask = q->mask;
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

/* Write n data descriptors from slot next on and return the frames'
 * lengths ORed together (see ixgbe_tx_batch). ts: honour IEEE 1588
 * timestamp requests (ixy/ptp.h); a constant in each caller, so the loop
 * without it has no trace of the test. The slots up to the ring's end and
 * those from its start are two runs of tx_fill_run, so no index wraps
 * inside the loop. */
static inline __attribute__((always_inline)) uint32_t tx_fill_run(volatile union ixgbe_tx_desc *d,
								   struct ixy_pkt_buf **rb,
								   struct ixy_pkt_buf **bufs, uint32_t n, bool ts)
{
	uint64_t len_to_fields = 1 + (1ull << (IXGBE_TXD_PAYLEN_SHIFT + 32));
	__asm__("" : "+r"(len_to_fields));  /* keep the multiplication a multiplication */
	uint32_t len_or = 0;
#pragma GCC unroll 2
	for (uint32_t i = 0; i < n; i++, d++) {
		struct ixy_pkt_buf *b = bufs[i];
		uint32_t len = b->len;
		len_or |= len;
		/* Advanced data descriptor (7.2.3.2.4): one buffer = one
		 * frame (EOP), CRC by the NIC (IFCS); PAYLEN in olinfo (the
		 * upper word; writing it also clears the old DD). RS is added
		 * below, per block. Two 8-byte stores straight from the
		 * integer registers: the NIC reads the descriptor only after
		 * the tail write. */
		uint64_t cmd = (IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA) |
			       (uint64_t)len * len_to_fields;
		/* An IEEE 1588 timestamp request (ixy/ptp.h), consumed here;
		 * ol_flags shares the cache line with len. */
		if (ts && __builtin_expect(b->ol_flags & IXY_PKT_TX_TIMESTAMP, 0)) {
			cmd |= IXGBE_TXD_MAC_TSTAMP;
			b->ol_flags = (uint16_t)(b->ol_flags & ~IXY_PKT_TX_TIMESTAMP);
		}
		rb[i] = b;
		volatile uint64_t *w = (volatile uint64_t *)d;
		w[0] = b->data_phys;
		w[1] = cmd;
	}
	return len_or;
}

static inline __attribute__((always_inline)) uint32_t tx_fill(volatile union ixgbe_tx_desc *ring,
							       struct ixy_pkt_buf **ring_bufs,
							       struct ixy_pkt_buf **bufs, uint32_t n, uint32_t next,
							       uint32_t mask, bool ts)
{
	uint32_t run = (uint32_t)mask + 1 - next;
	if (__builtin_expect(n <= run, 1))
		return tx_fill_run(&ring[next], &ring_bufs[next], bufs, n, ts);
	return tx_fill_run(&ring[next], &ring_bufs[next], bufs, run, ts) |
	       tx_fill_run(ring, ring_bufs, bufs + run, n - run, ts);
}

/* Reclaim sent descriptors in whole blocks from clean on, while the block
 * there is done (its last descriptor, the one with RS, has DD). clean is
 * always a multiple of TX_CLEAN_BATCH and so is the ring size, so a block
 * never wraps and its buffers are contiguous in q->bufs. Out of line: it
 * runs once per TX_CLEAN_BATCH frames, and its registers would otherwise
 * be saved on every call. Returns the new clean. */
__attribute__((noinline)) static uint32_t ixgbe_tx_reclaim(struct ixgbe_tx_queue *q, uint32_t clean, uint32_t next)
{
	volatile union ixgbe_tx_desc *ring = q->ring;
	do {
		struct ixy_pkt_buf **blk = &q->bufs[clean];
		if (!(tx_free_avx2 && ixy__pkt_buf_free_block_avx2(blk, TX_CLEAN_BATCH)))
			ixy_pkt_buf_free_batch(blk, TX_CLEAN_BATCH);
		clean = (clean + TX_CLEAN_BATCH) & q->mask;
	} while (((next - clean) & q->mask) >= TX_CLEAN_BATCH &&
		 (ring[clean + TX_CLEAN_BATCH - 1].wb.status & IXGBE_TXD_STAT_DD));
	q->clean = clean;
	return clean;
}

/* A batch of one frame with no per-queue mode on (IEEE 1588), in the usual
 * case: no block to reclaim (once per TX_CLEAN_BATCH frames), room in the
 * ring, a length below ixy__tx_len_fast. Anything else takes
 * ixgbe_tx_burst, which does all of it. Straight-line, with nothing to
 * save: no call is made from here. */
static inline __attribute__((always_inline)) bool ixgbe_tx_one(struct ixgbe_tx_queue *q, struct ixy_pkt_buf **bufs)
{
	const uint32_t mask = q->mask, clean = q->clean, next = q->next;
	volatile union ixgbe_tx_desc *ring = q->ring;
	/* descriptors the NIC owns or that wait for reclaim; one slot stays
	 * empty, so the ring is full at mask of them */
	const uint32_t used = (next - clean) & mask;
	if (used >= TX_CLEAN_BATCH && (ring[clean + TX_CLEAN_BATCH - 1].wb.status & IXGBE_TXD_STAT_DD))
		return false;
	if (used == mask || bufs[0]->len >= __atomic_load_n(&ixy__tx_len_fast, __ATOMIC_RELAXED))
		return false;
	tx_fill_run(&ring[next], &q->bufs[next], bufs, 1, false);
	uint32_t end = next + 1;
	if (!(end & (TX_CLEAN_BATCH - 1)))     /* next ends a block */
		ring[next].read.cmd_type_len |= IXGBE_TXD_CMD_RS;
	end &= mask;
	q->next = end;
	write_tail(q->tail, end);
	return true;
}

/* A batch: reclaim, fill, check, publish. noinline: ixgbe_tx_batch jumps
 * here for anything but a plain single frame, without saving registers
 * first. */
RX_TX_NOIPA static uint32_t ixgbe_tx_burst(struct ixy_device *dev, struct ixgbe_tx_queue *q,
							  struct ixy_pkt_buf **bufs, uint32_t n)
{
	(void)dev;
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint32_t mask = q->mask;
	uint32_t clean = q->clean;
	const uint32_t next = q->next;

	/* 1. Reclaim: whenever a whole block is outstanding and done, at
	 * every call, so buffers go back to their pools at most one block
	 * behind the NIC (small pools, such as ixy-latency's, depend on it). */
	if (((next - clean) & mask) >= TX_CLEAN_BATCH &&
	    (ring[clean + TX_CLEAN_BATCH - 1].wb.status & IXGBE_TXD_STAT_DD))
		clean = ixgbe_tx_reclaim(q, clean, next);

	/* 2. Fill as many descriptors as are free (one stays empty: TDT ==
	 * TDH means an empty ring). The lengths are ORed together on the
	 * way: if the result is below ixy__tx_len_fast, a power of two no
	 * larger than any buffer's data area or any port's largest frame,
	 * every frame is short enough and nothing else is checked; otherwise
	 * tx_drop_oversized checks each one exactly. The OR is paid for by
	 * computing the length and PAYLEN fields with one multiplication
	 * (len * (1 + 2^46)) instead of a shift and an add. */
	uint32_t room = (clean - next - 1) & mask;
	if (n > room)
		n = room;
	/* Two instances of the fill loop: the one with the IEEE 1588 check
	 * per frame only while timestamping is on (ixy_ptp_enable), so the
	 * usual path pays one test per batch for it. */
	uint32_t len_or = __builtin_expect(__atomic_load_n(&q->ts, __ATOMIC_RELAXED), 0)
				  ? tx_fill(ring, q->bufs, bufs, n, next, mask, true)
				  : tx_fill(ring, q->bufs, bufs, n, next, mask, false);
	uint32_t ndesc = n;
	if (__builtin_expect(len_or >= __atomic_load_n(&ixy__tx_len_fast, __ATOMIC_RELAXED), 0))
		ndesc = tx_drop_oversized(q, next, n);
	if (ndesc) {
		/* RS on every descriptor that ends a block (slot = 31 mod 32)
		 * among those just written; the NIC does not own them yet. */
		for (uint32_t k = (uint32_t)((TX_CLEAN_BATCH - 1 - next) & (TX_CLEAN_BATCH - 1)); k < ndesc;
		     k += TX_CLEAN_BATCH)
			ring[(next + k) & mask].read.cmd_type_len |= IXGBE_TXD_CMD_RS;
		uint32_t end = (next + ndesc) & mask;
		q->next = end;
		write_tail(q->tail, end);
	}
	return n;
}

uint32_t ixgbe_tx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_tx_queue *q = &to_ixgbe(dev)->txq[queue];
	if (n == 1 && !__atomic_load_n(&q->ts, __ATOMIC_RELAXED) && ixgbe_tx_one(q, bufs))
		return 1;
	return ixgbe_tx_burst(dev, q, bufs, n);   /* dev: see RX_TX_NOIPA */
}
