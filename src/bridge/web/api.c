/* api.c - the JSON API under /api/v1: bearer token or session + X-CSRF-Token; errors as {"error": {...}}. */
#include "bridge/web/web_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/datetime.h"
#include "base/log.h"
#include "bridge/integrations/integrations.h"
#include "base/banned.h"

/* The largest JSON document a reply may hold. */
#define API_REPLY_MAX (1024u * 1024)

/* Takes a reference of v. */
static void reply(struct web_ctx *c, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;

	sfb_resp_start(c->resp, text ? status : 500, "application/json");
	web_security_headers(c->resp);
	sfb_resp_header(c->resp, "Cache-Control", "no-store");
	base_buf_puts(&c->resp->body,
		      text ? text
			   : "{\"error\":{\"code\":\"internal\",\"message\":"
			     "\"reply too large\",\"diagnoses\":[]}}");
	base_buf_putc(&c->resp->body, '\n');
	free(text);
	json_decref(v);
}

/* {"error": {"code", "message", "diagnoses": []}} */
static void api_error(struct web_ctx *c, int status, const char *code,
		      const char *message)
{
	reply(c, status,
	      json_pack("{s:{s:s, s:s, s:[]}}", "error", "code", code,
			"message", message, "diagnoses"));
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
			api_error(c, 500, "internal", "the store is not available");
			return false;
		}
		if (sfb_auth_token_check(c->db, c->w->workspace, tok,
					 base_time_now_ms(), &c->admin,
					 &err) != 0) {
			if (err.code != BASE_ENOTFOUND)
				base_error("web: api token: %s", err.msg);
			api_error(c, 401, "unauthenticated",
				  "the API token is unknown or revoked");
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
		api_error(c, 401, "unauthenticated",
			  "sign in, or send an API token as 'Authorization: "
			  "Bearer sfb_...'");
		sfb_resp_header(c->resp, "WWW-Authenticate",
				"Bearer realm=\"sfbridge\"");
		return false;
	}
	if (!web_is_get(c->req) &&
	    !sfb_auth_csrf_ok(c->session, "session",
			      sfb_req_header(c->req, "X-CSRF-Token"))) {
		api_error(c, 403, "csrf_token_invalid",
			  "a call signed in by cookie needs the session's "
			  "X-CSRF-Token header");
		return false;
	}
	return true;
}

static json_t *integration_json(const struct sfb_integration_def *in,
				const char *reason)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:s?}", "name", in->key, "label",
			 in->name, "enabled", 0, "locked", reason != NULL,
			 "lockedReason", reason);
}

static void get_integrations(struct web_ctx *c)
{
	struct web_conn_status st;
	const char *reason;
	json_t *list = json_array();

	web_conn_status(c, &st);
	reason = web_lock_reason(&st);
	for (int i = 0; i < sfb_n_integrations; i++)
		json_array_append_new(list,
				      integration_json(&sfb_integrations[i],
						       reason));
	reply(c, 200, json_pack("{s:o}", "integrations", list));
}

static bool is_json(const struct sfb_req *req)
{
	const char *ct = sfb_req_header(req, "Content-Type");

	return ct && strncasecmp(ct, "application/json", 16) == 0 &&
	       (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static void patch_integration(struct web_ctx *c,
			      const struct sfb_integration_def *in)
{
	json_error_t jerr;
	json_t *body = NULL, *enabled;
	const char *k;
	json_t *val;
	struct web_conn_status st;
	const char *reason;

	if (!is_json(c->req)) {
		api_error(c, 415, "unsupported_media_type",
			  "send the body as application/json");
		return;
	}
	body = json_loadb(c->req->body, c->req->body_len, JSON_REJECT_DUPLICATES,
			  &jerr);
	if (!body || !json_is_object(body)) {
		api_error(c, 400, "malformed_json",
			  "the body must be a JSON object like "
			  "{\"enabled\": true}");
		goto out;
	}
	json_object_foreach(body, k, val) {
		if (strcmp(k, "enabled") != 0) {
			char msg[160];

			snprintf(msg, sizeof(msg),
				 "unknown field '%.64s': only 'enabled' may be "
				 "set",
				 k);
			api_error(c, 400, "unknown_field", msg);
			goto out;
		}
	}
	enabled = json_object_get(body, "enabled");
	if (!json_is_boolean(enabled)) {
		api_error(c, 400, "invalid_field",
			  "'enabled' must be true or false");
		goto out;
	}
	web_conn_status(c, &st);
	reason = web_lock_reason(&st);
	if (reason) {
		char msg[300];

		snprintf(msg, sizeof(msg), "%s: %s", in->name, reason);
		api_error(c, 409, "integration_locked", msg);
		goto out;
	}
	api_error(c, 501, "not_implemented",
		  "turning integrations on and off comes with the sync "
		  "feature");
out:
	json_decref(body);
}

void web_api(struct web_ctx *c, const char *rest)
{
	const struct sfb_integration_def *in;

	if (!authenticate(c))
		return;
	if (!strcmp(rest, "/integrations")) {
		if (web_is_get(c->req))
			get_integrations(c);
		else {
			api_error(c, 405, "method_not_allowed",
				  "use GET on /api/v1/integrations");
			sfb_resp_header(c->resp, "Allow", "GET, HEAD");
		}
		return;
	}
	if (!strncmp(rest, "/integrations/", 14)) {
		in = sfb_integration_find(rest + 14);
		if (!in) {
			api_error(c, 404, "not_found", "no such integration");
			return;
		}
		if (web_is_get(c->req)) {
			struct web_conn_status st;

			web_conn_status(c, &st);
			reply(c, 200,
			      integration_json(in, web_lock_reason(&st)));
		} else if (!strcmp(c->req->method, "PATCH")) {
			patch_integration(c, in);
		} else {
			api_error(c, 405, "method_not_allowed",
				  "use GET or PATCH on an integration");
			sfb_resp_header(c->resp, "Allow", "GET, HEAD, PATCH");
		}
		return;
	}
	api_error(c, 404, "not_found", "no such API endpoint");
}
