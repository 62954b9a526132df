/* test_orgfile.c - org-definition files: defaults filled in, one error each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "emu/orgfile.h"
#include "base/banned.h"

#define PROFILES "\"profiles\":[{\"name\":\"Standard\"}]"
#define USER_A                                                          \
	"{\"username\":\"admin@example.com\",\"password\":\"hunter2\"," \
	"\"profile\":\"Standard\"}"
/* The smallest valid org: one profile, one user. */
#define MINIMAL "{" PROFILES ",\"users\":[" USER_A "]}"
/* MINIMAL with `extra` top-level keys in front. */
#define WITH(extra) "{" extra "," PROFILES ",\"users\":[" USER_A "]}"
/* MINIMAL with `extra` keys added to the one user. */
#define USER_WITH(extra)                                                \
	"{" PROFILES ",\"users\":[{\"username\":\"admin@example.com\"," \
	"\"password\":\"hunter2\",\"profile\":\"Standard\"," extra "}]}"
/* MINIMAL with `extra` keys added to the one profile. */
#define PROFILE_WITH(extra)                                                    \
	"{\"profiles\":[{\"name\":\"Standard\"," extra "}],\"users\":[" USER_A \
	"]}"
/* MINIMAL plus one app whose keys after name/key/secret are `extra`. */
#define APP_WITH(extra)                                                  \
	WITH("\"apps\":[{\"name\":\"CLI\",\"consumerKey\":\"3MVG9key\"," \
	     "\"consumerSecret\":\"s3cr3t-secret\"" extra "}]")

/* Parses a NUL-terminated org file that must be valid; caller decrefs. */
static json_t *parse_ok(const char *text)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *org = NULL;

	assert_int_equal(emu_orgfile_parse(text, strlen(text), &org, &err), 0);
	assert_int_equal(err.code, BASE_OK);
	assert_non_null(org);
	return org;
}

/* Parses text, which must fail with BASE_EINVAL and exactly msg. */
static void check_refused(const char *text, const char *msg)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *org = (json_t *)1;

	assert_int_equal(emu_orgfile_parse(text, strlen(text), &org, &err),
			 BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_string_equal(err.msg, msg);
	assert_null(org);
}

/* The value at a dotted path of object keys ("settings.loginRatePerHour"). */
static json_t *at(json_t *root, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.')) != NULL) {
		assert_true((size_t)(dot - path) < sizeof(key));
		memcpy(key, path, (size_t)(dot - path));
		key[dot - path] = '\0';
		root = json_object_get(root, key);
		path = dot + 1;
	}
	root = json_object_get(root, path);
	assert_non_null(root);
	return root;
}

static void check_str(json_t *root, const char *path, const char *want)
{
	json_t *v = at(root, path);

	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), want);
}

static void check_int(json_t *root, const char *path, json_int_t want)
{
	json_t *v = at(root, path);

	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), want);
}

static void check_bool(json_t *root, const char *path, int want)
{
	json_t *v = at(root, path);

	assert_true(json_is_boolean(v));
	assert_int_equal(json_is_true(v), want);
}

/* ---- defaults ---- */

static void test_orgfile__defaults_top_level(void **state)
{
	json_t *org = parse_ok(MINIMAL);

	(void)state;
	check_str(org, "orgName", "Emulated Org");
	check_str(org, "edition", "Developer");
	check_str(org, "timeZone", "America/Los_Angeles");
	check_str(org, "myDomain", "emulated-org");
	check_bool(org, "sandbox", 0);
	check_int(org, "licenses", 2);
	assert_int_equal(json_array_size(at(org, "features")), 0);
	assert_int_equal(json_array_size(at(org, "permissionSets")), 0);
	assert_int_equal(json_array_size(at(org, "apps")), 0);
	assert_int_equal(json_object_size(at(org, "records")), 0);
	json_decref(org);
}

