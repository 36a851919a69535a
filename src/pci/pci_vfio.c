/* PCI devices through VFIO (the kernel's Documentation/driver-api/vfio.rst).
 *
 * Chosen by ixy_pci_open when the device is bound to vfio-pci. The IOMMU
 * then confines the device's DMA to memory this process mapped, and a user
 * who owns /dev/vfio/N needs no root: config space and BARs are regions of
 * the device fd instead of sysfs files.
 *
 * One container per process holds the IOMMU mappings of every group it
 * opens (src/memory/iova.c puts the DMA regions there). A group can hold
 * several devices; it is opened once and counted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "memory/iova.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

#define DEFAULT_DEV_DIR "/dev/vfio"
#define DEFAULT_IOMMU_WIDTH 39
#define MAX_GROUPS 16

/* ---- system calls (replaceable by tests) ---- */

static int sys_open(const char *path, int flags) { return open(path, flags); }
static int sys_ioctl(int fd, unsigned long req, void *arg) { return ioctl(fd, req, arg); }
static int sys_getrlimit(int res, struct rlimit *rl) { return getrlimit((__rlimit_resource_t)res, rl); }

static const struct ixy_vfio_ops real_ops = {
	.open = sys_open,
	.close = close,
	.ioctl = sys_ioctl,
	.pread = pread,
	.pwrite = pwrite,
	.mmap = mmap,
	.getrlimit = sys_getrlimit,
};
static const struct ixy_vfio_ops *ops = &real_ops;
static char dev_dir[PATH_MAX] = DEFAULT_DEV_DIR;

void ixy__vfio_set_ops(const struct ixy_vfio_ops *o) { ops = o ? o : &real_ops; }
const struct ixy_vfio_ops *ixy__vfio_ops(void) { return ops; }

void ixy__vfio_set_dev_dir(const char *dir)
{
	snprintf(dev_dir, sizeof(dev_dir), "%s", dir ? dir : DEFAULT_DEV_DIR);
}

/* ---- per-process state: the container and the open groups ---- */

struct vfio_group {
	int num;      /* N of /dev/vfio/N */
	int fd;
	int refs;     /* open devices of this group */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int container_fd = -1;
static int container_refs;
static struct vfio_group groups[MAX_GROUPS];


/* ---- messages ---- */

static const char *open_hint(int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
		return "no permission: run as root, or give the user the group node "
		       "(chown USER /dev/vfio/N, or a udev rule)";
	case ENOENT:
		return "is vfio-pci loaded (modprobe vfio-pci) and the device bound to it "
		       "(scripts/bind-uio.sh ADDR --bind vfio-pci)?";
	case EBUSY:
		return "another process (or another container) holds this group";
	default:
		return "see dmesg";
	}
}

/* "0000:00:1f.2 (ahci), 0000:00:1f.3 (no driver)" for the devices of a
 * group other than dev, so the user sees what keeps it from being viable. */
static void group_members(struct ixy_pci_dev *dev, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX + 300], target[PATH_MAX];
	size_t used = 0;

	buf[0] = '\0';
	if (ixy_pci_file_path(dev, "iommu_group/devices", path, sizeof(path)))
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, dev->name) == 0)
			continue;
		const char *drv = "no driver";
		snprintf(link, sizeof(link), "%s/%s/driver", path, e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			const char *slash = strrchr(target, '/');
			drv = slash ? slash + 1 : target;
		}
		int w = snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "", e->d_name, drv);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	closedir(d);
}

/* ---- the IOMMU's address width ---- */

/* VT-d capability register (Intel VT-d spec 11.4.2): bits 21:16 hold
 * MGAW, the maximum guest address width, minus one. */
#define VTD_CAP_MGAW_SHIFT 16
#define VTD_CAP_MGAW_MASK 0x3f

int ixy__vfio_iommu_width(const char *sysfs_root)
{
	char path[PATH_MAX];
	int width = 0;

	snprintf(path, sizeof(path), "%s/class/iommu", sysfs_root ? sysfs_root : "/sys");
	DIR *d = opendir(path);
	if (d) {
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			char cap_path[PATH_MAX + 300], text[64];
			if (e->d_name[0] == '.')
				continue;
			snprintf(cap_path, sizeof(cap_path), "%s/%s/intel-iommu/cap", path, e->d_name);
			FILE *f = fopen(cap_path, "r");
			if (!f)
				continue;
			unsigned long long cap;
			if (fgets(text, sizeof(text), f) && sscanf(text, "%llx", &cap) == 1) {
				int w = (int)((cap >> VTD_CAP_MGAW_SHIFT) & VTD_CAP_MGAW_MASK) + 1;
				if (w >= 32 && (width == 0 || w < width))
					width = w;
			}
			fclose(f);
		}
		closedir(d);
	}
	return width ? width : DEFAULT_IOMMU_WIDTH;
}

