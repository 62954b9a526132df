/* fuzz_rest.c - libFuzzer target for the REST data API, with a real session. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "base/buf.h"
#include "base/banned.h"

/*
 * Ids are made when the org is, so the fuzzer reaches existing records
 * only through these. There is no placeholder for the session: the
 * harness sends it, and no reply may ever show it.
 */
static const struct fuzz_placeholder placeholders[] = {
	{"@UID@", FUZZ_USER_ID},    /* admin@example.com, the session's user */
	{"@AID@", FUZZ_ACCOUNT_ID}, /* Account Globex, Ext__c "X1" */
	{"@DID@", FUZZ_DEAL_ID},    /* Deal__c "Deal One", Deal_Key__c "D1" */
};

/*
 * One reply (or one subrequest's, inside a composite): never a 5xx (the
 * only one sfemu means is 500 UNKNOWN_EXCEPTION for a store failure, and
 * an in-memory store that fails is a finding too), and an error is
 * Salesforce's array of {message, errorCode}.
 */
static void check_one(int status, json_t *body, const char *what)
{
	size_t i;
	json_t *e;

	if (status >= 500)
		fuzz_harness_fail("%s: %d reply: %s", what, status,
				  json_string_value(json_object_get(
					  json_array_get(body, 0), "message")));
	if (status < 400)
		return;
	if (!json_is_array(body) || json_array_size(body) == 0)
		fuzz_harness_fail("%s: %d reply is no error array", what,
				  status);
	json_array_foreach(body, i, e)
	{
		if (!json_is_string(json_object_get(e, "message")) ||
		    !json_is_string(json_object_get(e, "errorCode")))
			fuzz_harness_fail("%s: %d reply: error %zu lacks "
					  "message or errorCode",
					  what, status, i);
	}
}

/* /composite and /composite/batch run subrequests through the same
 * handlers, and report their status inside a 200. */
static void check_subrequests(json_t *v)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(v, "compositeResponse"), i, r)
	{
		check_one((int)json_integer_value(
				  json_object_get(r, "httpStatusCode")),
			  json_object_get(r, "body"), "composite subrequest");
	}
	json_array_foreach(json_object_get(v, "results"), i, r)
	{
		check_one((int)json_integer_value(
				  json_object_get(r, "statusCode")),
			  json_object_get(r, "result"), "batch subrequest");
	}
}

/*
 * Besides the harness's checks: every reply is JSON (a 204 is empty), a
 * 201 names the 18-character id it made, check_one() holds for the reply
 * and each subrequest's, and no reply carries the session or a secret of
 * the org the input didn't send itself (a JSON parser error quotes it).
 */
static void check(const struct fuzz_call *c)
{
	const struct emu_resp *resp = c->resp;
	const char *body = base_buf_str(&resp->body);
	const char *id;

	if (resp->status == 204
		    ? resp->body.len != 0
		    : strncmp(resp->content_type, "application/json", 16) != 0)
		fuzz_harness_fail("%d reply of type '%s': %s", resp->status,
				  resp->content_type, body);
	check_one(resp->status, c->json, "reply");
	check_subrequests(c->json);
	id = json_string_value(json_object_get(c->json, "id"));
	if (resp->status == 201 && (!id || strlen(id) != 18))
		fuzz_harness_fail("201 reply without an id: %s", body);
	fuzz_harness_check_secrets(c, true);
}

/*
 * The input is the JSON body of POST /services/data/v60.0/sobjects/Account,
 * optionally preceded by '@' lines (harness.h) that choose another
 * request, such as
 *   "@PATCH /services/data/v60.0/sobjects/Account/Ext__c/X1"
 *   "@POST /services/data/v60.0/composite"
 *   "@GET /services/data/v60.0/query?q="  (the rest of the input is q)
 * and headers ("@Authorization: Bearer x" replaces the session). Paths
 * outside /services/data are skipped: the admin side (/_emu) could end the
 * session or change the org under later inputs, and SOAP and OAuth have
 * targets of their own.
 */
static const struct fuzz_target target = {
	.name = "fuzz_rest",
	.flags = FUZZ_METHOD_LINES | FUZZ_LOGIN | FUZZ_INPUT_AS_QUERY,
	.path_prefix = "",
	.default_path = "/services/data/v60.0/sobjects/Account",
	.content_type = "application/json",
	.only_under = "/services/data",
	.placeholders = placeholders,
	.nplaceholders = sizeof(placeholders) / sizeof(placeholders[0]),
	.check = check,
};

FUZZ_HARNESS_TARGET(target);
