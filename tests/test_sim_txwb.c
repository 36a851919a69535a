/* Transmit descriptor write-back as the 82599 does it (datasheet 7.2.3.5,
 * 8.2.3.9.10), seen by a driver-like user of the sim: it fills the ring,
 * sets RS on some descriptors only (as real drivers do, e.g. one in 32)
 * and looks at the DD bits and the head image.
 *   WTHRESH = 0: DD only where RS is set, as soon as the frame is done.
 *   WTHRESH > 0: RS is ignored, every descriptor is written back, WTHRESH
 *                at a time; a partial batch waits for the flush timer
 *                (the model: 100 us, for the EITR expiry) or TXDCTL.SWFLSH.
 *   head write-back: no DD at all; the head image moves after RS frames.
 * And the threshold combinations the datasheet forbids. */
#include "test_sim_util.h"

#define TXDCTL_EN (1u << 25)
#define TXDCTL_SWFLSH (1u << 26)
#define R_TDWBAL(n) (0x06038 + 0x40 * (n))
#define R_TDWBAH(n) (0x0603c + 0x40 * (n))

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* Queue n 60-byte frames of one advanced data descriptor each; RS on the
 * descriptors whose index i satisfies (i + 1) % rs_every == 0. */
static void send(struct tport *p, uint32_t n, uint32_t rs_every)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x02 }, f[60];
	make_udp(f, mac, sizeof(f), 7, 0);
	for (uint32_t k = 0; k < n; k++) {
		uint32_t i = p->tx_next;
		uint8_t *buf = p->txbuf + 2048 * i, *d = p->txring + 16 * i;
		memcpy(buf, f, sizeof(f));
		uint64_t a = tphys(p, buf);
		uint32_t cmd = 60u | 3u << 20 | 1u << 29 | 1u << 25 | 1u << 24;	/* DATA, DEXT, IFCS, EOP */
		if ((i + 1) % rs_every == 0)
			cmd |= 1u << 27;	/* RS */
		uint32_t olinfo = 60u << 14;	/* PAYLEN; DD (bit 0) clear */
		memcpy(d, &a, 8);
		memcpy(d + 8, &cmd, 4);
		memcpy(d + 12, &olinfo, 4);
		p->tx_next = (i + 1) % p->ntx;
	}
	__atomic_store_n((volatile uint32_t *)(p->bar + R_TDT(0)), p->tx_next, __ATOMIC_RELEASE);
}

static bool dd(struct tport *p, uint32_t i)
{
	return desc32(p->txring + 16 * i, 12) & 1;
}

/* DD bits of descriptors [0, n) as a bit mask */
static uint64_t dd_mask(struct tport *p, uint32_t n)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (dd(p, i))
			m |= 1ull << i;
	return m;
}

static void open_port(struct tport *p, const char *name, uint32_t txdctl)
{
	char spec[128];
	snprintf(spec, sizeof(spec), "%s,mode=stepped,wire=null,link_delay_us=1,unthrottled", name);
	tport_open(p, spec);
	tport_init(p, 0);
	wait_link(p);
	wr(p, R_TXDCTL(0), txdctl);	/* thresholds, queue stays enabled */
}

/* WTHRESH 0 (what the ixgbe driver programs): DD exactly where RS is. */
static void test_wthresh0_rs_only(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "wb0", TXDCTL_EN | 32u | 1u << 8);	/* PTHRESH 32, HTHRESH 1 */
	send(&p, 10, 4);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 10);
	assert_int_equal(dd_mask(&p, 16), (1u << 3) | (1u << 7));
	sleep_us(300);	/* no timer in this mode */
	ixy_sim_step(p.sim);
	assert_int_equal(dd_mask(&p, 16), (1u << 3) | (1u << 7));
	assert_int_equal(rd(&p, R_GPTC), 10);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* WTHRESH 8: RS ignored; descriptors written back 8 at a time, the rest
 * by the flush timer or TXDCTL.SWFLSH. */
static void test_wthresh_batches(void **state)
{
	(void)state;
	struct tport p;
	uint32_t txdctl = TXDCTL_EN | 32u | 1u << 8 | 8u << 16;
	open_port(&p, "wb8", txdctl);
	send(&p, 10, 4);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 10);	/* all sent... */
	assert_int_equal(dd_mask(&p, 16), 0xff);	/* ...one batch of 8 reported, RS or not */
	sleep_us(300);	/* the flush timer (100 us) */
	ixy_sim_step(p.sim);
	assert_int_equal(dd_mask(&p, 16), 0x3ff);

	send(&p, 3, 4);	/* descriptors 10..12 */
	ixy_sim_step(p.sim);
	assert_int_equal(dd_mask(&p, 16), 0x3ff);
	wr(&p, R_TXDCTL(0), txdctl | TXDCTL_SWFLSH);	/* software flush */
	assert_int_equal(dd_mask(&p, 16), 0x1fff);
	assert_int_equal(rd(&p, R_TXDCTL(0)) & TXDCTL_SWFLSH, 0);	/* self-clearing */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* The defect the review found, made visible: a driver that sets RS on one
 * descriptor in 32 and waits for its DD, with WTHRESH 5. The NIC reports
 * in batches of 5 ignoring RS, so descriptor 31 (the RS one) stays
 * unreported while 0..29 are, until the flush timer. */
