/* test_diagnose.c - the vocabulary, invalid_login's ranking, sf_error -> diagnosis, the preflight's verdicts. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/datetime.h"
#include "bridge/creds/diagnose.h"
#include "bridge/creds/preflight.h"
#include "sf/error.h"
#include "base/banned.h"

/* Every code issue 5 names: the contract. */
static const char *const issue_codes[] = {
	"field_missing", "username_not_email", "whitespace_in_secret",
	"token_malformed", "password_includes_token", "login_url_invalid",
	"sandbox_host_mismatch", "network_unreachable", "tls_failed",
	"not_salesforce", "invalid_login", "security_token_required",
	"api_disabled_for_org", "api_disabled_for_user",
	"login_hours_restricted", "ip_restricted", "password_expired",
	"login_rate_exceeded", "soap_login_unavailable",
	"oauth_client_invalid", "oauth_user_not_approved",
	"oauth_jwt_rejected", "org_unavailable", "salesforce_unavailable",
	"credentials_stopped_working", "missing_permission", "login_hours_set",
	"login_ip_ranges_restrictive", "password_may_expire", "api_budget_low",
	"legacy_auth_retiring", NULL};

static void test_diagnose__table_has_every_issue_code(void **state)
{
	size_t n = 0;

	(void)state;
	for (; issue_codes[n]; n++) {
		const struct sfb_diag_def *d = sfb_diag_find(issue_codes[n]);

		assert_non_null(d);
		assert_string_equal(d->code, issue_codes[n]);
	}
	assert_int_equal(n, SFB_D__COUNT);
	assert_null(sfb_diag_find("no_such_code"));
}

static void test_diagnose__every_entry_is_complete(void **state)
{
	(void)state;
	for (int i = 0; i < SFB_D__COUNT; i++) {
		const struct sfb_diag_def *d = sfb_diag_def(i);
		int steps = 0;

		assert_non_null(d);
		assert_int_equal(d->id, i); /* the table is in enum order */
		for (const char *p = d->code; *p; p++)
			assert_true(islower((unsigned char)*p) || *p == '_');
		assert_true(strlen(d->title) > 10 && strlen(d->title) < 80);
		assert_null(strchr(d->title, '\n'));
		assert_true(strlen(d->explanation) > 60);
		for (const char *const *s = d->fix; *s; s++, steps++)
			assert_true(strlen(*s) > 10);
		assert_true(steps >= 1);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(sfb_diag_def(k)->code, d->code);
	}
	assert_null(sfb_diag_def(SFB_D__COUNT));
}

