/* The ixgbe data path with offloads: the NIC inserts checksums and VLAN
 * tags, segments TCP (TSO) and strips VLAN tags on receive.
 *
 * A second instance of the data path, chosen once per device at open
 * (ixy_config.tx_offload / rx_vlan_strip select the driver's second ops
 * table, ixgbe_init.c), so the default loops in ixgbe_rx.c and ixgbe_tx.c carry no
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
 * Because context descriptors have no buffer (NULL in q->bufs) and are
 * never given RS (as in Linux, only a frame's last data descriptor is),
 * the default path's reclaim in blocks of 32 (RS on every 32nd slot, which
 * may be a context descriptor here) does not fit: here RS goes on the last data descriptor of each
 * batch, its slot is queued in rs_slots (struct ixgbe_tx_offload, kept
 * apart from the default path's queue struct), and a batch's buffers are
 * freed once that descriptor's DD is set (as with one RS per frame in
 * Linux, but one per batch).
 *
 * RX: with RXDCTL.VME the NIC takes the 802.1Q tag out of the frame and
 * reports it in the write-back's VLAN field, with status VP (7.1.6.2,
 * 7.4.5). The default RX loops do the rest: the wrapper below reads the
 * tags of the descriptors that are done first, lets ixgbe_rx_batch take
 * them, and then marks the buffers it handed out. */
#include <stdatomic.h>
#include <arpa/inet.h>
#include <string.h>
#include <emmintrin.h>

#include "drivers/ixgbe.h"
#include "ixy/packet.h"

#define TX_FREE_CHUNK 64
#define RS_HAS_CTX (1u << 16)   /* in rs_slots: the batch holds a context descriptor (a NULL buffer) */
#define RX_VLAN_CHUNK 64

/* The pseudo-header sum (RFC 793 / RFC 768 / RFC 2460 8.1), folded, not
 * inverted: what the NIC expects in the TCP/UDP checksum field before it
 * adds the L4 header and payload (l4_bytes 0 for TSO: the NIC adds each
 * segment's length). Summed as native 32-bit words and stored as it comes
 * out: the one's-complement sum does not depend on byte order (RFC 1071
 * 2(B)), so the result is right as memory, without swapping, and the
 * big-endian protocol and length words enter byte-swapped (htons). */
