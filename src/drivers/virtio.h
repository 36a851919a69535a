/* virtio-net driver internals, shared by its files: register accessor
 * and trace (virtio_regs.c), ring layout (virtio_ring.c), bring-up and
 * tear-down (virtio_init.c), the virtio 1.0 PCI transport (virtio_modern.c),
 * data path (virtio_rxtx.c), control queue, link, MAC, filters and
 * statistics (virtio_ctrl.c).
 *
 * Two kinds of device: legacy (1af4:1000, the "transitional" PCI device
 * with an I/O-port BAR0) and modern (1af4:1041, virtio 1.0: the registers
 * in memory BARs found through PCI capabilities, 64-bit features, and with
 * VIRTIO_F_ACCESS_PLATFORM DMA through the IOMMU, which VFIO needs).
 * Section numbers refer to the Virtual I/O Device (VIRTIO) Version 1.0
 * specification. */
#ifndef IXY_SRC_DRIVERS_VIRTIO_H
#define IXY_SRC_DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "ixy/memory.h"

#define VIRTIO_DRIVER_NAME "ixy-virtio"
#define VIRTIO_MODEL "virtio-net (legacy)"
#define VIRTIO_MODEL_MODERN "virtio-net (1.0)"
#define IXY_VIRTIO_VENDOR_ID 0x1af4
#define VIRTIO_NET_LEGACY_ID 0x1000    /* 4.1.2.1: transitional network card */
#define VIRTIO_NET_MODERN_ID 0x1041    /* 4.1.2.1: 0x1040 + device type 1 (network) */

/* ---- virtio 1.0 PCI transport (4.1.4): vendor capabilities ---- */
#define VIRTIO_PCI_CAP_ID 0x09            /* PCI vendor-specific capability */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
/* struct virtio_pci_cap: cap_vndr, cap_next, cap_len, cfg_type, bar,
 * padding[3], le32 offset, le32 length; the notify capability adds le32
 * notify_off_multiplier (4.1.4.4). */
#define VIRTIO_PCI_CAP_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_MULT 16
/* struct virtio_pci_common_cfg (4.1.4.3) */
#define VIRTIO_COMMON_DFSELECT 0x00       /* le32 device_feature_select */
#define VIRTIO_COMMON_DF 0x04             /* le32 device_feature (read-only) */
#define VIRTIO_COMMON_GFSELECT 0x08       /* le32 driver_feature_select */
#define VIRTIO_COMMON_GF 0x0C             /* le32 driver_feature */
#define VIRTIO_COMMON_MSIX 0x10           /* le16 msix_config */
#define VIRTIO_COMMON_NUMQ 0x12           /* le16 num_queues */
#define VIRTIO_COMMON_STATUS 0x14         /* u8 device_status */
#define VIRTIO_COMMON_CFGGEN 0x15         /* u8 config_generation */
#define VIRTIO_COMMON_Q_SELECT 0x16       /* le16 queue_select */
#define VIRTIO_COMMON_Q_SIZE 0x18         /* le16 queue_size */
#define VIRTIO_COMMON_Q_MSIX 0x1A         /* le16 queue_msix_vector */
#define VIRTIO_COMMON_Q_ENABLE 0x1C       /* le16 queue_enable */
#define VIRTIO_COMMON_Q_NOFF 0x1E         /* le16 queue_notify_off */
#define VIRTIO_COMMON_Q_DESC 0x20         /* le64 queue_desc */
#define VIRTIO_COMMON_Q_AVAIL 0x28        /* le64 queue_driver */
#define VIRTIO_COMMON_Q_USED 0x30         /* le64 queue_device */
#define VIRTIO_COMMON_LEN 0x38
#define VIRTIO_MSI_NO_VECTOR 0xffff
/* feature bits 32 and up (6): only the modern interface has them */
#define VIRTIO_F_VERSION_1 (1ull << 32)
#define VIRTIO_F_ACCESS_PLATFORM (1ull << 33)   /* "IOMMU_PLATFORM": DMA through the IOMMU */

