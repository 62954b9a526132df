/* fuzz_soap.c - libFuzzer target for the SOAP API, through the router. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/log.h"
#include "emu/http.h"
#include "emu/org.h"
#include "emu/orgfile.h"
#include "emu/server.h"
#include "base/banned.h"

/*
 * The org every input talks to, kept in memory. Users: admin@example.com
 * (password "Fuzz-Pass-1", token "FuzzTokenFuzzTokenFuzz01"), a user whose
 * profile allows 127.0.0.1 (bare password accepted), one without API
 * access, one with an expired password, one with login hours, a frozen one.
 * maxLoginAttempts is 3, so failed logins lock users: the org is rebuilt
 * every ORG_RESET_EVERY inputs, so that both the lockout and the successful
 * paths stay reachable. The apps are fuzz_oauth.c's (same org there);
 * SOAP ignores them.
 */
static const char org_json[] =
	"{\"orgName\":\"Fuzz Org\",\"edition\":\"Enterprise\","
	"\"myDomain\":\"fuzz\",\"timeZone\":\"America/Los_Angeles\","
	"\"settings\":{\"passwordPolicies\":{\"maxLoginAttempts\":3,"
	"\"lockoutInterval\":15,\"expiresInDays\":90},"
	"\"trustedIpRanges\":[{\"start\":\"10.0.0.0\","
	"\"end\":\"10.255.255.255\"}],"
	"\"soapLoginEnabled\":true,\"usernamePasswordFlowEnabled\":true,"
	"\"loginRatePerHour\":50},"
	"\"profiles\":["
	"{\"name\":\"Integration\",\"permissions\":{\"ApiEnabled\":true,"
	"\"ModifyAllData\":true,\"UseAnyApiAuth\":true}},"
	"{\"name\":\"No API\",\"permissions\":{\"ApiEnabled\":false,"
	"\"UseAnyApiAuth\":true}},"
	"{\"name\":\"Office IP\",\"permissions\":{\"ApiEnabled\":true,"
	"\"UseAnyApiAuth\":true},\"loginIpRanges\":[{\"startAddress\":"
	"\"127.0.0.1\",\"endAddress\":\"127.0.0.1\"}]},"
	"{\"name\":\"Weekday Hours\",\"permissions\":{\"ApiEnabled\":true,"
	"\"UseAnyApiAuth\":true},\"loginHours\":{\"mondayStart\":480,"
	"\"mondayEnd\":1020,\"tuesdayStart\":0,\"tuesdayEnd\":1440}}],"
	"\"permissionSets\":[{\"name\":\"API_Grant\",\"permissions\":"
	"{\"ApiEnabled\":true}}],"
	"\"users\":["
	"{\"username\":\"admin@example.com\",\"password\":\"Fuzz-Pass-1\","
	"\"securityToken\":\"FuzzTokenFuzzTokenFuzz01\",\"profile\":"
	"\"Integration\",\"firstName\":\"Ada\",\"lastName\":\"Admin\"},"
	"{\"username\":\"office@example.com\",\"password\":\"Office-Pass-1\","
	"\"securityToken\":\"OfficeOfficeOfficeOffice\","
	"\"profile\":\"Office IP\"},"
	"{\"username\":\"noapi@example.com\",\"password\":\"NoApi-Pass-1\","
	"\"securityToken\":\"NoApiNoApiNoApiNoApiNoAp\","
	"\"profile\":\"No API\"},"
	"{\"username\":\"grant@example.com\",\"password\":\"Grant-Pass-1\","
	"\"securityToken\":\"GrantGrantGrantGrantGran\",\"profile\":\"No API\","
	"\"permissionSets\":[\"API_Grant\"]},"
	"{\"username\":\"expired@example.com\",\"password\":\"Expired-Pass-1\","
	"\"securityToken\":\"ExpiredExpiredExpiredExp\",\"profile\":"
	"\"Integration\",\"passwordExpired\":true},"
	"{\"username\":\"hours@example.com\",\"password\":\"Hours-Pass-1\","
	"\"securityToken\":\"HoursHoursHoursHoursHour\",\"profile\":"
	"\"Weekday Hours\"},"
	"{\"username\":\"frozen@example.com\",\"password\":\"Frozen-Pass-1\","
	"\"securityToken\":\"FrozenFrozenFrozenFrozen\",\"profile\":"
	"\"Integration\",\"isFrozen\":true}],"
	"\"apps\":[{\"name\":\"Fuzz Connector\","
	"\"consumerKey\":\"3MVG9fuzzconsumerkey\","
	"\"consumerSecret\":\"FuzzConsumerSecret01\","
	"\"flows\":[\"password\",\"client_credentials\",\"jwt_bearer\","
	"\"refresh_token\"],\"runAsUser\":\"admin@example.com\","
	"\"preAuthorizedProfiles\":[\"Integration\"],\"certificate\":"
	"\"-----BEGIN CERTIFICATE-----\\n"
	"MIIDFzCCAf+gAwIBAgIUf/0+FbQwcVrzoUBNHZ+5T+sHaMMwDQYJKoZIhvcNAQEL\\n"
	"BQAwGjEYMBYGA1UEAwwPc2ZlbXUgZnV6eiB0ZXN0MCAXDTI2MTEyOTE5MTQwOVoY\\n"
	"DzIxMjYxMTA1MTkxNDA5WjAaMRgwFgYDVQQDDA9zZmVtdSBmdXp6IHRlc3QwggEi\\n"
	"MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCrjFpZEGFtWwzwfxx2PeazYJFE\\n"
	"coHVaxdyMUN5ZDut+7yEUsznTLdzOln46d0e6MHHvupLyiWIcMKYzLmd2cm1HuCr\\n"
	"+vQiGptr1PNQkNCeZOftVySuMR2QDYgyiTTD12PCVvvi1a9DN76PjZ2S8zgbZfJM\\n"
	"JY5JxJ3TgTndoyIb6izFyIn7xgJMVa1DftlMFGfaPse1YWHcLzdC1SYFTQG8ILdJ\\n"
	"kclSdQhatNvJDQDcipSuyyRp7z5JypHAascOULCnJeVOojWXsTIz6FyDns9xRvRo\\n"
	"atu/V7jCtEzw2SqmScqBrjuRLj/Q+gPHRml0iIw6W8zMmAjr9tpqIm4o1jtPAgMB\\n"
	"AAGjUzBRMB0GA1UdDgQWBBTHN+LYdmA0Rt3o96LpKtwa4IrKmTAfBgNVHSMEGDAW\\n"
	"gBTHN+LYdmA0Rt3o96LpKtwa4IrKmTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\\n"
	"DQEBCwUAA4IBAQCmy/KqEXABp8XUXcAk709M4N6EHMyzsgvfS3/zs7LqlpflTYn7\\n"
	"J/RlAEDEJNLGWA3E+IJ6mRBOmv0Lg4XGsR9JbWNu4Cit1mYOXY8KW21YW94c4NIk\\n"
	"NBWWUUizmef3x7h3RoIWOBktjSniJEP5wAU1iVfoaYK4lqOs2eOW3e7VkRGZi7yS\\n"
	"mIAx69733JoD/xvxgUiUJ4pi998TkGYmuMs7mfNjHrzxp8MZ0yMnRgbYFNHsVQRy\\n"
	"n2Pnlynv/FXOlrPBIE/PnjcHAc1IK0z6/c41hKA/abYODspqLl7Zc8OW88ueqGv2\\n"
	"Xswh+yqDAM50WOpNaLSDXDcI5gOBl4S6OM6p\\n"
	"-----END CERTIFICATE-----\\n\"},"
	"{\"name\":\"Password Only\",\"consumerKey\":\"3MVG9PasswordOnlyKey\","
	"\"consumerSecret\":\"PasswordOnlySecret99\","
	"\"flows\":[\"password\"]}]}";

