/* pages_menu.c - the Salesforce Integration menu: the connection card, the lockout guard and Test again, API usage, validation history, the integration switches. */
#include "bridge/web/pages.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/datetime.h"
#include "base/log.h"
#include "bridge/creds/creds.h"
#include "bridge/integrations/integrations.h"
#include "bridge/store/usage.h"
#include "base/banned.h"

/* The usage chart's geometry, in viewBox units: 24 bars of BAR_W, BAR_STEP apart, CHART_H tall at most. */
#define BAR_W    8
#define BAR_STEP 10
#define CHART_H  60

/* ---- the connection card ---- */

/* The lockout guard's line and, while it holds, the refused logins. */
static void guard_text(const struct web_conn_status *st, long long failures,
		       struct sfb_tmpl_vars *v, char *more, size_t n)
{
	more[0] = '\0';
	if (st->failed) {
		sfb_tmpl_vars_text(v, "guard_class", "unknown");
		sfb_tmpl_vars_text(v, "guard",
				   "Lockout guard: unknown (the credentials "
				   "could not be read).");
	} else if (st->refused) {
		sfb_tmpl_vars_text(v, "guard_class", "on");
		sfb_tmpl_vars_text(v, "guard",
				   "Lockout guard: on. sfbridge will not sign "
				   "in with these credentials again until you "
				   "save new ones or press Test again.");
		if (failures >= 0)
			snprintf(more, n,
				 "Refused logins by sfbridge as %s in the last "
				 "%d minutes: %lld (too many lock the user "
				 "out).",
				 st->username, SFB_LOCKOUT_WINDOW_MIN, failures);
	} else {
		sfb_tmpl_vars_text(v, "guard_class", "off");
		sfb_tmpl_vars_text(v, "guard", "Lockout guard: off.");
		snprintf(more, n,
			 "sfbridge stops signing in the moment Salesforce "
			 "refuses these credentials, so it never locks the "
			 "user out.");
	}
	sfb_tmpl_vars_text(v, "guard_more", more);
}

static int render_status(struct web_ctx *c, const struct web_conn_status *st,
			 long long failures, struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	char iso[40], when[40] = "never", more[512];

	if (!st->connected && !st->failed)
		return web_render(c, "status_none.html", &v, out);
	if (st->validated_ms > 0) {
		base_time_format_iso(st->validated_ms, iso, sizeof(iso));
		web_short_time(iso, when, sizeof(when));
	}
	sfb_tmpl_vars_text(&v, "state",
			   st->failed    ? "Unknown"
			   : st->valid   ? "Connected"
			   : st->refused ? "Refused by Salesforce"
					 : "Not working");
	sfb_tmpl_vars_text(&v, "state_class", st->valid ? "ok" : "bad");
	sfb_tmpl_vars_text(&v, "problem", st->problem_title);
	sfb_tmpl_vars_text(&v, "username", st->username[0] ? st->username : "unknown");
	sfb_tmpl_vars_text(&v, "org_name", st->org_name[0] ? st->org_name : "unknown");
	sfb_tmpl_vars_text(&v, "edition", st->edition[0] ? st->edition : "unknown");
	sfb_tmpl_vars_text(&v, "environment",
			   st->sandbox < 0 ? "unknown"
			   : st->sandbox   ? "Sandbox"
					   : "Production");
	sfb_tmpl_vars_text(&v, "instance",
			   st->instance_url[0] ? st->instance_url : "unknown");
	sfb_tmpl_vars_text(&v, "validated", when);
	guard_text(st, failures, &v, more, sizeof(more));
	return web_render(c, "status_conn.html", &v, out);
}

/* ---- API usage of the last 24 hours ---- */

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* "3 logins and 6 API requests" (sep " and ") or "1 login, 2 API requests". */
static void usage_words(long long logins, long long requests, const char *sep,
			char *out, size_t n)
{
	char l[32], r[32];

	web_count(logins, l, sizeof(l));
	web_count(requests, r, sizeof(r));
	snprintf(out, n, "%s %s%s%s %s", l, plural(logins, "login", "logins"),
		 sep, r, plural(requests, "API request", "API requests"));
}

