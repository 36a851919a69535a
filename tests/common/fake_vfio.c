/* A fake VFIO for tests; see fake_vfio.h. */
#include <errno.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "fake_vfio.h"
#include "pci/pci_vfio.h"

struct fake_vfio fake_vfio;
const struct fake_vfio_backing *fake_vfio_backing;
pthread_mutex_t fake_vfio_lock = PTHREAD_MUTEX_INITIALIZER;

/* fd numbers far above what the test process opens for real */
#define FD_CONTAINER 9000
#define FD_GROUP 9001
#define FD_DEVICE 9002
#define REGION_SHIFT 40   /* region index in the top bits of the offset */

static int f_open(const char *path, int flags)
{
	(void)flags;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "vfio") == 0) {
		if (fake_vfio.container_open_errno)
			return errno = fake_vfio.container_open_errno, -1;
		fake_vfio.open_fds++;
		return FD_CONTAINER;
	}
	if (fake_vfio.group_open_errno)
		return errno = fake_vfio.group_open_errno, -1;
	fake_vfio.open_fds++;
	return FD_GROUP;
}

static int f_close(int fd)
{
	if (fd >= FD_CONTAINER && fd <= FD_DEVICE) {
		fake_vfio.open_fds--;
		/* the kernel drops a container's mappings with it */
		if (fd == FD_CONTAINER) {
			fake_vfio.num_maps = 0;
			fake_vfio.pinned = 0;
		}
		return 0;
	}
	return close(fd);
}

static int region_of(uint32_t index, uint64_t *size, uint32_t *flags)
{
	*flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		*size = fake_vfio.config_size;
		return 0;
	}
	if (index <= VFIO_PCI_BAR5_REGION_INDEX) {
		*size = fake_vfio.bar_size[index];
		if (fake_vfio.bar_mmap[index])
			*flags |= VFIO_REGION_INFO_FLAG_MMAP;
		return 0;
	}
	if (index < VFIO_PCI_NUM_REGIONS) {
		*size = 0;
		return 0;
	}
	return -1;
}

static int map_dma(struct vfio_iommu_type1_dma_map *m);
static int unmap_dma(struct vfio_iommu_type1_dma_unmap *u);

static uint32_t index_count(uint32_t index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX: return fake_vfio.msix_count;
	case VFIO_PCI_MSI_IRQ_INDEX: return fake_vfio.msi_count;
	case VFIO_PCI_INTX_IRQ_INDEX: return fake_vfio.intx_count;
	case VFIO_PCI_REQ_IRQ_INDEX: return fake_vfio.has_req ? 1 : 0;
	default: return 0;
	}
}

static void signal_fd(int fd)
{
	uint64_t one = 1;
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* a full counter or a closed fd: as the kernel, ignore */
	}
}

/* Called with fake_vfio_lock held. INTx: true if it should be signalled
 * now (not masked), and masks it (VFIO's automask). */
static int target_of(unsigned vector)
{
	fake_vfio.raised++;
	if (fake_vfio.irq_count == 0 || vector >= fake_vfio.irq_count || fake_vfio.irq_fds[vector] < 0) {
		fake_vfio.dropped++;
		return -1;
	}
	if (fake_vfio.irq_index == VFIO_PCI_INTX_IRQ_INDEX) {
		if (fake_vfio.intx_masked) {
			fake_vfio.intx_pending = true;
			return -1;
		}
		fake_vfio.intx_masked = true;
	}
	return fake_vfio.irq_fds[vector];
}

void fake_vfio_raise(unsigned vector)
{
	pthread_mutex_lock(&fake_vfio_lock);
	int fd = target_of(vector);
	pthread_mutex_unlock(&fake_vfio_lock);
	signal_fd(fd);
}

/* As vfio-pci: DATA_NONE with count 0 turns an index off; the first
 * DATA_EVENTFD enables start + count vectors, later ones must stay inside
 * them; one of MSI-X/MSI/INTx at a time; UNMASK for INTx. */
