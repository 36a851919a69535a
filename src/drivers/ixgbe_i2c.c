/* The SFP+ module's management bus: I2C (two-wire, 100 kHz standard mode)
 * driven bit by bit through I2CCTL, as the 82599 offers it.
 *
 * SCL and SDA are open drain: writing CLK_OUT/DATA_OUT = 1 releases the
 * line, 0 pulls it low, and CLK_IN/DATA_IN read the line itself, so a
 * device can hold SCL low to stretch the clock and pulls SDA low to
 * acknowledge or to send a 0. The delays are the minimum times of the I2C
 * standard mode (clock low 4.7 us, high 4.0 us, start set-up 4.7 us and
 * hold 4.0 us, stop set-up 4.0 us, bus free 4.7 us), rounded up; edges get
 * 1 us to rise or fall.
 *
 * A byte read is one complete transaction, as every driver does it on this
 * bus: START, address+W, offset, repeated START, address+R, the byte, NACK,
 * STOP. The port's PHY semaphore (SW_FW_SYNC PHY0/PHY1) is held for each
 * transaction: the manageability firmware reads the module too. */
#include <errno.h>

#include "drivers/ixgbe.h"
#include "error.h"

#define T_LOW     5u   /* SCL low */
#define T_HIGH    4u   /* SCL high */
#define T_SU_STA  5u   /* SDA high -> START */
#define T_HD_STA  4u   /* START -> first SCL low */
#define T_SU_STO  4u   /* SCL high -> STOP */
#define T_BUF     5u   /* STOP -> next START */
#define T_EDGE    1u   /* rise or fall of one line, data set-up */
#define STRETCH_MAX_US 500u  /* longest clock stretching we accept */
#define ACK_POLLS 10u
#define RETRY_PAUSE_US 100000u  /* between tries: let the firmware use the bus */

struct bus {
	struct ixgbe_dev *d;
	uint32_t ctl;   /* what we drive: the last value written to I2CCTL */
};

static void drive(struct bus *b)
{
	ixgbe_write(b->d, IXGBE_I2CCTL, b->ctl);
}

static bool sda_in(struct bus *b)
{
	return ixgbe_read(b->d, IXGBE_I2CCTL) & IXGBE_I2CCTL_DATA_IN;
}

/* Release SCL and wait until it is really high (a device may stretch). */
static int scl_high(struct bus *b)
{
	b->ctl |= IXGBE_I2CCTL_CLK_OUT;
	drive(b);
	for (uint32_t waited = 0; waited <= STRETCH_MAX_US; waited += T_EDGE) {
		ixgbe_spin_us(T_EDGE);
		if (ixgbe_read(b->d, IXGBE_I2CCTL) & IXGBE_I2CCTL_CLK_IN)
			return 0;
		if (b->d->gone)
			return -ENODEV;
	}
	return -EIO;  /* SCL held low */
}

static void scl_low(struct bus *b)
{
	b->ctl &= ~IXGBE_I2CCTL_CLK_OUT;
	drive(b);
	ixgbe_spin_us(T_EDGE);
}

/* Set SDA while SCL is low. A released SDA that reads low means some
 * device holds it: the bus is stuck (or another master talks). */
static int sda_set(struct bus *b, bool one)
{
	if (one)
		b->ctl |= IXGBE_I2CCTL_DATA_OUT;
	else
		b->ctl &= ~IXGBE_I2CCTL_DATA_OUT;
	drive(b);
	ixgbe_spin_us(3 * T_EDGE);  /* rise/fall, then data set-up */
	if (one && !sda_in(b))
		return -EIO;
	return 0;
}

static int start(struct bus *b)
{
	int rc;
	/* SDA falls while SCL is high; both start high (a repeated START
	 * comes here with SCL low after an ACK) */
	if ((rc = sda_set(b, 1)) || (rc = scl_high(b)))
		return rc;
	ixgbe_spin_us(T_SU_STA);
	if ((rc = sda_set(b, 0)))
		return rc;
	ixgbe_spin_us(T_HD_STA);
	scl_low(b);
	ixgbe_spin_us(T_LOW);
	return 0;
}

static int stop(struct bus *b)
{
	int rc;
	/* SDA rises while SCL is high */
	if ((rc = sda_set(b, 0)) || (rc = scl_high(b)))
		return rc;
	ixgbe_spin_us(T_SU_STO);
	if ((rc = sda_set(b, 1)))
		return rc;
	ixgbe_spin_us(T_BUF);
	return 0;
}

static int write_bit(struct bus *b, bool one)
{
	int rc;
	if ((rc = sda_set(b, one)) || (rc = scl_high(b)))
		return rc;
	ixgbe_spin_us(T_HIGH);
	scl_low(b);
	ixgbe_spin_us(T_LOW);
	return 0;
}

/* SDA must be released (DATA_OUT = 1) before: the device drives it. */
static int read_bit(struct bus *b, bool *one)
{
	int rc;
	if ((rc = scl_high(b)))
		return rc;
	ixgbe_spin_us(T_HIGH);
	*one = sda_in(b);
	scl_low(b);
	ixgbe_spin_us(T_LOW);
	return 0;
}

/* Eight bits MSB first, then release SDA for the device's ACK. */
static int write_byte(struct bus *b, uint8_t v)
{
	int rc;
	for (int i = 7; i >= 0; i--)
		if ((rc = write_bit(b, (v >> i) & 1)))
			return rc;
	b->ctl |= IXGBE_I2CCTL_DATA_OUT;
	drive(b);
	return 0;
}

