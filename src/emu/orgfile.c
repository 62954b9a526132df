/* orgfile.c - read and check an org-definition file, filling in Salesforce's defaults. */
#include "orgfile.h"

#include <ctype.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/ipv4.h"
#include "schema.h"
#include "base/banned.h"

static const char *const top_keys[] = {
	"orgName", "edition", "features", "myDomain", "sandbox", "timeZone",
	"licenses", "settings", "profiles", "permissionSets", "users", "apps",
	"records", "customFields", "customObjects", "description", "country",
	"language", "adminEmail", NULL};
static const char *const settings_keys[] = {
	"passwordPolicies", "trustedIpRanges", "soapLoginEnabled",
	"usernamePasswordFlowEnabled", "sessionSecondsValid", "loginRatePerHour",
	"bulkQueryPageSize", NULL};
static const char *const days[] = {"monday", "tuesday", "wednesday",
				   "thursday", "friday", "saturday", "sunday"};

static int bad(struct base_err *err, const char *where, const char *why)
{
	return base_err_set(err, BASE_EINVAL, "%s: %s", where, why);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static int only_keys(json_t *obj, const char *const *allowed, const char *where,
		     struct base_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (!in_list(key, allowed))
			return base_err_set(err, BASE_EINVAL,
					    "%s: unknown key '%s'", where, key);
	}
	return 0;
}

/* Gets obj[key] checked against `type`, setting `def` when absent. */
static json_t *field(json_t *obj, const char *key, json_type type, json_t *def,
		     const char *where, struct base_err *err)
{
	json_t *v = json_object_get(obj, key);
	static const char *const names[] = {"an object", "an array", "a string",
					    "an integer", "a number", "true or false",
					    "true or false", "null"};

	if (!v) {
		if (!def) {
			base_err_set(err, BASE_EINVAL, "%s: '%s' is required",
				     where, key);
			return NULL;
		}
		json_object_set_new(obj, key, def);
		return json_object_get(obj, key);
	}
	json_decref(def);
	if (json_typeof(v) == type ||
	    (type == JSON_TRUE && json_is_boolean(v)))
		return v;
	base_err_set(err, BASE_EINVAL, "%s: '%s' must be %s", where, key,
		     names[type]);
	return NULL;
}

static bool is_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return false;
	return at[1] != '.' && s[-1] != '.';
}

int emu_orgfile_check_edition(const char *edition, struct base_err *err)
{
	static const char *const eds[] = {"Developer", "Enterprise",
					  "Unlimited", "Performance",
					  "Professional", "Group", "Essentials",
					  NULL};

	if (!in_list(edition, eds))
		return base_err_set(err, BASE_EINVAL,
				    "edition: '%s' is not one of Developer, "
				    "Enterprise, Unlimited, Performance, "
				    "Professional, Group, Essentials",
				    edition);
	return 0;
}

int emu_orgfile_edition_has_api(const char *edition, json_t *features)
{
	size_t i;
	json_t *f;

	if (!strcmp(edition, "Developer") || !strcmp(edition, "Enterprise") ||
	    !strcmp(edition, "Unlimited") || !strcmp(edition, "Performance"))
		return 1;
	if (strcmp(edition, "Professional") != 0)
		return 0;
	json_array_foreach(features, i, f) {
		if (json_is_string(f) && strcasecmp(json_string_value(f), "API") == 0)
			return 1;
	}
	return 0;
}

int emu_orgfile_check_ip_ranges(json_t *ranges, const char *start_key,
				const char *end_key, const char *where,
				struct base_err *err)
{
	char at[128];
	size_t i;
	json_t *r;

