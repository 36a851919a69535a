/* PCI addresses: parsing "DDDD:BB:DD.F" / "BB:DD.F" and the canonical form.
 *
 * The parser is a hand-written scanner rather than sscanf() because sscanf
 * accepts signs, "0x" prefixes, leading blanks and silently ignores trailing
 * junk; we want to tell the user exactly which part of the address is wrong.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "pci/pci_internal.h"

#define ADDR_HINT "expected DDDD:BB:DD.F or BB:DD.F in hex, e.g. 0000:03:00.0 (see lspci -D)"

/* Longest input we quote back in a message, so junk cannot flood it. */
#define QUOTE_MAX 40

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One hex field as found in the input. */
struct field {
	unsigned value;   /* saturates: only meaningful when ndigits is small */
	int ndigits;
};

/* Scan the run of hex digits at *pos. */
static struct field scan_hex(const char *str, size_t *pos)
{
	struct field f = { 0, 0 };

	while (hexval(str[*pos]) >= 0) {
		if (f.ndigits < 8)   /* longer fields are rejected anyway */
			f.value = f.value * 16 + (unsigned)hexval(str[*pos]);
		f.ndigits++;
		(*pos)++;
	}
	return f;
}

/* After a field we expect `sep` (or `alt`, if not '\0'). */
static int check_sep(const char *str, size_t pos, char sep, char alt, const char *after)
{
	char c = str[pos];

	if (c == sep || (alt && c == alt))
		return 0;
	if (c == '\0' && alt)
		return ixy_error(-EINVAL, "PCI address '%.*s': missing '%c' or '%c' separator after the %s; %s",
				 QUOTE_MAX, str, sep, alt, after, ADDR_HINT);
	if (c == '\0')
		return ixy_error(-EINVAL, "PCI address '%.*s': missing '%c' separator after the %s; %s",
				 QUOTE_MAX, str, sep, after, ADDR_HINT);
	if (c == ':' || c == '.')
		return ixy_error(-EINVAL, "PCI address '%.*s': found '%c' where the '%c' separator after the %s belongs; %s",
				 QUOTE_MAX, str, c, sep, after, ADDR_HINT);
	return ixy_error(-EINVAL, "PCI address '%.*s': bad hex digit '%c' at position %zu, in the %s; %s",
			 QUOTE_MAX, str, c, pos + 1, after, ADDR_HINT);
}

static int check_field(const char *str, const char *what, struct field f, int max_digits,
		       unsigned max_value)
{
	if (f.ndigits == 0)
		return ixy_error(-EINVAL, "PCI address '%.*s': the %s is empty; %s",
				 QUOTE_MAX, str, what, ADDR_HINT);
	if (f.ndigits > max_digits)
		return ixy_error(-EINVAL, "PCI address '%.*s': the %s is too long (%d hex digits, at most %d); %s",
				 QUOTE_MAX, str, what, f.ndigits, max_digits, ADDR_HINT);
	if (f.value > max_value)
		return ixy_error(-EINVAL, "PCI address '%.*s': %s 0x%x is out of range (at most 0x%x); %s",
				 QUOTE_MAX, str, what, f.value, max_value, ADDR_HINT);
	return 0;
}

int ixy_pci_addr_parse(const char *str, struct ixy_pci_addr *out)
{
	struct field domain = { 0, 0 }, bus, dev, func;
	size_t pos = 0;
	int err;

	if (!str)
		return ixy_error(-EINVAL, "PCI address is NULL; %s", ADDR_HINT);
	if (!out)
		return ixy_error(-EINVAL, "ixy_pci_addr_parse('%.*s'): output pointer is NULL",
				 QUOTE_MAX, str);
	if (str[0] == '\0')
		return ixy_error(-EINVAL, "empty PCI address; %s", ADDR_HINT);

	/* The first field is the domain (long form) or the bus (short form):
	 * which one we only know from the separator after the second field,
	 * so the first two fields are named for both roles until then. */
	struct field f1 = scan_hex(str, &pos);
	if (f1.ndigits > 4)   /* too long for either role */
		return check_field(str, "first field (domain or bus)", f1, 4, 0xffff);
	if ((err = check_sep(str, pos, ':', 0, "first field (domain or bus)")))
		return err;
	pos++;
	struct field f2 = scan_hex(str, &pos);
	if (f2.ndigits > 2)
		return check_field(str, "second field (bus or device)", f2, 2, 0xff);
	if ((err = check_sep(str, pos, ':', '.', "second field (bus or device)")))
		return err;

	if (str[pos] == ':') {
		domain = f1;
		bus = f2;
		pos++;
		dev = scan_hex(str, &pos);
		if ((err = check_field(str, "domain", domain, 4, 0xffff)) ||
		    (err = check_field(str, "bus", bus, 2, 0xff)) ||
		    (err = check_sep(str, pos, '.', 0, "device")))
			return err;
	} else {
		bus = f1;
		dev = f2;
		if ((err = check_field(str, "bus", bus, 2, 0xff)))
			return err;
	}
	if ((err = check_field(str, "device", dev, 2, 0x1f)))
		return err;
	pos++;   /* the '.' */

	func = scan_hex(str, &pos);
	if (func.ndigits == 0 && str[pos] != '\0')
		return ixy_error(-EINVAL, "PCI address '%.*s': bad hex digit '%c' at position %zu, in the function; %s",
				 QUOTE_MAX, str, str[pos], pos + 1, ADDR_HINT);
	if ((err = check_field(str, "function", func, 1, 7)))
		return err;
	if (str[pos] != '\0')
		return ixy_error(-EINVAL, "PCI address '%.*s': trailing junk '%.*s' after the function number; %s",
				 QUOTE_MAX, str, QUOTE_MAX, str + pos, ADDR_HINT);

	out->domain = domain.value;
	out->bus = (uint8_t)bus.value;
	out->dev = (uint8_t)dev.value;
	out->func = (uint8_t)func.value;
	return 0;
}

void ixy_pci_addr_format(const struct ixy_pci_addr *addr, char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	if (!addr) {
		buf[0] = '\0';
		return;
	}
	/* The form the kernel uses for sysfs directory names
	 * (drivers/pci/probe.c: "%04x:%02x:%02x.%d"). */
	snprintf(buf, len, "%04x:%02x:%02x.%x", addr->domain & 0xffff, addr->bus, addr->dev,
		 addr->func & 7);
}
