/* ixgbe driver: EEPROM checksum, SW/FW semaphores, the bit-banged I2C bus
 * and SFP+ module identification, against a test-only board.
 *
 * This program is linked with --wrap for ixy_sim_reg_read/_write (see
 * tests/CMakeLists.txt): every register access of the driver to a sim port
 * comes here first. The registers of this file's fake board are served
 * here, written for this test from the datasheet and SFF-8472 (not from the
 * model, so the model and this file can disagree and show it):
 *  - an EEPROM image behind EERD (EEC.PRES and EEC.SIZE set),
 *  - SWSM with SMBI set by the read that finds it clear, SWESMBI granted
 *    unless the "firmware" holds it, SW_FW_SYNC with firmware bits the
 *    test can set,
 *  - an SFF-8472 I2C slave (address 0xA0, and 0xA2 for a write test)
 *    behind I2CCTL that follows SCL/SDA edge by edge,
 *  - AUTOC with a board-specific EEPROM value, ANLP1, MMNGC, CORECTL.
 * Everything else goes to the virtual 82599 unchanged. The fake also checks
 * the rules the driver must follow: SW_FW_SYNC is changed only while both
 * SWSM bits are held, I2CCTL is driven only under the port's PHY semaphore,
 * CORECTL only under MAC_CSR, AUTOC under MAC_CSR when LESM is on, and
 * every semaphore is given back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "drivers/ixgbe.h"
#include "error.h"
#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"

uint32_t __real_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg);
void __real_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val);
uint32_t __wrap_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg);
void __wrap_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val);

/* ---- the fake board ---- */

#define EE_WORDS   2048u   /* EEC.SIZE = 5: 2^(5+6) words */
#define EE_SIZE_FIELD 5u

enum i2c_state { I2C_IDLE, I2C_RX, I2C_RX_ACK, I2C_TX, I2C_TX_ACK };
enum i2c_phase { PH_ADDR, PH_OFFSET, PH_DATA };

struct fake {
	bool on;
	/* EEPROM */
	uint16_t ee[EE_WORDS];
	uint32_t eerd;
	unsigned eerd_reads;
	/* semaphores */
	uint32_t swsm, swfw;
	bool fw_holds_swesmbi;          /* the firmware never grants SWESMBI */
	unsigned sem_violations;        /* SW_FW_SYNC changed without SWSM */
	unsigned swfw_takes[16], swfw_gives[16];
	/* I2C */
	uint8_t sff[256];               /* module at 0xA0 */
	uint8_t diag[256];              /* page at 0xA2 */
	bool module;                    /* a module is plugged */
	uint32_t i2cctl;                /* what the driver wrote */
	bool scl, sda, slave_sda;
	enum i2c_state st;
	enum i2c_phase phase;
	uint8_t shift, nbits, addr, ptr;
	bool read_mode, master_ack;
	unsigned i2c_unlocked;          /* I2CCTL written without the PHY semaphore */
	unsigned i2c_reads, i2c_writes; /* completed byte transfers */
	unsigned i2c_accesses;
	uint64_t scl_rise_ns;
	uint64_t min_high_ns;           /* shortest SCL high time seen */
	/* link */
	uint32_t autoc, autoc_default;
	unsigned autoc_writes, autoc_unlocked, autoc_lms_bit2_toggles;
	bool lesm, veto;
	bool mng;                       /* a BMC uses the port (FWSM pass-through, MANC TCO) */
	bool sda_stuck;                 /* something holds SDA low for good */
	bool partner_1g;                /* the link partner runs 1G only: no link in 10G modes */
	uint32_t corectl[64];
	unsigned ncorectl, corectl_unlocked;
	uint8_t lan_id;
};

static struct fake F;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool swsm_held(void)
{
	return (F.swsm & (IXGBE_SWSM_SMBI | IXGBE_SWSM_SWESMBI)) == (IXGBE_SWSM_SMBI | IXGBE_SWSM_SWESMBI);
}

static uint32_t phy_sem(void)
{
	return F.lan_id ? IXGBE_SWFW_PHY1 : IXGBE_SWFW_PHY0;
}

/* The I2C slave: called after every change of the bus lines. */
static void i2c_byte_received(void)
{
	uint8_t b = F.shift;
	switch (F.phase) {
	case PH_ADDR:
		if (!F.module || ((b & 0xFE) != 0xA0 && (b & 0xFE) != 0xA2)) {
			F.st = I2C_IDLE;  /* not us: no ACK, wait for the next START */
			return;
		}
		F.addr = b & 0xFE;
		F.read_mode = b & 1;
		break;
	case PH_OFFSET:
		F.ptr = b;
		break;
	case PH_DATA:
		(F.addr == 0xA0 ? F.sff : F.diag)[F.ptr++] = b;
		F.i2c_writes++;
		break;
	}
	F.slave_sda = false;  /* ACK during the ninth clock */
	F.st = I2C_RX_ACK;
}

