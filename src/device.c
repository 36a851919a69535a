/* The public device API: opening by address (PCI id dispatch or "sim:"),
 * argument checks, and the calls every driver answers through its ops
 * (statistics totals, rates, link). The data-path calls dispatch once per
 * batch. What drivers share among themselves is in drivers/driver.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/driver.h"
#include "error.h"
#include "ixy/device.h"
#include "ixy/pci.h"
#include "ixy/sim.h"
#include "model/sim_core.h"

#define SIM_PREFIX "sim:"

/* A device handed to the application is marked open (see IXY_DEVICE_MAGIC). */
static struct ixy_device *opened(struct ixy_device *dev)
{
	if (dev)
		dev->magic = IXY_DEVICE_MAGIC;
	return dev;
}

/* The argument checks of the control-path calls: 0, or a negative errno
 * with a message naming the call. A device that is not open (closed, or
 * never returned by ixy_open) is -EBADF. */
static int check_dev(const struct ixy_device *dev, const char *fn)
{
	if (!dev)
		return ixy_error(-EINVAL, "%s: no device given (NULL)", fn);
	if (dev->magic != IXY_DEVICE_MAGIC)
		return ixy_error(-EBADF, "%s: %p is not an open device (closed already?)", fn, (const void *)dev);
	return 0;
}

static int check_arg(const struct ixy_device *dev, const void *arg, const char *what, const char *fn)
{
	int rc = check_dev(dev, fn);
	if (!rc && !arg)
		rc = ixy_error(-EINVAL, "%s: %s: %s is NULL", fn, dev->name, what);
	return rc;
}


static struct ixy_device *open_sim(struct ixy_sim *sim, bool owns, const struct ixy_config *cfg)
{
	struct ixy_config_resolved rc;
	char name[80];

	snprintf(name, sizeof(name), "sim:%s", ixy_sim_name(sim));
	if (ixy_config_resolve(name, cfg, &rc)) {
		if (owns)
			ixy_sim_destroy(sim);
		return NULL;
	}
	return opened(ixgbe_open_sim(sim, owns, &rc));
}


struct ixy_device *ixy_open(const char *addr, const struct ixy_config *cfg)
{
	struct ixy_config_resolved rc;

	if (!addr || !*addr)
		return ixy_error_null(-EINVAL, "ixy_open: no device address given (expected DDDD:BB:DD.F or sim:NAME)");
	if (strncmp(addr, SIM_PREFIX, strlen(SIM_PREFIX)) == 0) {
		struct ixy_sim *sim = ixy_sim_open_spec(addr + strlen(SIM_PREFIX));
		if (!sim) {
			ixy_error_prefix("%s", addr);
			return NULL;
		}
		/* "sim:a,wire=pair:b" before b exists: the link wait below
		 * could only end in a timeout blaming the cable. */
		const char *peer = sim_pending_peer(sim);
		if (peer && !(cfg && cfg->link_optional)) {
			ixy_error(-EINVAL, "sim %s: its pair peer %s does not exist in this process, so its link cannot "
				  "come up while ixy_open waits for it: create %s first (ixy_sim_open_spec), or open "
				  "this port with link_optional and %s next", ixy_sim_name(sim), peer, peer, peer);
			ixy_sim_destroy(sim);
			return NULL;
		}
		return open_sim(sim, true, cfg);
	}
	if (ixy_config_resolve(addr, cfg, &rc))
		return NULL;
	/* IXY_SYSFS_ROOT lets tests run unchanged apps against a fake tree. */
	const char *root = rc.c.sysfs_root ? rc.c.sysfs_root : getenv("IXY_SYSFS_ROOT");
	struct ixy_pci_dev *pci = ixy_pci_open(addr, root);
	if (!pci)
		return NULL;  /* the pci layer's message names the address and file */
	const struct ixy_pci_info *info = ixy_pci_get_info(pci);
	if (virtio_supported(info->vendor_id, info->device_id))
		return opened(virtio_open_pci(pci, &rc));
	const char *refused = ixgbe_refused(info->vendor_id, info->device_id);
	if (refused) {
		ixy_error(-ENODEV, "%s: device %04x:%04x is not supported: %s; see docs/driver.md",
			  ixy_pci_name(pci), info->vendor_id, info->device_id, refused);
		ixy_pci_close(pci);
		return NULL;
	}
	if (!ixgbe_supported(info->vendor_id, info->device_id)) {
		ixy_error(-ENODEV, "%s: unsupported device %04x:%04x (vendor:device): libixy drives Intel "
			  "82599, X540 and X550 (ixgbe) controllers and virtio-net (1af4:1000 legacy, 1af4:1041 virtio 1.0)",
			  ixy_pci_name(pci), info->vendor_id, info->device_id);
		ixy_pci_close(pci);
		return NULL;
	}
	return opened(ixgbe_open_pci(pci, &rc));
}

struct ixy_device *ixy_open_sim(struct ixy_sim *sim, const struct ixy_config *cfg)
{
	if (!sim)
		return ixy_error_null(-EINVAL, "ixy_open_sim: no virtual port given");
	return open_sim(sim, false, cfg);
}

