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

struct ixy_sim;

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
	uint32_t msi_count;         /* VFIO_PCI_MSI_IRQ_INDEX count (0: no MSI capability) */
	uint32_t intx_count;        /* VFIO_PCI_INTX_IRQ_INDEX count (0: no pin) */
	bool has_req;               /* VFIO_PCI_REQ_IRQ_INDEX offered (kernels since 4.0) */
	bool removed;               /* device off the bus: config and (sim-backed) BAR0 read all ones */
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
	int irq_fds[64];            /* vector of the enabled index -> eventfd (-1: none) */
	uint32_t irq_count;         /* vectors enabled (0: off) */
	uint32_t irq_index;         /* which index is enabled: VFIO_PCI_{MSIX,MSI,INTX}_IRQ_INDEX */
	int irq_calls;              /* SET_IRQS on MSI-X/MSI/INTx (not counting unmasks) */
	bool intx_masked;           /* INTx fired and was masked, as VFIO does, until unmasked */
	bool intx_pending;          /* (without a sim) raised while masked */
	int unmask_calls;
	uint64_t raised, dropped;   /* fake_vfio_raise calls; those that went nowhere */
	int req_fd;                 /* the request eventfd the library gave (-1: none) */
	uint64_t dma_refused;       /* sim-backed: DMA outside the mapped IOVAs */
	unsigned long last_ioctl;
};

extern struct fake_vfio fake_vfio;

/* Reset the state (a device with 256 bytes of config copied from cfg,
 * viable, type 1, reset, memlock unlimited, 5 MSI-X vectors) and install
 * the fake ops and a fake /dev/vfio. */
void fake_vfio_install(const uint8_t *cfg, size_t cfg_len);
/* Give a BAR: size bytes of zeros, mmap-able or not. */
int fake_vfio_set_bar(int bar, size_t size, bool mmap_ok);
/* Back to the real system calls; frees the BARs (and a sim backing). */
void fake_vfio_uninstall(void);

/* The device raises vector `vector` of the enabled index, as the kernel
 * would deliver it: MSI-X/MSI signal the vector's eventfd; INTx signals
 * unless masked, then masks (VFIO's automask) until the library unmasks.
 * Nothing enabled: counted in dropped. */
void fake_vfio_raise(unsigned vector);

/* ---- the fake backed by a sim port (fake_vfio_sim.c) ----
 * BAR0 becomes the port's register file: the mapping the library gets is
 * inaccessible, and each access the driver makes traps (SIGSEGV) and is
 * carried out with ixy_sim_reg_read/ixy_sim_reg_write, as a hypervisor
 * emulates MMIO; pread/pwrite on BAR0 go there too. The port's DMA is
 * translated through the IOVAs the library mapped (VFIO_IOMMU_MAP_DMA):
 * anything else is refused (counted in ixy_sim_dma_faults and dma_refused)
 * and sets Received Master Abort in the PCI status, as a requester told
 * "Unsupported Request" by the IOMMU does. The port's interrupts go to
 * fake_vfio_raise. Config space: an Intel NIC with the port's device id.
 * The port must be threaded (nothing steps it). Call after
 * fake_vfio_install. */
int fake_vfio_back_by_sim(struct ixy_sim *sim);

/* Between fake_vfio.c and fake_vfio_sim.c: the backing's hooks (NULL:
 * plain memory) and the lock that guards the mappings and the interrupt
 * state against the port's threads. */
struct fake_vfio_backing {
	void *(*map_bar0)(size_t len);                      /* the library's BAR0 mapping */
	int (*bar0_rw)(bool write, uint64_t off, void *buf, size_t len);
	void (*dma_changed)(void);                          /* after MAP_DMA/UNMAP_DMA */
	bool (*line_asserted)(void);                        /* INTx still asserted (at unmask) */
	void (*detach)(void);
};
extern const struct fake_vfio_backing *fake_vfio_backing;
#include <pthread.h>
extern pthread_mutex_t fake_vfio_lock;

/* In a fake sysfs tree: bind addr to vfio-pci and put it in IOMMU group
 * `group` (iommu_group link and kernel/iommu_groups/group/devices/addr). */
int fake_vfio_sysfs_device(const char *root, const char *addr, int group);
/* Another device of the same group, bound to `driver` (NULL: none). */
int fake_vfio_sysfs_group_member(const char *root, const char *addr, int group, const char *driver);
/* class/iommu/dmar0/intel-iommu/cap with the given MGAW (address bits). */
int fake_vfio_sysfs_iommu_width(const char *root, int bits);

#endif
