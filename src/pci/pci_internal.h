/* Internal to the PCI layer: the device handle and the sysfs file helpers
 * shared by pci.c, pci_driver.c and pci_bar.c. */
#ifndef IXY_SRC_PCI_INTERNAL_H
#define IXY_SRC_PCI_INTERNAL_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "ixy/pci.h"

/* A type 0 function has six BARs, resource0..resource5 (PCI 3.0, 6.2.5.1). */
#define IXY_PCI_NUM_BARS 6

/* The predefined header is 64 bytes (PCI Local Bus spec 3.0, 6.1); a
 * process without CAP_SYS_ADMIN also only ever sees these 64 bytes of the
 * sysfs config file, so this is all that open() relies on. */
#define IXY_PCI_CFG_HEADER_SIZE 64
/* PCI Express extended configuration space is 4 KiB (PCIe base spec 7.2). */
#define IXY_PCI_CFG_SPACE_MAX 4096

/* Header offsets, PCI Local Bus spec 3.0, figure 6-1 / section 6.2. */
#define IXY_PCI_CFG_VENDOR_ID   0x00
#define IXY_PCI_CFG_DEVICE_ID   0x02
#define IXY_PCI_CFG_COMMAND     0x04
#define IXY_PCI_CFG_STATUS      0x06
#define IXY_PCI_CFG_REVISION    0x08
#define IXY_PCI_CFG_PROG_IF     0x09
#define IXY_PCI_CFG_SUBCLASS    0x0a
#define IXY_PCI_CFG_CLASS       0x0b
#define IXY_PCI_CFG_HEADER_TYPE 0x0e
#define IXY_PCI_CFG_SUBSYS_VENDOR_ID 0x2c  /* header type 0 only */
#define IXY_PCI_CFG_SUBSYS_ID   0x2e

/* Command register bits (PCI 3.0, 6.2.2). */
#define IXY_PCI_CMD_MEMORY      (1u << 1)
#define IXY_PCI_CMD_MASTER      (1u << 2)

#define IXY_PCI_HEADER_MULTIFUNCTION 0x80
#define IXY_PCI_HEADER_TYPE_MASK     0x7f

/* struct resource flags as the kernel prints them in the sysfs `resource`
 * file (include/linux/ioport.h; the kernel keeps them stable because this
 * file exposes them to user space). */
#define IXY_IORESOURCE_TYPE_BITS 0x00001f00
#define IXY_IORESOURCE_IO        0x00000100
#define IXY_IORESOURCE_MEM       0x00000200
#define IXY_IORESOURCE_PREFETCH  0x00002000
#define IXY_IORESOURCE_MEM_64    0x00100000

struct ixy_pci_dev {
	struct ixy_pci_addr addr;
	char name[16];              /* canonical "dddd:bb:dd.f" */
	char path[PATH_MAX];        /* <sysfs root>/bus/pci/devices/<name> */
	struct ixy_pci_info info;   /* header as of open / last refresh */
	/* resourceN opened lazily for pread/pwrite access (-1 = not yet). */
	int bar_fd[IXY_PCI_NUM_BARS];
	uint64_t bar_size[IXY_PCI_NUM_BARS];
	int lock_fd;                /* config file holding our flock, -1 = not claimed */
	/* Set when the device is bound to vfio-pci: config space and BARs go
	 * through VFIO (pci_vfio.c) instead of sysfs files. */
	struct ixy_vfio_dev *vfio;
};

/* "<dev->path>/<rel>" into buf; -ENAMETOOLONG (with message) if it does not
 * fit. */
int ixy_pci_file_path(const struct ixy_pci_dev *dev, const char *rel, char *buf, size_t len);

/* What to tell the user for an errno from opening/reading a sysfs file. */
const char *ixy_pci_errno_hint(int err);

/* Read a small text file of the device directory into buf (NUL-terminated,
 * trailing newline kept). Returns the length or a negative errno; records a
 * message naming the device and file. */
ssize_t ixy_pci_read_text(const struct ixy_pci_dev *dev, const char *rel, char *buf, size_t len);

#endif
