/* Conformance of the sim's data path, driven through registers and
 * descriptors: transmit (datasheet 7.2), receive (7.1), loopback and pair
 * wires, L2 filtering (7.1.1), drops without descriptors (7.1.5), statistics
 * (8.2.3.23). */
#include "test_sim_util.h"

static int setup(void **state)
{
	(void)state;
	return have_dma() ? 0 : -1;
}

/* 7.2.3 advanced TX data descriptors -> wire -> 7.1.6 advanced RX
 * write-back: the frame arrives byte for byte, DD/EOP and length set. */
static void test_loopback_bytes(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "lb,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[1514], got[2048];
	port_mac(&p, mac);
	for (int k = 0; k < 20; k++) {
		uint32_t len = make_udp(f, mac, 60 + 73 * (uint32_t)k, (uint16_t)(1000 + k), (uint8_t)k);
		tx_put(&p, f, len, 1);
		uint32_t n = 0, st = 0;
		STEP_UNTIL(p.sim, (n = rx_get(&p, got, &st)) != 0);
		assert_int_equal(n, len);
		assert_memory_equal(got, f, len);
		assert_true(st & 0x2);	/* EOP */
		assert_true(st & 0x40);	/* IPCS: IPv4 header checksum checked */
		assert_false(st & 0x80000000u);	/* no IPE */
		/* TX write-back: DD in the descriptor's last dword (7.2.3.5) */
		uint8_t *td = p.txring + 16 * ((p.tx_next + p.ntx - 1) % p.ntx);
		assert_int_equal(desc32(td, 12) & 1, 1);
		assert_int_equal(rd(&p, R_TDH(0)), p.tx_next);
	}
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	assert_int_equal(ixy_sim_dma_faults(p.sim), 0);
	tport_close(&p);
}

/* 7.2.3: a frame over three descriptors; 7.1.6: a frame larger than the
 * 1 KiB buffer spans descriptors, EOP only on the last. */
