/* libixy: the PCI layer.
 *
 * Everything goes through sysfs (/sys/bus/pci/devices/DDDD:BB:DD.F/...): the
 * `config` file for configuration space, `resource` for the BAR list,
 * `resourceN` for mapping/accessing BARs, `driver` for the kernel driver,
 * `net/` for the network interfaces the kernel created, `numa_node`.
 * The sysfs root is a parameter (NULL = "/sys") so tests can point it at a
 * fake tree.
 */
#ifndef IXY_PCI_H
#define IXY_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A PCI address DDDD:BB:DD.F (domain, bus, device, function). */
struct ixy_pci_addr {
	uint32_t domain;   /* 0..0xffff */
	uint8_t bus;       /* 0..0xff */
	uint8_t dev;       /* 0..0x1f */
	uint8_t func;      /* 0..7 */
};

/* Parse "DDDD:BB:DD.F" or the short form "BB:DD.F" (domain 0). Hex digits,
 * either case. Returns 0 or -EINVAL with a message naming the bad part. */
int ixy_pci_addr_parse(const char *str, struct ixy_pci_addr *out);

/* Canonical text "dddd:bb:dd.f" (lower case) into buf (>= 13 bytes). */
void ixy_pci_addr_format(const struct ixy_pci_addr *addr, char *buf, size_t len);

/* Configuration-space header fields (PCI Local Bus spec 6.1). */
struct ixy_pci_info {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t command;
	uint16_t status;
	uint8_t revision;
	uint8_t prog_if;
	uint8_t subclass;
	uint8_t class_code;      /* 0x02 = network controller */
	uint8_t header_type;     /* bit 7 = multi-function masked off */
	bool multifunction;
	uint16_t subsys_vendor_id; /* only for header type 0, else 0 */
	uint16_t subsys_id;
};

#define IXY_PCI_CLASS_NETWORK 0x02

struct ixy_pci_bar {
	int index;           /* N as in resourceN */
	uint64_t start;      /* bus address */
	uint64_t size;       /* bytes; 0 = BAR not implemented */
	bool is_io;          /* I/O space (else memory) */
	bool is_64bit;       /* 64-bit memory BAR */
	bool prefetchable;
};

/* An open handle on one PCI function in sysfs. Opaque. */
struct ixy_pci_dev;

/* Open a device by address (any accepted form). sysfs_root NULL = "/sys".
 * Fails with -EINVAL (bad address), -ENOENT (no such device), -EACCES/-EPERM
 * (cannot read config: not root), -EIO (short config file). Reads and keeps
 * the config header (see ixy_pci_get_info). */
struct ixy_pci_dev *ixy_pci_open(const char *addr, const char *sysfs_root);
void ixy_pci_close(struct ixy_pci_dev *dev);

/* Canonical address text and sysfs directory of an open device. */
const char *ixy_pci_name(const struct ixy_pci_dev *dev);
const char *ixy_pci_path(const struct ixy_pci_dev *dev);

/* Config header as read at open (call ixy_pci_refresh to read it again). */
const struct ixy_pci_info *ixy_pci_get_info(const struct ixy_pci_dev *dev);
int ixy_pci_refresh(struct ixy_pci_dev *dev);

/* Read/write len raw bytes of configuration space at off, as they are in
 * the device (little-endian). Any len with off + len <= 4096; the kernel
 * splits it into naturally aligned 1/2/4-byte config cycles. Without root
 * only the first 64 bytes are readable (-EIO past them) and nothing is
 * writable (-EACCES). Returns 0 or <0. */
int ixy_pci_config_read(struct ixy_pci_dev *dev, uint32_t off, void *buf, size_t len);
int ixy_pci_config_write(struct ixy_pci_dev *dev, uint32_t off, const void *buf, size_t len);

/* BARs from the sysfs `resource` file: fills up to max entries for BARs
 * 0..5 (including unimplemented ones, size 0); returns the count or <0. */
int ixy_pci_get_bars(struct ixy_pci_dev *dev, struct ixy_pci_bar *bars, int max);

/* Set Memory Space Enable and Bus Master Enable in the command register
 * (config offset 4) by rewriting exactly those two bytes. The kernel clears
 * bus mastering when a driver unbinds, so this must be done before DMA. */
int ixy_pci_enable_bus_master(struct ixy_pci_dev *dev);
/* Clear Bus Master Enable (memory space stays on): the function can no
 * longer start DMA (PCI 3.0, 6.2.2). Drivers do it at close after stopping
 * the queues and before the DMA memory is freed. */
int ixy_pci_disable_bus_master(struct ixy_pci_dev *dev);

/* Claim the device for this process: an exclusive flock(2) on its sysfs
 * `config` file, held until ixy_pci_close (or the process's death: the
 * kernel drops it). A second claimant, in this or another process, gets
 * -EBUSY with the holder's PID when /proc/locks shows it. Drivers take it
 * before they touch the device, so two processes never drive one NIC. */
int ixy_pci_lock(struct ixy_pci_dev *dev);

/* Refuse a device whose DMA the IOMMU translates (its sysfs iommu_group
 * type is "DMA" or "DMA-FQ", or "blocked"): libixy hands the NIC physical
 * addresses, which would all fault. 0 if there is no IOMMU group, the
 * group passes DMA through ("identity"), or the kernel does not show the
 * type; else -EOPNOTSUPP with a message (vfio-pci or iommu=pt). */
int ixy_pci_check_iommu(struct ixy_pci_dev *dev);

/* Name of the bound kernel driver into buf; returns 1 if bound, 0 if no
 * driver is bound (buf = ""), <0 on error. */
