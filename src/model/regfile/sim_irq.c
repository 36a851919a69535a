/* The virtual 82599: interrupts (datasheet 7.3, registers 8.2.3.5).
 *
 * Causes. The DMA engine raises a queue's cause when it writes descriptors
 * back (RX: a frame delivered; TX: DD or the head written back for RS
 * descriptors, or a WTHRESH batch); IVAR gives each queue an entry (valid
 * bit, vector 5:0). The model keeps queue causes per vector: bit v of
 * vcause. In MSI-X mode (GPIE.MSIX_MODE) v is the MSI-X vector and EICR
 * 15:0 shows vectors 0..15, EICR_EX all 64; in MSI/INTx mode the entry
 * selects an EICR RTxQ bit (only 0..15 exist). The causes of EICR 31:16
 * (LSC, RX_MISS, ...) are kept apart: in MSI-X mode they go to the vector
 * of IVAR_MISC entry 1 ("other causes"; entry 0 is the TCP timer, EICR 30).
 *
 * Masks. A cause interrupts only while its EIMS bit is set (EIMS sets,
 * EIMC clears; EIMS_EX/EIMC_EX per vector, whose bits 15:0 are those of
 * EIMS/EIMC). In MSI-X mode a vector gets an event when an unmasked cause
 * comes up, when software unmasks a vector whose cause is set (the pending
 * cause is not lost), or on an EICS write; the event is a message unless
 * the vector's throttle holds it (below). Sending the message clears the
 * EICR bits EIAC selects (vectors 16..63 have no EIAC bit: the model
 * always clears them, see docs/sim.md) and, with GPIE.EIAME, the EIMS bits
 * EIAM selects. In MSI/INTx mode there is one interrupt, vector 0: it is
 * asserted while EICR & EIMS is not 0, and signalled when it becomes so;
 * it is signalled again only after it was deasserted (the driver read EICR,
 * or masked) and a cause came again. Reading EICR clears it (with GPIE.OCD
 * only the other causes) and, without GPIE.EIAME, clears the EIMS bits
 * EIAM selects; writing EICR clears the bits written (and their EIAM
 * bits); EICS sets causes (and, without EIAME, the EIMS bits EIAM selects).
 * Reading EICS returns EICR without clearing it (Linux's ixgbe reads it so
 * in its "other" handler, to clear by writing instead).
 *
 * Throttling. EITR[v] bits 11:3 are the interval in 2 us units (Linux
 * writes 200 for 20000 interrupts/s): after a message the vector sends no
 * other one for that long; an event within the interval is held and sent
 * when it ends (sim->irq.due_ns: the engine wakes up for it). Interval 0
 * sends at once. Writing EITR without CNT_WDIS restarts the counter, which
 * ends the interval now (a held vector goes out); with CNT_WDIS the running
 * interval is left alone. GPIE.EIMEN: EICS writes are not held.
 *
 * Delivery: sim->irq_fn(ctx, vector), with the domain lock held, from the
 * register access or the engine round that caused it; it must not call back
 * into the port. The logic runs the same without a handler (messages are
 * sent to nobody), so EIAC/EIAM take effect as on a card whose messages the
 * host ignores.
 *
 * Cost: the per-frame path only ORs the queue's irq_bit (0 without an IVAR
 * entry) into sim->irq.raised; the round evaluates once (sim_irq_poll).
 */
#include <string.h>

#include "model/sim_internal.h"

#define HI16		0xffff0000u
#define OTHER_BITS	SIM_EICR_OTHER_MASK
#define TCP_BIT		SIM_EICR_TCP_TIMER

static inline bool msix_mode(const struct sim_irq *s)
{
	return s->gpie & SIM_GPIE_MSIX_MODE;
}

void sim_irq_reset(struct ixy_sim *sim)
{
	struct sim_irq *s = &sim->irq;
	memset(s, 0, sizeof(*s));
	s->misc_vec[0] = s->misc_vec[1] = -1;
	s->due_ns = UINT64_MAX;
}

void sim_raise_eicr(struct ixy_sim *sim, uint32_t bits)
{
	sim->irq.ocause |= bits & HI16;
	sim->irq.oraised |= bits & HI16;
	sim->irq.raised |= bits & SIM_EICR_RTXQ_MASK;
}

/* MSI-X mode: the vectors that other causes c (EICR 31:16) go to. */
static uint64_t misc_vectors(const struct sim_irq *s, uint32_t c)
{
	uint64_t v = 0;
	if ((c & TCP_BIT) && s->misc_vec[0] >= 0)
		v |= 1ull << s->misc_vec[0];
	if ((c & OTHER_BITS) && s->misc_vec[1] >= 0)
		v |= 1ull << s->misc_vec[1];
	return v;
}

