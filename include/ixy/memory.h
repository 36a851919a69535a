/* libixy: DMA memory.
 *
 * A NIC reads and writes host memory by physical address, so DMA memory must
 * stay put: it comes from hugetlbfs (pages are never swapped or moved), is
 * locked, optionally placed on one NUMA node (libnuma), and its physical
 * addresses are looked up once in /proc/self/pagemap (needs root /
 * CAP_SYS_ADMIN: without it the kernel reports frame number 0).
 */
#ifndef IXY_MEMORY_H
#define IXY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IXY_PAGE_2M (2UL << 20)
#define IXY_PAGE_1G (1UL << 30)

/* Find a mounted hugetlbfs whose page size is page_size (0 = 2 MiB) in
 * /proc/mounts and copy its mount point into path. An explicit override
 * (argument `override`, else environment variable IXY_HUGETLBFS) is checked
 * to be a hugetlbfs of that size instead. Returns 0, or -ENOENT with a
 * message that says how to mount one (scripts/setup-hugetlbfs.sh). */
int ixy_hugetlbfs_find(size_t page_size, const char *override, char *path, size_t len);

/* Remove hugepage files that earlier libixy processes left in the mount
 * (files named ixy-PID-* whose PID is no longer alive). Returns how many
 * were removed, or <0. ixy_dma_alloc does this once per mount by itself. */
int ixy_hugetlbfs_clean_stale(const char *mount);

/* Physical address of one virtual address of this process, from
 * /proc/self/pagemap. Returns 0 and stores it, -EPERM when the kernel hides
 * frame numbers (not root), -EFAULT when the page is not present. */
int ixy_virt_to_phys(const void *virt, uint64_t *phys);

struct ixy_dma_opts {
	size_t page_size;       /* 0 = that of the hugetlbfs named below, else 2 MiB; IXY_PAGE_1G for 1 GiB */
	int numa_node;          /* -1 = no placement */
	const char *hugetlbfs;  /* mount point override; NULL = find one */
	bool contiguous;        /* require one physically contiguous block */
};

/* A live DMA region. Opaque. */
struct ixy_dma_region;

/* Allocate size bytes (rounded up to whole pages) of DMA memory. opts may be
 * NULL for defaults (2 MiB pages, any node, not necessarily contiguous; a
 * region of one page is always contiguous). Errors name the mount, the file,
 * the errno and what to do: no hugetlbfs mounted, no free hugepages
 * (-ENOMEM), pagemap without permission (-EPERM), node mismatch (-EIO),
 * not contiguous when asked to be (-ENOMEM). */
struct ixy_dma_region *ixy_dma_alloc(size_t size, const struct ixy_dma_opts *opts);
void ixy_dma_free(struct ixy_dma_region *r);

void *ixy_dma_virt(const struct ixy_dma_region *r);
uint64_t ixy_dma_phys(const struct ixy_dma_region *r);    /* of the first byte */
size_t ixy_dma_size(const struct ixy_dma_region *r);
size_t ixy_dma_page_size(const struct ixy_dma_region *r);
int ixy_dma_numa_node(const struct ixy_dma_region *r);    /* -1 if not placed */
bool ixy_dma_is_contiguous(const struct ixy_dma_region *r);
/* The bus addresses (ixy_dma_phys, ixy_dma_virt_to_phys) are IOVAs: the
 * region was allocated while a device was open through VFIO, which mapped
 * it into the IOMMU at an address libixy chose (no pagemap, no root). */
bool ixy_dma_is_iova(const struct ixy_dma_region *r);

/* Bus address of a pointer inside the region: physical (from the page
 * table read at allocation) or, behind VFIO, the IOVA; no system call.
 * Returns 0 if ptr is outside. */
uint64_t ixy_dma_virt_to_phys(const struct ixy_dma_region *r, const void *ptr);

/* The registry of live regions. */
struct ixy_dma_info {
	void *virt;
	uint64_t phys;          /* first byte */
	size_t size;
	size_t page_size;
	int numa_node;          /* node the memory is on (verified), -1 unknown */
	bool contiguous;
};
/* Fills up to max entries, returns the number of live regions. */
int ixy_dma_list(struct ixy_dma_info *out, int max);
/* Prints the registry, one line per region. */
void ixy_dma_dump(FILE *f);

#ifdef __cplusplus
}
#endif
#endif
