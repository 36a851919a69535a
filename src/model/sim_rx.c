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
 */
#include <inttypes.h>
#include <string.h>

#include "model/sim_internal.h"
#include "model/sim_parse.h"

enum { RX_DONE = 1, RX_DROPPED = 0, RX_NO_DESC = -1 };

struct rx_meta {
	struct sim_pinfo pi;
	uint32_t hash;
	unsigned rss_type;
	bool pif;
};

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

static uint32_t max_frame(const struct ixy_sim *sim)
{
	if (sim_reg(sim, SIM_HLREG0) & SIM_HLREG0_JUMBOEN)
		return sim_reg(sim, SIM_MAXFRS) >> SIM_MAXFRS_MFS_SHIFT;
	return 1518;
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
	uint32_t mf = max_frame(sim);
	if (rq->bufsize && rq->bufsize < mf) {
		sim_violation(sim, "RX queue %u: buffers of %u bytes (SRRCTL.BSIZEPKT) do not fit the largest frame "
			      "of %u bytes (%s): such frames span several descriptors", q, rq->bufsize, mf,
			      mf == 1518 ? "standard" : "MAXFRS.MFS with HLREG0.JUMBOEN");
	}
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

void sim_rx_check_tails(struct ixy_sim *sim)
{
	for (unsigned i = 0; i < sim->n_rx_active; i++) {
		unsigned q = sim->rx_active[i];
		struct sim_rxq *rq = &sim->rxq[q];
		if (rq->stopped)
			continue;
		uint32_t tail = __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE);
		if (!tail_ok(sim, q, tail, rq->count, "RDT"))
			rq->stopped = true;
	}
}

static void rar_refresh(struct ixy_sim *sim)
{
	sim->n_rar = 0;
	for (unsigned i = 0; i < 128; i++) {
		uint32_t lo = sim_reg(sim, SIM_RAL(i)), hi = sim_reg(sim, SIM_RAH(i));
		if (!(hi & SIM_RAH_AV))
			continue;
		uint8_t *m = sim->rar_mac[sim->n_rar++];
		m[0] = (uint8_t)lo;
		m[1] = (uint8_t)(lo >> 8);
		m[2] = (uint8_t)(lo >> 16);
		m[3] = (uint8_t)(lo >> 24);
		m[4] = (uint8_t)hi;
		m[5] = (uint8_t)(hi >> 8);
	}
	sim->rar_dirty = false;
}

/* 7.1.1 L2 filtering. Returns whether the frame is accepted; *pif tells
 * whether it passed an inexact filter (promiscuous or multicast hash). */
static bool l2_accept(struct ixy_sim *sim, const uint8_t *da, bool *pif)
{
	uint32_t fctrl = sim_reg(sim, SIM_FCTRL);
	*pif = false;
	if (sim->rar_dirty)
		rar_refresh(sim);
	for (unsigned i = 0; i < sim->n_rar; i++)
		if (memcmp(da, sim->rar_mac[i], 6) == 0)
			return true;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (memcmp(da, bcast, 6) == 0)
		return fctrl & SIM_FCTRL_BAM;
	*pif = true;
	if (da[0] & 1) {
		if (fctrl & SIM_FCTRL_MPE)
			return true;
		uint32_t mc = sim_reg(sim, SIM_MCSTCTRL);
		if (!(mc & SIM_MCSTCTRL_MFE))
			return false;
		/* MCSTCTRL.MO picks which 12 address bits index the table */
		static const unsigned shift[4] = { 4, 3, 2, 0 };
		unsigned s = shift[mc & SIM_MCSTCTRL_MO_MASK];
		uint32_t h = ((uint32_t)da[4] >> s | (uint32_t)da[5] << (8 - s)) & 0xfff;
		return (sim_reg(sim, SIM_MTA(h >> 5)) >> (h & 31)) & 1;
	}
	return fctrl & SIM_FCTRL_UPE;
}

