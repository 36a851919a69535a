/* libixy: the public device API.
 *
 * A device is one NIC port (or one virtual "sim:" port) with a number of
 * receive and transmit queues. Open it with ixy_open(), move packets with
 * ixy_rx_batch()/ixy_tx_batch() (one thread per queue, no locks), close it
 * with ixy_close(). Everything else is the control path: link, MAC address,
 * filters, statistics.
 *
 * Addresses:
 *   "0000:03:00.0" (or "03:00.0")  a PCI function; the driver is chosen from
 *                                  its vendor:device id (Intel ixgbe family,
 *                                  or legacy virtio-net 1af4:1000)
 *   "sim:SPEC"                     a virtual 82599 created from SPEC (the
 *                                  text after "sim:", see ixy/sim.h), driven
 *                                  by the same ixgbe code as real hardware
 *
 * Errors: NULL or a negative errno value, with the reason in
 * ixy_last_error() (see ixy/error.h).
 */
#ifndef IXY_DEVICE_H
#define IXY_DEVICE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ixy/mempool.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_device;
struct ixy_sim;

#define IXY_MAX_QUEUES 64          /* per direction (82599: 128 exist; 64 are plenty) */
#define IXY_MIN_RING_SIZE 64
#define IXY_MAX_RING_SIZE 4096
#define IXY_MAX_FRAME_SIZE 9728    /* largest frame incl. CRC the 82599 takes (MAXFRS) */
#define IXY_STATS_QUEUES 16        /* the 82599 has 16 per-queue counter sets */

/* NUMA placement values for ixy_config.numa_node (0 must mean "default"). */
#define IXY_NUMA_DEVICE 0          /* the device's node from sysfs (default) */
#define IXY_NUMA_NONE (-1)         /* no placement */
#define IXY_NUMA_NODE(n) ((n) + 1) /* exactly node n */

/* One register access, for the trace callback. */
struct ixy_reg_access {
	const char *device;        /* device name */
	bool write;
	uint32_t reg;              /* offset in BAR0 */
	uint32_t value;            /* written, or read back */
	const char *name;          /* e.g. "RDBAL[3]", "CTRL" ("?" if unknown) */
};
typedef void (*ixy_trace_fn)(void *arg, const struct ixy_reg_access *access);

/* Configuration of ixy_open(). All-zero means defaults (in brackets). */
struct ixy_config {
	uint16_t num_rx_queues;    /* 1..64 [1] */
	uint16_t num_tx_queues;    /* 1..64 [1] */
	uint16_t rx_ring_size;     /* power of two, 64..4096 [512] */
	uint16_t tx_ring_size;     /* power of two, 64..4096 [512] */
	uint32_t mempool_size;     /* buffers per RX queue [max(4096, rx_ring + tx_ring)];
	                              must exceed rx_ring_size */
	uint32_t max_frame_size;   /* largest frame accepted, incl. 4-byte CRC [1518];
	                              above 1518 = jumbo frames, up to IXY_MAX_FRAME_SIZE */
	bool promisc;              /* accept all unicast and multicast [off] */
	bool no_rx_checksum;       /* do not report the NIC's checksum status [report it] */
	/* Offloads [off] (ixgbe; the virtio driver refuses them with -ENOTSUP).
	 * tx_offload: honour the IXY_PKT_TX_* offload requests in ol_flags
	 * (checksums, VLAN insertion, TSO; ixy/mempool.h), through a second
	 * TX loop, so a port without them pays nothing; without it the
	 * requests are ignored (frames leave as they are). rx_vlan_strip: the
	 * NIC takes the 802.1Q tag out of received frames and reports its
	 * TCI (IXY_PKT_RX_VLAN, vlan_tci). */
	bool tx_offload;
	bool rx_vlan_strip;
	bool force;                /* unbind the kernel driver even if an interface is up */
	bool no_unbind;            /* never unbind; fail if a kernel driver is bound */
	bool link_optional;        /* open even if the link did not come up in time */
	uint32_t link_timeout_ms;  /* how long ixy_open waits for link [10000] */
	int numa_node;             /* IXY_NUMA_DEVICE, IXY_NUMA_NONE or IXY_NUMA_NODE(n) */
	bool trace;                /* log every control-path register access (also: env IXY_TRACE=1) */
	/* Where the trace goes [stderr, one line per access]. Called from the
	 * thread that made the library call and, on an ixgbe port whose RX
	 * interrupts share one MSI or INTx line (ixy_rx_interrupt_enable without
	 * MSI-X), also from the library's interrupt thread, which reads EICR
	 * and EIMS: a trace_fn must then be thread-safe. */
	ixy_trace_fn trace_fn;
	void *trace_arg;
	const char *sysfs_root;    /* [NULL = env IXY_SYSFS_ROOT, else "/sys"]; tests point it at a fake tree */
	const char *hugetlbfs;     /* hugetlbfs mount override [NULL = find one] */
	/* Cancellation [NULL]: while *cancel is non-zero, the link wait of
	 * ixy_open (and later ixy_wait_link calls) gives up with -ECANCELED,
	 * and the open closes what it set up (DMA stopped, memory freed).
	 * Point it at the flag a SIGINT/SIGTERM handler sets. */
	const volatile sig_atomic_t *cancel;
};

