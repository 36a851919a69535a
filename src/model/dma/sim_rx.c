/* The virtual 82599: the receive path (datasheet 7.1).
 *
 * A frame from the wire goes through the MAC (size checks, statistics), the
 * L2 filter (7.1.1: exact addresses RAL/RAH, multicast table, promiscuous
 * and broadcast modes), queue selection (7.1.2: RSS through RETA), and the
 * DMA engine, which takes descriptors between RDH and RDT, writes the frame
 * into the buffers they point to (several when the frame is larger than
 * SRRCTL.BSIZEPKT) and writes each descriptor back with DD last. Without a
 * free descriptor the frame waits in the packet buffer (RXPBSIZE), or is
 * dropped at once when SRRCTL.DROP_EN is set (counted in QPRDC); a full
 * packet buffer drops and counts MPC.
 *
 * Speed: this runs once per frame, so it reads the receive configuration
 * from sim->rx (rebuilt after register writes, sim_rx_config), translates
 * buffer addresses through the queue's last-hit map entry, and keeps the
 * head in rq->head (RDH reads return it; the register image is only written
 * when the queue stops).
 */
#include <inttypes.h>
#include <string.h>

#include "model/sim_internal.h"
#include "model/dma/sim_parse.h"

enum { RX_DONE = 1, RX_DROPPED = 0, RX_NO_DESC = -1 };

struct rx_meta {
	struct sim_pinfo pi;
	uint32_t hash;
	unsigned rss_type;
	bool pif;
	const struct sim_rxpre *pre;
	bool vlan_stripped;	/* RXDCTL.VME took the tag out of the frame */
	uint32_t ts;		/* SIM_RXADV_STAT_TS: its 1588 timestamp is latched */
	uint16_t vlan_tag;	/* the tag's TCI, for the write-back */
};

/* The parse header window: the parser looks at most this far. */
#define HDR_WINDOW 128u

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline void st32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline void st32_release(uint8_t *p, uint32_t v)
{
	/* descriptors are 16-byte aligned, so the word store is atomic */
	__atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELEASE);
}

static void active_set(uint8_t *list, uint8_t *n, unsigned q, bool on)
{
	for (unsigned i = 0; i < *n; i++) {
		if (list[i] != q)
			continue;
		if (!on) {
			list[i] = list[--*n];
		}
		return;
	}
	if (on)
		list[(*n)++] = (uint8_t)q;
}

static inline uint64_t mac48(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40;
}

#define MAC48_BCAST 0xffffffffffffull

void sim_rx_config(struct ixy_sim *sim)
{
	struct sim_rxcfg *c = &sim->rx;
	uint32_t hl = sim_reg(sim, SIM_HLREG0);
	c->rxen = sim_reg(sim, SIM_RXCTRL) & SIM_RXCTRL_RXEN;
	if (!c->rxen)
		sim->rx_started = false;	/* wires that hold frames wait again (sim_wire.c) */
	c->halted = sim_reg(sim, SIM_SECRXCTRL) & SIM_SECRXCTRL_RX_DIS;
	c->strip = hl & SIM_HLREG0_RXCRCSTRP;
	c->max_frame = (hl & SIM_HLREG0_JUMBOEN) ? sim_reg(sim, SIM_MAXFRS) >> SIM_MAXFRS_MFS_SHIFT : 1518;
	c->fctrl = sim_reg(sim, SIM_FCTRL);
	c->mcstctrl = sim_reg(sim, SIM_MCSTCTRL);
	c->mrqc = sim_reg(sim, SIM_MRQC);
	c->rss = (c->mrqc & SIM_MRQC_MRQE_MASK) == SIM_MRQC_MRQE_RSS;
	c->pcsd = sim_reg(sim, SIM_RXCSUM) & SIM_RXCSUM_PCSD;
	uint8_t key[40];
	for (unsigned i = 0; i < 10; i++) {
		uint32_t k = sim_reg(sim, SIM_RSSRK(i));
		for (unsigned b = 0; b < 4; b++)
			key[4 * i + b] = (uint8_t)(k >> (8 * b));
	}
	/* the hash tables follow the key (an all-zero key and the zeroed
	 * tables of a new port agree) */
	if (memcmp(key, c->key, sizeof(key)) != 0) {
		memcpy(c->key, key, sizeof(key));
		sim_toeplitz_prepare(c->key, &c->key_tbl);
	}
	/* 7.1.2.8: RETA holds 128 one-byte entries, four per register, the
	 * queue in bits 3:0 */
	for (unsigned e = 0; e < 128; e++)
		c->reta[e] = (sim_reg(sim, SIM_RETA(e / 4)) >> (8 * (e % 4))) & 0xf;
	c->n_rar = 0;
	for (unsigned i = 0; i < 128; i++) {
		uint32_t lo = sim_reg(sim, SIM_RAL(i)), hi = sim_reg(sim, SIM_RAH(i));
		if (hi & SIM_RAH_AV)
			c->rar[c->n_rar++] = (uint64_t)lo | (uint64_t)(hi & 0xffff) << 32;
	}
	sim->cfg_dirty = false;
	sim->rx_gen++;
}