#define ORG_RESET_EVERY   128
#define PATH_PREFIX       "/services/Soap"
#define DEFAULT_PATH      "/u/60.0"
#define DEFAULT_CTYPE     "text/xml; charset=UTF-8"
#define MAX_INPUT_HEADERS 4

/* Single-threaded, like every libFuzzer target: set up once, then per input. */
static struct emu_org *g_org;
static unsigned long g_runs;
static bool g_verbose; /* SFEMU_FUZZ_VERBOSE=1: print each response */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct emu_org *open_org(void)
{
	struct base_err err = BASE_ERR_INIT;
	struct emu_org *org = NULL;
	json_t *def = NULL;

	if (emu_orgfile_parse(org_json, strlen(org_json), &def, &err) != 0 ||
	    emu_org_open(def, NULL, &org, &err) != 0) {
		fprintf(stderr, "fuzz_soap: embedded org: %s\n", err.msg);
		abort();
	}
	snprintf(org->base_url, sizeof(org->base_url), "http://127.0.0.1:1");
	return org;
}

/* libxml2 reports encoding errors even under XML_PARSE_NOERROR. */
static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_verbose = getenv("SFEMU_FUZZ_VERBOSE") != NULL;
	base_log_set_level(g_verbose ? BASE_LOG_DEBUG : BASE_LOG_OFF);
	xmlInitParser();
	if (!g_verbose)
		xmlSetGenericErrorFunc(NULL, xml_quiet);
	g_org = open_org();
	return 0;
}

