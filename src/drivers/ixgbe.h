/* ixgbe driver internals shared by its files (init, rx/tx, link, stats,
 * RSS, trace). */
#ifndef IXY_SRC_DRIVERS_IXGBE_H
#define IXY_SRC_DRIVERS_IXGBE_H

#include <pthread.h>
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
	IXGBE_MAC_X550,         /* X550-T1/T2; the X550EM SoC MACs are not taken (ixgbe_ids.c) */
};

/* How the link is brought up (4.6.4). */
enum ixgbe_media {
	IXGBE_MEDIA_SFP,        /* 82599 SFI: AUTOC.LMS = 10G serial, AUTOC2 = SFI */
	IXGBE_MEDIA_BACKPLANE,  /* 82599 KR/KX4/KX/CX4/XAUI: keep the EEPROM's AUTOC, restart AN */
	IXGBE_MEDIA_COPPER,     /* X540/X550 10GBASE-T: internal PHY over MDIO (ixgbe_phy.c) */
};

struct ixgbe_id {
	uint16_t device_id;
	enum ixgbe_mac mac;
	enum ixgbe_media media;
	const char *model;
};
const struct ixgbe_id *ixgbe_lookup(uint16_t device_id);
/* For an Intel id this driver knows but does not take: why (else NULL). */
const char *ixgbe_refusal(uint16_t device_id);

/* What the SFP+ cage holds, from the module's SFF-8472 EEPROM (ixgbe_sfp.c). */
enum ixgbe_sfp_kind {
	IXGBE_SFP_NONE = 0,     /* not identified (no cage, or nothing read yet) */
	IXGBE_SFP_DA_PASSIVE,   /* 10G direct attach copper, passive */
	IXGBE_SFP_DA_ACTIVE,    /* 10G direct attach, active with limiting electronics */
	IXGBE_SFP_SR,           /* 10GBASE-SR optics (maybe dual rate with 1000BASE-SX) */
	IXGBE_SFP_LR,           /* 10GBASE-LR optics (maybe dual rate with 1000BASE-LX) */
	IXGBE_SFP_1G_SX,        /* 1000BASE-SX only */
	IXGBE_SFP_1G_LX,        /* 1000BASE-LX only */
	IXGBE_SFP_1G_CU,        /* 1000BASE-T module */
};

struct ixgbe_sfp {
	enum ixgbe_sfp_kind kind;
	uint16_t init_id;       /* key of its sequence in the EEPROM init table */
	bool dual_rate;         /* 1G + 10G optics: SDP5 selects the rate */
	uint32_t speed_mbps;    /* the speed the link is set up for */
	uint8_t identifier, comp_10g, comp_1g, cable_tech, cable_spec;
	uint32_t oui;           /* vendor IEEE OUI, bytes 37-39 */
	char vendor[17];        /* bytes 20-35, trailing blanks removed */
	char part[17];          /* bytes 40-55 */
};

/* RX queue's bufs[] entries past the ring's end, always NULL: the RX loops
 * prefetch the metadata of the buffers up to eight slots ahead without
 * wrapping around (ixgbe_rx.c); a prefetch of NULL does nothing */
#define IXGBE_RX_BUFS_PAD 8

/* Per-queue state. The hot-path fields come first (one cache line). Each
 * queue's state starts a cache line of its own (the arrays are allocated
 * aligned): with one thread per queue (RSS), neighbouring queues in one
 * line would make every batch's writes (next, clean) invalidate the other
 * thread's copy of its own queue's fields. */
