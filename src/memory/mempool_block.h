/* Returning a block of buffers to their pool with AVX2 (internal).
 *
 * The TX path gets its buffers back TX_CLEAN_BATCH (32) at a time, and in
 * the usual case all of a block's buffers come from one single-thread pool.
 * ixy_pkt_buf_free_batch finds that out by reading each buffer's pool
 * pointer (one load and compare per buffer, on a line the NIC's DMA does not
 * touch and the cache may no longer hold). A buffer belongs to pool p
 * exactly when its address lies in p's memory, [p->base, p->base + p->span):
 * pools do not overlap. So four pointers at a time are tested against that
 * range with 256-bit compares, without touching the buffers, and pushed
 * onto the pool's stack as they are. Blocks that do not pass (buffers of
 * several pools, shared or checked pools) take ixy_pkt_buf_free_batch,
 * which returns each buffer to its own pool and counts double frees. */
#ifndef IXY_SRC_MEMORY_MEMPOOL_BLOCK_H
#define IXY_SRC_MEMORY_MEMPOOL_BLOCK_H

#include <immintrin.h>
#include <stdbool.h>

#include "ixy/mempool.h"

/* n: a multiple of 4, at most 32. Returns false, having done nothing, when
 * the block is not all of one unchecked single-thread pool. */
__attribute__((noinline, target("avx2"))) static bool ixy__pkt_buf_free_block_avx2(struct ixy_pkt_buf **blk,
										       uint32_t n)
{
	struct ixy_mempool *p = blk[0]->pool;
	if (p->slow || n % 4 || n > 32)
		return false;
	/* b - base < span, unsigned, as a signed compare: flipping bit 63 of
	 * both sides, (b - base) ^ 2^63 = b - (base - 2^63) */
	const __m256i lo = _mm256_set1_epi64x((long long)((uintptr_t)p->base - (1ull << 63)));
	const __m256i lim = _mm256_set1_epi64x((long long)(p->span - (1ull << 63)));
	__m256i v[8], in = _mm256_set1_epi64x(-1);
	for (uint32_t k = 0; k < n / 4; k++) {
		v[k] = _mm256_loadu_si256((const __m256i *)(blk + 4 * k));
		in = _mm256_and_si256(in, _mm256_cmpgt_epi64(lim, _mm256_sub_epi64(v[k], lo)));
	}
	if (!_mm256_testc_si256(in, _mm256_set1_epi64x(-1)))
		return false;
	uint32_t top = p->free_top;
	for (uint32_t k = 0; k < n / 4; k++)
		_mm256_storeu_si256((__m256i *)(p->free_bufs + top + 4 * k), v[k]);
	top += n;
	p->free_top = top;
	if (__builtin_expect(p->orphaned, 0) && top == p->num_entries)
		ixy__mempool_release_orphan(p);
	return true;
}

#endif
