/* auth.c - admins (argon2id), sessions and API tokens (hashed), CSRF tokens, sign-in rate limits. */
#include "bridge/web/auth.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/datetime.h"
#include "base/db.h"
#include "base/banned.h"

#define RAW_LEN 32
#define HEX_LEN (2 * RAW_LEN + 1)
#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
/* last_seen / last_used are written at most this often. */
#define TOUCH_MS (60 * 1000)

int sfb_auth_init(struct base_err *err)
{
	if (sodium_init() < 0)
		return base_err_set(err, BASE_ERR, "libsodium init failed");
	return 0;
}

/* ---- secrets: random bytes, their text form and hash ---- */

static void to_b64(const unsigned char *raw, char out[SFB_AUTH_SECRET_LEN])
{
	sodium_bin2base64(out, SFB_AUTH_SECRET_LEN, raw, RAW_LEN, B64_VARIANT);
}

/* Decodes exactly 43 base64url characters into 32 bytes; -1 otherwise. */
static int from_b64(const char *s, unsigned char raw[RAW_LEN])
{
	size_t n = 0;
	const char *end = NULL;

	if (!s || strlen(s) != SFB_AUTH_SECRET_LEN - 1)
		return -1;
	if (sodium_base642bin(raw, RAW_LEN, s, SFB_AUTH_SECRET_LEN - 1, NULL,
			      &n, &end, B64_VARIANT) != 0 ||
	    n != RAW_LEN || *end)
		return -1;
	return 0;
}

static void hash_hex(const unsigned char raw[RAW_LEN], char out[HEX_LEN])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), raw, RAW_LEN, NULL, 0);
	sodium_bin2hex(out, HEX_LEN, h, sizeof(h));
}

void sfb_auth_random_secret(char out[SFB_AUTH_SECRET_LEN])
{
	unsigned char raw[RAW_LEN];

	randombytes_buf(raw, sizeof(raw));
	to_b64(raw, out);
	sodium_memzero(raw, sizeof(raw));
}

int sfb_auth_csrf_token(const char *cookie, const char *purpose,
			char out[SFB_AUTH_SECRET_LEN])
{
	unsigned char raw[RAW_LEN], mac[RAW_LEN];
	char msg[64];

	out[0] = '\0';
	if (from_b64(cookie, raw) != 0)
		return -1;
	snprintf(msg, sizeof(msg), "sfbridge csrf v1 %s", purpose);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)msg,
			   strlen(msg), raw, sizeof(raw));
	to_b64(mac, out);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

bool sfb_auth_csrf_ok(const char *cookie, const char *purpose,
		      const char *token)
{
	char want[SFB_AUTH_SECRET_LEN];

	if (!token || strlen(token) != SFB_AUTH_SECRET_LEN - 1)
		return false;
	if (sfb_auth_csrf_token(cookie, purpose, want) != 0)
		return false;
	return sodium_memcmp(want, token, SFB_AUTH_SECRET_LEN - 1) == 0;
}

/* ---- admins ---- */

int sfb_auth_normalize_email(const char *email, char *out, size_t n,
			     struct base_err *err)
{
	size_t len = email ? strlen(email) : 0;
	const char *at;

	if (len < 3 || len > SFB_AUTH_MAX_EMAIL || len >= n)
		return base_err_set(err, BASE_EINVAL,
				    "an email address has 3 to %d characters",
				    SFB_AUTH_MAX_EMAIL);
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)email[i];

		if (i < len && (c <= 0x20 || c == 0x7f))
			return base_err_set(err, BASE_EINVAL,
					    "an email address has no spaces "
					    "or control characters");
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	at = strchr(out, '@');
	if (!at || at == out || !at[1] || strchr(at + 1, '@'))
		return base_err_set(err, BASE_EINVAL,
				    "'%s' is not an email address", out);
	return 0;
}

int sfb_auth_check_password_policy(const char *pw, size_t len,
				   struct base_err *err)
{
	size_t chars = 0;

