/* Fuzz target: the PCI address parser (src/pci/pci_addr.c).
 *
 * The input is the address text. Besides memory safety (the text sits in a
 * heap block of its exact size, so a read past its end is caught), two
 * oracles:
 *   - an independent grammar, a POSIX regex: the parser accepts exactly
 *     DDDD:BB:DD.F / BB:DD.F in hex (1..4, 1..2, 1..2, 1 digits) with the
 *     device at most 0x1f and the function at most 7;
 *   - round trip: the canonical form of what was parsed parses back to the
 *     same address.
 * A refusal must be -EINVAL with a message, and leave *out untouched. */
#include <errno.h>
#include <regex.h>
#include <stdbool.h>

#include "fuzz_util.h"
#include "ixy/error.h"
#include "ixy/pci.h"

static regex_t grammar;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (regcomp(&grammar, "^([0-9a-fA-F]{1,4}:)?[0-9a-fA-F]{1,2}:([0-9a-fA-F]{1,2})\\.([0-7])$",
		    REG_EXTENDED) != 0)
		fuzz_fail("regcomp failed");
	return 0;
}

/* What the grammar says, including the device range the regex cannot. */
static bool valid(const char *s)
{
	regmatch_t m[4];
	if (regexec(&grammar, s, 4, m, 0) != 0)
		return false;
	unsigned dev = (unsigned)strtoul(s + m[2].rm_so, NULL, 16);
	return dev <= 0x1f;
}

static bool same(const struct ixy_pci_addr *a, const struct ixy_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev && a->func == b->func;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstr(data, size);
	const struct ixy_pci_addr sentinel = { 0xdeadbeef, 0xee, 0xee, 0xee };
	struct ixy_pci_addr a = sentinel;
	int r = ixy_pci_addr_parse(s, &a);
	bool want = valid(s);

	if (r == 0) {
		FUZZ_CHECK(want, "parser accepted \"%s\", which is not DDDD:BB:DD.F / BB:DD.F", s);
		FUZZ_CHECK(a.domain <= 0xffff && a.dev <= 0x1f && a.func <= 7,
			   "\"%s\" parsed to an out-of-range address %x:%x:%x.%x", s, a.domain, a.bus, a.dev, a.func);
		char canon[16], small[8];
		ixy_pci_addr_format(&a, canon, sizeof(canon));
		FUZZ_CHECK(strlen(canon) == 12, "canonical form of \"%s\" is \"%s\", not 12 characters", s, canon);
		struct ixy_pci_addr b = sentinel;
		FUZZ_CHECK(ixy_pci_addr_parse(canon, &b) == 0 && same(&a, &b),
			   "\"%s\" -> \"%s\" does not parse back to the same address", s, canon);
		ixy_pci_addr_format(&a, small, sizeof(small));   /* truncates, must not overflow */
		FUZZ_CHECK(strlen(small) == sizeof(small) - 1, "truncated format wrote %zu characters",
			   strlen(small));
	} else {
		FUZZ_CHECK(!want, "parser refused the valid address \"%s\": %s", s, ixy_last_error());
		FUZZ_CHECK(r == -EINVAL, "refusal of \"%s\" returned %d, not -EINVAL", s, r);
		const char *msg = ixy_last_error();
		FUZZ_CHECK(msg && msg[0], "refusal of \"%s\" left no message", s);
		FUZZ_CHECK(same(&a, &sentinel), "refusal of \"%s\" wrote the output", s);
	}
	free(s);
	return 0;
}