/*
 * One bar per UTC hour, its height scaled to the busiest hour (logins
 * stacked on API requests); an empty hour draws only the baseline.
 */
static int render_bar(struct web_ctx *c, const struct sfb_usage_day *d, int i,
		      long long busiest, struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	long long total = d->logins[i] + d->requests[i];
	/* Rounded up, so a busy hour never draws as empty. */
	long long h = busiest > 0 ? (total * CHART_H + busiest - 1) / busiest : 0;
	long long hl = total > 0 ? d->logins[i] * h / total : 0;
	char iso[40], words[96], label[128];
	char x[16], rq_y[16], rq_h[16], lg_y[16], lg_h[16];

	base_time_format_iso(d->hour_ms[i], iso, sizeof(iso));
	usage_words(d->logins[i], d->requests[i], ", ", words, sizeof(words));
	snprintf(label, sizeof(label), "%.5s UTC: %s",
		 strlen(iso) > 11 ? iso + 11 : "", words);
	snprintf(x, sizeof(x), "%d", i * BAR_STEP + 1);
	snprintf(lg_y, sizeof(lg_y), "%lld", CHART_H - h);
	snprintf(lg_h, sizeof(lg_h), "%lld", hl);
	snprintf(rq_y, sizeof(rq_y), "%lld", CHART_H - h + hl);
	snprintf(rq_h, sizeof(rq_h), "%lld", h - hl);
	sfb_tmpl_vars_text(&v, "label", label);
	sfb_tmpl_vars_text(&v, "x", x);
	sfb_tmpl_vars_text(&v, "login_y", lg_y);
	sfb_tmpl_vars_text(&v, "login_h", lg_h);
	sfb_tmpl_vars_text(&v, "req_y", rq_y);
	sfb_tmpl_vars_text(&v, "req_h", rq_h);
	return web_render(c, "usage_bar.html", &v, out);
}

static int render_usage(struct web_ctx *c, struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf bars = BASE_BUF_INIT(64 * 1024);
	struct base_err err = BASE_ERR_INIT;
	struct sfb_usage_day d;
	long long busiest = 0;
	char words[96], summary[160], org[200] = "", used[32], max[32];
	char iso[40], seen[40], first[40];
	int rc = -1;

	if (!web_db(c))
		goto out;
	if (sfb_usage_last_day(c->db, c->w->workspace, base_time_now_ms(), &d,
			       &err) != 0) {
		base_error("web: read the API usage: %s", err.msg);
		goto out;
	}
	for (int i = 0; i < SFB_USAGE_HOURS; i++)
		if (d.logins[i] + d.requests[i] > busiest)
			busiest = d.logins[i] + d.requests[i];
	for (int i = 0; i < SFB_USAGE_HOURS; i++)
		if (render_bar(c, &d, i, busiest, &bars) != 0)
			goto out;
	usage_words(d.total_logins, d.total_requests, " and ", words,
		    sizeof(words));
	snprintf(summary, sizeof(summary),
		 "sfbridge used %s in the last 24 hours", words);
	if (d.org_used >= 0 && d.org_max > 0) {
		web_count(d.org_used, used, sizeof(used));
		web_count(d.org_max, max, sizeof(max));
		base_time_format_iso(d.org_seen_ms, iso, sizeof(iso));
		web_short_time(iso, seen, sizeof(seen));
		snprintf(org, sizeof(org),
			 "The org has used %s of %s daily API requests (as "
			 "of %s).",
			 used, max, seen);
	}
	base_time_format_iso(d.hour_ms[0], iso, sizeof(iso));
	snprintf(first, sizeof(first), "%.5s UTC",
		 strlen(iso) > 11 ? iso + 11 : "");
	sfb_tmpl_vars_html(&v, "bars", base_buf_str(&bars));
	sfb_tmpl_vars_text(&v, "summary", summary);
	sfb_tmpl_vars_text(&v, "org", org);
	sfb_tmpl_vars_text(&v, "first", first);
	rc = base_buf_err(&bars) ? -1 : web_render(c, "usage.html", &v, out);
out:
	base_buf_release(&bars);
	return rc;
}

