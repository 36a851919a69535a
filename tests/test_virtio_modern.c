/* The virtio driver on a virtio 1.0 device (1af4:1041) behind the fake
 * VFIO (tests/common/fake_vfio.c): the PCI capabilities lead to the common,
 * notify, ISR and device configuration structures in BAR4, which is plain
 * memory the test reads and writes as the device. Covers the open sequence
 * (64-bit features with VERSION_1 and ACCESS_PLATFORM, FEATURES_OK, queue
 * addresses as IOVAs, queue_enable, DRIVER_OK), the MAC and link from the
 * device configuration, TX with the 12-byte header and the notify store,
 * NEEDS_RESET reported by ixy_get_link, refusals (no VERSION_1; no
 * ACCESS_PLATFORM behind VFIO; a missing capability), and that close
 * leaves nothing open or mapped. Needs 2 MiB hugepages (no root). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/vfio.h>

#include "drivers/virtio.h"
#include "error.h"
#include "fake_sysfs.h"
#include "fake_vfio.h"
#include "ixy/device.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "memory/iova.h"

#define NIC "0000:00:03.0"
#define GROUP 3
#define BAR 4
#define BAR_SIZE 0x4000
#define COMMON 0x0000
#define ISR 0x1000
#define DEVCFG 0x2000
#define NOTIFY 0x3000
#define NOTIFY_MULT 4
#define QSIZE 256

static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x1b, 0x00, 0x10 };
static char *root;

/* One virtio capability at cfg[at] (virtio 1.0, 4.1.4). */
static void put_cap(uint8_t *cfg, int at, int next, int type, uint32_t off, uint32_t len, int caplen)
{
	cfg[at] = VIRTIO_PCI_CAP_ID;
	cfg[at + 1] = (uint8_t)next;
	cfg[at + 2] = (uint8_t)caplen;
	cfg[at + VIRTIO_PCI_CAP_TYPE] = (uint8_t)type;
	cfg[at + VIRTIO_PCI_CAP_BAR] = BAR;
	memcpy(cfg + at + VIRTIO_PCI_CAP_OFFSET, &off, 4);
	memcpy(cfg + at + VIRTIO_PCI_CAP_LENGTH, &len, 4);
}

static uint8_t *bar(uint32_t off) { return fake_vfio.bar[BAR] + off; }
static uint32_t get32(uint32_t off) { uint32_t v; memcpy(&v, bar(off), 4); return v; }
static uint64_t get64(uint32_t off) { uint64_t v; memcpy(&v, bar(off), 8); return v; }
static uint16_t get16(uint32_t off) { uint16_t v; memcpy(&v, bar(off), 2); return v; }
static void set32(uint32_t off, uint32_t v) { memcpy(bar(off), &v, 4); }
static void set16(uint32_t off, uint16_t v) { memcpy(bar(off), &v, 2); }

/* The device's feature word: the same 32 bits answer for both halves of
 * the plain-memory register, so bits 0 and 1 stand for VERSION_1 and
 * ACCESS_PLATFORM in the upper half (and CSUM/GUEST_CSUM, which the
 * driver never takes, in the lower). */
static void offer(uint32_t word) { set32(COMMON + VIRTIO_COMMON_DF, word); }

