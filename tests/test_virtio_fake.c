/* The virtio driver against a fake legacy virtio-net device: a fake sysfs
 * tree whose resource0 is a regular file standing in for the I/O BAR
 * (registers read back what was last written there), and the test playing
 * the device's side of the virtqueues in DMA memory. Covers the open
 * sequence (reset, status bits, features, queue addresses), the MAC and
 * link from the device config (also moved by MSI-X), RX and TX with
 * out-of-order completion and notification suppression, software
 * statistics, the refusals, and that close returns every buffer.
 * Needs root (pagemap) and 2 MiB hugepages; skipped otherwise. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "drivers/virtio.h"
#include "fake_sysfs.h"
#include "ixy/device.h"
#include "error.h"
#include "ixy/mempool.h"
#include "ixy/ptp.h"

#define NIC "0000:00:03.0"
#define QSIZE 256

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static char *root;

static bool can_run(void)
{
	if (geteuid() != 0) {
		print_message("skipping: the virtio driver tests need root (pagemap for DMA memory)\n");
		return false;
	}
	return true;
}

static void bar_rw(bool write, off_t off, void *buf, size_t len)
{
	char path[4096];
	assert_int_equal(fake_sysfs_path(path, sizeof(path), root, NIC, "resource0"), 0);
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
	assert_int_equal(n, (ssize_t)len);
	close(fd);
}

static uint32_t bar_get(off_t off, size_t width)
{
	uint32_t v = 0;
	bar_rw(false, off, &v, width);
	return v;
}

static void bar_set(off_t off, size_t width, uint32_t v)
{
	bar_rw(true, off, &v, width);
}

/* A legacy virtio-net function: config header with an optional MSI-X
 * capability, BAR0 an I/O window of 32 bytes, the register file seeded
 * with features, queue size, MAC and link status at config_base. */
static int add_device(uint32_t features, bool msix, bool io_bar)
{
	static const char *const res_io[] = {
		"0x000000000000c000 0x000000000000c01f 0x0000000000040101",
		"0x00000000febd1000 0x00000000febd1fff 0x0000000000040200",
	};
	static const char *const res_mem[] = {
		"0x00000000febd0000 0x00000000febd001f 0x0000000000040200",
	};
	const struct fake_pci_ids ids = {
		.vendor = 0x1af4, .device = 0x1000, .class_code = 0x02, .subsys_vendor = 0x1af4, .subsys_id = 1,
	};
	uint8_t cfg[256];
	int r;

	fake_pci_config(cfg, sizeof(cfg), &ids);
	if (msix) {
		cfg[0x34] = 0x40;
		cfg[0x40] = 0x11;           /* MSI-X */
		cfg[0x41] = 0;              /* last capability */
		cfg[0x42] = 0x02;           /* table size 3 */
		cfg[0x43] = 0x80;           /* enable */
	}
	root = fake_sysfs_create();
	if (!root)
		return -1;
	if ((r = fake_sysfs_add_device(root, NIC, cfg, sizeof(cfg))) ||
	    (r = fake_sysfs_set_resource(root, NIC, io_bar ? res_io : res_mem, io_bar ? 2 : 1)) ||
	    (r = fake_sysfs_add_bar_file(root, NIC, 0, 32)) || (r = fake_sysfs_set_numa_node(root, NIC, 0)))
		return r;
	uint32_t base = msix ? VIRTIO_REG_CONFIG_MSIX : VIRTIO_REG_CONFIG;
	bar_set(VIRTIO_REG_DEVICE_FEATURES, 4, features);
	bar_set(VIRTIO_REG_QUEUE_SIZE, 2, QSIZE);
	bar_set(VIRTIO_REG_DEVICE_STATUS, 1, 0x0f);  /* left over from someone else */
	bar_set(VIRTIO_REG_QUEUE_NOTIFY, 2, 0xffff);
	bar_rw(true, base + VIRTIO_NET_CFG_MAC, (void *)nic_mac, 6);
	if (!msix)
		bar_set(base + VIRTIO_NET_CFG_STATUS, 2, VIRTIO_NET_S_LINK_UP);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	int r = fake_sysfs_destroy(root);
	root = NULL;
	return r ? -1 : 0;
}

static struct ixy_device *open_nic(void)
{
	struct ixy_config cfg = { .sysfs_root = root, .link_timeout_ms = 50 };
	return ixy_open(NIC, &cfg);
}

