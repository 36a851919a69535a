/* The 8-wide AVX2 and 4-wide SSSE3 RX descriptor loops and the scalar loop
 * must agree exactly: same buffers handed out, the same metadata (every
 * byte of each buffer's line: lengths, RSS hashes, offload flags, queue
 * ids, ...), re-armed descriptors, pool top, next index and tail, for
 * random write-back descriptors (random status and error bits, RSS types,
 * the UDP/TCPE erratum case, DD runs that end anywhere, batch sizes 1..40,
 * ring positions near the wrap). The driver file is included to reach its
 * two static loops; nothing else from the library is linked from it. */
#include "drivers/ixgbe_rx.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#define RING 64
#define NBUF 256
#define BUF_LEN 2048

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct world {
	union ixgbe_rx_desc ring[RING] __attribute__((aligned(16)));
	struct ixy_pkt_buf bufs[NBUF];
	struct ixy_pkt_buf *ring_bufs[RING + IXGBE_RX_BUFS_PAD];
	struct ixy_pkt_buf *stack[NBUF];
	struct ixy_pkt_buf *out[64];
	struct ixy_mempool pool;
	struct ixgbe_rx_queue q;
	uint32_t tail;
};

static void setup(struct world *w, uint64_t seed, uint32_t *n, uint16_t *ol_mask)
{
	memset(w, 0, sizeof(*w));
	rng = seed * 2654435761u + 1;
	for (int i = 0; i < NBUF; i++) {
		w->bufs[i].data_phys = 0x100000ull * (uint64_t)(i + 1);
		w->bufs[i].idx = (uint32_t)i;
		w->bufs[i].len = 0xdead;
		w->bufs[i].data_off = 64;
		w->bufs[i].buf_len = BUF_LEN;
		w->bufs[i].pool = &w->pool;
	}
	for (int i = 0; i < RING; i++)
		w->ring_bufs[i] = &w->bufs[i];
	uint32_t nfree = (uint32_t)(rnd() % 80);
	for (uint32_t i = 0; i < nfree; i++)
		w->stack[i] = &w->bufs[RING + i];
	w->pool.free_top = nfree;
	w->pool.free_bufs = w->stack;
	w->pool.num_entries = NBUF;
	w->pool.buf_len = BUF_LEN;
	uint32_t next = (uint32_t)(rnd() % RING);
	uint32_t done = (uint32_t)(rnd() % RING);
	for (uint32_t k = 0; k < RING; k++) {
		uint32_t s = (next + k) % RING;
		uint64_t lo = rnd(), hi = rnd();
		hi &= ~(uint64_t)IXGBE_RXD_STAT_DD;
		if (k < done)
			hi |= IXGBE_RXD_STAT_DD;
		if (rnd() % 4 == 0)   /* make the erratum case frequent */
			hi |= IXGBE_RXD_ERR_TCPE, lo |= IXGBE_RXD_PKTTYPE_UDP;
		if (rnd() % 3 == 0)
			lo &= ~(uint64_t)IXGBE_RXD_RSSTYPE_MASK;
		/* lengths: mostly within the buffer (full-size ones included),
		 * now and then beyond it, as only a broken device writes */
		uint64_t len = rnd() % 8 ? rnd() % (BUF_LEN + 1) : rnd() & 0xffff;
		hi = (hi & ~(0xffffull << 32)) | len << 32;
		memcpy(&w->ring[s], &lo, 8);
		memcpy((uint8_t *)&w->ring[s] + 8, &hi, 8);
	}
	*n = 1 + (uint32_t)(rnd() % 40);
	*ol_mask = rnd() % 2 ? (IXY_PKT_RX_IP_CKSUM_GOOD | IXY_PKT_RX_RSS_HASH) : IXY_PKT_RX_RSS_HASH;
	w->q.ring = w->ring;
	w->q.tail = &w->tail;
	w->q.bufs = w->ring_bufs;
	w->q.pool = &w->pool;
	w->q.mask = RING - 1;
	w->q.next = (uint16_t)next;
	w->q.ol_mask = *ol_mask;
	w->q.id = (uint16_t)(rnd() % 16);
	w->q.size = RING;
	w->q.udp_tcpe_ignore = rnd() % 2 ? (IXGBE_RXD_STAT_L4CS | IXGBE_RXD_ERR_TCPE) : 0;
	/* as ixgbe_init sets it, or 0: every batch checked frame by frame */
	w->q.len_fast = rnd() % 4 ? BUF_LEN : 0;
	ixgbe_rx_queue_tables(&w->q, &w->bufs[0]);   /* as ixgbe_init */
}

