/* org.h - the emulated org: its settings, users, profiles, apps, sessions and history. */
#ifndef EMU_ORG_H
#define EMU_ORG_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "faults.h"
#include "base/err.h"
#include "base/db.h"
#include "schema.h"
#include "sfid.h"

#define EMU_ORG_MAX_CURSORS 64
#define EMU_ORG_MAX_ID_PREFIXES 256

/* Ids handed out from a block reserved in the store. */
struct emu_id_block {
	char prefix[4];
	long long next, end;
};
struct emu_query_cursor;
/* Frees a query cursor and finalizes its statement (rest_query.c). */
void emu_query_cursor_free(struct emu_query_cursor *c);
struct emu_bulk_job;
/* Frees a list of Bulk API 2.0 jobs (bulk.c). NULL is a no-op. */
void emu_bulk_jobs_free(struct emu_bulk_job *jobs);

/*
 * Internally locked by the caller's discipline: every request handler takes
 * `lock` for its whole call (emu_org_lock), so the store, `conf` and the
 * clock are only touched by one thread at a time.
 */
struct emu_org {
	pthread_mutex_t lock;
	sqlite3 *db;              /* guarded by lock */
	json_t *conf;             /* org-level settings; guarded by lock */
	char id[EMU_SFID_LEN + 1];
	char pod[3];              /* 2 characters in every id of this org */
	char base_url[128];       /* http://HOST:PORT, set once at start */
	char *data_dir;           /* NULL when the org lives in memory */
	int64_t clock_offset_ms;  /* guarded by lock */
	struct emu_schema *schema; /* immutable after open */
	/*
	 * Field-level security of the REST call in progress: its user's
	 * profile fieldPermissions, set by rest.c for the length of the call
	 * (NULL otherwise); guarded by lock. records.c and the SOQL options
	 * read it, so every path (single records, collections, composite,
	 * query) hides the same fields.
	 */
	json_t *fls;
	struct emu_id_block id_blocks[EMU_ORG_MAX_ID_PREFIXES]; /* guarded by lock */
	int nid_blocks;
	/* Open query cursors (query locators); guarded by lock. */
	struct emu_query_cursor *cursors[EMU_ORG_MAX_CURSORS];
	/* Bulk API 2.0 jobs, newest first, kept in memory; guarded by lock. */
	struct emu_bulk_job *bulk_jobs;
	struct base_stmt_cache stmts; /* guarded by lock */
	struct emu_faults faults;     /* injected failures; guarded by lock */
};

struct emu_user {
	char id[EMU_SFID_LEN + 1];
	char username[256];
	char email[256];
	char first_name[128];
	char last_name[128];
	char profile_id[EMU_SFID_LEN + 1];
	char time_zone[64];
	char user_type[32];
	bool is_active, is_frozen, is_locked, password_expired;
	int failed_attempts;
	int64_t locked_at_ms;
	int64_t password_set_ms;
};

struct emu_session {
	char user_id[EMU_SFID_LEN + 1];
	char app_id[EMU_SFID_LEN + 1]; /* "" for a SOAP session */
	char kind[16];                 /* "soap" or "oauth" */
	bool password_expired;
	int64_t created_ms;
};

struct emu_app {
	char id[EMU_SFID_LEN + 1];
	char name[128];
	char consumer_key[256];
	char consumer_secret[256];
	json_t *flows;                 /* owned; emu_app_release */
	char run_as_user_id[EMU_SFID_LEN + 1]; /* "" when none */
	char *certificate;             /* owned PEM, NULL when none */
	json_t *pre_profiles;          /* owned: profile ids */
	json_t *pre_permsets;          /* owned: permission set ids */
};

/* Opens the org: a fresh in-memory or on-disk store seeded from `def`
 * (taken over), or the existing state under data_dir. Caller frees. */
int emu_org_open(json_t *def, const char *data_dir, struct emu_org **out,
		 struct base_err *err);
void emu_org_free(struct emu_org *org);
void emu_org_lock(struct emu_org *org);
void emu_org_unlock(struct emu_org *org);

/* The org's clock: real time plus the test offset. */
int64_t emu_org_now_ms(const struct emu_org *org);
int emu_org_set_clock_offset(struct emu_org *org, int64_t offset_ms,
			     struct base_err *err);

/* Settings, read from conf with Salesforce's defaults. */
json_int_t emu_org_setting_int(const struct emu_org *org, const char *group,
			       const char *key, json_int_t def);
bool emu_org_setting_bool(const struct emu_org *org, const char *key);
const char *emu_org_conf_str(const struct emu_org *org, const char *key);
bool emu_org_has_api(const struct emu_org *org);
bool emu_org_ip_trusted(const struct emu_org *org, const char *ip);
/* Persists conf after a change. */
int emu_org_save_conf(struct emu_org *org, struct base_err *err);

/* Users. */
int emu_org_find_user(struct emu_org *org, const char *username,
		      struct emu_user *out, struct base_err *err);
int emu_org_find_user_by_id(struct emu_org *org, const char *id,
			    struct emu_user *out, struct base_err *err);
/* Password check against the stored salted hash. */
bool emu_org_password_ok(struct emu_org *org, const char *user_id,
			 const char *password, size_t len);
bool emu_org_token_ok(struct emu_org *org, const char *user_id,
		      const char *token, size_t len);
/* Length of the user's current security token (24 or 25). */
int emu_org_token_len(struct emu_org *org, const char *user_id);
/* Sets a password (and its set time); clears passwordExpired. */
int emu_org_set_password(struct emu_org *org, const char *user_id,
			 const char *password, struct base_err *err);
