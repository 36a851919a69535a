/* The virtual 82599: the flow director's command interface (flow director
 * registers in 8.2.3; FDIRCTRL, FDIRCMD).
 *
 * The model has no flow director: no filter is ever applied, frames go
 * where RSS or queue 0 sends them. What a driver waits for completes at
 * once, so a driver that sets it up (Linux enables signature filters, ATR,
 * on every 82599 with several queues) neither waits for nor logs a dead
 * table: FDIRCTRL.INIT_DONE (bit 3) reads 1 while the flow director is
 * enabled (PBALLOC, bits 1:0, non-zero), FDIRCMD's command field (bits
 * 1:0) reads 0 (done) right after a command is written. The other flow
 * director registers are stored (known registers, sim_known.c); its
 * statistics read 0.
 */
#include "model/sim_internal.h"

bool sim_fdir_read(struct ixy_sim *sim, uint32_t off, uint32_t *v)
{
	if (off != SIM_FDIRCTRL)
		return false;
	uint32_t c = sim_reg(sim, SIM_FDIRCTRL);
	*v = (c & SIM_FDIRCTRL_PBALLOC) ? c | SIM_FDIRCTRL_INIT_DONE : c;
	return true;
}

bool sim_fdir_write(struct ixy_sim *sim, uint32_t off, uint32_t val)
{
	switch (off) {
	case SIM_FDIRCTRL:
		sim_setreg(sim, off, val & ~SIM_FDIRCTRL_INIT_DONE);
		return true;
	case SIM_FDIRCMD:
		sim_setreg(sim, off, val & ~SIM_FDIRCMD_CMD);
		return true;
	}
	return false;
}
