/* The NVM (EEPROM) of the 82599 and the X540, read word by word through
 * EERD.
 *
 * At open the driver checks what Linux checks before it trusts anything the
 * EEPROM loaded: an EEPROM is present, and its checksum is right. The
 * checksum word (0x3F) is chosen so that words 0x00-0x3F plus every section
 * that words 0x03-0x0E point to (each section starts with its length in
 * words) add up to 0xBABA; the firmware module behind word 0x0F is not
 * included. A wrong sum means a corrupt or half-written NVM: the MAC
 * address, link mode and SFP+ init sequence it holds cannot be trusted. */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

/* One word takes a few microseconds on hardware; Linux gives each read
 * 100000 polls 5 us apart. */
#define EERD_TIMEOUT_US 500000u

int ixgbe_eeprom_init(struct ixgbe_dev *d)
{
	uint32_t eec = ixgbe_read(d, IXGBE_EEC);

	if (d->gone)
		return ixy_error(-ENODEV, "%s: EEC reads all ones: the device is gone", d->ixy.name);
	/* the X540's NVM is the flash it boots from: always there (Linux
	 * does not look at PRES for it) */
	if (d->id->mac == IXGBE_MAC_82599 && !(eec & IXGBE_EEC_PRES))
		return ixy_error(-EIO, "%s: no EEPROM detected (EEC = 0x%08x, PRES clear): the board cannot load its "
				 "MAC address and link settings; the NVM is missing or broken", d->ixy.name, eec);
	/* EEC.SIZE: 2^(SIZE + 6) words; EERD addresses at most 2^14 */
	uint32_t words = 1u << (((eec & IXGBE_EEC_SIZE_MASK) >> IXGBE_EEC_SIZE_SHIFT) + 6);
	d->eeprom_words = words > IXGBE_EERD_ADDR_MAX + 1 ? IXGBE_EERD_ADDR_MAX + 1 : words;
	return 0;
}

int ixgbe_eeprom_read(struct ixgbe_dev *d, uint32_t word, uint16_t *val)
{
	char what[48];
	int rc;

	if (word >= d->eeprom_words)
		return ixy_error(-EIO, "%s: EEPROM word 0x%04x is beyond the EEPROM's %u words: a pointer in the "
				 "image is corrupt", d->ixy.name, word, d->eeprom_words);
	ixgbe_write(d, IXGBE_EERD, word << IXGBE_EERD_ADDR_SHIFT | IXGBE_EERD_START);
	snprintf(what, sizeof(what), "EEPROM read of word 0x%04x", word);
	if ((rc = ixgbe_wait(d, IXGBE_EERD, IXGBE_EERD_DONE, IXGBE_EERD_DONE, EERD_TIMEOUT_US, what)))
		return rc;
	*val = (uint16_t)(ixgbe_read(d, IXGBE_EERD) >> IXGBE_EERD_DATA_SHIFT);
	return 0;
}

/* The sum of words 0x00-0x3E and the sections the pointer words name.
 * 82599: every pointer 0x03-0x0E, a section beyond the EEPROM is an
 * error. X540 (Linux's calc_eeprom_checksum_X540): the PHY firmware
 * (0x04) and option ROM (0x05) pointers are left out, and a pointer or
 * section beyond the NVM is skipped, not an error. */
static int checksum_sum(struct ixgbe_dev *d, uint16_t *out)
{
	bool x540 = d->id->mac == IXGBE_MAC_X540;
	uint16_t w, ptr, len;
	uint16_t sum = 0;
	int rc;

	for (uint32_t i = 0; i < IXGBE_EE_CHECKSUM; i++) {
		if ((rc = ixgbe_eeprom_read(d, i, &w)))
			return rc;
		sum = (uint16_t)(sum + w);
	}
	for (uint32_t i = IXGBE_EE_FIRST_PTR; i < IXGBE_EE_FW_PTR; i++) {
		if (x540 && (i == IXGBE_EE_PHY_PTR || i == IXGBE_EE_OPTION_ROM_PTR))
			continue;
		if ((rc = ixgbe_eeprom_read(d, i, &ptr)))
			return rc;
		if (ptr == 0 || ptr == 0xFFFF || (x540 && ptr >= d->eeprom_words))  /* section absent */
			continue;
		if ((rc = ixgbe_eeprom_read(d, ptr, &len)))
			return rc;
		if (len == 0 || len == 0xFFFF || (x540 && (uint32_t)ptr + len >= d->eeprom_words))
			continue;
		if ((uint32_t)ptr + len >= d->eeprom_words)
			return ixy_error(-EIO, "%s: EEPROM section at word 0x%04x (pointer word 0x%02x) claims %u words, "
					 "beyond the EEPROM's %u: the NVM image is corrupt", d->ixy.name, ptr, i, len,
					 d->eeprom_words);
		for (uint32_t j = (uint32_t)ptr + 1; j <= (uint32_t)ptr + len; j++) {
			if ((rc = ixgbe_eeprom_read(d, j, &w)))
				return rc;
			sum = (uint16_t)(sum + w);
		}
	}
	*out = sum;
	return 0;
}

int ixgbe_eeprom_validate(struct ixgbe_dev *d)
{
	uint16_t sum = 0, stored = 0;
	int rc;

	/* The X540 shares its flash with the firmware: Linux reads it under
	 * the EEPROM semaphore, held for the whole sum. The 82599's EERD is
	 * arbitrated by the hardware (no semaphore, as Linux). */
	bool x540 = d->id->mac == IXGBE_MAC_X540;
	if (x540 && (rc = ixgbe_swfw_acquire(d, IXGBE_SWFW_EEP, "NVM checksum")))
		return rc;
	rc = checksum_sum(d, &sum);
	if (!rc)
		rc = ixgbe_eeprom_read(d, IXGBE_EE_CHECKSUM, &stored);
	if (x540)
		ixgbe_swfw_release(d, IXGBE_SWFW_EEP);
	if (rc)
		return rc;
	uint16_t want = (uint16_t)(IXGBE_EE_CHECKSUM_SUM - sum);
	if (stored != want)
		return ixy_error(-EIO, "%s: EEPROM checksum is wrong: word 0x3F holds 0x%04x, the image needs 0x%04x "
				 "(words and sections must add up to 0x%04x); the NVM is corrupt or was written "
				 "incompletely: restore it with the vendor's NVM update tool", d->ixy.name, stored, want,
				 IXGBE_EE_CHECKSUM_SUM);
	d->eeprom_checksum = stored;
	return 0;
}
