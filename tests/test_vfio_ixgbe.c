/* The unchanged ixgbe driver behind VFIO, end to end: the fake VFIO
 * (tests/common/fake_vfio.c) backed by a threaded sim port
 * (fake_vfio_sim.c): BAR0 accesses trap into the model's register file,
 * the model's DMA goes through the IOVAs the library mapped with
 * VFIO_IOMMU_MAP_DMA (anything else is refused), its interrupts through
 * the eventfds the library gave VFIO_DEVICE_SET_IRQS.
 *
 *  - open, link, frames forwarded back out with their bytes checked; the
 *    rings and buffers are IOVAs inside the mappings; nothing refused
 *  - MSI-X: a wait sleeps until a frame raises the queue's vector
 *  - MSI (no MSI-X, or too few vectors): GPIE without MSI-X mode, one
 *    vector, EICR demultiplexed to the queue's own eventfd
 *  - INTx: the same, and VFIO's automask undone after each interrupt
 *  - no interrupt at all: one clear error
 *  - a descriptor outside the IOVAs: the model refuses (counted), the
 *    process's memory is untouched, ixy_read_stats reports it
 *  - the kernel's request for the device (VFIO_PCI_REQ_IRQ_INDEX): DMA
 *    and interrupts stopped, the device released, -ENODEV
 *  - a device removed under the driver (all ones): -ENODEV, no crash;
 *    a timeout of 0 or below: -EINVAL
 *  - the queue's eventfd failing: -EIO from the wait
 *  - close leaves no fake fd, mapping or pinned memory behind
 * Needs a 2 MiB hugetlbfs (no root: IOVAs, no pagemap). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <cmocka.h>

#include "drivers/ixgbe.h"
#include "fake_sysfs.h"
#include "fake_vfio.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/pci.h"
#include "ixy/sim.h"

#define NIC "0000:00:04.0"
#define GROUP 4
#define FRAME_LEN 60
/* Registers, from the datasheet (8.2.3.5) rather than the driver's header. */
#define R_GPIE 0x00898
#define R_EIMS 0x00880
#define R_IVAR0 0x00900
#define GPIE_MSIX_MODE (1u << 4)
#define PCI_CMD_MASTER 0x4

static char *root;
static struct ixy_sim *sim;
static int sim_serial;

static void assert_msg_has(const char *frag)
{
	if (!strstr(ixy_last_error(), frag))
		fail_msg("last error lacks '%s': %s", frag, ixy_last_error());
}

static bool have_hugepages(void)
{
	char mount[256];
	if (ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, mount, sizeof(mount)) < 0) {
		print_message("skipping: no 2 MiB hugetlbfs mounted\n");
		return false;
	}
	return true;
}

static int setup(void **state)
{
	(void)state;
	char name[32];
	struct ixy_sim_config sc = { .mode = IXY_SIM_THREADED, .unthrottled = true, .link_delay_us = 1000 };

	root = fake_sysfs_create();
	if (!root || fake_sysfs_add_82599(root, NIC) || fake_vfio_sysfs_device(root, NIC, GROUP))
		return -1;
	snprintf(name, sizeof(name), "vfio_ixgbe%d", sim_serial++);
	sim = ixy_sim_create(name, &sc);
	if (!sim || ixy_sim_wire_capture(sim, 4096))
		return -1;
	uint8_t cfg[256] = { 0 };
	fake_vfio_install(cfg, sizeof(cfg));
	if (fake_vfio_back_by_sim(sim))
		return -1;
	ixy_clear_error();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_vfio_uninstall();
	ixy_sim_destroy(sim);
	sim = NULL;
	int r = fake_sysfs_destroy(root);
	root = NULL;
	return r ? -1 : 0;
}

static struct ixy_device *open_nic(uint16_t rxq)
{
	struct ixy_config cfg = { .sysfs_root = root, .num_rx_queues = rxq, .num_tx_queues = 1,
				  .promisc = true, .link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open(NIC, &cfg);
	if (!dev)
		fail_msg("ixy_open through the fake VFIO: %s", ixy_last_error());
	return dev;
}

/* Nothing of the fake left: fds, IOMMU mappings, pinned memory. */
static void assert_all_released(void)
{
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_int_equal(fake_vfio.num_maps, 0);
	assert_int_equal(fake_vfio.pinned, 0);
	assert_int_equal(fake_vfio.irq_count, 0);
}

static void frame(uint8_t *f, uint32_t seq)
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);            /* broadcast: accepted whatever the MAC */
	f[6] = 0x02;
	f[12] = 0x88;                  /* local experimental ethertype: not hashed, queue 0 */
	f[13] = 0xb5;
	memcpy(f + 14, &seq, 4);
	for (int i = 18; i < FRAME_LEN; i++)
		f[i] = (uint8_t)(seq * 7 + (uint32_t)i);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Receive up to want frames from queue q within 2 s. */
