/* diagnose.h - the diagnosis vocabulary: stable codes, titles, explanations, fix steps; sf_error -> diagnosis. */
#ifndef SFB_DIAGNOSE_H
#define SFB_DIAGNOSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sf/error.h"

/*
 * The codes are a contract (CLI --json, the JSON API, the UI, docs/
 * diagnostics.md): never rename one, only add. The table behind them is
 * static const: immutable, share freely.
 */
enum sfb_diag_code {
	/* local checks: no network call was made */
	SFB_D_FIELD_MISSING,
	SFB_D_USERNAME_NOT_EMAIL,
	SFB_D_WHITESPACE_IN_SECRET,
	SFB_D_TOKEN_MALFORMED,
	SFB_D_PASSWORD_INCLUDES_TOKEN,
	SFB_D_LOGIN_URL_INVALID,
	SFB_D_SANDBOX_HOST_MISMATCH,
	/* the connection */
	SFB_D_NETWORK_UNREACHABLE,
	SFB_D_TLS_FAILED,
	SFB_D_NOT_SALESFORCE,
	/* what Salesforce said to the login */
	SFB_D_INVALID_LOGIN,
	SFB_D_SECURITY_TOKEN_REQUIRED,
	SFB_D_API_DISABLED_FOR_ORG,
	SFB_D_API_DISABLED_FOR_USER,
	SFB_D_LOGIN_HOURS_RESTRICTED,
	SFB_D_IP_RESTRICTED,
	SFB_D_PASSWORD_EXPIRED,
	SFB_D_LOGIN_RATE_EXCEEDED,
	SFB_D_SOAP_LOGIN_UNAVAILABLE,
	SFB_D_OAUTH_CLIENT_INVALID,
	SFB_D_OAUTH_USER_NOT_APPROVED,
	SFB_D_OAUTH_JWT_REJECTED,
	SFB_D_ORG_UNAVAILABLE,
	SFB_D_SALESFORCE_UNAVAILABLE,
	/* the lockout guard */
	SFB_D_CREDENTIALS_STOPPED_WORKING,
	/* preflight of a working login */
	SFB_D_MISSING_PERMISSION,
	SFB_D_LOGIN_HOURS_SET,
	SFB_D_LOGIN_IP_RANGES_RESTRICTIVE,
	SFB_D_PASSWORD_MAY_EXPIRE,
	SFB_D_API_BUDGET_LOW,
	SFB_D_LEGACY_AUTH_RETIRING,
	SFB_D__COUNT
};

/* error blocks Save; warning and info don't. */
enum sfb_severity { SFB_SEV_ERROR, SFB_SEV_WARNING, SFB_SEV_INFO };

/*
 * What an error diagnosis means for the command's exit code and the lockout
 * guard: a refusal (the credentials or the org's setup are wrong: exit 2),
 * or "unavailable" (network, TLS, throttle, 5xx: exit 3, try later).
 */
enum sfb_diag_kind { SFB_KIND_REFUSED, SFB_KIND_UNAVAILABLE };

struct sfb_diag_def {
	enum sfb_diag_code id;
	const char *code;     /* "invalid_login" */
	enum sfb_severity severity; /* the default; an instance may differ */
	enum sfb_diag_kind kind;
	const char *title;    /* one line */
	const char *explanation;
	const char *const *fix; /* NULL-terminated, in order */
};

/* Borrowed from the static table; NULL for an unknown code. */
const struct sfb_diag_def *sfb_diag_def(enum sfb_diag_code id);
const struct sfb_diag_def *sfb_diag_find(const char *code);
/* "error", "warning", "info". */
const char *sfb_severity_name(enum sfb_severity s);

/* Why invalid_login happened, in the order to check (sfb_diag_rank_causes). */
enum sfb_cause {
	SFB_CAUSE_TOKEN_RESET,
	SFB_CAUSE_PASSWORD_CHANGED,
	SFB_CAUSE_NEW_TOKEN_WRONG,
	SFB_CAUSE_WRONG_PASSWORD,
	SFB_CAUSE_WRONG_TOKEN,
	SFB_CAUSE_WRONG_USERNAME_OR_HOST,
	SFB_CAUSE_LOCKED_OUT,
	SFB_CAUSE_USER_INACTIVE,
	SFB_CAUSE_OAUTH_FLOW_BLOCKED,
	SFB_CAUSE__COUNT
};

/*
 * What sfbridge knows when Salesforce says invalid_login; it ranks the
 * causes. Every field may be left false/0.
 */