/* The sysfs root of dev: its path minus "/bus/pci/devices/NAME". */
static void sysfs_root_of(const struct ixy_pci_dev *dev, char *buf, size_t len)
{
	snprintf(buf, len, "%s", dev->path);
	char *p = strstr(buf, "/bus/pci/devices/");
	if (p)
		*p = '\0';
}

/* ---- container and group ---- */

static int open_container(struct ixy_pci_dev *dev)
{
	char path[PATH_MAX + 16];
	int err;

	if (container_fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/vfio", dev_dir);
	int fd = ops->open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open the VFIO container %s: %s (%s)", dev->name, path,
				 ixy_strerror(err), err == -ENOENT ? "modprobe vfio-pci" : open_hint(err));
	}
	int version = ops->ioctl(fd, VFIO_GET_API_VERSION, NULL);
	if (version != VFIO_API_VERSION) {
		ops->close(fd);
		return ixy_error(-ENOTSUP, "%s: %s speaks VFIO API version %d, libixy knows %d", dev->name,
				 path, version, VFIO_API_VERSION);
	}
	if (ops->ioctl(fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1_IOMMU) <= 0) {
		ops->close(fd);
		return ixy_error(-ENOTSUP, "%s: the kernel's VFIO has no type-1 IOMMU (VFIO_TYPE1_IOMMU): "
				 "modprobe vfio_iommu_type1; is an IOMMU enabled (intel_iommu=on / amd_iommu=on)?",
				 dev->name);
	}
	container_fd = fd;
	return 0;
}

/* VFIO's type-1 IOMMU refuses a group (EPERM) when the platform cannot
 * remap interrupts, unless told to accept the risk. */
static int no_remapping(struct ixy_pci_dev *dev, int num)
{
	return ixy_error(-EPERM, "%s: VFIO refused IOMMU group %d (EPERM): the IOMMU has no interrupt "
			 "remapping, so a device could forge interrupts; enable it (intremap=on; QEMU: -device "
			 "intel-iommu,intremap=on) or, if you accept that risk, load vfio_iommu_type1 with "
			 "allow_unsafe_interrupts=1", dev->name, num);
}

/* The group number from the iommu_group link (…/kernel/iommu_groups/N). */
static int group_number(struct ixy_pci_dev *dev, int *num)
{
	char path[PATH_MAX], target[PATH_MAX];
	int err = ixy_pci_file_path(dev, "iommu_group", path, sizeof(path));

	if (err)
		return err;
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		err = -errno;
		if (err == -ENOENT)
			return ixy_error(-ENODEV, "%s: no IOMMU: %s does not exist, so the device is in no "
					 "IOMMU group; enable the IOMMU (BIOS: VT-d/AMD-Vi; kernel command line "
					 "intel_iommu=on or amd_iommu=on) or use uio "
					 "(scripts/bind-uio.sh ADDR) without VFIO", dev->name, path);
		return ixy_error(err, "%s: cannot read the link %s: %s", dev->name, path, ixy_strerror(err));
	}
	target[n] = '\0';
	const char *slash = strrchr(target, '/');
	const char *s = slash ? slash + 1 : target;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < 0 || v > INT_MAX)
		return ixy_error(-EIO, "%s: %s points to '%s', not to a numbered IOMMU group", dev->name, path,
				 target);
	*num = (int)v;
	return 0;
}

static void release_container(void)
{
	if (--container_refs > 0)
		return;
	ixy__iova_detach();
	if (container_fd >= 0)
		ops->close(container_fd);
	container_fd = -1;
	container_refs = 0;
}

/* One device of the group less; the last one closes the group, which
 * takes it out of the container (and the container's reference with it:
 * the container counts groups, and its mappings go with the last). */
static void put_group(struct vfio_group *g)
{
	if (--g->refs > 0)
		return;
	ops->close(g->fd);
	g->fd = -1;
	g->num = -1;
	release_container();
}

/* The open group of dev, attached to the container (which is opened and
 * given its IOMMU with the first group). Called under lock. */
