/* test_login.c - login decisions, lockout, login hours, sessions and refresh
 * tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "base/datetime.h"
#include "base/err.h"
#include "base/log.h"
#include "base/db.h"
#include "emu/login.h"
#include "emu/org.h"
#include "emu/orgfile.h"
#include "emu/sfid.h"
#include "base/banned.h"

#define PW           "hunter2"
#define TOKEN        "AbCdEfGhIjKlMnOpQrStUvWx"
#define PW_TOKEN     PW TOKEN
#define UNTRUSTED_IP "203.0.113.5"
#define TRUSTED_IP   "10.1.2.3"    /* in the org's trusted range */
#define OFFICE_IP    "192.168.1.7" /* in the "Office IP" profile's range */

/* A user with password PW and token TOKEN on `profile`, plus `extra` keys. */
#define USER(name, profile, extra)                                          \
	"{\"username\":\"" name "@example.com\",\"password\":\"" PW "\","   \
	"\"securityToken\":\"" TOKEN "\",\"profile\":\"" profile "\"" extra \
	"}"

#define API_PERMS "{\"ApiEnabled\":true,\"UseAnyApiAuth\":true}"
#define PROFILES                                                         \
	"\"profiles\":["                                                 \
	"{\"name\":\"Integration\",\"permissions\":" API_PERMS "},"      \
	"{\"name\":\"No API\",\"permissions\":{\"ApiEnabled\":false,"    \
	"\"UseAnyApiAuth\":true}},"                                      \
	"{\"name\":\"No Any API Auth\",\"permissions\":{\"ApiEnabled\":" \
	"true}},"                                                        \
	"{\"name\":\"Weekday Hours\",\"permissions\":" API_PERMS ","     \
	"\"loginHours\":{\"mondayStart\":540,\"mondayEnd\":1020}},"      \
	"{\"name\":\"Office IP\",\"permissions\":" API_PERMS ","         \
	"\"loginIpRanges\":[{\"startAddress\":\"192.168.1.0\","          \
	"\"endAddress\":\"192.168.1.255\"}]}]"
#define PERMSETS                                                       \
	"\"permissionSets\":[{\"name\":\"API_Grant\",\"permissions\":" \
	"{\"ApiEnabled\":true}}]"
/* clang-format off */
#define USERS                                                              \
	"\"users\":["                                                      \
	USER("admin", "Integration", "") ","                               \
	USER("inactive", "Integration", ",\"isActive\":false") ","         \
	USER("frozen", "Integration", ",\"isFrozen\":true") ","            \
	USER("noapi", "No API", "") ","                                    \
	USER("granted", "No API", ",\"permissionSets\":[\"API_Grant\"]") "," \
	USER("noauth", "No Any API Auth", "") ","                          \
	USER("hours", "Weekday Hours", "") ","                             \
	USER("office", "Office IP", "") ","                                \
	USER("expired", "Integration", ",\"passwordExpired\":true") ","    \
	"{\"username\":\"notoken@example.com\",\"password\":\"" PW "\","   \
	"\"firstName\":\"Nora\",\"profile\":\"Integration\"}]"
/* clang-format on */
#define APPS                                                                \
	"\"apps\":[{\"name\":\"CLI\",\"consumerKey\":\"3MVG9cliconsumer\"," \
	"\"consumerSecret\":\"cli-secret-1\"},{\"name\":\"Other\","         \
	"\"consumerKey\":\"3MVG9otherconsumer\",\"consumerSecret\":"        \
	"\"other-secret-1\"}]"
#define SETTINGS                                                            \
	"\"passwordPolicies\":{\"maxLoginAttempts\":3,\"lockoutInterval\":" \
	"15},\"trustedIpRanges\":[{\"start\":\"10.0.0.0\",\"end\":"         \
	"\"10.255.255.255\"}]"
/* The test org: `edition` with `features`, `settings` and everything above. */
#define ORG(edition, features, settings)                                  \
	"{\"orgName\":\"Login Unit\",\"edition\":\"" edition "\","        \
	"\"features\":" features ",\"timeZone\":\"America/Los_Angeles\"," \
	"\"settings\":{" settings "}," PROFILES "," PERMSETS "," USERS    \
	"," APPS "}"
#define BASE_ORG ORG("Enterprise", "[]", SETTINGS)

#define MINUTE_MS INT64_C(60000)

/* Opens an in-memory org from the org file text; caller frees. */
static struct emu_org *open_org(const char *text)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_org *org = NULL;
	json_t *def = NULL;

	assert_int_equal(emu_orgfile_parse(text, strlen(text), &def, &err), 0);
	assert_int_equal(emu_org_open(def, NULL, &org, &err), 0);
	assert_string_equal(err.msg, "");
	assert_non_null(org);
	return org;
}