/* The fix steps name the exact Salesforce screens the issue lists. */
static void test_diagnose__fix_steps_name_the_screens(void **state)
{
	static const struct {
		const char *code, *screen;
	} want[] = {
		{"api_disabled_for_user", "Setup > Users > Profiles > [profile] > "
					  "System Permissions > API Enabled"},
		{"token_malformed", "profile icon > Settings > My Personal "
				    "Information > Reset My Security Token"},
		{"invalid_login", "Setup > Users > Users > [user] > Unlock"},
		{"security_token_required", "Setup > Security > Network Access"},
		{"login_hours_restricted",
		 "Setup > Users > Profiles > [profile] > Login Hours"},
		{"ip_restricted",
		 "Setup > Users > Profiles > [profile] > Login IP Ranges"},
		{"soap_login_unavailable",
		 "Setup > User Interface > Enable SOAP API login()"},
		{"oauth_user_not_approved",
		 "Setup > Apps > App Manager > [app] > Manage > Edit Policies "
		 "> Permitted Users: choose \"Admin approved users are "
		 "pre-authorized\""},
		{"invalid_login", "Setup > Users > Login History"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct sfb_diag_def *d = sfb_diag_find(want[i].code);
		bool found = false;

		for (const char *const *s = d->fix; *s && !found; s++)
			found = strstr(*s, want[i].screen) != NULL;
		if (!found)
			fail_msg("%s: no step names '%s'", want[i].code,
				 want[i].screen);
	}
	/* the OAuth flow setting is among invalid_login's causes */
	{
		struct sfb_diags l = SFB_DIAGS_INIT;
		struct sfb_login_facts f = {.oauth_password = true,
					    .first_time = true};
		json_t *j;
		char *text;

		sfb_diags_add_invalid_login(&l, &f, NULL);
		j = sfb_diag_to_json(&l.v[0]);
		text = json_dumps(json_object_get(j, "fix"), 0);
		assert_non_null(strstr(text,
				       "Setup > Identity > OAuth and OpenID "
				       "Connect Settings > Allow OAuth "
				       "Username-Password Flows"));
		free(text);
		json_decref(j);
		sfb_diags_release(&l);
	}
}

/* docs/diagnostics.md has a "## code" heading for every code. */
static void test_diagnose__every_code_is_documented(void **state)
{
	const char *top = getenv("TOP");
	char path[4096], *doc = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int c;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/diagnostics.md", top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "../../docs/diagnostics.md");
		f = fopen(path, "r");
	}
	assert_non_null(f);
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 65536;
			doc = realloc(doc, cap);
			assert_non_null(doc);
		}
		doc[len++] = (char)c;
	}
	fclose(f);
	assert_non_null(doc);
	doc[len] = '\0';
	for (int i = 0; i < SFB_D__COUNT; i++) {
		char heading[128];
		const char *p = doc;
		bool found = false;

		snprintf(heading, sizeof(heading), "## %s\n",
			 sfb_diag_def(i)->code);
		/* a heading starts a line */
		while ((p = strstr(p, heading)) != NULL && !found) {
			found = p == doc || p[-1] == '\n';
			p++;
		}
		if (!found)
			fail_msg("docs/diagnostics.md lacks '## %s'",
				 sfb_diag_def(i)->code);
	}
	free(doc);
}

/* ---- invalid_login's ranking ---- */

static enum sfb_cause first_cause(const struct sfb_login_facts *f, size_t at)
{
	enum sfb_cause order[SFB_CAUSE__COUNT];
	size_t n = sfb_diag_rank_causes(f, order, SFB_CAUSE__COUNT);

	assert_true(n > at);
	return order[at];
}

static void test_diagnose__causes_ranked_by_what_is_known(void **state)
{
	struct sfb_login_facts worked = {.worked_before = true};
	struct sfb_login_facts first = {.first_time = true};
	struct sfb_login_facts oauth = {.first_time = true,
					.oauth_password = true};
	struct sfb_login_facts new_token = {.same_user_as_active = true,
					    .token_changed = true};
	struct sfb_login_facts new_pw = {.same_user_as_active = true,
					 .password_changed = true};
	struct sfb_login_facts storm = {.first_time = true,
					.recent_failures = 4};
	enum sfb_cause order[SFB_CAUSE__COUNT];
	size_t n;

	(void)state;
	/* a token that worked before: reset token, then changed password */
	assert_int_equal(first_cause(&worked, 0), SFB_CAUSE_TOKEN_RESET);
	assert_int_equal(first_cause(&worked, 1), SFB_CAUSE_PASSWORD_CHANGED);
	/* ... and typos can't be the cause of that */
	n = sfb_diag_rank_causes(&worked, order, SFB_CAUSE__COUNT);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(order[i], SFB_CAUSE_WRONG_PASSWORD);
	/* a first setup: wrong password or token first */
	assert_int_equal(first_cause(&first, 0), SFB_CAUSE_WRONG_PASSWORD);
	assert_int_equal(first_cause(&first, 1), SFB_CAUSE_WRONG_TOKEN);
	/* the OAuth password flow is blocked by default in new orgs */
	assert_int_equal(first_cause(&oauth, 0), SFB_CAUSE_OAUTH_FLOW_BLOCKED);
	/* only the token changed against working credentials */
	assert_int_equal(first_cause(&new_token, 0), SFB_CAUSE_NEW_TOKEN_WRONG);
	/* a new password kept with the old token */
	assert_int_equal(first_cause(&new_pw, 0), SFB_CAUSE_PASSWORD_CHANGED);
	/* many recent refusals: the lockout comes second */
	assert_int_equal(first_cause(&storm, 0), SFB_CAUSE_WRONG_PASSWORD);
	assert_int_equal(first_cause(&storm, 1), SFB_CAUSE_LOCKED_OUT);
	/* no cause twice, and the list is capped */
	n = sfb_diag_rank_causes(&storm, order, SFB_CAUSE__COUNT);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(order[i], order[k]);
	assert_int_equal(sfb_diag_rank_causes(&storm, order, 2), 2);
	assert_int_equal(order[1], SFB_CAUSE_LOCKED_OUT);
}

