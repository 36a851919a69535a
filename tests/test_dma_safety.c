/* No DMA into freed memory: the device's queues are stopped (and confirmed)
 * before its rings and buffers are freed, on close and on every failed
 * open after the rings exist; the virtual 82599 notices memory freed under
 * an enabled queue (the check these tests rely on is itself tested first);
 * a port is driven by one driver only. Bus mastering and the PCI lock are
 * tested on fake sysfs trees in test_virtio_fake.c and test_ixgbe_init.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_sim_util.h"

#include "error.h"	/* ixy_last_error_code */
#include "ixy/device.h"
#include "sim_checks.h"

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

struct trace_log {
	char names[8192][24];
	uint32_t values[8192];
	bool write[8192];
	size_t n;
};

static void trace_cb(void *arg, const struct ixy_reg_access *a)
{
	struct trace_log *t = arg;
	if (t->n >= 8192)
		return;
	snprintf(t->names[t->n], sizeof(t->names[0]), "%s", a->name);
	t->values[t->n] = a->value;
	t->write[t->n] = a->write;
	t->n++;
}

static struct ixy_sim *new_port(const char *name)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .link_delay_us = 1 };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		fail_msg("ixy_sim_create: %s", ixy_last_error());
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_config cfg_of(uint16_t queues)
{
	struct ixy_config c = { .num_rx_queues = queues, .num_tx_queues = queues, .rx_ring_size = 64,
				.tx_ring_size = 64, .mempool_size = 256, .link_timeout_ms = 2000 };
	return c;
}

/* Every queue of the port disabled, receive off, nothing complained about. */
static void assert_port_quiet(struct ixy_sim *sim, uint16_t queues)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
	assert_int_equal(ixy_sim_reg_read(sim, R_RXCTRL) & 1, 0);
	for (uint16_t q = 0; q < queues; q++) {
		assert_int_equal(ixy_sim_reg_read(sim, R_RXDCTL(q)) & (1u << 25), 0);
		assert_int_equal(ixy_sim_reg_read(sim, R_TXDCTL(q)) & (1u << 25), 0);
	}
}

/* The model's check: freeing a ring or the receive buffers of an enabled
 * queue is reported (and the port survives it). */
static void test_model_reports_memory_freed_under_enabled_queue(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "dmafree,mode=stepped,wire=loop,link_delay_us=1");
	/* receive buffers in a region of their own */
	struct ixy_dma_region *bufs = ixy_dma_alloc(IXY_PAGE_2M, NULL);
	assert_non_null(bufs);
	tport_init(&p, 0);
	for (uint32_t i = 0; i < p.nrx; i++) {
		uint64_t a = ixy_dma_virt_to_phys(bufs, (uint8_t *)ixy_dma_virt(bufs) + 2048 * i);
		memcpy(p.rxring + 16 * i, &a, 8);
	}
	ixy_sim_step(p.sim);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);

	ixy_dma_free(bufs);
	assert_true(has_violation(p.sim, "RX queue 0: the buffer of descriptor"));
	unsigned n = ixy_sim_violation_count(p.sim);
	ixy_dma_free(p.mem);	/* rings (and TX buffers) while both queues are enabled */
	assert_true(has_violation(p.sim, "TX queue 0: its descriptor ring was freed while the queue is enabled"));
	assert_true(ixy_sim_violation_count(p.sim) > n);
	for (int i = 0; i < 10; i++)
		ixy_sim_step(p.sim);	/* stopped queues: no access to the unmapped pages */

	ixy_sim_destroy(p.sim);

	/* the same, done right: queues off first, then free: nothing to report */
	struct tport q;
	tport_open(&q, "dmafree2,mode=stepped,wire=loop,link_delay_us=1");
	tport_init(&q, 0);
	ixy_sim_step(q.sim);
	wr(&q, R_RXCTRL, 0);
	wr(&q, R_RXDCTL(0), 0);
	wr(&q, R_TXDCTL(0), 0);
	ixy_sim_step(q.sim);
	ixy_dma_free(q.mem);
	ixy_sim_step(q.sim);
	print_violations(q.sim);
	assert_int_equal(ixy_sim_violation_count(q.sim), 0);
	assert_int_equal(ixy_sim_dma_faults(q.sim), 0);
	ixy_sim_destroy(q.sim);
}

/* Close: RXEN off, then every queue off (confirmed by reading it back),
 * then PCIe master disable (confirmed), then the memory goes; the model saw
 * nothing freed under a live queue. */
