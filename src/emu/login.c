/* login.c - decide a login attempt the way Salesforce does, and record it. */
#include "login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ipv4.h"
#include "base/log.h"
#include "base/banned.h"

bool emu_login_ip_in_profile(json_t *ranges, const char *ip)
{
	size_t i;
	json_t *r;

	if (json_array_size(ranges) == 0)
		return true;
	json_array_foreach(ranges, i, r) {
		if (base_ipv4_in_range(
			    ip, json_string_value(json_object_get(r, "startAddress")),
			    json_string_value(json_object_get(r, "endAddress"))))
			return true;
	}
	return false;
}

/* Local weekday and minute of the day in time zone `tz`. */
static void local_time(int64_t ms, const char *tz, int *wday, int *minute)
{
	char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	/* Callers hold the org lock; no other thread reads TZ. */
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, &tm);
	if (old)
		setenv("TZ", old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(old);
	*wday = tm.tm_wday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
}

bool emu_login_hours_ok(struct emu_org *org, json_t *hours)
{
	static const char *const days[] = {"sunday",   "monday", "tuesday",
					   "wednesday", "thursday", "friday",
					   "saturday"};
	char k1[32], k2[32];
	int wday, minute;
	json_t *s, *e;

	if (!json_is_object(hours) || json_object_size(hours) == 0)
		return true;
	local_time(emu_org_now_ms(org), emu_org_conf_str(org, "timeZone"), &wday,
		   &minute);
	snprintf(k1, sizeof(k1), "%sStart", days[wday]);
	snprintf(k2, sizeof(k2), "%sEnd", days[wday]);
	s = json_object_get(hours, k1);
	e = json_object_get(hours, k2);
	/* Once any day is set, a day without hours allows no login. */
	if (!s || !e)
		return false;
	return minute >= json_integer_value(s) && minute < json_integer_value(e);
}

static int record(struct emu_org *org, const struct emu_login_attempt *a,
		  const char *username, struct emu_login_result *res,
		  enum emu_login_outcome outcome, const char *status,
		  struct base_err *err)
{
	struct emu_login_event ev = {
		.user_id = res->user_found ? res->user.id : NULL,
		.username = username,
		.source_ip = a->client_ip,
		.login_type = a->channel == EMU_LOGIN_SOAP ? "Other Apex API"
							   : "Remote Access 2.0",
		.status = status,
		.api_type = a->api_type,
		.api_version = a->api_version,
		.application = a->application,
		.login_url = a->login_url,
	};

	res->outcome = outcome;
	res->status = status;
	if (outcome == EMU_LOGIN_OK && emu_org_record_success(org, res->user.id, err))
		return BASE_ERR;
	return emu_org_log_login(org, &ev, err);
}

/* Failures of the password itself count toward lockout. */
static int refuse_credential(struct emu_org *org,
			     const struct emu_login_attempt *a,
			     struct emu_login_result *res,
			     enum emu_login_outcome outcome, const char *status,
			     struct base_err *err)
{
	bool locked;

	if (emu_org_record_failure(org, &res->user, &locked, err))
		return BASE_ERR;
	if (locked)
		base_info("login: user %s locked after %lld failed attempts",
			  res->user.username,
			  (long long)emu_org_setting_int(org, "passwordPolicies",
							 "maxLoginAttempts", 10));
	return record(org, a, res->user.username, res, outcome, status, err);
}

/* Checks shared by every channel once the user is known and proven. */
static int check_policies(struct emu_org *org, const struct emu_login_attempt *a,
			  struct emu_login_result *res, struct base_err *err)
{
	struct emu_user *u = &res->user;
	const char *name = u->username;
	json_t *prof = NULL;
	int rc;

