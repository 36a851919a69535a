/* The sim catches a misprogramming driver: each rule of the datasheet the
 * model checks, broken once, must produce its violation text; DMA to an
 * address outside the process's DMA memory is refused, counted and the
 * queue stops (like an IOMMU fault). */
#include "test_sim_util.h"

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

static void expect(struct ixy_sim *sim, const char *needle)
{
	if (!has_violation(sim, needle)) {
		print_violations(sim);
		fail_msg("expected a violation containing \"%s\"", needle);
	}
}

/* 4.6.7.1: ring registers are programmed while the queue is disabled. */
static void test_ring_written_while_enabled(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v1,mode=stepped,wire=null,link_delay_us=1");
	tport_init(&p, 0);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	wr(&p, R_RDBAL(0), (uint32_t)tphys(&p, p.rxring));
	expect(p.sim, "RDBAL[0] written");
	wr(&p, R_TDLEN(0), 1024);
	expect(p.sim, "TDLEN[0] written");
	wr(&p, R_SRRCTL(0), 0x02000004);	/* 4 KiB buffers under a running ring */
	expect(p.sim, "SRRCTL[0] written");
	unsigned n = ixy_sim_violation_count(p.sim);
	wr(&p, R_RDH(0), 5);			/* moving the head */
	expect(p.sim, "RDH[0] written");
	assert_int_equal(ixy_sim_violation_count(p.sim), n + 1);
	tport_close(&p);
}

/* What production drivers do to running queues without harm on real
 * 82599s is not reported (docs/sim.md, "Violations under Linux's
 * driver"): SRRCTL rewritten with only DROP_EN changed or nothing changed
 * (Linux's ixgbe_set_rx_drop_en at link-up), RDH/TDH written with the head
 * they already have (DPDK's queue start writes 0 after the enable). */
static void test_runtime_writes_production_drivers_do(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v1b,mode=stepped,wire=null,link_delay_us=1");
	tport_init(&p, 0);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	uint32_t srrctl = rd(&p, R_SRRCTL(0));
	wr(&p, R_SRRCTL(0), srrctl);			/* the same value */
	wr(&p, R_SRRCTL(0), srrctl | 1u << 28);	/* DROP_EN on */
	wr(&p, R_SRRCTL(0), srrctl);			/* and off */
	assert_int_equal(rd(&p, R_RDH(0)), 0);
	wr(&p, R_RDH(0), 0);
	assert_int_equal(rd(&p, R_TDH(0)), 0);
	wr(&p, R_TDH(0), 0);
	if (ixy_sim_violation_count(p.sim))
		print_violations(p.sim);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	wr(&p, R_TDH(0), 3);				/* but not a new head */
	expect(p.sim, "TDH[0] written");
	tport_close(&p);
}

/* 8.2.3.8.1 / 8.2.3.9.5: ring bases 128-byte aligned; RDLEN/TDLEN
 * multiples of 128. */
