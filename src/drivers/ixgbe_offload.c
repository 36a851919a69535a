/* The ixgbe data path with offloads: the NIC inserts checksums and VLAN
 * tags, segments TCP (TSO) and strips VLAN tags on receive.
 *
 * A second instance of the data path, chosen once per device at open
 * (ixy_config.tx_offload / rx_vlan_strip select the driver's second ops
 * table, ixgbe_init.c), so the default loops in ixgbe_rxtx.c carry no
 * trace of it: not one instruction per packet or per batch.
 *
 * TX (82599 datasheet 7.2.3.2.3, 7.2.3.2.4, 7.2.4): a frame that asks for
 * an offload names a context: MACLEN, IPLEN (and for TSO L4LEN, MSS), the
 * IP version and L4 type, the VLAN tag. The context goes to the NIC in a
 * context descriptor, which takes a ring slot of its own, before the
 * frame's data descriptor. Linux's ixgbe writes one before every offloaded
 * frame; here the queue remembers what its context slot 0 holds and writes
 * a new one only when a frame needs a different one, so a batch of frames
 * of one shape costs one context descriptor. The NIC does not parse the
 * frame: the offsets come from the context, and software leaves the IPv4
 * checksum field 0 and seeds the TCP/UDP field with the pseudo-header sum
 * (without the length for TSO, where the NIC adds each segment's), which
 * this file does, so the application only sets flags and lengths.
 *
 * Because context descriptors have no buffer (NULL in q->bufs) and cannot
 * report status, the default path's reclaim in blocks of 32 (RS on every
 * 32nd slot) does not fit: here RS goes on the last data descriptor of each
 * batch, its slot is queued in q->rs_slots, and a batch's buffers are
 * freed once that descriptor's DD is set (as with one RS per frame in
 * Linux, but one per batch).
 *
 * RX: with RXDCTL.VME the NIC takes the 802.1Q tag out of the frame and
 * reports it in the write-back's VLAN field, with status VP (7.1.6.2,
 * 7.4.5). The default RX loops do the rest: the wrapper below reads the
 * tags of the descriptors that are done first, lets ixgbe_rx_batch take
 * them, and then marks the buffers it handed out. */
#include <stdatomic.h>
#include <string.h>

#include "drivers/ixgbe.h"
#include "ixy/packet.h"

#define TX_FREE_CHUNK 64
#define RX_VLAN_CHUNK 64

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The pseudo-header sum (RFC 793 / RFC 768 / RFC 2460 8.1), folded, not
 * inverted: what the NIC expects in the TCP/UDP checksum field before it
 * adds the L4 header and payload. l4_bytes 0: without the length (TSO). */