void sim_rx_precompute(const uint8_t *p, uint32_t len, struct sim_rxpre *pre)
{
	memset(pre, 0, sizeof(*pre));
	sim_parse(p, len < HDR_WINDOW ? len : HDR_WINDOW, &pre->pi);
	pre->pkt_type = sim_pkt_type(&pre->pi);
	sim_rx_csum(p, len, &pre->pi, &pre->csum_status, &pre->ip_err, &pre->l4_err);
}

void sim_rxq_enable(struct ixy_sim *sim, unsigned q, bool on)
{
	struct sim_rxq *rq = &sim->rxq[q];
	if (!on) {
		if (rq->enabled)
			sim_setreg(sim, SIM_RDH(q), rq->head);
		rq->enabled = false;
		rq->stopped = false;
		active_set(sim->rx_active, &sim->n_rx_active, q, false);
		return;
	}
	uint64_t now = sim_now_ns();
	if (now < sim->reset_done_ns)
		sim_violation(sim, "RXDCTL[%u].ENABLE set before RDRXCTL.DMAIDONE: wait for the DMA initialisation "
			      "to finish after reset (datasheet 4.6.3)", q);
	uint32_t len = sim_reg(sim, SIM_RDLEN(q)) & 0xfff80;
	uint32_t srrctl = sim_reg(sim, SIM_SRRCTL(q));
	rq->base = ((uint64_t)sim_reg(sim, SIM_RDBAH(q)) << 32) | (sim_reg(sim, SIM_RDBAL(q)) & ~0x7fu);
	rq->count = len / 16;
	rq->head = sim_reg(sim, SIM_RDH(q)) & 0xffff;
	rq->bufsize = (srrctl & SIM_SRRCTL_BSIZEPKT_MASK) * 1024;
	rq->desctype = (srrctl & SIM_SRRCTL_DESCTYPE_MASK) >> SIM_SRRCTL_DESCTYPE_SHIFT;
	rq->drop_en = srrctl & SIM_SRRCTL_DROP_EN;
	rq->stopped = false;
	rq->enabled = true;
	if (rq->count == 0) {
		sim_violation(sim, "RXDCTL[%u].ENABLE set with RDLEN[%u] = 0: program the ring first "
			      "(datasheet 4.6.7.1)", q, q);
		rq->stopped = true;
	} else if (rq->head >= rq->count) {
		sim_violation(sim, "RXDCTL[%u].ENABLE set with RDH[%u] = %u beyond the ring of %u descriptors", q, q,
			      rq->head, rq->count);
		rq->stopped = true;
	}
	if (rq->bufsize == 0) {
		sim_violation(sim, "RX queue %u enabled with SRRCTL[%u].BSIZEPKT = 0: no buffer size "
			      "(datasheet 8.2.3.8.7)", q, q);
		rq->stopped = true;
	}
	if (rq->desctype != SIM_DESCTYPE_LEGACY && rq->desctype != SIM_DESCTYPE_ADV_ONEBUF) {
		sim_violation(sim, "RX queue %u: SRRCTL[%u].DESCTYPE = %u (header split) is not modelled; use "
			      "advanced one-buffer (1) or legacy (0)", q, q, rq->desctype);
		rq->stopped = true;
	}
	/* Buffers smaller than the largest frame are legal: such frames span
	 * several descriptors, EOP on the last (7.1.6, "packet buffers may
	 * span multiple descriptors"); a driver that chains them is correct.
	 * Only a frame that needs more descriptors than the ring can ever
	 * hand over is a problem (rx_dma reports it). */
	rq->hit.len = 0;
	rq->too_big = false;
	rq->ring = NULL;
	if (!rq->stopped) {
		rq->ring = sim_dma_ptr(&sim->dma, rq->base, len);
		if (!rq->ring) {
			sim->dma_faults++;
			sim_violation(sim, "DMA fault: RX queue %u ring at 0x%" PRIx64 " (%u bytes) is outside the "
				      "process's DMA memory; queue stopped", q, rq->base, len);
			rq->stopped = true;
		}
	}
	active_set(sim->rx_active, &sim->n_rx_active, q, true);
}