static void test_close_stops_dma_before_freeing(void **state)
{
	(void)state;
	static struct trace_log t;
	memset(&t, 0, sizeof(t));
	struct ixy_sim *sim = new_port("dma-close");
	struct ixy_config c = cfg_of(4);
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	/* traffic in flight: frames queued for TX, the RX rings full */
	struct ixy_mempool *pool = ixy_rx_mempool(dev, 0);
	struct ixy_pkt_buf *b[32];
	uint32_t got = ixy_pkt_buf_alloc_batch(pool, b, 32);
	assert_int_equal(got, 32);
	for (uint32_t i = 0; i < got; i++) {
		b[i]->len = 60;
		memset(ixy_pkt_data(b[i]), 0xff, 60);
	}
	assert_int_equal(ixy_tx_batch(dev, 1, b, got), got);
	ixy_sim_step(sim);

	ixy_close(dev);
	assert_port_quiet(sim, 4);
	/* again, watching the close through the register trace */
	c.trace = true;
	c.trace_fn = trace_cb;
	c.trace_arg = &t;
	dev = ixy_open_sim(sim, &c);
	assert_non_null(dev);
	size_t opened = t.n;
	ixy_close(dev);
	assert_port_quiet(sim, 4);
	/* order: RXCTRL.RXEN cleared before the first queue is disabled, every
	 * RXDCTL/TXDCTL write clearing ENABLE followed by a read showing it off */
	long rxen_off = -1, first_q = -1;
	unsigned confirmed = 0;
	for (size_t i = opened; i < t.n; i++) {
		if (t.write[i] && strcmp(t.names[i], "RXCTRL") == 0 && !(t.values[i] & 1) && rxen_off < 0)
			rxen_off = (long)i;
		if (t.write[i] && (strncmp(t.names[i], "RXDCTL[", 7) == 0 || strncmp(t.names[i], "TXDCTL[", 7) == 0) &&
		    !(t.values[i] & (1u << 25))) {
			if (first_q < 0)
				first_q = (long)i;
			for (size_t j = i + 1; j < t.n; j++)
				if (!t.write[j] && strcmp(t.names[j], t.names[i]) == 0) {
					confirmed += !(t.values[j] & (1u << 25));
					break;
				}
		}
	}
	assert_true(rxen_off >= 0);
	assert_true(first_q > rxen_off);
	assert_int_equal(confirmed, 8);	/* 4 RX + 4 TX queues */
	/* then the PCIe master disable (CTRL.GIO_DIS, bit 2) after the last
	 * queue write, and STATUS.GIO (bit 19) read back clear */
	long last_q = -1, gio_dis = -1, gio_clear = -1;
	for (size_t i = opened; i < t.n; i++) {
		if (t.write[i] && (strncmp(t.names[i], "RXDCTL[", 7) == 0 || strncmp(t.names[i], "TXDCTL[", 7) == 0))
			last_q = (long)i;
		if (t.write[i] && strcmp(t.names[i], "CTRL") == 0 && (t.values[i] & (1u << 2)) && gio_dis < 0)
			gio_dis = (long)i;
		if (!t.write[i] && strcmp(t.names[i], "STATUS") == 0 && !(t.values[i] & (1u << 19)) && gio_dis >= 0)
			gio_clear = (long)i;
	}
	assert_true(gio_dis > last_q);
	assert_true(gio_clear > gio_dis);
	ixy_sim_destroy(sim);
}

/* A failed open after the rings exist (here: the link never comes up)
 * stops the queues before freeing, and leaves the port reusable. */
static void test_failed_open_stops_dma(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_port("dma-nolink");
	ixy_sim_set_carrier(sim, false);
	struct ixy_config c = cfg_of(2);
	c.link_timeout_ms = 30;
	assert_null(ixy_open_sim(sim, &c));
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	assert_non_null(strstr(ixy_last_error(), "link did not come up"));
	assert_port_quiet(sim, 2);
	/* the rings had been live: the queues were enabled during the open */
	ixy_sim_set_carrier(sim, true);
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	assert_non_null(dev);
	ixy_close(dev);
	assert_port_quiet(sim, 2);
	ixy_sim_destroy(sim);
}

/* One driver per port: a sim port name cannot be opened twice in one
 * process, and the refusal leaves the first one working. */
