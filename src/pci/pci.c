/* PCI devices through sysfs: open/close, the configuration header, raw
 * config access, the BAR list, bus mastering and the NUMA node.
 *
 * Everything reads files below <root>/bus/pci/devices/<address>/ as
 * described in the kernel's Documentation/PCI/sysfs-pci.rst, so that a
 * fake tree in a temporary directory behaves exactly like the real one.
 */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

#define DEFAULT_SYSFS_ROOT "/sys"

const char *ixy_pci_errno_hint(int err)
{
	switch (err < 0 ? -err : err) {
	case EACCES:
	case EPERM:
		return "run as root";
	case ENOENT:
		return "is the device present? check with lspci";
	case EROFS:
		return "sysfs is mounted read-only (container?)";
	default:
		return "check the sysfs tree of the device";
	}
}

int ixy_pci_file_path(const struct ixy_pci_dev *dev, const char *rel, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dev->path, rel);

	if (n < 0 || (size_t)n >= len)
		return ixy_error(-ENAMETOOLONG, "%s: path %s/%s is too long (use a shorter sysfs root)",
				 dev->name, dev->path, rel);
	return 0;
}

ssize_t ixy_pci_read_text(const struct ixy_pci_dev *dev, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t got = 0;
	int err = ixy_pci_file_path(dev, rel, path, sizeof(path));

	if (err)
		return err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open %s: %s (%s)", dev->name, path,
				 ixy_strerror(err), ixy_pci_errno_hint(err));
	}
	/* sysfs hands out attribute text in one read, but a regular file in a
	 * test tree may come in pieces: read until EOF or the buffer is full. */
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			close(fd);
			return ixy_error(err, "%s: cannot read %s: %s (%s)", dev->name, path,
					 ixy_strerror(err), ixy_pci_errno_hint(err));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Config space is little-endian (PCI 3.0, 6.1); assemble values byte by
 * byte so the host's byte order does not matter. */
static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* pread until len bytes, EOF or an error; returns bytes read or -errno. */
static ssize_t pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, off + (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int open_config(const struct ixy_pci_dev *dev, int flags, char *path, size_t len)
{
	int err = ixy_pci_file_path(dev, "config", path, len);

	if (err)
		return err;
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open %s for %s: %s (%s)", dev->name, path,
				 (flags & O_ACCMODE) == O_RDONLY ? "reading" : "writing",
				 ixy_strerror(err), ixy_pci_errno_hint(err));
	}
	return fd;
}

static int read_header(const struct ixy_pci_dev *dev, struct ixy_pci_info *info)
{
	uint8_t cfg[IXY_PCI_CFG_HEADER_SIZE];
	char path[PATH_MAX];
	int fd = open_config(dev, O_RDONLY, path, sizeof(path));

	if (fd < 0)
		return fd;
	ssize_t n = pread_full(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n < 0)
		return ixy_error((int)n, "%s: cannot read %s: %s (%s)", dev->name, path,
				 ixy_strerror((int)n), ixy_pci_errno_hint((int)n));
	if (n < (ssize_t)sizeof(cfg))
		return ixy_error(-EIO, "%s: %s has only %zd bytes, the configuration header needs %zu "
				 "(PCI 3.0 section 6.1); is this really a PCI device directory?",
				 dev->name, path, n, sizeof(cfg));

	/* A function that does not answer reads as all ones (PCI 3.0, 6.1:
	 * vendor 0xffff is invalid), e.g. after surprise removal. */
	if (le16(cfg + IXY_PCI_CFG_VENDOR_ID) == 0xffff)
		return ixy_error(-EIO, "%s: %s reads vendor id 0xffff: the device does not respond "
				 "(removed, powered down or in reset?)", dev->name, path);

	memset(info, 0, sizeof(*info));
	info->vendor_id = le16(cfg + IXY_PCI_CFG_VENDOR_ID);
	info->device_id = le16(cfg + IXY_PCI_CFG_DEVICE_ID);
	info->command = le16(cfg + IXY_PCI_CFG_COMMAND);
	info->status = le16(cfg + IXY_PCI_CFG_STATUS);
	info->revision = cfg[IXY_PCI_CFG_REVISION];
	info->prog_if = cfg[IXY_PCI_CFG_PROG_IF];
	info->subclass = cfg[IXY_PCI_CFG_SUBCLASS];
	info->class_code = cfg[IXY_PCI_CFG_CLASS];
	info->header_type = cfg[IXY_PCI_CFG_HEADER_TYPE] & IXY_PCI_HEADER_TYPE_MASK;
	info->multifunction = cfg[IXY_PCI_CFG_HEADER_TYPE] & IXY_PCI_HEADER_MULTIFUNCTION;
	/* 0x2c..0x2f hold the subsystem ids only in a type 0 header; bridges
	 * (type 1) have other registers there (PCI-to-PCI bridge spec 3.2). */
	if (info->header_type == 0) {
		info->subsys_vendor_id = le16(cfg + IXY_PCI_CFG_SUBSYS_VENDOR_ID);
		info->subsys_id = le16(cfg + IXY_PCI_CFG_SUBSYS_ID);
	}
	return 0;
}

