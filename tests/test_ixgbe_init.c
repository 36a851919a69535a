/* ixgbe driver: initialization against the virtual 82599, the register
 * trace of the datasheet sequence (4.6.3), configuration checks and the
 * clear errors of ixy_open. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_sysfs.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"
#include "error.h"  /* ixy_last_error_code */

/* ---- helpers ---- */

struct trace_log {
	struct ixy_reg_access *a;
	char (*names)[32];
	size_t n, cap;
};

static void trace_cb(void *arg, const struct ixy_reg_access *acc)
{
	struct trace_log *t = arg;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 1024;
		t->a = realloc(t->a, t->cap * sizeof(*t->a));
		t->names = realloc(t->names, t->cap * sizeof(*t->names));
		/* the names moved with their array */
		for (size_t i = 0; i < t->n; i++)
			t->a[i].name = t->names[i];
	}
	t->a[t->n] = *acc;
	snprintf(t->names[t->n], sizeof(t->names[0]), "%s", acc->name);
	t->a[t->n].name = t->names[t->n];
	t->n++;
}

static void trace_free(struct trace_log *t)
{
	free(t->a);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* First access at or after `from` that is a write (or read) of `name` whose
 * value has all of `bits` set (and, with exact, equals `value`). -1 if none. */
static long find(const struct trace_log *t, long from, bool write, const char *name, uint32_t bits)
{
	for (size_t i = (size_t)(from < 0 ? 0 : from); i < t->n; i++)
		if (t->a[i].write == write && strcmp(t->a[i].name, name) == 0 && (t->a[i].value & bits) == bits)
			return (long)i;
	return -1;
}

static long find_clear(const struct trace_log *t, long from, bool write, const char *name, uint32_t bits)
{
	for (size_t i = (size_t)(from < 0 ? 0 : from); i < t->n; i++)
		if (t->a[i].write == write && strcmp(t->a[i].name, name) == 0 && (t->a[i].value & bits) == 0)
			return (long)i;
	return -1;
}

static void assert_no_violations(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
}

static struct ixy_sim *new_sim(const char *name, uint16_t device_id)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id,
				     .mac = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 } };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		print_message("ixy_sim_create: %s\n", ixy_last_error());
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_config small_cfg(void)
{
	struct ixy_config c = { .rx_ring_size = 256, .tx_ring_size = 256, .mempool_size = 512,
				.link_timeout_ms = 2000 };
	return c;
}

/* ---- tests ---- */

static void test_init_reaches_link_up(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-up", 0);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = ixy_open_sim(sim, &cfg);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);

	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	assert_int_equal(ixy_get_link_speed(dev), 10000);

	uint8_t mac[6];
	static const uint8_t want[6] = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 };
	assert_int_equal(ixy_get_mac(dev, mac), 0);
	assert_memory_equal(mac, want, 6);

	assert_string_equal(ixy_driver_name(dev), "ixy-ixgbe");
	assert_string_equal(ixy_device_name(dev), "sim:init-up");
	assert_int_equal(ixy_device_id(dev), 0x10FB);
	assert_ptr_equal(ixy_device_sim(dev), sim);
	assert_int_equal(ixy_num_rx_queues(dev), 1);
	assert_int_equal(ixy_num_tx_queues(dev), 1);
	assert_non_null(ixy_rx_mempool(dev, 0));
	assert_null(ixy_rx_mempool(dev, 1));

	assert_no_violations(sim);
	ixy_close(dev);
	assert_no_violations(sim);
	ixy_sim_destroy(sim);
}

