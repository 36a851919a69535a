/* ixy-simd: a virtual 82599 served to User-Mode Linux as a PCI function.
 *
 * UML's "PCI over virtio" (arch/um/drivers/virt-pci.c) is a vhost-user
 * client: it connects to a unix socket per device, shares its physical
 * memory (SET_MEM_TABLE) and sets up two virtqueues in that memory. Queue 0
 * carries config-space and BAR accesses from UML to us (include/uapi/linux/
 * virtio_pcidev.h), queue 1 holds buffers UML posts for our interrupt
 * messages. Each port of the server is one sim port of the model (its
 * register file, DMA engine and wire) behind one such socket.
 *
 * Files, one job each:
 *   vhost_user.c  the socket: listening, messages and fds, the memory table
 *   virtq.c       split virtqueues living in UML's shared memory
 *   pcidev.c      the virtio_pcidev commands on queue 0
 *   config.c      the PCI function: config space, BARs, MSI/MSI-X state
 *   bar.c         BAR accesses: BAR0 to the model's registers, BAR4 to MSI-X
 *   irq.c         the model's interrupts as MSI-X/MSI/INTx messages on queue 1
 *   server.c      ports and the poll loop
 *   main.c        options, signals, the exit report
 *
 * Threads: the poll loop runs in one thread and owns the connection, the
 * command queue and the memory table. The model's engine thread (and the
 * poll loop itself, through register writes) calls the interrupt handler
 * with the port's model lock held; the handler only takes port->lock, which
 * guards the PCI function's interrupt state and the interrupt queue. Lock
 * order: model lock, then port->lock, then port->mem_lock. The poll loop
 * never calls into the model while holding port->lock.
 */
#ifndef IXY_SIMD_H
#define IXY_SIMD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/virtio_ring.h>

#include "ixy/sim.h"

#define SIMD_NUM_VQS		2	/* 0: commands from UML, 1: interrupts to UML */
#define SIMD_VQ_CMD		0
#define SIMD_VQ_IRQ		1
#define SIMD_MAX_REGIONS	8	/* memory regions per table (vhost-user's baseline) */
#define SIMD_MAX_PAYLOAD	4096	/* larger vhost-user messages close the connection */
#define SIMD_MAX_FDS		8	/* file descriptors per message */
#define SIMD_MAX_CMD		(16 + 4096)	/* one virtio_pcidev command, header + data */

/* 82599 PCI function layout (datasheet 9.3, as lspci shows an X520) */
#define SIMD_CFG_SIZE		4096
#define SIMD_BAR0_SIZE		(128u << 10)	/* the register file */
#define SIMD_BAR4_SIZE		(16u << 10)	/* MSI-X table at 0, PBA at 0x2000 */
#define SIMD_MSIX_VECTORS	64
#define SIMD_MSIX_PBA		0x2000
#define SIMD_CAP_PM		0x40
#define SIMD_CAP_MSI		0x50
#define SIMD_CAP_MSIX		0x70
#define SIMD_CAP_PCIE		0xa0

/* ---- the memory table (vhost_user.c) ---- */
struct simd_region {
	uint64_t gpa;		/* UML physical address of the first byte */
	uint64_t size;
	uint64_t uva;		/* the same byte in UML's (the client's) address space */
	void *map;		/* our mapping of the fd, from file offset 0 */
	size_t map_len;
	uint8_t *base;		/* map + mmap_offset: the byte at gpa */
};

struct simd_mem {
	unsigned n;
	struct simd_region r[SIMD_MAX_REGIONS];
};

/* ---- a split virtqueue in UML's memory (virtq.c) ---- */
struct simd_vq {
	unsigned num;			/* SET_VRING_NUM */
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set;			/* SET_VRING_ADDR translated */
	bool enabled;			/* SET_VRING_ENABLE */
	bool started;			/* a kick fd (or in-band kicks) was given */
	int kick_fd, call_fd;		/* -1 = none */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* our copy of used->idx */
	uint64_t errors;		/* chains refused (bad descriptors) */
};