static int setup_with(bool with_device_cap)
{
	uint8_t cfg[256];
	struct fake_pci_ids ids = { .vendor = 0x1af4, .device = 0x1041, .class_code = 2 };

	root = fake_sysfs_create();
	if (!root)
		return -1;
	fake_pci_config(cfg, sizeof(cfg), &ids);
	cfg[0x34] = 0x40;
	put_cap(cfg, 0x40, 0x54, VIRTIO_PCI_CAP_COMMON_CFG, COMMON, VIRTIO_COMMON_LEN, 16);
	put_cap(cfg, 0x54, 0x68, VIRTIO_PCI_CAP_ISR_CFG, ISR, 4, 16);
	put_cap(cfg, 0x68, with_device_cap ? 0x7c : 0, VIRTIO_PCI_CAP_NOTIFY_CFG, NOTIFY, 0x1000, 20);
	uint32_t mult = NOTIFY_MULT;
	memcpy(cfg + 0x68 + VIRTIO_PCI_NOTIFY_MULT, &mult, 4);
	if (with_device_cap)
		put_cap(cfg, 0x7c, 0, VIRTIO_PCI_CAP_DEVICE_CFG, DEVCFG, 0x100, 16);
	if (fake_sysfs_add_device(root, NIC, cfg, 64) || fake_vfio_sysfs_device(root, NIC, GROUP))
		return -1;
	fake_vfio_install(cfg, sizeof(cfg));
	if (fake_vfio_set_bar(BAR, BAR_SIZE, true))
		return -1;
	offer(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | 0x3);
	set16(COMMON + VIRTIO_COMMON_Q_SIZE, QSIZE);
	set16(COMMON + VIRTIO_COMMON_Q_NOFF, 1);     /* every queue at notify + 1 * 4 */
	memcpy(bar(DEVCFG + VIRTIO_NET_CFG_MAC), nic_mac, 6);
	set16(DEVCFG + VIRTIO_NET_CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	bar(COMMON + VIRTIO_COMMON_STATUS)[0] = 0x0f;   /* left over from someone else */
	ixy_clear_error();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_with(true);
}

static int setup_no_devcfg(void **state)
{
	(void)state;
	return setup_with(false);
}

static int teardown(void **state)
{
	(void)state;
	fake_vfio_uninstall();
	int r = fake_sysfs_destroy(root);
	root = NULL;
	return r ? -1 : 0;
}

static bool have_hugepages(void)
{
	char mount[256];
	if (ixy_hugetlbfs_find(0, NULL, mount, sizeof(mount)) < 0) {
		print_message("skipping: no 2 MiB hugetlbfs mounted\n");
		return false;
	}
	return true;
}

static struct ixy_device *open_nic(void)
{
	struct ixy_config cfg = { .sysfs_root = root, .link_timeout_ms = 50 };
	return ixy_open(NIC, &cfg);
}

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

/* Is [addr, addr + len) inside one of the IOMMU mappings? */
static bool mapped(uint64_t addr, uint64_t len)
{
	for (int i = 0; i < fake_vfio.num_maps; i++)
		if (addr >= fake_vfio.maps[i].iova && addr + len <= fake_vfio.maps[i].iova + fake_vfio.maps[i].size)
			return true;
	return false;
}

static void test_open_tx_close(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);
	assert_string_equal(ixy_device_model(dev), VIRTIO_MODEL_MODERN);

	/* bus mastering through the VFIO config region */
	assert_int_equal(fake_vfio.config[4] & 0x6, 0x6);
	/* features: the upper half written last, VERSION_1 | ACCESS_PLATFORM */
	assert_int_equal(get32(COMMON + VIRTIO_COMMON_GFSELECT), 1);
	assert_int_equal(get32(COMMON + VIRTIO_COMMON_GF), 0x3);
	assert_int_equal(d->features, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	assert_int_equal(d->features_hi, 0x3);
	/* ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK */
	assert_int_equal(bar(COMMON + VIRTIO_COMMON_STATUS)[0], 0x0f);
	/* queue 1 (TX) was set up last: its three addresses are IOVAs of the
	 * ring region, enable is 1, no MSI-X vector */
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_SELECT), VIRTIO_NET_TXQ);
	assert_int_equal(get64(COMMON + VIRTIO_COMMON_Q_DESC), d->txq.phys);
	assert_true(d->txq.phys >= IXY_IOVA_BASE);
	assert_true(mapped(get64(COMMON + VIRTIO_COMMON_Q_DESC), 16 * QSIZE));
	assert_int_equal(get64(COMMON + VIRTIO_COMMON_Q_AVAIL), d->txq.phys + 16 * QSIZE);
	assert_int_equal(get64(COMMON + VIRTIO_COMMON_Q_USED), d->txq.phys + virtio_vring_used_offset(QSIZE));
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_ENABLE), 1);
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_MSIX), VIRTIO_MSI_NO_VECTOR);
	/* RX buffers with room for the 12-byte header, at IOVAs */
	assert_int_equal(d->rxq.desc[0].len, VIRTIO_NET_HDR_LEN_MODERN + 2048);
	assert_true(mapped(d->rxq.desc[0].addr, d->rxq.desc[0].len));
	/* the RX kick: queue 0 written at notify + 1 * multiplier */
	assert_int_equal(get16(NOTIFY + NOTIFY_MULT), VIRTIO_NET_RXQ);

	uint8_t mac[6];
	assert_int_equal(ixy_get_mac(dev, mac), 0);
	assert_memory_equal(mac, nic_mac, 6);

	/* TX: 12-byte zero header in front of the frame, one notify store */
	struct ixy_mempool_opts po = { .num_entries = 64, .numa_node = -1 };
	struct ixy_mempool *pool = ixy_mempool_create(&po);
	assert_non_null(pool);
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(pool);
	b->len = 60;
	memset(ixy_pkt_data(b) - 16, 0xee, 16);
	memset(ixy_pkt_data(b), 0x42, 60);
	struct ixy_pkt_buf *bufs[1] = { b };
	assert_int_equal(ixy_tx_batch(dev, 0, bufs, 1), 1);
	uint16_t id = d->txq.avail->ring[0];
	assert_int_equal(d->txq.desc[id].addr, b->data_phys - VIRTIO_NET_HDR_LEN_MODERN);
	assert_int_equal(d->txq.desc[id].len, VIRTIO_NET_HDR_LEN_MODERN + 60);
	assert_true(mapped(d->txq.desc[id].addr, d->txq.desc[id].len));
	const uint8_t zero[VIRTIO_NET_HDR_LEN_MODERN] = { 0 };
	assert_memory_equal(ixy_pkt_data(b) - VIRTIO_NET_HDR_LEN_MODERN, zero, VIRTIO_NET_HDR_LEN_MODERN);
	assert_int_equal(ixy_pkt_data(b)[-VIRTIO_NET_HDR_LEN_MODERN - 1], 0xee);
	assert_int_equal(get16(NOTIFY + NOTIFY_MULT), VIRTIO_NET_TXQ);

	/* the device gives up: reported by ixy_get_link */
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	bar(COMMON + VIRTIO_COMMON_STATUS)[0] |= VIRTIO_STATUS_NEEDS_RESET;
	assert_int_equal(ixy_get_link(dev, &link), -EIO);
	assert_msg_has("DEVICE_NEEDS_RESET");
	/* gone: reads are all ones */
	bar(COMMON + VIRTIO_COMMON_STATUS)[0] = 0xff;
	assert_int_equal(ixy_get_link(dev, &link), -ENODEV);
	assert_msg_has("does not respond");

	/* the device "sent" the frame: close returns it */
	d->txq.used->ring[0].id = id;
	d->txq.used->idx = 1;
	ixy_close(dev);
	assert_int_equal(ixy_mempool_available(pool), 64);
	/* the rings and RX buffers left the IOMMU before their memory went;
	 * only the test's own pool is still mapped while the container lives */
	assert_int_equal(fake_vfio.unmap_calls, 2);
	assert_int_equal(bar(COMMON + VIRTIO_COMMON_STATUS)[0], 0);   /* reset at close */
	ixy_mempool_free(pool);
	assert_int_equal(fake_vfio.num_maps, 0);
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_false(ixy__iova_active());
}

