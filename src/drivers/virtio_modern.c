/* The virtio 1.0 PCI transport (4.1.4): a modern device (1af4:1041) has no
 * I/O-port register block; PCI vendor capabilities say in which memory BAR
 * and at which offset the common configuration, the notify area, the ISR
 * byte and the device configuration lie. The driver maps those BARs and
 * then uses plain loads and stores: no system call per access, which also
 * makes the queue notify of the data path a single store.
 *
 * Only a modern device can offer VIRTIO_F_ACCESS_PLATFORM, whose DMA then
 * goes through the platform's IOMMU with the bus addresses the driver
 * gives (IOVAs behind VFIO). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "drivers/virtio.h"
#include "error.h"

#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
#define MAX_CAPS 48          /* 192 bytes of capabilities at 4 bytes each at most */

struct cap {
	bool found;
	uint8_t bar;
	uint32_t offset, length;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walk the capability list (PCI 3.0, 6.7) for the first virtio capability
 * of each type (4.1.4: the driver uses the first one it can). */
static int find_caps(struct virtio_dev *d, struct cap caps[5], uint32_t *notify_mult)
{
	const struct ixy_pci_info *info = ixy_pci_get_info(d->pci);
	uint8_t ptr;
	int rc;

	if (!(info->status & PCI_STATUS_CAP_LIST))
		return ixy_error(-ENODEV, "%s: no PCI capability list: not a virtio 1.0 device", d->ixy.name);
	if ((rc = ixy_pci_config_read(d->pci, PCI_CAP_PTR, &ptr, 1)))
		return rc;
	for (int guard = 0; ptr >= 0x40 && guard < MAX_CAPS; guard++) {
		uint8_t c[20];
		if ((rc = ixy_pci_config_read(d->pci, ptr & 0xfc, c, 16)))
			return rc;
		uint8_t type = c[VIRTIO_PCI_CAP_TYPE];
		if (c[0] == VIRTIO_PCI_CAP_ID && type >= VIRTIO_PCI_CAP_COMMON_CFG &&
		    type <= VIRTIO_PCI_CAP_DEVICE_CFG && !caps[type].found) {
			caps[type] = (struct cap){ true, c[VIRTIO_PCI_CAP_BAR], le32(c + VIRTIO_PCI_CAP_OFFSET),
						   le32(c + VIRTIO_PCI_CAP_LENGTH) };
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				if ((rc = ixy_pci_config_read(d->pci, (ptr & 0xfc) + VIRTIO_PCI_NOTIFY_MULT, c + 16, 4)))
					return rc;
				*notify_mult = le32(c + 16);
			}
		}
		ptr = c[1];
	}
	return 0;
}

static int map_cap(struct virtio_dev *d, const struct cap *c, const char *what, uint32_t min_len,
		   volatile uint8_t **out)
{
	if (!c->found)
		return ixy_error(-ENODEV, "%s: no virtio %s capability (4.1.4): not a virtio 1.0 device?",
				 d->ixy.name, what);
	if (c->bar > 5)
		return ixy_error(-EIO, "%s: the virtio %s capability names BAR %u", d->ixy.name, what, c->bar);
	if (c->length < min_len)
		return ixy_error(-EIO, "%s: the virtio %s structure has %u bytes, at least %u expected", d->ixy.name,
				 what, c->length, min_len);
	if (!d->bar_map[c->bar]) {
		d->bar_map[c->bar] = ixy_pci_map_bar(d->pci, c->bar, &d->bar_len[c->bar]);
		if (!d->bar_map[c->bar]) {
			ixy_error_prefix("%s: virtio %s structure", d->ixy.name, what);
			return ixy_last_error_code() ? ixy_last_error_code() : -EIO;
		}
	}
	if ((uint64_t)c->offset + c->length > d->bar_len[c->bar])
		return ixy_error(-EIO, "%s: the virtio %s structure (0x%x bytes at 0x%x) ends beyond BAR %u "
				 "(0x%zx bytes)", d->ixy.name, what, c->length, c->offset, c->bar, d->bar_len[c->bar]);
	*out = (volatile uint8_t *)d->bar_map[c->bar] + c->offset;
	return 0;
}

