/* virtio-net bring-up and tear-down, following the device initialization
 * sequence of the virtio 1.0 specification (3.1.1, with the legacy
 * variations of 3.1.2): reset, ACKNOWLEDGE, DRIVER, feature negotiation
 * (modern: 64 bits and FEATURES_OK, virtio_modern.c), virtqueue set-up
 * (4.1.5.1.3; legacy: queue size is fixed by the device and the ring
 * address is written as a page frame number; modern: three addresses and
 * queue_enable), receive buffers, DRIVER_OK; then the filters through the
 * control queue.
 * The device is taken from the kernel driver exactly as ixgbe does it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/virtio.h"
#include "error.h"
#include "memory/memory_internal.h"

#define RESET_TIMEOUT_US 100000u
#define TX_DRAIN_TIMEOUT_US 200000u

/* PCI capability list (PCI 3.0, 6.7) and the MSI-X capability (6.8.2). */
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
#define PCI_CAP_ID_MSIX 0x11
#define PCI_MSIX_ENABLE 0x8000u   /* Message Control bit 15 */

const char *virtio_supported(uint16_t vendor_id, uint16_t device_id)
{
	if (vendor_id != IXY_VIRTIO_VENDOR_ID)
		return NULL;
	return device_id == VIRTIO_NET_LEGACY_ID ? VIRTIO_MODEL
	       : device_id == VIRTIO_NET_MODERN_ID ? VIRTIO_MODEL_MODERN : NULL;
}

/* With MSI-X enabled the legacy header grows by two vector registers and
 * the device configuration moves from 0x14 to 0x18 (4.1.4.8). The kernel
 * turns MSI-X off when its driver lets go of the device, so normally the
 * answer is "no", but a device handed over by another user may differ. */
static bool msix_enabled(struct ixy_pci_dev *pci)
{
	const struct ixy_pci_info *info = ixy_pci_get_info(pci);
	uint8_t ptr;

	if (!(info->status & PCI_STATUS_CAP_LIST) || ixy_pci_config_read(pci, PCI_CAP_PTR, &ptr, 1))
		return false;
	for (int guard = 0; ptr >= 0x40 && guard < 48; guard++) {
		uint8_t cap[4];
		if (ixy_pci_config_read(pci, ptr & 0xfc, cap, sizeof(cap)))
			break;
		if (cap[0] == PCI_CAP_ID_MSIX)
			return ((uint32_t)cap[2] | (uint32_t)cap[3] << 8) & PCI_MSIX_ENABLE;
		ptr = cap[1];
	}
	ixy_clear_error();
	return false;
}

static void set_status(struct virtio_dev *d, uint8_t bits)
{
	uint32_t st = virtio_read(d, VIRTIO_REG_DEVICE_STATUS, 1);
	virtio_write(d, VIRTIO_REG_DEVICE_STATUS, 1, (st | bits) & 0xff);
}

static int reset_device(struct virtio_dev *d)
{
	/* 2.1.2 / 3.1.1 step 1: writing 0 resets; wait until it reads 0 */
	virtio_write(d, VIRTIO_REG_DEVICE_STATUS, 1, 0);
	for (uint32_t waited = 0; virtio_read(d, VIRTIO_REG_DEVICE_STATUS, 1) != 0; waited += 100) {
		if (d->io_error)
			break;
		if (waited >= RESET_TIMEOUT_US)
			return ixy_error(-ETIMEDOUT, "%s: device status did not read 0 within %u ms after reset",
					 d->ixy.name, RESET_TIMEOUT_US / 1000);
		usleep(100);
	}
	return virtio_io_check(d, "reset");
}

/* ---- memory: one DMA region for all queues plus the control buffer ---- */

static int read_queue_size(struct virtio_dev *d, uint16_t index, uint32_t *size)
{
	virtio_write(d, VIRTIO_REG_QUEUE_SELECT, 2, index);
	*size = virtio_read(d, VIRTIO_REG_QUEUE_SIZE, 2);
	int rc = virtio_io_check(d, "reading the queue size");
	if (rc)
		return rc;
	if (*size == 0)
		return ixy_error(-ENODEV, "%s: virtqueue %u does not exist (size 0)", d->ixy.name, index);
	if (!virtio_vring_bytes(*size))
		return ixy_error(-EIO, "%s: virtqueue %u has size %u, not a power of two up to %u (2.4)",
				 d->ixy.name, index, *size, VIRTQ_MAX_SIZE);
	return 0;
}