static void test_init_trace_follows_datasheet(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-trace", 0);
	struct trace_log t = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = trace_cb;
	cfg.trace_arg = &t;
	struct ixy_device *dev = ixy_open_sim(sim, &cfg);
	assert_non_null(dev);
	assert_true(t.n > 50);

	/* 4.6.3.1: the very first access masks all interrupts */
	assert_true(t.a[0].write);
	assert_string_equal(t.a[0].name, "EIMC");
	assert_int_equal(t.a[0].value, 0x7FFFFFFF);
	/* 5.2.5.3.2: PCIe master disable, and no request pending, before
	 * the reset */
	long gio = find(&t, 0, true, "CTRL", 1u << 2);
	assert_true(gio > 0);
	long gio_done = find_clear(&t, gio + 1, false, "STATUS", 1u << 19);
	assert_true(gio_done > gio);
	/* 4.6.3.2: global reset, polled until it self-clears: with the
	 * link down CTRL.LRST (device and link), with the link up CTRL.RST
	 * alone (the link may belong to the manageability firmware) */
	long links0 = find(&t, gio_done, false, "LINKS", 0);
	assert_true(links0 > gio_done);
	long rst = find(&t, links0, true, "CTRL", t.a[links0].value & (1u << 30) ? 1u << 26 : 1u << 3);
	assert_true(rst > links0);
	assert_int_equal(t.a[rst].value & 0x04000008, t.a[links0].value & (1u << 30) ? 1u << 26 : 1u << 3);
	long rst_done = find_clear(&t, rst + 1, false, "CTRL", 0x04000008);
	assert_true(rst_done > rst);
	/* interrupts masked again after the reset */
	long eimc2 = find(&t, rst_done, true, "EIMC", 0x7FFFFFFF);
	assert_true(eimc2 > rst_done);
	/* EEPROM auto-read done; the EEPROM checksum (word 0x3F read
	 * last) checked before anything else; then DMA init done */
	long ard = find(&t, eimc2, false, "EEC", 1u << 9);
	assert_true(ard > eimc2);
	long ee_sum = find(&t, ard, true, "EERD", (0x3Fu << 2) | 1u);
	assert_true(ee_sum > ard);
	long dmaidone = find(&t, ee_sum, false, "RDRXCTL", 1u << 3);
	assert_true(dmaidone > ee_sum);
	/* 4.6.4: SFP+ link: the module identified over I2C under the PHY0
	 * semaphore, the EEPROM's init sequence written to CORECTL, then
	 * AUTOC.LMS = 10G serial with AN restart (pipeline reset) */
	long i2c = find(&t, dmaidone, true, "I2CCTL", 0);
	assert_true(i2c > dmaidone);
	long phy_sem = find(&t, dmaidone, true, "SW_FW_SYNC", 1u << 1);
	assert_true(phy_sem > dmaidone && phy_sem < i2c);
	long corectl = find(&t, i2c, true, "CORECTL", 0);
	assert_true(corectl > i2c);
	long autoc = find(&t, corectl, true, "AUTOC", (3u << 13) | (1u << 12));
	assert_true(autoc > corectl);
	/* MAC address read */
	long ral = find(&t, autoc, false, "RAL[0]", 0);
	assert_true(ral > autoc);
	/* 4.6.5: statistics cleared by reading */
	long gprc = find(&t, autoc, false, "GPRC", 0);
	assert_true(gprc > autoc);
	/* 4.6.7: receive: CRC strip in both places, ring, SRRCTL, enable, tail */
	long crc = find(&t, gprc, true, "RDRXCTL", 1u << 1);
	assert_true(crc > gprc);
	long rdbal = find(&t, gprc, true, "RDBAL[0]", 0);
	assert_true(rdbal > gprc);
	long rdlen = find(&t, rdbal, true, "RDLEN[0]", 0);
	assert_true(rdlen > rdbal);
	assert_int_equal(t.a[rdlen].value, 256 * 16);
	long srrctl = find(&t, rdbal, true, "SRRCTL[0]", (1u << 25) | (1u << 28) | 2u);
	assert_true(srrctl > rdbal);
	long rxen_q = find(&t, srrctl, true, "RXDCTL[0]", 1u << 25);
	assert_true(rxen_q > srrctl);
	long rxen_q_ok = find(&t, rxen_q, false, "RXDCTL[0]", 1u << 25);
	assert_true(rxen_q_ok > rxen_q);
	long rdt = find(&t, rxen_q_ok, true, "RDT[0]", 0);
	assert_true(rdt > rxen_q_ok);
	assert_int_equal(t.a[rdt].value, 255);
	long rxen = find(&t, rdt, true, "RXCTRL", 1u);
	assert_true(rxen > rdt);
	/* 4.6.8: transmit: ring, TE, then queue enable read back */
	long tdbal = find(&t, rxen, true, "TDBAL[0]", 0);
	assert_true(tdbal > rxen);
	/* TXDCTL thresholds: PTHRESH 32, HTHRESH 1, WTHRESH 0 (with RS on
	 * one descriptor in 32, WTHRESH > 0 would make the NIC ignore RS) */
	long thr = find(&t, tdbal, true, "TXDCTL[0]", 0);
	assert_true(thr > tdbal);
	assert_int_equal(t.a[thr].value & 0x7F7F7F, 32u | 1u << 8);
	long te = find(&t, tdbal, true, "DMATXCTL", 1u);
	assert_true(te > tdbal);
	long txen_q = find(&t, te, true, "TXDCTL[0]", 1u << 25);
	assert_true(txen_q > te);
	long txen_ok = find(&t, txen_q, false, "TXDCTL[0]", 1u << 25);
	assert_true(txen_ok > txen_q);
	/* finally the link is seen up */
	long links = find(&t, txen_ok, false, "LINKS", 1u << 30);
	assert_true(links > txen_ok);
	/* no ring register is written after its queue was enabled */
	assert_int_equal(find(&t, rxen_q, true, "RDBAL[0]", 0), -1);
	assert_int_equal(find(&t, txen_q, true, "TDBAL[0]", 0), -1);

	assert_no_violations(sim);
	ixy_close(dev);
	ixy_sim_destroy(sim);
	trace_free(&t);
}

