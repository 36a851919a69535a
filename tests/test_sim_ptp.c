/* IEEE 1588 time sync in the model (82599 datasheet 7.9, 8.2.3.26), seen
 * by a driver-like user: SYSTIM advancing per TIMINCA, TIMADJ, SYSTIM
 * writes, TX and RX timestamps at the frame's wire time (64-byte frames
 * back to back at 10 Gb/s are 67.2 ns apart), the latching rules (one RX
 * and one TX timestamp at a time, released by reading the high word),
 * which frames are 1588 frames (ETQF, the UDP port in RXMTRL, the type in
 * TSYNCRXCTL), the RX write-back's TS bit, and a pair wire's delay_us.
 * Register offsets are written out here from the datasheet's register
 * summary, not taken from the model's header. */
#include "test_sim_util.h"

#define R_TSYNCRXCTL 0x05188
#define R_RXSTMPL 0x051e8
#define R_RXSTMPH 0x051a4
#define R_RXSATRL 0x051a0
#define R_RXSATRH 0x051a8
#define R_RXMTRL 0x05120
#define R_ETQF(n) (0x05128 + 4 * (n))
#define R_TSYNCTXCTL 0x08c00
#define R_TXSTMPL 0x08c04
#define R_TXSTMPH 0x08c08
#define R_SYSTIML 0x08c0c
#define R_SYSTIMH 0x08c10
#define R_TIMINCA 0x08c14
#define R_TIMADJL 0x08c18
#define R_TIMADJH 0x08c1c

#define TS_VALID 1u
#define TS_EN (1u << 4)
#define TYPE_L2_V2 0x0u
#define TYPE_L4_V1 0x2u
#define TYPE_EVENT_V2 0xau
#define RXD_STAT_TS (1u << 16)
#define TXD_TSTAMP (1u << 19)

/* 82599 at 10 Gb/s: 0xCCCCCC every 6.4 ns period; ns = SYSTIM >> 21 */
#define INCA_10G 0x01ccccccu
#define SHIFT_10G 21
#define INCA_1G 0x01800000u	/* 64 ns period, ns = SYSTIM >> 17 */
#define SHIFT_1G 17

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t systim(struct tport *p)
{
	uint64_t lo = rd(p, R_SYSTIML);	/* latches the high word */
	return lo | (uint64_t)rd(p, R_SYSTIMH) << 32;
}

static uint64_t rx_stamp(struct tport *p)
{
	uint64_t lo = rd(p, R_RXSTMPL);
	return lo | (uint64_t)rd(p, R_RXSTMPH) << 32;
}

static uint64_t tx_stamp(struct tport *p)
{
	uint64_t lo = rd(p, R_TXSTMPL);
	return lo | (uint64_t)rd(p, R_TXSTMPH) << 32;
}

static void open_port(struct tport *p, const char *spec)
{
	tport_open(p, spec);
	tport_init(p, 0);
	wait_link(p);
}

/* Queue one frame in one advanced data descriptor, with DCMD.TSTAMP if asked. */
static void tx_one(struct tport *p, const uint8_t *frame, uint32_t len, bool tstamp)
{
	uint32_t i = p->tx_next;
	uint8_t *buf = p->txbuf + 2048 * i, *d = p->txring + 16 * i;
	memcpy(buf, frame, len);
	uint64_t a = tphys(p, buf);
	uint32_t cmd = len | 3u << 20 | 1u << 29 | 1u << 25 | 1u << 27 | 1u << 24 | (tstamp ? TXD_TSTAMP : 0);
	uint32_t olinfo = len << 14;
	memcpy(d, &a, 8);
	memcpy(d + 8, &cmd, 4);
	memcpy(d + 12, &olinfo, 4);
	p->tx_next = (i + 1) % p->ntx;
}

static void tx_go(struct tport *p)
{
	__atomic_store_n((volatile uint32_t *)(p->bar + R_TDT(0)), p->tx_next, __ATOMIC_RELEASE);
}

/* A 60-byte L2 PTPv2 frame (EtherType 0x88F7) of message type msg. */
static void ptp_l2(uint8_t *f, const uint8_t dst[6], unsigned msg, uint16_t seq)
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	f[11] = 0x01;
	f[12] = 0x88;
	f[13] = 0xf7;
	uint8_t *h = f + 14;
	h[0] = (uint8_t)msg;
	h[1] = 2;	/* versionPTP */
	for (int i = 20; i < 30; i++)
		h[i] = (uint8_t)(0xa0 + i);	/* sourcePortIdentity */
	h[30] = (uint8_t)(seq >> 8);
	h[31] = (uint8_t)seq;
}