/* The ninth clock: the device pulls SDA low to acknowledge. -ENXIO if it
 * does not (NACK: nobody at that address, or the offset refused). */
static int get_ack(struct bus *b)
{
	bool ack = false;
	int rc;
	if ((rc = scl_high(b)))
		return rc;
	ixgbe_spin_us(T_HIGH);
	for (uint32_t i = 0; i < ACK_POLLS && !ack; i++) {
		ack = !sda_in(b);
		if (!ack)
			ixgbe_spin_us(T_EDGE);
	}
	scl_low(b);
	ixgbe_spin_us(T_LOW);
	return ack ? 0 : -ENXIO;
}

static int read_byte(struct bus *b, uint8_t *v)
{
	bool one;
	int rc;
	*v = 0;
	for (int i = 7; i >= 0; i--) {
		if ((rc = read_bit(b, &one)))
			return rc;
		*v |= (uint8_t)(one << i);
	}
	return 0;
}

/* After an error a device may still drive SDA low in the middle of a
 * byte: nine clocks with SDA released let it finish, then START + STOP
 * put every device back to idle. Errors here change nothing. */
static void bus_clear(struct bus *b)
{
	(void)start(b);
	b->ctl |= IXGBE_I2CCTL_DATA_OUT;
	drive(b);
	for (int i = 0; i < 9; i++) {
		(void)scl_high(b);
		ixgbe_spin_us(T_HIGH);
		scl_low(b);
		ixgbe_spin_us(T_LOW);
	}
	(void)start(b);
	(void)stop(b);
}

static int read_once(struct bus *b, uint8_t dev_addr, uint8_t offset, uint8_t *val)
{
	int rc;
	if ((rc = start(b)) || (rc = write_byte(b, dev_addr)) || (rc = get_ack(b)))
		return rc;
	/* from here on a NACK is not "nobody there" but a refusal */
	if ((rc = write_byte(b, offset)) || (rc = get_ack(b)) || (rc = start(b)) ||
	    (rc = write_byte(b, dev_addr | 1)) || (rc = get_ack(b)) || (rc = read_byte(b, val)) ||
	    (rc = write_bit(b, 1)) /* NACK: the last byte we want */ || (rc = stop(b)))
		return rc == -ENXIO ? -EIO : rc;
	return 0;
}

static int write_once(struct bus *b, uint8_t dev_addr, uint8_t offset, uint8_t val)
{
	int rc;
	if ((rc = start(b)) || (rc = write_byte(b, dev_addr)) || (rc = get_ack(b)))
		return rc;
	if ((rc = write_byte(b, offset)) || (rc = get_ack(b)) || (rc = write_byte(b, val)) || (rc = get_ack(b)) ||
	    (rc = stop(b)))
		return rc == -ENXIO ? -EIO : rc;
	return 0;
}

static int transfer(struct ixgbe_dev *d, bool write, uint8_t dev_addr, uint8_t offset, uint8_t *val, unsigned tries)
{
	struct bus b = { .d = d };
	uint32_t sem = ixgbe_swfw_phy(d);
	int rc = -EIO;

	if (tries == 0)
		tries = 1;
	for (unsigned t = 0; t < tries; t++) {
		if (t)
			ixgbe_delay_us(d, RETRY_PAUSE_US);
		if ((rc = ixgbe_swfw_acquire(d, sem, "SFP+ I2C bus")))
			return rc;
		/* Start from what the register holds, our outputs released.
		 * A byte is ~250 I2CCTL accesses: the trace shows the
		 * transaction's last write only, as it shows a wait's last
		 * poll. */
		bool trace = d->trace;
		d->trace = false;
		b.ctl = ixgbe_read(d, IXGBE_I2CCTL) | IXGBE_I2CCTL_CLK_OUT | IXGBE_I2CCTL_DATA_OUT;
		rc = write ? write_once(&b, dev_addr, offset, *val) : read_once(&b, dev_addr, offset, val);
		if (rc && rc != -ENODEV)
			bus_clear(&b);
		d->trace = trace;
		if (trace)
			ixgbe_trace(d, true, IXGBE_I2CCTL, b.ctl);
		ixgbe_swfw_release(d, sem);
		if (rc == 0 || rc == -ENODEV)
			break;
	}
	if (rc == -ENODEV || d->gone)
		return ixy_error(-ENODEV, "%s: I2CCTL reads all ones: the device is gone", d->ixy.name);
	if (rc == -ENXIO)
		return ixy_error(-ENXIO, "%s: SFP+ I2C: no device answers at address 0x%02x (%u tries)", d->ixy.name,
				 dev_addr, tries);
	if (rc)
		return ixy_error(rc, "%s: SFP+ I2C: %s of byte %u at address 0x%02x failed after %u tries: the bus "
				 "is stuck (a line held low) or the module does not follow the protocol; reseat the "
				 "module", d->ixy.name, write ? "write" : "read", offset, dev_addr, tries);
	return 0;
}

int ixgbe_i2c_read_byte(struct ixgbe_dev *d, uint8_t dev_addr, uint8_t offset, uint8_t *val, unsigned tries)
{
	return transfer(d, false, dev_addr, offset, val, tries);
}

int ixgbe_i2c_write_byte(struct ixgbe_dev *d, uint8_t dev_addr, uint8_t offset, uint8_t val, unsigned tries)
{
	return transfer(d, true, dev_addr, offset, &val, tries);
}
