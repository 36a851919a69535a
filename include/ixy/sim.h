/* libixy: the virtual 82599 ("sim" ports).
 *
 * A behavioural model of the Intel 82599 10 GbE controller, written from
 * the datasheet, that the unchanged ixgbe driver runs against. A sim port
 * has a register file (BAR0 image), a DMA engine that only ever sees
 * physical addresses and translates them itself, and a wire.
 *
 * The driver reaches it like hardware:
 *  - control-path registers through ixy_sim_reg_read/ixy_sim_reg_write (the
 *    driver's register accessor calls these for a sim port), so read side
 *    effects are exact (read-to-clear statistics and EICR, self-clearing
 *    CTRL.RST);
 *  - tail registers (RDT/TDT) by plain stores into the BAR0 image returned
 *    by ixy_sim_bar0, through the same cached pointer as on hardware; the
 *    model notices them by polling, as the NIC's DMA engine would.
 *
 * Users normally never call this header: ixy_open("sim:NAME,opts") creates
 * the port from a spec string (see ixy_sim_open_spec).
 */
#ifndef IXY_SIM_H
#define IXY_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_sim;

enum ixy_sim_mode {
	IXY_SIM_THREADED = 0,   /* a DMA-engine thread polls and moves frames (realistic; apps) */
	IXY_SIM_STEPPED = 1,    /* nothing moves until the caller calls ixy_sim_step (tests, benchmarks) */
};

/* What sits in the SFP+ cage of an SFP+ personality (device ids 0x10FB,
 * 0x1529, 0x1507, 0x154D, 0x154A, 0x1557, 0x154F, 0x155D). Its SFF-8472
 * EEPROM answers on the I2C bus behind I2CCTL; all carry Intel's OUI. */
enum ixy_sim_sfp {
	IXY_SIM_SFP_DEFAULT = 0,   /* a passive DA cable on SFP+ ids, nothing elsewhere */
	IXY_SIM_SFP_NONE,          /* empty cage: no link, the I2C bus never acknowledges */
	IXY_SIM_SFP_DA,            /* passive direct-attach copper cable (byte 8 = 0x04) */
	IXY_SIM_SFP_DA_ACTIVE,     /* active limiting direct-attach cable (byte 8 = 0x08) */
	IXY_SIM_SFP_SR,            /* 10GBASE-SR optics */
	IXY_SIM_SFP_LR,            /* 10GBASE-LR optics */
};

struct ixy_sim_config {
	enum ixy_sim_mode mode;
	uint16_t device_id;        /* PCI device id to report; 0 = 0x10fb (82599ES SFP+) */
	uint8_t mac[6];            /* permanent MAC (as if from EEPROM); all zero = derived from name */
	uint32_t link_delay_us;    /* auto-negotiation time until LINKS.LINK_UP; 0 = default (10 ms) */
	bool unthrottled;          /* false: frames leave no faster than 10 Gbit/s incl. preamble+IFG */
	bool laser_off;            /* SFP+ laser off at power-on (ESDP.SDP3 = 1, as Linux leaves a
	                              down port): no link until software clears SDP3 */
	enum ixy_sim_sfp sfp;      /* module in the SFP+ cage (SFP+ device ids only) */
	uint32_t fw_hold_us;       /* simulated firmware: after power-on and every reset it holds
	                              its SW_FW_SYNC bits (EEPROM, PHY0, MAC CSR) this long, so
	                              drivers' retry paths run; 0 = firmware never holds them */
	uint32_t delay_us;         /* loop and pair wires: frames this port transmits reach the
	                              receiver this much later (a cable of known latency, for
	                              latency measurements); 0 = at once. At most 1000000 */
	uint32_t clock_jump_us;    /* a faulty 1588 clock: SYSTIM steps forward this much every 10 ms
	                              (while it runs), for testing clock users; 0 = never */
	uint32_t sema_hold_ms;     /* software holding a SWSM/SW_FW_SYNC semaphore longer than this
	                              is reported as a violation; 0 = default (10 s: Linux holds the
	                              EEPROM one for a bit-banged 512-word write) */
	bool phy_power_off;        /* X540/X550: the copper PHY powers up in low power (VEND1
	                              CTRL1 bit 11), as Linux leaves a port it took down: no link
	                              until software clears the bit; false = powered (cold boot) */
};

