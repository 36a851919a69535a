/* The virtual 82599: the transmit path (datasheet 7.2).
 *
 * For every enabled queue the DMA engine fetches the descriptors between
 * TDH and TDT (the tail is read with acquire semantics: the driver wrote the
 * descriptors first), gathers the buffers of one frame up to the descriptor
 * with EOP, pads short frames to 60 bytes (HLREG0.TXPADEN), hands the frame
 * to the wire and writes the descriptors back (7.2.3.5, released after the
 * frame was consumed): with TXDCTL.WTHRESH = 0, DD into every descriptor
 * that asked for it with RS; with WTHRESH > 0, RS is ignored and every
 * processed descriptor is written back, WTHRESH at a time, the rest after
 * SIM_TX_WB_FLUSH_US; with head write-back (TDWBAL.HEAD_WB_EN) no
 * descriptor is written, the head goes to host memory after frames with
 * RS. A frame whose EOP
 * descriptor is not yet behind the tail waits. Frames leave no faster than
 * the link allows (preamble, SFD, IFG and FCS included) unless unthrottled.
 * Context descriptors fill the queue's offload slots; a frame that asks for
 * checksum or VLAN insertion is changed in the MAC's copy (tx_offload), a
 * frame with DCMD.TSE is cut into segments by sim_tso.c.
 */
#include <inttypes.h>
#include <string.h>

#include "model/sim_internal.h"

#define BURST_PS 10000000ull	/* the wire may catch up at most 10 us of idle time */
/* 7.2.3.5.1: with WTHRESH > 0 a partial batch is written back when the
 * queue's EITR counter expires. The model runs no EITR; it flushes a
 * partial batch this long after its oldest descriptor was processed. */
#define SIM_TX_WB_FLUSH_US 100

static const uint8_t zeros[64];

static inline uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static void active_set(uint8_t *list, uint8_t *n, unsigned q, bool on)
{
	for (unsigned i = 0; i < *n; i++) {
		if (list[i] != q)
			continue;
		if (!on)
			list[i] = list[--*n];
		return;
	}
	if (on)
		list[(*n)++] = (uint8_t)q;
}

void sim_txq_enable(struct ixy_sim *sim, unsigned q, bool on)
{
	struct sim_txq *tq = &sim->txq[q];
	if (!on) {
		if (tq->enabled)
			sim_setreg(sim, SIM_TDH(q), tq->head);
		tq->enabled = false;
		tq->stopped = false;
		active_set(sim->tx_active, &sim->n_tx_active, q, false);
		return;
	}
	if (!(sim_reg(sim, SIM_DMATXCTL) & SIM_DMATXCTL_TE))
		sim_violation(sim, "TXDCTL[%u].ENABLE set while DMATXCTL.TE = 0: enable the transmit DMA "
			      "before the queues (datasheet 4.6.8)", q);
	uint32_t len = sim_reg(sim, SIM_TDLEN(q)) & 0xfff80;
	tq->base = ((uint64_t)sim_reg(sim, SIM_TDBAH(q)) << 32) | (sim_reg(sim, SIM_TDBAL(q)) & ~0x7fu);
	tq->count = len / 16;
	tq->head = sim_reg(sim, SIM_TDH(q)) & 0xffff;
	tq->stopped = false;
	tq->enabled = true;
	tq->wb_pending = 0;
	tq->ring = NULL;
	tq->hit.len = 0;
	if (tq->count == 0) {
		sim_violation(sim, "TXDCTL[%u].ENABLE set with TDLEN[%u] = 0: program the ring first "
			      "(datasheet 4.6.8)", q, q);
		tq->stopped = true;
	} else if (tq->head >= tq->count) {
		sim_violation(sim, "TXDCTL[%u].ENABLE set with TDH[%u] = %u beyond the ring of %u descriptors", q, q,
			      tq->head, tq->count);
		tq->stopped = true;
	} else {
		tq->ring = sim_dma_ptr(&sim->dma, tq->base, len);
		if (!tq->ring) {
			sim->dma_faults++;
			sim_violation(sim, "DMA fault: TX queue %u ring at 0x%" PRIx64 " (%u bytes) is outside the "
				      "process's DMA memory; queue stopped", q, tq->base, len);
			tq->stopped = true;
		}
	}
	active_set(sim->tx_active, &sim->n_tx_active, q, true);
}

/* Write DD into n descriptors from start (WTHRESH > 0: whatever RS says);
 * a write-back is the queue's interrupt cause (7.3). */