/* New random security token, stored hashed and emailed to the user. */
int emu_org_reset_token(struct emu_org *org, const struct emu_user *u,
			const char *reason, struct base_err *err);
/* Lockout bookkeeping. */
int emu_org_record_failure(struct emu_org *org, const struct emu_user *u,
			   bool *now_locked, struct base_err *err);
int emu_org_record_success(struct emu_org *org, const char *user_id,
			   struct base_err *err);
int emu_org_unlock_user(struct emu_org *org, const char *user_id,
			struct base_err *err);
/* Auto-unlocks when the lockout interval has passed; returns is_locked. */
bool emu_org_user_locked(struct emu_org *org, struct emu_user *u);

/* Profiles and permissions. */
/* Caller owns *out: {"id","name","userLicense","permissions","loginHours","loginIpRanges"}. */
int emu_org_profile_json(struct emu_org *org, const char *id_or_name,
			 json_t **out, struct base_err *err);
int emu_org_profile_save(struct emu_org *org, json_t *profile,
			 struct base_err *err);
bool emu_org_user_has_perm(struct emu_org *org, const struct emu_user *u,
			   const char *perm);
bool emu_org_user_preauthorized(struct emu_org *org, const struct emu_user *u,
				const struct emu_app *app);

/* Connected apps. */
int emu_org_find_app(struct emu_org *org, const char *consumer_key,
		     struct emu_app *out, struct base_err *err);
void emu_app_release(struct emu_app *app);
bool emu_app_has_flow(const struct emu_app *app, const char *flow);

/* Sessions: tokens are stored only as SHA-256 hashes. */
int emu_org_session_new(struct emu_org *org, const char *user_id,
			const char *app_id, const char *kind,
			bool password_expired, char *token, size_t n,
			struct base_err *err);
/* 0 and *out filled when valid (touches last use); BASE_ENOTFOUND when
 * unknown, revoked or idle past sessionSecondsValid. */
int emu_org_session_get(struct emu_org *org, const char *token,
			struct emu_session *out, struct base_err *err);
int emu_org_session_revoke(struct emu_org *org, const char *token,
			   struct base_err *err);
int emu_org_sessions_revoke_user(struct emu_org *org, const char *user_id,
				 struct base_err *err);
int emu_org_sessions_expire_all(struct emu_org *org, struct base_err *err);

/* Refresh tokens (issued by /_emu/ to stand in for an interactive consent). */
int emu_org_refresh_new(struct emu_org *org, const char *user_id,
			const char *app_id, char *token, size_t n,
			struct base_err *err);
int emu_org_refresh_get(struct emu_org *org, const char *token,
			const char *app_id, char *user_id_out,
			struct base_err *err);
int emu_org_refresh_revoke(struct emu_org *org, const char *token,
			   struct base_err *err);

/* Login history rows (LoginHistory) and the per-user login rate. */
struct emu_login_event {
	const char *user_id;   /* NULL for an unknown username */
	const char *username;
	const char *source_ip;
	const char *login_type; /* "Remote Access 2.0", "Other Apex API", ... */
	const char *status;     /* "Success", "Invalid Password", ... */
	const char *api_type;   /* "SOAP Partner", "N/A" */
	const char *api_version;
	const char *application;
	const char *login_url;
};
int emu_org_log_login(struct emu_org *org, const struct emu_login_event *ev,
		      struct base_err *err);
/* Counts a login attempt in the user's hourly window; returns the count so far. */
long long emu_org_count_login(struct emu_org *org, const char *user_id);

/* Email: kept in the outbox, and written as .eml under DATA/outbox. */
int emu_org_send_email(struct emu_org *org, const char *to,
		       const char *subject, const char *body,
		       struct base_err *err);

/* New deterministic-looking id with the org's pod for key prefix `prefix`. */
int emu_org_new_id(struct emu_org *org, const char *prefix,
		   char out[EMU_SFID_LEN + 1], struct base_err *err);

/* ---- added for the /_emu/ admin endpoints and the Setup UI ---- */

/* Like emu_org_find_app, by the app's name (exact match). Release *out with
 * emu_app_release; BASE_ENOTFOUND when there is no such app. */
int emu_org_find_app_by_name(struct emu_org *org, const char *name,
			     struct emu_app *out, struct base_err *err);
/* Names of the permission sets assigned to the user (not the profile's own
 * set), sorted. Caller owns *out (a JSON array of strings). */
int emu_org_user_permset_names(struct emu_org *org, const char *user_id,
			       json_t **out, struct base_err *err);
/*
 * A password change, as Salesforce makes it: sets the password, unlocks the
 * user, ends all of the user's sessions and emails a new security token
 * (`reason` opens the email). `expired` marks a temporary password that must
 * be changed at the next login. Runs no transaction: the caller wraps it.
 */
int emu_org_change_password(struct emu_org *org, const struct emu_user *u,
			    const char *password, bool expired,
			    const char *reason, struct base_err *err);

/*
 * API usage, as DailyApiRequests counts it: every REST call, over a rolling
 * 24 hours, against the edition's allocation (Developer 15,000; Enterprise
 * and Professional 100,000 + 1,000 per license; Unlimited and Performance
 * 100,000 + 5,000 per license; sandboxes 5,000,000).
 */
long long emu_org_api_max(const struct emu_org *org);
long long emu_org_api_used(struct emu_org *org);
int emu_org_api_count(struct emu_org *org, const char *user_id,
		      const char *resource, struct base_err *err);
/* Replaces the count with `used` calls (tests start from a given usage). */
int emu_org_api_set_used(struct emu_org *org, long long used,
			 struct base_err *err);

#endif
