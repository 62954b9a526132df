/* auth.c - one interface over the auth providers; the client's copy of the credentials. */
#include "sf/auth_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "sf/error_int.h"
#include "sf/target_int.h"
#include "base/banned.h"

const char *sf__auth_method_name(enum sf_auth_method m)
{
	switch (m) {
	case SF_AUTH_SOAP_PASSWORD:
		return "soap";
	case SF_AUTH_OAUTH_PASSWORD:
		return "oauth-password";
	case SF_AUTH_CLIENT_CREDENTIALS:
		return "client-credentials";
	case SF_AUTH_JWT:
		return "jwt";
	case SF_AUTH_REFRESH_TOKEN:
		return "refresh-token";
	case SF_AUTH_ACCESS_TOKEN:
		return "access-token";
	}
	return "unknown";
}

bool sf__is_sfid(const char *s, size_t n)
{
	if (n != 15 && n != 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

void sf__form_name(struct base_buf *b, const char *name)
{
	if (b->len)
		base_buf_putc(b, '&');
	sf__form_value(b, name, strlen(name));
	base_buf_putc(b, '=');
}

/* application/x-www-form-urlencoded: unreserved bytes stay, space is '+',
 * everything else %XX. */
void sf__form_value(struct base_buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		char esc[3];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '*') {
			base_buf_putc(b, (char)c);
		} else if (c == ' ') {
			base_buf_putc(b, '+');
		} else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			base_buf_append(b, esc, 3);
		}
	}
}

void sf__auth_header(struct base_buf *out, const char *scheme,
		     const struct sf_secret *secret)
{
	base_buf_printf(out, "Authorization: %s ", scheme ? scheme : "Bearer");
	base_buf_append(out, secret->bytes, secret->len);
}

void sf__auth_result_release(struct sf_auth_result *r)
{
	if (!r)
		return;
	sf_secret_free(r->token);
	memset(r, 0, sizeof(*r));
}

int sf__auth_login(const struct sf_auth_env *env, const struct sf_creds *cr,
		   struct sf_auth_result *out, struct sf_error *err)
{
	memset(out, 0, sizeof(*out));
	switch (cr->method) {
	case SF_AUTH_SOAP_PASSWORD:
		return sf__auth_soap(env, cr, out, err);
	case SF_AUTH_OAUTH_PASSWORD:
		return sf__auth_oauth_password(env, cr, out, err);
	case SF_AUTH_CLIENT_CREDENTIALS:
		return sf__auth_client_credentials(env, cr, out, err);
	case SF_AUTH_JWT:
		return sf__auth_jwt(env, cr, out, err);
	case SF_AUTH_REFRESH_TOKEN:
		return sf__auth_refresh_token(env, cr, out, err);
	case SF_AUTH_ACCESS_TOKEN:
		/* No login: the token is used as given. Its org id is the
		 * token's "00D...!" prefix when it has that shape; the user
		 * id is unknown. When it stops working there is nothing to
		 * refresh it with (the client returns a session error). */
		out->token = sf_secret_dup(cr->access_token);
		if (!out->token) {
			sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				      "access token: out of memory");
			return BASE_ENOMEM;
		}
		snprintf(out->instance_url, sizeof(out->instance_url), "%s",
			 cr->instance_url);
		if (cr->access_token->len > 16 &&
		    cr->access_token->bytes[15] == '!' &&
		    strncmp(cr->access_token->bytes, "00D", 3) == 0 &&
		    sf__is_sfid(cr->access_token->bytes, 15)) {
			memcpy(out->org_id, cr->access_token->bytes, 15);
			out->org_id[15] = '\0';
		}
		return 0;
	}
	return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			     "login: unknown auth method %d", (int)cr->method);
}

static char *dup_text(const char *s, bool *ok)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*ok = false;
	return p;
}

static struct sf_secret *dup_secret(const struct sf_secret *s, bool *ok)
{
	struct sf_secret *p;

	if (!s || !s->bytes)
		return NULL;
	p = sf_secret_dup(s);
	if (!p)
		*ok = false;
	return p;
}

static bool has_secret(const struct sf_secret *s)
{
	return s && s->bytes && s->len > 0;
}

/* A user name or consumer key: printable, one line, not absurdly long. */
static bool text_ok(const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* The target again through sf_target_parse: a caller may have filled the
 * struct by hand, and the client's allow_http_loopback applies. */
static int check_target(const struct sf_target *t, bool allow_http_loopback,
			struct sf_target *out, struct sf_error *err)
{
	char spec[sizeof(t->value) + 16];

	switch (t->kind) {
	case SF_TARGET_PRODUCTION:
		return sf_target_parse("production", false, out, err);
	case SF_TARGET_SANDBOX:
		return sf_target_parse("sandbox", false, out, err);
	case SF_TARGET_MYDOMAIN:
		snprintf(spec, sizeof(spec), "mydomain:%s", t->value);
		return sf_target_parse(spec, false, out, err);
	case SF_TARGET_URL:
		if (!memchr(t->value, '\0', sizeof(t->value)))
			break;
		return sf_target_parse(t->value, allow_http_loopback, out, err);
	}
	return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			     "login target: unknown kind %d", (int)t->kind);
}