/* ---- legacy PCI I/O layout of BAR0 (4.1.4.8) ---- */
#define VIRTIO_REG_DEVICE_FEATURES 0x00   /* 32 bit, read-only */
#define VIRTIO_REG_GUEST_FEATURES 0x04    /* 32 bit */
#define VIRTIO_REG_QUEUE_PFN 0x08         /* 32 bit: ring address >> 12 */
#define VIRTIO_REG_QUEUE_SIZE 0x0C        /* 16 bit, read-only for legacy */
#define VIRTIO_REG_QUEUE_SELECT 0x0E      /* 16 bit */
#define VIRTIO_REG_QUEUE_NOTIFY 0x10      /* 16 bit: queue index */
#define VIRTIO_REG_DEVICE_STATUS 0x12     /* 8 bit */
#define VIRTIO_REG_ISR_STATUS 0x13        /* 8 bit, read clears */
/* The device-specific configuration follows the common header: at 0x14,
 * or at 0x18 when MSI-X is enabled (two vector registers sit in between). */
#define VIRTIO_REG_CONFIG 0x14
#define VIRTIO_REG_CONFIG_MSIX 0x18
#define VIRTIO_PFN_SHIFT 12               /* the queue address is in 4096-byte units */
#define VIRTIO_LEGACY_ALIGN 4096u         /* 2.4.2: used ring alignment of legacy queues */

/* ---- device status bits (2.1) ---- */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08    /* not used by legacy devices */
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* ---- feature bits (5.1.3 network device, 6 reserved) ---- */
#define VIRTIO_NET_F_CSUM (1u << 0)
#define VIRTIO_NET_F_GUEST_CSUM (1u << 1)
#define VIRTIO_NET_F_MAC (1u << 5)
#define VIRTIO_NET_F_GSO (1u << 6)        /* legacy only */
#define VIRTIO_NET_F_MRG_RXBUF (1u << 15)
#define VIRTIO_NET_F_STATUS (1u << 16)
#define VIRTIO_NET_F_CTRL_VQ (1u << 17)
#define VIRTIO_NET_F_CTRL_RX (1u << 18)
#define VIRTIO_NET_F_CTRL_VLAN (1u << 19)
#define VIRTIO_NET_F_CTRL_RX_EXTRA (1u << 20)
#define VIRTIO_NET_F_MQ (1u << 22)
#define VIRTIO_F_NOTIFY_ON_EMPTY (1u << 24)  /* legacy only */
#define VIRTIO_F_ANY_LAYOUT (1u << 27)       /* legacy only: 2.4.4 message framing */
#define VIRTIO_F_RING_INDIRECT_DESC (1u << 28)
#define VIRTIO_F_RING_EVENT_IDX (1u << 29)

/* ---- network device configuration (5.1.4), offsets from the config base ---- */
#define VIRTIO_NET_CFG_MAC 0              /* 6 bytes, valid with F_MAC */
#define VIRTIO_NET_CFG_STATUS 6           /* 16 bit, valid with F_STATUS */
#define VIRTIO_NET_S_LINK_UP 1u

/* ---- queues of a network device without F_MQ (5.1.2) ---- */
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_CTRLQ 2

/* ---- split virtqueues (2.4) ---- */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u             /* device writes (RX buffers) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u     /* 2.4.7: we poll, no interrupts please */
#define VIRTQ_USED_F_NO_NOTIFY 1u         /* 2.4.7: the device asks not to be kicked */
#define VIRTQ_MAX_SIZE 32768u             /* 2.4: queue size is a power of two up to this */

struct virtq_desc {
	uint64_t addr;     /* guest-physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;      /* where the driver puts the next entry (free-running) */
	uint16_t ring[];   /* then used_event (unused: no EVENT_IDX) */
};

struct virtq_used_elem {
	uint32_t id;       /* head descriptor of the chain */
	uint32_t len;      /* bytes the device wrote into it */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* ---- the network header in front of every frame (5.1.6) ----
 * 10 bytes without F_MRG_RXBUF (the num_buffers field only exists with
 * it). All zero on transmit: no checksum offload, no GSO. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};
#define VIRTIO_NET_HDR_LEN 10
/* With VIRTIO_F_VERSION_1 the header always has num_buffers (5.1.6). */
#define VIRTIO_NET_HDR_LEN_MODERN 12
_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_LEN, "legacy virtio_net_hdr is 10 bytes");