static void wb_write(struct ixy_sim *sim, struct sim_txq *tq, uint32_t start, uint32_t n)
{
	if (n)
		sim->irq.raised |= tq->irq_bit;
	for (uint32_t i = start; n--;) {
		__atomic_store_n((uint32_t *)(void *)(tq->ring + (size_t)i * 16 + 12), SIM_TXD_STAT_DD, __ATOMIC_RELEASE);
		if (++i == tq->count)
			i = 0;
	}
}

static uint32_t wb_start(const struct sim_txq *tq)
{
	return tq->head >= tq->wb_pending ? tq->head - tq->wb_pending : tq->head + tq->count - tq->wb_pending;
}

void sim_txq_wb_flush(struct ixy_sim *sim, unsigned q)
{
	struct sim_txq *tq = &sim->txq[q];
	if (tq->wb_pending && tq->ring)
		wb_write(sim, tq, wb_start(tq), tq->wb_pending);
	tq->wb_pending = 0;
}

/* n more descriptors were processed (tq->head is already past them):
 * write back every complete batch of WTHRESH (7.2.3.5.1). */
static void wb_accumulate(struct ixy_sim *sim, struct sim_txq *tq, uint32_t n)
{
	if (!tq->wb_pending)
		tq->wb_since_ps = sim->now_ps;
	tq->wb_pending += n;
	while (tq->wb_pending >= tq->wthresh) {
		wb_write(sim, tq, wb_start(tq), tq->wthresh);
		tq->wb_pending -= tq->wthresh;
		tq->wb_since_ps = sim->now_ps;
	}
	if (tq->wb_pending >= tq->count) {	/* WTHRESH beyond the ring: never lap it */
		wb_write(sim, tq, wb_start(tq), tq->wb_pending);
		tq->wb_pending = 0;
	}
}

/* The stand-in for the EITR expiry: partial batches older than
 * SIM_TX_WB_FLUSH_US are written back. */
static void wb_timers(struct ixy_sim *sim)
{
	for (unsigned a = 0; a < sim->n_tx_active; a++) {
		unsigned q = sim->tx_active[a];
		struct sim_txq *tq = &sim->txq[q];
		if (tq->wb_pending && sim->now_ps - tq->wb_since_ps >= SIM_TX_WB_FLUSH_US * 1000000ull)
			sim_txq_wb_flush(sim, q);
	}
}

uint64_t sim_tx_wb_due_ns(const struct ixy_sim *sim)
{
	uint64_t due = UINT64_MAX;
	for (unsigned a = 0; a < sim->n_tx_active; a++) {
		const struct sim_txq *tq = &sim->txq[sim->tx_active[a]];
		uint64_t t = tq->wb_since_ps / 1000 + SIM_TX_WB_FLUSH_US * 1000ull;
		if (tq->wb_pending && t < due)
			due = t;
	}
	return due;
}

void sim_txq_config(struct ixy_sim *sim, unsigned q, uint32_t txdctl, bool check)
{
	struct sim_txq *tq = &sim->txq[q];
	uint32_t pthresh = txdctl & SIM_TXDCTL_PTHRESH_MASK;
	uint32_t wthresh = (txdctl >> SIM_TXDCTL_WTHRESH_SHIFT) & 0x7f;
	bool head_wb = sim_reg(sim, SIM_TDWBAL(q)) & SIM_TDWBAL_HEAD_WB_EN;
	if (wthresh != tq->wthresh || (txdctl & SIM_TXDCTL_SWFLSH))
		sim_txq_wb_flush(sim, q);	/* SWFLSH: "flush now" (8.2.3.9.10) */
	tq->wthresh = wthresh;
	if (!check)
		return;
	/* 8.2.3.9.10 / 7.2.3.5.2: head write-back reports RS descriptors only */
	if (wthresh && head_wb)
		sim_violation(sim, "TXDCTL[%u].WTHRESH = %u with head write-back on (TDWBAL[%u].HEAD_WB_EN): WTHRESH "
			      "must be 0 when head write-back is enabled (datasheet 7.2.3.5.2, 8.2.3.9.10)", q, wthresh,
			      q);
	/* 7.2.3.4.1: the prefetch and the write-back share the queue's
	 * on-chip descriptors */
	if (pthresh + wthresh > SIM_TX_DESC_CACHE)
		sim_violation(sim, "TXDCTL[%u]: PTHRESH %u + WTHRESH %u exceed the %u on-chip descriptors of a "
			      "transmit queue (datasheet 7.2.3.4.1)", q, pthresh, wthresh, SIM_TX_DESC_CACHE);
}

