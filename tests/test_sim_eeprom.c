/* The sim's EEPROM behind EEC/EERD/EEWR (82599 datasheet 8.2.3.2 and the
 * NVM map of chapter 6): the checksum a driver computes over the image,
 * the address in RAL0/RAH0 against the image, the PBA string, the SFP
 * init-sequence table and the firmware version a driver follows, writes
 * through EEWR with the checksum update a driver does, and the reload of
 * the address after a reset.
 *
 * The checksum rule is written here independently of the model: words
 * 0x00-0x3E, plus for each pointer word 0x03-0x0E that is neither 0 nor
 * 0xFFFF the words after the section's length word (length 0 or 0xFFFF:
 * nothing), plus the check word 0x3F must add up to 0xBABA (16 bits). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "ixy/error.h"
#include "ixy/sim.h"

#define R_CTRL 0x00000
#define R_RAL0 0x0a200
#define R_RAH0 0x0a204
#define R_AUTOC 0x042a0
#define R_EEC 0x10010
#define R_EERD 0x10014
#define R_EEWR 0x10018

static void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* EERD as a driver uses it: (word << 2) | START, poll DONE (bit 1), data
 * in 31:16. Returns -1 when DONE never comes. */
static int ee_read(struct ixy_sim *s, unsigned word)
{
	ixy_sim_reg_write(s, R_EERD, word << 2 | 1u);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = ixy_sim_reg_read(s, R_EERD);
		if (v & 2u)
			return (int)(v >> 16);
	}
	return -1;
}

static void ee_write(struct ixy_sim *s, unsigned word, uint16_t data)
{
	assert_true(ixy_sim_reg_read(s, R_EEWR) & 2u);	/* idle before */
	ixy_sim_reg_write(s, R_EEWR, (uint32_t)data << 16 | word << 2 | 1u);
	assert_true(ixy_sim_reg_read(s, R_EEWR) & 2u);	/* done after */
}

static unsigned ee_words(struct ixy_sim *s)
{
	uint32_t eec = ixy_sim_reg_read(s, R_EEC);
	return 1u << (((eec >> 11) & 0xf) + 6);
}

struct sum {
	uint16_t sum;		/* everything but word 0x3F */
	unsigned sections;	/* pointers followed into a non-empty section */
	unsigned section_words;
	unsigned skipped;	/* 0 / 0xFFFF pointers or empty sections */
};

static struct sum ee_sum(struct ixy_sim *s)
{
	struct sum r = { 0 };
	unsigned n = ee_words(s);
	for (unsigned i = 0; i < 0x3f; i++) {
		int w = ee_read(s, i);
		assert_true(w >= 0);
		r.sum = (uint16_t)(r.sum + w);
	}
	for (unsigned p = 0x03; p <= 0x0e; p++) {
		int ptr = ee_read(s, p);
		if (ptr == 0 || ptr == 0xffff) {
			r.skipped++;
			continue;
		}
		assert_true((unsigned)ptr < n);
		int len = ee_read(s, (unsigned)ptr);
		if (len == 0 || len == 0xffff) {
			r.skipped++;
			continue;
		}
		r.sections++;
		for (int j = ptr + 1; j <= ptr + len; j++) {
			r.sum = (uint16_t)(r.sum + ee_read(s, (unsigned)j));
			r.section_words++;
		}
	}
	return r;
}

static struct ixy_sim *port(const char *spec)
{
	struct ixy_sim *s = ixy_sim_open_spec(spec);
	if (!s)
		print_message("%s: %s\n", spec, ixy_last_error());
	assert_non_null(s);
	return s;
}