int virtio_modern_map(struct virtio_dev *d)
{
	struct cap caps[5] = { { 0 } };
	int rc;

	if ((rc = find_caps(d, caps, &d->notify_mult)) ||
	    (rc = map_cap(d, &caps[VIRTIO_PCI_CAP_COMMON_CFG], "common configuration", VIRTIO_COMMON_LEN,
			  &d->common)) ||
	    (rc = map_cap(d, &caps[VIRTIO_PCI_CAP_NOTIFY_CFG], "notify", 2, &d->notify)) ||
	    (rc = map_cap(d, &caps[VIRTIO_PCI_CAP_ISR_CFG], "ISR", 1, &d->isr)) ||
	    (rc = map_cap(d, &caps[VIRTIO_PCI_CAP_DEVICE_CFG], "device configuration", 8, &d->devcfg)))
		return rc;
	d->common_len = caps[VIRTIO_PCI_CAP_COMMON_CFG].length;
	d->notify_len = caps[VIRTIO_PCI_CAP_NOTIFY_CFG].length;
	d->devcfg_len = caps[VIRTIO_PCI_CAP_DEVICE_CFG].length;
	return 0;
}

void virtio_modern_unmap(struct virtio_dev *d)
{
	for (int i = 0; i < 6; i++) {
		ixy_pci_unmap_bar(d->bar_map[i], d->bar_len[i]);
		d->bar_map[i] = NULL;
	}
	d->common = d->notify = d->isr = d->devcfg = NULL;
}

static volatile uint32_t *common32(struct virtio_dev *d, uint32_t off)
{
	return (volatile uint32_t *)(d->common + off);
}

static volatile uint16_t *common16(struct virtio_dev *d, uint32_t off)
{
	return (volatile uint16_t *)(d->common + off);
}

int virtio_modern_negotiate(struct virtio_dev *d)
{
	/* 64 feature bits, 32 at a time through the select registers */
	*common32(d, VIRTIO_COMMON_DFSELECT) = 0;
	uint64_t offered = *common32(d, VIRTIO_COMMON_DF);
	*common32(d, VIRTIO_COMMON_DFSELECT) = 1;
	offered |= (uint64_t)*common32(d, VIRTIO_COMMON_DF) << 32;

	uint64_t want = virtio_net_pick_features_modern(offered);
	if (!(want & VIRTIO_F_VERSION_1))
		return ixy_error(-ENOTSUP, "%s: the device does not offer VIRTIO_F_VERSION_1 (features 0x%016llx): "
				 "not a virtio 1.0 device", d->ixy.name, (unsigned long long)offered);
	if (ixy_pci_is_vfio(d->pci) && !(want & VIRTIO_F_ACCESS_PLATFORM))
		return ixy_error(-ENOTSUP, "%s: behind VFIO the device must send its DMA through the IOMMU, but it "
				 "does not offer VIRTIO_F_ACCESS_PLATFORM (features 0x%016llx): its DMA would go "
				 "to IOVAs as if they were physical addresses; QEMU: -device "
				 "virtio-net-pci,disable-legacy=on,iommu_platform=on", d->ixy.name,
				 (unsigned long long)offered);
	*common32(d, VIRTIO_COMMON_GFSELECT) = 0;
	*common32(d, VIRTIO_COMMON_GF) = (uint32_t)want;
	*common32(d, VIRTIO_COMMON_GFSELECT) = 1;
	*common32(d, VIRTIO_COMMON_GF) = (uint32_t)(want >> 32);
	d->features = (uint32_t)want;
	d->features_hi = (uint32_t)(want >> 32);

	/* 3.1.1 steps 5 and 6: FEATURES_OK, and it must stick */
	uint8_t st = d->common[VIRTIO_COMMON_STATUS];
	d->common[VIRTIO_COMMON_STATUS] = st | VIRTIO_STATUS_FEATURES_OK;
	st = d->common[VIRTIO_COMMON_STATUS];
	if (!(st & VIRTIO_STATUS_FEATURES_OK))
		return ixy_error(-EIO, "%s: the device did not accept the features 0x%016llx (FEATURES_OK cleared, "
				 "status 0x%02x)", d->ixy.name, (unsigned long long)want, st);
	return 0;
}

