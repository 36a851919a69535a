/* The virtual 82599: TCP segmentation (datasheet 7.2.4).
 *
 * A frame whose first data descriptor has DCMD.TSE is a prototype header
 * (MACLEN + IPLEN + L4LEN bytes, lengths from the context descriptor,
 * 7.2.3.2.3) followed by PAYLEN payload bytes (7.2.3.2.4) over any number
 * of buffers. The MAC sends it as segments of at most MSS payload bytes,
 * each with a copy of the header in which it rewrites, per segment:
 *   IPv4: total length, identification (+1 per segment), header checksum;
 *   IPv6: payload length;
 *   TCP:  sequence number (+ payload already sent), flags through the
 *         DTXTCPFLGL/H masks (first / middle / last segment), checksum;
 *   UDP:  length, checksum.
 * Like the checksum offload (sim_tx.c) the MAC does not parse the frame:
 * offsets come from the context. The L4 checksum field holds the
 * pseudo-header sum without the length (what Linux's ixgbe_tso leaves
 * there: it takes the length back out of the sum the stack computed);
 * the MAC adds each segment's L4 length, its header and payload. The IPv4
 * checksum is summed over IPLEN bytes with the field as software left it
 * (0, or a correction for the tunnel headers IPLEN covers, as Linux's
 * GSO_PARTIAL path does). Each segment is an ordinary frame afterwards:
 * padding, statistics and the wire through sim_tx_emit. The host's
 * buffers are never written.
 */
#include <string.h>

#include "model/sim_internal.h"

#define TSO_MAX_HDR 512		/* MACLEN + IPLEN + L4LEN < 512 (7.2.3.2.3) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Copy n bytes of the gathered frame from the cursor (segment *si, offset
 * *so) to out and advance it. The caller has checked the frame's length. */
static void take(const struct sim_frame *f, uint32_t *si, uint32_t *so, uint8_t *out, uint32_t n)
{
	while (n) {
		const struct sim_seg *s = &f->seg[*si];
		uint32_t c = s->len - *so < n ? s->len - *so : n;
		memcpy(out, s->p + *so, c);
		out += c;
		n -= c;
		*so += c;
		if (*so == s->len) {
			++*si;
			*so = 0;
		}
	}
}

