/* Strict number parsing: the one parser behind every number libixy and its
 * apps take as text (sim port specs, the apps' options).
 *
 * Strict means: the whole string is the number (no leading blanks, no sign
 * unless negative values are allowed, nothing after it unless the caller
 * asks for a unit), finite, inside the caller's range, and whole where a
 * count is meant. strtoul's quiet wrap-around ("-1" -> 2^64-1), strtod's
 * "inf", "nan" and hex floats, and "1.5" rounded to a count are all errors.
 *
 * Internal to the library (not in include/ixy/): the in-tree apps link the
 * static library and use it through apps/common/app.c, so there is one
 * implementation; it is not part of the installed API. */
#ifndef IXY_SRC_NUM_H
#define IXY_SRC_NUM_H

#include <stdbool.h>
#include <stdint.h>

enum ixy_num_flags {
	IXY_NUM_HEX = 1 << 0,	/* also 0x... (hexadecimal digits, whole only) */
	IXY_NUM_SI = 1 << 1,	/* decimal suffix k, M, G (x 1000), fractions allowed if the result is whole */
};

/* Parse a whole number in min..max. Returns 0, or -EINVAL (not a number,
 * not whole, trailing characters) / -ERANGE (outside min..max); *why then
 * says which in a few words (for "'1.5' is not a number in 1..512: not a
 * whole number"). *out is only written on success. why may be NULL. */
int ixy_parse_u64(const char *s, unsigned flags, uint64_t min, uint64_t max, uint64_t *out, const char **why);

/* Parse a finite decimal number in min..max (e.g. "2.5", "1e6"). With
 * unit == NULL nothing may follow it; otherwise *unit points to what
 * follows (the caller checks it: "ms", "Mpps"). Returns 0, -EINVAL or
 * -ERANGE as above. */
int ixy_parse_double(const char *s, double min, double max, double *out, const char **unit, const char **why);

/* An on/off switch from the environment (IXY_TRACE, IXY_RX_SCALAR,
 * IXY_SIM_VERBOSE, IXY_NO_AVX2): unset or "" or "0" is off, "1" is on; anything else
 * ("yes", "10", " 1") is -EINVAL, so a typo is not silently read as off. */
int ixy_env_flag(const char *name, bool *on);

#endif