/* Open and initialise a device; see the address forms above. cfg may be
 * NULL (all defaults). Waits for the link up to link_timeout_ms. */
struct ixy_device *ixy_open(const char *addr, const struct ixy_config *cfg);

/* Attach the driver to an existing virtual port (the caller keeps owning
 * the port and destroys it after ixy_close). */
struct ixy_device *ixy_open_sim(struct ixy_sim *sim, const struct ixy_config *cfg);

/* Stop the device's DMA (queues disabled and confirmed, then PCI bus
 * mastering off), then free rings and the RX mempools. RX buffers the
 * application still holds keep their pool alive until they are freed.
 * NULL is fine. Closing twice (or using a closed device) is undefined in
 * C terms, as for free(); the library notices it where the memory still
 * reads back and refuses with -EBADF in ixy_last_error() instead of
 * touching anything. */
void ixy_close(struct ixy_device *dev);

/* ---- data path (one thread per queue) ----
 * These check dev, bufs and the queue number once per call (0 packets and
 * a message otherwise); the buffers in bufs[0..n) must be valid buffers the
 * caller owns (not checked: that would cost instructions per packet). */

/* Receive up to n packets from queue into bufs; returns how many (0 when
 * nothing arrived or the queue's mempool is empty). Each buffer carries len,
 * rss_hash, ol_flags (IXY_PKT_RX_*) and queue. Free them with
 * ixy_pkt_buf_free*() or send them with ixy_tx_batch(). Never blocks. */
uint32_t ixy_rx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n);

/* Queue up to n packets (buf->len bytes each, 60..max frame without CRC)
 * for transmission; returns how many were taken, in order (the rest stay
 * the caller's). Taken buffers return to their pools once sent. Never blocks.
 * A frame longer than its buffer's data area (buf_len) or the port's
 * largest frame (max(max_frame_size, 1518) - 4 bytes: what the port itself
 * would receive, without CRC) is taken but not sent: freed at once and
 * counted in ixy_stats.tx_errors. So is a frame with inconsistent offload
 * requests (ixy_config.tx_offload; a TSO frame may be longer than the
 * largest frame, up to its buffer and at most 16384 bytes, as its
 * segments are not). */
uint32_t ixy_tx_batch(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n);

/* Loop until all n are queued (spins while the ring is full). For a sim
 * port in stepped mode it steps the model while it waits. */
void ixy_tx_batch_busy_wait(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n);

/* The mempool an RX queue fills its ring from (e.g. to allocate TX buffers
 * from in a forwarder, or to check for leaks). */
struct ixy_mempool *ixy_rx_mempool(struct ixy_device *dev, uint16_t queue);

