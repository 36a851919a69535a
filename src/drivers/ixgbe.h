/* ixgbe driver internals shared by its files (init, rx/tx, link, stats,
 * RSS, trace). */
#ifndef IXY_SRC_DRIVERS_IXGBE_H
#define IXY_SRC_DRIVERS_IXGBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/driver.h"
#include "drivers/ixgbe_regs.h"
#include "ixy/memory.h"
#include "ixy/sim.h"

#define IXGBE_DRIVER_NAME "ixy-ixgbe"

enum ixgbe_mac {
	IXGBE_MAC_82599,
	IXGBE_MAC_X540,
	IXGBE_MAC_X550,
	IXGBE_MAC_X550EM_X,
	IXGBE_MAC_X550EM_A,
};

/* How the link is brought up (4.6.4). */
enum ixgbe_media {
	IXGBE_MEDIA_SFP,        /* 82599 SFI: AUTOC.LMS = 10G serial, AUTOC2 = SFI */
	IXGBE_MEDIA_BACKPLANE,  /* 82599 KR/KX4/KX/CX4/XAUI: keep the EEPROM's AUTOC, restart AN */
	IXGBE_MEDIA_COPPER,     /* X540/X550 10GBASE-T: the internal PHY negotiates by itself */
	IXGBE_MEDIA_FIRMWARE,   /* X550EM: link managed by firmware/EEPROM defaults */
};

struct ixgbe_id {
	uint16_t device_id;
	enum ixgbe_mac mac;
	enum ixgbe_media media;
	const char *model;
};
const struct ixgbe_id *ixgbe_lookup(uint16_t device_id);

/* Per-queue state. The hot-path fields come first (one cache line). */
struct ixgbe_rx_queue {
	volatile union ixgbe_rx_desc *ring;
	volatile uint32_t *tail;        /* RDT in BAR0 (or the sim's BAR0 image) */
	struct ixy_pkt_buf **bufs;      /* buffer behind each descriptor */
	struct ixy_mempool *pool;
	uint16_t mask;                  /* ring size - 1 */
	uint16_t next;                  /* next descriptor to look at */
	uint16_t ol_mask;               /* IXY_PKT_RX_* flags we report */
	uint16_t id;
	uint32_t size;
	/* status bits to drop from a UDP frame flagged TCPE: L4CS|TCPE on
	 * the 82599 (zero-checksum erratum, see ixgbe_rxtx.c), else 0 */
	uint32_t udp_tcpe_ignore;
	uint64_t ring_phys;
};

struct ixgbe_tx_queue {
	volatile union ixgbe_tx_desc *ring;
	volatile uint32_t *tail;        /* TDT */
	struct ixy_pkt_buf **bufs;
	uint16_t mask;
	uint16_t next;                  /* next descriptor to fill */
	uint16_t clean;                 /* oldest descriptor not yet reclaimed */
	uint16_t id;
	uint32_t size;
	uint64_t ring_phys;
};

struct ixgbe_dev {
	struct ixy_device ixy;          /* common part; must be first */
	const struct ixgbe_id *id;
	volatile uint8_t *bar0;
	size_t bar0_len;
	struct ixy_pci_dev *pci;
	struct ixy_sim *sim;            /* registers go through the model */
	bool gone;                      /* a register read returned all ones */
	bool promisc, allmulti;         /* FCTRL.UPE = promisc, MPE = promisc || allmulti */
	/* trace */
	bool trace;
	ixy_trace_fn trace_fn;
	void *trace_arg;
	/* config */
	struct ixy_config_resolved cfg;
	/* queues */
	struct ixgbe_rx_queue *rxq;
	struct ixgbe_tx_queue *txq;
	struct ixy_dma_region *rings;   /* all descriptor rings of the device */
	/* interrupts (ixgbe_irq.c) */
	bool msix_ready;                /* GPIE/EIAC/EIAM programmed for MSI-X */
	bool sim_irq_handler;           /* our handler is registered with the sim port */
	int irq_fd[IXGBE_MSIX_VECTORS]; /* sim ports: eventfd of each vector, -1 = none */
	/* IEEE 1588 (ixgbe_ptp.c) */
	bool ptp_on;
	uint8_t ptp_shift;              /* ns = SYSTIM >> ptp_shift */
	uint32_t ptp_link_mbps;         /* the speed TIMINCA was set for */
};

