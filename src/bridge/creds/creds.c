/* creds.c - Salesforce integration credentials: Save = validate, the lockout guard, what is active. */
#include "bridge/creds/creds.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "bridge/creds/vault.h"
#include "bridge/store/store.h"
#include "bridge/store/usage.h"
#include "sf/client.h"
#include "sf/error.h"
#include "base/db.h"
#include "base/banned.h"

/*
 * This file and local_checks.c are the only places in sfbridge that read a
 * secret's bytes: here to seal them and to compare a candidate with the
 * active credentials (to rank invalid_login's causes). Nothing read is
 * ever logged or copied into a diagnosis.
 */

#define WINDOW_MS ((long long)SFB_LOCKOUT_WINDOW_MIN * 60 * 1000)
#define SECRET_MAX (64 * 1024)

struct sfb_creds {
	char data_dir[PATH_MAX];
	char ws[72];
	struct sfb_store *store;
	bool owns_store; /* false: attached to the caller's connection */
	sqlite3 *db;
	struct sfb_vault *vault; /* opened when a command needs secrets */
};

/* One credentials row. Sealed values are owned (free). */
struct row {
	long long id;
	char status[16];
	char method[32];
	char login[256];
	char username[256];
	char consumer_key[256];
	char *sealed[4]; /* password, token, consumer secret, private key */
	char org_id[19];
	char org_name[256];
	char edition[64];
	bool sandbox;
	char instance_url[256];
	char user_id[19];
	long long created_ms, validated_ms;
	bool refused;
	char refused_code[64];
};

enum { S_PASSWORD, S_TOKEN, S_CONSUMER_SECRET, S_PRIVATE_KEY };

static const char *const sealed_cols[4] = {
	"password_sealed", "token_sealed", "consumer_secret_sealed",
	"private_key_sealed"};

/* Opened secrets (owned; wiped when freed). */
struct secrets {
	struct sf_secret *v[4];
};

static void secrets_free(struct secrets *s)
{
	for (int i = 0; i < 4; i++) {
		sf_secret_free(s->v[i]);
		s->v[i] = NULL;
	}
}

static void row_release(struct row *r)
{
	for (int i = 0; i < 4; i++)
		free(r->sealed[i]);
	memset(r, 0, sizeof(*r));
}

/* ---- result ---- */

void sfb_creds_result_init(struct sfb_creds_result *r)
{
	memset(r, 0, sizeof(*r));
	sfb_org_facts_init(&r->facts);
	r->diags = SFB_DIAGS_INIT;
}

void sfb_creds_result_release(struct sfb_creds_result *r)
{
	if (!r)
		return;
	sfb_org_facts_release(&r->facts);
	sfb_diags_release(&r->diags);
	sfb_creds_result_init(r);
}

json_t *sfb_creds_result_json(const struct sfb_creds_result *r)
{
	return json_pack("{s:b, s:b, s:o, s:o, s:o, s:o}", "valid", r->valid,
			 "active", r->active, "method",
			 r->has_method ? json_string(sfb_method_name(r->method))
				       : json_null(),
			 "org", sfb_org_facts_org_json(&r->facts), "user",
			 sfb_org_facts_user_json(&r->facts), "diagnoses",
			 sfb_diags_to_json(&r->diags));
}

int sfb_creds_result_exit(const struct sfb_creds_result *r)
{
	int rc = sfb_diags_exit_code(&r->diags);

	if (rc == 0 && !r->valid)
		rc = 2;
	return rc;
}

/* ---- store helpers ---- */

static int db_fail(struct sfb_creds *c, struct base_err *err, const char *what)
{
	return base_err_set(err, BASE_ERR, "%s: %s", what,
			    sqlite3_errmsg(c->db));
}

/*
 * Finalizes st, whose one step returned rc: 1 it read a row, 0 there was
 * none, or db_fail(what) when the step failed.
 */
static int finish_read(struct sfb_creds *c, sqlite3_stmt *st, int rc,
		       const char *what, struct base_err *err)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(c, err, what);
	return rc == SQLITE_ROW;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
	snprintf(out, n, "%s", base_db_text(st, i));
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? strdup((const char *)t) : NULL;
}

#define ROW_COLS                                                            \
	"id, status, method, login, username, consumer_key, password_sealed, " \
	"token_sealed, consumer_secret_sealed, private_key_sealed, org_id, "   \
	"org_name, edition, sandbox, instance_url, user_id, created_ms, "      \
	"validated_ms, refused, refused_code"

static void read_row(sqlite3_stmt *st, struct row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->status, sizeof(r->status));
	col_text(st, 2, r->method, sizeof(r->method));
	col_text(st, 3, r->login, sizeof(r->login));
	col_text(st, 4, r->username, sizeof(r->username));
	col_text(st, 5, r->consumer_key, sizeof(r->consumer_key));
	for (int i = 0; i < 4; i++)
		r->sealed[i] = col_dup(st, 6 + i);
	col_text(st, 10, r->org_id, sizeof(r->org_id));
	col_text(st, 11, r->org_name, sizeof(r->org_name));
	col_text(st, 12, r->edition, sizeof(r->edition));
	r->sandbox = sqlite3_column_int(st, 13) != 0;
	col_text(st, 14, r->instance_url, sizeof(r->instance_url));
	col_text(st, 15, r->user_id, sizeof(r->user_id));
	r->created_ms = sqlite3_column_int64(st, 16);
	r->validated_ms = sqlite3_column_int64(st, 17);
	r->refused = sqlite3_column_int(st, 18) != 0;
	col_text(st, 19, r->refused_code, sizeof(r->refused_code));
}

/* The active row: 1 found, 0 none, < 0 error. */
static int load_active(struct sfb_creds *c, struct row *r, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (base_db_prepare(c->db, &st, err,
			    "SELECT " ROW_COLS " FROM credentials WHERE "
			    "workspace_id = ? AND status = 'active'",
			    "s", c->ws))
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, r);
	return finish_read(c, st, rc, "read the active credentials", err);
}

