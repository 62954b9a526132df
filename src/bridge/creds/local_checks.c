/* local_checks.c - what can be told about candidate credentials before any network call. */
#include "bridge/creds/local_checks.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/banned.h"

/*
 * This file and creds.c are the only places in sfbridge that read a
 * secret's bytes: here to check their form, there to seal them. Nothing
 * read here is ever copied into a diagnosis (only lengths and field names).
 */

const char *sfb_method_name(enum sfb_method m)
{
	switch (m) {
	case SFB_METHOD_PASSWORD:
		return "password";
	case SFB_METHOD_CLIENT_CREDENTIALS:
		return "client_credentials";
	case SFB_METHOD_JWT:
		return "jwt";
	}
	return "password";
}

int sfb_method_parse(const char *name, enum sfb_method *out)
{
	static const enum sfb_method all[] = {SFB_METHOD_PASSWORD,
					      SFB_METHOD_CLIENT_CREDENTIALS,
					      SFB_METHOD_JWT};

	for (size_t i = 0; name && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, sfb_method_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -1;
}

enum sfb_auth_kind sfb_candidate_auth(const struct sfb_candidate *c)
{
	switch (c->method) {
	case SFB_METHOD_CLIENT_CREDENTIALS:
		return SFB_AUTH_CLIENT_CREDENTIALS;
	case SFB_METHOD_JWT:
		return SFB_AUTH_JWT;
	case SFB_METHOD_PASSWORD:
		break;
	}
	return c->consumer_key && *c->consumer_key ? SFB_AUTH_OAUTH_PASSWORD
						   : SFB_AUTH_SOAP;
}

bool sfb_login_allows_http_loopback(const char *login)
{
	return login && strstr(login, "://") != NULL;
}

static bool has_text(const char *s)
{
	return s && *s;
}

static bool has_secret(const struct sf_secret *s)
{
	return s && s->bytes && s->len > 0;
}

/* Letters, digits and '-', not empty. */
static bool label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/*
 * name@domain: one '@'; a local part of printable characters without
 * spaces, quotes or brackets (Salesforce allows + . - _ ' and friends);
 * a domain of two or more labels. Salesforce caps usernames at 80.
 */
bool sfb_username_is_email(const char *u)
{
	const char *at, *p;
	size_t labels = 0;

	if (!u || strlen(u) > 80)
		return false;
	at = strchr(u, '@');
	if (!at || at == u || strchr(at + 1, '@'))
		return false;
	for (p = u; p < at; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"(),:;<>[\\]", *p))
			return false;
	p = at + 1;
	for (;;) {
		size_t n = strcspn(p, ".");

		if (!label_ok(p, n))
			return false;
		labels++;
		if (!p[n])
			break;
		p += n + 1;
	}
	return labels >= 2;
}

/* The last label and the one before it, lower-cased. */
static bool last_labels(const char *u, char *last, char *prev, size_t n)
{
	const char *d = strchr(u, '@'), *dot1, *dot2 = NULL;
	size_t ln, pn;

	if (!d)
		return false;
	d++;
	dot1 = strrchr(d, '.');
	if (!dot1)
		return false;
	for (const char *p = d; p < dot1; p++)
		if (*p == '.')
			dot2 = p;
	ln = strlen(dot1 + 1);
	pn = (size_t)(dot1 - (dot2 ? dot2 + 1 : d));
	if (ln >= n || pn >= n)
		return false;
	for (size_t i = 0; i < ln; i++)
		last[i] = (char)tolower((unsigned char)dot1[1 + i]);
	last[ln] = '\0';
	for (size_t i = 0; i < pn; i++)
		prev[i] = (char)tolower(
			(unsigned char)(dot2 ? dot2 + 1 : d)[i]);
	prev[pn] = '\0';
	return true;
}

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

bool sfb_username_looks_sandbox(const char *u)
{
	/* Usual sandbox names that are no top-level domain. ("dev", "test"
	 * and "full" are caught by the second rule: .dev is a real TLD.) */
	static const char *const sandbox_names[] = {
		"uat", "qa", "sit", "sbx", "staging", "sandbox", "partial",
		"fullcopy", "preprod", "devpro", "devbox", "devint", "qat",
		NULL};
	static const char *const generic_tlds[] = {
		"com", "org", "net", "edu", "gov", "mil", "int", "biz",
		"info", "io", "co", NULL};
	char last[64], prev[64];
	size_t n;

	if (!sfb_username_is_email(u) || !last_labels(u, last, prev, 64))
		return false;
	if (in(last, sandbox_names))
		return true;
	/* dev1, qa2, uat3: a sandbox name with a number; no TLD has one. */
	n = strlen(last);
	if (n >= 2 && isdigit((unsigned char)last[n - 1]) &&
	    isalpha((unsigned char)last[0]) && strncmp(last, "xn--", 4) != 0)
		return true;
	return in(prev, generic_tlds) && n != 2;
}

bool sfb_token_well_formed(const struct sf_secret *t)
{
	if (!has_secret(t) || t->len < 24 || t->len > 25)
		return false;
	for (size_t i = 0; i < t->len; i++)
		if (!isalnum((unsigned char)t->bytes[i]))
			return false;
	return true;
}

static bool edge_space(const char *s, size_t n)
{
	return n > 0 && (isspace((unsigned char)s[0]) ||
			 isspace((unsigned char)s[n - 1]));
}

static void missing(struct sfb_diags *out, const char *field)
{
	sfb_diags_add(out, SFB_D_FIELD_MISSING,
		      json_pack("{s:s}", "field", field));
}