struct sfb_login_facts {
	bool oauth_password;   /* the OAuth username-password flow was used */
	bool worked_before;    /* these very credentials logged in before */
	bool first_time;       /* no credentials of this user ever worked */
	bool same_user_as_active; /* the active (working) ones: same user */
	bool password_changed; /* ... and the password differs from theirs */
	bool token_changed;    /* ... and the token differs from theirs */
	int recent_failures;   /* refused attempts in the lockout window */
};

/* Fills order[] (SFB_CAUSE__COUNT entries or fewer); returns how many. */
size_t sfb_diag_rank_causes(const struct sfb_login_facts *f,
			    enum sfb_cause *order, size_t n);
/* "token_reset", ... */
const char *sfb_cause_name(enum sfb_cause c);

/* One diagnosis: a code, its severity, and facts about this case. */
struct sfb_diag {
	enum sfb_diag_code id;
	enum sfb_severity severity;
	json_t *detail; /* owned; an object, never NULL once added */
	json_t *fix;    /* owned; NULL: the table's steps; else an array */
};

/* A list of diagnoses. One thread at a time. */
struct sfb_diags {
	struct sfb_diag *v;
	size_t n, cap;
};

#define SFB_DIAGS_INIT ((struct sfb_diags){0})

/*
 * Adds a diagnosis with the table's severity. Takes ownership of detail
 * (NULL: an empty object). Returns the new entry (borrowed until the list
 * changes), or NULL when out of memory (detail is released then).
 */
struct sfb_diag *sfb_diags_add(struct sfb_diags *l, enum sfb_diag_code id,
			       json_t *detail);
void sfb_diags_release(struct sfb_diags *l);
/* Moves every entry of src to the end of dst; src is empty after. */
int sfb_diags_take(struct sfb_diags *dst, struct sfb_diags *src);
bool sfb_diags_has(const struct sfb_diags *l, enum sfb_diag_code id);
bool sfb_diags_has_error(const struct sfb_diags *l);
/* The first error diagnosis, or NULL. */
const struct sfb_diag *sfb_diags_first_error(const struct sfb_diags *l);
/*
 * The error that says what to fix, for one-line summaries (a lock reason,
 * a history row): the first error other than credentials_stopped_working
 * (which says only that working credentials stopped, and comes first),
 * else the first error; NULL when there is none.
 */
const struct sfb_diag *sfb_diags_cause(const struct sfb_diags *l);
/* 0 no error; 2 refused; 3 unavailable (any error of that kind wins). */
int sfb_diags_exit_code(const struct sfb_diags *l);

/* {"code","severity","title","explanation","fix":[...],"detail":{...}} (new reference). */
json_t *sfb_diag_to_json(const struct sfb_diag *d);
/* An array of the above (new reference). */
json_t *sfb_diags_to_json(const struct sfb_diags *l);
/* Title, explanation and numbered fix steps, wrapped for a terminal. */
void sfb_diag_print(FILE *f, const struct sfb_diag *d);

/*
 * The invalid_login diagnosis with its causes ranked from facts:
 * detail.causes lists them in order, and the fix steps follow that order,
 * then say how to tell the causes apart.
 */
struct sfb_diag *sfb_diags_add_invalid_login(struct sfb_diags *l,
					     const struct sfb_login_facts *f,
					     json_t *detail);

/* Where an sf_error came from, for the mapping. */
enum sfb_auth_kind {
	SFB_AUTH_SOAP,           /* password method, SOAP login() */
	SFB_AUTH_OAUTH_PASSWORD, /* password method with a consumer key */
	SFB_AUTH_CLIENT_CREDENTIALS,
	SFB_AUTH_JWT,
};

/*
 * Maps what libsf reported (class, code, Salesforce's text, HTTP status)
 * for a login or for the API calls right after it to one diagnosis, and
 * adds it. detail.salesforce = {"code", "message", "httpStatus"} keeps
 * Salesforce's own words (never a secret: libsf copies only the fields
 * Salesforce meant as messages). facts rank invalid_login's causes (NULL:
 * nothing known). Returns the entry, or NULL when out of memory.
 */
struct sfb_diag *sfb_diag_from_error(struct sfb_diags *l,
				     const struct sf_error *e,
				     enum sfb_auth_kind auth,
				     const struct sfb_login_facts *facts);
/* The code sfb_diag_from_error would pick (for tests and the guard). */
enum sfb_diag_code sfb_diag_code_for_error(const struct sf_error *e,
					   enum sfb_auth_kind auth);

#endif