static int add_event(struct sfb_creds *c, const char *level, const char *kind,
		     const char *message, struct base_err *err)
{
	return base_db_run(c->db, err,
			   "INSERT INTO events (workspace_id, at_ms, level, "
			   "kind, message) VALUES (?, ?, ?, ?, ?)",
			   "sisss", c->ws, (long long)base_time_now_ms(),
			   level, kind, message);
}

/* "valid: ...", "refused: CODE", "unavailable: CODE", "blocked: CODE". */
static void summary_of(const struct sfb_creds_result *r, char *out, size_t n)
{
	const struct sfb_diag *e = sfb_diags_cause(&r->diags);

	if (!e) {
		snprintf(out, n, "valid: %s as %s",
			 r->facts.org_name[0] ? r->facts.org_name
					      : r->facts.org_id,
			 r->facts.username);
		return;
	}
	snprintf(out, n, "%s: %s",
		 !r->attempted ? "blocked"
		 : sfb_diags_exit_code(&r->diags) == 3 ? "unavailable"
						       : "refused",
		 sfb_diag_def(e->id)->code);
}

/* One row of the validation history; cred_id 0 (a Save stopped before its
 * candidate was stored) leaves credentials_id NULL. */
static int add_validation(struct sfb_creds *c, long long cred_id,
			  long long started_ms,
			  const struct sfb_creds_result *r,
			  struct base_err *err)
{
	json_t *j = sfb_diags_to_json(&r->diags);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char summary[512];
	int rc;

	json_decref(j);
	if (!text)
		return base_err_set(err, BASE_ENOMEM, "validation: out of memory");
	summary_of(r, summary, sizeof(summary));
	rc = base_db_run(c->db, err,
			 "INSERT INTO validations (workspace_id, "
			 "credentials_id, started_ms, finished_ms, valid, "
			 "login_attempts, api_calls, diagnoses, summary) "
			 "VALUES (?1, CASE WHEN ?2 > 0 THEN ?2 END, ?3, ?4, "
			 "?5, ?6, ?7, ?8, ?9)",
			 "siiibiiss", c->ws, cred_id, started_ms,
			 (long long)base_time_now_ms(), r->valid,
			 r->login_attempts, r->api_requests, text, summary);
	free(text);
	if (rc == 0 && (r->login_attempts > 0 || r->api_requests > 0))
		rc = sfb_usage_add(c->db, c->ws, base_time_now_ms(),
				   r->login_attempts, r->api_requests,
				   r->facts.api_used, r->facts.api_max, err);
	return rc;
}

/*
 * sfbridge's refused logins as this user (credential refusals: the kind
 * that counts toward Salesforce's lockout) since `since`.
 */
static int count_failures(struct sfb_creds *c, const char *username,
			  long long since, long long *out,
			  struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if (!username || !*username)
		return 0;
	if (base_db_prepare(c->db, &st, err,
			    "SELECT count(*) FROM validations v JOIN "
			    "credentials k ON k.id = v.credentials_id WHERE "
			    "v.workspace_id = ?1 AND k.workspace_id = ?1 AND "
			    "lower(k.username) = lower(?2) AND "
			    "v.login_attempts > 0 AND v.valid = 0 AND "
			    "v.started_ms >= ?3 AND EXISTS (SELECT 1 FROM "
			    "json_each(v.diagnoses) d WHERE "
			    "json_extract(d.value, '$.code') IN "
			    "('invalid_login', 'security_token_required'))",
			    "ssi", c->ws, username, since))
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_fail(c, err, "count failures");
}

int sfb_creds_recent_failures(struct sfb_creds *c, const char *username,
			      long long *out, struct base_err *err)
{
	return count_failures(c, username, base_time_now_ms() - WINDOW_MS, out,
			      err);
}

/* Did credentials of this user ever validate? */
static int ever_worked(struct sfb_creds *c, const char *username, bool *out,
		       struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = false;
	if (base_db_prepare(c->db, &st, err,
			    "SELECT 1 FROM credentials WHERE workspace_id = ? "
			    "AND lower(username) = lower(?) AND validated_ms "
			    "IS NOT NULL LIMIT 1",
			    "ss", c->ws, username ? username : ""))
		return BASE_ERR;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	rc = finish_read(c, st, rc, "read credentials", err);
	return rc < 0 ? rc : 0;
}

/* ---- open ---- */

/* A handle on `store` (opened here when NULL, and then owned). */
static int creds_new(const char *data_dir, struct sfb_store *store,
		     struct sfb_creds **out, struct base_err *err)
{
	struct sfb_creds *c;
	const char *ws;
	int rc;

	*out = NULL;
	if (strlen(data_dir) >= PATH_MAX)
		return base_err_set(err, BASE_ETOOBIG, "data dir: path too long");
	rc = sfb_workspace_get(&ws, err);
	if (rc < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return base_err_set(err, BASE_ENOMEM, "out of memory");
	snprintf(c->data_dir, sizeof(c->data_dir), "%s", data_dir);
	snprintf(c->ws, sizeof(c->ws), "%s", ws);
	c->store = store;
	c->owns_store = store == NULL;
	if (c->owns_store) {
		rc = sfb_store_open(data_dir, &c->store, err);
		if (rc < 0) {
			free(c);
			return rc;
		}
	}
	c->db = sfb_store_db(c->store);
	*out = c;
	return 0;
}

int sfb_creds_open(const char *data_dir, struct sfb_creds **out,
		   struct base_err *err)
{
	return creds_new(data_dir, NULL, out, err);
}

int sfb_creds_attach(const char *data_dir, struct sfb_store *store,
		     struct sfb_creds **out, struct base_err *err)
{
	return creds_new(data_dir, store, out, err);
}

void sfb_creds_close(struct sfb_creds *c)
{
	if (!c)
		return;
	sfb_vault_free(c->vault);
	if (c->owns_store)
		sfb_store_close(c->store);
	free(c);
}

static int need_vault(struct sfb_creds *c, struct base_err *err)
{
	if (c->vault)
		return 0;
	return sfb_vault_open(c->data_dir, &c->vault, err);
}

/* ---- secrets ---- */

static int seal(struct sfb_creds *c, const struct sf_secret *s, char **out,
		struct base_err *err)
{
	*out = NULL;
	if (!s || !s->bytes || !s->len)
		return 0;
	return sfb_vault_seal(c->vault, c->ws, s->bytes, s->len, out, err);
}

static int open_secrets(struct sfb_creds *c, const struct row *r,
			struct secrets *out, struct base_err *err)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < 4 && rc == 0; i++) {
		struct base_buf b = BASE_BUF_SECRET_INIT(SECRET_MAX);

		if (!r->sealed[i])
			continue;
		rc = sfb_vault_open_value(c->vault, c->ws, r->sealed[i], &b,
					  err);
		if (rc == 0) {
			out->v[i] = sf_secret_new(b.data ? b.data : "", b.len);
			if (!out->v[i])
				rc = base_err_set(err, BASE_ENOMEM,
						  "out of memory");
		} else {
			base_err_wrap(err, "open the stored %s",
				      sealed_cols[i]);
		}
		base_buf_release(&b);
	}
	if (rc < 0)
		secrets_free(out);
	return rc;
}

