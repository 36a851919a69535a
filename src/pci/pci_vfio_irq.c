/* Interrupts of a device driven through VFIO, and the device going away
 * (the kernel's request for it, removal, a DMA the IOMMU refused).
 *
 * Interrupts: VFIO_DEVICE_SET_IRQS hands the kernel an eventfd per
 * vector of one index at a time: MSI-X (a vector per queue), else MSI,
 * else INTx (level-triggered; VFIO masks it each time it fires, the driver
 * unmasks it once the device has dropped the line). Which one is chosen
 * once, by ixy_pci_irq_setup.
 *
 * Going away: vfio-pci signals the request eventfd (VFIO_PCI_REQ_IRQ_INDEX)
 * when the device is being unbound or hot-removed, and waits until the
 * process closes the device fd. ixy_pci_check finds the signal and gives
 * the device back: DMA and interrupts off, BAR mappings replaced by memory
 * that reads all ones (as a removed device reads, so the drivers' checks
 * take over and nothing faults), the device fd closed. */
#include <errno.h>
#include <pthread.h>
#include <linux/vfio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "pci/pci_internal.h"
#include "pci/pci_vfio.h"

#define MAX_IRQS 64

static const char *const irq_names[] = {
	[IXY_PCI_IRQ_NONE] = "none", [IXY_PCI_IRQ_MSIX] = "MSI-X", [IXY_PCI_IRQ_MSI] = "MSI",
	[IXY_PCI_IRQ_INTX] = "INTx",
};

static unsigned vfio_index(enum ixy_pci_irq_type t)
{
	return t == IXY_PCI_IRQ_MSIX ? VFIO_PCI_MSIX_IRQ_INDEX
	     : t == IXY_PCI_IRQ_MSI ? VFIO_PCI_MSI_IRQ_INDEX : VFIO_PCI_INTX_IRQ_INDEX;
}

/* VFIO_DEVICE_SET_IRQS with eventfds: count of them from start on the
 * index (-1: that vector signals nothing). Returns 0 or -errno. */
static int set_irqs(struct ixy_vfio_dev *v, unsigned index, unsigned start, unsigned count, const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, sz);
	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = start;
	set->count = count;
	memcpy(set->data, fds, count * sizeof(int32_t));
	int rc = ixy__vfio_ops()->ioctl(v->fd, VFIO_DEVICE_SET_IRQS, set) < 0 ? -errno : 0;
	free(set);
	return rc;
}

/* DATA_NONE on an index: count 0 with TRIGGER turns it off; UNMASK
 * unmasks INTx, which VFIO masks each time it fires. */