/* ---- interrupts: sleep while a queue is idle ----
 *
 * Each RX queue can get an interrupt, delivered to an eventfd the library
 * owns (one per queue): on a sim port the model's MSI-X logic writes it, with
 * the VFIO backend (later) the kernel does. The device's interrupt is armed
 * only while someone is about to sleep on it:
 *
 *   ixy_rx_interrupt_arm  unmasks the queue's vector, then looks at the ring
 *                         once more; a frame that arrived before the unmask
 *                         is seen there, one after it raises the interrupt,
 *                         so no frame is ever left in the ring unnoticed
 *   (sleep on the fd)     poll/epoll; the interrupt masks itself when it fires
 *
 * ixy_rx_wait does both for one queue, ixy_rx_wait_any for several, and
 * ixy_rx_hybrid polls while packets come and sleeps when they stop.
 * Interrupts are enabled per queue after ixy_open (not in ixy_config) so
 * that a device without them opens and polls as before, and the error of
 * enabling names exactly what is missing. PCI ports get them through VFIO
 * (MSI-X, else MSI or INTx: docs/vfio.md); ports on the uio/sysfs backend
 * and legacy virtio devices have none: -ENOTSUP, with a message saying
 * that interrupts need the VFIO backend. Enable/disable are control
 * calls (not concurrently with each other on one device); arm, wait and
 * the fd follow the data path's rule: one thread per queue. */
struct ixy_irq_config {
	uint32_t throttle_us;      /* minimum time between two interrupts of the queue
	                              (ixgbe: EITR, 2 us steps, up to 1022 us) [0 = none] */
};
/* Route queue's interrupt to its eventfd and program the device. cfg may be
 * NULL (defaults). Enabling again changes the throttle. The interrupt stays
 * masked until it is armed. 0 or a negative errno. */
int ixy_rx_interrupt_enable(struct ixy_device *dev, uint16_t queue, const struct ixy_irq_config *cfg);
/* Mask and unroute the interrupt and close the fd. Not enabled: 0. */
int ixy_rx_interrupt_disable(struct ixy_device *dev, uint16_t queue);

/* The queue's eventfd (enabled queues only), for poll/epoll: readable when
 * an armed interrupt fired. The library owns it (do not close it); reading it
 * is optional: ixy_rx_interrupt_arm discards what it holds. */
int ixy_rx_queue_fd(struct ixy_device *dev, uint16_t queue);

/* For event loops that sleep on the queues' fds themselves: an fd (owned
 * by the library) that becomes readable when the device needs attention,
 * today the kernel asking for a VFIO device back; then call
 * ixy_read_stats or ixy_get_link, which report it (-ENODEV) and release
 * the device. -1 when the port has none (not an error: nothing to watch),
 * -EINVAL for no device. ixy_rx_wait and ixy_rx_wait_any watch it themselves. */
int ixy_event_fd(struct ixy_device *dev);

/* Before sleeping on the fd: clear stale signals, unmask the queue's
 * interrupt, then check the ring once more. Returns 1 if packets are
 * already there (do not sleep: receive them; the interrupt is masked
 * again), 0 when armed and the ring is empty (sleep on the fd), <0 error.
 * The interrupt masks itself when it fires. */
int ixy_rx_interrupt_arm(struct ixy_device *dev, uint16_t queue);
/* Mask it again without sleeping (e.g. woken by something else). */
int ixy_rx_interrupt_disarm(struct ixy_device *dev, uint16_t queue);

/* Block until the queue has packets or timeout_ms (1..INT_MAX) passed:
 * >0 ready, 0 timeout (or a signal interrupted the wait), <0 error. A
 * timeout of 0 or below is an error (-EINVAL; poll with ixy_rx_batch, or
 * use the fd to wait without bound). Uses no CPU while it sleeps. A
 * stepped sim port has no time of its own: it is stepped while waiting. */
int ixy_rx_wait(struct ixy_device *dev, uint16_t queue, int timeout_ms);