/* An 86-byte IPv4/UDP frame to dport carrying a PTP header of version ver
 * (v2: message type msg; v1: control field msg). */
static uint32_t ptp_udp(uint8_t *f, const uint8_t dst[6], uint16_t dport, unsigned ver, unsigned msg, uint16_t seq)
{
	uint32_t len = make_udp(f, dst, 86, 319, 0);
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	uint8_t *h = f + 42;
	memset(h, 0, 44);
	if (ver == 2) {
		h[0] = (uint8_t)msg;
		h[1] = 2;
	} else {
		h[1] = 1;	/* versionPTP 16 bits = 1 */
		h[32] = (uint8_t)msg;
	}
	h[30] = (uint8_t)(seq >> 8);
	h[31] = (uint8_t)seq;
	return len;
}

static void enable_ts(struct tport *p, uint32_t type)
{
	wr(p, R_TIMINCA, INCA_10G);
	wr(p, R_ETQF(3), 1u << 31 | 1u << 30 | 0x88f7);
	wr(p, R_RXMTRL, 319u << 16);
	wr(p, R_TSYNCRXCTL, TS_EN | type);
	wr(p, R_TSYNCTXCTL, TS_EN);
}

/* Send one frame to ourselves (loop wire), return its RX status word. */
static uint32_t loop_one(struct tport *p, const uint8_t *f, uint32_t len)
{
	uint8_t out[2048];
	uint32_t st = 0;
	tx_one(p, f, len, false);
	tx_go(p);
	uint32_t n = 0;
	STEP_UNTIL(p->sim, (n = rx_get(p, out, &st)) != 0);
	assert_int_equal(n, len);
	return st;
}

/* SYSTIM advances at the programmed rate: the ns it gained between two
 * reads lie between the monotonic time between the reads' inner ends and
 * their outer ends (within one period). TIMINCA 0 (reset) stands still. */
static void check_rate(struct tport *p, uint32_t inca, unsigned shift, uint64_t period_ns)
{
	wr(p, R_TIMINCA, inca);
	uint64_t t0 = now_ns(), s1 = systim(p), t1 = now_ns();
	sleep_us(2000);
	uint64_t t2 = now_ns(), s2 = systim(p), t3 = now_ns();
	assert_true(s2 > s1);
	uint64_t gained = (s2 >> shift) - (s1 >> shift);
	if (gained + period_ns + 1 < t2 - t1 || gained > t3 - t0 + period_ns + 1)
		fail_msg("SYSTIM gained %llu ns, the monotonic clock %llu..%llu ns", (unsigned long long)gained,
			 (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t0));
}

static void test_systim_rate(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptpclk,mode=stepped,wire=null,link_delay_us=1");
	/* after reset TIMINCA is 0: the clock stands */
	assert_int_equal(rd(&p, R_TIMINCA), 0);
	uint64_t a = systim(&p);
	sleep_us(200);
	assert_true(systim(&p) == a);
	check_rate(&p, INCA_10G, SHIFT_10G, 7);
	/* at 1 Gb/s (AUTOC.LMS 0: 1G link, no auto-negotiation) the
	 * oscillator period is 64 ns: Linux's 1G TIMINCA gives ns >> 17 */
	wr(&p, R_AUTOC, (rd(&p, R_AUTOC) & ~(7u << 13)) | 1u << 12);
	wait_link(&p);
	assert_int_equal((rd(&p, R_LINKS) >> 28) & 3, 2);
	check_rate(&p, INCA_1G, SHIFT_1G, 64);
	/* the 10G value at 1 Gb/s runs ten times slower than ns >> 21 */
	wr(&p, R_TIMINCA, INCA_10G);
	uint64_t t0 = now_ns(), s1 = systim(&p), t1 = now_ns();
	sleep_us(2000);
	uint64_t t2 = now_ns(), s2 = systim(&p), t3 = now_ns();
	uint64_t gained = ((s2 - s1) >> SHIFT_10G) * 10;
	assert_true(gained + 70 >= t2 - t1 && gained <= t3 - t0 + 70);
	/* monotone over many reads */
	uint64_t last = systim(&p);
	for (int i = 0; i < 10000; i++) {
		uint64_t s = systim(&p);
		assert_true(s >= last);
		last = s;
	}
	tport_close(&p);
}

