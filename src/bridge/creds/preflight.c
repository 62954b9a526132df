/* preflight.c - after a login: the integration user's permissions, login hours and IP ranges, the org, the API budget. */
#include "bridge/creds/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/ipv4.h"
#include "sf/rest.h"
#include "base/banned.h"

static const struct {
	const char *name, *label;
} perm_names[SFB_PERM__COUNT] = {
	[SFB_PERM_API_ENABLED] = {"ApiEnabled", "API Enabled"},
	[SFB_PERM_MODIFY_ALL_DATA] = {"ModifyAllData", "Modify All Data"},
	[SFB_PERM_CUSTOMIZE_APPLICATION] = {"CustomizeApplication",
					    "Customize Application"},
	[SFB_PERM_MANAGE_PROFILES_PERMISSIONSETS] =
		{"ManageProfilesPermissionsets",
		 "Manage Profiles and Permission Sets"},
	[SFB_PERM_PASSWORD_NEVER_EXPIRES] = {"PasswordNeverExpires",
					     "Password Never Expires"},
};

const char *sfb_perm_name(enum sfb_perm p)
{
	return (unsigned)p < SFB_PERM__COUNT ? perm_names[p].name : "";
}

const char *sfb_perm_label(enum sfb_perm p)
{
	return (unsigned)p < SFB_PERM__COUNT ? perm_names[p].label : "";
}

void sfb_org_facts_init(struct sfb_org_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->api_used = -1;
	f->api_max = -1;
}

void sfb_org_facts_release(struct sfb_org_facts *f)
{
	if (!f)
		return;
	json_decref(f->login_hours);
	json_decref(f->ip_ranges);
	sfb_org_facts_init(f);
}

static void copy(char *dst, size_t n, json_t *v)
{
	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* An id that may go into a SOQL literal: 15 or 18 letters and digits. */
static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n != 15 && n != 18)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* "/services/data/vNN.0/query?q=<SOQL, percent-encoded>" (or tooling). */
static void query_url(struct base_buf *b, const char *prefix, const char *soql)
{
	static const char hex[] = "0123456789ABCDEF";

	base_buf_puts(b, prefix);
	for (const char *p = soql; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			base_buf_putc(b, (char)c);
		} else {
			base_buf_putc(b, '%');
			base_buf_putc(b, hex[c >> 4]);
			base_buf_putc(b, hex[c & 15]);
		}
	}
}

static json_t *sub(const char *ref, const char *version, const char *soql)
{
	struct base_buf url = BASE_BUF_INIT(8192);
	char prefix[64];
	json_t *v;

	snprintf(prefix, sizeof(prefix), "/services/data/v%s/query?q=",
		 version);
	query_url(&url, prefix, soql);
	v = base_buf_err(&url) ? NULL
			       : json_pack("{s:s, s:s, s:s}", "method", "GET",
					   "referenceId", ref, "url",
					   base_buf_str(&url));
	base_buf_release(&url);
	return v;
}

/* The records of subresponse `ref` when it answered 200, else NULL (borrowed). */
static json_t *records_of(json_t *reply, const char *ref)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(reply, "compositeResponse"), i, r) {
		const char *id = json_string_value(json_object_get(r, "referenceId"));

		if (!id || strcmp(id, ref) != 0)
			continue;
		if (json_integer_value(json_object_get(r, "httpStatusCode")) != 200)
			return NULL;
		return json_object_get(json_object_get(r, "body"), "records");
	}
	return NULL;
}

static void read_user(struct sfb_org_facts *f, json_t *recs)
{
	json_t *u = json_array_get(recs, 0);

	if (!json_is_object(u))
		return;
	copy(f->profile_id, sizeof(f->profile_id), json_object_get(u, "ProfileId"));
	copy(f->profile_name, sizeof(f->profile_name),
	     json_object_get(json_object_get(u, "Profile"), "Name"));
	if (!f->username[0])
		copy(f->username, sizeof(f->username),
		     json_object_get(u, "Username"));
}

/* Effective permissions: any assigned set (the profile's own included). */
static void read_perms(struct sfb_org_facts *f, json_t *recs)
{
	size_t i;
	json_t *a;

	if (!json_is_array(recs))
		return;
	f->perms_known = true;
	json_array_foreach(recs, i, a) {
		json_t *ps = json_object_get(a, "PermissionSet");

		for (int p = 0; p < SFB_PERM__COUNT; p++) {
			char field[64];

			snprintf(field, sizeof(field), "Permissions%s",
				 perm_names[p].name);
			if (json_is_true(json_object_get(ps, field)))
				f->perms[p] = true;
		}
	}
}