static bool same_secret(const struct sf_secret *a, const struct sf_secret *b)
{
	size_t an = a ? a->len : 0, bn = b ? b->len : 0;

	return an == bn && (an == 0 || memcmp(a->bytes, b->bytes, an) == 0);
}

/* ---- one validation run ---- */

static void log_line(void *ctx, enum sf_log_level level, const char *line)
{
	static const enum base_log_level map[] = {BASE_LOG_DEBUG, BASE_LOG_INFO,
						  BASE_LOG_WARN, BASE_LOG_ERROR};

	(void)ctx;
	base_log(map[level], "libsf: %s", line);
}

static enum sf_auth_method sf_method(enum sfb_auth_kind a)
{
	switch (a) {
	case SFB_AUTH_SOAP:
		return SF_AUTH_SOAP_PASSWORD;
	case SFB_AUTH_OAUTH_PASSWORD:
		return SF_AUTH_OAUTH_PASSWORD;
	case SFB_AUTH_CLIENT_CREDENTIALS:
		return SF_AUTH_CLIENT_CREDENTIALS;
	case SFB_AUTH_JWT:
		return SF_AUTH_JWT;
	}
	return SF_AUTH_SOAP_PASSWORD;
}

static void fill_sf_creds(const struct sfb_candidate *cand,
			  const struct sf_target *t, struct sf_credentials *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->method = sf_method(sfb_candidate_auth(cand));
	sc->target = *t;
	sc->username = cand->username && *cand->username ? cand->username : NULL;
	sc->consumer_key = cand->consumer_key && *cand->consumer_key
				   ? cand->consumer_key
				   : NULL;
	if (cand->method == SFB_METHOD_PASSWORD) {
		sc->password = cand->password;
		sc->security_token = cand->token;
	}
	if (cand->method != SFB_METHOD_JWT)
		sc->consumer_secret = cand->consumer_secret;
	if (cand->method == SFB_METHOD_JWT)
		sc->private_key_pem = cand->private_key;
}

/* Adds detail.attempts and detail.lockoutWindow to d. */
static void add_attempts(struct sfb_diag *d, long long attempts)
{
	if (!d)
		return;
	json_object_set_new(d->detail, "attempts", json_integer(attempts));
	json_object_set_new(d->detail, "lockoutWindow",
			    json_integer(SFB_LOCKOUT_WINDOW_MIN));
}

/* detail.attempts on the diagnoses of a refusal that counts toward the
 * lockout (and on credentials_stopped_working, which reports one). */
static void mark_attempts(struct sfb_diags *l, long long attempts)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == SFB_D_INVALID_LOGIN ||
		    l->v[i].id == SFB_D_SECURITY_TOKEN_REQUIRED ||
		    l->v[i].id == SFB_D_CREDENTIALS_STOPPED_WORKING)
			add_attempts(&l->v[i], attempts);
}

/* What sfbridge knows on top of Salesforce's answer. */
static void enrich(struct sfb_diag *d, const struct sfb_candidate *cand)
{
	char when[40];

	if (!d)
		return;
	if (cand->username && *cand->username)
		json_object_set_new(d->detail, "username",
				    json_string(cand->username));
	/* Salesforce blocks the user's logins for about an hour
	 * (salesforce-protocol.md 5.4). */
	if (d->id == SFB_D_LOGIN_RATE_EXCEEDED) {
		base_time_format_iso(base_time_now_ms() + 3600 * 1000, when,
				     sizeof(when));
		json_object_set_new(d->detail, "resetsAt", json_string(when));
	}
}

/*
 * Exactly one login, then the preflight. Fills r->diags, r->facts and the
 * cost. *refusal: Salesforce refused the login or the API for the
 * credentials' own sake (credential, policy, time window, password
 * expired): the lockout guard's trigger. *credential: the refusal was a
 * credential one (it counts toward the lockout).
 */
