/* ixgbe driver: what the comparison with Linux's ixgbe on the model found
 * (scripts/uml-trace-diff.sh, docs/driver.md "libixy's sequence against
 * Linux's"), asserted on the register sequence as the model records it
 * (sim option trace=FILE, the record the comparison is made from), and the
 * record itself: its format, notes, and a bad path. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ixy/device.h"
#include "ixy/error.h"
#include "ixy/sim.h"
#include "sim_checks.h"
#include "error.h"  /* ixy_last_error_code */

#define RAL(n)    (0x0A200u + 8u * (n))
#define RAH(n)    (0x0A204u + 8u * (n))
#define RAH_AV    (1u << 31)
#define CTRL      0x00000u
#define CTRL_LRST (1u << 3)
#define CTRL_RST  (1u << 26)
#define RXCTRL    0x03000u
#define RTTDQSEL  0x04904u
#define RTTBCNRC  0x04984u
#define TXDCTL0   0x06028u
#define ENABLE    (1u << 25)
#define EERD      0x10014u
#define EEWR      0x10018u
#define EE_START  1u
#define EE_DONE   (1u << 1)
#define SW_FW_SYNC 0x10160u
#define SWFW_EEP  1u
#define SWFW_SW_MNG (1u << 10)
#define FLEX_MNG  0x15800u
#define HICR      0x15F00u
#define HICR_C    (1u << 1)

/* One line of the model's trace: an access, or a note (kind '#'). */
struct rec {
	char kind;
	uint32_t reg, val;
	char note[64];
};

struct trace {
	struct rec *r;
	size_t n;
	char path[64];
};

static void trace_start(struct trace *t, struct ixy_sim *sim)
{
	snprintf(t->path, sizeof(t->path), "/tmp/ixy-test-trace.XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ixy_sim_trace(sim, t->path), 0);
}

/* Stops tracing and reads the file back. */
static void trace_load(struct trace *t, struct ixy_sim *sim)
{
	assert_int_equal(ixy_sim_trace(sim, NULL), 0);
	FILE *f = fopen(t->path, "r");
	assert_non_null(f);
	char line[256];
	size_t cap = 0;
	t->n = 0;
	t->r = NULL;
	while (fgets(line, sizeof(line), f)) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 4096;
			t->r = realloc(t->r, cap * sizeof(*t->r));
			assert_non_null(t->r);
		}
		struct rec *r = &t->r[t->n];
		memset(r, 0, sizeof(*r));
		double us;
		char kind;
		int used = 0;
		assert_int_equal(sscanf(line, "%lf %c %n", &us, &kind, &used), 2);
		r->kind = kind;
		if (kind == '#') {
			snprintf(r->note, sizeof(r->note), "%s", line + used);
			r->note[strcspn(r->note, "\n")] = '\0';
		} else {
			assert_true(kind == 'R' || kind == 'W');
			assert_int_equal(sscanf(line + used, "0x%x 0x%x", &r->reg, &r->val), 2);
		}
		t->n++;
	}
	fclose(f);
	unlink(t->path);
}

/* Index of the first write of reg at or after from with all of bits set
 * in the value (bits 0: any value), or -1. */
static long find_write(const struct trace *t, long from, uint32_t reg, uint32_t bits)
{
	for (size_t i = (size_t)from; i < t->n; i++)
		if (t->r[i].kind == 'W' && t->r[i].reg == reg && (t->r[i].val & bits) == bits)
			return (long)i;
	return -1;
}

static struct ixy_sim *new_sim(const char *name, uint16_t device_id)
{
	struct ixy_sim_config sc = { .mode = IXY_SIM_STEPPED, .device_id = device_id,
				     .mac = { 0x02, 0x00, 0x00, 0x12, 0x34, 0x56 } };
	struct ixy_sim *sim = ixy_sim_create(name, &sc);
	if (!sim)
		print_message("ixy_sim_create: %s\n", ixy_last_error());
	assert_non_null(sim);
	assert_int_equal(ixy_sim_wire_loopback(sim), 0);
	return sim;
}