static void test_trace_env_var(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-env", 0);
	struct trace_log t = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace_fn = trace_cb;  /* not enabled by the config ... */
	cfg.trace_arg = &t;
	setenv("IXY_TRACE", "1", 1);  /* ... but by the environment */
	struct ixy_device *dev = ixy_open_sim(sim, &cfg);
	unsetenv("IXY_TRACE");
	assert_non_null(dev);
	assert_true(t.n > 50);
	assert_string_equal(t.a[0].name, "EIMC");
	ixy_close(dev);
	trace_free(&t);

	/* and without either, nothing is traced */
	dev = ixy_open_sim(sim, &cfg);
	assert_non_null(dev);
	assert_int_equal(t.n, 0);
	ixy_close(dev);
	ixy_sim_destroy(sim);
}

static void test_open_by_sim_address(void **state)
{
	(void)state;
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = ixy_open("sim:byaddr,wire=loop,mode=stepped", &cfg);
	if (!dev)
		print_message("ixy_open: %s\n", ixy_last_error());
	assert_non_null(dev);
	assert_string_equal(ixy_device_name(dev), "sim:byaddr");
	assert_non_null(ixy_device_sim(dev));
	assert_no_violations(ixy_device_sim(dev));
	ixy_close(dev);
	/* the port was created by ixy_open and is gone with the device */
	assert_null(ixy_sim_find("byaddr"));
}

static void expect_config_error(struct ixy_sim *sim, struct ixy_config cfg, const char *needle)
{
	ixy_clear_error();
	struct ixy_device *dev = ixy_open_sim(sim, &cfg);
	assert_null(dev);
	if (!strstr(ixy_last_error(), needle))
		print_message("message '%s' lacks '%s'\n", ixy_last_error(), needle);
	assert_non_null(strstr(ixy_last_error(), needle));
}

