/* b64.h - base64 (RFC 4648 section 4) and base64url (section 5), strict. */
#ifndef BASE_B64_H
#define BASE_B64_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/*
 * Stateless; share freely. Every function appends to `out` (it never resets
 * it) and returns 0 or a negative base_code. A failed append (ETOOBIG,
 * ENOMEM) leaves the buffer's sticky error set; `p` may be NULL when n is 0.
 */

/* Standard alphabet (+/), padded with '=' to a multiple of 4 characters. */
int base_b64_encode(struct base_buf *out, const void *p, size_t n);
/* URL alphabet (-_), no padding (as JWT/JWS use it). */
int base_b64url_encode(struct base_buf *out, const void *p, size_t n);

/*
 * Decodes n characters of s (which need not be NUL-terminated; a NUL byte
 * inside the n is an invalid character). Padding is optional, but when
 * present it must be exact ("Zg==", "Zm8="). Rejected with BASE_EINVAL:
 * characters outside the alphabet (including whitespace and line breaks),
 * '=' before the end, a length that cannot be base64, and non-zero unused
 * bits in the last character (so every byte string has exactly one accepted
 * unpadded and one padded form). On EINVAL `out` is unchanged.
 */
int base_b64_decode(struct base_buf *out, const char *s, size_t n,
		    struct base_err *err);
/* Same rules over the URL alphabet (-_); '+' and '/' are rejected. */
int base_b64url_decode(struct base_buf *out, const char *s, size_t n,
		       struct base_err *err);

#endif