struct ixy_pci_dev *ixy_pci_open(const char *addr, const char *sysfs_root)
{
	struct ixy_pci_addr a;
	struct stat st;
	char drv[64];
	const char *root = sysfs_root ? sysfs_root : DEFAULT_SYSFS_ROOT;
	int err = ixy_pci_addr_parse(addr, &a);

	if (err)
		return NULL;
	struct ixy_pci_dev *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return ixy_error_null(-ENOMEM, "ixy_pci_open(%s): out of memory", addr);
	ixy_pci_addr_format(&a, dev->name, sizeof(dev->name));
	dev->addr = a;
	for (int i = 0; i < IXY_PCI_NUM_BARS; i++)
		dev->bar_fd[i] = -1;
	dev->lock_fd = -1;

	int n = snprintf(dev->path, sizeof(dev->path), "%s/bus/pci/devices/%s", root, dev->name);
	if (n < 0 || (size_t)n >= sizeof(dev->path)) {
		ixy_error(-ENAMETOOLONG, "%s: sysfs root '%.64s...' is too long", dev->name, root);
		goto fail;
	}
	if (stat(dev->path, &st) < 0) {
		err = -errno;
		if (err == -ENOENT)
			ixy_error(err, "no PCI device %s under %s/bus/pci/devices: check the address with lspci",
				  dev->name, root);
		else
			ixy_error(err, "%s: cannot access %s: %s (%s)", dev->name, dev->path,
				  ixy_strerror(err), ixy_pci_errno_hint(err));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		ixy_error(-ENOTDIR, "%s: %s is not a directory: not a sysfs PCI device", dev->name,
			  dev->path);
		goto fail;
	}
	if (read_header(dev, &dev->info) < 0)
		goto fail;
	/* A device given to vfio-pci is driven through VFIO. */
	if (ixy_pci_driver(dev, drv, sizeof(drv)) > 0 && strcmp(drv, "vfio-pci") == 0 &&
	    ixy__vfio_open(dev) < 0)
		goto fail;
	return dev;
fail:
	free(dev);
	return NULL;
}

void ixy_pci_close(struct ixy_pci_dev *dev)
{
	if (!dev)
		return;
	ixy__vfio_close(dev);
	for (int i = 0; i < IXY_PCI_NUM_BARS; i++)
		if (dev->bar_fd[i] >= 0)
			close(dev->bar_fd[i]);
	if (dev->lock_fd >= 0)
		close(dev->lock_fd);	/* releases the claim (pci_lock.c) */
	free(dev);
}

const char *ixy_pci_name(const struct ixy_pci_dev *dev)
{
	return dev ? dev->name : "(null)";
}

const char *ixy_pci_path(const struct ixy_pci_dev *dev)
{
	return dev ? dev->path : "(null)";
}

const struct ixy_pci_info *ixy_pci_get_info(const struct ixy_pci_dev *dev)
{
	return dev ? &dev->info : NULL;
}

int ixy_pci_refresh(struct ixy_pci_dev *dev)
{
	struct ixy_pci_info info;

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_refresh: device is NULL");
	/* Only replace the cached header when the whole read worked. */
	int err = read_header(dev, &info);
	if (err)
		return err;
	dev->info = info;
	return 0;
}

