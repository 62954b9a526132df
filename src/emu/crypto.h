/* crypto.h - random tokens, SHA-256, OAuth token signature, safe compare. */
#ifndef EMU_CRYPTO_H
#define EMU_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/*
 * Stateless over OpenSSL libcrypto (3.x); every function is thread-safe.
 */

/*
 * Fills out[0..len-1] with characters drawn uniformly and independently from
 * alphabet (a NUL-terminated string of 1..256 bytes; duplicates count twice)
 * using RAND_bytes, with rejection sampling so there is no modulo bias, and
 * sets out[len] = '\0'. out must hold len + 1 bytes. Returns 0, or BASE_ERR
 * when the CSPRNG fails or the alphabet is empty or too long (then out is
 * "").
 */
int emu_random_token(char *out, size_t len, const char *alphabet);

/*
 * Lowercase hex SHA-256 of p[0..n-1] into out (64 digits + NUL). Should
 * libcrypto fail, out is "", which equals no digest.
 */
void emu_sha256_hex(const void *p, size_t n, char out[65]);

/*
 * The `signature` field of a Salesforce OAuth token response:
 * Base64(HMAC-SHA256(key = client_secret, data = id_url || issued_at)),
 * standard alphabet with padding (44 characters), appended to out. Returns 0,
 * the buffer's error code, or BASE_ERR when libcrypto fails.
 */
int emu_oauth_signature(const char *client_secret, const char *id_url,
			const char *issued_at, struct base_buf *out);

/*
 * True when a and b are equal strings. The time taken depends only on their
 * lengths, never on where they differ, so use it for secrets and tokens
 * (lengths are not secret: our tokens have fixed lengths). NULL never equals
 * anything, not even NULL.
 */
bool emu_const_eq(const char *a, const char *b);

#endif