static void test_bad_config(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-badcfg", 0);
	struct ixy_config c = small_cfg();

	c.rx_ring_size = 100;
	expect_config_error(sim, c, "rx_ring_size 100 is invalid: it must be a power of two from 64 to 4096");
	c = small_cfg();
	c.tx_ring_size = 32;
	expect_config_error(sim, c, "tx_ring_size 32 is invalid");
	c = small_cfg();
	c.rx_ring_size = 8192;
	expect_config_error(sim, c, "rx_ring_size 8192 is invalid");
	c = small_cfg();
	c.num_rx_queues = 65;
	expect_config_error(sim, c, "num_rx_queues 65 is invalid");
	c = small_cfg();
	c.mempool_size = 256;  /* == rx ring: nothing to refill with */
	expect_config_error(sim, c, "mempool_size 256 is too small");
	c = small_cfg();
	c.max_frame_size = 20000;
	expect_config_error(sim, c, "max_frame_size 20000 is invalid");
	ixy_sim_destroy(sim);
}

static void test_mempool_exhaustion_is_an_error(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-nomem", 0);
	struct ixy_config c = small_cfg();
	/* far more buffers than there are hugepages on any test machine */
	c.mempool_size = 40u * 1000 * 1000;
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &c));
	print_message("(expected) %s\n", ixy_last_error());
	assert_non_null(strstr(ixy_last_error(), "sim:init-nomem: RX queue 0"));
	assert_non_null(strstr(ixy_last_error(), "mempool"));
	/* the failed open left the port usable */
	struct ixy_config ok = small_cfg();
	struct ixy_device *dev = ixy_open_sim(sim, &ok);
	assert_non_null(dev);
	ixy_close(dev);
	ixy_sim_destroy(sim);
}

static void test_link_timeout(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("init-nolink", 0);
	ixy_sim_set_carrier(sim, false);
	struct ixy_config c = small_cfg();
	c.link_timeout_ms = 100;
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &c));
	assert_non_null(strstr(ixy_last_error(), "sim:init-nolink: link did not come up within 100 ms"));

	/* link_optional opens anyway, reporting the link down */
	c.link_optional = true;
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	assert_non_null(dev);
	struct ixy_link link = { .up = true, .speed_mbps = 1 };
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_false(link.up);
	assert_int_equal(link.speed_mbps, 0);
	assert_int_equal(ixy_wait_link(dev, 20), -ETIMEDOUT);
	assert_non_null(strstr(ixy_last_error(), "link did not come up within 20 ms"));
	/* cable back in: the link comes up */
	ixy_sim_set_carrier(sim, true);
	assert_int_equal(ixy_wait_link(dev, 2000), 0);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_sim_destroy(sim);
}

static void test_unsupported_sim_device(void **state)
{
	(void)state;
	/* The model refuses to be a device it cannot stand in for, listing
	 * what it can be: an id no driver takes, and the X550EM boards (the
	 * driver takes them; their link and, on the X550EM_a, their EEPROM
	 * and semaphore registers are not modelled, docs/sim.md). */
	static const uint16_t bad[] = { 0x1234, 0x15AD, 0x15C8, 0x15E5 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = bad[i] };
		char want[64];
		ixy_clear_error();
		assert_null(ixy_sim_create("init-badid", &sc));
		snprintf(want, sizeof(want), "device id 0x%04x is not one the model can be", bad[i]);
		assert_non_null(strstr(ixy_last_error(), want));
		assert_non_null(strstr(ixy_last_error(), "0x10FB"));
		assert_non_null(strstr(ixy_last_error(), "not modelled"));
		assert_null(ixy_sim_find("init-badid"));
	}
}

static void add_pci_device(const char *root, const char *addr, uint16_t vendor, uint16_t device)
{
	uint8_t cfgspace[64];
	struct fake_pci_ids ids = { .vendor = vendor, .device = device, .class_code = 0x02 };
	fake_pci_config(cfgspace, sizeof(cfgspace), &ids);
	assert_int_equal(fake_sysfs_add_device(root, addr, cfgspace, sizeof(cfgspace)), 0);
}

