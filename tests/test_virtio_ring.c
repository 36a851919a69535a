/* Legacy virtqueue arithmetic and feature choice of the virtio driver:
 * the sizes the device computes from the queue size alone (virtio 1.0,
 * 2.4.2) must match ours byte for byte, or it reads the used ring from
 * the wrong place. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "drivers/virtio.h"

static void test_vring_sizes(void **state)
{
	(void)state;
	/* 256 entries (QEMU's RX/TX default): 4096 descriptor bytes + 518
	 * avail bytes -> 8192; used 6 + 2048 -> 4096 */
	assert_int_equal(virtio_vring_used_offset(256), 8192);
	assert_int_equal(virtio_vring_bytes(256), 12288);
	/* 64 (QEMU's control queue): 1024 + 134 -> 4096; 6 + 512 -> 4096 */
	assert_int_equal(virtio_vring_used_offset(64), 4096);
	assert_int_equal(virtio_vring_bytes(64), 8192);
	/* 1024: 16384 + 2054 -> 20480; 6 + 8192 -> 12288 */
	assert_int_equal(virtio_vring_used_offset(1024), 20480);
	assert_int_equal(virtio_vring_bytes(1024), 32768);
	/* the largest: 524288 + 65542 -> 593920; 6 + 262144 -> 266240 */
	assert_int_equal(virtio_vring_used_offset(32768), 593920);
	assert_int_equal(virtio_vring_bytes(32768), 860160);
	/* 1 entry: still two pages */
	assert_int_equal(virtio_vring_bytes(1), 8192);
}

static void test_vring_invalid_sizes(void **state)
{
	(void)state;
	assert_int_equal(virtio_vring_bytes(0), 0);
	assert_int_equal(virtio_vring_bytes(3), 0);
	assert_int_equal(virtio_vring_bytes(384), 0);
	assert_int_equal(virtio_vring_bytes(65536), 0);
	assert_int_equal(virtio_vring_used_offset(100), 0);
}

static void test_used_ring_fields(void **state)
{
	(void)state;
	/* the structures the device reads and writes, field by field */
	assert_int_equal(sizeof(struct virtq_desc), 16);
	assert_int_equal(offsetof(struct virtq_desc, len), 8);
	assert_int_equal(offsetof(struct virtq_desc, flags), 12);
	assert_int_equal(offsetof(struct virtq_desc, next), 14);
	assert_int_equal(offsetof(struct virtq_avail, ring), 4);
	assert_int_equal(sizeof(struct virtq_used_elem), 8);
	assert_int_equal(offsetof(struct virtq_used, ring), 4);
	assert_int_equal(offsetof(struct virtio_net_hdr, csum_offset), 8);
}

static void test_layout_small_queues_share_a_page(void **state)
{
	(void)state;
	size_t bytes[4] = { 12288, 12288, 8192, 4096 }, offs[4];

	assert_int_equal(virtio_layout(bytes, 4, IXY_PAGE_2M, offs), 36864);
	assert_int_equal(offs[0], 0);
	assert_int_equal(offs[1], 12288);
	assert_int_equal(offs[2], 24576);
	assert_int_equal(offs[3], 32768);
}

static void test_layout_never_straddles_a_page(void **state)
{
	(void)state;
	/* three of the largest queues: the third would cross 2 MiB */
	size_t bytes[4] = { 860160, 860160, 860160, 4096 }, offs[4];

	assert_int_equal(virtio_layout(bytes, 4, IXY_PAGE_2M, offs), 2097152 + 860160 + 4096);
	assert_int_equal(offs[0], 0);
	assert_int_equal(offs[1], 860160);
	assert_int_equal(offs[2], 2097152);
	assert_int_equal(offs[3], 2097152 + 860160);
	for (int i = 0; i < 4; i++)
		assert_int_equal(offs[i] / IXY_PAGE_2M, (offs[i] + bytes[i] - 1) / IXY_PAGE_2M);
}

static void test_layout_block_larger_than_page(void **state)
{
	(void)state;
	size_t bytes[1] = { 2 * IXY_PAGE_2M }, offs[1];
	assert_int_equal(virtio_layout(bytes, 1, IXY_PAGE_2M, offs), 0);
}