static void tx_fault(struct ixy_sim *sim, unsigned q, uint32_t idx, const char *what, uint64_t addr, uint32_t len)
{
	sim->dma_faults++;
	sim->txq[q].stopped = true;
	sim_violation(sim, "DMA fault: TX queue %u descriptor %u %s 0x%" PRIx64 " (%u bytes) is outside the "
		      "process's DMA memory; refused like an IOMMU fault, queue stopped", q, idx, what, addr, len);
}

static void tx_stop(struct ixy_sim *sim, unsigned q, uint32_t idx, const char *why)
{
	sim->txq[q].stopped = true;
	sim_violation(sim, "TX queue %u descriptor %u: %s; queue stopped", q, idx, why);
}

/* The ring was translated when the queue was enabled (a queue without a
 * valid ring is stopped and never gets here). */
static inline uint8_t *desc_ptr(struct ixy_sim *sim, unsigned q, uint32_t idx)
{
	return sim->txq[q].ring + (size_t)idx * 16;
}

static unsigned size_bucket(uint32_t wire)
{
	return wire <= 64 ? 0 : wire <= 127 ? 1 : wire <= 255 ? 2 : wire <= 511 ? 3 : wire <= 1023 ? 4 : 5;
}

/* What the first data descriptor of a frame asks the MAC to do: kept as
 * two raw words, so the per-frame path stores two words and tests one
 * (offl) for "anything to do". */
struct tx_req {
	uint32_t offl;		/* POPTS.IXSM/TXSM (olinfo) | DCMD.VLE/TSE (cmd); 0 = nothing */
	uint32_t olinfo;	/* IDX (context slot), PAYLEN */
	bool tstamp;		/* DCMD.TSTAMP: a 1588 timestamp of this frame (7.9) */
	bool seen;		/* a data descriptor was found */
};
#define TX_OFFL_POPTS (SIM_TXD_POPTS_IXSM | SIM_TXD_POPTS_TXSM)
#define TX_OFFL_DCMD (SIM_TXD_CMD_VLE | SIM_TXD_CMD_TSE)

static inline unsigned req_ctx(const struct tx_req *req)
{
	return (req->olinfo >> SIM_TXD_IDX_SHIFT) & 1;
}

/* Gather one frame starting at the head. Returns the index after its EOP
 * descriptor, or -1 if the frame is incomplete or the queue stopped.
 * Context descriptors before the frame are stored in their slot. */