static void test_sim_port_opened_twice(void **state)
{
	(void)state;
	const char *addr = "sim:dma-twice,mode=stepped,wire=loop,link_delay_us=1";
	struct ixy_config c = cfg_of(1);
	struct ixy_device *dev = ixy_open(addr, &c);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_null(ixy_open(addr, &c));
	assert_int_equal(ixy_last_error_code(), -EEXIST);
	assert_non_null(strstr(ixy_last_error(), "dma-twice"));
	assert_non_null(strstr(ixy_last_error(), "already exists in this process"));
	/* the first still moves frames */
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(ixy_rx_mempool(dev, 0));
	assert_non_null(b);
	b->len = 60;
	memset(ixy_pkt_data(b), 0xff, 60);
	assert_int_equal(ixy_tx_batch(dev, 0, &b, 1), 1);
	struct ixy_pkt_buf *r[4];
	uint32_t n = 0;
	for (int i = 0; i < 1000 && !n; i++) {
		ixy_sim_step(ixy_device_sim(dev));
		n = ixy_rx_batch(dev, 0, r, 4);
	}
	assert_int_equal(n, 1);
	assert_int_equal(r[0]->len, 60);
	ixy_pkt_buf_free(r[0]);
	ixy_close(dev);
	assert_null(ixy_sim_find("dma-twice"));
}

/* Checked pools through the ixgbe driver: the RX path hands out buffers it
 * took off the pool's stack itself (marked by its queue store), TX
 * reclaims them, close returns the ring's: no false alarm anywhere, and a
 * real double free by the application is refused and counted. */
static void test_checked_pools_through_the_driver(void **state)
{
	(void)state;
	setenv("IXY_MEMPOOL_CHECK", "1", 1);
	struct ixy_sim *sim = new_port("dma-checked");
	struct ixy_config c = cfg_of(1);
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	unsetenv("IXY_MEMPOOL_CHECK");
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	struct ixy_mempool *pool = ixy_rx_mempool(dev, 0);
	assert_true(pool->checked);
	uint32_t received = 0;
	struct ixy_pkt_buf *b[32], *r[32];
	for (int round = 0; round < 20; round++) {	/* several ring wraps (64 descriptors) */
		uint32_t n = ixy_pkt_buf_alloc_batch(pool, b, 16);
		assert_int_equal(n, 16);
		for (uint32_t i = 0; i < n; i++) {
			b[i]->len = 60;
			memset(ixy_pkt_data(b[i]), 0xff, 60);
		}
		ixy_tx_batch_busy_wait(dev, 0, b, n);
		uint32_t got = 0;
		for (int i = 0; i < 1000 && got < n; i++) {
			ixy_sim_step(sim);
			uint32_t k = ixy_rx_batch(dev, 0, r, 32);
			ixy_pkt_buf_free_batch(r, k);
			got += k;
		}
		assert_int_equal(got, n);
		received += got;
	}
	assert_int_equal(received, 20 * 16);
	assert_int_equal(ixy_mempool_double_frees(pool), 0);
	/* the application frees one buffer twice */
	struct ixy_pkt_buf *x = ixy_pkt_buf_alloc(pool);
	assert_non_null(x);
	uint32_t avail = ixy_mempool_available(pool);
	ixy_pkt_buf_free(x);
	ixy_pkt_buf_free(x);
	assert_int_equal(ixy_mempool_available(pool), avail + 1);
	assert_int_equal(ixy_mempool_double_frees(pool), 1);
	ixy_close(dev);
	assert_port_quiet(sim, 1);
	ixy_sim_destroy(sim);
}

/* The NIC is reset (a killed predecessor's DMA stopped) before the open
 * allocates any DMA memory for it: at the global reset (CTRL.RST, bit 26)
 * the process has no more DMA regions than before ixy_open. */
static int regions_at_reset;

static void reset_watch(void *arg, const struct ixy_reg_access *a)
{
	(void)arg;
	if (a->write && strcmp(a->name, "CTRL") == 0 && (a->value & (1u << 26)) && regions_at_reset < 0)
		regions_at_reset = ixy_dma_list(NULL, 0);
}

static void test_reset_before_memory(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_port("dma-reset-first");
	struct ixy_config c = cfg_of(2);
	c.trace = true;
	c.trace_fn = reset_watch;
	regions_at_reset = -1;
	int before = ixy_dma_list(NULL, 0);
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		fail_msg("open: %s", ixy_last_error());
	assert_int_equal(regions_at_reset, before);
	assert_true(ixy_dma_list(NULL, 0) > before);	/* rings and pools came after */
	ixy_close(dev);
	assert_int_equal(ixy_dma_list(NULL, 0), before);
	assert_port_quiet(sim, 2);
	ixy_sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_reports_memory_freed_under_enabled_queue),
		cmocka_unit_test(test_close_stops_dma_before_freeing),
		cmocka_unit_test(test_failed_open_stops_dma),
		cmocka_unit_test(test_sim_port_opened_twice),
		cmocka_unit_test(test_checked_pools_through_the_driver),
		cmocka_unit_test(test_reset_before_memory),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