static uint32_t rx_some(struct ixy_device *dev, uint16_t q, struct ixy_pkt_buf **bufs, uint32_t want)
{
	uint32_t got = 0;
	uint64_t end = now_ms() + 2000;
	while (got < want && now_ms() < end)
		got += ixy_rx_batch(dev, q, bufs + got, want - got);
	return got;
}

/* ---- the data path ---- */

static void test_open_forward(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	enum { N = 100 };
	struct ixy_device *dev = open_nic(1);
	assert_true(ixy_dma_is_iova(to_ixgbe(dev)->rings));
	assert_true(fake_vfio.num_maps > 0);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	/* the driver's rings are IOVAs the container maps */
	struct ixgbe_dev *d = to_ixgbe(dev);
	bool in = false;
	for (int i = 0; i < fake_vfio.num_maps; i++)
		in |= d->rxq[0].ring_phys >= fake_vfio.maps[i].iova &&
		      d->rxq[0].ring_phys < fake_vfio.maps[i].iova + fake_vfio.maps[i].size;
	assert_true(in);

	uint8_t f[FRAME_LEN], out[2048];
	for (uint32_t i = 0; i < N; i++) {
		frame(f, i);
		assert_int_equal(ixy_sim_inject(sim, f, FRAME_LEN), 0);
	}
	struct ixy_pkt_buf *bufs[N];
	uint32_t got = rx_some(dev, 0, bufs, N);
	assert_int_equal(got, N);
	for (uint32_t i = 0; i < N; i++) {
		frame(f, i);
		assert_int_equal(bufs[i]->len, FRAME_LEN);
		assert_memory_equal(ixy_pkt_data(bufs[i]), f, FRAME_LEN);
	}
	uint32_t sent = 0;
	while (sent < N)
		sent += ixy_tx_batch(dev, 0, bufs + sent, N - sent);
	uint32_t seen = 0;
	uint64_t end = now_ms() + 2000;
	while (seen < N && now_ms() < end) {
		int len = ixy_sim_capture_pop(sim, out, sizeof(out));
		if (len <= 0)
			continue;
		frame(f, seen);
		assert_int_equal(len, FRAME_LEN);
		assert_memory_equal(out, f, FRAME_LEN);
		seen++;
	}
	assert_int_equal(seen, N);
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	assert_int_equal(st.rx_packets, N);
	assert_int_equal(st.tx_packets, N);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
	assert_int_equal(fake_vfio.dma_refused, 0);
	assert_int_equal(ixy_sim_violation_count(sim), 0);
	ixy_close(dev);
	assert_all_released();
}

/* ---- interrupts ---- */

struct injector {
	unsigned delay_ms;
	uint32_t seq;
};

static void *inject_later(void *arg)
{
	struct injector *in = arg;
	uint8_t f[FRAME_LEN];
	struct timespec ts = { 0, (long)in->delay_ms * 1000000 };
	nanosleep(&ts, NULL);
	frame(f, in->seq);
	(void)ixy_sim_inject(sim, f, FRAME_LEN);
	return NULL;
}

/* Three rounds: drain, wait; a frame injected 30 ms later wakes it. */
static void wait_rounds(struct ixy_device *dev, uint16_t q)
{
	struct ixy_pkt_buf *bufs[8];
	for (uint32_t r = 0; r < 3; r++) {
		pthread_t t;
		struct injector in = { .delay_ms = 30, .seq = r };
		assert_int_equal(pthread_create(&t, NULL, inject_later, &in), 0);
		int rc = ixy_rx_wait(dev, q, 5000);
		pthread_join(t, NULL);
		if (rc != 1)
			fail_msg("round %u: ixy_rx_wait returned %d: %s", r, rc, rc < 0 ? ixy_last_error() : "timeout");
		uint32_t n = rx_some(dev, q, bufs, 1);
		assert_int_equal(n, 1);
		uint32_t seq;
		memcpy(&seq, ixy_pkt_data(bufs[0]) + 14, 4);
		assert_int_equal(seq, r);
		ixy_pkt_buf_free_batch(bufs, n);
	}
	struct ixy_rx_irq_stats st;
	assert_int_equal(ixy_rx_interrupt_stats(dev, q, &st), 0);
	/* the arm before each sleep found the ring empty; the signals came
	 * from the interrupt (counted at the next arm: two of the three) */
	assert_true(st.arms >= 3);
	assert_true(st.interrupts >= 2);
}