/* The PCI command register of the fake device (config offset 4). */
static uint16_t pci_command(void)
{
	uint8_t cfg[8];
	assert_true(fake_sysfs_read(root, "bus/pci/devices/" NIC "/config", cfg, sizeof(cfg)) >= 6);
	return (uint16_t)(cfg[4] | cfg[5] << 8);
}
#define CMD_MASTER 0x4

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

#define BASIC_FEATURES (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | VIRTIO_F_ANY_LAYOUT)

static void test_open_sequence(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES | VIRTIO_NET_F_MRG_RXBUF | VIRTIO_NET_F_CSUM |
				    VIRTIO_F_RING_EVENT_IDX, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);

	assert_string_equal(ixy_driver_name(dev), "ixy-virtio");
	assert_int_equal(ixy_device_id(dev), 0x1000);
	assert_int_equal(ixy_num_rx_queues(dev), 1);
	/* features: exactly what the driver implements of the offer */
	assert_int_equal(bar_get(VIRTIO_REG_GUEST_FEATURES, 4), BASIC_FEATURES);
	/* ACKNOWLEDGE | DRIVER | DRIVER_OK, and the stale FEATURES_OK bit
	 * of before is gone: the device was reset first */
	assert_int_equal(bar_get(VIRTIO_REG_DEVICE_STATUS, 1), 0x07);
	/* the last queue set up was TX (no control queue offered) */
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_SELECT, 2), VIRTIO_NET_TXQ);
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_PFN, 4), d->txq.phys >> 12);
	assert_true(d->txq.phys != 0 && (d->txq.phys & 4095) == 0);
	assert_true((d->rxq.phys & 4095) == 0);
	assert_null(d->ctrlq.desc);
	/* the RX queue was kicked once it was full */
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), VIRTIO_NET_RXQ);
	assert_int_equal(d->rxq.avail->idx, QSIZE);
	assert_int_equal(d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_int_equal(d->txq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* used ring 4096-aligned right after descriptors + avail ring */
	assert_ptr_equal((const volatile uint8_t *)d->rxq.used, (const volatile uint8_t *)d->rxq.desc + 8192);
	for (uint32_t id = 0; id < QSIZE; id++) {
		struct ixy_pkt_buf *b = d->rxq.bufs[id];
		assert_non_null(b);
		assert_int_equal(d->rxq.desc[id].addr, b->data_phys - VIRTIO_NET_HDR_LEN);
		assert_int_equal(d->rxq.desc[id].len, VIRTIO_NET_HDR_LEN + 2048);
		assert_int_equal(d->rxq.desc[id].flags, VIRTQ_DESC_F_WRITE);
		assert_int_equal(d->rxq.avail->ring[id], id);
	}

	uint8_t mac[6];
	assert_int_equal(ixy_get_mac(dev, mac), 0);
	assert_memory_equal(mac, nic_mac, 6);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	bar_set(VIRTIO_REG_CONFIG + VIRTIO_NET_CFG_STATUS, 2, 0);
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_false(link.up);
	assert_int_equal(link.speed_mbps, 0);

	assert_true(pci_command() & CMD_MASTER);
	ixy_close(dev);
	/* close resets the device and clears bus mastering: no more DMA into
	 * freed memory */
	assert_int_equal(bar_get(VIRTIO_REG_DEVICE_STATUS, 1), 0);
	assert_int_equal(pci_command() & CMD_MASTER, 0);
}

/* One driver per device: a second open, from this process or another, is
 * refused with -EBUSY naming the holder; the claim ends with close or with
 * the holder's death. */
static void test_device_locked(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -EBUSY);
	assert_msg_has("already opened by this process");
	/* the refused open changed nothing: the first one still has its device */
	assert_true(pci_command() & CMD_MASTER);
	assert_int_equal(bar_get(VIRTIO_REG_DEVICE_STATUS, 1), 0x07);
	ixy_close(dev);

	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c = open_nic() ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	char c = 0;
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -EBUSY);
	char want[64];
	snprintf(want, sizeof(want), "in use by process %d", (int)child);
	assert_msg_has(want);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	dev = open_nic();	/* the dead holder's claim went with it */
	if (!dev)
		fail_msg("open after the holder died: %s", ixy_last_error());
	ixy_close(dev);
}

