/* The virtual 82599: internal state shared by the model's files.
 *
 * Threading: every port belongs to a domain (itself, or the two ports of a
 * pair). A domain has one mutex, taken by the control path (register
 * accesses) and by the DMA engine (the process's one engine thread, or
 * ixy_sim_step) for one round of work; so the engine and
 * the driver's control path never see a half-updated register file. The
 * driver's data path never takes it: tails are plain stores into the BAR0
 * image that the engine reads with acquire semantics, descriptors live in
 * DMA memory, and descriptor status (DD) is written last with release.
 */
#ifndef IXY_SIM_INTERNAL_H
#define IXY_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ixy/sim.h"
#include "model/dma/sim_parse.h"
#include "model/regfile/sim_regs.h"

#define SIM_MAX_SEGS		40	/* descriptors per TX frame the model accepts */
#define SIM_MAX_FRAME		16384	/* largest frame any wire carries */
#define SIM_MAX_VIOLATIONS	64	/* texts kept; the count goes on */
#define SIM_ROUND_BUDGET	256	/* frames per queue per round */

/* ---- frames ---- */
struct sim_seg {
	const uint8_t *p;
	uint32_t len;
};

/* What the receive parser finds in a frame that never changes (the
 * generator's templates): computed once, exactly as sim_rx.c would per
 * frame, so the per-frame path copies it. The RSS hash is cached for the
 * receive configuration generation it was computed under. */
struct sim_rxpre {
	struct sim_pinfo pi;
	uint32_t pkt_type;	/* sim_pkt_type */
	uint32_t csum_status;	/* sim_rx_csum over the whole frame */
	bool ip_err, l4_err;
	uint32_t hash;
	unsigned rss_type;
	uint64_t hash_gen;	/* sim->rx_gen the hash belongs to; 0 = none */
};

/* A frame as it travels on the wire: without FCS, possibly gathered from
 * several TX buffers (no copy until it lands in an RX buffer). */
struct sim_frame {
	uint32_t len;
	uint32_t nseg;
	struct sim_rxpre *pre;	/* NULL: parse on arrival */
	uint64_t sfd_ps;	/* when its start (after preamble + SFD) passes the
				   receiver's MAC; 0 = the receiver's round time */
	struct sim_seg seg[SIM_MAX_SEGS + 1];	/* + padding segment */
};

/* A frame of one contiguous piece (no zeroing of the segment array: this
 * is on the per-frame path). */
static inline void sim_frame_one(struct sim_frame *f, const uint8_t *p, uint32_t len)
{
	f->len = len;
	f->nseg = 1;
	f->pre = NULL;
	f->sfd_ps = 0;
	f->seg[0].p = p;
	f->seg[0].len = len;
}

/* A FIFO of copied frames with preallocated slots (capture, inject, the
 * RX packet buffer): no allocation per frame once warmed up. */
struct sim_fq {
	struct sim_fq_slot {
		uint8_t *buf;
		uint32_t cap;
		uint32_t len;
		int32_t tag;	/* e.g. the RX queue chosen at arrival */
		uint64_t t_ps;	/* the frame's sfd_ps (a delayed wire: when it arrives) */
	} *slots;
	uint32_t nslots, head, count;
	uint64_t bytes, max_bytes;	/* max_bytes 0 = only slot-limited */
};

/* ---- DMA address translation (sim_dma.c) ---- */
struct sim_dma_map {
	struct sim_dma_ent {
		uint64_t phys;
		uint64_t len;
		uint8_t *virt;
	} *ent;
	uint32_t n, cap, last;
	uint64_t rescans;
	/* a device server's translation (ixy_sim_set_dma_lookup); NULL = pagemap */
	int (*plug)(void *ctx, uint64_t addr, struct ixy_sim_dma_region *r);
	void *plug_ctx;
};

/* The map entry that served one user's last access (a ring's buffers), so
 * the per-frame path translates with one compare: buffers of one ring come
 * from one mempool, usually one hugepage region. len 0 = empty. Like the
 * map itself it is refreshed on a miss only. */
struct sim_dma_hit {
	uint64_t phys, len;
	uint8_t *virt;
};

