/* Legacy split-virtqueue layout and feature choice: pure functions, so the
 * arithmetic is unit-tested without a device (tests/test_virtio_ring.c). */
#include "drivers/virtio.h"

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

static bool valid_size(uint32_t size)
{
	return size >= 1 && size <= VIRTQ_MAX_SIZE && (size & (size - 1)) == 0;
}

/* 2.4.2 (legacy interfaces): descriptor table (16 bytes per entry), then
 * the available ring (flags, idx, size entries, used_event: 2 bytes each),
 * padded to 4096; then the used ring (flags, idx, avail_event and 8 bytes
 * per entry), padded to 4096. The device derives the same offsets from
 * the queue size alone, which is why the padding is not optional. */
size_t virtio_vring_used_offset(uint32_t size)
{
	if (!valid_size(size))
		return 0;
	return align_up(sizeof(struct virtq_desc) * size + sizeof(uint16_t) * (3 + size), VIRTIO_LEGACY_ALIGN);
}

size_t virtio_vring_bytes(uint32_t size)
{
	if (!valid_size(size))
		return 0;
	return virtio_vring_used_offset(size) +
	       align_up(sizeof(uint16_t) * 3 + sizeof(struct virtq_used_elem) * size, VIRTIO_LEGACY_ALIGN);
}

size_t virtio_layout(const size_t *bytes, int n, size_t page_size, size_t *offsets)
{
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		if (bytes[i] > page_size)
			return 0;
		/* would it cross into the next page? then start there */
		if (off / page_size != (off + bytes[i] - 1) / page_size)
			off = align_up(off, page_size);
		offsets[i] = off;
		off += bytes[i];
	}
	return off;
}

uint32_t virtio_net_pick_features(uint32_t offered)
{
	/* MAC: read the address from the config space. STATUS: link state.
	 * CTRL_VQ + CTRL_RX: promiscuous / all-multicast on request.
	 * ANY_LAYOUT: header and frame in one descriptor (the header sits in
	 * the packet buffer's headroom). Everything else stays off: no
	 * MRG_RXBUF (so the header is 10 bytes and one buffer holds one
	 * frame), no checksum/GSO offloads (frames go out as they are), no
	 * EVENT_IDX (the flags-based notification suppression is enough for
	 * a driver that never takes interrupts), no MQ (one queue pair). */
	uint32_t want = offered & (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_CTRL_VQ | VIRTIO_F_ANY_LAYOUT);

	if (want & VIRTIO_NET_F_CTRL_VQ)
		want |= offered & VIRTIO_NET_F_CTRL_RX;
	if (want & VIRTIO_NET_F_CTRL_RX)
		want |= offered & VIRTIO_NET_F_CTRL_RX_EXTRA;
	return want;
}

uint64_t virtio_net_pick_features_modern(uint64_t offered)
{
	/* bit 27 is not ANY_LAYOUT for a modern device (VERSION_1 implies
	 * it), so take the network part without it */
	uint64_t want = virtio_net_pick_features((uint32_t)offered) & ~(uint64_t)VIRTIO_F_ANY_LAYOUT;

	/* ACCESS_PLATFORM: the device's DMA goes through the platform's
	 * IOMMU (the addresses we give are IOVAs); a device that offers it
	 * may refuse a driver that does not take it (6.1). */
	return want | (offered & (VIRTIO_F_VERSION_1 | VIRTIO_F_ACCESS_PLATFORM));
}