static void write64(struct virtio_dev *d, uint32_t off, uint64_t v)
{
	/* 64-bit fields may be written as two 32-bit halves (4.1.3.1) */
	*common32(d, off) = (uint32_t)v;
	*common32(d, off + 4) = (uint32_t)(v >> 32);
}

int virtio_modern_setup_queues(struct virtio_dev *d)
{
	struct virtio_queue *qs[3] = { &d->rxq, &d->txq, &d->ctrlq };

	for (int i = 0; i < 3; i++) {
		struct virtio_queue *q = qs[i];
		if (!q->desc)
			continue;
		uint8_t *desc = (uint8_t *)(uintptr_t)q->desc;
		uint64_t avail = q->phys + (uint64_t)((uint8_t *)(uintptr_t)q->avail - desc);
		uint64_t used = q->phys + (uint64_t)((uint8_t *)(uintptr_t)q->used - desc);

		*common16(d, VIRTIO_COMMON_Q_SELECT) = q->index;
		/* the size read at allocation stays (a modern device lets the
		 * driver shrink it, 4.1.4.3; no need) */
		*common16(d, VIRTIO_COMMON_Q_MSIX) = VIRTIO_MSI_NO_VECTOR;   /* we poll */
		write64(d, VIRTIO_COMMON_Q_DESC, q->phys);
		write64(d, VIRTIO_COMMON_Q_AVAIL, avail);
		write64(d, VIRTIO_COMMON_Q_USED, used);
		uint32_t noff = *common16(d, VIRTIO_COMMON_Q_NOFF);
		uint64_t at = (uint64_t)noff * d->notify_mult;
		if (at + 2 > d->notify_len)
			return ixy_error(-EIO, "%s: queue %u's notify offset %u x %u lies beyond the notify area "
					 "(%u bytes)", d->ixy.name, q->index, noff, d->notify_mult, d->notify_len);
		q->notify_reg = (volatile uint16_t *)(d->notify + at);
		*common16(d, VIRTIO_COMMON_Q_ENABLE) = 1;
	}
	return 0;
}

int virtio_modern_queue_vector(struct virtio_dev *d, struct virtio_queue *q, uint16_t vector)
{
	if (!d->modern || !q->desc)
		return ixy_error(-ENOTSUP, "%s: queue interrupts need a virtio 1.0 device", d->ixy.name);
	*common16(d, VIRTIO_COMMON_Q_SELECT) = q->index;
	*common16(d, VIRTIO_COMMON_Q_MSIX) = vector;
	/* the device answers NO_VECTOR when it cannot use the vector
	 * (4.1.4.3: e.g. MSI-X not enabled, which VFIO_DEVICE_SET_IRQS does) */
	uint16_t got = *common16(d, VIRTIO_COMMON_Q_MSIX);
	if (got != vector)
		return ixy_error(-EIO, "%s: queue %u refused MSI-X vector %u (reads 0x%04x): is the vector routed "
				 "(ixy_pci_irq_set_eventfd)?", d->ixy.name, q->index, vector, got);
	return 0;
}

