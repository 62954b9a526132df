/* test_sf_parse.c - Salesforce's error replies, Sforce-Limit-Info, and the class of every code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "sf/error.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "base/banned.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static const char login_fault[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\" xmlns:sf=\"urn:fault.partner.soap.sforce.com\" "
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	"<soapenv:Body><soapenv:Fault>"
	"<faultcode>sf:INVALID_LOGIN</faultcode>"
	"<faultstring>INVALID_LOGIN: Invalid username, password, security "
	"token; or user locked out.</faultstring>"
	"<detail><sf:LoginFault xsi:type=\"sf:LoginFault\">"
	"<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>"
	"<sf:exceptionMessage>Invalid username, password, security token; or "
	"user locked out.</sf:exceptionMessage>"
	"</sf:LoginFault></detail></soapenv:Fault></soapenv:Body>"
	"</soapenv:Envelope>";

/* ---- REST error arrays ----------------------------------------------------
 */

static void test_sf_parse__rest_error_first_element(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_rest_errors(
			S("[{\"message\":\"Session expired or "
			  "invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"),
			&e),
		0);
	assert_string_equal(e.code, "INVALID_SESSION_ID");
	assert_string_equal(e.raw, "Session expired or invalid");
	assert_string_equal(e.message,
			    "INVALID_SESSION_ID: Session expired or invalid");
	assert_int_equal(e.nfields, 0);
	assert_int_equal(e.cls,
			 SF_CLASS_NONE); /* the parser doesn't classify */
}

static void test_sf_parse__rest_error_fields_and_count(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_rest_errors(
			S("[{\"message\":\"Required fields are missing: "
			  "[Name, Ext__c]\",\"errorCode\":\"REQUIRED_FIELD_"
			  "MISSING\",\"fields\":[\"Name\",\"Ext__c\"]},"
			  "{\"message\":\"x\",\"errorCode\":\"Y\"},"
			  "{\"message\":\"z\",\"errorCode\":\"W\"}]"),
			&e),
		0);
	assert_string_equal(e.code, "REQUIRED_FIELD_MISSING");
	assert_string_equal(e.message,
			    "REQUIRED_FIELD_MISSING: Required fields are "
			    "missing: [Name, Ext__c] (and 2 more)");
	assert_int_equal(e.nfields, 2);
	assert_string_equal(e.fields[0], "Name");
	assert_string_equal(e.fields[1], "Ext__c");
}

static void test_sf_parse__rest_error_status_code_variant(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_rest_errors(
			S("[{\"statusCode\":\"ENTITY_IS_DELETED\",\"message\":"
			  "\"entity is deleted\",\"fields\":[]}]"),
			&e),
		0);
	assert_string_equal(e.code, "ENTITY_IS_DELETED");
}

static void test_sf_parse__rest_error_at_most_8_fields(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__parse_rest_errors(
				 S("[{\"message\":\"m\",\"errorCode\":\"C\","
				   "\"fields\":[\"a\",\"b\",\"c\",\"d\",\"e\","
				   "\"f\",\"g\",\"h\",\"i\",1]}]"),
				 &e),
			 0);
	assert_int_equal(e.nfields, 8);
	assert_string_equal(e.fields[7], "h");
}

static void test_sf_parse__rest_error_wrong_shapes(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__parse_rest_errors(S("[]"), &e), BASE_EPROTO);
	assert_int_equal(sf__parse_rest_errors(S("[1]"), &e), BASE_EPROTO);
	assert_int_equal(sf__parse_rest_errors(S("[{\"message\":\"m\"}]"), &e),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_rest_errors(S("{\"error\":\"x\"}"), &e),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_rest_errors(S("[{\"message\":"), &e),
			 BASE_EPROTO);
	assert_string_equal(e.code, ""); /* untouched */
	assert_string_equal(e.message, "");
}

