/* Mempools: fixed-size packet buffers in DMA memory.
 *
 * Buffers never straddle a huge page, so a region need not be physically
 * contiguous: each buffer's data area is within one page and its physical
 * address is computed once here. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "memory/memory_internal.h"

#define NO_BUF UINT32_MAX
#define CACHE_LINE 64u

static uint32_t round_up(uint32_t v, uint32_t to) { return (v + to - 1) / to * to; }

uint32_t ixy__tx_len_fast = 1u << 31;

void ixy__tx_len_fast_lower(uint32_t limit)
{
	uint32_t p2 = 1;
	while (p2 <= limit / 2)
		p2 <<= 1;  /* the largest power of two <= limit */
	uint32_t cur = __atomic_load_n(&ixy__tx_len_fast, __ATOMIC_RELAXED);
	while (p2 < cur && !__atomic_compare_exchange_n(&ixy__tx_len_fast, &cur, p2, true, __ATOMIC_RELAXED,
							 __ATOMIC_RELAXED))
		;
}

/* Checked pools by default: env IXY_MEMPOOL_CHECK=1, or a library built
 * without NDEBUG (CMake Debug builds). */
static bool check_by_default(void)
{
	const char *env = getenv("IXY_MEMPOOL_CHECK");
	if (env)
		return strcmp(env, "1") == 0;
#ifdef NDEBUG
	return false;
#else
	return true;
#endif
}

struct ixy_mempool *ixy_mempool_create(const struct ixy_mempool_opts *opts)
{
	if (!opts || opts->num_entries == 0)
		return ixy_error_null(-EINVAL, "mempool: num_entries must be at least 1");
	uint32_t buf_len = opts->buf_len ? opts->buf_len : 2048;
	uint32_t headroom = round_up(opts->headroom ? opts->headroom : 64, CACHE_LINE);
	size_t page_size = ixy__resolve_page_size(opts->page_size, opts->hugetlbfs);
	if (buf_len > (1u << 20) || headroom > 4096)
		return ixy_error_null(-EINVAL, "mempool: buffer of %u bytes with %u headroom is too large", buf_len,
				      headroom);
	uint32_t entry_size = round_up((uint32_t)sizeof(struct ixy_pkt_buf) + headroom + buf_len, CACHE_LINE);
	if (entry_size > page_size)
		return ixy_error_null(-EINVAL, "mempool: a %u-byte buffer does not fit in one %zu-byte page",
				      entry_size, page_size);

	struct ixy_mempool *p = calloc(1, sizeof(*p));
	if (!p)
		return ixy_error_null(-ENOMEM, "mempool: out of memory");
	/* single-thread: a stack of buffer pointers; shared: index links */
	if (opts->shared)
		p->free_stack = malloc(sizeof(uint32_t) * opts->num_entries);
	else
		p->free_bufs = malloc(sizeof(struct ixy_pkt_buf *) * opts->num_entries);
	if (!p->free_stack && !p->free_bufs) {
		free(p);
		return ixy_error_null(-ENOMEM, "mempool: out of memory for %u entries", opts->num_entries);
	}
	p->entry_size = entry_size;
	p->per_page = (uint32_t)(page_size / entry_size);
	p->page_pad = (uint32_t)(page_size - (size_t)p->per_page * entry_size);
	p->num_entries = opts->num_entries;
	p->buf_len = buf_len;
	p->headroom = headroom;
	p->shared = opts->shared;
	ixy__tx_len_fast_lower(buf_len + 1);  /* lengths up to buf_len are fine */
	p->checked = opts->checked || check_by_default();
	p->slow = p->shared || p->checked;

	size_t npages = (opts->num_entries + p->per_page - 1) / p->per_page;
	struct ixy_dma_opts dopts = {
		.page_size = page_size, .numa_node = opts->numa_node, .hugetlbfs = opts->hugetlbfs,
	};
	p->region = ixy_dma_alloc(npages * page_size, &dopts);
	if (!p->region) {
		ixy_error_prefix("mempool of %u buffers", opts->num_entries);
		free(p->free_stack);
		free(p->free_bufs);
		free(p);
		return NULL;
	}
	p->base = ixy_dma_virt(p->region);
	p->span = (size_t)((uint8_t *)ixy__mempool_at(p, p->num_entries - 1) - p->base) + entry_size;