static void i2c_load_tx(void)
{
	F.shift = (F.addr == 0xA0 ? F.sff : F.diag)[F.ptr++];
	F.nbits = 0;
	F.slave_sda = F.shift & 0x80;
	F.st = I2C_TX;
}

static void i2c_lines(bool scl, bool master_sda)
{
	bool sda = master_sda && F.slave_sda;
	bool rise = !F.scl && scl, fall = F.scl && !scl;
	uint64_t t = now_ns();

	if (F.scl && scl && F.sda != sda) {
		if (!sda) {             /* START (or repeated START) */
			F.st = I2C_RX;
			F.phase = PH_ADDR;
			F.nbits = 0;
			F.shift = 0;
			F.slave_sda = true;
		} else {                /* STOP */
			F.st = I2C_IDLE;
			F.slave_sda = true;
		}
	}
	if (rise) {
		F.scl_rise_ns = t;
		if (F.st == I2C_RX) {
			F.shift = (uint8_t)(F.shift << 1 | sda);
			F.nbits++;
		} else if (F.st == I2C_TX_ACK) {
			F.master_ack = !sda;
		}
	}
	if (fall) {
		if (F.scl_rise_ns && t - F.scl_rise_ns < F.min_high_ns)
			F.min_high_ns = t - F.scl_rise_ns;
		switch (F.st) {
		case I2C_RX:
			if (F.nbits == 8)
				i2c_byte_received();
			break;
		case I2C_RX_ACK:
			F.slave_sda = true;
			if (F.phase == PH_ADDR && F.read_mode) {
				i2c_load_tx();
			} else {
				F.phase = F.phase == PH_ADDR ? PH_OFFSET : PH_DATA;
				F.st = I2C_RX;
				F.nbits = 0;
				F.shift = 0;
			}
			break;
		case I2C_TX:
			F.shift = (uint8_t)(F.shift << 1);
			if (++F.nbits == 8) {
				F.slave_sda = true;  /* the master acknowledges */
				F.st = I2C_TX_ACK;
				F.i2c_reads++;
			} else {
				F.slave_sda = F.shift & 0x80;
			}
			break;
		case I2C_TX_ACK:
			if (F.master_ack)
				i2c_load_tx();
			else
				F.st = I2C_IDLE;  /* NACK: wait for STOP */
			break;
		case I2C_IDLE:
			break;
		}
	}
	F.scl = scl;
	F.sda = master_sda && F.slave_sda;
}

static void fake_reset(void)
{
	/* what CTRL.RST reloads from the EEPROM; SWSM, SW_FW_SYNC and the
	 * module are not reset by it */
	F.autoc = F.autoc_default;
}

uint32_t __wrap_ixy_sim_reg_read(struct ixy_sim *sim, uint32_t reg)
{
	if (!F.on)
		return __real_ixy_sim_reg_read(sim, reg);
	switch (reg) {
	case IXGBE_EEC:
		return (__real_ixy_sim_reg_read(sim, reg) & ~IXGBE_EEC_SIZE_MASK) | IXGBE_EEC_PRES |
		       EE_SIZE_FIELD << IXGBE_EEC_SIZE_SHIFT;
	case IXGBE_EERD:
		F.eerd_reads++;
		return F.eerd;
	case IXGBE_SWSM: {
		uint32_t v = F.swsm;
		F.swsm |= IXGBE_SWSM_SMBI;  /* the read that finds it clear takes it */
		return v;
	}
	case IXGBE_SW_FW_SYNC:
		return F.swfw;
	case IXGBE_I2CCTL:
		F.i2c_accesses++;
		return (F.i2cctl & (IXGBE_I2CCTL_CLK_OUT | IXGBE_I2CCTL_DATA_OUT)) |
		       (F.scl ? IXGBE_I2CCTL_CLK_IN : 0) | (F.sda && !F.sda_stuck ? IXGBE_I2CCTL_DATA_IN : 0);
	case IXGBE_AUTOC:
		return F.autoc;
	case IXGBE_ANLP1:
		return F.autoc_writes ? 1u << 16 : 0;  /* AN state left 0 after a restart */
	case IXGBE_MMNGC:
		return F.veto ? IXGBE_MMNGC_MNG_VETO : 0;
	case IXGBE_FWSM:
		return F.mng ? IXGBE_FWSM_MODE_PT : 0;
	case IXGBE_MANC:
		return F.mng ? IXGBE_MANC_RCV_TCO_EN : 0;
	case IXGBE_FACTPS:
		return 0;
	case IXGBE_LINKS:
		if (F.partner_1g && (F.autoc & IXGBE_AUTOC_LMS_MASK) != IXGBE_AUTOC_LMS_1G_AN)
			return __real_ixy_sim_reg_read(sim, reg) & ~IXGBE_LINKS_UP;
		break;
	case IXGBE_STATUS:
		return (__real_ixy_sim_reg_read(sim, reg) & ~IXGBE_STATUS_LAN_ID_MASK) |
		       (uint32_t)F.lan_id << IXGBE_STATUS_LAN_ID_SHIFT;
	}
	return __real_ixy_sim_reg_read(sim, reg);
}