int sim_tso_send(struct ixy_sim *sim, unsigned q, uint32_t idx, const struct sim_tso_req *r,
		 const struct sim_frame *f, uint64_t *wire)
{
	const struct sim_txctx *c = &sim->txq[q].ctx[r->ctx];
	uint32_t maclen = (c->vlan_macip_lens >> SIM_TXCTX_MACLEN_SHIFT) & 0x7f;
	uint32_t iplen = c->vlan_macip_lens & SIM_TXCTX_IPLEN_MASK;
	uint32_t l4len = (c->mss_l4len >> SIM_TXCTX_L4LEN_SHIFT) & 0xff;
	uint32_t mss = c->mss_l4len >> SIM_TXCTX_MSS_SHIFT;
	uint32_t l4t = (c->tucmd & SIM_TXCTX_L4T_MASK) >> SIM_TXCTX_L4T_SHIFT;
	bool v4 = c->tucmd & SIM_TXCTX_TUCMD_IPV4, tcp = l4t == 1;
	uint32_t hdr = maclen + iplen + l4len;
	const char *why = NULL;

	/* what the MAC needs to find the fields it rewrites */
	if (l4t > 1)
		why = "TUCMD.L4T is SCTP or reserved: the 82599 segments TCP and UDP only";
	else if (!r->ifcs)
		why = "DCMD.IFCS is clear: each segment needs the FCS the MAC computes";
	else if (mss == 0)
		why = "MSS is 0";
	else if (maclen < 14 || iplen < (v4 ? 20u : 40u) || l4len < (tcp ? 20u : 8u))
		why = "MACLEN, IPLEN or L4LEN is shorter than the headers it must describe "
		      "(14, 20 for IPv4 / 40 for IPv6, 20 for TCP / 8 for UDP)";
	else if (hdr >= TSO_MAX_HDR)
		why = "MACLEN + IPLEN + L4LEN is 512 or more";
	else if (hdr + mss + 4 > SIM_MAX_FRAME)
		why = "a segment (header + MSS + VLAN tag) would exceed the 16384-byte frames the model carries";
	else if (r->paylen == 0)
		why = "PAYLEN is 0";
	else if (f->len < hdr)
		why = "the header (MACLEN + IPLEN + L4LEN) is longer than the frame's buffers";
	else if (f->len - hdr != r->paylen)
		why = "PAYLEN does not match the bytes in the frame's buffers after the header";
	if (why) {
		sim_violation(sim, "TX queue %u descriptor %u: TCP segmentation (DCMD.TSE) with context %u "
			      "(MACLEN=%u IPLEN=%u L4LEN=%u MSS=%u L4T=%u) and PAYLEN=%u over %u buffered bytes: %s "
			      "(datasheet 7.2.4, 7.2.3.2.3, 7.2.3.2.4); frame dropped", q, idx, r->ctx, maclen,
			      iplen, l4len, mss, l4t, r->paylen, f->len, why);
		return 0;
	}

	/* the prototype header, fetched once (7.2.4) */
	uint8_t proto[TSO_MAX_HDR];
	uint32_t si = 0, so = 0;
	take(f, &si, &so, proto, hdr);
	uint32_t flgl = sim_reg(sim, SIM_DTXTCPFLGL), flgh = sim_reg(sim, SIM_DTXTCPFLGH);
	uint16_t id = v4 ? get16(proto + maclen + 4) : 0;
	uint32_t seq = tcp ? get32(proto + maclen + iplen + 4) : 0;
	uint16_t tcpword = tcp ? get16(proto + maclen + iplen + 12) : 0;	/* data offset + flags */

	int taken = 0;
	uint32_t left = r->paylen;
	for (uint32_t n = 0; left; n++) {
		uint32_t pay = left < mss ? left : mss;
		bool last = pay == left;
		/* built 4 bytes in, so a VLAN tag can go in front of the type */
		uint8_t *b = sim->tx_buf + 4, *ip = b + maclen, *l4 = ip + iplen;
		memcpy(b, proto, hdr);
		take(f, &si, &so, b + hdr, pay);
		if (v4) {
			put16(ip + 2, (uint16_t)(iplen + l4len + pay));
			put16(ip + 4, (uint16_t)(id + n));
			put16(ip + 10, sim_csum_fold(sim_csum_add(0, ip, iplen)));
		} else {
			put16(ip + 4, (uint16_t)(iplen + l4len + pay - 40));
		}
		uint32_t sum;
		uint8_t len[2];
		put16(len, (uint16_t)(l4len + pay));
		if (tcp) {
			/* a frame of one segment is first and last: it keeps
			 * what either mask keeps (the model's choice) */
			uint32_t mask = n == 0 ? (last ? flgl | flgh : flgl) : last ? flgh : flgl >> 16;
			put32(l4 + 4, seq + n * mss);
			put16(l4 + 12, (uint16_t)(tcpword & (0xf000 | (mask & 0xfff))));
			sum = sim_csum_add(sim_csum_add(0, len, 2), l4, l4len + pay);
			put16(l4 + 16, sim_csum_fold(sum));
		} else {
			put16(l4 + 4, (uint16_t)(l4len + pay));
			sum = sim_csum_add(sim_csum_add(0, len, 2), l4, l4len + pay);
			uint16_t s = sim_csum_fold(sum);
			put16(l4 + 6, s ? s : 0xffff);	/* 0 means "no checksum" (RFC 768) */
		}
		uint32_t flen = hdr + pay;
		if (r->vle) {
			/* 802.1Q header after the addresses, TCI from the context */
			b -= 4;
			memmove(b, b + 4, 12);
			b[12] = 0x81;
			b[13] = 0x00;
			put16(b + 14, (uint16_t)(c->vlan_macip_lens >> SIM_TXCTX_VLAN_SHIFT));
			flen += 4;
		}
		struct sim_frame seg;
		sim_frame_one(&seg, b, flen);
		taken += sim_tx_emit(sim, q, &seg, wire);
		left -= pay;
	}
	return taken;
}