static void test_orgfile__defaults_my_domain_is_slug_of_org_name(void **state)
{
	json_t *org = parse_ok(WITH("\"orgName\":\"  Acme, Inc. (EU) \""));

	(void)state;
	check_str(org, "myDomain", "acme-inc-eu");
	json_decref(org);
}

static void test_orgfile__defaults_my_domain_of_symbols_is_org(void **state)
{
	json_t *org = parse_ok(WITH("\"orgName\":\"!!!\""));

	(void)state;
	check_str(org, "myDomain", "org");
	json_decref(org);
}

/* Salesforce allows an 80-character org name; myDomain allows 40. A file that
 * never mentions myDomain must not be refused for it. */
static void test_orgfile__defaults_my_domain_of_long_org_name_fits(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	const char *text = WITH("\"orgName\":\"Acme Corporation International "
				"Holdings Limited\"");
	json_t *org = NULL;

	(void)state;
	(void)emu_orgfile_parse(text, strlen(text), &org, &err);
	assert_string_equal(err.msg, ""); /* shows the refusal, if any */
	assert_int_equal(err.code, BASE_OK);
	/* The slug cut at 40 characters, without a dangling '-'. */
	check_str(org, "myDomain", "acme-corporation-international-holdings");
	json_decref(org);
}

static void test_orgfile__defaults_settings(void **state)
{
	json_t *org = parse_ok(MINIMAL);

	(void)state;
	check_bool(org, "settings.soapLoginEnabled", 0);
	check_bool(org, "settings.usernamePasswordFlowEnabled", 0);
	check_int(org, "settings.sessionSecondsValid", 7200);
	check_int(org, "settings.loginRatePerHour", 3600);
	assert_int_equal(json_array_size(at(org, "settings.trustedIpRanges")),
			 0);
	json_decref(org);
}

static void test_orgfile__defaults_password_policies(void **state)
{
	json_t *org = parse_ok(MINIMAL);

	(void)state;
	check_int(org, "settings.passwordPolicies.maxLoginAttempts", 10);
	check_int(org, "settings.passwordPolicies.lockoutInterval", 15);
	check_int(org, "settings.passwordPolicies.expiresInDays", 90);
	json_decref(org);
}

static void test_orgfile__defaults_partial_policies_keep_given(void **state)
{
	json_t *org = parse_ok(WITH("\"settings\":{\"passwordPolicies\":{"
				    "\"maxLoginAttempts\":3}}"));

	(void)state;
	check_int(org, "settings.passwordPolicies.maxLoginAttempts", 3);
	check_int(org, "settings.passwordPolicies.lockoutInterval", 15);
	json_decref(org);
}

static void test_orgfile__defaults_user(void **state)
{
	json_t *org = parse_ok(MINIMAL);
	json_t *u;

	(void)state;
	u = json_array_get(at(org, "users"), 0);
	check_bool(u, "isActive", 1);
	check_bool(u, "isFrozen", 0);
	check_bool(u, "isPasswordLocked", 0);
	check_bool(u, "passwordExpired", 0);
	check_str(u, "email", "admin@example.com");
	check_str(u, "firstName", "");
	check_str(u, "lastName", "User");
	check_str(u, "userType", "Standard");
	assert_int_equal(json_array_size(at(u, "permissionSets")), 0);
	/* No token in the file: none is invented here (org open issues one). */
	assert_null(json_object_get(u, "securityToken"));
	json_decref(org);
}

static void test_orgfile__defaults_user_time_zone_is_org_zone(void **state)
{
	json_t *org = parse_ok(WITH("\"timeZone\":\"Europe/Paris\""));

	(void)state;
	check_str(json_array_get(at(org, "users"), 0), "timeZone",
		  "Europe/Paris");
	json_decref(org);
}

static void test_orgfile__defaults_profile(void **state)
{
	json_t *org = parse_ok(MINIMAL);
	json_t *p;

	(void)state;
	p = json_array_get(at(org, "profiles"), 0);
	check_str(p, "userLicense", "Salesforce");
	assert_int_equal(json_object_size(at(p, "permissions")), 0);
	assert_int_equal(json_array_size(at(p, "loginIpRanges")), 0);
	assert_null(json_object_get(p, "loginHours"));
	json_decref(org);
}

