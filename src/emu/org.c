/* org.c - the emulated org: its settings, users, profiles, apps, sessions and history. */
#include "org.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/datetime.h"
#include "base/ipv4.h"
#include "base/log.h"
#include "crypto.h"
#include "base/db.h"
#include "orgfile.h"
#include "records.h"
#include "base/banned.h"

/* Bump when the schema changes; an older data dir is refused, not guessed at. */
#define SCHEMA_VERSION 5

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS id_seq(prefix TEXT PRIMARY KEY, next INTEGER);"
	"CREATE TABLE IF NOT EXISTS emu_profile(id TEXT PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE, user_license TEXT,"
	" permissions TEXT NOT NULL, login_hours TEXT,"
	" login_ip_ranges TEXT NOT NULL, permission_set_id TEXT,"
	" field_permissions TEXT NOT NULL DEFAULT '[]');"
	"CREATE TABLE IF NOT EXISTS permission_set(id TEXT PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE, label TEXT,"
	" permissions TEXT NOT NULL, profile_id TEXT);"
	"CREATE TABLE IF NOT EXISTS emu_user(id TEXT PRIMARY KEY,"
	" username TEXT NOT NULL UNIQUE COLLATE NOCASE, email TEXT,"
	" first_name TEXT, last_name TEXT, profile_id TEXT NOT NULL,"
	" time_zone TEXT, user_type TEXT, is_active INTEGER, is_frozen INTEGER,"
	" is_locked INTEGER, locked_at_ms INTEGER, failed_attempts INTEGER,"
	" password_expired INTEGER, password_salt TEXT, password_hash TEXT,"
	" password_set_ms INTEGER, token_hash TEXT, token_len INTEGER,"
	" created_ms INTEGER, rate_window_ms INTEGER DEFAULT 0,"
	" rate_count INTEGER DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS permission_set_assignment(id TEXT PRIMARY KEY,"
	" user_id TEXT NOT NULL, permission_set_id TEXT NOT NULL,"
	" UNIQUE(user_id, permission_set_id));"
	"CREATE TABLE IF NOT EXISTS app(id TEXT PRIMARY KEY, name TEXT UNIQUE,"
	" consumer_key TEXT UNIQUE, consumer_secret TEXT, flows TEXT,"
	" run_as_user_id TEXT, certificate TEXT, pre_profiles TEXT,"
	" pre_permsets TEXT);"
	"CREATE TABLE IF NOT EXISTS session(token_hash TEXT PRIMARY KEY,"
	" user_id TEXT NOT NULL, app_id TEXT, kind TEXT, password_expired INTEGER,"
	" created_ms INTEGER, last_used_ms INTEGER, revoked INTEGER DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS session_user ON session(user_id);"
	"CREATE TABLE IF NOT EXISTS refresh_token(token_hash TEXT PRIMARY KEY,"
	" user_id TEXT NOT NULL, app_id TEXT NOT NULL, created_ms INTEGER,"
	" revoked INTEGER DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS login_history(id TEXT PRIMARY KEY,"
	" user_id TEXT, username TEXT, login_time_ms INTEGER, source_ip TEXT,"
	" login_type TEXT, status TEXT, api_type TEXT, api_version TEXT,"
	" application TEXT, login_url TEXT);"
	"CREATE INDEX IF NOT EXISTS login_history_user"
	" ON login_history(user_id, login_time_ms);"
	"CREATE TABLE IF NOT EXISTS api_usage(hour INTEGER NOT NULL,"
	" user_id TEXT NOT NULL, resource TEXT NOT NULL, count INTEGER NOT NULL,"
	" PRIMARY KEY(hour, user_id, resource));"
	"CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY,"
	" to_addr TEXT, subject TEXT, body TEXT, sent_ms INTEGER);";

void emu_org_lock(struct emu_org *org)
{
	pthread_mutex_lock(&org->lock);
}

void emu_org_unlock(struct emu_org *org)
{
	pthread_mutex_unlock(&org->lock);
}

int64_t emu_org_now_ms(const struct emu_org *org)
{
	return base_time_now_ms() + org->clock_offset_ms;
}

static int meta_set(struct emu_org *org, const char *key, const char *value,
		    struct base_err *err)
{
	return base_db_run(org->db, err,
			  "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key)"
			  " DO UPDATE SET value = excluded.value",
			  "ss", key, value);
}

static char *meta_get(struct emu_org *org, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;

	if (base_db_prepare(org->db, &st, NULL,
			   "SELECT value FROM meta WHERE key = ?", "s", key))
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = strdup(base_db_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int emu_org_set_clock_offset(struct emu_org *org, int64_t offset_ms,
			     struct base_err *err)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)offset_ms);
	if (meta_set(org, "clock_offset_ms", v, err))
		return base_err_wrap(err, "save clock");
	org->clock_offset_ms = offset_ms;
	return 0;
}

int emu_org_new_id(struct emu_org *org, const char *prefix,
		   char out[EMU_SFID_LEN + 1], struct base_err *err)
{
	struct emu_id_block *b = NULL;
	sqlite3_stmt *st;

	for (int i = 0; i < org->nid_blocks && !b; i++)
		if (!strcmp(org->id_blocks[i].prefix, prefix))
			b = &org->id_blocks[i];
	if (!b) {
		if (org->nid_blocks == EMU_ORG_MAX_ID_PREFIXES)
			return base_err_set(err, BASE_ETOOBIG, "too many id prefixes");
		b = &org->id_blocks[org->nid_blocks++];
		memset(b, 0, sizeof(*b));
		snprintf(b->prefix, sizeof(b->prefix), "%s", prefix);
	}
	if (b->next == b->end) {
		/* Reserve a block of ids in the store: one write per 1,000 ids,
		 * and a restart skips what was left of the last block. */
		st = base_db_cached(org->db, &org->stmts, err,
				   "INSERT INTO id_seq(prefix, next) VALUES(?, 1001) ON "
				   "CONFLICT(prefix) DO UPDATE SET next = next + 1000 "
				   "RETURNING next - 1000",
				   "s", prefix);
		if (!st || sqlite3_step(st) != SQLITE_ROW) {
			if (st)
				sqlite3_reset(st);
			return base_err_set(err, BASE_ERR, "new '%s' id: %s",
					    prefix, sqlite3_errmsg(org->db));
		}
		b->next = sqlite3_column_int64(st, 0);
		b->end = b->next + 1000;
		sqlite3_reset(st);
	}
	/* Start well above 0 so ids look like Salesforce's (0055g00000ABcd). */
	emu_sfid_make(prefix, org->pod, 3000000000ULL + (uint64_t)b->next++, out);
	return 0;
}

