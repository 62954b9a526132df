/* test_redact.c - headers, URLs and bodies made safe to log: the marker is there, the secret is gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/redact.h"
#include "base/banned.h"

static void header(const char *in, const char *want, const char *secret)
{
	struct base_buf b = BASE_BUF_INIT(4096);

	base_buf_puts(&b, in);
	base_redact_header(&b);
	assert_string_equal(base_buf_str(&b), want);
	if (secret)
		assert_null(strstr(base_buf_str(&b), secret));
	base_buf_release(&b);
}

static void body(const char *in, const char *want, const char *secret)
{
	struct base_buf b = BASE_BUF_INIT(1 << 20);

	base_buf_puts(&b, in);
	base_redact_body(&b);
	assert_string_equal(base_buf_str(&b), want);
	if (secret)
		assert_null(strstr(base_buf_str(&b), secret));
	base_buf_release(&b);
}

static void url(const char *in, const char *want, const char *secret)
{
	struct base_buf b = BASE_BUF_INIT(4096);

	base_buf_puts(&b, in);
	base_redact_url(&b);
	assert_string_equal(base_buf_str(&b), want);
	if (secret)
		assert_null(strstr(base_buf_str(&b), secret));
	base_buf_release(&b);
}

static void test_redact__authorization_keeps_scheme(void **state)
{
	(void)state;
	header("Authorization: Bearer 00D5g000!AQ4AQFz",
	       "Authorization: Bearer <redacted>", "AQ4AQFz");
	header("authorization:   Basic M01WRzk6c2VjcmV0",
	       "authorization:   Basic <redacted>", "M01WRzk6c2VjcmV0");
	header("Proxy-Authorization: Basic dXNlcjpwYXNz",
	       "Proxy-Authorization: Basic <redacted>", "dXNlcjpwYXNz");
}

static void test_redact__authorization_without_scheme(void **state)
{
	(void)state;
	header("Authorization: sekrit", "Authorization: <redacted>", "sekrit");
}

static void test_redact__cookie_values_go_names_stay(void **state)
{
	(void)state;
	header("Cookie: sid=00DABC!xyz; BrowserId=b1d",
	       "Cookie: sid=<redacted>; BrowserId=<redacted>", "xyz");
}

static void test_redact__set_cookie_keeps_attributes(void **state)
{
	(void)state;
	header("Set-Cookie: sid=00DABC!xyz; Path=/; Secure; HttpOnly",
	       "Set-Cookie: sid=<redacted>; Path=/; Secure; HttpOnly", "xyz");
}

static void test_redact__headers_named_like_secrets(void **state)
{
	(void)state;
	header("X-SFDC-Session: 00DABC!xyz", "X-SFDC-Session: <redacted>",
	       "xyz");
	header("X-Api-Key: k123", "X-Api-Key: <redacted>", "k123");
	header("X-Refresh-Token: rt", "X-Refresh-Token: <redacted>", NULL);
}

static void test_redact__other_headers_unchanged(void **state)
{
	(void)state;
	header("Sforce-Limit-Info: api-usage=18/5000",
	       "Sforce-Limit-Info: api-usage=18/5000", NULL);
	header("Content-Type: text/xml; charset=UTF-8",
	       "Content-Type: text/xml; charset=UTF-8", NULL);
}

static void test_redact__header_block_keeps_line_ends(void **state)
{
	(void)state;
	header("GET /services/data/v60.0/ HTTP/1.1\r\n"
	       "Host: x\r\n"
	       "Authorization: Bearer tok-1\r\n\r\n",
	       "GET /services/data/v60.0/ HTTP/1.1\r\n"
	       "Host: x\r\n"
	       "Authorization: Bearer <redacted>\r\n\r\n",
	       "tok-1");
}

static void test_redact__request_line_query_token(void **state)
{
	(void)state;
	header("GET /id/00D/005?oauth_token=tok-2&format=json HTTP/1.1",
	       "GET /id/00D/005?oauth_token=<redacted>&format=json HTTP/1.1",
	       "tok-2");
}

static void test_redact__location_header_fragment(void **state)
{
	(void)state;
	header("Location: https://x/cb#access_token=tok-3&instance_url=y",
	       "Location: https://x/cb#access_token=<redacted>&instance_url=y",
	       "tok-3");
}

static void test_redact__url_userinfo(void **state)
{
	(void)state;
	url("https://admin:hunter2@acme.my.salesforce.com/x",
	    "https://<redacted>@acme.my.salesforce.com/x", "hunter2");
	url("proxy at http://u:p%40ss@10.0.0.1:3128 failed",
	    "proxy at http://<redacted>@10.0.0.1:3128 failed", "p%40ss");
}

static void test_redact__url_without_secrets_unchanged(void **state)
{
	(void)state;
	url("https://acme.my.salesforce.com/services/data/v60.0/"
	    "query?q=SELECT+Id",
	    "https://acme.my.salesforce.com/services/data/v60.0/"
	    "query?q=SELECT+Id",
	    NULL);
	url("user@example.com is no URL", "user@example.com is no URL", NULL);
}

static void test_redact__url_query_params(void **state)
{
	(void)state;
	url("/x?a=1&refresh_token=rt9&client_secret=cs9&b=2",
	    "/x?a=1&refresh_token=<redacted>&client_secret=<redacted>&b=2",
	    "rt9");
}

static void test_redact__soap_password(void **state)
{
	(void)state;
	body("<urn:login><urn:username>int@x</urn:username>"
	     "<urn:password>S3cret!&amp;tok</urn:password></urn:login>",
	     "<urn:login><urn:username>int@x</urn:username>"
	     "<urn:password><redacted></urn:password></urn:login>",
	     "S3cret");
}

static void test_redact__soap_session_id_any_prefix(void **state)
{
	(void)state;
	body("<result><sessionId>00D5g!AQ4AQ</sessionId><userId>005x</userId>",
	     "<result><sessionId><redacted></sessionId><userId>005x</userId>",
	     "AQ4AQ");
	body("<sf:SessionHeader><sf:sessionId>00D5g!AQ4AQ</sf:sessionId>",
	     "<sf:SessionHeader><sf:sessionId><redacted></sf:sessionId>",
	     "AQ4AQ");
}

static void test_redact__soap_cdata_and_attributes(void **state)
{
	(void)state;
	body("<password a=\"1\"><![CDATA[p<w>d]]></password>",
	     "<password a=\"1\"><redacted></password>", "p<w>d");
}

static void test_redact__soap_truncated_redacts_to_end(void **state)
{
	(void)state;
	body("<sessionId>00D5g!AQ4AQ", "<sessionId><redacted>", "AQ4AQ");
}

static void test_redact__soap_password_expired_kept(void **state)
{
	(void)state;
	body("<passwordExpired>true</passwordExpired><password/>",
	     "<passwordExpired>true</passwordExpired><password/>", NULL);
}

static void test_redact__json_tokens(void **state)
{
	(void)state;
	body("{\"access_token\":\"00D!AR8\",\"instance_url\":\"https://x\","
	     "\"refresh_token\" : \"5Aep\\\"x\",\"signature\":\"s=\"}",
	     "{\"access_token\":\"<redacted>\",\"instance_url\":\"https://x\","
	     "\"refresh_token\" : \"<redacted>\",\"signature\":\"s=\"}",
	     "AR8");
}

static void test_redact__json_secret_and_non_string(void **state)
{
	(void)state;
	body("{\"client_secret\":\"cs1\",\"password\":12345,\"assertion\":"
	     "null}",
	     "{\"client_secret\":\"<redacted>\",\"password\":<redacted>,"
	     "\"assertion\":<redacted>}",
	     "12345");
}

static void test_redact__json_value_named_password_kept(void **state)
{
	(void)state;
	body("{\"grant_type\":\"password\",\"message\":\"bad "
	     "\\\"password\\\"\"}",
	     "{\"grant_type\":\"password\",\"message\":\"bad "
	     "\\\"password\\\"\"}",
	     NULL);
}

static void test_redact__form_fields(void **state)
{
	(void)state;
	body("grant_type=password&client_id=3MVG9&client_secret=cs2&"
	     "username=int%40x&password=Pw%21tok",
	     "grant_type=password&client_id=3MVG9&client_secret=<redacted>&"
	     "username=int%40x&password=<redacted>",
	     "Pw%21tok");
	body("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
	     "&assertion=eyJh.eyJp.c2ln",
	     "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
	     "&assertion=<redacted>",
	     "eyJp");
	body("token=rt7", "token=<redacted>", "rt7");
}

static void test_redact__names_are_whole_words(void **state)
{
	(void)state;
	body("my_password=x&passwords=y&new_token=z",
	     "my_password=x&passwords=y&new_token=z", NULL);
}

static void test_redact__fails_closed(void **state)
{
	/* A limit too small for the redacted form: only the marker is left. */
	struct base_buf b = BASE_BUF_INIT(12);

	(void)state;
	base_buf_puts(&b, "password=ab");
	base_redact_body(&b);
	assert_string_equal(base_buf_str(&b), "<redacted>");
	base_buf_release(&b);
}