/* X540/X550 ports: how many times CTRL.RST was set without the PHY
 * semaphore held (a violation only on ports with fw_hold_us). */
uint64_t ixy_sim_unguarded_resets(const struct ixy_sim *sim);

/* Create / destroy a port. name must be unique in the process. */
struct ixy_sim *ixy_sim_create(const char *name, const struct ixy_sim_config *cfg);
void ixy_sim_destroy(struct ixy_sim *sim);
struct ixy_sim *ixy_sim_find(const char *name);
const char *ixy_sim_name(const struct ixy_sim *sim);
/* The other end of a pair wire, or NULL (another wire, or not paired yet). */
struct ixy_sim *ixy_sim_peer(struct ixy_sim *sim);

/* Create a port from the text after "sim:" in a device address, e.g.
 * "a,wire=pair:b,mode=stepped". The grammar is documented in README/docs. */
struct ixy_sim *ixy_sim_open_spec(const char *spec);

/* ---- the driver's side: registers ---- */
uint32_t ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg);
void ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val);
/* Record every register access of the driver to PATH, one line each:
 *   T_US R|W OFFSET VALUE      e.g. "   1234.567 W 0x00000 0x0c000008"
 * (T_US: microseconds since tracing began; OFFSET as the driver gave it,
 * VALUE written or read). The same format whoever drives the port -
 * libixy's ixgbe or, through ixy-simd, Linux's - so two drivers' sequences
 * can be compared (scripts/uml-trace-diff.sh). Tail writes of libixy's data
 * path (cached pointers into the BAR image) do not pass here. PATH NULL
 * stops tracing. Spec option: trace=PATH. Returns 0 or a negative errno. */
int ixy_sim_trace(struct ixy_sim *sim, const char *path);
/* A line of its own in the trace ("T_US # TEXT"), while tracing: what
 * happened besides register accesses (ixy-simd notes PCI config writes;
 * a test notes the phases of its run). */
void ixy_sim_trace_note(struct ixy_sim *sim, const char *text);
/* BAR0 image (for cached tail-register pointers) and its size. */
volatile uint8_t *ixy_sim_bar0(struct ixy_sim *sim, size_t *size);
uint16_t ixy_sim_device_id(const struct ixy_sim *sim);

/* ---- time ---- */
/* Stepped mode: do one round of DMA-engine work (fetch TX descriptors up to
 * the tail, hand frames to the wire, take frames from the wire into RX
 * descriptors, link state machine). Returns the number of frames moved. */
int ixy_sim_step(struct ixy_sim *sim);
/* Stepped mode with one thread per queue pair (RSS): one round of DMA work
 * for the port and its pair peer (as ixy_sim_step) in which only TX queues
 * first..first+count-1 transmit. The wire's input (generator, pcap, shm,
 * inject, the packet buffer), which RSS spreads over all RX queues, is
 * taken by rounds whose range includes queue 0 (thread 0 of a forwarder);
 * frames a pair peer sends arrive in the round that sends them. A thread
 * forwarding between two paired ports steps one of them (ixy_sim_peer).
 * Returns the frames moved, or -EINVAL (not stepped, queues out of range,
 * count 0).
 *
 * The rule for several threads: any thread may step any port at any time;
 * each round holds the port's lock (a pair's two ports share one), the one
 * the control path takes, so rounds are serialised and see no half-updated
 * model state. Each thread steps its own TX queues so that the work is done
 * once in total, not once per thread. A frame RSS puts on queue j may be
 * written by thread i's round while thread j polls queue j: that is the
 * driver/DMA protocol of a real NIC (descriptor status written last, with
 * release), as with the threaded engine. docs/sim.md, "Stepping from
 * several threads". */
