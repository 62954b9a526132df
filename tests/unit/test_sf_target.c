/* test_sf_target.c - login targets: the named ones, My Domain, and the URL rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "sf/client.h"
#include "sf/error.h"
#include "sf/target_int.h"
#include "base/banned.h"

/* Parses spec and checks kind, value, base URL and sandbox-ness. */
static void accepts(const char *spec, bool loopback, enum sf_target_kind kind,
		    const char *value, const char *base, bool sandbox)
{
	struct sf_target t;
	struct sf_error err = SF_ERROR_INIT;
	char url[300];

	assert_int_equal(sf_target_parse(spec, loopback, &t, &err), 0);
	assert_int_equal(t.kind, kind);
	assert_string_equal(t.value, value);
	sf_target_base_url(&t, url, sizeof(url));
	assert_string_equal(url, base);
	assert_int_equal(sf_target_is_sandbox(&t), sandbox);
}

static void rejects(const char *spec, bool loopback, const char *msg)
{
	struct sf_target t;
	struct sf_error err = SF_ERROR_INIT;

	assert_int_equal(sf_target_parse(spec, loopback, &t, &err),
			 BASE_EINVAL);
	assert_int_equal(err.cls, SF_CLASS_INVALID_REQUEST);
	assert_string_equal(err.message, msg);
	assert_int_equal(t.kind, SF_TARGET_PRODUCTION); /* zeroed */
	assert_string_equal(t.value, "");
}

static void test_sf_target__production_and_sandbox(void **state)
{
	(void)state;
	accepts("production", false, SF_TARGET_PRODUCTION, "",
		"https://login.salesforce.com", false);
	accepts("sandbox", false, SF_TARGET_SANDBOX, "",
		"https://test.salesforce.com", true);
}

static void test_sf_target__mydomain(void **state)
{
	(void)state;
	accepts("mydomain:acme", false, SF_TARGET_MYDOMAIN, "acme",
		"https://acme.my.salesforce.com", false);
	accepts("mydomain:Acme-Corp", false, SF_TARGET_MYDOMAIN, "acme-corp",
		"https://acme-corp.my.salesforce.com", false);
}

static void test_sf_target__mydomain_sandbox(void **state)
{
	(void)state;
	accepts("mydomain:acme--uat", false, SF_TARGET_MYDOMAIN, "acme--uat",
		"https://acme--uat.sandbox.my.salesforce.com", true);
}

static void test_sf_target__mydomain_rejects_hosts_and_bad_names(void **state)
{
	(void)state;
	rejects("mydomain:acme.my.salesforce.com", false,
		"My Domain 'acme.my.salesforce.com': give only the name (acme "
		"for acme.my.salesforce.com, acme--uat for a sandbox), or the "
		"whole https URL");
	rejects("mydomain:-acme", false,
		"My Domain '-acme': a name has only letters, digits and '-', "
		"and doesn't start or end with '-'");
	rejects("mydomain:ac_me", false,
		"My Domain 'ac_me': a name has only letters, digits and '-', "
		"and doesn't start or end with '-'");
	rejects("mydomain:", false,
		"My Domain '': a name has only letters, digits and '-', and "
		"doesn't start or end with '-'");
}

static void test_sf_target__standard_urls_become_named_kinds(void **state)
{
	(void)state;
	accepts("https://login.salesforce.com", false, SF_TARGET_PRODUCTION, "",
		"https://login.salesforce.com", false);
	accepts("https://TEST.salesforce.com/", false, SF_TARGET_SANDBOX, "",
		"https://test.salesforce.com", true);
	accepts("https://acme.my.salesforce.com:443", false, SF_TARGET_MYDOMAIN,
		"acme", "https://acme.my.salesforce.com", false);
	accepts("https://acme--uat.sandbox.my.salesforce.com", false,
		SF_TARGET_MYDOMAIN, "acme--uat",
		"https://acme--uat.sandbox.my.salesforce.com", true);
}

