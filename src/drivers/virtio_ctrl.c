/* Legacy virtio-net control path after open: the control queue (5.1.6.5),
 * link status, MAC address, receive filters and software statistics.
 * Features the device does not have are refused with -ENOTSUP and a
 * message saying which feature bit is missing. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "drivers/virtio.h"
#include "error.h"

/* The device answers a control command within microseconds (QEMU handles
 * it synchronously in the notify); a second is a generous bound. */
#define CTRL_TIMEOUT_US 1000000u
#define CTRL_POLL_US 50u

/* Where command, data and ack live in the control buffer (ctrl_buf). */
#define CTRL_OFF_HDR 0
#define CTRL_OFF_DATA 16
#define CTRL_OFF_ACK 48
#define CTRL_MAX_DATA (CTRL_OFF_ACK - CTRL_OFF_DATA)

int virtio_ctrl_cmd(struct virtio_dev *d, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
		    const char *what)
{
	struct virtio_queue *q = &d->ctrlq;
	volatile uint8_t *buf = d->ctrl_buf;

	if (!q->desc)
		return ixy_error(-ENOTSUP, "%s: %s needs the control queue, which the device does not offer "
				 "(VIRTIO_NET_F_CTRL_VQ)", d->ixy.name, what);
	if (len > CTRL_MAX_DATA)
		return ixy_error(-EINVAL, "%s: %s: %u bytes of command data, at most %u fit", d->ixy.name, what, len,
				 CTRL_MAX_DATA);
	/* 5.1.6.5: class + command (read by the device), the command's data
	 * (read), one ack byte (written by the device), as a chain of three
	 * descriptors, the layout every legacy device understands. */
	buf[CTRL_OFF_HDR] = cls;
	buf[CTRL_OFF_HDR + 1] = cmd;
	for (uint32_t i = 0; i < len; i++)
		buf[CTRL_OFF_DATA + i] = ((const uint8_t *)data)[i];
	buf[CTRL_OFF_ACK] = 0xff;
	q->desc[0].addr = d->ctrl_buf_phys + CTRL_OFF_HDR;
	q->desc[0].len = 2;
	q->desc[0].flags = VIRTQ_DESC_F_NEXT;
	q->desc[0].next = 1;
	q->desc[1].addr = d->ctrl_buf_phys + CTRL_OFF_DATA;
	q->desc[1].len = len;
	q->desc[1].flags = VIRTQ_DESC_F_NEXT;
	q->desc[1].next = 2;
	q->desc[2].addr = d->ctrl_buf_phys + CTRL_OFF_ACK;
	q->desc[2].len = 1;
	q->desc[2].flags = VIRTQ_DESC_F_WRITE;
	q->desc[2].next = 0;
	q->avail->ring[q->avail_idx & q->mask] = 0;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
	virtio_notify(q);

	/* One command at a time: wait until the device has used the chain. */
	for (uint32_t waited = 0; __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) == q->used_seen;
	     waited += CTRL_POLL_US) {
		if (waited >= CTRL_TIMEOUT_US)
			return ixy_error(-ETIMEDOUT, "%s: %s: the device did not answer on the control queue within "
					 "%u ms (is it still running?)", d->ixy.name, what, CTRL_TIMEOUT_US / 1000);
		usleep(CTRL_POLL_US);
	}
	q->used_seen++;
	uint8_t ack = buf[CTRL_OFF_ACK];
	if (ack != VIRTIO_NET_OK)
		return ixy_error(-EIO, "%s: %s: the device refused the command (ack %u, VIRTIO_NET_ERR = 1)",
				 d->ixy.name, what, ack);
	return 0;
}

/* ---- link ---- */

int virtio_get_link(struct ixy_device *dev, struct ixy_link *link)
{
	struct virtio_dev *d = to_virtio(dev);
	bool up = true;

	/* A device that hit an error it cannot recover from (a descriptor it
	 * could not read or write, e.g. a DMA the IOMMU refused) says so in
	 * its status and stops (2.1.1): report it here, where applications
	 * look once a second, instead of silently receiving nothing. */
	uint32_t status = virtio_read(d, VIRTIO_REG_DEVICE_STATUS, 1);
	int rc = virtio_io_check(d, "reading the device status");
	if (rc) {
		d->io_error = 0;
		return rc;
	}
	if (status == 0xff)
		return ixy_error(-ENODEV, "%s: the device status reads 0xff: the device does not respond (removed, "
				 "or reset behind our back); close the port", dev->name);
	if (status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
		return ixy_error(-EIO, "%s: the device stopped with %s (status 0x%02x): it met a descriptor it "
				 "could not use, e.g. a DMA address the IOMMU refused (see dmesg for DMAR faults); "
				 "close and reopen the port", dev->name,
				 status & VIRTIO_STATUS_NEEDS_RESET ? "DEVICE_NEEDS_RESET" : "FAILED", status);

	/* Without F_STATUS the link is assumed up (5.1.4). */
	if (d->features & VIRTIO_NET_F_STATUS) {
		uint32_t st = virtio_read(d, d->config_base + VIRTIO_NET_CFG_STATUS, 2);
		rc = virtio_io_check(d, "reading the link status");
		if (rc) {
			d->io_error = 0;
			return rc;
		}
		up = st & VIRTIO_NET_S_LINK_UP;
	}
	link->up = up;
	/* The legacy device has no notion of speed; report a nominal 10 Gbit/s
	 * like the other ports of this library so rate displays make sense. */
	link->speed_mbps = up ? 10000 : 0;
	return 0;
}

/* ---- MAC address ---- */

int virtio_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	struct virtio_dev *d = to_virtio(dev);

	if (!(d->features & VIRTIO_NET_F_MAC))
		return ixy_error(-ENOTSUP, "%s: the device has no MAC address of its own (VIRTIO_NET_F_MAC not "
				 "offered)", dev->name);
	/* 5.1.4: mac[6] at the start of the device configuration; byte reads,
	 * as the legacy config space has no alignment guarantees */
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)virtio_read(d, d->config_base + VIRTIO_NET_CFG_MAC + (uint32_t)i, 1);
	int rc = virtio_io_check(d, "reading the MAC address");
	d->io_error = 0;
	return rc;
}