static int get_group(struct ixy_pci_dev *dev, struct vfio_group **out)
{
	char path[PATH_MAX + 16], members[1024];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_group *free_slot = NULL;
	int num = -1, err;

	if ((err = group_number(dev, &num)))
		return err;
	for (int i = 0; i < MAX_GROUPS; i++) {
		if (groups[i].refs > 0 && groups[i].num == num) {
			groups[i].refs++;
			*out = &groups[i];
			return 0;
		}
		if (groups[i].refs == 0 && !free_slot)
			free_slot = &groups[i];
	}
	if (!free_slot)
		return ixy_error(-EMFILE, "%s: more than %d IOMMU groups open in this process", dev->name,
				 MAX_GROUPS);

	snprintf(path, sizeof(path), "%s/%d", dev_dir, num);
	int fd = ops->open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -EACCES || err == -EPERM)
			return ixy_error(err, "%s: no permission on %s (IOMMU group %d): run as root, or give "
					 "the user the node: chown USER %s (udev: SUBSYSTEM==\"vfio\", OWNER=\"USER\")",
					 dev->name, path, num, path);
		return ixy_error(err, "%s: cannot open %s (IOMMU group %d): %s (%s)", dev->name, path, num,
				 ixy_strerror(err), open_hint(err));
	}
	if (ops->ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0) {
		err = -errno;
		ops->close(fd);
		return ixy_error(err, "%s: VFIO_GROUP_GET_STATUS on %s failed: %s", dev->name, path,
				 ixy_strerror(err));
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		ops->close(fd);
		group_members(dev, members, sizeof(members));
		return ixy_error(-EBUSY, "%s: IOMMU group %d is not viable: every device in it must be bound "
				 "to vfio-pci or to no driver; the others are: %s; unbind them or bind them to "
				 "vfio-pci (scripts/bind-uio.sh ADDR --bind vfio-pci)", dev->name, num,
				 members[0] ? members : "(cannot list them)");
	}
	if ((err = open_container(dev))) {
		ops->close(fd);
		return err;
	}
	container_refs++;
	if (ops->ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container_fd) < 0) {
		err = -errno;
		ops->close(fd);
		release_container();
		/* a container that has its IOMMU already attaches a further
		 * group here, with the same interrupt remapping check */
		if (err == -EPERM)
			return no_remapping(dev, num);
		return ixy_error(err, "%s: cannot attach IOMMU group %d to the VFIO container: %s%s", dev->name,
				 num, ixy_strerror(err),
				 err == -EBUSY ? " (the group is in use by another process)" : "");
	}
	/* The IOMMU type is chosen once, when the first group is in. */
	if (container_refs == 1) {
		if (ops->ioctl(container_fd, VFIO_SET_IOMMU, (void *)(uintptr_t)VFIO_TYPE1_IOMMU) < 0) {
			err = -errno;
			ops->close(fd);
			release_container();
			if (err == -EPERM)
				return no_remapping(dev, num);
			return ixy_error(err, "%s: VFIO_SET_IOMMU (type 1) failed: %s (see dmesg)", dev->name,
					 ixy_strerror(err));
		}
		char root[PATH_MAX];
		sysfs_root_of(dev, root, sizeof(root));
		/* DMA regions that exist already go into the IOMMU now */
		if ((err = ixy__iova_attach(container_fd, ixy__vfio_iommu_width(root)))) {
			ops->close(fd);
			release_container();
			ixy_error_prefix("%s", dev->name);
			return err;
		}
	}
	free_slot->num = num;
	free_slot->fd = fd;
	free_slot->refs = 1;
	*out = free_slot;
	return 0;
}

/* ---- the device ---- */

static int region_info(struct ixy_pci_dev *dev, int index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = (uint32_t)index;
	if (ops->ioctl(dev->vfio->fd, VFIO_DEVICE_GET_REGION_INFO, info) < 0) {
		int err = -errno;
		return ixy_error(err, "%s: VFIO_DEVICE_GET_REGION_INFO for region %d failed: %s", dev->name,
				 index, ixy_strerror(err));
	}
	return 0;
}