/* ---- queues ---- */
struct sim_rxq {
	bool enabled, stopped;
	uint32_t count;		/* descriptors in the ring */
	uint64_t base;		/* physical */
	uint8_t *ring;		/* virtual, when the ring is in one mapping */
	uint32_t head;
	uint32_t bufsize;
	uint32_t desctype;
	bool drop_en;
	bool vme;		/* RXDCTL.VME: strip the VLAN tag into the descriptor */
	bool too_big;		/* reported a frame the ring can never take */
	uint8_t statidx;
	uint64_t irq_bit;	/* the vector IVAR maps the queue to, as a bit; 0 = none */
	struct sim_dma_hit hit;	/* last buffer translation */
};

struct sim_txq {
	bool enabled, stopped;
	uint32_t count;
	uint64_t base;
	uint8_t *ring;
	uint32_t head;
	uint8_t statidx;
	uint64_t irq_bit;	/* as in sim_rxq */
	struct sim_dma_hit hit;
	/* descriptor write-back (7.2.3.5.1): WTHRESH 0 writes DD where RS
	 * asks, WTHRESH > 0 accumulates every processed descriptor (RS
	 * ignored) and writes them back WTHRESH at a time, or all after
	 * SIM_TX_WB_FLUSH_US (the model's stand-in for the EITR expiry) */
	uint32_t wthresh;
	uint32_t wb_pending;	/* processed, not yet written back: head - wb_pending.. */
	uint64_t wb_since_ps;	/* when the oldest pending descriptor was processed */
	/* offload contexts from advanced context descriptors (7.2.3.2.3):
	 * VLAN_MACIP_LENS, TYPE_TUCMD_MLHL and MSS_L4LEN_IDX, two slots
	 * selected by IDX */
	struct sim_txctx {
		uint32_t vlan_macip_lens, tucmd, mss_l4len;
	} ctx[2];
};

/* Receive configuration derived from the register file, rebuilt after any
 * control-path write (cfg_dirty), so the per-frame path reads a few plain
 * fields instead of decoding registers. */
struct sim_rxcfg {
	bool rxen;		/* RXCTRL.RXEN */
	bool halted;		/* SECRXCTRL.RX_DIS: frames wait in the packet buffer */
	bool strip;		/* HLREG0.RXCRCSTRP */
	bool rss;		/* MRQC.MRQE = RSS */
	bool pcsd;		/* RXCSUM.PCSD: RSS hash instead of IP id in the write-back */
	uint32_t max_frame;	/* 1518, or MAXFRS.MFS with HLREG0.JUMBOEN */
	uint32_t fctrl, mcstctrl, mrqc;
	uint8_t key[40];	/* RSSRK, byte order of 7.1.2.8.1 */
	struct sim_toeplitz_tbl key_tbl;	/* key prepared for the hash (sim_parse.h) */
	uint8_t reta[128];	/* queue per RETA entry */
	uint64_t rar[128];	/* valid RAL/RAH addresses, 6 bytes little-endian */
	unsigned n_rar;
};

/* ---- statistics (8.2.3.23), kept 64-bit, cleared on read ---- */
struct sim_stats {
	uint64_t gprc, gptc, gorc, gotc, bprc, mprc, bptc, mptc;
	uint64_t tpr, tpt, tor, ruc, roc, rlec, crcerrs;
	uint64_t prc[6], ptc[6];
	uint64_t mpc[8];
	uint64_t qprc[SIM_NUM_STATQ], qbrc[SIM_NUM_STATQ], qprdc[SIM_NUM_STATQ];
	uint64_t qptc[SIM_NUM_STATQ], qbtc[SIM_NUM_STATQ];
	/* latched upper halves for the L-then-H 64-bit counter reads */
	uint32_t gorch, gotch, torh, qbrch[SIM_NUM_STATQ], qbtch[SIM_NUM_STATQ];
};

/* ---- wires ---- */
enum sim_wire_kind {
	SIM_WIRE_NONE = 0,	/* cable unplugged: TX frames vanish */
	SIM_WIRE_LOOP,
	SIM_WIRE_PAIR,
	SIM_WIRE_NULL,
	SIM_WIRE_CAPTURE,
	SIM_WIRE_GEN,
	SIM_WIRE_PCAP,
	SIM_WIRE_IFACE,
	SIM_WIRE_SHM,
};