/* ---- validation history ---- */

static int render_history_row(struct web_ctx *c, json_t *run,
			      struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf link = BASE_BUF_INIT(1024);
	const char *started =
		json_string_value(json_object_get(run, "startedAt"));
	const char *code = json_string_value(json_object_get(run, "problem"));
	bool valid = json_is_true(json_object_get(run, "valid"));
	char when[40], logins[32], requests[32];
	int rc = 0;

	web_short_time(started ? started : "", when, sizeof(when));
	web_count(json_integer_value(json_object_get(run, "loginAttempts")),
		  logins, sizeof(logins));
	web_count(json_integer_value(json_object_get(run, "apiRequests")),
		  requests, sizeof(requests));
	if (code)
		rc = web_render_code_link(c, code, &link);
	sfb_tmpl_vars_text(&v, "when", when);
	sfb_tmpl_vars_text(&v, "result", valid ? "Valid" : "Not valid");
	sfb_tmpl_vars_text(&v, "result_class", valid ? "ok" : "bad");
	/* An en dash: no error, nothing to link. */
	sfb_tmpl_vars_html(&v, "problem", code ? base_buf_str(&link) : "\u2013");
	sfb_tmpl_vars_text(&v, "logins", logins);
	sfb_tmpl_vars_text(&v, "requests", requests);
	if (rc == 0)
		rc = web_render(c, "history_row.html", &v, out);
	base_buf_release(&link);
	return rc;
}

static int render_history(struct web_ctx *c, json_t *history,
			  struct base_buf *out)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf rows = BASE_BUF_INIT(64 * 1024);
	size_t i;
	json_t *run;
	int rc = 0;

	if (json_array_size(history) == 0)
		return web_render(c, "history_none.html", &v, out);
	json_array_foreach(history, i, run) {
		if (rc == 0)
			rc = render_history_row(c, run, &rows);
	}
	sfb_tmpl_vars_html(&v, "rows", base_buf_str(&rows));
	if (rc == 0)
		rc = base_buf_err(&rows) ? -1
					 : web_render(c, "history.html", &v, out);
	base_buf_release(&rows);
	return rc;
}

/* ---- the integrations ---- */

/*
 * Each integration with the admin's choice (On/Off) and a switch that
 * says what it will do. Locked, an integration that is off can't be
 * turned on (the switch is disabled, the reason next to it); one that is
 * on can always be turned off, the safe direction.
 */
static int render_integrations(struct web_ctx *c,
			       const struct web_conn_status *st,
			       struct base_buf *out)
{
	const char *reason = web_lock_reason(st);

