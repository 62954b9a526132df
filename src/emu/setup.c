/* setup.c - the Setup UI at /setup: Users, Profiles and Reset My Security Token. */
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/form.h"
#include "crypto.h"
#include "base/db.h"
#include "orgfile.h"
#include "path.h"
#include "base/banned.h"

/*
 * Server-rendered HTML with no script: the CSP allows only our own
 * stylesheet. Every value is escaped with base_buf_put_xml, and every path
 * segment we link to is %-encoded. Like /_emu/, the router serves this only
 * to loopback peers and holds the org lock for the whole call.
 */

#define PAGE_MAX (4u * 1024 * 1024)
#define CSS_MAX  (256u * 1024)

static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
			    "vwxyz0123456789";

/* The permissions every profile page shows, in the order Setup lists them. */
static const struct perm_label {
	const char *name;
	const char *label;
} perm_labels[] = {
	{"ApiEnabled", "API Enabled"},
	{"ApiUserOnly", "API Only User"},
	{"ModifyAllData", "Modify All Data"},
	{"ViewAllData", "View All Data"},
	{"CustomizeApplication", "Customize Application"},
	{"ManageProfilesPermissionsets", "Manage Profiles and Permission Sets"},
	{"ViewSetup", "View Setup and Configuration"},
	{"ManageUsers", "Manage Users"},
	{"UseAnyApiAuth", "Use Any API Auth"},
	{"PasswordNeverExpires", "Password Never Expires"},
};
#define NPERM_LABELS (sizeof(perm_labels) / sizeof(perm_labels[0]))

static const char *const days[] = {"monday",   "tuesday", "wednesday",
				   "thursday", "friday",  "saturday",
				   "sunday"};
static const char *const day_labels[] = {"Monday",   "Tuesday", "Wednesday",
					 "Thursday", "Friday",  "Saturday",
					 "Sunday"};

/*
 * One random value per process, put in every form and checked on every
 * POST, so that another site's page can't make the browser post here.
 * Guarded by the org lock (the router holds it for every call).
 */
static char csrf_token[33];

static const char *csrf(void)
{
	if (!csrf_token[0] && emu_random_token(csrf_token, 32, alnum))
		csrf_token[0] = '\0';
	return csrf_token;
}

struct crumb {
	const char *label;
	const char *href; /* already %-encoded; NULL for the current page */
};

/* ---- small writers ---- */

static void put(struct base_buf *b, const char *s)
{
	base_buf_puts(b, s);
}

static void esc(struct base_buf *b, const char *s)
{
	base_buf_put_xml(b, s ? s : "");
}

/* %-encodes s for one path segment (RFC 3986 unreserved kept). */
static void put_seg(struct base_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			base_buf_putc(b, (char)c);
		else
			base_buf_printf(b, "%%%02X", c);
	}
}

static void csrf_field(struct base_buf *b)
{
	put(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	esc(b, csrf());
	put(b, "\">");
}

static void page_start(struct base_buf *b, const char *title,
		       const struct crumb *crumbs, int n)
{
	put(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	       "<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, "
	       "initial-scale=1\">\n<title>");
	esc(b, title);
	put(b, " | sfemu Setup</title>\n"
	       "<link rel=\"stylesheet\" href=\"/setup/setup.css\">\n"
	       "</head>\n<body>\n<header class=\"top\">\n"
	       "<a class=\"brand\" href=\"/setup\">sfemu Setup</a>\n"
	       "<nav aria-label=\"Setup\"><ul>"
	       "<li><a href=\"/setup/users\">Users</a></li>"
	       "<li><a href=\"/setup/profiles\">Profiles</a></li>"
	       "<li><a href=\"/setup/reset-token\">Reset My Security "
	       "Token</a></li></ul></nav>\n</header>\n<main>\n");
	if (n > 0) {
		put(b, "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>");
		for (int i = 0; i < n; i++) {
			put(b, "<li>");
			if (crumbs[i].href) {
				put(b, "<a href=\"");
				esc(b, crumbs[i].href);
				put(b, "\">");
				esc(b, crumbs[i].label);
				put(b, "</a>");
			} else {
				put(b, "<span aria-current=\"page\">");
				esc(b, crumbs[i].label);
				put(b, "</span>");
			}
			put(b, "</li>");
		}
		put(b, "</ol></nav>\n");
	}
	put(b, "<h1>");
	esc(b, title);
	put(b, "</h1>\n");
}

/* A status line: kind is "ok" or "error". */
static void message(struct base_buf *b, const char *kind, const char *text)
{
	if (!text)
		return;
	base_buf_printf(b, "<p class=\"msg %s\" role=\"%s\">", kind,
			strcmp(kind, "error") == 0 ? "alert" : "status");
	esc(b, text);
	put(b, "</p>\n");
}

static void security_headers(struct emu_resp *resp)
{
	emu_resp_header(resp, "Content-Security-Policy",
			"default-src 'self'; style-src 'self'");
	emu_resp_header(resp, "X-Frame-Options", "DENY");
	emu_resp_header(resp, "X-Content-Type-Options", "nosniff");
	emu_resp_header(resp, "Referrer-Policy", "no-referrer");
	emu_resp_header(resp, "Cache-Control", "no-store");
}

/* Ends the page and sends it; releases b. */
static void page_send(struct emu_resp *resp, int status, struct base_buf *b)
{
	put(b, "</main>\n</body>\n</html>\n");
	if (base_buf_err(b)) {
		base_buf_release(b);
		emu_resp_start(resp, 500, "text/plain; charset=utf-8");
		base_buf_puts(&resp->body, "the page is too large\n");
		return;
	}
	emu_resp_start(resp, status, "text/html; charset=utf-8");
	security_headers(resp);
	base_buf_append(&resp->body, b->data, b->len);
	base_buf_release(b);
}

/* A whole page with one message, for errors. */
static void simple_page(struct emu_resp *resp, int status, const char *title,
			const char *text)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	const struct crumb c[] = {{"Setup", "/setup"}, {title, NULL}};

	page_start(&b, title, c, 2);
	message(&b, "error", text);
	put(&b, "<p><a href=\"/setup\">Back to Setup</a></p>\n");
	page_send(resp, status, &b);
}

