/* libixy: packet buffers and mempools.
 *
 * A mempool is a fixed number of equal buffers carved out of DMA memory.
 * Each buffer starts with one cache line of metadata (struct ixy_pkt_buf),
 * then headroom (for prepending headers), then the cache-line aligned data
 * area that the NIC writes into. The physical address of the data area is
 * computed once at creation, so the hot path never looks anything up.
 *
 * Two kinds of pool:
 *  - single-thread (default): a plain stack of free indices, no atomics; the
 *    alloc/free functions below are inline. Use one per queue/thread.
 *  - shared (opts.shared = true): a lock-free stack (Treiber stack with a
 *    generation tag against ABA) that any number of threads may use at once.
 */
#ifndef IXY_MEMPOOL_H
#define IXY_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ixy_mempool;

/* RX offload status bits in ixy_pkt_buf.ol_flags. */
#define IXY_PKT_RX_IP_CKSUM_GOOD  0x0001u  /* NIC checked the IPv4 header checksum: good */
#define IXY_PKT_RX_IP_CKSUM_BAD   0x0002u
#define IXY_PKT_RX_L4_CKSUM_GOOD  0x0004u  /* NIC checked the TCP/UDP checksum: good */
#define IXY_PKT_RX_L4_CKSUM_BAD   0x0008u
#define IXY_PKT_RX_RSS_HASH       0x0010u  /* rss_hash is valid */
#define IXY_PKT_RX_VLAN           0x0020u  /* the NIC stripped an 802.1Q tag: its TCI is in vlan_tci
                                              (ixy_config.rx_vlan_strip) */
/* TX requests in ol_flags, set by the application; a receive overwrites
 * ol_flags with RX bits only, so a received buffer carries none.
 *
 * Offloads (the NIC does the work; ixgbe with ixy_config.tx_offload, see
 * ixy/packet.h and docs/driver.md "Offloads" for the rules): say which IP
 * version the frame carries, where its headers are (l2_len, l3_len, and
 * l4_len for TSO) and what the NIC is to do. The driver prepares the
 * checksum fields the way the NIC needs them (IPv4 header checksum 0, the
 * pseudo-header sum in the TCP/UDP field). Inconsistent requests (a
 * checksum without IPV4/IPV6, header lengths beyond the frame, TSO without
 * tso_mss, ...) are refused: the buffer is taken, freed, not sent, and
 * counted in ixy_stats.tx_errors. These flags stay set after sending. */
#define IXY_PKT_TX_IPV4           0x0100u  /* the frame is IPv4 at l2_len, header l3_len bytes */
#define IXY_PKT_TX_IPV6           0x0200u  /* IPv6 at l2_len, l3_len bytes incl. extension headers */
#define IXY_PKT_TX_IP_CKSUM       0x0400u  /* insert the IPv4 header checksum (IPV4 only) */
#define IXY_PKT_TX_TCP_CKSUM      0x0800u  /* insert the TCP checksum (L4 header at l2_len + l3_len) */
#define IXY_PKT_TX_UDP_CKSUM      0x1000u  /* insert the UDP checksum */
#define IXY_PKT_TX_VLAN           0x2000u  /* insert an 802.1Q tag with vlan_tci after the MAC addresses */
#define IXY_PKT_TX_TSO            0x4000u  /* TCP segmentation: tso_mss payload bytes per segment, TCP
                                              header l4_len bytes; includes IP (v4) and TCP checksums */
/* The IEEE 1588 request is one-shot: the ixgbe driver clears it when it
 * puts the buffer into a descriptor. */
#define IXY_PKT_TX_TIMESTAMP      0x8000u  /* take an IEEE 1588 TX timestamp (ixy/ptp.h) */
#define IXY_PKT_TX_OFFLOAD_MASK   0x7f00u  /* the offload requests above */