struct ixgbe_rx_queue {
	volatile union ixgbe_rx_desc *ring;
	volatile uint32_t *tail;        /* RDT in BAR0 (or the sim's BAR0 image) */
	struct ixy_pkt_buf **bufs;      /* buffer behind each descriptor, then IXGBE_RX_BUFS_PAD NULLs */
	struct ixy_mempool *pool;
	uint32_t mask;                  /* ring size - 1 */
	uint32_t next;                  /* next descriptor to look at */
	uint16_t ol_mask;               /* IXY_PKT_RX_* flags we report */
	uint16_t id;
	uint32_t size;
	/* status bits to drop from a UDP frame flagged TCPE: L4CS|TCPE on
	 * the 82599 (zero-checksum erratum, see ixgbe_rx.c), else 0 */
	uint32_t udp_tcpe_ignore;
	/* a power of two no larger than the buffers' data area + 1: a batch
	 * whose ORed write-back lengths stay below it needs no per-frame
	 * length check (0: check every batch) */
	uint32_t len_fast;
	/* the metadata word at offset 28 that RX writes beside ol_flags:
	 * data_off << 16 | buf_len << 32, as the queue's pool set them (its
	 * buffers all have the same) */
	uint64_t meta;
	uint64_t idx_mul;               /* RX_IDX_MUL (ixgbe_rx.c), not a constant to the compiler */
	uint64_t rx_errors;             /* write-backs refused (length beyond the buffer), queue's thread */
	uint64_t ring_phys;
	/* for each flag-table index, bytes 24..39 of a received buffer's
	 * metadata as the one-at-a-time RX paths write them: rss_hash 0
	 * (written after), ol_flags, data_off, buf_len, queue id, state 0
	 * (ixgbe_rx_queue_tables) */
	uint64_t meta16[32][2] __attribute__((aligned(16)));
} __attribute__((aligned(64)));
/* Fill q->meta and q->meta16 from the queue's ol_mask and id and one of
 * its pool's buffers (ixgbe_rx.c). */
void ixgbe_rx_queue_tables(struct ixgbe_rx_queue *q, const struct ixy_pkt_buf *any);

struct ixgbe_tx_queue {
	volatile union ixgbe_tx_desc *ring;
	volatile uint32_t *tail;        /* TDT */
	struct ixy_pkt_buf **bufs;
	uint32_t mask;
	uint32_t next;                  /* next descriptor to fill */
	uint32_t clean;                 /* oldest descriptor not yet reclaimed */
	uint16_t id;
	uint32_t size;
	uint64_t ring_phys;
	uint32_t max_len;               /* largest frame it sends, without CRC */
	uint64_t tx_errors;             /* frames refused (too long), written by the queue's thread */
	bool ts;                        /* IEEE 1588 on: honour timestamp requests (ixgbe_ptp.c) */
} __attribute__((aligned(64)));

/* What the offload TX path (ixgbe_offload.c, ixy_config.tx_offload) keeps
 * per queue beside struct ixgbe_tx_queue, so that the default path's queue
 * struct (and the address arithmetic on it) stays as it is. */
struct ixgbe_tx_shape {
	uint32_t cmd;                   /* data descriptor: VLE, TSE */
	uint32_t popts;                 /* olinfo_status: IXSM, TXSM */
	uint32_t min_len, max_len;      /* frame lengths the shape can describe */
	uint16_t l2, l3;                /* MACLEN, IPLEN */
	uint16_t csum_at;               /* offset of the TCP/UDP checksum field */
	uint16_t tso_hdr;               /* TSO: header bytes (MACLEN + IPLEN + L4LEN), else 0 */
	uint8_t proto;                  /* 6/17: seed the L4 field with the pseudo-header sum; 0: none */
	bool v6;
	bool zero_ip_csum;              /* the NIC computes the IPv4 header checksum over a zero field */
	bool use_ctx;
};
struct ixgbe_tx_offload {
	/* the shape of the last offloaded frame, checked (ixy/mempool.h's
	 * flags and fields), and what its frames need */
	bool shape_valid;
	uint16_t shape_flags;
	uint64_t shape_key;             /* vlan_tci .. l3_len as one word */
	struct ixgbe_tx_shape shape;
	/* the context for that shape, and what the NIC's slot 0 holds */
	bool ctx_pending;               /* ctx_next still has to be written */
	struct ixgbe_tx_ctx_desc ctx_next;
	bool ctx_valid;                 /* ctx is what the NIC's context slot 0 holds */
	struct ixgbe_tx_ctx_desc ctx;
	uint32_t *rs_slots;             /* descriptors with RS not yet reclaimed (ring size entries),
	                                   | RS_HAS_CTX (ixgbe_offload.c) */
	uint32_t rs_head, rs_tail;      /* FIFO positions, taken modulo the ring size */
};

