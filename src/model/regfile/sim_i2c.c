/* The virtual 82599: the I2C bus behind I2CCTL and the slave on it.
 *
 * I2CCTL (0x00028 on the 82599, datasheet 8.2.3.1): software drives the
 * clock and data lines itself - CLK_OUT (bit 1) and DATA_OUT (bit 3) are
 * open-drain outputs (1 = released, pulled up) - and reads the lines back
 * in CLK_IN (bit 0) and DATA_IN (bit 2). The model computes the bus from
 * every write: SCL = CLK_OUT (the slave never stretches the clock), SDA =
 * DATA_OUT AND NOT (the slave pulls it low).
 *
 * The slave is the SFP+ module's two-wire interface (SFF-8472): device
 * addresses 0xA0 (serial ID) and 0xA2 (diagnostics), 256 bytes each with
 * an address pointer per page. It follows the bus like an I2C device:
 * START (SDA falls while SCL is high) and STOP (SDA rises while SCL is
 * high) at any time; bits are sampled on SCL's rising edge and the slave
 * changes SDA only while SCL is low (after a falling edge); after each
 * byte it receives it pulls SDA low for the acknowledge clock; it sends
 * bytes MSB first and stops sending when the host does not acknowledge.
 * Transactions: write (address, offset [, data...]) sets the pointer and
 * writes, read (address|1, data...) reads sequentially from the pointer,
 * a random read is a write of the offset, a repeated START and a read. An
 * empty cage (sfp=none, backplane boards) has no slave: nothing ever
 * acknowledges.
 */
#include "model/sim_internal.h"

enum {
	I2C_IDLE,	/* waiting for START */
	I2C_RX,		/* receiving a byte from the host */
	I2C_ACK_OUT,	/* our acknowledge clock */
	I2C_TX,		/* sending a byte to the host */
	I2C_ACK_IN,	/* the host's acknowledge clock */
};

#define PAGE(dev)	((dev) == 0xa2 ? 1 : 0)

void sim_i2c_reset(struct ixy_sim *sim)
{
	struct sim_i2c *b = &sim->i2c;
	b->scl = b->sda_m = true;
	b->sda_s = false;
	b->state = I2C_IDLE;
	b->bits = 0;
}

static bool sda(const struct sim_i2c *b)
{
	return b->sda_m && !b->sda_s;
}

/* Writable module bytes: 0xA2's soft TX disable (byte 110 bit 6), page
 * select (127) and user EEPROM (128-247); the serial ID is read-only. */
static void store(struct sim_i2c *b, uint8_t page, uint8_t at, uint8_t v)
{
	if (page != 1)
		return;
	if (at == 110)
		b->mem[1][110] = (uint8_t)((b->mem[1][110] & ~0x40u) | (v & 0x40u));
	else if (at == 127 || (at >= 128 && at <= 247))
		b->mem[1][at] = v;
}

static void load_tx(struct sim_i2c *b)
{
	uint8_t p = PAGE(b->dev);
	b->shift = b->mem[p][b->ptr[p]++];	/* the pointer wraps at 256 */
	b->bits = 0;
	b->sda_s = !(b->shift & 0x80);
	b->state = I2C_TX;
}

/* A whole byte came in (on the falling edge after its 8th bit). */
static void byte_received(struct ixy_sim *sim, struct sim_i2c *b)
{
	uint8_t v = b->shift;
	if (b->dev == 0) {			/* the address byte */
		uint8_t dev = v & 0xfe;
		if (!sim_sfp_present(sim) || (dev != 0xa0 && dev != 0xa2)) {
			b->state = I2C_IDLE;	/* not ours: no acknowledge */
			return;
		}
		b->dev = dev;
		b->dir_read = v & 1;
		b->have_offset = false;
		b->transactions++;
	} else if (!b->have_offset) {		/* a write's first data byte: the offset */
		b->ptr[PAGE(b->dev)] = v;
		b->have_offset = true;
	} else {
		uint8_t p = PAGE(b->dev);
		store(b, p, b->ptr[p]++, v);
	}
	b->sda_s = true;			/* acknowledge */
	b->state = I2C_ACK_OUT;
}

static void scl_rise(struct sim_i2c *b)
{
	switch (b->state) {
	case I2C_RX:
		b->shift = (uint8_t)(b->shift << 1 | sda(b));
		b->bits++;
		break;
	case I2C_ACK_IN:
		b->ack_in = sda(b);		/* 0 = the host wants more */
		break;
	}
}

static void scl_fall(struct ixy_sim *sim, struct sim_i2c *b)
{
	switch (b->state) {
	case I2C_RX:
		if (b->bits == 8)
			byte_received(sim, b);
		break;
	case I2C_ACK_OUT:
		b->sda_s = false;
		if (b->dir_read) {
			load_tx(b);
		} else {
			b->state = I2C_RX;
			b->bits = 0;
			b->shift = 0;
		}
		break;
	case I2C_TX:
		if (++b->bits < 8) {
			b->sda_s = !((b->shift << b->bits) & 0x80);
		} else {
			b->sda_s = false;	/* release for the host's acknowledge */
			b->state = I2C_ACK_IN;
		}
		break;
	case I2C_ACK_IN:
		if (b->ack_in == 0)
			load_tx(b);
		else
			b->state = I2C_IDLE;	/* not acknowledged: done until STOP/START */
		break;
	}
}

bool sim_i2c_read(struct ixy_sim *sim, uint32_t off, uint32_t *v)
{
	if (off != SIM_I2CCTL)
		return false;
	const struct sim_i2c *b = &sim->i2c;
	*v = (b->scl ? SIM_I2C_CLK_OUT | SIM_I2C_CLK_IN : 0) | (b->sda_m ? SIM_I2C_DATA_OUT : 0) |
	     (sda(b) ? SIM_I2C_DATA_IN : 0);
	return true;
}

bool sim_i2c_write(struct ixy_sim *sim, uint32_t off, uint32_t val)
{
	if (off != SIM_I2CCTL)
		return false;
	struct sim_i2c *b = &sim->i2c;
	bool scl = val & SIM_I2C_CLK_OUT, old_sda = sda(b);
	b->sda_m = val & SIM_I2C_DATA_OUT;
	bool new_sda = sda(b);
	if (b->scl && scl && old_sda != new_sda) {
		/* SDA moved while SCL is high: a bus condition */
		b->sda_s = false;
		b->bits = 0;
		b->shift = 0;
		b->dev = 0;
		b->state = new_sda ? I2C_IDLE : I2C_RX;	/* STOP : (repeated) START */
	}
	if (scl != b->scl) {
		b->scl = scl;
		if (scl)
			scl_rise(b);
		else
			scl_fall(sim, b);
	}
	return true;
}
