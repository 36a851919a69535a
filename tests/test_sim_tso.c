/* TCP segmentation (datasheet 7.2.4): descriptors built by hand as Linux's
 * ixgbe_tso/ixgbe_tx_map lay them out (a context descriptor with MACLEN,
 * IPLEN, L4LEN, MSS; data descriptors with DCMD.TSE and PAYLEN in the
 * first), the segments taken from a capture wire and checked with this
 * file's own checksum code (RFC 791 / RFC 793 / RFC 2460 pseudo-headers). */
#include "test_sim_util.h"

#define R_QPTC0 0x08680

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* ---- independent Internet checksum: 16-bit big-endian words ---- */
static uint32_t ck_add(uint32_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
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

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

/* The pseudo-header sum without the length, as Linux leaves it in the L4
 * checksum field for TSO (folded, not complemented). */
static uint16_t pseudo_seed(const uint8_t *ip, bool v6, uint8_t proto)
{
	uint32_t s = v6 ? ck_add(0, ip + 8, 32) : ck_add(0, ip + 12, 8);
	return ck_fold(s + proto);
}

/* The L4 checksum a receiver verifies: pseudo-header with length. */
static uint16_t l4_sum_ok(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, uint32_t l4bytes)
{
	uint32_t s = v6 ? ck_add(0, ip + 8, 32) : ck_add(0, ip + 12, 8);
	s += proto + l4bytes;
	return ck_fold(ck_add(s, l4, l4bytes));	/* 0xffff when right */
}

struct proto {
	uint8_t h[128];
	uint32_t maclen, iplen, l4len, hdr;
	bool v6, tcp;
};

#define SEQ0 0xfffff000u	/* wraps during the 20000 bytes */
#define ID0 0xfff0		/* wraps too */

static void make_proto(struct proto *pr, const uint8_t dst[6], bool v6, bool tcp, uint8_t flags)
{
	memset(pr, 0, sizeof(*pr));
	uint8_t *h = pr->h;
	memcpy(h, dst, 6);
	const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x07 };
	memcpy(h + 6, src, 6);
	pr->v6 = v6;
	pr->tcp = tcp;
	pr->maclen = 14;
	pr->iplen = v6 ? 40 : 20;
	pr->l4len = tcp ? 32 : 8;	/* TCP with 12 bytes of options */
	pr->hdr = pr->maclen + pr->iplen + pr->l4len;
	uint8_t *ip = h + 14, *l4 = ip + pr->iplen, proto = tcp ? 6 : 17;
	if (v6) {
		h[12] = 0x86;
		h[13] = 0xdd;
		ip[0] = 0x60;
		ip[6] = proto;
		ip[7] = 64;
		for (int i = 0; i < 16; i++) {
			ip[8 + i] = (uint8_t)(0x20 + i);
			ip[24 + i] = (uint8_t)(0x90 - i);
		}
		/* payload length 0, as Linux's ixgbe_tso leaves it */
	} else {
		h[12] = 0x08;
		ip[0] = 0x45;
		ip[4] = ID0 >> 8;
		ip[5] = ID0 & 0xff;
		ip[6] = 0x40;	/* DF */
		ip[8] = 64;
		ip[9] = proto;
		ip[12] = 10; ip[13] = 1; ip[14] = 2; ip[15] = 3;
		ip[16] = 10; ip[17] = 9; ip[18] = 8; ip[19] = 7;
		/* total length and checksum 0, as Linux leaves them */
	}
	l4[0] = 0x9c;
	l4[1] = 0x40;
	l4[2] = 0x01;
	l4[3] = 0xbb;
	uint16_t seed = pseudo_seed(ip, v6, proto);
	if (tcp) {
		l4[4] = SEQ0 >> 24; l4[5] = (SEQ0 >> 16) & 0xff; l4[6] = (SEQ0 >> 8) & 0xff; l4[7] = SEQ0 & 0xff;
		l4[8] = 0x11; l4[9] = 0x22; l4[10] = 0x33; l4[11] = 0x44;	/* ack */
		l4[12] = 0x80;	/* data offset 8 words */
		l4[13] = flags;
		l4[14] = 0x01; l4[15] = 0xf5;	/* window */
		l4[16] = (uint8_t)(seed >> 8);
		l4[17] = (uint8_t)seed;
		l4[20] = 1; l4[21] = 1; l4[22] = 8; l4[23] = 10;	/* NOP NOP timestamps */
		for (int i = 24; i < 32; i++)
			l4[i] = (uint8_t)(i * 3);
	} else {
		l4[6] = (uint8_t)(seed >> 8);
		l4[7] = (uint8_t)seed;
	}
}