	if (!json_is_array(ranges))
		return bad(err, where, "must be an array");
	json_array_foreach(ranges, i, r) {
		const char *keys[] = {start_key, end_key, "description", NULL};
		uint32_t lo, hi;
		json_t *s, *e;

		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (!json_is_object(r))
			return bad(err, at, "must be an object");
		if (only_keys(r, keys, at, err))
			return BASE_EINVAL;
		s = json_object_get(r, start_key);
		e = json_object_get(r, end_key);
		if (!json_is_string(s) || !base_ipv4_parse(json_string_value(s), &lo))
			return base_err_set(err, BASE_EINVAL,
					    "%s.%s: must be an IPv4 address", at,
					    start_key);
		if (!json_is_string(e) || !base_ipv4_parse(json_string_value(e), &hi))
			return base_err_set(err, BASE_EINVAL,
					    "%s.%s: must be an IPv4 address", at,
					    end_key);
		if (lo > hi)
			return base_err_set(err, BASE_EINVAL,
					    "%s: %s is after %s", at, start_key,
					    end_key);
	}
	return 0;
}

int emu_orgfile_check_login_hours(json_t *hours, const char *where,
				  struct base_err *err)
{
	const char *key;
	json_t *v;
	char at[160];

	if (!json_is_object(hours))
		return bad(err, where, "must be an object");
	json_object_foreach(hours, key, v) {
		bool known = false;

		for (int d = 0; d < 7; d++) {
			size_t n = strlen(days[d]);

			if (strncmp(key, days[d], n) == 0 &&
			    (!strcmp(key + n, "Start") || !strcmp(key + n, "End")))
				known = true;
		}
		snprintf(at, sizeof(at), "%s.%s", where, key);
		if (!known)
			return base_err_set(err, BASE_EINVAL,
					    "%s: unknown key '%s' (use mondayStart "
					    "... sundayEnd)",
					    where, key);
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 1440)
			return bad(err, at,
				   "must be minutes after midnight, 0 to 1440");
	}
	for (int d = 0; d < 7; d++) {
		char k1[32], k2[32];
		json_t *s, *e;

		snprintf(k1, sizeof(k1), "%sStart", days[d]);
		snprintf(k2, sizeof(k2), "%sEnd", days[d]);
		s = json_object_get(hours, k1);
		e = json_object_get(hours, k2);
		if (!s != !e)
			return base_err_set(err, BASE_EINVAL,
					    "%s: %s needs %s too", where,
					    s ? k1 : k2, s ? k2 : k1);
		if (s && json_integer_value(s) > json_integer_value(e))
			return base_err_set(err, BASE_EINVAL,
					    "%s: %s is after %s", where, k1, k2);
	}
	return 0;
}

int emu_orgfile_check_permissions(json_t *perms, const char *where,
				  struct base_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(perms))
		return bad(err, where, "must be an object");
	json_object_foreach(perms, key, v) {
		bool ok = key[0] != '\0' && isupper((unsigned char)key[0]);

		for (const char *p = key; *p; p++)
			ok = ok && isalnum((unsigned char)*p);
		if (!ok)
			return base_err_set(err, BASE_EINVAL,
					    "%s: '%s' is not a permission name "
					    "(like ApiEnabled)",
					    where, key);
		if (!json_is_boolean(v))
			return base_err_set(err, BASE_EINVAL,
					    "%s.%s: must be true or false",
					    where, key);
	}
	return 0;
}

static int check_int_choice(json_t *obj, const char *key, json_int_t def,
			    const json_int_t *choices, int n, const char *where,
			    struct base_err *err)
{
	char at[160];
	json_t *v = field(obj, key, JSON_INTEGER, json_integer(def), where, err);

	if (!v)
		return BASE_EINVAL;
	for (int i = 0; i < n; i++)
		if (json_integer_value(v) == choices[i])
			return 0;
	snprintf(at, sizeof(at), "%s.%s", where, key);
	return base_err_set(err, BASE_EINVAL, "%s: %lld is not allowed", at,
			    (long long)json_integer_value(v));
}

