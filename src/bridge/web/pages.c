/* pages.c - what the console's pages share (the connection's state, diagnoses, notices) and the credentials form. */
#include "bridge/web/pages.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "bridge/creds/creds.h"
#include "bridge/integrations/integrations.h"
#include "sf/secret.h"
#include "base/banned.h"

/* ---- the connection's state, as the credentials feature reports it ---- */

int web_creds_read(struct web_ctx *c, struct sfb_creds_result *r,
		   long long *failures, json_t **history)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds *cc = NULL;
	int rc;

	sfb_creds_result_init(r);
	if (failures)
		*failures = -1;
	if (history)
		*history = NULL;
	rc = web_creds(c, &cc, &err);
	if (rc == 0)
		rc = sfb_creds_show(cc, r, &err);
	if (rc == 0 && failures && r->active && r->refused)
		rc = sfb_creds_recent_failures(cc, r->username, failures, &err);
	if (rc == 0 && history)
		rc = sfb_creds_validations(cc, WEB_HISTORY_ROWS, 0, history,
					   &err);
	sfb_creds_close(cc);
	if (rc < 0) {
		base_error("web: read the credentials: %s", err.msg);
		/* Nothing half-read is shown. */
		sfb_creds_result_release(r);
		sfb_creds_result_init(r);
		return -1;
	}
	return 0;
}

bool web_admin_post(struct web_ctx *c, const char *allow)
{
	if (strcmp(c->req->method, "POST") != 0) {
		web_bad_method(c, allow);
		return false;
	}
	return web_parse_form(c) == 0 && web_require_admin(c);
}

void web_status_from(const struct sfb_creds_result *r, bool failed,
			struct web_conn_status *st)
{
	const struct sfb_diag *e = sfb_diags_cause(&r->diags);
	const struct sfb_diag_def *def = e ? sfb_diag_def(e->id) : NULL;

	memset(st, 0, sizeof(*st));
	st->sandbox = -1;
	st->failed = failed;
	if (failed) {
		snprintf(st->lock_reason, sizeof(st->lock_reason),
			 "Locked: the console could not read the saved "
			 "credentials. Try again in a moment.");
		return;
	}
	st->connected = r->active;
	st->valid = r->active && r->valid;
	st->refused = r->active && r->refused;
	snprintf(st->username, sizeof(st->username), "%s",
		 r->facts.username[0] ? r->facts.username : r->username);
	snprintf(st->org_name, sizeof(st->org_name), "%s", r->facts.org_name);
	snprintf(st->edition, sizeof(st->edition), "%s", r->facts.edition);
	snprintf(st->instance_url, sizeof(st->instance_url), "%s",
		 r->facts.instance_url);
	/* A stored row has the org's id once a login read the org. */
	if (r->facts.org_known || r->facts.org_id[0])
		st->sandbox = r->facts.sandbox;
	st->validated_ms = r->validated_ms;
	if (def) {
		snprintf(st->problem, sizeof(st->problem), "%s", def->code);
		snprintf(st->problem_title, sizeof(st->problem_title), "%s",
			 def->title);
	}
	if (!sfb_integrations_lock_reason(r, st->lock_reason,
					  sizeof(st->lock_reason)))
		st->lock_reason[0] = '\0';
}

void web_conn_status(struct web_ctx *c, struct web_conn_status *st)
{
	struct sfb_creds_result r;
	int rc = web_creds_read(c, &r, NULL, NULL);

	web_status_from(&r, rc != 0, st);
	sfb_creds_result_release(&r);
}

const char *web_lock_reason(const struct web_conn_status *st)
{
	return st->lock_reason[0] ? st->lock_reason : NULL;
}

/* ---- diagnoses: code, title, explanation, numbered fix steps ---- */

void web_put_steps(struct base_buf *out, json_t *fix)
{
	size_t k;
	json_t *step;

	json_array_foreach(fix, k, step) {
		base_buf_puts(out, "<li>");
		base_buf_put_xml(out, json_string_value(step)
					      ? json_string_value(step)
					      : "");
		base_buf_puts(out, "</li>\n");
	}
}

