/* ixy__pkt_buf_free_block_avx2 (src/memory/mempool_block.h), the TX
 * reclaim's AVX2 return of a block of buffers, against the general
 * ixy_pkt_buf_free_batch: on random blocks from three pools (one spanning
 * several huge pages, so with padding between buffers), a block of one
 * unchecked single-thread pool must be taken and leave exactly the state the
 * general function leaves (same stack, same top); any other block (a buffer
 * of another pool anywhere in it, a checked pool) must be refused with
 * nothing changed, and the general function then does the job. Also the
 * edges of a pool's memory: its first and last buffer are in, a pointer one
 * byte before or at the end of its span is out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "memory/mempool_block.h"

static int need_hugepages(void **state)
{
	char path[256];
	(void)state;
	/* pools unchecked unless asked (a Debug build checks all by default) */
	setenv("IXY_MEMPOOL_CHECK", "0", 1);
	if (geteuid() != 0 || ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, path, sizeof(path)) < 0) {
		print_message("mempool tests need root and a 2 MiB hugetlbfs: %s\n", ixy_last_error());
		return -1;
	}
	return 0;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define NPOOL 3
static const uint32_t pool_size[NPOOL] = { 1200, 64, 96 };   /* the first: two pages */

static void need_avx2(void)
{
	if (!__builtin_cpu_supports("avx2")) {
		print_message("no AVX2 on this CPU: the block return is never taken\n");
		skip();
	}
}

static struct ixy_mempool *new_pool(uint32_t n, bool checked)
{
	struct ixy_mempool_opts o = { .num_entries = n, .numa_node = -1, .checked = checked };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	assert_non_null(p);
	return p;
}

/* The stack as buffer indices plus the pool's top, to compare two states. */
static void snapshot(const struct ixy_mempool *p, uint32_t *top, uint32_t *idx)
{
	*top = p->free_top;
	for (uint32_t i = 0; i < p->free_top; i++)
		idx[i] = p->free_bufs[i]->idx;
}

static void test_block_equals_general(void **state)
{
	(void)state;
	need_avx2();
	struct ixy_mempool *p[NPOOL];
	for (int k = 0; k < NPOOL; k++)
		p[k] = new_pool(pool_size[k], false);
	/* every buffer out, so blocks can be formed freely */
	struct ixy_pkt_buf **out[NPOOL];
	for (int k = 0; k < NPOOL; k++) {
		out[k] = calloc(pool_size[k], sizeof(*out[k]));
		assert_int_equal(ixy_pkt_buf_alloc_batch(p[k], out[k], pool_size[k]), pool_size[k]);
	}
	static uint32_t before[1200], after_gen[1200], after_blk[1200];
	unsigned taken = 0, refused = 0;
	for (int trial = 0; trial < 20000; trial++) {
		uint32_t n = 4 * (1 + (uint32_t)(rnd() % 8));
		int home = (int)(rnd() % NPOOL);
		struct ixy_pkt_buf *blk[32];
		bool mixed = rnd() % 3 == 0;
		for (uint32_t i = 0; i < n; i++) {
			int k = mixed && rnd() % 4 == 0 ? (int)(rnd() % NPOOL) : home;
			/* one of the pool's outstanding buffers (no double
			 * free; every pool has more than 32), often an edge */
			uint32_t j;
			do
				j = rnd() % 4 == 0 ? (rnd() % 2 ? 0 : pool_size[k] - 1) : (uint32_t)(rnd() % pool_size[k]);
			while (!out[k][j]);
			blk[i] = out[k][j];
			out[k][j] = NULL;
		}
		bool one_pool = true;
		for (uint32_t i = 0; i < n; i++)
			one_pool &= blk[i]->pool == blk[0]->pool;
		struct ixy_mempool *bp = blk[0]->pool;
		uint32_t top0, top1;
		snapshot(bp, &top0, before);

		bool took = ixy__pkt_buf_free_block_avx2(blk, n);
		assert_int_equal(took, one_pool);
		if (took) {
			taken++;
			snapshot(bp, &top1, after_blk);
			/* the same again through the general function */
			bp->free_top = top0;
			ixy_pkt_buf_free_batch(blk, n);
			snapshot(bp, &top0, after_gen);
			assert_int_equal(top0, top1);
			assert_memory_equal(after_gen, after_blk, top0 * sizeof(uint32_t));
		} else {
			refused++;
			snapshot(bp, &top1, after_blk);   /* nothing done */
			assert_int_equal(top0, top1);
			assert_memory_equal(before, after_blk, top0 * sizeof(uint32_t));
			ixy_pkt_buf_free_batch(blk, n);
		}
		/* take them out again for the next blocks */
		for (uint32_t i = 0; i < n; i++) {
			struct ixy_pkt_buf *b = blk[i];
			int k;
			for (k = 0; p[k] != b->pool; k++)
				;
			out[k][b->idx] = b;
		}
		for (int k = 0; k < NPOOL; k++) {
			struct ixy_pkt_buf *tmp[32];
			while (p[k]->free_top) {
				uint32_t got = ixy_pkt_buf_alloc_batch(p[k], tmp, 32);
				for (uint32_t i = 0; i < got; i++)
					assert_ptr_equal(out[k][tmp[i]->idx], tmp[i]);
			}
		}
	}
	print_message("20000 random blocks: %u taken as the general free leaves them, %u refused\n", taken, refused);
	assert_true(taken > 5000 && refused > 3000);
	for (int k = 0; k < NPOOL; k++) {
		for (uint32_t j = 0; j < pool_size[k]; j++)
			ixy_pkt_buf_free(out[k][j]);
		assert_int_equal(ixy_mempool_available(p[k]), pool_size[k]);
		free(out[k]);
		ixy_mempool_free(p[k]);
	}
}