int emu_orgfile_check_settings(json_t *s, struct base_err *err)
{
	static const json_int_t attempts[] = {0, 3, 5, 10};
	static const json_int_t intervals[] = {0, 15, 30, 60};
	static const json_int_t expiry[] = {0, 30, 60, 90, 180, 365};
	static const json_int_t timeouts[] = {900,  1800,  3600,  7200,
					      14400, 28800, 43200, 86400};
	const char *const pp_keys[] = {"maxLoginAttempts", "lockoutInterval",
				       "expiresInDays", NULL};
	json_t *pp, *v;

	if (!json_is_object(s))
		return bad(err, "settings", "must be an object");
	if (only_keys(s, settings_keys, "settings", err))
		return BASE_EINVAL;
	pp = field(s, "passwordPolicies", JSON_OBJECT, json_object(), "settings",
		   err);
	if (!pp || only_keys(pp, pp_keys, "settings.passwordPolicies", err))
		return BASE_EINVAL;
	if (check_int_choice(pp, "maxLoginAttempts", 10, attempts, 4,
			     "settings.passwordPolicies", err) ||
	    check_int_choice(pp, "lockoutInterval", 15, intervals, 4,
			     "settings.passwordPolicies", err) ||
	    check_int_choice(pp, "expiresInDays", 90, expiry, 6,
			     "settings.passwordPolicies", err) ||
	    check_int_choice(s, "sessionSecondsValid", 7200, timeouts, 8,
			     "settings", err))
		return BASE_EINVAL;
	v = field(s, "trustedIpRanges", JSON_ARRAY, json_array(), "settings", err);
	if (!v || emu_orgfile_check_ip_ranges(v, "start", "end",
					      "settings.trustedIpRanges", err))
		return BASE_EINVAL;
	/* Orgs created since Winter '26 have SOAP login() off, and since
	 * Summer '23 the OAuth username-password flow blocked: new orgs are
	 * what we emulate, so both default to off. */
	if (!field(s, "soapLoginEnabled", JSON_TRUE, json_false(), "settings",
		   err) ||
	    !field(s, "usernamePasswordFlowEnabled", JSON_TRUE, json_false(),
		   "settings", err))
		return BASE_EINVAL;
	v = field(s, "loginRatePerHour", JSON_INTEGER, json_integer(3600),
		  "settings", err);
	if (!v)
		return BASE_EINVAL;
	if (json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
		return bad(err, "settings.loginRatePerHour",
			   "must be between 1 and 1000000");
	v = field(s, "bulkQueryPageSize", JSON_INTEGER, json_integer(50000),
		  "settings", err);
	if (!v)
		return BASE_EINVAL;
	if (json_integer_value(v) < 1 || json_integer_value(v) > 1000000)
		return bad(err, "settings.bulkQueryPageSize",
			   "must be between 1 and 1000000");
	return 0;
}

static int check_names_exist(json_t *list, json_t *defs, const char *what,
			     const char *where, struct base_err *err)
{
	size_t i, j;
	json_t *n, *d;

	if (!json_is_array(list))
		return bad(err, where, "must be an array of names");
	json_array_foreach(list, i, n) {
		bool found = false;

		if (!json_is_string(n))
			return bad(err, where, "must be an array of names");
		json_array_foreach(defs, j, d) {
			if (strcmp(json_string_value(json_object_get(d, "name")),
				   json_string_value(n)) == 0)
				found = true;
		}
		if (!found)
			return base_err_set(err, BASE_EINVAL,
					    "%s: no %s named '%s'", where, what,
					    json_string_value(n));
	}
	return 0;
}

static int check_unique_name(json_t *arr, size_t upto, const char *key,
			     const char *value, const char *where,
			     struct base_err *err)
{
	for (size_t j = 0; j < upto; j++) {
		json_t *o = json_array_get(arr, j);

		if (strcasecmp(json_string_value(json_object_get(o, key)), value) == 0)
			return base_err_set(err, BASE_EINVAL,
					    "%s.%s: '%s' is already used by "
					    "entry %zu",
					    where, key, value, j);
	}
	return 0;
}

/*
 * Field-level security, as Profile metadata's fieldPermissions:
 * [{"field": "Account.AnnualRevenue", "readable": false, "editable": false}].
 * Whether each field exists is checked with the schema (check_schema).
 */
static int check_field_permissions(json_t *fps, const char *where,
				   struct base_err *err)
{
	const char *const keys[] = {"field", "readable", "editable", NULL};
	char at[160];
	size_t i;
	json_t *fp;

	json_array_foreach(fps, i, fp) {
		const char *f = json_string_value(json_object_get(fp, "field"));
		json_t *rd, *ed;

		snprintf(at, sizeof(at), "%s[%zu]", where, i);
		if (!json_is_object(fp))
			return bad(err, at, "must be an object");
		if (only_keys(fp, keys, at, err))
			return BASE_EINVAL;
		if (!f || !strchr(f, '.') || strchr(f, '.') == f ||
		    !strchr(f, '.')[1])
			return bad(err, at,
				   "'field' must be \"Object.Field\", like "
				   "\"Account.AnnualRevenue\"");
		rd = field(fp, "readable", JSON_TRUE, json_true(), at, err);
		if (!rd)
			return BASE_EINVAL;
		ed = field(fp, "editable", JSON_TRUE, json_boolean(json_is_true(rd)),
			   at, err);
		if (!ed)
			return BASE_EINVAL;
		if (json_is_true(ed) && !json_is_true(rd))
			return bad(err, at, "a field can't be editable but not "
					    "readable");
	}
	return 0;
}

/*
 * The head of entry i of `list`, a profile or a permission set: an object
 * with only `keys`, whose "name" is a non-empty string no other entry has.
 * Returns the name (borrowed), or NULL with err set.
 */
static json_t *check_named(json_t *list, size_t i, json_t *p,
			   const char *const *keys, const char *at,
			   struct base_err *err)
{
	json_t *v;

	if (!json_is_object(p)) {
		bad(err, at, "must be an object");
		return NULL;
	}
	if (only_keys(p, keys, at, err) ||
	    !(v = field(p, "name", JSON_STRING, NULL, at, err)))
		return NULL;
	if (!json_string_length(v)) {
		bad(err, at, "'name' must not be empty");
		return NULL;
	}
	if (check_unique_name(list, i, "name", json_string_value(v), at, err))
		return NULL;
	return v;
}

/* The "permissions" of a profile or permission set; {} when absent. */
static int check_permissions_member(json_t *p, const char *at,
				    struct base_err *err)
{
	json_t *v =
		field(p, "permissions", JSON_OBJECT, json_object(), at, err);
	char sub[96];

	snprintf(sub, sizeof(sub), "%s.permissions", at);
	if (!v || emu_orgfile_check_permissions(v, sub, err))
		return BASE_EINVAL;
	return 0;
}

static int check_profiles(json_t *root, struct base_err *err)
{
	const char *const keys[] = {"name", "userLicense", "permissions",
				    "loginHours", "loginIpRanges", "description",
				    "fieldPermissions",
				    NULL};
	json_t *profiles = json_object_get(root, "profiles");
	char at[64], sub[96];
	size_t i;
	json_t *p;

	if (!json_is_array(profiles) || json_array_size(profiles) == 0)
		return bad(err, "profiles", "must be a non-empty array");
	json_array_foreach(profiles, i, p) {
		json_t *v;

		snprintf(at, sizeof(at), "profiles[%zu]", i);
		if (!check_named(profiles, i, p, keys, at, err))
			return BASE_EINVAL;
		if (!field(p, "userLicense", JSON_STRING,
			   json_string("Salesforce"), at, err) ||
		    check_permissions_member(p, at, err))
			return BASE_EINVAL;
		v = json_object_get(p, "loginHours");
		snprintf(sub, sizeof(sub), "%s.loginHours", at);
		if (v && !json_is_null(v) &&
		    emu_orgfile_check_login_hours(v, sub, err))
			return BASE_EINVAL;
		v = field(p, "loginIpRanges", JSON_ARRAY, json_array(), at, err);
		snprintf(sub, sizeof(sub), "%s.loginIpRanges", at);
		if (!v || emu_orgfile_check_ip_ranges(v, "startAddress",
						      "endAddress", sub, err))
			return BASE_EINVAL;
		v = field(p, "fieldPermissions", JSON_ARRAY, json_array(), at, err);
		snprintf(sub, sizeof(sub), "%s.fieldPermissions", at);
		if (!v || check_field_permissions(v, sub, err))
			return BASE_EINVAL;
	}
	return 0;
}

static int check_permission_sets(json_t *root, struct base_err *err)
{
	const char *const keys[] = {"name", "label", "permissions",
				    "description", NULL};
	json_t *sets = field(root, "permissionSets", JSON_ARRAY, json_array(),
			     "org file", err);
	char at[64];
	size_t i;
	json_t *p;

	if (!sets)
		return BASE_EINVAL;
	json_array_foreach(sets, i, p) {
		json_t *v;

		snprintf(at, sizeof(at), "permissionSets[%zu]", i);
		v = check_named(sets, i, p, keys, at, err);
		if (!v ||
		    !field(p, "label", JSON_STRING,
			   json_string(json_string_value(v)), at, err) ||
		    check_permissions_member(p, at, err))
			return BASE_EINVAL;
	}
	return 0;
}

static bool is_token(const char *s)
{
	size_t n = strlen(s);

	if (n < 24 || n > 25)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s))
			return false;
	return true;
}