static void test_unsupported_pci_device(void **state)
{
	(void)state;
	char *root = fake_sysfs_create();
	assert_non_null(root);
	add_pci_device(root, "0000:03:00.0", 0x8086, 0x1234);
	add_pci_device(root, "0000:04:00.0", 0x10ec, 0x8168);
	struct ixy_config c = { .sysfs_root = root };

	ixy_clear_error();
	assert_null(ixy_open("0000:03:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "0000:03:00.0: unsupported device 8086:1234 (vendor:device)"));
	assert_null(ixy_open("04:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "0000:04:00.0: unsupported device 10ec:8168"));
	/* a device that does not exist: the pci layer's message */
	assert_null(ixy_open("0000:05:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "0000:05:00.0"));
	/* and a bad ring size is refused before touching the device */
	c.rx_ring_size = 1000;
	assert_null(ixy_open("0000:03:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "0000:03:00.0: rx_ring_size 1000 is invalid"));
	assert_null(ixy_open(NULL, NULL));
	assert_non_null(strstr(ixy_last_error(), "no device address"));
	fake_sysfs_destroy(root);
}

/* A fake 82599 whose BAR0 is a plain file: nothing self-clears, so the
 * reset wait must end in a bounded, clear error instead of hanging. */
static void test_reset_timeout_on_dead_bar(void **state)
{
	(void)state;
	char *root = fake_sysfs_create();
	assert_non_null(root);
	assert_int_equal(fake_sysfs_add_82599(root, "0000:03:00.0"), 0);
	struct ixy_config c = { .sysfs_root = root, .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 128 };

	ixy_clear_error();
	assert_null(ixy_open("0000:03:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "0000:03:00.0: global reset did not complete within 1000 ms"));
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	/* the failed open cleared bus mastering again (taking the device had
	 * set it) */
	uint8_t cfg[8];
	assert_true(fake_sysfs_read(root, "bus/pci/devices/0000:03:00.0/config", cfg, sizeof(cfg)) >= 6);
	assert_int_equal(cfg[4] & 0x4, 0);
	assert_int_equal(cfg[4] & 0x2, 0x2);	/* memory space stays on */
	fake_sysfs_destroy(root);
}

/* All ones from every register: a device that fell off the bus. */
static void test_device_gone(void **state)
{
	(void)state;
	char *root = fake_sysfs_create();
	assert_non_null(root);
	assert_int_equal(fake_sysfs_add_82599(root, "0000:03:00.0"), 0);
	size_t len = 512 * 1024;
	uint8_t *ones = malloc(len);
	assert_non_null(ones);
	memset(ones, 0xFF, len);
	assert_int_equal(fake_sysfs_write_file(root, "0000:03:00.0", "resource0", ones, len), 0);
	free(ones);
	struct ixy_config c = { .sysfs_root = root, .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 128 };

	ixy_clear_error();
	assert_null(ixy_open("0000:03:00.0", &c));
	assert_non_null(strstr(ixy_last_error(), "reads all ones: the device is gone"));
	assert_int_equal(ixy_last_error_code(), -ENODEV);
	fake_sysfs_destroy(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_reaches_link_up),
		cmocka_unit_test(test_init_trace_follows_datasheet),
		cmocka_unit_test(test_trace_env_var),
		cmocka_unit_test(test_open_by_sim_address),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_mempool_exhaustion_is_an_error),
		cmocka_unit_test(test_link_timeout),
		cmocka_unit_test(test_unsupported_sim_device),
		cmocka_unit_test(test_unsupported_pci_device),
		cmocka_unit_test(test_reset_timeout_on_dead_bar),
		cmocka_unit_test(test_device_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