/* ---- the RX interrupt ops of src/device_irq.c ----
 * Vector VIRTIO_RX_VECTOR carries the RX queue's interrupt. "Masked" is
 * VIRTQ_AVAIL_F_NO_INTERRUPT in the available ring (2.4.7): the device
 * reads it after it has put a buffer into the used ring, so the arm
 * sequence of device_irq.c (unmask, barrier, look at the ring) strands no
 * frame. Unlike the 82599's vectors it does not mask itself when it fires:
 * until disarmed each further frame signals the eventfd again, which only
 * adds to its count. virtio has no interrupt throttling: throttle_us is not
 * used.
 *
 * Without MSI-X (a device or platform that offers none) the device
 * interrupts on INTx (virtio 1.0, 4.1.5.3/4.1.5.4), which VFIO delivers to
 * the same eventfd and masks each time it fires. Arming then reads the
 * ISR status (which deasserts the line) and unmasks it in VFIO before it
 * clears NO_INTERRUPT, so the next used buffer raises it again. virtio
 * devices have no MSI: MSI-X or INTx only. */

int virtio_rx_irq_enable(struct ixy_device *dev, uint16_t queue, int efd, const struct ixy_irq_config *cfg)
{
	struct virtio_dev *d = to_virtio(dev);
	int rc;

	(void)queue;
	(void)cfg;
	if (!d->modern)
		return ixy_error(-ENOTSUP, "%s: a legacy virtio device has no interrupts in libixy: they need the "
				 "VFIO backend and a virtio 1.0 device (QEMU: virtio-net-pci,disable-legacy=on,"
				 "iommu_platform=on, bound to vfio-pci); poll with ixy_rx_batch", dev->name);
	__atomic_store_n(&d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELEASE);
	if ((rc = ixy_pci_irq_setup(d->pci, 1, NULL)) < 0)
		return rc;
	if (rc == IXY_PCI_IRQ_MSI)
		return ixy_error(-ENOTSUP, "%s: VFIO offers MSI but neither MSI-X nor INTx; a virtio device "
				 "interrupts through MSI-X or INTx only", dev->name);
	d->intx = rc == IXY_PCI_IRQ_INTX;
	if ((rc = ixy_pci_irq_set_eventfd(d->pci, VIRTIO_RX_VECTOR, efd)))
		return rc;
	if (d->intx)
		return 0;  /* the queue keeps NO_VECTOR: without MSI-X the device uses INTx */
	if ((rc = virtio_modern_queue_vector(d, &d->rxq, VIRTIO_RX_VECTOR))) {
		(void)ixy_pci_irq_set_eventfd(d->pci, VIRTIO_RX_VECTOR, -1);
		return rc;
	}
	return 0;
}

void virtio_rx_irq_disable(struct ixy_device *dev, uint16_t queue)
{
	struct virtio_dev *d = to_virtio(dev);

	(void)queue;
	__atomic_store_n(&d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELEASE);
	if (d->modern && d->common) {
		*common16(d, VIRTIO_COMMON_Q_SELECT) = d->rxq.index;
		*common16(d, VIRTIO_COMMON_Q_MSIX) = VIRTIO_MSI_NO_VECTOR;
	}
	(void)ixy_pci_irq_set_eventfd(d->pci, VIRTIO_RX_VECTOR, -1);
}

void virtio_rx_irq_arm(struct ixy_device *dev, uint16_t queue)
{
	struct virtio_dev *d = to_virtio(dev);

	(void)queue;
	if (d->intx) {
		(void)*d->isr;  /* read-to-clear: the line drops */
		(void)ixy_pci_irq_unmask(d->pci);
	}
	__atomic_store_n(&d->rxq.avail->flags, 0, __ATOMIC_RELEASE);
}

void virtio_rx_irq_disarm(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	__atomic_store_n(&to_virtio(dev)->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELEASE);
}

bool virtio_rx_ready(struct ixy_device *dev, uint16_t queue)
{
	struct virtio_queue *q = &to_virtio(dev)->rxq;

	(void)queue;
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->used_seen;
}