static int irq_action(struct ixy_vfio_dev *v, unsigned index, uint32_t action, unsigned count)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set), .flags = VFIO_IRQ_SET_DATA_NONE | action, .index = index,
		.start = 0, .count = count,
	};
	return ixy__vfio_ops()->ioctl(v->fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

static void irqs_off(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;
	if (v->irq_on)
		(void)irq_action(v, vfio_index(v->irq_type), VFIO_IRQ_SET_ACTION_TRIGGER, 0);
	v->irq_on = false;
}

static unsigned irq_count(struct ixy_vfio_dev *v, unsigned index)
{
	struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = index };
	if (ixy__vfio_ops()->ioctl(v->fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) < 0 || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
		return 0;
	return irq.count;
}

/* The kind of interrupt the device gets: MSI-X when it has at least `want`
 * vectors, else MSI (one vector: the driver demultiplexes), else INTx
 * (one level-triggered line, masked by VFIO each time it fires). */
int ixy__vfio_irq_setup(struct ixy_pci_dev *dev, unsigned want, unsigned *vectors)
{
	struct ixy_vfio_dev *v = dev->vfio;
	int rc;

	if (v->released)
		return ixy__vfio_released_error(dev);
	if (v->irq_type == IXY_PCI_IRQ_NONE) {
		unsigned msix = irq_count(v, VFIO_PCI_MSIX_IRQ_INDEX);
		unsigned msi = irq_count(v, VFIO_PCI_MSI_IRQ_INDEX);
		unsigned intx = irq_count(v, VFIO_PCI_INTX_IRQ_INDEX);
		if (msix > MAX_IRQS)
			msix = MAX_IRQS;
		if (msix && msix >= want) {
			/* The kernel (before 6.5) sizes MSI-X once, when it is
			 * enabled: take every vector now, none signalling yet,
			 * and give each its eventfd when the driver asks. */
			int none[MAX_IRQS];
			for (unsigned i = 0; i < msix; i++)
				none[i] = -1;
			if ((rc = set_irqs(v, VFIO_PCI_MSIX_IRQ_INDEX, 0, msix, none)))
				return ixy_error(rc, "%s: enabling %u MSI-X vectors (VFIO_DEVICE_SET_IRQS) failed: %s",
						 dev->name, msix, ixy_strerror(rc));
			v->irq_type = IXY_PCI_IRQ_MSIX;
			v->irq_count = msix;
			v->irq_on = true;
		} else if (msi || intx) {
			/* one vector either way (multi-message MSI is not used):
			 * enabled when it is routed */
			v->irq_type = msi ? IXY_PCI_IRQ_MSI : IXY_PCI_IRQ_INTX;
			v->irq_count = 1;
		} else if (msix) {
			return ixy_error(-ENOTSUP, "%s: the device has %u MSI-X vectors, %u are needed, and neither "
					 "MSI nor INTx to fall back to; use fewer RX queues with interrupts", dev->name,
					 msix, want);
		} else {
			return ixy_error(-ENOTSUP, "%s: the device has no interrupt VFIO can deliver: no MSI-X, no "
					 "MSI, no INTx (interrupt pin 0, or INTx masking unsupported); poll with "
					 "ixy_rx_batch", dev->name);
		}
	}
	if (vectors)
		*vectors = v->irq_count;
	return (int)v->irq_type;
}

int ixy__vfio_irq_set_eventfd(struct ixy_pci_dev *dev, unsigned vector, int efd)
{
	struct ixy_vfio_dev *v = dev->vfio;
	int rc;

	if (efd < 0 && (v->released || !v->irq_on))
		return 0;   /* nothing delivered: nothing to stop */
	if (v->irq_type == IXY_PCI_IRQ_NONE && (rc = ixy__vfio_irq_setup(dev, vector + 1, NULL)) < 0)
		return rc;
	if (v->released)
		return ixy__vfio_released_error(dev);
	if (vector >= v->irq_count)
		return ixy_error(-EINVAL, "%s: %s vector %u does not exist (the device has %u)", dev->name,
				 irq_names[v->irq_type], vector, v->irq_count);
	unsigned index = vfio_index(v->irq_type);
	if (v->irq_type == IXY_PCI_IRQ_MSIX || efd >= 0) {
		rc = set_irqs(v, index, vector, 1, &efd);
		if (!rc)
			v->irq_on = true;
	} else {
		/* the single MSI or INTx vector: unrouting turns it off */
		rc = irq_action(v, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0);
		v->irq_on = false;
	}
	if (rc)
		return ixy_error(rc, "%s: %s %s vector %u (VFIO_DEVICE_SET_IRQS) failed: %s", dev->name,
				 efd < 0 ? "stopping" : "routing to an eventfd", irq_names[v->irq_type], vector,
				 ixy_strerror(rc));
	return 0;
}

/* The device fd is used by ixy_pci_check (the application's statistics
 * thread, and every thread asleep in ixy_rx_wait when the request
 * eventfd wakes it: several at once, for one request), by release_locked() and
 * by the INTx unmask (a driver's interrupt thread, ixgbe_irq_line.c):
 * under this lock each sees the device either still held or released,
 * never an fd closed (and its number reused) in between, and exactly one
 * of them takes the request and releases. */
static pthread_mutex_t release_lock = PTHREAD_MUTEX_INITIALIZER;

int ixy__vfio_irq_unmask(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;
	int rc = 0;
	pthread_mutex_lock(&release_lock);
	if (v->irq_type == IXY_PCI_IRQ_INTX && v->irq_on && !v->released)
		rc = irq_action(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 1);
	pthread_mutex_unlock(&release_lock);
	return rc ? ixy_error(rc, "%s: unmasking INTx (VFIO_DEVICE_SET_IRQS) failed: %s", dev->name,
			      ixy_strerror(rc)) : 0;
}

/* ---- the device going away ---- */

/* VFIO_PCI_REQ_IRQ_INDEX: an eventfd the kernel signals when it wants the
 * device back. Without it (old kernels, a fake without it) the kernel
 * just waits for the process to close the device. */
void ixy__vfio_irq_open(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;
	if (irq_count(v, VFIO_PCI_REQ_IRQ_INDEX) == 0)
		return;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fd < 0)
		return;
	if (set_irqs(v, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &fd)) {
		close(fd);
		return;
	}
	v->req_fd = fd;
}