/*
 * Placeholders an input may hold, so that the fuzzer can reach the paths
 * behind a valid session (tokens are random, it could never guess one):
 *   @SID@   a new session of admin@example.com
 *   @XSID@  a new session of expired@example.com (password expired)
 *   @UID@   admin@example.com's 18-character id
 * Each is made at most once per input, and only when the input uses it.
 */
struct subst {
	const char *key;
	char value[160];
	bool made;
};

static void make_value(struct subst *s)
{
	struct base_err err = BASE_ERR_INIT;
	bool expired = strcmp(s->key, "@XSID@") == 0;
	struct emu_user u;

	if (emu_org_find_user(g_org,
			      expired ? "expired@example.com"
				      : "admin@example.com",
			      &u, &err) != 0)
		goto fail;
	if (strcmp(s->key, "@UID@") == 0)
		snprintf(s->value, sizeof(s->value), "%s", u.id);
	else if (emu_org_session_new(g_org, u.id, NULL, "soap", expired,
				     s->value, sizeof(s->value), &err) != 0)
		goto fail;
	s->made = true;
	return;
fail:
	fprintf(stderr, "fuzz_soap: make %s: %s\n", s->key, err.msg);
	abort();
}

/* Copies data into out, replacing the placeholders. */
static void expand(const uint8_t *data, size_t size, struct base_buf *out)
{
	struct subst subs[] = {
		{.key = "@SID@"}, {.key = "@XSID@"}, {.key = "@UID@"}};
	size_t i = 0;

	while (i < size) {
		bool hit = false;

		if (data[i] == '@') {
			for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]);
			     k++) {
				size_t n = strlen(subs[k].key);

				if (size - i < n ||
				    memcmp(data + i, subs[k].key, n))
					continue;
				if (!subs[k].made)
					make_value(&subs[k]);
				base_buf_puts(out, subs[k].value);
				i += n;
				hit = true;
				break;
			}
		}
		if (!hit)
			base_buf_putc(out, (char)data[i++]);
	}
	/* Sessions are secrets in sfemu: wipe ours as it would. */
	for (size_t k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		explicit_bzero(subs[k].value, sizeof(subs[k].value));
}