static void test_rx_interrupt(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);
	assert_int_equal(d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);

	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	int fd = ixy_rx_queue_fd(dev, 0);
	assert_true(fd >= 0);
	/* MSI-X on with all five vectors, vector 0 to the queue's fd */
	assert_int_equal(fake_vfio.irq_count, 5);
	assert_int_equal(fake_vfio.irq_fds[VIRTIO_RX_VECTOR], fd);
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_SELECT), VIRTIO_NET_RXQ);
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_MSIX), VIRTIO_RX_VECTOR);
	assert_int_equal(d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);   /* still masked */

	/* empty ring: armed (interrupts wanted), nothing ready */
	assert_int_equal(ixy_rx_interrupt_arm(dev, 0), 0);
	assert_int_equal(d->rxq.avail->flags, 0);
	assert_int_equal(ixy_rx_interrupt_disarm(dev, 0), 0);
	assert_int_equal(d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	/* a frame in the used ring: arm sees it and says so */
	d->rxq.used->ring[0].id = d->rxq.avail->ring[0];
	d->rxq.used->ring[0].len = VIRTIO_NET_HDR_LEN_MODERN + 60;
	__atomic_store_n(&d->rxq.used->idx, 1, __ATOMIC_RELEASE);
	assert_int_equal(ixy_rx_interrupt_arm(dev, 0), 1);
	/* the wait returns at once too */
	assert_true(ixy_rx_wait(dev, 0, 1000) > 0);

	assert_int_equal(ixy_rx_interrupt_disable(dev, 0), 0);
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_MSIX), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(fake_vfio.irq_fds[VIRTIO_RX_VECTOR], -1);
	assert_int_equal(d->rxq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
	ixy_close(dev);
	assert_int_equal(fake_vfio.irq_count, 0);   /* MSI-X off at close */
	assert_int_equal(fake_vfio.open_fds, 0);
}