static void test_alignment(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v2,mode=stepped,wire=null,link_delay_us=1");
	wr(&p, R_RDBAL(1), 0x1040);
	expect(p.sim, "RDBAL[1] = 0x00001040");
	wr(&p, R_TDBAL(2), 0x1008);
	expect(p.sim, "TDBAL[2] = 0x00001008");
	wr(&p, R_RDLEN(1), 1000);
	expect(p.sim, "RDLEN[1] = 1000");
	wr(&p, R_TDLEN(2), 100);
	expect(p.sim, "TDLEN[2] = 100");
	assert_int_equal(ixy_sim_violation_count(p.sim), 4);
	ixy_sim_clear_violations(p.sim);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Tail beyond the ring: the queue stops. */
static void test_tail_beyond_ring(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v3,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	*(volatile uint32_t *)(p.bar + R_RDT(0)) = p.nrx;	/* one past the end */
	*(volatile uint32_t *)(p.bar + R_TDT(0)) = p.ntx + 5;
	ixy_sim_step(p.sim);
	expect(p.sim, "RDT[0] = 64 is beyond the ring of 64 descriptors");
	expect(p.sim, "TDT[0] = 69 is beyond the ring of 64 descriptors");
	tport_close(&p);
}

/* 4.6.3: RX must not be enabled before RDRXCTL.DMAIDONE after a reset. */
static void test_rx_before_dma_init(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v4,mode=stepped,wire=null,link_delay_us=1");
	wr(&p, R_CTRL, 1u << 26);
	wr(&p, R_RXCTRL, 1);	/* right away, without waiting */
	expect(p.sim, "RXCTRL.RXEN set before RDRXCTL.DMAIDONE");
	expect(p.sim, "write of register 0x03000");	/* and within the 1 ms of silence */
	tport_close(&p);
}

static long since_ns(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000000L + (t1.tv_nsec - t0->tv_nsec);
}

/* 8.2.3.1.1: no register access, CTRL included, for ~1 ms after CTRL.RST
 * is set (CTRL.RST still reads 1 then); the second reset of 5.2.5.3.2
 * (more than 1 us after the first) is the one allowed write; after 1 ms
 * everything is allowed again. */
static void test_reset_quiet(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v8,mode=stepped,wire=null,link_delay_us=1");
	uint32_t ctrl = 0;
	long took = 0;
	for (int attempt = 0; attempt < 10; attempt++) {	/* a preempted attempt proves nothing */
		sleep_us(1100);
		ixy_sim_clear_violations(p.sim);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		wr(&p, R_CTRL, 1u << 26);
		ctrl = rd(&p, R_CTRL);
		if ((took = since_ns(&t0)) < 900000)
			break;
	}
	assert_true(took < 900000);
	assert_int_equal(ctrl & (1u << 26), 1u << 26);
	assert_int_equal(ixy_sim_violation_count(p.sim), 1);
	expect(p.sim, "read of register 0x00000");
	expect(p.sim, "after CTRL.RST was set: wait about 1 ms");

	/* Intel's flush: STATUS read right after setting CTRL.RST (Linux's
	 * ixgbe_reset_hw_82599) is not reported; a second access is */
	for (int attempt = 0; attempt < 10; attempt++) {
		sleep_us(1100);
		ixy_sim_clear_violations(p.sim);
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		wr(&p, R_CTRL, 1u << 26);
		(void)rd(&p, R_STATUS);
		assert_int_equal(ixy_sim_violation_count(p.sim), 0);
		(void)rd(&p, R_STATUS);
		if ((took = since_ns(&t0)) < 900000)
			break;
	}
	assert_true(took < 900000);
	assert_int_equal(ixy_sim_violation_count(p.sim), 1);
	expect(p.sim, "read of register 0x00008");

	sleep_us(1100);
	ixy_sim_clear_violations(p.sim);
	wr(&p, R_CTRL, 1u << 26);
	sleep_us(5);
	wr(&p, R_CTRL, 1u << 26);	/* the second reset: allowed */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	sleep_us(1000);
	assert_int_equal(rd(&p, R_CTRL) & (1u << 26), 0);
	wr(&p, R_EIMC, 0x7fffffff);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Buffers smaller than the largest frame are legal (7.1.6: a frame spans
 * descriptors, EOP on the last); only a frame that needs more descriptors
 * than the ring can ever hand over (count - 1) is reported, and dropped. */
static void test_buffer_too_small(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v5,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	wr(&p, R_HLREG0, rd(&p, R_HLREG0) | 0x4);	/* JUMBOEN */
	wr(&p, R_MAXFRS, 9018u << 16);
	tport_init(&p, 0);	/* 2 KiB buffers, 64 descriptors */
	wait_link(&p);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	static uint8_t f[9000];
	uint8_t mac[6];
	port_mac(&p, mac);
	make_udp(f, mac, sizeof(f), 9, 1);
	assert_int_equal(ixy_sim_inject(p.sim, f, sizeof(f)), 0);
	ixy_sim_step(p.sim);
	for (int i = 0; i < 4; i++)	/* 4 x 2048 + 808 */
		assert_int_equal(desc32(p.rxring + 16 * i, 8) & 3, 1);
	assert_int_equal(desc32(p.rxring + 16 * 4, 8) & 3, 3);
	assert_int_equal(desc32(p.rxring + 16 * 4, 12) & 0xffff, 9000 - 4 * 2048);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);

	/* the same frame into a ring of 8 descriptors with 1 KiB buffers:
	 * 9 buffers needed, at most 7 ever available */
	wr(&p, R_RXDCTL(0), 0);
	wr(&p, R_RDLEN(0), 8 * 16);
	wr(&p, R_RDH(0), 0);
	wr(&p, R_SRRCTL(0), 1u | 1u << 25);
	for (uint32_t i = 0; i < 8; i++)
		rx_arm(&p, i);
	wr(&p, R_RXDCTL(0), 1u << 25);
	wr(&p, R_RDT(0), 7);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	rd(&p, R_QPRDC(0));
	assert_int_equal(ixy_sim_inject(p.sim, f, sizeof(f)), 0);
	ixy_sim_step(p.sim);
	expect(p.sim, "RX queue 0: a frame of 9000 bytes needs 9 buffers of 1024 bytes (SRRCTL.BSIZEPKT) but the "
		      "ring of 8 descriptors can hand over at most 7: it can never be received");
	assert_int_equal(desc32(p.rxring, 8) & 1, 0);
	assert_int_equal(rd(&p, R_QPRDC(0)), 1);
	tport_close(&p);
}

/* HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP must agree (8.2.3.8.8); TX queues
 * are enabled after DMATXCTL.TE (4.6.8). */
static void test_crc_strip_and_te(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v6,mode=stepped,wire=null,link_delay_us=1");
	wr(&p, R_HLREG0, rd(&p, R_HLREG0) | 0x2);
	wr(&p, R_RDRXCTL, 0);
	wr(&p, R_RXCTRL, 1);
	expect(p.sim, "HLREG0.RXCRCSTRP=1 but RDRXCTL.CRCSTRIP=0");
	uint64_t tb = tphys(&p, p.txring);
	wr(&p, R_TDBAL(0), (uint32_t)tb);
	wr(&p, R_TDBAH(0), (uint32_t)(tb >> 32));
	wr(&p, R_TDLEN(0), 1024);
	wr(&p, R_TXDCTL(0), 1u << 25);
	expect(p.sim, "TXDCTL[0].ENABLE set while DMATXCTL.TE = 0");
	tport_close(&p);
}

/* DMA outside the process's DMA memory: refused, counted, reported with the
 * queue and the address, queue stopped; nothing is written there. */
static void test_dma_fault(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "v7,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	/* RX descriptor 0 points at a physical address that is not ours */
	uint64_t bad = 0x1000;
	memcpy(p.rxring, &bad, 8);
	uint8_t mac[6], f[64];
	port_mac(&p, mac);
	make_udp(f, mac, 64, 1, 0);
	tx_put(&p, f, 64, 1);
	ixy_sim_step(p.sim);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 1);
	expect(p.sim, "DMA fault: RX queue 0 descriptor 0 buffer address 0x1000");
	assert_int_equal(desc32(p.rxring, 8) & 1, 0);	/* no write-back */
	/* the queue is stopped: later frames are not taken */
	rx_arm(&p, 0);
	tx_put(&p, f, 64, 1);
	ixy_sim_step(p.sim);
	assert_int_equal(desc32(p.rxring, 8) & 1, 0);
	/* a TX buffer outside DMA memory */
	uint8_t *d = p.txring + 16 * p.tx_next;
	uint64_t a = 0x2000;
	uint32_t cmd = 64 | 3u << 20 | 1u << 29 | 1u << 24 | 1u << 25 | 1u << 27, ol = 64u << 14;
	memcpy(d, &a, 8);
	memcpy(d + 8, &cmd, 4);
	memcpy(d + 12, &ol, 4);
	p.tx_next = (p.tx_next + 1) % p.ntx;
	*(volatile uint32_t *)(p.bar + R_TDT(0)) = p.tx_next;
	ixy_sim_step(p.sim);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 2);
	expect(p.sim, "DMA fault: TX queue 0 descriptor 2 buffer address 0x2000");
	/* a ring base outside DMA memory is refused when the queue is enabled */
	wr(&p, R_RXDCTL(1), 0);
	wr(&p, R_RDBAL(1), 0x4000);
	wr(&p, R_RDBAH(1), 0);
	wr(&p, R_RDLEN(1), 1024);
	wr(&p, R_RXDCTL(1), 1u << 25);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 3);
	expect(p.sim, "RX queue 1 ring at 0x4000");
	tport_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_written_while_enabled),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_tail_beyond_ring),
		cmocka_unit_test(test_rx_before_dma_init),
		cmocka_unit_test(test_reset_quiet),
		cmocka_unit_test(test_runtime_writes_production_drivers_do),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_crc_strip_and_te),
		cmocka_unit_test(test_dma_fault),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