static void test_sf_target__other_salesforce_urls(void **state)
{
	(void)state;
	accepts("https://acme-dev-ed.develop.my.salesforce.com", false,
		SF_TARGET_URL, "https://acme-dev-ed.develop.my.salesforce.com",
		"https://acme-dev-ed.develop.my.salesforce.com", false);
	accepts("https://acme.my.site.com.force.com", false, SF_TARGET_URL,
		"https://acme.my.site.com.force.com",
		"https://acme.my.site.com.force.com", false);
	accepts("https://na1.cloudforce.com", false, SF_TARGET_URL,
		"https://na1.cloudforce.com", "https://na1.cloudforce.com",
		false);
}

static void test_sf_target__loopback_http_only_when_allowed(void **state)
{
	(void)state;
	accepts("http://127.0.0.1:8080", true, SF_TARGET_URL,
		"http://127.0.0.1:8080", "http://127.0.0.1:8080", false);
	accepts("http://localhost:9", true, SF_TARGET_URL, "http://localhost:9",
		"http://localhost:9", false);
	accepts("http://[::1]:9", true, SF_TARGET_URL, "http://[::1]:9",
		"http://[::1]:9", false);
	accepts("http://127.1.2.3", true, SF_TARGET_URL, "http://127.1.2.3",
		"http://127.1.2.3", false);
	rejects("http://127.0.0.1:8080", false,
		"login URL uses plain http: allowed only to loopback with "
		"allow_http_loopback");
}

static void test_sf_target__plain_http_elsewhere_refused(void **state)
{
	(void)state;
	rejects("http://login.salesforce.com", true,
		"login URL uses plain http: only https is allowed (plain http "
		"only to a loopback address)");
	rejects("http://10.0.0.1", true,
		"login URL uses plain http: only https is allowed (plain http "
		"only to a loopback address)");
}

static void test_sf_target__foreign_hosts_refused(void **state)
{
	(void)state;
	rejects("https://evil.example.com", false,
		"login URL host 'evil.example.com' is not a Salesforce host "
		"(*.salesforce.com, *.force.com, *.cloudforce.com); add it to "
		"SF_ALLOWED_HOSTS to allow it");
	rejects("https://salesforce.com.evil.com", false,
		"login URL host 'salesforce.com.evil.com' is not a Salesforce "
		"host (*.salesforce.com, *.force.com, *.cloudforce.com); add "
		"it "
		"to SF_ALLOWED_HOSTS to allow it");
	rejects("https://evilsalesforce.com", false,
		"login URL host 'evilsalesforce.com' is not a Salesforce host "
		"(*.salesforce.com, *.force.com, *.cloudforce.com); add it to "
		"SF_ALLOWED_HOSTS to allow it");
}

static void test_sf_target__allow_list(void **state)
{
	(void)state;
	setenv("SF_ALLOWED_HOSTS", " sf.corp.example ,*.gov.example", 1);
	accepts("https://sf.corp.example:8443", false, SF_TARGET_URL,
		"https://sf.corp.example:8443", "https://sf.corp.example:8443",
		false);
	accepts("https://a.b.gov.example", false, SF_TARGET_URL,
		"https://a.b.gov.example", "https://a.b.gov.example", false);
	rejects("https://gov.example", false,
		"login URL host 'gov.example' is not a Salesforce host "
		"(*.salesforce.com, *.force.com, *.cloudforce.com); add it to "
		"SF_ALLOWED_HOSTS to allow it");
	rejects("http://sf.corp.example", false,
		"login URL uses plain http: only https is allowed (plain http "
		"only to a loopback address)");
	unsetenv("SF_ALLOWED_HOSTS");
}

