/* The virtual 82599: the DMA engine's own address translation.
 *
 * A real NIC sees only physical (bus) addresses. The model does the same:
 * it never uses the driver's pointers, only the physical addresses written
 * into registers and descriptors, and translates them itself, independently
 * of the memory layer, from what the kernel says about this process:
 * /proc/self/smaps lists the mappings with their page size (hugepage
 * mappings are the only ones a driver may use for DMA: they are pinned),
 * and /proc/self/pagemap gives each page's frame number.
 *
 * Anything outside that table is refused, as an IOMMU would (the caller
 * counts and reports it). A miss triggers one rescan first, since the driver
 * may have allocated DMA memory after the last scan.
 *
 * The translation is pluggable: a device server whose driver lives in
 * another address space (User-Mode Linux, its memory shared through
 * vhost-user) sets a lookup function with ixy_sim_set_dma_lookup; the
 * regions it returns are cached in the same table, so the per-frame path
 * is the same for both.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/sim_internal.h"

#define PAGEMAP_PFN_MASK ((1ull << 55) - 1)
#define PAGEMAP_PRESENT (1ull << 63)

void sim_dma_init(struct sim_dma_map *m)
{
	memset(m, 0, sizeof(*m));
}

void sim_dma_free(struct sim_dma_map *m)
{
	free(m->ent);
	memset(m, 0, sizeof(*m));
}

static int add_ent(struct sim_dma_map *m, uint64_t phys, uint64_t len, uint8_t *virt)
{
	/* Merge with the previous entry when both physically and virtually
	 * contiguous, so a multi-page region is one entry. */
	if (m->n) {
		struct sim_dma_ent *e = &m->ent[m->n - 1];
		if (e->phys + e->len == phys && e->virt + e->len == virt) {
			e->len += len;
			return 0;
		}
	}
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 64;
		struct sim_dma_ent *n = realloc(m->ent, cap * sizeof(*n));
		if (!n)
			return -1;
		m->ent = n;
		m->cap = cap;
	}
	m->ent[m->n++] = (struct sim_dma_ent){ .phys = phys, .len = len, .virt = virt };
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct sim_dma_ent *x = a, *y = b;
	return x->phys < y->phys ? -1 : x->phys > y->phys;
}

int sim_dma_rescan(struct sim_dma_map *m)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		fclose(f);
		return -1;
	}
	m->n = 0;
	m->last = 0;
	m->rescans++;

	char line[512];
	unsigned long lo = 0, hi = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		unsigned long kps;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 && strchr(line, ' ')) {
			lo = a;
			hi = b;
			continue;
		}
		if (sscanf(line, "KernelPageSize: %lu kB", &kps) != 1 || kps < 2048 || hi <= lo)
			continue;
		uint64_t psz = (uint64_t)kps * 1024;
		for (uint64_t va = lo; va + psz <= hi; va += psz) {
			uint64_t ent;
			if (pread(pm, &ent, sizeof(ent), (off_t)(va / 4096 * 8)) != sizeof(ent))
				continue;
			if (!(ent & PAGEMAP_PRESENT) || !(ent & PAGEMAP_PFN_MASK))
				continue;	/* not faulted in, or frame numbers hidden (not root) */
			if (add_ent(m, (ent & PAGEMAP_PFN_MASK) * 4096, psz, (uint8_t *)(uintptr_t)va) < 0)
				break;
		}
		lo = hi = 0;
	}
	close(pm);
	fclose(f);
	qsort(m->ent, m->n, sizeof(*m->ent), cmp_ent);
	return (int)m->n;
}

static struct sim_dma_ent *lookup(struct sim_dma_map *m, uint64_t phys, uint64_t len)
{
	if (m->n) {
		struct sim_dma_ent *e = &m->ent[m->last];
		if (phys - e->phys < e->len && len <= e->len - (phys - e->phys))
			return e;
	}
	uint32_t lo = 0, hi = m->n;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		struct sim_dma_ent *e = &m->ent[mid];
		if (phys < e->phys) {
			hi = mid;
		} else if (phys - e->phys >= e->len) {
			lo = mid + 1;
		} else {
			if (len > e->len - (phys - e->phys))
				return NULL;	/* runs off the end of the mapping */
			m->last = mid;
			return e;
		}
	}
	return NULL;
}

/* A region from the plugged-in lookup, cached as one more entry. */
static struct sim_dma_ent *find_plugged(struct sim_dma_map *m, uint64_t addr, uint64_t len)
{
	struct ixy_sim_dma_region r;
	if (m->plug(m->plug_ctx, addr, &r) != 0 || addr - r.addr >= r.len || len > r.len - (addr - r.addr))
		return NULL;
	if (add_ent(m, r.addr, r.len, r.virt) < 0)
		return NULL;
	qsort(m->ent, m->n, sizeof(*m->ent), cmp_ent);
	m->last = 0;
	return lookup(m, addr, len);
}

static struct sim_dma_ent *find(struct sim_dma_map *m, uint64_t phys, uint64_t len)
{
	struct sim_dma_ent *e = lookup(m, phys, len);
	if (e || phys == 0)
		return e;
	if (m->plug)
		return find_plugged(m, phys, len);
	sim_dma_rescan(m);
	return lookup(m, phys, len);
}

uint8_t *sim_dma_peek(struct sim_dma_map *m, uint64_t phys)
{
	struct sim_dma_ent *e = lookup(m, phys, 1);
	return e ? e->virt + (phys - e->phys) : NULL;
}

void sim_dma_forget(struct sim_dma_map *m)
{
	m->n = 0;
	m->last = 0;
}

uint8_t *sim_dma_ptr(struct sim_dma_map *m, uint64_t phys, uint64_t len)
{
	struct sim_dma_ent *e = find(m, phys, len);
	return e ? e->virt + (phys - e->phys) : NULL;
}

uint8_t *sim_dma_ptr_fill(struct sim_dma_map *m, struct sim_dma_hit *h, uint64_t phys, uint64_t len)
{
	struct sim_dma_ent *e = find(m, phys, len);
	if (!e)
		return NULL;
	*h = (struct sim_dma_hit){ .phys = e->phys, .len = e->len, .virt = e->virt };
	return e->virt + (phys - e->phys);
}