static int check_users(json_t *root, struct base_err *err)
{
	const char *const keys[] = {"username", "password", "securityToken",
				    "email", "firstName", "lastName", "alias",
				    "profile", "permissionSets", "isActive",
				    "isFrozen", "isPasswordLocked",
				    "passwordExpired", "timeZone", "userType",
				    NULL};
	json_t *users = json_object_get(root, "users");
	char at[64], sub[96];
	size_t i;
	json_t *u;

	if (!json_is_array(users) || json_array_size(users) == 0)
		return bad(err, "users", "must be a non-empty array");
	json_array_foreach(users, i, u) {
		json_t *v, *name;

		snprintf(at, sizeof(at), "users[%zu]", i);
		if (!json_is_object(u))
			return bad(err, at, "must be an object");
		if (only_keys(u, keys, at, err) ||
		    !(name = field(u, "username", JSON_STRING, NULL, at, err)))
			return BASE_EINVAL;
		if (!is_email(json_string_value(name)))
			return base_err_set(err, BASE_EINVAL,
					    "%s.username: '%s' is not in the "
					    "form of an email address",
					    at, json_string_value(name));
		if (check_unique_name(users, i, "username",
				      json_string_value(name), at, err))
			return BASE_EINVAL;
		v = field(u, "password", JSON_STRING, NULL, at, err);
		if (!v)
			return BASE_EINVAL;
		if (json_string_length(v) < 1 || json_string_length(v) > 1024)
			return bad(err, at, "'password' must be 1 to 1024 characters");
		v = json_object_get(u, "securityToken");
		if (v && (!json_is_string(v) || !is_token(json_string_value(v))))
			return bad(err, at,
				   "'securityToken' must be 24 or 25 letters "
				   "and digits");
		v = field(u, "email", JSON_STRING,
			  json_string(json_string_value(name)), at, err);
		if (!v)
			return BASE_EINVAL;
		if (!is_email(json_string_value(v)))
			return bad(err, at, "'email' is not an email address");
		if (!field(u, "firstName", JSON_STRING, json_string(""), at, err) ||
		    !field(u, "lastName", JSON_STRING, json_string("User"), at,
			   err) ||
		    !field(u, "userType", JSON_STRING, json_string("Standard"),
			   at, err) ||
		    !field(u, "timeZone", JSON_STRING,
			   json_string(json_string_value(
				   json_object_get(root, "timeZone"))),
			   at, err))
			return BASE_EINVAL;
		v = field(u, "profile", JSON_STRING, NULL, at, err);
		if (!v)
			return BASE_EINVAL;
		json_t *one = json_pack("[O]", v);
		snprintf(sub, sizeof(sub), "%s.profile", at);
		int rc = check_names_exist(one, json_object_get(root, "profiles"),
					   "profile", sub, err);
		json_decref(one);
		if (rc)
			return BASE_EINVAL;
		v = field(u, "permissionSets", JSON_ARRAY, json_array(), at, err);
		snprintf(sub, sizeof(sub), "%s.permissionSets", at);
		if (!v || check_names_exist(v, json_object_get(root,
							       "permissionSets"),
					    "permission set", sub, err))
			return BASE_EINVAL;
		if (!field(u, "isActive", JSON_TRUE, json_true(), at, err) ||
		    !field(u, "isFrozen", JSON_TRUE, json_false(), at, err) ||
		    !field(u, "isPasswordLocked", JSON_TRUE, json_false(), at,
			   err) ||
		    !field(u, "passwordExpired", JSON_TRUE, json_false(), at,
			   err))
			return BASE_EINVAL;
	}
	return 0;
}