static void read_org(struct sfb_org_facts *f, json_t *recs)
{
	json_t *o = json_array_get(recs, 0);

	if (!json_is_object(o))
		return;
	f->org_known = true;
	copy(f->org_id, sizeof(f->org_id), json_object_get(o, "Id"));
	copy(f->org_name, sizeof(f->org_name), json_object_get(o, "Name"));
	copy(f->edition, sizeof(f->edition),
	     json_object_get(o, "OrganizationType"));
	copy(f->instance_name, sizeof(f->instance_name),
	     json_object_get(o, "InstanceName"));
	copy(f->time_zone, sizeof(f->time_zone),
	     json_object_get(o, "TimeZoneSidKey"));
	f->sandbox = json_is_true(json_object_get(o, "IsSandbox"));
}

static void read_profile(struct sfb_org_facts *f, json_t *reply)
{
	json_t *md = json_object_get(
		json_array_get(json_object_get(reply, "records"), 0), "Metadata");
	json_t *hours, *ranges;

	if (!json_is_object(md))
		return;
	f->profile_known = true;
	hours = json_object_get(md, "loginHours");
	ranges = json_object_get(md, "loginIpRanges");
	if (json_is_object(hours) && json_object_size(hours))
		f->login_hours = json_deep_copy(hours);
	if (json_is_array(ranges) && json_array_size(ranges))
		f->ip_ranges = json_deep_copy(ranges);
}

int sfb_preflight_run(struct sf_client *c, struct sfb_org_facts *f,
		      struct sf_error *err)
{
	const char *ver = sf_client_api_version(c);
	struct sf_session_info si;
	struct sf_api_usage u0, u1;
	struct base_buf url = BASE_BUF_INIT(4096);
	json_t *req = NULL, *reply = NULL, *subs;
	char soql[1024];
	int rc = -1;

	sf_client_api_usage(c, &u0);
	sf_client_session(c, &si);
	snprintf(f->user_id, sizeof(f->user_id), "%s", si.user_id);
	snprintf(f->org_id, sizeof(f->org_id), "%s", si.org_id);
	snprintf(f->instance_url, sizeof(f->instance_url), "%s",
		 si.instance_url);
	snprintf(f->username, sizeof(f->username), "%s", si.username);

	subs = json_array();
	if (id_ok(f->user_id)) {
		snprintf(soql, sizeof(soql),
			 "SELECT Id, Username, ProfileId, Profile.Name FROM "
			 "User WHERE Id = '%s'",
			 f->user_id);
		json_array_append_new(subs, sub("user", ver, soql));
		snprintf(soql, sizeof(soql),
			 "SELECT PermissionSet.Name, "
			 "PermissionSet.IsOwnedByProfile, "
			 "PermissionSet.PermissionsApiEnabled, "
			 "PermissionSet.PermissionsModifyAllData, "
			 "PermissionSet.PermissionsCustomizeApplication, "
			 "PermissionSet.PermissionsManageProfilesPermissionsets, "
			 "PermissionSet.PermissionsPasswordNeverExpires "
			 "FROM PermissionSetAssignment WHERE AssigneeId = '%s'",
			 f->user_id);
		json_array_append_new(subs, sub("perms", ver, soql));
	}
	json_array_append_new(subs,
			      sub("org", ver,
				  "SELECT Id, Name, OrganizationType, "
				  "IsSandbox, InstanceName, TimeZoneSidKey "
				  "FROM Organization"));
	req = json_pack("{s:b, s:o}", "allOrNone", false, "compositeRequest",
			subs);
	rc = sf_composite(c, req, &reply, err);
	if (rc < 0)
		goto out;
	read_user(f, records_of(reply, "user"));
	read_perms(f, records_of(reply, "perms"));
	read_org(f, records_of(reply, "org"));
	json_decref(reply);
	reply = NULL;

