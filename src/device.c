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
	return ixgbe_open_sim(sim, owns, &rc);
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
		return virtio_open_pci(pci, &rc);
	if (!ixgbe_supported(info->vendor_id, info->device_id)) {
		ixy_error(-ENODEV, "%s: unsupported device %04x:%04x (vendor:device): libixy drives Intel "
			  "82599, X540 and X550 (ixgbe) controllers and legacy virtio-net (1af4:1000)",
			  ixy_pci_name(pci), info->vendor_id, info->device_id);
		ixy_pci_close(pci);
		return NULL;
	}
	return ixgbe_open_pci(pci, &rc);
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
	ixy_irq_close(dev);
	dev->ops->close(dev);
}

/* ---- data path ---- */

uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(queue >= dev->num_rx_queues, 0))
	{
		ixy_error(-EINVAL, "%s: RX queue %u does not exist (%u configured)", dev->name, queue,
			  dev->num_rx_queues);
		return 0;
	}
	return dev->ops->rx_batch(dev, queue, bufs, n);
}

uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(queue >= dev->num_tx_queues, 0))
	{
		ixy_error(-EINVAL, "%s: TX queue %u does not exist (%u configured)", dev->name, queue,
			  dev->num_tx_queues);
		return 0;
	}
	return dev->ops->tx_batch(dev, queue, bufs, n);
}

void ixy_tx_batch_busy_wait(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (queue >= dev->num_tx_queues)
		return;
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
	if (!dev || queue >= dev->num_rx_queues)
		return ixy_error_null(-EINVAL, "%s: RX queue %u does not exist", dev ? dev->name : "?", queue);
	return dev->ops->rx_mempool(dev, queue);
}

/* ---- identity ---- */

const char *ixy_device_name(const struct ixy_device *dev) { return dev->name; }
const char *ixy_driver_name(const struct ixy_device *dev) { return dev->driver_name; }
const char *ixy_device_model(const struct ixy_device *dev) { return dev->model; }
uint16_t ixy_device_id(const struct ixy_device *dev) { return dev->device_id; }
uint16_t ixy_num_rx_queues(const struct ixy_device *dev) { return dev->num_rx_queues; }
uint16_t ixy_num_tx_queues(const struct ixy_device *dev) { return dev->num_tx_queues; }
struct ixy_sim *ixy_device_sim(const struct ixy_device *dev) { return dev->sim; }

/* ---- link ---- */

int ixy_get_link(struct ixy_device *dev, struct ixy_link *link)
{
	return dev->ops->get_link(dev, link);
}

uint32_t ixy_get_link_speed(struct ixy_device *dev)
{
	struct ixy_link link;
	return dev->ops->get_link(dev, &link) == 0 ? link.speed_mbps : 0;
}

int ixy_wait_link(struct ixy_device *dev, uint32_t timeout_ms)
{
	return ixy_driver_wait_link(dev, timeout_ms);
}

/* ---- addresses, filters, RSS ---- */

int ixy_get_mac(struct ixy_device *dev, uint8_t mac[6]) { return dev->ops->get_mac(dev, mac); }
int ixy_set_mac(struct ixy_device *dev, const uint8_t mac[6]) { return dev->ops->set_mac(dev, mac); }
int ixy_set_promisc(struct ixy_device *dev, bool on) { return dev->ops->set_filter(dev, IXY_FILTER_PROMISC, on); }
int ixy_set_allmulti(struct ixy_device *dev, bool on) { return dev->ops->set_filter(dev, IXY_FILTER_ALLMULTI, on); }
int ixy_set_broadcast(struct ixy_device *dev, bool on) { return dev->ops->set_filter(dev, IXY_FILTER_BROADCAST, on); }

int ixy_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN])
{
	return dev->ops->set_rss_key(dev, key);
}

int ixy_get_rss_key(struct ixy_device *dev, uint8_t key[IXY_RSS_KEY_LEN])
{
	memcpy(key, dev->rss_key, IXY_RSS_KEY_LEN);
	return 0;
}

int ixy_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE])
{
	return dev->ops->set_rss_reta(dev, table);
}

int ixy_get_rss_reta(struct ixy_device *dev, uint8_t table[IXY_RSS_RETA_SIZE])
{
	memcpy(table, dev->rss_reta, IXY_RSS_RETA_SIZE);
	return 0;
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
	int rc = dev->ops->update_stats(dev);
	if (rc)
		return rc;
	dev->totals.timestamp_ns = monotonic_ns();
	if (stats)
		*stats = dev->totals;
	return 0;
}

int ixy_reset_stats(struct ixy_device *dev)
{
	int rc = dev->ops->update_stats(dev);  /* clears the hardware counters */
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
	struct ixy_rates r = ixy_stats_rates(now, prev);
	fprintf(f, "[%s] RX: %.2f Mpps, %.0f Mbit/s | TX: %.2f Mpps, %.0f Mbit/s", name, r.rx_mpps, r.rx_mbit,
		r.tx_mpps, r.tx_mbit);
	uint64_t drops = (now->rx_dropped - prev->rx_dropped) + (now->rx_missed - prev->rx_missed);
	if (drops)
		fprintf(f, " | RX drops: %llu", (unsigned long long)drops);
	fputc('\n', f);
}