static void test_multi_descriptor(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "md,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wr(&p, R_RXDCTL(0), 0);
	wr(&p, R_SRRCTL(0), 1u | 1u << 25);	/* 1 KiB buffers */
	wr(&p, R_RXDCTL(0), 1u << 25);
	wr(&p, R_RDT(0), p.nrx - 1);
	wait_link(&p);
	uint8_t mac[6], f[1514], got[1514];
	port_mac(&p, mac);
	uint32_t len = make_udp(f, mac, 1514, 7, 3);
	tx_put(&p, f, len, 3);
	STEP_UNTIL(p.sim, desc32(p.rxring + 16, 8) & 1);
	uint32_t st0 = desc32(p.rxring, 8), st1 = desc32(p.rxring + 16, 8), st2 = desc32(p.rxring + 32, 8);
	assert_int_equal(st0 & 3, 1);	/* DD, no EOP */
	assert_int_equal(st1 & 3, 3);	/* DD + EOP */
	assert_int_equal(st2 & 1, 0);	/* untouched */
	assert_int_equal(desc32(p.rxring, 12) & 0xffff, 1024);
	assert_int_equal(desc32(p.rxring + 16, 12) & 0xffff, 490);
	memcpy(got, p.rxbuf, 1024);
	memcpy(got + 1024, p.rxbuf + 2048, 490);
	assert_memory_equal(got, f, 1514);
	/* the TX side used three descriptors, all written back */
	for (int i = 0; i < 3; i++)
		assert_int_equal(desc32(p.txring + 16 * i, 12) & 1, 1);
	/* chaining buffers smaller than the largest frame is correct use */
	print_violations(p.sim);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* HLREG0.TXPADEN (8.2.3.22.8): short frames leave padded to 60 bytes. */
static void test_padding(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "pad,mode=stepped,wire=capture:16,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t f[42], got[128];
	memset(f, 0xab, sizeof(f));
	tx_put(&p, f, sizeof(f), 1);
	int n = 0;
	STEP_UNTIL(p.sim, (n = ixy_sim_capture_pop(p.sim, got, sizeof(got))) != 0);
	assert_int_equal(n, 60);
	assert_memory_equal(got, f, 42);
	for (int i = 42; i < 60; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(rd(&p, R_GPTC), 1);
	assert_int_equal(rd(&p, R_GOTCL), 64);	/* octets include the FCS */
	tport_close(&p);
}

/* Two ports cabled to each other: a's TX is b's RX and back. */
static void test_pair(void **state)
{
	(void)state;
	struct tport a, b;
	tport_open(&a, "pa,mode=stepped,wire=pair:pb,link_delay_us=1,unthrottled");
	tport_open(&b, "pb,mode=stepped,link_delay_us=1,unthrottled");	/* completes the pair */
	tport_init(&a, 0);
	tport_init(&b, 0);
	wait_link(&a);
	wait_link(&b);
	uint8_t ma[6], mb[6], f[512], got[2048];
	port_mac(&a, ma);
	port_mac(&b, mb);
	assert_memory_not_equal(ma, mb, 6);
	uint32_t len = make_udp(f, mb, 200, 1, 1);
	tx_put(&a, f, len, 1);
	uint32_t n = 0;
	STEP_UNTIL(a.sim, (n = rx_get(&b, got, NULL)) != 0);
	assert_int_equal(n, len);
	assert_memory_equal(got, f, len);
	assert_int_equal(rx_get(&a, got, NULL), 0);	/* nothing came back to a */
	len = make_udp(f, ma, 300, 2, 2);
	tx_put(&b, f, len, 1);
	STEP_UNTIL(b.sim, (n = rx_get(&a, got, NULL)) != 0);
	assert_int_equal(n, 300);
	assert_memory_equal(got, f, 300);
	/* pulling the cable of one end takes the link down on both */
	ixy_sim_set_carrier(a.sim, false);
	assert_false(rd(&b, R_LINKS) & (1u << 30));
	assert_false(rd(&a, R_LINKS) & (1u << 30));
	tport_close(&a);
	tport_close(&b);
}

/* 7.1.1: exact match (RAL/RAH with AV), broadcast (BAM), multicast table
 * (MTA + MCSTCTRL.MFE), promiscuous (UPE/MPE); counters BPRC/MPRC/GPRC. */
static void test_l2_filter(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "flt,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[64];
	port_mac(&p, mac);
	const uint8_t other[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	rd(&p, R_GPRC);
#define OFFER(dst, expect)                                                     \
	do {                                                                   \
		make_udp(f, dst, 64, 1, 0);                                    \
		assert_int_equal(ixy_sim_inject(p.sim, f, 64), 0);             \
		ixy_sim_step(p.sim);                                           \
		uint32_t got = rx_get(&p, NULL, NULL);                         \
		assert_int_equal(got != 0, expect);                            \
	} while (0)
	OFFER(mac, 1);
	OFFER(other, 0);
	OFFER(bcast, 1);
	wr(&p, R_FCTRL, 0);	/* BAM off */
	OFFER(bcast, 0);
	OFFER(mcast, 0);
	/* MTA hash with MO=0: bits 47:36 of the address -> 0xfb0 >> ... */
	uint32_t h = ((uint32_t)mcast[4] >> 4 | (uint32_t)mcast[5] << 4) & 0xfff;
	wr(&p, R_MTA(h >> 5), 1u << (h & 31));
	OFFER(mcast, 0);	/* table not enabled yet */
	wr(&p, R_MCSTCTRL, 0x4);	/* MFE */
	OFFER(mcast, 1);
	wr(&p, R_FCTRL, 0x200);	/* UPE */
	OFFER(other, 1);
	/* 7.1.1.1: broadcast is governed by BAM alone, not by UPE or MPE */
	wr(&p, R_FCTRL, 0x300);	/* UPE | MPE, no BAM */
	OFFER(bcast, 0);
	/* a second exact address through the 82598-compatible RAL/RAH[1] */
	wr(&p, R_FCTRL, 0);
	wr(&p, R_RAL_82598(1), 0x33221102);
	wr(&p, R_RAH_82598(1), 0x5544 | 1u << 31);
	assert_int_equal(rd(&p, R_RAL(1)), 0x33221102);
	OFFER(other, 1);
	assert_int_equal(rd(&p, R_GPRC), 5);
	assert_int_equal(rd(&p, R_BPRC), 1);
	assert_int_equal(rd(&p, R_MPRC), 1);
	assert_int_equal(rd(&p, R_TPR), 10);	/* all frames the MAC saw */
	assert_int_equal(rd(&p, R_GPRC), 0);	/* read-to-clear */
#undef OFFER
	tport_close(&p);
}

/* 7.1.5 / SRRCTL.DROP_EN: no free descriptor -> dropped and counted in
 * QPRDC; without DROP_EN the frames wait in the packet buffer and arrive
 * once descriptors are given back. */
static void test_no_descriptors(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "nd,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 1u << 28);	/* DROP_EN */
	wait_link(&p);
	uint8_t mac[6], f[64];
	port_mac(&p, mac);
	make_udp(f, mac, 64, 1, 0);
	for (int i = 0; i < 70; i++)
		assert_int_equal(ixy_sim_inject(p.sim, f, 64), 0);
	ixy_sim_step(p.sim);
	assert_int_equal(rd(&p, R_QPRDC(0)), 70 - 63);	/* 63 usable descriptors */
	assert_int_equal(rd(&p, R_QPRC(0)), 63);
	assert_int_equal(rd(&p, R_QPRDC(0)), 0);
	tport_close(&p);

	tport_open(&p, "nd2,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);	/* no DROP_EN: the packet buffer holds them */
	wait_link(&p);
	port_mac(&p, mac);
	make_udp(f, mac, 64, 1, 0);
	for (int i = 0; i < 70; i++)
		assert_int_equal(ixy_sim_inject(p.sim, f, 64), 0);
	ixy_sim_step(p.sim);
	int got = 0;
	for (int round = 0; round < 4; round++) {
		while (rx_get(&p, NULL, NULL))
			got++;
		ixy_sim_step(p.sim);
	}
	assert_int_equal(got, 70);
	assert_int_equal(rd(&p, R_MPC0), 0);
	tport_close(&p);
}

/* 8.2.3.23: good packets/octets, 64-bit octet counters read L then H,
 * all cleared on read. */
static void test_statistics(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "st,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[1000], got[2048];
	port_mac(&p, mac);
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	make_udp(f, mac, 1000, 1, 0);
	for (int i = 0; i < 5; i++) {
		tx_put(&p, f, 1000, 2);
		STEP_UNTIL(p.sim, rx_get(&p, got, NULL) != 0);
	}
	make_udp(f, bcast, 100, 1, 0);
	tx_put(&p, f, 100, 1);
	STEP_UNTIL(p.sim, rx_get(&p, got, NULL) != 0);
	assert_int_equal(rd(&p, R_GPTC), 6);
	assert_int_equal(rd(&p, R_BPTC), 1);
	assert_int_equal(rd(&p, R_GOTCL), 5 * 1004 + 104);
	assert_int_equal(rd(&p, R_GOTCH), 0);
	assert_int_equal(rd(&p, R_GPRC), 6);
	assert_int_equal(rd(&p, R_GORCL), 5 * 1004 + 104);
	assert_int_equal(rd(&p, R_GORCH), 0);
	assert_int_equal(rd(&p, R_QPTC(0)), 6);
	assert_int_equal(rd(&p, R_TPT), 6);
	/* cleared by the reads above */
	assert_int_equal(rd(&p, R_GPTC), 0);
	assert_int_equal(rd(&p, R_GOTCL), 0);
	assert_int_equal(rd(&p, R_GPRC), 0);
	assert_int_equal(rd(&p, R_QPTC(0)), 0);
	assert_int_equal(rd(&p, R_CRCERRS), 0);
	tport_close(&p);
}

/* HLREG0.RXCRCSTRP = 0 with RDRXCTL.CRCSTRIP = 0: the FCS reaches the host,
 * and it is the Ethernet CRC-32 of the frame (802.3 clause 3.2.9). */
static void test_crc_kept(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "crc,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wr(&p, R_RXCTRL, 0);
	wr(&p, R_HLREG0, rd(&p, R_HLREG0) & ~0x2u);
	wr(&p, R_RDRXCTL, rd(&p, R_RDRXCTL) & ~0x2u);
	wr(&p, R_RXCTRL, 1);
	wait_link(&p);
	uint8_t mac[6], f[64], got[2048];
	port_mac(&p, mac);
	make_udp(f, mac, 60, 1, 0);
	tx_put(&p, f, 60, 1);
	uint32_t n = 0;
	STEP_UNTIL(p.sim, (n = rx_get(&p, got, NULL)) != 0);
	assert_int_equal(n, 64);
	uint32_t c = ~0u;
	for (int i = 0; i < 60; i++) {
		c ^= f[i];
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	c = ~c;
	uint8_t fcs[4] = { (uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16), (uint8_t)(c >> 24) };
	assert_memory_equal(got + 60, fcs, 4);
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* 7.1.11 receive checksum: a wrong IPv4 header checksum is reported with
 * IPE (error bit 31) and the frame is still delivered. */
static void test_rx_checksum_error(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "csum,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[128];
	port_mac(&p, mac);
	make_udp(f, mac, 128, 1, 0);
	f[14 + 10] ^= 0x55;
	ixy_sim_inject(p.sim, f, 128);
	ixy_sim_step(p.sim);
	/* packet type in the first dword: IPv4 (bit 4) + UDP (bit 9) */
	assert_int_equal(desc32(p.rxring, 0) & 0x0000fff0u, 0x210);
	uint32_t st = 0;
	assert_int_equal(rx_get(&p, NULL, &st), 128);
	assert_true(st & 0x40);
	assert_true(st & 0x80000000u);
	tport_close(&p);
}

/* 7.1.1.? size checks: runts (RUC) and frames over 1518 without jumbo
 * (ROC) are dropped by the MAC. */
static void test_length_errors(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "len,mode=stepped,wire=null,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[2000];
	port_mac(&p, mac);
	make_udp(f, mac, 2000, 1, 0);
	ixy_sim_inject(p.sim, f, 40);
	ixy_sim_inject(p.sim, f, 1600);
	ixy_sim_step(p.sim);
	assert_int_equal(rx_get(&p, NULL, NULL), 0);
	assert_int_equal(rd(&p, R_RUC), 1);
	assert_int_equal(rd(&p, R_ROC), 1);
	assert_int_equal(rd(&p, R_GPRC), 0);
	tport_close(&p);
}

/* VLAN stripping (RXDCTL.VME, 7.4.5): the host gets the frame without its
 * 802.1Q header, the TCI in the write-back's VLAN Tag field (bits 31:16 of
 * the last dword), VP set and the checksums still checked at the right
 * offsets; without VME the tag stays in the frame and the field is 0. The
 * tag is taken from a frame spread over two TX buffers. */
static void test_vlan_strip(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "vlan,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], plain[256], tagged[260], got[2048];
	port_mac(&p, mac);
	uint32_t len = make_udp(plain, mac, 200, 4242, 9);
	memcpy(tagged, plain, 12);
	const uint8_t vtag[4] = { 0x81, 0x00, 0x20, 0x64 };	/* PCP 1, VID 100 */
	memcpy(tagged + 12, vtag, 4);
	memcpy(tagged + 16, plain + 12, len - 12);
	for (int vme = 0; vme < 2; vme++) {
		uint32_t ctl = rd(&p, R_RXDCTL(0));
		wr(&p, R_RXDCTL(0), vme ? ctl | 1u << 30 : ctl & ~(1u << 30));	/* toggled while enabled */
		tx_put(&p, tagged, len + 4, 2);
		uint8_t *d = p.rxring + 16 * p.rx_next;
		STEP_UNTIL(p.sim, desc32(d, 8) & 1);
		uint32_t field = desc32(d, 12) >> 16, st = 0;
		uint32_t n = rx_get(&p, got, &st);
		assert_true(st & (1u << 3));	/* VP either way */
		assert_true(st & 0x40);		/* IPCS: the IPv4 header was found */
		assert_false(st & 0x80000000u);	/* and its checksum is right */
		if (vme) {
			assert_int_equal(n, len);
			assert_memory_equal(got, plain, len);
			assert_int_equal(field, 0x2064);
		} else {
			assert_int_equal(n, len + 4);
			assert_memory_equal(got, tagged, len + 4);
			assert_int_equal(field, 0);
		}
	}
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

/* One's complement sum of 16-bit big-endian words (the test's own, simple
 * RFC 1071 loop), not folded or complemented. */
static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Queue an advanced context descriptor (slot idx) and one data descriptor
 * with POPTS / VLE; the frame is copied into TX buffer tx_next + 1. */
static void tx_put_offload(struct tport *p, const uint8_t *frame, uint32_t len, uint32_t tucmd, uint32_t maclen,
			   uint32_t iplen, uint16_t vlan, unsigned idx, uint32_t popts, bool vle)
{
	uint8_t *c = p->txring + 16 * p->tx_next;
	uint32_t w[4] = { iplen | maclen << 9 | (uint32_t)vlan << 16, 0, tucmd | 2u << 20 | 1u << 29, idx << 4 };
	memcpy(c, w, 16);
	p->tx_next = (p->tx_next + 1) % p->ntx;
	uint32_t i = p->tx_next;
	uint8_t *buf = p->txbuf + 2048 * i, *d = p->txring + 16 * i;
	memcpy(buf, frame, len);
	uint64_t a = tphys(p, buf);
	uint32_t cmd = len | 3u << 20 | 1u << 24 | 1u << 25 | 1u << 27 | 1u << 29 | (vle ? 1u << 30 : 0);
	uint32_t olinfo = len << 14 | popts << 8 | idx << 4;
	memcpy(d, &a, 8);
	memcpy(d + 8, &cmd, 4);
	memcpy(d + 12, &olinfo, 4);
	p->tx_next = (i + 1) % p->ntx;
	__atomic_store_n((volatile uint32_t *)(p->bar + R_TDT(0)), p->tx_next, __ATOMIC_RELEASE);
}

/* 7.2.4 checksum offload through context descriptors: IPv4 header checksum
 * (IXSM) and UDP / TCP checksum (TXSM) inserted at the context's MACLEN /
 * IPLEN, the L4 field seeded with the pseudo-header sum as drivers do;
 * DCMD.VLE inserts the context's tag. The host's buffer stays untouched and
 * the receiving side checks the sums (L4CS without L4E). */
static void test_tx_checksum_offload(void **state)
{
	(void)state;
	struct tport p;
	tport_open(&p, "txcs,mode=stepped,wire=loop,link_delay_us=1,unthrottled");
	tport_init(&p, 0);
	wait_link(&p);
	uint8_t mac[6], f[300], host[300], got[2048];
	port_mac(&p, mac);
	for (int tcp = 0; tcp < 2; tcp++) {
		for (unsigned slot = 0; slot < 2; slot++) {
			uint32_t len = make_udp(f, mac, 150 + 17 * slot, 5000, (uint8_t)slot);
			uint8_t *ip = f + 14, *l4 = f + 34;
			uint32_t l4len = len - 34, at = tcp ? 16 : 6;
			if (tcp) {	/* turn it into TCP: 20-byte header, data offset 5 */
				ip[9] = 6;
				memset(l4 + 4, 0, 16);
				l4[12] = 0x50;
				l4[13] = 0x18;
			}
			ip[10] = ip[11] = 0;	/* the IPv4 checksum field left 0 for IXSM */
			/* expected sums, computed here with the field zero */
			uint8_t ph[12];
			memcpy(ph, ip + 12, 8);
			ph[8] = 0;
			ph[9] = ip[9];
			ph[10] = (uint8_t)(l4len >> 8);
			ph[11] = (uint8_t)l4len;
			l4[at] = l4[at + 1] = 0;
			uint16_t want_ip = (uint16_t)~fold16(sum16(0, ip, 20));
			uint16_t want_l4 = (uint16_t)~fold16(sum16(sum16(0, ph, 12), l4, l4len));
			uint16_t seed = fold16(sum16(0, ph, 12));	/* pseudo-header, not complemented */
			l4[at] = (uint8_t)(seed >> 8);
			l4[at + 1] = (uint8_t)seed;
			memcpy(host, f, len);
			tx_put_offload(&p, f, len, (1u << 10) | (tcp ? 1u << 11 : 0), 14, 20, 0, slot, 3, false);
			uint32_t n = 0, st = 0;
			STEP_UNTIL(p.sim, (n = rx_get(&p, got, &st)) != 0);
			assert_int_equal(n, len);
			assert_int_equal(got[24] << 8 | got[25], want_ip);
			assert_int_equal(got[34 + at] << 8 | got[34 + at + 1], want_l4);
			assert_memory_equal(got + 36 + at, f + 36 + at, len - 36 - at);	/* the rest as sent */
			assert_true(st & (1u << 5));		/* L4CS: checked ... */
			assert_false(st & (1u << 30));		/* ... and right (no L4E) */
			assert_false(st & 0x80000000u);		/* no IPE */
			uint32_t i = (p.tx_next + p.ntx - 1) % p.ntx;
			assert_memory_equal(p.txbuf + 2048 * i, host, len);	/* host memory not written */
		}
	}
	/* VLAN insertion from the context, no checksums */
	uint32_t len = make_udp(f, mac, 100, 77, 1);
	tx_put_offload(&p, f, len, 1u << 10, 14, 20, 0x0123, 1, 0, true);
	uint32_t n = 0, st = 0;
	STEP_UNTIL(p.sim, (n = rx_get(&p, got, &st)) != 0);
	assert_int_equal(n, len + 4);
	assert_memory_equal(got, f, 12);
	assert_int_equal(got[12], 0x81);
	assert_int_equal(got[13], 0x00);
	assert_int_equal(got[14] << 8 | got[15], 0x0123);
	assert_memory_equal(got + 16, f + 12, len - 12);
	assert_true(st & (1u << 3));	/* VP */
	assert_int_equal(ixy_sim_violation_count(p.sim), 0);
	tport_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_bytes),
		cmocka_unit_test(test_multi_descriptor),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_pair),
		cmocka_unit_test(test_l2_filter),
		cmocka_unit_test(test_no_descriptors),
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_crc_kept),
		cmocka_unit_test(test_rx_checksum_error),
		cmocka_unit_test(test_length_errors),
		cmocka_unit_test(test_vlan_strip),
		cmocka_unit_test(test_tx_checksum_offload),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
