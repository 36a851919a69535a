/* The virtual 82599/X540/X550: the MDIO master (MSCA/MSRWD, 82599
 * datasheet 8.2.3.22; the X540/X550 keep the registers and the encoding).
 *
 * Software writes a command to MSCA with MDI_CMD (bit 30) set: an address
 * cycle, a write, or a read of a clause-45 register (MMD in 20:16, PHY
 * address in 25:21, register address in 15:0); the MAC clears MDI_CMD when
 * the frame is out, and a read's data is then in MSRWD 31:16. Commands
 * complete at once.
 *
 * Clause 45 addresses a register in two frames: the address cycle latches
 * the register number in the addressed MMD, the following read or write
 * acts on the latched number (read-increment, opcode 2, moves it on by
 * one). The model latches per MMD, as a PHY does.
 *
 * Who answers: the 82599 boards (SFP+ and backplane) have no PHY on the
 * bus - nothing drives MDIO, the pull-up makes every read all ones, at
 * every address, and drivers scanning for a PHY find none. The X540/X550
 * have their internal copper PHY at address 0 (the model's ports are LAN
 * 0; sim_phy.c); other addresses read all ones there too. On a port
 * with a simulated firmware (fw_hold_us) a frame to the PHY without the
 * PHY semaphore is a violation.
 */
#include "model/sim_internal.h"

#define PHY_ADDR	0u

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

/* One frame on the bus; returns the read data (0xFFFF: nobody answered). */
static uint16_t mdio_frame(struct ixy_sim *sim, uint32_t cmd, uint64_t now)
{
	unsigned op = (cmd >> SIM_MSCA_OP_SHIFT) & 3;
	unsigned mmd = (cmd >> SIM_MSCA_DEVTYPE_SHIFT) & 0x1f;
	unsigned phy = (cmd >> SIM_MSCA_PHYADD_SHIFT) & 0x1f;
	bool here = sim->media == SIM_MEDIA_COPPER && phy == PHY_ADDR;
	uint16_t data = 0xffff;

	if (!here)
		return data;
	/* The firmware of these boards talks to the PHY too: each frame
	 * belongs inside the PHY semaphore (Linux's read_reg/write_reg take
	 * it per access). Checked on ports with a simulated firmware. */
	if (sim->cfg.fw_hold_us && !(sim->sema.swfw & 0x2u))
		sim_violation(sim, "MDIO frame to the PHY (MMD %u, opcode %u) without holding the PHY semaphore "
			      "(SW_FW_SYNC bit 1): the firmware may be using the bus; take it around each PHY access "
			      "(X540/X550)", mmd, op);
	switch (op) {
	case 0:	/* address cycle */
		sim->phy.addr[mmd] = (uint16_t)(cmd & SIM_MSCA_ADDR_MASK);
		break;
	case 1:	/* write */
		sim_phy_write(sim, mmd, sim->phy.addr[mmd], (uint16_t)sim->msrwd, now);
		break;
	case 2:	/* read, then the latched address moves on */
	case 3:
		if (!sim_phy_read(sim, mmd, sim->phy.addr[mmd], &data, now))
			data = 0xffff;
		if (op == 2)
			sim->phy.addr[mmd]++;
		break;
	}
	return data;
}

bool sim_mdio_write(struct ixy_sim *sim, uint32_t off, uint32_t val, uint64_t now)
{
	switch (off) {
	case SIM_MSCA: {
		uint32_t op = (val >> SIM_MSCA_OP_SHIFT) & 3;
		if (val & SIM_MSCA_MDICMD) {
			uint16_t d = mdio_frame(sim, val, now);
			if (op == 2 || op == 3)	/* read (auto-increment) */
				sim->msrwd = (sim->msrwd & 0xffffu) | (uint32_t)d << 16;
		}
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