/* ---- settings ---- */

json_int_t emu_org_setting_int(const struct emu_org *org, const char *group,
			       const char *key, json_int_t def)
{
	json_t *s = json_object_get(org->conf, "settings");
	json_t *v;

	if (group)
		s = json_object_get(s, group);
	v = json_object_get(s, key);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool emu_org_setting_bool(const struct emu_org *org, const char *key)
{
	return json_is_true(
		json_object_get(json_object_get(org->conf, "settings"), key));
}

const char *emu_org_conf_str(const struct emu_org *org, const char *key)
{
	const char *s = json_string_value(json_object_get(org->conf, key));

	return s ? s : "";
}

bool emu_org_has_api(const struct emu_org *org)
{
	return emu_orgfile_edition_has_api(emu_org_conf_str(org, "edition"),
					   json_object_get(org->conf,
							   "features")) != 0;
}

bool emu_org_ip_trusted(const struct emu_org *org, const char *ip)
{
	json_t *ranges = json_object_get(json_object_get(org->conf, "settings"),
					 "trustedIpRanges");
	size_t i;
	json_t *r;

	json_array_foreach(ranges, i, r) {
		if (base_ipv4_in_range(
			    ip, json_string_value(json_object_get(r, "start")),
			    json_string_value(json_object_get(r, "end"))))
			return true;
	}
	return false;
}

int emu_org_save_conf(struct emu_org *org, struct base_err *err)
{
	char *text = json_dumps(org->conf, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;

	if (!text)
		return base_err_set(err, BASE_ENOMEM, "save org settings");
	rc = meta_set(org, "org", text, err);
	free(text);
	return rc;
}

/* ---- secrets ---- */

static void salted_hash(const char *salt, const char *secret, size_t len,
			char out[65])
{
	size_t sl = strlen(salt);
	char *tmp = malloc(sl + 1 + len);

	if (!tmp) {
		out[0] = '\0';
		return;
	}
	memcpy(tmp, salt, sl);
	tmp[sl] = ':';
	memcpy(tmp + sl + 1, secret, len);
	emu_sha256_hex(tmp, sl + 1 + len, out);
	explicit_bzero(tmp, sl + 1 + len);
	free(tmp);
}

static bool hash_matches(struct emu_org *org, const char *user_id,
			 const char *col, const char *secret, size_t len)
{
	char sql[128], want[65];
	sqlite3_stmt *st;
	bool ok = false;

	snprintf(sql, sizeof(sql),
		 "SELECT password_salt, %s FROM emu_user WHERE id = ?", col);
	if (base_db_prepare(org->db, &st, NULL, sql, "s", user_id))
		return false;
	if (sqlite3_step(st) == SQLITE_ROW && *base_db_text(st, 1)) {
		salted_hash(base_db_text(st, 0), secret, len, want);
		ok = emu_const_eq(want, base_db_text(st, 1));
	}
	sqlite3_finalize(st);
	return ok;
}

bool emu_org_password_ok(struct emu_org *org, const char *user_id,
			 const char *password, size_t len)
{
	return hash_matches(org, user_id, "password_hash", password, len);
}

bool emu_org_token_ok(struct emu_org *org, const char *user_id,
		      const char *token, size_t len)
{
	return hash_matches(org, user_id, "token_hash", token, len);
}

int emu_org_token_len(struct emu_org *org, const char *user_id)
{
	return (int)base_db_int(org->db, 24,
			       "SELECT token_len FROM emu_user WHERE id = ?", "s",
			       user_id);
}

static int store_token(struct emu_org *org, const char *user_id,
		       const char *token, struct base_err *err)
{
	char salt[33], hash[65];
	sqlite3_stmt *st;

	if (base_db_prepare(org->db, &st, err,
			   "SELECT password_salt FROM emu_user WHERE id = ?", "s",
			   user_id))
		return BASE_ERR;
	snprintf(salt, sizeof(salt), "%s",
		 sqlite3_step(st) == SQLITE_ROW ? base_db_text(st, 0) : "");
	sqlite3_finalize(st);
	salted_hash(salt, token, strlen(token), hash);
	return base_db_run(org->db, err,
			  "UPDATE emu_user SET token_hash = ?, token_len = ? WHERE id = ?",
			  "sis", hash, (long long)strlen(token), user_id);
}

int emu_org_set_password(struct emu_org *org, const char *user_id,
			 const char *password, struct base_err *err)
{
	char salt[33], hash[65];
	sqlite3_stmt *st;
	int rc;

	/* Keep the salt: the token hash shares it. */
	if (base_db_prepare(org->db, &st, err,
			   "SELECT password_salt FROM emu_user WHERE id = ?", "s",
			   user_id))
		return BASE_ERR;
	rc = sqlite3_step(st);
	snprintf(salt, sizeof(salt), "%s",
		 rc == SQLITE_ROW ? base_db_text(st, 0) : "");
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return base_err_set(err, BASE_ENOTFOUND, "no such user");
	salted_hash(salt, password, strlen(password), hash);
	return base_db_run(org->db, err,
			  "UPDATE emu_user SET password_hash = ?, password_set_ms = ?,"
			  " password_expired = 0 WHERE id = ?",
			  "sis", hash, (long long)emu_org_now_ms(org), user_id);
}

int emu_org_reset_token(struct emu_org *org, const struct emu_user *u,
			const char *reason, struct base_err *err)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				    "qrstuvwxyz0123456789";
	char token[25], body[1024];
	int rc;

	if (emu_random_token(token, 24, alnum))
		return base_err_set(err, BASE_ERR, "random token");
	rc = store_token(org, u->id, token, err);
	if (rc == 0) {
		snprintf(body, sizeof(body),
			 "Hello %s,\n\n%s\n\nUsername: %s\nSecurity token "
			 "(case-sensitive): %s\n\nThe security token is appended "
			 "to your password when you log in through the API or a "
			 "desktop client from outside your company's trusted "
			 "networks.\n\nThank you,\nSalesforce (sfemu)\n",
			 u->first_name[0] ? u->first_name : u->last_name,
			 reason, u->username, token);
		rc = emu_org_send_email(org, u->email,
					"Your new Salesforce security token",
					body, err);
	}
	explicit_bzero(token, sizeof(token));
	explicit_bzero(body, sizeof(body));
	return rc;
}

/* ---- users ---- */

#define USER_COLS                                                              \
	"id, username, email, first_name, last_name, profile_id, time_zone,"  \
	" user_type, is_active, is_frozen, is_locked, locked_at_ms,"          \
	" failed_attempts, password_expired, password_set_ms"

static int read_user(sqlite3_stmt *st, struct emu_user *u)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_ROW)
		return BASE_ENOTFOUND;
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", base_db_text(st, 0));
	snprintf(u->username, sizeof(u->username), "%s", base_db_text(st, 1));
	snprintf(u->email, sizeof(u->email), "%s", base_db_text(st, 2));
	snprintf(u->first_name, sizeof(u->first_name), "%s", base_db_text(st, 3));
	snprintf(u->last_name, sizeof(u->last_name), "%s", base_db_text(st, 4));
	snprintf(u->profile_id, sizeof(u->profile_id), "%s", base_db_text(st, 5));
	snprintf(u->time_zone, sizeof(u->time_zone), "%s", base_db_text(st, 6));
	snprintf(u->user_type, sizeof(u->user_type), "%s", base_db_text(st, 7));
	u->is_active = sqlite3_column_int(st, 8);
	u->is_frozen = sqlite3_column_int(st, 9);
	u->is_locked = sqlite3_column_int(st, 10);
	u->locked_at_ms = sqlite3_column_int64(st, 11);
	u->failed_attempts = sqlite3_column_int(st, 12);
	u->password_expired = sqlite3_column_int(st, 13);
	u->password_set_ms = sqlite3_column_int64(st, 14);
	return 0;
}

