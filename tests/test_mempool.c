/* Mempools: layout, physical addresses, alloc/free/batch, exhaustion, and
 * the shared (lock-free) pool under two threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"

static int need_hugepages(void **state)
{
	char path[256];
	(void)state;
	if (geteuid() != 0 || ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, path, sizeof(path)) < 0) {
		print_message("mempool tests need root and a 2 MiB hugetlbfs: %s\n", ixy_last_error());
		return -1;
	}
	return 0;
}

static void test_layout_and_phys(void **state)
{
	(void)state;
	/* 3000 buffers of 2048 + 64 + 64 bytes = 2176 -> 963 per 2 MiB page:
	 * several pages, with padding at the end of each page. */
	struct ixy_mempool_opts o = { .num_entries = 3000, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	assert_non_null(p);
	assert_int_equal(ixy_mempool_size(p), 3000);
	assert_int_equal(ixy_mempool_available(p), 3000);
	assert_int_equal(ixy_mempool_buf_len(p), 2048);
	for (uint32_t i = 0; i < 3000; i++) {
		struct ixy_pkt_buf *b = ixy_mempool_get(p, i);
		assert_non_null(b);
		uint8_t *data = ixy_pkt_data(b);
		assert_int_equal((uintptr_t)b % 64, 0);
		assert_int_equal((uintptr_t)data % 64, 0);
		assert_int_equal(b->data_off, 64 + 64);   /* metadata line + default headroom */
		assert_int_equal(b->idx, i);
		assert_ptr_equal(b->pool, p);
		assert_int_equal(b->buf_len, 2048);
		/* The whole buffer lies within one huge page. */
		assert_int_equal((uintptr_t)b / IXY_PAGE_2M, ((uintptr_t)data + 2047) / IXY_PAGE_2M);
		if (i % 97 == 0 || i == 2999) {
			uint64_t phys = 0;
			assert_int_equal(ixy_virt_to_phys(data, &phys), 0);
			assert_int_equal(b->data_phys, phys);
		}
	}
	assert_null(ixy_mempool_get(p, 3000));
	ixy_mempool_free(p);
}

