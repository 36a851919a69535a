/* The TX path's shortcuts against its batch path, on random rings: a call
 * for one frame (ixgbe_tx_one, which hands anything unusual to
 * ixgbe_tx_burst) must leave exactly what ixgbe_tx_burst leaves for that
 * frame: descriptors, buffer slots, next/clean, tail, tx_errors, the pools'
 * stacks. The rings have blocks sent or not (DD on their last descriptor),
 * full rings, frames too long for the buffer or the port, buffers of two
 * pools; and with AVX2 the reclaim's block return (mempool_block.h) is
 * compared with the general free the same way. The driver file is included
 * to reach its static functions. */
#include "drivers/ixgbe_tx.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#define RING 128
#define NBUF 256                /* per pool */
#define BUF_LEN 2048
#define MAX_LEN 1514

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct world {
	union ixgbe_tx_desc ring[RING] __attribute__((aligned(16)));
	struct ixy_pkt_buf *ring_bufs[RING];
	struct ixy_pkt_buf bufs[2][NBUF];
	struct ixy_pkt_buf *stack[2][NBUF];
	struct ixy_mempool pool[2];
	struct ixgbe_tx_queue q;
	uint32_t tail;
};

static struct ixy_pkt_buf *pick(struct world *w, bool *used, bool mixed)
{
	uint32_t k, i;
	do {
		k = mixed ? (uint32_t)(rnd() % 2) : 0;
		i = (uint32_t)(rnd() % NBUF);
	} while (used[k * NBUF + i]);
	used[k * NBUF + i] = true;
	struct ixy_pkt_buf *b = &w->bufs[k][i];
	/* now and then too long for the port (1515..2048) or the buffer */
	uint32_t r = (uint32_t)(rnd() % 64);
	b->len = r == 0 ? MAX_LEN + 1 + (uint32_t)(rnd() % (BUF_LEN - MAX_LEN)) : r == 1 ? BUF_LEN + 1 : 60 + (uint32_t)(rnd() % 1455);
	return b;
}

/* A random ring state: clean on a block boundary, next anywhere after it
 * (full rings included), blocks done or not, two pools' buffers in it;
 * *frame: a buffer not in the ring. */
static void setup(struct world *w, uint64_t seed, struct ixy_pkt_buf **frame)
{
	memset(w, 0, sizeof(*w));
	rng = seed * 2654435761u + 7;
	bool mixed = rnd() % 4 == 0;
	for (int k = 0; k < 2; k++) {
		struct ixy_mempool *p = &w->pool[k];
		p->base = (uint8_t *)w->bufs[k];
		p->span = sizeof(w->bufs[k]);
		p->num_entries = NBUF;
		p->free_bufs = w->stack[k];
		p->buf_len = BUF_LEN;
		for (int i = 0; i < NBUF; i++) {
			w->bufs[k][i].pool = p;
			w->bufs[k][i].idx = (uint32_t)i;
			w->bufs[k][i].buf_len = BUF_LEN;
			w->bufs[k][i].data_phys = 0x100000ull * (uint64_t)(k * NBUF + i + 1);
		}
	}
	static bool used[2 * NBUF];
	memset(used, 0, sizeof(used));
	uint32_t clean = 32 * (uint32_t)(rnd() % (RING / 32));
	uint32_t out = (uint32_t)(rnd() % RING);          /* descriptors in flight: 0 .. RING - 1 (full) */
	if (rnd() % 8 == 0)
		out = RING - 1;
	for (uint32_t j = 0; j < out; j++) {
		uint32_t s = (clean + j) % RING;
		struct ixy_pkt_buf *b = pick(w, used, mixed);
		w->ring_bufs[s] = b;
		w->ring[s].read.buffer_addr = b->data_phys;
		w->ring[s].read.cmd_type_len = IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | b->len;
		w->ring[s].read.olinfo_status = b->len << IXGBE_TXD_PAYLEN_SHIFT;
	}
	/* the NIC is done with the first `done` blocks: DD on their last
	 * descriptor (it writes DD only where RS was) */
	uint32_t done = (uint32_t)(rnd() % (out / 32 + 1));
	for (uint32_t blk = 0; blk < done; blk++)
		w->ring[(clean + 32 * blk + 31) % RING].wb.status = IXGBE_TXD_STAT_DD;
	/* the rest of each pool is on its stack */
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < NBUF; i++)
			if (!used[k * NBUF + i])
				w->stack[k][w->pool[k].free_top++] = &w->bufs[k][i];
	/* the frame to send: out of the stack (allocated) */
	struct ixy_mempool *p = &w->pool[mixed && rnd() % 2];
	struct ixy_pkt_buf *b = p->free_bufs[--p->free_top];
	uint32_t r = (uint32_t)(rnd() % 16);
	b->len = r == 0 ? MAX_LEN + 1 : r == 1 ? BUF_LEN + 1 : 60 + (uint32_t)(rnd() % 1455);
	*frame = b;

	w->q.ring = w->ring;
	w->q.tail = &w->tail;
	w->q.bufs = w->ring_bufs;
	w->q.mask = RING - 1;
	w->q.size = RING;
	w->q.clean = clean;
	w->q.next = (clean + out) % RING;
	w->q.max_len = MAX_LEN;
}