	if (!u->is_active)
		return record(org, a, name, res, EMU_LOGIN_INVALID,
			      "User is inactive", err);
	if (u->is_frozen)
		return record(org, a, name, res, EMU_LOGIN_INVALID,
			      "User is frozen", err);
	if (emu_org_profile_json(org, u->profile_id, &prof, err))
		return BASE_ERR;
	/* The API gates apply at login only for SOAP; an OAuth token is
	 * issued and the REST API then refuses it (checked per call). */
	if (a->channel == EMU_LOGIN_SOAP && !emu_org_has_api(org))
		rc = record(org, a, name, res, EMU_LOGIN_API_DISABLED_ORG,
			    "Failed: API disabled for org", err);
	else if (a->channel == EMU_LOGIN_SOAP &&
		 !emu_org_user_has_perm(org, u, "ApiEnabled"))
		rc = record(org, a, name, res, EMU_LOGIN_API_DISABLED_USER,
			    "Failed: API disabled for user", err);
	else if (!emu_login_ip_in_profile(json_object_get(prof, "loginIpRanges"),
					  a->client_ip))
		rc = record(org, a, name, res, EMU_LOGIN_RESTRICTED_IP,
			    "Restricted IP", err);
	else if (!emu_login_hours_ok(org, json_object_get(prof, "loginHours")))
		rc = record(org, a, name, res, EMU_LOGIN_RESTRICTED_TIME,
			    "Restricted Time", err);
	else if (a->channel == EMU_LOGIN_SOAP &&
		 !emu_org_user_has_perm(org, u, "UseAnyApiAuth"))
		rc = record(org, a, name, res, EMU_LOGIN_NO_API_AUTH,
			    "Failed: Use Any API Auth permission required", err);
	else {
		res->password_expired = u->password_expired;
		rc = record(org, a, name, res, EMU_LOGIN_OK, "Success", err);
	}
	json_decref(prof);
	return rc;
}

/* Blocked for the rest of the hour once the user made loginRatePerHour
 * login attempts in it. */
static bool rate_exceeded(struct emu_org *org, const struct emu_user *u)
{
	return emu_org_count_login(org, u->id) >
	       emu_org_setting_int(org, NULL, "loginRatePerHour", 3600);
}

int emu_login_password(struct emu_org *org, const struct emu_login_attempt *a,
		       const char *username, const char *pw, size_t len,
		       struct emu_login_result *res, struct base_err *err)
{
	json_t *prof = NULL;
	size_t tl;
	bool trusted;

	memset(res, 0, sizeof(*res));
	if (emu_org_find_user(org, username, &res->user, NULL) != 0)
		return record(org, a, username, res, EMU_LOGIN_INVALID,
			      "Invalid login", err);
	res->user_found = true;
	if (rate_exceeded(org, &res->user))
		return record(org, a, username, res, EMU_LOGIN_RATE_EXCEEDED,
			      "Login rate exceeded", err);
	if (emu_org_user_locked(org, &res->user))
		return record(org, a, username, res, EMU_LOGIN_INVALID,
			      "Password Lockout", err);

	tl = (size_t)emu_org_token_len(org, res->user.id);
	if (len > tl && emu_org_password_ok(org, res->user.id, pw, len - tl) &&
	    emu_org_token_ok(org, res->user.id, pw + len - tl, tl))
		return check_policies(org, a, res, err);
	if (!emu_org_password_ok(org, res->user.id, pw, len)) {
		/* A right password with a stale token reads "Invalid Password"
		 * in LoginHistory too: the token is part of the password. */
		return refuse_credential(org, a, res, EMU_LOGIN_INVALID,
					 "Invalid Password", err);
	}
	/* The bare password is enough only from a trusted network: the org's
	 * trusted IP ranges or the profile's login IP ranges. */
	if (emu_org_profile_json(org, res->user.profile_id, &prof, err))
		return BASE_ERR;
	trusted = emu_org_ip_trusted(org, a->client_ip) ||
		  (json_array_size(json_object_get(prof, "loginIpRanges")) > 0 &&
		   emu_login_ip_in_profile(json_object_get(prof, "loginIpRanges"),
					   a->client_ip));
	json_decref(prof);
	if (!trusted)
		return refuse_credential(org, a, res, EMU_LOGIN_NEED_TOKEN,
					 "Failed: API security token required",
					 err);
	return check_policies(org, a, res, err);
}

int emu_login_user(struct emu_org *org, const struct emu_login_attempt *a,
		   const struct emu_user *u, struct emu_login_result *res,
		   struct base_err *err)
{
	memset(res, 0, sizeof(*res));
	res->user = *u;
	res->user_found = true;
	if (rate_exceeded(org, &res->user))
		return record(org, a, u->username, res, EMU_LOGIN_RATE_EXCEEDED,
			      "Login rate exceeded", err);
	if (emu_org_user_locked(org, &res->user))
		return record(org, a, u->username, res, EMU_LOGIN_INVALID,
			      "Password Lockout", err);
	return check_policies(org, a, res, err);
}