static struct ixy_device *open_port(struct ixy_sim *sim)
{
	struct ixy_config c = { .rx_ring_size = 256, .tx_ring_size = 256, .mempool_size = 512,
				.link_timeout_ms = 2000 };
	struct ixy_device *dev = ixy_open_sim(sim, &c);
	if (!dev)
		print_message("ixy_open_sim: %s\n", ixy_last_error());
	assert_non_null(dev);
	return dev;
}

static void assert_no_violations(struct ixy_sim *sim)
{
	assert_no_sim_violations(sim);
	assert_int_equal(ixy_sim_unknown_reg_count(sim), 0);
}

/* ---- the record ---- */

static void test_trace_format_and_notes(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("trace-fmt", 0);
	struct trace t;
	trace_start(&t, sim);
	ixy_sim_reg_write(sim, RAL(3), 0x12345678);
	ixy_sim_trace_note(sim, "phase two");
	assert_int_equal(ixy_sim_reg_read(sim, RAL(3)), 0x12345678);
	trace_load(&t, sim);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.r[0].kind, 'W');
	assert_int_equal(t.r[0].reg, RAL(3));
	assert_int_equal(t.r[0].val, 0x12345678);
	assert_int_equal(t.r[1].kind, '#');
	assert_string_equal(t.r[1].note, "phase two");
	assert_int_equal(t.r[2].kind, 'R');
	assert_int_equal(t.r[2].reg, RAL(3));
	assert_int_equal(t.r[2].val, 0x12345678);
	free(t.r);
	/* tracing off: nothing is written, a note is ignored */
	ixy_sim_trace_note(sim, "nobody reads this");
	ixy_sim_reg_write(sim, RAL(3), 0);
	ixy_sim_destroy(sim);
}

static void test_trace_spec_option(void **state)
{
	(void)state;
	char path[64], spec[128];
	snprintf(path, sizeof(path), "/tmp/ixy-test-trace.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(spec, sizeof(spec), "trace-spec,mode=stepped,trace=%s", path);
	struct ixy_sim *sim = ixy_sim_open_spec(spec);
	assert_non_null(sim);
	ixy_sim_reg_write(sim, 0x05080, 0x400);	/* FCTRL */
	ixy_sim_destroy(sim);	/* closes the record */
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[128];
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, " W 0x05080 0x00000400\n"));
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);

	/* a file that cannot be written: the port is refused, with the path */
	assert_null(ixy_sim_open_spec("trace-bad,trace=/nonexistent-dir/x.trace"));
	assert_int_equal(ixy_last_error_code(), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "/nonexistent-dir/x.trace"));
	assert_null(ixy_sim_find("trace-bad"));
}

/* ---- what Linux does and we now do too ---- */

/* After the last reset and before receive is enabled, every receive
 * address 1..127 is written 0 (RAH before RAL), and for every TX queue
 * RTTDQSEL = q is followed by RTTBCNRC = 0 before any queue is enabled. */
