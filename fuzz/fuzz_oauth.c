/* fuzz_oauth.c - libFuzzer target for the OAuth endpoints, via the router. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "base/buf.h"
#include "base/banned.h"

#define TOKEN_PATH "/services/oauth2/token"

/* Tokens are random, so the fuzzer reaches the paths behind one only
 * through these (all of admin@example.com, for the app "Fuzz Connector"). */
static const struct fuzz_placeholder placeholders[] = {
	{"@SID@", FUZZ_OAUTH_SESSION}, /* an access token */
	{"@RT@", FUZZ_REFRESH_TOKEN},
	{"@UID@", FUZZ_USER_ID},
};

/*
 * No secret of the org may leak, even one the input sent (a form value is
 * never echoed), and a token must come with what a client needs.
 */
static void check(const struct fuzz_call *c)
{
	json_t *v = c->json;

	fuzz_harness_check_secrets(c, false);
	if (c->resp->status == 200 && strcmp(c->req->path, TOKEN_PATH) == 0 &&
	    (!json_is_string(json_object_get(v, "access_token")) ||
	     !json_is_string(json_object_get(v, "instance_url")) ||
	     !json_is_string(json_object_get(v, "id")) ||
	     !json_is_string(json_object_get(v, "signature"))))
		fuzz_harness_fail("token reply lacks fields: %s",
				  base_buf_str(&c->resp->body));
}

/*
 * The input is a form body for POST /services/oauth2/token, optionally
 * preceded by '@' lines (harness.h): "@/revoke?token=x" is the path after
 * /services/oauth2, "@Name: value" a header such as Authorization: Basic
 * (before the default Content-Type: application/x-www-form-urlencoded, so
 * it wins). The app "Fuzz Connector" holds fuzz_jwt.c's certificate, so
 * its seed fuzz/corpus/jwt/valid passes the JWT bearer grant.
 */
static const struct fuzz_target target = {
	.name = "fuzz_oauth",
	.path_prefix = "/services/oauth2",
	.default_path = TOKEN_PATH,
	.content_type = "application/x-www-form-urlencoded",
	.placeholders = placeholders,
	.nplaceholders = sizeof(placeholders) / sizeof(placeholders[0]),
	.check = check,
};

FUZZ_HARNESS_TARGET(target);
