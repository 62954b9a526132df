/* error_int.h - filling a struct sf_error inside libsf. */
#ifndef SF_ERROR_INT_H
#define SF_ERROR_INT_H

#include <stddef.h>

#include "sf/error.h"

/*
 * The base code a failure of class `cls` returns (error.h): BASE_EAUTH for
 * credential, policy, time_window, password_expired and session;
 * BASE_ERETRY for throttle, transient, network; BASE_ENOTFOUND;
 * BASE_EINVAL for invalid_request; BASE_ERR for tls; BASE_EPROTO for none
 * (a reply libsf could not read).
 */
int sf__class_code(enum sf_class cls);

/*
 * Sets cls, http_status, code (may be NULL) and message (printf), clears
 * raw and fields, keeps api_used/api_max; returns sf__class_code(cls).
 * err may be NULL.
 */
int sf__error_set(struct sf_error *err, enum sf_class cls, int http_status,
		  const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Prefixes "<fmt>: " to err->message (no other field changes); returns
 * sf__class_code(err->cls). */
int sf__error_wrap(struct sf_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Copies at most n bytes of s into dst (size dsize), NUL-terminated, cut at
 * a UTF-8 character boundary, with control characters (CR, LF, tab ...)
 * turned into spaces so the text stays one line.
 */
void sf__copy_text(char *dst, size_t dsize, const char *s, size_t n);

#endif
