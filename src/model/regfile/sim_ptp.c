/* The virtual 82599: IEEE 1588 time sync (datasheet 7.9, registers 8.2.3.26).
 *
 * SYSTIM: a counter that adds TIMINCA's increment value every increment
 * period (TIMINCA 31:24, in ticks of the time sync oscillator: 6.4 ns at
 * 10 Gb/s and without link, 64 ns at 1 Gb/s, 640 ns at 100 Mb/s). The model
 * keeps it as a function of its own clock (sim_now_ns for register
 * accesses, the wire times of the frames for timestamps), anchored at the
 * last change: so a timestamp is the SYSTIM value at the frame's wire
 * time, not at the time the engine happened to look at it.
 *
 * Timestamps (7.9.1): one RX and one TX timestamp register set. A frame is
 * stamped when its start (the first bit after the start-of-frame
 * delimiter) passes the MAC: TX frames whose first data descriptor has
 * DCMD.TSTAMP while TSYNCTXCTL.EN, RX frames of the kind TSYNCRXCTL.TYPE
 * selects while TSYNCRXCTL.EN. The value stays latched (VALID) until
 * software reads the high word (TXSTMPH / RXSTMPH); while it is latched,
 * further 1588 frames are not stamped (counted in sim->ptp.*_skipped).
 * RX frames are identified as 1588 frames by an ETQF filter with the 1588
 * bit (L2) or by the UDP destination port in RXMTRL 31:16 (L4); the
 * message type to stamp comes from TSYNCRXCTL.TYPE and RXMTRL.
 *
 * Model choices where the texts at hand do not settle it (docs/sim.md):
 * TIMINCA with increment period 0 stops the clock (its reset value); a
 * SYSTIML read latches SYSTIMH for the following read; TIMADJ is applied
 * when TIMADJH is written; SYSTIML/H are writable (the clock is set).
 * X540 device ids take TIMINCA as the X540 does (30:0 added every tick).
 */
#include <string.h>

#include "model/sim_internal.h"

/* the oscillator period for the current link speed (7.9) */
static uint32_t osc_ps(const struct ixy_sim *sim)
{
	switch (sim_link_speed(sim)) {
	case 1: return SIM_TSYNC_TICK_10G_PS * 100;	/* 100 Mb/s */
	case 2: return SIM_TSYNC_TICK_10G_PS * 10;	/* 1 Gb/s */
	default: return SIM_TSYNC_TICK_10G_PS;		/* 10 Gb/s or no link */
	}
}

static bool is_x540(const struct ixy_sim *sim)
{
	uint16_t id = sim->cfg.device_id;
	return id == 0x1528 || id == 0x1560 || id == 0x155c;
}

/* clock_jump_us (a fault for testing clock users): SYSTIM steps forward
 * by that much every SIM_CLOCK_JUMP_PERIOD_PS of model time, on top of its
 * rate. jumps(t) counts the steps up to t in SYSTIM units. */
#define SIM_CLOCK_JUMP_PERIOD_PS 10000000000ull	/* 10 ms */

static uint64_t jumps(const struct ixy_sim *sim, uint64_t t_ps)
{
	const struct sim_ptp *p = &sim->ptp;
	if (__builtin_expect(!sim->cfg.clock_jump_us || !p->tick_ps, 1))
		return 0;
	uint64_t step = (uint64_t)sim->cfg.clock_jump_us * 1000000 / p->tick_ps * p->iv;
	return t_ps / SIM_CLOCK_JUMP_PERIOD_PS * step;
}

uint64_t sim_ptp_systim(const struct ixy_sim *sim, uint64_t t_ps)
{
	const struct sim_ptp *p = &sim->ptp;
	if (!p->tick_ps)
		return p->base;
	uint64_t j = jumps(sim, t_ps) - jumps(sim, p->base_ps);
	if (t_ps >= p->base_ps)
		return p->base + (t_ps - p->base_ps) / p->tick_ps * p->iv + j;
	/* a frame that left before the last anchor (the TX burst catch-up) */
	return p->base - (p->base_ps - t_ps + p->tick_ps - 1) / p->tick_ps * p->iv + j;
}

/* Re-anchor at now with the current TIMINCA and oscillator; SYSTIM keeps
 * its value and the phase of its last increment. */
static void anchor(struct ixy_sim *sim, uint64_t now_ps, uint64_t value)
{
	struct sim_ptp *p = &sim->ptp;
	uint32_t inca = sim_reg(sim, SIM_TIMINCA);
	p->osc_ps = osc_ps(sim);
	if (is_x540(sim)) {
		p->iv = inca & SIM_TIMINCA_X540_IV_MASK;
		p->tick_ps = p->iv ? p->osc_ps : 0;
	} else {
		uint32_t period = inca >> SIM_TIMINCA_IP_SHIFT;
		p->iv = inca & SIM_TIMINCA_IV_MASK;
		p->tick_ps = p->iv && period ? (uint64_t)p->osc_ps * period : 0;
	}
	p->base = value;
	p->base_ps = now_ps;
}

