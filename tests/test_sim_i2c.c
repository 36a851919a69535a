/* The sim's I2C bus behind I2CCTL (82599: CLK_IN bit 0, CLK_OUT bit 1,
 * DATA_IN bit 2, DATA_OUT bit 3) and the SFP+ module on it (SFF-8472:
 * serial ID at 0xA0, diagnostics at 0xA2). The test is the I2C master: its
 * own bit-banging, START/STOP, acknowledge, random and sequential reads,
 * writes, the read-back check of a released data line that drivers do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ixy/error.h"
#include "ixy/sim.h"

#define R_I2CCTL 0x00028
#define CLK_IN 0x1u
#define CLK_OUT 0x2u
#define DATA_IN 0x4u
#define DATA_OUT 0x8u

struct bus {
	struct ixy_sim *s;
	uint32_t ctl;	/* what we drive */
};

static void drive(struct bus *b, bool scl, bool sda)
{
	b->ctl = (scl ? CLK_OUT : 0) | (sda ? DATA_OUT : 0);
	ixy_sim_reg_write(b->s, R_I2CCTL, b->ctl);
}

static bool sda_in(struct bus *b)
{
	return ixy_sim_reg_read(b->s, R_I2CCTL) & DATA_IN;
}

static void start(struct bus *b)
{
	bool scl = b->ctl & CLK_OUT;
	drive(b, scl, true);		/* release SDA (SCL may be low: repeated START) */
	drive(b, true, true);
	assert_true(ixy_sim_reg_read(b->s, R_I2CCTL) & CLK_IN);
	drive(b, true, false);		/* SDA falls while SCL is high */
	drive(b, false, false);
}

static void stop(struct bus *b)
{
	drive(b, false, false);
	drive(b, true, false);
	drive(b, true, true);		/* SDA rises while SCL is high */
}

static void put_bit(struct bus *b, bool bit)
{
	drive(b, false, bit);
	if (bit)	/* a released line must read back high: nobody pulls it */
		assert_true(sda_in(b));
	drive(b, true, bit);
	drive(b, false, bit);
}

static bool get_bit(struct bus *b)
{
	drive(b, false, true);		/* release SDA for the slave */
	drive(b, true, true);
	bool v = sda_in(b);
	drive(b, false, true);
	return v;
}

/* Returns true if the slave acknowledged. */
static bool put_byte(struct bus *b, uint8_t v)
{
	for (int i = 7; i >= 0; i--)
		put_bit(b, (v >> i) & 1);
	return !get_bit(b);
}

static uint8_t get_byte(struct bus *b, bool ack)
{
	uint8_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (uint8_t)(v << 1 | get_bit(b));
	put_bit(b, !ack);
	return v;
}

/* Random read of n bytes from dev at off (write offset, repeated START,
 * sequential read). Returns false when the module did not acknowledge. */
static bool i2c_read(struct bus *b, uint8_t dev, uint8_t off, uint8_t *buf, unsigned n)
{
	start(b);
	if (!put_byte(b, dev) || !put_byte(b, off)) {
		stop(b);
		return false;
	}
	start(b);
	if (!put_byte(b, dev | 1)) {
		stop(b);
		return false;
	}
	for (unsigned i = 0; i < n; i++)
		buf[i] = get_byte(b, i + 1 < n);
	stop(b);
	return true;
}

static bool i2c_write(struct bus *b, uint8_t dev, uint8_t off, const uint8_t *buf, unsigned n)
{
	start(b);
	bool ok = put_byte(b, dev) && put_byte(b, off);
	for (unsigned i = 0; ok && i < n; i++)
		ok = put_byte(b, buf[i]);
	stop(b);
	return ok;
}

static struct bus open_bus(const char *spec)
{
	struct bus b = { ixy_sim_open_spec(spec), CLK_OUT | DATA_OUT };
	if (!b.s)
		print_message("%s: %s\n", spec, ixy_last_error());
	assert_non_null(b.s);
	/* idle bus: both lines high */
	assert_int_equal(ixy_sim_reg_read(b.s, R_I2CCTL) & (CLK_IN | DATA_IN), CLK_IN | DATA_IN);
	return b;
}

static uint8_t sum8(const uint8_t *p, unsigned from, unsigned to)
{
	unsigned s = 0;
	for (unsigned i = from; i <= to; i++)
		s += p[i];
	return (uint8_t)s;
}

static void read_id(struct bus *b, uint8_t id[128])
{
	/* one sequential read of 96 bytes, then single-byte random reads of
	 * a few bytes again (the way drivers read: one byte per transaction) */
	assert_true(i2c_read(b, 0xa0, 0, id, 96));
	for (uint8_t off = 0; off < 12; off += 3) {
		uint8_t v;
		assert_true(i2c_read(b, 0xa0, off, &v, 1));
		assert_int_equal(v, id[off]);
	}
	assert_int_equal(id[63], sum8(id, 0, 62));	/* CC_BASE */
	assert_int_equal(id[95], sum8(id, 64, 94));	/* CC_EXT */
	assert_int_equal(id[0], 0x03);			/* SFP/SFP+ */
	assert_int_equal(id[37], 0x00);			/* Intel's OUI */
	assert_int_equal(id[38], 0x1b);
	assert_int_equal(id[39], 0x21);
}

static void test_da_passive(void **state)
{
	(void)state;
	struct bus b = open_bus("i2c-da,mode=stepped");	/* 0x10FB: a DA cable by default */
	uint8_t id[128];
	read_id(&b, id);
	assert_int_equal(id[8], 0x04);			/* passive cable */
	assert_int_equal(id[2], 0x21);			/* copper pigtail */
	assert_int_equal(id[3] & 0x30, 0);		/* not SR/LR optics */
	assert_memory_equal(&id[20], "Intel Corp      ", 16);
	assert_memory_equal(&id[40], "IXYSIM-DA-1M    ", 16);
	assert_int_equal(ixy_sim_violation_count(b.s), 0);
	ixy_sim_destroy(b.s);
}