static void test_orgfile__defaults_app_flows(void **state)
{
	json_t *org = parse_ok(APP_WITH(""));
	json_t *flows;

	(void)state;
	flows = at(json_array_get(at(org, "apps"), 0), "flows");
	assert_int_equal(json_array_size(flows), 2);
	assert_string_equal(json_string_value(json_array_get(flows, 0)),
			    "password");
	assert_string_equal(json_string_value(json_array_get(flows, 1)),
			    "refresh_token");
	json_decref(org);
}

static void test_orgfile__keeps_given_values(void **state)
{
	json_t *org = parse_ok(
		WITH("\"edition\":\"Enterprise\",\"settings\":{"
		     "\"soapLoginEnabled\":true,\"sessionSecondsValid\":900}"));

	(void)state;
	check_str(org, "edition", "Enterprise");
	check_bool(org, "settings.soapLoginEnabled", 1);
	check_int(org, "settings.sessionSecondsValid", 900);
	json_decref(org);
}

/* ---- errors ---- */

/* jansson's column is that of the last character of the offending token. */
static void test_orgfile__refuses_text_that_is_not_json(void **state)
{
	(void)state;
	check_refused("{\"profiles\": [}",
		      "not valid JSON at line 1 column 15: unexpected token "
		      "near '}'");
}

static void test_orgfile__not_json_message_counts_lines(void **state)
{
	(void)state;
	check_refused("{\n  \"orgName\": \"x\",\n  oops\n}",
		      "not valid JSON at line 3 column 6: string or '}' "
		      "expected near 'oops'");
}

static void test_orgfile__refuses_empty_text(void **state)
{
	(void)state;
	check_refused("", "not valid JSON at line 1 column 0: '[' or '{' "
			  "expected near end of file");
}

static void test_orgfile__refuses_duplicate_keys(void **state)
{
	(void)state;
	check_refused("{\"edition\":\"Group\",\"edition\":\"Developer\"}",
		      "not valid JSON at line 1 column 28: duplicate object "
		      "key near '\"edition\"'");
}

static void test_orgfile__refuses_top_level_array(void **state)
{
	(void)state;
	check_refused("[" MINIMAL "]", "org file must be a JSON object");
}

static void test_orgfile__refuses_unknown_top_level_key(void **state)
{
	(void)state;
	check_refused(WITH("\"orgname\":\"typo\""),
		      "org file: unknown key 'orgname'");
}

static void test_orgfile__refuses_missing_users(void **state)
{
	(void)state;
	check_refused("{" PROFILES "}", "users: must be a non-empty array");
}

static void test_orgfile__refuses_empty_users(void **state)
{
	(void)state;
	check_refused("{" PROFILES ",\"users\":[]}",
		      "users: must be a non-empty array");
}

static void test_orgfile__refuses_missing_profiles(void **state)
{
	(void)state;
	check_refused("{\"users\":[" USER_A "]}",
		      "profiles: must be a non-empty array");
}

static void test_orgfile__refuses_user_with_unknown_profile(void **state)
{
	(void)state;
	check_refused("{" PROFILES
		      ",\"users\":[{\"username\":\"a@example.com\","
		      "\"password\":\"p\",\"profile\":\"Missing\"}]}",
		      "users[0].profile: no profile named 'Missing'");
}

static void test_orgfile__refuses_user_without_password(void **state)
{
	(void)state;
	check_refused("{" PROFILES
		      ",\"users\":[{\"username\":\"a@example.com\","
		      "\"profile\":\"Standard\"}]}",
		      "users[0]: 'password' is required");
}

static void test_orgfile__refuses_unknown_user_key(void **state)
{
	(void)state;
	check_refused(USER_WITH("\"isactive\":true"),
		      "users[0]: unknown key 'isactive'");
}