static void test_diagnose__invalid_login_steps_follow_the_ranking(void **state)
{
	struct sfb_diags l = SFB_DIAGS_INIT;
	struct sfb_login_facts f = {.worked_before = true};
	json_t *j, *fix, *causes;
	const char *last;

	(void)state;
	sfb_diags_add_invalid_login(&l, &f,
				    json_pack("{s:s}", "username", "int@x.com"));
	j = sfb_diag_to_json(&l.v[0]);
	causes = json_object_get(json_object_get(j, "detail"), "causes");
	assert_string_equal(json_string_value(json_array_get(causes, 0)),
			    "token_reset");
	fix = json_object_get(j, "fix");
	assert_true(json_array_size(fix) >= 4);
	assert_non_null(strstr(json_string_value(json_array_get(fix, 0)),
			       "Reset My Security Token"));
	/* ends with how to tell the causes apart */
	last = json_string_value(json_array_get(fix, json_array_size(fix) - 1));
	assert_non_null(strstr(last, "Login History"));
	assert_non_null(strstr(json_string_value(json_array_get(
				       fix, json_array_size(fix) - 2)),
			       "incognito"));
	/* [user] is filled in from detail.username */
	{
		char *text = json_dumps(fix, 0);

		assert_non_null(strstr(text, "Users > int@x.com > Unlock"));
		free(text);
	}
	assert_string_equal(json_string_value(json_object_get(j, "severity")),
			    "error");
	json_decref(j);
	sfb_diags_release(&l);
}

/* ---- sf_error -> diagnosis ---- */

static struct sf_error mkerr(enum sf_class cls, int status, const char *code,
			     const char *raw)
{
	struct sf_error e = SF_ERROR_INIT;

	e.cls = cls;
	e.http_status = status;
	snprintf(e.code, sizeof(e.code), "%s", code);
	snprintf(e.raw, sizeof(e.raw), "%s", raw);
	snprintf(e.message, sizeof(e.message), "login: http %d: %s: %s",
		 status, code, raw);
	return e;
}

