/* itest_client.c - libsf's client against a running sfemu: every login method, the login guard, re-auth, threads, throttle, secrets in logs. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "sf/client.h"
#include "sf/error.h"
#include "sf/internal.h"
#include "sf/secret.h"
#include "base/banned.h"

/*
 * Run by test_libsf_client.sh, which starts sfemu with
 * tests/data/orgs/login.json and passes, in the environment:
 *   EMU_URL          sfemu's base URL
 *   SF_TEST_KEY      the JWT private key file (tests/data/keys/jwt-test.key)
 *   SF_TEST_CONSUMER_KEY, SF_TEST_CONSUMER_SECRET, SF_TEST_TOKEN (the
 *   security token of int@), SF_TEST_PASSWORD (int@'s password)
 * Prints TAP lines; exits 1 when any check failed.
 */

static int failed;
static const char *emu_url;
static char user_id_int[19];

/* Every line the library logged, from every client and thread. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct base_buf log_text = {.max = 256u * 1024 * 1024};
static long log_lines;

static void capture(void *ctx, enum sf_log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	pthread_mutex_lock(&log_lock);
	base_buf_puts(&log_text, line);
	base_buf_putc(&log_text, '\n');
	log_lines++;
	pthread_mutex_unlock(&log_lock);
	if (getenv("ITEST_VERBOSE"))
		fprintf(stderr, "# log: %s\n", line);
}

__attribute__((format(printf, 3, 4))) static void
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		failed = 1;
		if (fmt) {
			printf("#   ");
			va_start(ap, fmt);
			vprintf(fmt, ap);
			va_end(ap);
			printf("\n");
		}
	}
	fflush(stdout);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		printf("not ok - environment variable %s is set\n", name);
		exit(1);
	}
	return v;
}

/* ---- sfemu's admin side, through plain libcurl ------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *userp)
{
	base_buf_append(userp, p, size * n);
	return size * n;
}

/* METHOD path [json body] -> parsed JSON reply (caller decrefs) or NULL. */
static json_t *emu(const char *method, const char *path, const char *json,
		   long *status)
{
	struct base_buf body = BASE_BUF_INIT(16u * 1024 * 1024);
	struct curl_slist *h = NULL;
	char url[1024];
	json_t *out = NULL;
	CURL *c = curl_easy_init();
	long st = 0;

	snprintf(url, sizeof(url), "%s%s", emu_url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (json) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	}
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
		out = json_loadb(base_buf_str(&body), body.len, 0, NULL);
	}
	if (status)
		*status = st;
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	base_buf_release(&body);
	return out;
}

static long login_rows(const char *username)
{
	char path[256];
	json_t *j;
	long n = -1;

	snprintf(path, sizeof(path), "/_emu/login-history?username=%s",
		 username);
	j = emu("GET", path, NULL, NULL);
	if (json_is_array(json_object_get(j, "records")))
		n = (long)json_array_size(json_object_get(j, "records"));
	json_decref(j);
	return n;
}

static long long api_usage_used(long long *max)
{
	json_t *j = emu("GET", "/_emu/api-usage", NULL, NULL);
	long long used = json_integer_value(json_object_get(j, "used"));

	if (max)
		*max = json_integer_value(json_object_get(j, "max"));
	json_decref(j);
	return used;
}

static void emu_ok(const char *method, const char *path, const char *json)
{
	long st = 0;
	json_t *j = emu(method, path, json, &st);

	json_decref(j);
	if (st != 200) {
		printf("not ok - sfemu %s %s answers 200 (got %ld)\n", method,
		       path, st);
		failed = 1;
	}
}

/* ---- clients ------------------------------------------------------------ */

static struct sf_secret *secret_str(const char *s)
{
	return sf_secret_new(s, strlen(s));
}

static struct sf_client *new_client(void)
{
	struct sf_client_options o = {
		.allow_http_loopback = true,
		.backoff_base_ms = 20,
		.backoff_max_ms = 100,
		.log = capture,
		.log_http = true,
		.log_bodies = true,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_client *c = NULL;