static void test_sf_parse__text_is_one_line_and_cut_on_utf8(void **state)
{
	struct sf_error e = SF_ERROR_INIT;
	char body[2100];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(body, sizeof(body),
			      "[{\"errorCode\":\"C\",\"message\":\"a\\nb");
	/* "é" (2 bytes) repeated well past raw's 1024 bytes */
	while (n < 2000) {
		body[n++] = '\xc3';
		body[n++] = '\xa9';
	}
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\"}]");
	assert_int_equal(sf__parse_rest_errors(body, n, &e), 0);
	assert_int_equal(strncmp(e.raw, "a b", 3), 0);
	assert_int_equal(strlen(e.raw), 1023); /* "a b" + 510 x 2 bytes */
	assert_int_equal((unsigned char)e.raw[1021], 0xc3);
	assert_int_equal((unsigned char)e.raw[1022], 0xa9);
}

/* ---- OAuth errors -----------------------------------------------------------
 */

static void test_sf_parse__oauth_error(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__parse_oauth_error(
				 S("{\"error\":\"invalid_grant\",\"error_"
				   "description\":\"authentication failure\"}"),
				 &e),
			 0);
	assert_string_equal(e.code, "invalid_grant");
	assert_string_equal(e.raw, "authentication failure");
	assert_string_equal(e.message, "invalid_grant: authentication failure");
}

static void test_sf_parse__oauth_error_without_description(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_oauth_error(S("{\"error\":\"invalid_request\"}"), &e),
		0);
	assert_string_equal(e.message, "invalid_request");
	assert_string_equal(e.raw, "");
}

static void test_sf_parse__oauth_error_wrong_shapes(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__parse_oauth_error(S("[]"), &e), BASE_EPROTO);
	assert_int_equal(sf__parse_oauth_error(S("{\"error\":1}"), &e),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_oauth_error(S("{\"error\":\"\"}"), &e),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_oauth_error(S("<html>"), &e), BASE_EPROTO);
}

/* ---- SOAP faults
 * -------------------------------------------------------------- */

static void test_sf_parse__soap_login_fault(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(sf__parse_soap_fault(S(login_fault), &e), 0);
	assert_string_equal(e.code, "INVALID_LOGIN");
	assert_string_equal(e.raw, "Invalid username, password, security "
				   "token; or user locked out.");
	assert_string_equal(e.message, "INVALID_LOGIN: Invalid username, "
				       "password, security token; or user "
				       "locked out.");
}

static void test_sf_parse__soap_fault_without_detail(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_soap_fault(
			S("<se:Envelope xmlns:se=\"http://schemas.xmlsoap.org/"
			  "soap/envelope/\"><se:Body><se:Fault><faultcode>"
			  "sf:INVALID_SESSION_ID</faultcode><faultstring>"
			  "INVALID_SESSION_ID: Invalid Session ID found in "
			  "SessionHeader: Illegal Session\nThis error usually "
			  "occurs after a session expires.</faultstring>"
			  "</se:Fault></se:Body></se:Envelope>"),
			&e),
		0);
	assert_string_equal(e.code, "INVALID_SESSION_ID");
	assert_string_equal(e.raw, "Invalid Session ID found in SessionHeader: "
				   "Illegal Session This error usually occurs "
				   "after a session expires.");
}

static void test_sf_parse__soap_client_fault(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_soap_fault(
			S("<soapenv:Envelope xmlns:soapenv=\"http://schemas."
			  "xmlsoap.org/soap/envelope/\"><soapenv:Body>"
			  "<soapenv:Fault><faultcode>soapenv:Client</faultcode>"
			  "<faultstring>Element {}x invalid at this location"
			  "</faultstring></soapenv:Fault></soapenv:Body>"
			  "</soapenv:Envelope>"),
			&e),
		0);
	assert_string_equal(e.code, "Client");
	assert_string_equal(e.message,
			    "Client: Element {}x invalid at this location");
}

static void test_sf_parse__soap_refuses_dtd(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_soap_fault(
			S("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a "
			  "\"INVALID_LOGIN\">]><soapenv:Envelope xmlns:soapenv="
			  "\"http://schemas.xmlsoap.org/soap/envelope/\">"
			  "<soapenv:Body><soapenv:Fault><faultcode>sf:&a;"
			  "</faultcode></soapenv:Fault></soapenv:Body>"
			  "</soapenv:Envelope>"),
			&e),
		BASE_EPROTO);
	assert_string_equal(e.code, "");
}