/* MSI-X mode: the vectors with an unmasked cause. */
static uint64_t asserted_vectors(const struct sim_irq *s)
{
	return (s->vcause & s->vmask) | misc_vectors(s, s->ocause & s->omask);
}

/* MSI/INTx mode: EICR & EIMS is not 0. */
static bool line_asserted(const struct sim_irq *s)
{
	return ((s->vcause & s->vmask) & SIM_EICR_RTXQ_MASK) || (s->ocause & s->omask);
}

/* Causes came up (vbits per vector, obits in EICR 31:16): unmasked ones
 * are events of their vectors. */
static void cause_events(struct sim_irq *s, uint64_t vbits, uint32_t obits)
{
	if (msix_mode(s))
		s->pending |= (vbits & s->vmask) | misc_vectors(s, obits & s->omask);
}

/* Software unmasked: a cause that waited behind the mask is an event now. */
static void unmask(struct sim_irq *s, uint64_t vbits, uint32_t obits)
{
	uint64_t vnew = vbits & ~s->vmask;
	uint32_t onew = obits & ~s->omask;
	s->vmask |= vbits;
	s->omask |= obits;
	if (msix_mode(s))
		s->pending |= (vnew & s->vcause) | misc_vectors(s, onew & s->ocause);
}

/* EICS / EICS_EX: software sets causes; each one set is an event. Without
 * EIAME the EIAM bits of what was set are unmasked too (8.2.3.5 EIAM). */
static void soft_cause(struct sim_irq *s, uint64_t vbits, uint32_t obits)
{
	s->vcause |= vbits;
	s->ocause |= obits;
	if (!(s->gpie & SIM_GPIE_EIAME)) {
		s->vmask |= vbits & s->vam;
		s->omask |= obits & s->oam;
	}
	if (!msix_mode(s)) {
		if (s->gpie & SIM_GPIE_EIMEN)
			s->next_ns[0] = 0;
		return;
	}
	uint64_t ev = (vbits & s->vmask) | misc_vectors(s, obits & s->omask);
	s->pending |= ev;
	if (s->gpie & SIM_GPIE_EIMEN)	/* immediate: no EITR wait */
		for (uint64_t p = ev; p; p &= p - 1)
			s->next_ns[__builtin_ctzll(p)] = 0;
}

/* EICR write-1-to-clear, and the read's clear: without EIAME the EIAM
 * bits of what was cleared are masked. */
static void clear_causes(struct sim_irq *s, uint64_t vbits, uint32_t obits)
{
	s->vcause &= ~vbits;
	s->ocause &= ~obits;
	if (!(s->gpie & SIM_GPIE_EIAME)) {
		s->vmask &= ~(vbits & s->vam);
		s->omask &= ~(obits & s->oam);
	}
}

static uint32_t eicr_view(const struct sim_irq *s)
{
	return (uint32_t)(s->vcause & SIM_EICR_RTXQ_MASK) | s->ocause;
}

/* MSI-X vector v sends its message (7.3.1: auto-clear, auto-mask, the
 * throttle interval starts). */
static void send_vector(struct ixy_sim *sim, unsigned v, uint64_t now)
{
	struct sim_irq *s = &sim->irq;
	uint64_t bit = 1ull << v;
	uint32_t routed = (s->misc_vec[0] == (int8_t)v ? TCP_BIT : 0) | (s->misc_vec[1] == (int8_t)v ? OTHER_BITS : 0);
	s->pending &= ~bit;
	s->vcause &= ~(v >= 16 ? bit : bit & s->eiac);	/* EIAC */
	s->ocause &= ~(routed & s->eiac);
	if (s->gpie & SIM_GPIE_EIAME) {			/* EIAM */
		s->vmask &= ~(bit & s->vam);
		s->omask &= ~(routed & s->oam);
	}
	s->next_ns[v] = now + s->itr_ns[v];
	s->messages++;
	if (sim->irq_fn)
		sim->irq_fn(sim->irq_ctx, v);
}

