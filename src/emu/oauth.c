/* oauth.c - OAuth 2.0 token, revoke and userinfo endpoints, and the identity URL. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/b64.h"
#include "base/log.h"
#include "crypto.h"
#include "jwt.h"
#include "login.h"
#include "base/banned.h"

#define JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"

/* Token-endpoint errors: HTTP 400 {"error":..,"error_description":..}. */
static void oauth_error(struct emu_resp *resp, int status, const char *error,
			const char *desc)
{
	json_t *v = json_pack("{s:s, s:s}", "error", error, "error_description",
			      desc);

	emu_reply_json(resp, status, v);
	json_decref(v);
}

struct client_auth {
	char id[256];
	char secret[256];
	bool has_secret;
};

/* client_id/client_secret from HTTP Basic or the form body. */
static bool client_auth_of(const struct emu_req *req, const struct base_form *f,
			   struct client_auth *ca)
{
	const char *h = emu_req_header(req, "Authorization");
	struct base_buf dec = BASE_BUF_SECRET_INIT(1024);
	bool ok = false;

	memset(ca, 0, sizeof(*ca));
	if (h && strncasecmp(h, "Basic ", 6) == 0) {
		const char *colon;

		if (base_b64_decode(&dec, h + 6, strlen(h + 6), NULL) == 0 &&
		    (colon = memchr(base_buf_str(&dec), ':', dec.len)) != NULL) {
			size_t idlen = (size_t)(colon - base_buf_str(&dec));
			size_t slen = dec.len - idlen - 1;

			if (idlen < sizeof(ca->id) && slen < sizeof(ca->secret)) {
				memcpy(ca->id, base_buf_str(&dec), idlen);
				memcpy(ca->secret, colon + 1, slen);
				ca->has_secret = true;
				ok = true;
			}
		}
		base_buf_release(&dec);
		return ok;
	}
	if (base_form_get(f, "client_id"))
		snprintf(ca->id, sizeof(ca->id), "%s", base_form_get(f, "client_id"));
	if (base_form_get(f, "client_secret")) {
		snprintf(ca->secret, sizeof(ca->secret), "%s",
			 base_form_get(f, "client_secret"));
		ca->has_secret = true;
	}
	return ca->id[0] != '\0';
}

static void token_ok(struct emu_org *org, struct emu_resp *resp,
		     const struct emu_app *app, const struct emu_user *u,
		     const char *token, const char *refresh)
{
	char id_url[256], issued[32];
	struct base_buf sig = BASE_BUF_INIT(256);
	json_t *v;

	snprintf(id_url, sizeof(id_url), "%s/id/%s/%s", org->base_url, org->id,
		 u->id);
	snprintf(issued, sizeof(issued), "%lld", (long long)emu_org_now_ms(org));
	emu_oauth_signature(app->consumer_secret, id_url, issued, &sig);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "access_token", token,
		      "instance_url", org->base_url, "id", id_url, "token_type",
		      "Bearer", "issued_at", issued, "signature",
		      base_buf_str(&sig));
	if (refresh)
		json_object_set_new(v, "refresh_token", json_string(refresh));
	emu_reply_json(resp, 200, v);
	json_decref(v);
	base_buf_release(&sig);
}

/* Maps a refused login to the token endpoint's answer. */
static void login_refused(struct emu_resp *resp, enum emu_login_outcome o)
{
	switch (o) {
	case EMU_LOGIN_RESTRICTED_IP:
	case EMU_LOGIN_RESTRICTED_TIME:
		oauth_error(resp, 400, "invalid_grant",
			    "IP restricted or invalid login hours");
		break;
	case EMU_LOGIN_RATE_EXCEEDED:
		oauth_error(resp, 400, "rate_limit_exceeded",
			    "number of logins exceeded");
		break;
	default:
		oauth_error(resp, 400, "invalid_grant", "authentication failure");
		break;
	}
}

