/* Per-thread last-error text. Thread-local so two threads driving two
 * queues never see each other's messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define IXY_ERRBUF 512

static __thread char errbuf[IXY_ERRBUF];
static __thread int errcode;

const char *ixy_last_error(void) { return errbuf; }

int ixy_last_error_code(void) { return errcode; }

void ixy_clear_error(void)
{
	errbuf[0] = '\0';
	errcode = 0;
}

const char *ixy_strerror(int err)
{
	if (err == 0)
		return "success";
	/* strerror() is not thread-safe in general; strerrordesc_np() is and
	 * needs no buffer (glibc >= 2.32). */
	const char *s = strerrordesc_np(err < 0 ? -err : err);
	return s ? s : "unknown error";
}

static void vset(int err, const char *fmt, va_list ap)
{
	errcode = err;
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
}

int ixy_error(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return err;
}

void *ixy_error_null(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return NULL;
}

void ixy_error_prefix(const char *fmt, ...)
{
	char prev[IXY_ERRBUF];
	va_list ap;

	memcpy(prev, errbuf, sizeof(prev));
	va_start(ap, fmt);
	int n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(errbuf) - 2)
		return;
	errbuf[n] = ':';
	errbuf[n + 1] = ' ';
	/* Keep as much of the earlier message as fits. */
	size_t room = sizeof(errbuf) - (size_t)n - 2;
	size_t plen = strnlen(prev, room - 1);
	memcpy(errbuf + n + 2, prev, plen);
	errbuf[n + 2 + plen] = '\0';
}
