/* ixgbe offloads against the virtual 82599 (stepped, capture wire): the
 * frames on the wire are compared byte for byte with frames whose
 * checksums, VLAN tags and TCP segments this file computes itself (RFC
 * 791/793/768/2460 checksums, 802.1Q, the segmentation rules of datasheet
 * 7.2.4 with the reset DTXTCPFLGL/H masks); inconsistent requests are
 * refused and counted; VLAN stripping hands the tag back. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/mempool.h"
#include "ixy/packet.h"
#include "ixy/sim.h"
#include "sim_checks.h"

#define MAXF 4096

/* ---- checksums, written from the RFCs (not the library's) ---- */
static uint32_t ck_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t ck_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Correct IPv4 header and TCP/UDP checksums for a frame with the IP header
 * at l2 (IPv4 or IPv6 without extension headers), L4 to the frame's end. */
static void fix_checksums(uint8_t *f, size_t len, size_t l2, bool v6, bool tcp)
{
	uint8_t *ip = f + l2;
	size_t l3 = v6 ? 40 : (size_t)(ip[0] & 15) * 4, l4len = len - l2 - l3;
	uint8_t *l4 = ip + l3, *ck = tcp ? l4 + 16 : l4 + 6;
	if (!v6) {
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~ck_fold(ck_add(0, ip, l3)));
	}
	put16(ck, 0);
	uint32_t s = v6 ? ck_add(0, ip + 8, 32) : ck_add(0, ip + 12, 8);
	s += (tcp ? 6u : 17u) + (uint32_t)l4len;
	uint16_t c = (uint16_t)~ck_fold(ck_add(s, l4, l4len));
	if (!tcp && c == 0)
		c = 0xffff;
	put16(ck, c);
}

/* A frame: Ethernet, IPv4 (20) or IPv6 (40), TCP (20) or UDP (8), payload
 * from seed; right checksums. */
static size_t build(uint8_t *f, size_t len, bool v6, bool tcp, uint32_t seed)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	memset(f, 0, len);
	memcpy(f, mac, 12);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + 14;
	size_t l3 = v6 ? 40 : 20, l4h = tcp ? 20 : 8, l4len = len - 14 - l3;
	if (v6) {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = tcp ? 6 : 17;
		ip[7] = 64;
		for (int i = 0; i < 32; i++)
			ip[8 + i] = (uint8_t)(0x20 + i * 5 + seed);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(len - 14));
		put16(ip + 4, (uint16_t)(0x1234 + seed));
		ip[6] = 0x40;
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		uint8_t a[8] = { 198, 18, 0, 1, 198, 19, (uint8_t)seed, 2 };
		memcpy(ip + 12, a, 8);
	}
	uint8_t *l4 = ip + l3;
	put16(l4, (uint16_t)(1000 + seed));
	put16(l4 + 2, 80);
	if (tcp) {
		put16(l4 + 4, 0x1000);
		put16(l4 + 6, (uint16_t)seed);
		l4[12] = 5 << 4;
		l4[13] = 0x18;  /* ACK | PSH */
		put16(l4 + 14, 0xffff);
	} else {
		put16(l4 + 4, (uint16_t)l4len);
	}
	for (size_t i = l4h; i < l4len; i++)
		l4[i] = (uint8_t)(i * 7 + seed + (i >> 8));
	fix_checksums(f, len, 14, v6, tcp);
	return len;
}

/* The frame with an 802.1Q tag after the addresses. */
static size_t tagged(uint8_t *out, const uint8_t *f, size_t len, uint16_t tci)
{
	memcpy(out, f, 12);
	put16(out + 12, 0x8100);
	put16(out + 14, tci);
	memcpy(out + 16, f + 12, len - 12);
	return len + 4;
}

/* ---- the port ---- */

struct port {
	struct ixy_sim *sim;
	struct ixy_device *dev;
	struct ixy_mempool *pool;
};