static void test_orgfile__refuses_duplicate_usernames_any_case(void **state)
{
	(void)state;
	check_refused("{" PROFILES ",\"users\":[" USER_A
		      ",{\"username\":\"Admin@Example.COM\",\"password\":\"p\","
		      "\"profile\":\"Standard\"}]}",
		      "users[1].username: 'Admin@Example.COM' is already used "
		      "by entry 0");
}

static void test_orgfile__refuses_username_not_an_email(void **state)
{
	(void)state;
	check_refused("{" PROFILES ",\"users\":[{\"username\":\"admin\","
		      "\"password\":\"p\",\"profile\":\"Standard\"}]}",
		      "users[0].username: 'admin' is not in the form of an "
		      "email address");
}

static void test_orgfile__refuses_username_with_space(void **state)
{
	(void)state;
	check_refused("{" PROFILES ",\"users\":[{\"username\":\"ad min@x.com\","
		      "\"password\":\"p\",\"profile\":\"Standard\"}]}",
		      "users[0].username: 'ad min@x.com' is not in the form of "
		      "an email address");
}

static void test_orgfile__refuses_bad_email(void **state)
{
	(void)state;
	check_refused(USER_WITH("\"email\":\"admin@localhost\""),
		      "users[0]: 'email' is not an email address");
}

static void test_orgfile__accepts_tokens_of_24_and_25(void **state)
{
	json_t *a = parse_ok(
		USER_WITH("\"securityToken\":\"AbCdEfGhIjKlMnOpQrStUvWx\""));
	json_t *b = parse_ok(
		USER_WITH("\"securityToken\":\"AbCdEfGhIjKlMnOpQrStUvWx9\""));

	(void)state;
	json_decref(a);
	json_decref(b);
}

static void test_orgfile__refuses_token_of_23(void **state)
{
	(void)state;
	check_refused(
		USER_WITH("\"securityToken\":\"AbCdEfGhIjKlMnOpQrStUvW\""),
		"users[0]: 'securityToken' must be 24 or 25 letters and "
		"digits");
}

static void test_orgfile__refuses_token_of_26(void **state)
{
	(void)state;
	check_refused(
		USER_WITH("\"securityToken\":\"AbCdEfGhIjKlMnOpQrStUvWxYz\""),
		"users[0]: 'securityToken' must be 24 or 25 letters and "
		"digits");
}

static void test_orgfile__refuses_token_with_punctuation(void **state)
{
	(void)state;
	check_refused(
		USER_WITH("\"securityToken\":\"AbCdEfGhIjKlMnOpQrStUv-x\""),
		"users[0]: 'securityToken' must be 24 or 25 letters and "
		"digits");
}

static void test_orgfile__refuses_max_login_attempts_4(void **state)
{
	(void)state;
	check_refused(
		WITH("\"settings\":{\"passwordPolicies\":{"
		     "\"maxLoginAttempts\":4}}"),
		"settings.passwordPolicies.maxLoginAttempts: 4 is not allowed");
}

static void test_orgfile__refuses_lockout_interval_20(void **state)
{
	(void)state;
	check_refused(
		WITH("\"settings\":{\"passwordPolicies\":{"
		     "\"lockoutInterval\":20}}"),
		"settings.passwordPolicies.lockoutInterval: 20 is not allowed");
}

static void test_orgfile__refuses_session_seconds_not_offered(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"sessionSecondsValid\":60}"),
		      "settings.sessionSecondsValid: 60 is not allowed");
}

static void test_orgfile__refuses_string_for_integer_setting(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"loginRatePerHour\":\"10\"}"),
		      "settings: 'loginRatePerHour' must be an integer");
}

static void test_orgfile__refuses_login_rate_of_zero(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"loginRatePerHour\":0}"),
		      "settings.loginRatePerHour: must be between 1 and "
		      "1000000");
}

static void test_orgfile__refuses_unknown_settings_key(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"soapLogin\":true}"),
		      "settings: unknown key 'soapLogin'");
}