struct sim_gen_state {
	struct ixy_sim_gen cfg;
	uint8_t *tmpl;		/* nflows templates of cfg.frame_len bytes */
	struct sim_rxpre *pre;	/* their parse results, one per template */
	uint32_t nflows, next_flow;
	uint64_t sent;
	uint64_t next_ps;	/* earliest time of the next frame */
	uint64_t interval_ps;
};

/* ---- interrupts (7.3; sim_irq.c) ----
 * Queue causes are kept per MSI-X vector (the IVAR entry of the queue):
 * bit v of vcause is EICR bit v for v < 16 and EICR_EX for all 64. The
 * causes in EICR 31:16 are kept apart (ocause); they reach a vector through
 * IVAR_MISC. Masks (EIMS) and auto-masks (EIAM) have the same layout. */
struct sim_irq {
	uint64_t raised;	/* queue vectors whose cause came up this round (the DMA
				   engine ORs a queue's irq_bit in per write-back) */
	uint32_t oraised;	/* other causes raised since the last evaluation */
	uint64_t vcause, vmask, vam;
	uint32_t ocause, omask, oam;	/* bits 31:16 only */
	uint32_t eiac, gpie;
	uint64_t pending;	/* MSI-X: vectors with an event whose message is not sent yet */
	bool line;		/* MSI/INTx: asserted and signalled, not yet deasserted */
	int8_t misc_vec[2];	/* IVAR_MISC: TCP timer, other causes; -1 = not valid */
	uint64_t due_ns;	/* evaluate again at this time: a held vector's interval
				   ends (UINT64_MAX: nothing held, 0: at once) */
	uint64_t itr_ns[SIM_NUM_VECTORS];	/* EITR interval per vector */
	uint64_t next_ns[SIM_NUM_VECTORS];	/* the vector may send again from then */
	uint64_t messages;	/* sent (with or without a handler) */
};

/* ---- IEEE 1588 time sync (7.9; sim_ptp.c) ----
 * SYSTIM is a function of the model's clock: base at base_ps, plus iv per
 * tick_ps that passed since. Every change (SYSTIM, TIMINCA, TIMADJ writes,
 * a link speed change) re-anchors it at the current time. */
struct sim_ptp {
	bool rx_on, tx_on;		/* TSYNCRXCTL.EN / TSYNCTXCTL.EN: the per-frame tests */
	bool rx_valid, tx_valid;	/* a timestamp is latched */
	uint64_t base, base_ps;
	uint64_t tick_ps, iv;		/* tick_ps 0: the clock stands (TIMINCA 0 after reset) */
	uint32_t osc_ps;		/* oscillator period the anchor was computed with */
	bool systimh_latched;		/* a SYSTIML read latched the high word */
	uint32_t systimh_latch;
	uint64_t rxstmp, txstmp;
	uint32_t rxsatrl, rxsatrh;
	uint64_t rx_stamped, tx_stamped;	/* timestamps taken */
	uint64_t rx_skipped, tx_skipped;	/* 1588 frames not stamped: one was latched */
};

struct sim_pcap_state;
struct sim_iface_state;
struct sim_shm_state;

struct sim_domain {
	pthread_mutex_t lock;
	atomic_int waiters;	/* control-path callers waiting for the lock */
	struct ixy_sim *ports[2];
	int nports;
	/* threaded mode: member of the engine thread's list (sim_engine.c) */
	bool in_engine;
	struct sim_domain *eng_next;
};

/* ---- the board around the MAC (sim_eeprom.c, sim_sema.c, sim_mdio.c,
 * sim_i2c.c, sim_sfp.c) ---- */
enum sim_media {
	SIM_MEDIA_SFP,		/* SFP+ cage, module on I2C, laser on SDP3 */
	SIM_MEDIA_BACKPLANE,	/* KX4/KX/KR, no module, no PHY */
	SIM_MEDIA_OTHER,	/* other 82599 ids: a plain 10G serial port as before */
	SIM_MEDIA_COPPER,	/* X540/X550: 10GBASE-T, the internal PHY on MDIO (sim_phy.c) */
};

/* The MAC generation a device id stands for (sim_spec.c "personalities"). */
enum sim_mac {
	SIM_MAC_82599,
	SIM_MAC_X540,
	SIM_MAC_X550,
};

/* The internal copper PHY of the X540/X550 (sim_phy.c): clause-45
 * registers software wrote, the address latched per MMD, power and AN. */