static void test_unsupported_controls(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t key[IXY_RSS_KEY_LEN] = { 0 }, reta[IXY_RSS_RETA_SIZE] = { 0 };

	assert_int_equal(ixy_set_mac(dev, mac), -ENOTSUP);
	assert_msg_has("MAC address is not supported");
	assert_int_equal(ixy_set_rss_key(dev, key), -ENOTSUP);
	assert_msg_has("RSS is not supported");
	assert_int_equal(ixy_set_rss_reta(dev, reta), -ENOTSUP);
	assert_msg_has(NIC);
	/* no control queue: promiscuous mode cannot change */
	assert_int_equal(ixy_set_promisc(dev, true), -ENOTSUP);
	assert_msg_has("VIRTIO_NET_F_CTRL_RX");
	assert_int_equal(ixy_set_broadcast(dev, true), 0);
	assert_int_equal(ixy_set_broadcast(dev, false), -ENOTSUP);
	assert_msg_has("CTRL_RX_EXTRA");
	/* no interrupts yet: a clear error naming the device and what is missing */
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), -ENOTSUP);
	assert_msg_has(NIC);
	assert_msg_has("VFIO backend");
	assert_int_equal(ixy_rx_wait(dev, 0, 10), -EINVAL);
	assert_msg_has("not enabled");
	/* no IEEE 1588 clock: a clear refusal pointing to software timestamps */
	uint64_t ns = 0;
	assert_int_equal(ixy_ptp_enable(dev), -ENOTSUP);
	assert_msg_has("software timestamps");
	assert_int_equal(ixy_ptp_read_clock(dev, &ns), -ENOTSUP);
	assert_int_equal(ixy_ptp_tx_timestamp(dev, &ns), -ENOTSUP);
	ixy_close(dev);
}

static void test_rx_out_of_order_and_notify(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);
	struct virtio_queue *q = &d->rxq;
	struct ixy_pkt_buf *bufs[32];

	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 32), 0);
	uint32_t avail_before = ixy_mempool_available(ixy_rx_mempool(dev, 0));

	/* the device fills descriptors 5 and 9 (in that order) */
	struct ixy_pkt_buf *b5 = q->bufs[5], *b9 = q->bufs[9];
	memset(ixy_pkt_data(b5) - VIRTIO_NET_HDR_LEN, 0, VIRTIO_NET_HDR_LEN);
	for (int i = 0; i < 60; i++)
		ixy_pkt_data(b5)[i] = (uint8_t)(i + 1);
	for (int i = 0; i < 100; i++)
		ixy_pkt_data(b9)[i] = (uint8_t)(200 - i);
	q->used->ring[0].id = 5;
	q->used->ring[0].len = VIRTIO_NET_HDR_LEN + 60;
	q->used->ring[1].id = 9;
	q->used->ring[1].len = VIRTIO_NET_HDR_LEN + 100;
	bar_set(VIRTIO_REG_QUEUE_NOTIFY, 2, 0xffff);
	q->used->idx = 2;

	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 32), 2);
	assert_ptr_equal(bufs[0], b5);
	assert_ptr_equal(bufs[1], b9);
	assert_int_equal(bufs[0]->len, 60);
	assert_int_equal(bufs[1]->len, 100);
	assert_int_equal(ixy_pkt_data(bufs[0])[59], 60);
	assert_int_equal(ixy_pkt_data(bufs[1])[99], 101);
	/* both descriptors went back, with fresh buffers, in used order */
	assert_int_equal(q->avail->idx, QSIZE + 2);
	assert_int_equal(q->avail->ring[0], 5);
	assert_int_equal(q->avail->ring[1], 9);
	assert_true(q->bufs[5] != b5 && q->bufs[9] != b9);
	assert_int_equal(q->desc[5].addr, q->bufs[5]->data_phys - VIRTIO_NET_HDR_LEN);
	assert_int_equal(q->desc[9].addr, q->bufs[9]->data_phys - VIRTIO_NET_HDR_LEN);
	assert_int_equal(ixy_mempool_available(ixy_rx_mempool(dev, 0)), avail_before - 2);
	/* and the device was told (it had not said NO_NOTIFY) */
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), VIRTIO_NET_RXQ);
	ixy_pkt_buf_free_batch(bufs, 2);

	/* the device says "don't kick me": a batch without a notify */
	q->used->flags = VIRTQ_USED_F_NO_NOTIFY;
	bar_set(VIRTIO_REG_QUEUE_NOTIFY, 2, 0xffff);
	q->used->ring[2].id = 0;
	q->used->ring[2].len = VIRTIO_NET_HDR_LEN + 64;
	q->used->idx = 3;
	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 32), 1);
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), 0xffff);
	ixy_pkt_buf_free(bufs[0]);

	/* batch size limits what is taken; the rest waits */
	for (uint16_t i = 0; i < 5; i++) {
		q->used->ring[3 + i].id = (uint32_t)(20 + i);
		q->used->ring[3 + i].len = VIRTIO_NET_HDR_LEN + 70;
	}
	q->used->idx = 8;
	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 3), 3);
	ixy_pkt_buf_free_batch(bufs, 3);
	assert_int_equal(ixy_rx_batch(dev, 0, bufs, 32), 2);
	ixy_pkt_buf_free_batch(bufs, 2);

	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.rx_packets, 8);
	/* bytes with 4 bytes of CRC per frame, like a NIC's counters */
	assert_int_equal(st.rx_bytes, 60 + 100 + 64 + 5 * 70 + 8 * 4);
	assert_int_equal(st.rxq[0].bytes, 60 + 100 + 64 + 5 * 70);
	assert_int_equal(st.tx_packets, 0);
	ixy_close(dev);
}

