/* auth_oauth.c - OAuth 2.0 token endpoint: password, client credentials, refresh token. */
#include "sf/auth_int.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/datetime.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "sf/target_int.h"
#include "base/banned.h"

#define FORM_MAX        (64u * 1024)
#define TOKEN_REPLY_MAX (64u * 1024)

/* Overwrites a JSON string's bytes before the document is freed (jansson
 * frees without wiping). */
static void wipe_json_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v),
			       json_string_length(v));
}

/* ".../id/00D.../005..." -> org and user ids; both "" unless both are ids. */
static void ids_from_identity_url(const char *id, char *org, char *user)
{
	size_t n = strlen(id), e, s1, s0;

	org[0] = user[0] = '\0';
	while (n > 0 && id[n - 1] == '/')
		n--;
	for (e = n; e > 0 && id[e - 1] != '/'; e--)
		;
	s1 = e; /* user id starts */
	if (e == 0)
		return;
	for (s0 = e - 1; s0 > 0 && id[s0 - 1] != '/'; s0--)
		;
	if (!sf__is_sfid(id + s1, n - s1) || !sf__is_sfid(id + s0, e - 1 - s0))
		return;
	memcpy(user, id + s1, n - s1);
	user[n - s1] = '\0';
	memcpy(org, id + s0, e - 1 - s0);
	org[e - 1 - s0] = '\0';
}

/* Base64(HMAC-SHA256(secret, id + issued_at)) == signature, in constant time.
 */
static bool signature_ok(const struct sf_secret *secret, const char *id,
			 const char *issued_at, const char *signature)
{
	struct base_buf msg = BASE_BUF_INIT(8192);
	struct base_buf b64 = BASE_BUF_INIT(128);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	bool ok = false;

	base_buf_puts(&msg, id);
	base_buf_puts(&msg, issued_at);
	if (base_buf_err(&msg))
		goto out;
	if (!HMAC(EVP_sha256(), secret->bytes, (int)secret->len,
		  (const unsigned char *)base_buf_str(&msg), msg.len, mac,
		  &maclen))
		goto out;
	if (base_b64_encode(&b64, mac, maclen) != 0)
		goto out;
	ok = strlen(signature) == b64.len &&
	     CRYPTO_memcmp(signature, base_buf_str(&b64), b64.len) == 0;
out:
	explicit_bzero(mac, sizeof(mac));
	base_buf_release(&msg);
	base_buf_release(&b64);
	return ok;
}

static const char *str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int read_token_reply(const struct sf_auth_env *env,
			    const struct sf_creds *cr, const char *body,
			    size_t len, struct sf_auth_result *out,
			    struct sf_error *err)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *tok, *inst, *id, *issued, *sig;
	int rc = BASE_EPROTO;

	if (!json_is_object(root)) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "token reply is not a JSON object");
		goto out;
	}
	tok = str(root, "access_token");
	inst = str(root, "instance_url");
	id = str(root, "id");
	issued = str(root, "issued_at");
	sig = str(root, "signature");
	if (!tok || !*tok || strpbrk(tok, " \t\r\n") || !inst) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "token reply lacks access_token or instance_url");
		goto out;
	}
	if (cr->consumer_secret && sig && id && issued &&
	    !signature_ok(cr->consumer_secret, id, issued, sig)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 200,
				   "signature",
				   "token reply's signature doesn't match "
				   "Base64(HMAC-SHA256(consumer secret, id + "
				   "issued_at)): a wrong consumer secret, or "
				   "the reply was altered");
		goto out;
	}
	rc = sf__instance_url(inst, env->allow_http_loopback, out->instance_url,
			      sizeof(out->instance_url), err);
	if (rc < 0) {
		sf__error_wrap(err, "token reply instance_url");
		goto out;
	}
	out->token = sf_secret_new(tok, strlen(tok));
	if (!out->token) {
		sf__error_set(err, SF_CLASS_NONE, 0, NULL,
			      "token reply: out of memory");
		rc = BASE_ENOMEM;
		goto out;
	}
	if (id)
		ids_from_identity_url(id, out->org_id, out->user_id);
	out->issued_ms = base_time_now_ms();
	if (issued && *issued &&
	    strspn(issued, "0123456789") == strlen(issued) &&
	    strlen(issued) <= 15)
		out->issued_ms = strtoll(issued, NULL, 10);
	out->expires_ms = 0; /* OAuth replies don't say */
	rc = 0;
out:
	if (root) {
		wipe_json_string(root, "access_token");
		wipe_json_string(root, "refresh_token");
		wipe_json_string(root, "id_token");
	}
	json_decref(root);
	return rc;
}

int sf__oauth_token(const struct sf_auth_env *env, const struct sf_creds *cr,
		    const struct base_buf *form, const struct sf_secret *basic,
		    struct sf_auth_result *out, struct sf_error *err)
{
	struct sf_http_resp resp = SF_HTTP_RESP_INIT;
	struct sf_request rq = {0};
	char base[300], url[400];
	int rc;