void __wrap_ixy_sim_reg_write(struct ixy_sim *sim, uint32_t reg, uint32_t val)
{
	if (!F.on) {
		__real_ixy_sim_reg_write(sim, reg, val);
		return;
	}
	switch (reg) {
	case IXGBE_EERD:
		if (val & IXGBE_EERD_START) {
			uint32_t a = (val >> IXGBE_EERD_ADDR_SHIFT) & IXGBE_EERD_ADDR_MAX;
			uint16_t w = a < EE_WORDS ? F.ee[a] : 0xFFFF;
			F.eerd = a << IXGBE_EERD_ADDR_SHIFT | IXGBE_EERD_DONE | (uint32_t)w << IXGBE_EERD_DATA_SHIFT;
		}
		return;
	case IXGBE_SWSM: {
		uint32_t v = val & IXGBE_SWSM_SMBI;
		if ((val & IXGBE_SWSM_SWESMBI) && !F.fw_holds_swesmbi)
			v |= IXGBE_SWSM_SWESMBI;
		F.swsm = v;
		return;
	}
	case IXGBE_SW_FW_SYNC:
		if (!swsm_held())
			F.sem_violations++;
		for (unsigned b = 0; b < 5; b++) {
			if (!(F.swfw & BIT(b)) && (val & BIT(b)))
				F.swfw_takes[b]++;
			if ((F.swfw & BIT(b)) && !(val & BIT(b)))
				F.swfw_gives[b]++;
		}
		F.swfw = val;
		return;
	case IXGBE_I2CCTL:
		F.i2c_accesses++;
		if (!(F.swfw & phy_sem()))
			F.i2c_unlocked++;
		F.i2cctl = val;
		i2c_lines(val & IXGBE_I2CCTL_CLK_OUT, val & IXGBE_I2CCTL_DATA_OUT);
		return;
	case IXGBE_AUTOC:
		F.autoc_writes++;
		if (F.lesm && !(F.swfw & IXGBE_SWFW_MAC_CSR))
			F.autoc_unlocked++;
		if ((val ^ F.autoc) & IXGBE_AUTOC_LMS_BIT2)
			F.autoc_lms_bit2_toggles++;
		F.autoc = val;
		break;  /* the model takes the link mode from it */
	case IXGBE_CORECTL:
		if (!(F.swfw & IXGBE_SWFW_MAC_CSR))
			F.corectl_unlocked++;
		if (F.ncorectl < 64)
			F.corectl[F.ncorectl++] = val;
		return;
	case IXGBE_MMNGC:
		return;
	case IXGBE_CTRL:
		if (val & (IXGBE_CTRL_RST | IXGBE_CTRL_LRST))
			fake_reset();
		break;
	}
	__real_ixy_sim_reg_write(sim, reg, val);
}

/* ---- building the board ---- */

#define EE_SECTION   0x100u   /* behind pointer word 0x06, summed */
#define EE_FW        0x200u   /* firmware module, not summed */
#define EE_LESM      0x240u
#define EE_SFP_TABLE 0x300u

static uint16_t seq_word(uint16_t id, unsigned k)
{
	return (uint16_t)(id << 8 | k);
}

static void ee_checksum(void)
{
	uint16_t sum = 0;
	for (unsigned i = 0; i < 0x3F; i++)
		sum = (uint16_t)(sum + F.ee[i]);
	for (unsigned i = 0x03; i < 0x0F; i++) {
		uint16_t p = F.ee[i];
		if (p == 0 || p == 0xFFFF || F.ee[p] == 0 || F.ee[p] == 0xFFFF)
			continue;
		for (unsigned j = p + 1u; j <= p + (unsigned)F.ee[p] && j < EE_WORDS; j++)
			sum = (uint16_t)(sum + F.ee[j]);
	}
	F.ee[0x3F] = (uint16_t)(0xBABA - sum);
}

