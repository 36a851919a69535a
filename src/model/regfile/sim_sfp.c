/* The virtual 82599: the SFP+ module in the cage, as its EEPROM shows it.
 *
 * SFF-8472 (with SFF-8431 for SFP+): the serial ID page at I2C address
 * 0xA0 - identifier, connector, compliance codes, cable technology, vendor
 * name/OUI/part number, the two checksums CC_BASE (byte 63: bytes 0-62)
 * and CC_EXT (byte 95: bytes 64-94) - and the diagnostics page at 0xA2 -
 * thresholds, CC_DMI (byte 95: bytes 0-94), live readings in 96-105,
 * status/control in 110, user EEPROM in 128-247. Every module carries
 * Intel's OUI (00-1B-21): drivers refuse optics of other vendors unless
 * told otherwise (Linux: allow_unsupported_sfp), DA cables of any vendor
 * are accepted.
 */
#include <errno.h>
#include <string.h>

#include "error.h"
#include "model/sim_internal.h"

/* A0 (serial ID) byte offsets, SFF-8472 table 4-1 */
#define A0_IDENTIFIER		0
#define A0_EXT_IDENTIFIER	1
#define A0_CONNECTOR		2
#define A0_10G_COMPLIANCE	3	/* 7 ER, 6 LRM, 5 LR, 4 SR */
#define A0_1G_COMPLIANCE	6
#define A0_CABLE_TECH		8	/* SFP+ cable technology: 2 passive, 3 active */
#define A0_ENCODING		11
#define A0_BR_NOMINAL		12	/* units of 100 MBd */
#define A0_LEN_OM2		16
#define A0_LEN_COPPER		18	/* metres */
#define A0_VENDOR_NAME		20	/* 16 ASCII, space padded */
#define A0_VENDOR_OUI		37
#define A0_VENDOR_PN		40	/* 16 ASCII */
#define A0_VENDOR_REV		56	/* 4 ASCII */
#define A0_WAVELENGTH		60	/* optics: nm, big endian; cables: compliance bits */
#define A0_CC_BASE		63
#define A0_OPTIONS		64
#define A0_VENDOR_SN		68	/* 16 ASCII */
#define A0_DATE_CODE		84	/* 8 ASCII: YYMMDD + lot */
#define A0_DIAG_TYPE		92	/* 6 DDM implemented, 5 internally calibrated */
#define A0_ENHANCED_OPTIONS	93
#define A0_SFF8472_COMP		94
#define A0_CC_EXT		95

#define A2_CC_DMI		95
#define A2_STATUS_CONTROL	110

#define CONNECTOR_LC		0x07
#define CONNECTOR_COPPER_PIGTAIL 0x21

