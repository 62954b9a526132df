/* web_int.h - what web.c, pages.c and api.c share: the console's state and per-request helpers. */
#ifndef SFB_WEB_INT_H
#define SFB_WEB_INT_H

#include <jansson.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/form.h"
#include "bridge/web/auth.h"
#include "bridge/web/http.h"
#include "bridge/web/tmpl.h"
#include "bridge/web/web.h"

struct sfb_store;
struct sqlite3;

#define WEB_PAGE_MAX (512u * 1024)
#define WEB_POOL_MAX 16

/* Idle store connections, one per thread at most in use at a time. */
struct store_pool {
	pthread_mutex_t lock;
	struct sfb_store *idle[WEB_POOL_MAX]; /* guarded by lock */
	int n;                                /* guarded by lock */
};

struct sfb_web {
	struct sfb_tmpl_set *tmpl; /* immutable after start */
	char *data_dir;
	char *workspace;
	/* An argon2id hash of a random password: unknown emails are checked
	 * against it, so they cost what a wrong password costs. */
	char dummy_hash[SFB_AUTH_HASH_LEN];
	/* Each argon2id check takes 64 MiB: at most this many at once. */
	sem_t hashing;
	struct store_pool pool;
};

/* One request in flight: what the router learnt, for the handlers. */
struct web_ctx {
	struct sfb_web *w;
	struct sfb_req *req;
	struct sfb_resp *resp;
	struct sfb_store *store; /* borrowed from the pool, lazily */
	struct sqlite3 *db;
	bool authed;
	bool via_token; /* bearer token (API): no CSRF needed */
	struct sfb_admin admin;
	char session[SFB_AUTH_SECRET_LEN]; /* the cookie's value */
	char csrf[SFB_AUTH_SECRET_LEN];    /* the session's CSRF token */
	struct base_form form;             /* a parsed form body */
	bool form_parsed;
};

/* The store connection for this request; NULL after logging why (-> 500). */
struct sqlite3 *web_db(struct web_ctx *c);
/*
 * The credentials feature on this request's store connection (no new
 * connection per request). Close it with sfb_creds_close before the
 * request ends; the connection goes back to the pool with the request.
 */
struct sfb_creds;
int web_creds(struct web_ctx *c, struct sfb_creds **out, struct base_err *err);

/* Responses (every one carries the security headers). */
void web_security_headers(struct sfb_resp *resp);
void web_send_page(struct web_ctx *c, int status, const char *title,
		   const char *content);
void web_error_page(struct web_ctx *c, int status, const char *title,
		    const char *message);
void web_redirect(struct web_ctx *c, const char *location);
/* Renders a template into out; on failure logs and returns -1. */
int web_render(struct web_ctx *c, const char *name,
	       const struct sfb_tmpl_vars *vars, struct base_buf *out);
/* 405 with Allow. */
void web_bad_method(struct web_ctx *c, const char *allow);

bool web_is_get(const struct sfb_req *req);
/*
 * Parses an application/x-www-form-urlencoded body into c->form. Answers
 * 415 or 400 itself and returns -1 when it can't.
 */
int web_parse_form(struct web_ctx *c);
/* A form field, "" when absent. Borrowed until the request ends. */
const char *web_field(struct web_ctx *c, const char *name);
/* Looks up the session cookie: sets c->authed, c->admin, c->session, c->csrf. */
void web_load_session(struct web_ctx *c);
/*
 * For a page that needs a signed-in admin: true, or false after answering
 * (a redirect to /login). For POST it also checks the form's CSRF token
 * (403 on a mismatch); call after web_parse_form.
 */
bool web_require_admin(struct web_ctx *c);

/*
 * The connection as the credentials feature sees it (sfb_creds_show: the
 * active credentials and their last validation; no network call), so the
 * console, the CLI and the API agree on what is locked and why.
 */
struct web_conn_status {
	bool connected; /* active credentials exist */
	bool valid;     /* ... and their last validation passed */
	bool refused;   /* the lockout guard holds them */
	char username[256], org_name[256], edition[64], instance_url[256];
	char problem[64]; /* the first error diagnosis' code, or "" */
	char problem_title[256];
	int sandbox;      /* -1 unknown */
	int64_t validated_ms;
	char lock_reason[512]; /* "" when unlocked */
	bool failed;      /* the store could not be read: shown as locked */
};
void web_conn_status(struct web_ctx *c, struct web_conn_status *st);
/* Why the integrations are locked, or NULL when they aren't. */
const char *web_lock_reason(const struct web_conn_status *st);

/* Pages (pages.c). */
void web_page_menu(struct web_ctx *c);
void web_page_credentials(struct web_ctx *c);
void web_page_integration_post(struct web_ctx *c, const char *key);
/* POST /settings/salesforce/test: "Test again" (pages_menu.c). */
void web_page_test(struct web_ctx *c);
/* /help/diagnoses and /help/diagnoses/CODE (pages_help.c); rest follows "/help/diagnoses". */
void web_page_help(struct web_ctx *c, const char *rest);

/* The JSON API under /api/v1 (api.c); rest is the path after it. */
void web_api(struct web_ctx *c, const char *rest);

/* A JSON reply (already serialized) with the security headers, no-store. */
void web_json_reply(struct sfb_resp *resp, int status, const char *json);

/* For the API's handlers (api.c, api_credentials.c). */
/* Sends v as the reply; takes v's reference (NULL: out of memory, 500). */
void web_api_reply(struct web_ctx *c, int status, json_t *v);
/* {"error": {"code", "message", "diagnoses"}}; takes diags' reference
 * (NULL: []). The message must hold no secret. */
void web_api_error(struct web_ctx *c, int status, const char *code,
		   const char *message, json_t *diags);
/*
 * The request body as a JSON object whose keys are all in `keys` (a NULL-
 * terminated list). Answers 415 (not application/json), 400
 * malformed_json or 400 unknown_field itself and returns NULL. With
 * empty_ok an empty body is {}, whatever its content type. Caller owns.
 */
json_t *web_api_body(struct web_ctx *c, const char *const *keys,
		     bool empty_ok);
/* 400 invalid_field: "'key' must be WANT". */
void web_api_bad_field(struct web_ctx *c, const char *key, const char *want);

/* /api/v1/salesforce/... (api_credentials.c). */
void web_api_credentials_get(struct web_ctx *c);
void web_api_credentials_put(struct web_ctx *c);
void web_api_credentials_delete(struct web_ctx *c);
void web_api_credentials_test(struct web_ctx *c);
void web_api_validations(struct web_ctx *c);

#endif
