/* Strict number parsing (see num.h for what "strict" rules out). Hand-written
 * for whole numbers: strtoul accepts a sign, blanks and wraps negatives
 * around, and its base 0 reads "010" as eight. Decimal fractions go through
 * strtod, but only after the first character has been checked, so its
 * "inf", "nan", hex floats and leading blanks never get that far. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

static int fail(const char **why, int err, const char *text)
{
	if (why)
		*why = text;
	return err;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *p, uint64_t *out, const char **why)
{
	uint64_t v = 0;
	if (hex_value(*p) < 0)
		return fail(why, -EINVAL, "no hexadecimal digits after 0x");
	for (; *p; p++) {
		int d = hex_value(*p);
		if (d < 0)
			return fail(why, -EINVAL, "trailing characters");
		if (v > (UINT64_MAX >> 4))
			return fail(why, -ERANGE, "too large");
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* DIGITS[.DIGITS][k|M|G]: the value must come out whole. */
static int parse_dec(const char *p, unsigned flags, uint64_t *out, const char **why)
{
	unsigned __int128 ip = 0, frac = 0, den = 1;
	bool digits = false, frac_rest = false;

	for (; is_digit(*p); p++, digits = true) {
		ip = ip * 10 + (unsigned)(*p - '0');
		if (ip > UINT64_MAX)
			return fail(why, -ERANGE, "too large");
	}
	if (*p == '.') {
		p++;
		for (unsigned n = 0; is_digit(*p); p++, n++, digits = true) {
			if (n < 19) {       /* beyond, only zeros can keep it whole (scale <= 1e9) */
				frac = frac * 10 + (unsigned)(*p - '0');
				den *= 10;
			} else if (*p != '0') {
				frac_rest = true;
			}
		}
	}
	if (!digits)
		return fail(why, -EINVAL, "not a number");
	uint64_t scale = 1;
	if (flags & IXY_NUM_SI) {
		switch (*p) {
		case 'k': case 'K': scale = 1000; p++; break;
		case 'M': scale = 1000000; p++; break;
		case 'G': scale = 1000000000; p++; break;
		default: break;
		}
	}
	if (*p)
		return fail(why, -EINVAL, "trailing characters");
	if (frac_rest || (frac * scale) % den != 0)
		return fail(why, -EINVAL, "not a whole number");
	unsigned __int128 v = ip * scale + frac * scale / den;
	if (v > UINT64_MAX)
		return fail(why, -ERANGE, "too large");
	*out = (uint64_t)v;
	return 0;
}

int ixy_parse_u64(const char *s, unsigned flags, uint64_t min, uint64_t max, uint64_t *out, const char **why)
{
	uint64_t v;
	int rc;
	if (!s || !*s)
		return fail(why, -EINVAL, "empty");
	if (*s == '-')
		return fail(why, -ERANGE, "negative");
	if ((flags & IXY_NUM_HEX) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		rc = parse_hex(s + 2, &v, why);
	else if (is_digit(*s) || (*s == '.' && is_digit(s[1])))
		rc = parse_dec(s, flags, &v, why);
	else
		return fail(why, -EINVAL, "not a number");
	if (rc)
		return rc;
	if (v < min || v > max)
		return fail(why, -ERANGE, "out of range");
	*out = v;
	return 0;
}

int ixy_parse_double(const char *s, double min, double max, double *out, const char **unit, const char **why)
{
	if (!s || !*s)
		return fail(why, -EINVAL, "empty");
	const char *p = s;
	if (*p == '-') {
		if (min >= 0)
			return fail(why, -ERANGE, "negative");
		p++;
	}
	/* only plain decimals reach strtod: no blanks, '+', inf, nan */
	if (!is_digit(*p) && !(*p == '.' && is_digit(p[1])))
		return fail(why, -EINVAL, "not a number");
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return fail(why, -EINVAL, "not a decimal number");
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s)
		return fail(why, -EINVAL, "not a number");
	if (errno == ERANGE)
		return fail(why, -ERANGE, fabs(v) > 1 ? "too large" : "too small to represent");
	if (!isfinite(v))
		return fail(why, -EINVAL, "not finite");
	if (unit)
		*unit = end;
	else if (*end)
		return fail(why, -EINVAL, "trailing characters");
	if (v < min || v > max)
		return fail(why, -ERANGE, "out of range");
	*out = v;
	return 0;
}

int ixy_env_flag(const char *name, bool *on)
{
	const char *v = getenv(name);
	*on = false;
	if (!v || !*v || strcmp(v, "0") == 0)
		return 0;
	if (strcmp(v, "1") == 0)
		return *on = true, 0;
	return -EINVAL;
}