static void test_orgfile__refuses_start_without_end(void **state)
{
	(void)state;
	check_refused(PROFILE_WITH("\"loginHours\":{\"mondayStart\":480}"),
		      "profiles[0].loginHours: mondayStart needs mondayEnd "
		      "too");
}

static void test_orgfile__refuses_end_without_start(void **state)
{
	(void)state;
	check_refused(
		PROFILE_WITH("\"loginHours\":{\"fridayEnd\":480}"),
		"profiles[0].loginHours: fridayEnd needs fridayStart too");
}

static void test_orgfile__refuses_start_after_end(void **state)
{
	(void)state;
	check_refused(PROFILE_WITH("\"loginHours\":{\"mondayStart\":1020,"
				   "\"mondayEnd\":480}"),
		      "profiles[0].loginHours: mondayStart is after mondayEnd");
}

static void test_orgfile__refuses_minutes_past_1440(void **state)
{
	(void)state;
	check_refused(PROFILE_WITH("\"loginHours\":{\"mondayStart\":0,"
				   "\"mondayEnd\":1441}"),
		      "profiles[0].loginHours.mondayEnd: must be minutes after "
		      "midnight, 0 to 1440");
}

static void test_orgfile__refuses_unknown_login_hours_key(void **state)
{
	(void)state;
	check_refused(PROFILE_WITH("\"loginHours\":{\"mondaystart\":0}"),
		      "profiles[0].loginHours: unknown key 'mondaystart' (use "
		      "mondayStart ... sundayEnd)");
}

static void test_orgfile__refuses_inverted_login_ip_range(void **state)
{
	(void)state;
	check_refused(
		PROFILE_WITH("\"loginIpRanges\":[{\"startAddress\":"
			     "\"10.0.0.9\",\"endAddress\":\"10.0.0.1\"}]"),
		"profiles[0].loginIpRanges[0]: startAddress is after "
		"endAddress");
}

static void test_orgfile__refuses_bad_ip_in_login_range(void **state)
{
	(void)state;
	check_refused(PROFILE_WITH("\"loginIpRanges\":[{\"startAddress\":"
				   "\"10.0.0\",\"endAddress\":\"10.0.0.1\"}]"),
		      "profiles[0].loginIpRanges[0].startAddress: must be an "
		      "IPv4 address");
}

static void test_orgfile__refuses_bad_ip_in_trusted_range(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"trustedIpRanges\":[{\"start\":"
			   "\"10.0.0.0\",\"end\":\"10.0.0.256\"}]}"),
		      "settings.trustedIpRanges[0].end: must be an IPv4 "
		      "address");
}

static void test_orgfile__refuses_inverted_trusted_range(void **state)
{
	(void)state;
	check_refused(WITH("\"settings\":{\"trustedIpRanges\":[{\"start\":"
			   "\"10.0.0.1\",\"end\":\"9.0.0.0\"}]}"),
		      "settings.trustedIpRanges[0]: start is after end");
}

static void test_orgfile__refuses_unknown_edition(void **state)
{
	(void)state;
	check_refused(WITH("\"edition\":\"Starter\""),
		      "edition: 'Starter' is not one of Developer, Enterprise, "
		      "Unlimited, Performance, Professional, Group, "
		      "Essentials");
}

static void test_orgfile__refuses_unknown_time_zone(void **state)
{
	(void)state;
	check_refused(WITH("\"timeZone\":\"Mars/Olympus_Mons\""),
		      "timeZone: 'Mars/Olympus_Mons' is not a known time zone");
}

static void test_orgfile__refuses_time_zone_path_outside_zoneinfo(void **state)
{
	(void)state;
	check_refused(WITH("\"timeZone\":\"../../../etc/passwd\""),
		      "timeZone: '../../../etc/passwd' is not a known time "
		      "zone");
	check_refused(WITH("\"timeZone\":\"/etc/passwd\""),
		      "timeZone: '/etc/passwd' is not a known time zone");
}