static void open_port(struct port *p, bool tx_offload, bool strip, uint16_t ring)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .unthrottled = true };
	p->sim = ixy_sim_create("ol", &sc);
	assert_non_null(p->sim);
	assert_int_equal(ixy_sim_wire_capture(p->sim, 100000), 0);
	struct ixy_config c = { .tx_ring_size = ring, .rx_ring_size = ring, .link_timeout_ms = 2000,
				.promisc = true, .tx_offload = tx_offload, .rx_vlan_strip = strip };
	p->dev = ixy_open_sim(p->sim, &c);
	if (!p->dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(p->dev);
	struct ixy_mempool_opts o = { .num_entries = 2048, .buf_len = MAXF, .numa_node = -1 };
	p->pool = ixy_mempool_create(&o);
	assert_non_null(p->pool);
}

static void close_port(struct port *p)
{
	assert_no_sim_violations(p->sim);
	ixy_close(p->dev);
	assert_int_equal(ixy_mempool_available(p->pool), ixy_mempool_size(p->pool));
	ixy_mempool_free(p->pool);
	ixy_sim_destroy(p->sim);
}

static void pump(struct port *p)
{
	for (int idle = 0, r = 0; idle < 2 && r < 100000; r++)
		idle = ixy_sim_step(p->sim) > 0 ? 0 : idle + 1;
}

static struct ixy_pkt_buf *load(struct port *p, const uint8_t *f, size_t len, uint16_t flags)
{
	struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(p->pool);
	assert_non_null(b);
	memcpy(ixy_pkt_data(b), f, len);
	b->len = (uint32_t)len;
	b->ol_flags = flags;
	b->l2_len = 14;
	b->l3_len = (flags & IXY_PKT_TX_IPV6) ? 40 : 20;
	b->l4_len = 20;
	b->tso_mss = 0;
	b->vlan_tci = 0;
	return b;
}

/* Spoil the checksum fields the NIC is to fill in. */
static void spoil(struct ixy_pkt_buf *b, bool v6, bool tcp)
{
	uint8_t *ip = ixy_pkt_data(b) + 14, *l4 = ip + (v6 ? 40 : 20);
	if (!v6)
		put16(ip + 10, 0xdead);
	put16(tcp ? l4 + 16 : l4 + 6, 0xbeef);
}

static void send_all(struct port *p, struct ixy_pkt_buf **bufs, uint32_t n)
{
	uint32_t sent = 0;
	for (int tries = 0; sent < n && tries < 1000; tries++) {
		sent += ixy_tx_batch(p->dev, 0, bufs + sent, n - sent);
		pump(p);
	}
	assert_int_equal(sent, n);
	pump(p);
}

static void expect_frame(struct port *p, const uint8_t *want, size_t len)
{
	static uint8_t got[MAXF + 64];
	int n = ixy_sim_capture_pop(p->sim, got, sizeof(got));
	assert_int_equal(n, (int)len);
	assert_memory_equal(got, want, len);
}

static void expect_none(struct port *p)
{
	uint8_t got[64];
	assert_int_equal(ixy_sim_capture_pop(p->sim, got, sizeof(got)), 0);
}

static uint64_t tx_errors(struct port *p)
{
	struct ixy_stats st;
	assert_int_equal(ixy_read_stats(p->dev, &st), 0);
	return st.tx_errors;
}

/* ---- checksums and tags ---- */

/* Mixed batches: UDP and TCP over IPv4 and IPv6, with and without a tag,
 * sizes 60..1514, so the context changes from frame to frame, stays for
 * runs of frames, and the ring (64) wraps many times. */
static void test_tx_checksums_and_tags(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	static uint8_t ref[200][MAXF];
	static size_t ref_len[200];
	for (int round = 0; round < 10; round++) {
		struct ixy_pkt_buf *bufs[200];
		for (uint32_t i = 0; i < 200; i++) {
			uint32_t kind = (i / (1 + round % 4)) % 8;   /* runs of 1..4 frames of one shape */
			bool v6 = kind & 1, tcp = kind & 2, vlan = kind & 4;
			size_t len = 60 + ((i * 97 + (uint32_t)round * 13) % 1455);
			if (v6 && len < 14 + 40 + 20)
				len = 14 + 40 + 20;
			uint8_t f[MAXF];
			build(f, len, v6, tcp, i + (uint32_t)round);
			uint16_t tci = (uint16_t)(0x2000 | (i * 37) % 4095);
			ref_len[i] = vlan ? tagged(ref[i], f, len, tci) : (memcpy(ref[i], f, len), len);
			uint16_t fl = (v6 ? IXY_PKT_TX_IPV6 : IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM) |
				      (tcp ? IXY_PKT_TX_TCP_CKSUM : IXY_PKT_TX_UDP_CKSUM) | (vlan ? IXY_PKT_TX_VLAN : 0);
			bufs[i] = load(&p, f, len, fl);
			bufs[i]->vlan_tci = tci;
			spoil(bufs[i], v6, tcp);
		}
		send_all(&p, bufs, 200);
		for (uint32_t i = 0; i < 200; i++)
			expect_frame(&p, ref[i], ref_len[i]);
		expect_none(&p);
	}
	assert_int_equal(tx_errors(&p), 0);
	close_port(&p);
}

