/* Internal driver interface: what src/device.c needs from a driver, and
 * what the drivers share (drivers/driver.c).
 *
 * struct ixy_device is the common head of every driver's device struct
 * (the driver embeds it as its first member and converts back with
 * container_of-style casts). The public calls in device.c check their
 * arguments and dispatch once per call through ops; the per-packet loops
 * live inside the driver and contain no indirect calls. */
#ifndef IXY_SRC_DRIVERS_DRIVER_H
#define IXY_SRC_DRIVERS_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "ixy/device.h"
#include "ixy/pci.h"

struct ixy_driver_ops {
	/* queue: checked by device.c and widened there once (size_t, the
	 * width of an index), so that the driver does not widen it again */
	uint32_t (*rx_batch)(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
	uint32_t (*tx_batch)(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
	/* Add the hardware counters (which clear on read) to dev->totals. */
	int (*update_stats)(struct ixy_device *dev);
	int (*get_link)(struct ixy_device *dev, struct ixy_link *link);
	int (*get_mac)(struct ixy_device *dev, uint8_t mac[6]);
	int (*set_mac)(struct ixy_device *dev, const uint8_t mac[6]);
	int (*set_filter)(struct ixy_device *dev, uint32_t what, bool on);
	int (*set_rss_key)(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN]);
	int (*set_rss_reta)(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE]);
	struct ixy_mempool *(*rx_mempool)(struct ixy_device *dev, uint16_t queue);
	void (*close)(struct ixy_device *dev);
	/* RX queue interrupts (src/device_irq.c keeps the eventfds and the arm
	 * sequence); NULL in a driver without them. rx_irq_enable routes the
	 * queue's interrupt to efd (sim handler, or the pci layer's MSI-X
	 * eventfd) and programs the device with the interrupt masked;
	 * rx_irq_disable masks and unroutes it. rx_irq_arm drops a stale cause
	 * and unmasks, rx_irq_disarm masks (no read-modify-write: safe beside
	 * other queues' threads). rx_ready: the queue's next descriptor is done. */
	int (*rx_irq_enable)(struct ixy_device *dev, uint16_t queue, int efd, const struct ixy_irq_config *cfg);
	void (*rx_irq_disable)(struct ixy_device *dev, uint16_t queue);
	void (*rx_irq_arm)(struct ixy_device *dev, uint16_t queue);
	void (*rx_irq_disarm)(struct ixy_device *dev, uint16_t queue);
	bool (*rx_ready)(struct ixy_device *dev, uint16_t queue);
	/* IEEE 1588 (ixy/ptp.h); NULL in a driver without hardware timestamps */
	const struct ixy_ptp_ops *ptp;
};

struct ixy_ptp_info;
struct ixy_ptp_ops {
	int (*enable)(struct ixy_device *dev, bool on);
	int (*info)(struct ixy_device *dev, struct ixy_ptp_info *info);
	int (*read_clock)(struct ixy_device *dev, uint64_t *ns);
	int (*write_clock)(struct ixy_device *dev, uint64_t ns);
	int (*adjust_clock)(struct ixy_device *dev, int64_t delta_ns);
	int (*tx_stamp)(struct ixy_device *dev, uint64_t *ns);
	int (*rx_stamp)(struct ixy_device *dev, uint64_t *ns, uint16_t *seq);
};

/* set_filter's `what` */
#define IXY_FILTER_PROMISC 1u
#define IXY_FILTER_ALLMULTI 2u
#define IXY_FILTER_BROADCAST 3u

/* ixy_device.magic of an open device; cleared by ixy_close, so that a
 * second close or a call on a closed device is noticed (where the memory
 * still reads back: it is a use after free in C terms) instead of jumping
 * through whatever the freed memory holds. Not at offset 0: free() reuses
 * a chunk's first 16 bytes for its own lists. */
#define IXY_DEVICE_MAGIC 0x49585944u   /* "IXYD" */

