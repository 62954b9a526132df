/* migrations.c - the store's schema: numbered SQL migrations and the sealed columns. */
#include "bridge/store/migrations.h"

#include "bridge/store/store.h"
#include "base/banned.h"

/*
 * Conventions every migration follows:
 *  - every table but schema_migrations (which the store itself creates and
 *    which is global to the deployment) has `workspace_id TEXT NOT NULL`, and
 *    every query filters on it;
 *  - times are `*_ms INTEGER`, milliseconds since the Unix epoch (UTC);
 *  - a secret is stored only as vault-sealed text ("v1:<key id>:...", see
 *    creds/vault.h) in a column named `*_sealed`, and that column is listed
 *    in sealed_columns[] below, so that `sfbridge keys rotate` re-seals it;
 *    its row's workspace_id is the associated data it was sealed with
 *    (rotation walks such a table by rowid: no WITHOUT ROWID tables);
 *  - a released migration is never edited: add a new one.
 *
 * Migration 1 is the credentials feature's (creds/creds.c, creds/diagnose.c):
 *
 * credentials: one row per set of Salesforce credentials a workspace has
 *   saved. status: 'active' (the one integrations use; at most one per
 *   workspace, enforced by credentials_one_active), 'candidate' (being
 *   validated, not yet in use), 'retired' (replaced; kept for the audit).
 *   method: the auth method ("soap", "oauth-password", "client-credentials",
 *   "jwt", ...); login: the login host or URL as entered; username,
 *   consumer_key: not secret. The *_sealed columns hold the secrets (NULL
 *   when the method has none). org_id .. user_id: what the last successful
 *   login and preflight learnt (sandbox is 0/1). validated_ms: the last
 *   successful validation. refused/refused_code: the last login attempt was
 *   refused (1) and Salesforce's or our stable code, so that a refused set
 *   is never retried on its own (lockout guard).
 *
 * validations: one row per validation run (the Save button, a scheduled
 *   re-check). credentials_id is NULL when the run stopped before anything
 *   was stored (local checks failed), and becomes NULL if the credentials row
 *   is deleted. valid: 0/1. login_attempts, api_calls: what the run cost the
 *   org. diagnoses: a JSON array of the diagnoses (stable codes, never
 *   secrets). summary: one line for lists.
 *
 * events: the audit and alert log. level: "debug", "info", "warn" or
 *   "error"; kind: a stable dotted name ("credentials.saved",
 *   "credentials.refused", "keys.rotated"); message: one line, no secrets.
 */