static void test_redact__to_functions_append(void **state)
{
	struct base_buf out = BASE_BUF_INIT(256);
	static const char in[] = "Authorization: Bearer abc";

	(void)state;
	base_buf_puts(&out, "> ");
	assert_int_equal(base_redact_header_to(&out, in, sizeof(in) - 1), 0);
	assert_string_equal(base_buf_str(&out),
			    "> Authorization: Bearer <redacted>");
	base_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact__authorization_keeps_scheme),
		cmocka_unit_test(test_redact__authorization_without_scheme),
		cmocka_unit_test(test_redact__cookie_values_go_names_stay),
		cmocka_unit_test(test_redact__set_cookie_keeps_attributes),
		cmocka_unit_test(test_redact__headers_named_like_secrets),
		cmocka_unit_test(test_redact__other_headers_unchanged),
		cmocka_unit_test(test_redact__header_block_keeps_line_ends),
		cmocka_unit_test(test_redact__request_line_query_token),
		cmocka_unit_test(test_redact__location_header_fragment),
		cmocka_unit_test(test_redact__url_userinfo),
		cmocka_unit_test(test_redact__url_without_secrets_unchanged),
		cmocka_unit_test(test_redact__url_query_params),
		cmocka_unit_test(test_redact__soap_password),
		cmocka_unit_test(test_redact__soap_session_id_any_prefix),
		cmocka_unit_test(test_redact__soap_cdata_and_attributes),
		cmocka_unit_test(test_redact__soap_truncated_redacts_to_end),
		cmocka_unit_test(test_redact__soap_password_expired_kept),
		cmocka_unit_test(test_redact__json_tokens),
		cmocka_unit_test(test_redact__json_secret_and_non_string),
		cmocka_unit_test(test_redact__json_value_named_password_kept),
		cmocka_unit_test(test_redact__form_fields),
		cmocka_unit_test(test_redact__names_are_whole_words),
		cmocka_unit_test(test_redact__fails_closed),
		cmocka_unit_test(test_redact__to_functions_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