#define SIM_PHY_REGS	64
struct sim_phy {
	uint16_t addr[32];		/* address register per MMD (clause-45 address cycle) */
	uint32_t key[SIM_PHY_REGS];	/* (mmd << 16 | reg) of stored registers, 0 = free */
	uint16_t val[SIM_PHY_REGS];
	unsigned n;
	bool lpower;			/* VEND1 CTRL1 bit 11: low power, no link */
	uint8_t speed;			/* LINKS.SPEED code AN reached (latched at link up) */
};

#define SIM_EEPROM_WORDS	0x2000	/* 16 KiB: EEC.SIZE = 7 */
#define SIM_MAX_UNKNOWN		256

struct sim_sema {
	uint32_t swsm;			/* SMBI, SWESMBI, WMNG */
	uint32_t swfw;			/* SW_FW_SYNC, software and firmware halves */
	uint64_t smbi_ns, swesmbi_ns;	/* when software took them */
	uint64_t swfw_ns[13];		/* when software took each resource (bits 0-4, 10) */
	uint64_t fw_until_ns;		/* the simulated firmware holds its bits until then */
	bool regsmp;			/* X540/X550: SW_FW_SYNC.REGSMP (bit 31) taken by a read */
	uint64_t regsmp_ns;
	bool long_reported;		/* one "held too long" report per hold */
};

/* An I2C slave on the two-wire bus behind I2CCTL: the SFP module's
 * EEPROM pages at 0xA0 and 0xA2 (SFF-8472). */
struct sim_i2c {
	bool scl, sda_m;		/* what the host drives (open drain: 1 = released) */
	bool sda_s;			/* the slave pulls SDA low */
	uint8_t state;			/* enum in sim_i2c.c */
	uint8_t shift, bits;
	uint8_t dev;			/* addressed page: 0xA0 or 0xA2 */
	bool dir_read;			/* the addressed transaction is a read */
	bool have_offset;		/* a write transaction has set the pointer */
	bool ack_in;			/* host's acknowledge of our last byte (0 = ACK) */
	uint8_t ptr[2];			/* current address per page */
	uint8_t mem[2][256];		/* the module's two pages */
	uint64_t transactions;
};

/* The SPI EEPROM as software bit-bangs it through EEC (SK, CS, DI, DO). */
struct sim_spi {
	bool sk, cs;			/* pin levels (CS = 1: deselected) */
	bool selected;
	uint8_t phase;			/* enum in sim_eeprom_spi.c */
	uint8_t nbits;
	uint32_t shift;
	uint8_t opcode;
	uint32_t addr;			/* byte address */
	bool wel;			/* write enable latch */
	uint8_t out;			/* byte being shifted out */
	uint8_t out_bit;		/* next bit of out (7..0) */
	bool out_clocked;		/* SK rose during the output bit */
	bool dout;			/* DO */
	uint64_t bytes_written;
};

struct sim_unknown {
	uint32_t off;
	uint64_t reads, writes;
};

struct ixy_sim {
	char name[64];
	struct ixy_sim_config cfg;
	struct sim_domain *dom;
	struct ixy_sim *next;	/* registry */

	/* register file: the BAR0 image (tails live here) */
	uint32_t *bar;

	/* derived state */
	struct sim_rxq rxq[SIM_NUM_QUEUES];
	struct sim_txq txq[SIM_NUM_QUEUES];
	uint8_t rx_active[SIM_NUM_QUEUES], n_rx_active;
	uint8_t tx_active[SIM_NUM_QUEUES], n_tx_active;
	uint8_t tx_rr;			/* tx_active index the TX round begins with (sim_tx.c) */
	struct sim_stats st;
	struct sim_dma_map dma;
	struct sim_rxcfg rx;
	bool cfg_dirty;			/* a register was written: rebuild rx */
	uint64_t rx_gen;		/* bumped at every rebuild (cached RSS hashes) */
	bool rx_started;		/* the driver has received since RXEN was set (sim_rx_started) */
	uint8_t perm_mac[6];