void ixy_close(struct ixy_device *dev)
{
	if (!dev)
		return;
	if (dev->magic != IXY_DEVICE_MAGIC) {
		/* closed twice (undefined in C terms: the memory was freed),
		 * or not a device: refuse rather than jump through it */
		ixy_error(-EBADF, "ixy_close: %p is not an open device (closed twice?); nothing done",
			  (const void *)dev);
		return;
	}
	dev->magic = 0;
	ixy_irq_close(dev);
	dev->ops->close(dev);
}

/* ---- data path ---- */

/* The batch calls check the device pointer, the queue number and the
 * array pointer once per batch; the buffers themselves are preconditions
 * (ixy/device.h). The closed-device check (magic) stays on the control
 * path: it would cost a load per batch. */
__attribute__((cold, noinline)) static uint32_t bad_batch(const struct ixy_device *dev, uint16_t queue,
							   struct ixy_pkt_buf **bufs, const char *fn, bool rx)
{
	if (!dev)
		ixy_error(-EINVAL, "%s: no device given (NULL)", fn);
	else if (!bufs)
		ixy_error(-EINVAL, "%s: %s: bufs is NULL", fn, dev->name);
	else
		ixy_error(-EINVAL, "%s: %s queue %u does not exist (%u configured)", dev->name, rx ? "RX" : "TX",
			  queue, rx ? dev->num_rx_queues : dev->num_tx_queues);
	return 0;
}

uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(!dev || !bufs || queue >= dev->num_rx_queues, 0))
		return bad_batch(dev, queue, bufs, "ixy_rx_batch", true);
	return dev->ops->rx_batch(dev, queue, bufs, n);
}

uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(!dev || !bufs || queue >= dev->num_tx_queues, 0))
		return bad_batch(dev, queue, bufs, "ixy_tx_batch", false);
	return dev->ops->tx_batch(dev, queue, bufs, n);
}

void ixy_tx_batch_busy_wait(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (!dev || !bufs || queue >= dev->num_tx_queues) {
		bad_batch(dev, queue, bufs, "ixy_tx_batch_busy_wait", false);
		return;
	}
	uint32_t sent = 0;
	for (;;) {
		sent += dev->ops->tx_batch(dev, queue, bufs + sent, n - sent);
		if (sent >= n)
			break;
		/* the ring is full: a stepped model must run to drain it */
		if (dev->sim_stepped)
			ixy_sim_step(dev->sim);
	}
}

struct ixy_mempool *ixy_rx_mempool(struct ixy_device *dev, uint16_t queue)
{
	if (check_dev(dev, "ixy_rx_mempool"))
		return NULL;
	if (queue >= dev->num_rx_queues)
		return ixy_error_null(-EINVAL, "%s: RX queue %u does not exist", dev->name, queue);
	return dev->ops->rx_mempool(dev, queue);
}

/* ---- identity: NULL / 0 with a message for a device that is not open ---- */

const char *ixy_device_name(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_device_name") ? NULL : dev->name;
}
const char *ixy_driver_name(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_driver_name") ? NULL : dev->driver_name;
}
const char *ixy_device_model(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_device_model") ? NULL : dev->model;
}
uint16_t ixy_device_id(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_device_id") ? 0 : dev->device_id;
}
uint16_t ixy_num_rx_queues(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_num_rx_queues") ? 0 : dev->num_rx_queues;
}
uint16_t ixy_num_tx_queues(const struct ixy_device *dev)
{
	return check_dev(dev, "ixy_num_tx_queues") ? 0 : dev->num_tx_queues;
}
struct ixy_sim *ixy_device_sim(const struct ixy_device *dev)
{
	if (!dev)
		return ixy_error_null(-EINVAL, "ixy_device_sim: no device given (NULL)");
	return dev->magic == IXY_DEVICE_MAGIC ? dev->sim : NULL;  /* NULL for hardware: not an error */
}

/* ---- link ---- */

int ixy_get_link(struct ixy_device *dev, struct ixy_link *link)
{
	int rc = check_arg(dev, link, "link", "ixy_get_link");
	if (!rc && dev->pci)
		rc = ixy_pci_check(dev->pci);  /* given back, removed, a refused DMA */
	return rc ? rc : dev->ops->get_link(dev, link);
}

uint32_t ixy_get_link_speed(struct ixy_device *dev)
{
	struct ixy_link link;
	return ixy_get_link(dev, &link) == 0 ? link.speed_mbps : 0;
}

int ixy_wait_link(struct ixy_device *dev, uint32_t timeout_ms)
{
	int rc = check_dev(dev, "ixy_wait_link");
	return rc ? rc : ixy_driver_wait_link(dev, timeout_ms);
}

/* ---- addresses, filters, RSS ---- */

int ixy_get_mac(struct ixy_device *dev, uint8_t mac[6])
{
	int rc = check_arg(dev, mac, "mac", "ixy_get_mac");
	return rc ? rc : dev->ops->get_mac(dev, mac);
}