/* 303 to the URL in `loc` (a path we built, so already encoded). */
static void redirect(struct emu_resp *resp, const struct base_buf *loc)
{
	emu_resp_start(resp, 303, "text/plain; charset=utf-8");
	security_headers(resp);
	/* emu_resp_header keeps 511 bytes: fall back to the home page. */
	emu_resp_header(resp, "Location",
			!base_buf_err(loc) && loc->len < 500 ? base_buf_str(loc)
							     : "/setup");
	base_buf_puts(&resp->body, "See Other\n");
}

static bool is_get(const struct emu_req *req)
{
	return strcmp(req->method, "GET") == 0 ||
	       strcmp(req->method, "HEAD") == 0;
}

static bool is_post(const struct emu_req *req)
{
	return strcmp(req->method, "POST") == 0;
}

static void bad_method(struct emu_resp *resp, const char *allow)
{
	simple_page(resp, 405, "Method Not Allowed",
		    "This page does not accept that request method.");
	emu_resp_header(resp, "Allow", allow);
}

/*
 * Parses the urlencoded body into f and checks its CSRF token. false after
 * replying with an error page (then f is empty).
 */
static bool read_form(const struct emu_req *req, struct emu_resp *resp,
		      struct base_form *f)
{
	const char *tok;

	if (base_form_parse(f, req->body ? req->body : "", req->body_len,
			    NULL)) {
		simple_page(resp, 400, "Bad Request",
			    "The form could not be read.");
		return false;
	}
	tok = base_form_get(f, "csrf");
	if (!csrf()[0] || !tok || !emu_const_eq(tok, csrf())) {
		base_form_release(f);
		simple_page(resp, 403, "Forbidden",
			    "The form has expired. Go back, reload the page "
			    "and try again.");
		return false;
	}
	return true;
}

static const char *yes_no(bool v)
{
	return v ? "Yes" : "No";
}

/* ---- assets and the index ---- */

static void serve_css(struct emu_resp *resp)
{
	const char *dir = getenv("SFEMU_WEB_DIR");
	char path[4096];
	struct base_buf css = BASE_BUF_INIT(CSS_MAX);
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/setup.css",
		 dir && *dir ? dir : "web/emu");
	f = fopen(path, "rb");
	if (!f) {
		emu_resp_start(resp, 404, "text/plain; charset=utf-8");
		base_buf_puts(&resp->body, "setup.css not found\n");
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		base_buf_append(&css, chunk, n);
	fclose(f);
	if (base_buf_err(&css)) {
		base_buf_release(&css);
		emu_resp_start(resp, 500, "text/plain; charset=utf-8");
		base_buf_puts(&resp->body, "setup.css is too large\n");
		return;
	}
	emu_resp_start(resp, 200, "text/css; charset=utf-8");
	emu_resp_header(resp, "X-Content-Type-Options", "nosniff");
	emu_resp_header(resp, "Cache-Control", "no-cache");
	base_buf_append(&resp->body, css.data ? css.data : "", css.len);
	base_buf_release(&css);
}

static void index_page(struct emu_org *org, struct emu_resp *resp)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);

	page_start(&b, "Setup Home", NULL, 0);
	put(&b, "<p class=\"org\">Org <strong>");
	esc(&b, emu_org_conf_str(org, "orgName"));
	put(&b, "</strong> (");
	esc(&b, emu_org_conf_str(org, "edition"));
	put(&b, " Edition), id <code>");
	esc(&b, org->id);
	put(&b,
	    "</code></p>\n"
	    "<section>\n<h2>Administration: Users</h2>\n<ul class=\"links\">"
	    "<li><a href=\"/setup/users\">Users</a>: unlock a user, reset "
	    "a password, freeze a user</li>"
	    "<li><a href=\"/setup/profiles\">Profiles</a>: permissions, "
	    "login hours, login IP ranges</li></ul>\n</section>\n"
	    "<section>\n<h2>Personal Settings</h2>\n<ul class=\"links\">"
	    "<li><a href=\"/setup/reset-token\">Reset My Security "
	    "Token</a></li></ul>\n</section>\n");
	page_send(resp, 200, &b);
}

/* ---- profiles ---- */