int emu_org_find_user(struct emu_org *org, const char *username,
		      struct emu_user *out, struct base_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (base_db_prepare(org->db, &st, err,
			   "SELECT " USER_COLS " FROM emu_user WHERE username = ?",
			   "s", username))
		return BASE_ERR;
	rc = read_user(st, out);
	sqlite3_finalize(st);
	if (rc)
		return base_err_set(err, BASE_ENOTFOUND, "no user '%s'",
				    username);
	return 0;
}

int emu_org_find_user_by_id(struct emu_org *org, const char *id,
			    struct emu_user *out, struct base_err *err)
{
	char id18[EMU_SFID_LEN + 1];
	sqlite3_stmt *st;
	int rc;

	if (!emu_sfid_to18(id, id18))
		return base_err_set(err, BASE_ENOTFOUND, "bad user id");
	if (base_db_prepare(org->db, &st, err,
			   "SELECT " USER_COLS " FROM emu_user WHERE id = ?", "s",
			   id18))
		return BASE_ERR;
	rc = read_user(st, out);
	sqlite3_finalize(st);
	if (rc)
		return base_err_set(err, BASE_ENOTFOUND, "no user with id '%s'",
				    id18);
	return 0;
}

bool emu_org_user_locked(struct emu_org *org, struct emu_user *u)
{
	json_int_t minutes;

	if (!u->is_locked)
		return false;
	minutes = emu_org_setting_int(org, "passwordPolicies",
				      "lockoutInterval", 15);
	if (minutes > 0 &&
	    emu_org_now_ms(org) >= u->locked_at_ms + minutes * 60000) {
		/* The lockout period is over: Salesforce unlocks on its own. */
		emu_org_unlock_user(org, u->id, NULL);
		u->is_locked = false;
		u->failed_attempts = 0;
	}
	return u->is_locked;
}

int emu_org_record_failure(struct emu_org *org, const struct emu_user *u,
			   bool *now_locked, struct base_err *err)
{
	json_int_t max = emu_org_setting_int(org, "passwordPolicies",
					     "maxLoginAttempts", 10);
	int failed = u->failed_attempts + 1;

	*now_locked = max > 0 && failed >= max;
	if (*now_locked)
		/* Locking resets the counter, as Salesforce does. */
		return base_db_run(org->db, err,
				  "UPDATE emu_user SET failed_attempts = 0, is_locked = 1,"
				  " locked_at_ms = ? WHERE id = ?",
				  "is", (long long)emu_org_now_ms(org), u->id);
	return base_db_run(org->db, err,
			  "UPDATE emu_user SET failed_attempts = ? WHERE id = ?", "is",
			  (long long)failed, u->id);
}

int emu_org_record_success(struct emu_org *org, const char *user_id,
			   struct base_err *err)
{
	return base_db_run(org->db, err,
			  "UPDATE emu_user SET failed_attempts = 0 WHERE id = ? AND"
			  " failed_attempts <> 0",
			  "s", user_id);
}

int emu_org_unlock_user(struct emu_org *org, const char *user_id,
			struct base_err *err)
{
	return base_db_run(org->db, err,
			  "UPDATE emu_user SET is_locked = 0, failed_attempts = 0,"
			  " locked_at_ms = 0 WHERE id = ?",
			  "s", user_id);
}

/* ---- profiles and permissions ---- */

int emu_org_profile_json(struct emu_org *org, const char *id_or_name,
			 json_t **out, struct base_err *err)
{
	sqlite3_stmt *st;
	json_t *p = NULL;

	*out = NULL;
	if (base_db_prepare(org->db, &st, err,
			   "SELECT id, name, user_license, permissions, login_hours,"
			   " login_ip_ranges, permission_set_id, field_permissions"
			   " FROM emu_profile"
			   " WHERE id = ? OR name = ?",
			   "ss", id_or_name, id_or_name))
		return BASE_ERR;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *hours = base_db_text(st, 4);

		p = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o}", "id",
			      base_db_text(st, 0), "name", base_db_text(st, 1),
			      "userLicense", base_db_text(st, 2), "permissions",
			      json_loads(base_db_text(st, 3), 0, NULL),
			      "loginHours",
			      *hours ? json_loads(hours, 0, NULL) : json_null(),
			      "loginIpRanges",
			      json_loads(base_db_text(st, 5), 0, NULL),
			      "permissionSetId", base_db_text(st, 6),
			      "fieldPermissions",
			      json_loads(base_db_text(st, 7), 0, NULL));
	}
	sqlite3_finalize(st);
	if (!p)
		return base_err_set(err, BASE_ENOTFOUND, "no profile '%s'",
				    id_or_name);
	*out = p;
	return 0;
}