static uint16_t pseudo_sum(const uint8_t *ip, bool v4, uint8_t proto, uint32_t l4_bytes)
{
	const uint8_t *a = v4 ? ip + 12 : ip + 8;
	uint32_t n = v4 ? 8 : 32, s = proto + (l4_bytes >> 16) + (l4_bytes & 0xffff);
	for (uint32_t i = 0; i < n; i += 2)
		s += rd16(a + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* What one frame needs from the NIC. */
struct tx_req {
	struct ixgbe_tx_ctx_desc ctx;
	uint32_t cmd;       /* added to the data descriptor's cmd_type_len: VLE, TSE, TSTAMP */
	uint32_t olinfo;    /* its olinfo_status: PAYLEN, POPTS */
	bool use_ctx;
};

/* Check a frame's offload requests against its length and prepare its
 * checksum fields. false: refused (inconsistent; the caller drops and
 * counts it). Only frames with some IXY_PKT_TX_* offload flag come here. */
static bool tx_prepare(const struct ixgbe_tx_queue *q, struct ixy_pkt_buf *b, uint16_t f, struct tx_req *r)
{
	uint32_t len = b->len, l2 = b->l2_len, l3 = b->l3_len;
	bool tso = f & IXY_PKT_TX_TSO;
	bool csum = f & (IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_UDP_CKSUM | IXY_PKT_TX_TSO);
	uint32_t macip = 0, tucmd = IXGBE_TXCTX_DTYP | IXGBE_TXD_CMD_DEXT, mss_l4 = 0;
	uint32_t paylen = len;

	r->cmd = 0;
	r->olinfo = 0;
	if (!tso && len > q->max_len)
		return false;
	if (csum) {
		bool v4 = f & IXY_PKT_TX_IPV4, v6 = f & IXY_PKT_TX_IPV6;
		bool tcp = f & (IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_TSO), udp = f & IXY_PKT_TX_UDP_CKSUM;
		if (v4 == v6 || (tcp && udp) || ((f & IXY_PKT_TX_IP_CKSUM) && !v4))
			return false;   /* which IP, which L4: exactly one each */
		if (l2 < IXY_ETH_HDR_LEN || l2 > IXGBE_TXCTX_MAX_MACLEN || l3 < (v4 ? 20u : 40u) ||
		    l3 > IXGBE_TXCTX_MAX_IPLEN)
			return false;
		uint32_t l4_min = tcp ? 20 : udp ? 8 : 0;
		if (l2 + l3 + l4_min > len)
			return false;
		uint8_t *ip = ixy_pkt_data(b) + l2, *l4 = ip + l3;
		if (v4 && (f & (IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TSO))) {
			wr16(ip + 10, 0);   /* the NIC sums the header with this field as it finds it */
			r->olinfo |= IXGBE_TXD_POPTS_IXSM;
		}
		if (tso) {
			uint32_t l4len = b->l4_len, mss = b->tso_mss, hdr = l2 + l3 + l4len;
			if (!mss || l4len < 20 || hdr > IXGBE_TXCTX_MAX_HDR || hdr >= len || hdr + mss > q->max_len ||
			    len - hdr > IXGBE_TXD_MAX_PAYLEN)
				return false;
			paylen = len - hdr;   /* TSO: PAYLEN is the payload without the headers */
			mss_l4 = mss << IXGBE_TXCTX_MSS_SHIFT | l4len << IXGBE_TXCTX_L4LEN_SHIFT;
			r->cmd |= IXGBE_TXD_CMD_TSE;
			wr16(l4 + 16, pseudo_sum(ip, v4, 6, 0));
		} else if (tcp || udp) {
			wr16(l4 + (tcp ? 16 : 6), pseudo_sum(ip, v4, tcp ? 6 : 17, len - l2 - l3));
		}
		if (tcp || udp)
			r->olinfo |= IXGBE_TXD_POPTS_TXSM;
		tucmd |= (v4 ? IXGBE_TXCTX_TUCMD_IPV4 : 0) | (tcp ? IXGBE_TXCTX_TUCMD_L4T_TCP : 0);
		macip = l3 | l2 << IXGBE_TXCTX_MACLEN_SHIFT;
	}
	if (f & IXY_PKT_TX_VLAN) {
		if (!csum)   /* only the tag: MACLEN as for an untagged Ethernet frame */
			macip = IXY_ETH_HDR_LEN << IXGBE_TXCTX_MACLEN_SHIFT;
		macip |= (uint32_t)b->vlan_tci << IXGBE_TXCTX_VLAN_SHIFT;
		r->cmd |= IXGBE_TXD_CMD_VLE;
	}
	r->olinfo |= paylen << IXGBE_TXD_PAYLEN_SHIFT;
	r->use_ctx = csum || (f & IXY_PKT_TX_VLAN);
	r->ctx = (struct ixgbe_tx_ctx_desc){ macip, 0, tucmd, mss_l4 };
	return true;
}

/* Free the buffers of every batch the NIC is done with. */
static void tx_reclaim(struct ixgbe_tx_queue *q)
{
	struct ixy_pkt_buf *done[TX_FREE_CHUNK];
	uint32_t nd = 0;
	uint16_t clean = q->clean;
	while (q->rs_head != q->rs_tail) {
		uint16_t rs = q->rs_slots[q->rs_head & q->mask];
		if (!(q->ring[rs].wb.status & IXGBE_TXD_STAT_DD))
			break;
		atomic_thread_fence(memory_order_acquire);
		for (;;) {
			struct ixy_pkt_buf *b = q->bufs[clean];
			if (b) {   /* NULL: a context descriptor's slot */
				done[nd++] = b;
				if (nd == TX_FREE_CHUNK) {
					ixy_pkt_buf_free_batch(done, nd);
					nd = 0;
				}
			}
			bool last = clean == rs;
			clean = (uint16_t)((clean + 1) & q->mask);
			if (last)
				break;
		}
		q->rs_head++;
	}
	ixy_pkt_buf_free_batch(done, nd);
	q->clean = clean;
}

static uint32_t tx_batch_offload(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_tx_queue *q = &to_ixgbe(dev)->txq[queue];
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint16_t mask = q->mask;
	const bool ts = __atomic_load_n(&q->ts, __ATOMIC_RELAXED);
	struct ixy_pkt_buf *bad[TX_FREE_CHUNK];
	uint32_t nbad = 0, errors = 0, last = UINT32_MAX, i;

	tx_reclaim(q);
	uint16_t next = q->next;
	uint32_t room = (uint16_t)((q->clean - next - 1) & mask);   /* one slot stays empty */
	for (i = 0; i < n; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		uint16_t f = b->ol_flags;
		struct tx_req r = { .use_ctx = false, .cmd = 0, .olinfo = b->len << IXGBE_TXD_PAYLEN_SHIFT };
		bool ok = b->len <= b->buf_len &&
			  ((f & IXY_PKT_TX_OFFLOAD_MASK) ? tx_prepare(q, b, f, &r) : b->len <= q->max_len);
		bool new_ctx = ok && r.use_ctx &&
			       !(q->ctx_valid && memcmp(&q->ctx, &r.ctx, sizeof(r.ctx)) == 0);
		if (room < 1u + new_ctx)
			break;
		if (!ok) {   /* taken, not sent: freed and counted */
			bad[nbad++] = b;
			if (nbad == TX_FREE_CHUNK) {
				ixy_pkt_buf_free_batch(bad, nbad);
				errors += nbad;
				nbad = 0;
			}
			continue;
		}
		if (new_ctx) {
			volatile struct ixgbe_tx_ctx_desc *c = (volatile struct ixgbe_tx_ctx_desc *)&ring[next];
			c->vlan_macip_lens = r.ctx.vlan_macip_lens;
			c->seqnum_seed = 0;
			c->type_tucmd_mlhl = r.ctx.type_tucmd_mlhl;
			c->mss_l4len_idx = r.ctx.mss_l4len_idx;   /* IDX 0 */
			q->ctx = r.ctx;
			q->ctx_valid = true;
			q->bufs[next] = NULL;
			next = (uint16_t)((next + 1) & mask);
			room--;
		}
		if (ts && (f & IXY_PKT_TX_TIMESTAMP)) {
			r.cmd |= IXGBE_TXD_MAC_TSTAMP;
			b->ol_flags = (uint16_t)(f & ~IXY_PKT_TX_TIMESTAMP);
		}
		ring[next].read.buffer_addr = b->data_phys;
		ring[next].read.cmd_type_len = b->len | IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_DEXT |
					       IXGBE_TXD_DTYP_DATA | r.cmd;
		ring[next].read.olinfo_status = r.olinfo;   /* IDX 0; clears an old DD */
		q->bufs[next] = b;
		last = next;
		next = (uint16_t)((next + 1) & mask);
		room--;
	}
	ixy_pkt_buf_free_batch(bad, nbad);
	errors += nbad;
	if (errors)
		__atomic_store_n(&q->tx_errors, q->tx_errors + errors, __ATOMIC_RELAXED);
	if (last != UINT32_MAX) {
		/* one write-back per batch: RS on its last data descriptor */
		ring[last].read.cmd_type_len |= IXGBE_TXD_CMD_RS;
		q->rs_slots[q->rs_tail++ & mask] = (uint16_t)last;
		q->next = next;
		__atomic_store_n(q->tail, next, __ATOMIC_RELEASE);
	}
	return i;
}

/* With VLAN stripping: the tags of the descriptors that are done, then the
 * default loop, then the flags on what it handed out. The default loop may
 * take fewer (no fresh buffers) or drop one (a length beyond its buffer):
 * the buffers it returns are a subsequence of those seen, in order. */
static uint32_t rx_batch_vlan(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_rx_queue *q = &to_ixgbe(dev)->rxq[queue];
	volatile uint64_t *ring = (volatile uint64_t *)q->ring;
	uint32_t got = 0;
	while (got < n) {
		struct ixy_pkt_buf *seen[RX_VLAN_CHUNK];
		uint64_t vp = 0;
		uint32_t want = n - got < RX_VLAN_CHUNK ? n - got : RX_VLAN_CHUNK, k, slot = q->next;
		if (want > q->mask)
			want = q->mask;
		for (k = 0; k < want; k++) {
			/* write-back word 1: status 31:0, length 47:32, VLAN 63:48 */
			uint64_t hi = ring[2 * slot + 1];
			if (!(hi & IXGBE_RXD_STAT_DD))
				break;
			struct ixy_pkt_buf *b = q->bufs[slot];
			seen[k] = b;
			if (hi & IXGBE_RXD_STAT_VP) {
				vp |= 1ull << k;
				b->vlan_tci = (uint16_t)(hi >> 48);
			}
			slot = (slot + 1) & q->mask;
		}
		if (!k)
			break;
		uint32_t r = ixgbe_rx_batch(dev, queue, bufs + got, k);
		for (uint32_t i = 0, j = 0; i < r; i++, j++) {
			struct ixy_pkt_buf *b = bufs[got + i];
			while (seen[j] != b)
				j++;
			if (vp >> j & 1)
				b->ol_flags |= IXY_PKT_RX_VLAN;
		}
		got += r;
		if (r < k)
			break;
	}
	return got;
}

uint32_t ixgbe_rx_batch_offload(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	return to_ixgbe(dev)->cfg.c.rx_vlan_strip ? rx_batch_vlan(dev, queue, bufs, n)
						  : ixgbe_rx_batch(dev, queue, bufs, n);
}

uint32_t ixgbe_tx_batch_offload(struct ixy_device *dev, uint16_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	return to_ixgbe(dev)->cfg.c.tx_offload ? tx_batch_offload(dev, queue, bufs, n)
					       : ixgbe_tx_batch(dev, queue, bufs, n);
}
