/* jwt.h - parse and verify an RS256 JWT bearer assertion (RFC 7523). */
#ifndef EMU_JWT_H
#define EMU_JWT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

/* Longer assertions are refused with BASE_ETOOBIG before any decoding. */
#define EMU_JWT_MAX_LEN 16384

/* Plain data, filled by emu_jwt_parse(); strings are NUL-terminated. */
struct emu_jwt {
	char iss[256]; /* consumer key */
	char sub[256]; /* username */
	char aud[512]; /* first audience if "aud" is an array */
	/*
	 * As given: seconds since the epoch (some clients send ms; keep the
	 * raw number). Meaningful only when has_exp.
	 */
	int64_t exp;
	bool has_exp;
};

/*
 * Decodes header and payload without checking the signature. Fails
 * (BASE_EINVAL, message says why: "not three dot-separated parts", "header
 * is not JSON", "alg 'HS256' is not RS256", "claim 'sub' missing", ...) when
 * the text is not a JWT, alg is not RS256, or iss/sub/aud are missing, empty
 * or not strings. Also refused: duplicate JSON keys, a "crit" header, an
 * "exp" that is not a number (a fractional one is floored), an empty or
 * non-base64url signature part. A claim longer than its field, or input
 * longer than EMU_JWT_MAX_LEN bytes, is BASE_ETOOBIG. Reads at most
 * EMU_JWT_MAX_LEN + 1 bytes of assertion. On failure *out is zeroed.
 * Stateless: thread-safe.
 */
int emu_jwt_parse(const char *assertion, struct emu_jwt *out,
		  struct base_err *err);

/*
 * True when the RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature over
 * "<header>.<payload>" verifies with the RSA public key of cert_pem: a PEM
 * X.509 certificate (the first one, if there are several) or a PEM "PUBLIC
 * KEY". It checks only the signature: not the header (emu_jwt_parse does), nor
 * the certificate's dates or issuer. False on any failure, including a bad
 * certificate, a non-RSA key or NULL arguments. Stateless: thread-safe.
 */
bool emu_jwt_signature_ok(const char *assertion, const char *cert_pem);

#endif
