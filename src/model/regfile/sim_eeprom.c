/* The virtual 82599: the EEPROM (NVM) and its register interface.
 *
 * A port gets its image when it is created and keeps it for its lifetime
 * (non-volatile: CTRL.RST does not touch it, EEWR writes change it). After
 * every reset the MAC "auto-reads" what it needs from it (4.6.3): RAL/RAH[0]
 * from the LAN core 0 section and AUTOC/AUTOC2 from the MAC 0 section, so
 * the address a driver finds in RAL0/RAH0 is the one the EEPROM holds.
 *
 * Registers (8.2.3.2): EEC (presence, auto-read done, size, bit-bang grant
 * and the SPI pins, sim_eeprom_spi.c), EERD (software read: write
 * (word << 2) | START, the word appears in 31:16 with DONE), EEWR (the same
 * for writes). Accesses complete at once.
 *
 * The image (datasheet chapter 6, "non-volatile memory map"; word numbers
 * as the drivers use them). Words 0x03-0x0E point to sections whose first
 * word is their length; the checksum word 0x3F makes the 16-bit sum of
 * words 0x00-0x3E, the check word itself and the words of those sections
 * (not their length words) equal 0xBABA. Which sections exist and what is
 * inside the ones no driver reads is the model's choice, said below; the
 * layout inside a section is the model's own where noted.
 */
#include <inttypes.h>
#include <string.h>
#include <stdlib.h>

#include "model/sim_internal.h"

#define EEPROM_SUM		0xBABAu
#define W_CHECKSUM		0x3f
#define W_FIRST_PTR		0x03	/* PCIe analog */
#define W_LAST_PTR		0x0e	/* CSR 1 auto-config; 0x0F (firmware) is not summed */
#define W_PCIE_ANALOG		0x03
#define W_PHY_PTR		0x04	/* X540/X550: the PHY module (its firmware) */
#define W_OROM_PTR		0x05	/* X540/X550: PCIe expansion/option ROM */
#define W_PCIE_GENERAL		0x06
#define W_PCIE_CONFIG0		0x07
#define W_CORE0			0x09	/* LAN core 0: MAC address, LEDs */
#define W_MAC0			0x0b	/* MAC 0: link mode (AUTOC, AUTOC2) */
#define W_CSR0			0x0d	/* CSR auto-config list, port 0 */
#define W_FW			0x0f	/* firmware module */
#define W_PBA0			0x15	/* 0xFAFA: the PBA number is a string ... */
#define W_PBA1			0x16	/* ... in the section this points to */
#define W_OROM			0x17	/* option ROM: none */
#define W_OEM_VER		0x1b	/* OEM product version: none */
#define W_ALT_SAN_MAC		0x27	/* alternative SAN MAC block: none */
#define W_SAN_MAC		0x28	/* SAN MAC (FCoE) addresses: none */
#define W_SFP_INIT		0x2b	/* SFP+ module init sequences */
#define W_DEVICE_CAPS		0x2c
#define W_ETRACK_LO		0x2d
#define W_ETRACK_HI		0x2e

/* where the model places the sections */
#define S_ANALOG		0x0060
#define S_GENERAL		0x0070	/* 0x24 words */
#define S_CONFIG0		0x00a0
#define S_CORE0			0x00b0
#define S_MAC0			0x00c0
#define S_CSR0			0x00d0
#define S_FW			0x0100
#define S_FW_PT_PATCH		0x0110
#define S_PBA			0x0120
#define S_SFP_LIST		0x0140
#define S_SFP_DA		0x0160
#define S_SFP_SRLR		0x0170
#define S_PHY			0x0180	/* X540/X550 PHY module: 8 words */

/* SFP init-sequence ids: the drivers' numbering of module types (DA cable
 * on core 0/1, SR/LR optics on core 0/1); active DA and 1G modules use the
 * SR/LR sequence */