struct ixy_device {
	const struct ixy_driver_ops *ops;
	const char *driver_name;
	const char *model;             /* human-readable NIC name */
	uint32_t magic;                /* IXY_DEVICE_MAGIC while open (set by device.c) */
	char name[64];
	uint16_t device_id;
	uint16_t num_rx_queues;
	uint16_t num_tx_queues;
	struct ixy_sim *sim;           /* virtual port, or NULL */
	struct ixy_pci_dev *pci;       /* the PCI device, or NULL (sim ports): ixy_pci_check */
	bool owns_sim;                 /* created from a "sim:" address: destroy at close */
	bool sim_stepped;              /* the port only moves when ixy_sim_step is called */
	uint8_t rss_key[IXY_RSS_KEY_LEN];
	uint8_t rss_reta[IXY_RSS_RETA_SIZE];
	struct ixy_stats totals;       /* accumulated counters */
	struct ixy_rx_irq *rx_irq;     /* per RX queue interrupt state, NULL until enabled */
	const volatile sig_atomic_t *cancel;  /* ixy_config.cancel: ends the link wait */
};

/* Disable every queue's interrupt and close its eventfd (ixy_close, before
 * the driver's close; src/device_irq.c). */
void ixy_irq_close(struct ixy_device *dev);

/* The configuration with defaults filled in and every field validated;
 * drivers only ever see this form. */
struct ixy_config_resolved {
	struct ixy_config c;
	int numa_node;                 /* -1 = no placement, IXY_NUMA_RESOLVE_DEVICE, else the node */
	bool trace;                    /* c.trace_fn is set (stderr by default) */
};
#define IXY_NUMA_RESOLVE_DEVICE (-2)   /* the driver asks the device */
int ixy_config_resolve(const char *devname, const struct ixy_config *in, struct ixy_config_resolved *out);

/* Take a PCI device from its kernel driver for a userspace driver: unbind
 * (or refuse, per cfg: no_unbind, force, an interface that is up) and enable
 * bus mastering. 0 or a negative errno with the message set. */
int ixy_take_pci_device(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg);

/* Poll the link until it is up or timeout_ms passed (a stepped sim port is
 * stepped meanwhile); -ETIMEDOUT with a message on timeout. The body of the
 * public ixy_wait_link. */
int ixy_driver_wait_link(struct ixy_device *dev, uint32_t timeout_ms);

/* The last step of opening: wait for link up to cfg->link_timeout_ms (a
 * stepped sim port is stepped meanwhile). A timeout is fine with
 * link_optional; otherwise -ETIMEDOUT with `hint` (what to check) in the
 * message. */
int ixy_open_wait_link(struct ixy_device *dev, const struct ixy_config *c, const char *hint);
/* The same, with the hint written only when the wait timed out, so it can
 * say what the device shows at that moment. */
typedef void (*ixy_link_hint_fn)(struct ixy_device *dev, char *buf, size_t len);
int ixy_open_wait_link_fn(struct ixy_device *dev, const struct ixy_config *c, ixy_link_hint_fn hint);

/* Close a half-opened device after `err`, keeping the failure's message
 * (not one from the clean-up); returns NULL for the open call to return. */
struct ixy_device *ixy_close_after_failure(struct ixy_device *dev, int err);

/* Drivers' entry points (device.c dispatches by id). */
struct ixy_device *ixgbe_open_pci(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg);
struct ixy_device *ixgbe_open_sim(struct ixy_sim *sim, bool owns_sim, const struct ixy_config_resolved *cfg);
/* The model name if the ixgbe driver supports this device id, else NULL. */
const char *ixgbe_supported(uint16_t vendor_id, uint16_t device_id);
/* For an ixgbe-family id libixy knows but refuses: why, else NULL. */
const char *ixgbe_refused(uint16_t vendor_id, uint16_t device_id);
/* Legacy virtio-net (1af4:1000, src/drivers/virtio*.c). */
struct ixy_device *virtio_open_pci(struct ixy_pci_dev *pci, const struct ixy_config_resolved *cfg);
const char *virtio_supported(uint16_t vendor_id, uint16_t device_id);

#define IXY_INTEL_VENDOR_ID 0x8086

#endif