	if (!web_db(c))
		return -1;
	for (int i = 0; i < sfb_n_integrations; i++) {
		const struct sfb_integration_def *in = &sfb_integrations[i];
		struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
		struct base_buf sw = BASE_BUF_INIT(4096);
		struct base_err err = BASE_ERR_INIT;
		struct sfb_integration_state is;
		int rc;

		if (sfb_integration_get(c->db, c->w->workspace, in->key, &is,
					&err) != 0) {
			base_error("web: read integration '%s': %s", in->key,
				   err.msg);
			return -1;
		}
		sfb_tmpl_vars_text(&v, "key", in->key);
		sfb_tmpl_vars_text(&v, "name", in->name);
		sfb_tmpl_vars_text(&v, "about", in->about);
		sfb_tmpl_vars_text(&v, "csrf", c->csrf);
		sfb_tmpl_vars_text(&v, "state", !is.enabled ? "Off"
						: reason    ? "On, paused while locked"
							    : "On");
		sfb_tmpl_vars_text(&v, "state_class", is.enabled ? "on" : "off");
		sfb_tmpl_vars_text(&v, "action", is.enabled ? "Disable" : "Enable");
		sfb_tmpl_vars_text(&v, "value", is.enabled ? "0" : "1");
		sfb_tmpl_vars_text(&v, "reason",
				   reason ? reason
					  : "Ready: the credentials are valid.");
		rc = web_render(c, reason && !is.enabled ? "switch_locked.html"
							 : "switch_open.html",
				&v, &sw);
		sfb_tmpl_vars_html(&v, "switch", base_buf_str(&sw));
		if (rc == 0)
			rc = web_render(c, "integration.html", &v, out);
		base_buf_release(&sw);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- the page ---- */

/* The notice after a redirect here: ?saved=1 (a good Save), ?tested=1. */
static int render_flash(struct web_ctx *c, const struct web_conn_status *st,
			struct base_buf *out)
{
	const char *q = c->req->raw_query;

	if (st->valid && !strcmp(q, "saved=1"))
		return web_render_notice(c, "ok",
					 "Credentials saved and validated. The "
					 "integrations are unlocked.",
					 NULL, out);
	if (st->connected && !strcmp(q, "tested=1"))
		return web_render_notice(
			c, st->valid ? "ok" : "error",
			st->valid ? "Connection tested: working."
				  : "Connection tested: not working. See the "
				    "diagnosis below.",
			NULL, out);
	return 0;
}

void web_page_menu(struct web_ctx *c)
{
	struct sfb_tmpl_vars v = SFB_TMPL_VARS_INIT;
	struct base_buf status = BASE_BUF_INIT(16384);
	struct base_buf diags = BASE_BUF_INIT(WEB_PAGE_MAX / 2);
	struct base_buf flash = BASE_BUF_INIT(4096);
	struct base_buf test = BASE_BUF_INIT(4096);
	struct base_buf usage = BASE_BUF_INIT(96 * 1024);
	struct base_buf hist = BASE_BUF_INIT(96 * 1024);
	struct base_buf list = BASE_BUF_INIT(65536);
	struct base_buf content = BASE_BUF_INIT(WEB_PAGE_MAX);
	struct sfb_creds_result r;
	struct web_conn_status st;
	json_t *arr = NULL, *history = NULL;
	long long failures = -1;
	bool failed;

	sfb_creds_result_init(&r);
	if (!web_is_get(c->req)) {
		web_bad_method(c, "GET, HEAD");
		goto out;
	}
	if (!web_require_admin(c))
		goto out;
	sfb_creds_result_release(&r);
	failed = web_creds_read(c, &r, &failures, &history) != 0;
	web_status_from(&r, failed, &st);
	/* What the last validation found: the errors while locked, the
	 * warnings while working. */
	if (st.connected) {
		struct sfb_tmpl_vars tv = SFB_TMPL_VARS_INIT;

		arr = sfb_diags_to_json(&r.diags);
		sfb_tmpl_vars_text(&tv, "csrf", c->csrf);
		if (web_render_diags(c, arr, st.valid, &diags) != 0 ||
		    web_render(c, "test_again.html", &tv, &test) != 0)
			goto fail;
	}
	if (render_flash(c, &st, &flash) != 0 ||
	    render_status(c, &st, failures, &status) != 0 ||
	    render_usage(c, &usage) != 0 ||
	    render_history(c, history, &hist) != 0 ||
	    render_integrations(c, &st, &list) != 0)
		goto fail;
	sfb_tmpl_vars_html(&v, "flash", base_buf_str(&flash));
	sfb_tmpl_vars_html(&v, "status", base_buf_str(&status));
	sfb_tmpl_vars_html(&v, "diagnoses", base_buf_str(&diags));
	sfb_tmpl_vars_html(&v, "test", base_buf_str(&test));
	sfb_tmpl_vars_html(&v, "usage", base_buf_str(&usage));
	sfb_tmpl_vars_html(&v, "history", base_buf_str(&hist));
	sfb_tmpl_vars_html(&v, "integrations", base_buf_str(&list));
	sfb_tmpl_vars_text(&v, "creds_action",
			   st.connected ? "Change credentials"
					: "Enter credentials");
	if (web_render(c, "menu.html", &v, &content) != 0)
		goto fail;
	web_send_page(c, 200, "Salesforce Integration", base_buf_str(&content));
	goto out;
fail:
	web_error_page(c, 500, "Something went wrong",
		       "The page could not be built.");
out:
	json_decref(arr);
	json_decref(history);
	sfb_creds_result_release(&r);
	base_buf_release(&status);
	base_buf_release(&diags);
	base_buf_release(&flash);
	base_buf_release(&test);
	base_buf_release(&usage);
	base_buf_release(&hist);
	base_buf_release(&list);
	base_buf_release(&content);
}

/* ---- Test again ---- */

/*
 * POST /settings/salesforce/test: one login with the active credentials
 * even while the lockout guard holds them (the admin asked), then back to
 * the menu, which shows the outcome from the validation it recorded.
 */
void web_page_test(struct web_ctx *c)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_creds_result r;
	struct sfb_creds *cc = NULL;
	int rc;

	if (!web_admin_post(c, "POST"))
		return;
	rc = web_creds(c, &cc, &err);
	if (rc == 0)
		rc = sfb_creds_test(cc, true, &r, &err);
	else
		sfb_creds_result_init(&r);
	sfb_creds_close(cc);
	if (rc < 0) {
		base_error("web: test the credentials: %s", err.msg);
		web_error_page(c, 500, "Something went wrong",
			       "sfbridge could not test the credentials (an "
			       "internal error; the server log says more).");
	} else if (!r.active) {
		web_error_page(c, 409, "Nothing to test",
			       "No Salesforce credentials are saved yet.");
	} else {
		base_info("web: credentials Test again by '%s' for '%s': %s",
			  c->admin.email, r.facts.username[0]
						  ? r.facts.username
						  : "(unknown)",
			  r.valid ? "valid" : "not valid");
		web_redirect(c, "/settings/salesforce?tested=1");
	}
	sfb_creds_result_release(&r);
}

/* ---- an integration's switch ---- */

void web_page_integration_post(struct web_ctx *c, const char *key)
{
	const struct sfb_integration_def *in = sfb_integration_find(key);
	struct base_err err = BASE_ERR_INIT;
	struct web_conn_status st;
	const char *enabled;
	int rc;

	if (!in) {
		web_error_page(c, 404, "Page not found",
			       "There is no integration by that name.");
		return;
	}
	if (!web_admin_post(c, "POST"))
		return;
	enabled = web_field(c, "enabled");
	if (strcmp(enabled, "1") != 0 && strcmp(enabled, "0") != 0) {
		web_error_page(c, 400, "Bad form",
			       "The switch must send enabled=1 or enabled=0. "
			       "Reload the page and try again.");
		return;
	}
	web_conn_status(c, &st);
	if (!web_db(c)) {
		web_error_page(c, 500, "Something went wrong",
			       "The console's store is not available.");
		return;
	}
	rc = sfb_integration_set(c->db, c->w->workspace, in->key,
				 enabled[0] == '1', web_lock_reason(&st),
				 c->admin.email, base_time_now_ms(), &err);
	if (rc == BASE_EINVAL) {
		web_error_page(c, 409, in->name, web_lock_reason(&st));
		return;
	}
	if (rc != 0) {
		base_error("web: switch integration '%s': %s", in->key, err.msg);
		web_error_page(c, 500, "Something went wrong",
			       "The integration could not be switched.");
		return;
	}
	base_info("web: integration '%s' %s by '%s'", in->key,
		  enabled[0] == '1' ? "enabled" : "disabled", c->admin.email);
	web_redirect(c, "/settings/salesforce");
}