static void test_alloc_free_exhaustion(void **state)
{
	(void)state;
	struct ixy_mempool_opts o = { .num_entries = 100, .buf_len = 1000, .headroom = 100, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	assert_non_null(p);
	struct ixy_pkt_buf *bufs[128];
	/* Headroom rounds up to a cache line. */
	assert_int_equal(ixy_mempool_get(p, 0)->data_off, 64 + 128);

	struct ixy_pkt_buf *one = ixy_pkt_buf_alloc(p);
	assert_non_null(one);
	assert_int_equal(one->idx, 0);
	assert_int_equal(ixy_mempool_available(p), 99);
	/* Batch larger than what is left: get what is there. */
	assert_int_equal(ixy_pkt_buf_alloc_batch(p, bufs, 128), 99);
	assert_int_equal(ixy_mempool_available(p), 0);
	/* Empty: 0 and NULL, no crash. */
	assert_int_equal(ixy_pkt_buf_alloc_batch(p, bufs + 99, 5), 0);
	assert_null(ixy_pkt_buf_alloc(p));
	/* All distinct. */
	bufs[99] = one;
	char seen[100] = { 0 };
	for (int i = 0; i < 100; i++) {
		assert_int_equal(seen[bufs[i]->idx], 0);
		seen[bufs[i]->idx] = 1;
	}
	ixy_pkt_buf_free(bufs[10]);
	assert_int_equal(ixy_mempool_available(p), 1);
	assert_ptr_equal(ixy_pkt_buf_alloc(p), bufs[10]);   /* LIFO: cache-warm buffer first */
	ixy_pkt_buf_free_batch(bufs, 100);
	assert_int_equal(ixy_mempool_available(p), 100);
	ixy_mempool_free(p);
}

static void test_free_batch_two_pools(void **state)
{
	(void)state;
	struct ixy_mempool_opts o = { .num_entries = 8, .numa_node = -1 };
	struct ixy_mempool *a = ixy_mempool_create(&o);
	o.shared = true;
	struct ixy_mempool *b = ixy_mempool_create(&o);
	assert_non_null(a);
	assert_non_null(b);
	struct ixy_pkt_buf *mix[6];
	for (int i = 0; i < 6; i++)
		mix[i] = ixy_pkt_buf_alloc(i % 3 == 0 ? b : a);
	assert_int_equal(ixy_mempool_available(a), 4);
	assert_int_equal(ixy_mempool_available(b), 6);
	ixy_pkt_buf_free_batch(mix, 6);
	assert_int_equal(ixy_mempool_available(a), 8);
	assert_int_equal(ixy_mempool_available(b), 8);
	ixy_mempool_free(a);
	ixy_mempool_free(b);
}

static void test_bad_options(void **state)
{
	(void)state;
	struct ixy_mempool_opts o = { .num_entries = 0, .numa_node = -1 };
	assert_null(ixy_mempool_create(&o));
	assert_non_null(strstr(ixy_last_error(), "num_entries"));
	assert_null(ixy_mempool_create(NULL));
	o.num_entries = 4;
	o.buf_len = 3u << 20;
	assert_null(ixy_mempool_create(&o));
	assert_non_null(strstr(ixy_last_error(), "too large"));
	o.buf_len = 0;
	o.hugetlbfs = "/tmp";
	assert_null(ixy_mempool_create(&o));
	assert_non_null(strstr(ixy_last_error(), "mempool of 4 buffers"));
	assert_non_null(strstr(ixy_last_error(), "not a hugetlbfs"));
}

/* Two threads hammer one shared pool; every buffer carries its owner's
 * mark while held. At the end each buffer is free exactly once. */
#define SHARED_N 512
#define ROUNDS 200000

struct hammer {
	struct ixy_mempool *pool;
	uint64_t mark;
	unsigned seed;
	long errors;
	long allocated;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;
	struct ixy_pkt_buf *held[64];
	for (int r = 0; r < ROUNDS; r++) {
		uint32_t want = 1 + rand_r(&h->seed) % 64;
		uint32_t got = ixy_pkt_buf_alloc_batch(h->pool, held, want);
		h->allocated += got;
		for (uint32_t i = 0; i < got; i++) {
			if (held[i]->userdata[0] != 0)
				h->errors++;            /* someone else holds it */
			held[i]->userdata[0] = h->mark;
		}
		for (uint32_t i = 0; i < got; i++) {
			if (held[i]->userdata[0] != h->mark)
				h->errors++;
			held[i]->userdata[0] = 0;
		}
		/* Free in two chunks, sometimes one by one, to exercise both paths. */
		if (got && r % 7 == 0) {
			for (uint32_t i = 0; i < got; i++)
				ixy_pkt_buf_free(held[i]);
		} else if (got) {
			ixy_pkt_buf_free_batch(held, got / 2);
			ixy_pkt_buf_free_batch(held + got / 2, got - got / 2);
		}
	}
	return NULL;
}

static void test_shared_pool_two_threads(void **state)
{
	(void)state;
	struct ixy_mempool_opts o = { .num_entries = SHARED_N, .shared = true, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	assert_non_null(p);
	assert_true(ixy_mempool_is_shared(p));
	struct hammer h[2] = { { p, 1, 1, 0, 0 }, { p, 2, 2, 0, 0 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(h[0].errors, 0);
	assert_int_equal(h[1].errors, 0);
	assert_true(h[0].allocated > ROUNDS && h[1].allocated > ROUNDS);
	assert_int_equal(ixy_mempool_available(p), SHARED_N);

	/* Every buffer exactly once: no loss, no duplicates. */
	struct ixy_pkt_buf *all[SHARED_N + 1];
	assert_int_equal(ixy_pkt_buf_alloc_batch(p, all, SHARED_N + 1), SHARED_N);
	static char seen[SHARED_N];
	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < SHARED_N; i++) {
		assert_ptr_equal(all[i]->pool, p);
		assert_int_equal(seen[all[i]->idx], 0);
		seen[all[i]->idx] = 1;
	}
	assert_null(ixy_pkt_buf_alloc(p));
	ixy_pkt_buf_free_batch(all, SHARED_N);
	ixy_mempool_free(p);
}

/* Freeing a pool whose buffers are still out (e.g. in another port's TX
 * ring) keeps it alive until the last one comes home, then frees it. */
static void test_free_with_buffers_out(void **state)
{
	(void)state;
	for (int mode = 0; mode < 4; mode++) {	/* single/shared, unchecked/checked */
		bool shared = mode & 1, checked = mode & 2;
		struct ixy_dma_info info[16];
		int regions = ixy_dma_list(info, 16);
		struct ixy_mempool_opts o = { .num_entries = 16, .shared = shared, .checked = checked, .numa_node = -1 };
		struct ixy_mempool *p = ixy_mempool_create(&o);
		assert_non_null(p);
		assert_int_equal(ixy_dma_list(info, 16), regions + 1);
		struct ixy_pkt_buf *out[3];
		assert_int_equal(ixy_pkt_buf_alloc_batch(p, out, 3), 3);
		memset(ixy_pkt_data(out[0]), 0x5a, 64);
		ixy_mempool_free(p);
		/* Still alive: the DMA region is registered and the data intact. */
		assert_int_equal(ixy_dma_list(info, 16), regions + 1);
		assert_int_equal(ixy_pkt_data(out[0])[63], 0x5a);
		ixy_pkt_buf_free(out[1]);
		ixy_pkt_buf_free_batch(out + 2, 1);
		assert_int_equal(ixy_dma_list(info, 16), regions + 1);
		ixy_pkt_buf_free(out[0]);           /* the last one: the pool goes */
		assert_int_equal(ixy_dma_list(info, 16), regions);
	}
	/* All home: freed at once. */
	struct ixy_dma_info info[16];
	int regions = ixy_dma_list(info, 16);
	struct ixy_mempool_opts o = { .num_entries = 4, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	assert_non_null(p);
	ixy_mempool_free(p);
	assert_int_equal(ixy_dma_list(info, 16), regions);
}

/* A pool on a named 1 GiB hugetlbfs uses 1 GiB pages (when available). */
static void test_pool_on_1g_mount(void **state)
{
	(void)state;
	char path[256];
	if (ixy_hugetlbfs_find(IXY_PAGE_1G, NULL, path, sizeof(path)) < 0) {
		print_message("no 1 GiB hugetlbfs mounted; skipped\n");
		skip();
	}
	struct ixy_mempool_opts o = { .num_entries = 1000, .numa_node = -1, .hugetlbfs = path };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	if (!p && strstr(ixy_last_error(), "not enough free")) {
		print_message("no free 1 GiB page: %s; skipped\n", ixy_last_error());
		skip();
	}
	assert_non_null(p);
	struct ixy_dma_info info[16];
	int n = ixy_dma_list(info, 16), found = 0;
	for (int i = 0; i < n && i < 16; i++)
		if (info[i].virt == (void *)ixy_mempool_get(p, 0))
			found = info[i].page_size == IXY_PAGE_1G;
	assert_true(found);
	uint64_t phys = 0;
	struct ixy_pkt_buf *b = ixy_mempool_get(p, 999);
	assert_int_equal(ixy_virt_to_phys(ixy_pkt_data(b), &phys), 0);
	assert_int_equal(b->data_phys, phys);
	ixy_mempool_free(p);
}

/* Checked pools refuse a double free (single buffer, within one batch,
 * and on the shared pool), count it, and never hand a buffer out twice. */
static void test_double_free_detected(void **state)
{
	(void)state;
	for (int shared = 0; shared < 2; shared++) {
		struct ixy_mempool_opts o = { .num_entries = 8, .shared = shared, .checked = true, .numa_node = -1 };
		struct ixy_mempool *p = ixy_mempool_create(&o);
		assert_non_null(p);
		struct ixy_pkt_buf *b[8];
		assert_int_equal(ixy_pkt_buf_alloc_batch(p, b, 3), 3);
		ixy_pkt_buf_free(b[0]);
		assert_int_equal(ixy_mempool_available(p), 6);
		ixy_clear_error();
		ixy_pkt_buf_free(b[0]);             /* again */
		assert_int_equal(ixy_mempool_available(p), 6);
		assert_int_equal(ixy_mempool_double_frees(p), 1);
		assert_non_null(strstr(ixy_last_error(), "double free of buffer"));
		struct ixy_pkt_buf *twice[3] = { b[1], b[2], b[1] };
		ixy_pkt_buf_free_batch(twice, 3);   /* b[1] twice in one batch */
		assert_int_equal(ixy_mempool_available(p), 8);
		assert_int_equal(ixy_mempool_double_frees(p), 2);
		/* every buffer exactly once */
		assert_int_equal(ixy_pkt_buf_alloc_batch(p, b, 8), 8);
		char seen[8] = { 0 };
		for (int i = 0; i < 8; i++) {
			assert_int_equal(seen[b[i]->idx], 0);
			seen[b[i]->idx] = 1;
			assert_int_equal(b[i]->state, 0);    /* handed out */
		}
		ixy_pkt_buf_free_batch(b, 8);
		assert_int_equal(b[3]->state, IXY_PKT_BUF_FREE);
		assert_int_equal(ixy_mempool_double_frees(p), 2);
		ixy_mempool_free(p);
	}
	/* unchecked pools do not look (that is what makes them free of cost) */
	struct ixy_mempool_opts o = { .num_entries = 4, .numa_node = -1 };
	setenv("IXY_MEMPOOL_CHECK", "0", 1);
	struct ixy_mempool *p = ixy_mempool_create(&o);
	unsetenv("IXY_MEMPOOL_CHECK");
	assert_non_null(p);
	assert_false(p->slow);
	assert_int_equal(ixy_mempool_double_frees(p), 0);
	ixy_mempool_free(p);
	/* the environment turns checking on for pools that did not ask */
	setenv("IXY_MEMPOOL_CHECK", "1", 1);
	p = ixy_mempool_create(&o);
	unsetenv("IXY_MEMPOOL_CHECK");
	assert_non_null(p);
	assert_true(p->checked && p->slow);
	ixy_mempool_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_phys),
		cmocka_unit_test(test_alloc_free_exhaustion),
		cmocka_unit_test(test_free_batch_two_pools),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_shared_pool_two_threads),
		cmocka_unit_test(test_free_with_buffers_out),
		cmocka_unit_test(test_pool_on_1g_mount),
		cmocka_unit_test(test_double_free_detected),
	};
	return cmocka_run_group_tests_name("mempool", tests, need_hugepages, NULL);
}