static void test_features_taken(void **state)
{
	(void)state;
	const uint32_t wanted = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX |
				VIRTIO_NET_F_CTRL_RX_EXTRA | VIRTIO_F_ANY_LAYOUT;

	/* everything offered: only what the driver implements */
	assert_int_equal(virtio_net_pick_features(0xffffffffu), wanted);
	assert_int_equal(wanted, 0x08170020u);
	/* never the offloads, mergeable buffers, event index or multiqueue */
	uint32_t never = VIRTIO_NET_F_CSUM | VIRTIO_NET_F_GUEST_CSUM | VIRTIO_NET_F_GSO | VIRTIO_NET_F_MRG_RXBUF |
			 VIRTIO_F_RING_EVENT_IDX | VIRTIO_F_RING_INDIRECT_DESC | VIRTIO_NET_F_MQ |
			 VIRTIO_NET_F_CTRL_VLAN | VIRTIO_F_NOTIFY_ON_EMPTY;
	assert_int_equal(virtio_net_pick_features(never), 0);
	/* a subset stays that subset */
	assert_int_equal(virtio_net_pick_features(VIRTIO_NET_F_MAC | VIRTIO_F_ANY_LAYOUT | VIRTIO_NET_F_MRG_RXBUF),
			 VIRTIO_NET_F_MAC | VIRTIO_F_ANY_LAYOUT);
}

static void test_features_dependencies(void **state)
{
	(void)state;
	/* CTRL_RX needs the control queue, CTRL_RX_EXTRA needs CTRL_RX (5.1.3.1) */
	assert_int_equal(virtio_net_pick_features(VIRTIO_NET_F_CTRL_RX | VIRTIO_NET_F_CTRL_RX_EXTRA), 0);
	assert_int_equal(virtio_net_pick_features(VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX_EXTRA),
			 VIRTIO_NET_F_CTRL_VQ);
	assert_int_equal(virtio_net_pick_features(VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX),
			 VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX);
}

static void test_supported_ids(void **state)
{
	(void)state;
	assert_string_equal(virtio_supported(0x1af4, 0x1000), VIRTIO_MODEL);
	assert_string_equal(virtio_supported(0x1af4, 0x1041), VIRTIO_MODEL_MODERN);  /* virtio 1.0 */
	assert_null(virtio_supported(0x1af4, 0x1042));  /* block device */
	assert_null(virtio_supported(0x8086, 0x1000));
}

static void test_modern_features(void **state)
{
	(void)state;
	uint64_t all = ~0ull;
	uint64_t got = virtio_net_pick_features_modern(all);
	/* VERSION_1 and ACCESS_PLATFORM, the network features, and bit 27
	 * (legacy ANY_LAYOUT) not: it means nothing to a modern device */
	assert_true(got & VIRTIO_F_VERSION_1);
	assert_true(got & VIRTIO_F_ACCESS_PLATFORM);
	assert_false(got & VIRTIO_F_ANY_LAYOUT);
	assert_int_equal((uint32_t)got, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_NET_F_CTRL_VQ |
					    VIRTIO_NET_F_CTRL_RX | VIRTIO_NET_F_CTRL_RX_EXTRA);
	assert_int_equal(got >> 32, 3);
	/* nothing is taken that is not offered */
	assert_int_equal(virtio_net_pick_features_modern(VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC),
			 VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC);
	assert_int_equal(virtio_net_pick_features_modern(1ull << 34 | VIRTIO_NET_F_MRG_RXBUF), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vring_sizes),
		cmocka_unit_test(test_vring_invalid_sizes),
		cmocka_unit_test(test_used_ring_fields),
		cmocka_unit_test(test_layout_small_queues_share_a_page),
		cmocka_unit_test(test_layout_never_straddles_a_page),
		cmocka_unit_test(test_layout_block_larger_than_page),
		cmocka_unit_test(test_features_taken),
		cmocka_unit_test(test_features_dependencies),
		cmocka_unit_test(test_supported_ids),
		cmocka_unit_test(test_modern_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