	if (id_ok(f->profile_id)) {
		struct sf_error e2 = SF_ERROR_INIT;

		snprintf(soql, sizeof(soql),
			 "SELECT Id, Metadata FROM Profile WHERE Id = '%s'",
			 f->profile_id);
		query_url(&url, "/tooling/query?q=", soql);
		/* Without View Setup, or on an org that refuses it, the
		 * profile's hours and ranges stay unknown: no diagnosis. */
		if (!base_buf_err(&url) &&
		    sf_rest(c, "GET", base_buf_str(&url), NULL, &reply, NULL,
			    &e2) == 0)
			read_profile(f, reply);
	}
	rc = 0;
out:
	sf_client_api_usage(c, &u1);
	f->api_used = u1.used;
	f->api_max = u1.max;
	f->api_requests = u1.calls - u0.calls;
	json_decref(req);
	json_decref(reply);
	base_buf_release(&url);
	return rc;
}

/* ---- evaluation ---- */

bool sfb_ip_ranges_cover_all(json_t *ranges)
{
	uint64_t covered = 0; /* every address below this is covered */
	bool progress = true;
	size_t i;
	json_t *r;

	if (!json_is_array(ranges) || json_array_size(ranges) == 0)
		return true; /* no ranges: no restriction */
	/* Grow the covered prefix until no range extends it: n^2 on a
	 * profile's handful of ranges. */
	while (progress && covered <= 0xFFFFFFFFull) {
		progress = false;
		json_array_foreach(ranges, i, r) {
			uint32_t a, b;

			if (!base_ipv4_parse(json_string_value(json_object_get(
						     r, "startAddress")),
					     &a) ||
			    !base_ipv4_parse(json_string_value(json_object_get(
						     r, "endAddress")),
					     &b) ||
			    a > b)
				continue;
			if (a <= covered && (uint64_t)b + 1 > covered) {
				covered = (uint64_t)b + 1;
				progress = true;
			}
		}
	}
	return covered > 0xFFFFFFFFull;
}

bool sfb_login_hours_unrestricted(json_t *hours)
{
	static const char *const days[] = {"monday", "tuesday", "wednesday",
					   "thursday", "friday", "saturday",
					   "sunday"};

	if (!json_is_object(hours) || json_object_size(hours) == 0)
		return true;
	for (size_t i = 0; i < 7; i++) {
		char k[32];
		json_t *s, *e;

		snprintf(k, sizeof(k), "%sStart", days[i]);
		s = json_object_get(hours, k);
		snprintf(k, sizeof(k), "%sEnd", days[i]);
		e = json_object_get(hours, k);
		if (!json_is_integer(s) || !json_is_integer(e) ||
		    json_integer_value(s) > 0 || json_integer_value(e) < 1440)
			return false;
	}
	return true;
}

/* Whole days from now to y-m-d (UTC midnight); 0 once passed. */
static long long days_until(int64_t now_ms, int y, unsigned m, unsigned d)
{
	int64_t then = base_days_from_civil(y, m, d) * 86400000LL;
	long long days = (then - now_ms + 86400000LL - 1) / 86400000LL;

	return days > 0 ? days : 0;
}

/*
 * Severities of missing_permission: API Enabled and Modify All Data are
 * errors, because without them no integration can read or write records
 * whatever their sharing (the setup article's first two switches; a Save
 * without them would unlock integrations that then fail on every record).
 * Customize Application and Manage Profiles and Permission Sets are
 * warnings: they are needed only when the field mapping creates custom
 * fields and grants their field-level security, which an admin can also
 * do by hand in Salesforce. Password Never Expires is no integration's
 * need; its absence is password_may_expire (password method only).
 */
static void check_perms(const struct sfb_org_facts *f, enum sfb_auth_kind auth,
			struct sfb_diags *out)
{
	for (int p = 0; p < SFB_PERM__COUNT; p++) {
		struct sfb_diag *d;

		if (p == SFB_PERM_PASSWORD_NEVER_EXPIRES || f->perms[p])
			continue;
		d = sfb_diags_add(
			out, SFB_D_MISSING_PERMISSION,
			json_pack("{s:s, s:s, s:s*}", "permission",
				  perm_names[p].name, "permissionLabel",
				  perm_names[p].label, "profile",
				  f->profile_name[0] ? f->profile_name : NULL));
		if (!d)
			continue;
		d->severity = (p == SFB_PERM_API_ENABLED ||
			       p == SFB_PERM_MODIFY_ALL_DATA)
				      ? SFB_SEV_ERROR
				      : SFB_SEV_WARNING;
	}
	if (auth != SFB_AUTH_CLIENT_CREDENTIALS && auth != SFB_AUTH_JWT &&
	    !f->perms[SFB_PERM_PASSWORD_NEVER_EXPIRES]) {
		json_t *d = json_pack("{s:i, s:s}", "expiresInDays", 90,
				      "policy",
				      "Salesforce's default; the org's "
				      "password policy can't be read through "
				      "the API");

		if (f->profile_name[0])
			json_object_set_new(d, "profile",
					    json_string(f->profile_name));
		sfb_diags_add(out, SFB_D_PASSWORD_MAY_EXPIRE, d);
	}
}