	if (sf_client_new(&o, &c, &err) != 0) {
		printf("not ok - sf_client_new: %s\n", err.message);
		exit(1);
	}
	return c;
}

static struct sf_target emu_target(void)
{
	struct sf_target t;
	struct sf_error err = SF_ERROR_INIT;

	if (sf_target_parse(emu_url, true, &t, &err) != 0) {
		printf("not ok - sfemu's URL is a login target: %s\n",
		       err.message);
		exit(1);
	}
	return t;
}

/* A client with SOAP credentials (password + token). */
static struct sf_client *soap_client(const char *user, const char *pw,
				     const char *token)
{
	struct sf_client *c = new_client();
	struct sf_secret *p = secret_str(pw);
	struct sf_secret *t = token ? secret_str(token) : NULL;
	struct sf_credentials cr = {
		.method = SF_AUTH_SOAP_PASSWORD,
		.target = emu_target(),
		.username = user,
		.password = p,
		.security_token = t,
	};
	struct sf_error err = SF_ERROR_INIT;

	if (sf_client_set_credentials(c, &cr, &err) != 0)
		printf("not ok - set SOAP credentials: %s\n", err.message);
	sf_secret_free(p);
	sf_secret_free(t);
	return c;
}

static int call(struct sf_client *c, const char *path, struct sf_error *err)
{
	struct sf_http_resp r = SF_HTTP_RESP_INIT;
	int rc = sf__call(c, "GET", path, NULL, NULL, 0, true, &r, err);

	if (rc == 0 && r.status != 200)
		rc = -100;
	sf__resp_release(&r);
	return rc;
}

/* Sets cr on c, then logs in: the first failure, or 0. */
static int login_with(struct sf_client *c, const struct sf_credentials *cr,
		      struct sf_error *err)
{
	int rc = sf_client_set_credentials(c, cr, err);

	if (rc == 0)
		rc = sf_client_login(c, err);
	return rc;
}

/* Sets cr on c, then calls "/" (which logs in as needed). */
static int call_with(struct sf_client *c, const struct sf_credentials *cr,
		     struct sf_error *err)
{
	int rc = sf_client_set_credentials(c, cr, err);

	if (rc == 0)
		rc = call(c, "/", err);
	return rc;
}

static struct sf_api_usage usage(struct sf_client *c)
{
	struct sf_api_usage u;