static void test_diagnose__errors_map_to_codes(void **state)
{
	static const struct {
		enum sf_class cls;
		int status;
		const char *code, *raw;
		enum sfb_auth_kind auth;
		const char *want;
	} cases[] = {
		{SF_CLASS_CREDENTIAL, 500, "INVALID_LOGIN",
		 "Invalid username, password, security token; or user locked "
		 "out.",
		 SFB_AUTH_SOAP, "invalid_login"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant",
		 "authentication failure", SFB_AUTH_OAUTH_PASSWORD,
		 "invalid_login"},
		{SF_CLASS_CREDENTIAL, 500, "LOGIN_MUST_USE_SECURITY_TOKEN",
		 "Invalid username, password, security token; or user locked "
		 "out. Are you at a new location?",
		 SFB_AUTH_SOAP, "security_token_required"},
		{SF_CLASS_POLICY, 500, "API_DISABLED_FOR_ORG",
		 "API is not enabled for this Organization or Partner",
		 SFB_AUTH_SOAP, "api_disabled_for_org"},
		{SF_CLASS_POLICY, 403, "API_DISABLED_FOR_ORG",
		 "The REST API is not enabled for this Organization.",
		 SFB_AUTH_OAUTH_PASSWORD, "api_disabled_for_org"},
		{SF_CLASS_POLICY, 500, "API_CURRENTLY_DISABLED",
		 "API is disabled for this User", SFB_AUTH_SOAP,
		 "api_disabled_for_user"},
		{SF_CLASS_TIME_WINDOW, 500, "LOGIN_DURING_RESTRICTED_TIME",
		 "cannot log in during restricted time", SFB_AUTH_SOAP,
		 "login_hours_restricted"},
		{SF_CLASS_POLICY, 500, "LOGIN_DURING_RESTRICTED_DOMAIN",
		 "The user is not allowed to log in from this IP address.",
		 SFB_AUTH_SOAP, "ip_restricted"},
		{SF_CLASS_POLICY, 400, "invalid_grant",
		 "IP restricted or invalid login hours", SFB_AUTH_JWT,
		 "ip_restricted"},
		{SF_CLASS_PASSWORD_EXPIRED, 200, "passwordExpired",
		 "The user's password has expired.", SFB_AUTH_SOAP,
		 "password_expired"},
		{SF_CLASS_PASSWORD_EXPIRED, 403,
		 "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
		 "The users password has expired, you must call SetPassword "
		 "before attempting any other API operations",
		 SFB_AUTH_OAUTH_PASSWORD, "password_expired"},
		{SF_CLASS_THROTTLE, 500, "REQUEST_LIMIT_EXCEEDED",
		 "Login Rate Exceeded", SFB_AUTH_SOAP, "login_rate_exceeded"},
		{SF_CLASS_THROTTLE, 400, "rate_limit_exceeded",
		 "number of logins exceeded", SFB_AUTH_OAUTH_PASSWORD,
		 "login_rate_exceeded"},
		{SF_CLASS_POLICY, 500, "INVALID_OPERATION",
		 "SOAP API login() is disabled by default in this org.",
		 SFB_AUTH_SOAP, "soap_login_unavailable"},
		{SF_CLASS_POLICY, 500, "INVALID_OPERATION",
		 "The SOAP Login operation is not available in the API "
		 "version specified (65.0).",
		 SFB_AUTH_SOAP, "soap_login_unavailable"},
		{SF_CLASS_POLICY, 500, "INSUFFICIENT_ACCESS", "", SFB_AUTH_SOAP,
		 "missing_permission"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_client_id",
		 "client identifier invalid", SFB_AUTH_OAUTH_PASSWORD,
		 "oauth_client_invalid"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_client",
		 "invalid client credentials", SFB_AUTH_CLIENT_CREDENTIALS,
		 "oauth_client_invalid"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant",
		 "no client credentials user enabled",
		 SFB_AUTH_CLIENT_CREDENTIALS, "oauth_client_invalid"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant",
		 "user hasn't approved this consumer", SFB_AUTH_JWT,
		 "oauth_user_not_approved"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant", "invalid assertion",
		 SFB_AUTH_JWT, "oauth_jwt_rejected"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant",
		 "Audience validation failed", SFB_AUTH_JWT,
		 "oauth_jwt_rejected"},
		{SF_CLASS_CREDENTIAL, 400, "invalid_grant",
		 "expired authorization code", SFB_AUTH_JWT,
		 "oauth_jwt_rejected"},
		{SF_CLASS_NETWORK, 0, "", "", SFB_AUTH_SOAP,
		 "network_unreachable"},
		{SF_CLASS_TLS, 0, "", "", SFB_AUTH_JWT, "tls_failed"},
		{SF_CLASS_NONE, 200, "", "", SFB_AUTH_SOAP, "not_salesforce"},
		{SF_CLASS_NOT_FOUND, 404, "", "", SFB_AUTH_SOAP,
		 "not_salesforce"},
		{SF_CLASS_INVALID_REQUEST, 400, "", "", SFB_AUTH_OAUTH_PASSWORD,
		 "not_salesforce"},
		{SF_CLASS_POLICY, 500, "ORG_LOCKED", "", SFB_AUTH_SOAP,
		 "org_unavailable"},
		{SF_CLASS_POLICY, 400, "inactive_org",
		 "org is locked, closed, or suspended", SFB_AUTH_JWT,
		 "org_unavailable"},
		{SF_CLASS_TRANSIENT, 503, "SERVER_UNAVAILABLE", "",
		 SFB_AUTH_SOAP, "salesforce_unavailable"},
		{SF_CLASS_TRANSIENT, 502, "", "", SFB_AUTH_CLIENT_CREDENTIALS,
		 "salesforce_unavailable"},
		{SF_CLASS_POLICY, 500, "ORG_IN_MAINTENANCE", "", SFB_AUTH_SOAP,
		 "salesforce_unavailable"},
		{SF_CLASS_THROTTLE, 403, "REQUEST_LIMIT_EXCEEDED",
		 "TotalRequests Limit exceeded.", SFB_AUTH_SOAP,
		 "api_budget_low"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sf_error e = mkerr(cases[i].cls, cases[i].status,
					  cases[i].code, cases[i].raw);
		const char *got = sfb_diag_def(
			sfb_diag_code_for_error(&e, cases[i].auth))->code;

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu (%s '%s'): got %s, want %s", i,
				 cases[i].code, cases[i].raw, got,
				 cases[i].want);
	}
}