	for (uint32_t i = 0; i < p->num_entries; i++) {
		struct ixy_pkt_buf *b = ixy__mempool_at(p, i);
		b->pool = p;
		b->idx = i;
		b->data_off = (uint16_t)(sizeof(*b) + headroom);
		b->buf_len = buf_len;
		b->ol_flags = 0;
		b->data_phys = ixy_dma_virt_to_phys(p->region, ixy_pkt_data(b));
		b->state = IXY_PKT_BUF_FREE;
	}
	if (p->shared) {
		/* Linked free list 0 -> 1 -> ... -> n-1, head = 0 with tag 0. */
		for (uint32_t i = 0; i < p->num_entries; i++)
			p->free_stack[i] = i + 1 < p->num_entries ? i + 1 : NO_BUF;
		p->head = 0;
		p->free_top = p->num_entries;
	} else {
		/* Stack with buffer 0 on top, so buffers come out in address order. */
		for (uint32_t i = 0; i < p->num_entries; i++)
			p->free_bufs[i] = ixy__mempool_at(p, p->num_entries - 1 - i);
		p->free_top = p->num_entries;
	}
	return p;
}

static void destroy(struct ixy_mempool *pool)
{
	ixy_dma_free(pool->region);
	free(pool->free_stack);
	free(pool->free_bufs);
	free(pool);
}