/* clock_jump_us (a fault for testing clock users): on top of its rate the
 * clock steps 1 ms forward every 10 ms: in 25 ms at least two steps. */
static void test_clock_jump_fault(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptpjump,mode=stepped,wire=null,link_delay_us=1,clock_jump_us=1000");
	wr(&p, R_TIMINCA, INCA_10G);
	uint64_t t0 = now_ns(), s1 = systim(&p), t1 = now_ns();
	sleep_us(25000);
	uint64_t t2 = now_ns(), s2 = systim(&p), t3 = now_ns();
	uint64_t gained = (s2 >> SHIFT_10G) - (s1 >> SHIFT_10G);
	uint64_t lo = t2 - t1 + 2000000, hi = t3 - t0 + ((t3 - t0) / 10000000 + 1) * 1000000;
	if (gained + 7 < lo || gained > hi + 7)
		fail_msg("SYSTIM gained %llu ns in %llu..%llu ns with 1 ms steps every 10 ms", (unsigned long long)gained,
			 (unsigned long long)(t2 - t1), (unsigned long long)(t3 - t0));
	tport_close(&p);
}

/* SYSTIM writes set the clock, TIMADJ adds or subtracts (bit 31 of TIMADJH):
 * exact with the clock standing. */
static void test_systim_write_and_adjust(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptpadj,mode=stepped,wire=null,link_delay_us=1");
	wr(&p, R_SYSTIML, 0x89abcdefu);
	wr(&p, R_SYSTIMH, 0x01234567u);
	assert_true(systim(&p) == 0x0123456789abcdefull);
	wr(&p, R_TIMADJL, 0x20000000u);
	wr(&p, R_TIMADJH, 0x1u);	/* + 0x1_2000_0000 */
	assert_true(systim(&p) == 0x0123456789abcdefull + 0x120000000ull);
	wr(&p, R_TIMADJL, 0x10u);
	wr(&p, R_TIMADJH, 0x80000000u);	/* - 0x10 */
	assert_true(systim(&p) == 0x0123456789abcdefull + 0x120000000ull - 0x10);
	/* a SYSTIML read latches SYSTIMH: a carry between the reads is not seen */
	wr(&p, R_SYSTIML, 0xffffff00u);
	wr(&p, R_SYSTIMH, 7);
	wr(&p, R_TIMINCA, INCA_10G);	/* 0xCCCCCC per 6.4 ns: the low word wraps at once */
	uint32_t lo = rd(&p, R_SYSTIML);
	sleep_us(100);
	uint32_t hi = rd(&p, R_SYSTIMH);
	assert_true(lo < 0xffffff00u);	/* wrapped before the read */
	assert_int_equal(hi, 8);
	/* running: +1 ms of adjustment moves it by at least 1 ms */
	uint64_t before = systim(&p) >> SHIFT_10G;
	uint64_t adj = 1000000ull << SHIFT_10G;
	wr(&p, R_TIMADJL, (uint32_t)adj);
	wr(&p, R_TIMADJH, (uint32_t)(adj >> 32));
	assert_true((systim(&p) >> SHIFT_10G) >= before + 1000000);
	tport_close(&p);
}

/* 64-byte frames back to back at 10 Gb/s leave 67.2 ns apart: frame 0 gets
 * the TX timestamp, frame k (a PTP frame) the RX timestamp of the same port
 * (loop wire, same clock): the difference is k * 67.2 ns within one period. */