/* One buffer chain taken from the avail ring: readable (out) and
 * writable (in) segments, already translated. */
#define SIMD_MAX_SEGS 16
struct simd_chain {
	uint16_t head;
	unsigned nout, nin;
	struct { uint8_t *p; uint32_t len; } out[SIMD_MAX_SEGS], in[SIMD_MAX_SEGS];
};

/* ---- the PCI function (config.c) ---- */
struct simd_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;	/* ctrl bit 0: vector masked */
};

struct simd_fn {
	uint8_t cfg[SIMD_CFG_SIZE];
	uint8_t wmask[SIMD_CFG_SIZE];	/* bits software may write */
	uint8_t w1c[SIMD_CFG_SIZE];	/* bits a written 1 clears */
	uint8_t ro_logged[SIMD_CFG_SIZE / 8];	/* read-only dwords already reported */
	struct simd_msix_entry msix[SIMD_MSIX_VECTORS];
	uint64_t pba;			/* MSI-X pending bits (masked vectors that fired) */
	uint64_t nobuf;			/* fired, unmasked, but UML had no interrupt buffer */
	bool msi_nobuf, intx_nobuf;
	uint16_t device_id;
	bool flr;			/* a function level reset was requested (the loop does it) */
};

/* ---- a served port (server.c) ---- */
struct simd_conn {
	int fd;				/* -1 = no UML connected */
	int slave_fd;			/* SET_SLAVE_REQ_FD's pipe, or -1 */
	uint64_t features, protocol_features;
	bool owner;
	/* a message being received (the socket is non-blocking) */
	uint8_t buf[12 + SIMD_MAX_PAYLOAD];
	size_t have;
	int fds[SIMD_MAX_FDS];
	unsigned nfds;
	uint64_t messages;
};

struct simd_port;

/* What epoll hands back: which port, which fd. */
enum simd_ev_kind { SIMD_EV_LISTEN, SIMD_EV_CONN, SIMD_EV_KICK, SIMD_EV_STOP };
struct simd_ev {
	enum simd_ev_kind kind;
	struct simd_port *port;
	unsigned vq;
};

struct simd_port {
	char name[64];
	char sock_path[108];
	uint64_t sock_dev, sock_ino;	/* the socket file we created (removed at exit if still ours) */
	struct ixy_sim *sim;
	int listen_fd;
	struct simd_conn conn;
	struct simd_ev ev_listen, ev_conn, ev_kick[SIMD_NUM_VQS];
	int epfd;

	pthread_mutex_t lock;		/* fn's interrupt state, vq[SIMD_VQ_IRQ] */
	struct simd_fn fn;
	struct simd_vq vq[SIMD_NUM_VQS];

	pthread_mutex_t mem_lock;	/* mem, for the model's DMA lookup */
	struct simd_mem mem;

	/* counters for the exit report */
	uint64_t sessions;		/* UML connections accepted */
	uint64_t cmds, refused;		/* commands served; accesses refused */
	uint64_t msi_sent, int_sent;
	/* the command ring as we found it: most commands waiting at once,
	 * and how often all its entries were (UML 6.1 drops a posted write
	 * that finds no room: scripts/uml-patches/virt-pci-posted-ring-full.patch) */
	unsigned cmd_peak, cmd_num;	/* most waiting; the ring's size then */
	uint64_t cmd_full;
	bool trace;			/* log every access (--trace) */
	uint64_t log_budget;		/* refusal lines left before going quiet */
};

struct simd_server {
	int epfd;
	int stop_fd;			/* eventfd: simd_server_stop */
	struct simd_ev ev_stop;
	struct simd_port *ports[8];
	unsigned nports;
	bool trace;
};

/* server.c */
int simd_server_init(struct simd_server *s);
/* Create the model port from spec ("[sim:]NAME,options", see docs/sim.md)
 * and listen on sock_path (an existing socket file is replaced). */