static void ee_build(bool lesm)
{
	memset(F.ee, 0xFF, sizeof(F.ee));  /* erased */
	for (unsigned i = 0; i < 0x40; i++)
		F.ee[i] = (uint16_t)(0x1000 + i * 7);
	for (unsigned i = 0x03; i < 0x0F; i++)
		F.ee[i] = 0;
	F.ee[0x06] = EE_SECTION;
	F.ee[EE_SECTION] = 4;
	for (unsigned i = 1; i <= 4; i++)
		F.ee[EE_SECTION + i] = (uint16_t)(0x1111 * i);
	F.ee[0x0F] = EE_FW;
	F.ee[EE_FW] = 0x20;
	F.ee[EE_FW + 2] = EE_LESM;
	F.ee[EE_LESM + 1] = lesm ? 0x8000 : 0x0000;
	/* SFP+ init table: a header word, then (id, pointer) pairs */
	F.ee[0x2B] = EE_SFP_TABLE;
	F.ee[EE_SFP_TABLE] = 0x0000;
	for (uint16_t id = 3; id <= 6; id++) {
		uint16_t seq = (uint16_t)(EE_SFP_TABLE + 0x20 + 8 * (id - 3));
		F.ee[EE_SFP_TABLE + 1 + 2 * (id - 3)] = id;
		F.ee[EE_SFP_TABLE + 2 + 2 * (id - 3)] = seq;
		F.ee[seq] = 0x0000;  /* the word the pointer names; data follows */
		for (unsigned k = 1; k <= id - 1u; k++)
			F.ee[seq + k] = seq_word(id, k);
		F.ee[seq + id] = 0xFFFF;
	}
	F.ee[EE_SFP_TABLE + 1 + 2 * 4] = 0xFFFF;
	ee_checksum();
}

static void text(uint8_t *at, const char *s)
{
	memset(at, ' ', 16);
	memcpy(at, s, strlen(s));
}

static void module_set(uint8_t ident, uint8_t c10, uint8_t c1, uint8_t tech, uint8_t spec, const char *vendor,
		       const char *part)
{
	memset(F.sff, 0, sizeof(F.sff));
	F.sff[0] = ident;
	F.sff[3] = c10;
	F.sff[6] = c1;
	F.sff[8] = tech;
	F.sff[60] = spec;
	text(&F.sff[20], vendor);
	F.sff[37] = 0x00;
	F.sff[38] = 0x1B;
	F.sff[39] = 0x21;
	text(&F.sff[40], part);
	F.module = true;
}

#define DA_PASSIVE() module_set(0x03, 0, 0, 0x04, 0, "Molex Inc.", "74752-1101")

static void fake_init(uint32_t autoc_default)
{
	memset(&F, 0, sizeof(F));
	F.on = true;
	F.slave_sda = F.scl = F.sda = true;
	F.min_high_ns = UINT64_MAX;
	F.autoc_default = F.autoc = autoc_default;
	ee_build(false);
	DA_PASSIVE();
}

/* ---- helpers ---- */

static struct ixy_sim *new_sim(const char *name, uint16_t device_id)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id,
				     .mac = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 } };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_config small_cfg(void)
{
	struct ixy_config c = { .rx_ring_size = 64, .tx_ring_size = 64, .mempool_size = 256,
				.link_timeout_ms = 2000 };
	return c;
}

static void assert_no_violations(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_dma_faults(sim), 0);
}

/* Every semaphore rule kept, and nothing held. */
static void assert_semaphores_clean(void)
{
	assert_int_equal(F.sem_violations, 0);
	assert_int_equal(F.i2c_unlocked, 0);
	assert_int_equal(F.corectl_unlocked, 0);
	assert_int_equal(F.autoc_unlocked, 0);
	assert_int_equal(F.swsm, 0);
	assert_int_equal(F.swfw & 0x1F, 0);
	for (unsigned b = 0; b < 5; b++)
		assert_int_equal(F.swfw_takes[b], F.swfw_gives[b]);
}

static struct ixy_device *open_ok(struct ixy_sim *sim, struct ixy_config *cfg)
{
	ixy_clear_error();
	struct ixy_device *dev = ixy_open_sim(sim, cfg);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	return dev;
}

static void expect_refusal(struct ixy_sim *sim, int code, const char *needle)
{
	struct ixy_config cfg = small_cfg();
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	if (!strstr(ixy_last_error(), needle))
		print_message("message lacks '%s'\n", needle);
	assert_non_null(strstr(ixy_last_error(), needle));
	assert_int_equal(ixy_last_error_code(), code);
	assert_semaphores_clean();
}

struct trace_log {
	unsigned i2cctl, ctrl_writes;
	uint32_t ctrl[8];
};

static void trace_cb(void *arg, const struct ixy_reg_access *acc)
{
	struct trace_log *t = arg;
	if (strcmp(acc->name, "I2CCTL") == 0)
		t->i2cctl++;
	if (acc->write && strcmp(acc->name, "CTRL") == 0 && t->ctrl_writes < 8)
		t->ctrl[t->ctrl_writes++] = acc->value;
}

/* ---- tests ---- */