static unsigned select_queue(struct ixy_sim *sim, const uint8_t *hdr, uint32_t hlen, struct rx_meta *m)
{
	sim_parse(hdr, hlen, &m->pi);
	m->hash = 0;
	m->rss_type = 0;
	uint32_t mrqc = sim_reg(sim, SIM_MRQC);
	if ((mrqc & SIM_MRQC_MRQE_MASK) != SIM_MRQC_MRQE_RSS)
		return 0;
	uint8_t key[40];
	for (unsigned i = 0; i < 10; i++) {
		uint32_t k = sim_reg(sim, SIM_RSSRK(i));
		key[4 * i] = (uint8_t)k;
		key[4 * i + 1] = (uint8_t)(k >> 8);
		key[4 * i + 2] = (uint8_t)(k >> 16);
		key[4 * i + 3] = (uint8_t)(k >> 24);
	}
	m->hash = sim_rss_hash(key, mrqc, hdr, &m->pi, &m->rss_type);
	if (!m->rss_type)
		return 0;
	/* 7.1.2.8: the 7 LSBs of the hash index the 128-entry RETA, 4 bits
	 * (one byte) per entry */
	unsigned e = m->hash & 0x7f;
	return (sim_reg(sim, SIM_RETA(e / 4)) >> (8 * (e % 4))) & 0xf;
}

static void dma_fault(struct ixy_sim *sim, unsigned q, const char *what, uint32_t idx, uint64_t addr, uint32_t len)
{
	sim->dma_faults++;
	sim->rxq[q].stopped = true;
	sim_violation(sim, "DMA fault: RX queue %u descriptor %u %s 0x%" PRIx64 " (%u bytes) is outside the "
		      "process's DMA memory; refused like an IOMMU fault, queue stopped", q, idx, what, addr, len);
}

static uint8_t *desc_ptr(struct ixy_sim *sim, unsigned q, uint32_t idx)
{
	struct sim_rxq *rq = &sim->rxq[q];
	if (rq->ring)
		return rq->ring + (size_t)idx * 16;
	return sim_dma_ptr(&sim->dma, rq->base + (uint64_t)idx * 16, 16);
}