static bool tail_ok(struct ixy_sim *sim, unsigned q, uint32_t tail, uint32_t count, const char *kind)
{
	if (tail < count)
		return true;
	sim_violation(sim, "%s[%u] = %u is beyond the ring of %u descriptors (datasheet 8.2.3.%s); queue stopped",
		      kind, q, tail, count, kind[0] == 'R' ? "8.5" : "9.9");
	return false;
}

void sim_rx_check_tails(struct ixy_sim *sim, unsigned first, unsigned count)
{
	for (unsigned i = 0; i < sim->n_rx_active; i++) {
		unsigned q = sim->rx_active[i];
		struct sim_rxq *rq = &sim->rxq[q];
		if (rq->stopped || q - first >= count)	/* another stepper's (unsigned: q < first too) */
			continue;
		uint32_t tail = __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE);
		if (!tail_ok(sim, q, tail, rq->count, "RDT"))
			rq->stopped = true;
	}
}

/* 7.1.1 L2 filtering. Returns whether the frame is accepted; *pif tells
 * whether it passed an inexact filter (promiscuous or multicast hash). */
static bool l2_accept(struct ixy_sim *sim, const uint8_t *da, bool *pif)
{
	const struct sim_rxcfg *c = &sim->rx;
	uint64_t a = mac48(da);
	*pif = false;
	for (unsigned i = 0; i < c->n_rar; i++)
		if (a == c->rar[i])
			return true;
	/* 7.1.1.1 (and its flow chart): broadcast is its own packet type,
	 * passed only with FCTRL.BAM; neither UPE (unicast) nor MPE
	 * (multicast) applies to it. */
	if (a == MAC48_BCAST)
		return (c->fctrl & SIM_FCTRL_BAM) != 0;
	*pif = true;
	if (!(da[0] & 1))
		return (c->fctrl & SIM_FCTRL_UPE) != 0;
	if (c->fctrl & SIM_FCTRL_MPE)
		return true;
	if (!(c->mcstctrl & SIM_MCSTCTRL_MFE))
		return false;
	/* MCSTCTRL.MO picks which 12 address bits index the table */
	static const unsigned shift[4] = { 4, 3, 2, 0 };
	unsigned s = shift[c->mcstctrl & SIM_MCSTCTRL_MO_MASK];
	uint32_t h = ((uint32_t)da[4] >> s | (uint32_t)da[5] << (8 - s)) & 0xfff;
	return (sim_reg(sim, SIM_MTA(h >> 5)) >> (h & 31)) & 1;
}