int ixy_set_mac(struct ixy_device *dev, const uint8_t mac[6])
{
	int rc = check_arg(dev, mac, "mac", "ixy_set_mac");
	return rc ? rc : dev->ops->set_mac(dev, mac);
}

static int set_filter(struct ixy_device *dev, uint32_t what, bool on, const char *fn)
{
	int rc = check_dev(dev, fn);
	return rc ? rc : dev->ops->set_filter(dev, what, on);
}

int ixy_set_promisc(struct ixy_device *dev, bool on) { return set_filter(dev, IXY_FILTER_PROMISC, on, "ixy_set_promisc"); }
int ixy_set_allmulti(struct ixy_device *dev, bool on) { return set_filter(dev, IXY_FILTER_ALLMULTI, on, "ixy_set_allmulti"); }
int ixy_set_broadcast(struct ixy_device *dev, bool on) { return set_filter(dev, IXY_FILTER_BROADCAST, on, "ixy_set_broadcast"); }

int ixy_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN])
{
	int rc = check_arg(dev, key, "key", "ixy_set_rss_key");
	return rc ? rc : dev->ops->set_rss_key(dev, key);
}

int ixy_get_rss_key(struct ixy_device *dev, uint8_t key[IXY_RSS_KEY_LEN])
{
	int rc = check_arg(dev, key, "key", "ixy_get_rss_key");
	if (!rc)
		memcpy(key, dev->rss_key, IXY_RSS_KEY_LEN);
	return rc;
}

int ixy_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE])
{
	int rc = check_arg(dev, table, "table", "ixy_set_rss_reta");
	return rc ? rc : dev->ops->set_rss_reta(dev, table);
}

int ixy_get_rss_reta(struct ixy_device *dev, uint8_t table[IXY_RSS_RETA_SIZE])
{
	int rc = check_arg(dev, table, "table", "ixy_get_rss_reta");
	if (!rc)
		memcpy(table, dev->rss_reta, IXY_RSS_RETA_SIZE);
	return rc;
}

/* ---- statistics ---- */

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats)
{
	int rc = check_dev(dev, "ixy_read_stats");
	if (rc)
		return rc;
	/* the periodic call of every app: where a device the kernel wants
	 * back, a removed one or a refused DMA is noticed (pci_vfio.c) */
	if (dev->pci && (rc = ixy_pci_check(dev->pci)))
		return rc;
	rc = dev->ops->update_stats(dev);
	if (rc)
		return rc;
	dev->totals.timestamp_ns = monotonic_ns();
	if (stats)
		*stats = dev->totals;
	return 0;
}

int ixy_reset_stats(struct ixy_device *dev)
{
	int rc = check_dev(dev, "ixy_reset_stats");
	if (rc)
		return rc;
	rc = dev->ops->update_stats(dev);  /* clears the hardware counters */
	memset(&dev->totals, 0, sizeof(dev->totals));
	return rc;
}

/* Preamble + start-of-frame delimiter (8 bytes) and the minimum
 * inter-frame gap (12 bytes) occupy the wire around every frame; the
 * byte counters already include the CRC. */
#define WIRE_OVERHEAD 20

struct ixy_rates ixy_stats_rates(const struct ixy_stats *now, const struct ixy_stats *prev)
{
	struct ixy_rates r = { 0 };
	if (!now || !prev) {
		ixy_error(-EINVAL, "ixy_stats_rates: %s is NULL", now ? "prev" : "now");
		return r;
	}
	r.seconds = (double)(now->timestamp_ns - prev->timestamp_ns) / 1e9;
	if (r.seconds <= 0)
		return r;
	double rxp = (double)(now->rx_packets - prev->rx_packets), txp = (double)(now->tx_packets - prev->tx_packets);
	double rxb = (double)(now->rx_bytes - prev->rx_bytes), txb = (double)(now->tx_bytes - prev->tx_bytes);
	r.rx_mpps = rxp / r.seconds / 1e6;
	r.tx_mpps = txp / r.seconds / 1e6;
	r.rx_mbit = (rxb + rxp * WIRE_OVERHEAD) * 8 / r.seconds / 1e6;
	r.tx_mbit = (txb + txp * WIRE_OVERHEAD) * 8 / r.seconds / 1e6;
	return r;
}

void ixy_print_stats_diff(FILE *f, const char *name, const struct ixy_stats *now, const struct ixy_stats *prev)
{
	if (!f || !now || !prev) {
		ixy_error(-EINVAL, "ixy_print_stats_diff: %s is NULL", !f ? "f" : !now ? "now" : "prev");
		return;
	}
	struct ixy_rates r = ixy_stats_rates(now, prev);
	if (!name)
		name = "?";
	fprintf(f, "[%s] RX: %.2f Mpps, %.0f Mbit/s | TX: %.2f Mpps, %.0f Mbit/s", name, r.rx_mpps, r.rx_mbit,
		r.tx_mpps, r.tx_mbit);
	uint64_t drops = (now->rx_dropped - prev->rx_dropped) + (now->rx_missed - prev->rx_missed);
	if (drops)
		fprintf(f, " | RX drops: %llu", (unsigned long long)drops);
	fputc('\n', f);
}