/* Only a tag, only the IPv4 header checksum, no offload at all: each as
 * asked, the rest of the frame untouched. */
static void test_tx_partial_requests(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	uint8_t f[MAXF], want[MAXF];
	build(f, 300, false, false, 3);

	struct ixy_pkt_buf *b[3];
	b[0] = load(&p, f, 300, IXY_PKT_TX_VLAN);
	b[0]->vlan_tci = 0xe00f;
	b[1] = load(&p, f, 300, IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM);
	put16(ixy_pkt_data(b[1]) + 14 + 10, 0x5555);   /* only the IP checksum is redone */
	b[2] = load(&p, f, 300, 0);
	send_all(&p, b, 3);
	expect_frame(&p, want, tagged(want, f, 300, 0xe00f));
	expect_frame(&p, f, 300);
	expect_frame(&p, f, 300);
	expect_none(&p);
	close_port(&p);
}

/* Without ixy_config.tx_offload the requests are not looked at: the frame
 * leaves exactly as the buffer holds it (documented). */
static void test_tx_flags_ignored_without_offload(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, false, false, 64);
	uint8_t f[MAXF];
	build(f, 200, false, true, 1);
	struct ixy_pkt_buf *b = load(&p, f, 200, IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TCP_CKSUM |
							  IXY_PKT_TX_VLAN);
	spoil(b, false, true);
	uint8_t sent[MAXF];
	memcpy(sent, ixy_pkt_data(b), 200);
	send_all(&p, &b, 1);
	expect_frame(&p, sent, 200);
	close_port(&p);
}

/* ---- TCP segmentation ---- */

/* The segments a frame f (headers hdr bytes: 14 + l3 + 20) becomes, as
 * the 82599 cuts it with the reset DTXTCPFLGL/H masks: first and middle
 * segments lose FIN and PSH (and CWR in the middle), the last keeps all
 * but CWR; IPv4 id + n; sequence + n * mss. */
static size_t expect_segment(uint8_t *out, const uint8_t *f, size_t len, bool v6, uint32_t mss, uint32_t n,
			     bool vlan, uint16_t tci)
{
	size_t l3 = v6 ? 40 : 20, hdr = 14 + l3 + 20, pay = len - hdr, nseg = (pay + mss - 1) / mss;
	size_t off = (size_t)n * mss, seg = pay - off < mss ? pay - off : mss;
	uint8_t s[MAXF];
	memcpy(s, f, hdr);
	memcpy(s + hdr, f + hdr + off, seg);
	uint8_t *ip = s + 14, *tcp = ip + l3;
	if (v6) {
		put16(ip + 4, (uint16_t)(20 + seg));
	} else {
		put16(ip + 2, (uint16_t)(l3 + 20 + seg));
		put16(ip + 4, (uint16_t)(be16(ip + 4) + n));
	}
	uint32_t seq = (uint32_t)be16(tcp + 4) << 16 | be16(tcp + 6);
	seq += n * mss;
	put16(tcp + 4, (uint16_t)(seq >> 16));
	put16(tcp + 6, (uint16_t)seq);
	uint16_t mask = nseg == 1 ? 0xfff : n == 0 ? 0xff6 : n + 1 == nseg ? 0xf7f : 0xf76;
	tcp[13] &= (uint8_t)mask;
	fix_checksums(s, hdr + seg, 14, v6, true);
	return vlan ? tagged(out, s, hdr + seg, tci) : (memcpy(out, s, hdr + seg), hdr + seg);
}