static void validate(const struct sfb_candidate *cand,
		     const struct sf_target *t,
		     const struct sfb_login_facts *lf,
		     struct sfb_creds_result *r, bool *refusal,
		     bool *credential)
{
	enum base_log_level lvl = BASE_LOG_ERROR;
	const char *env = getenv("SFBRIDGE_LOG_LEVEL");
	struct sf_client_options co = {
		.max_retries = -1, /* a validation's cost is counted */
		.allow_http_loopback = sfb_login_allows_http_loopback(cand->login),
		.user_agent = "sfbridge/1.0",
		.log = log_line,
	};
	enum sfb_auth_kind auth = sfb_candidate_auth(cand);
	struct sf_credentials sc;
	struct sf_error e = SF_ERROR_INIT;
	struct sf_client *cl = NULL;
	struct sf_api_usage u;

	*refusal = false;
	*credential = false;
	if (env && base_log_parse_level(env) >= 0)
		lvl = (enum base_log_level)base_log_parse_level(env);
	/* At debug level the wire trace goes to the log too (redacted). */
	co.log_http = co.log_bodies = lvl == BASE_LOG_DEBUG;
	fill_sf_creds(cand, t, &sc);
	if (sf_client_new(&co, &cl, &e) != 0 ||
	    sf_client_set_credentials(cl, &sc, &e) != 0) {
		/* Refused before any request: a key that isn't an RSA PEM, a
		 * field libsf won't send. */
		sfb_diags_add(&r->diags,
			      cand->method == SFB_METHOD_JWT &&
					      strstr(e.message, "key")
				      ? SFB_D_OAUTH_JWT_REJECTED
				      : SFB_D_FIELD_MISSING,
			      json_pack("{s:s, s:b}", "reason", e.message,
					"local", true));
		goto out;
	}
	r->attempted = true;
	if (sf_client_login(cl, &e) != 0) {
		struct sfb_diag *d = sfb_diag_from_error(&r->diags, &e, auth, lf);

		enrich(d, cand);

		*refusal = sf_error_is_login_refusal(&e) && d &&
			   sfb_diag_def(d->id)->kind == SFB_KIND_REFUSED;
		*credential = d && (d->id == SFB_D_INVALID_LOGIN ||
				    d->id == SFB_D_SECURITY_TOKEN_REQUIRED);
		goto out;
	}
	if (sfb_preflight_run(cl, &r->facts, &e) != 0) {
		struct sfb_diag *d = sfb_diag_from_error(&r->diags, &e, auth, lf);

		enrich(d, cand);

		*refusal = sf_error_is_login_refusal(&e) && d &&
			   sfb_diag_def(d->id)->kind == SFB_KIND_REFUSED;
		goto out;
	}
	sfb_preflight_evaluate(&r->facts, auth, base_time_now_ms(), &r->diags);
out:
	if (cl) {
		sf_client_api_usage(cl, &u);
		r->login_attempts = u.logins;
		r->api_requests = u.calls - u.logins;
	}
	sf_client_free(cl);
}

/* r->valid from the diagnoses. */
static void finish(struct sfb_creds_result *r)
{
	r->valid = !sfb_diags_has_error(&r->diags);
}

/* ---- Save ---- */

/* The candidate with stored secrets filled in where it left them out. */
static void keep_secrets(const struct sfb_candidate *in, const struct row *a,
			 const struct secrets *s, struct sfb_candidate *out)
{
	*out = *in;
	if (strcmp(a->method, sfb_method_name(in->method)) != 0 ||
	    strcasecmp(a->username, in->username ? in->username : "") != 0 ||
	    strcmp(a->login, in->login ? in->login : "production") != 0)
		return;
	if (!out->password)
		out->password = s->v[S_PASSWORD];
	if (!out->token)
		out->token = s->v[S_TOKEN];
	if (!out->consumer_secret)
		out->consumer_secret = s->v[S_CONSUMER_SECRET];
	if (!out->private_key)
		out->private_key = s->v[S_PRIVATE_KEY];
}

static int insert_candidate(struct sfb_creds *c,
			    const struct sfb_candidate *cand, long long *id,
			    struct base_err *err)
{
	const struct sf_secret *plain[4] = {cand->password, cand->token,
					    cand->consumer_secret,
					    cand->private_key};
	char *sealed[4] = {NULL};
	int rc = 0;

	if (cand->method != SFB_METHOD_PASSWORD)
		plain[S_PASSWORD] = plain[S_TOKEN] = NULL;
	if (cand->method == SFB_METHOD_JWT)
		plain[S_CONSUMER_SECRET] = NULL;
	else
		plain[S_PRIVATE_KEY] = NULL;
	for (int i = 0; i < 4 && rc == 0; i++)
		rc = seal(c, plain[i], &sealed[i], err);
	if (rc == 0)
		rc = base_db_run(
			c->db, err,
			"INSERT INTO credentials (workspace_id, status, "
			"method, login, username, consumer_key, "
			"password_sealed, token_sealed, "
			"consumer_secret_sealed, private_key_sealed, "
			"created_ms, refused) VALUES (?, 'candidate', ?, ?, ?, "
			"?, ?, ?, ?, ?, ?, 0)",
			"sssssssssi", c->ws, sfb_method_name(cand->method),
			cand->login && *cand->login ? cand->login
						  : "production",
			cand->username, cand->consumer_key, sealed[S_PASSWORD],
			sealed[S_TOKEN], sealed[S_CONSUMER_SECRET],
			sealed[S_PRIVATE_KEY], (long long)base_time_now_ms());
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(c->db);
	for (int i = 0; i < 4; i++)
		free(sealed[i]);
	return rc;
}

/* A candidate that didn't validate: retired, its secrets deleted. */
static int drop_candidate(struct sfb_creds *c, long long id,
			  const struct sfb_creds_result *r, bool refusal,
			  struct base_err *err)
{
	const struct sfb_diag *e = sfb_diags_first_error(&r->diags);

	return base_db_run(c->db, err,
			   "UPDATE credentials SET status = 'retired', "
			   "password_sealed = NULL, token_sealed = NULL, "
			   "consumer_secret_sealed = NULL, "
			   "private_key_sealed = NULL, refused = ?, "
			   "refused_code = ? "
			   "WHERE id = ? AND workspace_id = ?",
			   "bsis", refusal,
			   e ? sfb_diag_def(e->id)->code : NULL, id, c->ws);
}

