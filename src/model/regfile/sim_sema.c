/* The virtual 82599: the semaphores between drivers, software and firmware.
 *
 * Three levels (datasheet 8.2.3.4, SWSM, FWSM, SW_FW_SYNC):
 *  - SWSM.SMBI, between device drivers: reading it returns its value and
 *    sets it ("read-to-set"), so the reader that saw 0 owns it; software
 *    writes 0 to release it.
 *  - SWSM.SWESMBI, between software and firmware: software writes 1 and
 *    reads back; a 1 means granted. Only its owner may touch SW_FW_SYNC.
 *  - SW_FW_SYNC (GSSR), one bit per shared resource for software (4:0:
 *    EEPROM, PHY 0, PHY 1, MAC CSRs, flash) and one for firmware (9:5):
 *    software may set its bit only while the firmware's is clear. Bit 10
 *    guards the manageability host interface (HICR), between drivers only
 *    (Linux takes it on the 82599 to send the driver version).
 *
 * The X540 and X550 (same address, Linux's ixgbe_x540.c) guard SW_FW_SYNC
 * with SWSM.SMBI and SW_FW_SYNC.REGSMP (bit 31) instead of SWESMBI: a read
 * of SW_FW_SYNC that finds REGSMP clear sets it for the reader; a write
 * with bit 31 clear gives it back. Their software bits are 3:0 (EEPROM,
 * PHY 0, PHY 1, MAC CSR), 10 (host interface), 12:11 (I2C 0/1); the
 * firmware's 8:5 and 14:13; bit 4 is the hardware's flash access (never
 * busy in the model).
 *
 * The model has no real firmware; with fw_hold_us a simulated one holds
 * its EEPROM, PHY 0 and MAC CSR bits for that long after power-on and
 * every reset, so drivers' wait-and-retry paths run. The semaphores
 * survive CTRL.RST (a hold that outlives a reset stays visible).
 *
 * Reported as violations: SW_FW_SYNC written without SWESMBI, a software
 * bit set while the firmware holds the resource, releasing SWSM while
 * holding none of it, and any software hold longer than sema_hold_ms
 * (default 10 s: a driver that forgot to release).
 */
#include <inttypes.h>

#include "model/sim_internal.h"

#define HOLD_LIMIT_MS	10000u	/* default; production drivers hold them for ms, a
				 * bit-banged EEPROM write of 512 words for ~1 s */
#define FW_BITS		(0x1u | 0x2u | 0x8u)	/* the resources the simulated firmware uses */

static const char *const resource[13] = { "EEPROM", "PHY 0", "PHY 1", "MAC CSR", "flash",
					   [10] = "manageability host interface", [11] = "I2C 0", [12] = "I2C 1" };

static bool x540(const struct ixy_sim *sim)
{
	return sim->mac != SIM_MAC_82599;
}

static uint32_t sw_mask(const struct ixy_sim *sim)
{
	return x540(sim) ? SIM_SWFW_X540_SW_MASK : SIM_SWFW_SW_MASK;
}

static uint32_t fw_bits(const struct ixy_sim *sim, uint64_t now)
{
	return now < sim->sema.fw_until_ns ? FW_BITS << SIM_SWFW_FW_SHIFT : 0;
}

void sim_sema_reset(struct ixy_sim *sim, uint64_t now, bool power_on)
{
	if (power_on) {
		struct sim_sema zero = { 0 };
		sim->sema = zero;
	}
	if (sim->cfg.fw_hold_us)
		sim->sema.fw_until_ns = now + (uint64_t)sim->cfg.fw_hold_us * 1000;
}

/* The oldest software hold, or 0. */
static uint64_t oldest_hold(const struct sim_sema *s, const char **what)
{
	uint64_t t = 0;
	if ((s->swsm & SIM_SWSM_SMBI) && (!t || s->smbi_ns < t)) {
		t = s->smbi_ns;
		*what = "SWSM.SMBI";
	}
	if ((s->swsm & SIM_SWSM_SWESMBI) && (!t || s->swesmbi_ns < t)) {
		t = s->swesmbi_ns;
		*what = "SWSM.SWESMBI";
	}
	if (s->regsmp && (!t || s->regsmp_ns < t)) {
		t = s->regsmp_ns;
		*what = "SW_FW_SYNC.REGSMP";
	}
	for (unsigned i = 0; i < 13; i++)
		if ((s->swfw & (1u << i)) && (!t || s->swfw_ns[i] < t)) {
			t = s->swfw_ns[i];
			*what = resource[i];
		}
	return t;
}