static void test_sf_parse__soap_wrong_shapes(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	assert_int_equal(
		sf__parse_soap_fault(S("<html><body>503</body></html>"), &e),
		BASE_EPROTO);
	assert_int_equal(
		sf__parse_soap_fault(
			S("<Envelope><Body><loginResponse/></Body></Envelope>"),
			&e),
		BASE_EPROTO);
	assert_int_equal(
		sf__parse_soap_fault(
			S("<Envelope><Body><Fault/></Body></Envelope>"), &e),
		BASE_EPROTO);
	assert_int_equal(sf__parse_soap_fault(S("<Envelope><Body><Fault>"), &e),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_soap_fault("", 0, &e), BASE_EPROTO);
}

/* ---- Sforce-Limit-Info
 * --------------------------------------------------------- */

static void test_sf_parse__limit_info(void **state)
{
	long long used = -1, max = -1;

	(void)state;
	assert_int_equal(sf__parse_limit_info("api-usage=18/5000", &used, &max),
			 0);
	assert_int_equal(used, 18);
	assert_int_equal(max, 5000);
	assert_int_equal(
		sf__parse_limit_info("per-app-api-usage=17/250(appName=x); "
				     "api-usage=19/15000",
				     &used, &max),
		0);
	assert_int_equal(used, 19);
	assert_int_equal(max, 15000);
	assert_int_equal(
		sf__parse_limit_info("api-usage=20/15000; "
				     "per-app-api-usage=17/250(appName=x)",
				     &used, &max),
		0);
	assert_int_equal(used, 20);
}

static void test_sf_parse__limit_info_rejects(void **state)
{
	long long used = 7, max = 7;

	(void)state;
	assert_int_equal(sf__parse_limit_info("", &used, &max), BASE_EPROTO);
	assert_int_equal(sf__parse_limit_info("api-usage=18", &used, &max),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_limit_info("api-usage=/5", &used, &max),
			 BASE_EPROTO);
	assert_int_equal(sf__parse_limit_info("api-usage=1/5x", &used, &max),
			 BASE_EPROTO);
	assert_int_equal(
		sf__parse_limit_info("api-usage=99999999999999999999/5", &used,
				     &max),
		BASE_EPROTO);
	assert_int_equal(
		sf__parse_limit_info("per-app-api-usage=1/2(appName=x)", &used,
				     &max),
		BASE_EPROTO);
	assert_int_equal(sf__parse_limit_info(NULL, &used, &max), BASE_EPROTO);
	assert_int_equal(used, 7);
	assert_int_equal(max, 7);
}

/* ---- sf__error_from_reply
 * ------------------------------------------------------ */

static void test_sf_parse__reply_rest_401(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	e.api_used = 5;
	e.api_max = 10;
	sf__error_from_reply(
		401, "application/json",
		S("[{\"message\":\"Session expired or "
		  "invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]"),
		&e);
	assert_int_equal(e.cls, SF_CLASS_SESSION);
	assert_int_equal(e.http_status, 401);
	assert_string_equal(e.message, "http 401: INVALID_SESSION_ID: Session "
				       "expired or invalid");
	assert_int_equal(e.api_used, 5); /* kept */
	assert_int_equal(e.api_max, 10);
}

static void test_sf_parse__reply_oauth_400(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(400, "application/json",
			     S(" {\"error\":\"invalid_client_id\",\"error_"
			       "description\":\"client identifier invalid\"}"),
			     &e);
	assert_int_equal(e.cls, SF_CLASS_CREDENTIAL);
	assert_string_equal(e.code, "invalid_client_id");
	assert_string_equal(e.message, "http 400: invalid_client_id: client "
				       "identifier invalid");
}

static void test_sf_parse__reply_soap_500(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(500, "text/xml", S(login_fault), &e);
	assert_int_equal(e.cls, SF_CLASS_CREDENTIAL);
	assert_string_equal(e.code, "INVALID_LOGIN");
	assert_int_equal(e.http_status, 500);
}