int ixy_pci_driver(struct ixy_pci_dev *dev, char *buf, size_t len);

/* Network interfaces the kernel created for this device. */
struct ixy_pci_netif {
	char name[32];
	bool up;              /* IFF_UP set in net/NAME/flags */
};
/* Fills up to max entries; returns how many interfaces exist (may be > max). */
int ixy_pci_netifs(struct ixy_pci_dev *dev, struct ixy_pci_netif *out, int max);

/* Unbind the kernel driver from this device only (writes the address to
 * driver/unbind). Refuses a device whose class is not a network controller
 * (-ENODEV, even with force) and one that carries an interface that is up
 * (-EBUSY) unless force is true. No driver bound: nothing to do, 0. */
int ixy_pci_unbind(struct ixy_pci_dev *dev, bool force);

/* mmap a memory BAR read/write (resourceN; size from the file, else from
 * `resource`). Returns the mapping and stores its size; NULL with -ENOTSUP
 * for I/O BARs, -ENODEV for unimplemented ones. */
void *ixy_pci_map_bar(struct ixy_pci_dev *dev, int bar, size_t *size);
void ixy_pci_unmap_bar(void *addr, size_t size);

/* Access an I/O-port BAR through pread/pwrite on resourceN. width is 1, 2
 * or 4; off + width must lie inside the BAR (-ERANGE); the value is in host
 * byte order, as the kernel's inb/inw/inl deliver it. The kernel supports
 * this only for I/O BARs (memory BARs: -EIO, map them instead); regular
 * files in a fake tree work for any BAR. resourceN is opened on first use
 * and kept open until ixy_pci_close(). */
int ixy_pci_bar_read(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t *val);
int ixy_pci_bar_write(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t val);

/* How the device interrupts (through VFIO). */
enum ixy_pci_irq_type {
	IXY_PCI_IRQ_NONE = 0,
	IXY_PCI_IRQ_MSIX = 1,   /* a vector per queue */
	IXY_PCI_IRQ_MSI = 2,    /* one vector: the driver finds out which queue (82599: EICR) */
	IXY_PCI_IRQ_INTX = 3,   /* one level-triggered line; VFIO masks it each time it fires,
	                           the driver unmasks it (ixy_pci_irq_unmask) once the device
	                           has deasserted it */
};
/* Choose the device's interrupt kind, once (later calls return the
 * choice): MSI-X if it has at least `want` vectors, else MSI, else INTx.
 * Returns the kind (> 0) and stores the number of usable vectors (1 for
 * MSI and INTx), or a negative errno: -ENOTSUP with a message saying what
 * the device has (no interrupt at all; too few MSI-X vectors and nothing
 * to fall back to; no VFIO: the sysfs/uio backend has no interrupts). */
int ixy_pci_irq_setup(struct ixy_pci_dev *dev, unsigned want, unsigned *vectors);
/* Deliver vector `vector` of the chosen kind to eventfd efd (-1: stop
 * delivering it). The driver picks the vectors; the caller owns the fd.
 * A device bound to vfio-pci: VFIO_DEVICE_SET_IRQS (MSI-X: the first call
 * enables all the device's vectors, none signalling; a call before
 * ixy_pci_irq_setup chooses as ixy_pci_irq_setup(dev, vector + 1);
 * ixy_pci_close turns interrupts off). The sysfs/uio backend has no
 * interrupt delivery: -ENOTSUP with a message naming the device and the
 * fix. */
int ixy_pci_irq_set_eventfd(struct ixy_pci_dev *dev, unsigned vector, int efd);
/* INTx: let the line signal again (after the device deasserted it). 0 and
 * nothing done for the other kinds. */
int ixy_pci_irq_unmask(struct ixy_pci_dev *dev);

/* Is the device still there and well? Call it now and then (ixy_read_stats
 * and ixy_get_link do). Through VFIO: when the kernel asked for the device
 * back (VFIO's request interrupt: it is being unbound or hot-removed), its
 * bus mastering and interrupts are turned off, its BAR mappings replaced by
 * memory that reads all ones (as a removed device reads) and the device
 * released: -ENODEV. Config space reading all ones (removed, or in reset):
 * -ENODEV. A DMA the IOMMU refused (PCI status: received master/target
 * abort): -EIO, once per refusal. 0 when all is well, and always 0 for the
 * sysfs/uio backend. */
int ixy_pci_check(struct ixy_pci_dev *dev);

/* An fd (owned by the library) that becomes readable when ixy_pci_check
 * has news to report without being polled for it: through VFIO, the
 * kernel's request for the device. An event loop that sleeps adds it to
 * its poll set and calls ixy_pci_check when it fires (ixy_rx_wait does).
 * -1 when there is none (sysfs/uio backend, a kernel without the request
 * interrupt, or the device already released; not an error); -EINVAL for
 * no device. */
int ixy_pci_event_fd(const struct ixy_pci_dev *dev);

/* NUMA node of the device from sysfs `numa_node`; -1 when unknown
 * (missing, unreadable or negative). Not an error: no message is set. */
int ixy_pci_numa_node(struct ixy_pci_dev *dev);

/* VFIO. ixy_pci_open drives a device bound to vfio-pci through VFIO
 * (config space and BARs as regions of the VFIO device fd, DMA confined by
 * the IOMMU to the regions libixy maps, no root needed with access to
 * /dev/vfio/N). True for such a device. */
bool ixy_pci_is_vfio(const struct ixy_pci_dev *dev);

#ifdef __cplusplus
}
#endif
#endif