int simd_server_add(struct simd_server *s, const char *sock_path, const char *spec);
/* Serve until simd_server_stop (from any thread or a signal handler). */
int simd_server_run(struct simd_server *s);
/* One round: wait up to timeout_ms for events and handle them. */
int simd_server_poll(struct simd_server *s, int timeout_ms);
void simd_server_stop(struct simd_server *s);
void simd_server_report(struct simd_server *s, FILE *f);
void simd_server_free(struct simd_server *s);
/* UML went away (or was thrown out): forget the session, reset the function. */
void simd_port_disconnect(struct simd_port *p, const char *why);
/* A command asked for a function level reset: do it (port and function). */
void simd_port_flr_check(struct simd_port *p);

/* vhost_user.c */
/* The socket is readable: receive, and handle every complete message.
 * Returns 0, or -1 when the connection must be closed (already logged). */
int simd_vu_readable(struct simd_port *p);
void simd_mem_clear(struct simd_port *p);
/* UML physical address -> our pointer, if [gpa, gpa+len) is in one region. */
void *simd_gpa(struct simd_mem *m, uint64_t gpa, uint64_t len);
/* The model's DMA lookup (ixy_sim_set_dma_lookup). */
int simd_dma_lookup(void *ctx, uint64_t addr, struct ixy_sim_dma_region *r);

/* virtq.c */
void simd_vq_reset(struct simd_vq *vq);
/* Translate the ring addresses through the memory table; -1 if outside. */
int simd_vq_map(struct simd_vq *vq, struct simd_mem *m);
bool simd_vq_ready(const struct simd_vq *vq);
/* Take the next available chain: 1 = got one, 0 = ring empty, -1 = a
 * malformed chain (given back as used with length 0, counted). */
int simd_vq_pop(struct simd_vq *vq, struct simd_mem *m, struct simd_chain *c);
/* Entries the driver made available that we have not taken yet. */
unsigned simd_vq_pending(const struct simd_vq *vq);
void simd_vq_push(struct simd_vq *vq, uint16_t head, uint32_t len);
/* Tell UML about new used entries (unless it asked not to be told). */
void simd_vq_notify(struct simd_vq *vq);

/* config.c */
void simd_fn_init(struct simd_fn *fn, uint16_t device_id);
/* Power-on state of the function (a new UML connects, or an FLR). */
void simd_fn_reset(struct simd_fn *fn);
uint64_t simd_cfg_read(struct simd_port *p, uint32_t off, unsigned size);
void simd_cfg_write(struct simd_port *p, uint32_t off, unsigned size, uint64_t val);
bool simd_fn_memory_enabled(const struct simd_fn *fn);
uint32_t simd_bar_size(unsigned bar);	/* 0 = not a BAR of ours */

/* bar.c */
/* size bytes at off of BAR bar; false = refused (logged; reads give 0xff). */
bool simd_bar_read(struct simd_port *p, unsigned bar, uint64_t off, uint8_t *buf, uint32_t size);
bool simd_bar_write(struct simd_port *p, unsigned bar, uint64_t off, const uint8_t *buf, uint32_t size);

/* irq.c */
/* The model's interrupt handler (ixy_sim_set_irq_handler). */
void simd_irq(void *ctx, unsigned vector);
/* port->lock held: a vector was unmasked or UML posted buffers: send what
 * is pending and deliverable now. */
void simd_irq_flush_locked(struct simd_port *p);

/* pcidev.c */
/* Serve every command UML queued on queue 0. */
void simd_pcidev_kick(struct simd_port *p);
/* One command (header + data) -> reply bytes in resp; returns their count. */
uint32_t simd_pcidev_cmd(struct simd_port *p, const uint8_t *req, uint32_t len, uint8_t *resp, uint32_t resp_cap);

/* A line to stderr with the port's name; rate-limited for refusals. */
void simd_log(struct simd_port *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void simd_refuse(struct simd_port *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