/* Login accepted: issue a session and answer. */
static void issue(struct emu_org *org, struct emu_resp *resp,
		  const struct emu_app *app, const struct emu_login_result *res)
{
	char token[160];

	if (emu_org_session_new(org, res->user.id, app->id, "oauth",
				res->password_expired, token, sizeof(token),
				NULL)) {
		oauth_error(resp, 500, "server_error", "session store failed");
		return;
	}
	token_ok(org, resp, app, &res->user, token, NULL);
	explicit_bzero(token, sizeof(token));
}

static void attempt_of(struct emu_req *req, const struct emu_app *app,
		       enum emu_login_channel ch, struct emu_login_attempt *a)
{
	memset(a, 0, sizeof(*a));
	a->channel = ch;
	a->client_ip = req->client_ip;
	a->api_type = "N/A";
	a->api_version = "";
	a->application = app->name;
	a->login_url = emu_req_header(req, "Host");
}

static void grant_password(struct emu_org *org, struct emu_req *req,
			   struct emu_resp *resp, const struct base_form *f,
			   const struct emu_app *app)
{
	const char *user = base_form_get(f, "username");
	const char *pw = base_form_get(f, "password");
	struct emu_login_attempt a;
	struct emu_login_result res;
	struct base_err err = BASE_ERR_INIT;

	/* Blocked org-wide by default since Summer '23: the generic answer. */
	if (!emu_org_setting_bool(org, "usernamePasswordFlowEnabled")) {
		oauth_error(resp, 400, "invalid_grant", "authentication failure");
		return;
	}
	attempt_of(req, app, EMU_LOGIN_OAUTH_PASSWORD, &a);
	if (emu_login_password(org, &a, user ? user : "", pw ? pw : "",
			       pw ? strlen(pw) : 0, &res, &err)) {
		base_error("oauth password login: %s", err.msg);
		oauth_error(resp, 500, "server_error", "login store failed");
		return;
	}
	base_info("oauth password login %s from %s: %s", user ? user : "",
		  req->client_ip, res.status);
	if (res.outcome != EMU_LOGIN_OK)
		login_refused(resp, res.outcome);
	else
		issue(org, resp, app, &res);
}

/* For flows that prove the app: the user's own policies still apply. */
static void login_as(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, const struct emu_app *app,
		     const struct emu_user *u, enum emu_login_channel ch)
{
	struct emu_login_attempt a;
	struct emu_login_result res;
	struct base_err err = BASE_ERR_INIT;

	attempt_of(req, app, ch, &a);
	if (emu_login_user(org, &a, u, &res, &err)) {
		base_error("oauth login: %s", err.msg);
		oauth_error(resp, 500, "server_error", "login store failed");
		return;
	}
	base_info("oauth login %s via %s: %s", u->username, app->name,
		  res.status);
	if (res.outcome != EMU_LOGIN_OK)
		login_refused(resp, res.outcome);
	else
		issue(org, resp, app, &res);
}

static bool generic_login_host(const char *host)
{
	return host && (strncasecmp(host, "login.salesforce.com", 20) == 0 ||
			strncasecmp(host, "test.salesforce.com", 19) == 0);
}

static void grant_client_credentials(struct emu_org *org, struct emu_req *req,
				     struct emu_resp *resp,
				     const struct emu_app *app)
{
	struct emu_user u;

	/* This flow is served by My Domain hosts only. */
	if (generic_login_host(emu_req_header(req, "Host"))) {
		oauth_error(resp, 400, "invalid_grant",
			    "request not supported on this domain");
		return;
	}
	if (!app->run_as_user_id[0] ||
	    emu_org_find_user_by_id(org, app->run_as_user_id, &u, NULL)) {
		oauth_error(resp, 400, "invalid_grant",
			    "no client credentials user enabled");
		return;
	}
	login_as(org, req, resp, app, &u, EMU_LOGIN_OAUTH_CLIENT);
}