static int store_facts(struct sfb_creds *c, long long id,
		       const struct sfb_org_facts *f, bool validated,
		       struct base_err *err)
{
	return base_db_run(c->db, err,
			   "UPDATE credentials SET "
			   "org_id = coalesce(?, org_id), "
			   "org_name = coalesce(?, org_name), "
			   "edition = coalesce(?, edition), sandbox = ?, "
			   "instance_url = coalesce(?, instance_url), "
			   "user_id = coalesce(?, user_id), "
			   "username = coalesce(username, ?), "
			   "validated_ms = "
			   "CASE WHEN ? THEN ? ELSE validated_ms END, "
			   "refused = 0, refused_code = NULL "
			   "WHERE id = ? AND workspace_id = ?",
			   "sssbsssbiis", f->org_id, f->org_name,
			   f->edition, f->sandbox, f->instance_url,
			   f->user_id, f->username, validated,
			   (long long)base_time_now_ms(), id, c->ws);
}

static int activate(struct sfb_creds *c, long long id,
		    const struct sfb_creds_result *r, struct base_err *err)
{
	char msg[512];
	int rc;

	rc = base_db_run(c->db, err,
			 "UPDATE credentials SET status = 'retired' WHERE "
			 "workspace_id = ? AND status = 'active'",
			 "s", c->ws);
	if (rc == 0)
		rc = base_db_run(c->db, err,
				 "UPDATE credentials SET status = 'active' "
				 "WHERE id = ? AND workspace_id = ?",
				 "is", id, c->ws);
	if (rc == 0)
		rc = store_facts(c, id, &r->facts, true, err);
	snprintf(msg, sizeof(msg), "credentials saved: %s as %s, org %s",
		 sfb_method_name(r->method), r->facts.username,
		 r->facts.org_id);
	if (rc == 0)
		rc = add_event(c, "info", "credentials.saved", msg, err);
	return rc;
}

/* The facts that rank invalid_login's causes for a Save. */
static int save_facts(struct sfb_creds *c, const struct sfb_candidate *cand,
		      const struct row *a, bool have_active,
		      const struct secrets *s, struct sfb_login_facts *lf,
		      struct base_err *err)
{
	bool worked = false;
	long long n = 0;
	int rc;

	memset(lf, 0, sizeof(*lf));
	lf->oauth_password = sfb_candidate_auth(cand) == SFB_AUTH_OAUTH_PASSWORD;
	rc = ever_worked(c, cand->username, &worked, err);
	if (rc == 0)
		rc = count_failures(c, cand->username,
				    base_time_now_ms() - WINDOW_MS, &n, err);
	if (rc < 0)
		return rc;
	lf->first_time = !worked;
	lf->recent_failures = (int)n;
	if (have_active && cand->username &&
	    strcasecmp(a->username, cand->username) == 0 &&
	    strcmp(a->method, "password") == 0 &&
	    cand->method == SFB_METHOD_PASSWORD) {
		lf->same_user_as_active = true;
		lf->password_changed =
			!same_secret(cand->password, s->v[S_PASSWORD]);
		lf->token_changed = !same_secret(cand->token, s->v[S_TOKEN]);
	}
	return 0;
}

static void set_prev(struct sfb_creds_result *r, const struct row *a,
		     bool have_active)
{
	r->prev_active = have_active && a->validated_ms > 0;
	if (r->prev_active)
		snprintf(r->prev_username, sizeof(r->prev_username), "%s",
			 a->username);
}

int sfb_creds_save(struct sfb_creds *c, const struct sfb_candidate *in,
		   const struct sfb_save_opts *opts,
		   struct sfb_creds_result *out, struct base_err *err)
{
	struct sfb_candidate cand;
	struct sf_target t;
	struct row a;
	struct secrets s = {0};
	struct sfb_login_facts lf;
	long long started = base_time_now_ms(), id = 0;
	bool have_active, refusal = false, credential = false;
	int rc;

	sfb_creds_result_init(out);
	out->has_method = true;
	out->method = in->method;
	rc = load_active(c, &a, err);
	if (rc < 0)
		return rc;
	have_active = rc == 1;
	set_prev(out, &a, have_active);
	/* The vault opens the active secrets (to compare, or to keep) and
	 * seals the candidate's; it also creates the key on first use. */
	rc = need_vault(c, err);
	if (rc == 0 && have_active)
		rc = open_secrets(c, &a, &s, err);
	if (rc < 0)
		goto out;
	cand = *in;
	if (opts && opts->keep_stored_secrets && have_active)
		keep_secrets(in, &a, &s, &cand);

	if (!sfb_local_checks(&cand, &t, &out->diags)) {
		finish(out);
		rc = add_validation(c, 0, started, out, err);
		goto out;
	}
	rc = save_facts(c, &cand, &a, have_active, &s, &lf, err);
	if (rc == 0)
		rc = insert_candidate(c, &cand, &id, err);
	if (rc < 0)
		goto out;

	validate(&cand, &t, &lf, out, &refusal, &credential);
	finish(out);
	if (credential)
		mark_attempts(&out->diags, lf.recent_failures + 1);
	rc = sfb_store_begin(c->store, err);
	if (rc < 0)
		goto out;
	if (out->valid) {
		rc = activate(c, id, out, err);
		out->active = rc == 0;
	} else {
		rc = drop_candidate(c, id, out, refusal, err);
	}
	if (rc == 0)
		rc = add_validation(c, id, started, out, err);
	if (rc == 0)
		rc = sfb_store_commit(c->store, err);
	if (rc < 0) {
		sfb_store_rollback(c->store);
		out->active = false;
	}
out:
	secrets_free(&s);
	row_release(&a);
	return rc;
}

/* ---- Test ---- */

static void candidate_of(const struct row *a, const struct secrets *s,
			 struct sfb_candidate *cand)
{
	memset(cand, 0, sizeof(*cand));
	if (sfb_method_parse(a->method, &cand->method) != 0)
		cand->method = SFB_METHOD_PASSWORD;
	cand->login = a->login;
	/* client credentials: the username is the run-as user the preflight
	 * saw, not an input */
	cand->username = a->username[0] &&
				 cand->method != SFB_METHOD_CLIENT_CREDENTIALS
			 ? a->username
			 : NULL;
	cand->consumer_key = a->consumer_key[0] ? a->consumer_key : NULL;
	cand->password = s->v[S_PASSWORD];
	cand->token = s->v[S_TOKEN];
	cand->consumer_secret = s->v[S_CONSUMER_SECRET];
	cand->private_key = s->v[S_PRIVATE_KEY];
}