	resp.body.max = TOKEN_REPLY_MAX;
	resp.body.secret = 1; /* holds the access token */
	sf_target_base_url(&cr->target, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/services/oauth2/token", base);
	rq.method = "POST";
	rq.url = url;
	rq.content_type = "application/x-www-form-urlencoded";
	rq.accept = "application/json";
	rq.body = base_buf_str(form);
	rq.len = form->len;
	if (basic) {
		rq.auth_scheme = "Basic";
		rq.auth = basic;
	}
	rc = sf__http(env->tp, &rq, &resp, NULL, err);
	if (rc < 0)
		goto out;
	if (resp.status != 200) {
		sf__error_from_reply(resp.status, resp.content_type,
				     base_buf_str(&resp.body), resp.body.len,
				     err);
		rc = err->cls == SF_CLASS_NONE ? BASE_EPROTO
					       : sf__class_code(err->cls);
		goto out;
	}
	rc = read_token_reply(env, cr, base_buf_str(&resp.body), resp.body.len,
			      out, err);
out:
	if (rc < 0)
		sf__auth_result_release(out);
	sf__resp_release(&resp);
	return rc;
}

static int form_failed(struct base_buf *form, const char *what,
		       struct sf_error *err)
{
	if (!base_buf_err(form))
		return 0;
	sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
		      "%s: the request is too large", what);
	return BASE_EINVAL;
}

int sf__auth_oauth_password(const struct sf_auth_env *env,
			    const struct sf_creds *cr,
			    struct sf_auth_result *out, struct sf_error *err)
{
	struct base_buf form = BASE_BUF_SECRET_INIT(FORM_MAX);
	int rc;

	sf__form_name(&form, "grant_type");
	sf__form_value(&form, "password", strlen("password"));
	sf__form_name(&form, "client_id");
	sf__form_value(&form, cr->consumer_key, strlen(cr->consumer_key));
	sf__form_name(&form, "client_secret");
	sf__form_value(&form, cr->consumer_secret->bytes,
		       cr->consumer_secret->len);
	sf__form_name(&form, "username");
	sf__form_value(&form, cr->username, strlen(cr->username));
	/* password || security token, no separator (as SOAP). */
	sf__form_name(&form, "password");
	sf__form_value(&form, cr->password->bytes, cr->password->len);
	if (cr->security_token)
		sf__form_value(&form, cr->security_token->bytes,
			       cr->security_token->len);
	rc = form_failed(&form, "oauth password", err);
	if (rc == 0)
		rc = sf__oauth_token(env, cr, &form, NULL, out, err);
	base_buf_release(&form);
	return rc;
}

/*
 * grant_type=client_credentials with the consumer key and secret as HTTP
 * Basic credentials. Salesforce answers it on a My Domain only; the
 * credentials check (auth.c) refuses login/test.salesforce.com before any
 * request.
 */
int sf__auth_client_credentials(const struct sf_auth_env *env,
				const struct sf_creds *cr,
				struct sf_auth_result *out,
				struct sf_error *err)
{
	struct base_buf form = BASE_BUF_SECRET_INIT(FORM_MAX);
	struct base_buf pair = BASE_BUF_SECRET_INIT(FORM_MAX);
	struct base_buf b64 = BASE_BUF_SECRET_INIT(FORM_MAX * 2);
	struct sf_secret *basic = NULL;
	int rc = BASE_ERR;

	if (cr->target.kind == SF_TARGET_PRODUCTION ||
	    cr->target.kind == SF_TARGET_SANDBOX)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "client credentials need a My Domain "
				     "login target");
	sf__form_name(&form, "grant_type");
	sf__form_value(&form, "client_credentials",
		       strlen("client_credentials"));
	base_buf_puts(&pair, cr->consumer_key);
	base_buf_putc(&pair, ':');
	base_buf_append(&pair, cr->consumer_secret->bytes,
			cr->consumer_secret->len);
	if (base_buf_err(&pair) == 0)
		base_b64_encode(&b64, base_buf_str(&pair), pair.len);
	rc = form_failed(&form, "client credentials", err);
	if (rc == 0 && (base_buf_err(&pair) || base_buf_err(&b64)))
		rc = form_failed(&b64, "client credentials", err);
	if (rc == 0) {
		basic = sf_secret_new(base_buf_str(&b64), b64.len);
		if (!basic) {
			sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				      "client credentials: out of memory");
			rc = BASE_ENOMEM;
		}
	}
	if (rc == 0)
		rc = sf__oauth_token(env, cr, &form, basic, out, err);
	sf_secret_free(basic);
	base_buf_release(&form);
	base_buf_release(&pair);
	base_buf_release(&b64);
	return rc;
}

int sf__auth_refresh_token(const struct sf_auth_env *env,
			   const struct sf_creds *cr,
			   struct sf_auth_result *out, struct sf_error *err)
{
	struct base_buf form = BASE_BUF_SECRET_INIT(FORM_MAX);
	int rc;

	sf__form_name(&form, "grant_type");
	sf__form_value(&form, "refresh_token", strlen("refresh_token"));
	sf__form_name(&form, "refresh_token");
	sf__form_value(&form, cr->refresh_token->bytes, cr->refresh_token->len);
	sf__form_name(&form, "client_id");
	sf__form_value(&form, cr->consumer_key, strlen(cr->consumer_key));
	if (cr->consumer_secret) {
		sf__form_name(&form, "client_secret");
		sf__form_value(&form, cr->consumer_secret->bytes,
			       cr->consumer_secret->len);
	}
	rc = form_failed(&form, "refresh token", err);
	if (rc == 0)
		rc = sf__oauth_token(env, cr, &form, NULL, out, err);
	base_buf_release(&form);
	return rc;
}
