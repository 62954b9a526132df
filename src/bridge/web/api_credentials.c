/* api_credentials.c - /api/v1/salesforce: the credentials (Save = validate, Test, clear) and the validation history. */
#include "bridge/web/web_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/log.h"
#include "bridge/creds/creds.h"
#include "sf/secret.h"
#include "base/banned.h"

#define VALIDATIONS_DEFAULT 20

/*
 * The GET shape: sfb_creds_result_json's {"valid", "active", "method",
 * "org", "user", "diagnoses"} plus what is stored, never a secret's value:
 * {"configured", "login", "username", "consumerKey" (when any), "secrets":
 * {name: stored?}, "refused", "validatedAt"}. New reference.
 */
static json_t *creds_json(const struct sfb_creds_result *r)
{
	json_t *v = sfb_creds_result_json(r);
	char when[40] = "";

	if (r->validated_ms > 0)
		base_time_format_iso(r->validated_ms, when, sizeof(when));
	if (json_object_update_new(
		    v, json_pack("{s:b, s:s?, s:s?, s:s*, s:{s:b, s:b, s:b, "
				 "s:b}, s:b, s:s?}",
				 "configured", r->active, "login",
				 r->active && r->login[0] ? r->login : NULL,
				 "username",
				 r->username[0] ? r->username : NULL,
				 "consumerKey",
				 r->consumer_key[0] ? r->consumer_key : NULL,
				 "secrets", "password", r->has_password,
				 "securityToken", r->has_token,
				 "consumerSecret", r->has_consumer_secret,
				 "privateKey", r->has_private_key, "refused",
				 r->refused, "validatedAt",
				 when[0] ? when : NULL)) != 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* 500 after logging what sfbridge itself failed at (err has no secret). */
static void internal(struct web_ctx *c, const char *what,
		     const struct base_err *err)
{
	char msg[200];

	base_error("web: %s: %s", what, err->msg);
	snprintf(msg, sizeof(msg),
		 "sfbridge could not %s (an internal error; the server log "
		 "says more)",
		 what);
	web_api_error(c, 500, "internal", msg, NULL);
}

/* 200 with the GET shape of what is active now (no network call). */
static void reply_show(struct web_ctx *c, struct sfb_creds *cc)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds_result r;

	if (sfb_creds_show(cc, &r, &err) < 0)
		internal(c, "read the credentials", &err);
	else
		web_api_reply(c, 200, creds_json(&r));
	sfb_creds_result_release(&r);
}

/*
 * What a validation that ran found: valid, the GET shape; else 502
 * salesforce_unavailable when Salesforce could not be reached (exit 3), or
 * 422 credentials_invalid, with every diagnosis.
 */
static void reply_validation(struct web_ctx *c, struct sfb_creds *cc,
			     const struct sfb_creds_result *r,
			     const char *invalid_msg)
{
	if (r->valid) {
		reply_show(c, cc);
		return;
	}
	if (sfb_creds_result_exit(r) == 3)
		web_api_error(c, 502, "salesforce_unavailable",
			      "Salesforce could not be reached or did not "
			      "answer: nothing changed; see the diagnoses",
			      sfb_diags_to_json(&r->diags));
	else
		web_api_error(c, 422, "credentials_invalid", invalid_msg,
			      sfb_diags_to_json(&r->diags));
}

/* The credentials handle, or NULL after answering 500. */
static struct sfb_creds *creds_open(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds *cc = NULL;

	if (web_creds(c, &cc, &err) != 0)
		internal(c, "open the credentials", &err);
	return cc;
}

void web_api_credentials_get(struct web_ctx *c)
{
	struct sfb_creds *cc = creds_open(c);

	if (cc)
		reply_show(c, cc);
	sfb_creds_close(cc);
}

/* The JSON keys of PUT's secrets, in the order of struct secrets. */
static const char *const secret_keys[] = {"password", "securityToken",
					  "consumerSecret", "privateKey"};

/*
 * Wipes a JSON string's bytes in place: jansson frees without wiping, and
 * these held a secret. (jansson owns the bytes; they are writable.)
 */
static void wipe_string(json_t *v)
{
	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v),
			       json_string_length(v));
}