/* No MSI-X: the RX interrupt on INTx. The queue keeps NO_VECTOR; arming
 * reads the ISR (which deasserts the line) and unmasks INTx, which VFIO
 * masked when it fired. A device with MSI only: a clear refusal. */
static void test_rx_interrupt_intx(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	fake_vfio.msix_count = 0;
	fake_vfio.intx_count = 1;
	struct ixy_device *dev = open_nic();
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct virtio_dev *d = to_virtio(dev);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	int fd = ixy_rx_queue_fd(dev, 0);
	assert_int_equal(fake_vfio.irq_index, VFIO_PCI_INTX_IRQ_INDEX);
	assert_int_equal(fake_vfio.irq_count, 1);
	assert_int_equal(fake_vfio.irq_fds[0], fd);
	assert_int_equal(get16(COMMON + VIRTIO_COMMON_Q_MSIX), VIRTIO_MSI_NO_VECTOR);

	/* arm: INTx unmasked, interrupts wanted */
	int unmasks = fake_vfio.unmask_calls;
	assert_int_equal(ixy_rx_interrupt_arm(dev, 0), 0);
	assert_int_equal(fake_vfio.unmask_calls, unmasks + 1);
	assert_int_equal(d->rxq.avail->flags, 0);
	/* the device puts a frame in the used ring and raises the line: the
	 * wait wakes; a second raise while masked is held back */
	d->rxq.used->ring[0].id = d->rxq.avail->ring[0];
	d->rxq.used->ring[0].len = VIRTIO_NET_HDR_LEN_MODERN + 60;
	__atomic_store_n(&d->rxq.used->idx, 1, __ATOMIC_RELEASE);
	fake_vfio_raise(0);
	assert_true(fake_vfio.intx_masked);
	fake_vfio_raise(0);
	assert_true(ixy_rx_wait(dev, 0, 1000) > 0);
	/* the line was still up at the unmask: it fires again there */
	struct ixy_pkt_buf *b;
	assert_int_equal(ixy_rx_batch(dev, 0, &b, 1), 1);
	ixy_pkt_buf_free(b);
	assert_int_equal(ixy_rx_interrupt_arm(dev, 0), 0);
	assert_true(fake_vfio.intx_masked);
	uint64_t n;
	assert_int_equal(read(fd, &n, sizeof(n)), (ssize_t)sizeof(n));
	ixy_close(dev);
	assert_int_equal(fake_vfio.irq_count, 0);   /* INTx off at close */
	assert_int_equal(fake_vfio.open_fds, 0);

	fake_vfio.intx_count = 0;
	fake_vfio.msi_count = 1;
	dev = open_nic();
	assert_non_null(dev);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), -ENOTSUP);
	assert_msg_has("MSI-X or INTx only");
	ixy_close(dev);
	assert_int_equal(fake_vfio.open_fds, 0);
}

static void test_refuses_without_version_1(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	offer(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	assert_null(open_nic());
	assert_msg_has("VIRTIO_F_VERSION_1");
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_int_equal(fake_vfio.num_maps, 0);
}

static void test_refuses_without_access_platform_behind_vfio(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	offer(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS | 0x1);   /* VERSION_1 only */
	assert_null(open_nic());
	assert_msg_has("VIRTIO_F_ACCESS_PLATFORM");
	assert_msg_has("iommu_platform=on");
	assert_int_equal(fake_vfio.open_fds, 0);
}

static void test_refuses_without_device_cfg(void **state)
{
	(void)state;
	assert_null(open_nic());
	assert_msg_has("no virtio device configuration capability");
	assert_int_equal(fake_vfio.open_fds, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_tx_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_interrupt_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_without_version_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_without_access_platform_behind_vfio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_without_device_cfg, setup_no_devcfg, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