static void stop_requests(struct ixy_vfio_dev *v)
{
	if (v->req_fd < 0)
		return;
	if (v->fd >= 0)
		(void)irq_action(v, VFIO_PCI_REQ_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER, 0);
	close(v->req_fd);
	v->req_fd = -1;
}

void ixy__vfio_irq_close(struct ixy_pci_dev *dev)
{
	irqs_off(dev);
	stop_requests(dev->vfio);
}

/* Give the device back: bus mastering off (its DMA stops), interrupts
 * off, every BAR mapping replaced by memory that reads all ones (what a
 * removed device answers, so the drivers see "gone" and nothing faults;
 * and a mapping of the device fd would keep it open), the device fd
 * closed, which is what the kernel waits for (release_lock held; the
 * caller then lets go of the group). The DMA memory itself stays
 * allocated until the caller closes the device. */
static void release_locked(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;
	uint8_t cmd[2];

	if (ixy__vfio_config_read(dev, IXY_PCI_CFG_COMMAND, cmd, 2) == 0) {
		cmd[0] &= (uint8_t)~IXY_PCI_CMD_MASTER;
		(void)ixy__vfio_config_write(dev, IXY_PCI_CFG_COMMAND, cmd, 2);
	}
	irqs_off(dev);
	stop_requests(v);
	for (int b = 0; b < IXY_PCI_NUM_BARS; b++) {
		if (!v->map[b].addr)
			continue;
		void *p = mmap(v->map[b].addr, v->map[b].size, PROT_READ | PROT_WRITE,
			       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			memset(p, 0xff, v->map[b].size);
	}
	ixy__vfio_ops()->close(v->fd);
	v->fd = -1;
	v->released = true;
}

bool ixy__vfio_released(const struct ixy_pci_dev *dev)
{
	return dev->vfio && dev->vfio->released;
}

/* PCI status (PCI 3.0, 6.2.3): bits a refused DMA sets in the requester.
 * An IOMMU answers a read outside its mappings with Unsupported Request,
 * which the device records as Received Master Abort. */
#define PCI_STATUS_RX_TARGET_ABORT 0x1000u
#define PCI_STATUS_RX_MASTER_ABORT 0x2000u

int ixy__vfio_check(struct ixy_pci_dev *dev)
{
	struct ixy_vfio_dev *v = dev->vfio;
	uint64_t n;
	uint8_t st[2] = { 0, 0 };
	int err;

	pthread_mutex_lock(&release_lock);
	if (v->released) {
		pthread_mutex_unlock(&release_lock);
		return ixy__vfio_released_error(dev);
	}
	if (v->req_fd >= 0 && read(v->req_fd, &n, sizeof(n)) == (ssize_t)sizeof(n)) {
		release_locked(dev);
		pthread_mutex_unlock(&release_lock);
		/* The group too (when no other device of this process holds
		 * it): while a process owns a group, the kernel lets no driver
		 * of its own bind to its devices (DMA ownership, Linux 5.19+).
		 * With the last group the container goes, and the IOMMU
		 * mappings with it: bus mastering is off, nothing uses them. */
		ixy__vfio_put_group(v);
		return ixy_error(-ENODEV, "%s: the kernel asked for the device back (VFIO request: it is being "
				 "unbound from vfio-pci or hot-removed): its DMA and interrupts were stopped and it "
				 "was released; close it", dev->name);
	}
	err = ixy__vfio_config_read(dev, IXY_PCI_CFG_STATUS, st, 2);
	uint16_t status = (uint16_t)(st[0] | st[1] << 8);
	uint16_t abort = err ? 0 : status & (PCI_STATUS_RX_TARGET_ABORT | PCI_STATUS_RX_MASTER_ABORT);
	if (abort && status != 0xffff) {
		/* write-1-to-clear, so the next refusal is seen again */
		uint8_t w1c[2] = { (uint8_t)abort, (uint8_t)(abort >> 8) };
		(void)ixy__vfio_config_write(dev, IXY_PCI_CFG_STATUS, w1c, 2);
	}
	pthread_mutex_unlock(&release_lock);
	if (err)
		return err;
	if (status == 0xffff)
		return ixy_error(-ENODEV, "%s: its config space reads all ones: the device was removed or is "
				 "being reset", dev->name);
	if (abort) {
		return ixy_error(-EIO, "%s: the device's DMA was refused (PCI status 0x%04x: received %s abort): "
				 "a descriptor points outside the memory the IOMMU maps for it (a driver bug, or "
				 "memory freed under the device); see the IOMMU faults in dmesg", dev->name, status,
				 abort & PCI_STATUS_RX_MASTER_ABORT ? "master" : "target");
	}
	return 0;
}
