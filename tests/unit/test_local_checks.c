/* test_local_checks.c - what is told about candidate credentials before any network call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bridge/creds/diagnose.h"
#include "bridge/creds/local_checks.h"
#include "sf/secret.h"
#include "base/banned.h"

#define PW "Int-Pass-1"
#define TOKEN "AbCdEfGhIjKlMnOpQrStUvWx"

static struct sf_secret *sec(const char *s)
{
	return s ? sf_secret_new(s, strlen(s)) : NULL;
}

/* A candidate of the password method that passes every check. */
struct fixture {
	struct sfb_candidate c;
	struct sf_secret *pw, *tok, *cs, *key;
	struct sfb_diags d;
	struct sf_target t;
};

static void fx_init(struct fixture *f, const char *pw, const char *tok)
{
	memset(f, 0, sizeof(*f));
	f->pw = sec(pw);
	f->tok = sec(tok);
	f->c.method = SFB_METHOD_PASSWORD;
	f->c.login = "production";
	f->c.username = "int@acme.com";
	f->c.password = f->pw;
	f->c.token = f->tok;
	f->d = SFB_DIAGS_INIT;
}

static void fx_release(struct fixture *f)
{
	sf_secret_free(f->pw);
	sf_secret_free(f->tok);
	sf_secret_free(f->cs);
	sf_secret_free(f->key);
	sfb_diags_release(&f->d);
}

static bool run(struct fixture *f)
{
	return sfb_local_checks(&f->c, &f->t, &f->d);
}

/* The only diagnosis is `code` with `severity`; returns it. */
static const struct sfb_diag *only(struct fixture *f, const char *code,
				   enum sfb_severity sev)
{
	assert_int_equal(f->d.n, 1);
	assert_string_equal(sfb_diag_def(f->d.v[0].id)->code, code);
	assert_int_equal(f->d.v[0].severity, sev);
	return &f->d.v[0];
}

static const char *detail_str(const struct sfb_diag *d, const char *key)
{
	return json_string_value(json_object_get(d->detail, key));
}

static void test_local_checks__good_password_candidate_passes(void **state)
{
	struct fixture f;

	(void)state;
	fx_init(&f, PW, TOKEN);
	assert_true(run(&f));
	assert_int_equal(f.d.n, 0);
	assert_int_equal(f.t.kind, SF_TARGET_PRODUCTION);
	/* no token at all is fine: trusted IP ranges need none */
	sf_secret_free(f.tok);
	f.tok = NULL;
	f.c.token = NULL;
	assert_true(run(&f));
	assert_int_equal(f.d.n, 0);
	fx_release(&f);
}

static void test_local_checks__field_missing_names_each_field(void **state)
{
	struct fixture f;

	(void)state;
	fx_init(&f, NULL, NULL);
	f.c.username = NULL;
	assert_false(run(&f));
	assert_int_equal(f.d.n, 2);
	assert_string_equal(sfb_diag_def(f.d.v[0].id)->code, "field_missing");
	assert_string_equal(detail_str(&f.d.v[0], "field"), "username");
	assert_string_equal(detail_str(&f.d.v[1], "field"), "password");
	fx_release(&f);

	/* a consumer key needs its secret (the OAuth password flow) */
	fx_init(&f, PW, TOKEN);
	f.c.consumer_key = "3MVG9Key";
	assert_false(run(&f));
	assert_string_equal(detail_str(only(&f, "field_missing", SFB_SEV_ERROR),
				       "field"),
			    "consumerSecret");
	fx_release(&f);

	/* client credentials: login host, key, secret */
	fx_init(&f, NULL, NULL);
	f.c.method = SFB_METHOD_CLIENT_CREDENTIALS;
	f.c.username = NULL;
	f.c.login = NULL;
	assert_false(run(&f));
	assert_int_equal(f.d.n, 3);
	assert_string_equal(detail_str(&f.d.v[0], "field"), "login");
	assert_string_equal(detail_str(&f.d.v[1], "field"), "consumerKey");
	assert_string_equal(detail_str(&f.d.v[2], "field"), "consumerSecret");
	fx_release(&f);

	/* JWT: username, key, private key */
	fx_init(&f, NULL, NULL);
	f.c.method = SFB_METHOD_JWT;
	f.c.username = "";
	assert_false(run(&f));
	assert_int_equal(f.d.n, 3);
	assert_string_equal(detail_str(&f.d.v[0], "field"), "username");
	assert_string_equal(detail_str(&f.d.v[1], "field"), "consumerKey");
	assert_string_equal(detail_str(&f.d.v[2], "field"), "privateKey");
	fx_release(&f);
}

