/* The NVM (EEPROM) of the 82599 and the X540, read word by word through
 * EERD, and of the X550, read through the firmware (ixgbe_hostif.c).
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
	/* the X540's and X550's NVM is the flash they boot from: always
	 * there (Linux does not look at PRES for them) */
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

/* Sums n NVM words from `first` on through the host interface (X550). */
static int add_words_x550(struct ixgbe_dev *d, uint32_t first, uint32_t n, uint16_t *sum)
{
	uint16_t buf[IXGBE_HI_MAX_NVM_WORDS];
	while (n) {
		uint32_t k = n > IXGBE_HI_MAX_NVM_WORDS ? IXGBE_HI_MAX_NVM_WORDS : n;
		int rc = ixgbe_hostif_read_nvm(d, first, k, buf);
		if (rc)
			return rc;
		for (uint32_t i = 0; i < k; i++)
			*sum = (uint16_t)(*sum + buf[i]);
		first += k;
		n -= k;
	}
	return 0;
}

/* X550 (Linux's calc_checksum_X550): words 0x00-0x41 but the checksum
 * word itself, and the sections of pointers 0x02, 0x03 and 0x06-0x0E (the
 * PHY firmware and option ROM pointers left out). The PCIe general section
 * (0x06, 0x24 words) and the PCIe configuration sections (0x07, 0x08,
 * 8 words each) are fixed blocks starting at the pointed-to word; the
 * others start with their length. Pointers and sections beyond the NVM
 * are skipped. Everything through the firmware's host interface. */
static int checksum_sum_x550(struct ixgbe_dev *d, uint16_t *out, uint16_t *stored)
{
	uint16_t w[IXGBE_EE_LAST_X550 + 1];
	uint16_t sum = 0;
	int rc;

	if ((rc = ixgbe_hostif_read_nvm(d, 0, IXGBE_EE_LAST_X550 + 1, w)))
		return rc;
	for (uint32_t i = 0; i <= IXGBE_EE_LAST_X550; i++)
		if (i != IXGBE_EE_CHECKSUM)
			sum = (uint16_t)(sum + w[i]);
	for (uint32_t p = IXGBE_EE_FIRST_PTR_X550; p < IXGBE_EE_FW_PTR; p++) {
		if (p == IXGBE_EE_PHY_PTR || p == IXGBE_EE_OPTION_ROM_PTR)
			continue;
		uint32_t ptr = w[p];
		if (ptr == 0 || ptr == 0xFFFF || ptr >= d->eeprom_words)
			continue;
		uint32_t first = ptr, n = p == IXGBE_EE_PCIE_GENERAL_X550 ? IXGBE_EE_PCIE_GENERAL_WORDS :
					  p == IXGBE_EE_PCIE_CONFIG0_X550 || p == IXGBE_EE_PCIE_CONFIG1_X550 ?
					  IXGBE_EE_PCIE_CONFIG_WORDS : 0;
		if (!n) {
			uint16_t len;
			if ((rc = ixgbe_hostif_read_nvm(d, ptr, 1, &len)))
				return rc;
			if (len == 0 || len == 0xFFFF || ptr + len >= d->eeprom_words)
				continue;
			first = ptr + 1;
			n = len;
		}
		if ((rc = add_words_x550(d, first, n, &sum)))
			return rc;
	}
	*out = sum;
	*stored = w[IXGBE_EE_CHECKSUM];
	return 0;
}

int ixgbe_eeprom_validate(struct ixgbe_dev *d)
{
	uint16_t sum = 0, stored = 0;
	int rc;

	if (d->id->mac == IXGBE_MAC_X550) {
		rc = checksum_sum_x550(d, &sum, &stored);
	} else {
		/* The X540 shares its flash with the firmware: Linux reads it
		 * under the EEPROM semaphore, held for the whole sum. The
		 * 82599's EERD is arbitrated by the hardware (no semaphore, as
		 * Linux). */
		bool x540 = d->id->mac == IXGBE_MAC_X540;
		if (x540 && (rc = ixgbe_swfw_acquire(d, IXGBE_SWFW_EEP, "NVM checksum")))
			return rc;
		rc = checksum_sum(d, &sum);
		if (!rc)
			rc = ixgbe_eeprom_read(d, IXGBE_EE_CHECKSUM, &stored);
		if (x540)
			ixgbe_swfw_release(d, IXGBE_SWFW_EEP);
	}
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
