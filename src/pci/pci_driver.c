/* The kernel side of a PCI device: which driver is bound, which network
 * interfaces that driver created, and unbinding it so user space can own
 * the device.
 *
 * Unbinding takes a NIC away from the kernel's network stack, so it is
 * guarded: only network controllers, and not while an interface is up
 * (someone may be using it, e.g. the ssh session that runs us) unless the
 * caller insists.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "pci/pci_internal.h"

/* IFF_UP from <linux/if.h>; the `flags` attribute of a net device prints
 * dev->flags in hex (net/core/net-sysfs.c). */
#define IXY_IFF_UP 0x1

int ixy_pci_driver(struct ixy_pci_dev *dev, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	int err;

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_driver: device is NULL");
	if (!buf || len == 0)
		return ixy_error(-EINVAL, "%s: ixy_pci_driver: no output buffer", dev->name);
	buf[0] = '\0';
	if ((err = ixy_pci_file_path(dev, "driver", path, sizeof(path))))
		return err;

	/* `driver` is a symlink to .../bus/pci/drivers/<name>; it exists
	 * only while a driver is bound. */
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		err = -errno;
		if (err == -ENOENT)
			return 0;
		return ixy_error(err, "%s: cannot read the link %s: %s (%s)", dev->name, path,
				 ixy_strerror(err), ixy_pci_errno_hint(err));
	}
	target[n] = '\0';
	const char *slash = strrchr(target, '/');
	const char *name = slash ? slash + 1 : target;
	if (*name == '\0')
		return ixy_error(-EIO, "%s: %s points to '%s', which names no driver", dev->name,
				 path, target);
	if (strlen(name) >= len)
		return ixy_error(-ERANGE, "%s: driver name '%s' does not fit into %zu bytes",
				 dev->name, name, len);
	strcpy(buf, name);
	return 1;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Parse the hex text of NETDIR/<if>/flags into *flags. */
static int read_if_flags(const struct ixy_pci_dev *dev, const char *netdir, const char *ifname,
			 unsigned long *flags)
{
	char rel[600], text[64];
	char *end;

	snprintf(rel, sizeof(rel), "%s/%s/flags", netdir, ifname);
	ssize_t n = ixy_pci_read_text(dev, rel, text, sizeof(text));
	if (n < 0)
		return (int)n;
	errno = 0;
	*flags = strtoul(text, &end, 16);
	if (end == text || errno || (*end && *end != '\n'))
		return ixy_error(-EIO, "%s: %s/%s holds '%.20s', expected hex flags like 0x1003",
				 dev->name, dev->path, rel, text);
	return 0;
}

/* One interface found in sysfs: where its directory is, relative to the
 * device, and its name. */
struct netif_entry {
	char netdir[300];
	char name[256];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct netif_entry *)a)->name, ((const struct netif_entry *)b)->name);
}