/* The time the clock advanced last, at or before now (keeps the phase). */
static void reanchor(struct ixy_sim *sim, uint64_t now_ps)
{
	struct sim_ptp *p = &sim->ptp;
	uint64_t at = now_ps;
	if (p->tick_ps && now_ps >= p->base_ps)
		at = now_ps - (now_ps - p->base_ps) % p->tick_ps;
	anchor(sim, at, sim_ptp_systim(sim, at));
}

void sim_ptp_reset(struct ixy_sim *sim, uint64_t now_ns)
{
	memset(&sim->ptp, 0, sizeof(sim->ptp));
	anchor(sim, now_ns * 1000, 0);	/* TIMINCA is 0: the clock stands at 0 */
}

void sim_ptp_rebase(struct ixy_sim *sim, uint64_t now_ns)
{
	if (osc_ps(sim) != sim->ptp.osc_ps)
		reanchor(sim, now_ns * 1000);
}

bool sim_ptp_read(struct ixy_sim *sim, uint32_t off, uint64_t now_ns, uint32_t *v)
{
	struct sim_ptp *p = &sim->ptp;
	uint64_t t;
	switch (off) {
	case SIM_SYSTIML:
		t = sim_ptp_systim(sim, now_ns * 1000);
		p->systimh_latch = (uint32_t)(t >> 32);
		p->systimh_latched = true;
		*v = (uint32_t)t;
		return true;
	case SIM_SYSTIMH:
		if (p->systimh_latched) {
			*v = p->systimh_latch;
			p->systimh_latched = false;
		} else {
			*v = (uint32_t)(sim_ptp_systim(sim, now_ns * 1000) >> 32);
		}
		return true;
	case SIM_TSYNCRXCTL:
		*v = (sim_reg(sim, off) & ~SIM_TSYNCRXCTL_VALID) | (p->rx_valid ? SIM_TSYNCRXCTL_VALID : 0);
		return true;
	case SIM_TSYNCTXCTL:
		*v = (sim_reg(sim, off) & ~SIM_TSYNCTXCTL_VALID) | (p->tx_valid ? SIM_TSYNCTXCTL_VALID : 0);
		return true;
	case SIM_RXSTMPL:
		*v = (uint32_t)p->rxstmp;
		return true;
	case SIM_RXSTMPH:	/* unlatches: the next 1588 frame may be stamped */
		*v = (uint32_t)(p->rxstmp >> 32);
		p->rx_valid = false;
		return true;
	case SIM_RXSATRL:
		*v = p->rxsatrl;
		return true;
	case SIM_RXSATRH:
		*v = p->rxsatrh;
		return true;
	case SIM_TXSTMPL:
		*v = (uint32_t)p->txstmp;
		return true;
	case SIM_TXSTMPH:
		*v = (uint32_t)(p->txstmp >> 32);
		p->tx_valid = false;
		return true;
	}
	return false;
}

bool sim_ptp_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now_ns)
{
	struct sim_ptp *p = &sim->ptp;
	uint64_t now_ps = now_ns * 1000, t;
	switch (off) {
	case SIM_SYSTIML:
	case SIM_SYSTIMH:
		reanchor(sim, now_ps);
		t = p->base;
		t = off == SIM_SYSTIML ? (t & ~0xffffffffull) | val : (t & 0xffffffffull) | (uint64_t)val << 32;
		anchor(sim, now_ps, t);	/* a new phase: the next increment is one period away */
		return true;
	case SIM_TIMINCA:
		reanchor(sim, now_ps);
		sim_setreg(sim, off, val);
		anchor(sim, p->base_ps, p->base);
		return true;
	case SIM_TIMADJL:
		sim_setreg(sim, off, val);
		return true;
	case SIM_TIMADJH: {
		sim_setreg(sim, off, val);
		uint64_t adj = (uint64_t)(val & ~SIM_TIMADJH_SIGN) << 32 | sim_reg(sim, SIM_TIMADJL);
		reanchor(sim, now_ps);
		p->base = val & SIM_TIMADJH_SIGN ? p->base - adj : p->base + adj;
		return true;
	}
	case SIM_TSYNCRXCTL:
		sim_setreg(sim, off, val & ~SIM_TSYNCRXCTL_VALID);
		p->rx_on = val & SIM_TSYNCRXCTL_EN;
		return true;
	case SIM_TSYNCTXCTL:
		sim_setreg(sim, off, val & ~SIM_TSYNCTXCTL_VALID);
		p->tx_on = val & SIM_TSYNCTXCTL_EN;
		return true;
	case SIM_RXSTMPL: case SIM_RXSTMPH: case SIM_RXSATRL: case SIM_RXSATRH:
	case SIM_TXSTMPL: case SIM_TXSTMPH:
		return true;	/* read-only */
	}
	return false;
}

