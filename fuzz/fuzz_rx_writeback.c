/* Fuzz target: the RX write-back -> packet metadata path of the ixgbe
 * driver (src/drivers/ixgbe_rx.c), the part of the driver that trusts
 * what the NIC wrote into a descriptor.
 *
 * The driver file is included (as tests/test_ixgbe_rx_vector.c does) to
 * reach all RX loops, the 8-wide AVX2, the 4-wide SSSE3 and the scalar one
 * and the one-frame path, on a
 * hand-built ring: the input is the write-back contents of the
 * descriptors (status, errors, length, VLAN, packet type, RSS hash),
 * placed from the driver's next position on, plus the ring position, the
 * number of free buffers and the batch size. Every buffer is its own heap
 * block of exactly metadata + data area, so ASan sees a read past the
 * data area.
 *
 * Each handed-out frame is then read over its whole length, as any
 * application reads a frame, and checked against what the descriptor said:
 * the buffer that was in that slot, length within the buffer, RSS hash,
 * offload flags (computed here independently from the status and error
 * bits), queue id; the slot re-armed with a fresh buffer, the pool and the
 * tail register updated. All loops must give the same result. */
#include "drivers/ixgbe_rx.c"

#include "fuzz_util.h"

#define RING 64
#define NBUF (2 * RING + 32)
#define BUF_LEN 2048
#define HEADROOM 64		/* the metadata line sits in the headroom */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct world {
	union ixgbe_rx_desc ring[RING] __attribute__((aligned(16)));
	struct ixy_pkt_buf *bufs[NBUF];
	struct ixy_pkt_buf *ring_bufs[RING + IXGBE_RX_BUFS_PAD];
	struct ixy_pkt_buf *stack[NBUF];
	struct ixy_pkt_buf *out[2 * RING];
	struct ixy_mempool pool;
	struct ixgbe_rx_queue q;
	uint32_t tail;
	uint32_t got;
};

struct params {
	uint16_t ol_mask;
	uint32_t udp_tcpe_ignore;
	uint32_t next, nfree, n;
	uint32_t len_fast;	/* as ixgbe_init sets it (BUF_LEN), or 0: every batch checked */
};

static void setup(struct world *w, const struct params *p, const uint8_t *desc, size_t ndesc)
{
	for (int i = 0; i < NBUF; i++) {
		struct ixy_pkt_buf *b = aligned_alloc(64, HEADROOM + BUF_LEN);
		if (!b)
			fuzz_fail("out of memory");
		memset(b, 0, HEADROOM);
		b->data_phys = 0x100000ull * (uint64_t)(i + 1);
		b->pool = &w->pool;
		b->idx = (uint32_t)i;
		b->len = 0;
		b->data_off = HEADROOM;
		b->buf_len = BUF_LEN;
		memset((uint8_t *)b + HEADROOM, 0xa5, BUF_LEN);
		w->bufs[i] = b;
	}
	for (int i = 0; i < RING; i++)
		w->ring_bufs[i] = w->bufs[i];
	for (uint32_t i = 0; i < p->nfree; i++)
		w->stack[i] = w->bufs[RING + i];
	w->pool.free_top = p->nfree;
	w->pool.free_bufs = w->stack;
	w->pool.num_entries = NBUF;
	w->pool.buf_len = BUF_LEN;
	w->pool.headroom = HEADROOM;
	/* descriptors not given stay in read format: not done (DD clear) */
	memset(w->ring, 0, sizeof(w->ring));
	for (size_t k = 0; k < ndesc; k++)
		memcpy(&w->ring[(p->next + k) % RING], desc + 16 * k, 16);
	memset(&w->q, 0, sizeof(w->q));
	w->q.ring = w->ring;
	w->q.tail = &w->tail;
	w->q.bufs = w->ring_bufs;
	w->q.pool = &w->pool;
	w->q.mask = RING - 1;
	w->q.next = p->next;
	w->q.ol_mask = p->ol_mask;
	w->q.id = 3;
	w->q.size = RING;
	w->q.udp_tcpe_ignore = p->udp_tcpe_ignore;
	w->q.len_fast = p->len_fast;
	ixgbe_rx_queue_tables(&w->q, w->bufs[0]);   /* as ixgbe_init */
	w->tail = 0;
	w->got = 0;
}

static void teardown(struct world *w)
{
	for (int i = 0; i < NBUF; i++)
		free(w->bufs[i]);
}

/* The offload flags a descriptor must give, from the datasheet's bits
 * (7.1.6.2), written out independently of the driver's tables. */