/* Several queues (e.g. both ports of a forwarder) served by one thread. */
struct ixy_rxq {
	struct ixy_device *dev;
	uint16_t queue;
};
/* Block until one of the n queues (1..64, each enabled) has packets:
 * returns how many have (>0), 0 on timeout, <0 error; as ixy_rx_wait
 * otherwise. */
int ixy_rx_wait_any(const struct ixy_rxq *queues, unsigned n, int timeout_ms);

/* The hybrid: poll while packets come, sleep when they stop. Call
 * ixy_rx_hybrid_idle once per round of ixy_rx_batch calls over the queues
 * with the number of packets the round received. Once no packet came for
 * idle_us, it arms the queues' interrupts and sleeps (ixy_rx_wait_any) for
 * up to sleep_ms; any packet resets the idle time, and so does a wakeup (the
 * thread polls again for idle_us before sleeping again). The CPU used while
 * idle is then one wakeup per sleep_ms, and under load nothing is added but
 * a clock read per empty poll. Zero the struct, set the fields (0 =
 * default), keep it per thread. Returns 1 if it slept and packets are
 * there, 0 if it did not sleep or the sleep timed out, <0 error. */
#define IXY_HYBRID_IDLE_US 20
#define IXY_HYBRID_SLEEP_MS 100
struct ixy_rx_hybrid {
	uint32_t idle_us;          /* sleep after this long without packets [IXY_HYBRID_IDLE_US] */
	int sleep_ms;              /* longest sleep, so the caller's loop runs now and then [IXY_HYBRID_SLEEP_MS] */
	/* state and counters (read them, do not write) */
	uint64_t idle_since_ns;    /* CLOCK_MONOTONIC of the first empty round, 0 = busy */
	uint64_t sleeps;           /* times it armed and went to sleep */
	uint64_t wakeups;          /* sleeps that ended because packets came */
};
int ixy_rx_hybrid_idle(struct ixy_rx_hybrid *h, const struct ixy_rxq *queues, unsigned n, uint32_t received);

/* What a queue's interrupt did (since it was enabled). */
struct ixy_rx_irq_stats {
	uint64_t arms;             /* ixy_rx_interrupt_arm calls that found the ring empty */
	uint64_t interrupts;       /* signals the eventfd delivered */
	uint64_t ready_at_arm;     /* arms that found packets after unmasking (the race ixy lost) */
};
int ixy_rx_interrupt_stats(struct ixy_device *dev, uint16_t queue, struct ixy_rx_irq_stats *stats);

/* ---- identity ---- */
const char *ixy_device_name(const struct ixy_device *dev);   /* "0000:03:00.0" or "sim:NAME" */
const char *ixy_driver_name(const struct ixy_device *dev);   /* "ixy-ixgbe" */
const char *ixy_device_model(const struct ixy_device *dev);   /* "82599ES SFP+", ... */
uint16_t ixy_device_id(const struct ixy_device *dev);        /* PCI device id */
uint16_t ixy_num_rx_queues(const struct ixy_device *dev);
uint16_t ixy_num_tx_queues(const struct ixy_device *dev);
/* The virtual port behind a sim device (NULL for hardware). */
struct ixy_sim *ixy_device_sim(const struct ixy_device *dev);

/* ---- link ---- */
struct ixy_link {
	bool up;
	uint32_t speed_mbps;       /* 10000, 5000, 2500, 1000, 100, 10; 0 when down */
};
int ixy_get_link(struct ixy_device *dev, struct ixy_link *link);
/* Speed in Mbit/s, 0 when the link is down (or on error). */
uint32_t ixy_get_link_speed(struct ixy_device *dev);
/* Wait up to timeout_ms for link up: 0, or -ETIMEDOUT with a message
 * (-ECANCELED when ixy_config.cancel was set). */
int ixy_wait_link(struct ixy_device *dev, uint32_t timeout_ms);