int emu_org_profile_save(struct emu_org *org, json_t *p, struct base_err *err)
{
	json_t *hours = json_object_get(p, "loginHours");
	char *perms = json_dumps(json_object_get(p, "permissions"), JSON_COMPACT);
	char *h = hours && !json_is_null(hours) ? json_dumps(hours, JSON_COMPACT)
						: NULL;
	char *ips = json_dumps(json_object_get(p, "loginIpRanges"), JSON_COMPACT);
	int rc = BASE_ENOMEM;

	if (perms && ips)
		rc = base_db_run(org->db, err,
				"UPDATE emu_profile SET permissions = ?, login_hours = ?,"
				" login_ip_ranges = ? WHERE id = ?",
				"ssss", perms, h, ips,
				json_string_value(json_object_get(p, "id")));
	/* The profile-owned permission set mirrors the profile's permissions. */
	if (rc == 0)
		rc = base_db_run(org->db, err,
				"UPDATE permission_set SET permissions = ? WHERE"
				" profile_id = ?",
				"ss", perms,
				json_string_value(json_object_get(p, "id")));
	free(perms);
	free(h);
	free(ips);
	return rc;
}

bool emu_org_user_has_perm(struct emu_org *org, const struct emu_user *u,
			   const char *perm)
{
	sqlite3_stmt *st;
	bool has = false;

	/* Effective permission: the profile's own set plus every assigned set. */
	if (base_db_prepare(org->db, &st, NULL,
			   "SELECT ps.permissions FROM permission_set ps WHERE"
			   " ps.profile_id = ? OR ps.id IN (SELECT"
			   " permission_set_id FROM permission_set_assignment"
			   " WHERE user_id = ?)",
			   "ss", u->profile_id, u->id))
		return false;
	while (!has && sqlite3_step(st) == SQLITE_ROW) {
		json_t *perms = json_loads(base_db_text(st, 0), 0, NULL);

		has = json_is_true(json_object_get(perms, perm));
		json_decref(perms);
	}
	sqlite3_finalize(st);
	return has;
}

static bool json_has_string(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

bool emu_org_user_preauthorized(struct emu_org *org, const struct emu_user *u,
				const struct emu_app *app)
{
	sqlite3_stmt *st;
	bool ok = json_has_string(app->pre_profiles, u->profile_id);

	if (ok || base_db_prepare(org->db, &st, NULL,
				 "SELECT permission_set_id FROM"
				 " permission_set_assignment WHERE user_id = ?",
				 "s", u->id))
		return ok;
	while (!ok && sqlite3_step(st) == SQLITE_ROW)
		ok = json_has_string(app->pre_permsets, base_db_text(st, 0));
	sqlite3_finalize(st);
	return ok;
}

/* ---- apps ---- */

int emu_org_find_app(struct emu_org *org, const char *consumer_key,
		     struct emu_app *out, struct base_err *err)
{
	sqlite3_stmt *st;
	int rc = BASE_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (base_db_prepare(org->db, &st, err,
			   "SELECT id, name, consumer_key, consumer_secret, flows,"
			   " run_as_user_id, certificate, pre_profiles,"
			   " pre_permsets FROM app WHERE consumer_key = ?",
			   "s", consumer_key))
		return BASE_ERR;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out->id, sizeof(out->id), "%s", base_db_text(st, 0));
		snprintf(out->name, sizeof(out->name), "%s", base_db_text(st, 1));
		snprintf(out->consumer_key, sizeof(out->consumer_key), "%s",
			 base_db_text(st, 2));
		snprintf(out->consumer_secret, sizeof(out->consumer_secret),
			 "%s", base_db_text(st, 3));
		out->flows = json_loads(base_db_text(st, 4), 0, NULL);
		snprintf(out->run_as_user_id, sizeof(out->run_as_user_id), "%s",
			 base_db_text(st, 5));
		if (*base_db_text(st, 6))
			out->certificate = strdup(base_db_text(st, 6));
		out->pre_profiles = json_loads(base_db_text(st, 7), 0, NULL);
		out->pre_permsets = json_loads(base_db_text(st, 8), 0, NULL);
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		return base_err_set(err, rc, "no connected app with that key");
	return 0;
}

void emu_app_release(struct emu_app *app)
{
	json_decref(app->flows);
	json_decref(app->pre_profiles);
	json_decref(app->pre_permsets);
	free(app->certificate);
	explicit_bzero(app->consumer_secret, sizeof(app->consumer_secret));
	memset(app, 0, sizeof(*app));
}

bool emu_app_has_flow(const struct emu_app *app, const char *flow)
{
	return json_has_string(app->flows, flow);
}

/* ---- sessions ---- */

static int new_token(struct emu_org *org, const char *mid, char *token,
		     size_t n, struct base_err *err)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno"
				    "pqrstuvwxyz0123456789._";
	char rnd[97];

	/* "00D5g000000AbCd!AQ4AQ...": 15-character org id, '!', opaque part,
	 * the shape the Salesforce CLI checks for. */
	if (n < 120 || emu_random_token(rnd, 96, chars))
		return base_err_set(err, BASE_ERR, "random session id");
	snprintf(token, n, "%.15s!%s%s", org->id, mid, rnd);
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

int emu_org_session_new(struct emu_org *org, const char *user_id,
			const char *app_id, const char *kind,
			bool password_expired, char *token, size_t n,
			struct base_err *err)
{
	int64_t now = emu_org_now_ms(org);
	char hash[65];

	if (new_token(org, "AQ", token, n, err))
		return BASE_ERR;
	emu_sha256_hex(token, strlen(token), hash);
	return base_db_run(org->db, err,
			  "INSERT INTO session(token_hash, user_id, app_id, kind,"
			  " password_expired, created_ms, last_used_ms)"
			  " VALUES(?, ?, ?, ?, ?, ?, ?)",
			  "ssssbii", hash, user_id, app_id, kind,
			  (int)password_expired, (long long)now, (long long)now);
}