	/* Count characters, not bytes, so "é" counts once. */
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			chars++;
	if (chars < SFB_AUTH_MIN_PASSWORD)
		return base_err_set(err, BASE_EINVAL,
				    "the password is too short: use at least "
				    "%d characters (a few unrelated words make "
				    "a good one)",
				    SFB_AUTH_MIN_PASSWORD);
	if (len > SFB_AUTH_MAX_PASSWORD)
		return base_err_set(err, BASE_EINVAL,
				    "the password is too long: at most %d bytes",
				    SFB_AUTH_MAX_PASSWORD);
	if (memchr(pw, '\0', len))
		return base_err_set(err, BASE_EINVAL,
				    "the password holds a NUL byte");
	return 0;
}

int sfb_auth_hash_password(const char *pw, size_t len,
			   char out[SFB_AUTH_HASH_LEN], struct base_err *err)
{
	if (crypto_pwhash_str_alg(out, pw, len, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return base_err_set(err, BASE_ENOMEM,
				    "hash the password: out of memory");
	return 0;
}

/*
 * Steps st once. 1 on a row: st stays open for the caller to read and
 * finalize. Otherwise st is finalized: 0 when there is no row, BASE_ERR
 * (the store's message) when the step failed.
 */
static int first_row(sqlite3 *db, sqlite3_stmt *st, struct base_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		rc = base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* An admin's id and email from columns i and i + 1 of the current row. */
static void read_admin(sqlite3_stmt *st, int i, struct sfb_admin *out)
{
	out->id = sqlite3_column_int64(st, i);
	snprintf(out->email, sizeof(out->email), "%s", base_db_text(st, i + 1));
}

int sfb_auth_admin_find(struct sqlite3 *db, const char *ws, const char *email,
			struct sfb_admin *out, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (base_db_prepare(db, &st, err,
			    "SELECT id, email FROM admins WHERE "
			    "workspace_id = ? AND email = ? AND disabled = 0",
			    "ss", ws, email) != 0)
		return BASE_ERR;
	rc = first_row(db, st, err);
	if (rc == 0)
		return base_err_set(err, BASE_ENOTFOUND, "no admin '%s'",
				    email);
	if (rc < 0)
		return rc;
	read_admin(st, 0, out);
	sqlite3_finalize(st);
	return 0;
}

int sfb_auth_admin_create(struct sqlite3 *db, const char *ws,
			  const char *email, const char *pw, size_t pw_len,
			  struct sfb_admin *out, struct base_err *err)
{
	char norm[SFB_AUTH_MAX_EMAIL + 1], hash[SFB_AUTH_HASH_LEN];
	long long now;

	if (sfb_auth_normalize_email(email, norm, sizeof(norm), err) != 0 ||
	    sfb_auth_check_password_policy(pw, pw_len, err) != 0)
		return BASE_EINVAL;
	if (sfb_auth_admin_find(db, ws, norm, out, NULL) == 0)
		return base_err_set(err, BASE_EINVAL,
				    "an admin '%s' already exists", norm);
	if (sfb_auth_hash_password(pw, pw_len, hash, err) != 0)
		return BASE_ENOMEM;
	now = base_time_now_ms();
	if (base_db_run(db, err,
			"INSERT INTO admins (workspace_id, email, "
			"password_hash, created_ms, password_changed_ms) "
			"VALUES (?, ?, ?, ?, ?)",
			"sssii", ws, norm, hash, now, now) != 0)
		return base_err_wrap(err, "add admin '%s'", norm);
	out->id = sqlite3_last_insert_rowid(db);
	snprintf(out->email, sizeof(out->email), "%s", norm);
	return 0;
}

int sfb_auth_admin_set_password(struct sqlite3 *db, const char *ws,
				const char *email, const char *pw,
				size_t pw_len, struct base_err *err)
{
	char norm[SFB_AUTH_MAX_EMAIL + 1], hash[SFB_AUTH_HASH_LEN];
	struct sfb_admin a;

	if (sfb_auth_normalize_email(email, norm, sizeof(norm), err) != 0 ||
	    sfb_auth_check_password_policy(pw, pw_len, err) != 0)
		return BASE_EINVAL;
	if (sfb_auth_admin_find(db, ws, norm, &a, err) != 0)
		return err ? err->code : BASE_ENOTFOUND;
	if (sfb_auth_hash_password(pw, pw_len, hash, err) != 0)
		return BASE_ENOMEM;
	if (base_db_run(db, err,
			"UPDATE admins SET password_hash = ?, "
			"password_changed_ms = ? WHERE id = ? AND "
			"workspace_id = ?",
			"siis", hash, (long long)base_time_now_ms(),
			(long long)a.id, ws) != 0)
		return BASE_ERR;
	return base_db_run(db, err,
			   "DELETE FROM web_sessions WHERE workspace_id = ? "
			   "AND admin_id = ?",
			   "si", ws, (long long)a.id);
}

int sfb_auth_verify(struct sqlite3 *db, const char *ws, const char *email,
		    const char *pw, size_t pw_len, const char *dummy_hash,
		    struct sfb_admin *out, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	char hash[SFB_AUTH_HASH_LEN] = "";
	bool found = false;
	int rc;

	if (base_db_prepare(db, &st, err,
			    "SELECT id, email, password_hash FROM admins WHERE "
			    "workspace_id = ? AND email = ? AND disabled = 0",
			    "ss", ws, email) != 0)
		return BASE_ERR;
	rc = first_row(db, st, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		read_admin(st, 0, out);
		snprintf(hash, sizeof(hash), "%s", base_db_text(st, 2));
		found = true;
		sqlite3_finalize(st);
	}
	/* The same work whether or not the admin exists. */
	rc = crypto_pwhash_str_verify(found ? hash : dummy_hash, pw, pw_len);
	if (!found || rc != 0)
		return base_err_set(err, BASE_EAUTH,
				    "wrong email or password");
	/* Parameters raised since this hash was made: store a new one. */
	if (crypto_pwhash_str_needs_rehash(hash,
					   crypto_pwhash_OPSLIMIT_INTERACTIVE,
					   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0 &&
	    sfb_auth_hash_password(pw, pw_len, hash, NULL) == 0)
		(void)base_db_run(db, NULL,
				  "UPDATE admins SET password_hash = ? "
				  "WHERE id = ?",
				  "si", hash, (long long)out->id);
	return 0;
}

/* ---- rate limits ---- */

/* Seconds until the failures of (column = value) drop below max; 0 if they are. */
static int retry_after(sqlite3 *db, const char *ws, const char *column,
		       const char *value, int max, int64_t now_ms,
		       int *retry_s, struct base_err *err)
{
	long long since = now_ms - SFB_AUTH_WINDOW_MS;
	char sql[256];
	sqlite3_stmt *st = NULL;
	int64_t count = 0, oldest;

	*retry_s = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM login_attempts WHERE workspace_id = ? "
		 "AND %s = ? AND at_ms > ?",
		 column);
	if (base_db_prepare(db, &st, err, sql, "ssi", ws, value, since) != 0)
		return BASE_ERR;
	if (sqlite3_step(st) == SQLITE_ROW)
		count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (count < max)
		return 0;
	/* The (count - max + 1)th oldest must fall out of the window. */
	snprintf(sql, sizeof(sql),
		 "SELECT at_ms FROM login_attempts WHERE workspace_id = ? AND "
		 "%s = ? AND at_ms > ? ORDER BY at_ms LIMIT 1 OFFSET ?",
		 column);
	if (base_db_prepare(db, &st, err, sql, "ssii", ws, value, since,
			    (long long)(count - max)) != 0)
		return BASE_ERR;
	oldest = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
						 : now_ms;
	sqlite3_finalize(st);
	*retry_s = (int)((oldest + SFB_AUTH_WINDOW_MS - now_ms + 999) / 1000);
	if (*retry_s < 1)
		*retry_s = 1;
	return 0;
}

int sfb_auth_throttle(struct sqlite3 *db, const char *ws, const char *email,
		      const char *ip, int64_t now_ms, int *retry_s,
		      struct base_err *err)
{
	int by_account = 0, by_ip = 0;

	*retry_s = 0;
	if (retry_after(db, ws, "email", email, SFB_AUTH_MAX_FAILS_ACCOUNT,
			now_ms, &by_account, err) != 0 ||
	    retry_after(db, ws, "ip", ip, SFB_AUTH_MAX_FAILS_IP, now_ms, &by_ip,
			err) != 0)
		return BASE_ERR;
	*retry_s = by_account > by_ip ? by_account : by_ip;
	return 0;
}

int sfb_auth_note_failure(struct sqlite3 *db, const char *ws,
			  const char *email, const char *ip, int64_t now_ms,
			  struct base_err *err)
{
	long long since = now_ms - SFB_AUTH_WINDOW_MS;

	if (base_db_run(db, err,
			"DELETE FROM login_attempts WHERE workspace_id = ? "
			"AND at_ms <= ?",
			"si", ws, since) != 0)
		return BASE_ERR;
	return base_db_run(db, err,
			   "INSERT INTO login_attempts (workspace_id, email, "
			   "ip, at_ms) VALUES (?, ?, ?, ?)",
			   "sssi", ws, email, ip, (long long)now_ms);
}

int sfb_auth_clear_failures(struct sqlite3 *db, const char *ws,
			    const char *email, struct base_err *err)
{
	return base_db_run(db, err,
			   "DELETE FROM login_attempts WHERE "
			   "workspace_id = ? AND email = ?",
			   "ss", ws, email);
}

/* ---- sessions ---- */

int sfb_auth_session_create(struct sqlite3 *db, const char *ws,
			    int64_t admin_id, const char *ip, int64_t now_ms,
			    char cookie[SFB_AUTH_SECRET_LEN],
			    struct base_err *err)
{
	unsigned char raw[RAW_LEN];
	char hex[HEX_LEN];
	long long now = now_ms;

	cookie[0] = '\0';
	if (base_db_run(db, err,
			"DELETE FROM web_sessions WHERE workspace_id = ? AND "
			"(expires_ms <= ? OR last_seen_ms <= ?)",
			"sii", ws, now, now - SFB_AUTH_IDLE_MS) != 0)
		return BASE_ERR;
	randombytes_buf(raw, sizeof(raw));
	hash_hex(raw, hex);
	if (base_db_run(db, err,
			"INSERT INTO web_sessions (id_hash, workspace_id, "
			"admin_id, created_ms, last_seen_ms, expires_ms, ip) "
			"VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ssiiiis", hex, ws, (long long)admin_id, now, now,
			now + SFB_AUTH_SESSION_MS, ip) != 0)
		goto fail;
	to_b64(raw, cookie);
	sodium_memzero(raw, sizeof(raw));
	return 0;
fail:
	sodium_memzero(raw, sizeof(raw));
	return BASE_ERR;
}

static int delete_session(sqlite3 *db, const char *ws, const char *hex,
			  struct base_err *err)
{
	return base_db_run(db, err,
			   "DELETE FROM web_sessions WHERE id_hash = ? AND "
			   "workspace_id = ?",
			   "ss", hex, ws);
}

/*
 * The row for a presented secret (a session cookie, an API token), found by
 * its hash: decodes it, hashes it (the raw bytes are wiped), and runs `sql`
 * with (hash, workspace) bound. 0 with *out on the row (caller finalizes)
 * and hex set; BASE_ENOTFOUND with "no <what>" when there is none.
 */
static int find_by_hash(sqlite3 *db, const char *sql, const char *secret_b64,
			const char *ws, const char *what, sqlite3_stmt **out,
			char hex[HEX_LEN], struct base_err *err)
{
	unsigned char raw[RAW_LEN];
	int rc;

	*out = NULL;
	if (!secret_b64 || from_b64(secret_b64, raw) != 0)
		return base_err_set(err, BASE_ENOTFOUND, "no %s", what);
	hash_hex(raw, hex);
	sodium_memzero(raw, sizeof(raw));
	if (base_db_prepare(db, out, err, sql, "ss", hex, ws) != 0)
		return BASE_ERR;
	rc = first_row(db, *out, err);
	if (rc == 1)
		return 0;
	*out = NULL;
	if (rc < 0)
		return rc;
	return base_err_set(err, BASE_ENOTFOUND, "no %s", what);
}

int sfb_auth_session_get(struct sqlite3 *db, const char *ws,
			 const char *cookie, int64_t now_ms,
			 struct sfb_admin *out, struct base_err *err)
{
	char hex[HEX_LEN];
	sqlite3_stmt *st = NULL;
	int64_t expires, seen;
	int rc;

	rc = find_by_hash(db,
			  "SELECT s.admin_id, a.email, s.expires_ms, s.last_seen_ms "
			  "FROM web_sessions s JOIN admins a ON a.id = s.admin_id "
			  "WHERE s.id_hash = ? AND s.workspace_id = ? AND "
			  "a.workspace_id = s.workspace_id AND a.disabled = 0",
			  cookie, ws, "session", &st, hex, err);
	if (rc)
		return rc;
	read_admin(st, 0, out);
	expires = sqlite3_column_int64(st, 2);
	seen = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	if (now_ms >= expires || now_ms - seen >= SFB_AUTH_IDLE_MS) {
		(void)delete_session(db, ws, hex, NULL);
		return base_err_set(err, BASE_ENOTFOUND, "session expired");
	}
	if (now_ms - seen >= TOUCH_MS)
		(void)base_db_run(db, NULL,
				  "UPDATE web_sessions SET last_seen_ms = ? "
				  "WHERE id_hash = ?",
				  "is", (long long)now_ms, hex);
	return 0;
}

int sfb_auth_session_delete(struct sqlite3 *db, const char *ws,
			    const char *cookie, struct base_err *err)
{
	unsigned char raw[RAW_LEN];
	char hex[HEX_LEN];

	if (from_b64(cookie, raw) != 0)
		return 0;
	hash_hex(raw, hex);
	sodium_memzero(raw, sizeof(raw));
	return delete_session(db, ws, hex, err);
}

/* ---- API tokens ---- */

int sfb_auth_token_create(struct sqlite3 *db, const char *ws,
			  int64_t admin_id, const char *name, int64_t now_ms,
			  char token[SFB_AUTH_TOKEN_LEN], struct base_err *err)
{
	unsigned char raw[RAW_LEN];
	char hex[HEX_LEN], b64[SFB_AUTH_SECRET_LEN], prefix[16];
	int rc;

	token[0] = '\0';
	randombytes_buf(raw, sizeof(raw));
	hash_hex(raw, hex);
	to_b64(raw, b64);
	sodium_memzero(raw, sizeof(raw));
	snprintf(prefix, sizeof(prefix), "sfb_%.6s", b64);
	rc = base_db_run(db, err,
			 "INSERT INTO api_tokens (workspace_id, admin_id, "
			 "name, prefix, token_hash, created_ms) VALUES (?, "
			 "?, ?, ?, ?, ?)",
			 "sisssi", ws, (long long)admin_id, name, prefix, hex,
			 (long long)now_ms);
	if (rc == 0)
		snprintf(token, SFB_AUTH_TOKEN_LEN, "sfb_%s", b64);
	sodium_memzero(b64, sizeof(b64));
	return rc;
}

int sfb_auth_token_check(struct sqlite3 *db, const char *ws,
			 const char *token, int64_t now_ms,
			 struct sfb_admin *out, struct base_err *err)
{
	char hex[HEX_LEN];
	sqlite3_stmt *st = NULL;
	int64_t id, used;
	int rc;

	if (!token || strncmp(token, "sfb_", 4) != 0)
		return base_err_set(err, BASE_ENOTFOUND, "no such token");
	rc = find_by_hash(db,
			  "SELECT t.id, t.admin_id, a.email, t.last_used_ms FROM "
			  "api_tokens t JOIN admins a ON a.id = t.admin_id WHERE "
			  "t.token_hash = ? AND t.workspace_id = ? AND "
			  "a.workspace_id = t.workspace_id AND t.revoked_ms IS NULL "
			  "AND a.disabled = 0",
			  token + 4, ws, "such token", &st, hex, err);
	if (rc)
		return rc;
	id = sqlite3_column_int64(st, 0);
	read_admin(st, 1, out);
	used = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	if (now_ms - used >= TOUCH_MS)
		(void)base_db_run(db, NULL,
				  "UPDATE api_tokens SET last_used_ms = ? "
				  "WHERE id = ?",
				  "ii", (long long)now_ms, (long long)id);
	return 0;
}

/* An ISO time for column i, or JSON null when it is NULL. */
static json_t *time_or_null(sqlite3_stmt *st, int i)
{
	char iso[40];

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return json_null();
	base_time_format_iso(sqlite3_column_int64(st, i), iso, sizeof(iso));
	return json_string(iso);
}

int sfb_auth_token_list(struct sqlite3 *db, const char *ws, int64_t admin_id,
			json_t **out, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc;

	*out = NULL;
	if (base_db_prepare(db, &st, err,
			    "SELECT name, prefix, created_ms, last_used_ms, "
			    "revoked_ms FROM api_tokens WHERE workspace_id = ? "
			    "AND admin_id = ? ORDER BY id DESC",
			    "si", ws, (long long)admin_id) != 0)
		return BASE_ERR;
	list = json_array();
	while (list && (rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:o, s:o, s:o}", "name",
					base_db_text(st, 0), "prefix",
					base_db_text(st, 1), "createdAt",
					time_or_null(st, 2), "lastUsedAt",
					time_or_null(st, 3), "revokedAt",
					time_or_null(st, 4)));
	sqlite3_finalize(st);
	if (!list)
		return base_err_set(err, BASE_ENOMEM, "list tokens");
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return base_err_set(err, BASE_ERR, "list tokens: %s",
				    sqlite3_errmsg(db));
	}
	*out = list;
	return 0;
}

int sfb_auth_token_revoke(struct sqlite3 *db, const char *ws, int64_t admin_id,
			  const char *prefix, int64_t now_ms,
			  struct base_err *err)
{
	long long n;

	n = base_db_int(db, -1,
			"SELECT count(*) FROM api_tokens WHERE workspace_id = ? "
			"AND admin_id = ? AND prefix = ? AND revoked_ms IS NULL",
			"sis", ws, (long long)admin_id, prefix);
	if (n < 0)
		return base_err_set(err, BASE_ERR, "revoke token: %s",
				    sqlite3_errmsg(db));
	if (n == 0)
		return base_err_set(err, BASE_ENOTFOUND,
				    "no active token '%.40s'", prefix);
	if (n > 1)
		return base_err_set(err, BASE_EINVAL,
				    "%lld active tokens share the prefix "
				    "'%.40s': nothing was revoked",
				    n, prefix);
	return base_db_run(db, err,
			   "UPDATE api_tokens SET revoked_ms = ? WHERE "
			   "workspace_id = ? AND admin_id = ? AND prefix = ? "
			   "AND revoked_ms IS NULL",
			   "isis", (long long)now_ms, ws, (long long)admin_id,
			   prefix);
}
