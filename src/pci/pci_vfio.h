/* Internal to the PCI layer: the VFIO backend (pci_vfio.c; interrupts and
 * the device going away in pci_vfio_irq.c).
 *
 * A device bound to vfio-pci is driven through the kernel's VFIO
 * interface instead of sysfs files: /dev/vfio/vfio (the container, one per
 * process, holding the IOMMU mappings), /dev/vfio/N (the device's IOMMU
 * group) and a device fd whose regions are the config space and the BARs.
 * Every system call the backend makes goes through struct ixy_vfio_ops, so
 * unit tests can put a fake VFIO underneath (tests/test_pci_vfio.c).
 */
#ifndef IXY_SRC_PCI_VFIO_H
#define IXY_SRC_PCI_VFIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "pci/pci_internal.h"

struct ixy_pci_dev;
struct vfio_group;   /* pci_vfio.c */

/* The system calls of the VFIO backend (and of the IOVA mappings in
 * src/memory/iova.c). Defaults are the libc functions. */
struct ixy_vfio_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long req, void *arg);
	ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(int fd, const void *buf, size_t len, off_t off);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd, off_t off);
	int (*getrlimit)(int resource, struct rlimit *rl);
};

/* Replace the ops (tests); NULL restores the real system calls. Only
 * while no VFIO device is open. */
void ixy__vfio_set_ops(const struct ixy_vfio_ops *ops);
const struct ixy_vfio_ops *ixy__vfio_ops(void);

/* Where the VFIO device nodes live ("/dev/vfio"); tests point it at a
 * directory of their own. NULL restores the default. */
void ixy__vfio_set_dev_dir(const char *dir);

/* One device opened through VFIO: pci_vfio.c (open, config, BARs) and
 * pci_vfio_irq.c (interrupts, going away) share it. */
struct ixy_vfio_dev {
	int fd;                        /* the device fd */
	struct vfio_group *group;
	uint64_t cfg_off, cfg_size;    /* config region */
	struct vfio_region_info bar[IXY_PCI_NUM_BARS];
	bool bar_known[IXY_PCI_NUM_BARS];
	/* interrupts: the kind chosen at the first ixy_pci_irq_setup (or
	 * the first routing), how many vectors it has, and whether VFIO has
	 * it enabled now */
	enum ixy_pci_irq_type irq_type;
	unsigned irq_count;
	bool irq_on;
	/* VFIO's request interrupt: the kernel signals it when it wants the
	 * device back (unbind, hot-unplug); -1 when the kernel has none */
	int req_fd;
	bool released;                 /* given back: device fd closed, BARs all ones */
	struct { void *addr; size_t size; } map[IXY_PCI_NUM_BARS];   /* BAR mappings handed out */
};

/* Open the device behind dev (already known to be bound to vfio-pci):
 * group, container and IOMMU, device fd, config region, reset. Returns
 * 0 and sets dev->vfio, or a negative errno with a message. */
int ixy__vfio_open(struct ixy_pci_dev *dev);
void ixy__vfio_close(struct ixy_pci_dev *dev);

/* The pci.c/pci_bar.c entry points when dev->vfio is set. */
int ixy__vfio_config_read(struct ixy_pci_dev *dev, uint32_t off, void *buf, size_t len);
int ixy__vfio_config_write(struct ixy_pci_dev *dev, uint32_t off, const void *buf, size_t len);
void *ixy__vfio_map_bar(struct ixy_pci_dev *dev, int bar, size_t *size);
int ixy__vfio_bar_read(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t *val);
int ixy__vfio_bar_write(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t val);
/* ixy_pci_irq_setup, _set_eventfd, _unmask (pci_irq.c) for a VFIO device. */
int ixy__vfio_irq_setup(struct ixy_pci_dev *dev, unsigned want, unsigned *vectors);
int ixy__vfio_irq_set_eventfd(struct ixy_pci_dev *dev, unsigned vector, int efd);
int ixy__vfio_irq_unmask(struct ixy_pci_dev *dev);
/* ixy_pci_check for a VFIO device: the kernel's request to give the
 * device back (honoured: DMA and interrupts stopped, device fd closed),
 * config space all ones, a refused DMA in the PCI status. */
int ixy__vfio_check(struct ixy_pci_dev *dev);
/* The device was given back (ixy__vfio_check): bus mastering is off. */
bool ixy__vfio_released(const struct ixy_pci_dev *dev);
/* Drop the device's reference on its group: the last device of a group
 * closes it (out of the container: the kernel may give the group's
 * devices to a kernel driver again), the last group the container. */
void ixy__vfio_put_group(struct ixy_vfio_dev *v);
/* The error of every call on a device that was given back. */
int ixy__vfio_released_error(struct ixy_pci_dev *dev);
/* pci_vfio_irq.c at the end of ixy__vfio_open (watch for the kernel's
 * request) and at close (interrupts and the request off). */
void ixy__vfio_irq_open(struct ixy_pci_dev *dev);
void ixy__vfio_irq_close(struct ixy_pci_dev *dev);

/* The IOMMU's input address width in bits from <sysfs root>/class/iommu/
 * (Intel VT-d capability register, MGAW), the smallest over all IOMMUs;
 * 39 when nothing can be read (QEMU's intel-iommu default). */
int ixy__vfio_iommu_width(const char *sysfs_root);

#endif