static uint16_t want_flags(const struct params *p, uint64_t lo, uint64_t hi)
{
	uint32_t status = (uint32_t)hi, info = (uint32_t)lo;
	uint16_t f = 0;
	if (info & IXGBE_RXD_RSSTYPE_MASK)
		f |= IXY_PKT_RX_RSS_HASH;
	if (!(p->ol_mask & IXY_PKT_RX_IP_CKSUM_GOOD))
		return f;
	bool l4_checked = status & IXGBE_RXD_STAT_L4CS, l4_err = status & IXGBE_RXD_ERR_TCPE;
	if (l4_err && (info & IXGBE_RXD_PKTTYPE_UDP) && p->udp_tcpe_ignore)
		l4_checked = l4_err = false;	/* the UDP zero-checksum erratum: no verdict */
	if (status & IXGBE_RXD_STAT_IPCS)
		f |= status & IXGBE_RXD_ERR_IPE ? IXY_PKT_RX_IP_CKSUM_BAD : IXY_PKT_RX_IP_CKSUM_GOOD;
	if (l4_checked)
		f |= l4_err ? IXY_PKT_RX_L4_CKSUM_BAD : IXY_PKT_RX_L4_CKSUM_GOOD;
	return f;
}

/* Two batches, as an application polls; checks each frame as it comes.
 * A write-back whose length is beyond the buffer must not be handed out:
 * the driver gives its buffer back to the pool and counts an RX error. */
enum loop { SCALAR, SSSE3, AVX2, ONE };
static const char *const loop_name[] = { "scalar", "4-wide", "8-wide", "one-frame" };

static uint32_t rx(struct world *w, enum loop loop, struct ixy_pkt_buf **out, uint32_t n)
{
	switch (loop) {
	case SSSE3: return ixgbe_rx_batch_ssse3(NULL, &w->q, out, n);
	case AVX2: return ixgbe_rx_batch_avx2(NULL, &w->q, out, n);
	case ONE: return n == 1 ? ixgbe_rx_one(&w->q, out) : ixgbe_rx_batch_scalar(NULL, &w->q, out, n);
	default: return ixgbe_rx_batch_scalar(NULL, &w->q, out, n);
	}
}