static void test_orgfile__refuses_time_zone_directory(void **state)
{
	(void)state;
	check_refused(WITH("\"timeZone\":\"America\""),
		      "timeZone: 'America' is not a known time zone");
}

static void test_orgfile__refuses_app_flow_implicit(void **state)
{
	(void)state;
	check_refused(APP_WITH(",\"flows\":[\"password\",\"implicit\"]"),
		      "apps[0].flows[1]: must be one of password, "
		      "client_credentials, jwt_bearer, refresh_token");
}

static void test_orgfile__refuses_app_run_as_unknown_user(void **state)
{
	(void)state;
	check_refused(APP_WITH(",\"runAsUser\":\"ghost@example.com\""),
		      "apps[0].runAsUser: no user named 'ghost@example.com'");
}

static void test_orgfile__accepts_app_run_as_user_any_case(void **state)
{
	json_t *org =
		parse_ok(APP_WITH(",\"runAsUser\":\"ADMIN@example.com\""));

	(void)state;
	json_decref(org);
}

static void test_orgfile__refuses_app_certificate_not_pem(void **state)
{
	(void)state;
	check_refused(APP_WITH(",\"certificate\":\"MIIBkTCB+wIJAK\""),
		      "apps[0]: 'certificate' is not a PEM X.509 certificate");
}

static void test_orgfile__refuses_app_public_key_as_certificate(void **state)
{
	(void)state;
	check_refused(APP_WITH(",\"certificate\":\"-----BEGIN PUBLIC KEY-----"
			       "\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQc=\\n-----END "
			       "PUBLIC KEY-----\\n\""),
		      "apps[0]: 'certificate' is not a PEM X.509 certificate");
}

/* A self-signed P-256 certificate as PEM; caller frees. */
static char *make_cert_pem(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *pem;
	long n;

	assert_non_null(key);
	assert_non_null(x);
	assert_non_null(bio);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	n = BIO_get_mem_data(bio, &data);
	pem = malloc((size_t)n + 1);
	assert_non_null(pem);
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(key);
	return pem;
}

static void test_orgfile__accepts_app_pem_certificate(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	char *pem = make_cert_pem();
	json_t *def = parse_ok(APP_WITH(""));
	json_t *out = NULL;
	char *text;

	(void)state;
	assert_int_equal(json_object_set_new(json_array_get(at(def, "apps"), 0),
					     "certificate", json_string(pem)),
			 0);
	text = json_dumps(def, JSON_COMPACT);
	assert_non_null(text);
	assert_int_equal(emu_orgfile_parse(text, strlen(text), &out, &err), 0);
	check_str(json_array_get(at(out, "apps"), 0), "certificate", pem);
	json_decref(out);
	free(text);
	json_decref(def);
	free(pem);
}

static void test_orgfile__refuses_app_short_consumer_key(void **state)
{
	(void)state;
	check_refused(WITH("\"apps\":[{\"name\":\"CLI\",\"consumerKey\":"
			   "\"short\",\"consumerSecret\":\"s3cr3t-secret\"}]"),
		      "apps[0]: 'consumerKey' must be at least 8 characters");
}

static void test_orgfile__refuses_text_over_8_mib(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	char *big = malloc(EMU_ORGFILE_MAX + 1);
	json_t *org = (json_t *)1;

	(void)state;
	assert_non_null(big);
	memset(big, ' ', EMU_ORGFILE_MAX + 1);
	assert_int_equal(
		emu_orgfile_parse(big, EMU_ORGFILE_MAX + 1, &org, &err),
		BASE_ETOOBIG);
	assert_string_equal(err.msg, "org file is larger than 8388608 bytes");
	assert_null(org);
	free(big);
}

static void test_orgfile__parse_accepts_null_err(void **state)
{
	json_t *org = (json_t *)1;

	(void)state;
	assert_int_equal(emu_orgfile_parse("[]", 2, &org, NULL), BASE_EINVAL);
	assert_null(org);
	assert_int_equal(emu_orgfile_parse(WITH("\"x\":1"),
					   strlen(WITH("\"x\":1")), &org, NULL),
			 BASE_EINVAL);
	assert_null(org);
}

