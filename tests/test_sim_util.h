/* Helpers for the sim conformance tests: they play a minimal driver that
 * programs the model through registers and descriptors directly (no ixgbe
 * driver involved), with rings and buffers in hugepage DMA memory.
 * Register offsets here are written out from the datasheet on purpose,
 * not taken from the model's header. */
#ifndef IXY_TEST_SIM_UTIL_H
#define IXY_TEST_SIM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ixy/error.h"
#include "ixy/memory.h"
#include "ixy/sim.h"

#define R_CTRL 0x00000
#define R_STATUS 0x00008
#define R_EICR 0x00800
#define R_EICS 0x00808
#define R_EIMS 0x00880
#define R_EIMC 0x00888
#define R_IVAR(n) (0x00900 + 4 * (n))
#define R_RDBAL(n) (0x01000 + 0x40 * (n))
#define R_RDBAH(n) (0x01004 + 0x40 * (n))
#define R_RDLEN(n) (0x01008 + 0x40 * (n))
#define R_RDH(n) (0x01010 + 0x40 * (n))
#define R_SRRCTL(n) (0x01014 + 0x40 * (n))
#define R_RDT(n) (0x01018 + 0x40 * (n))
#define R_RXDCTL(n) (0x01028 + 0x40 * (n))
#define R_QPRC(n) (0x01030 + 0x40 * (n))
#define R_QPRDC(n) (0x01430 + 0x40 * (n))
#define R_SRRCTL_82598(n) (0x02100 + 4 * (n))
#define R_RDRXCTL 0x02f00
#define R_RXCTRL 0x03000
#define R_MPC0 0x03fa0
#define R_CRCERRS 0x04000
#define R_GPRC 0x04074
#define R_BPRC 0x04078
#define R_MPRC 0x0407c
#define R_GPTC 0x04080
#define R_GORCL 0x04088
#define R_GORCH 0x0408c
#define R_GOTCL 0x04090
#define R_GOTCH 0x04094
#define R_RUC 0x040a4
#define R_ROC 0x040ac
#define R_TPR 0x040d0
#define R_TPT 0x040d4
#define R_MPTC 0x040f0
#define R_BPTC 0x040f4
#define R_HLREG0 0x04240
#define R_MAXFRS 0x04268
#define R_AUTOC 0x042a0
#define R_LINKS 0x042a4
#define R_DMATXCTL 0x04a80
#define R_RXCSUM 0x05000
#define R_FCTRL 0x05080
#define R_MCSTCTRL 0x05090
#define R_MTA(n) (0x05200 + 4 * (n))
#define R_RAL_82598(n) (0x05400 + 8 * (n))
#define R_RAH_82598(n) (0x05404 + 8 * (n))
#define R_MRQC_82598 0x05818
#define R_RETA_82598(n) (0x05c00 + 4 * (n))
#define R_RSSRK_82598(n) (0x05c80 + 4 * (n))
#define R_TDBAL(n) (0x06000 + 0x40 * (n))
#define R_TDBAH(n) (0x06004 + 0x40 * (n))
#define R_TDLEN(n) (0x06008 + 0x40 * (n))
#define R_TDH(n) (0x06010 + 0x40 * (n))
#define R_TDT(n) (0x06018 + 0x40 * (n))
#define R_TXDCTL(n) (0x06028 + 0x40 * (n))
#define R_QPTC(n) (0x08680 + 4 * (n))
#define R_RAL(n) (0x0a200 + 8 * (n))
#define R_RAH(n) (0x0a204 + 8 * (n))
#define R_RETA(n) (0x0eb00 + 4 * (n))
#define R_RSSRK(n) (0x0eb80 + 4 * (n))
#define R_MRQC 0x0ec80
#define R_EEC 0x10010

/* One port with one RX and one TX queue, rings and buffers in one DMA region. */
struct tport {
	struct ixy_sim *sim;
	struct ixy_dma_region *mem;
	uint8_t *base;
	volatile uint8_t *bar;
	uint32_t nrx, ntx;	/* ring sizes */
	uint8_t *rxring, *txring, *rxbuf, *txbuf;	/* 2 KiB per buffer */
	uint32_t rx_next, tx_next;	/* next descriptor the "driver" looks at / fills */
};

