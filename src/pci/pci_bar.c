/* Access to BARs through sysfs resourceN files: mmap for memory BARs (the
 * register window of a NIC), pread/pwrite for I/O-port BARs (legacy
 * virtio) which cannot be mapped on x86.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

static int check_bar_index(const struct ixy_pci_dev *dev, const char *op, int bar)
{
	if (!dev)
		return ixy_error(-EINVAL, "%s: device is NULL", op);
	if (bar < 0 || bar >= IXY_PCI_NUM_BARS)
		return ixy_error(-EINVAL, "%s: %s: BAR index %d out of range (0..%d)", dev->name, op,
				 bar, IXY_PCI_NUM_BARS - 1);
	return 0;
}

/* The BAR as the `resource` file describes it. */
static int lookup_bar(struct ixy_pci_dev *dev, int bar, struct ixy_pci_bar *out)
{
	struct ixy_pci_bar bars[IXY_PCI_NUM_BARS];
	int n = ixy_pci_get_bars(dev, bars, IXY_PCI_NUM_BARS);

	if (n < 0)
		return n;
	*out = bars[bar];
	return 0;
}

static int open_resource(const struct ixy_pci_dev *dev, int bar, int flags, char *path, size_t len)
{
	char rel[16];
	int err;

	snprintf(rel, sizeof(rel), "resource%d", bar);
	if ((err = ixy_pci_file_path(dev, rel, path, len)))
		return err;
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open %s for BAR %d: %s (%s)", dev->name, path, bar,
				 ixy_strerror(err),
				 err == -ENOENT ? "BAR not implemented by this device?"
						: ixy_pci_errno_hint(err));
	}
	return fd;
}

/* Size of the BAR behind an open resourceN: sysfs gives the file the BAR's
 * size; if it does not (size 0), the `resource` file still knows. */
static int resource_size(struct ixy_pci_dev *dev, int bar, int fd, const char *path, uint64_t *size)
{
	struct stat st;
	struct ixy_pci_bar b;

	if (fstat(fd, &st) < 0) {
		int err = -errno;
		return ixy_error(err, "%s: cannot stat %s: %s", dev->name, path, ixy_strerror(err));
	}
	if (st.st_size > 0) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	int err = lookup_bar(dev, bar, &b);
	if (err)
		return err;
	if (b.size == 0)
		return ixy_error(-ENODEV, "%s: BAR %d has size 0 in both %s and %s/resource: not implemented",
				 dev->name, bar, path, dev->path);
	*size = b.size;
	return 0;
}

void *ixy_pci_map_bar(struct ixy_pci_dev *dev, int bar, size_t *size)
{
	char path[PATH_MAX];
	struct ixy_pci_bar b;
	uint64_t sz;

	if (check_bar_index(dev, "ixy_pci_map_bar", bar))
		return NULL;
	if (!size)
		return ixy_error_null(-EINVAL, "%s: ixy_pci_map_bar: size pointer is NULL", dev->name);
	/* VFIO's region info says whether the BAR may be mapped. */
	if (dev->vfio)
		return ixy__vfio_map_bar(dev, bar, size);
	if (lookup_bar(dev, bar, &b))
		return NULL;
	if (b.is_io)
		return ixy_error_null(-ENOTSUP, "%s: BAR %d is an I/O-port BAR, which cannot be mapped: "
				      "use ixy_pci_bar_read/ixy_pci_bar_write", dev->name, bar);
	if (b.size == 0)
		return ixy_error_null(-ENODEV, "%s: BAR %d is not implemented (size 0 in %s/resource)",
				      dev->name, bar, dev->path);

	/* O_SYNC: the kernel maps resourceN uncached only when the file was
	 * opened with O_SYNC on some architectures (pci_mmap_resource); on
	 * x86 sysfs BAR mappings are uncached anyway. */
	int fd = open_resource(dev, bar, O_RDWR | O_SYNC, path, sizeof(path));
	if (fd < 0)
		return NULL;
	if (resource_size(dev, bar, fd, path, &sz)) {
		close(fd);
		return NULL;
	}
	if (sz > SIZE_MAX) {
		close(fd);
		return ixy_error_null(-EFBIG, "%s: BAR %d of 0x%" PRIx64 " bytes does not fit the address space",
				      dev->name, bar, sz);
	}
	void *p = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int err = p == MAP_FAILED ? -errno : 0;
	close(fd);   /* the mapping keeps its own reference */
	if (p == MAP_FAILED)
		return ixy_error_null(err, "%s: cannot mmap %s (0x%" PRIx64 " bytes): %s (%s)", dev->name,
				      path, sz, ixy_strerror(err),
				      err == -EPERM ? "run as root; kernel lockdown forbids BAR access"
						    : ixy_pci_errno_hint(err));
	*size = (size_t)sz;
	return p;
}