void sim_sema_check(struct ixy_sim *sim, uint64_t now)
{
	struct sim_sema *s = &sim->sema;
	if (!(s->swsm & (SIM_SWSM_SMBI | SIM_SWSM_SWESMBI)) && !s->swfw && !s->regsmp) {
		s->long_reported = false;
		return;
	}
	const char *what = "";
	uint64_t t = oldest_hold(s, &what);
	uint64_t limit_ns = (uint64_t)(sim->cfg.sema_hold_ms ? sim->cfg.sema_hold_ms : HOLD_LIMIT_MS) * 1000000;
	/* The engine's round reads the clock before it takes the port's lock,
	 * so a take stamped by a register access in between is later than
	 * now: held for no time yet, not for a wrapped-around eternity. */
	if (s->long_reported || !t || now <= t || now - t < limit_ns)
		return;
	s->long_reported = true;
	sim_violation(sim, "semaphore %s held by software for %" PRIu64 " ms and not released: release "
		      "SWSM/SW_FW_SYNC right after the access they protect, other drivers and the firmware "
		      "wait for them (datasheet 8.2.3.4)", what, (now - t) / 1000000);
}

bool sim_sema_read(struct ixy_sim *sim, uint32_t off, uint64_t now, uint32_t *v)
{
	struct sim_sema *s = &sim->sema;
	switch (off) {
	case SIM_SWSM:
		*v = s->swsm;
		if (!(s->swsm & SIM_SWSM_SMBI)) {	/* read-to-set: this reader owns it now */
			s->swsm |= SIM_SWSM_SMBI;
			s->smbi_ns = now;
		}
		return true;
	case SIM_SW_FW_SYNC:
		*v = s->swfw | fw_bits(sim, now) | (s->regsmp ? SIM_SWFW_REGSMP : 0);
		if (x540(sim) && !s->regsmp) {	/* read-to-set: this reader owns REGSMP now */
			s->regsmp = true;
			s->regsmp_ns = now;
		}
		return true;
	case SIM_FWSM:
		/* firmware valid, no error, no manageability mode (bits 3:1 = 0) */
		*v = SIM_FWSM_FW_VAL;
		return true;
	}
	return false;
}

bool sim_sema_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now)
{
	struct sim_sema *s = &sim->sema;
	switch (off) {
	case SIM_SWSM: {
		uint32_t held = s->swsm & (SIM_SWSM_SMBI | SIM_SWSM_SWESMBI);
		if (!held && !(val & (SIM_SWSM_SMBI | SIM_SWSM_SWESMBI)))
			sim_violation(sim, "SWSM = 0x%08" PRIx32 " releases SMBI/SWESMBI, but software holds "
				      "neither: read SMBI as 0 (which takes it) before releasing it (datasheet 8.2.3.4)", val);
		if ((val & SIM_SWSM_SMBI) && !(s->swsm & SIM_SWSM_SMBI))
			s->smbi_ns = now;
		/* the model's firmware never holds SWESMBI: a request is granted */
		if ((val & SIM_SWSM_SWESMBI) && !(s->swsm & SIM_SWSM_SWESMBI))
			s->swesmbi_ns = now;
		s->swsm = val & (SIM_SWSM_SMBI | SIM_SWSM_SWESMBI | SIM_SWSM_WMNG);
		sim_sema_check(sim, now);
		return true;
	}
	case SIM_SW_FW_SYNC: {
		if (!x540(sim) && !(s->swsm & SIM_SWSM_SWESMBI))
			sim_violation(sim, "SW_FW_SYNC = 0x%08" PRIx32 " written without owning SWSM.SWESMBI: "
				      "take SMBI and SWESMBI first (datasheet 8.2.3.4)", val);
		if (x540(sim) && (!(s->swsm & SIM_SWSM_SMBI) || !s->regsmp))
			sim_violation(sim, "SW_FW_SYNC = 0x%08" PRIx32 " written without owning SWSM.SMBI and "
				      "SW_FW_SYNC.REGSMP: read SMBI as 0, then read REGSMP as 0, before changing "
				      "SW_FW_SYNC (X540/X550)", val);
		uint32_t fw = fw_bits(sim, now) >> SIM_SWFW_FW_SHIFT;
		uint32_t sw = val & sw_mask(sim);
		uint32_t taken = sw & ~s->swfw;
		if (x540(sim) && !(val & SIM_SWFW_REGSMP))
			s->regsmp = false;	/* given back */
		for (unsigned i = 0; i < 13; i++) {
			if (!(taken & (1u << i)))
				continue;
			s->swfw_ns[i] = now;
			if (fw & (1u << i))
				sim_violation(sim, "SW_FW_SYNC: software took the %s semaphore while the firmware "
					      "holds it (bit %u set): wait until the firmware's bit is clear "
					      "(datasheet 8.2.3.4)", resource[i], i + SIM_SWFW_FW_SHIFT);
		}
		/* the firmware's half is the firmware's: writes do not change it */
		s->swfw = sw;
		sim_sema_check(sim, now);
		return true;
	}
	case SIM_FWSM:
		return true;	/* written by the firmware only */
	}
	return false;
}