static bool audience_ok(struct emu_org *org, const char *aud)
{
	char want[256];
	size_t n = strlen(aud);
	bool sandbox = json_is_true(json_object_get(org->conf, "sandbox"));

	while (n && aud[n - 1] == '/')
		n--;
	if (n == strlen(org->base_url) && strncmp(aud, org->base_url, n) == 0)
		return true;
	snprintf(want, sizeof(want), "https://%s.salesforce.com",
		 sandbox ? "test" : "login");
	if (n == strlen(want) && strncmp(aud, want, n) == 0)
		return true;
	snprintf(want, sizeof(want), "https://%s.my.salesforce.com",
		 emu_org_conf_str(org, "myDomain"));
	return n == strlen(want) && strncasecmp(aud, want, n) == 0;
}

static void grant_jwt(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const struct base_form *f)
{
	const char *assertion = base_form_get(f, "assertion");
	struct emu_app app;
	struct emu_jwt jwt;
	struct emu_user u;
	int64_t exp_s, now_s = emu_org_now_ms(org) / 1000;

	if (!assertion || emu_jwt_parse(assertion, &jwt, NULL) != 0) {
		oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		return;
	}
	if (emu_org_find_app(org, jwt.iss, &app, NULL) != 0) {
		oauth_error(resp, 400, "invalid_client_id",
			    "client identifier invalid");
		return;
	}
	if (!emu_app_has_flow(&app, "jwt_bearer")) {
		oauth_error(resp, 400, "unsupported_grant_type",
			    "grant type not supported");
		goto out;
	}
	if (!app.certificate ||
	    !emu_jwt_signature_ok(assertion, app.certificate)) {
		oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		goto out;
	}
	if (!audience_ok(org, jwt.aud)) {
		oauth_error(resp, 400, "invalid_grant",
			    "Audience validation failed");
		goto out;
	}
	/* Some clients send exp in milliseconds; Salesforce tolerates that. */
	exp_s = jwt.exp > 100000000000LL ? jwt.exp / 1000 : jwt.exp;
	if (!jwt.has_exp || exp_s < now_s) {
		oauth_error(resp, 400, "invalid_grant",
			    "expired authorization code");
		goto out;
	}
	if (emu_org_find_user(org, jwt.sub, &u, NULL) != 0) {
		oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		goto out;
	}
	if (!emu_org_user_preauthorized(org, &u, &app)) {
		oauth_error(resp, 400, "invalid_grant",
			    "user hasn't approved this consumer");
		goto out;
	}
	login_as(org, req, resp, &app, &u, EMU_LOGIN_OAUTH_JWT);
out:
	emu_app_release(&app);
}

static void grant_refresh(struct emu_org *org, struct emu_req *req,
			  struct emu_resp *resp, const struct base_form *f,
			  const struct emu_app *app)
{
	const char *rt = base_form_get(f, "refresh_token");
	char uid[EMU_SFID_LEN + 1];
	struct emu_user u;

	if (!rt || emu_org_refresh_get(org, rt, app->id, uid, NULL) != 0 ||
	    emu_org_find_user_by_id(org, uid, &u, NULL) != 0) {
		oauth_error(resp, 400, "invalid_grant",
			    "expired access/refresh token");
		return;
	}
	login_as(org, req, resp, app, &u, EMU_LOGIN_OAUTH_REFRESH);
}

static void token_endpoint(struct emu_org *org, struct emu_req *req,
			   struct emu_resp *resp)
{
	const char *ctype = emu_req_header(req, "Content-Type");
	struct base_form f = BASE_FORM_INIT;
	struct client_auth ca;
	struct emu_app app = {0};
	const char *grant, *flow;

