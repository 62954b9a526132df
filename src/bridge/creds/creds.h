/* creds.h - Salesforce integration credentials: Save = validate, the lockout guard, what is active. */
#ifndef SFB_CREDS_H
#define SFB_CREDS_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "bridge/creds/diagnose.h"
#include "bridge/creds/local_checks.h"
#include "bridge/creds/preflight.h"

/*
 * The credentials of one workspace (store.h's workspace), in the
 * credentials, validations and events tables of migration 1.
 *
 * Save (sfb_creds_save) validates: local checks (no network) -> exactly one
 * login -> the preflight (at most 2 API requests) -> in one transaction the
 * candidate becomes active and the previous active one retired. A Save
 * that fails activates nothing: the credentials that were active stay
 * active. Every run, failed or not, is a validations row with its
 * diagnoses.
 *
 * The lockout guard: when Salesforce refuses the active credentials'
 * login (credential, policy, time window, password expired), they are
 * marked refused, and nothing in sfbridge logs in with them again (tests,
 * syncs, scheduled checks: sfb_creds_load_active refuses them) until new
 * credentials are saved or an admin asks for one attempt with "Test
 * again" (sfb_creds_test with again). sfbridge counts its own refused
 * logins per username over SFB_LOCKOUT_WINDOW_MIN minutes, Salesforce's
 * default lockout period (the org's policy isn't readable through the API),
 * and shows the count with the refusal.
 *
 * Secrets are sealed by the vault before they reach the store, are opened
 * only to log in, and never appear in a diagnosis, a log line or a reply.
 *
 * One handle, one thread at a time (it owns a store connection).
 */
#define SFB_LOCKOUT_WINDOW_MIN 15

struct sfb_creds;

/* Opens DATA's store (and, when a command needs it, its vault). Caller owns. */
int sfb_creds_open(const char *data_dir, struct sfb_creds **out,
		   struct base_err *err);
/*
 * The same on a store connection the caller holds (the console borrows one
 * from its pool per request): `store` stays the caller's, sfb_creds_close
 * leaves it open, and it serves this handle's thread alone meanwhile.
 */
struct sfb_store;
int sfb_creds_attach(const char *data_dir, struct sfb_store *store,
		     struct sfb_creds **out, struct base_err *err);
void sfb_creds_close(struct sfb_creds *c);

/*
 * What a command found: the --json object's fields, and the diagnoses.
 * valid: these credentials passed (no error diagnosis). active: they are
 * the workspace's active credentials (after a failed Save: false, the
 * candidate was not activated). prev_active: a failed Save left other
 * working credentials active (for the human output). refused: the lockout
 * guard holds the active credentials.
 */
struct sfb_creds_result {
	bool valid;
	bool active;
	bool has_method;
	enum sfb_method method;
	struct sfb_org_facts facts; /* org and user, when known */
	struct sfb_diags diags;
	bool prev_active;
	char prev_username[256];
	bool refused;
	bool attempted;            /* a login was made (network) */
	long long login_attempts;  /* what the run cost the org */
	long long api_requests;
	/* show: the stored credentials, never a secret's value */
	char login[256];
	char username[256];
	char consumer_key[256];
	bool has_password, has_token, has_consumer_secret, has_private_key;
	long long validated_ms; /* 0: never */
	long long created_ms;
};

void sfb_creds_result_init(struct sfb_creds_result *r);
void sfb_creds_result_release(struct sfb_creds_result *r);
/* {"valid","active","method","org","user","diagnoses"} (new reference). */
json_t *sfb_creds_result_json(const struct sfb_creds_result *r);
/* 0 valid, 2 refused, 3 network or Salesforce unavailable. */
int sfb_creds_result_exit(const struct sfb_creds_result *r);

struct sfb_save_opts {
	/*
	 * A secret left out (NULL) keeps the active credentials' value when
	 * the method, login and username are the same (the web form, whose
	 * secret fields are never pre-filled). The CLI prompts instead.
	 */
	bool keep_stored_secrets;
};

/*
 * Save = validate, as above. Returns 0 when the run completed (valid or
 * not: see out), < 0 only when sfbridge itself failed (store, vault,
 * memory), with err set; *out is filled either way.
 */
int sfb_creds_save(struct sfb_creds *c, const struct sfb_candidate *cand,
		   const struct sfb_save_opts *opts,
		   struct sfb_creds_result *out, struct base_err *err);

/*
 * Tests the active credentials with one login and the preflight. While the
 * lockout guard holds them, makes no network call and reports the refusal
 * again, unless `again` (the admin's "Test again": one attempt).
 */
int sfb_creds_test(struct sfb_creds *c, bool again,
		   struct sfb_creds_result *out, struct base_err *err);

/* The active credentials and their last validation, no network. */
int sfb_creds_show(struct sfb_creds *c, struct sfb_creds_result *out,
		   struct base_err *err);

/* Retires the active credentials and deletes every stored secret. */
int sfb_creds_clear(struct sfb_creds *c, struct sfb_creds_result *out,
		    struct base_err *err);

/*
 * For the integrations (syncs, scheduled checks): the active credentials,
 * opened, ready for sf_client_set_credentials. Fails with BASE_ENOTFOUND
 * when there are none and BASE_EAUTH while the lockout guard holds them
 * (err says why): never hand refused credentials to a client.
 */
struct sfb_active_creds {
	struct sf_credentials cred; /* points into the fields below */
	struct sf_secret *password, *token, *consumer_secret, *private_key;
	char username[256];
	char consumer_key[256];
	bool allow_http_loopback;   /* for sf_client_options */
	long long id;               /* credentials row */
};
int sfb_creds_load_active(struct sfb_creds *c, struct sfb_active_creds *out,
			  struct base_err *err);
void sfb_active_creds_release(struct sfb_active_creds *a);

/*
 * The validation runs, newest first: at most `limit` (1 to
 * SFB_VALIDATIONS_MAX) with an id below before_id (0: from the newest).
 * *out is a JSON array (caller owns) of {"id", "startedAt", "finishedAt",
 * "valid", "loginAttempts", "apiRequests", "summary", "problem",
 * "diagnoses"}: problem is the code of sfb_diags_cause (null when valid),
 * the diagnoses as sfb_diags_to_json writes them. Never a secret.
 */
#define SFB_VALIDATIONS_MAX 100
int sfb_creds_validations(struct sfb_creds *c, int limit, long long before_id,
			  json_t **out, struct base_err *err);

/* Count of sfbridge's refused logins as `username` in the lockout window. */
int sfb_creds_recent_failures(struct sfb_creds *c, const char *username,
			      long long *out, struct base_err *err);

#endif