static void test_local_checks__username_must_be_email(void **state)
{
	static const char *const good[] = {
		"int@acme.com", "first.last+sf@acme.co.uk", "ops@acme.com.uat",
		"int@login.test", "o'neil@acme.io", NULL};
	static const char *const bad[] = {
		"integration", "int@", "@acme.com", "int@acme", "int @acme.com",
		"int@acme..com", "int@@acme.com", "int@acme.com ", "a@b.c\n",
		"int@-acme.com.", NULL};
	struct fixture f;

	(void)state;
	for (int i = 0; good[i]; i++)
		assert_true(sfb_username_is_email(good[i]));
	for (int i = 0; bad[i]; i++)
		assert_false(sfb_username_is_email(bad[i]));
	fx_init(&f, PW, TOKEN);
	f.c.username = "integration-user";
	assert_false(run(&f));
	only(&f, "username_not_email", SFB_SEV_ERROR);
	fx_release(&f);
}

static void test_local_checks__whitespace_around_a_secret(void **state)
{
	static const struct {
		const char *pw, *tok, *field;
	} cases[] = {
		{" " PW, TOKEN, "password"},
		{PW "\n", TOKEN, "password"},
		{PW, TOKEN "\r", "token"},
		{PW, "\t" TOKEN, "token"},
	};
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fx_init(&f, cases[i].pw, cases[i].tok);
		assert_false(run(&f));
		/* the token's form isn't judged on top of its white space */
		assert_string_equal(
			detail_str(only(&f, "whitespace_in_secret",
					SFB_SEV_ERROR),
				   "field"),
			cases[i].field);
		fx_release(&f);
	}
	/* inside a password, a space is the password's business */
	fx_init(&f, "pass word", TOKEN);
	assert_true(run(&f));
	fx_release(&f);
	/* the consumer secret too */
	fx_init(&f, PW, TOKEN);
	f.cs = sec("secret ");
	f.c.consumer_secret = f.cs;
	f.c.consumer_key = "3MVG9Key";
	assert_false(run(&f));
	assert_string_equal(detail_str(only(&f, "whitespace_in_secret",
					    SFB_SEV_ERROR),
				       "field"),
			    "consumerSecret");
	fx_release(&f);
}

static void test_local_checks__token_must_be_24_or_25_letters_and_digits(
	void **state)
{
	static const char *const bad[] = {
		"AbCdEfGhIjKlMnOpQrStUvW",    /* 23 */
		"AbCdEfGhIjKlMnOpQrStUvWxYz", /* 26 */
		"AbCdEfGh-jKlMnOpQrStUvWx",   /* a dash */
		"short", NULL};
	struct fixture f;
	struct sf_secret *t25 = sec("AbCdEfGhIjKlMnOpQrStUvWxY");

	(void)state;
	assert_true(sfb_token_well_formed(t25));
	sf_secret_free(t25);
	for (int i = 0; bad[i]; i++) {
		fx_init(&f, PW, bad[i]);
		assert_false(run(&f));
		assert_int_equal(
			json_integer_value(json_object_get(
				only(&f, "token_malformed", SFB_SEV_ERROR)
					->detail,
				"length")),
			(long long)strlen(bad[i]));
		/* the value itself is never in a diagnosis */
		{
			char *text = json_dumps(f.d.v[0].detail, 0);

			assert_non_null(text);
			assert_null(strstr(text, bad[i]));
			free(text);
		}
		fx_release(&f);
	}
}