static inline uint64_t tphys(struct tport *p, const void *v)
{
	return ixy_dma_virt_to_phys(p->mem, v);
}

static inline uint32_t rd(struct tport *p, uint32_t r) { return ixy_sim_reg_read(p->sim, r); }
static inline void wr(struct tport *p, uint32_t r, uint32_t v) { ixy_sim_reg_write(p->sim, r, v); }

static inline int have_dma(void)
{
	char path[256];
	if (geteuid() != 0 || ixy_hugetlbfs_find(IXY_PAGE_2M, NULL, path, sizeof(path)) < 0) {
		print_message("sim tests need root (physical addresses) and a 2 MiB hugetlbfs: %s\n", ixy_last_error());
		return 0;
	}
	return 1;
}

static inline void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* Create a stepped port with a short link delay, wait for link. */
static inline void tport_open(struct tport *p, const char *spec)
{
	memset(p, 0, sizeof(*p));
	p->sim = ixy_sim_open_spec(spec);
	if (!p->sim)
		fail_msg("ixy_sim_open_spec(%s): %s", spec, ixy_last_error());
	p->bar = ixy_sim_bar0(p->sim, NULL);
	p->mem = ixy_dma_alloc(IXY_PAGE_2M, NULL);
	assert_non_null(p->mem);
	p->base = ixy_dma_virt(p->mem);
	p->nrx = p->ntx = 64;
	p->rxring = p->base;
	p->txring = p->base + 0x1000;
	p->rxbuf = p->base + 0x10000;
	p->txbuf = p->base + 0x100000;
}

static inline void tport_close(struct tport *p)
{
	ixy_sim_destroy(p->sim);
	ixy_dma_free(p->mem);
}

static inline void wait_link(struct tport *p)
{
	for (int i = 0; i < 2000 && !(rd(p, R_LINKS) & (1u << 30)); i++)
		sleep_us(100);
	assert_true(rd(p, R_LINKS) & (1u << 30));
}

/* Fill RX descriptor i (advanced one-buffer read format) with buffer i. */
static inline void rx_arm(struct tport *p, uint32_t i)
{
	uint8_t *d = p->rxring + 16 * i;
	uint64_t a = tphys(p, p->rxbuf + 2048 * i), z = 0;
	memcpy(d, &a, 8);
	memcpy(d + 8, &z, 8);
}

/* Minimal init of queue 0 in both directions, the way a driver does it:
 * datasheet 4.6.7 (receive) and 4.6.8 (transmit). */
static inline void tport_init(struct tport *p, uint32_t srrctl_extra)
{
	wr(p, R_HLREG0, rd(p, R_HLREG0) | 0x2 | 0x400);	/* RXCRCSTRP, TXPADEN */
	wr(p, R_RDRXCTL, rd(p, R_RDRXCTL) | 0x2);	/* CRCSTRIP */
	wr(p, R_FCTRL, 0x400);	/* BAM */
	for (uint32_t i = 0; i < p->nrx; i++)
		rx_arm(p, i);
	uint64_t rb = tphys(p, p->rxring), tb = tphys(p, p->txring);
	wr(p, R_RDBAL(0), (uint32_t)rb);
	wr(p, R_RDBAH(0), (uint32_t)(rb >> 32));
	wr(p, R_RDLEN(0), p->nrx * 16);
	wr(p, R_SRRCTL(0), 2u | 1u << 25 | srrctl_extra);	/* 2 KiB, advanced one buffer */
	wr(p, R_RDH(0), 0);
	wr(p, R_RDT(0), 0);
	wr(p, R_RXDCTL(0), 1u << 25);
	wr(p, R_RDT(0), p->nrx - 1);
	wr(p, R_RXCTRL, 1);
	wr(p, R_DMATXCTL, 1);
	wr(p, R_TDBAL(0), (uint32_t)tb);
	wr(p, R_TDBAH(0), (uint32_t)(tb >> 32));
	wr(p, R_TDLEN(0), p->ntx * 16);
	wr(p, R_TDH(0), 0);
	wr(p, R_TDT(0), 0);
	wr(p, R_TXDCTL(0), 1u << 25);
}

/* Queue one frame (copied into TX buffer i) as nseg descriptors; the tail is
 * written by a plain store into the BAR image, as a driver's cached
 * pointer would. */