	if (strcmp(req->method, "POST") != 0) {
		oauth_error(resp, 400, "invalid_request", "must use HTTP POST");
		return;
	}
	/* Salesforce reads only a form body; anything else has no grant_type. */
	if (!ctype || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0 ||
	    base_form_parse(&f, req->body, req->body_len, NULL) != 0) {
		oauth_error(resp, 400, "unsupported_grant_type",
			    "grant type not supported");
		return;
	}
	grant = base_form_get(&f, "grant_type");
	if (!grant)
		grant = "";
	if (strcmp(grant, JWT_GRANT) == 0) {
		grant_jwt(org, req, resp, &f);
		goto out;
	}
	if (!strcmp(grant, "password"))
		flow = "password";
	else if (!strcmp(grant, "client_credentials"))
		flow = "client_credentials";
	else if (!strcmp(grant, "refresh_token"))
		flow = "refresh_token";
	else {
		oauth_error(resp, 400, "unsupported_grant_type",
			    "grant type not supported");
		goto out;
	}
	if (!client_auth_of(req, &f, &ca) ||
	    emu_org_find_app(org, ca.id, &app, NULL) != 0) {
		oauth_error(resp, 400, "invalid_client_id",
			    "client identifier invalid");
		goto out;
	}
	/* The refresh flow may omit the secret; the others must prove it. */
	if ((ca.has_secret || strcmp(flow, "refresh_token") != 0) &&
	    !emu_const_eq(ca.secret, app.consumer_secret)) {
		oauth_error(resp, 400, "invalid_client",
			    "invalid client credentials");
		goto out;
	}
	if (!emu_app_has_flow(&app, flow)) {
		oauth_error(resp, 400, "unsupported_grant_type",
			    "grant type not supported");
		goto out;
	}
	if (!strcmp(flow, "password"))
		grant_password(org, req, resp, &f, &app);
	else if (!strcmp(flow, "client_credentials"))
		grant_client_credentials(org, req, resp, &app);
	else
		grant_refresh(org, req, resp, &f, &app);
out:
	explicit_bzero(&ca, sizeof(ca));
	emu_app_release(&app);
	base_form_release(&f);
}

static void revoke_endpoint(struct emu_org *org, struct emu_req *req,
			    struct emu_resp *resp)
{
	struct base_form f = BASE_FORM_INIT;
	const char *token = NULL;

	if (!strcmp(req->method, "POST") &&
	    base_form_parse(&f, req->body, req->body_len, NULL) == 0)
		token = base_form_get(&f, "token");
	if (!token)
		token = emu_req_query(req, "token");
	/* An access token ends its session; a refresh token is withdrawn. */
	if (token && (emu_org_session_revoke(org, token, NULL) == 0 ||
		      emu_org_refresh_revoke(org, token, NULL) == 0)) {
		emu_resp_start(resp, 200, "application/json;charset=UTF-8");
	} else {
		oauth_error(resp, 400, "unsupported_token_type",
			    "this token type is not supported");
	}
	base_form_release(&f);
}

/* The user behind a bearer token (or ?oauth_token=), or false. */
static bool token_user(struct emu_org *org, struct emu_req *req,
		       struct emu_user *u)
{
	const char *token = emu_req_bearer(req);
	struct emu_session s;

	if (!token)
		token = emu_req_query(req, "oauth_token");
	return token && emu_org_session_get(org, token, &s, NULL) == 0 &&
	       emu_org_find_user_by_id(org, s.user_id, u, NULL) == 0;
}

static json_t *urls_of(struct emu_org *org, const struct emu_user *u)
{
	const char *b = org->base_url;
	char o15[16];
	json_t *v;

	snprintf(o15, sizeof(o15), "%.15s", org->id);
	v = json_object();
#define URL(k, fmt, ...)                                                       \
	json_object_set_new(v, k, json_sprintf(fmt, __VA_ARGS__))
	URL("enterprise", "%s/services/Soap/c/{version}/%s", b, o15);
	URL("metadata", "%s/services/Soap/m/{version}/%s", b, o15);
	URL("partner", "%s/services/Soap/u/{version}/%s", b, o15);
	URL("rest", "%s/services/data/v{version}/", b);
	URL("sobjects", "%s/services/data/v{version}/sobjects/", b);
	URL("search", "%s/services/data/v{version}/search/", b);
	URL("query", "%s/services/data/v{version}/query/", b);
	URL("recent", "%s/services/data/v{version}/recent/", b);
	URL("tooling_soap", "%s/services/Soap/T/{version}/%s", b, o15);
	URL("tooling_rest", "%s/services/data/v{version}/tooling/", b);
	URL("profile", "%s/%s", b, u->id);
	URL("custom_domain", "%s", b);
#undef URL
	return v;
}

