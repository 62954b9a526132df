/* api.c - the JSON API under /api/v1: routes, authentication, errors, bodies, the integrations and the usage ledger. */
#include "bridge/web/web_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/datetime.h"
#include "base/log.h"
#include "bridge/integrations/integrations.h"
#include "bridge/store/usage.h"
#include "base/banned.h"

#define API_PREFIX "/api/v1"

void web_api_reply(struct web_ctx *c, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;

	web_json_reply(c->resp, text ? status : 500,
		       text ? text
			    : "{\"error\":{\"code\":\"internal\",\"message\":"
			      "\"out of memory\",\"diagnoses\":[]}}");
	free(text);
	json_decref(v);
}

void web_api_error(struct web_ctx *c, int status, const char *code,
		   const char *message, json_t *diags)
{
	web_api_reply(c, status,
		      json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code,
				"message", message, "diagnoses",
				diags ? diags : json_array()));
}

void web_api_bad_field(struct web_ctx *c, const char *key, const char *want)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "'%.64s' must be %s", key, want);
	web_api_error(c, 400, "invalid_field", msg, NULL);
}

static bool is_json(const struct sfb_req *req)
{
	const char *ct = sfb_req_header(req, "Content-Type");

	return ct && strncasecmp(ct, "application/json", 16) == 0 &&
	       (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static bool key_known(const char *k, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcmp(k, *keys))
			return true;
	return false;
}

json_t *web_api_body(struct web_ctx *c, const char *const *keys,
		     bool empty_ok)
{
	struct base_buf msg = BASE_BUF_INIT(1024);
	json_error_t jerr;
	json_t *body, *val;
	const char *k;

	if (empty_ok && c->req->body_len == 0)
		return json_object();
	if (!is_json(c->req)) {
		web_api_error(c, 415, "unsupported_media_type",
			      "send the body as application/json", NULL);
		return NULL;
	}
	body = json_loadb(c->req->body, c->req->body_len,
			  JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		web_api_error(c, 400, "malformed_json",
			      "the body must be one JSON object", NULL);
		return NULL;
	}
	json_object_foreach(body, k, val) {
		if (key_known(k, keys))
			continue;
		base_buf_printf(&msg, "unknown field '%.64s': the fields are ",
				k);
		for (const char *const *p = keys; *p; p++)
			base_buf_printf(&msg, "%s'%s'", p == keys ? "" : ", ",
					*p);
		web_api_error(c, 400, "unknown_field", base_buf_str(&msg),
			      NULL);
		base_buf_release(&msg);
		json_decref(body);
		return NULL;
	}
	return body;
}

/* The bearer token of the request, or NULL. Borrowed. */
static const char *bearer(const struct web_ctx *c)
{
	const char *h = sfb_req_header(c->req, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

/*
 * Authenticates the call: a bearer token, else the session cookie; for a
 * session, every method but GET and HEAD needs X-CSRF-Token. Answers 401
 * or 403 itself and returns false when the call may not go on.
 */
static bool authenticate(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	const char *tok = bearer(c);

	if (tok) {
		if (!web_db(c)) {
			web_api_error(c, 500, "internal",
				      "the store is not available", NULL);
			return false;
		}
		if (sfb_auth_token_check(c->db, c->w->workspace, tok,
					 base_time_now_ms(), &c->admin,
					 &err) != 0) {
			if (err.code != BASE_ENOTFOUND)
				base_error("web: api token: %s", err.msg);
			web_api_error(c, 401, "unauthenticated",
				      "the API token is unknown or revoked",
				      NULL);
			sfb_resp_header(c->resp, "WWW-Authenticate",
					"Bearer realm=\"sfbridge\", "
					"error=\"invalid_token\"");
			return false;
		}
		c->authed = c->via_token = true;
		return true;
	}
	web_load_session(c);
	if (!c->authed) {
		web_api_error(c, 401, "unauthenticated",
			      "sign in, or send an API token as "
			      "'Authorization: Bearer sfb_...'",
			      NULL);
		sfb_resp_header(c->resp, "WWW-Authenticate",
				"Bearer realm=\"sfbridge\"");
		return false;
	}
	if (!web_is_get(c->req) &&
	    !sfb_auth_csrf_ok(c->session, "session",
			      sfb_req_header(c->req, "X-CSRF-Token"))) {
		web_api_error(c, 403, "csrf_token_invalid",
			      "a call signed in by cookie needs the session's "
			      "X-CSRF-Token header",
			      NULL);
		return false;
	}
	return true;
}

/* ---- the integrations ---- */

/*
 * {"name", "label", "description", "enabled", "locked", "lockedReason"
 * (only when locked), "changedAt", "changedBy" (null: never switched)}.
 */
static json_t *integration_json(const struct sfb_integration_def *in,
				const struct sfb_integration_state *s,
				const char *reason)
{
	char when[40] = "";

	if (s->changed_ms > 0)
		base_time_format_iso(s->changed_ms, when, sizeof(when));
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:s*, s:s?, s:s?}", "name",
			 in->key, "label", in->name, "description", in->about,
			 "enabled", s->enabled, "locked", reason != NULL,
			 "lockedReason", reason, "changedAt",
			 when[0] ? when : NULL, "changedBy",
			 s->changed_by[0] ? s->changed_by : NULL);
}

/* One integration's object, or NULL after answering 500. */
static json_t *integration_read(struct web_ctx *c,
				const struct sfb_integration_def *in,
				const char *reason)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_integration_state s;

	if (!web_db(c) || sfb_integration_get(c->db, c->w->workspace, in->key,
					      &s, &err) != 0) {
		if (c->db)
			base_error("web: read integration '%s': %s", in->key,
				   err.msg);
		web_api_error(c, 500, "internal",
			      "the integrations could not be read", NULL);
		return NULL;
	}
	return integration_json(in, &s, reason);
}

