/* The virtual 82599: the MDIO master (MSCA/MSRWD, datasheet 8.2.3.22).
 *
 * Software writes a command to MSCA with MDI_CMD (bit 30) set: an address
 * cycle, a write, or a read of a clause-45 register (MMD in 20:16, PHY
 * address in 25:21); the MAC clears MDI_CMD when the frame is out, and a
 * read's data is then in MSRWD 31:16.
 *
 * The boards the model is (82599 SFP+ and backplane) have no PHY on the
 * MDIO bus: nothing drives MDIO, the pull-up makes every read all ones, at
 * every address. Drivers scanning for a PHY find none (a devices-in-package
 * or ID word of 0xFFFF) and treat the port as SFP+ or backplane. Commands
 * complete at once.
 */
#include "model/sim_internal.h"

bool sim_mdio_read(struct ixy_sim *sim, uint32_t off, uint32_t *v)
{
	switch (off) {
	case SIM_MSCA:
		*v = sim->msca;
		return true;
	case SIM_MSRWD:
		*v = sim->msrwd;
		return true;
	}
	return false;
}

bool sim_mdio_write(struct ixy_sim *sim, uint32_t off, uint32_t val)
{
	switch (off) {
	case SIM_MSCA: {
		uint32_t op = (val >> SIM_MSCA_OP_SHIFT) & 3;
		if ((val & SIM_MSCA_MDICMD) && (op == 2 || op == 3))	/* read (auto-increment) */
			sim->msrwd = (sim->msrwd & 0xffffu) | 0xffffu << 16;
		sim->msca = val & ~SIM_MSCA_MDICMD;	/* done */
		return true;
	}
	case SIM_MSRWD:
		/* write data in 15:0; the read data half belongs to the MAC */
		sim->msrwd = (sim->msrwd & 0xffff0000u) | (val & 0xffffu);
		return true;
	}
	return false;
}
