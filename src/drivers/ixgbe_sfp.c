/* SFP+ modules on 82599 SFP+ boards: what is plugged in, and the board's
 * EEPROM init sequence for it.
 *
 * The module's ID EEPROM (SFF-8472, I2C address 0xA0) says what it is:
 * byte 0 the identifier (0x03 = SFP/SFP+), byte 3 the 10G Ethernet
 * compliance codes (bit 4 10GBASE-SR, bit 5 10GBASE-LR), byte 6 the 1G
 * codes (bit 0 1000BASE-SX, bit 1 1000BASE-LX, bit 3 1000BASE-T), byte 8
 * the SFP+ cable technology (bit 2 passive, bit 3 active direct attach),
 * byte 60 for active cables their compliance (bit 2 limiting), and the
 * vendor name (bytes 20-35), OUI (37-39) and part number (40-55).
 *
 * The 82599's analog front end then needs a per-module-type register
 * sequence that the board's EEPROM carries: word 0x2B points to a table of
 * (module id, pointer) pairs ended by 0xFFFF; each pointer leads to a list
 * of words, ended by 0xFFFF, each written to CORECTL. The ids are the
 * 82599's module types by port: DA copper 3/4, SR/LR 5/6, and the others
 * use the SR/LR sequence (port 0 / port 1 each). */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define SFF_ADDR            0xA0  /* 8-bit I2C address of the ID EEPROM */
#define SFF_IDENTIFIER      0
#define SFF_ID_SFP          0x03
#define SFF_10G_COMP        3
#define SFF_10G_SR          BIT(4)
#define SFF_10G_LR          BIT(5)
#define SFF_1G_COMP         6
#define SFF_1G_SX           BIT(0)
#define SFF_1G_LX           BIT(1)
#define SFF_1G_T            BIT(3)
#define SFF_CABLE_TECH      8
#define SFF_DA_PASSIVE      BIT(2)
#define SFF_DA_ACTIVE       BIT(3)
#define SFF_VENDOR_NAME     20
#define SFF_VENDOR_OUI      37
#define SFF_VENDOR_PN       40
#define SFF_CABLE_SPEC      60
#define SFF_DA_SPEC_LIMITING BIT(2)

#define I2C_TRIES           10    /* per byte, as Linux */
#define I2C_PROBE_TRIES     2     /* the first byte: is there a module at all */

/* init-table ids for port 0; port 1 adds 1 */
#define SFP_INIT_DA_CU      3
#define SFP_INIT_SRLR       5

/* The 10 ms Linux leaves the firmware after the init sequence before it
 * takes the MAC semaphore again. */
#define SEMAPHORE_PAUSE_US  10000u
/* A sequence is a handful of words; anything longer is a corrupt image. */
#define SFP_INIT_MAX_WORDS  256u

const char *ixgbe_sfp_kind_name(enum ixgbe_sfp_kind kind)
{
	switch (kind) {
	case IXGBE_SFP_DA_PASSIVE: return "10G direct attach (passive)";
	case IXGBE_SFP_DA_ACTIVE: return "10G direct attach (active, limiting)";
	case IXGBE_SFP_SR: return "10GBASE-SR";
	case IXGBE_SFP_LR: return "10GBASE-LR";
	case IXGBE_SFP_1G_SX: return "1000BASE-SX";
	case IXGBE_SFP_1G_LX: return "1000BASE-LX";
	case IXGBE_SFP_1G_CU: return "1000BASE-T";
	case IXGBE_SFP_NONE: break;
	}
	return "none";
}

/* One byte of the ID EEPROM; failures carry the I2C layer's message
 * (which byte, which address, what went wrong). */
static int rd(struct ixgbe_dev *d, uint8_t offset, uint8_t *val)
{
	return ixgbe_i2c_read_byte(d, SFF_ADDR, offset, val, I2C_TRIES);
}

/* An SFF-8472 text field: ASCII padded with blanks (some modules pad
 * with NULs: treated as blanks). */
static int rd_text(struct ixgbe_dev *d, uint8_t offset, char out[17])
{
	int rc;
	for (int i = 0; i < 16; i++) {
		uint8_t c;
		if ((rc = rd(d, (uint8_t)(offset + i), &c)))
			return rc;
		out[i] = c == 0 ? ' ' : isprint(c) ? (char)c : '?';
	}
	out[16] = 0;
	for (int i = 15; i >= 0 && out[i] == ' '; i--)
		out[i] = 0;
	return 0;
}

