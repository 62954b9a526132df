/* auth.h - the console's admins, sessions, API tokens, CSRF tokens and sign-in rate limits. */
#ifndef SFB_WEB_AUTH_H
#define SFB_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

struct sqlite3;

/*
 * Stateless functions over the store's tables (migration 2); each call takes
 * the connection of the thread it runs on (store.h: one connection, one
 * thread at a time). Nothing secret is ever stored: passwords as argon2id
 * hashes (crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE), session ids and
 * API tokens as hex BLAKE2b-256 of their random bytes. CSRF tokens are not
 * stored at all: they are a keyed hash of the session's random bytes, so
 * they are bound to the session and die with it.
 *
 * Call sfb_auth_init() once in main() before threads start (sodium_init).
 */
int sfb_auth_init(struct base_err *err);

#define SFB_AUTH_MIN_PASSWORD 12
#define SFB_AUTH_MAX_PASSWORD 1024
#define SFB_AUTH_MAX_EMAIL 254
/* base64url of 32 random bytes, unpadded, and its NUL */
#define SFB_AUTH_SECRET_LEN 44
/* "sfb_" + the above */
#define SFB_AUTH_TOKEN_LEN 48
/* crypto_pwhash_STRBYTES */
#define SFB_AUTH_HASH_LEN 128

/* Sign-in rate limits: failures within the window, per account and per IP. */
#define SFB_AUTH_WINDOW_MS (15 * 60 * 1000)
#define SFB_AUTH_MAX_FAILS_ACCOUNT 5
#define SFB_AUTH_MAX_FAILS_IP 20

/* Sessions: absolute lifetime and idle timeout. */
#define SFB_AUTH_SESSION_MS (12LL * 3600 * 1000)
#define SFB_AUTH_IDLE_MS (2LL * 3600 * 1000)

struct sfb_admin {
	int64_t id;
	char email[SFB_AUTH_MAX_EMAIL + 1];
};

/*
 * Lower-cases ASCII letters of `email` into out (n bytes) and checks its
 * shape: 3..254 characters, one '@' with text on both sides, no spaces or
 * control characters. Returns 0 or BASE_EINVAL (message says why).
 */
int sfb_auth_normalize_email(const char *email, char *out, size_t n,
			     struct base_err *err);
/* 0, or BASE_EINVAL with a message for a person ("at least 12 characters"). */
int sfb_auth_check_password_policy(const char *pw, size_t len,
				   struct base_err *err);
/* argon2id hash of pw into out; ~0.1 s and 64 MiB. */
int sfb_auth_hash_password(const char *pw, size_t len,
			   char out[SFB_AUTH_HASH_LEN], struct base_err *err);

/* A new admin; BASE_EINVAL if one with that email exists in ws. */
int sfb_auth_admin_create(struct sqlite3 *db, const char *ws,
			  const char *email, const char *pw, size_t pw_len,
			  struct sfb_admin *out, struct base_err *err);
/* Replaces an admin's password; signs out every session of theirs. */
int sfb_auth_admin_set_password(struct sqlite3 *db, const char *ws,
				const char *email, const char *pw,
				size_t pw_len, struct base_err *err);
/* BASE_ENOTFOUND when no such (enabled) admin. */
int sfb_auth_admin_find(struct sqlite3 *db, const char *ws, const char *email,
			struct sfb_admin *out, struct base_err *err);

/*
 * Checks email and password. An unknown email is verified against
 * `dummy_hash` so that it takes as long as a wrong password; both fail
 * with BASE_EAUTH and the same message. `email` must be normalized.
 */
int sfb_auth_verify(struct sqlite3 *db, const char *ws, const char *email,
		    const char *pw, size_t pw_len, const char *dummy_hash,
		    struct sfb_admin *out, struct base_err *err);

/*
 * Rate limit: *retry_s > 0 when the account (email as typed, normalized)
 * or the IP has too many failures in the window; it is the number of
 * seconds until one of them falls out. Returns 0 or an error.
 */
