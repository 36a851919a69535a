/* Internal to libixy: DMA regions in the VFIO container's IOMMU (iova.c).
 *
 * While a device is open through VFIO, the container's IOMMU decides what
 * the device can reach. Every DMA region is then mapped there
 * (VFIO_IOMMU_MAP_DMA) and its bus address is the IOVA it was mapped at:
 * new regions get IOVAs from a bump allocator above 4 GiB, within the
 * IOMMU's address width; regions that existed before the container keep
 * the bus address they already had (their physical one, mapped 1:1), since
 * rings and buffers may already hold it.
 */
#ifndef IXY_SRC_MEMORY_IOVA_H
#define IXY_SRC_MEMORY_IOVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The lowest IOVA the allocator hands out: above the 32-bit space, where
 * x86 keeps its MSI window (0xfee00000) and firmware its reserved ranges. */
#define IXY_IOVA_BASE (1ULL << 32)

/* A container with its IOMMU set is ready (pci_vfio.c): map the regions
 * that already exist, then every new one. width = IOMMU address bits. */
int ixy__iova_attach(int container_fd, int width);
/* The container is gone (and with it its mappings). */
void ixy__iova_detach(void);
/* A container is attached: new regions get IOVAs and need no pagemap. */
bool ixy__iova_active(void);

/* Choose an IOVA aligned to align for size bytes at virt and map them
 * (read/write for the device). */
int ixy__iova_map(void *virt, size_t size, size_t align, uint64_t *iova);
/* Map size bytes at virt at the given IOVA. */
int ixy__iova_map_at(void *virt, size_t size, uint64_t iova);
/* Undo the mappings of the memory [virt, virt + size), if there are any. */
void ixy__iova_unmap(void *virt, size_t size);

/* Bytes currently mapped (tests, messages). */
uint64_t ixy__iova_mapped_bytes(void);

/* dma.c: map every live region at its current bus addresses (attach). */
int ixy__dma_map_all(void);

#endif