/* ---- control queue (5.1.6.5) ---- */
#define VIRTIO_NET_CTRL_RX 0              /* class; needs F_CTRL_RX */
#define VIRTIO_NET_CTRL_RX_PROMISC 0
#define VIRTIO_NET_CTRL_RX_ALLMULTI 1
#define VIRTIO_NET_CTRL_RX_NOBCAST 5      /* needs F_CTRL_RX_EXTRA */
#define VIRTIO_NET_OK 0
#define VIRTIO_NET_ERR 1

/* ---- ring layout (virtio_ring.c; pure functions, unit-tested) ---- */

/* Bytes of a legacy split virtqueue of `size` entries: descriptor table
 * and available ring, padded to 4096, then the used ring, padded to 4096
 * (2.4.2). 0 if size is not a power of two in 1..32768. */
size_t virtio_vring_bytes(uint32_t size);
/* Offset of the used ring from the start of the queue. */
size_t virtio_vring_used_offset(uint32_t size);
/* Place n byte blocks (each a multiple of 4096) one after the other in
 * memory made of page_size pages so that none straddles a page boundary
 * (a hugepage is physically contiguous, two need not be). Stores each
 * block's offset; returns the total bytes, or 0 if a block is larger
 * than a page. */
size_t virtio_layout(const size_t *bytes, int n, size_t page_size, size_t *offsets);
/* The features the driver takes from `offered`: MAC, STATUS, CTRL_VQ,
 * CTRL_RX (only with CTRL_VQ), CTRL_RX_EXTRA (only with CTRL_RX) and
 * ANY_LAYOUT; never MRG_RXBUF, offloads, EVENT_IDX or MQ. */
uint32_t virtio_net_pick_features(uint32_t offered);
/* The same for a modern device's 64 feature bits: the network features
 * above (ANY_LAYOUT is implied by VERSION_1 and not a bit there),
 * VERSION_1 and ACCESS_PLATFORM. */
uint64_t virtio_net_pick_features_modern(uint64_t offered);

/* ---- device state ---- */

/* One virtqueue. RX and TX queues are touched by one thread each (the
 * hot fields first); the control queue only by the control path. */
struct virtio_queue {
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	struct ixy_pkt_buf **bufs;      /* buffer behind each descriptor id */
	uint16_t *free_ids;             /* TX: descriptor ids not in use (a stack) */
	uint32_t num_free;
	uint16_t mask;                  /* size - 1 */
	uint16_t avail_idx;             /* our copy of avail->idx */
	uint16_t used_seen;             /* used->idx up to which we have processed */
	uint16_t index;                 /* virtqueue number: the value written to QUEUE_NOTIFY */
	uint32_t size;
	struct ixy_mempool *pool;       /* RX: where fresh buffers come from */
	struct ixy_pci_dev *pci;        /* for the notify register */
	uint64_t packets, bytes;        /* software counters (written by the queue's thread) */
	uint64_t errors;                /* TX: frames refused (too long), same thread */
	uint32_t max_len;               /* TX: largest frame it sends, without CRC */
	uint64_t phys;                  /* of desc, the queue's start */
	volatile uint16_t *notify_reg;  /* modern: the queue's notify address (NULL: legacy I/O BAR) */
	uint16_t hdr_len;               /* virtio-net header in front of each frame: 10 or 12 */
};

struct virtio_dev {
	struct ixy_device ixy;          /* common part; must be first */
	struct ixy_pci_dev *pci;
	struct ixy_config_resolved cfg;
	uint32_t features;              /* negotiated, bits 0..31 */
	uint32_t features_hi;           /* modern: negotiated bits 32..63 */
	uint32_t config_base;           /* 0x14, or 0x18 with MSI-X on (modern: 0x14, see virtio_regs.c) */
	/* modern: the structures the capabilities point to, in mapped BARs */
	bool modern;
	volatile uint8_t *common, *isr, *devcfg, *notify;
	uint32_t notify_mult;
	uint32_t common_len, devcfg_len, notify_len;
	void *bar_map[6];
	size_t bar_len[6];
	int io_error;                   /* first failed BAR access (sticky), 0 if none */
	bool started;                   /* DRIVER_OK was set: reset at close */
	bool intx;                      /* RX interrupt on INTx (no MSI-X): ISR read + unmask to arm */
	bool promisc, allmulti;
	/* trace */
	bool trace;
	ixy_trace_fn trace_fn;
	void *trace_arg;
	/* queues and the one DMA region that holds them */
	struct virtio_queue rxq, txq, ctrlq;
	struct ixy_dma_region *rings;
	volatile uint8_t *ctrl_buf;     /* control command, data and ack */
	uint64_t ctrl_buf_phys;
	/* counters already added to ixy.totals */
	uint64_t seen_rx_packets, seen_rx_bytes, seen_tx_packets, seen_tx_bytes, seen_tx_errors;
};