static void test_sf_parse__reply_html_503_is_transient(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(503, "text/html",
			     S("<!DOCTYPE html><html><title>Down for "
			       "maintenance</title>password=x</html>"),
			     &e);
	assert_int_equal(e.cls, SF_CLASS_TRANSIENT);
	assert_string_equal(e.code, "");
	assert_string_equal(e.message, "http 503: text/html reply of 73 bytes");
	assert_null(strstr(e.message, "password")); /* a body is never copied */
	assert_string_equal(e.raw, "");
}

static void test_sf_parse__reply_empty_and_gateway(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(502, NULL, NULL, 0, &e);
	assert_int_equal(e.cls, SF_CLASS_TRANSIENT);
	assert_string_equal(e.message, "http 502: empty reply");
	sf__error_from_reply(500, "text/plain", S("oops"), &e);
	assert_int_equal(e.cls, SF_CLASS_TRANSIENT);
	assert_string_equal(e.message, "http 500: text/plain reply of 4 bytes");
	sf__error_from_reply(404, "", S("nope"), &e);
	assert_int_equal(e.cls, SF_CLASS_NOT_FOUND);
	assert_string_equal(e.message, "http 404: untyped reply of 4 bytes");
}

static void test_sf_parse__reply_fault_with_200(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(200, "text/xml", S(login_fault), &e);
	assert_int_equal(e.cls, SF_CLASS_CREDENTIAL);
	assert_string_equal(e.code, "INVALID_LOGIN");
}

static void test_sf_parse__reply_daily_limit(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	sf__error_from_reply(
		403, "application/json;charset=UTF-8",
		S("[{\"message\":\"TotalRequests Limit "
		  "exceeded.\",\"errorCode\":\"REQUEST_LIMIT_EXCEEDED\"}]"),
		&e);
	assert_int_equal(e.cls, SF_CLASS_THROTTLE);
	assert_int_equal(sf__class_code(e.cls), BASE_ERETRY);
}

/* ---- classification
 * -------------------------------------------------------------- */

struct row {
	long status;
	const char *code;
	const char *text;
	enum sf_class want;
};

