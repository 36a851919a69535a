/* PCI address parsing and formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "ixy/error.h"
#include "ixy/pci.h"

static void assert_parses(const char *s, uint32_t domain, uint8_t bus, uint8_t dev, uint8_t func)
{
	struct ixy_pci_addr a;

	memset(&a, 0xaa, sizeof(a));
	int r = ixy_pci_addr_parse(s, &a);
	if (r != 0)
		fail_msg("'%s' should parse, got %d: %s", s, r, ixy_last_error());
	assert_int_equal(a.domain, domain);
	assert_int_equal(a.bus, bus);
	assert_int_equal(a.dev, dev);
	assert_int_equal(a.func, func);
}

/* Parsing must fail with -EINVAL, leave *out alone, and the message must
 * contain every one of the given fragments (NULL-terminated). */
static void assert_rejects(const char *s, ...)
{
	struct ixy_pci_addr a, before;
	va_list ap;

	memset(&a, 0x5c, sizeof(a));
	before = a;
	ixy_clear_error();
	int r = ixy_pci_addr_parse(s, &a);
	if (r != -EINVAL)
		fail_msg("'%s' should be rejected with -EINVAL, got %d", s ? s : "(NULL)", r);
	assert_memory_equal(&a, &before, sizeof(a));
	va_start(ap, s);
	for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *)) {
		if (!strstr(ixy_last_error(), frag))
			fail_msg("message for '%s' lacks '%s': %s", s ? s : "(NULL)", frag,
				 ixy_last_error());
	}
	va_end(ap);
}

static void test_parse_long_form(void **state)
{
	(void)state;
	assert_parses("0000:03:00.0", 0, 0x03, 0x00, 0);
	assert_parses("0000:00:1f.7", 0, 0x00, 0x1f, 7);
	assert_parses("ffff:ff:1f.7", 0xffff, 0xff, 0x1f, 7);
	assert_parses("10DE:Ab:1F.3", 0x10de, 0xab, 0x1f, 3);
	/* Fewer digits than canonical are still unambiguous. */
	assert_parses("1:2:3.4", 1, 2, 3, 4);
}

static void test_parse_short_form(void **state)
{
	(void)state;
	assert_parses("03:00.0", 0, 0x03, 0x00, 0);
	assert_parses("af:1e.1", 0, 0xaf, 0x1e, 1);
	assert_parses("0:0.0", 0, 0, 0, 0);
}

static void test_reject_null_and_empty(void **state)
{
	(void)state;
	assert_rejects(NULL, "NULL", "DDDD:BB:DD.F", NULL);
	assert_rejects("", "empty", "0000:03:00.0", NULL);
	assert_int_equal(ixy_pci_addr_parse("0000:03:00.0", NULL), -EINVAL);
	assert_non_null(strstr(ixy_last_error(), "NULL"));
}

static void test_reject_too_long(void **state)
{
	(void)state;
	assert_rejects("00000:03:00.0", "'00000:03:00.0'", "domain", "too long", "5 hex digits", NULL);
	assert_rejects("0000:003:00.0", "bus", "too long", NULL);
	assert_rejects("0000:03:000.0", "device", "too long", NULL);
	assert_rejects("0000:03:00.00", "function", "too long", NULL);
	assert_rejects("003:00.0", "bus", "too long", NULL);
	/* A very long input is quoted only in part. */
	char big[300];
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_rejects(big, "too long", NULL);
	assert_true(strlen(ixy_last_error()) < 300);
}

static void test_reject_bad_hex(void **state)
{
	(void)state;
	assert_rejects("00g0:03:00.0", "bad hex digit 'g'", "position 3", NULL);
	assert_rejects("0000:0x:00.0", "bad hex digit 'x'", "position 7", NULL);
	assert_rejects("0000:03:z0.0", "bad hex digit 'z'", NULL);
	assert_rejects("0000:03:00.g", "bad hex digit 'g'", "function", NULL);
	assert_rejects("-1:00.0", "bad hex digit '-'", NULL);
	assert_rejects(" 0000:03:00.0", "bad hex digit ' '", "position 1", NULL);
}

static void test_reject_out_of_range(void **state)
{
	(void)state;
	assert_rejects("0000:03:20.0", "device 0x20", "out of range", "0x1f", NULL);
	assert_rejects("03:ff.0", "device 0xff", "out of range", NULL);
	assert_rejects("0000:03:00.8", "function 0x8", "out of range", "0x7", NULL);
	assert_rejects("0000:03:00.f", "function 0xf", "out of range", NULL);
}

static void test_reject_separators(void **state)
{
	(void)state;
	assert_rejects("0000", "missing ':'", NULL);
	assert_rejects("0000:03", "missing ':' or '.'", NULL);
	assert_rejects("0000:03:00", "missing '.'", "after the device", NULL);
	assert_rejects("03:00", "missing ':' or '.'", NULL);
	assert_rejects("0000.03:00.0", "found '.'", "':'", NULL);
	assert_rejects("0000:03:00:0", "found ':'", "'.'", NULL);
	assert_rejects("0000::00.0", "bus", "empty", NULL);
	assert_rejects(":03:00.0", "domain", "empty", NULL);
	assert_rejects("0000:03:.0", "device", "empty", NULL);
	assert_rejects("0000:03:00.", "function", "empty", NULL);
}

static void test_reject_trailing_junk(void **state)
{
	(void)state;
	assert_rejects("0000:03:00.0x", "trailing junk 'x'", NULL);
	assert_rejects("0000:03:00.0 ", "trailing junk ' '", NULL);
	assert_rejects("0000:03:00.0\n", "trailing junk", NULL);
	assert_rejects("03:00.1/config", "trailing junk '/config'", NULL);
}

static void test_format(void **state)
{
	struct ixy_pci_addr a = { .domain = 0x10de, .bus = 0xab, .dev = 0x1f, .func = 7 };
	char buf[32];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	ixy_pci_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "10de:ab:1f.7");

	struct ixy_pci_addr z = { 0, 3, 0, 0 };
	ixy_pci_addr_format(&z, buf, 13);   /* exactly enough */
	assert_string_equal(buf, "0000:03:00.0");

	/* A short buffer is cut, still terminated, never overrun. */
	memset(buf, 'X', sizeof(buf));
	ixy_pci_addr_format(&z, buf, 5);
	assert_string_equal(buf, "0000");
	assert_int_equal(buf[5], 'X');
}

static void test_roundtrip(void **state)
{
	const char *in[] = { "3:0.1", "0000:03:00.1", "AB:1f.7", "0001:Ab:01.2" };
	const char *want[] = { "0000:03:00.1", "0000:03:00.1", "0000:ab:1f.7", "0001:ab:01.2" };
	struct ixy_pci_addr a;
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(ixy_pci_addr_parse(in[i], &a), 0);
		ixy_pci_addr_format(&a, buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_long_form),
		cmocka_unit_test(test_parse_short_form),
		cmocka_unit_test(test_reject_null_and_empty),
		cmocka_unit_test(test_reject_too_long),
		cmocka_unit_test(test_reject_bad_hex),
		cmocka_unit_test(test_reject_out_of_range),
		cmocka_unit_test(test_reject_separators),
		cmocka_unit_test(test_reject_trailing_junk),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