int emu_org_session_get(struct emu_org *org, const char *token,
			struct emu_session *out, struct base_err *err)
{
	int64_t now = emu_org_now_ms(org);
	json_int_t valid = emu_org_setting_int(org, NULL, "sessionSecondsValid",
					       7200);
	sqlite3_stmt *st;
	char hash[65];
	int rc = BASE_ENOTFOUND;

	emu_sha256_hex(token, strlen(token), hash);
	if (base_db_prepare(org->db, &st, err,
			   "SELECT user_id, app_id, kind, password_expired,"
			   " created_ms, last_used_ms FROM session WHERE"
			   " token_hash = ? AND revoked = 0",
			   "s", hash))
		return BASE_ERR;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    now - sqlite3_column_int64(st, 5) <= valid * 1000) {
		memset(out, 0, sizeof(*out));
		snprintf(out->user_id, sizeof(out->user_id), "%s",
			 base_db_text(st, 0));
		snprintf(out->app_id, sizeof(out->app_id), "%s",
			 base_db_text(st, 1));
		snprintf(out->kind, sizeof(out->kind), "%s", base_db_text(st, 2));
		out->password_expired = sqlite3_column_int(st, 3);
		out->created_ms = sqlite3_column_int64(st, 4);
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		return base_err_set(err, rc, "session expired or invalid");
	/* Each call resets the inactivity timer, as on Salesforce. */
	return base_db_run(org->db, err,
			  "UPDATE session SET last_used_ms = ? WHERE token_hash = ?",
			  "is", (long long)now, hash);
}

int emu_org_session_revoke(struct emu_org *org, const char *token,
			   struct base_err *err)
{
	char hash[65];

	emu_sha256_hex(token, strlen(token), hash);
	if (base_db_run(org->db, err,
		       "UPDATE session SET revoked = 1 WHERE token_hash = ?"
		       " AND revoked = 0",
		       "s", hash))
		return BASE_ERR;
	return sqlite3_changes(org->db) ? 0
					: base_err_set(err, BASE_ENOTFOUND,
						       "no such session");
}

int emu_org_sessions_revoke_user(struct emu_org *org, const char *user_id,
				 struct base_err *err)
{
	return base_db_run(org->db, err,
			  "UPDATE session SET revoked = 1 WHERE user_id = ?", "s",
			  user_id);
}

int emu_org_sessions_expire_all(struct emu_org *org, struct base_err *err)
{
	return base_db_exec(org->db, "UPDATE session SET revoked = 1", err);
}

int emu_org_refresh_new(struct emu_org *org, const char *user_id,
			const char *app_id, char *token, size_t n,
			struct base_err *err)
{
	char hash[65];

	if (new_token(org, "ARF", token, n, err))
		return BASE_ERR;
	/* Refresh tokens don't carry the org id prefix on Salesforce. */
	memmove(token, token + 16, strlen(token + 16) + 1);
	emu_sha256_hex(token, strlen(token), hash);
	return base_db_run(org->db, err,
			  "INSERT INTO refresh_token(token_hash, user_id, app_id,"
			  " created_ms) VALUES(?, ?, ?, ?)",
			  "sssi", hash, user_id, app_id,
			  (long long)emu_org_now_ms(org));
}

int emu_org_refresh_get(struct emu_org *org, const char *token,
			const char *app_id, char *user_id_out,
			struct base_err *err)
{
	sqlite3_stmt *st;
	char hash[65];
	int rc = BASE_ENOTFOUND;

	emu_sha256_hex(token, strlen(token), hash);
	if (base_db_prepare(org->db, &st, err,
			   "SELECT user_id FROM refresh_token WHERE token_hash = ?"
			   " AND app_id = ? AND revoked = 0",
			   "ss", hash, app_id))
		return BASE_ERR;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(user_id_out, EMU_SFID_LEN + 1, "%s", base_db_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	if (rc)
		return base_err_set(err, rc, "expired access/refresh token");
	return 0;
}

int emu_org_refresh_revoke(struct emu_org *org, const char *token,
			   struct base_err *err)
{
	char hash[65];

	emu_sha256_hex(token, strlen(token), hash);
	if (base_db_run(org->db, err,
		       "UPDATE refresh_token SET revoked = 1 WHERE token_hash = ?"
		       " AND revoked = 0",
		       "s", hash))
		return BASE_ERR;
	return sqlite3_changes(org->db) ? 0
					: base_err_set(err, BASE_ENOTFOUND,
						       "no such token");
}

/* ---- history and email ---- */

int emu_org_log_login(struct emu_org *org, const struct emu_login_event *ev,
		      struct base_err *err)
{
	char id[EMU_SFID_LEN + 1];

	if (emu_org_new_id(org, "0Ya", id, err))
		return BASE_ERR;
	return base_db_run(org->db, err,
			  "INSERT INTO login_history(id, user_id, username,"
			  " login_time_ms, source_ip, login_type, status, api_type,"
			  " api_version, application, login_url)"
			  " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  "sssisssssss", id, ev->user_id, ev->username,
			  (long long)emu_org_now_ms(org), ev->source_ip,
			  ev->login_type, ev->status, ev->api_type,
			  ev->api_version, ev->application, ev->login_url);
}

long long emu_org_count_login(struct emu_org *org, const char *user_id)
{
	int64_t now = emu_org_now_ms(org);

	/* One hour-long window per user, opened by the first login in it: O(1)
	 * per login, where counting LoginHistory rows grew with the history. */
	if (base_db_run(org->db, NULL,
		       "UPDATE emu_user SET rate_count = CASE WHEN ? - rate_window_ms"
		       " >= 3600000 THEN 1 ELSE rate_count + 1 END,"
		       " rate_window_ms = CASE WHEN ? - rate_window_ms >= 3600000"
		       " THEN ? ELSE rate_window_ms END WHERE id = ?",
		       "iiis", (long long)now, (long long)now, (long long)now,
		       user_id))
		return 0;
	return base_db_int(org->db, 0, "SELECT rate_count FROM emu_user WHERE id = ?",
			  "s", user_id);
}

static void write_eml(struct emu_org *org, long long id, const char *to,
		      const char *subject, const char *body, int64_t ms)
{
	char dir[4096], path[4200], when[40];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/outbox", org->data_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return;
	snprintf(path, sizeof(path), "%s/%06lld.eml", dir, id);
	f = fopen(path, "w");
	if (!f) {
		base_warn("outbox: cannot write message %lld", id);
		return;
	}
	base_time_format_iso(ms, when, sizeof(when));
	fprintf(f,
		"From: noreply@salesforce.com\r\nTo: %s\r\nSubject: %s\r\n"
		"Date: %s\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n%s",
		to, subject, when, body);
	fclose(f);
}

int emu_org_send_email(struct emu_org *org, const char *to,
		       const char *subject, const char *body,
		       struct base_err *err)
{
	int64_t now = emu_org_now_ms(org);