/* Queue one TSO frame: a context descriptor, then the header and the first
 * `first` payload bytes in one buffer (an skb's linear part), the rest in
 * buffers of `chunk` bytes. Context fields as 7.2.3.2.3, data descriptor
 * fields as 7.2.3.2.4. */
static void tso_put(struct tport *p, const struct proto *pr, const uint8_t *pay, uint32_t paylen, uint32_t first,
		    uint32_t chunk, uint32_t mss, uint32_t l4t, uint16_t vlan, bool vle, uint32_t idx)
{
	uint32_t tucmd = (pr->v6 ? 0 : 1u << 10) | l4t << 11;
	uint32_t w[4] = { pr->iplen | pr->maclen << 9 | (uint32_t)vlan << 16, 0, tucmd | 2u << 20 | 1u << 29,
			  idx << 4 | pr->l4len << 8 | mss << 16 };
	memcpy(p->txring + 16 * p->tx_next, w, 16);
	p->tx_next = (p->tx_next + 1) % p->ntx;
	uint32_t off = 0;
	bool head = true;
	while (head || off < paylen) {
		uint32_t i = p->tx_next, n = 0;
		uint8_t *buf = p->txbuf + 2048 * i;
		if (head) {
			memcpy(buf, pr->h, pr->hdr);
			n = pr->hdr;
		}
		uint32_t want = head ? first : chunk;
		if (want > paylen - off)
			want = paylen - off;
		memcpy(buf + n, pay + off, want);
		n += want;
		off += want;
		bool eop = off == paylen;
		uint32_t cmd = n | 3u << 20 | 1u << 29 | 1u << 25 | 1u << 31 | (vle ? 1u << 30 : 0) |
			       (eop ? 1u << 24 | 1u << 27 : 0);
		uint32_t olinfo = head ? paylen << 14 | (pr->v6 ? 0 : 1u) << 8 | 1u << 9 | idx << 4 : 0;
		uint64_t a = tphys(p, buf);
		uint8_t *d = p->txring + 16 * i;
		memcpy(d, &a, 8);
		memcpy(d + 8, &cmd, 4);
		memcpy(d + 12, &olinfo, 4);
		p->tx_next = (i + 1) % p->ntx;
		head = false;
	}
	__atomic_store_n((volatile uint32_t *)(p->bar + R_TDT(0)), p->tx_next, __ATOMIC_RELEASE);
}