static void test_back_to_back_64(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptpb2b,mode=stepped,wire=loop,link_delay_us=1");
	uint8_t mac[6], f[60], ptp[60];
	port_mac(&p, mac);
	make_udp(f, mac, 60, 9, 0);
	enable_ts(&p, TYPE_EVENT_V2);
	for (unsigned k = 0; k <= 12; k++) {
		ptp_l2(ptp, mac, 0, (uint16_t)(100 + k));
		for (unsigned i = 0; i < k; i++)
			tx_one(&p, i == 0 ? ptp : f, 60, i == 0);
		tx_one(&p, ptp, 60, k == 0);
		tx_go(&p);
		uint8_t out[2048];
		uint32_t got = 0, st = 0, ts_frames = 0;
		STEP_UNTIL(p.sim, rx_get(&p, out, &st) && (ts_frames += !!(st & RXD_STAT_TS), ++got == k + 1));
		assert_int_equal(got, k + 1);
		assert_true(rd(&p, R_TSYNCTXCTL) & TS_VALID);
		assert_true(rd(&p, R_TSYNCRXCTL) & TS_VALID);
		/* frame 0 is a PTP frame too: it took the RX timestamp, frame k
		 * found it latched (k > 0) */
		assert_int_equal(ts_frames, 1);
		assert_int_equal(rd(&p, R_RXSATRH) >> 16, k == 0 ? 100 : 100 + k);
		int64_t tx = (int64_t)(tx_stamp(&p) >> SHIFT_10G), rx = (int64_t)(rx_stamp(&p) >> SHIFT_10G);
		if (k == 0)
			assert_true(rx - tx >= -7 && rx - tx <= 7);
		(void)rx;
	}
	/* now frame 0 is not PTP: frame k takes the RX timestamp */
	for (unsigned k = 1; k <= 12; k++) {
		ptp_l2(ptp, mac, 0, (uint16_t)(200 + k));
		for (unsigned i = 0; i < k; i++)
			tx_one(&p, f, 60, i == 0);
		tx_one(&p, ptp, 60, false);
		tx_go(&p);
		uint8_t out[2048];
		uint32_t got = 0, st = 0;
		STEP_UNTIL(p.sim, rx_get(&p, out, &st) && ++got == k + 1);
		assert_int_equal(got, k + 1);
		assert_true(st & RXD_STAT_TS);	/* the last one, the PTP frame */
		assert_int_equal(rd(&p, R_RXSATRH) >> 16, 200 + k);
		/* in ps: SYSTIM * 6.4 ns / 0xCCCCCC */
		double tx = (double)tx_stamp(&p) / (1u << SHIFT_10G), rx = (double)rx_stamp(&p) / (1u << SHIFT_10G);
		double want = 67.2 * k;
		if (rx - tx < want - 6.5 || rx - tx > want + 6.5)
			fail_msg("frame %u: RX - TX = %.1f ns, expected %.1f +- 6.4", k, rx - tx, want);
	}
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Latching: while a timestamp is latched, further PTP frames get none (no
 * TS bit, the registers keep the first); reading the high word releases
 * it, reading only the low word does not. */
static void test_latching(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptplatch,mode=stepped,wire=loop,link_delay_us=1");
	uint8_t mac[6], f[60];
	port_mac(&p, mac);
	enable_ts(&p, TYPE_EVENT_V2);
	ptp_l2(f, mac, 0, 1);
	assert_true(loop_one(&p, f, 60) & RXD_STAT_TS);
	uint64_t first = (uint64_t)rd(&p, R_RXSTMPL);
	assert_int_equal(rd(&p, R_RXSATRH) >> 16, 1);
	ptp_l2(f, mac, 0, 2);
	assert_false(loop_one(&p, f, 60) & RXD_STAT_TS);	/* latched: not stamped */
	assert_int_equal(rd(&p, R_RXSATRH) >> 16, 1);
	assert_true(rd(&p, R_RXSTMPL) == (uint32_t)first);
	assert_true(rd(&p, R_TSYNCRXCTL) & TS_VALID);
	rd(&p, R_RXSTMPH);	/* release */
	assert_false(rd(&p, R_TSYNCRXCTL) & TS_VALID);
	ptp_l2(f, mac, 0, 3);
	assert_true(loop_one(&p, f, 60) & RXD_STAT_TS);
	assert_int_equal(rd(&p, R_RXSATRH) >> 16, 3);
	rd(&p, R_RXSTMPH);

	/* TX: the first marked frame latches, the second finds it latched */
	tx_one(&p, f, 60, true);
	tx_go(&p);
	STEP_UNTIL(p.sim, rd(&p, R_TSYNCTXCTL) & TS_VALID);
	uint32_t t1 = rd(&p, R_TXSTMPL);
	while (rx_get(&p, NULL, NULL) == 0)
		ixy_sim_step(p.sim);
	rd(&p, R_RXSTMPH);
	sleep_us(50);
	tx_one(&p, f, 60, true);
	tx_go(&p);
	STEP_UNTIL(p.sim, rx_get(&p, NULL, NULL) != 0);
	assert_true(rd(&p, R_TXSTMPL) == t1);	/* kept: the second frame was not stamped */
	rd(&p, R_TXSTMPH);
	assert_false(rd(&p, R_TSYNCTXCTL) & TS_VALID);
	rd(&p, R_RXSTMPH);
	tx_one(&p, f, 60, true);
	tx_go(&p);
	STEP_UNTIL(p.sim, rd(&p, R_TSYNCTXCTL) & TS_VALID);
	assert_true(rd(&p, R_TXSTMPL) != t1);	/* 50 us later */
	rd(&p, R_TXSTMPH);
	/* TX timestamping off: marked frames are not stamped */
	wr(&p, R_TSYNCTXCTL, 0);
	while (rx_get(&p, NULL, NULL) == 0)
		ixy_sim_step(p.sim);
	tx_one(&p, f, 60, true);
	tx_go(&p);
	STEP_UNTIL(p.sim, rx_get(&p, NULL, NULL) != 0);
	assert_false(rd(&p, R_TSYNCTXCTL) & TS_VALID);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Which frames are 1588 frames: ETQF (L2), RXMTRL's UDP port (L4), the
 * type in TSYNCRXCTL. Each stamped frame is released before the next. */
static void test_matching(void **state)
{
	(void)state;
	struct tport p;
	open_port(&p, "ptpmatch,mode=stepped,wire=loop,link_delay_us=1");
	uint8_t mac[6], f[128];
	port_mac(&p, mac);
	enable_ts(&p, TYPE_EVENT_V2);
	struct {
		const char *what;
		int kind;	/* 0 L2, 1 UDP, 2 plain UDP */
		uint16_t port;
		unsigned ver, msg;
		bool stamped;
	} cases[] = {
		{ "L2 Sync", 0, 0, 2, 0, true },
		{ "L2 Pdelay_Req", 0, 0, 2, 2, true },
		{ "L2 Follow_Up (general message)", 0, 0, 2, 8, false },
		{ "UDP 319 Sync", 1, 319, 2, 0, true },
		{ "UDP 319 Delay_Req", 1, 319, 2, 1, true },
		{ "UDP 320 Sync", 1, 320, 2, 0, false },
		{ "UDP 319 v1", 1, 319, 1, 0, false },
		{ "plain UDP", 2, 0, 0, 0, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t len = 60;
		if (cases[i].kind == 0)
			ptp_l2(f, mac, cases[i].msg, (uint16_t)(1000 + i));
		else if (cases[i].kind == 1)
			len = ptp_udp(f, mac, cases[i].port, cases[i].ver, cases[i].msg, (uint16_t)(1000 + i));
		else
			len = make_udp(f, mac, 86, 5, 1);
		uint32_t st = loop_one(&p, f, len);
		if (!!(st & RXD_STAT_TS) != cases[i].stamped)
			fail_msg("%s: TS bit %d, expected %d", cases[i].what, !!(st & RXD_STAT_TS), cases[i].stamped);
		assert_int_equal(!!(rd(&p, R_TSYNCRXCTL) & TS_VALID), cases[i].stamped);
		if (cases[i].stamped)
			assert_int_equal(rd(&p, R_RXSATRH) >> 16, 1000 + i);
		rd(&p, R_RXSTMPH);
	}
	/* source id: bytes 22..27 of the PTP header */
	ptp_l2(f, mac, 0, 7);
	assert_true(loop_one(&p, f, 60) & RXD_STAT_TS);
	assert_int_equal(rd(&p, R_RXSATRL), 0xb6b7b8b9u);
	assert_int_equal(rd(&p, R_RXSATRH) & 0xffff, 0xbabbu);
	rd(&p, R_RXSTMPH);
	/* without the ETQF filter an L2 PTP frame is an ordinary frame */
	wr(&p, R_ETQF(3), 0);
	assert_false(loop_one(&p, f, 60) & RXD_STAT_TS);
	/* ETQF with the EtherType but without the 1588 bit: not either */
	wr(&p, R_ETQF(3), 1u << 31 | 0x88f7);
	assert_false(loop_one(&p, f, 60) & RXD_STAT_TS);
	/* L4 v1 with control field 0 (Sync) in RXMTRL */
	wr(&p, R_TSYNCRXCTL, TS_EN | TYPE_L4_V1);
	uint32_t len = ptp_udp(f, mac, 319, 1, 0, 42);
	assert_true(loop_one(&p, f, len) & RXD_STAT_TS);
	assert_int_equal(rd(&p, R_RXSATRH) >> 16, 42);
	rd(&p, R_RXSTMPH);
	len = ptp_udp(f, mac, 319, 1, 1, 43);	/* Delay_Req: not selected */
	assert_false(loop_one(&p, f, len) & RXD_STAT_TS);
	/* L2 v2 with MessageType 0 from RXMTRL */
	wr(&p, R_ETQF(3), 1u << 31 | 1u << 30 | 0x88f7);
	wr(&p, R_TSYNCRXCTL, TS_EN | TYPE_L2_V2);
	ptp_l2(f, mac, 0, 44);
	assert_true(loop_one(&p, f, 60) & RXD_STAT_TS);
	rd(&p, R_RXSTMPH);
	len = ptp_udp(f, mac, 319, 2, 0, 45);	/* L4: not in the L2 type */
	assert_false(loop_one(&p, f, len) & RXD_STAT_TS);
	/* RX timestamping off: nothing */
	wr(&p, R_TSYNCRXCTL, TYPE_L2_V2);
	assert_false(loop_one(&p, f, 60) & RXD_STAT_TS);
	assert_false(rd(&p, R_TSYNCRXCTL) & TS_VALID);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* delay_us on a pair wire: the receiver's RX timestamp is the delay after
 * the sender's TX timestamp (clocks of both ports set to the same value
 * with the clock standing, then started by TIMINCA writes as close as the
 * test can; the residual offset is measured and removed). */
static void test_pair_delay(void **state)
{
	(void)state;
	struct tport a, b;
	tport_open(&a, "ptpda,mode=stepped,wire=pair:ptpdb,delay_us=5,link_delay_us=1");
	tport_open(&b, "ptpdb,mode=stepped,delay_us=5,link_delay_us=1");
	tport_init(&a, 0);
	tport_init(&b, 0);
	wait_link(&a);
	wait_link(&b);
	uint8_t mac[6], f[60];
	port_mac(&b, mac);
	enable_ts(&a, TYPE_EVENT_V2);
	enable_ts(&b, TYPE_EVENT_V2);
	/* offset of b's clock against a's: interleaved reads a, b, a */
	uint64_t s1 = systim(&a), sb = systim(&b), s2 = systim(&a);
	int64_t off = (int64_t)(sb >> SHIFT_10G) - (int64_t)(((s1 + s2) / 2) >> SHIFT_10G);
	uint64_t spread = (s2 - s1) >> SHIFT_10G;
	ptp_l2(f, mac, 0, 9);
	ixy_sim_step(a.sim);
	tx_one(&a, f, 60, true);
	tx_go(&a);
	uint32_t st = 0;
	STEP_UNTIL(a.sim, rx_get(&b, NULL, &st) != 0);
	assert_true(st & RXD_STAT_TS);
	assert_int_equal(rd(&b, R_RXSATRH) >> 16, 9);
	int64_t lat = (int64_t)(rx_stamp(&b) >> SHIFT_10G) - off - (int64_t)(tx_stamp(&a) >> SHIFT_10G);
	if (lat < 5000 - 7 - (int64_t)spread || lat > 5000 + 7 + (int64_t)spread)
		fail_msg("pair delay: %lld ns, expected 5000 (+- 7 + %llu)", (long long)lat, (unsigned long long)spread);
	/* b -> a the same way */
	port_mac(&a, mac);
	ptp_l2(f, mac, 0, 10);
	tx_one(&b, f, 60, true);
	tx_go(&b);
	STEP_UNTIL(a.sim, rx_get(&a, NULL, &st) != 0);
	assert_true(st & RXD_STAT_TS);
	lat = (int64_t)(rx_stamp(&a) >> SHIFT_10G) + off - (int64_t)(tx_stamp(&b) >> SHIFT_10G);
	if (lat < 5000 - 7 - (int64_t)spread || lat > 5000 + 7 + (int64_t)spread)
		fail_msg("pair delay b->a: %lld ns, expected 5000 (+- 7 + %llu)", (long long)lat,
			 (unsigned long long)spread);
	assert_int_equal(ixy_sim_violation_count(a.sim), 0);
	assert_int_equal(ixy_sim_violation_count(b.sim), 0);
	tport_close(&a);
	tport_close(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_systim_rate),
		cmocka_unit_test(test_systim_write_and_adjust),
		cmocka_unit_test(test_clock_jump_fault),
		cmocka_unit_test(test_back_to_back_64),
		cmocka_unit_test(test_latching),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_pair_delay),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