static void test_diagnose__from_error_keeps_salesforce_words(void **state)
{
	struct sfb_diags l = SFB_DIAGS_INIT;
	struct sf_error e = mkerr(SF_CLASS_POLICY, 400, "invalid_grant",
				  "IP restricted or invalid login hours");
	struct sf_error u = mkerr(SF_CLASS_THROTTLE, 403,
				  "REQUEST_LIMIT_EXCEEDED",
				  "TotalRequests Limit exceeded.");
	struct sf_error s = mkerr(SF_CLASS_POLICY, 500, "INSUFFICIENT_ACCESS",
				  "");
	struct sfb_diag *d;

	(void)state;
	d = sfb_diag_from_error(&l, &e, SFB_AUTH_OAUTH_PASSWORD, NULL);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(d->detail, "salesforce"), "message")),
		"IP restricted or invalid login hours");
	assert_true(json_is_true(json_object_get(d->detail, "mayBeLoginHours")));
	/* a spent budget is an error (exit 3), not a warning */
	u.api_used = 15000;
	u.api_max = 15000;
	d = sfb_diag_from_error(&l, &u, SFB_AUTH_SOAP, NULL);
	assert_int_equal(d->severity, SFB_SEV_ERROR);
	assert_int_equal(sfb_diags_exit_code(&l), 3);
	/* SOAP login() without Use Any API Auth */
	d = sfb_diag_from_error(&l, &s, SFB_AUTH_SOAP, NULL);
	assert_string_equal(json_string_value(json_object_get(d->detail,
							      "permission")),
			    "UseAnyApiAuth");
	sfb_diags_release(&l);
}

static void test_diagnose__exit_codes(void **state)
{
	struct sfb_diags l = SFB_DIAGS_INIT;

	(void)state;
	assert_int_equal(sfb_diags_exit_code(&l), 0);
	sfb_diags_add(&l, SFB_D_LEGACY_AUTH_RETIRING, NULL);
	sfb_diags_add(&l, SFB_D_PASSWORD_MAY_EXPIRE, NULL);
	assert_int_equal(sfb_diags_exit_code(&l), 0);
	assert_false(sfb_diags_has_error(&l));
	sfb_diags_add(&l, SFB_D_INVALID_LOGIN, NULL);
	assert_int_equal(sfb_diags_exit_code(&l), 2);
	sfb_diags_add(&l, SFB_D_NETWORK_UNREACHABLE, NULL);
	assert_int_equal(sfb_diags_exit_code(&l), 3);
	sfb_diags_release(&l);
}

static void test_diagnose__json_shape(void **state)
{
	struct sfb_diags l = SFB_DIAGS_INIT;
	json_t *a, *d;
	const char *key;
	json_t *v;
	int n = 0;

	(void)state;
	sfb_diags_add(&l, SFB_D_API_DISABLED_FOR_USER,
		      json_pack("{s:s}", "profile", "Integration"));
	a = sfb_diags_to_json(&l);
	d = json_array_get(a, 0);
	json_object_foreach(d, key, v) {
		n++;
		assert_true(!strcmp(key, "code") || !strcmp(key, "severity") ||
			    !strcmp(key, "title") ||
			    !strcmp(key, "explanation") ||
			    !strcmp(key, "fix") || !strcmp(key, "detail"));
	}
	assert_int_equal(n, 6);
	assert_string_equal(json_string_value(json_object_get(d, "code")),
			    "api_disabled_for_user");
	assert_non_null(strstr(json_string_value(json_array_get(
				       json_object_get(d, "fix"), 0)),
			       "Setup > Users > Profiles > Integration > System "
			       "Permissions > API Enabled"));
	json_decref(a);
	sfb_diags_release(&l);
}