/*
 * PUT: Save = validate, with the body's fields (every one optional; a
 * secret left out keeps the stored one when method, login and username
 * are unchanged, like the web form; "" sends none). Nothing is activated
 * unless the candidate passes.
 */
void web_api_credentials_put(struct web_ctx *c)
{
	static const char *const keys[] = {
		"method",	 "login",	   "username",
		"password",	 "securityToken", "consumerKey",
		"consumerSecret", "privateKey",	   NULL};
	struct sfb_save_opts opts = {.keep_stored_secrets = true};
	struct base_err err = BASE_ERR_INIT;
	struct sfb_candidate cand = {.method = SFB_METHOD_PASSWORD};
	struct sf_secret *sec[4] = {NULL};
	struct sfb_creds_result r;
	struct sfb_creds *cc = NULL;
	json_t *body = web_api_body(c, keys, false);
	const char *method, *key;
	json_t *val;

	sfb_creds_result_init(&r);
	if (!body)
		return;
	json_object_foreach(body, key, val) {
		if (!json_is_string(val)) {
			web_api_bad_field(c, key, "a string");
			goto out;
		}
	}
	method = json_string_value(json_object_get(body, "method"));
	if (method && sfb_method_parse(method, &cand.method) != 0) {
		web_api_bad_field(c, "method",
				  "\"password\", \"client_credentials\" or "
				  "\"jwt\"");
		goto out;
	}
	cand.login = json_string_value(json_object_get(body, "login"));
	cand.username = json_string_value(json_object_get(body, "username"));
	cand.consumer_key =
		json_string_value(json_object_get(body, "consumerKey"));
	for (int i = 0; i < 4; i++) {
		val = json_object_get(body, secret_keys[i]);
		if (!val)
			continue;
		sec[i] = sf_secret_new(json_string_value(val),
				       json_string_length(val));
		if (!sec[i]) {
			web_api_error(c, 500, "internal", "out of memory",
				      NULL);
			goto out;
		}
	}
	cand.password = sec[0];
	cand.token = sec[1];
	cand.consumer_secret = sec[2];
	cand.private_key = sec[3];
	cc = creds_open(c);
	if (!cc)
		goto out;
	if (sfb_creds_save(cc, &cand, &opts, &r, &err) < 0) {
		internal(c, "save the credentials", &err);
		goto out;
	}
	base_info("web: credentials Save by '%s' for '%s' (api): %s",
		  c->admin.email, cand.username ? cand.username : "",
		  r.valid ? "valid" : "not valid");
	reply_validation(c, cc, &r,
			 r.prev_active
				 ? "these credentials did not pass, so they "
				   "were not saved; the credentials that were "
				   "working stay active"
				 : "these credentials did not pass, so they "
				   "were not saved");
out:
	sfb_creds_close(cc);
	sfb_creds_result_release(&r);
	for (int i = 0; i < 4; i++) {
		sf_secret_free(sec[i]);
		wipe_string(json_object_get(body, secret_keys[i]));
	}
	json_decref(body);
}

void web_api_credentials_delete(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds_result r;
	struct sfb_creds *cc = creds_open(c);

	sfb_creds_result_init(&r);
	if (!cc)
		return;
	if (sfb_creds_clear(cc, &r, &err) < 0) {
		internal(c, "clear the credentials", &err);
	} else {
		base_info("web: credentials cleared by '%s' (api)",
			  c->admin.email);
		/* The headers of every reply; 204 has no body. */
		web_json_reply(c->resp, 204, "");
		base_buf_reset(&c->resp->body);
	}
	sfb_creds_result_release(&r);
	sfb_creds_close(cc);
}

/*
 * POST .../test {"again": bool} (body optional): one login and the
 * preflight with the active credentials. While the lockout guard holds
 * them, and `again` isn't true, no network call: 409 lockout_guard.
 */
