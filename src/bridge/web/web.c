/* web.c - sfbridge's web console: the router, sign-in and sign-out, sessions, CSRF, error pages. */
#include "bridge/web/web.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "bridge/creds/creds.h"
#include "bridge/store/store.h"
#include "bridge/web/web_int.h"
#include "base/banned.h"

/* Concurrent argon2id checks (64 MiB each) during sign-in. */
#define HASHING_SLOTS 2

#define SESSION_COOKIE "sfb_session"
#define LOGIN_COOKIE   "sfb_login"

/* Every file of web/bridge the console needs; all are loaded at start. */
static const char *const web_files[] = {
	"layout.html",       "error.html",        "nav.html",
	"login.html",        "menu.html",         "status_none.html",
	"status_conn.html",  "integration.html",  "switch_locked.html",
	"switch_open.html",  "credentials.html",  "notice.html",
	"diagnosis.html",    "style.css",
	"code_link.html",    "test_again.html",   "usage.html",
	"usage_bar.html",    "history.html",      "history_row.html",
	"history_none.html", "help_index.html",   "help_item.html",
	"help_diag.html",
	"openapi.json", /* served by api.c at /api/v1/openapi.json */
};

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; "
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

int sfb_web_find_dir(char *out, size_t n)
{
	const char *env = getenv("SFBRIDGE_WEB");
	char exe[PATH_MAX], probe[PATH_MAX + 64];
	ssize_t len;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		snprintf(probe, sizeof(probe), "%s/layout.html", out);
		return access(probe, R_OK) == 0 ? 0 : -1;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		static const char *const rel[] = {"/../web/bridge",
						  "/../../web/bridge",
						  "/../share/sfbridge/web"};
		char *slash;

		exe[len] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			snprintf(probe, sizeof(probe), "%s%s/layout.html", exe,
				 rel[i]);
			if (access(probe, R_OK) == 0) {
				snprintf(out, n, "%s%s", exe, rel[i]);
				return 0;
			}
		}
	}
	snprintf(out, n, "web/bridge");
	return access("web/bridge/layout.html", R_OK) == 0 ? 0 : -1;
}

/* ---- lifecycle and the store pool ---- */

int sfb_web_new(const struct sfb_web_opts *o, struct sfb_web **out,
		struct base_err *err)
{
	struct sfb_web *w = calloc(1, sizeof(*w));
	struct sfb_store *s = NULL;
	char random_pw[SFB_AUTH_SECRET_LEN];
	int rc;

	*out = NULL;
	if (!w)
		return base_err_set(err, BASE_ENOMEM, "web console");
	pthread_mutex_init(&w->pool.lock, NULL);
	sem_init(&w->hashing, 0, HASHING_SLOTS);
	rc = sfb_auth_init(err);
	if (rc != 0)
		goto fail;
	rc = sfb_tmpl_load(o->web_dir, web_files,
			   sizeof(web_files) / sizeof(web_files[0]), &w->tmpl,
			   err);
	if (rc != 0) {
		base_err_wrap(err, "load templates");
		goto fail;
	}
	w->data_dir = strdup(o->data_dir);
	w->workspace = strdup(o->workspace);
	if (!w->data_dir || !w->workspace) {
		rc = base_err_set(err, BASE_ENOMEM, "web console");
		goto fail;
	}
	/* Open the store once now: migrations run, and a bad DATA fails
	 * at start rather than on the first request. */
	rc = sfb_store_open(w->data_dir, &s, err);
	if (rc != 0) {
		base_err_wrap(err, "open the store in '%s'", w->data_dir);
		goto fail;
	}
	w->pool.idle[w->pool.n++] = s;
	sfb_auth_random_secret(random_pw);
	rc = sfb_auth_hash_password(random_pw, strlen(random_pw), w->dummy_hash,
				    err);
	explicit_bzero(random_pw, sizeof(random_pw));
	if (rc != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	sfb_web_free(w);
	return rc;
}

void sfb_web_free(struct sfb_web *w)
{
	if (!w)
		return;
	for (int i = 0; i < w->pool.n; i++)
		sfb_store_close(w->pool.idle[i]);
	pthread_mutex_destroy(&w->pool.lock);
	sem_destroy(&w->hashing);
	sfb_tmpl_free(w->tmpl);
	free(w->data_dir);
	free(w->workspace);
	free(w);
}

static struct sfb_store *pool_get(struct sfb_web *w, struct base_err *err)
{
	struct sfb_store *s = NULL;