static void test_other_modules(void **state)
{
	(void)state;
	uint8_t id[128];
	struct bus b = open_bus("i2c-daa,mode=stepped,sfp=da-active");
	read_id(&b, id);
	assert_int_equal(id[8], 0x08);			/* active cable */
	assert_int_equal(id[60] & 0x04, 0x04);		/* limiting */
	ixy_sim_destroy(b.s);
	b = open_bus("i2c-sr,mode=stepped,sfp=sr");
	read_id(&b, id);
	assert_int_equal(id[3], 0x10);			/* 10GBASE-SR */
	assert_int_equal(id[8], 0);
	assert_int_equal(id[6], 0);			/* no 1G codes: not dual speed */
	assert_int_equal(id[60] << 8 | id[61], 850);
	ixy_sim_destroy(b.s);
	b = open_bus("i2c-lr,mode=stepped,sfp=lr");
	read_id(&b, id);
	assert_int_equal(id[3], 0x20);			/* 10GBASE-LR */
	assert_int_equal(id[60] << 8 | id[61], 1310);
	ixy_sim_destroy(b.s);
}

/* 0xA2: the thresholds' checksum, live readings, the writable user area;
 * the serial ID page refuses writes (the data stays). */
static void test_diagnostics_and_writes(void **state)
{
	(void)state;
	struct bus b = open_bus("i2c-a2,mode=stepped");
	uint8_t d[128];
	assert_true(i2c_read(&b, 0xa2, 0, d, 106));
	assert_int_equal(d[95], sum8(d, 0, 94));	/* CC_DMI */
	int temp = (int16_t)(d[96] << 8 | d[97]);
	assert_true(temp > 0 && temp < 100 * 256);	/* a plausible temperature */
	assert_int_equal(d[98] << 8 | d[99], 33000);	/* 3.3 V in 100 uV */

	static const uint8_t user[3] = { 0xde, 0xad, 0x42 };
	assert_true(i2c_write(&b, 0xa2, 128, user, 3));
	uint8_t back[3];
	assert_true(i2c_read(&b, 0xa2, 128, back, 3));
	assert_memory_equal(back, user, 3);

	uint8_t before, after;
	assert_true(i2c_read(&b, 0xa0, 20, &before, 1));
	assert_true(i2c_write(&b, 0xa0, 20, user, 1));
	assert_true(i2c_read(&b, 0xa0, 20, &after, 1));
	assert_int_equal(after, before);
	ixy_sim_destroy(b.s);
}

/* Nobody answers at other addresses, in an empty cage, or on a backplane
 * board (no cage at all). A read abandoned mid-byte leaves the slave
 * driving SDA, so a START cannot be seen; the bus clear drivers do (nine
 * clocks with SDA released, START, STOP) brings it back. */
static void test_no_acknowledge(void **state)
{
	(void)state;
	uint8_t v;
	struct bus b = open_bus("i2c-nack,mode=stepped");
	assert_false(i2c_read(&b, 0xb0, 0, &v, 1));
	start(&b);
	assert_true(put_byte(&b, 0xa1));
	(void)get_bit(&b);
	(void)get_bit(&b);
	(void)get_bit(&b);		/* the slave now sends a 0 bit of 0x03 */
	drive(&b, false, true);
	assert_false(sda_in(&b));
	for (int i = 0; i < 9; i++)
		(void)get_bit(&b);
	start(&b);
	stop(&b);
	assert_true(i2c_read(&b, 0xa0, 0, &v, 1));
	assert_int_equal(v, 0x03);
	ixy_sim_destroy(b.s);

	b = open_bus("i2c-empty,mode=stepped,sfp=none");
	assert_false(i2c_read(&b, 0xa0, 0, &v, 1));
	ixy_sim_destroy(b.s);
	b = open_bus("i2c-bp,mode=stepped,device_id=0x10f8");
	assert_false(i2c_read(&b, 0xa0, 0, &v, 1));
	ixy_sim_destroy(b.s);
}

/* The slave holds SDA low during its acknowledge clock: a master that
 * checks the line it released sees it low there. */
static void test_ack_drives_line(void **state)
{
	(void)state;
	struct bus b = open_bus("i2c-ack,mode=stepped");
	start(&b);
	for (int i = 7; i >= 0; i--)
		put_bit(&b, (0xa0 >> i) & 1);
	drive(&b, false, true);
	assert_false(sda_in(&b));	/* acknowledge on the line before the 9th clock */
	drive(&b, true, true);
	assert_false(sda_in(&b));
	drive(&b, false, true);
	assert_true(sda_in(&b));	/* released after it */
	stop(&b);
	ixy_sim_destroy(b.s);
}

static void test_bad_option(void **state)
{
	(void)state;
	assert_null(ixy_sim_open_spec("i2c-bad,sfp=qsfp"));
	assert_non_null(strstr(ixy_last_error(), "unknown SFP+ module"));
	assert_null(ixy_sim_open_spec("i2c-bad2,device_id=0x10f8,sfp=da"));
	assert_non_null(strstr(ixy_last_error(), "has no SFP+ cage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_da_passive),
		cmocka_unit_test(test_other_modules),
		cmocka_unit_test(test_diagnostics_and_writes),
		cmocka_unit_test(test_no_acknowledge),
		cmocka_unit_test(test_ack_drives_line),
		cmocka_unit_test(test_bad_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