static inline struct virtio_dev *to_virtio(struct ixy_device *d)
{
	return (struct virtio_dev *)d;
}

/* ---- the control-path register accessor (virtio_regs.c) ----
 * Every control-path access to BAR0 goes through these (pread/pwrite on
 * resource0), so it can be traced. A failed access is remembered in
 * d->io_error (the first one wins) and reads then return all ones;
 * callers check io_error at the end of a step. The data path writes only
 * QUEUE_NOTIFY, directly. */
uint32_t virtio_read(struct virtio_dev *d, uint32_t off, int width);
void virtio_write(struct virtio_dev *d, uint32_t off, int width, uint32_t val);
/* The sticky error as a return value with a message naming `what`. */
int virtio_io_check(struct virtio_dev *d, const char *what);
/* Name of a BAR0 offset ("DEVICE_STATUS", "CONFIG+6") into buf. */
const char *virtio_reg_name(const struct virtio_dev *d, uint32_t off, char *buf, size_t len);

/* ---- virtio 1.0 PCI transport (virtio_modern.c) ---- */
/* Find the common/notify/ISR/device capabilities and map their BARs. */
int virtio_modern_map(struct virtio_dev *d);
void virtio_modern_unmap(struct virtio_dev *d);
/* Feature negotiation up to FEATURES_OK (3.1.1 steps 4 to 6). */
int virtio_modern_negotiate(struct virtio_dev *d);
/* Queue addresses, notify addresses and queue_enable (4.1.5.1.3). */
int virtio_modern_setup_queues(struct virtio_dev *d);
/* Let queue q raise MSI-X vector `vector` (routed to an eventfd with
 * ixy_pci_irq_set_eventfd; NO_VECTOR: none). Leaves the ring's
 * NO_INTERRUPT flag alone. */
int virtio_modern_queue_vector(struct virtio_dev *d, struct virtio_queue *q, uint16_t vector);
/* The RX interrupt ops (src/device_irq.c): virtio 1.0 devices behind VFIO
 * only; the RX queue on MSI-X vector VIRTIO_RX_VECTOR. */
#define VIRTIO_RX_VECTOR 0
int virtio_rx_irq_enable(struct ixy_device *dev, uint16_t queue, int efd, const struct ixy_irq_config *cfg);
void virtio_rx_irq_disable(struct ixy_device *dev, uint16_t queue);
void virtio_rx_irq_arm(struct ixy_device *dev, uint16_t queue);
void virtio_rx_irq_disarm(struct ixy_device *dev, uint16_t queue);
bool virtio_rx_ready(struct ixy_device *dev, uint16_t queue);

/* Kick the device for queue q unless it asked not to be (2.4.7.2). */
void virtio_notify(struct virtio_queue *q);

/* ---- pieces of the driver ---- */
uint32_t virtio_rx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
uint32_t virtio_tx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
/* Give every RX descriptor a buffer (at open). */
int virtio_rx_fill(struct virtio_dev *d);
/* Return the buffers the device has finished sending; how many. TX does
 * it when the ring runs short or VIRTIO_TX_RECLAIM_BLOCK are done, so at
 * most that many sent buffers wait in a ring that is not full. */
uint32_t virtio_tx_reclaim(struct virtio_queue *q);
#define VIRTIO_TX_RECLAIM_BLOCK 32

int virtio_update_stats(struct ixy_device *dev);                /* virtio_ctrl.c */
int virtio_get_link(struct ixy_device *dev, struct ixy_link *link);
int virtio_get_mac(struct ixy_device *dev, uint8_t mac[6]);
int virtio_set_mac(struct ixy_device *dev, const uint8_t mac[6]);
int virtio_set_filter(struct ixy_device *dev, uint32_t what, bool on);
int virtio_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN]);
int virtio_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE]);
/* Send one command on the control queue and wait for the device's ack. */
int virtio_ctrl_cmd(struct virtio_dev *d, uint8_t cls, uint8_t cmd, const void *data, uint32_t len,
		    const char *what);

#endif