static void check_cleared_after_reset(uint16_t device_id, const char *name)
{
	struct ixy_sim *sim = new_sim(name, device_id);
	/* What a previous driver left: a secondary address, valid. The
	 * model's reset clears its register file, so the record, not the
	 * value, shows whether the driver clears it. */
	ixy_sim_reg_write(sim, RAL(5), 0x04030201);
	ixy_sim_reg_write(sim, RAH(5), RAH_AV | 0x0605);
	struct trace t;
	trace_start(&t, sim);
	struct ixy_device *dev = open_port(sim);
	trace_load(&t, sim);

	long reset = -1;
	for (long i = 0; (i = find_write(&t, i, CTRL, 0)) >= 0; i++)
		if (t.r[i].val & (CTRL_RST | CTRL_LRST))
			reset = i;
	assert_true(reset >= 0);
	long rxen = find_write(&t, reset, RXCTRL, 1);
	long txen = find_write(&t, reset, TXDCTL0, ENABLE);
	assert_true(rxen > reset);
	assert_true(txen > reset);
	for (uint32_t n = 1; n < 128; n++) {
		long h = find_write(&t, reset, RAH(n), 0), l = find_write(&t, reset, RAL(n), 0);
		if (h < 0 || l < 0 || h > l || l > rxen || t.r[h].val != 0 || t.r[l].val != 0)
			fail_msg("%s: RAH/RAL[%u] not cleared (RAH at %ld, RAL at %ld, RXEN at %ld)", name, n, h, l,
				 rxen);
		assert_int_equal(ixy_sim_reg_read(sim, RAH(n)), 0);
	}
	/* entry 0 keeps the address the EEPROM loaded */
	assert_int_equal(ixy_sim_reg_read(sim, RAL(0)), 0x12000002);
	assert_int_equal(ixy_sim_reg_read(sim, RAH(0)), RAH_AV | 0x5634);
	long at = reset;
	for (uint32_t q = 0; q < 128; q++) {
		long sel;
		do
			sel = find_write(&t, at, RTTDQSEL, 0);
		while (sel >= 0 && t.r[sel].val != q && (at = sel + 1));
		if (sel < 0 || sel > txen || t.r[sel + 1].kind != 'W' || t.r[sel + 1].reg != RTTBCNRC ||
		    t.r[sel + 1].val != 0)
			fail_msg("%s: rate limiter of TX queue %u not cleared before TXDCTL.ENABLE", name, q);
		at = sel + 2;
	}
	assert_no_violations(sim);
	ixy_close(dev);
	assert_no_violations(sim);
	free(t.r);
	ixy_sim_destroy(sim);
}

static void test_rar_and_rate_limiters_cleared_82599_sfp(void **state)
{
	(void)state;
	check_cleared_after_reset(0x10FB, "diff-10fb");
}

static void test_rar_and_rate_limiters_cleared_backplane(void **state)
{
	(void)state;
	check_cleared_after_reset(0x10F8, "diff-10f8");
}

static void test_rar_and_rate_limiters_cleared_x540(void **state)
{
	(void)state;
	check_cleared_after_reset(0x1528, "diff-1528");
}

/* X540: the NVM checksum, as Linux checks it at probe (the trace comparison
 * showed Linux reading 137 words of the X540's NVM that we did not read):
 * every EERD read under the EEPROM semaphore, the same words. */
static void test_x540_nvm_checksum_under_semaphore(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("diff-x540-nvm", 0x1528);
	struct trace t;
	trace_start(&t, sim);
	struct ixy_device *dev = open_port(sim);
	trace_load(&t, sim);
	bool held = false, seen[0x40] = { false };
	unsigned reads = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.r[i].kind != 'W')
			continue;
		if (t.r[i].reg == SW_FW_SYNC)
			held = t.r[i].val & SWFW_EEP;
		if (t.r[i].reg == EERD && (t.r[i].val & EE_START)) {
			uint32_t word = t.r[i].val >> 2 & 0x3FFF;
			if (!held)
				fail_msg("EERD read of NVM word 0x%x without the EEPROM semaphore (trace line %zu)", word, i);
			if (word < 0x40)
				seen[word] = true;
			reads++;
		}
	}
	for (unsigned w = 0; w < 0x40; w++)
		if (!seen[w])
			fail_msg("NVM word 0x%02x (summed by the checksum, or the checksum itself) was not read", w);
	assert_true(reads > 0x40);	/* and the sections behind the pointers */
	assert_false(held);		/* given back */
	assert_no_violations(sim);
	ixy_close(dev);
	free(t.r);
	ixy_sim_destroy(sim);
}

/* X550: the NVM through the firmware's host interface (Linux's 25
 * commands at probe, ours none before): every command under the host
 * interface and EEPROM semaphores, the first one reading words
 * 0x00-0x41 (byte address 0, 0x84 bytes, big-endian). */