static void get_integrations(struct web_ctx *c)
{
	struct web_conn_status st;
	json_t *list = json_array(), *one;

	web_conn_status(c, &st);
	for (int i = 0; i < sfb_n_integrations; i++) {
		one = integration_read(c, &sfb_integrations[i],
				       web_lock_reason(&st));
		if (!one) {
			json_decref(list);
			return;
		}
		json_array_append_new(list, one);
	}
	web_api_reply(c, 200, json_pack("{s:o}", "integrations", list));
}

/* The integration the path names (routes guarantee the prefix), or NULL
 * after answering 404. */
static const struct sfb_integration_def *path_integration(struct web_ctx *c)
{
	static const char prefix[] = API_PREFIX "/integrations/";
	const struct sfb_integration_def *in =
		sfb_integration_find(c->req->path + sizeof(prefix) - 1);

	if (!in)
		web_api_error(c, 404, "not_found",
			      "no such integration: see GET "
			      "/api/v1/integrations",
			      NULL);
	return in;
}

static void get_integration(struct web_ctx *c)
{
	const struct sfb_integration_def *in = path_integration(c);
	struct web_conn_status st;
	json_t *v;

	if (!in)
		return;
	web_conn_status(c, &st);
	v = integration_read(c, in, web_lock_reason(&st));
	if (v)
		web_api_reply(c, 200, v);
}

/*
 * {"enabled": bool}: switches it (sfb_integration_set, by the admin's
 * email). Turning one on while locked is 409 and stores nothing.
 */
static void patch_integration(struct web_ctx *c)
{
	static const char *const keys[] = {"enabled", NULL};
	const struct sfb_integration_def *in = path_integration(c);
	struct base_err err = BASE_ERR_INIT;
	struct web_conn_status st;
	json_t *body = NULL, *enabled, *v;

	if (!in)
		return;
	body = web_api_body(c, keys, false);
	if (!body)
		return;
	enabled = json_object_get(body, "enabled");
	if (!json_is_boolean(enabled)) {
		web_api_bad_field(c, "enabled", "true or false");
		goto out;
	}
	web_conn_status(c, &st);
	if (!web_db(c)) {
		web_api_error(c, 500, "internal", "the store is not available",
			      NULL);
		goto out;
	}
	if (sfb_integration_set(c->db, c->w->workspace, in->key,
				json_is_true(enabled), web_lock_reason(&st),
				c->admin.email, base_time_now_ms(),
				&err) != 0) {
		if (err.code == BASE_EINVAL) {
			web_api_error(c, 409, "integration_locked", err.msg,
				      NULL);
			goto out;
		}
		base_error("web: switch integration '%s': %s", in->key,
			   err.msg);
		web_api_error(c, 500, "internal",
			      "the integration could not be switched", NULL);
		goto out;
	}
	base_info("web: integration '%s' switched %s by '%s'", in->key,
		  json_is_true(enabled) ? "on" : "off", c->admin.email);
	v = integration_read(c, in, web_lock_reason(&st));
	if (v)
		web_api_reply(c, 200, v);
out:
	json_decref(body);
}

/* ---- the API usage ledger ---- */

static json_t *iso_or_null(int64_t ms)
{
	char when[40];

	if (ms <= 0)
		return json_null();
	base_time_format_iso(ms, when, sizeof(when));
	return json_string(when);
}