static void test_msix(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(1);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	assert_int_equal(fake_vfio.irq_index, VFIO_PCI_MSIX_IRQ_INDEX);
	assert_int_equal(fake_vfio.irq_fds[0], ixy_rx_queue_fd(dev, 0));
	assert_true(ixy_sim_reg_read(sim, R_GPIE) & GPIE_MSIX_MODE);
	wait_rounds(dev, 0);
	ixy_close(dev);
	assert_all_released();
	assert_int_equal(ixy_sim_violation_count(sim), 0);
}

/* Which queue fds are readable now (bit per queue). */
static unsigned readable(struct ixy_device *dev, unsigned nq)
{
	struct pollfd p[4];
	unsigned r = 0;
	for (unsigned q = 0; q < nq; q++)
		p[q] = (struct pollfd){ .fd = ixy_rx_queue_fd(dev, (uint16_t)q), .events = POLLIN };
	assert_true(poll(p, nq, 0) >= 0);
	for (unsigned q = 0; q < nq; q++)
		r |= (p[q].revents & POLLIN) ? 1u << q : 0;
	return r;
}

/* Two RX queues on one line: a frame steered to queue q signals q's fd
 * and no other (the line thread read EICR). */
static void line_demux(void)
{
	struct ixy_pkt_buf *bufs[8];
	struct ixy_device *dev = open_nic(2);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 1, NULL), 0);
	assert_false(ixy_sim_reg_read(sim, R_GPIE) & GPIE_MSIX_MODE);
	/* IVAR: RX queue 0 -> EICR bit 0, queue 1 -> bit 1, both valid */
	assert_int_equal(ixy_sim_reg_read(sim, R_IVAR0) & 0x00ff00ffu, 0x00810080u);
	assert_int_equal(fake_vfio.irq_count, 1);

	for (uint16_t q = 0; q < 2; q++) {
		/* every RSS entry to q; the frame is a UDP one, so it is hashed */
		uint8_t reta[IXY_RSS_RETA_SIZE];
		memset(reta, q, sizeof(reta));
		assert_int_equal(ixy_set_rss_reta(dev, reta), 0);
		assert_int_equal(ixy_rx_interrupt_arm(dev, 0), 0);
		assert_int_equal(ixy_rx_interrupt_arm(dev, 1), 0);
		assert_int_equal(ixy_sim_reg_read(sim, R_EIMS) & 3u, 3u);
		uint8_t f[FRAME_LEN];
		frame(f, 100 + q);
		f[12] = 0x08;  /* IPv4/UDP */
		f[13] = 0x00;
		static const uint8_t ip[] = { 0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
					      0x30, 0x39, 0x00, 0x35, 0, 26, 0, 0 };
		memcpy(f + 14, ip, sizeof(ip));
		assert_int_equal(ixy_sim_inject(sim, f, FRAME_LEN), 0);
		uint64_t end = now_ms() + 2000;
		while (!readable(dev, 2) && now_ms() < end)
			usleep(1000);
		assert_int_equal(readable(dev, 2), 1u << q);
		/* it masked itself: the other queue is still armed */
		assert_int_equal(ixy_sim_reg_read(sim, R_EIMS) & 3u, 1u << (1 - q));
		assert_int_equal(rx_some(dev, q, bufs, 1), 1);
		ixy_pkt_buf_free_batch(bufs, 1);
		assert_int_equal(ixy_rx_interrupt_disarm(dev, 0), 0);
		assert_int_equal(ixy_rx_interrupt_disarm(dev, 1), 0);
	}
	/* and the public wait works as with MSI-X */
	uint8_t reta[IXY_RSS_RETA_SIZE];
	memset(reta, 0, sizeof(reta));
	assert_int_equal(ixy_set_rss_reta(dev, reta), 0);
	wait_rounds(dev, 0);
	ixy_close(dev);
	assert_all_released();
	assert_int_equal(ixy_sim_violation_count(sim), 0);
}

static void test_msi_without_msix(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	fake_vfio.msix_count = 0;
	fake_vfio.msi_count = 1;
	fake_vfio.intx_count = 1;
	line_demux();
	assert_int_equal(fake_vfio.unmask_calls, 0);   /* MSI needs none */
}