static inline unsigned select_queue(struct ixy_sim *sim, const uint8_t *hdr, uint32_t hlen, struct rx_meta *m,
				   struct sim_rxpre *pre)
{
	m->pre = pre;
	m->vlan_stripped = false;
	m->ts = 0;
	if (pre)
		m->pi = pre->pi;
	else
		sim_parse(hdr, hlen, &m->pi);
	m->hash = 0;
	m->rss_type = 0;
	if (!sim->rx.rss)
		return 0;
	if (pre && pre->hash_gen == sim->rx_gen) {
		m->hash = pre->hash;
		m->rss_type = pre->rss_type;
	} else {
		m->hash = sim_rss_hash(&sim->rx.key_tbl, sim->rx.mrqc, hdr, &m->pi, &m->rss_type);
		if (pre) {
			pre->hash = m->hash;
			pre->rss_type = m->rss_type;
			pre->hash_gen = sim->rx_gen;
		}
	}
	if (!m->rss_type)
		return 0;
	/* 7.1.2.8: the 7 LSBs of the hash index the 128-entry RETA */
	return sim->rx.reta[m->hash & 0x7f];
}

static void dma_fault(struct ixy_sim *sim, unsigned q, const char *what, uint32_t idx, uint64_t addr, uint32_t len)
{
	sim->dma_faults++;
	sim->rxq[q].stopped = true;
	sim_violation(sim, "DMA fault: RX queue %u descriptor %u %s 0x%" PRIx64 " (%u bytes) is outside the "
		      "process's DMA memory; refused like an IOMMU fault, queue stopped", q, idx, what, addr, len);
}

/* Copy a frame (its segments, then the FCS if it is not stripped) into
 * the buffers of `need` descriptors from the head. Returns the first
 * buffer, or NULL after a DMA fault. */
static uint8_t *rx_copy(struct ixy_sim *sim, unsigned q, const struct sim_frame *f, const uint8_t *fcs,
			uint32_t hostlen, uint32_t need)
{
	struct sim_rxq *rq = &sim->rxq[q];
	uint8_t *first = NULL;
	uint32_t si = 0, soff = 0, left = hostlen, idx = rq->head;
	for (uint32_t d = 0; d < need; d++) {
		uint64_t addr = ld64(rq->ring + (size_t)idx * 16);
		uint32_t chunk = left < rq->bufsize ? left : rq->bufsize;
		uint8_t *dst = sim_dma_ptr_hit(&sim->dma, &rq->hit, addr, chunk);
		if (!dst) {
			dma_fault(sim, q, "buffer address", idx, addr, chunk);
			return NULL;
		}
		if (d == 0)
			first = dst;
		for (uint32_t done = 0; done < chunk;) {
			const uint8_t *src;
			uint32_t n;
			if (si < f->nseg) {
				src = f->seg[si].p + soff;
				n = f->seg[si].len - soff;
			} else {
				src = fcs + soff;
				n = 4 - soff;
			}
			if (n > chunk - done)
				n = chunk - done;
			memcpy(dst + done, src, n);
			done += n;
			soff += n;
			if (si < f->nseg && soff == f->seg[si].len) {
				si++;
				soff = 0;
			}
		}
		left -= chunk;
		if (++idx == rq->count)
			idx = 0;
	}
	return first;
}

/* VLAN stripping (RXDCTL.VME, 7.4.5 / 8.2.3.8.6): the host gets the frame
 * without its 802.1Q header; the tag control information goes into the
 * write-back's VLAN Tag field and VP stays set. The frame is re-parsed:
 * the offsets of everything behind the tag moved. */
static void vlan_strip(struct ixy_sim *sim, const struct sim_frame *f, const struct rx_meta *m, struct sim_frame *out,
		       struct rx_meta *mo)
{
	uint8_t *b = sim->strip_buf;
	uint32_t n = (uint32_t)sim_frame_flatten(f, b, SIM_MAX_FRAME);
	*mo = *m;
	mo->pre = NULL;
	mo->vlan_stripped = true;
	mo->vlan_tag = (uint16_t)(b[14] << 8 | b[15]);
	memmove(b + 12, b + 16, n - 16);
	sim_frame_one(out, b, n - 4);
	sim_parse(b, n - 4 < HDR_WINDOW ? n - 4 : HDR_WINDOW, &mo->pi);
}