#define SFP_ID_DA_CORE0		3
#define SFP_ID_DA_CORE1		4
#define SFP_ID_SRLR_CORE0	5
#define SFP_ID_SRLR_CORE1	6

/* Firmware module offsets the drivers follow (words relative to the
 * module): the LESM parameters pointer at +2 (none: the MAC owns the link)
 * and the pass-through patch configuration pointer at +4, whose word +7 is
 * the patch version (an SFI board with a version <= 5 is "pre-production") */
#define FW_LESM_PTR		0x2
#define FW_PT_PATCH_PTR		0x4
#define FW_PATCH_VERSION	0x7

/* The 82599 sums the sections of every pointer 0x03-0x0E. The X540/X550
 * (flash NVM; Linux's calc_checksum_X540) leave out the PHY module (0x04)
 * and option ROM (0x05) pointers - the PHY's firmware image is not part of
 * the sum - and a section that would run past the end of the NVM. */
uint16_t sim_eeprom_checksum(const uint16_t *w, uint32_t nwords, bool x540)
{
	uint16_t sum = 0;
	for (unsigned i = 0; i < W_CHECKSUM; i++)
		sum += w[i];
	for (unsigned p = W_FIRST_PTR; p <= W_LAST_PTR; p++) {
		if (x540 && (p == W_PHY_PTR || p == W_OROM_PTR))
			continue;
		uint32_t ptr = w[p];
		if (ptr == 0 || ptr == 0xffff || ptr >= nwords)
			continue;
		uint32_t len = w[ptr];
		if (len == 0 || len == 0xffff || (x540 && ptr + len >= nwords))
			continue;
		for (uint32_t j = ptr + 1; j <= ptr + len && j < nwords; j++)
			sum += w[j];
	}
	return (uint16_t)(EEPROM_SUM - sum);
}

static void put_section(uint16_t *w, unsigned ptr_word, unsigned at, const uint16_t *data, unsigned len)
{
	w[ptr_word] = (uint16_t)at;
	w[at] = (uint16_t)len;
	memcpy(&w[at + 1], data, len * sizeof(uint16_t));
}