/* Metadata: exactly one cache line at the start of every buffer. */
struct ixy_pkt_buf {
	uint64_t data_phys;          /* physical address of the data area */
	struct ixy_mempool *pool;    /* owner */
	uint32_t idx;                /* index in the owner */
	uint32_t len;                /* bytes of frame in the data area */
	uint32_t rss_hash;           /* RX: RSS hash reported by the NIC */
	uint16_t ol_flags;           /* RX: IXY_PKT_RX_*; TX: IXY_PKT_TX_* requests */
	uint16_t data_off;           /* data = (uint8_t *)buf + data_off */
	uint32_t buf_len;            /* capacity of the data area in bytes */
	uint16_t queue;              /* RX: queue it arrived on */
	uint16_t state;              /* checked pools only: IXY_PKT_BUF_FREE while in the pool */
	/* offloads (see the IXY_PKT_TX_* / IXY_PKT_RX_VLAN flags) */
	uint16_t vlan_tci;           /* RX: tag stripped (IXY_PKT_RX_VLAN); TX: tag to insert (IXY_PKT_TX_VLAN) */
	uint16_t tso_mss;            /* TX: TCP payload bytes per segment (IXY_PKT_TX_TSO) */
	uint8_t l2_len;              /* TX: bytes before the IP header (14; 18 with a tag in the frame) */
	uint8_t l4_len;              /* TX: TCP header bytes incl. options (IXY_PKT_TX_TSO) */
	uint16_t l3_len;             /* TX: IP header bytes (20 for IPv4 without options, 40 for IPv6) */
	uint64_t userdata[2];        /* free for the application */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct ixy_pkt_buf) == 64, "pkt_buf metadata must be one cache line");

/* ixy_pkt_buf.state of a buffer that sits in a checked pool; anything else
 * means "handed out" (the RX path writes 0 with the queue number). */
#define IXY_PKT_BUF_FREE 0xf7eeu

/* The RX paths hand a buffer out with one 32-bit store of (queue, state
 * 0 = handed out): the same single store as the queue number alone, so a
 * checked pool's buffers that the driver took off the stack itself are
 * marked too, at no cost (the ixgbe one-at-a-time paths write the same four
 * bytes as part of a 16-byte store). Internal. */
static inline void ixy__pkt_buf_rx_out(struct ixy_pkt_buf *b, uint16_t queue)
{
	uint32_t v = queue;
	__builtin_memcpy(&b->queue, &v, sizeof(v));
}

static inline uint8_t *ixy_pkt_data(struct ixy_pkt_buf *b)
{
	return (uint8_t *)b + b->data_off;
}

struct ixy_mempool_opts {
	uint32_t num_entries;    /* number of buffers (required, >= 1) */
	uint32_t buf_len;        /* data area per buffer; 0 = 2048 */
	uint32_t headroom;       /* bytes before the data area; 0 = 64 (rounded up to 64) */
	bool shared;             /* lock-free pool usable from several threads */
	bool checked;            /* detect double frees (see below); also on with env
	                            IXY_MEMPOOL_CHECK=1 or a Debug build of libixy */
	int numa_node;           /* -1 = no placement */
	size_t page_size;        /* 0 = that of the hugetlbfs named below, else 2 MiB */
	const char *hugetlbfs;   /* mount override, NULL = find */
};

/* Create a pool; NULL + message on error (e.g. no hugepages). */
struct ixy_mempool *ixy_mempool_create(const struct ixy_mempool_opts *opts);
/* Checked pools: every buffer carries its state (in the pool or handed
 * out); freeing a buffer that is already in the pool (a double free) is
 * refused: the buffer is not pushed a second time (which would hand it out
 * twice later), the event is counted (ixy_mempool_double_frees) and a
 * message is recorded (ixy_last_error). Unchecked pools cost nothing for
 * this: alloc and free test one flag per batch either way, the same one
 * that sends shared pools out of line. */
uint64_t ixy_mempool_double_frees(const struct ixy_mempool *pool);

/* Release the pool. If all buffers are home, its DMA memory is freed now;
 * otherwise the pool lives on until the last outstanding buffer is
 * returned (e.g. buffers a forwarder handed to another port's TX ring, which
 * that port's NIC may still read), and is freed then. */
void ixy_mempool_free(struct ixy_mempool *pool);

uint32_t ixy_mempool_size(const struct ixy_mempool *pool);       /* num_entries */
uint32_t ixy_mempool_available(const struct ixy_mempool *pool);  /* free now (approximate if shared) */
uint32_t ixy_mempool_buf_len(const struct ixy_mempool *pool);
bool ixy_mempool_is_shared(const struct ixy_mempool *pool);

/* Buffer by index (0..num_entries-1), whether free or not. */
struct ixy_pkt_buf *ixy_mempool_get(const struct ixy_mempool *pool, uint32_t idx);

/* The shared pool's operations (out of line: they use atomics). */
uint32_t ixy_mempool_shared_alloc_batch(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n);
void ixy_mempool_shared_free_batch(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n);

/* Frees an orphaned pool whose last buffer came home (out of line, rare). */
void ixy__mempool_release_orphan(struct ixy_mempool *pool);