static int init_queue_memory(struct virtio_dev *d, struct virtio_queue *q, uint16_t index, uint32_t size,
			     uint8_t *base, size_t off)
{
	q->index = index;
	q->size = size;
	q->mask = (uint16_t)(size - 1);
	q->pci = d->pci;
	q->desc = (volatile struct virtq_desc *)(base + off);
	q->avail = (volatile struct virtq_avail *)(base + off + sizeof(struct virtq_desc) * size);
	q->used = (volatile struct virtq_used *)(base + off + virtio_vring_used_offset(size));
	q->phys = ixy_dma_virt_to_phys(d->rings, base + off);
	q->hdr_len = d->modern ? VIRTIO_NET_HDR_LEN_MODERN : VIRTIO_NET_HDR_LEN;
	/* We poll: ask the device never to interrupt (2.4.7). */
	q->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	q->bufs = calloc(size, sizeof(*q->bufs));
	if (!q->bufs)
		return ixy_error(-ENOMEM, "%s: out of memory for virtqueue %u", d->ixy.name, index);
	return 0;
}

static int alloc_queues(struct virtio_dev *d)
{
	const struct ixy_config *c = &d->cfg.c;
	uint16_t nq = (d->features & VIRTIO_NET_F_CTRL_VQ) ? 3 : 2;
	uint32_t sizes[3];
	size_t bytes[4], offs[4];
	int rc;

	for (uint16_t i = 0; i < nq; i++) {
		if ((rc = read_queue_size(d, i, &sizes[i])))
			return rc;
		bytes[i] = virtio_vring_bytes(sizes[i]);
	}
	bytes[nq] = VIRTIO_LEGACY_ALIGN;  /* control buffer: command, data, ack */
	if (c->mempool_size <= sizes[VIRTIO_NET_RXQ])
		return ixy_error(-EINVAL, "%s: mempool_size %u is too small for the device's RX queue of %u "
				 "entries; use more than that", d->ixy.name, c->mempool_size, sizes[VIRTIO_NET_RXQ]);

	struct ixy_dma_opts opts = { .numa_node = d->cfg.numa_node, .hugetlbfs = c->hugetlbfs };
	size_t total = virtio_layout(bytes, nq + 1, IXY_PAGE_2M, offs);
	if (!total)
		return ixy_error(-EINVAL, "%s: a virtqueue does not fit in one 2 MiB page", d->ixy.name);
	d->rings = ixy_dma_alloc(total, &opts);
	if (!d->rings) {
		ixy_error_prefix("%s: virtqueues", d->ixy.name);
		return ixy_last_error_code() ? ixy_last_error_code() : -ENOMEM;
	}
	uint8_t *base = ixy_dma_virt(d->rings);
	memset(base, 0, ixy_dma_size(d->rings));

	if ((rc = init_queue_memory(d, &d->rxq, VIRTIO_NET_RXQ, sizes[0], base, offs[0])) ||
	    (rc = init_queue_memory(d, &d->txq, VIRTIO_NET_TXQ, sizes[1], base, offs[1])))
		return rc;
	if (nq == 3) {
		if (sizes[2] < 3)
			return ixy_error(-EIO, "%s: control queue of %u entries, a command needs 3", d->ixy.name,
					 sizes[2]);
		if ((rc = init_queue_memory(d, &d->ctrlq, VIRTIO_NET_CTRLQ, sizes[2], base, offs[2])))
			return rc;
	}
	d->ctrl_buf = base + offs[nq];
	d->ctrl_buf_phys = ixy_dma_virt_to_phys(d->rings, base + offs[nq]);

	/* TX: every descriptor starts free */
	d->txq.free_ids = malloc(sizeof(uint16_t) * d->txq.size);
	if (!d->txq.free_ids)
		return ixy_error(-ENOMEM, "%s: out of memory for the TX queue", d->ixy.name);
	for (uint32_t i = 0; i < d->txq.size; i++)
		d->txq.free_ids[i] = (uint16_t)(d->txq.size - 1 - i);
	d->txq.num_free = d->txq.size;
	/* as the ixgbe driver: what a port takes in (1518 at least), no CRC */
	d->txq.max_len = (c->max_frame_size > 1518 ? c->max_frame_size : 1518) - 4;
	ixy__tx_len_fast_lower(d->txq.max_len + 1);

	/* RX: without MRG_RXBUF each buffer must hold a whole frame (5.1.6.3.1) */
	uint32_t buf_len = c->max_frame_size > 2048 ? (c->max_frame_size + 1023u) & ~1023u : 2048;
	struct ixy_mempool_opts po = {
		.num_entries = c->mempool_size,
		.buf_len = buf_len,
		.numa_node = d->cfg.numa_node,
		.hugetlbfs = c->hugetlbfs,
	};
	d->rxq.pool = ixy_mempool_create(&po);
	if (!d->rxq.pool) {
		ixy_error_prefix("%s: RX queue", d->ixy.name);
		return ixy_last_error_code() ? ixy_last_error_code() : -ENOMEM;
	}
	return 0;
}