/* The org and user the row remembers. */
static void facts_of_row(const struct row *a, struct sfb_org_facts *f)
{
	snprintf(f->org_id, sizeof(f->org_id), "%s", a->org_id);
	snprintf(f->org_name, sizeof(f->org_name), "%s", a->org_name);
	snprintf(f->edition, sizeof(f->edition), "%s", a->edition);
	f->sandbox = a->sandbox;
	snprintf(f->instance_url, sizeof(f->instance_url), "%s",
		 a->instance_url);
	snprintf(f->user_id, sizeof(f->user_id), "%s", a->user_id);
	snprintf(f->username, sizeof(f->username), "%s", a->username);
}

/* Rebuilds diagnoses stored as JSON (validations.diagnoses). */
static void diags_from_json(json_t *arr, struct sfb_diags *out)
{
	size_t i;
	json_t *d;

	json_array_foreach(arr, i, d) {
		const struct sfb_diag_def *def = sfb_diag_find(
			json_string_value(json_object_get(d, "code")));
		const char *sev =
			json_string_value(json_object_get(d, "severity"));
		json_t *detail = json_object_get(d, "detail");
		struct sfb_diag *x;

		if (!def)
			continue;
		x = sfb_diags_add(out, def->id,
				  json_is_object(detail) ? json_deep_copy(detail)
							 : NULL);
		if (!x)
			continue;
		if (sev && !strcmp(sev, "warning"))
			x->severity = SFB_SEV_WARNING;
		else if (sev && !strcmp(sev, "info"))
			x->severity = SFB_SEV_INFO;
		else
			x->severity = SFB_SEV_ERROR;
		if (json_is_array(json_object_get(d, "fix")))
			x->fix = json_deep_copy(json_object_get(d, "fix"));
	}
}

/*
 * The diagnoses of the credentials' last validation that was judged (not
 * cut short by the network or an unavailable Salesforce), and whether it
 * was valid. 1 found, 0 none.
 */
static int last_judged(struct sfb_creds *c, long long cred_id,
		       struct sfb_diags *out, bool *valid,
		       struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*valid = false;
	if (base_db_prepare(c->db, &st, err,
			    "SELECT valid, diagnoses FROM validations WHERE "
			    "workspace_id = ? AND credentials_id = ? AND "
			    "(summary IS NULL OR summary NOT LIKE "
			    "'unavailable:%') ORDER BY id DESC LIMIT 1",
			    "si", c->ws, cred_id))
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		json_t *j = json_loads(base_db_text(st, 1), 0, NULL);

		*valid = sqlite3_column_int(st, 0) != 0;
		diags_from_json(j, out);
		json_decref(j);
	}
	return finish_read(c, st, rc, "read validations", err);
}

static void no_credentials(struct sfb_creds_result *out)
{
	sfb_diags_add(&out->diags, SFB_D_FIELD_MISSING,
		      json_pack("{s:s, s:s}", "field", "credentials", "reason",
				"no Salesforce credentials are saved yet: "
				"enter them under Settings > Salesforce "
				"Integration > Credentials, or with "
				"sfbridge credentials set"));
	out->valid = false;
}

/* What the guard says when it holds the active credentials. */
static int guard_report(struct sfb_creds *c, const struct row *a,
			struct sfb_creds_result *out, struct base_err *err)
{
	bool valid;
	long long n = 0;
	int rc = last_judged(c, a->id, &out->diags, &valid, err);

	if (rc < 0)
		return rc;
	if (!sfb_diags_has_error(&out->diags)) {
		const struct sfb_diag_def *def = sfb_diag_find(a->refused_code);

		sfb_diags_add(&out->diags,
			      def ? def->id : SFB_D_CREDENTIALS_STOPPED_WORKING,
			      NULL);
	}
	rc = sfb_creds_recent_failures(c, a->username, &n, err);
	if (rc < 0)
		return rc;
	mark_attempts(&out->diags, n);
	for (size_t i = 0; i < out->diags.n; i++) {
		struct sfb_diag *d = &out->diags.v[i];

		if (d->severity == SFB_SEV_ERROR) {
			json_object_set_new(d->detail, "guard",
					    json_string("holding"));
			json_object_set_new(
				d->detail, "testAgain",
				json_string("sfbridge credentials test "
					    "--again"));
		}
	}
	out->refused = true;
	out->valid = false;
	return 0;
}

/*
 * login_hours_restricted on stored credentials: the hours and time zone the
 * last successful validation saw (its login_hours_set), so the admin sees
 * when logins are allowed without opening Setup.
 */
static int known_hours(struct sfb_creds *c, long long cred_id,
		       struct sfb_diags *l, struct base_err *err)
{
	struct sfb_diag *d = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == SFB_D_LOGIN_HOURS_RESTRICTED)
			d = &l->v[i];
	if (!d)
		return 0;
	if (base_db_prepare(c->db, &st, err,
			    "SELECT json_extract(d.value, "
			    "'$.detail.loginHours'), "
			    "json_extract(d.value, '$.detail.timeZone') "
			    "FROM validations v, json_each(v.diagnoses) d "
			    "WHERE v.workspace_id = ? AND "
			    "v.credentials_id = ? AND v.valid = 1 AND "
			    "json_extract(d.value, '$.code') = "
			    "'login_hours_set' ORDER BY v.id DESC LIMIT 1",
			    "si", c->ws, cred_id))
		return BASE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		json_t *hours = json_loads(base_db_text(st, 0), 0, NULL);
		const unsigned char *tz = sqlite3_column_text(st, 1);

		if (json_is_object(hours))
			json_object_set_new(d->detail, "loginHours", hours);
		else
			json_decref(hours);
		if (tz)
			json_object_set_new(d->detail, "timeZone",
					    json_string((const char *)tz));
	}
	rc = finish_read(c, st, rc, "read validations", err);
	return rc < 0 ? rc : 0;
}