	/* reset and link (8.2.3.22.19 LINKS, 4.6.4 link setup) */
	uint64_t reset_done_ns;		/* ARD/DMAIDONE read 0 until then */
	uint64_t rst_ns;		/* CTRL.RST last set; 0 = power-on */
	bool rst_quiet;			/* within 1 ms of rst_ns no register may be accessed */
	bool rst_flush_ok;		/* no access since CTRL.RST yet: a STATUS read is the flush */
	uint64_t an_start_ns;		/* auto-negotiation (re)started */
	bool carrier;			/* cable plugged / partner present */
	bool link_up;

	/* the wire */
	enum sim_wire_kind wire;
	struct ixy_sim *peer;
	char pending_peer[64];		/* pair requested before the peer existed */
	struct sim_fq capture;
	struct sim_fq inject;
	struct sim_fq rxpb;		/* RX packet buffer for frames waiting for descriptors */
	struct sim_fq flight;		/* pair wire with delay_us: frames on the cable to this port */
	struct sim_gen_state *gen;
	struct sim_pcap_state *pcap;
	struct sim_iface_state *iface;
	struct sim_shm_state *shm;
	uint64_t wire_free_ps;		/* link-speed emulation: the wire is busy until then */
	bool tx_blocked;		/* last round: a frame waited for the wire to be free */
	int paced_moved;		/* last round: frames a rate-paced generator delivered */
	uint64_t now_ps;		/* time of the current round */
	uint64_t prev_ps;		/* time of the round before */
	uint8_t *scratch;		/* SIM_MAX_FRAME bytes, for wires that need a flat copy */
	uint8_t *strip_buf;		/* SIM_MAX_FRAME bytes: a frame without its VLAN tag */
	uint8_t *tx_buf;		/* SIM_MAX_FRAME bytes: a TX frame the MAC changes (offloads) */

	/* interrupts: the cause/mask/vector logic, and where the vectors it
	 * fires go (ixy_sim_set_irq_handler) */
	struct sim_irq irq;
	struct sim_ptp ptp;
	ixy_sim_irq_fn irq_fn;
	void *irq_ctx;

	/* the board: NVM, semaphores, management interfaces, SFP module */
	enum sim_media media;
	enum ixy_sim_sfp sfp;		/* resolved: never DEFAULT */
	uint16_t *eeprom;		/* SIM_EEPROM_WORDS words, kept across resets */
	uint32_t eerd, eewr;		/* last EERD/EEWR values (DONE and data) */
	struct sim_spi spi;
	struct sim_sema sema;
	struct sim_i2c i2c;
	uint32_t msca, msrwd;
	enum sim_mac mac;
	struct sim_phy phy;		/* X540/X550 only */
	uint64_t unguarded_resets;	/* X540/X550: CTRL.RST without the PHY semaphore */

	/* checks */
	struct sim_unknown *unknown;	/* SIM_MAX_UNKNOWN entries */
	unsigned n_unknown;
	char *viol[SIM_MAX_VIOLATIONS];
	unsigned nviol;
	uint64_t dma_faults;
	uint64_t frames_moved;
	uint64_t flight_lost;		/* delay_us: more frames on the cable than the model holds */
	/* frames the wire lost on its own side (a pcap file that cannot be
	 * written), and the first such error (ixy_sim_wire_lost) */
	uint64_t wire_errors;
	char wire_error[400];	/* written once, under the domain lock */
	FILE *trace;			/* register accesses (sim_trace.c), or NULL */
	uint64_t trace_t0;
};

/* sim_core.c */
uint64_t sim_now_ns(void);
void sim_lock(struct ixy_sim *sim);
void sim_unlock(struct ixy_sim *sim);

/* sim_trace.c: one line per register access while sim->trace is set
 * (now in ns; the time column is relative to when tracing began) */
void sim_trace_access(struct ixy_sim *sim, uint64_t now, bool write, uint32_t reg, uint32_t val);
void sim_trace_close(struct ixy_sim *sim);

/* sim_regfile.c */
/* power_on: the port is created; else CTRL.RST/LRST (link_reset: LRST
 * was set, the link trains again) */
void sim_reset(struct ixy_sim *sim, bool power_on, bool link_reset);
void sim_link_update(struct ixy_sim *sim, uint64_t now_ns);
bool sim_link_trainable(const struct ixy_sim *sim);	/* the link comes once AN time is over */
uint32_t sim_link_delay_us(const struct ixy_sim *sim);
static inline uint32_t sim_reg(const struct ixy_sim *sim, uint32_t off) { return sim->bar[off / 4]; }
static inline void sim_setreg(struct ixy_sim *sim, uint32_t off, uint32_t v) { sim->bar[off / 4] = v; }