void sfb_preflight_evaluate(const struct sfb_org_facts *f,
			    enum sfb_auth_kind auth, int64_t now_ms,
			    struct sfb_diags *out)
{
	if (f->perms_known)
		check_perms(f, auth, out);
	if (f->profile_known && !sfb_login_hours_unrestricted(f->login_hours)) {
		json_t *d = json_pack("{s:O}", "loginHours", f->login_hours);

		if (f->time_zone[0])
			json_object_set_new(d, "timeZone",
					    json_string(f->time_zone));
		if (f->profile_name[0])
			json_object_set_new(d, "profile",
					    json_string(f->profile_name));
		sfb_diags_add(out, SFB_D_LOGIN_HOURS_SET, d);
	}
	if (f->profile_known && !sfb_ip_ranges_cover_all(f->ip_ranges)) {
		json_t *d = json_pack("{s:O}", "ranges", f->ip_ranges);

		if (f->profile_name[0])
			json_object_set_new(d, "profile",
					    json_string(f->profile_name));
		sfb_diags_add(out, SFB_D_LOGIN_IP_RANGES_RESTRICTIVE, d);
	}
	if (f->api_max > 0 && f->api_used >= 0 &&
	    (f->api_max - f->api_used) * 10 < f->api_max) {
		long long left = f->api_max - f->api_used;

		sfb_diags_add(out, SFB_D_API_BUDGET_LOW,
			      json_pack("{s:I, s:I, s:I, s:f}", "used",
					(json_int_t)f->api_used, "max",
					(json_int_t)f->api_max, "remaining",
					(json_int_t)(left > 0 ? left : 0),
					"percentRemaining",
					left > 0 ? 100.0 * (double)left /
							   (double)f->api_max
						 : 0.0));
	}
	/* salesforce-protocol.md section 0 and prm-landscape.md section 4:
	 * SOAP login() retires in Summer '27 (Salesforce names the release;
	 * 1 Jun 2027 is a partner blog's date, used for the countdown); the
	 * OAuth username-password flow is retired for connected apps on 20
	 * Feb 2027, "no extension or exception process". */
	if (auth == SFB_AUTH_SOAP)
		sfb_diags_add(out, SFB_D_LEGACY_AUTH_RETIRING,
			      json_pack("{s:s, s:s, s:s, s:I, s:s}", "flow",
					"soap", "release", "Summer '27",
					"retiresOn", "2027-06-01", "days",
					(json_int_t)days_until(now_ms, 2027, 6, 1),
					"dateSource",
					"Salesforce names the release (Summer "
					"'27); the date is a partner's "
					"estimate"));
	else if (auth == SFB_AUTH_OAUTH_PASSWORD)
		sfb_diags_add(out, SFB_D_LEGACY_AUTH_RETIRING,
			      json_pack("{s:s, s:s, s:I}", "flow",
					"oauth-password", "retiresOn",
					"2027-02-20", "days",
					(json_int_t)days_until(now_ms, 2027, 2,
							       20)));
}

json_t *sfb_org_facts_org_json(const struct sfb_org_facts *f)
{
	if (!f->org_id[0])
		return json_null();
	return json_pack("{s:s, s:s?, s:s?, s:b, s:s}", "id", f->org_id,
			 "name", f->org_name[0] ? f->org_name : NULL,
			 "edition", f->edition[0] ? f->edition : NULL,
			 "sandbox", f->sandbox, "instanceUrl", f->instance_url);
}

json_t *sfb_org_facts_user_json(const struct sfb_org_facts *f)
{
	if (!f->user_id[0] && !f->username[0])
		return json_null();
	return json_pack("{s:s?, s:s?}", "id", f->user_id[0] ? f->user_id : NULL,
			 "username", f->username[0] ? f->username : NULL);
}