void ixy_pci_unmap_bar(void *addr, size_t size)
{
	if (addr && size)
		munmap(addr, size);
}

/* resourceN of the BAR opened read/write once and kept: I/O-port BARs
 * (legacy virtio) are accessed per packet batch, too often to reopen. */
static int bar_io_fd(struct ixy_pci_dev *dev, int bar)
{
	char path[PATH_MAX];

	if (dev->bar_fd[bar] >= 0)
		return dev->bar_fd[bar];
	int fd = open_resource(dev, bar, O_RDWR, path, sizeof(path));
	if (fd < 0)
		return fd;
	int err = resource_size(dev, bar, fd, path, &dev->bar_size[bar]);
	if (err) {
		close(fd);
		return err;
	}
	dev->bar_fd[bar] = fd;
	return fd;
}

static int check_io(struct ixy_pci_dev *dev, const char *op, int bar, uint64_t off, int width)
{
	int err = check_bar_index(dev, op, bar);

	if (err)
		return err;
	if (width != 1 && width != 2 && width != 4)
		return ixy_error(-EINVAL, "%s: %s: width %d, must be 1, 2 or 4 bytes", dev->name, op,
				 width);
	int fd = bar_io_fd(dev, bar);
	if (fd < 0)
		return fd;
	uint64_t size = dev->bar_size[bar];
	if (off > size || (uint64_t)width > size - off)
		return ixy_error(-ERANGE, "%s: %s of %d bytes at offset 0x%" PRIx64 " is outside BAR %d "
				 "(0x%" PRIx64 " bytes)", dev->name, op, width, off, bar, size);
	return fd;
}

/* The kernel moves I/O-port values in host byte order (inb/inw/inl into the
 * user buffer, pci_resource_io in drivers/pci/pci-sysfs.c), so copy the
 * integer of the access width as it is. */
int ixy_pci_bar_read(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t *val)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	void *buf = width == 1 ? (void *)&b8 : width == 2 ? (void *)&b16 : (void *)&b32;

	if (!val)
		return ixy_error(-EINVAL, "ixy_pci_bar_read: value pointer is NULL");
	if (dev && dev->vfio) {
		if (width != 1 && width != 2 && width != 4)
			return check_io(dev, "BAR read", bar, off, width);
		return check_bar_index(dev, "BAR read", bar) ?: ixy__vfio_bar_read(dev, bar, off, width, val);
	}
	int fd = check_io(dev, "BAR read", bar, off, width);
	if (fd < 0)
		return fd;
	ssize_t n = pread(fd, buf, (size_t)width, (off_t)off);
	if (n != width) {
		int err = n < 0 ? -errno : -EIO;
		return ixy_error(err, "%s: reading %d bytes at offset 0x%" PRIx64 " of %s/resource%d "
				 "failed: %s (the kernel reads only I/O-port BARs this way; map "
				 "memory BARs with ixy_pci_map_bar)", dev->name, width, off, dev->path,
				 bar, n < 0 ? ixy_strerror(err) : "short read");
	}
	*val = width == 1 ? b8 : width == 2 ? b16 : b32;
	return 0;
}

int ixy_pci_bar_write(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t val)
{
	uint8_t b8 = (uint8_t)val;
	uint16_t b16 = (uint16_t)val;
	uint32_t b32 = val;
	const void *buf = width == 1 ? (void *)&b8 : width == 2 ? (void *)&b16 : (void *)&b32;

	if (dev && dev->vfio) {
		if (width != 1 && width != 2 && width != 4)
			return check_io(dev, "BAR write", bar, off, width);
		return check_bar_index(dev, "BAR write", bar) ?: ixy__vfio_bar_write(dev, bar, off, width, val);
	}
	int fd = check_io(dev, "BAR write", bar, off, width);
	if (fd < 0)
		return fd;
	if ((width == 1 && val > 0xff) || (width == 2 && val > 0xffff))
		return ixy_error(-EINVAL, "%s: BAR write: value 0x%x does not fit %d byte(s)", dev->name,
				 val, width);
	ssize_t n = pwrite(fd, buf, (size_t)width, (off_t)off);
	if (n != width) {
		int err = n < 0 ? -errno : -EIO;
		return ixy_error(err, "%s: writing %d bytes at offset 0x%" PRIx64 " of %s/resource%d "
				 "failed: %s (the kernel writes only I/O-port BARs this way; map "
				 "memory BARs with ixy_pci_map_bar)", dev->name, width, off, dev->path,
				 bar, n < 0 ? ixy_strerror(err) : "short write");
	}
	return 0;
}