static int set_irqs(struct vfio_irq_set *s)
{
	if (s->index == VFIO_PCI_REQ_IRQ_INDEX) {
		if (!fake_vfio.has_req || !(s->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
			return errno = EINVAL, -1;
		if (s->flags & VFIO_IRQ_SET_DATA_NONE)
			fake_vfio.req_fd = -1;
		else if ((s->flags & VFIO_IRQ_SET_DATA_EVENTFD) && s->start == 0 && s->count == 1)
			memcpy(&fake_vfio.req_fd, s->data, sizeof(int32_t));
		else
			return errno = EINVAL, -1;
		return 0;
	}
	uint32_t max = index_count(s->index);
	if (s->index > VFIO_PCI_MSIX_IRQ_INDEX || max == 0)
		return errno = EINVAL, -1;
	if (s->flags & VFIO_IRQ_SET_ACTION_UNMASK) {
		if (s->index != VFIO_PCI_INTX_IRQ_INDEX || !(s->flags & VFIO_IRQ_SET_DATA_NONE))
			return errno = EINVAL, -1;
		fake_vfio.unmask_calls++;
		pthread_mutex_lock(&fake_vfio_lock);
		bool again = fake_vfio.intx_pending;
		fake_vfio.intx_masked = false;
		fake_vfio.intx_pending = false;
		pthread_mutex_unlock(&fake_vfio_lock);
		/* a level-triggered line still asserted fires again at once */
		if (fake_vfio_backing)
			again = fake_vfio_backing->line_asserted();
		if (again)
			fake_vfio_raise(0);
		return 0;
	}
	if (!(s->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
		return errno = EINVAL, -1;
	fake_vfio.irq_calls++;
	if (fake_vfio.irq_count && fake_vfio.irq_index != s->index)
		return errno = EINVAL, -1;   /* another index is on */
	if (s->flags & VFIO_IRQ_SET_DATA_NONE) {
		if (s->count == 0) {
			pthread_mutex_lock(&fake_vfio_lock);
			fake_vfio.irq_count = 0;
			fake_vfio.intx_masked = fake_vfio.intx_pending = false;
			pthread_mutex_unlock(&fake_vfio_lock);
		}
		return 0;
	}
	if (!(s->flags & VFIO_IRQ_SET_DATA_EVENTFD) || s->start + s->count > max)
		return errno = EINVAL, -1;
	pthread_mutex_lock(&fake_vfio_lock);
	int rc = 0;
	if (fake_vfio.irq_count == 0) {
		fake_vfio.irq_count = s->start + s->count;
		fake_vfio.irq_index = s->index;
		for (unsigned i = 0; i < 64; i++)
			fake_vfio.irq_fds[i] = -1;
	} else if (s->start + s->count > fake_vfio.irq_count) {
		rc = -1;
		errno = EINVAL;
	}
	if (!rc)
		memcpy(fake_vfio.irq_fds + s->start, s->data, s->count * sizeof(int32_t));
	pthread_mutex_unlock(&fake_vfio_lock);
	return rc;
}

static int f_ioctl(int fd, unsigned long req, void *arg)
{
	fake_vfio.last_ioctl = req;
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return (uintptr_t)arg == VFIO_TYPE1_IOMMU && fake_vfio.has_type1;
	case VFIO_SET_IOMMU:
		if (fake_vfio.set_iommu_errno)
			return errno = fake_vfio.set_iommu_errno, -1;
		return 0;
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *s = arg;
		s->flags = fake_vfio.viable ? VFIO_GROUP_FLAGS_VIABLE : 0;
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER:
		if (fake_vfio.set_container_errno)
			return errno = fake_vfio.set_container_errno, -1;
		return fd == FD_GROUP && *(int *)arg == FD_CONTAINER ? 0 : (errno = EINVAL, -1);
	case VFIO_GROUP_GET_DEVICE_FD:
		fake_vfio.open_fds++;
		return FD_DEVICE;
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;
		i->flags = VFIO_DEVICE_FLAGS_PCI | (fake_vfio.can_reset ? VFIO_DEVICE_FLAGS_RESET : 0);
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		i->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *r = arg;
		uint64_t size;
		if (region_of(r->index, &size, &r->flags) < 0)
			return errno = EINVAL, -1;
		r->size = size;
		r->offset = (uint64_t)r->index << REGION_SHIFT;
		return 0;
	}
	case VFIO_DEVICE_RESET:
		fake_vfio.resets++;
		return 0;
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *i = arg;
		i->count = index_count(i->index);
		i->flags = VFIO_IRQ_INFO_EVENTFD | (i->index == VFIO_PCI_INTX_IRQ_INDEX ? VFIO_IRQ_INFO_MASKABLE |
			   VFIO_IRQ_INFO_AUTOMASKED : 0);
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(arg);
	case VFIO_IOMMU_MAP_DMA: {
		int rc;
		pthread_mutex_lock(&fake_vfio_lock);
		rc = map_dma(arg);
		pthread_mutex_unlock(&fake_vfio_lock);
		if (fake_vfio_backing)
			fake_vfio_backing->dma_changed();
		return rc;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		int rc;
		pthread_mutex_lock(&fake_vfio_lock);
		rc = unmap_dma(arg);
		pthread_mutex_unlock(&fake_vfio_lock);
		if (fake_vfio_backing)
			fake_vfio_backing->dma_changed();
		return rc;
	}
	default:
		return errno = ENOTTY, -1;
	}
}

static int map_dma(struct vfio_iommu_type1_dma_map *m)
{
	{
		fake_vfio.map_calls++;
		if (fake_vfio.pinned + m->size > fake_vfio.memlock || fake_vfio.num_maps == FAKE_VFIO_MAX_MAPS)
			return errno = ENOMEM, -1;
		for (int i = 0; i < fake_vfio.num_maps; i++)
			if (m->iova < fake_vfio.maps[i].iova + fake_vfio.maps[i].size &&
			    fake_vfio.maps[i].iova < m->iova + m->size)
				return errno = EEXIST, -1;
		fake_vfio.maps[fake_vfio.num_maps].vaddr = m->vaddr;
		fake_vfio.maps[fake_vfio.num_maps].iova = m->iova;
		fake_vfio.maps[fake_vfio.num_maps].size = m->size;
		fake_vfio.num_maps++;
		fake_vfio.pinned += m->size;
		return 0;
	}
}

static int unmap_dma(struct vfio_iommu_type1_dma_unmap *u)
{
	{
		fake_vfio.unmap_calls++;
		for (int i = 0; i < fake_vfio.num_maps; i++) {
			if (fake_vfio.maps[i].iova == u->iova && fake_vfio.maps[i].size == u->size) {
				fake_vfio.pinned -= u->size;
				fake_vfio.maps[i] = fake_vfio.maps[--fake_vfio.num_maps];
				return 0;
			}
		}
		return errno = EINVAL, -1;
	}
}

/* The bytes behind a device fd offset, or NULL. */
static uint8_t *device_bytes(off_t off, size_t len)
{
	uint32_t index = (uint32_t)((uint64_t)off >> REGION_SHIFT);
	uint64_t at = (uint64_t)off & ((1ULL << REGION_SHIFT) - 1);
	uint64_t size;
	uint32_t flags;

	if (region_of(index, &size, &flags) < 0 || at + len > size)
		return NULL;
	return index == VFIO_PCI_CONFIG_REGION_INDEX ? fake_vfio.config + at : fake_vfio.bar[index] + at;
}

static bool is_bar0(off_t off)
{
	return fake_vfio_backing && ((uint64_t)off >> REGION_SHIFT) == VFIO_PCI_BAR0_REGION_INDEX;
}

static bool is_config(off_t off)
{
	return ((uint64_t)off >> REGION_SHIFT) == VFIO_PCI_CONFIG_REGION_INDEX;
}

static ssize_t f_pread(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = fd == FD_DEVICE ? device_bytes(off, len) : NULL;
	if (!p)
		return errno = EINVAL, -1;
	if (fake_vfio.removed && (is_config(off) || is_bar0(off))) {
		memset(buf, 0xff, len);   /* what a read of a device off the bus completes with */
		return (ssize_t)len;
	}
	if (is_bar0(off))
		return fake_vfio_backing->bar0_rw(false, (uint64_t)off & ((1ULL << REGION_SHIFT) - 1), buf, len);
	pthread_mutex_lock(&fake_vfio_lock);
	memcpy(buf, p, len);
	pthread_mutex_unlock(&fake_vfio_lock);
	return (ssize_t)len;
}

/* PCI status (config 0x06) is write-1-to-clear (PCI 3.0, 6.2.3). */
#define CFG_STATUS 6

static ssize_t f_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	uint8_t *p = fd == FD_DEVICE ? device_bytes(off, len) : NULL;
	if (!p)
		return errno = EINVAL, -1;
	if (fake_vfio.removed && (is_config(off) || is_bar0(off)))
		return (ssize_t)len;   /* goes nowhere */
	if (is_bar0(off))
		return fake_vfio_backing->bar0_rw(true, (uint64_t)off & ((1ULL << REGION_SHIFT) - 1), (void *)buf, len);
	pthread_mutex_lock(&fake_vfio_lock);
	for (size_t i = 0; i < len; i++) {
		uint64_t at = ((uint64_t)off & ((1ULL << REGION_SHIFT) - 1)) + i;
		uint8_t b = ((const uint8_t *)buf)[i];
		p[i] = is_config(off) && (at == CFG_STATUS || at == CFG_STATUS + 1) ? (uint8_t)(p[i] & ~b) : b;
	}
	pthread_mutex_unlock(&fake_vfio_lock);
	return (ssize_t)len;
}

static void *f_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	(void)addr;
	(void)prot;
	(void)flags;
	uint32_t index = (uint32_t)((uint64_t)off >> REGION_SHIFT);
	if (fd != FD_DEVICE || index > VFIO_PCI_BAR5_REGION_INDEX || !fake_vfio.bar_mmap[index] ||
	    len != fake_vfio.bar_size[index])
		return errno = EINVAL, MAP_FAILED;
	if (index == VFIO_PCI_BAR0_REGION_INDEX && fake_vfio_backing)
		return fake_vfio_backing->map_bar0(len);
	/* The same pages again at a second address, so that the library's
	 * munmap of its pointer leaves the test's view alone. */
	return mremap(fake_vfio.bar[index], 0, len, MREMAP_MAYMOVE);
}

