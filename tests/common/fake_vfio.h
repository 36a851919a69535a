/* A fake VFIO for tests: the system calls of src/pci/pci_vfio.c and
 * src/memory/iova.c answered from memory (struct ixy_vfio_ops), plus the
 * sysfs parts of a device bound to vfio-pci (driver link, iommu_group
 * link, kernel/iommu_groups/N/devices/). Config space and BARs are arrays
 * the test reads and writes; BARs that allow mmap are anonymous mappings,
 * so the library's pointer and the test see the same bytes. Failures are
 * switched on per field. Nothing here asserts.
 */
#ifndef IXY_TEST_FAKE_VFIO_H
#define IXY_TEST_FAKE_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAKE_VFIO_MAX_MAPS 64

struct fake_vfio {
	/* knobs */
	bool viable;                /* VFIO_GROUP_GET_STATUS says VIABLE */
	bool has_type1;             /* VFIO_CHECK_EXTENSION(TYPE1) */
	bool can_reset;             /* VFIO_DEVICE_FLAGS_RESET */
	int group_open_errno;       /* opening /dev/vfio/N fails with this */
	int container_open_errno;
	int set_iommu_errno;        /* VFIO_SET_IOMMU fails with this (EPERM: no irq remapping) */
	int set_container_errno;    /* VFIO_GROUP_SET_CONTAINER fails with this */
	uint64_t memlock;           /* RLIMIT_MEMLOCK; MAP_DMA beyond it: ENOMEM */
	uint32_t msix_count;
	/* the device */
	uint8_t config[4096];
	uint32_t config_size;       /* 256 */
	uint8_t *bar[6];
	size_t bar_size[6];
	bool bar_mmap[6];
	/* what happened */
	int open_fds;               /* fake fds not closed yet */
	int resets;
	int map_calls, unmap_calls;
	uint64_t pinned;
	int num_maps;
	struct { uint64_t vaddr, iova, size; } maps[FAKE_VFIO_MAX_MAPS];
	int irq_fds[64];            /* MSI-X vector -> eventfd (-1: none) */
	uint32_t irq_count;         /* MSI-X vectors enabled (0: off) */
	int irq_calls;
	unsigned long last_ioctl;
};

extern struct fake_vfio fake_vfio;

/* Reset the state (a device with 256 bytes of config copied from cfg,
 * viable, type 1, reset, memlock unlimited, 5 MSI-X vectors) and install
 * the fake ops and a fake /dev/vfio. */
void fake_vfio_install(const uint8_t *cfg, size_t cfg_len);
/* Give a BAR: size bytes of zeros, mmap-able or not. */
int fake_vfio_set_bar(int bar, size_t size, bool mmap_ok);
/* Back to the real system calls; frees the BARs. */
void fake_vfio_uninstall(void);

/* In a fake sysfs tree: bind addr to vfio-pci and put it in IOMMU group
 * `group` (iommu_group link and kernel/iommu_groups/group/devices/addr). */
int fake_vfio_sysfs_device(const char *root, const char *addr, int group);
/* Another device of the same group, bound to `driver` (NULL: none). */
int fake_vfio_sysfs_group_member(const char *root, const char *addr, int group, const char *driver);
/* class/iommu/dmar0/intel-iommu/cap with the given MGAW (address bits). */
int fake_vfio_sysfs_iommu_width(const char *root, int bits);

#endif