int sim_eeprom_build(struct ixy_sim *sim)
{
	uint16_t *w = malloc(SIM_EEPROM_WORDS * sizeof(uint16_t));
	if (!w)
		return -1;
	for (unsigned i = 0; i < SIM_EEPROM_WORDS; i++)
		w[i] = 0xffff;			/* erased */
	for (unsigned i = 0; i <= W_CHECKSUM; i++)
		w[i] = 0;
	/* the model is one function (LAN 0): the LAN 1 sections (0x04/0x05
	 * analog, 0x08 PCIe config 1, 0x0A core 1, 0x0C MAC 1, 0x0E CSR 1)
	 * are absent */
	w[0x04] = w[0x05] = w[0x08] = w[0x0a] = w[0x0c] = w[0x0e] = 0xffff;

	/* contents of sections no driver reads: the model's own placeholders,
	 * present so that the checksum really covers pointed-to data */
	static const uint16_t analog[4] = { 0x0100, 0x0203, 0x0405, 0x0607 };
	put_section(w, W_PCIE_ANALOG, S_ANALOG, analog, 4);
	uint16_t general[0x24] = { 0 };
	general[0] = 0x8086;			/* model's layout: vendor, device, */
	general[1] = sim->cfg.device_id;	/* subsystem vendor, subsystem */
	general[2] = 0x8086;
	general[3] = 0x0003;
	put_section(w, W_PCIE_GENERAL, S_GENERAL, general, 0x24);
	static const uint16_t config0[8] = { 0x0001, 0, 0, 0, 0, 0, 0, 0x8000 };
	put_section(w, W_PCIE_CONFIG0, S_CONFIG0, config0, 8);

	/* LAN core 0: Ethernet address (bytes 1,0 / 3,2 / 5,4, low byte
	 * first as in RAL/RAH), then LEDCTL low/high (model's layout after
	 * the address): LED0 link up, LED1 10 Gb/s link, LED2 link/activity
	 * (LED modes 0, 1, 4; drivers blink LED2 to identify the port) */
	const uint8_t *m = sim->perm_mac;
	const uint16_t core0[5] = {
		(uint16_t)(m[0] | m[1] << 8), (uint16_t)(m[2] | m[3] << 8), (uint16_t)(m[4] | m[5] << 8),
		0x0100, 0x0004,
	};
	put_section(w, W_CORE0, S_CORE0, core0, 5);

	/* MAC 0: the link mode loaded into AUTOC/AUTOC2 (model's layout:
	 * AUTOC low, high, AUTOC2 low, high). SFP+ boards: 10 Gb/s serial
	 * with the SFI PMA/PMD; backplane: KX4/KX/KR auto-negotiation
	 * advertising all three, KX4 and KX PMA/PMDs, KR as serial PMA/PMD. */
	uint32_t autoc, autoc2;
	if (sim->media == SIM_MEDIA_BACKPLANE) {
		autoc = 4u << SIM_AUTOC_LMS_SHIFT | 1u << SIM_AUTOC_10G_PMA_SHIFT | SIM_AUTOC_1G_PMA_KX |
			SIM_AUTOC_KR_SUPP | SIM_AUTOC_KX_SUPP | SIM_AUTOC_KX4_SUPP;
		autoc2 = 0u << SIM_AUTOC2_10G_SERIAL_SHIFT;
	} else {
		autoc = 3u << SIM_AUTOC_LMS_SHIFT;
		autoc2 = 2u << SIM_AUTOC2_10G_SERIAL_SHIFT;
	}
	const uint16_t mac0[4] = { (uint16_t)autoc, (uint16_t)(autoc >> 16), (uint16_t)autoc2,
				   (uint16_t)(autoc2 >> 16) };
	put_section(w, W_MAC0, S_MAC0, mac0, 4);
	/* CSR auto-config: an empty list (length 0 is skipped by the sum) */
	w[W_CSR0] = S_CSR0;
	w[S_CSR0] = 0;

	/* Firmware module: no LESM, pass-through patch version 6 */
	w[W_FW] = S_FW;
	w[S_FW] = 0x0006;
	w[S_FW + FW_LESM_PTR] = 0xffff;
	w[S_FW + FW_PT_PATCH_PTR] = S_FW_PT_PATCH;
	w[S_FW_PT_PATCH] = 0x0008;
	for (unsigned i = 1; i < FW_PATCH_VERSION; i++)
		w[S_FW_PT_PATCH + i] = 0;
	w[S_FW_PT_PATCH + FW_PATCH_VERSION] = 0x0006;

	/* PBA number as a string section: length (incl. itself), then two
	 * characters per word, high byte first */
	static const char pba[] = "IXYSIM-001";
	w[W_PBA0] = 0xfafa;
	w[W_PBA1] = S_PBA;
	w[S_PBA] = 6;
	for (unsigned i = 0; i < 5; i++)
		w[S_PBA + 1 + i] = (uint16_t)((uint8_t)pba[2 * i] << 8 | (uint8_t)pba[2 * i + 1]);

	w[W_OROM] = 0xffff;
	w[W_OEM_VER] = 0xffff;
	w[W_ALT_SAN_MAC] = 0xffff;
	w[W_SAN_MAC] = 0xffff;
	w[W_DEVICE_CAPS] = 0x0000;	/* only Intel modules; crosstalk fix (SDP2) on */
	w[W_ETRACK_LO] = 0x0001;
	w[W_ETRACK_HI] = 0x8000;

	/* SFP+ init sequences (SFP+ boards only): a list of (module id, data
	 * pointer) pairs after a header word, ended by 0xFFFF; each data block
	 * is a header word, CORECTL values, 0xFFFF. The values are analog
	 * settings the model stores and does not interpret. */
	if (sim->media == SIM_MEDIA_SFP) {
		static const uint16_t list[] = { SFP_ID_DA_CORE0, S_SFP_DA, SFP_ID_DA_CORE1, S_SFP_DA,
						 SFP_ID_SRLR_CORE0, S_SFP_SRLR, SFP_ID_SRLR_CORE1, S_SFP_SRLR,
						 0xffff };
		w[W_SFP_INIT] = S_SFP_LIST;
		w[S_SFP_LIST] = (uint16_t)(sizeof(list) / sizeof(list[0]));
		memcpy(&w[S_SFP_LIST + 1], list, sizeof(list));
		static const uint16_t da[] = { 0x0001, 0x0b1d, 0x0c02, 0xffff };
		static const uint16_t srlr[] = { 0x0001, 0x0b4a, 0x0c05, 0xffff };
		memcpy(&w[S_SFP_DA], da, sizeof(da));
		memcpy(&w[S_SFP_SRLR], srlr, sizeof(srlr));
	} else {
		w[W_SFP_INIT] = 0xffff;
	}

	/* X540/X550: the PHY module the NVM carries for the internal PHY
	 * (placeholder words; the model's PHY needs no firmware). Outside
	 * their checksum, inside the 82599's rule: a checker using the wrong
	 * rule fails. */
	if (sim->mac != SIM_MAC_82599) {
		static const uint16_t phy[8] = { 0x5048, 0x5931, 0x0102, 0, 0, 0, 0, 0x1234 };
		put_section(w, W_PHY_PTR, S_PHY, phy, 8);
	}

	w[W_CHECKSUM] = sim_eeprom_checksum(w, SIM_EEPROM_WORDS, sim->mac != SIM_MAC_82599);
	sim->eeprom = w;
	return 0;
}