static void test_orgfile__load_prefixes_the_path(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *org = (json_t *)1;

	(void)state;
	assert_int_equal(emu_orgfile_load("/nonexistent/org.json", &org, &err),
			 BASE_EINVAL);
	assert_string_equal(err.msg, "org file '/nonexistent/org.json': No "
				     "such file or directory");
	assert_null(org);
}

/* ---- editions and the API ---- */

static void test_orgfile__api_in_full_editions(void **state)
{
	json_t *none = json_array();

	(void)state;
	assert_int_equal(emu_orgfile_edition_has_api("Developer", none), 1);
	assert_int_equal(emu_orgfile_edition_has_api("Enterprise", none), 1);
	assert_int_equal(emu_orgfile_edition_has_api("Unlimited", none), 1);
	assert_int_equal(emu_orgfile_edition_has_api("Performance", none), 1);
	json_decref(none);
}

static void test_orgfile__api_in_professional_only_with_feature(void **state)
{
	json_t *none = json_array();
	json_t *api = json_pack("[ss]", "Sandbox", "API");
	json_t *lower = json_pack("[s]", "api");

	(void)state;
	assert_int_equal(emu_orgfile_edition_has_api("Professional", none), 0);
	assert_int_equal(emu_orgfile_edition_has_api("Professional", NULL), 0);
	assert_int_equal(emu_orgfile_edition_has_api("Professional", api), 1);
	assert_int_equal(emu_orgfile_edition_has_api("Professional", lower), 1);
	json_decref(none);
	json_decref(api);
	json_decref(lower);
}

static void test_orgfile__no_api_in_group_or_essentials(void **state)
{
	json_t *none = json_array();
	json_t *api = json_pack("[s]", "API");

	(void)state;
	assert_int_equal(emu_orgfile_edition_has_api("Group", none), 0);
	assert_int_equal(emu_orgfile_edition_has_api("Group", api), 0);
	assert_int_equal(emu_orgfile_edition_has_api("Essentials", none), 0);
	assert_int_equal(emu_orgfile_edition_has_api("Essentials", api), 0);
	json_decref(none);
	json_decref(api);
}

