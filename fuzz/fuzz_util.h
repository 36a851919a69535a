/* What the libFuzzer harnesses share: how a harness reports a broken
 * invariant (a crash, so libFuzzer saves the input as a reproducer), and a
 * private scratch directory for the targets that need files.
 *
 * Only harnesses include this: they may abort(), the library never does. */
#ifndef IXY_FUZZ_UTIL_H
#define IXY_FUZZ_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An invariant the library promises does not hold: say which, then crash
 * so the fuzzer keeps the input (crash-<sha1> in the working directory). */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "\n==fuzz== invariant broken: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

#define FUZZ_CHECK(cond, ...)                       \
	do {                                        \
		if (!(cond))                        \
			fuzz_fail(__VA_ARGS__);     \
	} while (0)

/* The input as a C string in a heap block of exactly len + 1 bytes, so
 * ASan sees any read past its end. Stops at an embedded NUL, as C does. */
static inline char *fuzz_cstr(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		fuzz_fail("out of memory");
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/* A directory of our own under $TMPDIR (else /tmp), created once and
 * removed at exit, made the working directory: targets that create files
 * (pcap wires) only ever name files in it. A crash leaves it behind, so
 * scripts/fuzz.sh points TMPDIR into its output directory. */
static char fuzz_dir_path[512];

static inline void fuzz_dir_remove(void)
{
	char cmd[600];
	if (!fuzz_dir_path[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

static inline const char *fuzz_dir(void)
{
	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !tmp[0] || strchr(tmp, '\''))
		tmp = "/tmp";
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/ixy-fuzz-XXXXXX", tmp);
	if (!mkdtemp(fuzz_dir_path))
		fuzz_fail("cannot create a scratch directory in %s", tmp);
	if (chdir(fuzz_dir_path) != 0)
		fuzz_fail("cannot enter %s", fuzz_dir_path);
	atexit(fuzz_dir_remove);
	return fuzz_dir_path;
}

#endif