static int f_getrlimit(int res, struct rlimit *rl)
{
	(void)res;
	rl->rlim_cur = rl->rlim_max = fake_vfio.memlock == UINT64_MAX ? RLIM_INFINITY : fake_vfio.memlock;
	return 0;
}

static const struct ixy_vfio_ops fake_ops = {
	.open = f_open,
	.close = f_close,
	.ioctl = f_ioctl,
	.pread = f_pread,
	.pwrite = f_pwrite,
	.mmap = f_mmap,
	.getrlimit = f_getrlimit,
};

void fake_vfio_install(const uint8_t *cfg, size_t cfg_len)
{
	fake_vfio_uninstall();
	memset(&fake_vfio, 0, sizeof(fake_vfio));
	fake_vfio.viable = true;
	fake_vfio.has_type1 = true;
	fake_vfio.can_reset = true;
	fake_vfio.memlock = UINT64_MAX;
	fake_vfio.msix_count = 5;
	fake_vfio.has_req = true;
	fake_vfio.req_fd = -1;
	for (int i = 0; i < 64; i++)
		fake_vfio.irq_fds[i] = -1;
	fake_vfio.config_size = 256;
	memcpy(fake_vfio.config, cfg, cfg_len < 256 ? cfg_len : 256);
	ixy__vfio_set_ops(&fake_ops);
	ixy__vfio_set_dev_dir("/nonexistent-fake-dev-vfio");
}