static int rx_dma(struct ixy_sim *sim, unsigned q, const struct sim_frame *f, const struct rx_meta *m)
{
	struct sim_rxq *rq = &sim->rxq[q];
	struct sim_stats *st = &sim->st;
	if (!rq->enabled || rq->stopped) {
		st->qprdc[rq->statidx]++;	/* 7.1.2: frames for a disabled queue are dropped */
		return RX_DROPPED;
	}
	uint32_t tail = __atomic_load_n(&sim->bar[SIM_RDT(q) / 4], __ATOMIC_ACQUIRE);
	if (!tail_ok(sim, q, tail, rq->count, "RDT")) {
		rq->stopped = true;
		return RX_DROPPED;
	}
	bool strip = sim_reg(sim, SIM_HLREG0) & SIM_HLREG0_RXCRCSTRP;
	uint8_t fcs[4];
	uint32_t hostlen = f->len + (strip ? 0 : 4);
	if (!strip) {
		uint32_t c = ~0u;
		for (uint32_t i = 0; i < f->nseg; i++)
			c = sim_crc32(c, f->seg[i].p, f->seg[i].len);
		c = ~c;
		for (int i = 0; i < 4; i++)
			fcs[i] = (uint8_t)(c >> (8 * i));
	}
	uint32_t avail = (tail + rq->count - rq->head) % rq->count;
	uint32_t need = (hostlen + rq->bufsize - 1) / rq->bufsize;
	if (avail < need)
		return RX_NO_DESC;

	/* Copy into the buffers, straight from the source segments. */
	uint8_t *first = NULL;
	uint32_t si = 0, soff = 0, left = hostlen;
	for (uint32_t d = 0; d < need; d++) {
		uint32_t idx = (rq->head + d) % rq->count;
		uint8_t *desc = desc_ptr(sim, q, idx);
		if (!desc) {
			dma_fault(sim, q, "descriptor at", idx, rq->base + (uint64_t)idx * 16, 16);
			return RX_DROPPED;
		}
		uint64_t addr = ld64(desc);
		uint32_t chunk = left < rq->bufsize ? left : rq->bufsize;
		uint8_t *dst = sim_dma_ptr(&sim->dma, addr, chunk);
		if (!dst) {
			dma_fault(sim, q, "buffer address", idx, addr, chunk);
			return RX_DROPPED;
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
	}

	/* Write-back (7.1.6.2 advanced, 7.1.5 legacy), DD last. */
	uint32_t status = 0;
	bool ip_err = false, l4_err = false;
	if (need == 1)
		sim_rx_csum(first, f->len, &m->pi, &status, &ip_err, &l4_err);
	else if (m->pi.l3 == 4)
		sim_rx_csum(first, m->pi.l4off, &m->pi, &status, &ip_err, &l4_err);
	if (m->pi.vlan)
		status |= SIM_RXD_STAT_VP;
	if (m->pif)
		status |= SIM_RXD_STAT_PIF;
	uint32_t dw1 = 0;
	if (sim_reg(sim, SIM_RXCSUM) & SIM_RXCSUM_PCSD)
		dw1 = m->hash;	/* RSS hash instead of fragment checksum / IP id */
	else if (m->pi.l3 == 4)
		dw1 = (uint32_t)(first[m->pi.l3off + 4] << 8 | first[m->pi.l3off + 5]);
	left = hostlen;
	for (uint32_t d = 0; d < need; d++) {
		uint32_t idx = (rq->head + d) % rq->count;
		uint8_t *desc = desc_ptr(sim, q, idx);
		uint32_t chunk = left < rq->bufsize ? left : rq->bufsize;
		bool last = d + 1 == need;
		left -= chunk;
		if (rq->desctype == SIM_DESCTYPE_ADV_ONEBUF) {
			uint32_t st2 = SIM_RXD_STAT_DD;
			if (last)
				st2 |= SIM_RXD_STAT_EOP | status | (ip_err ? SIM_RXADV_ERR_IPE : 0) |
				       (l4_err ? SIM_RXADV_ERR_L4E : 0);
			st32(desc, last ? (m->rss_type | sim_pkt_type(&m->pi)) : 0);
			st32(desc + 4, last ? dw1 : 0);
			st32(desc + 12, chunk);
			st32_release(desc + 8, st2);
		} else {
			uint32_t st8 = SIM_RXD_STAT_DD, err8 = 0;
			if (last) {
				st8 |= SIM_RXD_STAT_EOP | (status & 0xff);
				err8 = (ip_err ? SIM_RXLEG_ERR_IPE : 0) | (l4_err ? SIM_RXLEG_ERR_L4E : 0);
			}
			st32(desc + 8, chunk);
			st32_release(desc + 12, st8 | err8 << 8);
		}
	}
	rq->head = (rq->head + need) % rq->count;
	sim_setreg(sim, SIM_RDH(q), rq->head);
	st->qprc[rq->statidx]++;
	st->qbrc[rq->statidx] += hostlen;
	if (rq->vector >= 0 && rq->vector < 16)
		sim_raise_eicr(sim, 1u << rq->vector);
	sim->frames_moved++;
	return RX_DONE;
}

static void no_desc(struct ixy_sim *sim, unsigned q, const struct sim_frame *f)
{
	if (sim->rxq[q].drop_en) {
		sim->st.qprdc[sim->rxq[q].statidx]++;
		return;
	}
	if (sim_fq_push(&sim->rxpb, f, (int32_t)q) < 0) {
		sim->st.mpc[0]++;	/* packet buffer full (8.2.3.23.4) */
		sim_raise_eicr(sim, 1u << 17);	/* RX_MISS */
	}
}

static unsigned size_bucket(uint32_t wire)
{
	return wire <= 64 ? 0 : wire <= 127 ? 1 : wire <= 255 ? 2 : wire <= 511 ? 3 : wire <= 1023 ? 4 : 5;
}

int sim_rx_frame(struct ixy_sim *sim, const struct sim_frame *f)
{
	struct sim_stats *st = &sim->st;
	if (!sim->link_up || !(sim_reg(sim, SIM_RXCTRL) & SIM_RXCTRL_RXEN))
		return 0;
	uint32_t len = f->len, wire = len + 4;
	uint8_t tmp[128];
	uint32_t hlen = len < sizeof(tmp) ? len : sizeof(tmp);
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
	if (wire > max_frame(sim) + (vlan ? 4 : 0)) {
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
	unsigned q = select_queue(sim, hdr, hlen, &m);
	if (sim->rxpb.count) {	/* keep arrival order behind waiting frames */
		no_desc(sim, q, f);
		return 1;
	}
	int r = rx_dma(sim, q, f, &m);
	if (r == RX_NO_DESC)
		no_desc(sim, q, f);
	return r != RX_DROPPED;
}

int sim_rx_drain(struct ixy_sim *sim)
{
	int moved = 0;
	struct sim_fq_slot *s;
	while ((s = sim_fq_peek(&sim->rxpb))) {
		struct sim_frame f;
		sim_frame_one(&f, s->buf, s->len);
		struct rx_meta m;
		unsigned q = (unsigned)s->tag;
		uint32_t hlen = s->len < 128 ? s->len : 128;
		select_queue(sim, s->buf, hlen, &m);
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