/* ---- the preflight's verdicts ---- */

static json_t *range(const char *a, const char *b)
{
	return json_pack("{s:s, s:s}", "startAddress", a, "endAddress", b);
}

static void test_diagnose__ip_ranges_cover_all(void **state)
{
	json_t *r = json_array();

	(void)state;
	assert_true(sfb_ip_ranges_cover_all(NULL));
	assert_true(sfb_ip_ranges_cover_all(r)); /* none: no restriction */
	json_array_append_new(r, range("127.0.0.0", "127.255.255.255"));
	assert_false(sfb_ip_ranges_cover_all(r));
	json_array_append_new(r, range("128.0.0.0", "255.255.255.255"));
	assert_false(sfb_ip_ranges_cover_all(r));
	json_array_append_new(r, range("0.0.0.0", "127.0.0.5"));
	assert_true(sfb_ip_ranges_cover_all(r)); /* overlapping pieces */
	json_decref(r);
	r = json_array();
	json_array_append_new(r, range("0.0.0.0", "255.255.255.255"));
	assert_true(sfb_ip_ranges_cover_all(r));
	json_decref(r);
	r = json_array();
	json_array_append_new(r, range("0.0.0.0", "10.0.0.0"));
	json_array_append_new(r, range("10.0.0.2", "255.255.255.255"));
	assert_false(sfb_ip_ranges_cover_all(r)); /* 10.0.0.1 is out */
	json_decref(r);
}

static void test_diagnose__login_hours(void **state)
{
	json_t *h = json_object();
	static const char *const days[] = {"monday", "tuesday", "wednesday",
					   "thursday", "friday", "saturday",
					   "sunday"};

	(void)state;
	assert_true(sfb_login_hours_unrestricted(NULL));
	assert_true(sfb_login_hours_unrestricted(h));
	json_object_set_new(h, "mondayStart", json_integer(480));
	json_object_set_new(h, "mondayEnd", json_integer(1020));
	assert_false(sfb_login_hours_unrestricted(h));
	for (int i = 0; i < 7; i++) {
		char k[32];

		snprintf(k, sizeof(k), "%sStart", days[i]);
		json_object_set_new(h, k, json_integer(0));
		snprintf(k, sizeof(k), "%sEnd", days[i]);
		json_object_set_new(h, k, json_integer(1440));
	}
	assert_true(sfb_login_hours_unrestricted(h));
	json_decref(h);
}

static const struct sfb_diag *find(const struct sfb_diags *l, const char *code,
				   const char *perm)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *p = json_string_value(
			json_object_get(l->v[i].detail, "permission"));

		if (!strcmp(sfb_diag_def(l->v[i].id)->code, code) &&
		    (!perm || (p && !strcmp(p, perm))))
			return &l->v[i];
	}
	return NULL;
}