static int setup_base_org(void **state)
{
	*state = open_org(BASE_ORG);
	return 0;
}

static int teardown_org(void **state)
{
	emu_org_free(*state);
	return 0;
}

/* Runs emu_login_password, which must decide (return 0). */
static void login_on(struct emu_org *org, enum emu_login_channel channel,
		     const char *ip, const char *username, const char *password,
		     struct emu_login_result *res)
{
	const struct emu_login_attempt a = {
		.channel = channel,
		.client_ip = ip,
		.api_type = "SOAP Partner",
		.api_version = "60.0",
		.application = "N/A",
		.login_url = "localhost",
	};
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_login_password(org, &a, username, password,
					    strlen(password), res, &err),
			 0);
	assert_string_equal(err.msg, "");
}

/* A SOAP login from ip. */
static void login(struct emu_org *org, const char *ip, const char *username,
		  const char *password, struct emu_login_result *res)
{
	login_on(org, EMU_LOGIN_SOAP, ip, username, password, res);
}

static void check_outcome(const struct emu_login_result *res,
			  enum emu_login_outcome outcome, const char *status)
{
	assert_int_equal(res->outcome, outcome);
	assert_non_null(res->status);
	assert_string_equal(res->status, status);
}

/* admin's SOAP login with password and token, from an untrusted IP. */
static void check_admin_login(struct emu_org *org,
			      enum emu_login_outcome outcome,
			      const char *status)
{
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com", PW_TOKEN, &res);
	check_outcome(&res, outcome, status);
}

/* Sets the org clock so that now is `ms` (epoch milliseconds). */
static void set_clock(struct emu_org *org, int64_t ms)
{
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(
		emu_org_set_clock_offset(org, ms - base_time_now_ms(), &err),
		0);
}

static void set_offset(struct emu_org *org, int64_t offset_ms)
{
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_org_set_clock_offset(org, offset_ms, &err), 0);
}

static struct emu_user find_user(struct emu_org *org, const char *username)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_user u;

	assert_int_equal(emu_org_find_user(org, username, &u, &err), 0);
	return u;
}

/* Makes the user fail `n` times with a wrong password, from a trusted IP. */
static void fail_n_times(struct emu_org *org, const char *username, int n)
{
	struct emu_login_result res;

	for (int i = 0; i < n; i++) {
		login(org, TRUSTED_IP, username, "wrong", &res);
		check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
	}
}

/* ---- credentials ---- */

static void test_login__password_and_token_succeeds(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	assert_true(res.user_found);
	assert_string_equal(res.user.username, "admin@example.com");
	assert_memory_equal(res.user.id, "005", 3);
	assert_false(res.password_expired);
}

static void test_login__username_is_case_insensitive(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "Admin@EXAMPLE.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	assert_string_equal(res.user.username, "admin@example.com");
}

static void
test_login__bare_password_from_untrusted_ip_needs_token(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_NEED_TOKEN,
		      "Failed: API security token required");
	assert_true(res.user_found);
}

