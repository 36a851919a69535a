/* libixy: error reporting.
 *
 * Every libixy call that can fail returns either a negative errno value
 * (int-returning calls: 0 = success, -EINVAL, -ENOENT, ...) or NULL, and
 * leaves a readable, specific message in a per-thread buffer that
 * ixy_last_error() returns: which device, which file, which errno and what
 * to do about it. The library never ends its caller's process (no exit, no abort).
 */
#ifndef IXY_ERROR_H
#define IXY_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Text of the most recent error on the calling thread ("" if none). The
 * pointer stays valid until the next libixy call on this thread. */
const char *ixy_last_error(void);

/* Short generic text for an error code returned by libixy (negative errno). */
const char *ixy_strerror(int err);

/* Forget the last error of the calling thread. */
void ixy_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
