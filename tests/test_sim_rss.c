/* RSS in the sim (datasheet 7.1.2.8): the Toeplitz hash against the
 * published verification suite (Microsoft's RSS verification vectors, also
 * quoted in the 82599 datasheet 7.1.2.8.4), then end to end through
 * registers: RSSRK, MRQC field selection, RETA queue choice and the hash
 * and RSS type in the advanced RX write-back. */
#include "test_sim_util.h"

#include <arpa/inet.h>
#include <stdlib.h>

#include "model/dma/sim_parse.h"

static const uint8_t key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct v4 {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t h_ip, h_tcp;
};

static const struct v4 v4s[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct v4 v6s[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024, 0x4b61e985, 0x02d1feef },
};

static void test_toeplitz_vectors(void **state)
{
	(void)state;
	uint8_t in[36];
	for (size_t i = 0; i < sizeof(v4s) / sizeof(v4s[0]); i++) {
		inet_pton(AF_INET, v4s[i].src, in);
		inet_pton(AF_INET, v4s[i].dst, in + 4);
		in[8] = (uint8_t)(v4s[i].sport >> 8);
		in[9] = (uint8_t)v4s[i].sport;
		in[10] = (uint8_t)(v4s[i].dport >> 8);
		in[11] = (uint8_t)v4s[i].dport;
		assert_int_equal(sim_toeplitz(key, in, 8), v4s[i].h_ip);
		assert_int_equal(sim_toeplitz(key, in, 12), v4s[i].h_tcp);
	}
	for (size_t i = 0; i < sizeof(v6s) / sizeof(v6s[0]); i++) {
		inet_pton(AF_INET6, v6s[i].src, in);
		inet_pton(AF_INET6, v6s[i].dst, in + 16);
		in[32] = (uint8_t)(v6s[i].sport >> 8);
		in[33] = (uint8_t)v6s[i].sport;
		in[34] = (uint8_t)(v6s[i].dport >> 8);
		in[35] = (uint8_t)v6s[i].dport;
		assert_int_equal(sim_toeplitz(key, in, 32), v6s[i].h_ip);
		assert_int_equal(sim_toeplitz(key, in, 36), v6s[i].h_tcp);
	}
}

/* The table-driven hash the model uses per frame equals the bit-by-bit
 * reference: the published vectors, then random keys and inputs of every
 * length. */
static void test_toeplitz_tables(void **state)
{
	(void)state;
	static struct sim_toeplitz_tbl tbl;
	uint8_t in[36];
	sim_toeplitz_prepare(key, &tbl);
	for (size_t i = 0; i < sizeof(v4s) / sizeof(v4s[0]); i++) {
		inet_pton(AF_INET, v4s[i].src, in);
		inet_pton(AF_INET, v4s[i].dst, in + 4);
		in[8] = (uint8_t)(v4s[i].sport >> 8);
		in[9] = (uint8_t)v4s[i].sport;
		in[10] = (uint8_t)(v4s[i].dport >> 8);
		in[11] = (uint8_t)v4s[i].dport;
		assert_int_equal(sim_toeplitz_tbl(&tbl, in, 12), v4s[i].h_tcp);
	}
	unsigned seed = 12345;
	uint8_t k[40];
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 40; i++)
			k[i] = (uint8_t)rand_r(&seed);
		for (int i = 0; i < 36; i++)
			in[i] = (uint8_t)rand_r(&seed);
		sim_toeplitz_prepare(k, &tbl);
		for (unsigned n = 0; n <= 36; n++)
			assert_int_equal(sim_toeplitz_tbl(&tbl, in, n), sim_toeplitz(k, in, n));
	}
}

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* TCP/IPv4 or TCP/IPv6 frame with the vector's addresses and ports. */
static uint32_t make_tcp(uint8_t *f, const uint8_t dst[6], int v6, const struct v4 *v)
{
	memset(f, 0, 128);
	memcpy(f, dst, 6);
	f[6] = 0x02;
	uint32_t l4;
	if (!v6) {
		f[12] = 0x08;
		uint8_t *ip = f + 14;
		ip[0] = 0x45;
		ip[3] = 40;
		ip[8] = 64;
		ip[9] = 6;
		inet_pton(AF_INET, v->src, ip + 12);
		inet_pton(AF_INET, v->dst, ip + 16);
		l4 = 34;
	} else {
		f[12] = 0x86;
		f[13] = 0xdd;
		uint8_t *ip = f + 14;
		ip[0] = 0x60;
		ip[5] = 20;
		ip[6] = 6;
		ip[7] = 64;
		inet_pton(AF_INET6, v->src, ip + 8);
		inet_pton(AF_INET6, v->dst, ip + 24);
		l4 = 54;
	}
	f[l4] = (uint8_t)(v->sport >> 8);
	f[l4 + 1] = (uint8_t)v->sport;
	f[l4 + 2] = (uint8_t)(v->dport >> 8);
	f[l4 + 3] = (uint8_t)v->dport;
	f[l4 + 12] = 0x50;
	return l4 + 20 < 60 ? 60 : l4 + 20;
}