static void test_eec(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-eec,mode=stepped");
	uint32_t eec = ixy_sim_reg_read(s, R_EEC);
	assert_true(eec & (1u << 8));	/* PRES: EERD can be used */
	assert_true(eec & (1u << 9));	/* ARD after power-on */
	assert_int_equal(ee_words(s), 8192);
	/* bit-bang request: the grant follows */
	ixy_sim_reg_write(s, R_EEC, eec | (1u << 6));
	assert_true(ixy_sim_reg_read(s, R_EEC) & (1u << 7));
	ixy_sim_reg_write(s, R_EEC, eec & ~(1u << 6));
	assert_int_equal(ixy_sim_reg_read(s, R_EEC) & (3u << 6), 0);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

static void check_checksum(const char *spec)
{
	struct ixy_sim *s = port(spec);
	struct sum r = ee_sum(s);
	int check = ee_read(s, 0x3f);
	assert_true(check >= 0);
	assert_int_equal((uint16_t)(r.sum + check), 0xbaba);
	/* the image really has sections the sum follows, and pointers it skips */
	assert_true(r.sections >= 4);
	assert_true(r.section_words >= 0x24);
	assert_true(r.skipped >= 1);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

static void test_checksum(void **state)
{
	(void)state;
	check_checksum("ee-sum-sfp,mode=stepped");
	check_checksum("ee-sum-bp,mode=stepped,device_id=0x10f8");
	/* the X540/X550 sum by other rules: tests/test_sim_x540.c */
}

/* RAL0/RAH0 after reset hold what the EEPROM's LAN core 0 section says. */
static void test_mac_matches_eeprom(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-mac,mode=stepped,mac=00:1b:21:aa:bb:cc");
	int core0 = ee_read(s, 0x09);
	assert_true(core0 > 0x3f && core0 < 0xffff);
	assert_true(ee_read(s, (unsigned)core0) >= 3);
	uint32_t w1 = (uint32_t)ee_read(s, (unsigned)core0 + 1), w2 = (uint32_t)ee_read(s, (unsigned)core0 + 2),
		 w3 = (uint32_t)ee_read(s, (unsigned)core0 + 3);
	assert_int_equal(w1, 0x1b00);
	assert_int_equal(w2, 0xaa21);	/* bytes 2, 3 = 0x21, 0xaa */
	assert_int_equal(w3, 0xccbb);
	assert_int_equal(ixy_sim_reg_read(s, R_RAL0), w1 | w2 << 16);
	assert_int_equal(ixy_sim_reg_read(s, R_RAH0), w3 | 1u << 31);
	ixy_sim_destroy(s);
}

/* 0x15 = 0xFAFA: the PBA is a string in the section 0x16 points to. */
static void test_pba(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-pba,mode=stepped");
	assert_int_equal(ee_read(s, 0x15), 0xfafa);
	int ptr = ee_read(s, 0x16), len = ee_read(s, (unsigned)ptr);
	assert_true(len >= 2 && len < 16);
	char pba[32] = { 0 };
	for (int i = 1; i < len; i++) {
		int w = ee_read(s, (unsigned)(ptr + i));
		pba[2 * (i - 1)] = (char)(w >> 8);
		pba[2 * (i - 1) + 1] = (char)w;
	}
	assert_string_equal(pba, "IXYSIM-001");
	ixy_sim_destroy(s);
}

/* The SFP+ init-sequence table (word 0x2B) as a driver walks it: after a
 * header word, (module id, data pointer) pairs up to 0xFFFF; each data
 * block is a header word, values, 0xFFFF. Ids: 3 DA core 0, 5 SR/LR
 * core 0 (active DA cables use it too). */
static int sfp_block(struct ixy_sim *s, uint16_t id, unsigned *nvalues)
{
	int list = ee_read(s, 0x2b);
	if (list == 0 || list == 0xffff)
		return -1;
	for (unsigned at = (unsigned)list + 1; at < (unsigned)list + 64; at += 2) {
		int v = ee_read(s, at);
		if (v == 0xffff)
			return -1;
		if (v != id)
			continue;
		int data = ee_read(s, at + 1);
		unsigned n = 0;
		while (ee_read(s, (unsigned)data + 1 + n) != 0xffff && n < 64)
			n++;
		*nvalues = n;
		return data;
	}
	return -1;
}

static void test_sfp_init_table(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-sfp,mode=stepped");
	unsigned n = 0;
	assert_true(sfp_block(s, 3, &n) > 0);
	assert_true(n >= 1);
	assert_true(sfp_block(s, 5, &n) > 0);
	assert_true(n >= 1);
	assert_int_equal(sfp_block(s, 9, &n), -1);	/* 1G copper: not in the table */
	ixy_sim_destroy(s);

	struct ixy_sim *b = port("ee-sfp-bp,mode=stepped,device_id=0x10f8");
	assert_int_equal(ee_read(b, 0x2b), 0xffff);	/* a backplane board has no cage */
	ixy_sim_destroy(b);
}

/* The firmware module (0x0F): no LESM parameters, and the pass-through
 * patch version (+4 -> +7) above 5, which Linux requires of SFI boards. */
static void test_firmware_version(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-fw,mode=stepped");
	int fw = ee_read(s, 0x0f);
	assert_true(fw > 0 && fw != 0xffff);
	int lesm = ee_read(s, (unsigned)fw + 2);
	assert_true(lesm == 0 || lesm == 0xffff);
	int pt = ee_read(s, (unsigned)fw + 4);
	assert_true(pt > 0 && pt != 0xffff);
	assert_true(ee_read(s, (unsigned)pt + 7) > 5);
	ixy_sim_destroy(s);
}

/* A new MAC written through EEWR, the checksum updated as a driver does
 * (recompute, write word 0x3F), still valid; after CTRL.RST the MAC
 * auto-reads the new address into RAL0/RAH0. */
static void test_eewr_and_reload(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-wr,mode=stepped,mac=02:00:00:00:00:01");
	int core0 = ee_read(s, 0x09);
	ee_write(s, (unsigned)core0 + 3, 0x0902);	/* bytes 4,5 = 02 09 */
	assert_int_equal(ee_read(s, (unsigned)core0 + 3), 0x0902);
	struct sum r = ee_sum(s);
	assert_int_not_equal((uint16_t)(r.sum + ee_read(s, 0x3f)), 0xbaba);	/* stale now */
	ee_write(s, 0x3f, (uint16_t)(0xbaba - r.sum));
	r = ee_sum(s);
	assert_int_equal((uint16_t)(r.sum + ee_read(s, 0x3f)), 0xbaba);

	assert_int_equal(ixy_sim_reg_read(s, R_RAH0), 0x0100u | 1u << 31);	/* not before a reset */
	ixy_sim_reg_write(s, R_CTRL, 1u << 26);
	sleep_us(1200);
	for (int i = 0; i < 1000 && !(ixy_sim_reg_read(s, R_EEC) & (1u << 9)); i++)
		sleep_us(100);
	assert_int_equal(ixy_sim_reg_read(s, R_RAH0), 0x0902u | 1u << 31);
	assert_int_equal(ixy_sim_reg_read(s, R_RAL0), 0x00000002u);
	/* the image survived the reset */
	assert_int_equal(ee_read(s, (unsigned)core0 + 3), 0x0902);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

/* ---- the SPI side: the EEPROM bit-banged through EEC (SK bit 0, CS bit
 * 1 active low, DI bit 2, DO bit 3), after EE_REQ (bit 6) got EE_GNT
 * (bit 7); SPI mode 0, as an 82599 driver writes the EEPROM ---- */

struct spi {
	struct ixy_sim *s;
	uint32_t eec;
};

static void spi_set(struct spi *p, uint32_t set, uint32_t clear)
{
	p->eec = (p->eec | set) & ~clear;
	ixy_sim_reg_write(p->s, R_EEC, p->eec);
}

static void spi_out(struct spi *p, uint32_t v, unsigned bits)
{
	for (int i = (int)bits - 1; i >= 0; i--) {
		spi_set(p, (v >> i) & 1 ? 4u : 0, (v >> i) & 1 ? 0 : 4u);
		spi_set(p, 1u, 0);	/* SK up: the EEPROM samples DI */
		spi_set(p, 0, 1u);
	}
	spi_set(p, 0, 4u);
}

static uint32_t spi_in(struct spi *p, unsigned bits)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < bits; i++) {
		spi_set(p, 1u, 0);
		v = v << 1 | ((ixy_sim_reg_read(p->s, R_EEC) >> 3) & 1);
		spi_set(p, 0, 1u);
	}
	return v;
}

static void spi_standby(struct spi *p)
{
	spi_set(p, 2u, 0);	/* CS high: the command ends */
	spi_set(p, 0, 2u);
}

static struct spi spi_open(struct ixy_sim *s)
{
	struct spi p = { s, ixy_sim_reg_read(s, R_EEC) };
	spi_set(&p, 1u << 6, 0);
	assert_true(ixy_sim_reg_read(s, R_EEC) & (1u << 7));	/* granted */
	p.eec = ixy_sim_reg_read(s, R_EEC) & ~(1u << 7 | 1u << 8 | 1u << 9 | 1u << 10 | 0xfu << 11);
	spi_set(&p, 0, 3u);	/* CS low (selected), SK low */
	/* status register until not busy (bit 0) */
	spi_out(&p, 0x05, 8);
	assert_int_equal(spi_in(&p, 8) & 1u, 0);
	return p;
}

static void spi_close(struct spi *p)
{
	spi_set(p, 2u, 1u);
	spi_set(p, 0, 1u << 6);
	assert_int_equal(ixy_sim_reg_read(p->s, R_EEC) & (1u << 7), 0);
}

static uint16_t spi_read_word(struct spi *p, unsigned word)
{
	spi_standby(p);
	spi_out(p, 0x03, 8);
	spi_out(p, word * 2, 16);
	uint32_t v = spi_in(p, 16);	/* low byte first */
	return (uint16_t)((v >> 8) | (v << 8));
}

static void spi_write_word(struct spi *p, unsigned word, uint16_t data)
{
	spi_standby(p);
	spi_out(p, 0x06, 8);		/* write enable */
	spi_standby(p);
	spi_out(p, 0x02, 8);
	spi_out(p, word * 2, 16);
	spi_out(p, (uint16_t)((data >> 8) | (data << 8)), 16);
	spi_standby(p);			/* CS up: the write cycle */
}

static void test_spi_bitbang(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-spi,mode=stepped,mac=02:00:00:00:00:01");
	struct spi p = spi_open(s);
	/* reads agree with EERD */
	for (unsigned w = 0; w < 0x40; w++)
		assert_int_equal(spi_read_word(&p, w), ee_read(s, w));
	/* a sequential read goes on into the next word */
	spi_standby(&p);
	spi_out(&p, 0x03, 8);
	spi_out(&p, 0x15 * 2, 16);
	uint32_t two = spi_in(&p, 32);
	assert_int_equal((uint16_t)((two >> 24) | (two >> 8 & 0xff00)), ee_read(s, 0x15));
	assert_int_equal((uint16_t)((two >> 8 & 0xff) | (two << 8 & 0xff00)), ee_read(s, 0x16));

	/* a write without WREN changes nothing */
	int core0 = ee_read(s, 0x09);
	uint16_t old = (uint16_t)ee_read(s, (unsigned)core0 + 3);
	spi_standby(&p);
	spi_out(&p, 0x02, 8);
	spi_out(&p, ((unsigned)core0 + 3) * 2, 16);
	spi_out(&p, 0xffff, 16);
	spi_standby(&p);
	assert_int_equal(ee_read(s, (unsigned)core0 + 3), old);

	/* the MAC and then the checksum, the way a driver updates them */
	spi_write_word(&p, (unsigned)core0 + 3, 0x0702);
	spi_close(&p);
	assert_int_equal(ee_read(s, (unsigned)core0 + 3), 0x0702);
	struct sum r = ee_sum(s);
	p = spi_open(s);
	spi_write_word(&p, 0x3f, (uint16_t)(0xbaba - r.sum));
	spi_close(&p);
	r = ee_sum(s);
	assert_int_equal((uint16_t)(r.sum + ee_read(s, 0x3f)), 0xbaba);

	ixy_sim_reg_write(s, R_CTRL, 1u << 26);
	sleep_us(1200);
	for (int i = 0; i < 1000 && !(ixy_sim_reg_read(s, R_EEC) & (1u << 9)); i++)
		sleep_us(100);
	assert_int_equal(ixy_sim_reg_read(s, R_RAH0), 0x0702u | 1u << 31);
	assert_int_equal(ixy_sim_violation_count(s), 0);
	ixy_sim_destroy(s);
}

/* A word beyond the EEPROM: DONE with erased data, and a violation. */
static void test_eerd_out_of_range(void **state)
{
	(void)state;
	struct ixy_sim *s = port("ee-oor,mode=stepped");
	assert_int_equal(ee_read(s, 0x3000), 0xffff);
	assert_int_equal(ixy_sim_violation_count(s), 1);
	assert_non_null(strstr(ixy_sim_violation(s, 0), "beyond the EEPROM"));
	ixy_sim_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eec),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_mac_matches_eeprom),
		cmocka_unit_test(test_pba),
		cmocka_unit_test(test_sfp_init_table),
		cmocka_unit_test(test_firmware_version),
		cmocka_unit_test(test_eewr_and_reload),
		cmocka_unit_test(test_spi_bitbang),
		cmocka_unit_test(test_eerd_out_of_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