/* a's and b's results are the same (b's buffers are the same ones, by index) */
static void assert_same(struct world *a, uint32_t ga, struct world *b, uint32_t gb)
{
	assert_int_equal(ga, gb);
	assert_int_equal(a->q.next, b->q.next);
	assert_int_equal(a->tail, b->tail);
	assert_int_equal(a->pool.free_top, b->pool.free_top);
	assert_int_equal(a->q.rx_errors, b->q.rx_errors);
	for (uint32_t i = 0; i < ga; i++) {
		struct ixy_pkt_buf *x = a->out[i], *y = b->out[i];
		assert_true(x->len <= BUF_LEN);   /* never past the buffer */
		assert_int_equal(x->idx, y->idx);
		assert_int_equal(x->len, y->len);
		assert_int_equal(x->rss_hash, y->rss_hash);
		assert_int_equal(x->ol_flags, y->ol_flags);
		assert_int_equal(x->queue, y->queue);
		assert_int_equal(x->data_off, 64);
		assert_int_equal(x->buf_len, BUF_LEN);
	}
	/* every buffer's line, handed out or not (pool differs: a's or b's) */
	for (int k = 0; k < NBUF; k++) {
		struct ixy_pkt_buf x = a->bufs[k], y = b->bufs[k];
		x.pool = y.pool = NULL;
		assert_memory_equal(&x, &y, sizeof(x));
	}
	assert_memory_equal(a->ring, b->ring, sizeof(a->ring));
	for (int i = 0; i < RING; i++)
		assert_int_equal(a->ring_bufs[i]->idx, b->ring_bufs[i]->idx);
	for (int i = RING; i < RING + IXGBE_RX_BUFS_PAD; i++)
		assert_null(b->ring_bufs[i]);
}

static void test_vector_equals_scalar(void **state)
{
	(void)state;
	static struct world a, b, c;
	unsigned ssse3_batches = 0, avx2_batches = 0;
	uint64_t refused = 0;

	if (!__builtin_cpu_supports("ssse3")) {
		print_message("no SSSE3 on this CPU: the scalar loop is the only one\n");
		skip();
	}
	bool avx2 = __builtin_cpu_supports("avx2");
	if (!avx2)
		print_message("no AVX2 on this CPU: the 8-wide loop is not compared\n");
	for (uint64_t seed = 1; seed <= 200000; seed++) {
		uint32_t n, n2;
		uint16_t m;
		setup(&a, seed, &n, &m);
		setup(&b, seed, &n2, &m);
		uint32_t ga = ixgbe_rx_batch_scalar(NULL, &a.q, a.out, n);
		uint32_t gb = ixgbe_rx_batch_ssse3(NULL, &b.q, b.out, n);
		ssse3_batches += gb >= 4;
		assert_same(&a, ga, &b, gb);
		refused += a.q.rx_errors;
		if (avx2) {
			setup(&c, seed, &n2, &m);
			uint32_t gc = ixgbe_rx_batch_avx2(NULL, &c.q, c.out, n);
			avx2_batches += gc >= 8;
			assert_same(&a, ga, &c, gc);
		}
	}
	print_message("200000 random batches identical (%u with >= 4 frames, %u with >= 8 through AVX2, %llu "
		      "write-backs beyond the buffer refused)\n", ssse3_batches, avx2_batches,
		      (unsigned long long)refused);
	assert_true(ssse3_batches > 10000);   /* the vector loops really ran */
	assert_true(!avx2 || avx2_batches > 5000);
	assert_true(refused > 1000);          /* and the length check did */
}

/* A call for one frame takes ixgbe_rx_one (or, for a length at or beyond
 * len_fast, the loop): the same as the loop given n = 1. */
static void test_one_equals_loop(void **state)
{
	(void)state;
	static struct world a, d;
	unsigned got = 0;
	for (uint64_t seed = 1; seed <= 100000; seed++) {
		uint32_t n;
		uint16_t m;
		setup(&a, seed, &n, &m);
		setup(&d, seed, &n, &m);
		uint32_t ga = ixgbe_rx_batch_scalar(NULL, &a.q, a.out, 1);
		uint32_t gd = ixgbe_rx_one(&d.q, d.out);
		got += gd;
		assert_same(&a, ga, &d, gd);
	}
	print_message("100000 random rings: one-frame path identical to the loop (%u frames)\n", got);
	assert_true(got > 50000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_equals_scalar),
		cmocka_unit_test(test_one_equals_loop),
	};
	return cmocka_run_group_tests_name("ixgbe_rx_vector", tests, NULL, NULL);
}