static const struct sfb_migration migrations[] = {
	{1, "credentials, validations, events",
	 "CREATE TABLE credentials (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  status TEXT NOT NULL\n"
	 "    CHECK (status IN ('active', 'candidate', 'retired')),\n"
	 "  method TEXT,\n"
	 "  login TEXT,\n"
	 "  username TEXT,\n"
	 "  consumer_key TEXT,\n"
	 "  password_sealed TEXT,\n"
	 "  token_sealed TEXT,\n"
	 "  consumer_secret_sealed TEXT,\n"
	 "  private_key_sealed TEXT,\n"
	 "  org_id TEXT,\n"
	 "  org_name TEXT,\n"
	 "  edition TEXT,\n"
	 "  sandbox INTEGER,\n"
	 "  instance_url TEXT,\n"
	 "  user_id TEXT,\n"
	 "  created_ms INTEGER,\n"
	 "  validated_ms INTEGER,\n"
	 "  refused INTEGER DEFAULT 0,\n"
	 "  refused_code TEXT\n"
	 ");\n"
	 "CREATE UNIQUE INDEX credentials_one_active ON credentials (workspace_id)\n"
	 "  WHERE status = 'active';\n"
	 "CREATE INDEX credentials_by_workspace ON credentials (workspace_id, status);\n"
	 "CREATE TABLE validations (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  credentials_id INTEGER REFERENCES credentials (id) ON DELETE SET NULL,\n"
	 "  started_ms INTEGER,\n"
	 "  finished_ms INTEGER,\n"
	 "  valid INTEGER,\n"
	 "  login_attempts INTEGER,\n"
	 "  api_calls INTEGER,\n"
	 "  diagnoses TEXT,\n"
	 "  summary TEXT\n"
	 ");\n"
	 "CREATE INDEX validations_by_workspace ON validations (workspace_id, started_ms);\n"
	 "CREATE INDEX validations_by_credentials ON validations (credentials_id);\n"
	 "CREATE TABLE events (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  at_ms INTEGER NOT NULL,\n"
	 "  level TEXT NOT NULL,\n"
	 "  kind TEXT NOT NULL,\n"
	 "  message TEXT\n"
	 ");\n"
	 "CREATE INDEX events_by_workspace ON events (workspace_id, at_ms);\n"},
	/*
	 * Migration 2 is the web console's (web/auth.c): admins, their
	 * sessions and API tokens, and failed sign-ins for rate limiting.
	 *
	 * admins: email is stored lower-cased; password_hash is libsodium's
	 *   crypto_pwhash_str text (argon2id, its parameters inside it).
	 * web_sessions: id_hash is the hex BLAKE2b-256 of the cookie's 32
	 *   random bytes (the cookie value itself is stored nowhere);
	 *   expires_ms is absolute, last_seen_ms drives the idle timeout.
	 * api_tokens: token_hash as above, of the token's random part;
	 *   prefix: its first characters, to tell tokens apart in lists;
	 *   revoked_ms: set when revoked (the row stays for the audit).
	 * login_attempts: one row per failed sign-in (email lower-cased, as
	 *   typed, whether or not such an admin exists; ip: the client IP);
	 *   rows past the window are deleted as new ones arrive.
	 */
	{2, "admins, web_sessions, api_tokens, login_attempts",
	 "CREATE TABLE admins (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  email TEXT NOT NULL,\n"
	 "  password_hash TEXT NOT NULL,\n"
	 "  created_ms INTEGER NOT NULL,\n"
	 "  password_changed_ms INTEGER NOT NULL,\n"
	 "  disabled INTEGER NOT NULL DEFAULT 0\n"
	 ");\n"
	 "CREATE UNIQUE INDEX admins_by_email ON admins (workspace_id, email);\n"
	 "CREATE TABLE web_sessions (\n"
	 "  id_hash TEXT PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  admin_id INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,\n"
	 "  created_ms INTEGER NOT NULL,\n"
	 "  last_seen_ms INTEGER NOT NULL,\n"
	 "  expires_ms INTEGER NOT NULL,\n"
	 "  ip TEXT\n"
	 ");\n"
	 "CREATE INDEX web_sessions_by_admin ON web_sessions (workspace_id, admin_id);\n"
	 "CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_ms);\n"
	 "CREATE TABLE api_tokens (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  admin_id INTEGER NOT NULL REFERENCES admins (id) ON DELETE CASCADE,\n"
	 "  name TEXT NOT NULL,\n"
	 "  prefix TEXT NOT NULL,\n"
	 "  token_hash TEXT NOT NULL UNIQUE,\n"
	 "  created_ms INTEGER NOT NULL,\n"
	 "  last_used_ms INTEGER,\n"
	 "  revoked_ms INTEGER\n"
	 ");\n"
	 "CREATE INDEX api_tokens_by_admin ON api_tokens (workspace_id, admin_id);\n"
	 "CREATE TABLE login_attempts (\n"
	 "  id INTEGER PRIMARY KEY,\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  email TEXT NOT NULL,\n"
	 "  ip TEXT NOT NULL,\n"
	 "  at_ms INTEGER NOT NULL\n"
	 ");\n"
	 "CREATE INDEX login_attempts_by_email ON login_attempts (workspace_id, email, at_ms);\n"
	 "CREATE INDEX login_attempts_by_ip ON login_attempts (workspace_id, ip, at_ms);\n"
	 "CREATE INDEX login_attempts_by_time ON login_attempts (at_ms);\n"},
	/*
	 * Migration 3: the integrations' switches and the API usage ledger.
	 *
	 * integration_settings (integrations/integrations.c): the admin's
	 *   on/off choice per integration (name: its key, "deal_import").
	 *   No row: never switched, off. changed_by: the admin's email.
	 * api_usage (store/usage.c): one row per UTC hour (hour_ms, its
	 *   start) with the logins and API requests sfbridge made in it, and
	 *   the org's own count of API requests in the last 24 hours as last
	 *   seen that hour (org_used/org_max; -1 when not seen; org_seen_ms).
	 */
	{3, "integration_settings, api_usage",
	 "CREATE TABLE integration_settings (\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  name TEXT NOT NULL,\n"
	 "  enabled INTEGER NOT NULL DEFAULT 0,\n"
	 "  changed_ms INTEGER NOT NULL,\n"
	 "  changed_by TEXT,\n"
	 "  PRIMARY KEY (workspace_id, name)\n"
	 ");\n"
	 "CREATE TABLE api_usage (\n"
	 "  workspace_id TEXT NOT NULL,\n"
	 "  hour_ms INTEGER NOT NULL,\n"
	 "  logins INTEGER NOT NULL DEFAULT 0,\n"
	 "  requests INTEGER NOT NULL DEFAULT 0,\n"
	 "  org_used INTEGER,\n"
	 "  org_max INTEGER,\n"
	 "  org_seen_ms INTEGER,\n"
	 "  PRIMARY KEY (workspace_id, hour_ms)\n"
	 ");\n"},
};

/*
 * Every column that holds vault-sealed text. A migration that adds one adds
 * it here in the same commit; test_store checks that every `*_sealed` column
 * of the schema is listed and that every listed one exists.
 */
static const struct sfb_store_sealed_column sealed_columns[] = {
	{"credentials", "password_sealed"},
	{"credentials", "token_sealed"},
	{"credentials", "consumer_secret_sealed"},
	{"credentials", "private_key_sealed"},
};

const struct sfb_migration *sfb_store_migrations(size_t *n_out)
{
	*n_out = sizeof(migrations) / sizeof(migrations[0]);
	return migrations;
}

const struct sfb_store_sealed_column *sfb_store_sealed_columns(size_t *n_out)
{
	*n_out = sizeof(sealed_columns) / sizeof(sealed_columns[0]);
	return sealed_columns;
}