static void profiles_page(struct emu_org *org, struct emu_resp *resp)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	const struct crumb c[] = {{"Setup", "/setup"},
				  {"Users", "/setup/users"},
				  {"Profiles", NULL}};
	json_t *ids = base_db_column_list(
		org->db, "SELECT id FROM emu_profile ORDER BY name", NULL);
	size_t i;
	json_t *id;

	if (!ids) {
		simple_page(resp, 500, "Error",
			    "The profiles could not be read.");
		return;
	}
	page_start(&b, "Profiles", c, 3);
	put(&b,
	    "<table>\n<thead><tr><th scope=\"col\">Profile Name</th>"
	    "<th scope=\"col\">User License</th>"
	    "<th scope=\"col\">API Enabled</th>"
	    "<th scope=\"col\">Login Hours</th>"
	    "<th scope=\"col\">Login IP Ranges</th></tr></thead>\n<tbody>\n");
	json_array_foreach(ids, i, id) {
		json_t *p = NULL, *hours;
		const char *name;

		if (emu_org_profile_json(org, json_string_value(id), &p, NULL))
			continue;
		name = json_string_value(json_object_get(p, "name"));
		hours = json_object_get(p, "loginHours");
		put(&b, "<tr><th scope=\"row\"><a href=\"/setup/profiles/");
		put_seg(&b, name);
		put(&b, "\">");
		esc(&b, name);
		put(&b, "</a></th><td>");
		esc(&b, json_string_value(json_object_get(p, "userLicense")));
		put(&b, "</td><td>");
		put(&b,
		    yes_no(json_is_true(json_object_get(
			    json_object_get(p, "permissions"), "ApiEnabled"))));
		put(&b, "</td><td>");
		put(&b, json_object_size(hours) ? "Restricted" : "None");
		base_buf_printf(
			&b, "</td><td>%zu</td></tr>\n",
			json_array_size(json_object_get(p, "loginIpRanges")));
		json_decref(p);
	}
	put(&b, "</tbody>\n</table>\n");
	json_decref(ids);
	page_send(resp, 200, &b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *perm_label(const char *name)
{
	for (size_t i = 0; i < NPERM_LABELS; i++)
		if (strcmp(perm_labels[i].name, name) == 0)
			return perm_labels[i].label;
	return name;
}

/*
 * The permission names a profile page shows: the known ones, then the
 * profile's others, sorted. Caller frees the array (names are borrowed from
 * perms and the table). NULL when out of memory.
 */
static const char **shown_perms(json_t *perms, size_t *n_out)
{
	const char **names = malloc((NPERM_LABELS + json_object_size(perms)) *
				    sizeof(*names));
	size_t n = 0, extra;
	const char *key;
	json_t *v;

	if (!names)
		return NULL;
	for (size_t i = 0; i < NPERM_LABELS; i++)
		names[n++] = perm_labels[i].name;
	extra = n;
	json_object_foreach(perms, key, v) {
		bool known = false;

		for (size_t i = 0; i < NPERM_LABELS; i++)
			known = known || strcmp(perm_labels[i].name, key) == 0;
		if (!known)
			names[n++] = key;
	}
	qsort(names + extra, n - extra, sizeof(*names), cmp_str);
	*n_out = n;
	return names;
}

static void hhmm(json_t *minutes, char out[8])
{
	json_int_t m = json_integer_value(minutes);

	if (!json_is_integer(minutes) || m < 0 || m > 1440) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 8, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

/* "9:30" / "09:30" / "24:00" -> minutes after midnight; -1 if malformed. */
static int parse_hhmm(const char *s)
{
	int h = 0, m = 0, i = 0, digits = 0;

	while (s[i] >= '0' && s[i] <= '9' && digits < 2) {
		h = h * 10 + (s[i++] - '0');
		digits++;
	}
	if (digits == 0 || s[i++] != ':')
		return -1;
	if (!(s[i] >= '0' && s[i] <= '5') ||
	    !(s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 2] != '\0')
		return -1;
	m = (s[i] - '0') * 10 + (s[i + 1] - '0');
	if (h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

static void profile_page(struct emu_org *org, struct emu_req *req,
			 struct emu_resp *resp, const char *name, int status,
			 const char *error)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	struct base_buf self = BASE_BUF_INIT(2048);
	const char **names = NULL;
	json_t *p = NULL, *perms, *hours, *ranges, *r;
	size_t n = 0, i;

	if (emu_org_profile_json(org, name, &p, NULL)) {
		simple_page(resp, 404, "Profile Not Found",
			    "There is no profile with that name.");
		return;
	}
	perms = json_object_get(p, "permissions");
	hours = json_object_get(p, "loginHours");
	ranges = json_object_get(p, "loginIpRanges");
	names = shown_perms(perms, &n);
	name = json_string_value(json_object_get(p, "name"));
	put(&self, "/setup/profiles/");
	put_seg(&self, name);

	const struct crumb c[] = {{"Setup", "/setup"},
				  {"Users", "/setup/users"},
				  {"Profiles", "/setup/profiles"},
				  {name, NULL}};
	page_start(&b, name, c, 4);
	message(&b, "error", error);
	if (!error && emu_req_query(req, "saved"))
		message(&b, "ok", "Your changes were saved.");
	put(&b, "<p>User License: ");
	esc(&b, json_string_value(json_object_get(p, "userLicense")));
	put(&b, "</p>\n<form method=\"post\" action=\"");
	esc(&b, base_buf_str(&self));
	put(&b, "\">\n");
	csrf_field(&b);
	put(&b, "\n<fieldset>\n<legend>Administrative Permissions</legend>\n"
		"<ul class=\"perms\">\n");
	for (i = 0; names && i < n; i++) {
		put(&b, "<li><input type=\"checkbox\" id=\"perm-");
		esc(&b, names[i]);
		put(&b, "\" name=\"perm_");
		esc(&b, names[i]);
		put(&b, "\" value=\"1\"");
		if (json_is_true(json_object_get(perms, names[i])))
			put(&b, " checked");
		put(&b, "> <label for=\"perm-");
		esc(&b, names[i]);
		put(&b, "\">");
		esc(&b, perm_label(names[i]));
		put(&b, "</label></li>\n");
	}
	put(&b, "</ul>\n</fieldset>\n<fieldset>\n<legend>Login Hours</legend>\n"
		"<p class=\"hint\">Times are HH:MM in the org's time zone (");
	esc(&b, emu_org_conf_str(org, "timeZone"));
	put(&b, "); an end of 24:00 means midnight. Leave every day empty "
		"for no restriction. Once any day has hours, a day left empty "
		"allows no login at all.</p>\n<table class=\"hours\">\n"
		"<thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Start"
		"</th><th scope=\"col\">End</th></tr></thead>\n<tbody>\n");
	for (int d = 0; d < 7; d++) {
		char k[32], start[8], end[8];

		snprintf(k, sizeof(k), "%sStart", days[d]);
		hhmm(json_object_get(hours, k), start);
		snprintf(k, sizeof(k), "%sEnd", days[d]);
		hhmm(json_object_get(hours, k), end);
		base_buf_printf(
			&b,
			"<tr><th scope=\"row\">%s</th>"
			"<td><label class=\"vh\" for=\"%s-start\">%s start"
			"</label><input type=\"text\" id=\"%s-start\" "
			"name=\"%s_start\" value=\"%s\" size=\"5\" "
			"maxlength=\"5\" placeholder=\"HH:MM\" "
			"pattern=\"[0-9]{1,2}:[0-5][0-9]\"></td>"
			"<td><label class=\"vh\" for=\"%s-end\">%s end</label>"
			"<input type=\"text\" id=\"%s-end\" name=\"%s_end\" "
			"value=\"%s\" size=\"5\" maxlength=\"5\" "
			"placeholder=\"HH:MM\" "
			"pattern=\"[0-9]{1,2}:[0-5][0-9]\"></td></tr>\n",
			day_labels[d], days[d], day_labels[d], days[d], days[d],
			start, days[d], day_labels[d], days[d], days[d], end);
	}
	put(&b,
	    "</tbody>\n</table>\n</fieldset>\n"
	    "<p class=\"actions\"><button type=\"submit\">Save</button></p>\n"
	    "</form>\n<section>\n<h2>Login IP Ranges</h2>\n");
	if (json_array_size(ranges) == 0)
		put(&b,
		    "<p>No login IP ranges: users with this profile can log "
		    "in from any IP address.</p>\n");
	else
		put(&b,
		    "<table>\n<thead><tr><th scope=\"col\">Start IP Address"
		    "</th><th scope=\"col\">End IP Address</th>"
		    "<th scope=\"col\">Description</th>"
		    "<th scope=\"col\">Action</th></tr></thead>\n<tbody>\n");
	json_array_foreach(ranges, i, r) {
		const char *lo =
			json_string_value(json_object_get(r, "startAddress"));
		const char *hi =
			json_string_value(json_object_get(r, "endAddress"));

		put(&b, "<tr><td>");
		esc(&b, lo);
		put(&b, "</td><td>");
		esc(&b, hi);
		put(&b, "</td><td>");
		esc(&b, json_string_value(json_object_get(r, "description")));
		put(&b, "</td><td><form method=\"post\" action=\"");
		esc(&b, base_buf_str(&self));
		put(&b, "/ip-ranges\">");
		csrf_field(&b);
		put(&b, "<input type=\"hidden\" name=\"op\" value=\"remove\">"
			"<input type=\"hidden\" name=\"start\" value=\"");
		esc(&b, lo);
		put(&b, "\"><input type=\"hidden\" name=\"end\" value=\"");
		esc(&b, hi);
		put(&b, "\"><button type=\"submit\">Remove</button></form></td>"
			"</tr>\n");
	}
	if (json_array_size(ranges))
		put(&b, "</tbody>\n</table>\n");
	put(&b, "<form method=\"post\" class=\"add-range\" action=\"");
	esc(&b, base_buf_str(&self));
	put(&b, "/ip-ranges\">\n");
	csrf_field(&b);
	put(&b, "<input type=\"hidden\" name=\"op\" value=\"add\">\n"
		"<fieldset>\n<legend>New Login IP Range</legend>\n"
		"<p><label for=\"ip-start\">Start IP Address</label> "
		"<input type=\"text\" id=\"ip-start\" name=\"start\" "
		"required maxlength=\"15\" inputmode=\"decimal\"></p>\n"
		"<p><label for=\"ip-end\">End IP Address</label> "
		"<input type=\"text\" id=\"ip-end\" name=\"end\" required "
		"maxlength=\"15\" inputmode=\"decimal\"></p>\n"
		"<p><label for=\"ip-desc\">Description</label> "
		"<input type=\"text\" id=\"ip-desc\" name=\"description\" "
		"maxlength=\"255\"></p>\n"
		"<p class=\"actions\"><button type=\"submit\">Add IP Range"
		"</button></p>\n</fieldset>\n</form>\n</section>\n");
	free(names);
	base_buf_release(&self);
	json_decref(p);
	page_send(resp, status, &b);
}

/* Builds new permissions and login hours from the posted form into p. */
static int profile_from_form(json_t *p, const struct base_form *f,
			     struct base_err *err)
{
	json_t *perms = json_deep_copy(json_object_get(p, "permissions"));
	json_t *hours = json_object();
	const char **names = NULL;
	size_t n = 0;
	int rc = BASE_ENOMEM;

	if (!json_is_object(perms)) {
		json_decref(perms);
		perms = json_object();
	}
	if (!perms || !hours ||
	    !(names = shown_perms(json_object_get(p, "permissions"), &n))) {
		base_err_set(err, BASE_ENOMEM, "profile form");
		goto out;
	}
	/* A checkbox that is not ticked is not posted at all. */
	for (size_t i = 0; i < n; i++) {
		char field[160];

		bool on;

		snprintf(field, sizeof(field), "perm_%s", names[i]);
		on = base_form_get(f, field) != NULL;
		/* Keep the profile's keys, and add only what was ticked. */
		if (on || json_object_get(perms, names[i]))
			json_object_set_new(perms, names[i], json_boolean(on));
	}
	for (int d = 0; d < 7; d++) {
		char k[32];
		const char *s, *e;
		int sm, em;

		snprintf(k, sizeof(k), "%s_start", days[d]);
		s = base_form_get(f, k);
		snprintf(k, sizeof(k), "%s_end", days[d]);
		e = base_form_get(f, k);
		s = s ? s : "";
		e = e ? e : "";
		if (!*s && !*e)
			continue;
		if (!*s || !*e) {
			rc = base_err_set(err, BASE_EINVAL,
					  "%s: give both a start and an end "
					  "time, or neither",
					  day_labels[d]);
			goto out;
		}
		sm = parse_hhmm(s);
		em = parse_hhmm(e);
		if (sm < 0 || em < 0) {
			rc = base_err_set(err, BASE_EINVAL,
					  "%s: times must be HH:MM, from 00:00 "
					  "to 24:00",
					  day_labels[d]);
			goto out;
		}
		snprintf(k, sizeof(k), "%sStart", days[d]);
		json_object_set_new(hours, k, json_integer(sm));
		snprintf(k, sizeof(k), "%sEnd", days[d]);
		json_object_set_new(hours, k, json_integer(em));
	}
	if (emu_orgfile_check_permissions(perms, "permissions", err)) {
		rc = BASE_EINVAL;
		goto out;
	}
	if (json_object_size(hours) &&
	    emu_orgfile_check_login_hours(hours, "login hours", err)) {
		rc = BASE_EINVAL;
		goto out;
	}
	json_object_set(p, "permissions", perms);
	json_object_set(p, "loginHours",
			json_object_size(hours) ? hours : json_null());
	rc = 0;
out:
	free(names);
	json_decref(perms);
	json_decref(hours);
	return rc;
}

/* Adds or removes one login IP range of p from the posted form. */
static int ranges_from_form(json_t *p, const struct base_form *f,
			    struct base_err *err)
{
	const char *op = base_form_get(f, "op");
	const char *lo = base_form_get(f, "start");
	const char *hi = base_form_get(f, "end");
	const char *desc = base_form_get(f, "description");
	json_t *ranges = json_deep_copy(json_object_get(p, "loginIpRanges"));
	int rc = BASE_EINVAL;

	if (!json_is_array(ranges)) {
		json_decref(ranges);
		ranges = json_array();
	}
	if (!ranges || !op || !lo || !hi) {
		rc = base_err_set(err, BASE_EINVAL,
				  "give a start and an end IP address");
		goto out;
	}
	if (strcmp(op, "add") == 0) {
		json_t *r = json_pack("{s:s, s:s}", "startAddress", lo,
				      "endAddress", hi);

		if (r && desc && *desc)
			json_object_set_new(r, "description",
					    json_string(desc));
		json_array_append_new(ranges, r);
		if (emu_orgfile_check_ip_ranges(ranges, "startAddress",
						"endAddress", "loginIpRanges",
						err))
			goto out;
	} else if (strcmp(op, "remove") == 0) {
		size_t i;
		json_t *r;

		json_array_foreach(ranges, i, r) {
			const char *a = json_string_value(
				json_object_get(r, "startAddress"));
			const char *z = json_string_value(
				json_object_get(r, "endAddress"));

			if (a && z && strcmp(a, lo) == 0 && strcmp(z, hi) == 0)
				break;
		}
		if (i == json_array_size(ranges)) {
			rc = base_err_set(
				err, BASE_EINVAL,
				"that IP range is not on the profile");
			goto out;
		}
		json_array_remove(ranges, i);
	} else {
		rc = base_err_set(err, BASE_EINVAL, "unknown action");
		goto out;
	}
	json_object_set(p, "loginIpRanges", ranges);
	rc = 0;
out:
	json_decref(ranges);
	return rc;
}

static void profile_post(struct emu_org *org, struct emu_req *req,
			 struct emu_resp *resp, const char *name, bool ranges)
{
	struct base_err err = BASE_ERR_INIT;
	struct base_form f = BASE_FORM_INIT;
	struct base_buf loc = BASE_BUF_INIT(2048);
	json_t *p = NULL;
	int rc;

	if (!read_form(req, resp, &f))
		return;
	if (emu_org_profile_json(org, name, &p, NULL)) {
		simple_page(resp, 404, "Profile Not Found",
			    "There is no profile with that name.");
		goto out;
	}
	rc = ranges ? ranges_from_form(p, &f, &err)
		    : profile_from_form(p, &f, &err);
	if (rc == 0)
		rc = base_db_end(org->db,
				base_db_begin(org->db, &err) ||
					emu_org_profile_save(org, p, &err),
				&err);
	if (rc) {
		profile_page(org, req, resp, name,
			     err.code == BASE_EINVAL ? 400 : 500,
			     err.msg[0] ? err.msg
					: "The profile was not saved.");
		goto out;
	}
	put(&loc, "/setup/profiles/");
	put_seg(&loc, json_string_value(json_object_get(p, "name")));
	put(&loc, "?saved=1");
	redirect(resp, &loc);
out:
	base_buf_release(&loc);
	json_decref(p);
	base_form_release(&f);
}

/* ---- users ---- */

static void users_page(struct emu_org *org, struct emu_resp *resp)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	const struct crumb c[] = {{"Setup", "/setup"}, {"Users", NULL}};
	json_t *names =
		base_db_column_list(org->db,
				   "SELECT username FROM emu_user ORDER BY"
				   " username COLLATE NOCASE",
				   NULL);
	size_t i;
	json_t *n;

	if (!names) {
		simple_page(resp, 500, "Error", "The users could not be read.");
		return;
	}
	page_start(&b, "Users", c, 2);
	put(&b, "<table>\n<thead><tr><th scope=\"col\">Username</th>"
		"<th scope=\"col\">Full Name</th><th scope=\"col\">Profile</th>"
		"<th scope=\"col\">Active</th><th scope=\"col\">Locked</th>"
		"<th scope=\"col\">Frozen</th></tr></thead>\n<tbody>\n");
	json_array_foreach(names, i, n) {
		struct emu_user u;
		json_t *p = NULL;
		bool locked;

		if (emu_org_find_user(org, json_string_value(n), &u, NULL))
			continue;
		locked = emu_org_user_locked(org, &u);
		(void)emu_org_profile_json(org, u.profile_id, &p, NULL);
		put(&b, "<tr><th scope=\"row\"><a href=\"/setup/users/");
		put_seg(&b, u.username);
		put(&b, "\">");
		esc(&b, u.username);
		put(&b, "</a></th><td>");
		esc(&b, u.first_name);
		put(&b, u.first_name[0] ? " " : "");
		esc(&b, u.last_name);
		put(&b, "</td><td>");
		esc(&b, json_string_value(json_object_get(p, "name")));
		base_buf_printf(&b,
				"</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				yes_no(u.is_active), yes_no(locked),
				yes_no(u.is_frozen));
		json_decref(p);
	}
	put(&b, "</tbody>\n</table>\n");
	json_decref(names);
	page_send(resp, 200, &b);
}

static void action_button(struct base_buf *b, const char *self,
			  const char *action, const char *label)
{
	put(b, "<form method=\"post\" action=\"");
	esc(b, self);
	put(b, "\">");
	csrf_field(b);
	put(b, "<input type=\"hidden\" name=\"action\" value=\"");
	esc(b, action);
	put(b, "\"><button type=\"submit\">");
	esc(b, label);
	put(b, "</button></form>\n");
}

static void row(struct base_buf *b, const char *label, const char *value)
{
	put(b, "<tr><th scope=\"row\">");
	esc(b, label);
	put(b, "</th><td>");
	esc(b, value);
	put(b, "</td></tr>\n");
}

static const char *done_message(const char *done)
{
	if (!done)
		return NULL;
	if (strcmp(done, "unlocked") == 0)
		return "The user was unlocked.";
	if (strcmp(done, "password") == 0)
		return "The password was reset. A temporary password and a new "
		       "security token were emailed to the user.";
	if (strcmp(done, "frozen") == 0)
		return "The user was frozen: they can't log in, and their "
		       "sessions were ended.";
	if (strcmp(done, "unfrozen") == 0)
		return "The user was unfrozen.";
	return NULL;
}

static void user_page(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *username)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	struct base_buf self = BASE_BUF_INIT(2048);
	char full[300], num[32];
	json_t *p = NULL, *psets = NULL, *v;
	struct emu_user u;
	bool locked;
	size_t i;

	if (emu_org_find_user(org, username, &u, NULL)) {
		simple_page(resp, 404, "User Not Found",
			    "There is no user with that username.");
		return;
	}
	locked = emu_org_user_locked(org, &u);
	(void)emu_org_profile_json(org, u.profile_id, &p, NULL);
	(void)emu_org_user_permset_names(org, u.id, &psets, NULL);
	snprintf(full, sizeof(full), "%s%s%s", u.first_name,
		 u.first_name[0] ? " " : "", u.last_name);
	put(&self, "/setup/users/");
	put_seg(&self, u.username);

	const struct crumb c[] = {
		{"Setup", "/setup"}, {"Users", "/setup/users"}, {full, NULL}};
	page_start(&b, full, c, 3);
	message(&b, "ok", done_message(emu_req_query(req, "done")));
	put(&b, "<div class=\"buttons\">\n");
	/* Like Salesforce, Unlock appears only while the user is locked. */
	if (locked)
		action_button(&b, base_buf_str(&self), "unlock", "Unlock");
	action_button(&b, base_buf_str(&self), "reset-password",
		      "Reset Password");
	if (u.is_frozen)
		action_button(&b, base_buf_str(&self), "unfreeze", "Unfreeze");
	else
		action_button(&b, base_buf_str(&self), "freeze", "Freeze");
	put(&b, "</div>\n<table class=\"detail\">\n<tbody>\n");
	row(&b, "Name", full);
	row(&b, "Username", u.username);
	row(&b, "Email", u.email);
	put(&b, "<tr><th scope=\"row\">Profile</th><td>");
	if (p) {
		const char *pn = json_string_value(json_object_get(p, "name"));

		put(&b, "<a href=\"/setup/profiles/");
		put_seg(&b, pn);
		put(&b, "\">");
		esc(&b, pn);
		put(&b, "</a>");
	}
	put(&b, "</td></tr>\n<tr><th scope=\"row\">Permission Set "
		"Assignments</th><td>");
	json_array_foreach(psets, i, v) {
		put(&b, i ? ", " : "");
		esc(&b, json_string_value(v));
	}
	put(&b, json_array_size(psets) ? "" : "None");
	put(&b, "</td></tr>\n");
	row(&b, "Active", yes_no(u.is_active));
	row(&b, "Frozen", yes_no(u.is_frozen));
	row(&b, "Locked Out", yes_no(locked));
	row(&b, "Password Expired", yes_no(u.password_expired));
	snprintf(num, sizeof(num), "%d", u.failed_attempts);
	row(&b, "Failed Login Attempts", num);
	row(&b, "Time Zone", u.time_zone);
	row(&b, "User Type", u.user_type);
	put(&b, "</tbody>\n</table>\n");
	json_decref(p);
	json_decref(psets);
	base_buf_release(&self);
	page_send(resp, 200, &b);
}

/*
 * Salesforce's admin reset: a temporary password, already expired, emailed;
 * then the new security token in its own email (the newest message).
 */
static int reset_password(struct emu_org *org, const struct emu_user *u,
			  struct base_err *err)
{
	struct base_buf body = BASE_BUF_SECRET_INIT(4096);
	char pw[17];
	int rc;

	if (emu_random_token(pw, 16, alnum))
		return base_err_set(err, BASE_ERR, "random password");
	base_buf_printf(&body,
			"Hello %s,\n\nYour administrator reset your password."
			"\n\nUsername: %s\nTemporary password: %s\n\nYou "
			"must change it the next time you log in.\n\nThank "
			"you,\nSalesforce (sfemu)\n",
			u->first_name[0] ? u->first_name : u->last_name,
			u->username, pw);
	rc = base_buf_err(&body)
		     ? base_err_set(err, BASE_ENOMEM, "password email")
		     : emu_org_send_email(org, u->email,
					  "Your new Salesforce password",
					  base_buf_str(&body), err);
	if (rc == 0)
		rc = emu_org_change_password(org, u, pw, true,
					     "Your password was reset by your "
					     "administrator, so your security "
					     "token was reset too.",
					     err);
	explicit_bzero(pw, sizeof(pw));
	base_buf_release(&body);
	return rc;
}

static int user_action(struct emu_org *org, const struct emu_user *u,
		       const char *action, struct base_err *err)
{
	if (strcmp(action, "unlock") == 0)
		return emu_org_unlock_user(org, u->id, err);
	if (strcmp(action, "reset-password") == 0)
		return reset_password(org, u, err);
	if (strcmp(action, "freeze") == 0 || strcmp(action, "unfreeze") == 0) {
		bool freeze = strcmp(action, "freeze") == 0;

		if (base_db_run(org->db, err,
			       "UPDATE emu_user SET is_frozen = ? WHERE id = ?",
			       "bs", freeze, u->id))
			return BASE_ERR;
		/* A frozen user's sessions end at once. */
		return freeze ? emu_org_sessions_revoke_user(org, u->id, err)
			      : 0;
	}
	return base_err_set(err, BASE_EINVAL, "unknown action");
}

static void user_post(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *username)
{
	struct base_err err = BASE_ERR_INIT;
	struct base_form f = BASE_FORM_INIT;
	struct base_buf loc = BASE_BUF_INIT(2048);
	const char *action, *done;
	struct emu_user u;

	if (!read_form(req, resp, &f))
		return;
	action = base_form_get(&f, "action");
	if (emu_org_find_user(org, username, &u, NULL)) {
		simple_page(resp, 404, "User Not Found",
			    "There is no user with that username.");
		goto out;
	}
	if (!action || base_db_end(org->db,
				  base_db_begin(org->db, &err) ||
					  user_action(org, &u, action, &err),
				  &err)) {
		simple_page(resp,
			    !action || err.code == BASE_EINVAL ? 400 : 500,
			    "Error",
			    !action      ? "No action was given."
			    : err.msg[0] ? err.msg
					 : "The change was not saved.");
		goto out;
	}
	done = strcmp(action, "unlock") == 0           ? "unlocked"
	       : strcmp(action, "reset-password") == 0 ? "password"
	       : strcmp(action, "freeze") == 0         ? "frozen"
						       : "unfrozen";
	put(&loc, "/setup/users/");
	put_seg(&loc, u.username);
	base_buf_printf(&loc, "?done=%s", done);
	redirect(resp, &loc);
out:
	base_buf_release(&loc);
	base_form_release(&f);
}

/* ---- Reset My Security Token ---- */

static void reset_token_page(struct emu_req *req, struct emu_resp *resp,
			     int status, const char *error)
{
	struct base_buf b = BASE_BUF_INIT(PAGE_MAX);
	const struct crumb c[] = {{"Setup", "/setup"},
				  {"Personal Settings", NULL},
				  {"Reset My Security Token", NULL}};

	page_start(&b, "Reset My Security Token", c, 3);
	message(&b, "error", error);
	if (!error && emu_req_query(req, "sent")) {
		put(&b, "<section class=\"msg ok\" role=\"status\">\n"
			"<h2>Check your email</h2>\n<p>Your new security token "
			"was sent to the email address on your user record. "
			"Your old token no longer works.</p>\n</section>\n");
	}
	put(&b, "<p>When you reset your security token, your old token no "
		"longer works and a new one is emailed to you. You append the "
		"token to your password when you log in through the API from "
		"outside your company's trusted IP ranges.</p>\n"
		"<p class=\"hint\">The emulator has no Setup login, so say "
		"whose token to reset.</p>\n"
		"<form method=\"post\" action=\"/setup/reset-token\">\n");
	csrf_field(&b);
	put(&b, "\n<p><label for=\"username\">Username</label> "
		"<input type=\"text\" id=\"username\" name=\"username\" "
		"required autocomplete=\"username\" maxlength=\"255\" "
		"spellcheck=\"false\"></p>\n"
		"<p class=\"actions\"><button type=\"submit\">Reset Security "
		"Token</button></p>\n</form>\n");
	page_send(resp, status, &b);
}

static void reset_token_post(struct emu_org *org, struct emu_req *req,
			     struct emu_resp *resp)
{
	struct base_err err = BASE_ERR_INIT;
	struct base_form f = BASE_FORM_INIT;
	const char *name;
	struct emu_user u;

	if (!read_form(req, resp, &f))
		return;
	name = base_form_get(&f, "username");
	if (!name || !*name || emu_org_find_user(org, name, &u, NULL)) {
		reset_token_page(req, resp, 404,
				 "There is no user with that username.");
		goto out;
	}
	if (base_db_end(
		    org->db,
		    base_db_begin(org->db, &err) ||
			    emu_org_reset_token(org, &u,
						"As requested, your security "
						"token has been reset.",
						&err),
		    &err)) {
		reset_token_page(req, resp, 500,
				 "The security token could not be reset.");
		goto out;
	}
	emu_resp_start(resp, 303, "text/plain; charset=utf-8");
	security_headers(resp);
	emu_resp_header(resp, "Location", "/setup/reset-token?sent=1");
	base_buf_puts(&resp->body, "See Other\n");
out:
	base_form_release(&f);
}

/* ---- router ---- */

void emu_setup_handle(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, const char *rest)
{
	struct emu_path p = {0};
	bool get = is_get(req), post = is_post(req);

	if (emu_path_split(&p, rest ? rest : "")) {
		simple_page(resp, 404, "Page Not Found",
			    "There is no such Setup page.");
		return;
	}
	if (p.n == 0) {
		if (get)
			index_page(org, resp);
		else
			bad_method(resp, "GET");
	} else if (p.n == 1 && emu_path_is(&p, 0, "setup.css")) {
		if (get)
			serve_css(resp);
		else
			bad_method(resp, "GET");
	} else if (p.n == 1 && emu_path_is(&p, 0, "profiles")) {
		if (get)
			profiles_page(org, resp);
		else
			bad_method(resp, "GET");
	} else if (p.n == 2 && emu_path_is(&p, 0, "profiles")) {
		if (get)
			profile_page(org, req, resp, p.seg[1], 200, NULL);
		else if (post)
			profile_post(org, req, resp, p.seg[1], false);
		else
			bad_method(resp, "GET, POST");
	} else if (p.n == 3 && emu_path_is(&p, 0, "profiles") &&
		   emu_path_is(&p, 2, "ip-ranges")) {
		if (post)
			profile_post(org, req, resp, p.seg[1], true);
		else
			bad_method(resp, "POST");
	} else if (p.n == 1 && emu_path_is(&p, 0, "users")) {
		if (get)
			users_page(org, resp);
		else
			bad_method(resp, "GET");
	} else if (p.n == 2 && emu_path_is(&p, 0, "users")) {
		if (get)
			user_page(org, req, resp, p.seg[1]);
		else if (post)
			user_post(org, req, resp, p.seg[1]);
		else
			bad_method(resp, "GET, POST");
	} else if (p.n == 1 && emu_path_is(&p, 0, "reset-token")) {
		if (get)
			reset_token_page(req, resp, 200, NULL);
		else if (post)
			reset_token_post(org, req, resp);
		else
			bad_method(resp, "GET, POST");
	} else {
		simple_page(resp, 404, "Page Not Found",
			    "There is no such Setup page.");
	}
	emu_path_release(&p);
}