static void test_tx_and_reclaim(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);
	struct virtio_queue *q = &d->txq;
	/* checked: a buffer that close frees twice (and one it forgets) shows
	 * in the count below even though the numbers would balance */
	struct ixy_mempool_opts po = { .num_entries = 512, .numa_node = -1, .checked = true };
	struct ixy_mempool *pool = ixy_mempool_create(&po);
	if (!pool)
		fail_msg("mempool: %s", ixy_last_error());
	struct ixy_pkt_buf *bufs[QSIZE + 8];

	assert_int_equal(ixy_pkt_buf_alloc_batch(pool, bufs, 3), 3);
	for (int i = 0; i < 3; i++) {
		bufs[i]->len = (uint32_t)(64 + i);
		memset(ixy_pkt_data(bufs[i]) - 16, 0xee, 16);  /* garbage where the header goes */
		memset(ixy_pkt_data(bufs[i]), 0x30 + i, bufs[i]->len);
	}
	struct ixy_pkt_buf *sent[3] = { bufs[0], bufs[1], bufs[2] };
	assert_int_equal(ixy_tx_batch(dev, 0, bufs, 3), 3);
	assert_int_equal(q->avail->idx, 3);
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), VIRTIO_NET_TXQ);
	for (int i = 0; i < 3; i++) {
		uint16_t id = q->avail->ring[i];
		assert_ptr_equal(q->bufs[id], sent[i]);
		assert_int_equal(q->desc[id].addr, sent[i]->data_phys - VIRTIO_NET_HDR_LEN);
		assert_int_equal(q->desc[id].len, VIRTIO_NET_HDR_LEN + 64 + i);
		assert_int_equal(q->desc[id].flags, 0);
		const uint8_t zero[VIRTIO_NET_HDR_LEN] = { 0 };
		assert_memory_equal(ixy_pkt_data(sent[i]) - VIRTIO_NET_HDR_LEN, zero, VIRTIO_NET_HDR_LEN);
		assert_int_equal(ixy_pkt_data(sent[i])[-VIRTIO_NET_HDR_LEN - 1], 0xee);  /* only the header */
		assert_int_equal(ixy_pkt_data(sent[i])[0], 0x30 + i);
	}
	assert_int_equal(ixy_mempool_available(pool), 512 - 3);

	/* a frame longer than its buffer is taken, freed and counted, not
	 * given to the device */
	struct ixy_pkt_buf *big = ixy_pkt_buf_alloc(pool);
	big->len = big->buf_len + 1;
	assert_int_equal(ixy_tx_batch(dev, 0, &big, 1), 1);
	assert_int_equal(q->avail->idx, 3);
	assert_int_equal(ixy_mempool_available(pool), 512 - 3);
	struct ixy_stats est;
	assert_int_equal(ixy_read_stats(dev, &est), 0);
	assert_int_equal(est.tx_errors, 1);

	/* the device finishes the third, then the first (out of order) */
	q->used->ring[0].id = q->avail->ring[2];
	q->used->ring[1].id = q->avail->ring[0];
	q->used->idx = 2;
	assert_int_equal(virtio_tx_reclaim(q), 2);
	assert_int_equal(ixy_mempool_available(pool), 512 - 1);
	assert_int_equal(q->num_free, QSIZE - 1);

	/* fill the ring: only the free descriptors are taken */
	uint32_t n = ixy_pkt_buf_alloc_batch(pool, bufs, QSIZE + 8);
	assert_int_equal(n, QSIZE + 8);
	for (uint32_t i = 0; i < n; i++)
		bufs[i]->len = 60;
	q->used->flags = VIRTQ_USED_F_NO_NOTIFY;
	bar_set(VIRTIO_REG_QUEUE_NOTIFY, 2, 0xffff);
	assert_int_equal(ixy_tx_batch(dev, 0, bufs, n), QSIZE - 1);
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), 0xffff);  /* suppressed */
	assert_int_equal(ixy_tx_batch(dev, 0, bufs + QSIZE - 1, n - (QSIZE - 1)), 0);
	ixy_pkt_buf_free_batch(bufs + QSIZE - 1, n - (QSIZE - 1));

	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_packets, 3 + QSIZE - 1);
	assert_int_equal(st.txq[0].bytes, 64 + 65 + 66 + 60 * (QSIZE - 1));
	assert_int_equal(st.tx_bytes, st.txq[0].bytes + 4 * st.tx_packets);
	assert_int_equal(ixy_reset_stats(dev), 0);
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.tx_packets, 0);

	/* close hands every buffer still in the ring back to its pool */
	ixy_close(dev);
	assert_int_equal(ixy_mempool_available(pool), 512);
	assert_int_equal(ixy_mempool_double_frees(pool), 0);
	ixy_mempool_free(pool);
}