static void free_queue(struct virtio_queue *q)
{
	free(q->bufs);
	free(q->free_ids);
	q->bufs = NULL;
	q->free_ids = NULL;
}

/* ---- the sequence (3.1.1) ---- */

static int negotiate(struct virtio_dev *d)
{
	uint32_t offered = virtio_read(d, VIRTIO_REG_DEVICE_FEATURES, 4);
	int rc = virtio_io_check(d, "reading the device features");
	if (rc)
		return rc;
	d->features = virtio_net_pick_features(offered);
	/* The header shares a descriptor with the frame; a device that
	 * insists on a separate descriptor for it is not supported (2.4.4). */
	if (!(d->features & VIRTIO_F_ANY_LAYOUT))
		return ixy_error(-ENOTSUP, "%s: the device does not offer VIRTIO_F_ANY_LAYOUT (features 0x%08x); "
				 "this driver needs it to keep the virtio header and the frame in one descriptor",
				 d->ixy.name, offered);
	virtio_write(d, VIRTIO_REG_GUEST_FEATURES, 4, d->features);
	return virtio_io_check(d, "writing the driver features");
}

static int setup_queues(struct virtio_dev *d)
{
	struct virtio_queue *qs[3] = { &d->rxq, &d->txq, &d->ctrlq };

	for (int i = 0; i < 3; i++) {
		struct virtio_queue *q = qs[i];
		if (!q->desc)
			continue;
		virtio_write(d, VIRTIO_REG_QUEUE_SELECT, 2, q->index);
		virtio_write(d, VIRTIO_REG_QUEUE_PFN, 4, (uint32_t)(q->phys >> VIRTIO_PFN_SHIFT));
	}
	return virtio_io_check(d, "setting up the virtqueues");
}

static int init_device(struct virtio_dev *d)
{
	int rc;

	if ((rc = reset_device(d)))
		return rc;
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);       /* step 2: we noticed the device */
	set_status(d, VIRTIO_STATUS_DRIVER);            /* step 3: and can drive it */
	if ((rc = virtio_io_check(d, "status ACKNOWLEDGE/DRIVER")))
		return rc;
	/* step 4 (and for modern devices 5, 6: FEATURES_OK; legacy devices
	 * have no such step, 3.1.2) */
	if ((rc = d->modern ? virtio_modern_negotiate(d) : negotiate(d)))
		return rc;
	if ((rc = alloc_queues(d)) ||
	    (rc = d->modern ? virtio_modern_setup_queues(d) : setup_queues(d)))  /* step 7 */
		return rc;
	if ((rc = virtio_rx_fill(d)))
		return ixy_error(rc, "%s: not enough buffers to fill the RX queue", d->ixy.name);
	set_status(d, VIRTIO_STATUS_DRIVER_OK);         /* step 8: live */
	d->started = true;
	uint32_t st = virtio_read(d, VIRTIO_REG_DEVICE_STATUS, 1);
	if ((rc = virtio_io_check(d, "setting DRIVER_OK")))
		return rc;
	if (st & (VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET) || !(st & VIRTIO_STATUS_DRIVER_OK))
		return ixy_error(-EIO, "%s: the device did not accept the configuration (status 0x%02x after "
				 "DRIVER_OK)", d->ixy.name, st);
	/* Buffers may only be announced once the device is live (3.1.1). */
	virtio_notify(&d->rxq);

	/* Filters: a device with CTRL_RX starts in a state of its own choosing
	 * (QEMU: promiscuous), so set the configured one explicitly. */
	if (d->features & VIRTIO_NET_F_CTRL_RX) {
		if ((rc = virtio_set_filter(&d->ixy, IXY_FILTER_PROMISC, d->cfg.c.promisc)))
			return rc;
		if ((rc = virtio_set_filter(&d->ixy, IXY_FILTER_ALLMULTI, d->cfg.c.promisc)))
			return rc;
	}
	return 0;
}