static void test_login__bare_password_from_trusted_range_succeeds(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, TRUSTED_IP, "admin@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

static void test_login__trusted_range_includes_its_bounds(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, "10.0.0.0", "admin@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	login(org, "10.255.255.255", "admin@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	login(org, "11.0.0.0", "admin@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_NEED_TOKEN,
		      "Failed: API security token required");
}

static void
test_login__bare_password_inside_profile_ip_range_succeeds(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, OFFICE_IP, "office@example.com", PW, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

static void test_login__outside_profile_ip_range_is_restricted(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "office@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_RESTRICTED_IP, "Restricted IP");
}

static void test_login__wrong_password_is_invalid_password(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com", "wrong" TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
	assert_true(res.user_found);
}

static void test_login__wrong_token_is_invalid_password(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com",
	      PW "XXXXXXXXXXXXXXXXXXXXXXXX", &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
}

static void test_login__token_is_case_sensitive(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "admin@example.com",
	      PW "abcdefghijklmnopqrstuvwx", &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
}

static void test_login__empty_password_is_invalid_password(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, TRUSTED_IP, "admin@example.com", "", &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
}

static void test_login__unknown_user_is_invalid_login(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "nobody@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid login");
	assert_false(res.user_found);
}

/* ---- lockout ---- */

static void test_login__failures_are_counted(void **state)
{
	struct emu_org *org = *state;

	fail_n_times(org, "admin@example.com", 2);
	assert_int_equal(find_user(org, "admin@example.com").failed_attempts,
			 2);
	assert_false(find_user(org, "admin@example.com").is_locked);
}

static void test_login__locks_out_at_max_attempts(void **state)
{
	struct emu_org *org = *state;

	fail_n_times(org, "admin@example.com", 3);
	assert_true(find_user(org, "admin@example.com").is_locked);
	/* Now even the right password and token are refused. */
	check_admin_login(org, EMU_LOGIN_INVALID, "Password Lockout");
}

static void test_login__missing_token_counts_toward_lockout(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	for (int i = 0; i < 3; i++) {
		login(org, UNTRUSTED_IP, "admin@example.com", PW, &res);
		check_outcome(&res, EMU_LOGIN_NEED_TOKEN,
			      "Failed: API security token required");
	}
	check_admin_login(org, EMU_LOGIN_INVALID, "Password Lockout");
}

static void test_login__lockout_holds_within_interval(void **state)
{
	struct emu_org *org = *state;

	fail_n_times(org, "admin@example.com", 3);
	set_offset(org, 15 * MINUTE_MS - 1000);
	check_admin_login(org, EMU_LOGIN_INVALID, "Password Lockout");
}

static void test_login__lockout_lapses_after_interval(void **state)
{
	struct emu_org *org = *state;

	fail_n_times(org, "admin@example.com", 3);
	set_offset(org, 15 * MINUTE_MS + 1000);
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	assert_false(find_user(org, "admin@example.com").is_locked);
}

static void test_login__lockout_interval_0_lasts_until_unlocked(void **state)
{
	struct emu_org *org =
		open_org(ORG("Enterprise", "[]",
			     "\"passwordPolicies\":{\"maxLoginAttempts\":3,"
			     "\"lockoutInterval\":0}"));
	struct base_err err = BASE_ERR_INIT;
	struct emu_login_result res;

	(void)state;
	fail_n_times(org, "admin@example.com", 3);
	set_offset(org, 365 * 24 * 60 * MINUTE_MS);
	login(org, UNTRUSTED_IP, "admin@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Password Lockout");
	assert_int_equal(emu_org_unlock_user(org, res.user.id, &err), 0);
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	emu_org_free(org);
}

static void test_login__success_resets_failure_count(void **state)
{
	struct emu_org *org = *state;

	fail_n_times(org, "admin@example.com", 2);
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	assert_int_equal(find_user(org, "admin@example.com").failed_attempts,
			 0);
	/* Two more failures do not reach the limit of three. */
	fail_n_times(org, "admin@example.com", 2);
	check_admin_login(org, EMU_LOGIN_OK, "Success");
}

static void test_login__lockout_is_per_user(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	fail_n_times(org, "admin@example.com", 3);
	login(org, UNTRUSTED_IP, "expired@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

/* ---- user state and permissions ---- */

static void test_login__inactive_user_is_refused(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "inactive@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "User is inactive");
	assert_true(res.user_found);
}

static void test_login__frozen_user_is_refused(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "frozen@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "User is frozen");
}

static void
test_login__inactive_user_wrong_password_is_invalid_password(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	/* The credential is checked first: no hint that the user exists. */
	login(org, UNTRUSTED_IP, "inactive@example.com", "wrong", &res);
	check_outcome(&res, EMU_LOGIN_INVALID, "Invalid Password");
}

static void test_login__no_api_enabled_is_refused_on_soap(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "noapi@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_API_DISABLED_USER,
		      "Failed: API disabled for user");
}

static void
test_login__no_api_enabled_is_allowed_on_oauth_password(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login_on(org, EMU_LOGIN_OAUTH_PASSWORD, UNTRUSTED_IP,
		 "noapi@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

static void test_login__api_enabled_by_permission_set(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "granted@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

static void test_login__no_use_any_api_auth_is_refused_on_soap(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "noauth@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_NO_API_AUTH,
		      "Failed: Use Any API Auth permission required");
}

static void test_login__group_edition_is_refused_on_soap(void **state)
{
	struct emu_org *org = open_org(ORG("Group", "[]", SETTINGS));

	(void)state;
	check_admin_login(org, EMU_LOGIN_API_DISABLED_ORG,
			  "Failed: API disabled for org");
	emu_org_free(org);
}

static void test_login__group_edition_is_allowed_on_oauth_password(void **state)
{
	struct emu_org *org = open_org(ORG("Group", "[]", SETTINGS));
	struct emu_login_result res;

	(void)state;
	/* The token is issued; the REST API refuses it per call. */
	login_on(org, EMU_LOGIN_OAUTH_PASSWORD, UNTRUSTED_IP,
		 "admin@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	emu_org_free(org);
}

static void
test_login__professional_without_api_feature_is_refused(void **state)
{
	struct emu_org *org = open_org(ORG("Professional", "[]", SETTINGS));

	(void)state;
	check_admin_login(org, EMU_LOGIN_API_DISABLED_ORG,
			  "Failed: API disabled for org");
	emu_org_free(org);
}

static void test_login__professional_with_api_feature_succeeds(void **state)
{
	struct emu_org *org =
		open_org(ORG("Professional", "[\"API\"]", SETTINGS));

	(void)state;
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	emu_org_free(org);
}

static void test_login__expired_password_succeeds_and_is_flagged(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	login(org, UNTRUSTED_IP, "expired@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	assert_true(res.password_expired);
}

/* ---- login hours (the org's zone is America/Los_Angeles) ---- */

/* Monday 2024-01-15 10:00:30 PST = 18:00:30Z. */
#define MON_1000_PST INT64_C(1705341630000)
/* Monday 2024-01-15 08:59:30 PST = 16:59:30Z. */
#define MON_0859_PST INT64_C(1705337970000)
/* Monday 2024-01-15 16:59:30 PST = 00:59:30Z on Tuesday. */
#define MON_1659_PST INT64_C(1705366770000)
/* Monday 2024-01-15 17:00:30 PST = 01:00:30Z on Tuesday. */
#define MON_1700_PST INT64_C(1705366830000)
/* Tuesday 2024-01-16 10:00:30 PST = 18:00:30Z. */
#define TUE_1000_PST INT64_C(1705428030000)
/* Monday 2024-07-15 09:30:30 PDT = 16:30:30Z (08:30 in standard time). */
#define MON_0930_PDT INT64_C(1721061030000)

/* {"mondayStart": start, "mondayEnd": end}; caller decrefs. */
static json_t *monday(int start, int end)
{
	json_t *h =
		json_pack("{s:i, s:i}", "mondayStart", start, "mondayEnd", end);

	assert_non_null(h);
	return h;
}

/* Whether Monday hours start..end (minutes) allow a login at `now_ms`. */
static bool monday_hours_ok_at(struct emu_org *org, int start, int end,
			       int64_t now_ms)
{
	json_t *h = monday(start, end);
	bool ok;

	set_clock(org, now_ms);
	ok = emu_login_hours_ok(org, h);
	json_decref(h);
	return ok;
}

static void test_login__hours_allow_inside_the_window(void **state)
{
	struct emu_org *org = *state;

	assert_true(monday_hours_ok_at(org, 540, 1020, MON_1000_PST));
	assert_true(monday_hours_ok_at(org, 540, 1020, MON_1659_PST));
}

static void test_login__hours_refuse_before_start(void **state)
{
	struct emu_org *org = *state;

	assert_false(monday_hours_ok_at(org, 540, 1020, MON_0859_PST));
}

static void test_login__hours_end_is_exclusive(void **state)
{
	struct emu_org *org = *state;

	assert_false(monday_hours_ok_at(org, 540, 1020, MON_1700_PST));
}

static void test_login__hours_refuse_a_day_without_hours(void **state)
{
	struct emu_org *org = *state;

	assert_false(monday_hours_ok_at(org, 0, 1440, TUE_1000_PST));
}

static void test_login__hours_follow_daylight_saving_time(void **state)
{
	struct emu_org *org = *state;

	/* 09:30 to 10:00 */
	assert_true(monday_hours_ok_at(org, 570, 600, MON_0930_PDT));
}

static void test_login__hours_empty_or_null_allow_any_time(void **state)
{
	struct emu_org *org = *state;
	json_t *empty = json_object();

	set_clock(org, TUE_1000_PST);
	assert_true(emu_login_hours_ok(org, empty));
	assert_true(emu_login_hours_ok(org, NULL));
	assert_true(emu_login_hours_ok(org, json_null()));
	json_decref(empty);
}

static void test_login__hours_check_restores_tz(void **state)
{
	struct emu_org *org = *state;
	json_t *h = monday(540, 1020);

	assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
	(void)emu_login_hours_ok(org, h);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_int_equal(unsetenv("TZ"), 0);
	(void)emu_login_hours_ok(org, h);
	assert_null(getenv("TZ"));
	json_decref(h);
}

static void test_login__outside_hours_is_restricted_time(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	set_clock(org, TUE_1000_PST);
	login(org, UNTRUSTED_IP, "hours@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_RESTRICTED_TIME, "Restricted Time");
}

static void test_login__inside_hours_succeeds(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;

	set_clock(org, MON_1000_PST);
	login(org, UNTRUSTED_IP, "hours@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
}

/* ---- login rate ---- */

static void test_login__rate_limit_refuses_past_the_limit(void **state)
{
	struct emu_org *org = open_org(
		ORG("Enterprise", "[]", SETTINGS ",\"loginRatePerHour\":2"));

	(void)state;
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	check_admin_login(org, EMU_LOGIN_RATE_EXCEEDED, "Login rate exceeded");
	emu_org_free(org);
}

static void test_login__rate_limit_is_per_user(void **state)
{
	struct emu_org *org = open_org(
		ORG("Enterprise", "[]", SETTINGS ",\"loginRatePerHour\":1"));
	struct emu_login_result res;

	(void)state;
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	login(org, UNTRUSTED_IP, "expired@example.com", PW_TOKEN, &res);
	check_outcome(&res, EMU_LOGIN_OK, "Success");
	emu_org_free(org);
}

static void test_login__rate_limit_lifts_after_an_hour(void **state)
{
	struct emu_org *org = open_org(
		ORG("Enterprise", "[]", SETTINGS ",\"loginRatePerHour\":1"));

	(void)state;
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	check_admin_login(org, EMU_LOGIN_RATE_EXCEEDED, "Login rate exceeded");
	set_offset(org, 61 * MINUTE_MS);
	check_admin_login(org, EMU_LOGIN_OK, "Success");
	emu_org_free(org);
}

/* ---- login history ---- */

static void test_login__attempts_are_written_to_login_history(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;
	sqlite3_stmt *st;

	login(org, UNTRUSTED_IP, "admin@example.com", "wrong", &res);
	login_on(org, EMU_LOGIN_OAUTH_PASSWORD, TRUSTED_IP,
		 "nobody@example.com", PW, &res);
	assert_int_equal(
		base_db_prepare(org->db, &st, NULL,
			       "SELECT username, user_id IS NULL, source_ip,"
			       " login_type, status, api_type, api_version,"
			       " application, login_url FROM login_history"
			       " ORDER BY rowid",
			       NULL),
		0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(base_db_text(st, 0), "admin@example.com");
	assert_int_equal(sqlite3_column_int(st, 1), 0);
	assert_string_equal(base_db_text(st, 2), UNTRUSTED_IP);
	assert_string_equal(base_db_text(st, 3), "Other Apex API");
	assert_string_equal(base_db_text(st, 4), "Invalid Password");
	assert_string_equal(base_db_text(st, 5), "SOAP Partner");
	assert_string_equal(base_db_text(st, 6), "60.0");
	assert_string_equal(base_db_text(st, 7), "N/A");
	assert_string_equal(base_db_text(st, 8), "localhost");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(base_db_text(st, 0), "nobody@example.com");
	assert_int_equal(sqlite3_column_int(st, 1), 1); /* no such user */
	assert_string_equal(base_db_text(st, 3), "Remote Access 2.0");
	assert_string_equal(base_db_text(st, 4), "Invalid login");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void test_login__every_attempt_counts_toward_the_rate(void **state)
{
	struct emu_org *org = *state;
	struct emu_login_result res;
	struct emu_user u = find_user(org, "admin@example.com");

	login(org, UNTRUSTED_IP, "admin@example.com", PW_TOKEN, &res);
	login(org, UNTRUSTED_IP, "admin@example.com", "wrong", &res);
	login(org, UNTRUSTED_IP, "expired@example.com", PW_TOKEN, &res);
	/* Two attempts of admin's so far, and this count is the third. */
	assert_int_equal(emu_org_count_login(org, u.id), 3);
}

static void test_org__count_login_window_lasts_an_hour(void **state)
{
	struct emu_org *org = *state;
	struct emu_user u = find_user(org, "admin@example.com");

	assert_int_equal(emu_org_count_login(org, u.id), 1);
	assert_int_equal(emu_org_count_login(org, u.id), 2);
	set_offset(org, 59 * MINUTE_MS);
	assert_int_equal(emu_org_count_login(org, u.id), 3);
	/* An hour after the window opened, a new one starts. */
	set_offset(org, 61 * MINUTE_MS);
	assert_int_equal(emu_org_count_login(org, u.id), 1);
}

/* ---- the org ---- */

static void test_org__same_file_gives_same_ids(void **state)
{
	struct emu_org *a = *state;
	struct emu_org *b = open_org(BASE_ORG);

	assert_string_equal(a->id, b->id);
	assert_string_equal(find_user(a, "admin@example.com").id,
			    find_user(b, "admin@example.com").id);
	emu_org_free(b);
}

static void test_org__ids_are_valid_salesforce_ids(void **state)
{
	struct emu_org *org = *state;
	struct emu_user u = find_user(org, "admin@example.com");

	assert_int_equal(strlen(org->id), EMU_SFID_LEN);
	assert_memory_equal(org->id, "00D", 3);
	assert_true(emu_sfid_is_valid(org->id));
	assert_memory_equal(u.id, "005", 3);
	assert_true(emu_sfid_is_valid(u.id));
	/* Every id of the org carries its pod. */
	assert_memory_equal(u.id + 3, org->pod, 2);
	assert_memory_equal(u.profile_id, "00e", 3);
}

static void test_org__clock_offset_moves_now(void **state)
{
	struct emu_org *org = *state;
	int64_t delta;

	set_offset(org, 3600 * 1000);
	assert_int_equal(org->clock_offset_ms, 3600 * 1000);
	delta = emu_org_now_ms(org) - base_time_now_ms();
	/* The two clock reads are a few microseconds apart. */
	assert_true(delta > 3599 * 1000 && delta <= 3600 * 1000);
}

static void test_org__user_without_token_is_emailed_one(void **state)
{
	struct emu_org *org = *state;
	sqlite3_stmt *st;

	assert_int_equal(
		base_db_prepare(org->db, &st, NULL,
			       "SELECT to_addr, subject, body FROM outbox",
			       NULL),
		0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(base_db_text(st, 0), "notoken@example.com");
	assert_string_equal(base_db_text(st, 1),
			    "Your new Salesforce security token");
	assert_non_null(strstr(base_db_text(st, 2), "Hello Nora,"));
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(emu_org_token_len(
				 org, find_user(org, "notoken@example.com").id),
			 24);
}

/* ---- sessions ---- */

static void new_session(struct emu_org *org, const char *user_id,
			const char *kind, bool expired, char tok[160])
{
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_org_session_new(org, user_id, "", kind, expired,
					     tok, 160, &err),
			 0);
}

/* A SOAP session of admin's, not expired. */
static void admin_session(struct emu_org *org, char tok[160])
{
	new_session(org, find_user(org, "admin@example.com").id, "soap", false,
		    tok);
}

static void check_no_session(struct emu_org *org, const char *tok)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_session s;

	assert_int_equal(emu_org_session_get(org, tok, &s, &err),
			 BASE_ENOTFOUND);
	assert_int_equal(err.code, BASE_ENOTFOUND);
	assert_string_equal(err.msg, "session expired or invalid");
}

static void check_session(struct emu_org *org, const char *tok)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_session s;

	assert_int_equal(emu_org_session_get(org, tok, &s, &err), 0);
}

static void test_org__session_token_has_org_prefix(void **state)
{
	struct emu_org *org = *state;
	struct emu_user u = find_user(org, "admin@example.com");
	char tok[160];
	size_t i;

	new_session(org, u.id, "soap", false, tok);
	/* "<15-character org id>!AQ<96 opaque characters>" */
	assert_int_equal(strlen(tok), 15 + 1 + 2 + 96);
	assert_memory_equal(tok, org->id, 15);
	assert_memory_equal(tok + 15, "!AQ", 3);
	for (i = 18; tok[i]; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
				       "nopqrstuvwxyz0123456789._",
				       tok[i]));
}

static void test_org__session_tokens_differ(void **state)
{
	struct emu_org *org = *state;
	struct emu_user u = find_user(org, "admin@example.com");
	char a[160], b[160];

	new_session(org, u.id, "soap", false, a);
	new_session(org, u.id, "soap", false, b);
	assert_string_not_equal(a, b);
}

static void test_org__session_get_returns_its_owner(void **state)
{
	struct emu_org *org = *state;
	struct emu_user u = find_user(org, "expired@example.com");
	struct base_err err = BASE_ERR_INIT;
	struct emu_session s;
	char tok[160];

	new_session(org, u.id, "oauth", true, tok);
	assert_int_equal(emu_org_session_get(org, tok, &s, &err), 0);
	assert_string_equal(s.user_id, u.id);
	assert_string_equal(s.app_id, "");
	assert_string_equal(s.kind, "oauth");
	assert_true(s.password_expired);
	assert_true(s.created_ms > 0);
}

static void test_org__session_unknown_token_is_not_found(void **state)
{
	struct emu_org *org = *state;
	char tok[160];

	admin_session(org, tok);
	tok[20] = tok[20] == 'A' ? 'B' : 'A';
	check_no_session(org, tok);
	check_no_session(org, "");
}

static void test_org__session_revoke_ends_it(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char tok[160];

	admin_session(org, tok);
	assert_int_equal(emu_org_session_revoke(org, tok, &err), 0);
	check_no_session(org, tok);
}

static void test_org__session_revoke_twice_is_not_found(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char tok[160];

	admin_session(org, tok);
	assert_int_equal(emu_org_session_revoke(org, tok, &err), 0);
	assert_int_equal(emu_org_session_revoke(org, tok, &err),
			 BASE_ENOTFOUND);
	assert_string_equal(err.msg, "no such session");
}

static void test_org__session_valid_until_idle_limit(void **state)
{
	struct emu_org *org = *state;
	char tok[160];

	admin_session(org, tok);
	/* sessionSecondsValid defaults to 7200. */
	set_offset(org, 7200 * 1000 - 60 * 1000);
	check_session(org, tok);
}

static void test_org__session_expires_when_idle(void **state)
{
	struct emu_org *org = *state;
	char tok[160];

	admin_session(org, tok);
	set_offset(org, 7200 * 1000 + 1000);
	check_no_session(org, tok);
}

static void test_org__session_use_resets_idle_timer(void **state)
{
	struct emu_org *org = *state;
	char tok[160];

	admin_session(org, tok);
	set_offset(org, 7000 * 1000);
	check_session(org, tok);
	/* 14000 s after creation but only 7000 s after the last use. */
	set_offset(org, 14000 * 1000);
	check_session(org, tok);
}

static void test_org__session_idle_limit_follows_setting(void **state)
{
	struct emu_org *org = open_org(ORG("Enterprise", "[]",
					   SETTINGS ",\"sessionSecondsValid\":"
						    "900"));
	char tok[160];

	(void)state;
	admin_session(org, tok);
	set_offset(org, 901 * 1000);
	check_no_session(org, tok);
	emu_org_free(org);
}

static void test_org__session_token_buffer_too_small(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char tok[119];

	assert_int_equal(
		emu_org_session_new(org, find_user(org, "admin@example.com").id,
				    "", "soap", false, tok, sizeof(tok), &err),
		BASE_ERR);
	assert_string_equal(err.msg, "random session id");
}

static void test_org__sessions_revoke_user_ends_only_theirs(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	struct emu_user a = find_user(org, "admin@example.com");
	struct emu_user b = find_user(org, "expired@example.com");
	char a1[160], a2[160], b1[160];

	new_session(org, a.id, "soap", false, a1);
	new_session(org, a.id, "oauth", false, a2);
	new_session(org, b.id, "soap", false, b1);
	assert_int_equal(emu_org_sessions_revoke_user(org, a.id, &err), 0);
	check_no_session(org, a1);
	check_no_session(org, a2);
	check_session(org, b1);
}

static void test_org__sessions_expire_all(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char a[160], b[160];

	admin_session(org, a);
	new_session(org, find_user(org, "expired@example.com").id, "soap",
		    false, b);
	assert_int_equal(emu_org_sessions_expire_all(org, &err), 0);
	check_no_session(org, a);
	check_no_session(org, b);
}

/* ---- refresh tokens ---- */

/* The id of the app named `name`. */
static void app_id(struct emu_org *org, const char *name,
		   char out[EMU_SFID_LEN + 1])
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_app app;

	assert_int_equal(emu_org_find_app_by_name(org, name, &app, &err), 0);
	memcpy(out, app.id, EMU_SFID_LEN + 1);
	emu_app_release(&app);
}

static void new_refresh(struct emu_org *org, const char *user_id,
			const char *app, char tok[160])
{
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(emu_org_refresh_new(org, user_id, app, tok, 160, &err),
			 0);
}

static void test_org__refresh_token_has_no_org_prefix(void **state)
{
	struct emu_org *org = *state;
	char cli[EMU_SFID_LEN + 1], tok[160];

	app_id(org, "CLI", cli);
	new_refresh(org, find_user(org, "admin@example.com").id, cli, tok);
	/* "ARF<96 opaque characters>": no "00D...!" in front. */
	assert_int_equal(strlen(tok), 3 + 96);
	assert_memory_equal(tok, "ARF", 3);
	assert_null(strchr(tok, '!'));
}

static void test_org__refresh_get_returns_the_user(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	struct emu_user u = find_user(org, "admin@example.com");
	char cli[EMU_SFID_LEN + 1], tok[160], who[EMU_SFID_LEN + 1] = "";

	app_id(org, "CLI", cli);
	new_refresh(org, u.id, cli, tok);
	assert_int_equal(emu_org_refresh_get(org, tok, cli, who, &err), 0);
	assert_string_equal(who, u.id);
}

static void test_org__refresh_get_refuses_another_app(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char cli[EMU_SFID_LEN + 1], other[EMU_SFID_LEN + 1], tok[160];
	char who[EMU_SFID_LEN + 1] = "";

	app_id(org, "CLI", cli);
	app_id(org, "Other", other);
	new_refresh(org, find_user(org, "admin@example.com").id, cli, tok);
	assert_int_equal(emu_org_refresh_get(org, tok, other, who, &err),
			 BASE_ENOTFOUND);
	assert_string_equal(err.msg, "expired access/refresh token");
	assert_string_equal(who, "");
}

static void test_org__refresh_revoke_ends_it(void **state)
{
	struct emu_org *org = *state;
	struct base_err err = BASE_ERR_INIT;
	char cli[EMU_SFID_LEN + 1], tok[160], who[EMU_SFID_LEN + 1];

	app_id(org, "CLI", cli);
	new_refresh(org, find_user(org, "admin@example.com").id, cli, tok);
	assert_int_equal(emu_org_refresh_revoke(org, tok, &err), 0);
	assert_int_equal(emu_org_refresh_get(org, tok, cli, who, &err),
			 BASE_ENOTFOUND);
	assert_string_equal(err.msg, "expired access/refresh token");
	assert_int_equal(emu_org_refresh_revoke(org, tok, &err),
			 BASE_ENOTFOUND);
	assert_string_equal(err.msg, "no such token");
}

#define T(name) \
	cmocka_unit_test_setup_teardown(name, setup_base_org, teardown_org)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_login__password_and_token_succeeds),
		T(test_login__username_is_case_insensitive),
		T(test_login__bare_password_from_untrusted_ip_needs_token),
		T(test_login__bare_password_from_trusted_range_succeeds),
		T(test_login__trusted_range_includes_its_bounds),
		T(test_login__bare_password_inside_profile_ip_range_succeeds),
		T(test_login__outside_profile_ip_range_is_restricted),
		T(test_login__wrong_password_is_invalid_password),
		T(test_login__wrong_token_is_invalid_password),
		T(test_login__token_is_case_sensitive),
		T(test_login__empty_password_is_invalid_password),
		T(test_login__unknown_user_is_invalid_login),
		T(test_login__failures_are_counted),
		T(test_login__locks_out_at_max_attempts),
		T(test_login__missing_token_counts_toward_lockout),
		T(test_login__lockout_holds_within_interval),
		T(test_login__lockout_lapses_after_interval),
		cmocka_unit_test(
			test_login__lockout_interval_0_lasts_until_unlocked),
		T(test_login__success_resets_failure_count),
		T(test_login__lockout_is_per_user),
		T(test_login__inactive_user_is_refused),
		T(test_login__frozen_user_is_refused),
		T(test_login__inactive_user_wrong_password_is_invalid_password),
		T(test_login__no_api_enabled_is_refused_on_soap),
		T(test_login__no_api_enabled_is_allowed_on_oauth_password),
		T(test_login__api_enabled_by_permission_set),
		T(test_login__no_use_any_api_auth_is_refused_on_soap),
		cmocka_unit_test(test_login__group_edition_is_refused_on_soap),
		cmocka_unit_test(
			test_login__group_edition_is_allowed_on_oauth_password),
		cmocka_unit_test(
			test_login__professional_without_api_feature_is_refused),
		cmocka_unit_test(
			test_login__professional_with_api_feature_succeeds),
		T(test_login__expired_password_succeeds_and_is_flagged),
		T(test_login__hours_allow_inside_the_window),
		T(test_login__hours_refuse_before_start),
		T(test_login__hours_end_is_exclusive),
		T(test_login__hours_refuse_a_day_without_hours),
		T(test_login__hours_follow_daylight_saving_time),
		T(test_login__hours_empty_or_null_allow_any_time),
		T(test_login__hours_check_restores_tz),
		T(test_login__outside_hours_is_restricted_time),
		T(test_login__inside_hours_succeeds),
		cmocka_unit_test(test_login__rate_limit_refuses_past_the_limit),
		cmocka_unit_test(test_login__rate_limit_is_per_user),
		cmocka_unit_test(test_login__rate_limit_lifts_after_an_hour),
		T(test_login__attempts_are_written_to_login_history),
		T(test_login__every_attempt_counts_toward_the_rate),
		T(test_org__count_login_window_lasts_an_hour),
		T(test_org__same_file_gives_same_ids),
		T(test_org__ids_are_valid_salesforce_ids),
		T(test_org__clock_offset_moves_now),
		T(test_org__user_without_token_is_emailed_one),
		T(test_org__session_token_has_org_prefix),
		T(test_org__session_tokens_differ),
		T(test_org__session_get_returns_its_owner),
		T(test_org__session_unknown_token_is_not_found),
		T(test_org__session_revoke_ends_it),
		T(test_org__session_revoke_twice_is_not_found),
		T(test_org__session_valid_until_idle_limit),
		T(test_org__session_expires_when_idle),
		T(test_org__session_use_resets_idle_timer),
		cmocka_unit_test(test_org__session_idle_limit_follows_setting),
		T(test_org__session_token_buffer_too_small),
		T(test_org__sessions_revoke_user_ends_only_theirs),
		T(test_org__sessions_expire_all),
		T(test_org__refresh_token_has_no_org_prefix),
		T(test_org__refresh_get_returns_the_user),
		T(test_org__refresh_get_refuses_another_app),
		T(test_org__refresh_revoke_ends_it),
	};

	/* Seeding and lockout log at INFO; keep the TAP output readable. */
	base_log_set_level(BASE_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
