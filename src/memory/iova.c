/* IOVAs: where DMA regions appear to a device behind the IOMMU.
 *
 * A simple bump allocator: IOVAs are plentiful (2^39 bytes and more) and
 * a process maps few, large regions, so they are never reused. Each
 * mapping is remembered so that it can be unmapped before the memory is
 * freed (a freed hugepage still reachable by the device would be a hole in
 * the confinement) and so that the allocator steps over IOVAs taken by
 * regions mapped 1:1 at their physical addresses.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "error.h"
#include "memory/iova.h"
#include "pci/pci_vfio.h"

struct mapping {
	void *virt;
	uint64_t iova;
	uint64_t size;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int container = -1;
static uint64_t limit;          /* first IOVA beyond the IOMMU's reach */
static uint64_t next = IXY_IOVA_BASE;
static struct mapping *maps;
static size_t num_maps, cap_maps;

bool ixy__iova_active(void)
{
	pthread_mutex_lock(&lock);
	bool on = container >= 0;
	pthread_mutex_unlock(&lock);
	return on;
}

uint64_t ixy__iova_mapped_bytes(void)
{
	uint64_t sum = 0;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < num_maps; i++)
		sum += maps[i].size;
	pthread_mutex_unlock(&lock);
	return sum;
}

int ixy__iova_attach(int container_fd, int width)
{
	pthread_mutex_lock(&lock);
	container = container_fd;
	limit = width >= 64 ? UINT64_MAX : 1ULL << width;
	next = IXY_IOVA_BASE;
	num_maps = 0;
	pthread_mutex_unlock(&lock);
	return ixy__dma_map_all();
}

void ixy__iova_detach(void)
{
	pthread_mutex_lock(&lock);
	container = -1;
	num_maps = 0;   /* the kernel drops a container's mappings with it */
	pthread_mutex_unlock(&lock);
}

static bool overlaps(uint64_t a, uint64_t size, const struct mapping *m)
{
	return a < m->iova + m->size && m->iova < a + size;
}

/* RLIMIT_MEMLOCK in bytes for the message (RLIM_INFINITY as UINT64_MAX). */
static uint64_t memlock_limit(void)
{
	struct rlimit rl;

	if (ixy__vfio_ops()->getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
		return 0;
	return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}

/* Under lock. */
static int map_locked(void *virt, uint64_t size, uint64_t iova)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uint64_t)(uintptr_t)virt,
		.iova = iova,
		.size = size,
	};

	if (container < 0)
		return ixy_error(-ENODEV, "no VFIO container is open to map DMA memory into");
	if (iova + size < iova || iova + size > limit)
		return ixy_error(-ENOSPC, "IOVA 0x%" PRIx64 " + 0x%" PRIx64 " bytes is beyond the IOMMU's "
				 "address width (IOVAs below 0x%" PRIx64 "); QEMU: -device intel-iommu,aw-bits=48",
				 iova, size, limit);
	if (num_maps == cap_maps) {
		size_t n = cap_maps ? cap_maps * 2 : 16;
		struct mapping *p = realloc(maps, n * sizeof(*p));
		if (!p)
			return ixy_error(-ENOMEM, "out of memory for the IOVA list");
		maps = p;
		cap_maps = n;
	}
	if (ixy__vfio_ops()->ioctl(container, VFIO_IOMMU_MAP_DMA, &m) < 0) {
		int err = -errno;
		uint64_t mapped = 0;
		for (size_t i = 0; i < num_maps; i++)
			mapped += maps[i].size;
		uint64_t need = mapped + size, have = memlock_limit();
		/* VFIO pins the pages and counts them against RLIMIT_MEMLOCK
		 * unless the process has CAP_IPC_LOCK. */
		if (err == -ENOMEM && have != UINT64_MAX && need > have)
			return ixy_error(err, "VFIO cannot pin %" PRIu64 " KiB of DMA memory: RLIMIT_MEMLOCK is "
					 "%" PRIu64 " KiB and this process needs at least %" PRIu64 " KiB locked "
					 "(%" PRIu64 " KiB mapped + %" PRIu64 " KiB now); raise it (ulimit -l %" PRIu64
					 ", memlock in /etc/security/limits.conf, LimitMEMLOCK= for a systemd "
					 "service) or give the process CAP_IPC_LOCK", size >> 10, have >> 10,
					 need >> 10, mapped >> 10, size >> 10, (need >> 10) + 1024);
		return ixy_error(err, "VFIO_IOMMU_MAP_DMA of %" PRIu64 " bytes at IOVA 0x%" PRIx64 " failed: %s%s",
				 size, iova, ixy_strerror(err),
				 err == -EINVAL || err == -EEXIST ? " (IOVA reserved or taken?)" : "");
	}
	maps[num_maps++] = (struct mapping){ virt, iova, size };
	return 0;
}

int ixy__iova_map_at(void *virt, size_t size, uint64_t iova)
{
	pthread_mutex_lock(&lock);
	int err = map_locked(virt, size, iova);
	pthread_mutex_unlock(&lock);
	return err;
}

int ixy__iova_map(void *virt, size_t size, size_t align, uint64_t *iova)
{
	if (align == 0 || (align & (align - 1)))
		return ixy_error(-EINVAL, "IOVA alignment %zu is not a power of two", align);
	pthread_mutex_lock(&lock);
	uint64_t a = (next + align - 1) & ~((uint64_t)align - 1);
	/* Step over mappings that sit in the way (1:1 mapped regions). */
	for (bool moved = true; moved;) {
		moved = false;
		for (size_t i = 0; i < num_maps; i++) {
			if (overlaps(a, size, &maps[i])) {
				a = (maps[i].iova + maps[i].size + align - 1) & ~((uint64_t)align - 1);
				moved = true;
			}
		}
	}
	int err = map_locked(virt, size, a);
	if (!err) {
		next = a + size;
		*iova = a;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

void ixy__iova_unmap(void *virt, size_t size)
{
	uintptr_t start = (uintptr_t)virt, end = start + size;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < num_maps; i++) {
		uintptr_t v = (uintptr_t)maps[i].virt;
		if (v < start || v >= end)
			continue;
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = maps[i].iova, .size = maps[i].size,
		};
		/* Nothing to report to a caller that is freeing: the
		 * mapping goes with the container at the latest. */
		(void)ixy__vfio_ops()->ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
		maps[i] = maps[--num_maps];
		i--;
	}
	pthread_mutex_unlock(&lock);
}