int ixgbe_sfp_identify(struct ixgbe_dev *d)
{
	struct ixgbe_sfp *s = &d->sfp;
	uint8_t oui[3];
	int rc;

	memset(s, 0, sizeof(*s));
	rc = ixgbe_i2c_read_byte(d, SFF_ADDR, SFF_IDENTIFIER, &s->identifier, I2C_PROBE_TRIES);
	if (rc == -ENXIO)
		return ixy_error(-ENOENT, "%s: no SFP+ module in the cage (nothing answers at I2C address 0x%02x): "
				 "plug in a module or a direct-attach cable", d->ixy.name, SFF_ADDR);
	if (rc)
		return rc;
	if (s->identifier != SFF_ID_SFP)
		return ixy_error(-EOPNOTSUPP, "%s: the module in the SFP+ cage is not an SFP/SFP+ module (SFF "
				 "identifier 0x%02x, expected 0x%02x); use an SFP+ module or direct-attach cable",
				 d->ixy.name, s->identifier, SFF_ID_SFP);
	if ((rc = rd(d, SFF_10G_COMP, &s->comp_10g)) || (rc = rd(d, SFF_1G_COMP, &s->comp_1g)) ||
	    (rc = rd(d, SFF_CABLE_TECH, &s->cable_tech)) || (rc = rd_text(d, SFF_VENDOR_NAME, s->vendor)) ||
	    (rc = rd(d, SFF_VENDOR_OUI, &oui[0])) || (rc = rd(d, SFF_VENDOR_OUI + 1, &oui[1])) ||
	    (rc = rd(d, SFF_VENDOR_OUI + 2, &oui[2])) || (rc = rd_text(d, SFF_VENDOR_PN, s->part)))
		return rc;
	s->oui = (uint32_t)oui[0] << 16 | oui[1] << 8 | oui[2];
	if ((s->cable_tech & SFF_DA_ACTIVE) && (rc = rd(d, SFF_CABLE_SPEC, &s->cable_spec)))
		return rc;

	/* the same order of precedence as Linux: cable type first, then
	 * 10G optics, then 1G */
	uint16_t init = SFP_INIT_SRLR;
	if (s->cable_tech & SFF_DA_PASSIVE) {
		s->kind = IXGBE_SFP_DA_PASSIVE;
		init = SFP_INIT_DA_CU;
	} else if (s->cable_tech & SFF_DA_ACTIVE) {
		if (s->cable_spec & SFF_DA_SPEC_LIMITING)
			s->kind = IXGBE_SFP_DA_ACTIVE;
	} else if (s->comp_10g & SFF_10G_SR) {
		s->kind = IXGBE_SFP_SR;
	} else if (s->comp_10g & SFF_10G_LR) {
		s->kind = IXGBE_SFP_LR;
	} else if (s->comp_1g & SFF_1G_T) {
		s->kind = IXGBE_SFP_1G_CU;
	} else if (s->comp_1g & SFF_1G_SX) {
		s->kind = IXGBE_SFP_1G_SX;
	} else if (s->comp_1g & SFF_1G_LX) {
		s->kind = IXGBE_SFP_1G_LX;
	}
	if (s->kind == IXGBE_SFP_NONE)
		return ixy_error(-EOPNOTSUPP, "%s: unsupported SFP+ module: vendor \"%s\", part \"%s\" (10G codes 0x%02x, "
				 "1G codes 0x%02x, cable technology 0x%02x%s); this driver runs 10G direct-attach "
				 "cables (passive, or active limiting), 10GBASE-SR/LR and 1000BASE-SX/LX/T modules",
				 d->ixy.name, s->vendor, s->part, s->comp_10g, s->comp_1g, s->cable_tech,
				 s->cable_tech & SFF_DA_ACTIVE ? ", active cable not limiting" : "");
	s->init_id = (uint16_t)(init + d->lan_id);
	s->dual_rate = ((s->comp_1g & SFF_1G_SX) && (s->comp_10g & SFF_10G_SR)) ||
		       ((s->comp_1g & SFF_1G_LX) && (s->comp_10g & SFF_10G_LR));
	s->speed_mbps = s->kind >= IXGBE_SFP_1G_SX ? 1000 : 10000;
	return 0;
}

int ixgbe_sfp_init_sequence(struct ixgbe_dev *d)
{
	uint16_t table, id, seq, w;
	uint32_t p, n;
	int rc;

	if ((rc = ixgbe_eeprom_read(d, IXGBE_EE_SFP_INIT_PTR, &table)))
		return rc;
	if (table == 0 || table == 0xFFFF)
		return ixy_error(-EIO, "%s: the EEPROM has no SFP+ init-sequence table (word 0x%02x = 0x%04x): the NVM "
				 "image does not belong to an SFP+ board", d->ixy.name, IXGBE_EE_SFP_INIT_PTR, table);
	/* (id, pointer) pairs after the table's first word; reading past
	 * the EEPROM ends the search with an error */
	for (p = (uint32_t)table + 1;; p += 2) {
		if ((rc = ixgbe_eeprom_read(d, p, &id)))
			return rc;
		if (id == IXGBE_EE_SFP_INIT_END)
			return ixy_error(-EOPNOTSUPP, "%s: the board's EEPROM has no init sequence for %s modules (table "
					 "id %u); module vendor \"%s\", part \"%s\"", d->ixy.name,
					 ixgbe_sfp_kind_name(d->sfp.kind), d->sfp.init_id, d->sfp.vendor, d->sfp.part);
		if (id == d->sfp.init_id)
			break;
	}
	if ((rc = ixgbe_eeprom_read(d, p + 1, &seq)))
		return rc;
	if (seq == 0 || seq == 0xFFFF)
		return ixy_error(-EOPNOTSUPP, "%s: the board's EEPROM disables %s modules (init-sequence pointer 0x%04x)",
				 d->ixy.name, ixgbe_sfp_kind_name(d->sfp.kind), seq);

	/* the firmware must not touch the analog core meanwhile */
	if ((rc = ixgbe_swfw_acquire(d, IXGBE_SWFW_MAC_CSR, "SFP+ init sequence")))
		return rc;
	for (n = 0, p = (uint32_t)seq + 1; n < SFP_INIT_MAX_WORDS; n++, p++) {
		if ((rc = ixgbe_eeprom_read(d, p, &w)))
			break;
		if (w == IXGBE_EE_SFP_INIT_END)
			break;
		ixgbe_write(d, IXGBE_CORECTL, w);
	}
	ixgbe_swfw_release(d, IXGBE_SWFW_MAC_CSR);
	if (rc)
		return rc;
	if (n == SFP_INIT_MAX_WORDS)
		return ixy_error(-EIO, "%s: the SFP+ init sequence at EEPROM word 0x%04x has no end marker within %u "
				 "words: the NVM image is corrupt", d->ixy.name, seq, SFP_INIT_MAX_WORDS);
	ixgbe_delay_us(d, SEMAPHORE_PAUSE_US);
	return 0;
}