/* Through the registers: the 82598-compatible RSSRK/MRQC/RETA addresses the
 * Linux driver uses, PCSD so the write-back carries the hash. */
static void test_rss_end_to_end(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "rss,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	for (int i = 0; i < 10; i++)
		wr(&p, R_RSSRK_82598(i), (uint32_t)key[4 * i] | (uint32_t)key[4 * i + 1] << 8 |
					       (uint32_t)key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24);
	/* all RETA entries -> queue 0, so the one configured queue gets all */
	for (int i = 0; i < 32; i++)
		wr(&p, R_RETA_82598(i), 0);
	wr(&p, R_RXCSUM, 1u << 13);	/* PCSD: RSS hash in the write-back */
	uint8_t mac[6], f[128];
	port_mac(&p, mac);
	struct {
		uint32_t mrqc;
		int v6;
		const struct v4 *v;
		uint32_t hash, type;
	} cases[] = {
		{ 0x00010001, 0, &v4s[0], 0x51ccc178, 1 },	/* TCP/IPv4 */
		{ 0x00020001, 0, &v4s[1], 0xd718262a, 2 },	/* IPv4 only */
		{ 0x00210001, 1, &v6s[0], 0x40207d3d, 3 },	/* TCP/IPv6 */
		{ 0x00100001, 1, &v6s[2], 0x4b61e985, 5 },	/* IPv6 only */
		{ 0x00000000, 0, &v4s[0], 0, 0 },		/* RSS off */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		wr(&p, R_MRQC_82598, cases[i].mrqc);
		uint32_t len = make_tcp(f, mac, cases[i].v6, cases[i].v);
		assert_int_equal(ixy_sim_inject(p.sim, f, len), 0);
		ixy_sim_step(p.sim);
		uint8_t *d = p.rxring + 16 * p.rx_next;
		assert_int_equal(desc32(d, 8) & 1, 1);
		assert_int_equal(desc32(d, 0) & 0xf, cases[i].type);
		assert_int_equal(desc32(d, 4), cases[i].hash);
		assert_int_not_equal(rx_get(&p, NULL, NULL), 0);
	}
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* RETA picks the queue: hash & 0x7f indexes 128 one-byte entries. */
static void test_reta_queue_choice(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "reta,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 1u << 28);
	wait_link(&p);
	for (int i = 0; i < 10; i++)
		wr(&p, R_RSSRK(i), (uint32_t)key[4 * i] | (uint32_t)key[4 * i + 1] << 8 |
					 (uint32_t)key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24);
	/* 0x51ccc178 & 0x7f = 0x78 = entry 120 -> RETA[30] byte 0: queue 3,
	 * which is not enabled: the frame is dropped and counted on queue 3's
	 * statistics set (mapped through RQSMR[0] byte 3). */
	for (int i = 0; i < 32; i++)
		wr(&p, R_RETA(i), 0);
	wr(&p, R_RETA(30), 0x03);
	wr(&p, 0x02300, 0x05000000);	/* RQSMR[0]: queue 3 -> statistics set 5 */
	wr(&p, R_MRQC, 0x00010001);
	uint8_t mac[6], f[128];
	port_mac(&p, mac);
	uint32_t len = make_tcp(f, mac, 0, &v4s[0]);
	ixy_sim_inject(p.sim, f, len);
	ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, NULL, NULL), 0);
	assert_int_equal(rd(&p, R_QPRDC(5)), 1);
	/* entry 120 back to queue 0: received */
	wr(&p, R_RETA(30), 0);
	ixy_sim_inject(p.sim, f, len);
	ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, NULL, NULL), len);
	tport_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toeplitz_vectors),
		cmocka_unit_test(test_toeplitz_tables),
		cmocka_unit_test_setup(test_rss_end_to_end, setup),
		cmocka_unit_test_setup(test_reta_queue_choice, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