static void test_orgfile__no_api_in_unknown_edition(void **state)
{
	json_t *api = json_pack("[s]", "API");

	(void)state;
	assert_int_equal(emu_orgfile_edition_has_api("developer", api), 0);
	assert_int_equal(emu_orgfile_edition_has_api("", api), 0);
	json_decref(api);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orgfile__defaults_top_level),
		cmocka_unit_test(
			test_orgfile__defaults_my_domain_is_slug_of_org_name),
		cmocka_unit_test(
			test_orgfile__defaults_my_domain_of_symbols_is_org),
		cmocka_unit_test(
			test_orgfile__defaults_my_domain_of_long_org_name_fits),
		cmocka_unit_test(test_orgfile__defaults_settings),
		cmocka_unit_test(test_orgfile__defaults_password_policies),
		cmocka_unit_test(
			test_orgfile__defaults_partial_policies_keep_given),
		cmocka_unit_test(test_orgfile__defaults_user),
		cmocka_unit_test(
			test_orgfile__defaults_user_time_zone_is_org_zone),
		cmocka_unit_test(test_orgfile__defaults_profile),
		cmocka_unit_test(test_orgfile__defaults_app_flows),
		cmocka_unit_test(test_orgfile__keeps_given_values),
		cmocka_unit_test(test_orgfile__refuses_text_that_is_not_json),
		cmocka_unit_test(test_orgfile__not_json_message_counts_lines),
		cmocka_unit_test(test_orgfile__refuses_empty_text),
		cmocka_unit_test(test_orgfile__refuses_duplicate_keys),
		cmocka_unit_test(test_orgfile__refuses_top_level_array),
		cmocka_unit_test(test_orgfile__refuses_unknown_top_level_key),
		cmocka_unit_test(test_orgfile__refuses_missing_users),
		cmocka_unit_test(test_orgfile__refuses_empty_users),
		cmocka_unit_test(test_orgfile__refuses_missing_profiles),
		cmocka_unit_test(
			test_orgfile__refuses_user_with_unknown_profile),
		cmocka_unit_test(test_orgfile__refuses_user_without_password),
		cmocka_unit_test(test_orgfile__refuses_unknown_user_key),
		cmocka_unit_test(
			test_orgfile__refuses_duplicate_usernames_any_case),
		cmocka_unit_test(test_orgfile__refuses_username_not_an_email),
		cmocka_unit_test(test_orgfile__refuses_username_with_space),
		cmocka_unit_test(test_orgfile__refuses_bad_email),
		cmocka_unit_test(test_orgfile__accepts_tokens_of_24_and_25),
		cmocka_unit_test(test_orgfile__refuses_token_of_23),
		cmocka_unit_test(test_orgfile__refuses_token_of_26),
		cmocka_unit_test(test_orgfile__refuses_token_with_punctuation),
		cmocka_unit_test(test_orgfile__refuses_max_login_attempts_4),
		cmocka_unit_test(test_orgfile__refuses_lockout_interval_20),
		cmocka_unit_test(
			test_orgfile__refuses_session_seconds_not_offered),
		cmocka_unit_test(
			test_orgfile__refuses_string_for_integer_setting),
		cmocka_unit_test(test_orgfile__refuses_login_rate_of_zero),
		cmocka_unit_test(test_orgfile__refuses_unknown_settings_key),
		cmocka_unit_test(test_orgfile__refuses_start_without_end),
		cmocka_unit_test(test_orgfile__refuses_end_without_start),
		cmocka_unit_test(test_orgfile__refuses_start_after_end),
		cmocka_unit_test(test_orgfile__refuses_minutes_past_1440),
		cmocka_unit_test(test_orgfile__refuses_unknown_login_hours_key),
		cmocka_unit_test(test_orgfile__refuses_inverted_login_ip_range),
		cmocka_unit_test(test_orgfile__refuses_bad_ip_in_login_range),
		cmocka_unit_test(test_orgfile__refuses_bad_ip_in_trusted_range),
		cmocka_unit_test(test_orgfile__refuses_inverted_trusted_range),
		cmocka_unit_test(test_orgfile__refuses_unknown_edition),
		cmocka_unit_test(test_orgfile__refuses_unknown_time_zone),
		cmocka_unit_test(
			test_orgfile__refuses_time_zone_path_outside_zoneinfo),
		cmocka_unit_test(test_orgfile__refuses_time_zone_directory),
		cmocka_unit_test(test_orgfile__refuses_app_flow_implicit),
		cmocka_unit_test(test_orgfile__refuses_app_run_as_unknown_user),
		cmocka_unit_test(
			test_orgfile__accepts_app_run_as_user_any_case),
		cmocka_unit_test(test_orgfile__refuses_app_certificate_not_pem),
		cmocka_unit_test(
			test_orgfile__refuses_app_public_key_as_certificate),
		cmocka_unit_test(test_orgfile__accepts_app_pem_certificate),
		cmocka_unit_test(test_orgfile__refuses_app_short_consumer_key),
		cmocka_unit_test(test_orgfile__refuses_text_over_8_mib),
		cmocka_unit_test(test_orgfile__parse_accepts_null_err),
		cmocka_unit_test(test_orgfile__load_prefixes_the_path),
		cmocka_unit_test(test_orgfile__api_in_full_editions),
		cmocka_unit_test(
			test_orgfile__api_in_professional_only_with_feature),
		cmocka_unit_test(test_orgfile__no_api_in_group_or_essentials),
		cmocka_unit_test(test_orgfile__no_api_in_unknown_edition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