void sim_ptp_tx(struct ixy_sim *sim, uint64_t sfd_ps)
{
	struct sim_ptp *p = &sim->ptp;
	if (!p->tx_on)
		return;
	if (p->tx_valid) {
		p->tx_skipped++;	/* the last one was not read yet */
		return;
	}
	p->txstmp = sim_ptp_systim(sim, sfd_ps);
	p->tx_valid = true;
	p->tx_stamped++;
}

static inline uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint32_t sim_ptp_rx(struct ixy_sim *sim, const struct sim_frame *f, const uint8_t *hdr, uint32_t hlen,
		    const struct sim_pinfo *pi)
{
	struct sim_ptp *p = &sim->ptp;
	uint32_t off = 0;	/* of the PTP header in the frame */
	bool l2 = false;

	/* L2: an enabled EtherType filter with the 1588 bit (after a VLAN tag) */
	uint32_t et_at = pi->vlan ? 16 : 12;
	if (hlen >= et_at + 2) {
		uint16_t et = be16(hdr + et_at);
		for (unsigned i = 0; i < SIM_NUM_ETQF; i++) {
			uint32_t q = sim_reg(sim, SIM_ETQF(i));
			if ((q & (SIM_ETQF_EN | SIM_ETQF_1588)) == (SIM_ETQF_EN | SIM_ETQF_1588) &&
			    (q & SIM_ETQF_ETYPE_MASK) == et) {
				l2 = true;
				off = et_at + 2;
				break;
			}
		}
	}
	/* L4: UDP to the port in RXMTRL (PTP event messages: 319) */
	uint32_t mtrl = sim_reg(sim, SIM_RXMTRL);
	if (!l2) {
		uint16_t port = (uint16_t)(mtrl >> SIM_RXMTRL_UDP_SHIFT);
		if (!(pi->l3 && pi->l4proto == 17 && pi->l4ok && !pi->frag && port &&
		      (uint32_t)pi->l4off + 8 <= hlen && be16(hdr + pi->l4off + 2) == port))
			return 0;
		off = pi->l4off + 8u;
	}
	if (off + 34 > hlen)
		return 0;	/* too short for a PTP header (sequence id at 30, v1 control at 32) */
	const uint8_t *h = hdr + off;
	bool v2 = (h[1] & 0x0f) == 2, v1 = be16(h) == 1;
	unsigned msg = h[0] & 0x0f;
	unsigned want = (mtrl >> SIM_RXMTRL_V2_MSG_SHIFT) & 0xff;
	/* Delay_Req (1) and Delay_Resp (9) are stamped with the selected type */
	bool v2_sel = v2 && (msg == want || msg == 1 || msg == 9);
	bool match;
	switch (sim_reg(sim, SIM_TSYNCRXCTL) & SIM_TSYNCRXCTL_TYPE_MASK) {
	case SIM_TSYNC_TYPE_L2_V2: match = l2 && v2_sel; break;
	case SIM_TSYNC_TYPE_L4_V1: match = !l2 && v1 && h[32] == (mtrl & SIM_RXMTRL_V1_CTRL_MASK); break;
	case SIM_TSYNC_TYPE_L2_L4_V2: match = v2_sel; break;
	case SIM_TSYNC_TYPE_EVENT_V2: match = v2 && !(msg & 8); break;
	default: match = false; break;	/* ALL is the X550's; the rest are reserved */
	}
	if (!match)
		return 0;
	if (p->rx_valid) {
		p->rx_skipped++;
		return 0;
	}
	p->rxstmp = sim_ptp_systim(sim, f->sfd_ps ? f->sfd_ps : sim->now_ps);
	/* source id: the 6 bytes at 22 (v1 sourceUuid; v2 the clock identity's
	 * bytes 2..7), sequence id at 30, as they stand in the frame */
	p->rxsatrl = (uint32_t)h[22] << 24 | (uint32_t)h[23] << 16 | (uint32_t)h[24] << 8 | h[25];
	p->rxsatrh = (uint32_t)be16(h + 30) << 16 | be16(h + 26);
	p->rx_valid = true;
	p->rx_stamped++;
	return SIM_RXADV_STAT_TS;
}