static void test_local_checks__password_pasted_with_its_token(void **state)
{
	struct fixture f;

	(void)state;
	fx_init(&f, PW TOKEN, TOKEN);
	assert_false(run(&f));
	only(&f, "password_includes_token", SFB_SEV_ERROR);
	fx_release(&f);
	/* the token alone as password is no "password + token" */
	fx_init(&f, TOKEN, TOKEN);
	assert_true(run(&f));
	fx_release(&f);
}

static void test_local_checks__login_url(void **state)
{
	static const char *const ok[] = {
		"production", "sandbox", "mydomain:acme", "mydomain:acme--uat",
		"https://acme.my.salesforce.com", "https://login.salesforce.com",
		/* explicit loopback http: a local sfemu */
		"http://127.0.0.1:8443", "http://localhost:9000", NULL};
	static const char *const bad[] = {
		"http://login.salesforce.com", "https://evil.example.com",
		"http://10.0.0.5:8080", "login.salesforce.com",
		"https://user:pw@acme.my.salesforce.com",
		"https://acme.my.salesforce.com/services/Soap/u/60.0",
		"ftp://login.salesforce.com", NULL};
	struct fixture f;

	(void)state;
	unsetenv("SF_ALLOWED_HOSTS");
	for (int i = 0; ok[i]; i++) {
		fx_init(&f, PW, TOKEN);
		f.c.login = ok[i];
		f.c.username = "int@acme.com";
		assert_true(run(&f));
		/* sandbox hosts warn about a plain username; nothing else */
		for (size_t k = 0; k < f.d.n; k++)
			assert_int_not_equal(f.d.v[k].severity, SFB_SEV_ERROR);
		fx_release(&f);
	}
	for (int i = 0; bad[i]; i++) {
		fx_init(&f, PW, TOKEN);
		f.c.login = bad[i];
		assert_false(run(&f));
		assert_non_null(detail_str(only(&f, "login_url_invalid",
						SFB_SEV_ERROR),
					   "reason"));
		/* a password in a URL is never echoed */
		assert_null(strstr(detail_str(&f.d.v[0], "reason"), "pw@"));
		fx_release(&f);
	}
	/* client credentials can't use the generic hosts */
	fx_init(&f, NULL, NULL);
	f.c.method = SFB_METHOD_CLIENT_CREDENTIALS;
	f.c.username = NULL;
	f.c.consumer_key = "3MVG9Key";
	f.cs = sec("Secret1");
	f.c.consumer_secret = f.cs;
	f.c.login = "sandbox";
	assert_false(run(&f));
	only(&f, "login_url_invalid", SFB_SEV_ERROR);
	fx_release(&f);
}

static void test_local_checks__sandbox_usernames(void **state)
{
	static const char *const box[] = {
		"ops@acme.example.uat", "ops@acme.com.uat", "ops@acme.com.dev",
		"ops@acme.org.full", "ops@acme.co.uk.qa", "ops@acme.com.dev2",
		"ops@acme.io.staging", NULL};
	static const char *const plain[] = {
		"ops@acme.com", "ops@acme.co.uk", "ops@acme.com.au",
		"ops@mail.acme.dev", "ops@acme.io", "int@login.test",
		"ops@acme.example", NULL};

	(void)state;
	for (int i = 0; box[i]; i++)
		assert_true(sfb_username_looks_sandbox(box[i]));
	for (int i = 0; plain[i]; i++)
		assert_false(sfb_username_looks_sandbox(plain[i]));
}

