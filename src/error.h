/* Internal error helpers: set the per-thread message and return the code. */
#ifndef IXY_SRC_ERROR_H
#define IXY_SRC_ERROR_H

#include <errno.h>
#include "ixy/error.h"

/* Record a message (printf-style) and return err, which must be a negative
 * errno value, so callers can write `return ixy_error(-EINVAL, "...")`. */
int ixy_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same, but returns NULL for pointer-returning calls. */
void *ixy_error_null(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context: "ctx: previous message". */
void ixy_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The code of the last error on this thread (0 if none). */
int ixy_last_error_code(void);

#endif
