/* The virtual X550: the manageability host interface as far as Linux's
 * X550 probe needs it (HICR, the FLEX_MNG buffer; Linux's ixgbe_common.c
 * hic_unlocked / host_interface_command, ixgbe_x550.c
 * read_ee_hostif_buffer_X550).
 *
 * Software writes a command block into FLEX_MNG (0x15800, dwords, the
 * header first: command, buffer length, status, checksum), sets HICR.C
 * (bit 1) and waits for the firmware to clear it; HICR.SV (bit 2) then
 * says the command was taken. The X550's Linux reads its NVM this way
 * (FW_READ_SHADOW_RAM_CMD 0x31: byte address and byte count big-endian
 * in the second dword and the low half of the third; the words come back
 * from dword 3 on, two per dword, the first in the low half). The model's
 * firmware answers at once: shadow RAM reads from the port's NVM image,
 * the RX disable (0xDE) clears RXCTRL.RXEN, any other command gets an
 * empty "success" response (status 1, no data: e.g. the driver version;
 * nothing is done). HICR.EN (bit 0) reads 1 on the X550 only: the 82599 and X540
 * personalities keep HICR a stored register with EN 0 (no firmware
 * listens there; Linux's 82599 gives up on it). Command checksums are not
 * checked.
 */
#include <inttypes.h>

#include "model/sim_internal.h"

#define FLEX_MNG		0x15800u
#define FLEX_MNG_DWORDS		448u	/* 0x15800-0x15EFC */
#define HICR_EN			0x1u
#define HICR_C			0x2u
#define HICR_SV			0x4u
#define CMD_READ_SHADOW_RAM	0x31u
#define CMD_DISABLE_RXEN	0xdeu
#define NVM_DATA_DWORD		3u
#define RESP_SUCCESS		0x1u

static uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

/* Returns whether the command was taken (SV). */
static bool hostif_command(struct ixy_sim *sim)
{
	uint32_t h = sim_reg(sim, FLEX_MNG);
	uint32_t cmd = h & 0xff;
	if (cmd == CMD_DISABLE_RXEN) {
		/* the firmware stops reception for the driver (Linux's
		 * disable_rx_x550); the port number is not checked: one port */
		sim_setreg(sim, SIM_RXCTRL, sim_reg(sim, SIM_RXCTRL) & ~SIM_RXCTRL_RXEN);
		sim->cfg_dirty = true;
	}
	if (cmd != CMD_READ_SHADOW_RAM) {
		sim_setreg(sim, FLEX_MNG, cmd | RESP_SUCCESS << 16);	/* buf_len 0, status success */
		return true;
	}
	uint32_t addr = bswap32(sim_reg(sim, FLEX_MNG + 4));
	uint32_t bytes = __builtin_bswap16((uint16_t)sim_reg(sim, FLEX_MNG + 8));
	uint32_t word = addr / 2, words = bytes / 2;
	if ((addr | bytes) & 1 || word + words > SIM_EEPROM_WORDS ||
	    NVM_DATA_DWORD + (words + 1) / 2 > FLEX_MNG_DWORDS) {
		sim_violation(sim, "host interface: shadow RAM read of %" PRIu32 " bytes at byte 0x%" PRIx32
			      ": odd, beyond the %u-word NVM or larger than the FLEX_MNG buffer", bytes, addr,
			      SIM_EEPROM_WORDS);
		return false;
	}
	for (uint32_t i = 0; i < words; i += 2) {
		uint32_t v = sim->eeprom[word + i];
		if (i + 1 < words)
			v |= (uint32_t)sim->eeprom[word + i + 1] << 16;
		sim_setreg(sim, FLEX_MNG + 4 * (NVM_DATA_DWORD + i / 2), v);
	}
	return true;
}

bool sim_hostif_read(struct ixy_sim *sim, uint32_t off, uint32_t *v)
{
	if (sim->mac != SIM_MAC_X550 || off != SIM_HICR)
		return false;
	*v = (sim_reg(sim, SIM_HICR) & ~HICR_C) | HICR_EN;
	return true;
}

bool sim_hostif_write(struct ixy_sim *sim, uint32_t off, uint32_t val)
{
	if (sim->mac != SIM_MAC_X550 || off != SIM_HICR)
		return false;
	uint32_t keep = sim_reg(sim, SIM_HICR) & HICR_SV;
	if (val & HICR_C)
		keep = hostif_command(sim) ? HICR_SV : 0;
	sim_setreg(sim, SIM_HICR, keep);	/* C done at once; EN is read-only */
	return true;
}