static int check_config_range(const struct ixy_pci_dev *dev, const char *op, uint32_t off,
			      const void *buf, size_t len)
{
	if (!dev)
		return ixy_error(-EINVAL, "%s: device is NULL", op);
	if (!buf || len == 0)
		return ixy_error(-EINVAL, "%s: %s: no buffer or zero length", dev->name, op);
	if (off >= IXY_PCI_CFG_SPACE_MAX || len > IXY_PCI_CFG_SPACE_MAX - off)
		return ixy_error(-ERANGE, "%s: %s of %zu bytes at offset 0x%x is outside the %d bytes "
				 "of configuration space", dev->name, op, len, off, IXY_PCI_CFG_SPACE_MAX);
	return 0;
}

int ixy_pci_config_read(struct ixy_pci_dev *dev, uint32_t off, void *buf, size_t len)
{
	char path[PATH_MAX];
	int err = check_config_range(dev, "config read", off, buf, len);

	if (err)
		return err;
	if (dev->vfio)
		return ixy__vfio_config_read(dev, off, buf, len);
	int fd = open_config(dev, O_RDONLY, path, sizeof(path));
	if (fd < 0)
		return fd;
	ssize_t n = pread_full(fd, buf, len, off);
	close(fd);
	if (n < 0)
		return ixy_error((int)n, "%s: cannot read %zu bytes at offset 0x%x of %s: %s (%s)",
				 dev->name, len, off, path, ixy_strerror((int)n),
				 ixy_pci_errno_hint((int)n));
	if ((size_t)n < len)
		return ixy_error(-EIO, "%s: read of %zu bytes at offset 0x%x ends past the end of %s "
				 "(got %zd; without root the kernel shows only the first 64 bytes)",
				 dev->name, len, off, path, n);
	return 0;
}

