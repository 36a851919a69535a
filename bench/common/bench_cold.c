/* Cold-cache mode (bench_cold.h). */
#include "bench_cold.h"

#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "drivers/ixgbe_regs.h"
#include "ixy/device.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/sim.h"

static int have_clflushopt = -1;

/* CPUID leaf 7, EBX bit 23 (what GCC's __builtin_cpu_supports("clflushopt")
 * reads; clang's builtin does not know that name). */
const char *bench_cold_method(void)
{
	if (have_clflushopt < 0) {
		unsigned a, b, c, d;
		have_clflushopt = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 23)) ? 1 : 0;
	}
	return have_clflushopt ? "clflushopt" : "clflush";
}

__attribute__((target("clflushopt"))) static void flush_opt(const void *p)
{
	_mm_clflushopt((void *)p);
}

static inline void flush_line(const void *p)
{
	if (have_clflushopt)
		flush_opt(p);
	else
		_mm_clflush(p);
}

/* The virtual address of bus address phys inside this process's DMA
 * memory, page by page through the pagemap (set-up only). */
static void *dma_virt(uint64_t phys)
{
	struct ixy_dma_info info[64];
	int n = ixy_dma_list(info, 64);
	for (int i = 0; i < n && i < 64; i++)
		for (size_t off = 0; off < info[i].size; off += info[i].page_size) {
			uint64_t p;
			uint8_t *v = (uint8_t *)info[i].virt + off;
			if (ixy_virt_to_phys(v, &p) == 0 && phys >= p && phys < p + info[i].page_size)
				return v + (phys - p);
		}
	return NULL;
}

static int ring_find(struct ixy_sim *s, uint32_t bal, uint32_t bah, uint32_t len, struct bench_ring_view *v)
{
	uint64_t phys = ixy_sim_reg_read(s, bal) | (uint64_t)ixy_sim_reg_read(s, bah) << 32;
	v->len = ixy_sim_reg_read(s, len);
	v->ring = dma_virt(phys);
	v->snap = malloc(v->len ? v->len : 1);
	if (!v->ring || !v->snap || v->len == 0 || v->len % 64) {
		fprintf(stderr, "bench: cold mode: ring at bus address 0x%llx (%zu bytes) of %s not found in this "
			"process's DMA memory\n", (unsigned long long)phys, v->len, ixy_sim_name(s));
		free(v->snap);
		v->snap = NULL;
		return -1;
	}
	return 0;
}

int bench_cold_init(struct bench_cold *c, struct ixy_sim *s, struct ixy_device *d, uint32_t frame_len)
{
	memset(c, 0, sizeof(*c));
	bench_cold_method();
	if (ring_find(s, IXGBE_RDBAL(0), IXGBE_RDBAH(0), IXGBE_RDLEN(0), &c->rx) < 0 ||
	    ring_find(s, IXGBE_TDBAL(0), IXGBE_TDBAH(0), IXGBE_TDLEN(0), &c->tx) < 0) {
		bench_cold_free(c);
		return -1;
	}
	c->pool = ixy_rx_mempool(d, 0);
	c->frame_len = frame_len;
	return 0;
}

void bench_cold_free(struct bench_cold *c)
{
	free(c->rx.snap);
	free(c->tx.snap);
	c->rx.snap = c->tx.snap = NULL;
}

void bench_cold_snapshot(struct bench_cold *c)
{
	memcpy(c->rx.snap, c->rx.ring, c->rx.len);
	memcpy(c->tx.snap, c->tx.ring, c->tx.len);
}

static void flush_changed(const struct bench_ring_view *v)
{
	for (size_t off = 0; off < v->len; off += 64)
		if (memcmp(v->ring + off, v->snap + off, 64) != 0)
			flush_line(v->ring + off);
}

void bench_cold_evict(const struct bench_cold *c, bool frames)
{
	flush_changed(&c->rx);
	flush_changed(&c->tx);
	if (frames && c->pool)
		for (uint32_t i = 0; i < ixy_mempool_size(c->pool); i++) {
			const uint8_t *p = ixy_pkt_data(ixy_mempool_get(c->pool, i));
			for (uintptr_t l = (uintptr_t)p & ~(uintptr_t)63; l < (uintptr_t)p + c->frame_len; l += 64)
				flush_line((const void *)l);
		}
}

void bench_cold_done(void)
{
	_mm_mfence();
}