static const struct row rows[] = {
	/* credential */
	{500, "INVALID_LOGIN",
	 "Invalid username, password, security token; or user locked out.",
	 SF_CLASS_CREDENTIAL},
	{500, "LOGIN_MUST_USE_SECURITY_TOKEN",
	 "Invalid username, ... Are you at a new location?",
	 SF_CLASS_CREDENTIAL},
	{500, "PASSWORD_LOCKOUT", "", SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "authentication failure", SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "authentication failure - Invalid Password",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "invalid user credentials", SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "user hasn't approved this consumer",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "invalid assertion", SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "expired access/refresh token",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_grant", "Audience validation failed",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_client_id", "client identifier invalid",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_client", "invalid client credentials",
	 SF_CLASS_CREDENTIAL},
	{400, "invalid_client_credentials", "", SF_CLASS_CREDENTIAL},
	{400, "invalid_app_access",
	 "user is not admin approved to access this app", SF_CLASS_CREDENTIAL},
	/* policy */
	{500, "API_DISABLED_FOR_ORG",
	 "API is not enabled for this Organization or Partner",
	 SF_CLASS_POLICY},
	{403, "API_CURRENTLY_DISABLED", "API is disabled for this User",
	 SF_CLASS_POLICY},
	{500, "LOGIN_DURING_RESTRICTED_DOMAIN", "", SF_CLASS_POLICY},
	{400, "invalid_grant", "IP restricted or invalid login hours",
	 SF_CLASS_POLICY},
	{500, "ORG_LOCKED", "", SF_CLASS_POLICY},
	{500, "TRIAL_EXPIRED", "", SF_CLASS_POLICY},
	{500, "INVALID_CLIENT", "", SF_CLASS_POLICY},
	{500, "INSUFFICIENT_ACCESS", "", SF_CLASS_POLICY},
	{500, "INVALID_OPERATION",
	 "SOAP API login() is disabled by default in this org.",
	 SF_CLASS_POLICY},
	{500, "INVALID_OPERATION",
	 "The SOAP Login operation is not available in the API version "
	 "specified (65.0).",
	 SF_CLASS_POLICY},
	{400, "unsupported_grant_type", "grant type not supported",
	 SF_CLASS_POLICY},
	{400, "inactive_user", "user is inactive", SF_CLASS_POLICY},
	{400, "inactive_org", "org is locked, closed, or suspended",
	 SF_CLASS_POLICY},
	{401, "INVALID_SESSION_ID",
	 "This session is not valid for use with the REST API",
	 SF_CLASS_POLICY},
	/* time window, password expired, session */
	{500, "LOGIN_DURING_RESTRICTED_TIME",
	 "cannot log in during restricted time", SF_CLASS_TIME_WINDOW},
	{403, "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
	 "The users password has expired", SF_CLASS_PASSWORD_EXPIRED},
	{401, "INVALID_SESSION_ID", "Session expired or invalid",
	 SF_CLASS_SESSION},
	{500, "INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader",
	 SF_CLASS_SESSION},
	{401, "", "", SF_CLASS_SESSION},
	/* throttle */
	{403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.",
	 SF_CLASS_THROTTLE},
	{500, "REQUEST_LIMIT_EXCEEDED", "Login Rate Exceeded",
	 SF_CLASS_THROTTLE},
	{400, "rate_limit_exceeded", "number of logins exceeded",
	 SF_CLASS_THROTTLE},
	{500, "LOGIN_RATE_EXCEEDED", "Login Rate Exceeded", SF_CLASS_THROTTLE},
	{429, "", "", SF_CLASS_THROTTLE},
	/* transient */
	{503, "", "", SF_CLASS_TRANSIENT},
	{502, "", "", SF_CLASS_TRANSIENT},
	{504, "", "", SF_CLASS_TRANSIENT},
	{503, "SERVER_UNAVAILABLE", "", SF_CLASS_TRANSIENT},
	{500, "SERVER_UNAVAILABLE", "", SF_CLASS_TRANSIENT},
	{400, "UNABLE_TO_LOCK_ROW",
	 "unable to obtain exclusive access to this record",
	 SF_CLASS_TRANSIENT},
	{500, "UNKNOWN_EXCEPTION", "An unexpected error occurred",
	 SF_CLASS_TRANSIENT},
	{500, "", "", SF_CLASS_TRANSIENT},
	/* not found */
	{404, "NOT_FOUND", "The requested resource does not exist",
	 SF_CLASS_NOT_FOUND},
	{404, "ENTITY_IS_DELETED", "entity is deleted", SF_CLASS_NOT_FOUND},
	{404, "", "", SF_CLASS_NOT_FOUND},
	/* invalid request: everything else */
	{400, "MALFORMED_QUERY", "unexpected token", SF_CLASS_INVALID_REQUEST},
	{400, "INVALID_FIELD", "No such column", SF_CLASS_INVALID_REQUEST},
	{400, "DUPLICATE_VALUE", "", SF_CLASS_INVALID_REQUEST},
	{400, "INVALID_OPERATION", "entity type cannot be updated",
	 SF_CLASS_INVALID_REQUEST},
	{400, "invalid_request", "", SF_CLASS_INVALID_REQUEST},
	{500, "INVALID_FIELD", "", SF_CLASS_INVALID_REQUEST},
	{405, "", "", SF_CLASS_INVALID_REQUEST},
	{415, "", "", SF_CLASS_INVALID_REQUEST},
	{200, "", "", SF_CLASS_NONE},
};

static void test_sf_parse__classify_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum sf_class got = sf__classify(rows[i].status, rows[i].code,
						 rows[i].text);

		if (got != rows[i].want)
			fail_msg("row %zu: %ld %s '%s': got %s, want %s", i,
				 rows[i].status, rows[i].code, rows[i].text,
				 sf_class_name(got),
				 sf_class_name(rows[i].want));
	}
}

static void test_sf_parse__classify_null_inputs(void **state)
{
	(void)state;
	assert_int_equal(sf__classify(503, NULL, NULL), SF_CLASS_TRANSIENT);
	assert_int_equal(sf__classify(400, NULL, NULL),
			 SF_CLASS_INVALID_REQUEST);
}

/* ---- error.h
 * ------------------------------------------------------------------------ */