static int mark_refused(struct sfb_creds *c, const struct row *a,
			const struct sfb_creds_result *r,
			struct base_err *err)
{
	const struct sfb_diag *e = sfb_diags_first_error(&r->diags);
	char msg[512];
	int rc;

	rc = base_db_run(c->db, err,
			 "UPDATE credentials SET refused = 1, "
			 "refused_code = ? WHERE id = ? AND workspace_id = ?",
			 "sis", e ? sfb_diag_def(e->id)->code : NULL, a->id,
			 c->ws);
	if (rc < 0 || a->refused)
		return rc;
	/* The transition: it worked, now it is refused. An alert for the
	 * admin (a log entry now; notifications read these events). */
	snprintf(msg, sizeof(msg),
		 "Salesforce refused the active credentials (%s as %s): "
		 "sfbridge stopped using them until new ones are saved or "
		 "Test again",
		 e ? sfb_diag_def(e->id)->code : "refused", a->username);
	base_warn("credentials_stopped_working: %s", msg);
	return add_event(c, "warn", "credentials_stopped_working", msg, err);
}

int sfb_creds_test(struct sfb_creds *c, bool again,
		   struct sfb_creds_result *out, struct base_err *err)
{
	struct sfb_candidate cand;
	struct sfb_login_facts lf = {0};
	struct sf_target t;
	struct row a;
	struct secrets s = {0};
	long long started = base_time_now_ms(), n = 0;
	bool refusal = false, credential = false;
	int rc;

	sfb_creds_result_init(out);
	rc = load_active(c, &a, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		no_credentials(out);
		return 0;
	}
	out->active = true;
	out->has_method = sfb_method_parse(a.method, &out->method) == 0;
	facts_of_row(&a, &out->facts);
	if (a.refused && !again) {
		rc = guard_report(c, &a, out, err);
		goto out;
	}
	rc = need_vault(c, err);
	if (rc == 0)
		rc = open_secrets(c, &a, &s, err);
	if (rc == 0)
		rc = count_failures(c, a.username,
				    base_time_now_ms() - WINDOW_MS, &n, err);
	if (rc < 0)
		goto out;
	candidate_of(&a, &s, &cand);
	lf.worked_before = a.validated_ms > 0;
	lf.first_time = !lf.worked_before;
	lf.recent_failures = (int)n;
	lf.oauth_password = sfb_candidate_auth(&cand) == SFB_AUTH_OAUTH_PASSWORD;
	if (!sfb_local_checks(&cand, &t, &out->diags)) {
		/* Stored credentials that no longer pass (SF_ALLOWED_HOSTS
		 * changed): nothing is sent. */
		finish(out);
		rc = add_validation(c, a.id, started, out, err);
		goto out;
	}
	sfb_org_facts_release(&out->facts);
	validate(&cand, &t, &lf, out, &refusal, &credential);
	if (!out->facts.org_id[0])
		facts_of_row(&a, &out->facts);
	if (refusal && a.validated_ms > 0) {
		struct sfb_diag *d = sfb_diags_add(
			&out->diags, SFB_D_CREDENTIALS_STOPPED_WORKING,
			json_pack("{s:s, s:s}", "username", a.username,
				  "refusedWith",
				  sfb_diag_def(sfb_diags_first_error(&out->diags)
						       ->id)
					  ->code));

		/* the situation first, then what Salesforce said */
		if (d && out->diags.n > 1) {
			struct sfb_diag tmp = out->diags.v[out->diags.n - 1];

			memmove(out->diags.v + 1, out->diags.v,
				(out->diags.n - 1) * sizeof(tmp));
			out->diags.v[0] = tmp;
		}
	}
	mark_attempts(&out->diags, credential ? n + 1 : n);
	finish(out);
	out->refused = refusal;
	rc = known_hours(c, a.id, &out->diags, err);
	if (rc == 0)
		rc = sfb_store_begin(c->store, err);
	if (rc < 0)
		goto out;
	if (refusal)
		rc = mark_refused(c, &a, out, err);
	else if (out->valid)
		rc = store_facts(c, a.id, &out->facts, true, err);
	if (rc == 0)
		rc = add_validation(c, a.id, started, out, err);
	if (rc == 0)
		rc = sfb_store_commit(c->store, err);
	if (rc < 0)
		sfb_store_rollback(c->store);
out:
	secrets_free(&s);
	row_release(&a);
	return rc;
}

/* ---- show, clear ---- */

static void describe_row(const struct row *a, struct sfb_creds_result *out)
{
	out->active = true;
	out->has_method = sfb_method_parse(a->method, &out->method) == 0;
	facts_of_row(a, &out->facts);
	snprintf(out->login, sizeof(out->login), "%s", a->login);
	snprintf(out->username, sizeof(out->username), "%s", a->username);
	snprintf(out->consumer_key, sizeof(out->consumer_key), "%s",
		 a->consumer_key);
	out->has_password = a->sealed[S_PASSWORD] != NULL;
	out->has_token = a->sealed[S_TOKEN] != NULL;
	out->has_consumer_secret = a->sealed[S_CONSUMER_SECRET] != NULL;
	out->has_private_key = a->sealed[S_PRIVATE_KEY] != NULL;
	out->validated_ms = a->validated_ms;
	out->created_ms = a->created_ms;
	out->refused = a->refused;
}

int sfb_creds_show(struct sfb_creds *c, struct sfb_creds_result *out,
		   struct base_err *err)
{
	struct row a;
	bool valid = false;
	int rc;

	sfb_creds_result_init(out);
	rc = load_active(c, &a, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		no_credentials(out);
		return 0;
	}
	describe_row(&a, out);
	if (a.refused) {
		rc = guard_report(c, &a, out, err);
	} else {
		rc = last_judged(c, a.id, &out->diags, &valid, err);
		out->valid = rc == 1 && valid && a.validated_ms > 0;
		rc = rc < 0 ? rc : 0;
	}
	row_release(&a);
	return rc;
}