static void test_tso(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	static const struct { size_t len; uint32_t mss; bool v6, vlan; } cases[] = {
		{ 1514, 536, false, false }, { 4000, 1460, false, true }, { 4000, 1000, true, false },
		{ 1000, 1400, false, false }, /* one segment */ { 2000, 100, true, true },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t f[MAXF], want[MAXF];
		bool v6 = cases[c].v6;
		build(f, cases[c].len, v6, true, (uint32_t)c);
		/* alternate with a checksum-only frame: contexts switch */
		uint8_t g[MAXF];
		build(g, 100, false, false, 9);
		struct ixy_pkt_buf *b[2];
		b[0] = load(&p, f, cases[c].len,
			    (v6 ? IXY_PKT_TX_IPV6 : IXY_PKT_TX_IPV4) | IXY_PKT_TX_TSO | (cases[c].vlan ? IXY_PKT_TX_VLAN : 0));
		b[0]->tso_mss = (uint16_t)cases[c].mss;
		b[0]->vlan_tci = 0x0123;
		spoil(b[0], v6, true);
		b[1] = load(&p, g, 100, IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_UDP_CKSUM);
		spoil(b[1], false, false);
		send_all(&p, b, 2);
		size_t hdr = 14 + (v6 ? 40u : 20u) + 20, nseg = (cases[c].len - hdr + cases[c].mss - 1) / cases[c].mss;
		for (uint32_t n = 0; n < nseg; n++)
			expect_frame(&p, want,
				     expect_segment(want, f, cases[c].len, v6, cases[c].mss, n, cases[c].vlan, 0x0123));
		expect_frame(&p, g, 100);
		expect_none(&p);
	}
	assert_int_equal(tx_errors(&p), 0);
	close_port(&p);
}

/* ---- refusals ---- */

static void test_inconsistent_requests_refused(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	uint8_t f[MAXF], g[MAXF];
	build(f, 400, false, true, 5);
	build(g, 400, false, true, 6);
	enum { NBAD = 9 };
	struct ixy_pkt_buf *b[NBAD + 2];
	b[0] = load(&p, g, 400, 0);   /* a good frame before and after */
	b[1] = load(&p, f, 400, IXY_PKT_TX_TCP_CKSUM);                                    /* no IP version */
	b[2] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_IPV6 | IXY_PKT_TX_TCP_CKSUM); /* both */
	b[3] = load(&p, f, 400, IXY_PKT_TX_IPV6 | IXY_PKT_TX_IP_CKSUM);                   /* IPv6 has none */
	b[4] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_UDP_CKSUM);
	b[5] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TCP_CKSUM);
	b[5]->l3_len = 400;                                                                 /* beyond the frame */
	b[6] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO);                         /* TSO without MSS */
	b[7] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO);
	b[7]->tso_mss = 1500;                                                               /* segment > frame limit */
	b[8] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO | IXY_PKT_TX_UDP_CKSUM);  /* TSO is TCP */
	b[8]->tso_mss = 100;
	b[9] = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_UDP_CKSUM);
	b[9]->l2_len = 10;                                                                  /* shorter than Ethernet */
	b[NBAD + 1] = load(&p, g, 400, 0);
	assert_int_equal(ixy_tx_batch(p.dev, 0, b, NBAD + 2), NBAD + 2);   /* all taken */
	pump(&p);
	expect_frame(&p, g, 400);
	expect_frame(&p, g, 400);
	expect_none(&p);
	assert_int_equal(tx_errors(&p), NBAD);
	/* a TSO frame longer than its buffer is refused too */
	struct ixy_pkt_buf *x = load(&p, f, 400, IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO);
	x->tso_mss = 100;
	x->len = x->buf_len + 1;
	assert_int_equal(ixy_tx_batch(p.dev, 0, &x, 1), 1);
	pump(&p);
	expect_none(&p);
	assert_int_equal(tx_errors(&p), NBAD + 1);
	close_port(&p);
}

/* One data descriptor per offloaded frame, and at most 16 KiB behind it
 * (DTALEN has 16 bits; Linux's ixgbe never puts more than 16 KiB behind a
 * descriptor): a TSO frame of 16384 bytes leaves as its segments, one of
 * 16385 is refused and counted, although PAYLEN could describe it. */
