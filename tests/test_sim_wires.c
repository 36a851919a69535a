/* The sim's wires and modes: pcap files in and out (written and read back
 * with libpcap), the generator and its rate, link-speed emulation (10 Gb/s
 * including preamble, IFG and FCS), threaded mode (the engine thread polls
 * the tails), and the spec string. */
#include "test_sim_util.h"

#include <pcap/pcap.h>
#include <stdlib.h>

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

/* Write a pcap with libpcap, replay it into a port whose TX goes to another
 * pcap file; the port forwards what it receives (the test is the driver);
 * read the output back and compare. */
static void test_pcap_in_out(void **state)
{
	(void)state;
	char in[] = "/tmp/ixy-sim-in-XXXXXX", out[] = "/tmp/ixy-sim-out-XXXXXX";
	close(mkstemp(in));
	close(mkstemp(out));
	uint8_t frames[5][300];
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, in);
	assert_non_null(d);
	const uint8_t mac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 };
	for (int i = 0; i < 5; i++) {
		make_udp(frames[i], mac, 100 + 40 * (uint32_t)i, (uint16_t)i, (uint8_t)i);
		struct pcap_pkthdr h = { .caplen = 100 + 40 * (uint32_t)i, .len = 100 + 40 * (uint32_t)i };
		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(dead);

	char spec[256];
	snprintf(spec, sizeof(spec), "pc,mode=stepped,mac=02:aa:bb:cc:dd:01,wire=pcap:%s:%s,link_delay_us=1", in, out);
	struct tport p;
	tport_open(&p, spec);
	tport_init(&p, 0);
	wait_link(&p);
	int fwd = 0;
	uint8_t buf[2048];
	for (int i = 0; i < 1000 && fwd < 5; i++) {
		ixy_sim_step(p.sim);
		uint32_t n;
		while ((n = rx_get(&p, buf, NULL)) != 0) {
			tx_put(&p, buf, n, 1);
			fwd++;
		}
	}
	assert_int_equal(fwd, 5);
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	tport_close(&p);	/* closes the output file */

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *r = pcap_open_offline(out, err);
	assert_non_null(r);
	struct pcap_pkthdr *h;
	const u_char *data;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pcap_next_ex(r, &h, &data), 1);
		assert_int_equal(h->caplen, 100 + 40 * (uint32_t)i);
		assert_memory_equal(data, frames[i], h->caplen);
	}
	assert_int_not_equal(pcap_next_ex(r, &h, &data), 1);
	pcap_close(r);
	unlink(in);
	unlink(out);
}

/* Generator at a chosen rate; count limit; frames reach the RX ring. */
static void test_generator_rate(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "gen,mode=stepped,wire=gen:64:100000:2000:4,link_delay_us=1");
	tport_init(&p, 0);
	wait_link(&p);
	uint64_t t0 = now_ns();
	int got = 0;
	while (got < 2000 && now_ns() - t0 < 3000000000ull) {
		ixy_sim_step(p.sim);
		while (rx_get(&p, NULL, NULL))
			got++;
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	assert_int_equal(got, 2000);
	print_message("generator: 2000 frames at 100 kpps took %.3f s\n", secs);
	assert_true(secs > 0.015);	/* 2000 / 100000 = 20 ms */
	for (int i = 0; i < 100; i++)
		ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, NULL, NULL), 0);	/* count reached */
	tport_close(&p);
}

/* 10 Gb/s: a 1514-byte frame occupies the wire for (1514+4+20)*0.8 ns =
 * 1230.4 ns, so 2000 of them need >= 2.4 ms (after a 10 us burst). */
static void test_link_speed(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "spd,mode=stepped,wire=capture:4096,link_delay_us=1");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t f[1514], buf[2048];
	const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	make_udp(f, mac, 1514, 1, 0);
	uint64_t t0 = now_ns();
	int sent = 0, got = 0;
	while (got < 2000) {
		while (sent < 2000 && (p.tx_next + 1) % p.ntx != rd(&p, R_TDH(0))) {
			tx_put(&p, f, 1514, 1);
			sent++;
		}
		ixy_sim_step(p.sim);
		while (ixy_sim_capture_pop(p.sim, buf, sizeof(buf)) > 0)
			got++;
		assert_true(now_ns() - t0 < 5000000000ull);
	}
	double us = (double)(now_ns() - t0) / 1e3;
	print_message("2000 x 1514 B at 10 Gb/s: %.0f us (wire time 2461 us)\n", us);
	assert_true(us >= 2461 - 10);
	tport_close(&p);
}

/* Threaded mode: the engine thread notices tail stores by itself. */
static void test_threaded_loopback(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "thr,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[512], got[2048];
	port_mac(&p, mac);
	for (int k = 0; k < 200; k++) {
		uint32_t len = make_udp(f, mac, 60 + (uint32_t)k, 1, (uint8_t)k);
		tx_put(&p, f, len, 1);
		uint32_t n = 0;
		uint64_t t0 = now_ns();
		while ((n = rx_get(&p, got, NULL)) == 0 && now_ns() - t0 < 1000000000ull)
			;
		assert_int_equal(n, len);
		assert_memory_equal(got, f, len);
	}
	assert_int_equal(ixy_sim_step(p.sim) < 0, 1);	/* no stepping a threaded port */
	assert_non_null(strstr(ixy_last_error(), "stepped"));
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

static void test_spec_errors(void **state)
{
	(void)state;
	assert_null(ixy_sim_open_spec("x,wire=bogus"));
	assert_non_null(strstr(ixy_last_error(), "unknown wire"));
	assert_null(ixy_sim_open_spec("x,speed=9"));
	assert_non_null(strstr(ixy_last_error(), "unknown option \"speed=9\""));
	assert_null(ixy_sim_open_spec("x,mac=01:02"));
	assert_non_null(strstr(ixy_last_error(), "bad MAC"));
	assert_null(ixy_sim_open_spec("x,wire=pcap:/nonexistent/in.pcap:"));
	assert_non_null(strstr(ixy_last_error(), "/nonexistent/in.pcap"));
	assert_null(ixy_sim_open_spec("x,wire=iface:nosuchif0"));
	assert_non_null(strstr(ixy_last_error(), "nosuchif0"));
	assert_null(ixy_sim_find("x"));	/* failed opens leave nothing behind */
	struct ixy_sim *a = ixy_sim_open_spec("dup,mode=stepped");
	assert_non_null(a);
	assert_null(ixy_sim_open_spec("dup"));
	assert_non_null(strstr(ixy_last_error(), "already exists"));
	ixy_sim_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_in_out),
		cmocka_unit_test(test_generator_rate),
		cmocka_unit_test(test_link_speed),
		cmocka_unit_test(test_threaded_loopback),
		cmocka_unit_test(test_spec_errors),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