static void test_msi_when_msix_too_small(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	fake_vfio.msix_count = 1;   /* two queues need two */
	fake_vfio.msi_count = 1;
	struct ixy_device *dev = open_nic(2);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	assert_int_equal(fake_vfio.irq_index, VFIO_PCI_MSI_IRQ_INDEX);
	ixy_close(dev);
	assert_all_released();
}

static void test_intx(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	fake_vfio.msix_count = 0;
	fake_vfio.msi_count = 0;
	fake_vfio.intx_count = 1;
	line_demux();
	assert_true(fake_vfio.unmask_calls >= 5);   /* after every interrupt */
}

static void test_no_interrupt(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	fake_vfio.msix_count = 0;
	struct ixy_device *dev = open_nic(2);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), -ENOTSUP);
	assert_msg_has(NIC);
	assert_msg_has("no MSI-X, no MSI, no INTx");
	assert_int_equal(ixy_rx_queue_fd(dev, 0), -EINVAL);   /* nothing half enabled */
	ixy_close(dev);
	assert_all_released();

	fake_vfio.msix_count = 1;
	dev = open_nic(2);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), -ENOTSUP);
	assert_msg_has("1 MSI-X vectors, 2 are needed");
	/* polling still works */
	uint8_t f[FRAME_LEN];
	struct ixy_pkt_buf *b;
	frame(f, 1);
	assert_int_equal(ixy_sim_inject(sim, f, FRAME_LEN), 0);
	assert_int_equal(rx_some(dev, 0, &b, 1), 1);
	ixy_pkt_buf_free(b);
	ixy_close(dev);
	assert_all_released();
}

/* ---- bad input ---- */

static void test_descriptor_outside_iovas(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	static uint8_t canary[4096] __attribute__((aligned(4096)));
	memset(canary, 0xa5, sizeof(canary));
	struct ixy_device *dev = open_nic(1);
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[0];
	/* the next descriptor points at this process's own memory: a virtual
	 * address, no IOVA of the container (they start at 4 GiB) */
	q->ring[q->next].read.pkt_addr = (uint64_t)(uintptr_t)canary;
	uint8_t f[FRAME_LEN];
	frame(f, 7);
	assert_int_equal(ixy_sim_inject(sim, f, FRAME_LEN), 0);
	uint64_t end = now_ms() + 2000;
	while (ixy_sim_dma_faults(sim) == 0 && now_ms() < end)
		usleep(1000);
	assert_int_equal(ixy_sim_dma_faults(sim), 1);
	assert_int_equal(fake_vfio.dma_refused, 1);
	for (size_t i = 0; i < sizeof(canary); i++)
		if (canary[i] != 0xa5)
			fail_msg("canary byte %zu changed to 0x%02x", i, canary[i]);
	struct ixy_pkt_buf *b;
	assert_int_equal(ixy_rx_batch(dev, 0, &b, 1), 0);   /* nothing was written back */
	/* reported once, then cleared */
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), -EIO);
	assert_msg_has(NIC);
	assert_msg_has("DMA was refused");
	assert_msg_has("received master abort");
	assert_int_equal(ixy_read_stats(dev, &st), 0);
	ixy_sim_clear_violations(sim);
	ixy_close(dev);
	assert_all_released();
}

/* After the kernel's request: DMA off, interrupts off, the device fd
 * closed (what the kernel waits for), the group (so a kernel driver may
 * bind again) and with it the container and its mappings; the memory
 * stays allocated until ixy_close. */
static void assert_given_back(void)
{
	assert_false(fake_vfio.config[4] & PCI_CMD_MASTER);
	assert_int_equal(fake_vfio.irq_count, 0);
	assert_int_equal(fake_vfio.req_fd, -1);
	assert_int_equal(fake_vfio.open_fds, 0);
	assert_int_equal(fake_vfio.num_maps, 0);
}

static void test_kernel_wants_device_back(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(1);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	assert_true(fake_vfio.req_fd >= 0);
	assert_true(fake_vfio.config[4] & PCI_CMD_MASTER);
	assert_int_equal(fake_vfio.open_fds, 3);   /* container, group, device */
	/* vfio-pci's request: someone unbinds the device */
	uint64_t one = 1;
	assert_int_equal(write(fake_vfio.req_fd, &one, sizeof(one)), (ssize_t)sizeof(one));
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), -ENODEV);
	assert_msg_has(NIC);
	assert_msg_has("asked for the device back");
	assert_given_back();
	/* the data path does not crash: the BAR reads all ones now */
	struct ixy_pkt_buf *b;
	assert_int_equal(ixy_rx_batch(dev, 0, &b, 1), 0);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), -ENODEV);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), -ENODEV);
	ixy_close(dev);
	assert_all_released();
}