	if (base_db_run(org->db, err,
		       "INSERT INTO outbox(to_addr, subject, body, sent_ms)"
		       " VALUES(?, ?, ?, ?)",
		       "sssi", to, subject, body, (long long)now))
		return base_err_wrap(err, "send email");
	if (org->data_dir)
		write_eml(org, (long long)sqlite3_last_insert_rowid(org->db), to,
			  subject, body, now);
	base_info("emailed %s: %s", to, subject);
	return 0;
}

/* ---- opening and seeding ---- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void derive_ids(struct emu_org *org)
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg"
				  "hijklmnopqrstuvwxyz";
	uint64_t h = fnv1a(emu_org_conf_str(org, "orgName")) ^
		     fnv1a(emu_org_conf_str(org, "myDomain"));

	/* Pods look like "5g", "8d": a digit and a lower-case letter. */
	org->pod[0] = (char)('1' + h % 9);
	org->pod[1] = b62[36 + (h / 9) % 26];
	org->pod[2] = '\0';
	emu_sfid_make("00D", org->pod, (h >> 16) % 13537086546263552ULL, org->id);
}

static char *dump(json_t *v)
{
	return json_dumps(v ? v : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
}

static int seed_profiles(struct emu_org *org, json_t *def, struct base_err *err)
{
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(def, "profiles"), i, p) {
		char id[EMU_SFID_LEN + 1], ps[EMU_SFID_LEN + 1];
		json_t *hours = json_object_get(p, "loginHours");
		char *perms = dump(json_object_get(p, "permissions"));
		char *h = hours && !json_is_null(hours) ? dump(hours) : NULL;
		char *ips = dump(json_object_get(p, "loginIpRanges"));
		char *fls = dump(json_object_get(p, "fieldPermissions"));
		int rc = emu_org_new_id(org, "00e", id, err) ||
			 emu_org_new_id(org, "0PS", ps, err);

		if (!rc)
			rc = base_db_run(org->db, err,
					"INSERT INTO emu_profile VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
					"ssssssss", id,
					json_string_value(json_object_get(p, "name")),
					json_string_value(json_object_get(p, "userLicense")),
					perms, h, ips, ps, fls);
		if (!rc)
			rc = base_db_run(org->db, err,
					"INSERT INTO permission_set VALUES(?, ?, ?, ?, ?)",
					"sssss", ps, id, "", perms, id);
		free(perms);
		free(h);
		free(ips);
		free(fls);
		if (rc)
			return base_err_wrap(err, "profiles[%zu]", i);
	}
	json_array_foreach(json_object_get(def, "permissionSets"), i, p) {
		char id[EMU_SFID_LEN + 1];
		char *perms = dump(json_object_get(p, "permissions"));
		int rc = emu_org_new_id(org, "0PS", id, err);

		if (!rc)
			rc = base_db_run(org->db, err,
					"INSERT INTO permission_set VALUES(?, ?, ?, ?, ?)",
					"sssss", id,
					json_string_value(json_object_get(p, "name")),
					json_string_value(json_object_get(p, "label")),
					perms, NULL);
		free(perms);
		if (rc)
			return base_err_wrap(err, "permissionSets[%zu]", i);
	}
	return 0;
}