static void put_str(uint8_t *p, const char *s, unsigned n)
{
	size_t len = strlen(s);
	for (unsigned i = 0; i < n; i++)
		p[i] = i < len ? (uint8_t)s[i] : ' ';
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint8_t sum8(const uint8_t *p, unsigned from, unsigned to)
{
	unsigned s = 0;
	for (unsigned i = from; i <= to; i++)
		s += p[i];
	return (uint8_t)s;
}

bool sim_sfp_present(const struct ixy_sim *sim)
{
	return sim->media == SIM_MEDIA_SFP && sim->sfp != IXY_SIM_SFP_NONE;
}

static void load_a0(uint8_t *a0, enum ixy_sim_sfp type)
{
	memset(a0, 0, 256);
	a0[A0_IDENTIFIER] = 0x03;		/* SFP/SFP+ */
	a0[A0_EXT_IDENTIFIER] = 0x04;		/* function defined by the serial ID only */
	a0[A0_ENCODING] = 0x06;			/* 64B/66B */
	a0[A0_BR_NOMINAL] = 0x67;		/* 10.3 GBd */
	put_str(&a0[A0_VENDOR_NAME], "Intel Corp", 16);
	a0[A0_VENDOR_OUI] = 0x00;
	a0[A0_VENDOR_OUI + 1] = 0x1b;
	a0[A0_VENDOR_OUI + 2] = 0x21;
	put_str(&a0[A0_VENDOR_REV], "A", 4);
	put_str(&a0[A0_VENDOR_SN], "IXYSIM00000001", 16);
	put_str(&a0[A0_DATE_CODE], "261202", 8);
	a0[A0_DIAG_TYPE] = 0x60;		/* diagnostics at 0xA2, internally calibrated */
	a0[A0_SFF8472_COMP] = 0x05;		/* SFF-8472 rev 11.0 */

	switch (type) {
	case IXY_SIM_SFP_DA:
		a0[A0_CONNECTOR] = CONNECTOR_COPPER_PIGTAIL;
		a0[A0_CABLE_TECH] = 0x04;	/* passive cable */
		a0[A0_LEN_COPPER] = 1;
		a0[A0_WAVELENGTH] = 0x01;	/* SFF-8431 appendix E (passive) compliant */
		put_str(&a0[A0_VENDOR_PN], "IXYSIM-DA-1M", 16);
		break;
	case IXY_SIM_SFP_DA_ACTIVE:
		a0[A0_CONNECTOR] = CONNECTOR_COPPER_PIGTAIL;
		a0[A0_CABLE_TECH] = 0x08;	/* active cable */
		a0[A0_LEN_COPPER] = 5;
		a0[A0_WAVELENGTH] = 0x04;	/* SFF-8431 limiting */
		put_str(&a0[A0_VENDOR_PN], "IXYSIM-DAA-5M", 16);
		break;
	case IXY_SIM_SFP_SR:
		a0[A0_CONNECTOR] = CONNECTOR_LC;
		a0[A0_10G_COMPLIANCE] = 0x10;	/* 10GBASE-SR */
		a0[A0_LEN_OM2] = 8;		/* 80 m */
		put_be16(&a0[A0_WAVELENGTH], 850);
		a0[A0_OPTIONS + 1] = 0x1a;	/* RX_LOS, TX_FAULT, TX_DISABLE */
		put_str(&a0[A0_VENDOR_PN], "IXYSIM-SR", 16);
		break;
	case IXY_SIM_SFP_LR:
		a0[A0_CONNECTOR] = CONNECTOR_LC;
		a0[A0_10G_COMPLIANCE] = 0x20;	/* 10GBASE-LR */
		a0[14] = 10;			/* 10 km single mode */
		put_be16(&a0[A0_WAVELENGTH], 1310);
		a0[A0_OPTIONS + 1] = 0x1a;
		put_str(&a0[A0_VENDOR_PN], "IXYSIM-LR", 16);
		break;
	default:
		break;
	}
	a0[A0_CC_BASE] = sum8(a0, 0, 62);
	a0[A0_CC_EXT] = sum8(a0, 64, 94);
}

static void load_a2(uint8_t *a2)
{
	memset(a2, 0, 256);
	/* alarm/warning thresholds, high/low alarm then high/low warning:
	 * temperature (1/256 degC), Vcc (100 uV), TX bias (2 uA), TX power
	 * and RX power (0.1 uW) */
	static const uint16_t thr[5][4] = {
		{ 75 * 256, (uint16_t)(-5 * 256), 70 * 256, 0 },
		{ 36000, 30000, 35000, 31000 },
		{ 6000, 500, 5500, 1000 },
		{ 10000, 1000, 8000, 1500 },
		{ 10000, 100, 8000, 200 },
	};
	for (unsigned i = 0; i < 5; i++)
		for (unsigned j = 0; j < 4; j++)
			put_be16(&a2[8 * i + 2 * j], thr[i][j]);
	a2[A2_CC_DMI] = sum8(a2, 0, 94);
	put_be16(&a2[96], 35 * 256 + 128);	/* 35.5 degC */
	put_be16(&a2[98], 33000);		/* 3.3 V */
	put_be16(&a2[100], 3000);		/* 6 mA */
	put_be16(&a2[102], 5000);		/* 0.5 mW */
	put_be16(&a2[104], 4000);		/* 0.4 mW */
}

void sim_sfp_load(struct ixy_sim *sim)
{
	load_a0(sim->i2c.mem[0], sim->sfp);
	load_a2(sim->i2c.mem[1]);
}

int ixy_sim_set_sfp(struct ixy_sim *sim, enum ixy_sim_sfp type)
{
	if (!sim)
		return ixy_error(-EINVAL, "ixy_sim_set_sfp: no port given");
	if (sim->media != SIM_MEDIA_SFP)
		return ixy_error(-EINVAL, "sim %s: device 0x%04x has no SFP+ cage to plug a module into", sim->name,
				 sim->cfg.device_id);
	if (type <= IXY_SIM_SFP_DEFAULT || type > IXY_SIM_SFP_LR)
		return ixy_error(-EINVAL, "sim %s: ixy_sim_set_sfp: unknown module type %d (NONE, DA, DA_ACTIVE, SR "
				 "or LR)", sim->name, (int)type);
	sim_lock(sim);
	uint64_t now = sim_now_ns();
	bool was = sim_sfp_present(sim);
	sim->sfp = type;
	sim_sfp_load(sim);
	/* a transaction on the bus dies with the module */
	sim->i2c.state = 0;
	sim->i2c.sda_s = false;
	sim->i2c.ptr[0] = sim->i2c.ptr[1] = 0;
	bool now_in = sim_sfp_present(sim);
	if (now_in != was && (sim->irq.gpie & SIM_GPIE_SDP2_GPIEN))
		sim_raise_eicr(sim, SIM_EICR_GPI_SDP2);	/* the presence pin moved */
	if (now_in)
		sim->an_start_ns = now;		/* a new cable: the link trains */
	sim_link_update(sim, now);
	sim_unlock(sim);
	return 0;
}