static void test_edges_and_checked(void **state)
{
	(void)state;
	need_avx2();
	struct ixy_mempool *a = new_pool(64, false), *c = new_pool(64, true);
	struct ixy_pkt_buf *ba[64], *bc[64];
	assert_int_equal(ixy_pkt_buf_alloc_batch(a, ba, 64), 64);
	assert_int_equal(ixy_pkt_buf_alloc_batch(c, bc, 64), 64);

	/* first and last buffer of the pool: in */
	struct ixy_pkt_buf *blk[4] = { ixy_mempool_get(a, 0), ixy_mempool_get(a, 63), ixy_mempool_get(a, 1),
				       ixy_mempool_get(a, 62) };
	assert_true(ixy__pkt_buf_free_block_avx2(blk, 4));
	assert_int_equal(a->free_top, 4);
	assert_ptr_equal(a->free_bufs[1], ixy_mempool_get(a, 63));
	assert_int_equal(ixy_pkt_buf_alloc_batch(a, blk, 4), 4);

	/* one byte before the pool's memory, and its end: out (never
	 * dereferenced: the test is on the address alone) */
	struct ixy_pkt_buf *edge[2] = { (struct ixy_pkt_buf *)(void *)(a->base - 1),
					(struct ixy_pkt_buf *)(void *)(a->base + a->span) };
	for (int e = 0; e < 2; e++) {
		struct ixy_pkt_buf *b4[4] = { ixy_mempool_get(a, 5), ixy_mempool_get(a, 6), edge[e],
					      ixy_mempool_get(a, 7) };
		assert_false(ixy__pkt_buf_free_block_avx2(b4, 4));
		assert_int_equal(a->free_top, 0);
	}

	/* a checked pool: refused, the general free checks double frees */
	assert_false(ixy__pkt_buf_free_block_avx2(bc, 32));
	assert_int_equal(c->free_top, 0);
	ixy_pkt_buf_free_batch(bc, 64);
	assert_int_equal(ixy_mempool_available(c), 64);
	ixy_pkt_buf_free_batch(bc, 4);                     /* again: refused there */
	assert_int_equal(ixy_mempool_double_frees(c), 4);
	assert_int_equal(ixy_mempool_available(c), 64);

	ixy_pkt_buf_free_batch(ba, 64);
	ixy_mempool_free(a);
	ixy_mempool_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_equals_general),
		cmocka_unit_test(test_edges_and_checked),
	};
	return cmocka_run_group_tests_name("mempool_block", tests, need_hugepages, NULL);
}