int sfb_creds_clear(struct sfb_creds *c, struct sfb_creds_result *out,
		    struct base_err *err)
{
	int rc;

	sfb_creds_result_init(out);
	rc = sfb_store_begin(c->store, err);
	if (rc < 0)
		return rc;
	rc = base_db_run(c->db, err,
			 "UPDATE credentials SET status = 'retired', "
			 "password_sealed = NULL, token_sealed = NULL, "
			 "consumer_secret_sealed = NULL, private_key_sealed "
			 "= NULL WHERE workspace_id = ?",
			 "s", c->ws);
	if (rc == 0 && sqlite3_changes(c->db) >= 0)
		rc = add_event(c, "info", "credentials.cleared",
			       "credentials cleared: every stored secret "
			       "deleted",
			       err);
	if (rc == 0)
		rc = sfb_store_commit(c->store, err);
	if (rc < 0)
		sfb_store_rollback(c->store);
	out->valid = false;
	out->active = false;
	return rc;
}

/* ---- for the integrations ---- */

void sfb_active_creds_release(struct sfb_active_creds *a)
{
	if (!a)
		return;
	sf_secret_free(a->password);
	sf_secret_free(a->token);
	sf_secret_free(a->consumer_secret);
	sf_secret_free(a->private_key);
	memset(a, 0, sizeof(*a));
}

int sfb_creds_load_active(struct sfb_creds *c, struct sfb_active_creds *out,
			  struct base_err *err)
{
	struct sfb_candidate cand;
	struct sf_error e = SF_ERROR_INIT;
	struct secrets s = {0};
	struct row a;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = load_active(c, &a, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return base_err_set(err, BASE_ENOTFOUND,
				    "no Salesforce credentials are saved");
	if (a.refused) {
		rc = base_err_set(err, BASE_EAUTH,
				  "Salesforce refused the active credentials "
				  "(%s); sfbridge won't use them until new "
				  "ones are saved or Test again succeeds",
				  a.refused_code[0] ? a.refused_code
						    : "refused");
		goto out;
	}
	rc = need_vault(c, err);
	if (rc == 0)
		rc = open_secrets(c, &a, &s, err);
	if (rc < 0)
		goto out;
	candidate_of(&a, &s, &cand);
	fill_sf_creds(&cand, &(struct sf_target){0}, &out->cred);
	if (sf_target_parse(a.login, sfb_login_allows_http_loopback(a.login),
			    &out->cred.target, &e) != 0) {
		rc = base_err_set(err, BASE_EINVAL, "stored login host: %s",
				  e.message);
		goto out;
	}
	out->allow_http_loopback = sfb_login_allows_http_loopback(a.login);
	out->password = s.v[S_PASSWORD];
	out->token = s.v[S_TOKEN];
	out->consumer_secret = s.v[S_CONSUMER_SECRET];
	out->private_key = s.v[S_PRIVATE_KEY];
	memset(&s, 0, sizeof(s)); /* now out's */
	snprintf(out->username, sizeof(out->username), "%s", a.username);
	snprintf(out->consumer_key, sizeof(out->consumer_key), "%s",
		 a.consumer_key);
	out->cred.username = out->username[0] ? out->username : NULL;
	out->cred.consumer_key = out->consumer_key[0] ? out->consumer_key : NULL;
	out->cred.password = out->password;
	out->cred.security_token = out->token;
	out->cred.consumer_secret = out->consumer_secret;
	out->cred.private_key_pem = out->private_key;
	out->id = a.id;
out:
	secrets_free(&s);
	row_release(&a);
	if (rc < 0)
		sfb_active_creds_release(out);
	return rc;
}

int sfb_creds_validations(struct sfb_creds *c, int limit, long long before_id,
			  json_t **out, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc;

	*out = NULL;
	if (limit < 1 || limit > SFB_VALIDATIONS_MAX)
		return base_err_set(err, BASE_EINVAL,
				    "limit must be 1 to %d", SFB_VALIDATIONS_MAX);
	if (base_db_prepare(c->db, &st, err,
			    "SELECT id, started_ms, finished_ms, valid, "
			    "login_attempts, api_calls, summary, diagnoses "
			    "FROM validations WHERE workspace_id = ? AND "
			    "(? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
			    "siii", c->ws, before_id, before_id,
			    (long long)limit) != 0)
		return BASE_ERR;
	list = json_array();
	while (list && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		char started[40], finished[40];
		json_t *diags = json_loads(base_db_text(st, 7), 0, NULL);

		struct sfb_diags parsed = SFB_DIAGS_INIT;
		const struct sfb_diag *cause;

		if (!json_is_array(diags)) {
			json_decref(diags);
			diags = json_array();
		}
		diags_from_json(diags, &parsed);
		cause = sfb_diags_cause(&parsed);

		base_time_format_iso(sqlite3_column_int64(st, 1), started,
				     sizeof(started));
		base_time_format_iso(sqlite3_column_int64(st, 2), finished,
				     sizeof(finished));
		json_array_append_new(
			list,
			json_pack("{s:I, s:s, s:s, s:b, s:I, s:I, s:s, s:s?, s:o}",
				  "id", (json_int_t)sqlite3_column_int64(st, 0),
				  "startedAt", started, "finishedAt", finished,
				  "valid", sqlite3_column_int(st, 3),
				  "loginAttempts",
				  (json_int_t)sqlite3_column_int64(st, 4),
				  "apiRequests",
				  (json_int_t)sqlite3_column_int64(st, 5),
				  "summary", base_db_text(st, 6), "problem",
				  cause ? sfb_diag_def(cause->id)->code : NULL,
				  "diagnoses", diags));
		sfb_diags_release(&parsed);
	}
	sqlite3_finalize(st);
	if (!list)
		return base_err_set(err, BASE_ENOMEM, "validations");
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return base_err_set(err, BASE_ERR, "read validations: %s",
				    sqlite3_errmsg(c->db));
	}
	*out = list;
	return 0;
}