static void check_space(struct sfb_diags *out, const char *field,
			const char *s, size_t n)
{
	if (s && edge_space(s, n))
		sfb_diags_add(out, SFB_D_WHITESPACE_IN_SECRET,
			      json_pack("{s:s}", "field", field));
}

static void check_fields(const struct sfb_candidate *c, struct sfb_diags *out)
{
	bool key = has_text(c->consumer_key);
	bool secret = has_secret(c->consumer_secret);

	switch (c->method) {
	case SFB_METHOD_PASSWORD:
		if (!has_text(c->username))
			missing(out, "username");
		if (!has_secret(c->password))
			missing(out, "password");
		/* a key without its secret, or the reverse */
		if (key && !secret)
			missing(out, "consumerSecret");
		if (secret && !key)
			missing(out, "consumerKey");
		break;
	case SFB_METHOD_CLIENT_CREDENTIALS:
		if (!has_text(c->login))
			missing(out, "login");
		if (!key)
			missing(out, "consumerKey");
		if (!secret)
			missing(out, "consumerSecret");
		break;
	case SFB_METHOD_JWT:
		if (!has_text(c->username))
			missing(out, "username");
		if (!key)
			missing(out, "consumerKey");
		if (!has_secret(c->private_key))
			missing(out, "privateKey");
		break;
	}
}

static void check_login(const struct sfb_candidate *c, struct sf_target *t,
			bool *parsed, struct sfb_diags *out)
{
	const char *spec = has_text(c->login) ? c->login : "production";
	struct sf_error e = SF_ERROR_INIT;

	*parsed = false;
	if (c->method == SFB_METHOD_CLIENT_CREDENTIALS && !has_text(c->login))
		return; /* field_missing said it */
	if (sf_target_parse(spec, sfb_login_allows_http_loopback(spec), t,
			    &e) != 0) {
		sfb_diags_add(out, SFB_D_LOGIN_URL_INVALID,
			      json_pack("{s:s}", "reason", e.message));
		return;
	}
	*parsed = true;
	if (c->method == SFB_METHOD_CLIENT_CREDENTIALS &&
	    (t->kind == SF_TARGET_PRODUCTION || t->kind == SF_TARGET_SANDBOX))
		sfb_diags_add(out, SFB_D_LOGIN_URL_INVALID,
			      json_pack("{s:s}", "reason",
					"OAuth client credentials need the "
					"org's My Domain (mydomain:NAME or "
					"https://NAME.my.salesforce.com), not "
					"login.salesforce.com or "
					"test.salesforce.com"));
}

/*
 * A production host with a sandbox-looking username is an error: that
 * login can only fail, and the failure counts. A sandbox host with a
 * plain username is a warning: users created in a sandbox may be named
 * anything. URL targets that aren't Salesforce's (sfemu, allow-listed
 * hosts) say nothing about production or sandbox, so they are skipped.
 */
static void check_sandbox(const struct sfb_candidate *c,
			  const struct sf_target *t, struct sfb_diags *out)
{
	char base[300];
	bool box_user, box_host;
	struct sfb_diag *d;

	if (!has_text(c->username) || !sfb_username_is_email(c->username))
		return;
	if (t->kind == SF_TARGET_URL && !sf_target_is_sandbox(t))
		return;
	box_user = sfb_username_looks_sandbox(c->username);
	box_host = sf_target_is_sandbox(t);
	if (box_user == box_host)
		return;
	sf_target_base_url(t, base, sizeof(base));
	d = sfb_diags_add(out, SFB_D_SANDBOX_HOST_MISMATCH,
			  json_pack("{s:s, s:s, s:s}", "username_looks_like",
				    box_user ? "sandbox" : "production", "host",
				    box_host ? "sandbox" : "production",
				    "loginUrl", base));
	if (d && !box_user)
		d->severity = SFB_SEV_WARNING;
}

bool sfb_local_checks(const struct sfb_candidate *c, struct sf_target *target,
		      struct sfb_diags *out)
{
	struct sf_target t;
	bool parsed;
	size_t first = out->n;

	check_fields(c, out);
	if (has_text(c->username) && !sfb_username_is_email(c->username))
		sfb_diags_add(out, SFB_D_USERNAME_NOT_EMAIL, NULL);
	if (has_secret(c->password))
		check_space(out, "password", c->password->bytes,
			    c->password->len);
	if (has_secret(c->token))
		check_space(out, "token", c->token->bytes, c->token->len);
	if (has_secret(c->consumer_secret))
		check_space(out, "consumerSecret", c->consumer_secret->bytes,
			    c->consumer_secret->len);
	if (has_text(c->consumer_key))
		check_space(out, "consumerKey", c->consumer_key,
			    strlen(c->consumer_key));
	if (c->method == SFB_METHOD_PASSWORD && has_secret(c->token) &&
	    !edge_space(c->token->bytes, c->token->len) &&
	    !sfb_token_well_formed(c->token))
		sfb_diags_add(out, SFB_D_TOKEN_MALFORMED,
			      json_pack("{s:I}", "length",
					(json_int_t)c->token->len));
	if (c->method == SFB_METHOD_PASSWORD && has_secret(c->password) &&
	    has_secret(c->token) && c->password->len > c->token->len &&
	    memcmp(c->password->bytes + c->password->len - c->token->len,
		   c->token->bytes, c->token->len) == 0)
		sfb_diags_add(out, SFB_D_PASSWORD_INCLUDES_TOKEN, NULL);
	check_login(c, &t, &parsed, out);
	if (parsed) {
		check_sandbox(c, &t, out);
		if (target)
			*target = t;
	}
	for (size_t i = first; i < out->n; i++)
		if (out->v[i].severity == SFB_SEV_ERROR)
			return false;
	return true;
}