static void test_da_cable_identified(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-da", 0x10FB);
	struct trace_log t = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = trace_cb;
	cfg.trace_arg = &t;
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);

	/* the module */
	assert_int_equal(d->sfp.kind, IXGBE_SFP_DA_PASSIVE);
	assert_string_equal(d->sfp.vendor, "Molex Inc.");
	assert_string_equal(d->sfp.part, "74752-1101");
	assert_int_equal(d->sfp.oui, 0x001B21);
	assert_int_equal(d->sfp.init_id, 3);
	assert_false(d->sfp.dual_rate);
	assert_int_equal(d->sfp.speed_mbps, 10000);
	/* every byte came over the bus, one transaction each: the trace
	 * has one I2CCTL line per transaction, not one per edge */
	assert_true(F.i2c_reads >= 4 + 16 + 3 + 16);
	assert_int_equal(t.i2cctl, F.i2c_reads);
	/* I2C standard mode: SCL high at least 4 us */
	assert_true(F.min_high_ns >= 4000);
	/* the checksum was read and the EEPROM's DA sequence written */
	assert_int_equal(d->eeprom_checksum, F.ee[0x3F]);
	assert_int_equal(F.ncorectl, 2);
	assert_int_equal(F.corectl[0], seq_word(3, 1));
	assert_int_equal(F.corectl[1], seq_word(3, 2));
	/* 10G SFI with a pipeline reset: LMS bit 2 flipped and back */
	assert_int_equal(F.autoc & IXGBE_AUTOC_LMS_MASK, IXGBE_AUTOC_LMS_10G_SERIAL);
	assert_true(F.autoc_lms_bit2_toggles >= 2);
	/* link at 10G */
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	/* packet buffers written out; the driver told the firmware it runs */
	assert_int_equal(ixy_sim_reg_read(sim, IXGBE_RXPBSIZE(0)), 512u << 10);
	assert_int_equal(ixy_sim_reg_read(sim, IXGBE_TXPBSIZE(0)), 160u << 10);
	assert_int_equal(ixy_sim_reg_read(sim, IXGBE_TXPBTHRESH(0)), 150);
	for (unsigned i = 1; i < 8; i++) {
		assert_int_equal(ixy_sim_reg_read(sim, IXGBE_RXPBSIZE(i)), 0);
		assert_int_equal(ixy_sim_reg_read(sim, IXGBE_TXPBSIZE(i)), 0);
	}
	assert_true(ixy_sim_reg_read(sim, IXGBE_CTRL_EXT) & IXGBE_CTRL_EXT_DRV_LOAD);
	assert_int_equal(d->swfw_held, 0);
	assert_semaphores_clean();
	assert_no_violations(sim);
	ixy_close(dev);
	assert_false(ixy_sim_reg_read(sim, IXGBE_CTRL_EXT) & IXGBE_CTRL_EXT_DRV_LOAD);
	assert_semaphores_clean();
	ixy_sim_destroy(sim);
	F.on = false;
}

struct module_case {
	const char *name;
	uint8_t c10, c1, tech, spec;
	enum ixgbe_sfp_kind kind;
	uint16_t init_id;
	bool dual;
	uint32_t mbps;
};

