/* The legacy virtio-net data path: receive and transmit batches on split
 * virtqueues (2.4).
 *
 * The driver offers buffers by writing descriptor ids into the available
 * ring and publishing avail->idx; the device hands them back through the
 * used ring (id + bytes written) and used->idx. Both indices run freely
 * (16 bit, wrapping); slot = index & (size - 1). The device may return
 * buffers out of order, so everything is looked up by descriptor id,
 * never by position.
 *
 * Every frame has the 10-byte virtio_net_hdr in front of it (5.1.6). It
 * lives in the packet buffer's headroom (at least 64 bytes, see
 * ixy/mempool.h), so one descriptor covers header + frame (ANY_LAYOUT) and
 * the frame stays at the buffer's data pointer, where apps expect it.
 *
 * One notify per batch at most, and only when the device has not set
 * VRING_USED_F_NO_NOTIFY (virtio_notify). Interrupts are never wanted:
 * VRING_AVAIL_F_NO_INTERRUPT is set at open. x86 keeps stores in order,
 * so a release store of avail->idx publishes the ring entries before it. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "drivers/virtio.h"

static inline uint16_t load_used_idx(const struct virtio_queue *q)
{
	return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
}

static inline void publish_avail(struct virtio_queue *q)
{
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

static inline void count(struct virtio_queue *q, uint64_t packets, uint64_t bytes)
{
	/* only this queue's thread writes; the stats reader loads relaxed */
	__atomic_store_n(&q->packets, q->packets + packets, __ATOMIC_RELAXED);
	__atomic_store_n(&q->bytes, q->bytes + bytes, __ATOMIC_RELAXED);
}

/* The header length is 10 (legacy) or 12 (virtio 1.0) bytes. The batch
 * functions are instantiated once for each, so the per-packet code works
 * with an immediate as it did with one kind of device, and the choice
 * costs one branch per batch. */
#define BY_HDR_LEN(fn, q, ...) \
	((q)->hdr_len == VIRTIO_NET_HDR_LEN ? fn(q, __VA_ARGS__, VIRTIO_NET_HDR_LEN) \
					     : fn(q, __VA_ARGS__, VIRTIO_NET_HDR_LEN_MODERN))

static inline __attribute__((always_inline)) uint32_t rx_batch(struct virtio_queue *q, struct ixy_pkt_buf **bufs,
							       uint32_t n, const uint32_t hdr_len)
{
	const uint16_t mask = q->mask;
	const uint16_t seen = q->used_seen;
	uint64_t bytes = 0;

	uint16_t ready = (uint16_t)(load_used_idx(q) - seen);
	if (ready == 0)
		return 0;
	if (n > ready)
		n = ready;
	/* Fresh buffers go straight into the caller's array and are swapped
	 * with the received ones. An empty pool leaves the frames in the
	 * used ring for later; the device drops new ones meanwhile. */
	uint32_t got = ixy_pkt_buf_alloc_batch(q->pool, bufs, n);

	for (uint32_t i = 0; i < got; i++) {
		volatile struct virtq_used_elem *e = &q->used->ring[(uint16_t)(seen + i) & mask];
		uint16_t id = (uint16_t)e->id;
		struct ixy_pkt_buf *b = q->bufs[id];
		struct ixy_pkt_buf *fresh = bufs[i];

		/* len counts the header the device wrote in front of the frame */
		b->len = e->len - hdr_len;
		b->rss_hash = 0;
		b->ol_flags = 0;
		ixy__pkt_buf_rx_out(b, 0);
		bytes += b->len;
		bufs[i] = b;

		/* the same descriptor goes back with the fresh buffer; its
		 * length and WRITE flag were set at open and stay */
		q->bufs[id] = fresh;
		q->desc[id].addr = fresh->data_phys - hdr_len;
		q->avail->ring[(uint16_t)(q->avail_idx + i) & mask] = id;
	}
	if (got) {
		q->used_seen = (uint16_t)(seen + got);
		q->avail_idx = (uint16_t)(q->avail_idx + got);
		publish_avail(q);
		/* a device that ran out of buffers waits for this kick */
		virtio_notify(q);
		count(q, got, bytes);
	}
	return got;
}