void sim_irq_eval(struct ixy_sim *sim, uint64_t now)
{
	struct sim_irq *s = &sim->irq;
	if (s->raised | s->oraised) {
		s->vcause |= s->raised;
		cause_events(s, s->raised, s->oraised);
		s->raised = 0;
		s->oraised = 0;
	}
	s->due_ns = UINT64_MAX;
	if (msix_mode(s)) {
		/* a cause cleared or masked before its message: nothing to send */
		s->pending &= asserted_vectors(s);
		for (uint64_t p = s->pending; p; p &= p - 1) {
			unsigned v = (unsigned)__builtin_ctzll(p);
			if (now < s->next_ns[v]) {	/* held by EITR[v] */
				if (s->next_ns[v] < s->due_ns)
					s->due_ns = s->next_ns[v];
				continue;
			}
			send_vector(sim, v, now);
		}
		return;
	}
	if (!line_asserted(s)) {
		s->line = false;
		return;
	}
	if (s->line)
		return;	/* signalled already; the driver has not deasserted it */
	if (now < s->next_ns[0]) {
		s->due_ns = s->next_ns[0];
		return;
	}
	s->line = true;
	s->next_ns[0] = now + s->itr_ns[0];
	s->messages++;
	if (sim->irq_fn)
		sim->irq_fn(sim->irq_ctx, 0);
}

bool sim_irq_reg(uint32_t off)
{
	return (off >= SIM_EICR && off <= SIM_GPIE) || (off >= SIM_IVAR(0) && off <= SIM_IVAR_MISC) ||
	       (off >= SIM_EICR_EX(0) && off <= SIM_EIAM_EX(1)) || (off >= SIM_EITR(24) && off <= SIM_EITR(63));
}

/* IVAR[n] (8.2.3.5): bytes 0/2 are RX queues 2n/2n+1, bytes 1/3 TX queues
 * 2n/2n+1; bit 7 valid, bits 5:0 the vector (MSI-X) or EICR bit. */
static void ivar_update(struct ixy_sim *sim, unsigned n)
{
	uint32_t iv = sim_reg(sim, SIM_IVAR(n));
	for (unsigned i = 0; i < 2; i++) {
		uint32_t rx = (iv >> (16 * i)) & 0xff, tx = (iv >> (16 * i + 8)) & 0xff;
		sim->rxq[2 * n + i].irq_bit = (rx & SIM_IVAR_VALID) ? 1ull << (rx & SIM_IVAR_VECTOR_MASK) : 0;
		sim->txq[2 * n + i].irq_bit = (tx & SIM_IVAR_VALID) ? 1ull << (tx & SIM_IVAR_VECTOR_MASK) : 0;
	}
}

static int eitr_vector(uint32_t off)
{
	if (off >= SIM_EITR(0) && off <= SIM_EITR(23))
		return (int)(off - SIM_EITR(0)) / 4;
	if (off >= SIM_EITR(24) && off <= SIM_EITR(63))
		return 24 + (int)(off - SIM_EITR(24)) / 4;
	return -1;
}

static inline uint32_t half(uint64_t v, unsigned n)
{
	return (uint32_t)(v >> (32 * n));
}

static inline uint64_t set_half(uint64_t v, unsigned n, uint32_t h)
{
	return (v & ~(0xffffffffull << (32 * n))) | (uint64_t)h << (32 * n);
}

uint32_t sim_irq_read(struct ixy_sim *sim, uint32_t off, uint64_t now)
{
	struct sim_irq *s = &sim->irq;
	if (s->raised | s->oraised)
		sim_irq_eval(sim, now);	/* causes of this round are visible */
	uint32_t v;
	switch (off) {
	case SIM_EICR: {	/* read-to-clear (8.2.3.5.1); GPIE.OCD: other causes only */
		v = eicr_view(s);
		uint32_t clr = (s->gpie & SIM_GPIE_OCD) ? OTHER_BITS : 0xffffffffu;
		s->vcause &= ~(uint64_t)(clr & SIM_EICR_RTXQ_MASK);
		s->ocause &= ~(clr & HI16);
		if (!(s->gpie & SIM_GPIE_EIAME)) {
			/* the read masks the EIAM bits, whatever it returned (Linux's
			 * legacy handler re-enables after reading 0 for this reason) */
			s->vmask &= ~(s->vam & SIM_EICR_RTXQ_MASK);
			s->omask &= ~s->oam;
		}
		sim_irq_eval(sim, now);	/* the INTx line may drop */
		return v;
	}
	case SIM_EICS:
		return eicr_view(s);
	case SIM_EIMS:
		return (uint32_t)(s->vmask & SIM_EICR_RTXQ_MASK) | s->omask;
	case SIM_EIMC:
		return 0;	/* write-only */
	case SIM_EIAC:
		return s->eiac;
	case SIM_EIAM:
		return (uint32_t)(s->vam & SIM_EICR_RTXQ_MASK) | s->oam;
	case SIM_GPIE:
		return s->gpie;
	case SIM_EICR_EX(0): case SIM_EICR_EX(1):
	case SIM_EICS_EX(0): case SIM_EICS_EX(1):
		return half(s->vcause, (off & 4) >> 2);
	case SIM_EIMS_EX(0): case SIM_EIMS_EX(1):
		return half(s->vmask, (off & 4) >> 2);
	case SIM_EIAM_EX(0): case SIM_EIAM_EX(1):
		return half(s->vam, (off & 4) >> 2);
	case SIM_EIMC_EX(0): case SIM_EIMC_EX(1):
		return 0;
	}
	return sim_reg(sim, off);	/* IVAR, IVAR_MISC, EITR, EITRSEL */
}