/* A section's word i (1-based after the length), or -1. */
static int section_word(const struct ixy_sim *sim, unsigned ptr_word, unsigned i)
{
	uint32_t ptr = sim->eeprom[ptr_word];
	if (ptr == 0 || ptr == 0xffff || ptr + i >= SIM_EEPROM_WORDS || sim->eeprom[ptr] < i)
		return -1;
	return sim->eeprom[ptr + i];
}

void sim_eeprom_autoload(struct ixy_sim *sim)
{
	int a0 = section_word(sim, W_CORE0, 1), a1 = section_word(sim, W_CORE0, 2), a2 = section_word(sim, W_CORE0, 3);
	if (a0 >= 0 && a1 >= 0 && a2 >= 0) {
		sim_setreg(sim, SIM_RAL(0), (uint32_t)a0 | (uint32_t)a1 << 16);
		sim_setreg(sim, SIM_RAH(0), (uint32_t)a2 | SIM_RAH_AV);
	}
	int l0 = section_word(sim, W_CORE0, 4), l1 = section_word(sim, W_CORE0, 5);
	if (l0 >= 0 && l1 >= 0)
		sim_setreg(sim, SIM_LEDCTL, (uint32_t)l0 | (uint32_t)l1 << 16);
	int c0 = section_word(sim, W_MAC0, 1), c1 = section_word(sim, W_MAC0, 2);
	int c2 = section_word(sim, W_MAC0, 3), c3 = section_word(sim, W_MAC0, 4);
	if (c0 >= 0 && c1 >= 0)
		sim_setreg(sim, SIM_AUTOC, (uint32_t)c0 | (uint32_t)c1 << 16);
	if (c2 >= 0 && c3 >= 0)
		sim_setreg(sim, SIM_AUTOC2, (uint32_t)c2 | (uint32_t)c3 << 16);
}

/* EEC.SIZE for the image: 2^(SIZE + 6) words */
static uint32_t eec_size_field(void)
{
	unsigned n = 0;
	while ((64u << n) < SIM_EEPROM_WORDS)
		n++;
	return (uint32_t)n << SIM_EEC_SIZE_SHIFT;
}

