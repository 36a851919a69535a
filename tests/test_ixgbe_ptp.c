/* ixgbe driver: IEEE 1588 timestamps (ixy/ptp.h) against the virtual 82599
 * in stepped mode: the clock (rate, write, adjust), a PTP probe's TX and RX
 * timestamps across a pair wire with a known delay, the sequence id, one
 * timestamp at a time, the TX request consumed with the frame, non-PTP
 * frames, the X540's TIMINCA format, and the refusals (X550, not enabled). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/ptp.h"
#include "ixy/sim.h"

static int setup(void **state)
{
	(void)state;
	char path[256];
	if (geteuid() != 0 || ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, path, sizeof(path)) < 0) {
		print_message("these tests need root and a 2 MiB hugetlbfs: %s\n", ixy_last_error());
		return -1;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static struct ixy_sim *new_sim(const char *name, uint16_t device_id, uint32_t delay_us)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id, .delay_us = delay_us,
				     .link_delay_us = 100 };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		fail_msg("ixy_sim_create: %s", ixy_last_error());
	return sim;
}

/* The ports' TX loop: the default one, or the offload one (ixgbe_offload.c),
 * which honours timestamp requests too. */
static bool with_offloads;

static struct ixy_device *open_port(struct ixy_sim *sim)
{
	struct ixy_config c = { .num_rx_queues = 1, .num_tx_queues = 1, .link_timeout_ms = 2000,
				.tx_offload = with_offloads };
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		fail_msg("ixy_open_sim: %s", ixy_last_error());
	return dev;
}

static struct ixy_mempool *pool(void)
{
	struct ixy_mempool_opts o = { .num_entries = 64, .numa_node = -1 };
	struct ixy_mempool *p = ixy_mempool_create(&o);
	if (!p)
		fail_msg("ixy_mempool_create: %s", ixy_last_error());
	return p;
}

/* A 60-byte PTPv2 Sync frame (EtherType 0x88F7) to dst, or a plain IPv4
 * frame when ptp is false. */
static struct ixy_pkt_buf *frame(struct ixy_mempool *mp, const uint8_t dst[6], bool ptp, uint16_t seq)
{
	struct ixy_pkt_buf *b;
	assert_int_equal(ixy_pkt_buf_alloc_batch(mp, &b, 1), 1);
	uint8_t *p = ixy_pkt_data(b);
	memset(p, 0, 60);
	memcpy(p, dst, 6);
	p[6] = 0x02;
	p[11] = 0x09;
	p[12] = ptp ? 0x88 : 0x08;
	p[13] = ptp ? 0xf7 : 0x00;
	if (ptp) {
		p[15] = 2;	/* versionPTP; messageType 0 = Sync */
		p[14 + 30] = (uint8_t)(seq >> 8);
		p[14 + 31] = (uint8_t)seq;
	} else {
		p[14] = 0x45;
		p[17] = 46;
		p[22] = 64;
		p[23] = 17;
	}
	b->len = 60;
	return b;
}

static void pump(struct ixy_sim *a, unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++) {
		ixy_sim_step(a);
		if (i > 100)
			sleep_us(5);
	}
}

/* Receive one frame on dev (stepping sim), free it, return its length. */
static uint32_t recv_one(struct ixy_device *dev, struct ixy_sim *sim)
{
	struct ixy_pkt_buf *b = NULL;
	for (int i = 0; i < 20000; i++) {
		if (ixy_rx_batch(dev, 0, &b, 1) == 1) {
			uint32_t len = b->len;
			/* RX bits only: a received buffer asks for no TX timestamp */
			assert_int_equal(b->ol_flags & IXY_PKT_TX_TIMESTAMP, 0);
			ixy_pkt_buf_free(b);
			return len;
		}
		ixy_sim_step(sim);
		if (i > 100)
			sleep_us(5);
	}
	return 0;
}