static int gather(struct ixy_sim *sim, unsigned q, uint32_t tail, struct sim_frame *f, bool *ifcs,
		  struct tx_req *req)
{
	struct sim_txq *tq = &sim->txq[q];
	uint32_t i = tq->head;
	f->len = 0;
	f->nseg = 0;
	f->pre = NULL;
	req->seen = false;
	req->offl = 0;
	req->olinfo = 0;
	req->tstamp = false;
	while (i != tail) {
		uint8_t *d = desc_ptr(sim, q, i);
		uint64_t addr = ld64(d);
		uint32_t cmd = ld32(d + 8);
		uint32_t idx = i;
		if (++i == tq->count)
			i = 0;
		if (cmd & SIM_TXD_CMD_DEXT) {
			uint32_t dtyp = (cmd & SIM_TXD_DTYP_MASK) >> SIM_TXD_DTYP_SHIFT;
			if (dtyp == SIM_TXD_DTYP_CTXT) {
				/* offload context: kept for the frames that name it. The
				 * ixgbe drivers use slots 0 and 1 (IDX bit 4). */
				struct sim_txctx *c = &tq->ctx[(ld32(d + 12) >> SIM_TXD_IDX_SHIFT) & 1];
				c->vlan_macip_lens = ld32(d);
				c->tucmd = cmd;
				c->mss_l4len = ld32(d + 12);
				continue;
			}
			if (dtyp != SIM_TXD_DTYP_DATA) {
				tx_stop(sim, q, idx, "advanced descriptor with an unknown DTYP (datasheet 7.2.3.2)");
				return -1;
			}
			if (!req->seen) {
				/* POPTS, IDX, PAYLEN, VLE and TSE count in the
				 * first data descriptor */
				uint32_t olinfo = ld32(d + 12);
				req->offl = (olinfo & TX_OFFL_POPTS) | (cmd & TX_OFFL_DCMD);
				req->olinfo = olinfo;
				req->tstamp = cmd & SIM_TXD_MAC_TSTAMP;
			}
		}
		req->seen = true;
		uint32_t blen = cmd & SIM_TXD_DTALEN_MASK;
		if (blen) {
			const uint8_t *p = sim_dma_ptr_hit(&sim->dma, &tq->hit, addr, blen);
			if (!p) {
				tx_fault(sim, q, idx, "buffer address", addr, blen);
				return -1;
			}
			if (f->nseg == SIM_MAX_SEGS) {
				tx_stop(sim, q, idx, "frame spans more than 40 descriptors (datasheet 7.2.3.3)");
				return -1;
			}
			f->seg[f->nseg++] = (struct sim_seg){ p, blen };
			f->len += blen;
		}
		if (cmd & SIM_TXD_CMD_EOP) {
			*ifcs = cmd & SIM_TXD_CMD_IFCS;
			return (int)i;
		}
	}
	return -1;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Checksum insertion and VLAN insertion (7.2.4, 7.2.3.2.3): the MAC
 * changes its copy of the frame, never the host's buffers, so the frame is
 * flattened first. Offsets come from the context (MACLEN, IPLEN), as on
 * the hardware, which does not parse the frame: software must leave the
 * IPv4 checksum field 0 and seed the L4 one with the pseudo-header sum
 * (what the Intel drivers do), else the result is as wrong as on a NIC.
 * Order as on the wire: checksums over the host's frame, then the tag. */
static void tx_offload(struct ixy_sim *sim, unsigned q, const struct tx_req *req, struct sim_frame *f)
{
	unsigned ctx = req_ctx(req);
	const struct sim_txctx *c = &sim->txq[q].ctx[ctx];
	uint32_t maclen = (c->vlan_macip_lens >> SIM_TXCTX_MACLEN_SHIFT) & 0x7f;
	uint32_t iplen = c->vlan_macip_lens & SIM_TXCTX_IPLEN_MASK;
	uint8_t *b = sim->tx_buf;
	if (f->len + 4 > SIM_MAX_FRAME) {
		sim_violation(sim, "TX queue %u: offload requested for a frame of %u bytes: the model offloads "
			      "frames up to %u bytes; sent unchanged", q, f->len, SIM_MAX_FRAME - 4);
		return;
	}
	uint32_t n = (uint32_t)sim_frame_flatten(f, b, SIM_MAX_FRAME);
	if (req->offl & SIM_TXD_POPTS_IXSM) {
		if (!(c->tucmd & SIM_TXCTX_TUCMD_IPV4) || iplen < 20 || maclen + iplen > n)
			sim_violation(sim, "TX queue %u: POPTS.IXSM with context %u (TUCMD.IPV4=%d MACLEN=%u IPLEN=%u) "
				      "that does not describe an IPv4 header in the %u-byte frame (datasheet 7.2.3.2.3); "
				      "no checksum inserted", q, ctx, !!(c->tucmd & SIM_TXCTX_TUCMD_IPV4), maclen,
				      iplen, n);
		else
			put16(b + maclen + 10, sim_csum_fold(sim_csum_add(0, b + maclen, iplen)));
	}
	if (req->offl & SIM_TXD_POPTS_TXSM) {
		uint32_t l4t = (c->tucmd & SIM_TXCTX_L4T_MASK) >> SIM_TXCTX_L4T_SHIFT;
		uint32_t l4 = maclen + iplen, at = l4t == 1 ? 16 : 6;	/* TCP / UDP checksum field */
		if (l4t > 1 || l4 + at + 2 > n) {
			sim_violation(sim, "TX queue %u: POPTS.TXSM with context %u (L4T=%u MACLEN=%u IPLEN=%u) that "
				      "the model cannot apply to the %u-byte frame (TCP and UDP only); no checksum "
				      "inserted", q, ctx, l4t, maclen, iplen, n);
		} else {
			/* the field holds the pseudo-header sum: sum to the end */
			uint16_t s = sim_csum_fold(sim_csum_add(0, b + l4, n - l4));
			if (l4t == 0 && s == 0)
				s = 0xffff;	/* UDP: 0 means "no checksum" (RFC 768) */
			put16(b + l4 + at, s);
		}
	}
	if (req->offl & SIM_TXD_CMD_VLE) {
		/* 802.1Q header after the addresses, TCI from the context */
		memmove(b + 16, b + 12, n - 12);
		b[12] = 0x81;
		b[13] = 0x00;
		put16(b + 14, (uint16_t)(c->vlan_macip_lens >> SIM_TXCTX_VLAN_SHIFT));
		n += 4;
	}
	sim_frame_one(f, b, n);
}

static inline __attribute__((always_inline)) bool tx_emit(struct ixy_sim *sim, struct sim_txq *tq, struct sim_frame *f, uint64_t *wire_bytes)
{
	if (f->len < 60 && (sim_reg(sim, SIM_HLREG0) & SIM_HLREG0_TXPADEN)) {
		f->seg[f->nseg++] = (struct sim_seg){ zeros, 60 - f->len };
		f->len = 60;
	}
	uint32_t wire = f->len + 4;
	struct sim_stats *st = &sim->st;
	st->gptc++;
	st->tpt++;
	st->gotc += wire;
	st->ptc[size_bucket(wire)]++;
	if (f->nseg && (f->seg[0].p[0] & 1)) {
		const uint8_t *da = f->seg[0].p;
		if (f->seg[0].len >= 6 && (da[0] & da[1] & da[2] & da[3] & da[4] & da[5]) == 0xff)
			st->bptc++;
		else
			st->mptc++;
	}
	st->qptc[tq->statidx]++;
	st->qbtc[tq->statidx] += f->len;
	*wire_bytes += wire + 20;	/* preamble, SFD, IFG */
	return sim_wire_tx(sim, f);
}

bool sim_tx_emit(struct ixy_sim *sim, unsigned q, struct sim_frame *f, uint64_t *wire)
{
	return tx_emit(sim, &sim->txq[q], f, wire);
}

int sim_tx_round(struct ixy_sim *sim)
{
	return sim_tx_round_queues(sim, 0, SIM_NUM_QUEUES);
}

int sim_tx_round_queues(struct ixy_sim *sim, unsigned first, unsigned count)
{
	sim->tx_blocked = false;
	wb_timers(sim);
	if (!(sim_reg(sim, SIM_DMATXCTL) & SIM_DMATXCTL_TE) || !sim->link_up)
		return 0;	/* no link: the MAC does not transmit, descriptors wait */
	int moved = 0, taken = 0;	/* frames sent / of those, the wire accepted */
	bool throttle = !sim->cfg.unthrottled;
	uint32_t lms = (sim_reg(sim, SIM_AUTOC) & SIM_AUTOC_LMS_MASK) >> SIM_AUTOC_LMS_SHIFT;
	uint64_t ps_per_byte = (lms == 0 || lms == 2 || lms == 5) ? 8000 : 800;	/* 1 or 10 Gb/s */
	bool busy = false;
	struct sim_frame f;
	/* An idle wire catches up at most BURST_PS, and a frame cannot have
	 * left before the engine's previous look at the rings (its tail store
	 * came after that): so wire times, and the 1588 timestamps taken from
	 * them, never precede the driver's tail write by more than one round. */
	uint64_t earliest = sim->now_ps > BURST_PS ? sim->now_ps - BURST_PS : 0;
	if (sim->prev_ps > earliest)
		earliest = sim->prev_ps;
	/* Wire times are needed by a 1588 timestamp here or at the receiver,
	 * or by a delayed cable: otherwise frames carry none (sfd_ps 0). */
	bool wire_times = sim->ptp.tx_on || sim->ptp.rx_on || sim->cfg.delay_us || (sim->peer && sim->peer->ptp.rx_on);
	f.sfd_ps = 0;
	/* Arbitration between the queues: when the wire was busy last round,
	 * this one begins after the queue it stopped in, so with a saturated
	 * wire (or an engine that gets the CPU seldom) every queue gets its
	 * turn instead of the first one always taking the whole burst. */
	unsigned nact = sim->n_tx_active, rr = sim->tx_rr < nact ? sim->tx_rr : 0;
	for (unsigned k = 0; k < nact && !busy; k++) {
		unsigned a = rr + k < nact ? rr + k : rr + k - nact;
		unsigned q = sim->tx_active[a];
		struct sim_txq *tq = &sim->txq[q];
		if (tq->stopped || q - first >= count)	/* another stepper's queue (unsigned: q < first too) */
			continue;
		uint32_t tail = __atomic_load_n(&sim->bar[SIM_TDT(q) / 4], __ATOMIC_ACQUIRE);
		if (tail >= tq->count) {
			sim_violation(sim, "TDT[%u] = %u is beyond the ring of %u descriptors (datasheet 8.2.3.9.9); "
				      "queue stopped", q, tail, tq->count);
			tq->stopped = true;
			continue;
		}
		uint32_t wbal = sim_reg(sim, SIM_TDWBAL(q));
		bool head_wb = wbal & SIM_TDWBAL_HEAD_WB_EN, head_due = false;
		uint32_t wb_head = 0;
		int budget = SIM_ROUND_BUDGET;
		while (tq->head != tail && budget-- > 0) {
			uint64_t start = 0;
			if (throttle) {
				start = sim->wire_free_ps;
				if (start < earliest)
					start = earliest;
				if (start > sim->now_ps) {
					busy = true;	/* the wire is busy: all queues wait */
					sim->tx_rr = (uint8_t)(a + 1);	/* the next one first next time */
					break;
				}
			}
			bool ifcs = true;
			struct tx_req req;
			int end = gather(sim, q, tail, &f, &ifcs, &req);
			if (end < 0)
				break;
			if (__builtin_expect(!ifcs, 0) && !(req.offl & SIM_TXD_CMD_TSE)) {
				/* the driver supplied the FCS: the wire carries frames without it */
				uint32_t cut = 4;
				while (cut && f.nseg) {
					struct sim_seg *s = &f.seg[f.nseg - 1];
					uint32_t c = s->len < cut ? s->len : cut;
					s->len -= c;
					cut -= c;
					f.len -= c;
					if (!s->len)
						f.nseg--;
				}
			}
			uint64_t wire = 0;
			if (__builtin_expect(req.offl != 0, 0)) {
				if (req.offl & SIM_TXD_CMD_TSE) {
					/* one frame in, several segments out, each paced */
					struct sim_tso_req tr = { req_ctx(&req), req.olinfo >> SIM_TXD_PAYLEN_SHIFT,
								  req.offl & SIM_TXD_CMD_VLE, ifcs };
					taken += sim_tso_send(sim, q, tq->head, &tr, &f, &wire);
					goto sent;
				}
				tx_offload(sim, q, &req, &f);
			}
			if (__builtin_expect(wire_times, 0)) {
				/* the frame's start passes the MAC after preamble
				 * and SFD: the 1588 timestamp point (7.9), and the
				 * receiver's arrival time */
				f.sfd_ps = (throttle ? start : sim->now_ps) + 8 * ps_per_byte;
				if (req.tstamp)
					sim_ptp_tx(sim, f.sfd_ps);
			}
			taken += tx_emit(sim, tq, &f, &wire);
sent:
			if (throttle)
				sim->wire_free_ps = start + wire * ps_per_byte;

			/* 7.2.3.5: write-back, after the frame's buffers were read */
			if (__builtin_expect(tq->wthresh == 0 || head_wb, 1)) {
				/* DD where RS asked for it; with head write-back
				 * no descriptor is written, RS frames move the
				 * head image */
				bool rs = false;
				for (uint32_t i = tq->head; i != (uint32_t)end;) {
					uint8_t *d = desc_ptr(sim, q, i);
					if (ld32(d + 8) & SIM_TXD_CMD_RS) {
						rs = true;
						if (!head_wb)
							__atomic_store_n((uint32_t *)(void *)(d + 12), SIM_TXD_STAT_DD,
									 __ATOMIC_RELEASE);
					}
					if (++i == tq->count)
						i = 0;
				}
				if (rs) {
					head_due = true;
					wb_head = (uint32_t)end;
				}
				tq->head = (uint32_t)end;
			} else {
				uint32_t n = (uint32_t)end >= tq->head ? (uint32_t)end - tq->head
								       : (uint32_t)end + tq->count - tq->head;
				tq->head = (uint32_t)end;
				wb_accumulate(sim, tq, n);
			}
			moved++;
		}
		sim_setreg(sim, SIM_TDH(q), tq->head);
		if (head_wb && head_due) {	/* head write-back (7.2.3.5.2) */
			uint64_t wb = ((uint64_t)sim_reg(sim, SIM_TDWBAH(q)) << 32) | (wbal & ~3u);
			uint8_t *p = sim_dma_ptr(&sim->dma, wb, 4);
			if (p)
				__atomic_store_n((uint32_t *)(void *)p, wb_head, __ATOMIC_RELEASE);
			else {
				tx_fault(sim, q, tq->head, "head write-back address", wb, 4);
				head_due = false;	/* nothing was written back */
			}
		}
		/* DD or the head written back for RS descriptors: the queue's
		 * interrupt cause (7.3); WTHRESH batches raise it in wb_write */
		if (head_due)
			sim->irq.raised |= tq->irq_bit;
	}
	sim->tx_blocked = busy;
	sim->frames_moved += (uint64_t)moved;
	return taken;
}
