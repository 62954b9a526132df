/* fuzz_soap.c - libFuzzer target for the SOAP API, through the router. */
#include <stdint.h>
#include <stddef.h>

#include "harness.h"
#include "base/banned.h"

/* Sessions are random, so the fuzzer reaches the paths behind one only
 * through these. */
static const struct fuzz_placeholder placeholders[] = {
	{"@SID@", FUZZ_SOAP_SESSION},          /* admin@example.com */
	{"@XSID@", FUZZ_SOAP_SESSION_EXPIRED}, /* password expired */
	{"@UID@", FUZZ_USER_ID},               /* admin@example.com's id */
};

/*
 * The input is a request body for POST /services/Soap/u/60.0, optionally
 * preceded by '@' lines (harness.h): "@/c/45.0" is the path after
 * /services/Soap, "@Name: value" a header (before the default Content-Type:
 * text/xml, so it wins). Besides the harness's checks (a text/xml reply
 * must be a well-formed Envelope), none of its own.
 */
static const struct fuzz_target target = {
	.name = "fuzz_soap",
	.path_prefix = "/services/Soap",
	.default_path = "/services/Soap/u/60.0",
	.content_type = "text/xml; charset=UTF-8",
	.placeholders = placeholders,
	.nplaceholders = sizeof(placeholders) / sizeof(placeholders[0]),
};

FUZZ_HARNESS_TARGET(target);