struct ixgbe_dev {
	struct ixy_device ixy;          /* common part; must be first */
	const struct ixgbe_id *id;
	volatile uint8_t *bar0;
	size_t bar0_len;
	struct ixy_pci_dev *pci;
	struct ixy_sim *sim;            /* registers go through the model */
	/* A register read returned all ones. Atomic: the one-line interrupt
	 * thread (ixgbe_irq_line.c) reads registers and may set it too. */
	_Atomic bool gone;
	bool promisc, allmulti;         /* FCTRL.UPE = promisc, MPE = promisc || allmulti */
	/* what init learnt about the board */
	uint8_t lan_id;                 /* STATUS.LAN_ID: port 0 or 1 of the chip */
	uint32_t eeprom_words;          /* EEPROM size from EEC.SIZE */
	uint16_t eeprom_checksum;       /* word 0x3F, validated at open */
	bool lesm;                      /* firmware runs the link: AUTOC under SW_FW_SYNC */
	uint32_t orig_autoc;            /* AUTOC as the EEPROM loaded it */
	uint32_t swfw_held;             /* SW_FW_SYNC bits this driver holds now */
	struct ixgbe_sfp sfp;
	/* X540/X550 internal copper PHY (ixgbe_phy.c) */
	bool phy_found;                 /* answered on MDIO at phy_addr */
	uint8_t phy_addr;
	uint32_t phy_id;                /* 1.2/1.3, revision masked off */
	bool phy_was_off;               /* found in low-power mode at open (powered up) */
	uint16_t phy_speeds;            /* 1.4 speed ability as read at open */
	/* trace */
	bool trace;
	ixy_trace_fn trace_fn;
	void *trace_arg;
	/* config */
	struct ixy_config_resolved cfg;
	/* queues */
	struct ixgbe_rx_queue *rxq;
	struct ixgbe_tx_queue *txq;
	struct ixgbe_tx_offload *txo;   /* per TX queue, with ixy_config.tx_offload only */
	struct ixy_dma_region *rings;   /* all descriptor rings of the device */
	/* interrupts (ixgbe_irq.c) */
	bool msix_ready;                /* GPIE/EIAC/EIAM programmed for MSI-X */
	bool sim_irq_handler;           /* our handler is registered with the sim port */
	int irq_fd[IXGBE_MSIX_VECTORS]; /* sim ports: eventfd of each vector; MSI/INTx: of each
	                                   queue (the line thread writes them); -1 = none */
	enum ixy_pci_irq_type irq_type; /* MSI-X, MSI or INTx; NONE until the first queue is enabled */
	/* MSI/INTx: one line for all queues, demultiplexed from EICR by a
	 * thread (ixgbe_irq_line.c) */
	bool line_on;
	int line_fd, line_stop_fd;      /* VFIO signals the first; the second ends the thread */
	pthread_t line_thread;
	pthread_mutex_t line_lock;      /* irq_fd[] against the thread's writes */
	int line_err;                   /* errno that stopped the thread, 0 while it runs */
	uint64_t tx_errors_seen;        /* sum of the queues' tx_errors at the last update_stats */
	uint64_t rx_errors_seen;        /* the same for the RX queues' rx_errors */
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
/* Busy-wait us microseconds (I2C bit timing: too short to sleep). */
void ixgbe_spin_us(uint32_t us);

/* ---- software/firmware semaphores (ixgbe_sync.c) ----
 * Take the SW_FW_SYNC resource bits in mask (IXGBE_SWFW_*), each bounded;
 * returns 0 or -EBUSY with a message naming `what`. Every acquire is paired
 * with a release on all paths. */
int ixgbe_swfw_acquire(struct ixgbe_dev *d, uint32_t mask, const char *what);
void ixgbe_swfw_release(struct ixgbe_dev *d, uint32_t mask);
/* The PHY/I2C semaphore of this port (PHY0 or PHY1 by LAN id). */
uint32_t ixgbe_swfw_phy(const struct ixgbe_dev *d);

/* ---- X550 host interface (ixgbe_hostif.c) ---- */
int ixgbe_hostif_read_nvm(struct ixgbe_dev *d, uint32_t word, uint32_t n, uint16_t *out);

/* ---- EEPROM through EERD (ixgbe_eeprom.c) ---- */
int ixgbe_eeprom_init(struct ixgbe_dev *d);
int ixgbe_eeprom_read(struct ixgbe_dev *d, uint32_t word, uint16_t *val);
int ixgbe_eeprom_validate(struct ixgbe_dev *d);

/* ---- the SFP+ management bus, bit-banged over I2CCTL (ixgbe_i2c.c) ----
 * One byte at `offset` of the I2C device at 8-bit address dev_addr (0xA0:
 * the module's ID EEPROM, 0xA2: diagnostics), under the port's PHY
 * semaphore, tried up to `tries` times. -ENXIO: no device acknowledged its
 * address; -EIO: the bus misbehaved; -EBUSY: semaphore. */
int ixgbe_i2c_read_byte(struct ixgbe_dev *d, uint8_t dev_addr, uint8_t offset, uint8_t *val, unsigned tries);
int ixgbe_i2c_write_byte(struct ixgbe_dev *d, uint8_t dev_addr, uint8_t offset, uint8_t val, unsigned tries);

/* ---- SFP+ modules (ixgbe_sfp.c) ---- */
int ixgbe_sfp_identify(struct ixgbe_dev *d);
int ixgbe_sfp_init_sequence(struct ixgbe_dev *d);
const char *ixgbe_sfp_kind_name(enum ixgbe_sfp_kind kind);

/* ---- the X540/X550 internal copper PHY over MDIO (ixgbe_phy.c) ----
 * Clause-45 access through MSCA/MSRWD; the caller holds the port's PHY
 * semaphore. Each waits at most 100 x 10 us per frame, as Linux. */
int ixgbe_mdio_read(struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint16_t *val);
int ixgbe_mdio_write(struct ixgbe_dev *d, uint8_t mmd, uint16_t reg, uint16_t val);
/* At open: find the PHY, power it up, advertise 10G/1G/100M and restart
 * auto-negotiation (unless MNG_VETO), all under the PHY semaphore. */
int ixgbe_phy_link_setup(struct ixgbe_dev *d);
/* At close, as Linux with its interface down: low-power mode, unless the
 * manageability firmware uses the port or vetoes link changes. */
void ixgbe_phy_power_down(struct ixgbe_dev *d);
/* What the PHY says now (power, AN status), for a link timeout. */
void ixgbe_phy_describe(struct ixgbe_dev *d, char *buf, size_t len);

/* ---- pieces of the driver ---- */
/* ixgbe_init.c: the datasheet sequence in two halves, so that the NIC is
 * reset (all DMA of a previous user stopped) before any memory is
 * allocated for it: interrupts off, master disable, global reset; then
 * EEPROM and DMA init waits, link, statistics, RX, TX, filters. */
int ixgbe_reset(struct ixgbe_dev *d);
int ixgbe_init(struct ixgbe_dev *d);
/* Stop every queue and wait until each reads back disabled: 0, or the
 * first error (message set). */
int ixgbe_stop(struct ixgbe_dev *d);
int ixgbe_link_setup(struct ixgbe_dev *d);                      /* ixgbe_link.c */
const char *ixgbe_link_hint(struct ixgbe_dev *d, char *buf, size_t len);
int ixgbe_sfp_fallback_1g(struct ixgbe_dev *d);
void ixgbe_laser_off(struct ixgbe_dev *d);
/* Write AUTOC the way the 82599 needs it (MNG_VETO honoured, SW_FW_SYNC
 * MAC_CSR when firmware runs the link, pipeline reset after). */
int ixgbe_autoc_write(struct ixgbe_dev *d, uint32_t autoc);
int ixgbe_get_link(struct ixy_device *dev, struct ixy_link *link);
int ixgbe_rss_setup(struct ixgbe_dev *d);                       /* ixgbe_rss.c */
int ixgbe_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN]);
int ixgbe_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE]);
int ixgbe_update_stats(struct ixy_device *dev);                 /* ixgbe_stats.c */
void ixgbe_stats_map_queues(struct ixgbe_dev *d);
uint32_t ixgbe_rx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
uint32_t ixgbe_tx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
/* ixgbe_offload.c: the data path of a device opened with offloads */
uint32_t ixgbe_rx_batch_offload(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
uint32_t ixgbe_tx_batch_offload(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n);
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
int ixgbe_line_start(struct ixgbe_dev *d);      /* ixgbe_irq_line.c: MSI/INTx mode */
void ixgbe_line_stop(struct ixgbe_dev *d);
void ixgbe_line_route(struct ixgbe_dev *d, uint16_t queue, int efd);
extern const struct ixy_ptp_ops ixgbe_ptp_ops;  /* ixgbe_ptp.c */

#endif
