/* Internal parts of the memory layer, visible to tests. */
#ifndef IXY_SRC_MEMORY_INTERNAL_H
#define IXY_SRC_MEMORY_INTERNAL_H

#include <stddef.h>

/* ixy_hugetlbfs_find() reading a given mounts file instead of
 * /proc/mounts and a given default huge page size (bytes) for mounts that
 * carry no pagesize= option. */
int ixy__hugetlbfs_find_in(const char *mounts_file, size_t default_page_size,
			   size_t page_size, char *path, size_t len);

/* Parse a size like "2M", "1G", "2048k", "1048576" into bytes; 0 on error. */
size_t ixy__parse_size(const char *s);

/* The kernel's default huge page size (Hugepagesize in /proc/meminfo). */
size_t ixy__default_hugepage_size(void);

/* The page size an allocation will use: the one asked for; else, when a
 * hugetlbfs mount is named (argument or IXY_HUGETLBFS), that mount's page
 * size; else 2 MiB. */
size_t ixy__resolve_page_size(size_t page_size, const char *override);

/* Called by ixy_dma_free after a region is unmapped, with its former
 * virtual range. The virtual 82599 registers one to notice DMA memory that
 * goes away while one of its queues still points into it (a driver that
 * frees before stopping the device) and to drop its cached translations. */
typedef void (*ixy__dma_free_observer)(const void *virt, size_t len);
void ixy__dma_set_free_observer(ixy__dma_free_observer fn);

/* Frames shorter than this power of two fit every buffer of every pool and
 * every open port's largest frame: the TX paths check lengths exactly only
 * in batches where some frame reaches it (ixgbe_tx.c). It only ever goes
 * down: mempool creation and device opens lower it. */
extern uint32_t ixy__tx_len_fast;
void ixy__tx_len_fast_lower(uint32_t limit);

#endif