/* ---- close ---- */

static void virtio_close(struct ixy_device *dev)
{
	struct virtio_dev *d = to_virtio(dev);

	if (d->started) {
		/* Let queued frames leave before the reset cancels them. */
		for (uint32_t waited = 0; waited < TX_DRAIN_TIMEOUT_US; waited += 100) {
			if (__atomic_load_n(&d->txq.used->idx, __ATOMIC_ACQUIRE) == d->txq.avail_idx)
				break;
			usleep(100);
		}
	}
	/* A reset stops all DMA before the rings and buffers go (2.1.2): also
	 * before DRIVER_OK, since a legacy device knows the queue addresses
	 * from the moment they are written. Confirmed by the status reading
	 * 0; bus mastering off as well (taking the device had set it). Only if
	 * neither worked is the memory kept rather than freed under a device
	 * that may still write it. */
	d->io_error = 0;
	bool dma_off = reset_device(d) == 0;
	if (ixy_pci_disable_bus_master(d->pci) == 0)
		dma_off = true;
	d->io_error = 0;
	if (!dma_off && d->rings) {
		ixy_error_prefix("%s: the device's DMA could not be stopped, so its virtqueues and buffers are kept "
				 "(not freed) until the process ends", dev->name);
		ixy_pci_close(d->pci);
		free(d);
		return;
	}
	/* Buffers still in the rings: TX ones go back to their owners' pools,
	 * RX ones to ours before it is freed. */
	if (d->txq.desc && d->txq.free_ids) {
		/* The device may complete out of order: what is still out are
		 * the descriptors not on the free list (not the avail ring
		 * positions after used_seen, which may include completed ones). */
		struct virtio_queue *q = &d->txq;
		virtio_tx_reclaim(q);
		uint8_t *is_free = calloc(q->size, 1);
		if (is_free) {
			for (uint32_t i = 0; i < q->num_free; i++)
				is_free[q->free_ids[i]] = 1;
			for (uint32_t id = 0; id < q->size; id++)
				if (!is_free[id] && q->bufs[id])
					ixy_pkt_buf_free(q->bufs[id]);
			free(is_free);
		}
	}
	if (d->rxq.pool && d->rxq.bufs) {
		for (uint32_t i = 0; i < d->rxq.size; i++)
			if (d->rxq.bufs[i])
				ixy_pkt_buf_free(d->rxq.bufs[i]);
	}
	/* the RX buffers that came back but were not yet handed out are in
	 * the used ring, and were freed above through bufs[] */
	ixy_mempool_free(d->rxq.pool);
	free_queue(&d->rxq);
	free_queue(&d->txq);
	free_queue(&d->ctrlq);
	ixy_dma_free(d->rings);
	virtio_modern_unmap(d);
	ixy_pci_close(d->pci);
	free(d);
}

static struct ixy_mempool *virtio_rx_mempool(struct ixy_device *dev, uint16_t queue)
{
	(void)queue;
	return to_virtio(dev)->rxq.pool;
}

static const struct ixy_driver_ops virtio_ops = {
	.rx_batch = virtio_rx_batch,
	.tx_batch = virtio_tx_batch,
	.update_stats = virtio_update_stats,
	.get_link = virtio_get_link,
	.get_mac = virtio_get_mac,
	.set_mac = virtio_set_mac,
	.set_filter = virtio_set_filter,
	.set_rss_key = virtio_set_rss_key,
	.set_rss_reta = virtio_set_rss_reta,
	.rx_mempool = virtio_rx_mempool,
	.close = virtio_close,
	.rx_irq_enable = virtio_rx_irq_enable,
	.rx_irq_disable = virtio_rx_irq_disable,
	.rx_irq_arm = virtio_rx_irq_arm,
	.rx_irq_disarm = virtio_rx_irq_disarm,
	.rx_ready = virtio_rx_ready,
};

/* ---- open ---- */