int web_render_code_link(struct web_ctx *c, const char *code,
			 struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;

	sfb_tmpl_vars_text(&v, "code", code);
	return web_render(c, "code_link.html", &v, out);
}

/*
 * Diagnoses in their JSON form (sfb_diag_to_json: code, severity, title,
 * explanation, fix[], detail); `only_notes` is for the menu's warnings
 * after a good Save.
 */
int web_render_diags(struct web_ctx *c, json_t *arr, bool only_notes,
			struct base_buf *out)
{
	static const char *const order[] = {"error", "warning", "info"};

	for (size_t pass = only_notes ? 1 : 0; pass < 3; pass++) {
		size_t i;
		json_t *d;

		json_array_foreach(arr, i, d) {
			struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
			struct base_buf steps = BASE_BUF_INIT(16384);
			struct base_buf said = BASE_BUF_INIT(2048);
			struct base_buf link = BASE_BUF_INIT(1024);
			const char *code = json_string_value(
				json_object_get(d, "code"));
			const char *sev = json_string_value(
				json_object_get(d, "severity"));
			json_t *fix = json_object_get(d, "fix");
			json_t *sf = json_object_get(
				json_object_get(d, "detail"), "salesforce");
			const char *sf_msg =
				json_string_value(json_object_get(sf, "message"));
			const char *sf_code =
				json_string_value(json_object_get(sf, "code"));
			int rc;

			if (!sev || strcmp(sev, order[pass]) != 0)
				continue;
			web_put_steps(&steps, fix);
			if (sf_msg && *sf_msg) {
				base_buf_puts(&said, "<p class=\"said\">Salesforce "
						     "said: <q>");
				if (sf_code && *sf_code) {
					base_buf_put_xml(&said, sf_code);
					base_buf_puts(&said, ": ");
				}
				base_buf_put_xml(&said, sf_msg);
				base_buf_puts(&said, "</q></p>");
			}
			sfb_tmpl_vars_text(&v, "code", code);
			sfb_tmpl_vars_text(&v, "severity", sev);
			sfb_tmpl_vars_text(&v, "title", json_string_value(
					   json_object_get(d, "title")));
			sfb_tmpl_vars_text(&v, "explanation",
					   json_string_value(json_object_get(
						   d, "explanation")));
			sfb_tmpl_vars_html(&v, "steps", base_buf_str(&steps));
			sfb_tmpl_vars_html(&v, "said", base_buf_str(&said));
			rc = web_render_code_link(c, code, &link);
			sfb_tmpl_vars_html(&v, "code_link", base_buf_str(&link));
			if (rc == 0)
				rc = base_buf_err(&steps) || base_buf_err(&said)
					     ? -1
					     : web_render(c, "diagnosis.html",
							  &v, out);
			base_buf_release(&steps);
			base_buf_release(&said);
			base_buf_release(&link);
			if (rc != 0)
				return -1;
		}
	}
	return 0;
}

int web_render_notice(struct web_ctx *c, const char *kind,
			 const char *text, const char *more_html,
			 struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;

	sfb_tmpl_vars_text(&v, "kind", kind);
	sfb_tmpl_vars_text(&v, "role", strcmp(kind, "error") ? "status" : "alert");
	sfb_tmpl_vars_text(&v, "text", text);
	sfb_tmpl_vars_html(&v, "more", more_html ? more_html : "");
	return web_render(c, "notice.html", &v, out);
}

/* ---- the credentials form ---- */

/* What the form carries, secrets excluded: they are never echoed. */
struct creds_form {
	const char *method; /* "password", "client_credentials", "jwt" */
	const char *host;   /* "production", "sandbox", "mydomain", "url" */
	const char *mydomain, *login_url, *username, *consumer_key;
};

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(v, *set))
			return true;
	return false;
}