static int rx_dma(struct ixy_sim *sim, unsigned q, const struct sim_frame *f, const struct rx_meta *m)
{
	struct sim_rxq *rq = &sim->rxq[q];
	struct sim_stats *st = &sim->st;
	if (__builtin_expect(!rq->enabled || rq->stopped, 0)) {
		st->qprdc[rq->statidx]++;	/* 7.1.2: frames for a disabled queue are dropped */
		return RX_DROPPED;
	}
	struct sim_frame fs;
	struct rx_meta ms;
	if (__builtin_expect(rq->vme && m->pi.vlan && f->len >= 18, 0)) {
		vlan_strip(sim, f, m, &fs, &ms);
		f = &fs;
		m = &ms;
	}
	uint32_t tail = __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE);
	if (__builtin_expect(tail >= rq->count, 0)) {
		tail_ok(sim, q, tail, rq->count, "RDT");
		rq->stopped = true;
		return RX_DROPPED;
	}
	bool strip = sim->rx.strip;
	uint32_t hostlen = f->len + (strip ? 0 : 4);
	uint32_t avail = tail >= rq->head ? tail - rq->head : tail + rq->count - rq->head;
	uint32_t need = hostlen <= rq->bufsize ? 1 : (hostlen + rq->bufsize - 1) / rq->bufsize;
	if (__builtin_expect(need >= rq->count, 0)) {
		/* The ring hands over at most count - 1 descriptors (RDH == RDT
		 * means empty, 7.1.9): this frame can never be received. */
		if (!rq->too_big)
			sim_violation(sim, "RX queue %u: a frame of %u bytes needs %u buffers of %u bytes (SRRCTL.BSIZEPKT) "
				      "but the ring of %u descriptors can hand over at most %u: it can never be "
				      "received (dropped; use larger buffers or a larger ring)", q, hostlen, need,
				      rq->bufsize, rq->count, rq->count - 1);
		rq->too_big = true;
		st->qprdc[rq->statidx]++;
		return RX_DROPPED;
	}
	if (avail < need)
		return RX_NO_DESC;

	uint8_t *first;
	if (__builtin_expect(need == 1 && f->nseg == 1 && strip, 1)) {
		/* the common case: one contiguous frame into one buffer */
		uint64_t addr = ld64(rq->ring + (size_t)rq->head * 16);
		first = sim_dma_ptr_hit(&sim->dma, &rq->hit, addr, hostlen);
		if (!first) {
			dma_fault(sim, q, "buffer address", rq->head, addr, hostlen);
			return RX_DROPPED;
		}
		memcpy(first, f->seg[0].p, hostlen);
	} else {
		uint8_t fcs[4];
		if (!strip) {
			/* HLREG0.RXCRCSTRP clear: the host gets the real FCS */
			uint32_t c = ~0u;
			for (uint32_t i = 0; i < f->nseg; i++)
				c = sim_crc32(c, f->seg[i].p, f->seg[i].len);
			c = ~c;
			for (int i = 0; i < 4; i++)
				fcs[i] = (uint8_t)(c >> (8 * i));
		}
		first = rx_copy(sim, q, f, fcs, hostlen, need);
		if (!first)
			return RX_DROPPED;
	}

	/* Status of the last descriptor: checksums (7.1.11; always on in
	 * the 82599, RXCSUM only selects the IP-id/hash field and payload
	 * checksums), VLAN present, inexact filter. A frame spanning
	 * descriptors gets only its IPv4 header checked (in the first). */
	uint32_t status = 0;
	bool ip_err = false, l4_err = false;
	if (need == 1 && m->pre) {
		status = m->pre->csum_status;
		ip_err = m->pre->ip_err;
		l4_err = m->pre->l4_err;
	} else if (need == 1)
		sim_rx_csum(first, f->len, &m->pi, &status, &ip_err, &l4_err);
	else if (m->pi.l3 == 4)
		sim_rx_csum(first, m->pi.l4off, &m->pi, &status, &ip_err, &l4_err);
	if (m->pi.vlan || m->vlan_stripped)
		status |= SIM_RXD_STAT_VP;
	uint32_t tag = m->vlan_stripped ? (uint32_t)m->vlan_tag << 16 : 0;	/* VLAN Tag field, last descriptor */
	if (m->pif)
		status |= SIM_RXD_STAT_PIF;

	/* Write-back (7.1.6.2 advanced, 7.1.5 legacy), DD last in each. */
	uint32_t idx = rq->head, left = hostlen;
	if (rq->desctype == SIM_DESCTYPE_ADV_ONEBUF) {
		uint32_t dw1 = 0;
		if (sim->rx.pcsd)
			dw1 = m->hash;	/* RSS hash instead of fragment checksum / IP id */
		else if (m->pi.l3 == 4)
			dw1 = (uint32_t)(first[m->pi.l3off + 4] << 8 | first[m->pi.l3off + 5]);
		uint32_t dw0 = m->rss_type | (m->pre ? m->pre->pkt_type : sim_pkt_type(&m->pi));
		uint32_t last_st = SIM_RXD_STAT_DD | SIM_RXD_STAT_EOP | status | m->ts | (ip_err ? SIM_RXADV_ERR_IPE : 0) |
				   (l4_err ? SIM_RXADV_ERR_L4E : 0);
		for (uint32_t d = 1; d < need; d++) {
			uint8_t *desc = rq->ring + (size_t)idx * 16;
			st32(desc, 0);
			st32(desc + 4, 0);
			st32(desc + 12, rq->bufsize);
			st32_release(desc + 8, SIM_RXD_STAT_DD);
			left -= rq->bufsize;
			if (++idx == rq->count)
				idx = 0;
		}
		uint8_t *desc = rq->ring + (size_t)idx * 16;
		st32(desc, dw0);
		st32(desc + 4, dw1);
		st32(desc + 12, left | tag);
		st32_release(desc + 8, last_st);
	} else {
		uint32_t last_st = SIM_RXD_STAT_DD | SIM_RXD_STAT_EOP | (status & 0xff) |
				   ((ip_err ? SIM_RXLEG_ERR_IPE : 0) | (l4_err ? SIM_RXLEG_ERR_L4E : 0)) << 8;
		for (uint32_t d = 1; d < need; d++) {
			uint8_t *desc = rq->ring + (size_t)idx * 16;
			st32(desc + 8, rq->bufsize);
			st32_release(desc + 12, SIM_RXD_STAT_DD);
			left -= rq->bufsize;
			if (++idx == rq->count)
				idx = 0;
		}
		uint8_t *desc = rq->ring + (size_t)idx * 16;
		st32(desc + 8, left);
		st32_release(desc + 12, last_st | tag);
	}
	if (++idx == rq->count)
		idx = 0;
	rq->head = idx;	/* RDH reads return it (sim_regfile.c) */
	st->qprc[rq->statidx]++;
	st->qbrc[rq->statidx] += hostlen;
	sim->irq.raised |= rq->irq_bit;	/* the queue's interrupt cause (7.3; 0 without IVAR entry) */
	sim->frames_moved++;
	return RX_DONE;
}