int ixy__vfio_open(struct ixy_pci_dev *dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info cfg;
	int err;

	struct ixy_vfio_dev *v = calloc(1, sizeof(*v));
	if (!v)
		return ixy_error(-ENOMEM, "%s: out of memory", dev->name);
	v->fd = -1;
	v->req_fd = -1;
	pthread_mutex_lock(&lock);
	err = get_group(dev, &v->group);
	pthread_mutex_unlock(&lock);
	if (err) {
		free(v);
		return err;
	}
	dev->vfio = v;
	v->fd = ops->ioctl(v->group->fd, VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (v->fd < 0) {
		err = -errno;
		ixy_error(err, "%s: VFIO_GROUP_GET_DEVICE_FD failed: %s%s", dev->name, ixy_strerror(err),
			  err == -EBUSY ? " (the device is open in another process)" : "");
		goto fail;
	}
	if (ops->ioctl(v->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		err = -errno;
		ixy_error(err, "%s: VFIO_DEVICE_GET_INFO failed: %s", dev->name, ixy_strerror(err));
		goto fail;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) || info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
		err = ixy_error(-ENODEV, "%s: VFIO does not present it as a PCI device (flags 0x%x, %u regions)",
				dev->name, info.flags, info.num_regions);
		goto fail;
	}
	if ((err = region_info(dev, VFIO_PCI_CONFIG_REGION_INDEX, &cfg)))
		goto fail;
	v->cfg_off = cfg.offset;
	v->cfg_size = cfg.size;
	/* Start from a clean device where VFIO can reset it (function level
	 * reset or power management; vfio-pci says which in the flags). */
	if ((info.flags & VFIO_DEVICE_FLAGS_RESET) && ops->ioctl(v->fd, VFIO_DEVICE_RESET, NULL) < 0) {
		err = -errno;
		ixy_error(err, "%s: VFIO_DEVICE_RESET failed: %s", dev->name, ixy_strerror(err));
		goto fail;
	}
	ixy__vfio_irq_open(dev);
	return 0;
fail:
	ixy__vfio_close(dev);
	return err;
}

void ixy__vfio_close(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;

	if (!v)
		return;
	if (!v->released && v->fd >= 0)
		ixy__vfio_irq_close(dev);  /* no eventfd of the caller is signalled any more */
	if (v->fd >= 0)
		ops->close(v->fd);
	ixy__vfio_put_group(v);
	free(v);
	dev->vfio = NULL;
}

void ixy__vfio_put_group(struct ixy_vfio_dev *v)
{
	if (!v->group)
		return;
	pthread_mutex_lock(&lock);
	put_group(v->group);
	pthread_mutex_unlock(&lock);
	v->group = NULL;
}

int ixy__vfio_released_error(struct ixy_pci_dev *dev)
{
	return ixy_error(-ENODEV, "%s: the device was given back to the kernel (VFIO asked for it: unbound "
			 "or hot-removed); close it", dev->name);
}

/* ---- config space ---- */

static int config_rw(struct ixy_pci_dev *dev, bool write, uint32_t off, void *buf, size_t len)
{
	struct ixy_vfio_dev *v = dev->vfio;
	size_t done = 0;

	if (v->released)
		return ixy__vfio_released_error(dev);
	if ((uint64_t)off + len > v->cfg_size)
		return ixy_error(-ERANGE, "%s: config %s of %zu bytes at 0x%x is outside the %" PRIu64
				 " bytes VFIO shows", dev->name, write ? "write" : "read", len, off, v->cfg_size);
	while (done < len) {
		off_t at = (off_t)(v->cfg_off + off + done);
		ssize_t n = write ? ops->pwrite(v->fd, (uint8_t *)buf + done, len - done, at)
				  : ops->pread(v->fd, (uint8_t *)buf + done, len - done, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;
			return ixy_error(err, "%s: VFIO config %s of %zu bytes at 0x%x failed: %s%s", dev->name,
					 write ? "write" : "read", len, off, n < 0 ? ixy_strerror(err) : "short",
					 err == -ENODEV || err == -EIO ? " (device removed or reset?)" : "");
		}
		done += (size_t)n;
	}
	return 0;
}

int ixy__vfio_config_read(struct ixy_pci_dev *dev, uint32_t off, void *buf, size_t len)
{
	return config_rw(dev, false, off, buf, len);
}

int ixy__vfio_config_write(struct ixy_pci_dev *dev, uint32_t off, const void *buf, size_t len)
{
	return config_rw(dev, true, off, (void *)buf, len);
}

/* ---- BARs ---- */

static int bar_region(struct ixy_pci_dev *dev, int bar, const struct vfio_region_info **out)
{
	struct ixy_vfio_dev *v = dev->vfio;
	int err;

	if (v->released)
		return ixy__vfio_released_error(dev);
	if (!v->bar_known[bar]) {
		if ((err = region_info(dev, VFIO_PCI_BAR0_REGION_INDEX + bar, &v->bar[bar])))
			return err;
		v->bar_known[bar] = true;
	}
	if (v->bar[bar].size == 0)
		return ixy_error(-ENODEV, "%s: BAR %d is not implemented (VFIO region of size 0)", dev->name, bar);
	*out = &v->bar[bar];
	return 0;
}

void *ixy__vfio_map_bar(struct ixy_pci_dev *dev, int bar, size_t *size)
{
	const struct vfio_region_info *r = NULL;

	if (bar_region(dev, bar, &r))
		return NULL;
	if (!(r->flags & VFIO_REGION_INFO_FLAG_MMAP))
		return ixy_error_null(-ENOTSUP, "%s: VFIO does not allow mapping BAR %d (an I/O-port BAR?): "
				      "use ixy_pci_bar_read/ixy_pci_bar_write", dev->name, bar);
	if (r->size > SIZE_MAX)
		return ixy_error_null(-EFBIG, "%s: BAR %d of 0x%llx bytes does not fit the address space",
				      dev->name, bar, (unsigned long long)r->size);
	void *p = ops->mmap(NULL, (size_t)r->size, PROT_READ | PROT_WRITE, MAP_SHARED, dev->vfio->fd,
			    (off_t)r->offset);
	if (p == MAP_FAILED) {
		int err = -errno;
		return ixy_error_null(err, "%s: cannot mmap BAR %d through VFIO (0x%llx bytes): %s", dev->name,
				      bar, (unsigned long long)r->size, ixy_strerror(err));
	}
	*size = (size_t)r->size;
	/* kept, so that giving the device back can take the mapping away */
	dev->vfio->map[bar].addr = p;
	dev->vfio->map[bar].size = (size_t)r->size;
	return p;
}

static int bar_rw(struct ixy_pci_dev *dev, bool write, int bar, uint64_t off, int width, void *buf)
{
	const struct vfio_region_info *r = NULL;
	int err = bar_region(dev, bar, &r);

	if (err)
		return err;
	if (off > r->size || (uint64_t)width > r->size - off)
		return ixy_error(-ERANGE, "%s: BAR %s of %d bytes at offset 0x%" PRIx64 " is outside BAR %d "
				 "(0x%llx bytes)", dev->name, write ? "write" : "read", width, off, bar,
				 (unsigned long long)r->size);
	ssize_t n = write ? ops->pwrite(dev->vfio->fd, buf, (size_t)width, (off_t)(r->offset + off))
			  : ops->pread(dev->vfio->fd, buf, (size_t)width, (off_t)(r->offset + off));
	if (n != width) {
		err = n < 0 ? -errno : -EIO;
		return ixy_error(err, "%s: VFIO %s of %d bytes at offset 0x%" PRIx64 " of BAR %d failed: %s",
				 dev->name, write ? "write" : "read", width, off, bar,
				 n < 0 ? ixy_strerror(err) : "short");
	}
	return 0;
}

/* VFIO moves the value in the device's byte order (little-endian), which
 * on x86 is the host's: copy the integer of the access width. */
int ixy__vfio_bar_read(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t *val)
{
	uint8_t b8;
	uint16_t b16;
	uint32_t b32;
	void *buf = width == 1 ? (void *)&b8 : width == 2 ? (void *)&b16 : (void *)&b32;
	int err = bar_rw(dev, false, bar, off, width, buf);

	if (err)
		return err;
	*val = width == 1 ? b8 : width == 2 ? b16 : b32;
	return 0;
}

int ixy__vfio_bar_write(struct ixy_pci_dev *dev, int bar, uint64_t off, int width, uint32_t val)
{
	uint8_t b8 = (uint8_t)val;
	uint16_t b16 = (uint16_t)val;
	uint32_t b32 = val;
	void *buf = width == 1 ? (void *)&b8 : width == 2 ? (void *)&b16 : (void *)&b32;

	if ((width == 1 && val > 0xff) || (width == 2 && val > 0xffff))
		return ixy_error(-EINVAL, "%s: BAR write: value 0x%x does not fit %d byte(s)", dev->name, val,
				 width);
	return bar_rw(dev, true, bar, off, width, buf);
}

bool ixy_pci_is_vfio(const struct ixy_pci_dev *dev)
{
	return dev && dev->vfio;
}
