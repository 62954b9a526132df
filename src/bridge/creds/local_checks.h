/* local_checks.h - candidate credentials, and what can be told about them before any network call. */
#ifndef SFB_LOCAL_CHECKS_H
#define SFB_LOCAL_CHECKS_H

#include <stdbool.h>

#include "bridge/creds/diagnose.h"
#include "sf/client.h"
#include "sf/secret.h"

/* The sign-in methods of the credentials form (names are a contract). */
enum sfb_method {
	SFB_METHOD_PASSWORD,           /* "password": SOAP login(), or the
					  OAuth password flow with a key */
	SFB_METHOD_CLIENT_CREDENTIALS, /* "client_credentials" */
	SFB_METHOD_JWT,                /* "jwt" */
};

const char *sfb_method_name(enum sfb_method m);
/* 0, or -1 for an unknown name. */
int sfb_method_parse(const char *name, enum sfb_method *out);

/*
 * Credentials as an admin entered them, before validation. Everything is
 * borrowed from the caller. login: "production", "sandbox",
 * "mydomain:NAME" or a URL (NULL or "": production).
 */
struct sfb_candidate {
	enum sfb_method method;
	const char *login;
	const char *username;
	const char *consumer_key;
	const struct sf_secret *password;
	const struct sf_secret *token;
	const struct sf_secret *consumer_secret;
	const struct sf_secret *private_key; /* PEM */
};

/* The password method with a consumer key uses the OAuth password flow. */
enum sfb_auth_kind sfb_candidate_auth(const struct sfb_candidate *c);

/*
 * Plain http is accepted only for a loopback host written out as a URL
 * ("http://127.0.0.1:PORT", a local sfemu): a URL is explicit, the named
 * targets are always https, and nothing is ever downgraded. So a login
 * spec allows it exactly when it is a URL (sf_target_parse still refuses
 * http to any host that isn't loopback).
 */
bool sfb_login_allows_http_loopback(const char *login);

/*
 * Every local check, with no network call: required fields, the username
 * in email form, white space around a secret, the token's form, a
 * password that ends with its token, the login host (https on a
 * Salesforce host; client credentials need My Domain), and a sandbox
 * username at a production host (error) or the reverse (warning). Adds one
 * diagnosis per problem found. *target (may be NULL) gets the parsed login
 * target when it parses. Returns true when no error was found.
 */
bool sfb_local_checks(const struct sfb_candidate *c, struct sf_target *target,
		      struct sfb_diags *out);

/* The parts, for tests and for the form's inline hints. */
bool sfb_username_is_email(const char *username);
/*
 * "ops@acme.com.uat", "ops@acme.example.uat": the production username
 * with a sandbox name appended. Conservative (a false positive blocks a
 * Save): the domain's last label is a usual sandbox name that is no real
 * top-level domain (uat, qa, sit, staging, sandbox, partial, dev1, ...),
 * or the label before it is a generic top-level domain (com, org, net,
 * ...) and the last one is no two-letter country code (acme.com.au is
 * a real domain, acme.com.dev is a sandbox).
 */
bool sfb_username_looks_sandbox(const char *username);
/* 24 or 25 letters and digits. */
bool sfb_token_well_formed(const struct sf_secret *token);

#endif