static void run(struct world *w, const struct params *p, const union ixgbe_rx_desc *orig, enum loop loop)
{
	uint32_t slot = p->next, top = p->nfree;
	for (int batch = 0; batch < 2; batch++) {
		struct ixy_pkt_buf *before[RING], *stack[NBUF];
		memcpy(before, w->ring_bufs, sizeof(before));
		memcpy(stack, w->stack, sizeof(stack));
		uint64_t errors = w->q.rx_errors;
		uint32_t got = rx(w, loop, &w->out[w->got], p->n);
		uint32_t dropped = (uint32_t)(w->q.rx_errors - errors), taken = got + dropped;
		FUZZ_CHECK(taken <= p->n && taken <= top && taken <= RING - 1,
			   "%s loop: %u frames (+%u refused) from a batch of %u with %u free buffers",
			   loop_name[loop], got, dropped, p->n, top);
		uint32_t out = 0, refused = 0;
		for (uint32_t i = 0; i < taken; i++, slot = (slot + 1) % RING) {
			uint64_t lo, hi;
			memcpy(&lo, &orig[slot], 8);
			memcpy(&hi, (const uint8_t *)&orig[slot] + 8, 8);
			FUZZ_CHECK(hi & IXGBE_RXD_STAT_DD, "slot %u taken without DD", slot);
			/* re-armed: a fresh buffer's address, header address 0 (DD clear) */
			struct ixy_pkt_buf *fresh = w->ring_bufs[slot];
			uint64_t rlo, rhi;
			memcpy(&rlo, (const void *)&w->ring[slot], 8);
			memcpy(&rhi, (const uint8_t *)&w->ring[slot] + 8, 8);
			FUZZ_CHECK(fresh == stack[top - 1 - i] && rlo == fresh->data_phys && rhi == 0,
				   "slot %u not re-armed with the next free buffer", slot);
			if (((hi >> 32) & 0xffff) > BUF_LEN) {
				/* refused: back in the pool, above what is left of it */
				FUZZ_CHECK(w->stack[top - taken + refused] == before[slot],
					   "slot %u: the buffer of a write-back of %u bytes is not back in the pool", slot,
					   (unsigned)((hi >> 32) & 0xffff));
				refused++;
				continue;
			}
			FUZZ_CHECK(out < got, "slot %u: a frame that fits its buffer was not handed out", slot);
			struct ixy_pkt_buf *b = w->out[w->got + out++];
			FUZZ_CHECK(b == before[slot], "slot %u handed out buffer %u", slot, b->idx);
			/* what an application does with a frame: read all of it */
			const volatile uint8_t *d = ixy_pkt_data(b);
			uint32_t sum = 0;
			for (uint32_t k = 0; k < b->len; k++)
				sum += d[k];
			(void)sum;
			FUZZ_CHECK(b->len <= b->buf_len, "slot %u: frame of %u bytes in a %u-byte buffer", slot,
				   b->len, b->buf_len);
			FUZZ_CHECK(b->len == ((hi >> 32) & 0xffff), "slot %u: length %u, descriptor says %u", slot,
				   b->len, (unsigned)((hi >> 32) & 0xffff));
			FUZZ_CHECK(b->rss_hash == (uint32_t)(lo >> 32), "slot %u: wrong RSS hash", slot);
			FUZZ_CHECK(b->ol_flags == want_flags(p, lo, hi), "slot %u: offload flags 0x%x, expected 0x%x "
				   "(status 0x%08x, packet info 0x%08x)", slot, b->ol_flags, want_flags(p, lo, hi),
				   (uint32_t)hi, (uint32_t)lo);
			FUZZ_CHECK(b->queue == 3, "slot %u: queue %u", slot, b->queue);
			FUZZ_CHECK(b->idx < RING ? b->idx == slot : b->idx >= RING,
				   "slot %u handed out buffer %u", slot, b->idx);
		}
		FUZZ_CHECK(out == got && refused == dropped, "%u frames handed out of %u, %u refused of %u counted",
			   out, got, refused, dropped);
		top = top - taken + dropped;
		FUZZ_CHECK(w->pool.free_top == top, "pool top %u, expected %u", w->pool.free_top, top);
		FUZZ_CHECK(w->q.next == slot, "next %u, expected %u", w->q.next, slot);
		if (taken)
			FUZZ_CHECK(w->tail == (slot + RING - 1) % RING, "tail %u after next %u", w->tail, slot);
		w->got += got;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world a, b;
	if (size < 4)
		return 0;
	struct params p = {
		.ol_mask = data[0] & 1 ? (IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_RSS_HASH) : IXY_PKT_RX_RSS_HASH,
		.udp_tcpe_ignore = data[0] & 2 ? (IXGBE_RXD_STAT_L4CS | IXGBE_RXD_ERR_TCPE) : 0,
		.next = data[1] % RING,
		.nfree = data[2] % (NBUF - RING + 1),
		.n = 1 + data[3] % 64,
		.len_fast = data[0] & 4 ? 0 : BUF_LEN,
	};
	size_t ndesc = (size - 4) / 16;
	if (ndesc > RING)
		ndesc = RING;
	setup(&a, &p, data + 4, ndesc);
	union ixgbe_rx_desc orig[RING];
	memcpy(orig, a.ring, sizeof(orig));
	run(&a, &p, orig, SCALAR);
	/* the other loops this CPU can run, and a batch of one as
	 * ixgbe_rx_batch takes it: the same frames, flags, ring, errors */
	for (enum loop loop = SSSE3; loop <= ONE; loop++) {
		if ((loop == SSSE3 && !__builtin_cpu_supports("ssse3")) || (loop == AVX2 && !__builtin_cpu_supports("avx2")))
			continue;
		setup(&b, &p, data + 4, ndesc);
		run(&b, &p, orig, loop);
		FUZZ_CHECK(a.got == b.got, "scalar loop took %u frames, %s loop %u", a.got, loop_name[loop], b.got);
		for (uint32_t i = 0; i < a.got; i++)
			FUZZ_CHECK(a.out[i]->idx == b.out[i]->idx && a.out[i]->len == b.out[i]->len &&
				   a.out[i]->rss_hash == b.out[i]->rss_hash && a.out[i]->ol_flags == b.out[i]->ol_flags,
				   "frame %u differs between the scalar and the %s loop", i, loop_name[loop]);
		FUZZ_CHECK(memcmp(a.ring, b.ring, sizeof(a.ring)) == 0, "the scalar and the %s loop re-armed the ring "
			   "differently", loop_name[loop]);
		FUZZ_CHECK(a.q.rx_errors == b.q.rx_errors, "scalar loop refused %llu write-backs, %s loop %llu",
			   (unsigned long long)a.q.rx_errors, loop_name[loop], (unsigned long long)b.q.rx_errors);
		teardown(&b);
	}
	teardown(&a);
	return 0;
}