static uint32_t idx_of(const struct world *w, const struct ixy_pkt_buf *b)
{
	return b ? (uint32_t)(b->pool - w->pool) * NBUF + b->idx + 1 : 0;
}

static void assert_same(const struct world *a, uint32_t ra, const struct world *b, uint32_t rb)
{
	assert_int_equal(ra, rb);
	assert_memory_equal(a->ring, b->ring, sizeof(a->ring));
	assert_int_equal(a->q.next, b->q.next);
	assert_int_equal(a->q.clean, b->q.clean);
	assert_int_equal(a->tail, b->tail);
	assert_int_equal(a->q.tx_errors, b->q.tx_errors);
	for (int s = 0; s < RING; s++)
		assert_int_equal(idx_of(a, a->ring_bufs[s]), idx_of(b, b->ring_bufs[s]));
	for (int k = 0; k < 2; k++) {
		assert_int_equal(a->pool[k].free_top, b->pool[k].free_top);
		for (uint32_t i = 0; i < a->pool[k].free_top; i++)
			assert_int_equal(idx_of(a, a->stack[k][i]), idx_of(b, b->stack[k][i]));
	}
}

static void test_one_equals_burst(void **state)
{
	(void)state;
	static struct world a, b;
	unsigned sent = 0, refused = 0, full = 0, reclaims = 0;
	/* as a pool of BUF_LEN and a port of MAX_LEN leave it */
	ixy__tx_len_fast = 1024;
	for (int avx2 = 0; avx2 < 2; avx2++) {
		if (avx2 && !__builtin_cpu_supports("avx2")) {
			print_message("no AVX2: the block return is not compared\n");
			break;
		}
		for (uint64_t seed = 1; seed <= 100000; seed++) {
			struct ixy_pkt_buf *fa, *fb;
			setup(&a, seed, &fa);
			setup(&b, seed, &fb);
			uint32_t clean0 = a.q.clean;
			/* a: the batch path with the general free; b: the
			 * one-frame path, with the block return when avx2 */
			tx_free_avx2 = false;
			uint32_t ra = ixgbe_tx_burst(NULL, &a.q, &fa, 1);
			tx_free_avx2 = avx2;
			uint32_t rb = ixgbe_tx_one(&b.q, &fb) ? 1 : ixgbe_tx_burst(NULL, &b.q, &fb, 1);
			assert_same(&a, ra, &b, rb);
			sent += ra && a.q.tx_errors == 0;
			refused += a.q.tx_errors != 0;
			full += ra == 0;
			reclaims += a.q.clean != clean0;
		}
	}
	tx_free_avx2 = false;
	print_message("200000 random rings: one-frame path identical to the batch path (%u sent, %u too long, %u "
		      "rings full, %u with blocks reclaimed)\n", sent, refused, full, reclaims);
	assert_true(sent > 100000 && refused > 1000 && full > 1000 && reclaims > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_equals_burst),
	};
	return cmocka_run_group_tests_name("ixgbe_tx_paths", tests, NULL, NULL);
}