int ixy_sim_step_queues(struct ixy_sim *sim, uint16_t first, uint16_t count);
/* The port's mode (fixed at creation). Ask this instead of probing with
 * ixy_sim_step, which fails on a threaded port and sets the last error. */
enum ixy_sim_mode ixy_sim_mode(const struct ixy_sim *sim);

/* ---- wires ---- */
int ixy_sim_wire_loopback(struct ixy_sim *sim);                   /* TX -> own RX */
int ixy_sim_wire_pair(struct ixy_sim *a, struct ixy_sim *b);      /* a.TX -> b.RX and back */
int ixy_sim_wire_iface(struct ixy_sim *sim, const char *ifname);  /* AF_PACKET on a Linux interface */
int ixy_sim_wire_pcap(struct ixy_sim *sim, const char *rx_file, const char *tx_file, bool loop);
int ixy_sim_wire_null(struct ixy_sim *sim);                       /* TX frames are dropped, nothing arrives */
/* Cable the port to the port of another process (or this one) that names
 * the same wire: shared memory /dev/shm/ixy-wire-NAME, two lock-free rings.
 * The first two openers are the ends, a third gets -EBUSY; the link is up
 * while the other end is there (closing or dying drops it). */
int ixy_sim_wire_shm(struct ixy_sim *sim, const char *name);
/* Bad data the wire refused: for a shm wire, indices, lengths and counters
 * in the shared segment that break the protocol (the other process, or
 * anything else writing the file). Each is dropped, counted here (and on
 * the receiving side in CRCERRS, i.e. ixy_stats.rx_errors) and reported as
 * a violation. 0 for other wires. */
uint64_t ixy_sim_wire_errors(const struct ixy_sim *sim);
struct ixy_sim_gen {
	uint32_t frame_len;     /* 60..9018 without CRC */
	double rate_pps;        /* 0 = as fast as possible; line rate 64 B = 14.88e6 */
	uint64_t count;         /* 0 = unlimited */
	uint32_t flows;         /* distinct UDP source ports, for RSS */
};
int ixy_sim_wire_generator(struct ixy_sim *sim, const struct ixy_sim_gen *gen);
/* Pull the cable / plug it back in (LINKS.LINK_UP follows; EICR.LSC is set). */
void ixy_sim_set_carrier(struct ixy_sim *sim, bool up);
/* Hot-plug the SFP+ module (SFP+ device ids only; IXY_SIM_SFP_NONE pulls it):
 * ESDP.SDP2 follows (EICR.GPI_SDP2 when GPIE enables SDP2 as an interrupt),
 * the I2C EEPROM changes, the link drops or trains. -EINVAL otherwise. */
int ixy_sim_set_sfp(struct ixy_sim *sim, enum ixy_sim_sfp type);

/* Test hooks: put one frame on the wire towards the port's RX, take one frame
 * the port transmitted (when no other wire consumes them: "capture" wire). */
int ixy_sim_inject(struct ixy_sim *sim, const void *frame, size_t len);
int ixy_sim_wire_capture(struct ixy_sim *sim, size_t max_frames);
int ixy_sim_capture_pop(struct ixy_sim *sim, void *buf, size_t buflen);  /* returns length or 0 */

/* ---- device servers: the driver in another address space ----
 * ixy-simd serves a port to User-Mode Linux, whose ixgbe driver writes UML
 * physical addresses into the rings. The model then translates through the
 * server's lookup instead of this process's pagemap. */
struct ixy_sim_dma_region {
	uint64_t addr;          /* bus address of the region's first byte */
	uint64_t len;
	void *virt;             /* where the region is mapped in this process */
};
/* lookup(ctx, addr, &r): fill r with the region holding addr and return 0,
 * or return -1 (the access is refused and counted as a DMA fault). Regions
 * are cached until ixy_sim_dma_invalidate; NULL restores pagemap. */