static int need(bool have, const char *method, const char *what,
		struct sf_error *err)
{
	if (have)
		return 0;
	return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			     "credentials: %s login needs %s", method, what);
}

static int check_fields(const struct sf_credentials *in,
			const struct sf_target *target, bool allow_http,
			char *instance, size_t n, struct sf_error *err)
{
	const char *m = sf__auth_method_name(in->method);
	bool user = text_ok(in->username, 255);
	bool key = text_ok(in->consumer_key, 255);
	int rc = 0;

	if (in->username && !user)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "credentials: the user name is empty, too "
				     "long or holds control characters");
	if (in->consumer_key && !key)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "credentials: the consumer key is empty, "
				     "too long or holds control characters");
	switch (in->method) {
	case SF_AUTH_SOAP_PASSWORD:
		if (!rc)
			rc = need(user, m, "a user name", err);
		if (!rc)
			rc = need(has_secret(in->password), m, "a password",
				  err);
		break;
	case SF_AUTH_OAUTH_PASSWORD:
		if (!rc)
			rc = need(user, m, "a user name", err);
		if (!rc)
			rc = need(has_secret(in->password), m, "a password",
				  err);
		if (!rc)
			rc = need(key, m, "a consumer key", err);
		if (!rc)
			rc = need(has_secret(in->consumer_secret), m,
				  "a consumer secret", err);
		break;
	case SF_AUTH_CLIENT_CREDENTIALS:
		if (!rc)
			rc = need(key, m, "a consumer key", err);
		if (!rc)
			rc = need(has_secret(in->consumer_secret), m,
				  "a consumer secret", err);
		if (!rc && (target->kind == SF_TARGET_PRODUCTION ||
			    target->kind == SF_TARGET_SANDBOX))
			rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0,
					   NULL,
					   "client credentials need a My "
					   "Domain login target (not "
					   "login.salesforce.com or "
					   "test.salesforce.com)");
		break;
	case SF_AUTH_JWT:
		if (!rc)
			rc = need(user, m, "a user name", err);
		if (!rc)
			rc = need(key, m, "a consumer key", err);
		if (!rc)
			rc = need(has_secret(in->private_key_pem), m,
				  "a private key", err);
		if (!rc)
			rc = sf__jwt_check_key(in->private_key_pem, err);
		break;
	case SF_AUTH_REFRESH_TOKEN:
		if (!rc)
			rc = need(has_secret(in->refresh_token), m,
				  "a refresh token", err);
		if (!rc)
			rc = need(key, m, "a consumer key", err);
		break;
	case SF_AUTH_ACCESS_TOKEN:
		if (!rc)
			rc = need(has_secret(in->access_token), m,
				  "an access token", err);
		if (!rc)
			rc = need(in->instance_url && *in->instance_url, m,
				  "an instance URL", err);
		if (!rc)
			rc = sf__instance_url(in->instance_url, allow_http,
					      instance, n, err);
		break;
	default:
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "credentials: unknown auth method %d",
				   (int)in->method);
	}
	return rc;
}

int sf__creds_new(const struct sf_credentials *in, bool allow_http_loopback,
		  struct sf_creds **out, struct sf_error *err)
{
	struct sf_creds *c = NULL;
	struct sf_target target;
	char instance[256] = "";
	bool ok = true;
	int rc;

	*out = NULL;
	rc = check_target(&in->target, allow_http_loopback, &target, err);
	if (rc < 0)
		return sf__error_wrap(err, "credentials");
	rc = check_fields(in, &target, allow_http_loopback, instance,
			  sizeof(instance), err);
	if (rc < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "credentials: out of memory");
		return BASE_ENOMEM;
	}
	atomic_init(&c->refs, 1);
	c->method = in->method;
	c->target = target;
	memcpy(c->instance_url, instance, sizeof(instance));
	c->username = dup_text(in->username, &ok);
	c->consumer_key = dup_text(in->consumer_key, &ok);
	c->password = dup_secret(in->password, &ok);
	c->security_token = dup_secret(in->security_token, &ok);
	c->consumer_secret = dup_secret(in->consumer_secret, &ok);
	c->private_key_pem = dup_secret(in->private_key_pem, &ok);
	c->refresh_token = dup_secret(in->refresh_token, &ok);
	c->access_token = dup_secret(in->access_token, &ok);
	if (!ok) {
		sf__creds_unref(c);
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "credentials: out of memory");
		return BASE_ENOMEM;
	}
	*out = c;
	return 0;
}

struct sf_creds *sf__creds_ref(struct sf_creds *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void sf__creds_unref(struct sf_creds *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	free(c->username);
	free(c->consumer_key);
	sf_secret_free(c->password);
	sf_secret_free(c->security_token);
	sf_secret_free(c->consumer_secret);
	sf_secret_free(c->private_key_pem);
	sf_secret_free(c->refresh_token);
	sf_secret_free(c->access_token);
	free(c);
}