static void test_diagnose__preflight_verdicts(void **state)
{
	struct sfb_org_facts f;
	struct sfb_diags l = SFB_DIAGS_INIT;
	int64_t now = base_days_from_civil(2026, 11, 29) * 86400000LL;
	const struct sfb_diag *d;

	(void)state;
	sfb_org_facts_init(&f);
	f.perms_known = true;
	f.perms[SFB_PERM_API_ENABLED] = true;
	snprintf(f.profile_name, sizeof(f.profile_name), "Integration");
	f.profile_known = true;
	f.login_hours = json_pack("{s:i, s:i}", "mondayStart", 480,
				  "mondayEnd", 1020);
	f.ip_ranges = json_array();
	json_array_append_new(f.ip_ranges, range("127.0.0.1", "127.0.0.1"));
	f.api_used = 14000;
	f.api_max = 15000;
	sfb_preflight_evaluate(&f, SFB_AUTH_SOAP, now, &l);

	/* Modify All Data is an error; the other two are warnings */
	d = find(&l, "missing_permission", "ModifyAllData");
	assert_non_null(d);
	assert_int_equal(d->severity, SFB_SEV_ERROR);
	d = find(&l, "missing_permission", "CustomizeApplication");
	assert_non_null(d);
	assert_int_equal(d->severity, SFB_SEV_WARNING);
	d = find(&l, "missing_permission", "ManageProfilesPermissionsets");
	assert_non_null(d);
	assert_int_equal(d->severity, SFB_SEV_WARNING);
	assert_null(find(&l, "missing_permission", "ApiEnabled"));
	assert_non_null(find(&l, "login_hours_set", NULL));
	assert_non_null(find(&l, "login_ip_ranges_restrictive", NULL));
	d = find(&l, "password_may_expire", NULL);
	assert_int_equal(d->severity, SFB_SEV_INFO);
	d = find(&l, "api_budget_low", NULL);
	assert_int_equal(d->severity, SFB_SEV_WARNING);
	assert_int_equal(json_integer_value(json_object_get(d->detail,
							    "remaining")),
			 1000);
	/* SOAP login() retires in Summer '27 */
	d = find(&l, "legacy_auth_retiring", NULL);
	assert_string_equal(json_string_value(json_object_get(d->detail,
							      "retiresOn")),
			    "2027-06-01");
	assert_int_equal(json_integer_value(json_object_get(d->detail, "days")),
			 184);
	sfb_diags_release(&l);

	/* the OAuth password flow: 20 Feb 2027; client credentials: nothing
	 * about passwords or retirements */
	sfb_preflight_evaluate(&f, SFB_AUTH_OAUTH_PASSWORD, now, &l);
	d = find(&l, "legacy_auth_retiring", NULL);
	assert_string_equal(json_string_value(json_object_get(d->detail,
							      "retiresOn")),
			    "2027-02-20");
	assert_int_equal(json_integer_value(json_object_get(d->detail, "days")),
			 83);
	sfb_diags_release(&l);
	sfb_preflight_evaluate(&f, SFB_AUTH_CLIENT_CREDENTIALS, now, &l);
	assert_null(find(&l, "legacy_auth_retiring", NULL));
	assert_null(find(&l, "password_may_expire", NULL));
	sfb_diags_release(&l);

	/* everything in order: only the retirement warning */
	for (int p = 0; p < SFB_PERM__COUNT; p++)
		f.perms[p] = true;
	json_decref(f.login_hours);
	f.login_hours = NULL;
	json_array_clear(f.ip_ranges);
	f.api_used = 10;
	sfb_preflight_evaluate(&f, SFB_AUTH_SOAP, now, &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(sfb_diag_def(l.v[0].id)->code,
			    "legacy_auth_retiring");
	sfb_diags_release(&l);

	/* unknown facts produce no diagnosis */
	sfb_org_facts_release(&f);
	sfb_preflight_evaluate(&f, SFB_AUTH_JWT, now, &l);
	assert_int_equal(l.n, 0);
	sfb_diags_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diagnose__table_has_every_issue_code),
		cmocka_unit_test(test_diagnose__every_entry_is_complete),
		cmocka_unit_test(test_diagnose__fix_steps_name_the_screens),
		cmocka_unit_test(test_diagnose__every_code_is_documented),
		cmocka_unit_test(test_diagnose__causes_ranked_by_what_is_known),
		cmocka_unit_test(
			test_diagnose__invalid_login_steps_follow_the_ranking),
		cmocka_unit_test(test_diagnose__errors_map_to_codes),
		cmocka_unit_test(test_diagnose__from_error_keeps_salesforce_words),
		cmocka_unit_test(test_diagnose__exit_codes),
		cmocka_unit_test(test_diagnose__json_shape),
		cmocka_unit_test(test_diagnose__ip_ranges_cover_all),
		cmocka_unit_test(test_diagnose__login_hours),
		cmocka_unit_test(test_diagnose__preflight_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