static void test_local_checks__sandbox_host_mismatch(void **state)
{
	struct fixture f;
	const struct sfb_diag *d;

	(void)state;
	/* a sandbox username at production: error */
	fx_init(&f, PW, TOKEN);
	f.c.username = "ops@acme.example.uat";
	assert_false(run(&f));
	d = only(&f, "sandbox_host_mismatch", SFB_SEV_ERROR);
	assert_string_equal(detail_str(d, "username_looks_like"), "sandbox");
	assert_string_equal(detail_str(d, "host"), "production");
	fx_release(&f);
	/* the same at a production My Domain */
	fx_init(&f, PW, TOKEN);
	f.c.username = "ops@acme.com.uat";
	f.c.login = "https://acme.my.salesforce.com";
	assert_false(run(&f));
	only(&f, "sandbox_host_mismatch", SFB_SEV_ERROR);
	fx_release(&f);
	/* the reverse: a plain username at a sandbox host is a warning */
	fx_init(&f, PW, TOKEN);
	f.c.login = "sandbox";
	assert_true(run(&f));
	d = only(&f, "sandbox_host_mismatch", SFB_SEV_WARNING);
	assert_string_equal(detail_str(d, "host"), "sandbox");
	fx_release(&f);
	/* matching pairs pass */
	fx_init(&f, PW, TOKEN);
	f.c.username = "ops@acme.com.uat";
	f.c.login = "mydomain:acme--uat";
	assert_true(run(&f));
	assert_int_equal(f.d.n, 0);
	fx_release(&f);
	/* a loopback URL (sfemu) says nothing about the org: no check */
	fx_init(&f, PW, TOKEN);
	f.c.username = "ops@acme.com.uat";
	f.c.login = "http://127.0.0.1:8080";
	assert_true(run(&f));
	assert_int_equal(f.d.n, 0);
	fx_release(&f);
}

static void test_local_checks__methods_and_auth(void **state)
{
	struct sfb_candidate c = {0};
	enum sfb_method m;

	(void)state;
	assert_int_equal(sfb_method_parse("password", &m), 0);
	assert_int_equal(m, SFB_METHOD_PASSWORD);
	assert_int_equal(sfb_method_parse("client_credentials", &m), 0);
	assert_int_equal(m, SFB_METHOD_CLIENT_CREDENTIALS);
	assert_int_equal(sfb_method_parse("jwt", &m), 0);
	assert_int_equal(m, SFB_METHOD_JWT);
	assert_int_equal(sfb_method_parse("soap", &m), -1);
	c.method = SFB_METHOD_PASSWORD;
	assert_int_equal(sfb_candidate_auth(&c), SFB_AUTH_SOAP);
	c.consumer_key = "3MVG9";
	assert_int_equal(sfb_candidate_auth(&c), SFB_AUTH_OAUTH_PASSWORD);
	assert_true(sfb_login_allows_http_loopback("http://127.0.0.1:1"));
	assert_false(sfb_login_allows_http_loopback("production"));
	assert_false(sfb_login_allows_http_loopback(NULL));
}

static void test_local_checks__every_problem_at_once(void **state)
{
	struct fixture f;

	(void)state;
	fx_init(&f, " " PW "AbCdEfGhIjKlMnOpQrStUvW", "AbCdEfGhIjKlMnOpQrStUvW");
	f.c.username = "nobody";
	f.c.login = "https://evil.example.com";
	assert_false(run(&f));
	/* username_not_email, whitespace_in_secret, token_malformed,
	 * password_includes_token, login_url_invalid */
	assert_int_equal(f.d.n, 5);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_checks__good_password_candidate_passes),
		cmocka_unit_test(test_local_checks__field_missing_names_each_field),
		cmocka_unit_test(test_local_checks__username_must_be_email),
		cmocka_unit_test(test_local_checks__whitespace_around_a_secret),
		cmocka_unit_test(
			test_local_checks__token_must_be_24_or_25_letters_and_digits),
		cmocka_unit_test(test_local_checks__password_pasted_with_its_token),
		cmocka_unit_test(test_local_checks__login_url),
		cmocka_unit_test(test_local_checks__sandbox_usernames),
		cmocka_unit_test(test_local_checks__sandbox_host_mismatch),
		cmocka_unit_test(test_local_checks__methods_and_auth),
		cmocka_unit_test(test_local_checks__every_problem_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