static void fill_payload(uint8_t *pay, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		pay[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

/* Take every segment from the capture wire and check it against the
 * prototype: lengths, id, checksums, sequence, flags, payload in order.
 * Returns the wire octets (GOTC) the segments make. */
static uint64_t check_segments(struct tport *p, const struct proto *pr, const uint8_t *pay, uint32_t paylen,
			       uint32_t mss, bool vle, uint16_t vlan, uint8_t flags)
{
	uint32_t nseg = (paylen + mss - 1) / mss, tag = vle ? 4 : 0;
	uint8_t got[16384];
	uint64_t octets = 0;
	uint32_t off = 0;
	STEP_UNTIL(p->sim, rd(p, R_TDH(0)) == p->tx_next);
	for (uint32_t k = 0; k < nseg; k++) {
		int n = ixy_sim_capture_pop(p->sim, got, sizeof(got));
		uint32_t seg = paylen - off < mss ? paylen - off : mss;
		assert_int_equal(n, pr->hdr + seg + tag);
		octets += (uint64_t)n + 4;
		assert_memory_equal(got, pr->h, 12);	/* addresses */
		if (vle) {
			assert_int_equal(be16(got + 12), 0x8100);
			assert_int_equal(be16(got + 14), vlan);
		}
		const uint8_t *f = got + tag, *ip = f + pr->maclen, *l4 = ip + pr->iplen;
		assert_memory_equal(f + 12, pr->h + 12, 2);	/* EtherType */
		if (pr->v6) {
			assert_int_equal(be16(ip + 4), pr->l4len + seg);
			assert_memory_equal(ip + 6, pr->h + 14 + 6, 34);	/* rest of the IPv6 header */
		} else {
			assert_int_equal(be16(ip + 2), pr->iplen + pr->l4len + seg);
			assert_int_equal(be16(ip + 4), (uint16_t)(ID0 + k));
			assert_int_equal(ck_fold(ck_add(0, ip, 20)), 0xffff);	/* header checksum right */
			assert_memory_equal(ip + 12, pr->h + 14 + 12, 8);
		}
		uint8_t proto = pr->tcp ? 6 : 17;
		assert_int_equal(l4_sum_ok(ip, pr->v6, proto, l4, pr->l4len + seg), 0xffff);
		if (pr->tcp) {
			assert_int_equal(be32(l4 + 4), (uint32_t)(SEQ0 + off));
			bool last = k + 1 == nseg, firstseg = k == 0;
			uint8_t want = flags;
			if (!last)
				want &= (uint8_t)~0x09;	/* FIN and PSH only in the last */
			if (!firstseg)
				want &= (uint8_t)~0x80;	/* CWR only in the first */
			assert_int_equal(l4[13], want);
			assert_int_equal(l4[12], 0x80);
			assert_memory_equal(l4 + 8, pr->h + pr->maclen + pr->iplen + 8, 4);	/* ack */
			assert_memory_equal(l4 + 20, pr->h + pr->maclen + pr->iplen + 20, pr->l4len - 20);
		} else {
			assert_int_equal(be16(l4 + 4), 8 + seg);
		}
		assert_memory_equal(f + pr->hdr, pay + off, seg);
		off += seg;
	}
	assert_int_equal(off, paylen);
	assert_int_equal(ixy_sim_capture_pop(p->sim, got, sizeof(got)), 0);	/* nothing more */
	return octets;
}

static void run_one(bool v6, bool tcp, bool vle)
{
	struct tport p;
	tport_open(&p, "tso,mode=stepped,wire=capture:64,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	rd(&p, R_GPTC);	/* statistics start at 0 */
	rd(&p, R_TPT);
	rd(&p, R_GOTCL);
	rd(&p, R_GOTCH);
	uint8_t mac[6];
	port_mac(&p, mac);
	static uint8_t pay[20000];
	fill_payload(pay, sizeof(pay), v6 * 2 + tcp);
	struct proto pr;
	uint8_t flags = tcp ? 0x80 | 0x10 | 0x08 | 0x01 : 0;	/* CWR ACK PSH FIN */
	make_proto(&pr, mac, v6, tcp, flags);
	uint8_t host0[2048];
	tso_put(&p, &pr, pay, sizeof(pay), 500, 1900, 1448, tcp ? 1 : 0, 0x2abc, vle, 1);
	uint32_t first = (p.tx_next + p.ntx - 12) % p.ntx;	/* header buffer: after the context */
	memcpy(host0, p.txbuf + 2048 * first, pr.hdr);
	uint64_t octets = check_segments(&p, &pr, pay, sizeof(pay), 1448, vle, 0x2abc, flags);
	uint32_t nseg = (20000 + 1447) / 1448;
	assert_int_equal(nseg, 14);
	/* each segment is a frame on the wire (8.2.3.23) */
	assert_int_equal(rd(&p, R_GPTC), nseg);
	assert_int_equal(rd(&p, R_TPT), nseg);
	assert_int_equal(rd(&p, R_QPTC0), nseg);
	uint64_t gotc = rd(&p, R_GOTCL);
	gotc |= (uint64_t)rd(&p, R_GOTCH) << 32;
	assert_int_equal(gotc, octets);
	/* the descriptor with RS written back, the host's header untouched */
	assert_int_equal(desc32(p.txring + 16 * ((p.tx_next + p.ntx - 1) % p.ntx), 12) & 1, 1);
	assert_memory_equal(p.txbuf + 2048 * first, host0, pr.hdr);
	print_violations(p.sim);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 0);
	tport_close(&p);
}

static void test_tcp_ipv4(void **state)
{
	(void)state;
	run_one(false, true, false);
}

static void test_tcp_ipv6(void **state)
{
	(void)state;
	run_one(true, true, false);
}

static void test_tcp_ipv4_vlan(void **state)
{
	(void)state;
	run_one(false, true, true);
}

static void test_tcp_ipv6_vlan(void **state)
{
	(void)state;
	run_one(true, true, true);
}

/* L4T = UDP with TSE: Linux 6.1 advertises GSO_UDP_L4 on the 82599 and
 * the datasheet family lists the UDP length and checksum among the fields
 * segmentation rewrites. */
static void test_udp_ipv4(void **state)
{
	(void)state;
	run_one(false, false, false);
}

/* A frame of one segment keeps FIN, PSH and CWR. */
static void test_single_segment(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "tso1,mode=stepped,wire=capture:64,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], pay[700];
	port_mac(&p, mac);
	fill_payload(pay, sizeof(pay), 9);
	struct proto pr;
	make_proto(&pr, mac, false, true, 0x99);
	tso_put(&p, &pr, pay, sizeof(pay), 700, 1900, 1448, 1, 0, false, 0);
	uint8_t got[2048];
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	int n = ixy_sim_capture_pop(p.sim, got, sizeof(got));
	assert_int_equal(n, pr.hdr + 700);
	assert_int_equal(got[14 + 20 + 13], 0x99);
	assert_int_equal(l4_sum_ok(got + 14, false, 6, got + 34, 32 + 700), 0xffff);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* Contexts and buffers the MAC cannot segment: a violation each, the frame
 * dropped (no segment, no statistics), no crash and no read beyond the
 * buffers; the descriptors complete and the queue goes on. */
static void test_bad_requests(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "tsobad,mode=stepped,wire=capture:64,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	rd(&p, R_GPTC);
	uint8_t mac[6], pay[3000], got[4096];
	port_mac(&p, mac);
	fill_payload(pay, sizeof(pay), 3);
	struct proto pr;
	make_proto(&pr, mac, false, true, 0x10);
	unsigned v = 0;

	/* MSS 0 */
	tso_put(&p, &pr, pay, sizeof(pay), 100, 1500, 0, 1, 0, false, 0);
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	assert_int_equal(ixy_sim_violation_count(p.sim), ++v);
	assert_non_null(strstr(ixy_sim_violation(p.sim, v - 1), "MSS is 0"));

	/* SCTP (L4T = 2) is not segmented */
	tso_put(&p, &pr, pay, sizeof(pay), 100, 1500, 1448, 2, 0, false, 0);
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	assert_int_equal(ixy_sim_violation_count(p.sim), ++v);
	assert_non_null(strstr(ixy_sim_violation(p.sim, v - 1), "SCTP"));

	/* PAYLEN larger than the buffers hold: patch the first data descriptor */
	tso_put(&p, &pr, pay, sizeof(pay), 100, 1500, 1448, 1, 0, false, 0);
	uint8_t *d = p.txring + 16 * ((p.tx_next + p.ntx - 3) % p.ntx);
	uint32_t olinfo = desc32(d, 12);
	olinfo = (olinfo & 0x3fff) | (uint32_t)(sizeof(pay) + 1) << 14;
	memcpy(d + 12, &olinfo, 4);
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	assert_int_equal(ixy_sim_violation_count(p.sim), ++v);
	assert_non_null(strstr(ixy_sim_violation(p.sim, v - 1), "PAYLEN does not match"));

	/* a header longer than the whole frame: L4LEN 255, a tiny payload */
	struct proto big = pr;
	big.l4len = 255;	/* the context says so; the buffers hold far less */
	uint8_t small[4] = { 1, 2, 3, 4 };
	tso_put(&p, &big, small, 0, 0, 0, 1448, 1, 0, false, 0);	/* header-only buffer */
	d = p.txring + 16 * ((p.tx_next + p.ntx - 1) % p.ntx);
	olinfo = (desc32(d, 12) & 0x3fff) | 4u << 14;	/* claims 4 payload bytes */
	memcpy(d + 12, &olinfo, 4);
	/* the buffer holds only the real 66 header bytes (big.hdr was not applied to it) */
	uint32_t cmd = desc32(d, 8);
	cmd = (cmd & ~0xffffu) | pr.hdr;
	memcpy(d + 8, &cmd, 4);
	__atomic_store_n((volatile uint32_t *)(p.bar + R_TDT(0)), p.tx_next, __ATOMIC_RELEASE);
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	assert_int_equal(ixy_sim_violation_count(p.sim), ++v);
	assert_non_null(strstr(ixy_sim_violation(p.sim, v - 1), "header (MACLEN + IPLEN + L4LEN) is longer"));

	/* IFCS clear */
	tso_put(&p, &pr, pay, sizeof(pay), 100, 1500, 1448, 1, 0, false, 0);
	for (int k = 1; k <= 3; k++) {
		d = p.txring + 16 * ((p.tx_next + p.ntx - k) % p.ntx);
		cmd = desc32(d, 8) & ~(1u << 25);
		memcpy(d + 8, &cmd, 4);
	}
	STEP_UNTIL(p.sim, rd(&p, R_TDH(0)) == p.tx_next);
	assert_int_equal(ixy_sim_violation_count(p.sim), ++v);
	assert_non_null(strstr(ixy_sim_violation(p.sim, v - 1), "IFCS"));

	/* nothing left on the wire, nothing counted */
	assert_int_equal(ixy_sim_capture_pop(p.sim, got, sizeof(got)), 0);
	assert_int_equal(rd(&p, R_GPTC), 0);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 0);

	/* the queue still works: a good TSO frame goes through */
	tso_put(&p, &pr, pay, sizeof(pay), 100, 1500, 1448, 1, 0, false, 0);
	check_segments(&p, &pr, pay, sizeof(pay), 1448, false, 0, 0x10);
	assert_int_equal(rd(&p, R_GPTC), 3);
	assert_int_equal(ixy_sim_violation_count(p.sim), v);
	tport_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_ipv4),
		cmocka_unit_test(test_tcp_ipv6),
		cmocka_unit_test(test_tcp_ipv4_vlan),
		cmocka_unit_test(test_tcp_ipv6_vlan),
		cmocka_unit_test(test_udp_ipv4),
		cmocka_unit_test(test_single_segment),
		cmocka_unit_test(test_bad_requests),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