/* sim_irq.c: the interrupt logic (7.3). Causes from the DMA engine are
 * ORed into sim->irq.raised on the per-frame path and evaluated once per
 * round; everything else is evaluated where it happens. The handler is
 * called from these functions with the domain lock held. */
void sim_irq_reset(struct ixy_sim *sim);
/* A cause in EICR 31:16 (LSC, RX_MISS, ...): evaluated at the end of the
 * current register access or engine round. */
void sim_raise_eicr(struct ixy_sim *sim, uint32_t bits);
/* Is off one of the interrupt registers (EICR .. GPIE, EITR, IVAR, the _EX ones)? */
bool sim_irq_reg(uint32_t off);
uint32_t sim_irq_read(struct ixy_sim *sim, uint32_t off, uint64_t now_ns);
void sim_irq_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now_ns);
/* Take in what was raised, send what is due (send messages, EIAC, EIAM, EITR). */
void sim_irq_eval(struct ixy_sim *sim, uint64_t now_ns);
static inline void sim_irq_poll(struct ixy_sim *sim, uint64_t now_ns)
{
	if (__builtin_expect((sim->irq.raised | sim->irq.oraised) != 0 || now_ns >= sim->irq.due_ns, 0))
		sim_irq_eval(sim, now_ns);
}

enum sim_media sim_media_of(uint16_t device_id);
/* The personality of a device id: 0 and the MAC in *mac, or -1 for an id
 * the model cannot be (X550EM, unknown ids). */
int sim_personality(uint16_t device_id, enum sim_mac *mac);
/* An X550EM id (the 0x15a8..0x15e5 ids Linux 6.1 lists): refused. */
bool sim_x550em_id(uint16_t device_id);
/* What the model can be, for error messages. */
extern const char sim_personalities_text[];
void sim_link_restart(struct ixy_sim *sim, uint64_t now_ns);

/* the board around the MAC: each returns true when it owns the offset */
int sim_eeprom_build(struct ixy_sim *sim);
void sim_eeprom_autoload(struct ixy_sim *sim);		/* RAL/RAH[0], AUTOC/AUTOC2 after reset */
bool sim_eeprom_read(struct ixy_sim *sim, uint32_t off, uint64_t now, uint32_t *v);
bool sim_eeprom_write(struct ixy_sim *sim, uint32_t off, uint32_t val);
uint16_t sim_eeprom_checksum(const uint16_t *w, uint32_t nwords, enum sim_mac mac);
void sim_spi_reset(struct ixy_sim *sim);
void sim_spi_pins(struct ixy_sim *sim, uint32_t eec);	/* EEC written while granted */
bool sim_spi_do(const struct ixy_sim *sim);
void sim_sema_reset(struct ixy_sim *sim, uint64_t now, bool power_on);
bool sim_sema_read(struct ixy_sim *sim, uint32_t off, uint64_t now, uint32_t *v);
bool sim_sema_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now);
void sim_sema_check(struct ixy_sim *sim, uint64_t now);		/* holds that were never released */
bool sim_mdio_read(struct ixy_sim *sim, uint32_t off, uint32_t *v);
bool sim_mdio_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now);
/* sim_phy.c: the X540/X550 copper PHY behind MDIO */
void sim_phy_power_on(struct ixy_sim *sim);		/* cold boot: registers to defaults */
bool sim_phy_read(struct ixy_sim *sim, unsigned mmd, unsigned reg, uint16_t *v, uint64_t now);
void sim_phy_write(struct ixy_sim *sim, unsigned mmd, unsigned reg, uint16_t v, uint64_t now);
/* LINKS.SPEED code the copper link trains to (3 10G, 2 1G, 1 100M), 0 none */
uint32_t sim_phy_speed(const struct ixy_sim *sim);
void sim_sfp_load(struct ixy_sim *sim);			/* the module's EEPROM pages */
bool sim_sfp_present(const struct ixy_sim *sim);
void sim_i2c_reset(struct ixy_sim *sim);
bool sim_i2c_read(struct ixy_sim *sim, uint32_t off, uint32_t *v);
bool sim_i2c_write(struct ixy_sim *sim, uint32_t off, uint32_t val);
bool sim_hostif_read(struct ixy_sim *sim, uint32_t off, uint32_t *v);		/* X550 only */
bool sim_hostif_write(struct ixy_sim *sim, uint32_t off, uint32_t val);
bool sim_fdir_read(struct ixy_sim *sim, uint32_t off, uint32_t *v);
bool sim_fdir_write(struct ixy_sim *sim, uint32_t off, uint32_t val);
/* sim_ptp.c: IEEE 1588 time sync (7.9) */
void sim_ptp_reset(struct ixy_sim *sim, uint64_t now_ns);
void sim_ptp_rebase(struct ixy_sim *sim, uint64_t now_ns);	/* the oscillator may have changed (link speed) */
bool sim_ptp_read(struct ixy_sim *sim, uint32_t off, uint64_t now_ns, uint32_t *v);
bool sim_ptp_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now_ns);
uint64_t sim_ptp_systim(const struct ixy_sim *sim, uint64_t t_ps);
/* A frame that asked for a TX timestamp starts on the wire at sfd_ps. */
void sim_ptp_tx(struct ixy_sim *sim, uint64_t sfd_ps);
/* A frame reached the MAC: is it a 1588 frame to stamp? Returns
 * SIM_RXADV_STAT_TS when it latched the timestamp, else 0. */