/* Append the interfaces under DEVICE/reldir to *list. */
static int collect(struct ixy_pci_dev *dev, const char *reldir, struct netif_entry **list, int *count)
{
	char path[PATH_MAX];
	struct dirent **names;
	int err;

	if ((err = ixy_pci_file_path(dev, reldir, path, sizeof(path))))
		return err;
	int n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0) {
		err = -errno;
		if (err == -ENOENT)   /* no driver, or not a network driver */
			return 0;
		return ixy_error(err, "%s: cannot list %s: %s (%s)", dev->name, path, ixy_strerror(err),
				 ixy_pci_errno_hint(err));
	}
	struct netif_entry *grown = n ? realloc(*list, sizeof(**list) * (size_t)(*count + n)) : *list;
	for (int i = 0; i < n; i++) {
		if (grown) {
			struct netif_entry *e = &grown[(*count)++];
			snprintf(e->netdir, sizeof(e->netdir), "%s", reldir);
			snprintf(e->name, sizeof(e->name), "%s", names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	if (!grown)
		return ixy_error(-ENOMEM, "%s: out of memory listing interfaces", dev->name);
	*list = grown;
	return 0;
}

/* Interfaces live in DEVICE/net/ for most NIC drivers; virtio-pci hands the
 * device to virtio_net one bus level down, so its interface appears as
 * DEVICE/virtioN/net/IF. Both count. */
static int find_netifs(struct ixy_pci_dev *dev, struct netif_entry **list, int *count)
{
	int err = collect(dev, "net", list, count);
	DIR *d = opendir(dev->path);
	if (!d)
		return err;
	for (struct dirent *e; !err && (e = readdir(d));) {
		char rel[300];
		if (strncmp(e->d_name, "virtio", 6) != 0 || strlen(e->d_name) > 200)
			continue;
		snprintf(rel, sizeof(rel), "%s/net", e->d_name);
		err = collect(dev, rel, list, count);
	}
	closedir(d);
	return err;
}

int ixy_pci_netifs(struct ixy_pci_dev *dev, struct ixy_pci_netif *out, int max)
{
	struct netif_entry *list = NULL;
	int count = 0, err;

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_netifs: device is NULL");
	if (max < 0 || (max > 0 && !out))
		return ixy_error(-EINVAL, "%s: ixy_pci_netifs: bad output array (max %d)", dev->name,
				 max);
	err = find_netifs(dev, &list, &count);
	/* Sorted, so that with more interfaces than max the same ones are
	 * reported every time. */
	if (count > 1)
		qsort(list, (size_t)count, sizeof(*list), by_name);
	for (int i = 0; i < count && i < max && !err; i++) {
		unsigned long flags = 0;
		/* IFNAMSIZ is 16, so names always fit; cut anyway. */
		size_t l = strnlen(list[i].name, sizeof(out[i].name) - 1);
		memcpy(out[i].name, list[i].name, l);
		out[i].name[l] = '\0';
		err = read_if_flags(dev, list[i].netdir, list[i].name, &flags);
		out[i].up = flags & IXY_IFF_UP;
	}
	free(list);
	return err ? err : count;
}

/* -EBUSY naming the first interface that is up; 0 if none is. */
static int check_no_netif_up(struct ixy_pci_dev *dev)
{
	int count = ixy_pci_netifs(dev, NULL, 0);

	if (count <= 0)
		return count;
	struct ixy_pci_netif *ifs = calloc((size_t)count, sizeof(*ifs));
	if (!ifs)
		return ixy_error(-ENOMEM, "%s: out of memory listing interfaces", dev->name);
	int n = ixy_pci_netifs(dev, ifs, count);
	int err = n < 0 ? n : 0;
	for (int i = 0; i < n && i < count && !err; i++) {
		if (ifs[i].up)
			err = ixy_error(-EBUSY, "%s: network interface %s is up: take it down first "
					"(ip link set dev %s down) or unbind with force",
					dev->name, ifs[i].name, ifs[i].name);
	}
	free(ifs);
	return err;
}

int ixy_pci_unbind(struct ixy_pci_dev *dev, bool force)
{
	char drv[256], path[PATH_MAX];
	int err;

	if (!dev)
		return ixy_error(-EINVAL, "ixy_pci_unbind: device is NULL");
	/* The class check is not overridden by force: there is no reason for
	 * a NIC driver library to take a disk or GPU away from the kernel. */
	if (dev->info.class_code != IXY_PCI_CLASS_NETWORK)
		return ixy_error(-ENODEV, "%s: class 0x%02x%02x%02x is not a network controller "
				 "(class 0x02): refusing to unbind its driver; check the address with lspci",
				 dev->name, dev->info.class_code, dev->info.subclass, dev->info.prog_if);

	int bound = ixy_pci_driver(dev, drv, sizeof(drv));
	if (bound <= 0)
		return bound;   /* error, or no driver: nothing to do */
	if (!force && (err = check_no_netif_up(dev)))
		return err;

	/* driver/unbind through this device's own link, so it is this
	 * device's driver that gets the request (Documentation/ABI/testing/
	 * sysfs-bus-pci). O_TRUNC as a shell redirect does; sysfs ignores it. */
	if ((err = ixy_pci_file_path(dev, "driver/unbind", path, sizeof(path))))
		return err;
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		return ixy_error(err, "%s: cannot open %s to unbind driver %s: %s (%s)", dev->name,
				 path, drv, ixy_strerror(err),
				 err == -ENOENT ? "was the driver unbound meanwhile? check again"
						: ixy_pci_errno_hint(err));
	}
	size_t len = strlen(dev->name);
	ssize_t n = write(fd, dev->name, len);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (n < 0)
		return ixy_error(err, "%s: writing '%s' to %s failed: %s (%s)", dev->name, dev->name,
				 path, ixy_strerror(err), ixy_pci_errno_hint(err));
	if ((size_t)n != len)
		return ixy_error(-EIO, "%s: short write of '%s' to %s (%zd of %zu bytes)", dev->name,
				 dev->name, path, n, len);
	return 0;
}