/* ---- addresses and filters ---- */
int ixy_get_mac(struct ixy_device *dev, uint8_t mac[6]);
int ixy_set_mac(struct ixy_device *dev, const uint8_t mac[6]);
int ixy_set_promisc(struct ixy_device *dev, bool on);     /* all unicast + multicast */
int ixy_set_allmulti(struct ixy_device *dev, bool on);    /* all multicast */
int ixy_set_broadcast(struct ixy_device *dev, bool on);   /* accept broadcast (default on) */

/* ---- RSS (receive side scaling) ----
 * IPv4/IPv6 with TCP/UDP ports are hashed (Toeplitz, 40-byte key) and the
 * low 7 bits of the hash index a 128-entry redirection table (RETA) that
 * ixy_open fills round-robin over the RX queues (entry i -> queue i % n).
 * Default key: the well-known key of Microsoft's RSS specification
 * (6d 5a 56 da 25 5b 0e c2 ...), so hashes can be checked against its
 * published examples. */
#define IXY_RSS_KEY_LEN 40
#define IXY_RSS_RETA_SIZE 128
extern const uint8_t ixy_rss_default_key[IXY_RSS_KEY_LEN];
int ixy_set_rss_key(struct ixy_device *dev, const uint8_t key[IXY_RSS_KEY_LEN]);
int ixy_get_rss_key(struct ixy_device *dev, uint8_t key[IXY_RSS_KEY_LEN]);
/* Replace the redirection table: table[i] is the RX queue for hash index i. */
int ixy_set_rss_reta(struct ixy_device *dev, const uint8_t table[IXY_RSS_RETA_SIZE]);
int ixy_get_rss_reta(struct ixy_device *dev, uint8_t table[IXY_RSS_RETA_SIZE]);

/* ---- statistics ----
 * The NIC's counters clear when read; every ixy_read_stats() adds them to
 * 64-bit totals kept in the device and returns the totals. */
struct ixy_queue_stats {
	uint64_t packets;
	uint64_t bytes;
};
struct ixy_stats {
	uint64_t timestamp_ns;     /* CLOCK_MONOTONIC when read */
	uint64_t rx_packets;       /* good packets that passed the filters (GPRC) */
	uint64_t rx_bytes;         /* their bytes incl. CRC (GORC) */
	uint64_t tx_packets;       /* GPTC */
	uint64_t tx_bytes;         /* incl. CRC (GOTC) */
	uint64_t rx_dropped;       /* dropped for lack of RX descriptors/buffers (QPRDC) */
	uint64_t rx_missed;        /* dropped for lack of packet-buffer space (RXMPC) */
	uint64_t rx_errors;        /* CRC, length, illegal-byte and byte errors */
	uint64_t tx_errors;        /* frames ixy_tx_batch refused: longer than their buffer's data
	                              area or the port's largest frame, or with inconsistent offload
	                              requests (taken, freed, not sent) */
	struct ixy_queue_stats rxq[IXY_STATS_QUEUES];  /* queues 0..15 (bytes without CRC) */
	struct ixy_queue_stats txq[IXY_STATS_QUEUES];
};
int ixy_read_stats(struct ixy_device *dev, struct ixy_stats *stats);
/* Zero the totals (and the hardware counters). */
int ixy_reset_stats(struct ixy_device *dev);

/* Rates between two snapshots of the same device (prev older than now). */
struct ixy_rates {
	double seconds;
	double rx_mpps, tx_mpps;
	double rx_mbit, tx_mbit;   /* on the wire: frame + CRC + preamble/SFD (8) + IFG (12) */
};
struct ixy_rates ixy_stats_rates(const struct ixy_stats *now, const struct ixy_stats *prev);
/* Print "NAME RX: x Mpps, y Mbit/s | TX: ..." lines for the interval. */
void ixy_print_stats_diff(FILE *f, const char *name, const struct ixy_stats *now, const struct ixy_stats *prev);

#ifdef __cplusplus
}
#endif
#endif