static void test_tso_frame_limit(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	struct ixy_mempool_opts o = { .num_entries = 64, .buf_len = 20000, .numa_node = -1 };
	struct ixy_mempool *big = ixy_mempool_create(&o);
	assert_non_null(big);
	uint8_t f[MAXF];
	build(f, 400, false, true, 7);
	const uint32_t mss = 1000, hdr = 14 + 20 + 20;
	static const uint32_t lens[] = { 16385, 16384 };
	for (size_t k = 0; k < 2; k++) {
		struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(big);
		assert_non_null(b);
		memset(ixy_pkt_data(b), 0x5a, lens[k]);
		memcpy(ixy_pkt_data(b), f, hdr);
		b->len = lens[k];
		b->ol_flags = IXY_PKT_TX_IPV4 | IXY_PKT_TX_TSO;
		b->l2_len = 14;
		b->l3_len = 20;
		b->l4_len = 20;
		b->tso_mss = (uint16_t)mss;
		b->vlan_tci = 0;
		send_all(&p, &b, 1);
		pump(&p);
		static uint8_t got[MAXF + 64];
		uint32_t segs = 0;
		int n;
		while ((n = ixy_sim_capture_pop(p.sim, got, sizeof(got))) > 0) {
			assert_true((uint32_t)n <= hdr + mss);
			segs++;
		}
		assert_int_equal(segs, k == 0 ? 0 : (lens[k] - hdr + mss - 1) / mss);
		assert_int_equal(tx_errors(&p), 1);   /* the first, refused */
	}
	close_port(&p);
	ixy_mempool_free(big);
}

/* Random requests over random bytes, two queues: what the rules of
 * docs/driver.md ("Refused, not crashed") accept leaves the port (a TSO
 * frame as its segments), the rest is counted in tx_errors, the model
 * sees no request it cannot carry out (no violation), and every buffer
 * comes back. */
static bool accepted(uint16_t f, uint32_t len, uint32_t l2, uint32_t l3, uint32_t l4, uint32_t mss, uint32_t *segs)
{
	bool v4 = f & IXY_PKT_TX_IPV4, v6 = f & IXY_PKT_TX_IPV6, tso = f & IXY_PKT_TX_TSO;
	bool tcp = (f & IXY_PKT_TX_TCP_CKSUM) || tso, udp = f & IXY_PKT_TX_UDP_CKSUM;
	bool csum = tcp || udp || (f & IXY_PKT_TX_IP_CKSUM);
	*segs = 1;
	if (len > MAXF || (!tso && len > 1514))
		return false;
	if (!csum)
		return true;
	if (v4 == v6 || (tcp && udp) || ((f & IXY_PKT_TX_IP_CKSUM) && !v4))
		return false;
	if (l2 < 14 || l2 > 127 || l3 < (v4 ? 20u : 40u) || l3 > 511 || l2 + l3 + (tcp ? 20 : udp ? 8 : 0) > len)
		return false;
	if (tso) {
		uint32_t hdr = l2 + l3 + l4;
		if (!mss || l4 < 20 || hdr > 511 || hdr >= len || hdr + mss > 1514)
			return false;
		*segs = (len - hdr + mss - 1) / mss;
	}
	return true;
}

static void test_tx_random_requests(void **state)
{
	(void)state;
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .unthrottled = true };
	struct port p;
	p.sim = ixy_sim_create("olr", &sc);
	assert_non_null(p.sim);
	assert_int_equal(ixy_sim_wire_capture(p.sim, 1000000), 0);
	struct ixy_config c = { .num_tx_queues = 2, .tx_ring_size = 64, .link_timeout_ms = 2000, .tx_offload = true };
	p.dev = ixy_open_sim(p.sim, &c);
	assert_non_null(p.dev);
	struct ixy_mempool_opts o = { .num_entries = 2048, .buf_len = MAXF, .numa_node = -1 };
	p.pool = ixy_mempool_create(&o);
	assert_non_null(p.pool);

	static const uint16_t pick[] = { IXY_PKT_TX_IPV4, IXY_PKT_TX_IPV6, IXY_PKT_TX_IP_CKSUM, IXY_PKT_TX_TCP_CKSUM,
					 IXY_PKT_TX_UDP_CKSUM, IXY_PKT_TX_VLAN, IXY_PKT_TX_TSO };
	uint32_t x = 2024;