void sim_irq_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now)
{
	struct sim_irq *s = &sim->irq;
	if (s->raised | s->oraised)
		sim_irq_eval(sim, now);
	uint64_t lo = val & SIM_EICR_RTXQ_MASK;
	uint32_t hi = val & HI16;
	unsigned n = (off & 4) >> 2;	/* which of the two _EX registers */
	switch (off) {
	case SIM_EICR:
		clear_causes(s, lo, hi);
		break;
	case SIM_EICS:
		soft_cause(s, lo, hi);
		break;
	case SIM_EIMS:
		unmask(s, lo, hi);
		break;
	case SIM_EIMC:
		s->vmask &= ~lo;
		s->omask &= ~hi;
		break;
	case SIM_EIAC:
		s->eiac = val;
		break;
	case SIM_EIAM:
		s->vam = (s->vam & ~(uint64_t)SIM_EICR_RTXQ_MASK) | lo;
		s->oam = hi;
		break;
	case SIM_GPIE:
		/* a mode change starts over: in MSI-X mode every vector with an
		 * unmasked cause has an event, in INTx mode the line is re-evaluated */
		if ((s->gpie ^ val) & SIM_GPIE_MSIX_MODE) {
			s->gpie = val;
			s->line = false;
			s->pending = msix_mode(s) ? asserted_vectors(s) : 0;
		}
		s->gpie = val;
		break;
	case SIM_EICR_EX(0): case SIM_EICR_EX(1):
		clear_causes(s, (uint64_t)val << (32 * n), 0);
		break;
	case SIM_EICS_EX(0): case SIM_EICS_EX(1):
		soft_cause(s, (uint64_t)val << (32 * n), 0);
		break;
	case SIM_EIMS_EX(0): case SIM_EIMS_EX(1):
		unmask(s, (uint64_t)val << (32 * n), 0);
		break;
	case SIM_EIMC_EX(0): case SIM_EIMC_EX(1):
		s->vmask &= ~((uint64_t)val << (32 * n));
		break;
	case SIM_EIAM_EX(0): case SIM_EIAM_EX(1):
		s->vam = set_half(s->vam, n, val);
		break;
	case SIM_IVAR_MISC:
		sim_setreg(sim, off, val);
		s->misc_vec[0] = (val & SIM_IVAR_VALID) ? (int8_t)(val & SIM_IVAR_VECTOR_MASK) : -1;
		s->misc_vec[1] = ((val >> 8) & SIM_IVAR_VALID) ? (int8_t)((val >> 8) & SIM_IVAR_VECTOR_MASK) : -1;
		break;
	default:
		if (off >= SIM_IVAR(0) && off <= SIM_IVAR(63)) {
			sim_setreg(sim, off, val);
			ivar_update(sim, (off - SIM_IVAR(0)) / 4);
			break;
		}
		int v = eitr_vector(off);
		if (v >= 0) {
			sim_setreg(sim, off, val & ~SIM_EITR_CNT_WDIS);	/* WDIS is write-only */
			s->itr_ns[v] = (uint64_t)((val & SIM_EITR_INTERVAL_MASK) >> 3) * 2000;
			if (!(val & SIM_EITR_CNT_WDIS))
				s->next_ns[v] = 0;	/* counter restarted: the interval is over */
			break;
		}
		sim_setreg(sim, off, val);	/* EITRSEL, reserved words */
		break;
	}
	sim_irq_eval(sim, now);
}

uint64_t ixy_sim_irq_pending(struct ixy_sim *sim)
{
	if (!sim)
		return 0;
	sim_lock(sim);
	struct sim_irq *s = &sim->irq;
	if (s->raised | s->oraised)
		sim_irq_eval(sim, sim_now_ns());
	uint64_t v = msix_mode(s) ? asserted_vectors(s) : line_asserted(s) ? 1 : 0;
	sim_unlock(sim);
	return v;
}