void web_api_credentials_test(struct web_ctx *c)
{
	static const char *const keys[] = {"again", NULL};
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds_result r;
	struct sfb_creds *cc = NULL;
	json_t *body = web_api_body(c, keys, true), *again;

	sfb_creds_result_init(&r);
	if (!body)
		return;
	again = json_object_get(body, "again");
	if (again && !json_is_boolean(again)) {
		web_api_bad_field(c, "again", "true or false");
		goto out;
	}
	cc = creds_open(c);
	if (!cc)
		goto out;
	if (sfb_creds_test(cc, json_is_true(again), &r, &err) < 0) {
		internal(c, "test the credentials", &err);
		goto out;
	}
	if (!r.active) {
		web_api_error(c, 404, "no_credentials",
			      "no credentials are saved: PUT "
			      "/api/v1/salesforce/credentials first",
			      NULL);
	} else if (r.refused && !r.attempted) {
		web_api_error(c, 409, "lockout_guard",
			      "Salesforce refused these credentials before, "
			      "so sfbridge did not try them again (no login "
			      "was made): fix the cause, then send "
			      "{\"again\": true} for one attempt, or save new "
			      "credentials",
			      sfb_diags_to_json(&r.diags));
	} else {
		base_info("web: credentials test by '%s' (api): %s",
			  c->admin.email, r.valid ? "valid" : "not valid");
		reply_validation(c, cc, &r,
				 "the active credentials did not pass");
	}
out:
	sfb_creds_close(cc);
	sfb_creds_result_release(&r);
	json_decref(body);
}

/* "1".."max" exactly (no sign, no spaces); false otherwise. */
static bool parse_count(const char *s, long long max, long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' && *out >= 1 && *out <= max;
}

/* The query's parameters; false after answering 400 invalid_parameter. */
static bool validations_query(struct web_ctx *c, long long *limit,
			      long long *before)
{
	struct base_err err = BASE_ERR_INIT;
	struct base_form q = BASE_FORM_INIT;
	const char *msg = NULL;
	bool ok;

	*limit = VALIDATIONS_DEFAULT;
	*before = 0;
	if (base_form_parse(&q, c->req->raw_query, strlen(c->req->raw_query),
			    &err) != 0)
		msg = "the query string could not be read";
	for (int i = 0; !msg && i < q.n; i++)
		if (strcmp(q.pairs[i].name, "limit") != 0 &&
		    strcmp(q.pairs[i].name, "before") != 0)
			msg = "unknown parameter: the parameters are 'limit' "
			      "and 'before'";
	if (!msg && (base_form_count(&q, "limit") > 1 ||
		     base_form_count(&q, "before") > 1))
		msg = "a parameter is repeated";
	if (!msg && base_form_get(&q, "limit") &&
	    !parse_count(base_form_get(&q, "limit"), SFB_VALIDATIONS_MAX,
			 limit))
		msg = "'limit' must be an integer from 1 to 100";
	if (!msg && base_form_get(&q, "before") &&
	    !parse_count(base_form_get(&q, "before"), LLONG_MAX, before))
		msg = "'before' must be a positive integer (a validation's id)";
	ok = msg == NULL;
	if (!ok)
		web_api_error(c, 400, "invalid_parameter", msg, NULL);
	base_form_release(&q);
	return ok;
}

/*
 * GET .../validations?limit=N&before=ID: {"validations": [newest first],
 * "next": the address of the next page, or null when there is none}.
 */
void web_api_validations(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds *cc = NULL;
	json_t *list = NULL, *more = NULL, *next = NULL;
	long long limit, before, last;
	char url[128];

	if (!validations_query(c, &limit, &before))
		return;
	cc = creds_open(c);
	if (!cc)
		return;
	if (sfb_creds_validations(cc, (int)limit, before, &list, &err) != 0)
		goto fail;
	/* A next page only when a row is left past this one. */
	if (json_array_size(list) == (size_t)limit) {
		last = json_integer_value(json_object_get(
			json_array_get(list, json_array_size(list) - 1),
			"id"));
		if (sfb_creds_validations(cc, 1, last, &more, &err) != 0)
			goto fail;
		if (json_array_size(more) > 0) {
			snprintf(url, sizeof(url),
				 "/api/v1/salesforce/validations?limit=%lld&"
				 "before=%lld",
				 limit, last);
			next = json_string(url);
		}
	}
	web_api_reply(c, 200,
		      json_pack("{s:O, s:o}", "validations", list, "next",
				next ? next : json_null()));
	goto out;
fail:
	internal(c, "read the validation history", &err);
out:
	json_decref(list);
	json_decref(more);
	sfb_creds_close(cc);
}