	sf_client_api_usage(c, &u);
	return u;
}

/* ---- the tests ---------------------------------------------------------- */

static const char *password, *token, *ckey, *csecret, *keyfile;

static void test_soap_login(struct sf_client **keep)
{
	struct sf_client *c = soap_client("int@login.test", password, token);
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	struct sf_api_usage u;
	int rc = sf_client_login(c, &err);

	check(rc == 0, "soap login succeeds", "%d %s", rc, err.message);
	sf_client_session(c, &s);
	check(s.active && strcmp(s.instance_url, emu_url) == 0,
	      "soap: the instance URL is serverUrl's scheme://host:port", "%s",
	      s.instance_url);
	check(strlen(s.org_id) == 18 && strncmp(s.org_id, "00D", 3) == 0,
	      "soap: the org id is userInfo's 18-character 00D id", "%s",
	      s.org_id);
	check(strlen(s.user_id) == 18 && strncmp(s.user_id, "005", 3) == 0,
	      "soap: the user id is an 18-character 005 id", "%s", s.user_id);
	memcpy(user_id_int, s.user_id, sizeof(user_id_int));
	check(strcmp(s.username, "int@login.test") == 0,
	      "soap: the session names the user", "%s", s.username);
	check(s.expires_ms - s.issued_ms == 7200 * 1000LL,
	      "soap: expiry is issued + sessionSecondsValid (7200 s)", "%lld",
	      (long long)(s.expires_ms - s.issued_ms));
	rc = call(c, "/", &err);
	check(rc == 0, "soap: the session id works as a REST bearer token",
	      "%d %s", rc, err.message);
	u = usage(c);
	check(u.calls == 2 && u.logins == 1,
	      "soap: one login and one call were made",
	      "calls %lld logins %lld", u.calls, u.logins);
	check(u.used >= 1 && u.max == 115000,
	      "soap: Sforce-Limit-Info fills the API usage", "%lld/%lld",
	      u.used, u.max);
	*keep = c;
}

static void test_oauth_password(void)
{
	struct sf_client *c = new_client();
	struct sf_secret *p = secret_str(password), *t = secret_str(token);
	struct sf_secret *cs = secret_str(csecret);
	struct sf_credentials cr = {
		.method = SF_AUTH_OAUTH_PASSWORD,
		.target = emu_target(),
		.username = "int@login.test",
		.password = p,
		.security_token = t,
		.consumer_key = ckey,
		.consumer_secret = cs,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	int rc;

	rc = login_with(c, &cr, &err);
	check(rc == 0, "oauth password login succeeds (signature verified)",
	      "%d %s", rc, err.message);
	sf_client_session(c, &s);
	check(strcmp(s.user_id, user_id_int) == 0 &&
		      strncmp(s.org_id, "00D", 3) == 0,
	      "oauth: org and user ids come from the identity URL", "%s %s",
	      s.org_id, s.user_id);
	check(s.issued_ms > 1700000000000LL,
	      "oauth: issued_at (ms) is the issue time", "%lld",
	      (long long)s.issued_ms);
	rc = call(c, "/limits", &err);
	check(rc == 0, "oauth: the access token works on REST", "%d %s", rc,
	      err.message);
	sf_secret_free(p);
	sf_secret_free(t);
	sf_secret_free(cs);
	sf_client_free(c);
}

static void test_client_credentials(void)
{
	struct sf_client *c = new_client();
	struct sf_secret *cs = secret_str(csecret);
	struct sf_credentials cr = {
		.method = SF_AUTH_CLIENT_CREDENTIALS,
		.target = emu_target(),
		.consumer_key = ckey,
		.consumer_secret = cs,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	int rc;

	rc = login_with(c, &cr, &err);
	check(rc == 0, "client credentials login succeeds", "%d %s", rc,
	      err.message);
	sf_client_session(c, &s);
	check(strcmp(s.user_id, user_id_int) == 0,
	      "client credentials run as the app's run-as user", "%s",
	      s.user_id);
	rc = call(c, "/", &err);
	check(rc == 0, "client credentials: the token works on REST", "%d %s",
	      rc, err.message);
	sf_client_free(c);

	/* On the generic login host: refused before anything is sent. */
	c = new_client();
	sf_target_parse("production", false, &cr.target, &err);
	rc = sf_client_set_credentials(c, &cr, &err);
	check(rc == BASE_EINVAL && err.cls == SF_CLASS_INVALID_REQUEST &&
		      strstr(err.message, "client credentials need a My Domain "
					  "login target"),
	      "client credentials on login.salesforce.com are refused locally",
	      "%d %s", rc, err.message);
	check(usage(c).calls == 0, "and nothing was sent", "%lld",
	      usage(c).calls);
	sf_secret_free(cs);
	sf_client_free(c);
}

static void test_jwt(void)
{
	struct sf_client *c = new_client();
	struct sf_secret *key = NULL;
	struct sf_credentials cr = {
		.method = SF_AUTH_JWT,
		.target = emu_target(),
		.username = "int@login.test",
		.consumer_key = ckey,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	int rc;

	rc = sf_secret_from_file(keyfile, &key, &err);
	check(rc == 0, "the JWT key reads from its file", "%s", err.message);
	cr.private_key_pem = key;
	if (rc == 0)
		rc = login_with(c, &cr, &err);
	check(rc == 0, "jwt bearer login succeeds (aud = the URL target)",
	      "%d %s", rc, err.message);
	sf_client_session(c, &s);
	check(strcmp(s.user_id, user_id_int) == 0, "jwt: the session is sub's",
	      "%s", s.user_id);
	rc = call(c, "/", &err);
	check(rc == 0, "jwt: the token works on REST", "%d %s", rc,
	      err.message);
	sf_secret_free(key);
	sf_client_free(c);
}

static void test_refresh_token(void)
{
	struct sf_client *c = new_client();
	json_t *j = emu("POST", "/_emu/apps/PRM%20Connector/refresh-tokens",
			"{\"username\":\"int@login.test\"}", NULL);
	const char *rt = json_string_value(json_object_get(j, "refresh_token"));
	struct sf_secret *r = secret_str(rt ? rt : "none");
	struct sf_secret *cs = secret_str(csecret);
	struct sf_credentials cr = {
		.method = SF_AUTH_REFRESH_TOKEN,
		.target = emu_target(),
		.consumer_key = ckey,
		.consumer_secret = cs,
		.refresh_token = r,
	};
	struct sf_error err = SF_ERROR_INIT;
	int rc;

	check(rt != NULL, "sfemu issues a refresh token", NULL);
	if (rt) {
		/* checked against the log at the end */
		setenv("ITEST_REFRESH_TOKEN", rt, 1);
	}
	rc = call_with(c, &cr, &err);
	check(rc == 0, "refresh token: the first call logs in and succeeds",
	      "%d %s", rc, err.message);
	check(usage(c).logins == 1, "refresh token: one login", "%lld",
	      usage(c).logins);
	json_decref(j);
	sf_secret_free(r);
	sf_secret_free(cs);
	sf_client_free(c);
}

/* An access token from sfemu's token endpoint (not through libsf). */
static char *fresh_access_token(void)
{
	struct base_buf body = BASE_BUF_INIT(1u << 20);
	char url[512], *form, *tok = NULL;
	json_t *j;
	CURL *h = curl_easy_init();
	struct base_buf f = BASE_BUF_INIT(4096);

	base_buf_printf(&f,
			"grant_type=password&username=int%%40login.test&"
			"password=%s%s&client_id=%s&client_secret=%s",
			password, token, ckey, csecret);
	form = base_buf_detach(&f, NULL);
	snprintf(url, sizeof(url), "%s/services/oauth2/token", emu_url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	if (curl_easy_perform(h) == CURLE_OK) {
		j = json_loadb(base_buf_str(&body), body.len, 0, NULL);
		if (json_string_value(json_object_get(j, "access_token")))
			tok = strdup(json_string_value(
				json_object_get(j, "access_token")));
		json_decref(j);
	}
	curl_easy_cleanup(h);
	free(form);
	base_buf_release(&body);
	return tok;
}

static void test_access_token(void)
{
	struct sf_client *c = new_client();
	char *at = fresh_access_token();
	struct sf_secret *a = secret_str(at ? at : "none");
	struct sf_credentials cr = {
		.method = SF_AUTH_ACCESS_TOKEN,
		.target = emu_target(),
		.access_token = a,
		.instance_url = emu_url,
	};
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	long long calls;
	int rc;

	check(at != NULL, "sfemu issues an access token", NULL);
	if (at)
		setenv("ITEST_ACCESS_TOKEN", at, 1);
	rc = call_with(c, &cr, &err);
	check(rc == 0, "access token: used as given", "%d %s", rc, err.message);
	sf_client_session(c, &s);
	check(strncmp(s.org_id, "00D", 3) == 0 && strlen(s.org_id) == 15,
	      "access token: the org id is the token's 00D prefix", "%s",
	      s.org_id);
	check(usage(c).logins == 0 && usage(c).calls == 1,
	      "access token: no login request", "logins %lld calls %lld",
	      usage(c).logins, usage(c).calls);
	emu_ok("POST", "/_emu/sessions/expire", "{}");
	calls = usage(c).calls;
	rc = call(c, "/", &err);
	check(rc == BASE_EAUTH && err.cls == SF_CLASS_SESSION,
	      "access token: once expired, a session error", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	check(usage(c).calls == calls + 1 && usage(c).logins == 0,
	      "access token: one request, nothing to refresh, no loop",
	      "calls %lld (before %lld) logins %lld", usage(c).calls, calls,
	      usage(c).logins);
	free(at);
	sf_secret_free(a);
	sf_client_free(c);
}

static void test_wrong_password(void)
{
	struct sf_client *c =
		soap_client("lock@login.test", "Lock-Pass-WRONG", NULL);
	struct sf_error err = SF_ERROR_INIT, first;
	long rows0 = login_rows("lock@login.test");
	int rc, i, same = 0;
	struct sf_api_usage u;

	rc = sf_client_login(c, &err);
	check(rc == BASE_EAUTH && err.cls == SF_CLASS_CREDENTIAL &&
		      strcmp(err.code, "INVALID_LOGIN") == 0,
	      "wrong password: credential (INVALID_LOGIN)", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	check(strcmp(err.raw, "Invalid username, password, security token; "
			      "or user locked out.") == 0,
	      "wrong password: raw is Salesforce's own text", "%s", err.raw);
	check(err.http_status == 500, "wrong password: the fault came with 500",
	      "%d", err.http_status);
	first = err;
	for (i = 0; i < 5; i++) {
		struct sf_error e = SF_ERROR_INIT;

		rc = call(c, "/", &e);
		same += rc == BASE_EAUTH && e.cls == SF_CLASS_CREDENTIAL &&
			strcmp(e.message, first.message) == 0;
	}
	rc = sf_client_login(c, &err);
	same += rc == BASE_EAUTH && strcmp(err.message, first.message) == 0;
	check(same == 6, "the login guard returns the stored refusal",
	      "%d of 6", same);
	u = usage(c);
	check(u.logins == 1 && u.calls == 1,
	      "the login guard: five calls and a login, zero requests",
	      "logins %lld calls %lld", u.logins, u.calls);
	check(login_rows("lock@login.test") == rows0 + 1,
	      "sfemu saw exactly one login attempt", "%ld rows, %ld before",
	      login_rows("lock@login.test"), rows0);
	sf_client_free(c);

	/* New credentials reset the guard. */
	c = soap_client("lock@login.test", "Lock-Pass-WRONG", NULL);
	(void)sf_client_login(c, &err);
	{
		struct sf_secret *p = secret_str("Lock-Pass-1");
		struct sf_secret *t = secret_str("LockLockLockLockLockLock");
		struct sf_credentials cr = {
			.method = SF_AUTH_SOAP_PASSWORD,
			.target = emu_target(),
			.username = "lock@login.test",
			.password = p,
			.security_token = t,
		};

		rc = call_with(c, &cr, &err);
		check(rc == 0,
		      "new credentials reset the guard: the next call "
		      "logs in once",
		      "%d %s", rc, err.message);
		sf_secret_free(p);
		sf_secret_free(t);
	}
	sf_client_free(c);
}

static void test_policy(void)
{
	struct sf_client *c = soap_client("noapi@login.test", "NoApi-Pass-1",
					  "NoApiNoApiNoApiNoApiNoAp");
	struct sf_error err = SF_ERROR_INIT;
	int rc = sf_client_login(c, &err);

	check(rc == BASE_EAUTH && err.cls == SF_CLASS_POLICY &&
		      strcmp(err.code, "API_CURRENTLY_DISABLED") == 0,
	      "API disabled for the user: policy", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	rc = call(c, "/", &err);
	check(rc == BASE_EAUTH && usage(c).calls == 1,
	      "policy refusals engage the guard too", "calls %lld",
	      usage(c).calls);
	sf_client_free(c);
}

static void test_login_hours(void)
{
	struct sf_client *c;
	struct sf_error err = SF_ERROR_INIT;
	int rc;

	/* A Sunday noon in Los Angeles: the profile allows Mon and Tue. */
	emu_ok("POST", "/_emu/clock", "{\"now\":\"2026-11-29T20:00:00Z\"}");
	c = soap_client("hours@login.test", "Hours-Pass-1",
			"HoursHoursHoursHoursHour");
	rc = sf_client_login(c, &err);
	check(rc == BASE_EAUTH && err.cls == SF_CLASS_TIME_WINDOW &&
		      strcmp(err.code, "LOGIN_DURING_RESTRICTED_TIME") == 0,
	      "outside login hours (soap): time_window", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	sf_client_free(c);

	c = new_client();
	{
		struct sf_secret *p = secret_str("Hours-Pass-1");
		struct sf_secret *t = secret_str("HoursHoursHoursHoursHour");
		struct sf_secret *cs = secret_str(csecret);
		struct sf_credentials cr = {
			.method = SF_AUTH_OAUTH_PASSWORD,
			.target = emu_target(),
			.username = "hours@login.test",
			.password = p,
			.security_token = t,
			.consumer_key = ckey,
			.consumer_secret = cs,
		};

		rc = login_with(c, &cr, &err);
		check(rc == BASE_EAUTH && err.cls == SF_CLASS_POLICY &&
			      strcmp(err.code, "invalid_grant") == 0 &&
			      strcmp(err.raw, "IP restricted or invalid login "
					      "hours") == 0,
		      "outside login hours (oauth): policy, raw text kept",
		      "%d %s %s", rc, sf_class_name(err.cls), err.message);
		sf_secret_free(p);
		sf_secret_free(t);
		sf_secret_free(cs);
	}
	sf_client_free(c);
	emu_ok("POST", "/_emu/clock", "{\"offsetSeconds\":0}");
}

static void test_password_expired(void)
{
	struct sf_client *c =
		soap_client("expired@login.test", "Expired-Pass-1",
			    "ExpiredExpiredExpiredExp");
	struct sf_error err = SF_ERROR_INIT;
	struct sf_session_info s;
	long rows0 = login_rows("expired@login.test");
	int rc = sf_client_login(c, &err);

	check(rc == BASE_EAUTH && err.cls == SF_CLASS_PASSWORD_EXPIRED,
	      "passwordExpired=true: password_expired", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	sf_client_session(c, &s);
	check(!s.active && s.password_expired,
	      "passwordExpired=true: never a usable session", NULL);
	rc = call(c, "/", &err);
	rc += call(c, "/", &err);
	check(rc == 2 * BASE_EAUTH && err.cls == SF_CLASS_PASSWORD_EXPIRED &&
		      usage(c).calls == 1 && usage(c).logins == 1,
	      "password expired: not retried, no further requests",
	      "calls %lld logins %lld", usage(c).calls, usage(c).logins);
	check(login_rows("expired@login.test") == rows0 + 1,
	      "password expired: sfemu saw one login", NULL);
	sf_client_free(c);
}

static void test_session_expiry(struct sf_client *c)
{
	struct sf_error err = SF_ERROR_INIT;
	long rows0;
	long long logins0;
	int rc;

	rc = call(c, "/", &err);
	check(rc == 0, "mid-stream: a call on the live session", "%s",
	      err.message);
	rows0 = login_rows("int@login.test");
	logins0 = usage(c).logins;
	emu_ok("POST", "/_emu/sessions/expire", "{}");
	rc = call(c, "/", &err);
	check(rc == 0, "mid-stream: after expiry the call still succeeds",
	      "%d %s", rc, err.message);
	check(usage(c).logins == logins0 + 1 &&
		      login_rows("int@login.test") == rows0 + 1,
	      "mid-stream: exactly one new login",
	      "client logins +%lld, sfemu rows +%ld", usage(c).logins - logins0,
	      login_rows("int@login.test") - rows0);
}

#define NTHREADS 8

struct racer {
	struct sf_client *c;
	pthread_barrier_t *go;
	int rc;
	char msg[512];
};

static void *race(void *p)
{
	struct racer *r = p;
	struct sf_error err = SF_ERROR_INIT;

	pthread_barrier_wait(r->go);
	r->rc = call(r->c, "/", &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.message);
	return NULL;
}

static void test_threads(struct sf_client *c)
{
	struct racer rs[NTHREADS];
	pthread_t th[NTHREADS];
	pthread_barrier_t go;
	long rows0 = login_rows("int@login.test");
	long long logins0 = usage(c).logins;
	int ok = 0, i;

	emu_ok("POST", "/_emu/sessions/expire", "{}");
	pthread_barrier_init(&go, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		rs[i] = (struct racer){.c = c, .go = &go};
		pthread_create(&th[i], NULL, race, &rs[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		ok += rs[i].rc == 0;
		if (rs[i].rc != 0)
			printf("#   thread %d: %d %s\n", i, rs[i].rc,
			       rs[i].msg);
	}
	pthread_barrier_destroy(&go);
	check(ok == NTHREADS, "8 threads on an expired session all succeed",
	      "%d of 8", ok);
	check(usage(c).logins == logins0 + 1 &&
		      login_rows("int@login.test") == rows0 + 1,
	      "8 threads on an expired session: exactly one new login",
	      "client logins +%lld, sfemu rows +%ld", usage(c).logins - logins0,
	      login_rows("int@login.test") - rows0);
}

static void test_throttle(struct sf_client *c)
{
	struct sf_error err = SF_ERROR_INIT;
	long long max = 0, used0, calls0;
	char body[128];
	int rc;

	(void)api_usage_used(&max);
	snprintf(body, sizeof(body), "{\"dailyApiRequestsUsed\":%lld}", max);
	emu_ok("PATCH", "/_emu/org", body);
	used0 = api_usage_used(NULL);
	calls0 = usage(c).calls;
	rc = call(c, "/", &err);
	check(rc == BASE_ERETRY && err.cls == SF_CLASS_THROTTLE &&
		      strcmp(err.code, "REQUEST_LIMIT_EXCEEDED") == 0 &&
		      err.http_status == 403,
	      "daily limit: REQUEST_LIMIT_EXCEEDED is throttle", "%d %s %s", rc,
	      sf_class_name(err.cls), err.message);
	check(err.api_used == max && err.api_max == max,
	      "daily limit: api_used/api_max from Sforce-Limit-Info",
	      "%lld/%lld, want %lld", err.api_used, err.api_max, max);
	check(usage(c).calls == calls0 + 1,
	      "daily limit: not retried (one request)", "%lld requests",
	      usage(c).calls - calls0);
	check(api_usage_used(NULL) == used0,
	      "daily limit: sfemu's usage unchanged (no retry storm)", NULL);
	emu_ok("PATCH", "/_emu/org", "{\"dailyApiRequestsUsed\":0}");
}

/* No secret, and nothing shaped like a session id, in any log line. */
static void test_log_has_no_secrets(void)
{
	const char *secrets[] = {
		password,
		token,
		csecret,
		"Lock-Pass-1",
		"LockLockLockLockLockLock",
		"NoApiNoApiNoApiNoApiNoAp",
		"Expired-Pass-1",
		"Hours-Pass-1",
		getenv("ITEST_REFRESH_TOKEN"),
		getenv("ITEST_ACCESS_TOKEN"),
		"6Gx2dQiwt61BfuCBqxMLNl4S0jNLmlr", /* the JWT key's PEM */
	};
	const char *text = base_buf_str(&log_text);
	regex_t re;
	regmatch_t m;
	int found = 0;

	check(log_lines > 100 &&
		      strstr(text, "Authorization: Bearer <redacted>") &&
		      strstr(text, "<sessionId><redacted></sessionId>") &&
		      strstr(text, "\"access_token\":\"<redacted>\"") &&
		      strstr(text, "password=<redacted>"),
	      "the wire trace ran, redacted", "%ld lines", log_lines);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (secrets[i] && *secrets[i] && strstr(text, secrets[i])) {
			printf("#   secret #%zu appears in the log\n", i);
			found++;
		}
	}
	check(found == 0, "no password, token or secret in the library's log",
	      "%d found", found);
	regcomp(&re, "00D[A-Za-z0-9]{12}![A-Za-z0-9._]{8,}", REG_EXTENDED);
	found = regexec(&re, text, 1, &m, 0) == 0;
	regfree(&re);
	check(!found, "nothing shaped like a session id in the log", NULL);
}

int main(void)
{
	struct sf_error err = SF_ERROR_INIT;
	struct sf_client *main_client = NULL;

	emu_url = env("EMU_URL");
	password = env("SF_TEST_PASSWORD");
	token = env("SF_TEST_TOKEN");
	ckey = env("SF_TEST_CONSUMER_KEY");
	csecret = env("SF_TEST_CONSUMER_SECRET");
	keyfile = env("SF_TEST_KEY");
	if (sf_global_init(&err) != 0) {
		printf("not ok - sf_global_init: %s\n", err.message);
		return 1;
	}
	test_soap_login(&main_client);
	test_oauth_password();
	test_client_credentials();
	test_jwt();
	test_refresh_token();
	test_access_token();
	test_wrong_password();
	test_policy();
	test_login_hours();
	test_password_expired();
	test_session_expiry(main_client);
	test_threads(main_client);
	test_throttle(main_client);
	sf_client_free(main_client);
	test_log_has_no_secrets();
	base_buf_release(&log_text);
	sf_global_cleanup();
	return failed;
}
