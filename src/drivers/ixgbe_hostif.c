/* The X550's manageability host interface, as far as reading the NVM.
 *
 * The X550 keeps its NVM behind the manageability firmware: Linux reads it
 * with "read shadow RAM" commands rather than EERD, and so does this
 * driver (at open, for the checksum). A command block goes into FLEX_MNG
 * (the header dword first: command, buffer length, checksum 0xFF, which
 * the firmware does not check for this command), HICR.C asks the firmware
 * to take it; the firmware clears C and sets SV. The words come back from
 * dword 3 of FLEX_MNG on, two per dword, the lower word in the low half.
 * The whole read holds the host interface and EEPROM semaphores, as
 * Linux's read_ee_hostif_buffer_X550 does. Found missing by comparing
 * Linux's register writes with ours on the model (docs/driver.md). */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define HI_TIMEOUT_US 500000u   /* Linux's IXGBE_HI_COMMAND_TIMEOUT: 500 ms */

/* One command of `dwords` dwords; 0 when the firmware took it. */
static int hostif_command(struct ixgbe_dev *d, const uint32_t *cmd, unsigned dwords)
{
	/* clear a firmware reset indication first (as Linux), so a reset
	 * during the command would show */
	ixgbe_set_bits(d, IXGBE_FWSTS, IXGBE_FWSTS_FWRI);
	if (!(ixgbe_read(d, IXGBE_HICR) & IXGBE_HICR_EN))
		return ixy_error(-EIO, "%s: the manageability firmware does not listen on the host interface "
				 "(HICR.EN clear): the X550's NVM cannot be read; the firmware may be hung or "
				 "missing: power-cycle the machine", d->ixy.name);
	for (unsigned i = 0; i < dwords; i++)
		ixgbe_write(d, IXGBE_FLEX_MNG + 4 * i, cmd[i]);
	ixgbe_set_bits(d, IXGBE_HICR, IXGBE_HICR_C);
	int rc = ixgbe_wait(d, IXGBE_HICR, IXGBE_HICR_C, 0, HI_TIMEOUT_US, "host interface command");
	if (rc)
		return rc;
	if (!(ixgbe_read(d, IXGBE_HICR) & IXGBE_HICR_SV))
		return ixy_error(-EIO, "%s: the firmware refused host interface command 0x%02x (HICR.SV clear)",
				 d->ixy.name, cmd[0] & 0xff);
	return 0;
}

int ixgbe_hostif_read_nvm(struct ixgbe_dev *d, uint32_t word, uint32_t n, uint16_t *out)
{
	if (word + n > d->eeprom_words)
		return ixy_error(-EIO, "%s: NVM words 0x%04x-0x%04x are beyond the NVM's %u words: a pointer in the "
				 "image is corrupt", d->ixy.name, word, word + n - 1, d->eeprom_words);
	int rc = ixgbe_swfw_acquire(d, IXGBE_SWFW_SW_MNG | IXGBE_SWFW_EEP, "NVM read through the host interface");
	if (rc)
		return rc;
	while (n && !rc) {
		uint32_t k = n > IXGBE_HI_MAX_NVM_WORDS ? IXGBE_HI_MAX_NVM_WORDS : n;
		/* header: command, length high 0, length low, checksum 0xFF;
		 * the byte address and count are big-endian */
		const uint32_t cmd[4] = {
			IXGBE_HI_READ_NVM | IXGBE_HI_READ_NVM_LEN << 16 | 0xFFu << 24,
			__builtin_bswap32(word * 2),
			__builtin_bswap16((uint16_t)(k * 2)),
			0,
		};
		if ((rc = hostif_command(d, cmd, 4)))
			break;
		for (uint32_t i = 0; i < k; i += 2) {
			uint32_t v = ixgbe_read(d, IXGBE_FLEX_MNG + 4 * (IXGBE_HI_NVM_DATA + i / 2));
			out[i] = (uint16_t)v;
			if (i + 1 < k)
				out[i + 1] = (uint16_t)(v >> 16);
		}
		word += k;
		out += k;
		n -= k;
	}
	ixgbe_swfw_release(d, IXGBE_SWFW_SW_MNG | IXGBE_SWFW_EEP);
	return rc;
}