uint32_t virtio_rx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct virtio_queue *q = &to_virtio(dev)->rxq;

	(void)queue;  /* one RX queue (no F_MQ); device.c checked the number */
	return BY_HDR_LEN(rx_batch, q, bufs, n);
}

uint32_t virtio_tx_reclaim(struct virtio_queue *q)
{
	enum { CHUNK = 64 };
	struct ixy_pkt_buf *done[CHUNK];
	uint16_t used = load_used_idx(q), seen = q->used_seen;
	uint32_t total = 0, k = 0;

	while (seen != used) {
		uint16_t id = (uint16_t)q->used->ring[seen & q->mask].id;
		done[k++] = q->bufs[id];
		q->free_ids[q->num_free++] = id;
		seen++;
		if (k == CHUNK) {
			ixy_pkt_buf_free_batch(done, k);
			total += k;
			k = 0;
		}
	}
	if (k)
		ixy_pkt_buf_free_batch(done, k);
	q->used_seen = seen;
	return total + k;
}

static inline __attribute__((always_inline)) uint32_t tx_batch(struct virtio_queue *q, struct ixy_pkt_buf **bufs,
							       uint32_t n, const uint32_t hdr_len)
{
	const uint16_t mask = q->mask;
	uint64_t bytes = 0;

	/* 1. Buffers the device has sent go home, their descriptors free:
	 * when the ring runs short, and also once a block of them is done,
	 * so a sender that sends a frame now and then (a latency probe from
	 * a small pool) gets its buffers back without filling the ring. */
	if (q->num_free < n || (uint16_t)(load_used_idx(q) - q->used_seen) >= VIRTIO_TX_RECLAIM_BLOCK)
		virtio_tx_reclaim(q);
	/* 2. One descriptor per frame, as many as are free. A frame longer
	 * than its buffer or the largest frame is taken but not sent (freed,
	 * counted): it would put the memory behind the buffer on the wire. */
	if (n > q->num_free)
		n = q->num_free;
	uint32_t used = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		if (__builtin_expect(b->len > b->buf_len || b->len > q->max_len, 0)) {
			ixy_pkt_buf_free(b);
			__atomic_store_n(&q->errors, q->errors + 1, __ATOMIC_RELAXED);
			continue;
		}
		uint16_t id = q->free_ids[--q->num_free];
		volatile struct virtq_desc *desc = &q->desc[id];

		/* all-zero header: no checksum to fill in, no GSO (5.1.6.2);
		 * two constant-size stores that overlap for the 10-byte
		 * legacy header and meet for the 12-byte modern one */
		uint8_t *data = ixy_pkt_data(b);
		memset(data - 8, 0, 8);
		memset(data - hdr_len, 0, 4);
		q->bufs[id] = b;
		desc->addr = b->data_phys - hdr_len;
		desc->len = hdr_len + b->len;
		desc->flags = 0;
		q->avail->ring[(uint16_t)(q->avail_idx + used) & mask] = id;
		bytes += b->len;
		used++;
	}
	if (used) {
		q->avail_idx = (uint16_t)(q->avail_idx + used);
		publish_avail(q);
		virtio_notify(q);
		count(q, used, bytes);
	}
	return n;
}

uint32_t virtio_tx_batch(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct virtio_queue *q = &to_virtio(dev)->txq;

	(void)queue;
	return BY_HDR_LEN(tx_batch, q, bufs, n);
}

int virtio_rx_fill(struct virtio_dev *d)
{
	struct virtio_queue *q = &d->rxq;
	uint32_t len = q->hdr_len + ixy_mempool_buf_len(q->pool);

	for (uint32_t id = 0; id < q->size; id++) {
		struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(q->pool);
		if (!b)
			return -ENOMEM;  /* cannot happen: the pool is larger than the ring (checked) */
		q->bufs[id] = b;
		q->desc[id].addr = b->data_phys - q->hdr_len;
		q->desc[id].len = len;
		q->desc[id].flags = VIRTQ_DESC_F_WRITE;
		q->avail->ring[id] = (uint16_t)id;
	}
	q->avail_idx = (uint16_t)q->size;
	publish_avail(q);
	return 0;
}