static void test_sf_target__userinfo_refused_without_echo(void **state)
{
	(void)state;
	rejects("https://admin:hunter2@acme.my.salesforce.com", false,
		"login URL holds a user name or password (user@host): give "
		"credentials in their own fields, never in the URL");
	rejects("https://admin@acme.my.salesforce.com", false,
		"login URL holds a user name or password (user@host): give "
		"credentials in their own fields, never in the URL");
}

static void test_sf_target__paths_queries_ports(void **state)
{
	(void)state;
	rejects("https://acme.my.salesforce.com/services/Soap/u/60.0", false,
		"login URL has a path ('/services/Soap/u/60.0'): give only "
		"scheme://host[:port], libsf adds the Salesforce paths");
	rejects("https://acme.my.salesforce.com/?x=1", false,
		"login URL has a query or fragment: give only "
		"scheme://host[:port]");
	rejects("https://acme.my.salesforce.com#top", false,
		"login URL has a query or fragment: give only "
		"scheme://host[:port]");
	rejects("https://acme.my.salesforce.com:8443", false,
		"login URL 'https://acme.my.salesforce.com:8443': Salesforce "
		"hosts answer on the default port only");
}

static void test_sf_target__not_a_target(void **state)
{
	(void)state;
	rejects("", false,
		"login target is empty: want production, sandbox, "
		"mydomain:NAME or an https URL");
	rejects("acme.my.salesforce.com", false,
		"login target 'acme.my.salesforce.com': want production, "
		"sandbox, mydomain:NAME or a URL (https://...)");
	rejects("ftp://login.salesforce.com", false,
		"login URL 'ftp://login.salesforce.com': only https is "
		"allowed");
	rejects("https://a b.salesforce.com", false,
		"login URL: too long or holds whitespace");
	rejects("https://a_b.salesforce.com", false,
		"login URL host 'a_b.salesforce.com' is not a host name");
}

static void test_sf_target__instance_url_any_path(void **state)
{
	struct sf_error err = SF_ERROR_INIT;
	char out[256];

	(void)state;
	assert_int_equal(
		sf__instance_url("https://acme.my.salesforce.com/services/Soap/"
				 "u/60.0/00D5g000000AbCd",
				 false, out, sizeof(out), &err),
		0);
	assert_string_equal(out, "https://acme.my.salesforce.com");
	assert_int_equal(sf__instance_url("http://127.0.0.1:4000/x", true, out,
					  sizeof(out), &err),
			 0);
	assert_string_equal(out, "http://127.0.0.1:4000");
	assert_int_equal(sf__instance_url("https://evil.example/x", false, out,
					  sizeof(out), &err),
			 BASE_EINVAL);
	assert_string_equal(err.message,
			    "instance URL host 'evil.example' is not a "
			    "Salesforce host (*.salesforce.com, *.force.com, "
			    "*.cloudforce.com); add it to SF_ALLOWED_HOSTS to "
			    "allow it");
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sf_target__production_and_sandbox),
		cmocka_unit_test(test_sf_target__mydomain),
		cmocka_unit_test(test_sf_target__mydomain_sandbox),
		cmocka_unit_test(
			test_sf_target__mydomain_rejects_hosts_and_bad_names),
		cmocka_unit_test(
			test_sf_target__standard_urls_become_named_kinds),
		cmocka_unit_test(test_sf_target__other_salesforce_urls),
		cmocka_unit_test(
			test_sf_target__loopback_http_only_when_allowed),
		cmocka_unit_test(test_sf_target__plain_http_elsewhere_refused),
		cmocka_unit_test(test_sf_target__foreign_hosts_refused),
		cmocka_unit_test(test_sf_target__allow_list),
		cmocka_unit_test(test_sf_target__userinfo_refused_without_echo),
		cmocka_unit_test(test_sf_target__paths_queries_ports),
		cmocka_unit_test(test_sf_target__not_a_target),
		cmocka_unit_test(test_sf_target__instance_url_any_path),
	};

	unsetenv("SF_ALLOWED_HOSTS");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