static bool cert_parses(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	X509_free(x);
	BIO_free(bio);
	return x != NULL;
}

static int check_apps(json_t *root, struct base_err *err)
{
	const char *const keys[] = {"name", "consumerKey", "consumerSecret",
				    "flows", "runAsUser", "certificate",
				    "preAuthorizedProfiles",
				    "preAuthorizedPermissionSets", "description",
				    NULL};
	const char *const flows[] = {"password", "client_credentials",
				     "jwt_bearer", "refresh_token", NULL};
	json_t *apps = field(root, "apps", JSON_ARRAY, json_array(), "org file",
			     err);
	char at[64], sub[96];
	size_t i, j;
	json_t *a, *f;

	if (!apps)
		return BASE_EINVAL;
	json_array_foreach(apps, i, a) {
		json_t *v, *fl;

		snprintf(at, sizeof(at), "apps[%zu]", i);
		if (!json_is_object(a))
			return bad(err, at, "must be an object");
		if (only_keys(a, keys, at, err) ||
		    !(v = field(a, "name", JSON_STRING, NULL, at, err)) ||
		    check_unique_name(apps, i, "name", json_string_value(v), at,
				      err) ||
		    !(v = field(a, "consumerKey", JSON_STRING, NULL, at, err)))
			return BASE_EINVAL;
		if (json_string_length(v) < 8)
			return bad(err, at,
				   "'consumerKey' must be at least 8 characters");
		if (check_unique_name(apps, i, "consumerKey",
				      json_string_value(v), at, err))
			return BASE_EINVAL;
		v = field(a, "consumerSecret", JSON_STRING, NULL, at, err);
		if (!v)
			return BASE_EINVAL;
		if (json_string_length(v) < 8)
			return bad(err, at,
				   "'consumerSecret' must be at least 8 characters");
		fl = field(a, "flows", JSON_ARRAY,
			   json_pack("[ss]", "password", "refresh_token"), at,
			   err);
		if (!fl)
			return BASE_EINVAL;
		json_array_foreach(fl, j, f) {
			if (!json_is_string(f) || !in_list(json_string_value(f), flows))
				return base_err_set(err, BASE_EINVAL,
						    "%s.flows[%zu]: must be one "
						    "of password, "
						    "client_credentials, "
						    "jwt_bearer, refresh_token",
						    at, j);
		}
		v = json_object_get(a, "runAsUser");
		if (v) {
			json_t *users = json_object_get(root, "users");
			bool found = false;
			size_t k;
			json_t *u;

			if (!json_is_string(v))
				return bad(err, at, "'runAsUser' must be a username");
			json_array_foreach(users, k, u) {
				found = found ||
					strcasecmp(json_string_value(json_object_get(
							   u, "username")),
						   json_string_value(v)) == 0;
			}
			if (!found)
				return base_err_set(err, BASE_EINVAL,
						    "%s.runAsUser: no user named "
						    "'%s'",
						    at, json_string_value(v));
		}
		v = json_object_get(a, "certificate");
		if (v && (!json_is_string(v) || !cert_parses(json_string_value(v))))
			return bad(err, at,
				   "'certificate' is not a PEM X.509 certificate");
		v = field(a, "preAuthorizedProfiles", JSON_ARRAY, json_array(),
			  at, err);
		snprintf(sub, sizeof(sub), "%s.preAuthorizedProfiles", at);
		if (!v || check_names_exist(v, json_object_get(root, "profiles"),
					    "profile", sub, err))
			return BASE_EINVAL;
		v = field(a, "preAuthorizedPermissionSets", JSON_ARRAY,
			  json_array(), at, err);
		snprintf(sub, sizeof(sub), "%s.preAuthorizedPermissionSets", at);
		if (!v || check_names_exist(v, json_object_get(root,
							       "permissionSets"),
					    "permission set", sub, err))
			return BASE_EINVAL;
	}
	return 0;
}