/* The response must be what its Content-Type says: well-formed XML or JSON. */
static void check_resp(const struct emu_resp *resp)
{
	const char *body = base_buf_str(&resp->body);

	if (resp->status < 100 || resp->status > 599 ||
	    !resp->content_type[0] || base_buf_err(&resp->body))
		abort();
	if (strncmp(resp->content_type, "text/xml", 8) == 0) {
		xmlDoc *doc = xmlReadMemory(
			body, (int)resp->body.len, "response.xml", NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
		xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

		if (!root ||
		    strcmp((const char *)root->name, "Envelope") != 0) {
			fprintf(stderr,
				"fuzz_soap: ill-formed XML response "
				"(%d): %s\n",
				resp->status, body);
			abort();
		}
		xmlFreeDoc(doc);
	} else if (strncmp(resp->content_type, "application/json", 16) == 0) {
		json_t *v = json_loadb(body, resp->body.len, 0, NULL);

		if (!v) {
			fprintf(stderr,
				"fuzz_soap: bad JSON response (%d): %s\n",
				resp->status, body);
			abort();
		}
		json_decref(v);
	}
}

/*
 * The input is a request body for POST /services/Soap/u/60.0, optionally
 * preceded by lines that start with '@' (the body of a SOAP request starts
 * with '<', so nothing is lost):
 *   "@/c/45.0\n"      the path after /services/Soap (default /u/60.0);
 *                     a '?' starts the query string
 *   "@Name: value\n"  a request header (up to 4; they come before the
 *                     defaults Content-Type: text/xml and Host, so they win)
 * Placeholders (see struct subst) are replaced first. Besides crashes and
 * sanitizer reports, aborts when a response is not well-formed.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct base_buf in = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	struct emu_req req = {.method = "POST", .raw_query = ""};
	struct emu_resp resp = {.status = 200,
				.body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY)};
	const char *headers[MAX_INPUT_HEADERS + 2][2];
	char path[256] = PATH_PREFIX DEFAULT_PATH;
	char *p, *end, *body = NULL, *q;
	int nh = 0;

	if (++g_runs % ORG_RESET_EVERY == 0) {
		emu_org_free(g_org);
		g_org = open_org();
	}
	expand(data, size, &in);
	base_buf_append(&in, "", 0); /* data is NULL for an empty input */
	if (base_buf_err(&in) || !in.data)
		goto out;
	p = in.data;
	end = in.data + in.len;
	while (p < end && *p == '@') {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p + 1, *colon;

		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
		if (line[0] == '/') {
			snprintf(path, sizeof(path), "%s%s", PATH_PREFIX, line);
		} else if ((colon = strchr(line, ':')) != NULL &&
			   nh < MAX_INPUT_HEADERS) {
			*colon++ = '\0';
			while (*colon == ' ')
				colon++;
			headers[nh][0] = line;
			headers[nh][1] = colon;
			nh++;
		}
	}
	headers[nh][0] = "Content-Type";
	headers[nh++][1] = DEFAULT_CTYPE;
	headers[nh][0] = "Host";
	headers[nh++][1] = "127.0.0.1:1";

	/* What the HTTP layer does with the URL before routing. */
	q = strchr(path, '?');
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
	}
	emu_http_collapse_slashes(path);
	if (base_form_parse(&req.query, req.raw_query, strlen(req.raw_query),
			    NULL) != 0)
		req.query.n = 0;

	/* An exact-size, NUL-terminated copy: ASan sees any read past it. */
	body = malloc((size_t)(end - p) + 1);
	if (!body)
		goto out;
	memcpy(body, p, (size_t)(end - p));
	body[end - p] = '\0';

	req.path = path;
	req.body = body;
	req.body_len = (size_t)(end - p);
	snprintf(req.client_ip, sizeof(req.client_ip), "127.0.0.1");
	req.peer_is_loopback = true;
	req.conn = NULL;
	req.headers = headers;
	req.nheaders = nh;

	emu_server_handle(g_org, &req, &resp);
	if (g_verbose)
		fprintf(stderr, "fuzz_soap: %s -> %d %s\n%s\n", path,
			resp.status, resp.content_type,
			base_buf_str(&resp.body));
	check_resp(&resp);
out:
	base_form_release(&req.query);
	base_buf_release(&resp.body);
	base_buf_release(&in);
	free(body);
	return 0;
}