static inline void put_pseudo_sum(uint8_t *field, const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4_bytes)
{
	uint64_t acc = (uint64_t)htons(proto) + htons((uint16_t)l4_bytes);
	if (!v6) {
		uint64_t a;   /* source and destination address */
		memcpy(&a, ip + 12, 8);
		acc += (a & 0xffffffff) + (a >> 32);
	} else {
		for (uint32_t i = 8; i < 40; i += 8) {
			uint64_t a;
			memcpy(&a, ip + i, 8);
			acc += (a & 0xffffffff) + (a >> 32);
		}
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	uint16_t v = (uint16_t)((acc & 0xffff) + (acc >> 16));
	memcpy(field, &v, 2);
}

/* A frame's offload fields (vlan_tci, tso_mss, l2_len, l4_len, l3_len:
 * neighbours in the buffer's metadata) as one word, to compare shapes. */
_Static_assert(offsetof(struct ixy_pkt_buf, l3_len) - offsetof(struct ixy_pkt_buf, vlan_tci) == 6,
	       "the offload fields are 8 consecutive bytes");
static inline uint64_t shape_fields(const struct ixy_pkt_buf *b)
{
	uint64_t v;
	memcpy(&v, &b->vlan_tci, sizeof(v));
	return v;
}

/* Check a shape (flags and offload fields) and work out what every frame
 * of that shape needs: the context, the descriptor bits, the fields to
 * prepare, the frame lengths it accepts. false: inconsistent (refused).
 * Runs when a frame's shape differs from the previous frame's. */
static bool shape_prepare(struct ixgbe_tx_offload *o, const struct ixy_pkt_buf *b, uint16_t f, uint32_t max_len)
{
	struct ixgbe_tx_shape *sh = &o->shape;
	uint32_t l2 = b->l2_len, l3 = b->l3_len;
	bool tso = f & IXY_PKT_TX_TSO;
	bool csum = f & (IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_UDP_CKSUM | IXY_PKT_TX_TSO);
	uint32_t macip = 0, tucmd = IXGBE_TXCTX_DTYP | IXGBE_TXD_CMD_DEXT, mss_l4 = 0;

	o->shape_valid = false;
	*sh = (struct ixgbe_tx_shape){ .max_len = max_len };
	if (csum) {
		bool v4 = f & IXY_PKT_TX_IPV4, v6 = f & IXY_PKT_TX_IPV6;
		bool tcp = f & (IXY_PKT_TX_TCP_CKSUM | IXY_PKT_TX_TSO), udp = f & IXY_PKT_TX_UDP_CKSUM;
		if (v4 == v6 || (tcp && udp) || ((f & IXY_PKT_TX_IP_CKSUM) && !v4))
			return false;   /* which IP, which L4: exactly one each */
		if (l2 < IXY_ETH_HDR_LEN || l2 > IXGBE_TXCTX_MAX_MACLEN || l3 < (v4 ? 20u : 40u) ||
		    l3 > IXGBE_TXCTX_MAX_IPLEN)
			return false;
		sh->l2 = (uint16_t)l2;
		sh->l3 = (uint16_t)l3;
		sh->v6 = v6;
		sh->min_len = l2 + l3 + (tcp ? 20 : udp ? 8 : 0);
		if (v4 && (f & (IXY_PKT_TX_IP_CKSUM | IXY_PKT_TX_TSO))) {
			sh->zero_ip_csum = true;   /* the NIC sums the header with the field as it finds it */
			sh->popts |= IXGBE_TXD_POPTS_IXSM;
		}
		if (tcp || udp) {
			sh->proto = tcp ? 6 : 17;
			sh->csum_at = (uint16_t)(l2 + l3 + (tcp ? 16 : 6));
			sh->popts |= IXGBE_TXD_POPTS_TXSM;
		}
		if (tso) {
			uint32_t l4len = b->l4_len, mss = b->tso_mss, hdr = l2 + l3 + l4len;
			if (!mss || l4len < 20 || hdr > IXGBE_TXCTX_MAX_HDR || hdr + mss > max_len)
				return false;
			sh->tso_hdr = (uint16_t)hdr;
			sh->min_len = hdr + 1;            /* at least one payload byte */
			/* one data descriptor per frame: at most IXGBE_TXD_MAX_DATA
			 * bytes (PAYLEN's 18 bits would allow more; the buffer
			 * limits it too) */
			sh->max_len = IXGBE_TXD_MAX_DATA;
			mss_l4 = mss << IXGBE_TXCTX_MSS_SHIFT | l4len << IXGBE_TXCTX_L4LEN_SHIFT;
			sh->cmd |= IXGBE_TXD_CMD_TSE;
		}
		tucmd |= (v4 ? IXGBE_TXCTX_TUCMD_IPV4 : 0) | (tcp ? IXGBE_TXCTX_TUCMD_L4T_TCP : 0);
		macip = l3 | l2 << IXGBE_TXCTX_MACLEN_SHIFT;
	}
	if (f & IXY_PKT_TX_VLAN) {
		if (!csum)   /* only the tag: MACLEN as for an untagged Ethernet frame */
			macip = IXY_ETH_HDR_LEN << IXGBE_TXCTX_MACLEN_SHIFT;
		macip |= (uint32_t)b->vlan_tci << IXGBE_TXCTX_VLAN_SHIFT;
		sh->cmd |= IXGBE_TXD_CMD_VLE;
	}
	sh->use_ctx = csum || (f & IXY_PKT_TX_VLAN);
	if (sh->use_ctx) {
		struct ixgbe_tx_ctx_desc c = { macip, 0, tucmd, mss_l4 };
		o->ctx_pending = !(o->ctx_valid && memcmp(&o->ctx, &c, sizeof(c)) == 0);
		o->ctx_next = c;
	}
	o->shape_flags = f;
	o->shape_key = shape_fields(b);
	o->shape_valid = true;
	return true;
}

/* Free the buffers of every batch the NIC is done with. */
static void tx_reclaim(struct ixgbe_tx_queue *q, struct ixgbe_tx_offload *o)
{
	struct ixy_pkt_buf *done[TX_FREE_CHUNK];
	uint32_t nd = 0;
	uint16_t clean = q->clean;
	while (o->rs_head != o->rs_tail) {
		uint32_t rs_ent = o->rs_slots[o->rs_head & q->mask];
		uint16_t rs = (uint16_t)rs_ent;
		if (!(q->ring[rs].wb.status & IXGBE_TXD_STAT_DD))
			break;
		atomic_thread_fence(memory_order_acquire);
		if (!(rs_ent & RS_HAS_CTX) && rs >= clean) {
			/* no context descriptor in it, not wrapping: one call */
			ixy_pkt_buf_free_batch(&q->bufs[clean], (uint32_t)(rs - clean + 1));
			clean = (uint16_t)((rs + 1) & q->mask);
			o->rs_head++;
			continue;
		}
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
		o->rs_head++;
	}
	ixy_pkt_buf_free_batch(done, nd);
	q->clean = clean;
}

static uint32_t tx_batch_offload(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	struct ixgbe_tx_queue *q = &to_ixgbe(dev)->txq[queue];
	struct ixgbe_tx_offload *o = &to_ixgbe(dev)->txo[queue];
	volatile union ixgbe_tx_desc *ring = q->ring;
	const uint16_t mask = q->mask;
	const bool ts = __atomic_load_n(&q->ts, __ATOMIC_RELAXED);
	struct ixy_pkt_buf *bad[TX_FREE_CHUNK];
	uint32_t nbad = 0, errors = 0, last = UINT32_MAX, i, has_ctx = 0;

	tx_reclaim(q, o);
	struct ixy_pkt_buf **ring_bufs = q->bufs;
	const uint32_t max_len = q->max_len;
	uint16_t next = q->next;
	uint32_t room = (uint16_t)((q->clean - next - 1) & mask);   /* one slot stays empty */
	/* the current shape's key in registers: the stores into the frames
	 * (char pointers) would otherwise make the compiler reload it */
	bool shape_ok = o->shape_valid;
	uint16_t shape_flags = o->shape_flags;
	uint64_t shape_key = o->shape_key;
	const struct ixgbe_tx_shape *sh = &o->shape;
	for (i = 0; i < n && room; i++) {
		struct ixy_pkt_buf *b = bufs[i];
		uint16_t f = b->ol_flags;
		uint32_t len = b->len, cmd = 0, olinfo = len << IXGBE_TXD_PAYLEN_SHIFT;
		bool ok;
		if (!(f & IXY_PKT_TX_OFFLOAD_MASK)) {
			ok = len <= b->buf_len && len <= max_len;
		} else {
			/* the shape (what to offload, header lengths, tag, MSS)
			 * is checked once per run of frames that share it */
			if (__builtin_expect(!shape_ok || f != shape_flags || shape_fields(b) != shape_key, 0)) {
				shape_ok = shape_prepare(o, b, f, max_len);
				shape_flags = f;
				shape_key = shape_fields(b);
			}
			ok = shape_ok && len <= b->buf_len && len >= sh->min_len && len <= sh->max_len;
			if (ok && sh->use_ctx && o->ctx_pending) {
				if (room < 2)
					break;
				volatile struct ixgbe_tx_ctx_desc *c = (volatile struct ixgbe_tx_ctx_desc *)&ring[next];
				c->vlan_macip_lens = o->ctx_next.vlan_macip_lens;
				c->seqnum_seed = 0;
				c->type_tucmd_mlhl = o->ctx_next.type_tucmd_mlhl;
				c->mss_l4len_idx = o->ctx_next.mss_l4len_idx;   /* IDX 0 */
				o->ctx = o->ctx_next;
				o->ctx_valid = true;
				o->ctx_pending = false;
				ring_bufs[next] = NULL;
				has_ctx = RS_HAS_CTX;
				next = (uint16_t)((next + 1) & mask);
				room--;
			}
			if (ok) {
				uint8_t *d = ixy_pkt_data(b);
				if (sh->zero_ip_csum)
					memset(d + sh->l2 + 10, 0, 2);
				if (sh->proto)
					put_pseudo_sum(d + sh->csum_at, d + sh->l2, sh->v6, sh->proto,
						       sh->tso_hdr ? 0 : len - sh->l2 - sh->l3);
				if (sh->tso_hdr)   /* TSO: PAYLEN without the headers */
					olinfo = (len - sh->tso_hdr) << IXGBE_TXD_PAYLEN_SHIFT;
				olinfo |= sh->popts;
				cmd = sh->cmd;
			}
		}
		if (!ok) {   /* taken, not sent: freed and counted */
			bad[nbad++] = b;
			if (nbad == TX_FREE_CHUNK) {
				ixy_pkt_buf_free_batch(bad, nbad);
				errors += nbad;
				nbad = 0;
			}
			continue;
		}
		if (ts && (f & IXY_PKT_TX_TIMESTAMP)) {
			cmd |= IXGBE_TXD_MAC_TSTAMP;
			b->ol_flags = (uint16_t)(f & ~IXY_PKT_TX_TIMESTAMP);
		}
		/* one 16-byte store, as in the default loop; olinfo with IDX 0
		 * clears an old DD */
		cmd |= len | IXGBE_TXD_CMD_EOP | IXGBE_TXD_CMD_IFCS | IXGBE_TXD_CMD_DEXT | IXGBE_TXD_DTYP_DATA;
		_mm_store_si128((__m128i *)(uintptr_t)&ring[next],
				_mm_set_epi64x((long long)((uint64_t)olinfo << 32 | cmd), (long long)b->data_phys));
		ring_bufs[next] = b;
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
		o->rs_slots[o->rs_tail++ & mask] = last | has_ctx;
		q->next = next;
		__atomic_store_n(q->tail, next, __ATOMIC_RELEASE);
	}
	return i;
}

/* With VLAN stripping: the tags of the descriptors that are done, then the
 * default loop, then the flags on what it handed out. The default loop may
 * take fewer (no fresh buffers) or drop one (a length beyond its buffer):
 * the buffers it returns are a subsequence of those seen, in order. */
static uint32_t rx_batch_vlan(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
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

uint32_t ixgbe_rx_batch_offload(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	return to_ixgbe(dev)->cfg.c.rx_vlan_strip ? rx_batch_vlan(dev, queue, bufs, n)
						  : ixgbe_rx_batch(dev, queue, bufs, n);
}

uint32_t ixgbe_tx_batch_offload(struct ixy_device *dev, size_t queue, struct ixy_pkt_buf **bufs, uint32_t n)
{
	return to_ixgbe(dev)->cfg.c.tx_offload ? tx_batch_offload(dev, queue, bufs, n)
					       : ixgbe_tx_batch(dev, queue, bufs, n);
}