typedef int (*ixy_sim_dma_lookup_fn)(void *ctx, uint64_t addr, struct ixy_sim_dma_region *r);
int ixy_sim_set_dma_lookup(struct ixy_sim *sim, ixy_sim_dma_lookup_fn lookup, void *ctx);
/* The server's memory table changed: forget every cached region. */
void ixy_sim_dma_invalidate(struct ixy_sim *sim);

/* Interrupts (datasheet 7.3): the model's cause/mask/vector logic (EICR,
 * EIMS/EIMC, EIAC, EIAM, GPIE, IVAR, EITR) decides when an MSI-X vector
 * fires and calls fn(ctx, vector), with the port's lock held, from a
 * register access or the engine's round: fn must not call back into the
 * port (no register access, no step; record the vector and return). In
 * MSI or INTx mode (GPIE.MSIX_MODE = 0) the vector is 0, signalled when
 * EICR & EIMS becomes non-zero. fn NULL: messages go nowhere (the logic,
 * auto-clear and auto-mask included, runs the same). docs/sim.md has the
 * details. */
typedef void (*ixy_sim_irq_fn)(void *ctx, unsigned vector);
int ixy_sim_set_irq_handler(struct ixy_sim *sim, ixy_sim_irq_fn fn, void *ctx);
/* The interrupts asserted now (for tests and polling): in MSI-X mode one
 * bit per vector with a cause that is set and not masked (whether or not
 * its message was sent or is held by EITR); in MSI/INTx mode bit 0 when
 * EICR & EIMS is not 0. 0 for a NULL port. */
uint64_t ixy_sim_irq_pending(struct ixy_sim *sim);

/* Power the port off and on: the register file back to its power-on values
 * (as after the EEPROM load; the laser as configured), queues stopped,
 * frames waiting in the packet buffer dropped. A device server calls it when
 * its driver goes away, so the next one finds a fresh NIC. Wire, DMA lookup,
 * interrupt handler and the recorded violations stay. */
void ixy_sim_power_cycle(struct ixy_sim *sim);

/* ---- checks ---- */
/* Programming errors the model caught (ring written while enabled, misaligned
 * ring, tail beyond the ring, RX enabled before DMA init done, ...). */
unsigned ixy_sim_violation_count(const struct ixy_sim *sim);
const char *ixy_sim_violation(const struct ixy_sim *sim, unsigned i);
void ixy_sim_clear_violations(struct ixy_sim *sim);
/* DMA to addresses outside the process's DMA memory (refused, like an IOMMU fault). */
uint64_t ixy_sim_dma_faults(const struct ixy_sim *sim);
/* Frames the wire itself lost on its side, e.g. transmitted frames a pcap
 * file could not take (disk full: the file ends at its last whole frame),
 * and in *msg (may be NULL) the first such error's text: file and errno.
 * *msg is NULL when there was none. Apps print these with their totals. */
uint64_t ixy_sim_wire_lost(struct ixy_sim *sim, const char **msg);  /* NULL sim: 0 */
/* Register accesses the model does not know (offsets outside its table of
 * implemented or knowingly stored registers, docs/sim.md): reads are served
 * from the BAR0 image, writes stored there. The first 256 distinct offsets
 * are kept with their read and write counts, in order of first access. */
unsigned ixy_sim_unknown_reg_count(const struct ixy_sim *sim);
/* Entry i: returns 0, or -EINVAL when i is out of range (nothing written). */
int ixy_sim_unknown_reg(const struct ixy_sim *sim, unsigned i, uint32_t *off, uint64_t *reads, uint64_t *writes);
/* Is reg one the model knows? (the same table) */
bool ixy_sim_reg_known(uint32_t reg);

#ifdef __cplusplus
}
#endif
#endif