	pthread_mutex_lock(&w->pool.lock);
	if (w->pool.n > 0)
		s = w->pool.idle[--w->pool.n];
	pthread_mutex_unlock(&w->pool.lock);
	if (!s && sfb_store_open(w->data_dir, &s, err) != 0)
		return NULL;
	return s;
}

static void pool_put(struct sfb_web *w, struct sfb_store *s)
{
	if (!s)
		return;
	/* A handler that failed half-way must not leave a transaction. */
	sfb_store_rollback(s);
	pthread_mutex_lock(&w->pool.lock);
	if (w->pool.n < WEB_POOL_MAX) {
		w->pool.idle[w->pool.n++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&w->pool.lock);
	sfb_store_close(s);
}

struct sqlite3 *web_db(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;

	if (c->db)
		return c->db;
	c->store = pool_get(c->w, &err);
	if (!c->store) {
		base_error("web: open the store: %s", err.msg);
		return NULL;
	}
	c->db = sfb_store_db(c->store);
	return c->db;
}

int web_creds(struct web_ctx *c, struct sfb_creds **out, struct base_err *err)
{
	*out = NULL;
	if (!web_db(c))
		return base_err_set(err, BASE_ERR,
				    "the console's store is not available");
	return sfb_creds_attach(c->w->data_dir, c->store, out, err);
}

/* ---- responses ---- */

void web_security_headers(struct sfb_resp *resp)
{
	sfb_resp_header(resp, "Content-Security-Policy", csp);
	sfb_resp_header(resp, "X-Content-Type-Options", "nosniff");
	sfb_resp_header(resp, "Referrer-Policy", "no-referrer");
	sfb_resp_header(resp, "X-Frame-Options", "DENY");
}

static void plain_fallback(struct sfb_resp *resp, int status, const char *msg)
{
	sfb_resp_start(resp, status, "text/plain; charset=utf-8");
	web_security_headers(resp);
	sfb_resp_header(resp, "Cache-Control", "no-store");
	base_buf_puts(&resp->body, msg);
	base_buf_putc(&resp->body, '\n');
}

int web_render(struct web_ctx *c, const char *name,
	       const struct sfb_tmpl_vars *vars, struct base_buf *out)
{
	struct base_err err = BASE_ERR_INIT;

	if (sfb_tmpl_render(c->w->tmpl, name, vars, out, &err) != 0) {
		base_error("web: %s", err.msg);
		return -1;
	}
	return 0;
}

/* The signed-in admin's bar: who, and a sign-out button (a CSRF form). */
static int render_nav(struct web_ctx *c, struct base_buf *out)
{
	struct sfb_tmpl_vars vars = SFB_TMPL_VARS_INIT;

	if (!c->authed || c->via_token)
		return 0;
	sfb_tmpl_vars_text(&vars, "email", c->admin.email);
	sfb_tmpl_vars_text(&vars, "csrf", c->csrf);
	return web_render(c, "nav.html", &vars, out);
}

/*
 * Renders `content` (already HTML) into the layout and sends it with
 * `status`. Every page is no-store: most carry a CSRF token or an admin's
 * data, and the rest are cheap.
 */
void web_send_page(struct web_ctx *c, int status, const char *title,
		   const char *content)
{
	struct sfb_tmpl_vars vars = SFB_TMPL_VARS_INIT;
	struct base_buf page = BASE_BUF_INIT(WEB_PAGE_MAX);
	struct base_buf nav = BASE_BUF_INIT(8192);

	if (render_nav(c, &nav) != 0)
		goto fail;
	sfb_tmpl_vars_text(&vars, "title", title);
	sfb_tmpl_vars_html(&vars, "content", content);
	sfb_tmpl_vars_html(&vars, "nav", base_buf_str(&nav));
	if (web_render(c, "layout.html", &vars, &page) != 0)
		goto fail;
	sfb_resp_start(c->resp, status, "text/html; charset=utf-8");
	web_security_headers(c->resp);
	sfb_resp_header(c->resp, "Cache-Control", "no-store");
	base_buf_append(&c->resp->body, page.data, page.len);
	goto out;
fail:
	plain_fallback(c->resp, 500, "internal error");
out:
	base_buf_release(&nav);
	base_buf_release(&page);
}

/* An error page: a heading and one sentence, no details a stranger could use. */
void web_error_page(struct web_ctx *c, int status, const char *title,
		    const char *message)
{
	struct sfb_tmpl_vars vars = SFB_TMPL_VARS_INIT;
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	char code[8];

	snprintf(code, sizeof(code), "%d", status);
	sfb_tmpl_vars_text(&vars, "status", code);
	sfb_tmpl_vars_text(&vars, "title", title);
	sfb_tmpl_vars_text(&vars, "message", message);
	if (web_render(c, "error.html", &vars, &content) != 0)
		plain_fallback(c->resp, status, message);
	else
		web_send_page(c, status, title, base_buf_str(&content));
	base_buf_release(&content);
}

/* 303: after a POST the browser GETs the new address. `location` is ours. */
void web_redirect(struct web_ctx *c, const char *location)
{
	sfb_resp_start(c->resp, 303, "text/plain; charset=utf-8");
	web_security_headers(c->resp);
	sfb_resp_header(c->resp, "Cache-Control", "no-store");
	sfb_resp_header(c->resp, "Location", location);
	base_buf_printf(&c->resp->body, "See %s\n", location);
}

void web_json_reply(struct sfb_resp *resp, int status, const char *json)
{
	sfb_resp_start(resp, status, "application/json");
	web_security_headers(resp);
	sfb_resp_header(resp, "Cache-Control", "no-store");
	base_buf_puts(&resp->body, json);
	base_buf_putc(&resp->body, '\n');
}

bool web_is_get(const struct sfb_req *req)
{
	return !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
}

void web_bad_method(struct web_ctx *c, const char *allow)
{
	web_error_page(c, 405, "Method not allowed",
		       "This address does not accept that kind of request.");
	sfb_resp_header(c->resp, "Allow", allow);
}

/* ---- forms, cookies, sessions ---- */

static bool content_type_is(const struct sfb_req *req, const char *want)
{
	const char *ct = sfb_req_header(req, "Content-Type");
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int web_parse_form(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;

	if (c->form_parsed)
		return 0;
	if (!content_type_is(c->req, "application/x-www-form-urlencoded")) {
		web_error_page(c, 415, "Unsupported form encoding",
			       "This form must be sent as "
			       "application/x-www-form-urlencoded.");
		return -1;
	}
	if (base_form_parse(&c->form, c->req->body, c->req->body_len, &err) !=
	    0) {
		web_error_page(c, 400, "Bad form",
			       "The form could not be read. Reload the page "
			       "and try again.");
		return -1;
	}
	c->form_parsed = true;
	return 0;
}

const char *web_field(struct web_ctx *c, const char *name)
{
	const char *v = c->form_parsed ? base_form_get(&c->form, name) : NULL;

	return v ? v : "";
}

/* Set-Cookie for our cookies: HttpOnly, SameSite=Lax, Secure over https. */
static void set_cookie(struct web_ctx *c, const char *name, const char *value,
		       const char *path, bool clear)
{
	char line[256];

	snprintf(line, sizeof(line), "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s%s",
		 name, clear ? "" : value, path,
		 c->req->https ? "; Secure" : "", clear ? "; Max-Age=0" : "");
	sfb_resp_add_header(c->resp, "Set-Cookie", line);
}

/* Looks up the session cookie; sets c->authed, c->admin and c->csrf. */
void web_load_session(struct web_ctx *c)
{
	const char *cookie = sfb_req_cookie(c->req, SESSION_COOKIE);
	struct base_err err = BASE_ERR_INIT;

	if (!cookie || strlen(cookie) != SFB_AUTH_SECRET_LEN - 1)
		return;
	if (!web_db(c))
		return;
	if (sfb_auth_session_get(c->db, c->w->workspace, cookie,
				 base_time_now_ms(), &c->admin, &err) != 0) {
		if (err.code != BASE_ENOTFOUND)
			base_error("web: session: %s", err.msg);
		return;
	}
	snprintf(c->session, sizeof(c->session), "%s", cookie);
	sfb_auth_csrf_token(c->session, "session", c->csrf);
	c->authed = true;
}

bool web_require_admin(struct web_ctx *c)
{
	if (!c->authed) {
		web_redirect(c, "/login");
		return false;
	}
	if (web_is_get(c->req))
		return true;
	if (!sfb_auth_csrf_ok(c->session, "session", web_field(c, "csrf"))) {
		web_error_page(c, 403, "Form expired",
			       "This form was missing its security token or it "
			       "belongs to an older session. Go back, reload "
			       "the page and try again.");
		return false;
	}
	return true;
}

/* ---- sign-in ---- */

/*
 * The sign-in page. The pre-sign-in cookie (kept if well-formed) carries
 * the random bytes the form's CSRF token is derived from, so a forged
 * cross-site sign-in is refused too.
 */
static void login_page(struct web_ctx *c, int status, const char *email,
		       const char *message, const char *message_kind)
{
	struct sfb_tmpl_vars vars = SFB_TMPL_VARS_INIT;
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	struct base_buf note = BASE_BUF_INIT(4096);
	const char *pre = sfb_req_cookie(c->req, LOGIN_COOKIE);
	char fresh[SFB_AUTH_SECRET_LEN], token[SFB_AUTH_SECRET_LEN];

	if (!pre || sfb_auth_csrf_token(pre, "login", token) != 0) {
		sfb_auth_random_secret(fresh);
		pre = fresh;
		sfb_auth_csrf_token(pre, "login", token);
	}
	if (message) {
		struct sfb_tmpl_vars nv = SFB_TMPL_VARS_INIT;

		sfb_tmpl_vars_text(&nv, "kind", message_kind);
		sfb_tmpl_vars_text(&nv, "role",
				   strcmp(message_kind, "error") ? "status"
								 : "alert");
		sfb_tmpl_vars_text(&nv, "text", message);
		sfb_tmpl_vars_html(&nv, "more", "");
		if (web_render(c, "notice.html", &nv, &note) != 0)
			goto fail;
	}
	sfb_tmpl_vars_text(&vars, "csrf", token);
	sfb_tmpl_vars_text(&vars, "email", email);
	sfb_tmpl_vars_html(&vars, "notice", base_buf_str(&note));
	if (web_render(c, "login.html", &vars, &content) != 0)
		goto fail;
	web_send_page(c, status, "Sign in", base_buf_str(&content));
	if (pre == fresh)
		set_cookie(c, LOGIN_COOKIE, pre, "/login", false);
	goto out;
fail:
	web_error_page(c, 500, "Something went wrong",
		       "The page could not be built.");
out:
	explicit_bzero(fresh, sizeof(fresh));
	base_buf_release(&note);
	base_buf_release(&content);
}

static void route_login_post(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	const char *pre = sfb_req_cookie(c->req, LOGIN_COOKIE);
	const char *email_in, *pw;
	char email[SFB_AUTH_MAX_EMAIL + 1], cookie[SFB_AUTH_SECRET_LEN];
	char msg[200];
	struct sfb_admin a;
	int64_t now = base_time_now_ms();
	int retry = 0, rc;

	if (web_parse_form(c) != 0)
		return;
	email_in = web_field(c, "email");
	pw = web_field(c, "password");
	if (!pre || !sfb_auth_csrf_ok(pre, "login", web_field(c, "csrf"))) {
		login_page(c, 403, email_in,
			   "The sign-in form expired. Enter your password "
			   "again.",
			   "error");
		return;
	}
	if (sfb_auth_normalize_email(email_in, email, sizeof(email), NULL) != 0)
		snprintf(email, sizeof(email), "(malformed)");
	if (!web_db(c)) {
		web_error_page(c, 500, "Something went wrong",
			       "The console's store is not available.");
		return;
	}
	if (sfb_auth_throttle(c->db, c->w->workspace, email, c->req->client_ip,
			      now, &retry, &err) != 0) {
		base_error("web: sign-in rate limit: %s", err.msg);
		web_error_page(c, 500, "Something went wrong",
			       "The console's store is not available.");
		return;
	}
	if (retry > 0) {
		char ra[16];

		base_warn("web: sign-in refused for '%s' from %s: too many "
			  "failures (retry in %d s)",
			  email, c->req->client_ip, retry);
		snprintf(msg, sizeof(msg),
			 "Too many failed sign-in attempts. Try again in %d "
			 "minute%s.",
			 (retry + 59) / 60, (retry + 59) / 60 == 1 ? "" : "s");
		login_page(c, 429, email_in, msg, "error");
		snprintf(ra, sizeof(ra), "%d", retry);
		sfb_resp_header(c->resp, "Retry-After", ra);
		return;
	}
	sem_wait(&c->w->hashing);
	rc = sfb_auth_verify(c->db, c->w->workspace, email, pw, strlen(pw),
			     c->w->dummy_hash, &a, &err);
	sem_post(&c->w->hashing);
	if (rc == BASE_EAUTH) {
		base_warn("web: sign-in failed for '%s' from %s", email,
			  c->req->client_ip);
		if (sfb_auth_note_failure(c->db, c->w->workspace, email,
					  c->req->client_ip, now, &err) != 0)
			base_error("web: note sign-in failure: %s", err.msg);
		/* The same words whether or not the email is an admin's. */
		login_page(c, 401, email_in,
			   "The email or password is incorrect.", "error");
		return;
	}
	if (rc == 0)
		rc = sfb_auth_session_create(c->db, c->w->workspace, a.id,
					     c->req->client_ip, now, cookie,
					     &err);
	if (rc != 0) {
		base_error("web: sign-in: %s", err.msg);
		web_error_page(c, 500, "Something went wrong",
			       "The console's store is not available.");
		return;
	}
	(void)sfb_auth_clear_failures(c->db, c->w->workspace, email, NULL);
	base_info("web: admin '%s' signed in from %s", a.email,
		  c->req->client_ip);
	web_redirect(c, "/settings/salesforce");
	set_cookie(c, SESSION_COOKIE, cookie, "/", false);
	set_cookie(c, LOGIN_COOKIE, "", "/login", true);
	explicit_bzero(cookie, sizeof(cookie));
}

static void route_login(struct web_ctx *c)
{
	if (web_is_get(c->req)) {
		if (c->authed)
			web_redirect(c, "/settings/salesforce");
		else
			login_page(c, 200, "", NULL, NULL);
	} else if (!strcmp(c->req->method, "POST")) {
		route_login_post(c);
	} else {
		web_bad_method(c, "GET, HEAD, POST");
	}
}

static void route_logout(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;

	if (strcmp(c->req->method, "POST") != 0) {
		web_bad_method(c, "POST");
		return;
	}
	if (web_parse_form(c) != 0 || !web_require_admin(c))
		return;
	if (sfb_auth_session_delete(c->db, c->w->workspace, c->session, &err) !=
	    0)
		base_error("web: sign-out: %s", err.msg);
	base_info("web: admin '%s' signed out", c->admin.email);
	web_redirect(c, "/login");
	set_cookie(c, SESSION_COOKIE, "", "/", true);
}

/* ---- the router ---- */

static void route_static(struct web_ctx *c, const char *name,
			 const char *ctype)
{
	size_t len;
	const char *data;

	if (!web_is_get(c->req)) {
		web_bad_method(c, "GET, HEAD");
		return;
	}
	data = sfb_tmpl_file(c->w->tmpl, name, &len);
	sfb_resp_start(c->resp, 200, ctype);
	web_security_headers(c->resp);
	sfb_resp_header(c->resp, "Cache-Control", "public, max-age=300");
	base_buf_append(&c->resp->body, data, len);
}

static void route(struct web_ctx *c)
{
	const char *p = c->req->path;

	if (c->req->too_big) {
		if (!strncmp(p, "/api/", 5))
			web_json_reply(c->resp, 413,
				       "{\"error\":{\"code\":\"body_too_large\","
				       "\"message\":\"the request body exceeds 1 "
				       "MB\",\"diagnoses\":[]}}");
		else
			web_error_page(c, 413, "Request too large",
				       "The request body exceeds 1 MB.");
		return;
	}
	if (!strcmp(p, "/healthz")) {
		if (web_is_get(c->req))
			web_json_reply(c->resp, 200, "{\"status\":\"ok\"}");
		else
			web_bad_method(c, "GET, HEAD");
		return;
	}
	if (!strcmp(p, "/static/style.css")) {
		route_static(c, "style.css", "text/css; charset=utf-8");
		return;
	}
	if (!strcmp(p, "/favicon.ico")) {
		/* Browsers ask for it on every site; we have none to give. */
		sfb_resp_start(c->resp, 204, "");
		web_security_headers(c->resp);
		sfb_resp_header(c->resp, "Cache-Control", "public, max-age=86400");
		return;
	}
	if (!strncmp(p, "/api/v1/", 8) || !strcmp(p, "/api/v1")) {
		web_api(c, p + 7);
		return;
	}
	/* An API client that got the version wrong reads JSON too. */
	if (!strncmp(p, "/api/", 5)) {
		web_api_error(c, 404, "not_found",
			      "no such API endpoint: see /api/v1/openapi.json",
			      NULL);
		return;
	}
	web_load_session(c);
	if (!strcmp(p, "/")) {
		if (web_is_get(c->req))
			web_redirect(c, c->authed ? "/settings/salesforce"
						  : "/login");
		else
			web_bad_method(c, "GET, HEAD");
	} else if (!strcmp(p, "/login")) {
		route_login(c);
	} else if (!strcmp(p, "/logout")) {
		route_logout(c);
	} else if (!strcmp(p, "/settings/salesforce")) {
		web_page_menu(c);
	} else if (!strcmp(p, "/settings/salesforce/credentials")) {
		web_page_credentials(c);
	} else if (!strncmp(p, "/settings/salesforce/integrations/", 34)) {
		web_page_integration_post(c, p + 34);
	} else if (!strcmp(p, "/settings/salesforce/test")) {
		web_page_test(c);
	} else if (!strncmp(p, "/help/diagnoses", 15)) {
		web_page_help(c, p + 15);
	} else {
		web_error_page(c, 404, "Page not found",
			       "There is no page at this address.");
	}
}

void sfb_web_handle(void *ctx, struct sfb_req *req, struct sfb_resp *resp)
{
	struct web_ctx c = {.w = ctx, .req = req, .resp = resp};

	c.form = BASE_FORM_INIT;
	route(&c);
	if (c.form_parsed)
		base_form_release(&c.form);
	pool_put(c.w, c.store);
	explicit_bzero(c.session, sizeof(c.session));
}