int ixy_pci_config_write(struct ixy_pci_dev *dev, uint32_t off, const void *buf, size_t len)
{
	char path[PATH_MAX];
	size_t done = 0;
	int err = check_config_range(dev, "config write", off, buf, len);

	if (err)
		return err;
	if (dev->vfio)
		return ixy__vfio_config_write(dev, off, buf, len);
	/* O_WRONLY, never O_TRUNC/O_CREAT: the file is the device, and the
	 * kernel turns each aligned 1/2/4-byte chunk of a write into one config
	 * cycle, so writing only the bytes we mean leaves the rest untouched. */
	int fd = open_config(dev, O_WRONLY, path, sizeof(path));
	if (fd < 0)
		return fd;
	while (done < len) {
		ssize_t n = pwrite(fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			close(fd);
			return ixy_error(err, "%s: cannot write %zu bytes at offset 0x%x of %s: %s (%s)",
					 dev->name, len, off, path, ixy_strerror(err),
					 ixy_pci_errno_hint(err));
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
}

/* One line of `resource`: "0x<start> 0x<end> 0x<flags>" (the kernel prints
 * them with "0x%016llx", drivers/pci/pci-sysfs.c resource_show). */
static int parse_resource_line(const char *line, uint64_t v[3])
{
	const char *p = line;

	for (int i = 0; i < 3; i++) {
		char *end;
		while (*p == ' ' || *p == '\t')
			p++;
		/* strtoull would skip a newline into the next line and
		 * accept signs: insist that a digit starts each field. */
		if (!isxdigit((unsigned char)*p))
			return -1;
		errno = 0;
		unsigned long long x = strtoull(p, &end, 16);
		if (end == p || errno)
			return -1;
		v[i] = x;
		p = end;
	}
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '\0' || *p == '\n' ? 0 : -1;
}

int ixy_pci_get_bars(struct ixy_pci_dev *dev, struct ixy_pci_bar *bars, int max)
{
	char text[8192];

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_get_bars: device is NULL");
	if (max < 0 || (max > 0 && !bars))
		return ixy_error(-EINVAL, "%s: ixy_pci_get_bars: bad output array (max %d)",
				 dev->name, max);
	ssize_t len = ixy_pci_read_text(dev, "resource", text, sizeof(text));
	if (len < 0)
		return (int)len;
	if (len == 0)
		return ixy_error(-EIO, "%s: %s/resource is empty; expected one line per resource",
				 dev->name, dev->path);

	int count = max < IXY_PCI_NUM_BARS ? max : IXY_PCI_NUM_BARS;
	const char *line = text;
	for (int i = 0; i < count; i++) {
		uint64_t v[3] = { 0, 0, 0 };
		struct ixy_pci_bar *b = &bars[i];

		/* The kernel always prints at least the six BARs and the ROM;
		 * should a file have fewer lines, the rest are unimplemented. */
		if (*line) {
			const char *nl = strchr(line, '\n');
			if (parse_resource_line(line, v) < 0) {
				int l = nl ? (int)(nl - line) : (int)strlen(line);
				return ixy_error(-EIO, "%s: %s/resource line %d is malformed: '%.*s' "
						 "(expected '0xSTART 0xEND 0xFLAGS')",
						 dev->name, dev->path, i + 1, l > 80 ? 80 : l, line);
			}
			line = nl ? nl + 1 : line + strlen(line);
		}
		memset(b, 0, sizeof(*b));
		b->index = i;
		/* All zeros marks an unimplemented BAR; otherwise the range is
		 * inclusive [start, end]. */
		if (v[0] != 0 || v[1] != 0) {
			if (v[1] < v[0])
				return ixy_error(-EIO, "%s: %s/resource line %d: end 0x%" PRIx64
						 " is below start 0x%" PRIx64, dev->name, dev->path,
						 i + 1, v[1], v[0]);
			b->start = v[0];
			b->size = v[1] - v[0] + 1;
		}
		b->is_io = (v[2] & IXY_IORESOURCE_TYPE_BITS) == IXY_IORESOURCE_IO;
		b->is_64bit = !b->is_io && (v[2] & IXY_IORESOURCE_MEM_64);
		b->prefetchable = !b->is_io && (v[2] & IXY_IORESOURCE_PREFETCH);
	}
	return count;
}

/* Read-modify-write of the 16-bit command register only (PCI 3.0,
 * 6.2.2): the status register next to it has write-1-to-clear bits, so a
 * 4-byte write would clear pending error status. */
static int update_command(struct ixy_pci_dev *dev, uint16_t set, uint16_t clear, const char *what)
{
	uint8_t cmd[2];

	int err = ixy_pci_config_read(dev, IXY_PCI_CFG_COMMAND, cmd, sizeof(cmd));
	if (err) {
		ixy_error_prefix("%s", what);
		return err;
	}
	uint16_t v = (uint16_t)((le16(cmd) | set) & ~clear);
	cmd[0] = (uint8_t)(v & 0xff);
	cmd[1] = (uint8_t)(v >> 8);
	err = ixy_pci_config_write(dev, IXY_PCI_CFG_COMMAND, cmd, sizeof(cmd));
	if (err) {
		ixy_error_prefix("%s", what);
		return err;
	}
	dev->info.command = v;
	return 0;
}

int ixy_pci_enable_bus_master(struct ixy_pci_dev *dev)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_enable_bus_master: device is NULL");
	return update_command(dev, IXY_PCI_CMD_MEMORY | IXY_PCI_CMD_MASTER, 0, "enabling bus mastering");
}

int ixy_pci_disable_bus_master(struct ixy_pci_dev *dev)
{
	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_disable_bus_master: device is NULL");
	/* Given back to the kernel (VFIO's request): it was turned off then. */
	if (ixy__vfio_released(dev))
		return 0;
	/* Memory space stays enabled: the registers remain reachable. */
	return update_command(dev, 0, IXY_PCI_CMD_MASTER, "disabling bus mastering");
}

int ixy_pci_numa_node(struct ixy_pci_dev *dev)
{
	char path[PATH_MAX], text[32];

	/* Missing file (kernel without NUMA), unreadable or negative ("-1"
	 * on single-node machines) all mean: unknown. Not an error, so no
	 * message is recorded. */
	if (!dev || snprintf(path, sizeof(path), "%s/numa_node", dev->path) >= (int)sizeof(path))
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	char *end;
	errno = 0;
	long node = strtol(text, &end, 10);
	if (end == text || errno || node < 0 || node > INT_MAX || (*end && *end != '\n'))
		return -1;
	return (int)node;
}