static void test_x550_nvm_checksum_through_host_interface(void **state)
{
	(void)state;
	struct ixy_sim *sim = new_sim("diff-x550-nvm", 0x1563);
	struct trace t;
	trace_start(&t, sim);
	struct ixy_device *dev = open_port(sim);
	trace_load(&t, sim);
	uint32_t sync = 0, buf[4] = { 0 };
	unsigned cmds = 0;
	for (size_t i = 0; i < t.n; i++) {
		if (t.r[i].kind != 'W')
			continue;
		if (t.r[i].reg == SW_FW_SYNC)
			sync = t.r[i].val;
		if (t.r[i].reg >= FLEX_MNG && t.r[i].reg < FLEX_MNG + 16)
			buf[(t.r[i].reg - FLEX_MNG) / 4] = t.r[i].val;
		if (t.r[i].reg == HICR && (t.r[i].val & HICR_C)) {
			if ((sync & (SWFW_EEP | SWFW_SW_MNG)) != (SWFW_EEP | SWFW_SW_MNG))
				fail_msg("host interface command without the semaphores (SW_FW_SYNC 0x%x, line %zu)", sync,
					 i);
			assert_int_equal(buf[0] & 0xff, 0x31);	/* read shadow RAM */
			if (cmds++ == 0) {
				assert_int_equal(buf[1], __builtin_bswap32(0));
				assert_int_equal(buf[2] & 0xffff, __builtin_bswap16(0x84));
			}
		}
	}
	assert_true(cmds >= 2);	/* the words and the sections behind the pointers */
	assert_int_equal(sync & (SWFW_EEP | SWFW_SW_MNG), 0);	/* given back */
	assert_no_violations(sim);
	ixy_close(dev);
	free(t.r);
	ixy_sim_destroy(sim);
}

static uint16_t nvm_word(struct ixy_sim *sim, uint32_t word)
{
	ixy_sim_reg_write(sim, EERD, word << 2 | EE_START);
	uint32_t v = ixy_sim_reg_read(sim, EERD);
	assert_true(v & EE_DONE);
	return (uint16_t)(v >> 16);
}

static void check_corrupt_nvm_refused(uint16_t device_id, const char *name)
{
	struct ixy_sim *sim = new_sim(name, device_id);
	uint16_t w = nvm_word(sim, 0x20);
	/* one bit of a summed word flipped, the checksum word left alone: a
	 * half-written NVM */
	ixy_sim_reg_write(sim, EEWR, (uint32_t)(w ^ 0x0100) << 16 | 0x20u << 2 | EE_START);
	assert_int_equal(nvm_word(sim, 0x20), w ^ 0x0100);
	struct ixy_config c = { .rx_ring_size = 256, .tx_ring_size = 256, .mempool_size = 512,
				.link_timeout_ms = 2000 };
	assert_null(ixy_open_sim(sim, &c));
	assert_int_equal(ixy_last_error_code(), -EIO);
	assert_non_null(strstr(ixy_last_error(), "checksum is wrong"));
	/* put back: the same port opens */
	ixy_sim_reg_write(sim, EEWR, (uint32_t)w << 16 | 0x20u << 2 | EE_START);
	struct ixy_device *dev = open_port(sim);
	ixy_close(dev);
	ixy_sim_destroy(sim);
}

static void test_x540_nvm_checksum_refuses_corrupt_image(void **state)
{
	(void)state;
	check_corrupt_nvm_refused(0x1528, "diff-x540-bad");
}

static void test_x550_nvm_checksum_refuses_corrupt_image(void **state)
{
	(void)state;
	check_corrupt_nvm_refused(0x1563, "diff-x550-bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_format_and_notes),
		cmocka_unit_test(test_trace_spec_option),
		cmocka_unit_test(test_rar_and_rate_limiters_cleared_82599_sfp),
		cmocka_unit_test(test_rar_and_rate_limiters_cleared_backplane),
		cmocka_unit_test(test_rar_and_rate_limiters_cleared_x540),
		cmocka_unit_test(test_x540_nvm_checksum_under_semaphore),
		cmocka_unit_test(test_x540_nvm_checksum_refuses_corrupt_image),
		cmocka_unit_test(test_x550_nvm_checksum_through_host_interface),
		cmocka_unit_test(test_x550_nvm_checksum_refuses_corrupt_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