uint32_t sim_ptp_rx(struct ixy_sim *sim, const struct sim_frame *f, const uint8_t *hdr, uint32_t hlen,
		    const struct sim_pinfo *pi);
uint32_t sim_link_speed(const struct ixy_sim *sim);	/* LINKS.SPEED code while up, 0 = down */

/* sim_known.c: the register map; accesses outside it are recorded */
bool sim_reg_known(uint32_t off);
bool sim_reg_known_for(const struct ixy_sim *sim, uint32_t off);	/* with the personality's own */
void sim_unknown_access(struct ixy_sim *sim, uint32_t off, bool write);

/* sim_violation.c */
void sim_violation(struct ixy_sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* sim_dma.c */
void sim_dma_init(struct sim_dma_map *m);
void sim_dma_free(struct sim_dma_map *m);
/* Virtual address of [phys, phys+len) if it lies in the process's hugepage
 * (DMA) memory, else NULL (rescans the process's mappings once first). */
uint8_t *sim_dma_ptr(struct sim_dma_map *m, uint64_t phys, uint64_t len);
int sim_dma_rescan(struct sim_dma_map *m);
/* The cached translation of phys, without rescanning on a miss (NULL). */
uint8_t *sim_dma_peek(struct sim_dma_map *m, uint64_t phys);
/* Drop every cached translation (the caller clears the queues' hits). */
void sim_dma_forget(struct sim_dma_map *m);
/* sim_dma_ptr that refills *h with the entry it used. */
uint8_t *sim_dma_ptr_fill(struct sim_dma_map *m, struct sim_dma_hit *h, uint64_t phys, uint64_t len);

static inline uint8_t *sim_dma_ptr_hit(struct sim_dma_map *m, struct sim_dma_hit *h, uint64_t phys, uint64_t len)
{
	uint64_t off = phys - h->phys;	/* wraps to huge when phys < h->phys */
	if (__builtin_expect(off < h->len && len <= h->len - off, 1))
		return h->virt + off;
	return sim_dma_ptr_fill(m, h, phys, len);
}

/* sim_rx.c */
void sim_rx_config(struct ixy_sim *sim);
void sim_rx_precompute(const uint8_t *p, uint32_t len, struct sim_rxpre *pre);
void sim_rxq_enable(struct ixy_sim *sim, unsigned q, bool on);
int sim_rx_frame(struct ixy_sim *dst, const struct sim_frame *f);
int sim_rx_drain(struct ixy_sim *sim);
/* Check the RDT of RX queues first..first+count-1 (ixy_sim_step_queues: the
 * caller's; a tail is another thread's cache line otherwise). */
void sim_rx_check_tails(struct ixy_sim *sim, unsigned first, unsigned count);

/* sim_tx.c */
void sim_txq_enable(struct ixy_sim *sim, unsigned q, bool on);
/* TXDCTL or TDWBAL of queue q was written: take the new thresholds, flush
 * on SWFLSH, and with check, check their combination (8.2.3.9.10,
 * 7.2.3.4.1, 7.2.3.5.2). */
void sim_txq_config(struct ixy_sim *sim, unsigned q, uint32_t txdctl, bool check);
/* Write back what a WTHRESH > 0 queue has accumulated. */
void sim_txq_wb_flush(struct ixy_sim *sim, unsigned q);
/* When a partial write-back batch is due (UINT64_MAX: none). */
uint64_t sim_tx_wb_due_ns(const struct ixy_sim *sim);
/* Returns the frames the wire accepted (progress for the engine's backoff). */
int sim_tx_round(struct ixy_sim *sim);
/* The same for the TX queues first..first+count-1 only (ixy_sim_step_queues). */
int sim_tx_round_queues(struct ixy_sim *sim, unsigned first, unsigned count);
/* One frame leaves queue q: padding (HLREG0.TXPADEN), the transmit
 * statistics (8.2.3.23), the wire. Adds its wire bytes (FCS, preamble, IFG
 * included) to *wire; returns whether the wire took it. f gets the padding
 * segment appended. */
bool sim_tx_emit(struct ixy_sim *sim, unsigned q, struct sim_frame *f, uint64_t *wire);

/* sim_tso.c: TCP/UDP segmentation (7.2.4). What the frame's first data
 * descriptor asked for. */
struct sim_tso_req {
	unsigned ctx;		/* context slot (IDX) */
	uint32_t paylen;	/* PAYLEN: payload bytes after the header */
	bool vle;		/* DCMD.VLE: each segment gets the context's tag */
	bool ifcs;		/* DCMD.IFCS of the EOP descriptor */
};
/* Cut the gathered frame f into segments and send each (sim_tx_emit).
 * Returns the segments the wire took; a request the context or the
 * buffers do not support is a violation and nothing is sent. */
int sim_tso_send(struct ixy_sim *sim, unsigned q, uint32_t idx, const struct sim_tso_req *r,
		 const struct sim_frame *f, uint64_t *wire);

/* sim_wire.c */
/* The wire lost `frames` frames (0: an error without a frame, e.g. at
 * close); the first message is kept. */
void sim_wire_error(struct ixy_sim *sim, uint64_t frames, const char *msg);
bool sim_wire_tx(struct ixy_sim *sim, const struct sim_frame *f);
/* Whether the driver has started receiving (RXEN, a queue with descriptors):
 * wires that can hold frames back wait until then. */
bool sim_rx_started(struct ixy_sim *sim);
int sim_wire_rx_round(struct ixy_sim *sim);
int sim_wire_flight(struct ixy_sim *sim);	/* delay_us: deliver what arrived */
void sim_wire_detach(struct ixy_sim *sim);
uint64_t sim_frame_time_ps(uint32_t len);
int sim_frame_flatten(const struct sim_frame *f, uint8_t *buf, uint32_t cap);

/* sim_fq.c */
int sim_fq_init(struct sim_fq *q, uint32_t nslots, uint64_t max_bytes);
void sim_fq_free(struct sim_fq *q);
int sim_fq_push(struct sim_fq *q, const struct sim_frame *f, int32_t tag);
struct sim_fq_slot *sim_fq_peek(struct sim_fq *q);
void sim_fq_pop(struct sim_fq *q);

/* sim_wire_pcap.c / sim_wire_iface.c */
int sim_pcap_open(struct ixy_sim *sim, const char *rx_file, const char *tx_file, bool loop);
void sim_pcap_tx(struct ixy_sim *sim, const struct sim_frame *f);
int sim_pcap_rx_round(struct ixy_sim *sim, int budget);
void sim_pcap_close(struct ixy_sim *sim);
int sim_iface_open(struct ixy_sim *sim, const char *ifname);
void sim_iface_tx(struct ixy_sim *sim, const struct sim_frame *f);
int sim_iface_rx_round(struct ixy_sim *sim, int budget);
void sim_iface_close(struct ixy_sim *sim);

/* sim_wire_shm.c */
int sim_shm_open(struct ixy_sim *sim, const char *name);
bool sim_shm_tx(struct ixy_sim *sim, const struct sim_frame *f);
int sim_shm_rx_round(struct ixy_sim *sim, int budget);
void sim_shm_close(struct ixy_sim *sim);
const char *sim_shm_path(const struct ixy_sim *sim);

#endif