int fake_vfio_set_bar(int bar, size_t size, bool mmap_ok)
{
	/* MAP_SHARED anonymous memory: mremap(old_size 0) can alias it */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	fake_vfio.bar[bar] = p;
	fake_vfio.bar_size[bar] = size;
	fake_vfio.bar_mmap[bar] = mmap_ok;
	return 0;
}

void fake_vfio_uninstall(void)
{
	if (fake_vfio_backing)
		fake_vfio_backing->detach();
	fake_vfio_backing = NULL;
	for (int i = 0; i < 6; i++) {
		if (fake_vfio.bar[i])
			munmap(fake_vfio.bar[i], fake_vfio.bar_size[i]);
		fake_vfio.bar[i] = NULL;
	}
	ixy__vfio_set_ops(NULL);
	ixy__vfio_set_dev_dir(NULL);
}

static int symlink_at(const char *target, const char *link)
{
	unlink(link);
	return symlink(target, link) < 0 ? -errno : 0;
}

static int group_dir(const char *root, int group, char *buf, size_t len)
{
	char cmd[PATH_MAX + 64];
	if (snprintf(buf, len, "%s/kernel/iommu_groups/%d/devices", root, group) >= (int)len)
		return -ENAMETOOLONG;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", buf);
	return system(cmd) == 0 ? 0 : -EIO;
}

int fake_vfio_sysfs_group_member(const char *root, const char *addr, int group, const char *driver)
{
	char dir[PATH_MAX], link[PATH_MAX + 64], target[PATH_MAX], path[PATH_MAX];
	int r;

	if ((r = group_dir(root, group, dir, sizeof(dir))))
		return r;
	if (fake_sysfs_path(path, sizeof(path), root, addr, NULL) == 0) {
		struct stat st;
		if (stat(path, &st) < 0 && (r = fake_sysfs_add_device(root, addr, NULL, 0)))
			return r;
	}
	if (driver && (r = fake_sysfs_bind_driver(root, addr, driver)))
		return r;
	snprintf(link, sizeof(link), "%s/%s", dir, addr);
	snprintf(target, sizeof(target), "../../../../bus/pci/devices/%s", addr);
	if ((r = symlink_at(target, link)))
		return r;
	/* the device's iommu_group link: devices/ADDR -> ../../../kernel/iommu_groups/N */
	if ((r = fake_sysfs_path(link, sizeof(link), root, addr, "iommu_group")))
		return r;
	snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", group);
	return symlink_at(target, link);
}

int fake_vfio_sysfs_device(const char *root, const char *addr, int group)
{
	return fake_vfio_sysfs_group_member(root, addr, group, "vfio-pci");
}

int fake_vfio_sysfs_iommu_width(const char *root, int bits)
{
	char dir[PATH_MAX], cmd[PATH_MAX + 64], text[64];

	snprintf(dir, sizeof(dir), "%s/class/iommu/dmar0/intel-iommu", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	if (system(cmd) != 0)
		return -EIO;
	/* VT-d capability register: MGAW - 1 in bits 21:16, other bits as
	 * QEMU's intel-iommu sets them */
	snprintf(text, sizeof(text), "%llx\n", 0xd2008c22000286ULL | (unsigned long long)(bits - 1) << 16);
	snprintf(cmd, sizeof(cmd), "%s/cap", dir);
	FILE *f = fopen(cmd, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return 0;
}