static void test_clock(void **state)
{
	(void)state;
	struct ixy_sim *s = new_sim("pclk", 0, 0);
	assert_int_equal(ixy_sim_wire_loopback(s), 0);
	struct ixy_device *d = open_port(s);
	uint64_t ns;
	/* before enable: a clear refusal */
	assert_int_equal(ixy_ptp_read_clock(d, &ns), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "ixy_ptp_enable"));
	assert_int_equal(ixy_ptp_enable(d), 0);
	struct ixy_ptp_info info;
	assert_int_equal(ixy_ptp_info(d, &info), 0);
	assert_int_equal(info.resolution_ps, 6400);
	assert_int_equal(info.clock_bits, 43);
	assert_int_equal(info.link_mbps, 10000);
	/* rate: the ns gained between two reads lie within the monotonic
	 * time between them (inner and outer ends, one step of slack) */
	uint64_t c1, c2, t0 = now_ns();
	assert_int_equal(ixy_ptp_read_clock(d, &c1), 0);
	uint64_t t1 = now_ns();
	sleep_us(3000);
	uint64_t t2 = now_ns();
	assert_int_equal(ixy_ptp_read_clock(d, &c2), 0);
	uint64_t t3 = now_ns();
	int64_t gained = ixy_ptp_diff(&info, c2, c1);
	assert_true(gained + 7 >= (int64_t)(t2 - t1) && gained <= (int64_t)(t3 - t0) + 7);
	/* write: the clock continues from the value written */
	t0 = now_ns();
	assert_int_equal(ixy_ptp_write_clock(d, 5000000000ull), 0);
	assert_int_equal(ixy_ptp_read_clock(d, &c1), 0);
	t1 = now_ns();
	assert_true(c1 >= 5000000000ull && c1 <= 5000000000ull + (t1 - t0) + 7);
	/* adjust, both ways: the clock moved by the adjustment plus the time
	 * between the reads */
	t0 = now_ns();
	assert_int_equal(ixy_ptp_read_clock(d, &c1), 0);
	assert_int_equal(ixy_ptp_adjust_clock(d, 2000000), 0);
	assert_int_equal(ixy_ptp_read_clock(d, &c2), 0);
	t1 = now_ns();
	gained = ixy_ptp_diff(&info, c2, c1);
	assert_true(gained >= 2000000 - 7 && gained <= 2000000 + (int64_t)(t1 - t0) + 7);
	t0 = now_ns();
	assert_int_equal(ixy_ptp_read_clock(d, &c1), 0);
	assert_int_equal(ixy_ptp_adjust_clock(d, -3000000), 0);
	assert_int_equal(ixy_ptp_read_clock(d, &c2), 0);
	t1 = now_ns();
	gained = ixy_ptp_diff(&info, c2, c1);
	assert_true(gained >= -3000000 - 7 && gained <= -3000000 + (int64_t)(t1 - t0) + 7);
	/* the wrap of the 43-bit clock: a difference across it */
	assert_true(ixy_ptp_diff(&info, 5, (1ull << 43) - 5) == 10);
	assert_int_equal(ixy_ptp_disable(d), 0);
	assert_int_equal(ixy_ptp_tx_timestamp(d, &ns), -EINVAL);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_close(d);
	ixy_sim_destroy(s);
}

/* A probe over a pair wire with 3 us of delay: TX timestamp on a, RX
 * timestamp and sequence id on b, clocks synchronised first by the
 * MoonGen method (zero both, then the median offset of interleaved reads
 * into b's TIMADJ); the measured latency is the delay. */
