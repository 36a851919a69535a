/* The virtual 82599: the EEPROM's SPI side, as software bit-bangs it.
 *
 * With EEC.EE_REQ granted (EE_GNT) software drives the EEPROM's pins
 * itself (8.2.3.2.1): SK clock, CS chip select (active low: CS = 1
 * deselects), DI into the EEPROM, and reads DO back. The 82599 drivers use
 * EERD for reads, but Linux writes the 82599's EEPROM this way (its
 * checksum update too), so the model has the SPI serial EEPROM behind the
 * pins: mode 0 (DI sampled on SK rising, DO changes after SK falls),
 * commands RDSR 0x05 (status: bit 0 busy - never, bit 1 write enabled),
 * WREN 0x06, WRDI 0x04, READ 0x03 and WRITE 0x02 with a 16-bit byte
 * address (EEC.ADDR_SIZE = 1), reading or writing on sequentially while CS
 * stays low; a write needs WREN first and ends the write enable when CS
 * rises. Byte 2n is the low byte of word n. Writes complete at once and do
 * not wrap at a page (a driver measuring the page size finds 128 words). */
#include "model/sim_internal.h"

enum {
	SPI_OPCODE,
	SPI_ADDR,
	SPI_IN,		/* data into the EEPROM */
	SPI_OUT,	/* data or status out */
	SPI_IGNORE,	/* until CS rises */
};

#define OP_WRSR		0x01
#define OP_WRITE	0x02
#define OP_READ		0x03
#define OP_WRDI		0x04
#define OP_RDSR		0x05
#define OP_WREN		0x06
#define OP_A8		0x08	/* 9th address bit in the opcode (8-bit addressing only) */

#define ADDR_BITS	16

void sim_spi_reset(struct ixy_sim *sim)
{
	struct sim_spi *p = &sim->spi;
	uint64_t written = p->bytes_written;
	struct sim_spi zero = { 0 };
	*p = zero;
	p->cs = true;
	p->bytes_written = written;
}

static uint8_t byte_at(const struct ixy_sim *sim, uint32_t addr)
{
	uint32_t w = (addr / 2) % SIM_EEPROM_WORDS;
	return (addr & 1) ? (uint8_t)(sim->eeprom[w] >> 8) : (uint8_t)sim->eeprom[w];
}

static void out_byte(struct sim_spi *p, uint8_t v)
{
	p->out = v;
	p->out_bit = 7;
	p->out_clocked = false;
	p->dout = v & 0x80;
	p->phase = SPI_OUT;
}

static void next_out(struct ixy_sim *sim, struct sim_spi *p)
{
	if (p->out_bit > 0) {
		p->out_bit--;
		p->dout = (p->out >> p->out_bit) & 1;
		return;
	}
	if (p->opcode == OP_RDSR) {
		out_byte(p, (uint8_t)(p->wel ? 0x02 : 0));	/* status again */
	} else {
		p->addr++;
		out_byte(p, byte_at(sim, p->addr));
	}
}

/* A bit came in on SK rising. */
static void bit_in(struct ixy_sim *sim, struct sim_spi *p, bool di)
{
	p->shift = p->shift << 1 | di;
	p->nbits++;
	switch (p->phase) {
	case SPI_OPCODE:
		if (p->nbits < 8)
			return;
		p->opcode = (uint8_t)(p->shift & ~OP_A8);
		p->nbits = 0;
		p->shift = 0;
		switch (p->opcode) {
		case OP_RDSR:
			out_byte(p, (uint8_t)(p->wel ? 0x02 : 0));
			break;
		case OP_WREN:
			p->wel = true;
			p->phase = SPI_IGNORE;
			break;
		case OP_WRDI:
			p->wel = false;
			p->phase = SPI_IGNORE;
			break;
		case OP_READ:
		case OP_WRITE:
			p->phase = SPI_ADDR;
			break;
		default:	/* WRSR and unknown commands: nothing to do */
			p->phase = SPI_IGNORE;
			break;
		}
		return;
	case SPI_ADDR:
		if (p->nbits < ADDR_BITS)
			return;
		p->addr = p->shift & 0xffff;
		p->nbits = 0;
		p->shift = 0;
		if (p->opcode == OP_READ)
			out_byte(p, byte_at(sim, p->addr));
		else
			p->phase = SPI_IN;
		return;
	case SPI_IN:
		if (p->nbits < 8)
			return;
		if (p->wel) {
			uint32_t w = (p->addr / 2) % SIM_EEPROM_WORDS;
			uint16_t v = sim->eeprom[w];
			sim->eeprom[w] = (p->addr & 1) ? (uint16_t)((v & 0x00ff) | (p->shift & 0xff) << 8)
						      : (uint16_t)((v & 0xff00) | (p->shift & 0xff));
			p->bytes_written++;
		}
		p->addr++;
		p->nbits = 0;
		p->shift = 0;
		return;
	case SPI_OUT:
		p->out_clocked = true;	/* the host samples DO now */
		return;
	}
}

void sim_spi_pins(struct ixy_sim *sim, uint32_t eec)
{
	struct sim_spi *p = &sim->spi;
	bool sk = eec & SIM_EEC_SK, cs = eec & SIM_EEC_CS, di = eec & SIM_EEC_DI;
	if (cs != p->cs) {
		p->cs = cs;
		if (!cs) {		/* selected: a new command */
			p->selected = true;
			p->phase = SPI_OPCODE;
			p->nbits = 0;
			p->shift = 0;
			p->dout = false;
		} else {		/* deselected: a write cycle ends the write enable */
			if (p->selected && p->opcode == OP_WRITE && p->phase == SPI_IN)
				p->wel = false;
			p->selected = false;
			p->opcode = 0;
			p->dout = false;
		}
	}
	if (sk != p->sk) {
		p->sk = sk;
		if (!p->selected)
			return;
		if (sk)
			bit_in(sim, p, di);
		else if (p->phase == SPI_OUT && p->out_clocked) {
			p->out_clocked = false;
			next_out(sim, p);
		}
	}
}

bool sim_spi_do(const struct ixy_sim *sim)
{
	return sim->spi.selected && sim->spi.phase == SPI_OUT && sim->spi.dout;
}