/* A frame waiting in the packet buffer keeps its queue and whether it was
 * timestamped (the timestamp was taken when it reached the MAC). */
#define RXPB_TS_TAG 0x10000

static void no_desc(struct ixy_sim *sim, unsigned q, const struct sim_frame *f, uint32_t ts)
{
	if (sim->rxq[q].drop_en) {
		sim->st.qprdc[sim->rxq[q].statidx]++;
		return;
	}
	if (sim_fq_push(&sim->rxpb, f, (int32_t)(q | (ts ? RXPB_TS_TAG : 0))) < 0) {
		sim->st.mpc[0]++;	/* packet buffer full (8.2.3.23.4) */
		sim_raise_eicr(sim, SIM_EICR_RX_MISS);
	}
}

static unsigned size_bucket(uint32_t wire)
{
	return wire <= 64 ? 0 : wire <= 127 ? 1 : wire <= 255 ? 2 : wire <= 511 ? 3 : wire <= 1023 ? 4 : 5;
}

int sim_rx_frame(struct ixy_sim *sim, const struct sim_frame *f)
{
	struct sim_stats *st = &sim->st;
	if (__builtin_expect(sim->cfg_dirty, 0))
		sim_rx_config(sim);
	if (!sim->link_up || !sim->rx.rxen)
		return 0;
	uint32_t len = f->len, wire = len + 4;
	uint8_t tmp[HDR_WINDOW];
	uint32_t hlen = len < HDR_WINDOW ? len : HDR_WINDOW;
	const uint8_t *hdr = f->seg[0].p;
	if (f->seg[0].len < hlen) {
		sim_frame_flatten(f, tmp, hlen);
		hdr = tmp;
	}
	st->tpr++;
	st->tor += wire;
	if (wire < 64) {
		st->ruc++;
		st->rlec++;
		return 0;
	}
	bool vlan = hlen >= 14 && hdr[12] == 0x81 && hdr[13] == 0x00;
	if (wire > sim->rx.max_frame + (vlan ? 4 : 0)) {
		st->roc++;
		st->rlec++;
		return 0;
	}
	struct rx_meta m;
	if (!l2_accept(sim, hdr, &m.pif))
		return 0;
	st->gprc++;
	st->gorc += wire;
	st->prc[size_bucket(wire)]++;
	if (hdr[0] & 1) {
		if ((hdr[0] & hdr[1] & hdr[2] & hdr[3] & hdr[4] & hdr[5]) == 0xff)
			st->bprc++;
		else
			st->mprc++;
	}
	unsigned q = select_queue(sim, hdr, hlen, &m, f->pre);
	if (__builtin_expect(sim->ptp.rx_on, 0))
		m.ts = sim_ptp_rx(sim, f, hdr, hlen, &m.pi);	/* at the MAC, before any drop */
	if (__builtin_expect(sim->rx.halted, 0)) {
		/* the security block holds the receive path (SECRXCTRL.RX_DIS,
		 * 4.6.7): frames wait in the packet buffer whatever DROP_EN */
		if (sim_fq_push(&sim->rxpb, f, (int32_t)(q | (m.ts ? RXPB_TS_TAG : 0))) < 0) {
			st->mpc[0]++;
			sim_raise_eicr(sim, SIM_EICR_RX_MISS);
		}
		return 1;
	}
	if (sim->rxpb.count) {	/* keep arrival order behind waiting frames */
		no_desc(sim, q, f, m.ts);
		return 1;
	}
	int r = rx_dma(sim, q, f, &m);
	if (r == RX_NO_DESC)
		no_desc(sim, q, f, m.ts);
	return r != RX_DROPPED;
}

int sim_rx_drain(struct ixy_sim *sim)
{
	int moved = 0;
	if (__builtin_expect(sim->cfg_dirty, 0))
		sim_rx_config(sim);
	if (sim->rx.halted)
		return 0;
	struct sim_fq_slot *s;
	while ((s = sim_fq_peek(&sim->rxpb))) {
		struct sim_frame f;
		sim_frame_one(&f, s->buf, s->len);
		struct rx_meta m;
		unsigned q = (unsigned)s->tag & (RXPB_TS_TAG - 1);
		uint32_t hlen = s->len < HDR_WINDOW ? s->len : HDR_WINDOW;
		select_queue(sim, s->buf, hlen, &m, NULL);
		m.ts = (s->tag & RXPB_TS_TAG) ? SIM_RXADV_STAT_TS : 0;
		l2_accept(sim, s->buf, &m.pif);
		int r = rx_dma(sim, q, &f, &m);
		if (r == RX_NO_DESC) {
			if (!sim->rxq[q].drop_en)
				break;	/* head-of-line: the packet buffer is a FIFO */
			sim->st.qprdc[sim->rxq[q].statidx]++;
		}
		sim_fq_pop(&sim->rxpb);
		moved += r == RX_DONE;
	}
	return moved;
}