static int take_device(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg, bool modern)
{
	const char *name = ixy_pci_name(pci);
	int rc;

	/* The kernel's virtio-pci would fight us over the queues (the pci
	 * layer also finds its interface under DEVICE/virtioN/net). */
	if ((rc = ixy_take_pci_device(pci, cfg)) < 0)
		return rc;
	if (modern)
		return 0;   /* the capabilities say where things are: virtio_modern_map */
	/* BAR0 must be the legacy I/O-port window (4.1.4.8). */
	struct ixy_pci_bar bars[1];
	if ((rc = ixy_pci_get_bars(pci, bars, 1)) < 0) {
		ixy_error_prefix("%s", name);
		return rc;
	}
	if (rc < 1 || !bars[0].is_io || bars[0].size < VIRTIO_REG_CONFIG) {
		(void)ixy_pci_disable_bus_master(pci);  /* ours (locked) and enabled above: as found */
		return ixy_error(-ENODEV, "%s: BAR0 is not a legacy virtio I/O-port BAR (%s, %llu bytes); is the "
				 "device started with disable-legacy=on?", name, rc >= 1 && bars[0].is_io ? "I/O" : "memory",
				 rc >= 1 ? (unsigned long long)bars[0].size : 0ull);
	}
	return 0;
}

struct ixy_device *virtio_open_pci(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg)
{
	const struct ixy_pci_info *info = ixy_pci_get_info(pci);
	const char *name = ixy_pci_name(pci);
	int rc;

	if (!virtio_supported(info->vendor_id, info->device_id)) {
		ixy_error(-ENODEV, "%s: device %04x:%04x is not a virtio-net device (1af4:1000 legacy, "
			  "1af4:1041 virtio 1.0)", name, info->vendor_id, info->device_id);
		ixy_pci_close(pci);
		return NULL;
	}
	if (cfg->c.num_rx_queues > 1 || cfg->c.num_tx_queues > 1) {
		ixy_error(-ENOTSUP, "%s: the virtio driver has one RX and one TX queue (multiqueue, "
			  "VIRTIO_NET_F_MQ, is not implemented); asked for %u RX / %u TX", name,
			  cfg->c.num_rx_queues, cfg->c.num_tx_queues);
		ixy_pci_close(pci);
		return NULL;
	}
	if (cfg->c.tx_offload || cfg->c.rx_vlan_strip) {
		/* virtio-net could take checksum requests (VIRTIO_NET_F_CSUM,
		 * a virtio_net_hdr per frame) and has VLAN filtering but no
		 * stripping: not implemented; refused rather than ignored */
		ixy_error(-ENOTSUP, "%s: the virtio driver has no offloads (ixy_config.%s is set); open the port "
			  "without it, and compute checksums in software (ixy_pkt_tx_csum_sw, ixy/packet.h)", name,
			  cfg->c.tx_offload ? "tx_offload" : "rx_vlan_strip");
		ixy_pci_close(pci);
		return NULL;
	}
	bool modern = info->device_id == VIRTIO_NET_MODERN_ID;
	if ((rc = take_device(pci, cfg, modern))) {
		ixy_pci_close(pci);
		return NULL;
	}
	struct virtio_dev *d = calloc(1, sizeof(*d));
	if (!d) {
		(void)ixy_pci_disable_bus_master(pci);
		ixy_pci_close(pci);
		return ixy_error_null(-ENOMEM, "%s: out of memory", name);
	}
	d->cfg = *cfg;
	if (d->cfg.numa_node == IXY_NUMA_RESOLVE_DEVICE)
		d->cfg.numa_node = ixy_pci_numa_node(pci);
	d->pci = pci;
	d->ixy.pci = pci;
	d->ixy.ops = &virtio_ops;
	d->ixy.driver_name = VIRTIO_DRIVER_NAME;
	d->ixy.model = modern ? VIRTIO_MODEL_MODERN : VIRTIO_MODEL;
	d->modern = modern;
	d->ixy.device_id = info->device_id;
	d->ixy.num_rx_queues = 1;
	d->ixy.num_tx_queues = 1;
	d->trace = cfg->trace;
	d->trace_fn = cfg->c.trace_fn;
	d->trace_arg = cfg->c.trace_arg;
	snprintf(d->ixy.name, sizeof(d->ixy.name), "%s", name);
	/* modern: the device configuration has a structure of its own,
	 * which virtio_regs.c finds at the legacy offset 0x14 */
	d->config_base = !modern && msix_enabled(pci) ? VIRTIO_REG_CONFIG_MSIX : VIRTIO_REG_CONFIG;

	rc = modern ? virtio_modern_map(d) : 0;
	if (rc == 0)
		rc = init_device(d);
	if (rc == 0)
		rc = ixy_open_wait_link(&d->ixy, &d->cfg.c,
					"VIRTIO_NET_S_LINK_UP clear: is the QEMU netdev link set down?");
	if (rc)
		return ixy_close_after_failure(&d->ixy, rc);
	return &d->ixy;
}