/* Buffers the device has sent come back to their pool within a block of
 * VIRTIO_TX_RECLAIM_BLOCK even while the ring is far from full: a sender
 * of one frame now and then from a small pool (ixy-latency's probes) does
 * not run dry with its buffers parked in the ring. */
static void test_tx_returns_sent_buffers(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_queue *q = &to_virtio(dev)->txq;
	struct ixy_mempool_opts po = { .num_entries = 64, .numa_node = -1, .checked = true };
	struct ixy_mempool *pool = ixy_mempool_create(&po);
	if (!pool)
		fail_msg("mempool: %s", ixy_last_error());
	/* 200 frames one at a time, each sent by the device at once: more
	 * than the pool has, fewer than the ring holds */
	for (uint16_t i = 0; i < 200; i++) {
		struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool);
		if (!b)
			fail_msg("pool empty after %u frames: sent buffers not returned", i);
		b->len = 60;
		assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
		q->used->ring[i & (QSIZE - 1)].id = q->avail->ring[i & (QSIZE - 1)];
		q->used->idx = (uint16_t)(i + 1);
	}
	/* 200 = 6 blocks of 32 + 8: the last 8 still in the ring */
	assert_int_equal(ixy_mempool_available(pool), 64 - 8);
	ixy_close(dev);
	assert_int_equal(ixy_mempool_available(pool), 64);
	assert_int_equal(ixy_mempool_double_frees(pool), 0);
	ixy_mempool_free(pool);
}

static void test_msix_moves_config(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	/* no STATUS feature: the link counts as up without asking */
	assert_int_equal(add_device(VIRTIO_NET_F_MAC | VIRTIO_F_ANY_LAYOUT, true, true), 0);
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_int_equal(to_virtio(dev)->config_base, VIRTIO_REG_CONFIG_MSIX);
	uint8_t mac[6];
	assert_int_equal(ixy_get_mac(dev, mac), 0);
	assert_memory_equal(mac, nic_mac, 6);
	assert_true(ixy_get_link_speed(dev) > 0);
	ixy_close(dev);
}