void ixy_mempool_free(struct ixy_mempool *pool)
{
	if (!pool)
		return;
	if (pool->shared) {
		/* Publish "orphaned" before reading the count: a thread that
		 * returns the last buffer after this sees the flag. The count
		 * transition to num_entries happens exactly once, so exactly one
		 * side destroys the pool. */
		__atomic_store_n(&pool->orphaned, true, __ATOMIC_SEQ_CST);
		uint32_t avail = __atomic_load_n(&pool->free_top, __ATOMIC_SEQ_CST);
		if (avail == pool->num_entries &&
		    __atomic_compare_exchange_n(&pool->free_top, &avail, UINT32_MAX, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			destroy(pool);
		return;
	}
	if (pool->free_top == pool->num_entries)
		destroy(pool);
	else
		pool->orphaned = true;
}

void ixy__mempool_release_orphan(struct ixy_mempool *pool)
{
	destroy(pool);
}

/* The accessors: 0 / false / NULL with a message for a NULL pool. */
static bool no_pool(const struct ixy_mempool *pool, const char *fn)
{
	if (pool)
		return false;
	ixy_error(-EINVAL, "%s: pool is NULL", fn);
	return true;
}

uint32_t ixy_mempool_size(const struct ixy_mempool *pool)
{
	return no_pool(pool, "ixy_mempool_size") ? 0 : pool->num_entries;
}

uint32_t ixy_mempool_buf_len(const struct ixy_mempool *pool)
{
	return no_pool(pool, "ixy_mempool_buf_len") ? 0 : pool->buf_len;
}

bool ixy_mempool_is_shared(const struct ixy_mempool *pool)
{
	return no_pool(pool, "ixy_mempool_is_shared") ? false : pool->shared;
}

uint32_t ixy_mempool_available(const struct ixy_mempool *pool)
{
	if (no_pool(pool, "ixy_mempool_available"))
		return 0;
	return pool->shared ? __atomic_load_n(&pool->free_top, __ATOMIC_RELAXED) : pool->free_top;
}

struct ixy_pkt_buf *ixy_mempool_get(const struct ixy_mempool *pool, uint32_t idx)
{
	if (no_pool(pool, "ixy_mempool_get"))
		return NULL;
	if (idx >= pool->num_entries)
		return ixy_error_null(-EINVAL, "mempool: index %u out of range (%u entries)", idx, pool->num_entries);
	return ixy__mempool_at(pool, idx);
}

/* ---- the shared pool: a Treiber stack of buffer indices ----
 * head = (tag << 32) | top index. Every successful update increments the
 * tag, so a head value that compares equal means nothing happened in
 * between (no ABA), and the links read meanwhile were consistent. Links
 * live in free_stack[] and are read/written atomically (relaxed; the CAS
 * on head orders them). */

static inline uint32_t link_of(struct ixy_mempool *p, uint32_t idx)
{
	return __atomic_load_n(&p->free_stack[idx], __ATOMIC_RELAXED);
}

uint32_t ixy_mempool_shared_alloc_batch(struct ixy_mempool *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (n == 0)
		return 0;
	if (!p || !bufs || !p->shared) {
		ixy_error(-EINVAL, "ixy_mempool_shared_alloc_batch: %s",
			  !p ? "pool is NULL" : !bufs ? "bufs is NULL" : "not a shared pool");
		return 0;
	}
	uint64_t old = __atomic_load_n(&p->head, __ATOMIC_ACQUIRE);
	uint32_t got;
	uint64_t new_head;

	for (;;) {
		uint32_t idx = (uint32_t)old;
		got = 0;
		/* Walk up to n entries from the top. A concurrent update can make
		 * us read garbage; the CAS below then fails and we retry. */
		while (idx != NO_BUF && idx < p->num_entries && got < n) {
			bufs[got++] = ixy__mempool_at(p, idx);
			idx = link_of(p, idx);
		}
		if (idx != NO_BUF && idx >= p->num_entries) {
			old = __atomic_load_n(&p->head, __ATOMIC_ACQUIRE);
			continue;
		}
		new_head = ((old >> 32) + 1) << 32 | idx;
		if (__atomic_compare_exchange_n(&p->head, &old, new_head, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	__atomic_fetch_sub(&p->free_top, got, __ATOMIC_RELAXED);
	return got;
}

void ixy_mempool_shared_free_batch(struct ixy_mempool *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (n == 0)
		return;
	if (!p || !bufs || !p->shared) {
		ixy_error(-EINVAL, "ixy_mempool_shared_free_batch: %s",
			  !p ? "pool is NULL" : !bufs ? "bufs is NULL" : "not a shared pool");
		return;
	}
	/* Chain the buffers (they are ours until the CAS publishes them). */
	for (uint32_t i = 0; i + 1 < n; i++)
		__atomic_store_n(&p->free_stack[bufs[i]->idx], bufs[i + 1]->idx, __ATOMIC_RELAXED);
	uint32_t last = bufs[n - 1]->idx;
	uint64_t old = __atomic_load_n(&p->head, __ATOMIC_RELAXED);
	uint64_t new_head;
	do {
		__atomic_store_n(&p->free_stack[last], (uint32_t)old, __ATOMIC_RELAXED);
		new_head = ((old >> 32) + 1) << 32 | bufs[0]->idx;
	} while (!__atomic_compare_exchange_n(&p->head, &old, new_head, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	uint32_t now = __atomic_add_fetch(&p->free_top, n, __ATOMIC_SEQ_CST);
	/* Last buffer of an orphaned pool home: claim the destruction (the
	 * CAS fails if ixy_mempool_free claimed it first). */
	if (now == p->num_entries && __atomic_load_n(&p->orphaned, __ATOMIC_SEQ_CST) &&
	    __atomic_compare_exchange_n(&p->free_top, &now, UINT32_MAX, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		destroy(p);
}

/* ---- the out-of-line paths: shared pools, and checked pools ---- */

uint64_t ixy_mempool_double_frees(const struct ixy_mempool *pool)
{
	return pool ? __atomic_load_n(&pool->double_frees, __ATOMIC_RELAXED) : 0;
}

/* Mark bufs[0..n) handed out. */
static void mark_out(struct ixy_pkt_buf **bufs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		__atomic_store_n(&bufs[i]->state, 0, __ATOMIC_RELAXED);
}

/* Take the buffers that are in the pool already out of bufs[0..n) (the
 * order of the rest is kept), count and report them; returns how many
 * remain. Claiming with an exchange makes two threads freeing the same
 * buffer at once detect it too. */
static uint32_t drop_double_frees(struct ixy_mempool *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	uint32_t kept = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		if (__atomic_exchange_n(&b->state, IXY_PKT_BUF_FREE, __ATOMIC_RELAXED) == IXY_PKT_BUF_FREE) {
			__atomic_fetch_add(&p->double_frees, 1, __ATOMIC_RELAXED);
			ixy_error(-EINVAL, "mempool: double free of buffer %u (%p) refused: it is already in its pool; "
				  "%llu double frees so far", b->idx, (void *)b,
				  (unsigned long long)__atomic_load_n(&p->double_frees, __ATOMIC_RELAXED));
			continue;
		}
		bufs[kept++] = b;
	}
	return kept;
}

uint32_t ixy__mempool_slow_alloc_batch(struct ixy_mempool *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	uint32_t got;
	if (p->shared) {
		got = ixy_mempool_shared_alloc_batch(p, bufs, n);
	} else {
		uint32_t top = p->free_top;
		got = n > top ? top : n;
		for (uint32_t i = 0; i < got; i++)
			bufs[i] = p->free_bufs[top - 1 - i];
		p->free_top = top - got;
	}
	if (p->checked)
		mark_out(bufs, got);
	return got;
}

void ixy__mempool_slow_free_batch(struct ixy_mempool *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixy_pkt_buf *kept[64];
	/* read once: returning the last buffer of an orphaned pool frees p */
	const bool checked = p->checked, shared = p->shared;
	while (checked && n) {
		/* in chunks, so the caller's array is left as it was */
		uint32_t c = n < 64 ? n : 64;
		memcpy(kept, bufs, c * sizeof(*bufs));
		uint32_t k = drop_double_frees(p, kept, c);
		bufs += c;
		n -= c;
		if (shared) {
			ixy_mempool_shared_free_batch(p, kept, k);
			continue;
		}
		memcpy(p->free_bufs + p->free_top, kept, k * sizeof(*kept));
		p->free_top += k;
		if (p->orphaned && p->free_top == p->num_entries) {
			destroy(p);
			return;
		}
	}
	if (n)
		ixy_mempool_shared_free_batch(p, bufs, n);   /* unchecked: only shared pools come here */
}