static long long id_by_name(struct emu_org *org, const char *table,
			    const char *name, char out[EMU_SFID_LEN + 1])
{
	char sql[96];
	sqlite3_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE name = ?", table);
	out[0] = '\0';
	if (base_db_prepare(org->db, &st, NULL, sql, "s", name))
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, EMU_SFID_LEN + 1, "%s", base_db_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int seed_user(struct emu_org *org, json_t *u, struct base_err *err)
{
	static const char hex[] = "0123456789abcdef";
	char id[EMU_SFID_LEN + 1], prof[EMU_SFID_LEN + 1], salt[33];
	const char *tok = json_string_value(json_object_get(u, "securityToken"));
	struct emu_user eu;
	size_t i;
	json_t *ps;

	if (emu_org_new_id(org, "005", id, err) ||
	    emu_random_token(salt, 32, hex))
		return BASE_ERR;
	id_by_name(org, "emu_profile", json_string_value(json_object_get(u, "profile")),
		   prof);
	if (base_db_run(org->db, err,
		       "INSERT INTO emu_user(id, username, email, first_name,"
		       " last_name, profile_id, time_zone, user_type, is_active,"
		       " is_frozen, is_locked, locked_at_ms, failed_attempts,"
		       " password_expired, password_salt, created_ms)"
		       " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
		       "ssssssssbbbibsi", id,
		       json_string_value(json_object_get(u, "username")),
		       json_string_value(json_object_get(u, "email")),
		       json_string_value(json_object_get(u, "firstName")),
		       json_string_value(json_object_get(u, "lastName")), prof,
		       json_string_value(json_object_get(u, "timeZone")),
		       json_string_value(json_object_get(u, "userType")),
		       json_is_true(json_object_get(u, "isActive")),
		       json_is_true(json_object_get(u, "isFrozen")),
		       json_is_true(json_object_get(u, "isPasswordLocked")),
		       (long long)(json_is_true(json_object_get(u, "isPasswordLocked"))
					   ? emu_org_now_ms(org)
					   : 0),
		       json_is_true(json_object_get(u, "passwordExpired")), salt,
		       (long long)emu_org_now_ms(org)))
		return BASE_ERR;
	if (emu_org_set_password(org, id,
				 json_string_value(json_object_get(u, "password")),
				 err))
		return BASE_ERR;
	/* set_password clears the flag; the file's value wins at seed time. */
	if (base_db_run(org->db, err,
		       "UPDATE emu_user SET password_expired = ? WHERE id = ?", "bs",
		       json_is_true(json_object_get(u, "passwordExpired")), id))
		return BASE_ERR;
	json_array_foreach(json_object_get(u, "permissionSets"), i, ps) {
		char psid[EMU_SFID_LEN + 1], aid[EMU_SFID_LEN + 1];

		id_by_name(org, "permission_set", json_string_value(ps), psid);
		if (emu_org_new_id(org, "0Pa", aid, err) ||
		    base_db_run(org->db, err,
			       "INSERT INTO permission_set_assignment VALUES(?, ?, ?)",
			       "sss", aid, id, psid))
			return BASE_ERR;
	}
	if (tok)
		return store_token(org, id, tok, err);
	/* No token in the file: issue one, as Salesforce does for a new user. */
	if (emu_org_find_user_by_id(org, id, &eu, err))
		return BASE_ERR;
	return emu_org_reset_token(org, &eu,
				   "Your user account was created. Here is your "
				   "security token.",
				   err);
}

static int seed_app(struct emu_org *org, json_t *a, struct base_err *err)
{
	char id[EMU_SFID_LEN + 1], run_as[EMU_SFID_LEN + 1] = "";
	const char *ras = json_string_value(json_object_get(a, "runAsUser"));
	json_t *pp = json_array(), *pps = json_array();
	char *flows = dump(json_object_get(a, "flows")), *pp_s, *pps_s;
	struct emu_user u;
	size_t i;
	json_t *n;
	int rc;

	json_array_foreach(json_object_get(a, "preAuthorizedProfiles"), i, n) {
		char pid[EMU_SFID_LEN + 1];

		id_by_name(org, "emu_profile", json_string_value(n), pid);
		json_array_append_new(pp, json_string(pid));
	}
	json_array_foreach(json_object_get(a, "preAuthorizedPermissionSets"), i, n) {
		char pid[EMU_SFID_LEN + 1];

		id_by_name(org, "permission_set", json_string_value(n), pid);
		json_array_append_new(pps, json_string(pid));
	}
	if (ras && emu_org_find_user(org, ras, &u, NULL) == 0)
		snprintf(run_as, sizeof(run_as), "%s", u.id);
	pp_s = dump(pp);
	pps_s = dump(pps);
	rc = emu_org_new_id(org, "0H4", id, err);
	if (!rc)
		rc = base_db_run(org->db, err,
				"INSERT INTO app VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
				"sssssssss", id,
				json_string_value(json_object_get(a, "name")),
				json_string_value(json_object_get(a, "consumerKey")),
				json_string_value(json_object_get(a, "consumerSecret")),
				flows, run_as[0] ? run_as : NULL,
				json_string_value(json_object_get(a, "certificate")),
				pp_s, pps_s);
	free(flows);
	free(pp_s);
	free(pps_s);
	json_decref(pp);
	json_decref(pps);
	return rc;
}

static int seed(struct emu_org *org, json_t *def, struct base_err *err)
{
	static const char *const tables[] = {"profiles", "permissionSets",
					     "users", "apps", "records"};
	size_t i;
	json_t *v;
	char ver[16];

	if (base_db_exec(org->db, "BEGIN", err) || seed_profiles(org, def, err))
		goto fail;
	json_array_foreach(json_object_get(def, "users"), i, v) {
		if (seed_user(org, v, err)) {
			base_err_wrap(err, "users[%zu]", i);
			goto fail;
		}
	}
	json_array_foreach(json_object_get(def, "apps"), i, v) {
		if (seed_app(org, v, err)) {
			base_err_wrap(err, "apps[%zu]", i);
			goto fail;
		}
	}
	/* Seed records belong to the file's first user. */
	if (json_object_size(json_object_get(def, "records"))) {
		struct emu_user owner;

		if (emu_org_find_user(org,
				      json_string_value(json_object_get(
					      json_array_get(json_object_get(def,
								     "users"),
							     0),
					      "username")),
				      &owner, err) ||
		    emu_records_seed(org, json_object_get(def, "records"),
				     owner.id, err))
			goto fail;
	}
	/* conf keeps the org-level settings; the rest lives in tables. */
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		json_object_del(org->conf, tables[t]);
	snprintf(ver, sizeof(ver), "%d", SCHEMA_VERSION);
	if (emu_org_save_conf(org, err) || meta_set(org, "org_id", org->id, err) ||
	    meta_set(org, "schema_version", ver, err) ||
	    base_db_exec(org->db, "COMMIT", err))
		goto fail;
	return 0;
fail:
	base_db_exec(org->db, "ROLLBACK", NULL);
	return BASE_ERR;
}

static int load_existing(struct emu_org *org, struct base_err *err)
{
	char *ver = meta_get(org, "schema_version");
	char *conf = meta_get(org, "org");
	char *id = meta_get(org, "org_id");
	char *off = meta_get(org, "clock_offset_ms");
	int rc = 0;

	if (!ver || strtol(ver, NULL, 10) != SCHEMA_VERSION || !conf || !id) {
		rc = base_err_set(err, BASE_EINVAL,
				  "data dir '%s' holds an org of another sfemu "
				  "version; remove it to start afresh",
				  org->data_dir);
		goto out;
	}
	json_decref(org->conf);
	org->conf = json_loads(conf, 0, NULL);
	if (!org->conf) {
		rc = base_err_set(err, BASE_EINVAL, "data dir '%s': bad org state",
				  org->data_dir);
		goto out;
	}
	snprintf(org->id, sizeof(org->id), "%s", id);
	org->pod[0] = id[3];
	org->pod[1] = id[4];
	org->pod[2] = '\0';
	org->clock_offset_ms = off ? strtoll(off, NULL, 10) : 0;
out:
	free(ver);
	free(conf);
	free(id);
	free(off);
	return rc;
}

int emu_org_open(json_t *def, const char *data_dir, struct emu_org **out,
		 struct base_err *err)
{
	struct emu_org *org = calloc(1, sizeof(*org));
	char path[4096];
	int rc = BASE_ERR;
	bool fresh;

	*out = NULL;
	if (!org) {
		json_decref(def);
		return base_err_set(err, BASE_ENOMEM, "org");
	}
	pthread_mutex_init(&org->lock, NULL);
	org->conf = def;
	if (data_dir) {
		org->data_dir = strdup(data_dir);
		if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
			rc = base_err_set_errno(err, BASE_EINVAL, "data dir '%s'",
						data_dir);
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/org.db", data_dir);
	} else {
		snprintf(path, sizeof(path), ":memory:");
	}
	if (sqlite3_open_v2(path, &org->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		rc = base_err_set(err, BASE_ERR, "open store '%s': %s", path,
				  org->db ? sqlite3_errmsg(org->db) : "no memory");
		goto fail;
	}
	sqlite3_busy_timeout(org->db, 5000);
	if (base_db_exec(org->db,
			"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			"PRAGMA foreign_keys=ON;",
			err) ||
	    base_db_exec(org->db, schema, err))
		goto fail;
	fresh = base_db_int(org->db, 0,
			   "SELECT count(*) FROM meta WHERE key = 'org'", NULL) == 0;
	if (!fresh && load_existing(org, err))
		goto fail;
	if (fresh)
		derive_ids(org);
	/* The schema comes from conf: the org file, or the saved state. */
	if (emu_schema_build(json_object_get(org->conf, "customObjects"),
			     json_object_get(org->conf, "customFields"),
			     &org->schema, err) ||
	    emu_records_init(org, err))
		goto fail;
	if (fresh && seed(org, def, err))
		goto fail;
	if (!fresh)
		base_info("org state loaded from '%s' (the org file seeds only a "
			  "new data dir)",
			  data_dir);
	*out = org;
	return 0;
fail:
	emu_org_free(org);
	return rc ? rc : BASE_ERR;
}

void emu_org_free(struct emu_org *org)
{
	if (!org)
		return;
	for (int i = 0; i < EMU_ORG_MAX_CURSORS; i++)
		emu_query_cursor_free(org->cursors[i]);
	emu_bulk_jobs_free(org->bulk_jobs);
	base_stmt_cache_clear(&org->stmts);
	sqlite3_close(org->db);
	emu_schema_free(org->schema);
	json_decref(org->conf);
	free(org->data_dir);
	pthread_mutex_destroy(&org->lock);
	free(org);
}

/* ---- added for the /_emu/ admin endpoints and the Setup UI ---- */

int emu_org_find_app_by_name(struct emu_org *org, const char *name,
			     struct emu_app *out, struct base_err *err)
{
	char key[256] = "";
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (base_db_prepare(org->db, &st, err,
			   "SELECT consumer_key FROM app WHERE name = ?", "s",
			   name))
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(key, sizeof(key), "%s", base_db_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return base_err_set(err, BASE_ENOTFOUND,
				    "no connected app named '%s'", name);
	return emu_org_find_app(org, key, out, err);
}

int emu_org_user_permset_names(struct emu_org *org, const char *user_id,
			       json_t **out, struct base_err *err)
{
	sqlite3_stmt *st;
	json_t *names = json_array();
	int rc;

	*out = NULL;
	if (!names)
		return base_err_set(err, BASE_ENOMEM, "permission set names");
	/* Profile-owned sets are the profile, not an assignment: leave them out. */
	if (base_db_prepare(org->db, &st, err,
			   "SELECT ps.name FROM permission_set_assignment a JOIN"
			   " permission_set ps ON ps.id = a.permission_set_id"
			   " WHERE a.user_id = ? AND ps.profile_id IS NULL"
			   " ORDER BY ps.name",
			   "s", user_id)) {
		json_decref(names);
		return BASE_ERR;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(names, json_string(base_db_text(st, 0)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(names);
		return base_err_set(err, BASE_ERR, "read permission sets: %s",
				    sqlite3_errstr(rc));
	}
	*out = names;
	return 0;
}

int emu_org_change_password(struct emu_org *org, const struct emu_user *u,
			    const char *password, bool expired,
			    const char *reason, struct base_err *err)
{
	if (emu_org_set_password(org, u->id, password, err) ||
	    emu_org_unlock_user(org, u->id, err) ||
	    emu_org_sessions_revoke_user(org, u->id, err))
		return base_err_wrap(err, "change password of '%s'", u->username);
	if (expired &&
	    base_db_run(org->db, err,
		       "UPDATE emu_user SET password_expired = 1 WHERE id = ?", "s",
		       u->id))
		return base_err_wrap(err, "change password of '%s'", u->username);
	if (emu_org_reset_token(org, u, reason, err))
		return base_err_wrap(err, "change password of '%s'", u->username);
	return 0;
}

/* ---- API usage: a rolling 24 hours in hourly buckets ---- */

long long emu_org_api_max(const struct emu_org *org)
{
	const char *ed = emu_org_conf_str(org, "edition");
	long long lic = json_integer_value(json_object_get(org->conf, "licenses"));

	if (json_is_true(json_object_get(org->conf, "sandbox")))
		return 5000000;
	if (!strcmp(ed, "Developer"))
		return 15000;
	if (!strcmp(ed, "Unlimited") || !strcmp(ed, "Performance"))
		return 100000 + 5000 * lic;
	if (!strcmp(ed, "Enterprise") || !strcmp(ed, "Professional"))
		return 100000 + 1000 * lic;
	return 0;
}

long long emu_org_api_used(struct emu_org *org)
{
	long long hour = emu_org_now_ms(org) / 3600000;
	sqlite3_stmt *st = base_db_cached(org->db, &org->stmts, NULL,
					 "SELECT coalesce(sum(count), 0) FROM"
					 " api_usage WHERE hour > ?",
					 "i", hour - 24);
	long long used = 0;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		used = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return used;
}

int emu_org_api_count(struct emu_org *org, const char *user_id,
		      const char *resource, struct base_err *err)
{
	long long hour = emu_org_now_ms(org) / 3600000;
	sqlite3_stmt *st = base_db_cached(org->db, &org->stmts, err,
					 "INSERT INTO api_usage VALUES(?, ?, ?, 1)"
					 " ON CONFLICT DO UPDATE SET count ="
					 " count + 1",
					 "iss", hour, user_id, resource);
	int rc;

	if (!st)
		return BASE_ERR;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : base_err_set(err, BASE_ERR, "count API call");
}

int emu_org_api_set_used(struct emu_org *org, long long used,
			 struct base_err *err)
{
	long long hour = emu_org_now_ms(org) / 3600000;

	/* Stands in for calls made earlier today by someone else. */
	if (base_db_exec(org->db, "DELETE FROM api_usage", err))
		return BASE_ERR;
	if (used <= 0)
		return 0;
	return base_db_run(org->db, err, "INSERT INTO api_usage VALUES(?, '', ?, ?)",
			  "isi", hour, "(set by /_emu/org)", used);
}