static void test_refusals(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	/* no ANY_LAYOUT */
	assert_int_equal(add_device(VIRTIO_NET_F_MAC, false, true), 0);
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -ENOTSUP);
	assert_msg_has("VIRTIO_F_ANY_LAYOUT");
	assert_int_equal(bar_get(VIRTIO_REG_DEVICE_STATUS, 1) & VIRTIO_STATUS_DRIVER_OK, 0);

	/* more than one queue pair */
	struct ixy_config cfg = { .sysfs_root = root, .num_rx_queues = 2 };
	assert_null(ixy_open(NIC, &cfg));
	assert_int_equal(ixy_last_error_code(), -ENOTSUP);
	assert_msg_has("VIRTIO_NET_F_MQ");

	/* offloads: refused, not ignored */
	struct ixy_config ol = { .sysfs_root = root, .tx_offload = true };
	assert_null(ixy_open(NIC, &ol));
	assert_int_equal(ixy_last_error_code(), -ENOTSUP);
	assert_msg_has("tx_offload");
	struct ixy_config vs = { .sysfs_root = root, .rx_vlan_strip = true };
	assert_null(ixy_open(NIC, &vs));
	assert_int_equal(ixy_last_error_code(), -ENOTSUP);
	assert_msg_has("rx_vlan_strip");
	assert_int_equal(fake_sysfs_destroy(root), 0);

	/* BAR0 a memory BAR (a modern-only layout) */
	assert_int_equal(add_device(BASIC_FEATURES, false, false), 0);
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -ENODEV);
	assert_msg_has("not a legacy virtio I/O-port BAR");
}

static void test_kernel_driver_interface_up(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	assert_int_equal(add_device(BASIC_FEATURES, false, true), 0);
	assert_int_equal(fake_sysfs_bind_driver(root, NIC, "virtio-pci"), 0);
	assert_int_equal(fake_sysfs_add_netif(root, NIC, "eth7", 0x1003), 0);
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -EBUSY);
	assert_msg_has("eth7");
	char buf[64];
	assert_int_equal(fake_sysfs_read(root, "bus/pci/drivers/virtio-pci/unbind", buf, sizeof(buf)), 0);

	/* where virtio-pci really keeps it: one level down, virtioN/net */
	assert_int_equal(fake_sysfs_write_text(root, NIC, "net/eth7/flags", "0x1002\n"), 0);
	assert_int_equal(fake_sysfs_write_text(root, NIC, "virtio0/net/eth8/flags", "0x1003\n"), 0);
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -EBUSY);
	assert_msg_has("eth8 is up");
	assert_int_equal(fake_sysfs_read(root, "bus/pci/drivers/virtio-pci/unbind", buf, sizeof(buf)), 0);

	struct ixy_config cfg = { .sysfs_root = root, .force = true };
	struct ixy_device *dev = ixy_open(NIC, &cfg);
	if (!dev)
		fail_msg("forced open: %s", ixy_last_error());
	assert_true(fake_sysfs_read(root, "bus/pci/drivers/virtio-pci/unbind", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, NIC));
	ixy_close(dev);
}

static void test_control_queue_timeout(void **state)
{
	(void)state;
	if (!can_run())
		skip();
	/* a control queue nobody serves: open fails on the promisc command */
	assert_int_equal(add_device(BASIC_FEATURES | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX, false, true), 0);
	assert_null(open_nic());
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	assert_msg_has("promiscuous mode");
	assert_msg_has("control queue");
	assert_int_equal(bar_get(VIRTIO_REG_GUEST_FEATURES, 4),
			 BASIC_FEATURES | VIRTIO_NET_F_CTRL_VQ | VIRTIO_NET_F_CTRL_RX);
	/* the control queue (2) was the last one given an address */
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_SELECT, 2), VIRTIO_NET_CTRLQ);
	assert_int_equal(bar_get(VIRTIO_REG_QUEUE_NOTIFY, 2), VIRTIO_NET_CTRLQ);
	/* and the failed open reset the device and cleared bus mastering */
	assert_int_equal(bar_get(VIRTIO_REG_DEVICE_STATUS, 1), 0);
	assert_int_equal(pci_command() & CMD_MASTER, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_open_sequence, teardown),
		cmocka_unit_test_teardown(test_unsupported_controls, teardown),
		cmocka_unit_test_teardown(test_rx_out_of_order_and_notify, teardown),
		cmocka_unit_test_teardown(test_tx_and_reclaim, teardown),
		cmocka_unit_test_teardown(test_tx_returns_sent_buffers, teardown),
		cmocka_unit_test_teardown(test_msix_moves_config, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
		cmocka_unit_test_teardown(test_kernel_driver_interface_up, teardown),
		cmocka_unit_test_teardown(test_control_queue_timeout, teardown),
		cmocka_unit_test_teardown(test_device_locked, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