int virtio_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	(void)mac;
	return ixy_error(-ENOTSUP, "%s: setting the MAC address is not supported by the virtio driver (the "
			 "device's address comes from the hypervisor, e.g. QEMU's mac= option)", dev->name);
}

/* ---- filters ---- */

int virtio_set_filter(struct ixy_device *dev, uint32_t what, bool on)
{
	struct virtio_dev *d = to_virtio(dev);
	uint8_t val = on ? 1 : 0;
	int rc;

	switch (what) {
	case IXY_FILTER_PROMISC:
	case IXY_FILTER_ALLMULTI: {
		const char *name = what == IXY_FILTER_PROMISC ? "promiscuous mode" : "all-multicast mode";
		if (!(d->features & VIRTIO_NET_F_CTRL_RX))
			return ixy_error(-ENOTSUP, "%s: %s cannot be changed: the device does not offer "
					 "VIRTIO_NET_F_CTRL_RX", dev->name, name);
		rc = virtio_ctrl_cmd(d, VIRTIO_NET_CTRL_RX,
				     what == IXY_FILTER_PROMISC ? VIRTIO_NET_CTRL_RX_PROMISC : VIRTIO_NET_CTRL_RX_ALLMULTI,
				     &val, 1, name);
		if (rc == 0 && what == IXY_FILTER_PROMISC)
			d->promisc = on;
		else if (rc == 0)
			d->allmulti = on;
		return rc;
	}
	case IXY_FILTER_BROADCAST:
		/* broadcast is received by default; only CTRL_RX_EXTRA can
		 * turn it off (command NOBCAST, 5.1.6.5.1) */
		if (!(d->features & VIRTIO_NET_F_CTRL_RX_EXTRA)) {
			if (on)
				return 0;
			return ixy_error(-ENOTSUP, "%s: broadcast reception cannot be turned off: the device does "
					 "not offer VIRTIO_NET_F_CTRL_RX_EXTRA", dev->name);
		}
		val = on ? 0 : 1;
		return virtio_ctrl_cmd(d, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_NOBCAST, &val, 1, "broadcast filter");
	default:
		return ixy_error(-EINVAL, "%s: unknown filter %u", dev->name, what);
	}
}

/* ---- RSS: a single-queue device has none ---- */

int virtio_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN])
{
	(void)key;
	return ixy_error(-ENOTSUP, "%s: RSS is not supported by the virtio driver (one RX queue, no "
			 "VIRTIO_NET_F_MQ)", dev->name);
}

int virtio_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE])
{
	(void)table;
	return ixy_error(-ENOTSUP, "%s: the RSS redirection table is not supported by the virtio driver (one "
			 "RX queue, no VIRTIO_NET_F_MQ)", dev->name);
}

/* ---- statistics: counted in software by the data path ---- */

/* Adds what the queues counted since the last call to the totals, the
 * way ixgbe adds its clear-on-read registers. Byte totals include 4
 * bytes of CRC per frame like a NIC's (struct ixy_stats); the per-queue
 * byte counts do not. */
int virtio_update_stats(struct ixy_device *dev)
{
	struct virtio_dev *d = to_virtio(dev);
	struct ixy_stats *t = &dev->totals;
	uint64_t rxp = __atomic_load_n(&d->rxq.packets, __ATOMIC_RELAXED);
	uint64_t rxb = __atomic_load_n(&d->rxq.bytes, __ATOMIC_RELAXED);
	uint64_t txp = __atomic_load_n(&d->txq.packets, __ATOMIC_RELAXED);
	uint64_t txb = __atomic_load_n(&d->txq.bytes, __ATOMIC_RELAXED);
	uint64_t drxp = rxp - d->seen_rx_packets, drxb = rxb - d->seen_rx_bytes;
	uint64_t dtxp = txp - d->seen_tx_packets, dtxb = txb - d->seen_tx_bytes;

	t->rx_packets += drxp;
	t->rx_bytes += drxb + 4 * drxp;
	t->tx_packets += dtxp;
	t->tx_bytes += dtxb + 4 * dtxp;
	t->rxq[0].packets += drxp;
	t->rxq[0].bytes += drxb;
	t->txq[0].packets += dtxp;
	t->txq[0].bytes += dtxb;
	d->seen_rx_packets = rxp;
	d->seen_rx_bytes = rxb;
	d->seen_tx_packets = txp;
	d->seen_tx_bytes = txb;
	uint64_t txe = __atomic_load_n(&d->txq.errors, __ATOMIC_RELAXED);
	t->tx_errors += txe - d->seen_tx_errors;
	d->seen_tx_errors = txe;
	return 0;
}