/* ---- internals needed by the inline fast path; do not touch ---- */
struct ixy_mempool {
	uint8_t *base;              /* virtual base of the buffers */
	size_t span;                /* bytes from base to the end of the last buffer */
	uint32_t entry_size;        /* bytes per buffer slot */
	uint32_t per_page;          /* buffers per hugepage (none straddles pages) */
	uint32_t page_pad;          /* unused bytes at the end of each page */
	uint32_t num_entries;
	uint32_t free_top;          /* single-thread: number of free indices on the stack */
	bool shared;
	bool slow;                  /* shared or checked: alloc/free go out of line */
	bool checked;
	bool orphaned;              /* ixy_mempool_free called with buffers out */
	struct ixy_pkt_buf **free_bufs; /* single-thread: stack of free buffers (top = free_top) */
	uint32_t *free_stack;       /* shared: next links by index */
	uint64_t head;              /* shared: (tag << 32) | top index, atomically */
	uint32_t buf_len;
	uint32_t headroom;
	struct ixy_dma_region *region;
	uint64_t double_frees;      /* checked pools: frees refused */
};

/* The out-of-line alloc/free of shared and checked pools. */
uint32_t ixy__mempool_slow_alloc_batch(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n);
void ixy__mempool_slow_free_batch(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n);

static inline struct ixy_pkt_buf *ixy__mempool_at(const struct ixy_mempool *p, uint32_t idx)
{
	uint32_t page = idx / p->per_page;
	return (struct ixy_pkt_buf *)(p->base + (size_t)idx * p->entry_size + (size_t)page * p->page_pad);
}

/* Allocate up to n buffers; returns how many were allocated (0 when empty).
 * Single-thread pools keep pointers, not indices, on their stack: popping
 * a batch is a copy, with no index-to-address arithmetic per buffer. */
static inline uint32_t ixy_pkt_buf_alloc_batch(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(pool->slow, 0))
		return ixy__mempool_slow_alloc_batch(pool, bufs, n);
	uint32_t top = pool->free_top;
	if (n > top)
		n = top;
	struct ixy_pkt_buf **__restrict out = bufs;
	struct ixy_pkt_buf *const *__restrict stack = pool->free_bufs + top - 1;
	for (uint32_t i = 0; i < n; i++)   /* LIFO: the most recently freed (cache-warm) first */
		out[i] = stack[-(ptrdiff_t)i];
	pool->free_top = top - n;
	return n;
}

/* One buffer, or NULL when the pool is empty. */
static inline struct ixy_pkt_buf *ixy_pkt_buf_alloc(struct ixy_mempool *pool)
{
	struct ixy_pkt_buf *b;
	return ixy_pkt_buf_alloc_batch(pool, &b, 1) ? b : NULL;
}

/* Return n buffers that all belong to `pool`. */
static inline void ixy_pkt_buf_free_batch_pool(struct ixy_mempool *pool, struct ixy_pkt_buf **bufs, uint32_t n)
{
	if (__builtin_expect(pool->slow, 0)) {
		ixy__mempool_slow_free_batch(pool, bufs, n);
		return;
	}
	uint32_t top = pool->free_top;
	struct ixy_pkt_buf **__restrict stack = pool->free_bufs + top;
	struct ixy_pkt_buf *const *__restrict in = bufs;
	size_t i = 0;
	for (; i + 4 <= n; i += 4)   /* four pointers per step: two 16-byte moves */
		__builtin_memcpy(stack + i, in + i, 4 * sizeof(*in));
	for (; i < n; i++)
		stack[i] = in[i];
	top += n;
	pool->free_top = top;
	if (__builtin_expect(pool->orphaned, 0) && top == pool->num_entries)
		ixy__mempool_release_orphan(pool);
}

/* Return one buffer to the pool it came from. */
static inline void ixy_pkt_buf_free(struct ixy_pkt_buf *b)
{
	ixy_pkt_buf_free_batch_pool(b->pool, &b, 1);
}

/* Return n buffers, each to its own pool (runs of the same pool are freed
 * together; a run is followed four buffers per loop step). */
static inline void ixy_pkt_buf_free_batch(struct ixy_pkt_buf **bufs, uint32_t n)
{
	size_t i = 0;
	while (i < n) {
		struct ixy_mempool *p = bufs[i]->pool;
		size_t j = i;   /* bufs[i] too: a run of 32 is eight steps, no single ones */
		while (j + 4 <= n && bufs[j]->pool == p && bufs[j + 1]->pool == p && bufs[j + 2]->pool == p &&
		       bufs[j + 3]->pool == p)
			j += 4;
		while (j < n && bufs[j]->pool == p)
			j++;
		ixy_pkt_buf_free_batch_pool(p, bufs + i, (uint32_t)(j - i));
		i = j;
	}
}

#ifdef __cplusplus
}
#endif
#endif