static const char *const methods[] = {"password", "client_credentials", "jwt",
				      NULL};
static const char *const hosts[] = {"production", "sandbox", "mydomain", "url",
				    NULL};

/*
 * Renders the form. `checked` attributes are filled from the constants
 * above (never from input), and every value the admin typed goes into a
 * quoted attribute, escaped. Secret fields are never filled.
 */
static void credentials_page(struct web_ctx *c, int status,
			     const struct creds_form *f, const char *notice)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	static const char *const m_vars[] = {"m_password",
					     "m_client_credentials", "m_jwt"};
	static const char *const h_vars[] = {"h_production", "h_sandbox",
					     "h_mydomain", "h_url"};

	for (int i = 0; methods[i]; i++)
		sfb_tmpl_vars_text(&v, m_vars[i],
				   !strcmp(f->method, methods[i]) ? "checked"
								  : "");
	for (int i = 0; hosts[i]; i++)
		sfb_tmpl_vars_text(&v, h_vars[i],
				   !strcmp(f->host, hosts[i]) ? "checked" : "");
	sfb_tmpl_vars_text(&v, "csrf", c->csrf);
	sfb_tmpl_vars_text(&v, "mydomain", f->mydomain);
	sfb_tmpl_vars_text(&v, "login_url", f->login_url);
	sfb_tmpl_vars_text(&v, "username", f->username);
	sfb_tmpl_vars_text(&v, "consumer_key", f->consumer_key);
	sfb_tmpl_vars_html(&v, "notice", notice ? notice : "");
	if (web_render(c, "credentials.html", &v, &content) != 0)
		web_error_page(c, 500, "Something went wrong",
			       "The page could not be built.");
	else
		web_send_page(c, status, "Salesforce credentials",
			      base_buf_str(&content));
	base_buf_release(&content);
}

/* The form's start values: the active credentials' non-secret fields. */
static void form_from_result(const struct sfb_creds_result *r,
			     struct creds_form *f)
{
	*f = (struct creds_form){"password", "production", "", "", "", ""};
	if (!r->active)
		return;
	if (r->has_method)
		f->method = sfb_method_name(r->method);
	if (!one_of(f->method, methods))
		f->method = "password";
	f->username = r->username;
	f->consumer_key = r->consumer_key;
	if (!strcmp(r->login, "sandbox")) {
		f->host = "sandbox";
	} else if (!strncmp(r->login, "mydomain:", 9)) {
		f->host = "mydomain";
		f->mydomain = r->login + 9;
	} else if (!strncmp(r->login, "http", 4)) {
		f->host = "url";
		f->login_url = r->login;
	}
}

/* A secret field: NULL when left empty (the stored value is kept). */
static struct sf_secret *secret_field(struct web_ctx *c, const char *name)
{
	const char *v = web_field(c, name);

	return *v ? sf_secret_new(v, strlen(v)) : NULL;
}

/*
 * Save = validate, by the credentials feature: local checks, one login,
 * the preflight. Valid: 303 to the menu (?saved=1 shows the confirmation).
 * Not valid: the form again (422), each diagnosis with its code, title,
 * explanation and numbered fix steps, the non-secret input kept.
 */