static void test_probe_over_delayed_pair(void **state)
{
	(void)state;
	struct ixy_sim *sa = new_sim("ppa", 0, 3), *sb = new_sim("ppb", 0, 3);
	assert_int_equal(ixy_sim_wire_pair(sa, sb), 0);
	struct ixy_device *a = open_port(sa), *b = open_port(sb);
	assert_int_equal(ixy_ptp_enable(a), 0);
	assert_int_equal(ixy_ptp_enable(b), 0);
	struct ixy_ptp_info info;
	assert_int_equal(ixy_ptp_info(a, &info), 0);
	assert_int_equal(ixy_ptp_write_clock(a, 0), 0);
	assert_int_equal(ixy_ptp_write_clock(b, 0), 0);
	int64_t offs[7];
	for (int r = 0; r < 7; r++) {
		uint64_t x1, y, x2;
		ixy_ptp_read_clock(a, &x1);
		ixy_ptp_read_clock(b, &y);
		ixy_ptp_read_clock(a, &x2);
		offs[r] = ixy_ptp_diff(&info, y, x1 + (uint64_t)(ixy_ptp_diff(&info, x2, x1) / 2));
	}
	for (int i = 1; i < 7; i++)	/* insertion sort for the median */
		for (int j = i; j > 0 && offs[j] < offs[j - 1]; j--) {
			int64_t t = offs[j];
			offs[j] = offs[j - 1];
			offs[j - 1] = t;
		}
	assert_int_equal(ixy_ptp_adjust_clock(b, -offs[3]), 0);
	/* how well: one more interleaved read */
	uint64_t x1, y, x2;
	ixy_ptp_read_clock(a, &x1);
	ixy_ptp_read_clock(b, &y);
	ixy_ptp_read_clock(a, &x2);
	int64_t resid = ixy_ptp_diff(&info, y, x1 + (uint64_t)(ixy_ptp_diff(&info, x2, x1) / 2));
	int64_t spread = ixy_ptp_diff(&info, x2, x1);

	uint8_t mac_b[6];
	ixy_get_mac(b, mac_b);
	struct ixy_mempool *mp = pool();
	for (uint16_t seq = 40; seq < 44; seq++) {
		struct ixy_pkt_buf *p = frame(mp, mac_b, true, seq);
		ixy_pkt_request_tx_timestamp(p);
		assert_int_equal(ixy_tx_batch(a, 0, &p, 1), 1);
		assert_int_equal(p->ol_flags & IXY_PKT_TX_TIMESTAMP, 0);	/* consumed with the frame */
		assert_int_equal(recv_one(b, sa), 60);
		uint64_t ttx = 0, trx = 0;
		uint16_t got_seq = 0;
		assert_int_equal(ixy_ptp_tx_timestamp(a, &ttx), 1);
		assert_int_equal(ixy_ptp_rx_timestamp(b, &trx, &got_seq), 1);
		assert_int_equal(got_seq, seq);
		int64_t lat = ixy_ptp_diff(&info, trx, ttx);
		if (lat < 3000 - 7 - spread - (resid < 0 ? -resid : resid) || lat > 3000 + 7 + spread + (resid < 0 ? -resid : resid))
			fail_msg("probe %u: latency %lld ns, expected 3000 (sync residue %lld, read spread %lld)", seq,
				 (long long)lat, (long long)resid, (long long)spread);
		/* both released */
		assert_int_equal(ixy_ptp_tx_timestamp(a, &ttx), 0);
		assert_int_equal(ixy_ptp_rx_timestamp(b, &trx, NULL), 0);
	}
	/* a plain frame marked for TX: TX timestamp, no RX timestamp */
	struct ixy_pkt_buf *p = frame(mp, mac_b, false, 0);
	ixy_pkt_request_tx_timestamp(p);
	assert_int_equal(ixy_tx_batch(a, 0, &p, 1), 1);
	assert_int_equal(recv_one(b, sa), 60);
	uint64_t ts;
	assert_int_equal(ixy_ptp_tx_timestamp(a, &ts), 1);
	assert_int_equal(ixy_ptp_rx_timestamp(b, &ts, NULL), 0);
	/* two probes while the first RX timestamp is not read: the second
	 * arrives but is not stamped; the latch still holds the first */
	struct ixy_pkt_buf *two[2] = { frame(mp, mac_b, true, 7), frame(mp, mac_b, true, 8) };
	assert_int_equal(ixy_tx_batch(a, 0, two, 2), 2);
	assert_int_equal(recv_one(b, sa), 60);
	assert_int_equal(recv_one(b, sa), 60);
	uint16_t sq = 0;
	assert_int_equal(ixy_ptp_rx_timestamp(b, &ts, &sq), 1);
	assert_int_equal(sq, 7);
	assert_int_equal(ixy_ptp_rx_timestamp(b, &ts, &sq), 0);
	/* a TX request on an unmarked buffer is not made */
	assert_int_equal(ixy_ptp_tx_timestamp(a, &ts), 0);
	pump(sa, 10);
	assert_int_equal(ixy_sim_violation_count(sa), 0);
	assert_int_equal(ixy_sim_violation_count(sb), 0);
	ixy_close(a);
	ixy_close(b);
	ixy_mempool_free(mp);
	ixy_sim_destroy(sa);
	ixy_sim_destroy(sb);
}