#define RND() (x = x * 1103515245u + 12345u, x >> 8)
	uint64_t want_frames = 0, want_errors = 0;
	for (int round = 0; round < 60; round++) {
		struct ixy_pkt_buf *bufs[48];
		for (int i = 0; i < 48; i++) {
			struct ixy_pkt_buf *b = ixy_pkt_buf_alloc(p.pool);
			assert_non_null(b);
			uint8_t *d = ixy_pkt_data(b);
			for (uint32_t k = 0; k < MAXF; k += 4)
				memcpy(d + k, &(uint32_t){ RND() }, 4);
			/* mostly sensible shapes, now and then anything */
			bool wild = RND() % 4 == 0;
			uint16_t f = 0;
			for (unsigned k = 0; k < 7; k++)
				if (RND() % (wild ? 2 : 4) == 0)
					f |= pick[k];
			if (!wild && (f & (IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_UDP_CKSUM | IXY_PKT_TX_TSO)))
				f = (uint16_t)((f & ~(IXY_PKT_TX_IPV4 | IXY_PKT_TX_IPV6)) |
					       (RND() % 2 ? IXY_PKT_TX_IPV4 : IXY_PKT_TX_IPV6));
			b->ol_flags = f;
			b->l2_len = (uint8_t)(wild ? RND() % 256 : 14 + 4 * (RND() % 2));
			b->l3_len = (uint16_t)(wild ? RND() % 600 : (f & IXY_PKT_TX_IPV6 ? 40 : 20) + 4 * (RND() % 3));
			b->l4_len = (uint8_t)(wild ? RND() % 256 : 20 + 4 * (RND() % 4));
			b->tso_mss = (uint16_t)(wild ? RND() % 2000 : 100 + RND() % 1300);
			b->vlan_tci = (uint16_t)RND();
			b->len = wild ? RND() % (MAXF + 200) : 60 + RND() % ((f & IXY_PKT_TX_TSO) ? MAXF - 60 : 1455);
			if (b->len > b->buf_len)
				b->len = b->buf_len + RND() % 2;   /* one byte beyond: refused */
			uint32_t segs;
			if (accepted(f, b->len, b->l2_len, b->l3_len, b->l4_len, b->tso_mss, &segs))
				want_frames += segs;
			else
				want_errors++;
			bufs[i] = b;
		}
		uint16_t q = (uint16_t)(round % 2);
		uint32_t sent = 0;
		for (int tries = 0; sent < 48 && tries < 1000; tries++) {
			sent += ixy_tx_batch(p.dev, q, bufs + sent, 48 - sent);
			pump(&p);
		}
		assert_int_equal(sent, 48);
	}
	pump(&p);
	uint64_t frames = 0;
	static uint8_t got[MAXF + 64];
	while (ixy_sim_capture_pop(p.sim, got, sizeof(got)) > 0)
		frames++;
	assert_int_equal(tx_errors(&p), want_errors);
	assert_int_equal(frames, want_frames);
	print_message("random requests: %llu frames on the wire, %llu refused\n", (unsigned long long)frames,
		      (unsigned long long)want_errors);
	assert_true(want_errors > 100 && want_frames > 1000);   /* both sides were exercised */
	close_port(&p);   /* no violation, every buffer home */
}

/* The software helper gives what the NIC gives. */
static void test_sw_checksum_helper(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, true, false, 64);
	for (int k = 0; k < 4; k++) {
		bool v6 = k & 1, tcp = k & 2;
		uint8_t f[MAXF];
		build(f, 777, v6, tcp, (uint32_t)k);
		struct ixy_pkt_buf *b = load(&p, f, 777, (v6 ? IXY_PKT_TX_IPV6 : IXY_PKT_TX_IPV4 | IXY_PKT_TX_IP_CKSUM) |
							      (tcp ? IXY_PKT_TX_TCP_CKSUM : IXY_PKT_TX_UDP_CKSUM));
		spoil(b, v6, tcp);
		assert_int_equal(ixy_pkt_tx_csum_sw(b), 0);
		assert_memory_equal(ixy_pkt_data(b), f, 777);
		assert_true(ixy_l4_frame_valid(ixy_pkt_data(b), 777));
		spoil(b, v6, tcp);
		assert_false(ixy_l4_frame_valid(ixy_pkt_data(b), 777));
		ixy_pkt_buf_free(b);
	}
	struct ixy_pkt_buf *b = load(&p, (uint8_t[MAXF]){ 0 }, 100, IXY_PKT_TX_IPV6 | IXY_PKT_TX_IP_CKSUM);
	assert_int_equal(ixy_pkt_tx_csum_sw(b), -EINVAL);
	ixy_pkt_buf_free(b);
	close_port(&p);
}