static inline struct ixgbe_dev *to_ixgbe(struct ixy_device *d)
{
	return (struct ixgbe_dev *)d;
}

/* ---- the control-path register accessor (ixgbe_regs.c) ----
 * Every control-path access goes through these, so it can be traced and,
 * for a sim port, served by the model with exact side effects. */
uint32_t ixgbe_read(struct ixgbe_dev *d, uint32_t reg);
void ixgbe_write(struct ixgbe_dev *d, uint32_t reg, uint32_t val);
void ixgbe_set_bits(struct ixgbe_dev *d, uint32_t reg, uint32_t bits);
void ixgbe_clear_bits(struct ixgbe_dev *d, uint32_t reg, uint32_t bits);
/* Poll reg until (reg & mask) == want, for at most timeout_us. A stepped
 * sim port is stepped while waiting. Returns 0, -ETIMEDOUT or -ENODEV
 * (device gone), with a message naming `what`. */
int ixgbe_wait(struct ixgbe_dev *d, uint32_t reg, uint32_t mask, uint32_t want, uint32_t timeout_us,
	       const char *what);
/* Let time pass: sleeps, and steps a stepped sim port. */
void ixgbe_delay_us(struct ixgbe_dev *d, uint32_t us);
/* Name of a register ("RDBAL[3]") into buf; returns buf. */
const char *ixgbe_reg_name(uint32_t reg, char *buf, size_t len);
/* Emit one trace record (ixgbe_trace.c). */
void ixgbe_trace(struct ixgbe_dev *d, bool write, uint32_t reg, uint32_t val);
/* Default trace sink: one line on stderr. */

/* ---- pieces of the driver ---- */
int ixgbe_reset_and_init(struct ixgbe_dev *d);                  /* ixgbe_init.c */
void ixgbe_stop(struct ixgbe_dev *d);
int ixgbe_link_setup(struct ixgbe_dev *d);                      /* ixgbe_link.c */
int ixgbe_get_link(struct ixy_device *dev, struct ixy_link *link);
int ixgbe_rss_setup(struct ixgbe_dev *d);                       /* ixgbe_rss.c */
int ixgbe_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN]);
int ixgbe_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE]);
int ixgbe_update_stats(struct ixy_device *dev);                 /* ixgbe_stats.c */
void ixgbe_stats_map_queues(struct ixgbe_dev *d);
uint32_t ixgbe_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
uint32_t ixgbe_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
int ixgbe_get_mac(struct ixy_device *dev, uint8_t mac[6]);      /* ixgbe_mac.c */
int ixgbe_set_mac(struct ixy_device *dev, const uint8_t mac[6]);
int ixgbe_set_filter(struct ixy_device *dev, uint32_t what, bool on);
int ixgbe_rx_irq_enable(struct ixy_device *dev, uint16_t queue, int efd,  /* ixgbe_irq.c */
			const struct ixy_irq_config *cfg);
void ixgbe_rx_irq_disable(struct ixy_device *dev, uint16_t queue);
void ixgbe_rx_irq_arm(struct ixy_device *dev, uint16_t queue);
void ixgbe_rx_irq_disarm(struct ixy_device *dev, uint16_t queue);
bool ixgbe_rx_ready(struct ixy_device *dev, uint16_t queue);
void ixgbe_irq_shutdown(struct ixgbe_dev *d);   /* mask all, unregister the sim handler */
extern const struct ixy_ptp_ops ixgbe_ptp_ops;  /* ixgbe_ptp.c */

#endif
