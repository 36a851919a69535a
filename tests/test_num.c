/* The strict number parser (src/num.c) that the sim spec parser and the
 * apps share: what it accepts, to the exact value, and what it refuses,
 * with which error and reason. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "num.h"

struct u64_case {
	const char *s;
	unsigned flags;
	uint64_t min, max;
	int rc;
	uint64_t want;          /* rc == 0 */
	const char *why;        /* rc != 0 */
};

static void test_u64(void **state)
{
	(void)state;
	static const struct u64_case cases[] = {
		{ "0", 0, 0, UINT64_MAX, 0, 0, NULL },
		{ "42", 0, 0, UINT64_MAX, 0, 42, NULL },
		{ "007", 0, 0, UINT64_MAX, 0, 7, NULL },                  /* decimal, not octal */
		{ "18446744073709551615", 0, 0, UINT64_MAX, 0, UINT64_MAX, NULL },
		{ "18446744073709551616", 0, 0, UINT64_MAX, -ERANGE, 0, "too large" },
		{ "99999999999999999999999", 0, 0, UINT64_MAX, -ERANGE, 0, "too large" },
		{ "-1", 0, 0, UINT64_MAX, -ERANGE, 0, "negative" },        /* strtoul: 2^64-1 */
		{ "-0", 0, 0, UINT64_MAX, -ERANGE, 0, "negative" },
		{ "", 0, 0, UINT64_MAX, -EINVAL, 0, "empty" },
		{ " 1", 0, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
		{ "+1", 0, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
		{ "1 ", 0, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "12abc", 0, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "1.5", 0, 0, UINT64_MAX, -EINVAL, 0, "not a whole number" },
		{ "1.0", 0, 0, UINT64_MAX, 0, 1, NULL },
		{ ".", 0, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
		{ "1e3", 0, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "inf", 0, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
		{ "nan", 0, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
		/* range */
		{ "0", 0, 1, 512, -ERANGE, 0, "out of range" },
		{ "513", 0, 1, 512, -ERANGE, 0, "out of range" },
		{ "512", 0, 1, 512, 0, 512, NULL },
		/* hexadecimal only when asked */
		{ "0x10fb", IXY_NUM_HEX, 0, 0xffff, 0, 0x10fb, NULL },
		{ "0X10FB", IXY_NUM_HEX, 0, 0xffff, 0, 0x10fb, NULL },
		{ "0x10fb", 0, 0, 0xffff, -EINVAL, 0, "trailing characters" },
		{ "0x", IXY_NUM_HEX, 0, UINT64_MAX, -EINVAL, 0, "no hexadecimal digits after 0x" },
		{ "0x", 0, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "0x10fbx", IXY_NUM_HEX, 0, 0xffff, -EINVAL, 0, "trailing characters" },
		{ "0x10000", IXY_NUM_HEX, 0, 0xffff, -ERANGE, 0, "out of range" },
		{ "0xffffffffffffffff", IXY_NUM_HEX, 0, UINT64_MAX, 0, UINT64_MAX, NULL },
		{ "0x10000000000000000", IXY_NUM_HEX, 0, UINT64_MAX, -ERANGE, 0, "too large" },
		/* decimal suffixes: the result must be whole */
		{ "2k", IXY_NUM_SI, 0, UINT64_MAX, 0, 2000, NULL },
		{ "1.5k", IXY_NUM_SI, 0, UINT64_MAX, 0, 1500, NULL },
		{ "1.5M", IXY_NUM_SI, 0, UINT64_MAX, 0, 1500000, NULL },
		{ "0.000000001G", IXY_NUM_SI, 0, UINT64_MAX, 0, 1, NULL },
		{ "0.0000000015G", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "not a whole number" },
		{ "1.00000000000000000000000001G", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "not a whole number" },
		{ "1.00000000000000000000000000G", IXY_NUM_SI, 0, UINT64_MAX, 0, 1000000000, NULL },
		{ "1.2345k", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "not a whole number" },
		{ "1.5", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "not a whole number" },
		{ "20000000000G", IXY_NUM_SI, 0, UINT64_MAX, -ERANGE, 0, "too large" },
		{ "2k", 0, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "2kk", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "trailing characters" },
		{ "k", IXY_NUM_SI, 0, UINT64_MAX, -EINVAL, 0, "not a number" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct u64_case *c = &cases[i];
		uint64_t v = 12345;
		const char *why = "unset";
		int rc = ixy_parse_u64(c->s, c->flags, c->min, c->max, &v, &why);
		if (rc != c->rc)
			fail_msg("'%s': rc %d, want %d (%s)", c->s, rc, c->rc, why);
		if (c->rc == 0 && v != c->want)
			fail_msg("'%s': %llu, want %llu", c->s, (unsigned long long)v, (unsigned long long)c->want);
		if (c->rc != 0) {
			assert_int_equal(v, 12345);     /* untouched on failure */
			if (strcmp(why, c->why) != 0)
				fail_msg("'%s': reason '%s', want '%s'", c->s, why, c->why);
		}
	}
	uint64_t v;
	assert_int_equal(ixy_parse_u64(NULL, 0, 0, 1, &v, NULL), -EINVAL);
}

struct dbl_case {
	const char *s;
	double min, max;
	int rc;
	double want;
	const char *why;
};

static void test_double(void **state)
{
	(void)state;
	static const struct dbl_case cases[] = {
		{ "2.5", 0, 1e9, 0, 2.5, NULL },
		{ "0", 0, 1e9, 0, 0, NULL },
		{ ".5", 0, 1e9, 0, 0.5, NULL },
		{ "1e6", 0, 1e9, 0, 1e6, NULL },
		{ "inf", 0, 1e9, -EINVAL, 0, "not a number" },
		{ "infinity", 0, 1e9, -EINVAL, 0, "not a number" },
		{ "nan", 0, 1e9, -EINVAL, 0, "not a number" },
		{ "-1", 0, 1e9, -ERANGE, 0, "negative" },
		{ "-inf", -1, 1, -EINVAL, 0, "not a number" },
		{ "1e999", 0, INFINITY, -ERANGE, 0, "too large" },
		{ "1e-999", 0, 1, -ERANGE, 0, "too small to represent" },
		{ "0x10", 0, 1e9, -EINVAL, 0, "not a decimal number" },
		{ "0x1p3", 0, 1e9, -EINVAL, 0, "not a decimal number" },
		{ " 1", 0, 1e9, -EINVAL, 0, "not a number" },
		{ "+1", 0, 1e9, -EINVAL, 0, "not a number" },
		{ "", 0, 1e9, -EINVAL, 0, "empty" },
		{ "1s", 0, 1e9, -EINVAL, 0, "trailing characters" },
		{ "2e9", 0, 1e9, -ERANGE, 0, "out of range" },
		{ "-0.5", -1, 1, 0, -0.5, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dbl_case *c = &cases[i];
		double v = 777;
		const char *why = "unset";
		int rc = ixy_parse_double(c->s, c->min, c->max, &v, NULL, &why);
		if (rc != c->rc)
			fail_msg("'%s': rc %d, want %d (%s)", c->s, rc, c->rc, why);
		if (c->rc == 0 && v != c->want)
			fail_msg("'%s': %g, want %g", c->s, v, c->want);
		if (c->rc != 0) {
			assert_true(v == 777);
			if (strcmp(why, c->why) != 0)
				fail_msg("'%s': reason '%s', want '%s'", c->s, why, c->why);
		}
	}
	/* with a unit: the rest is handed back for the caller to check */
	double v;
	const char *unit = NULL;
	assert_int_equal(ixy_parse_double("500ms", 0, 1e9, &v, &unit, NULL), 0);
	assert_true(v == 500);
	assert_string_equal(unit, "ms");
	assert_int_equal(ixy_parse_double("1.5Mpps", 0, 1e9, &v, &unit, NULL), 0);
	assert_true(v == 1.5);
	assert_string_equal(unit, "Mpps");
	assert_int_equal(ixy_parse_double("infpps", 0, 1e9, &v, &unit, NULL), -EINVAL);
}

static void test_env_flag(void **state)
{
	(void)state;
	static const struct { const char *v; int rc; bool on; } cases[] = {
		{ NULL, 0, false }, { "", 0, false }, { "0", 0, false }, { "1", 0, true },
		{ "yes", -EINVAL, false }, { "10", -EINVAL, false }, { " 1", -EINVAL, false }, { "1 ", -EINVAL, false },
		{ "true", -EINVAL, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].v)
			setenv("IXY_TEST_FLAG", cases[i].v, 1);
		else
			unsetenv("IXY_TEST_FLAG");
		bool on = !cases[i].on;
		int rc = ixy_env_flag("IXY_TEST_FLAG", &on);
		if (rc != cases[i].rc || (rc == 0 && on != cases[i].on))
			fail_msg("IXY_TEST_FLAG=%s: rc %d on %d", cases[i].v ? cases[i].v : "(unset)", rc, on);
	}
	unsetenv("IXY_TEST_FLAG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_env_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