static int check_records(json_t *root, struct base_err *err)
{
	json_t *recs = field(root, "records", JSON_OBJECT, json_object(),
			     "org file", err);
	const char *obj;
	json_t *list;

	if (!recs)
		return BASE_EINVAL;
	json_object_foreach(recs, obj, list) {
		size_t i;
		json_t *r;

		if (!json_is_array(list))
			return base_err_set(err, BASE_EINVAL,
					    "records.%s: must be an array", obj);
		json_array_foreach(list, i, r) {
			if (!json_is_object(r))
				return base_err_set(err, BASE_EINVAL,
						    "records.%s[%zu]: must be "
						    "an object",
						    obj, i);
		}
	}
	return 0;
}

/* Custom objects and fields must build into a schema, and the fields that
 * profiles' field-level security names must exist. */
static int check_schema(json_t *root, struct base_err *err)
{
	struct emu_schema *s = NULL;
	int rc = emu_schema_build(json_object_get(root, "customObjects"),
				  json_object_get(root, "customFields"), &s, err);
	size_t i, j;
	json_t *p, *fp;

	json_array_foreach(json_object_get(root, "profiles"), i, p) {
		json_array_foreach(json_object_get(p, "fieldPermissions"), j, fp) {
			const char *name =
				json_string_value(json_object_get(fp, "field"));
			const char *dot = strchr(name, '.');
			char obj[128];
			const struct emu_sobject *o;
			const struct emu_field *f;

			if (rc)
				break;
			snprintf(obj, sizeof(obj), "%.*s", (int)(dot - name), name);
			o = emu_schema_object(s, obj);
			f = o ? emu_sobject_field(o, dot + 1) : NULL;
			if (!f)
				rc = base_err_set(err, BASE_EINVAL,
						  "profiles[%zu].fieldPermissions"
						  "[%zu]: no field '%s'",
						  i, j, name);
			else if (!f->nillable || !strcmp(f->name, "Id"))
				rc = base_err_set(err, BASE_EINVAL,
						  "profiles[%zu].fieldPermissions"
						  "[%zu]: '%s' is required and "
						  "always visible",
						  i, j, name);
		}
	}
	emu_schema_free(s);
	return rc;
}