static void test_sf_parse__error_predicates(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	for (int c = SF_CLASS_NONE; c <= SF_CLASS_TLS; c++) {
		e.cls = (enum sf_class)c;
		assert_int_equal(sf_error_is_retryable(&e),
				 c == SF_CLASS_THROTTLE ||
					 c == SF_CLASS_TRANSIENT ||
					 c == SF_CLASS_NETWORK);
		assert_int_equal(sf_error_is_login_refusal(&e),
				 c == SF_CLASS_CREDENTIAL ||
					 c == SF_CLASS_POLICY ||
					 c == SF_CLASS_TIME_WINDOW ||
					 c == SF_CLASS_PASSWORD_EXPIRED);
	}
	assert_false(sf_error_is_retryable(NULL));
	assert_string_equal(sf_class_name(SF_CLASS_TIME_WINDOW), "time_window");
	assert_string_equal(sf_class_name(SF_CLASS_NONE), "none");
	assert_int_equal(sf__class_code(SF_CLASS_POLICY), BASE_EAUTH);
	assert_int_equal(sf__class_code(SF_CLASS_NOT_FOUND), BASE_ENOTFOUND);
	assert_int_equal(sf__class_code(SF_CLASS_INVALID_REQUEST), BASE_EINVAL);
	assert_int_equal(sf__class_code(SF_CLASS_NONE), BASE_EPROTO);
}

static void test_sf_parse__error_set_and_wrap(void **state)
{
	struct sf_error e = SF_ERROR_INIT;

	(void)state;
	e.api_used = 3;
	assert_int_equal(sf__error_set(&e, SF_CLASS_NETWORK, 0, NULL,
				       "GET %s: timeout\r\nafter %d ms", "/x",
				       5),
			 BASE_ERETRY);
	assert_string_equal(e.message, "GET /x: timeout  after 5 ms");
	assert_int_equal(e.api_used, 3);
	assert_int_equal(sf__error_wrap(&e, "get Account '%s'", "001"),
			 BASE_ERETRY);
	assert_string_equal(e.message,
			    "get Account '001': GET /x: timeout  after 5 ms");
	sf_error_clear(&e);
	assert_int_equal(e.api_used, -1);
	assert_int_equal(e.cls, SF_CLASS_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sf_parse__rest_error_first_element),
		cmocka_unit_test(test_sf_parse__rest_error_fields_and_count),
		cmocka_unit_test(test_sf_parse__rest_error_status_code_variant),
		cmocka_unit_test(test_sf_parse__rest_error_at_most_8_fields),
		cmocka_unit_test(test_sf_parse__rest_error_wrong_shapes),
		cmocka_unit_test(
			test_sf_parse__text_is_one_line_and_cut_on_utf8),
		cmocka_unit_test(test_sf_parse__oauth_error),
		cmocka_unit_test(
			test_sf_parse__oauth_error_without_description),
		cmocka_unit_test(test_sf_parse__oauth_error_wrong_shapes),
		cmocka_unit_test(test_sf_parse__soap_login_fault),
		cmocka_unit_test(test_sf_parse__soap_fault_without_detail),
		cmocka_unit_test(test_sf_parse__soap_client_fault),
		cmocka_unit_test(test_sf_parse__soap_refuses_dtd),
		cmocka_unit_test(test_sf_parse__soap_wrong_shapes),
		cmocka_unit_test(test_sf_parse__limit_info),
		cmocka_unit_test(test_sf_parse__limit_info_rejects),
		cmocka_unit_test(test_sf_parse__reply_rest_401),
		cmocka_unit_test(test_sf_parse__reply_oauth_400),
		cmocka_unit_test(test_sf_parse__reply_soap_500),
		cmocka_unit_test(test_sf_parse__reply_html_503_is_transient),
		cmocka_unit_test(test_sf_parse__reply_empty_and_gateway),
		cmocka_unit_test(test_sf_parse__reply_fault_with_200),
		cmocka_unit_test(test_sf_parse__reply_daily_limit),
		cmocka_unit_test(test_sf_parse__classify_table),
		cmocka_unit_test(test_sf_parse__classify_null_inputs),
		cmocka_unit_test(test_sf_parse__error_predicates),
		cmocka_unit_test(test_sf_parse__error_set_and_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