static json_t *identity_json(struct emu_org *org, const struct emu_user *u,
			     bool openid)
{
	char id_url[256], full[300];
	json_t *v;

	snprintf(id_url, sizeof(id_url), "%s/id/%s/%s", org->base_url, org->id,
		 u->id);
	snprintf(full, sizeof(full), "%s%s%s", u->first_name,
		 u->first_name[0] ? " " : "", u->last_name);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s,"
		      " s:b, s:s, s:s, s:s}",
		      openid ? "sub" : "id", id_url, "user_id", u->id,
		      "organization_id", org->id, openid ? "preferred_username"
							  : "username",
		      u->username, "email", u->email, "email_verified", true,
		      openid ? "given_name" : "first_name", u->first_name,
		      openid ? "family_name" : "last_name", u->last_name,
		      openid ? "name" : "display_name", full,
		      openid ? "zoneinfo" : "timezone", u->time_zone, "active",
		      true, "user_type",
		      strcmp(u->user_type, "Standard") == 0 ? "STANDARD"
							     : u->user_type,
		      "language", "en_US", "locale", "en_US");
	json_object_set_new(v, openid ? "nickname" : "nick_name",
			    json_string(u->username));
	json_object_set_new(v, "urls", urls_of(org, u));
	json_object_set_new(v, "is_app_installed", json_true());
	if (!openid) {
		json_object_set_new(v, "asserted_user", json_true());
		json_object_set_new(v, "status",
				    json_pack("{s:n, s:n}", "created_date",
					      "body"));
	}
	return v;
}

static void bad_token(struct emu_resp *resp)
{
	emu_resp_start(resp, 403, "text/plain;charset=UTF-8");
	base_buf_puts(&resp->body, "Bad_OAuth_Token");
}

void emu_oauth_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest)
{
	struct emu_user u;

	if (!strcmp(rest, "/token")) {
		token_endpoint(org, req, resp);
	} else if (!strcmp(rest, "/revoke")) {
		revoke_endpoint(org, req, resp);
	} else if (!strcmp(rest, "/userinfo")) {
		if (!token_user(org, req, &u)) {
			bad_token(resp);
			return;
		}
		json_t *v = identity_json(org, &u, true);
		emu_reply_json(resp, 200, v);
		json_decref(v);
	} else {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
	}
}

void emu_identity_handle(struct emu_org *org, struct emu_req *req,
			 struct emu_resp *resp, const char *rest)
{
	char oid[EMU_SFID_LEN + 1], uid[EMU_SFID_LEN + 1];
	char a[32], b[32];
	struct emu_user u;
	json_t *v;

	if (sscanf(rest, "/%31[A-Za-z0-9]/%31[A-Za-z0-9]", a, b) != 2 ||
	    !emu_sfid_to18(a, oid) || !emu_sfid_to18(b, uid)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	if (!token_user(org, req, &u)) {
		bad_token(resp);
		return;
	}
	/* A token may read only its own identity. */
	if (strcmp(oid, org->id) != 0 || strcmp(uid, u.id) != 0) {
		emu_resp_start(resp, 403, "text/plain;charset=UTF-8");
		base_buf_puts(&resp->body, "Bad_Id");
		return;
	}
	v = identity_json(org, &u, false);
	emu_reply_json(resp, 200, v);
	json_decref(v);
}