static bool zone_exists(const char *tz)
{
	char path[256];
	struct stat st;

	if (!*tz || strstr(tz, "..") || tz[0] == '/')
		return false;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void slug(const char *name, char *out, size_t n)
{
	size_t j = 0;

	for (; *name && j + 1 < n; name++) {
		if (isalnum((unsigned char)*name))
			out[j++] = (char)tolower((unsigned char)*name);
		else if (j && out[j - 1] != '-')
			out[j++] = '-';
	}
	while (j && out[j - 1] == '-')
		j--;
	if (!j)
		j = (size_t)snprintf(out, n, "org");
	out[j] = '\0';
}

static int check_top(json_t *root, struct base_err *err)
{
	char dom[64];
	json_t *v;

	if (only_keys(root, top_keys, "org file", err))
		return BASE_EINVAL;
	v = field(root, "orgName", JSON_STRING, json_string("Emulated Org"),
		  "org file", err);
	if (!v)
		return BASE_EINVAL;
	/* A My Domain name has at most 40 characters. */
	slug(json_string_value(v), dom, 41);
	v = field(root, "edition", JSON_STRING, json_string("Developer"),
		  "org file", err);
	if (!v || emu_orgfile_check_edition(json_string_value(v), err))
		return BASE_EINVAL;
	v = field(root, "features", JSON_ARRAY, json_array(), "org file", err);
	if (!v)
		return BASE_EINVAL;
	for (size_t i = 0; i < json_array_size(v); i++)
		if (!json_is_string(json_array_get(v, i)))
			return base_err_set(err, BASE_EINVAL,
					    "features[%zu]: must be a string", i);
	v = field(root, "myDomain", JSON_STRING, json_string(dom), "org file",
		  err);
	if (!v)
		return BASE_EINVAL;
	for (const char *p = json_string_value(v); *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return bad(err, "myDomain",
				   "must be letters, digits and '-'");
	if (!json_string_length(v) || json_string_length(v) > 40)
		return bad(err, "myDomain", "must be 1 to 40 characters");
	if (!field(root, "sandbox", JSON_TRUE, json_false(), "org file", err))
		return BASE_EINVAL;
	v = field(root, "timeZone", JSON_STRING,
		  json_string("America/Los_Angeles"), "org file", err);
	if (!v)
		return BASE_EINVAL;
	if (!zone_exists(json_string_value(v)))
		return base_err_set(err, BASE_EINVAL,
				    "timeZone: '%s' is not a known time zone",
				    json_string_value(v));
	v = field(root, "licenses", JSON_INTEGER, json_integer(2), "org file",
		  err);
	if (!v)
		return BASE_EINVAL;
	if (json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
		return bad(err, "licenses", "must be between 0 and 1000000");
	v = field(root, "settings", JSON_OBJECT, json_object(), "org file", err);
	if (!v || emu_orgfile_check_settings(v, err))
		return BASE_EINVAL;
	return 0;
}

int emu_orgfile_parse(const char *text, size_t len, json_t **out,
		      struct base_err *err)
{
	json_error_t jerr;
	json_t *root;

	*out = NULL;
	if (len > EMU_ORGFILE_MAX)
		return base_err_set(err, BASE_ETOOBIG,
				    "org file is larger than %u bytes",
				    EMU_ORGFILE_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return base_err_set(err, BASE_EINVAL,
				    "not valid JSON at line %d column %d: %s",
				    jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return base_err_set(err, BASE_EINVAL,
				    "org file must be a JSON object");
	}
	if (check_top(root, err) || check_profiles(root, err) ||
	    check_permission_sets(root, err) || check_users(root, err) ||
	    check_apps(root, err) || check_records(root, err) ||
	    check_schema(root, err)) {
		json_decref(root);
		return err ? err->code : BASE_EINVAL;
	}
	*out = root;
	return 0;
}

int emu_orgfile_load(const char *path, json_t **out, struct base_err *err)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!f)
		return base_err_set_errno(err, BASE_EINVAL, "org file '%s'", path);
	text = malloc(EMU_ORGFILE_MAX + 1);
	if (!text) {
		fclose(f);
		return base_err_set(err, BASE_ENOMEM, "org file '%s'", path);
	}
	len = fread(text, 1, EMU_ORGFILE_MAX + 1, f);
	fclose(f);
	rc = emu_orgfile_parse(text, len, out, err);
	free(text);
	if (rc)
		base_err_wrap(err, "org file '%s'", path);
	return rc;
}