/* ---- RX VLAN stripping ---- */

static void test_rx_vlan_strip(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, false, true, 64);
	uint8_t f[40][MAXF], t[MAXF];
	size_t len[40];
	/* enough frames for the 4-wide RX loop, a ring wrap, tagged and not */
	for (int round = 0; round < 4; round++) {
		for (uint32_t i = 0; i < 40; i++) {
			len[i] = 80 + (i * 41) % 1400;
			build(f[i], len[i], i & 1, i & 2, i);
			if (i % 3)
				assert_int_equal(ixy_sim_inject(p.sim, t, tagged(t, f[i], len[i], (uint16_t)(0x100 + i))), 0);
			else
				assert_int_equal(ixy_sim_inject(p.sim, f[i], len[i]), 0);
		}
		pump(&p);
		struct ixy_pkt_buf *r[64];
		uint32_t got = 0;
		for (int tries = 0; got < 40 && tries < 100; tries++) {
			got += ixy_rx_batch(p.dev, 0, r + got, 40 - got);
			pump(&p);
		}
		assert_int_equal(got, 40);
		for (uint32_t i = 0; i < 40; i++) {
			assert_int_equal(r[i]->len, len[i]);   /* the tag is gone */
			assert_memory_equal(ixy_pkt_data(r[i]), f[i], len[i]);
			if (i % 3) {
				assert_true(r[i]->ol_flags & IXY_PKT_RX_VLAN);
				assert_int_equal(r[i]->vlan_tci, 0x100 + i);
			} else {
				assert_false(r[i]->ol_flags & IXY_PKT_RX_VLAN);
			}
			assert_true(r[i]->ol_flags & IXY_PKT_RX_L4_CKSUM_GOOD);   /* the rest as usual */
		}
		ixy_pkt_buf_free_batch(r, 40);
	}
	close_port(&p);
}

/* Without stripping a tagged frame arrives whole and unflagged. */
static void test_rx_vlan_kept_without_strip(void **state)
{
	(void)state;
	struct port p;
	open_port(&p, false, false, 64);
	uint8_t f[MAXF], t[MAXF];
	build(f, 200, false, false, 1);
	size_t n = tagged(t, f, 200, 0x0555);
	assert_int_equal(ixy_sim_inject(p.sim, t, n), 0);
	pump(&p);
	struct ixy_pkt_buf *r;
	assert_int_equal(ixy_rx_batch(p.dev, 0, &r, 1), 1);
	assert_int_equal(r->len, n);
	assert_memory_equal(ixy_pkt_data(r), t, n);
	assert_false(r->ol_flags & IXY_PKT_RX_VLAN);
	ixy_pkt_buf_free(r);
	close_port(&p);
}

static int setup(void **state)
{
	(void)state;
	/* DMA memory (hugepages) is needed for the rings and pools */
	struct ixy_mempool_opts o = { .num_entries = 1, .numa_node = -1 };
	struct ixy_mempool *m = ixy_mempool_create(&o);
	if (!m) {
		print_message("no DMA memory: %s\n", ixy_last_error());
		return -1;
	}
	ixy_mempool_free(m);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_checksums_and_tags),
		cmocka_unit_test(test_tx_partial_requests),
		cmocka_unit_test(test_tx_flags_ignored_without_offload),
		cmocka_unit_test(test_tso),
		cmocka_unit_test(test_inconsistent_requests_refused),
		cmocka_unit_test(test_tso_frame_limit),
		cmocka_unit_test(test_tx_random_requests),
		cmocka_unit_test(test_sw_checksum_helper),
		cmocka_unit_test(test_rx_vlan_strip),
		cmocka_unit_test(test_rx_vlan_kept_without_strip),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