static void *request_later(void *arg)
{
	(void)arg;
	usleep(50 * 1000);  /* the waiter is asleep by now (or about to be) */
	uint64_t one = 1;
	if (write(fake_vfio.req_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return (void *)1;
	return NULL;
}

/* The kernel's request arrives while the app sleeps in ixy_rx_wait with a
 * long timeout: the wait watches the request too (ixy_event_fd), so the
 * device is given back now, not after the timeout, and the wait says why
 * instead of reporting a timeout. */
static void test_request_wakes_wait(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(1);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	int efd = ixy_event_fd(dev);
	assert_true(efd >= 0);
	assert_int_equal(efd, fake_vfio.req_fd);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, request_later, NULL), 0);
	/* 60 s: if the request were not watched, this returns 0 a minute later */
	assert_int_equal(ixy_rx_wait(dev, 0, 60000), -ENODEV);
	void *trc;
	pthread_join(t, &trc);
	assert_null(trc);
	assert_msg_has("asked for the device back");
	assert_given_back();
	assert_int_equal(ixy_event_fd(dev), -1);  /* released: nothing left to watch */
	ixy_close(dev);
	assert_all_released();
}

/* ixy-fwd -T 2 --interrupt: two threads asleep on one device's queues
 * wake on the same request (and the statistics thread may look too):
 * exactly one releases, each gets -ENODEV, the group goes once. */
struct waiter {
	struct ixy_device *dev;
	uint16_t queue;
	int rc;
};

static void *wait_queue(void *arg)
{
	struct waiter *w = arg;
	w->rc = ixy_rx_wait(w->dev, w->queue, 60000);
	return NULL;
}

static void test_request_wakes_two_waiters(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(2);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 1, NULL), 0);
	struct waiter w[2] = { { dev, 0, 1 }, { dev, 1, 1 } };
	pthread_t t[2], req;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, wait_queue, &w[i]), 0);
	assert_int_equal(pthread_create(&req, NULL, request_later, NULL), 0);
	void *trc;
	pthread_join(req, &trc);
	assert_null(trc);
	struct ixy_stats st;
	int stats_rc = ixy_read_stats(dev, &st);  /* the statistics thread's look, at the same time */
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(w[0].rc, -ENODEV);
	assert_int_equal(w[1].rc, -ENODEV);
	assert_int_equal(stats_rc, -ENODEV);
	assert_given_back();
	ixy_close(dev);
	assert_all_released();
}

static void test_device_removed(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(1);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	fake_vfio.removed = true;
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(dev, &st), -ENODEV);
	assert_msg_has("config space reads all ones");
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), -ENODEV);
	struct ixy_pkt_buf *b;
	assert_int_equal(ixy_rx_batch(dev, 0, &b, 1), 0);
	/* a wait times out instead of hanging or failing oddly */
	assert_true(ixy_rx_wait(dev, 0, 20) >= 0);
	assert_int_equal(ixy_rx_wait(dev, 0, 0), -EINVAL);
	assert_msg_has("positive timeout");
	assert_int_equal(ixy_rx_wait(dev, 0, -5), -EINVAL);
	ixy_close(dev);
	assert_all_released();
	fake_vfio.removed = false;
}

/* The queue's eventfd closed behind the library's back: the wait says
 * so (one error, no hang); the library's close then closes the fd number
 * it owns, which the test has put a fresh eventfd on. */
static void test_eventfd_error(void **state)
{
	(void)state;
	if (!have_hugepages())
		skip();
	struct ixy_device *dev = open_nic(1);
	assert_int_equal(ixy_rx_interrupt_enable(dev, 0, NULL), 0);
	int fd = ixy_rx_queue_fd(dev, 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(ixy_rx_wait(dev, 0, 1000), -EIO);
	assert_msg_has("RX queue 0");
	assert_msg_has("eventfd");
	struct ixy_rx_irq_stats st;
	assert_int_equal(ixy_rx_interrupt_stats(dev, 0, &st), 0);
	assert_int_equal(st.arms, 0);   /* it never slept */
	int again = eventfd(0, EFD_NONBLOCK);
	assert_true(again >= 0);
	if (again != fd) {
		assert_int_equal(dup2(again, fd), fd);
		close(again);
	}
	ixy_close(dev);
	assert_all_released();
	assert_int_equal(fcntl(fd, F_GETFD), -1);   /* closed by ixy_close */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_forward, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_without_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_when_msix_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_outside_iovas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_wants_device_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_wakes_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_wakes_two_waiters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eventfd_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