static void test_wthresh_delays_rs(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "wb5", TXDCTL_EN | 32u | 1u << 8 | 5u << 16);
	send(&p, 32, 32);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 32);
	assert_false(dd(&p, 31));
	assert_int_equal(dd_mask(&p, 32), (1ull << 30) - 1);
	STEP_UNTIL(p.sim, dd(&p, 31));
	assert_int_equal(dd_mask(&p, 32), (1ull << 32) - 1);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Head write-back (7.2.3.5.2): no descriptor is written back; the head
 * image moves to the end of frames with RS, not past frames without. */
static void test_head_writeback(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "wbh", TXDCTL_EN | 32u | 1u << 8);
	uint32_t *img = (uint32_t *)(void *)(p.base + 0x1f0000);
	*img = 0xdeadbeef;
	uint64_t a = tphys(&p, img);
	wr(&p, R_TDWBAH(0), (uint32_t)(a >> 32));
	wr(&p, R_TDWBAL(0), (uint32_t)a | 1u);	/* HEAD_WB_EN */
	send(&p, 6, 4);	/* RS on descriptor 3 only */
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_TDH(0)), 6);
	assert_int_equal(__atomic_load_n(img, __ATOMIC_ACQUIRE), 4);
	assert_int_equal(dd_mask(&p, 8), 0);
	send(&p, 2, 4);	/* 6, 7: RS on 7 */
	ixy_sim_step(p.sim);
	assert_int_equal(__atomic_load_n(img, __ATOMIC_ACQUIRE), 8);
	assert_int_equal(dd_mask(&p, 8), 0);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

static void expect(struct ixy_sim *sim, const char *needle)
{
	if (!has_violation(sim, needle)) {
		print_violations(sim);
		fail_msg("expected a violation containing \"%s\"", needle);
	}
}

/* 8.2.3.9.10 / 7.2.3.5.2: WTHRESH must be 0 with head write-back;
 * 7.2.3.4.1: PTHRESH + WTHRESH must fit the 40 on-chip descriptors. */
static void test_threshold_rules(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "wbv", TXDCTL_EN | 32u | 1u << 8 | 8u << 16);	/* 32 + 8 = 40: fits */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	wr(&p, R_TXDCTL(0), TXDCTL_EN | 33u | 1u << 8 | 8u << 16);
	expect(p.sim, "TXDCTL[0]: PTHRESH 33 + WTHRESH 8 exceed the 40 on-chip descriptors");
	ixy_sim_clear_violations(p.sim);
	wr(&p, R_TXDCTL(0), TXDCTL_EN | 33u | 1u << 8 | 8u << 16);	/* unchanged: reported once */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);

	wr(&p, R_TXDCTL(0), TXDCTL_EN | 16u | 1u << 8 | 4u << 16);
	uint64_t a = tphys(&p, p.base + 0x1f0000);
	wr(&p, R_TDWBAH(0), (uint32_t)(a >> 32));
	wr(&p, R_TDWBAL(0), (uint32_t)a | 1u);
	expect(p.sim, "TXDCTL[0].WTHRESH = 4 with head write-back on");
	assert_int_equal(ixy_sim_violation_count(p.sim), 1);

	/* checked again when a queue is enabled with them */
	ixy_sim_clear_violations(p.sim);
	wr(&p, R_TXDCTL(0), 16u | 1u << 8 | 4u << 16);	/* disable */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	wr(&p, R_TDH(0), 0);
	wr(&p, R_TDT(0), 0);
	wr(&p, R_TXDCTL(0), TXDCTL_EN | 16u | 1u << 8 | 4u << 16);
	expect(p.sim, "TXDCTL[0].WTHRESH = 4 with head write-back on");
	tport_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wthresh0_rs_only),
		cmocka_unit_test(test_wthresh_batches),
		cmocka_unit_test(test_wthresh_delays_rs),
		cmocka_unit_test(test_head_writeback),
		cmocka_unit_test(test_threshold_rules),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