/* The same over ports opened with ixy_config.tx_offload. */
static void test_probe_with_offload_loop(void **state)
{
	with_offloads = true;
	test_probe_over_delayed_pair(state);
	with_offloads = false;
}

/* X540: TIMINCA is a 31-bit value added every tick (no period field); the
 * driver's clock runs at the monotonic clock's rate and stamps frames. */
static void test_x540(void **state)
{
	(void)state;
	struct ixy_sim *s = new_sim("px540", 0x1528, 0);
	assert_int_equal(ixy_sim_wire_loopback(s), 0);
	struct ixy_device *d = open_port(s);
	assert_int_equal(ixy_ptp_enable(d), 0);
	struct ixy_ptp_info info;
	assert_int_equal(ixy_ptp_info(d, &info), 0);
	assert_int_equal(info.clock_bits, 36);
	uint64_t c1, c2, t0 = now_ns();
	ixy_ptp_read_clock(d, &c1);
	uint64_t t1 = now_ns();
	sleep_us(3000);
	uint64_t t2 = now_ns();
	ixy_ptp_read_clock(d, &c2);
	uint64_t t3 = now_ns();
	int64_t gained = ixy_ptp_diff(&info, c2, c1);
	assert_true(gained + 7 >= (int64_t)(t2 - t1) && gained <= (int64_t)(t3 - t0) + 7);
	uint8_t mac[6];
	ixy_get_mac(d, mac);
	struct ixy_mempool *mp = pool();
	struct ixy_pkt_buf *p = frame(mp, mac, true, 99);
	ixy_pkt_request_tx_timestamp(p);
	assert_int_equal(ixy_tx_batch(d, 0, &p, 1), 1);
	assert_int_equal(recv_one(d, s), 60);
	uint64_t tt, tr;
	uint16_t seq;
	assert_int_equal(ixy_ptp_tx_timestamp(d, &tt), 1);
	assert_int_equal(ixy_ptp_rx_timestamp(d, &tr, &seq), 1);
	assert_int_equal(seq, 99);
	int64_t lat = ixy_ptp_diff(&info, tr, tt);
	assert_true(lat >= -7 && lat <= 7);	/* loop wire: the same instant */
	ixy_close(d);
	ixy_mempool_free(mp);
	ixy_sim_destroy(s);
}

static void test_x550_refused(void **state)
{
	(void)state;
	struct ixy_sim *s = new_sim("px550", 0x1563, 0);
	assert_int_equal(ixy_sim_wire_loopback(s), 0);
	struct ixy_device *d = open_port(s);
	assert_int_equal(ixy_ptp_enable(d), -ENOTSUP);
	assert_non_null(strstr(ixy_last_error(), "X550"));
	uint64_t ns;
	assert_int_equal(ixy_ptp_read_clock(d, &ns), -ENOTSUP);
	ixy_close(d);
	ixy_sim_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_probe_over_delayed_pair),
		cmocka_unit_test(test_probe_with_offload_loop),
		cmocka_unit_test(test_x540),
		cmocka_unit_test(test_x550_refused),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