int sfb_auth_throttle(struct sqlite3 *db, const char *ws, const char *email,
		      const char *ip, int64_t now_ms, int *retry_s,
		      struct base_err *err);
/* Records one failed sign-in (and drops rows older than the window). */
int sfb_auth_note_failure(struct sqlite3 *db, const char *ws,
			  const char *email, const char *ip, int64_t now_ms,
			  struct base_err *err);
/* After a successful sign-in: the account's failures are forgotten. */
int sfb_auth_clear_failures(struct sqlite3 *db, const char *ws,
			    const char *email, struct base_err *err);

/*
 * A new session for admin_id: writes the cookie value (base64url of 32
 * random bytes) into cookie. Only its hash is stored. Expired sessions of
 * the workspace are deleted on the way.
 */
int sfb_auth_session_create(struct sqlite3 *db, const char *ws,
			    int64_t admin_id, const char *ip, int64_t now_ms,
			    char cookie[SFB_AUTH_SECRET_LEN],
			    struct base_err *err);
/*
 * The admin of a live session; BASE_ENOTFOUND when the cookie is malformed,
 * unknown, expired or idle too long (an expired one is deleted). Refreshes
 * last_seen at most once a minute.
 */
int sfb_auth_session_get(struct sqlite3 *db, const char *ws,
			 const char *cookie, int64_t now_ms,
			 struct sfb_admin *out, struct base_err *err);
/* Deletes the session (logout). A malformed or unknown cookie is no error. */
int sfb_auth_session_delete(struct sqlite3 *db, const char *ws,
			    const char *cookie, struct base_err *err);

/*
 * A fresh random value for the pre-sign-in cookie (base64url, 32 bytes).
 * The sign-in form's CSRF token is derived from it, as a session's is from
 * the session cookie.
 */
void sfb_auth_random_secret(char out[SFB_AUTH_SECRET_LEN]);
/*
 * The CSRF token of a cookie value (session or pre-sign-in), for `purpose`
 * ("session" or "login"): base64url of BLAKE2b-256 keyed with the cookie's
 * random bytes. Returns -1 if the cookie is malformed.
 */
int sfb_auth_csrf_token(const char *cookie, const char *purpose,
			char out[SFB_AUTH_SECRET_LEN]);
/* Constant-time check of a submitted token against the cookie's. */
bool sfb_auth_csrf_ok(const char *cookie, const char *purpose,
		      const char *token);

/*
 * A personal API token for the admin: "sfb_" + base64url(32 random bytes),
 * written to token (shown once; only its hash is stored).
 */
int sfb_auth_token_create(struct sqlite3 *db, const char *ws,
			  int64_t admin_id, const char *name, int64_t now_ms,
			  char token[SFB_AUTH_TOKEN_LEN], struct base_err *err);
/*
 * The admin's tokens, newest first, as a JSON array (caller owns) of
 * {"name", "prefix", "createdAt", "lastUsedAt", "revokedAt"} (times ISO or
 * null). Never a token or its hash.
 */
int sfb_auth_token_list(struct sqlite3 *db, const char *ws, int64_t admin_id,
			json_t **out, struct base_err *err);
/*
 * Revokes the admin's active token whose prefix ("sfb_" + 6 characters,
 * as listed) is `prefix`: BASE_ENOTFOUND when none is, BASE_EINVAL when
 * several are (nothing revoked). The row stays, for the audit.
 */
int sfb_auth_token_revoke(struct sqlite3 *db, const char *ws, int64_t admin_id,
			  const char *prefix, int64_t now_ms,
			  struct base_err *err);
/* The admin a bearer token belongs to; BASE_ENOTFOUND if unknown/revoked. */
int sfb_auth_token_check(struct sqlite3 *db, const char *ws,
			 const char *token, int64_t now_ms,
			 struct sfb_admin *out, struct base_err *err);

#endif