static inline void tx_put(struct tport *p, const void *frame, uint32_t len, uint32_t nseg)
{
	uint32_t per = (len + nseg - 1) / nseg;
	for (uint32_t s = 0, off = 0; s < nseg; s++) {
		uint32_t i = p->tx_next, n = len - off < per ? len - off : per;
		uint8_t *buf = p->txbuf + 2048 * i;
		memcpy(buf, (const uint8_t *)frame + off, n);
		uint8_t *d = p->txring + 16 * i;
		uint64_t a = tphys(p, buf);
		uint32_t cmd = n | 3u << 20 | 1u << 29 | 1u << 25 | 1u << 27 | (s + 1 == nseg ? 1u << 24 : 0);
		uint32_t olinfo = len << 14;
		memcpy(d, &a, 8);
		memcpy(d + 8, &cmd, 4);
		memcpy(d + 12, &olinfo, 4);
		off += n;
		p->tx_next = (i + 1) % p->ntx;
	}
	__atomic_store_n((volatile uint32_t *)(p->bar + R_TDT(0)), p->tx_next, __ATOMIC_RELEASE);
}

static inline uint32_t desc32(const uint8_t *d, int off)
{
	uint32_t v;
	__atomic_load((const uint32_t *)(const void *)(d + off), &v, __ATOMIC_ACQUIRE);
	return v;
}

/* Take the next received frame (copies it out, re-arms the descriptor and
 * returns it to the model through the tail). Returns the length or 0. */
static inline uint32_t rx_get(struct tport *p, uint8_t *out, uint32_t *status)
{
	uint8_t *d = p->rxring + 16 * p->rx_next;
	uint32_t st = desc32(d, 8);
	if (!(st & 1))
		return 0;
	uint32_t len = desc32(d, 12) & 0xffff;
	if (out)
		memcpy(out, p->rxbuf + 2048 * p->rx_next, len);
	if (status)
		*status = st;
	rx_arm(p, p->rx_next);
	__atomic_store_n((volatile uint32_t *)(p->bar + R_RDT(0)), p->rx_next, __ATOMIC_RELEASE);
	p->rx_next = (p->rx_next + 1) % p->nrx;
	return len;
}

/* Step until cond or about a second passed (throttling / link delay). */
#define STEP_UNTIL(sim, cond)                                                  \
	do {                                                                   \
		for (int _i = 0; _i < 100000 && !(cond); _i++) {               \
			ixy_sim_step(sim);                                     \
			if (_i > 1000)                                         \
				sleep_us(10);                                  \
		}                                                              \
	} while (0)

/* An Ethernet/IPv4/UDP frame to dst from 198.18.0.1:sport, with a valid IPv4
 * header checksum and UDP checksum 0, payload filled with a pattern. */
static inline uint32_t make_udp(uint8_t *f, const uint8_t dst[6], uint32_t len, uint16_t sport, uint8_t seed)
{
	memset(f, 0, len);
	memcpy(f, dst, 6);
	const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = 1;
	ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 2;
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	ip[10] = (uint8_t)(~s >> 8);
	ip[11] = (uint8_t)~s;
	ip[20] = (uint8_t)(sport >> 8);
	ip[21] = (uint8_t)sport;
	ip[22] = 0x10;
	ip[23] = 0xe1;
	ip[24] = (uint8_t)((len - 34) >> 8);
	ip[25] = (uint8_t)(len - 34);
	for (uint32_t i = 42; i < len; i++)
		f[i] = (uint8_t)(i * 7 + seed);
	return len;
}

static inline void port_mac(struct tport *p, uint8_t mac[6])
{
	uint32_t lo = rd(p, R_RAL(0)), hi = rd(p, R_RAH(0));
	uint8_t m[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16), (uint8_t)(lo >> 24), (uint8_t)hi,
			 (uint8_t)(hi >> 8) };
	memcpy(mac, m, 6);
}

static inline int has_violation(struct ixy_sim *sim, const char *needle)
{
	for (unsigned i = 0; i < ixy_sim_violation_count(sim); i++)
		if (strstr(ixy_sim_violation(sim, i), needle))
			return 1;
	return 0;
}

static inline void print_violations(struct ixy_sim *sim)
{
	for (unsigned i = 0; i < ixy_sim_violation_count(sim); i++)
		print_message("  violation: %s\n", ixy_sim_violation(sim, i));
}

#endif