static void credentials_post(struct web_ctx *c)
{
	struct base_buf notice = BASE_BUF_INIT(WEB_PAGE_MAX / 2);
	struct base_buf diags = BASE_BUF_INIT(WEB_PAGE_MAX / 2);
	struct base_err err = BASE_ERR_INIT;
	struct sfb_save_opts opts = {.keep_stored_secrets = true};
	struct sfb_candidate cand = {0};
	struct sfb_creds_result r;
	struct sfb_creds *cc = NULL;
	struct creds_form f = {
		.method = web_field(c, "method"),
		.host = web_field(c, "host"),
		.mydomain = web_field(c, "mydomain"),
		.login_url = web_field(c, "login_url"),
		.username = web_field(c, "username"),
		.consumer_key = web_field(c, "consumer_key"),
	};
	struct sf_secret *pw = NULL, *token = NULL, *csecret = NULL, *key = NULL;
	char login[300];
	json_t *arr = NULL;
	int rc;

	sfb_creds_result_init(&r);
	if (!one_of(f.method, methods) || !one_of(f.host, hosts)) {
		if (!one_of(f.method, methods))
			f.method = "password";
		if (!one_of(f.host, hosts))
			f.host = "production";
		if (web_render_notice(c, "error",
				  "Pick a sign-in method and a login host.",
				  NULL, &notice) != 0)
			goto fail;
		credentials_page(c, 400, &f, base_buf_str(&notice));
		goto out;
	}
	if (!strcmp(f.host, "mydomain"))
		snprintf(login, sizeof(login), "mydomain:%s", f.mydomain);
	else
		snprintf(login, sizeof(login), "%s",
			 !strcmp(f.host, "url") ? f.login_url : f.host);
	sfb_method_parse(f.method, &cand.method);
	cand.login = login;
	cand.username = f.username;
	cand.consumer_key = f.consumer_key;
	cand.password = pw = secret_field(c, "password");
	cand.token = token = secret_field(c, "token");
	cand.consumer_secret = csecret = secret_field(c, "consumer_secret");
	cand.private_key = key = secret_field(c, "private_key");
	rc = web_creds(c, &cc, &err);
	if (rc == 0)
		rc = sfb_creds_save(cc, &cand, &opts, &r, &err);
	sfb_creds_close(cc);
	sf_secret_free(pw);
	sf_secret_free(token);
	sf_secret_free(csecret);
	sf_secret_free(key);
	if (rc < 0) {
		base_error("web: save credentials: %s", err.msg);
		if (web_render_notice(c, "error",
				  "sfbridge could not save the credentials "
				  "(an internal error; the server log says "
				  "more). Nothing was changed.",
				  NULL, &notice) != 0)
			goto fail;
		credentials_page(c, 500, &f, base_buf_str(&notice));
		goto out;
	}
	base_info("web: credentials Save by '%s' for '%s': %s", c->admin.email,
		  f.username, r.valid ? "valid" : "not valid");
	if (r.valid) {
		web_redirect(c, "/settings/salesforce?saved=1");
		goto out;
	}
	arr = sfb_diags_to_json(&r.diags);
	if (web_render_diags(c, arr, false, &diags) != 0 ||
	    web_render_notice(c, "error",
			  r.prev_active
				  ? "These credentials did not pass, so they "
				    "were not saved. The credentials that were "
				    "working stay active."
				  : "These credentials did not pass, so they "
				    "were not saved.",
			  base_buf_str(&diags), &notice) != 0)
		goto fail;
	credentials_page(c, 422, &f, base_buf_str(&notice));
	goto out;
fail:
	web_error_page(c, 500, "Something went wrong",
		       "The page could not be built.");
out:
	json_decref(arr);
	sfb_creds_result_release(&r);
	base_buf_release(&notice);
	base_buf_release(&diags);
}

void web_page_credentials(struct web_ctx *c)
{
	struct sfb_creds_result r;
	struct creds_form f;

	if (web_is_get(c->req)) {
		if (!web_require_admin(c))
			return;
		(void)web_creds_read(c, &r, NULL, NULL);
		form_from_result(&r, &f);
		credentials_page(c, 200, &f, NULL);
		sfb_creds_result_release(&r);
		return;
	}
	if (web_admin_post(c, "GET, HEAD, POST"))
		credentials_post(c);
}

/* ---- small formatting helpers ---- */

void web_short_time(const char *iso, char *out, size_t n)
{
	/* Date and minute: the first 16 characters, 'T' -> ' '. */
	snprintf(out, n, "%.10s %.5s UTC", iso, strlen(iso) > 11 ? iso + 11 : "");
}

void web_count(long long v, char *out, size_t n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%lld", v > 0 ? v : 0);
	size_t o = 0;

	for (int i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}