static void test_module_types(void **state)
{
	(void)state;
	static const struct module_case cases[] = {
		{ "SR", 0x10, 0, 0, 0, IXGBE_SFP_SR, 5, false, 10000 },
		{ "LR", 0x20, 0, 0, 0, IXGBE_SFP_LR, 5, false, 10000 },
		{ "SR/SX", 0x10, 0x01, 0, 0, IXGBE_SFP_SR, 5, true, 10000 },
		{ "DA active", 0, 0, 0x08, 0x04, IXGBE_SFP_DA_ACTIVE, 5, false, 10000 },
		{ "1G SX", 0, 0x01, 0, 0, IXGBE_SFP_1G_SX, 5, false, 1000 },
		{ "1G LX", 0, 0x02, 0, 0, IXGBE_SFP_1G_LX, 5, false, 1000 },
		{ "1G T", 0, 0x08, 0, 0, IXGBE_SFP_1G_CU, 5, false, 1000 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct module_case *c = &cases[i];
		print_message("module %s\n", c->name);
		fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
		module_set(0x03, c->c10, c->c1, c->tech, c->spec, "ACME Optics", c->name);
		struct ixy_sim *sim = new_sim("sfp-types", 0x10FB);
		struct ixy_config cfg = small_cfg();
		struct ixy_device *dev = open_ok(sim, &cfg);
		struct ixgbe_dev *d = to_ixgbe(dev);
		assert_int_equal(d->sfp.kind, c->kind);
		assert_int_equal(d->sfp.init_id, c->init_id);
		assert_int_equal(d->sfp.dual_rate, c->dual);
		assert_string_equal(d->sfp.part, c->name);
		/* the SR/LR sequence of the EEPROM */
		assert_int_equal(F.ncorectl, 4);
		assert_int_equal(F.corectl[0], seq_word(5, 1));
		uint32_t lms = F.autoc & IXGBE_AUTOC_LMS_MASK;
		assert_int_equal(lms, c->mbps == 10000 ? IXGBE_AUTOC_LMS_10G_SERIAL : IXGBE_AUTOC_LMS_1G_AN);
		/* dual-rate optics: SDP5 an output, high for 10G */
		uint32_t esdp = ixy_sim_reg_read(sim, IXGBE_ESDP);
		if (c->dual)
			assert_int_equal(esdp & (IXGBE_ESDP_SDP5 | IXGBE_ESDP_SDP5_DIR),
					 IXGBE_ESDP_SDP5 | IXGBE_ESDP_SDP5_DIR);
		else
			assert_int_equal(esdp & IXGBE_ESDP_SDP5_DIR, 0);
		assert_int_equal(ixy_get_link_speed(dev), c->mbps);
		assert_semaphores_clean();
		assert_no_violations(sim);
		ixy_close(dev);
		ixy_sim_destroy(sim);
	}
	F.on = false;
}

/* Dual-rate optics and a partner at 1G: no 10G link within the timeout,
 * then 1G (rate select low, LMS 1G AN) and link. */
static void test_dual_rate_falls_back_to_1g(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	module_set(0x03, 0x10, 0x01, 0, 0, "ACME Optics", "SR-SX-DUAL");
	F.partner_1g = true;
	struct ixy_sim *sim = new_sim("sfp-dual", 0x10FB);
	struct ixy_config cfg = small_cfg();
	cfg.link_timeout_ms = 300;
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);
	assert_true(d->sfp.dual_rate);
	assert_int_equal(d->sfp.speed_mbps, 1000);
	assert_int_equal(F.autoc & IXGBE_AUTOC_LMS_MASK, IXGBE_AUTOC_LMS_1G_AN);
	uint32_t esdp = ixy_sim_reg_read(sim, IXGBE_ESDP);
	assert_int_equal(esdp & (IXGBE_ESDP_SDP5 | IXGBE_ESDP_SDP5_DIR), IXGBE_ESDP_SDP5_DIR);
	assert_int_equal(ixy_get_link_speed(dev), 1000);
	assert_semaphores_clean();
	assert_no_violations(sim);
	ixy_close(dev);
	ixy_sim_destroy(sim);

	/* a single-rate SR module does not fall back: a clear failure that
	 * names the module */
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	module_set(0x03, 0x10, 0, 0, 0, "ACME Optics", "SR-ONLY");
	F.partner_1g = true;
	sim = new_sim("sfp-single", 0x10FB);
	ixy_clear_error();
	assert_null(ixy_open_sim(sim, &cfg));
	print_message("(expected) %s\n", ixy_last_error());
	assert_int_equal(ixy_last_error_code(), -ETIMEDOUT);
	assert_non_null(strstr(ixy_last_error(), "link did not come up within 300 ms (SFP+ module 10GBASE-SR, "
					       "vendor \"ACME Optics\", part \"SR-ONLY\", set up for 10000 Mb/s"));
	assert_semaphores_clean();
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_module_refusals(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-refuse", 0x10FB);

	F.module = false;
	expect_refusal(sim, -ENOENT, "sim:sfp-refuse: no SFP+ module in the cage (nothing answers at I2C address 0xa0)");
	module_set(0x0D, 0, 0, 0, 0, "QSFP Inc", "Q1");
	expect_refusal(sim, -EOPNOTSUPP, "not an SFP/SFP+ module (SFF identifier 0x0d");
	module_set(0x03, 0x40 /* 10GBASE-ER */, 0, 0, 0, "ACME", "ER-10G");
	memset(&F.sff[40 + 6], 0, 10);  /* part number padded with NULs */
	F.sff[24] = 0x07;               /* and a control character in the vendor name */
	expect_refusal(sim, -EOPNOTSUPP, "unsupported SFP+ module: vendor \"ACME?\", part \"ER-10G\"");
	module_set(0x03, 0, 0, 0x08, 0x01 /* active, not limiting */, "Cables R Us", "ACT-3M");
	expect_refusal(sim, -EOPNOTSUPP, "vendor \"Cables R Us\", part \"ACT-3M\"");
	assert_non_null(strstr(ixy_last_error(), "active cable not limiting"));

	/* a bus held low: a bounded, clear failure, the semaphore given back */
	F.sda_stuck = true;
	expect_refusal(sim, -EIO, "SFP+ I2C: read of byte 0 at address 0xa0 failed after 2 tries: the bus is stuck");
	F.sda_stuck = false;

	/* a board whose EEPROM lacks the sequence for the module's type */
	DA_PASSIVE();
	F.ee[EE_SFP_TABLE + 1] = 9;  /* DA port 0 (id 3) renamed */
	ee_checksum();
	expect_refusal(sim, -EOPNOTSUPP,
		       "EEPROM has no init sequence for 10G direct attach (passive) modules (table id 3); module "
		       "vendor \"Molex Inc.\", part \"74752-1101\"");
	/* and the open works again once all is well */
	ee_build(false);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	ixy_close(dev);
	assert_semaphores_clean();
	assert_no_violations(sim);
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_eeprom_checksum(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-eeprom", 0x10FB);
	uint16_t good = F.ee[0x3F];

	/* a word in a section behind a pointer counts */
	F.ee[EE_SECTION + 2] ^= 0x0100;
	expect_refusal(sim, -EIO, "EEPROM checksum is wrong: word 0x3F holds");
	/* 0x2222 ^ 0x0100 adds 0x100 to the sum: the checksum must be 0x100 less */
	char want[64];
	snprintf(want, sizeof(want), "holds 0x%04x, the image needs 0x%04x", good, (uint16_t)(good - 0x0100));
	assert_non_null(strstr(ixy_last_error(), want));
	/* nothing was set up from the untrusted image: no module access */
	assert_int_equal(F.i2c_accesses, 0);
	assert_int_equal(F.ncorectl, 0);
	F.ee[EE_SECTION + 2] ^= 0x0100;
	/* the firmware module is not summed */
	F.ee[EE_FW + 5] ^= 0x4444;
	/* a section pointing beyond the EEPROM is refused */
	F.ee[0x07] = 0x7F0;
	F.ee[0x7F0] = 0x100;
	ee_checksum();
	expect_refusal(sim, -EIO, "EEPROM section at word 0x07f0 (pointer word 0x07) claims 256 words");
	F.ee[0x07] = 0;
	ee_checksum();
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(to_ixgbe(dev)->eeprom_checksum, F.ee[0x3F]);
	ixy_close(dev);
	assert_no_violations(sim);
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_stale_semaphores_recovered(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-stale", 0x10FB);
	/* a dead process left SMBI and the PHY0 bit, a hung firmware its
	 * MAC_CSR bit */
	F.swsm = IXGBE_SWSM_SMBI;
	F.swfw = IXGBE_SWFW_PHY0 | IXGBE_SWFW_MAC_CSR << IXGBE_SWFW_FW_SHIFT;
	F.swfw_takes[1] = 1;  /* that taking happened before */
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_int_equal(to_ixgbe(dev)->sfp.kind, IXGBE_SFP_DA_PASSIVE);
	assert_int_equal(F.swfw, 0);
	assert_int_equal(F.ncorectl, 2);
	ixy_close(dev);
	assert_semaphores_clean();
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_firmware_holds_swesmbi(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-fwhold", 0x10FB);
	F.fw_holds_swesmbi = true;
	expect_refusal(sim, -EBUSY, "the firmware did not grant SWSM.SWESMBI within 100 ms");
	assert_int_equal(F.i2c_accesses, 0);
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_lesm_and_mng_veto(void **state)
{
	(void)state;
	/* LESM: the firmware shares AUTOC, every write under MAC_CSR */
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	ee_build(true);
	F.lesm = true;
	struct ixy_sim *sim = new_sim("sfp-lesm", 0x10FB);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	assert_true(to_ixgbe(dev)->lesm);
	assert_true(F.autoc_writes >= 3);
	assert_int_equal(F.autoc_unlocked, 0);
	assert_true(F.swfw_takes[3] >= 2);  /* init sequence and AUTOC */
	ixy_close(dev);
	assert_semaphores_clean();
	assert_no_violations(sim);
	ixy_sim_destroy(sim);

	/* MNG_VETO: the firmware keeps the link, AUTOC is not touched */
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	F.veto = true;
	sim = new_sim("sfp-veto", 0x10FB);
	dev = open_ok(sim, &cfg);
	assert_int_equal(F.autoc_writes, 0);
	assert_int_equal(to_ixgbe(dev)->sfp.kind, IXGBE_SFP_DA_PASSIVE);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	ixy_close(dev);
	assert_semaphores_clean();
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_backplane_no_sfp(void **state)
{
	(void)state;
	/* combined backplane board: the EEPROM loads clause 73 AN with
	 * KX4 and KR abilities */
	fake_init(IXGBE_AUTOC_LMS_KX4_KX_KR | IXGBE_AUTOC_KX4_SUPP | IXGBE_AUTOC_KR_SUPP);
	struct ixy_sim *sim = new_sim("bp", 0x10F8);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	/* no module access at all */
	assert_int_equal(F.i2c_accesses, 0);
	assert_int_equal(F.ncorectl, 0);
	assert_int_equal(to_ixgbe(dev)->sfp.kind, IXGBE_SFP_NONE);
	/* KX added, KX4/KR kept, LMS kept, pipeline reset done */
	assert_int_equal(F.autoc & (IXGBE_AUTOC_KX4_SUPP | IXGBE_AUTOC_KX_SUPP | IXGBE_AUTOC_KR_SUPP),
			 IXGBE_AUTOC_KX4_SUPP | IXGBE_AUTOC_KX_SUPP | IXGBE_AUTOC_KR_SUPP);
	assert_int_equal(F.autoc & IXGBE_AUTOC_LMS_MASK, IXGBE_AUTOC_LMS_KX4_KX_KR);
	assert_true(F.autoc_lms_bit2_toggles >= 2);
	assert_int_equal(to_ixgbe(dev)->eeprom_checksum, F.ee[0x3F]);
	struct ixy_link link;
	assert_int_equal(ixy_get_link(dev, &link), 0);
	assert_true(link.up);
	assert_int_equal(link.speed_mbps, 10000);
	ixy_close(dev);
	assert_semaphores_clean();
	assert_no_violations(sim);
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_i2c_bus(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-i2c", 0x10FB);
	struct ixy_config cfg = small_cfg();
	struct ixy_device *dev = open_ok(sim, &cfg);
	struct ixgbe_dev *d = to_ixgbe(dev);
	uint8_t v = 0;

	/* a write to the diagnostics page, read back */
	assert_int_equal(ixgbe_i2c_write_byte(d, 0xA2, 110, 0x5A, 1), 0);
	assert_int_equal(F.diag[110], 0x5A);
	assert_int_equal(ixgbe_i2c_read_byte(d, 0xA2, 110, &v, 1), 0);
	assert_int_equal(v, 0x5A);
	/* every byte of the ID EEPROM as stored */
	for (unsigned off = 0; off < 64; off++) {
		assert_int_equal(ixgbe_i2c_read_byte(d, 0xA0, (uint8_t)off, &v, 1), 0);
		assert_int_equal(v, F.sff[off]);
	}
	/* nobody at 0xB0 */
	ixy_clear_error();
	assert_int_equal(ixgbe_i2c_read_byte(d, 0xB0, 0, &v, 2), -ENXIO);
	assert_non_null(strstr(ixy_last_error(), "no device answers at address 0xb0 (2 tries)"));
	/* the bus is idle again: SCL and SDA released */
	assert_true(F.scl && F.sda);
	assert_int_equal(ixgbe_i2c_read_byte(d, 0xA0, 0, &v, 1), 0);
	assert_int_equal(v, 0x03);
	assert_semaphores_clean();
	ixy_close(dev);
	ixy_sim_destroy(sim);
	F.on = false;
}

static void test_reset_kind_and_laser_follow_link(void **state)
{
	(void)state;
	fake_init(IXGBE_AUTOC_LMS_10G_SERIAL);
	struct ixy_sim *sim = new_sim("sfp-rst", 0x10FB);
	struct trace_log t = { 0 };
	struct ixy_config cfg = small_cfg();
	cfg.trace = true;
	cfg.trace_fn = trace_cb;
	cfg.trace_arg = &t;
	cfg.link_optional = true;

	/* link down: CTRL.LRST, the reset of device and link */
	ixy_sim_set_carrier(sim, false);
	struct ixy_device *dev = open_ok(sim, &cfg);
	ixy_close(dev);
	bool found = false;
	for (unsigned i = 0; i < t.ctrl_writes; i++)
		if (t.ctrl[i] & (IXGBE_CTRL_RST | IXGBE_CTRL_LRST)) {
			assert_int_equal(t.ctrl[i] & (IXGBE_CTRL_RST | IXGBE_CTRL_LRST), IXGBE_CTRL_LRST);
			found = true;
		}
	assert_true(found);

	/* closing turned the laser off (as Linux with its interface down);
	 * the next open turns it on and gets link */
	assert_true(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	ixy_sim_set_carrier(sim, true);
	cfg.link_optional = false;
	dev = open_ok(sim, &cfg);
	assert_false(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	assert_int_equal(ixy_get_link_speed(dev), 10000);
	/* with a BMC on the port the laser stays on at close, and the link
	 * stays up into the next open: device reset only, the link is left
	 * alone */
	F.mng = true;
	ixy_close(dev);
	assert_false(ixy_sim_reg_read(sim, IXGBE_ESDP) & IXGBE_ESDP_SDP3);
	memset(&t, 0, sizeof(t));
	dev = open_ok(sim, &cfg);
	found = false;
	for (unsigned i = 0; i < t.ctrl_writes; i++)
		if (t.ctrl[i] & (IXGBE_CTRL_RST | IXGBE_CTRL_LRST)) {
			assert_int_equal(t.ctrl[i] & (IXGBE_CTRL_RST | IXGBE_CTRL_LRST), IXGBE_CTRL_RST);
			found = true;
		}
	assert_true(found);
	ixy_close(dev);
	assert_no_violations(sim);
	ixy_sim_destroy(sim);
	F.on = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_da_cable_identified),
		cmocka_unit_test(test_module_types),
		cmocka_unit_test(test_dual_rate_falls_back_to_1g),
		cmocka_unit_test(test_module_refusals),
		cmocka_unit_test(test_eeprom_checksum),
		cmocka_unit_test(test_stale_semaphores_recovered),
		cmocka_unit_test(test_firmware_holds_swesmbi),
		cmocka_unit_test(test_lesm_and_mng_veto),
		cmocka_unit_test(test_backplane_no_sfp),
		cmocka_unit_test(test_i2c_bus),
		cmocka_unit_test(test_reset_kind_and_laser_follow_link),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