bool sim_eeprom_read(struct ixy_sim *sim, uint32_t off, uint64_t now, uint32_t *v)
{
	switch (off) {
	case SIM_EEC: {
		/* stored: SK, CS, DI, FWE, REQ; GNT follows REQ at once (the
		 * MAC's own EEPROM accesses are over when software can ask);
		 * DO is the SPI EEPROM's output (sim_eeprom_spi.c) */
		uint32_t e = sim_reg(sim, SIM_EEC) & (SIM_EEC_SK | SIM_EEC_CS | SIM_EEC_DI | SIM_EEC_FWE_MASK | SIM_EEC_REQ);
		if (e & SIM_EEC_REQ)
			e |= SIM_EEC_GNT | (sim_spi_do(sim) ? SIM_EEC_DO : 0);
		e |= SIM_EEC_PRES | SIM_EEC_ADDR_SIZE | eec_size_field();
		if (now >= sim->reset_done_ns)
			e |= SIM_EEC_ARD;
		/* X540/X550 flash: an update (FLUP, bit 23) is done at once,
		 * FLUDONE (bit 26) reads 1 (Linux's update_flash_X540 polls it
		 * before and after) */
		if (sim->mac != SIM_MAC_82599)
			e |= SIM_EEC_FLUDONE;
		*v = e;
		return true;
	}
	case SIM_EERD:
		*v = sim->eerd;
		return true;
	case SIM_EEWR:
		*v = sim->eewr | SIM_EERW_DONE;	/* writes complete at once: always idle */
		return true;
	}
	return false;
}

static bool word_addr(struct ixy_sim *sim, const char *reg, uint32_t val, uint32_t *addr)
{
	*addr = (val & SIM_EERW_ADDR_MASK) >> SIM_EERW_ADDR_SHIFT;
	if (*addr < SIM_EEPROM_WORDS)
		return true;
	sim_violation(sim, "%s = 0x%08" PRIx32 ": word 0x%04" PRIx32 " is beyond the EEPROM's %u words "
		      "(EEC.SIZE says how large it is, datasheet 8.2.3.2.1)", reg, val, *addr, SIM_EEPROM_WORDS);
	return false;
}

bool sim_eeprom_write(struct ixy_sim *sim, uint32_t off, uint32_t val)
{
	uint32_t addr;
	switch (off) {
	case SIM_EEC:
		sim_setreg(sim, SIM_EEC, val & (SIM_EEC_SK | SIM_EEC_CS | SIM_EEC_DI | SIM_EEC_FWE_MASK | SIM_EEC_REQ));
		/* the pins are software's while it holds the grant; giving it
		 * up deselects the EEPROM */
		sim_spi_pins(sim, (val & SIM_EEC_REQ) ? val : SIM_EEC_CS);
		return true;
	case SIM_EERD:
		if (!(val & SIM_EERW_START)) {
			sim->eerd = val & ~SIM_EERW_DONE;
			return true;
		}
		if (!word_addr(sim, "EERD", val, &addr)) {
			/* done, with what an erased part reads */
			sim->eerd = (val & SIM_EERW_ADDR_MASK) | SIM_EERW_DONE | 0xffffu << SIM_EERW_DATA_SHIFT;
			return true;
		}
		sim->eerd = (val & SIM_EERW_ADDR_MASK) | SIM_EERW_DONE | (uint32_t)sim->eeprom[addr] << SIM_EERW_DATA_SHIFT;
		return true;
	case SIM_EEWR:
		sim->eewr = val & ~(SIM_EERW_START | SIM_EERW_DONE);
		if ((val & SIM_EERW_START) && word_addr(sim, "EEWR", val, &addr))
			sim->eeprom[addr] = (uint16_t)(val >> SIM_EERW_DATA_SHIFT);
		return true;
	}
	return false;
}