/* The last 24 hours of what sfbridge spent of the org's allowance. */
static void get_usage(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_usage_day d;
	json_t *hours = json_array();

	if (!web_db(c) || sfb_usage_last_day(c->db, c->w->workspace,
					     base_time_now_ms(), &d,
					     &err) != 0) {
		if (c->db)
			base_error("web: read the usage ledger: %s", err.msg);
		web_api_error(c, 500, "internal",
			      "the usage ledger could not be read", NULL);
		json_decref(hours);
		return;
	}
	for (int i = 0; i < SFB_USAGE_HOURS; i++)
		json_array_append_new(hours,
				      json_pack("{s:o, s:I, s:I}", "hour",
						iso_or_null(d.hour_ms[i]),
						"logins",
						(json_int_t)d.logins[i],
						"requests",
						(json_int_t)d.requests[i]));
	web_api_reply(
		c, 200,
		json_pack("{s:o, s:{s:I, s:I}, s:o}", "hours", hours, "totals",
			  "logins", (json_int_t)d.total_logins, "requests",
			  (json_int_t)d.total_requests, "org",
			  d.org_used < 0
				  ? json_null()
				  : json_pack("{s:I, s:I, s:o}", "used",
					      (json_int_t)d.org_used, "max",
					      (json_int_t)d.org_max, "seenAt",
					      iso_or_null(d.org_seen_ms))));
}

/* ---- the OpenAPI document ---- */

/* web/bridge/openapi.json, loaded at start like the templates. */
static void get_openapi(struct web_ctx *c)
{
	web_json_reply(c->resp, 200, sfb_tmpl_file(c->w->tmpl, "openapi.json",
						   NULL));
}

/* ---- routes ---- */

typedef void (*api_fn)(struct web_ctx *c);

/*
 * Every path of /api/v1 and the handler of each method (GET also answers
 * HEAD). A path ending in '/' takes one more segment (a name). The list is
 * a contract: web/bridge/openapi.json describes exactly these (a test
 * compares them).
 */
static const struct api_route {
	const char *path;
	bool open; /* served without authentication */
	api_fn get, put, post, patch, del;
} routes[] = {
	{"/openapi.json", true, get_openapi, NULL, NULL, NULL, NULL},
	{"/salesforce/credentials", false, web_api_credentials_get,
	 web_api_credentials_put, NULL, NULL, web_api_credentials_delete},
	{"/salesforce/credentials/test", false, NULL, NULL,
	 web_api_credentials_test, NULL, NULL},
	{"/salesforce/validations", false, web_api_validations, NULL, NULL,
	 NULL, NULL},
	{"/salesforce/usage", false, get_usage, NULL, NULL, NULL, NULL},
	{"/integrations", false, get_integrations, NULL, NULL, NULL, NULL},
	{"/integrations/", false, get_integration, NULL, NULL,
	 patch_integration, NULL},
};

static const struct api_route *find_route(const char *rest)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *p = routes[i].path;
		size_t n = strlen(p);

		if (p[n - 1] != '/' ? !strcmp(rest, p)
				    : !strncmp(rest, p, n) && rest[n] &&
					      !strchr(rest + n, '/'))
			return &routes[i];
	}
	return NULL;
}

/* The handler of the request's method, or NULL; `allow` gets the list. */
static api_fn route_method(const struct api_route *r, const char *method,
			   char *allow, size_t n)
{
	const struct {
		const char *name;
		api_fn fn;
	} m[] = {{"GET", r->get},	{"HEAD", r->get}, {"PUT", r->put},
		 {"POST", r->post},	{"PATCH", r->patch},
		 {"DELETE", r->del}};
	api_fn found = NULL;
	size_t w = 0;

	allow[0] = '\0';
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (!m[i].fn)
			continue;
		if (!strcmp(method, m[i].name))
			found = m[i].fn;
		w += (size_t)snprintf(allow + w, w < n ? n - w : 0, "%s%s",
				      w ? ", " : "", m[i].name);
	}
	return found;
}

void web_api(struct web_ctx *c, const char *rest)
{
	const struct api_route *r = find_route(rest);
	char allow[64], msg[160];
	api_fn fn;

	if (!(r && r->open) && !authenticate(c))
		return;
	if (!r) {
		web_api_error(c, 404, "not_found",
			      "no such API endpoint: see "
			      "/api/v1/openapi.json",
			      NULL);
		return;
	}
	fn = route_method(r, c->req->method, allow, sizeof(allow));
	if (!fn) {
		snprintf(msg, sizeof(msg), "this endpoint takes %s", allow);
		web_api_error(c, 405, "method_not_allowed", msg, NULL);
		sfb_resp_header(c->resp, "Allow", allow);
		return;
	}
	fn(c);
}
