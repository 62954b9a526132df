/* harness.c - the router-level fuzz targets' org, requests and reply checks. */
#include "harness.h"
#include "lines.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/form.h"
#include "base/log.h"
#include "emu/org.h"
#include "emu/orgfile.h"
#include "emu/records.h"
#include "emu/server.h"
#include "base/banned.h"

/*
 * The org every input talks to, kept in memory. Users: admin@example.com
 * (password "Fuzz-Pass-1", token "FuzzTokenFuzzTokenFuzz01"), a user whose
 * profile allows 127.0.0.1 (bare password accepted), one without API
 * access, one granted it by a permission set, one with an expired
 * password, one with login hours, a frozen one. maxLoginAttempts is 3, so
 * failed logins lock users: the org is rebuilt every ORG_RESET_EVERY
 * inputs, so that both the lockout and the successful paths stay
 * reachable.
 *
 * The app "Fuzz Connector" (consumer key 3MVG9fuzzconsumerkey, secret
 * FuzzConsumerSecret01) has every flow, runs client_credentials as
 * admin@example.com, and holds the certificate of fuzz_jwt.c, whose seed
 * fuzz/corpus/jwt/valid (iss 3MVG9fuzzconsumerkey, sub admin@example.com)
 * therefore passes the JWT bearer grant.
 *
 * For the data API (fuzz_rest.c), Account has a unique external id
 * (Ext__c), a second external id that two seeds share (Region__c "EMEA",
 * so an upsert on it answers 300), a restricted picklist, a multipicklist,
 * a checkbox, a number, a datetime, a lookup to the custom object Deal__c,
 * and Hidden__c, which the Integration profile may not read (field-level
 * security). Deal__c has a lookup to Account, a restricted picklist with a
 * default, a multipicklist, a currency, a date and its own external id.
 * Seed records belong to admin@example.com, the first user.
 */
static const char org_login_json[] =
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
	"\"ModifyAllData\":true,\"UseAnyApiAuth\":true},"
	"\"fieldPermissions\":[{\"field\":\"Account.Hidden__c\","
	"\"readable\":false}]},"
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

/* The data part, apart: one literal would pass C's 4,095 characters. */
static const char org_data_json[] =
	"{\"customObjects\":[{\"name\":\"Deal__c\",\"label\":\"Deal\","
	"\"labelPlural\":\"Deals\",\"fields\":["
	"{\"name\":\"Account__c\",\"type\":\"Lookup\","
	"\"referenceTo\":\"Account\"},"
	"{\"name\":\"Stage__c\",\"type\":\"Picklist\",\"values\":[\"New\","
	"\"Won\",\"Lost\"],\"default\":\"New\",\"restricted\":true},"
	"{\"name\":\"Products__c\",\"type\":\"MultiselectPicklist\","
	"\"values\":[\"Alpha\",\"Beta\",\"Gamma\"]},"
	"{\"name\":\"Amount__c\",\"type\":\"Currency\",\"precision\":16,"
	"\"scale\":2},"
	"{\"name\":\"Close__c\",\"type\":\"Date\"},"
	"{\"name\":\"Deal_Key__c\",\"type\":\"Text\",\"length\":32,"
	"\"externalId\":true,\"unique\":true}]}],"
	"\"customFields\":{\"Account\":["
	"{\"name\":\"Ext__c\",\"type\":\"Text\",\"length\":64,"
	"\"externalId\":true,\"unique\":true},"
	"{\"name\":\"Region__c\",\"type\":\"Text\",\"length\":20,"
	"\"externalId\":true},"
	"{\"name\":\"Tier__c\",\"type\":\"Picklist\",\"values\":[\"Gold\","
	"\"Silver\",\"Bronze\"],\"restricted\":true},"
	"{\"name\":\"Regions__c\",\"type\":\"MultiselectPicklist\","
	"\"values\":[\"East\",\"West\",\"North\"]},"
	"{\"name\":\"Partner__c\",\"type\":\"Checkbox\"},"
	"{\"name\":\"Score__c\",\"type\":\"Number\",\"precision\":5,"
	"\"scale\":1},"
	"{\"name\":\"Since__c\",\"type\":\"DateTime\"},"
	"{\"name\":\"Top_Deal__c\",\"type\":\"Lookup\","
	"\"referenceTo\":\"Deal__c\"},"
	"{\"name\":\"Hidden__c\",\"type\":\"Text\",\"length\":40}]},"
	"\"records\":{\"Account\":["
	"{\"Name\":\"Globex\",\"Ext__c\":\"X1\",\"Region__c\":\"EMEA\","
	"\"Tier__c\":\"Gold\",\"Regions__c\":\"East;West\",\"Score__c\":4.5,"
	"\"Since__c\":\"2024-01-02T03:04:05.000Z\",\"Hidden__c\":\"h1\"},"
	"{\"Name\":\"Initech\",\"Ext__c\":\"X2\",\"Region__c\":\"EMEA\","
	"\"Industry\":\"Technology\"},"
	"{\"Name\":\"Umbrella\",\"Region__c\":\"APAC\",\"Partner__c\":true}],"
	"\"Deal__c\":[{\"Name\":\"Deal One\",\"Deal_Key__c\":\"D1\","
	"\"Stage__c\":\"Won\",\"Products__c\":\"Alpha;Beta\","
	"\"Amount__c\":1200.5,\"Close__c\":\"2024-03-01\"}],"
	"\"Contact\":[{\"LastName\":\"Smith\",\"FirstName\":\"Jo\","
	"\"Email\":\"jo.smith@example.com\"}]}}";

#define ORG_RESET_EVERY   128
#define APP_KEY           "3MVG9fuzzconsumerkey"
#define MAX_INPUT_HEADERS 4
#define MAX_PLACEHOLDERS  8
#define VALUE_MAX         160 /* a session, token or id, with its NUL */

/* Secrets of the embedded org that no reply may ever carry. */
static const char *const secrets[] = {
	"FuzzConsumerSecret01",     "PasswordOnlySecret99", "Fuzz-Pass-1",
	"FuzzTokenFuzzTokenFuzz01", "Office-Pass-1",        "Expired-Pass-1",
};

/*
 * Single-threaded, like every libFuzzer target: set up once, then per
 * input. g_session and g_bearer hold the FUZZ_LOGIN session of g_org (""
 * without one); the seed ids are read once per org, so a placeholder
 * still names the seed after an input deleted it.
 */
static const struct fuzz_target *g_target;
static struct emu_org *g_org;
static unsigned long g_runs;
static bool g_verbose; /* SFEMU_FUZZ_VERBOSE=1: print each reply */
static char g_session[VALUE_MAX];
static char g_bearer[VALUE_MAX + 8];
static char g_account_id[EMU_SFID_LEN + 1];
static char g_deal_id[EMU_SFID_LEN + 1];

/*
 * One request the harness runs: an input's, or its own login. The strings
 * are borrowed from the input buffer or static text; query and body_copy
 * are owned, freed by request_release().
 */
struct request {
	const char *method;
	char method_buf[16];
	char path[256]; /* may hold "?query"; a longer line is cut */
	const char *content_type;
	const char *headers[MAX_INPUT_HEADERS + 3][2];
	int nheaders;
	const char *body; /* need not be NUL-terminated */
	size_t body_len;
	struct base_buf query; /* FUZZ_INPUT_AS_QUERY: the built query */
	char *body_copy;       /* what req->body points at */
};

void fuzz_harness_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", g_target->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void request_release(struct request *rq)
{
	base_buf_release(&rq->query);
	free(rq->body_copy);
	rq->body_copy = NULL;
}

/* %-encodes every byte but the unreserved ones, as a client would. */
static void put_encoded(struct base_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c && strchr("-._~", c))) {
			base_buf_putc(b, (char)c);
		} else {
			base_buf_putc(b, '%');
			base_buf_putc(b, hex[c >> 4]);
			base_buf_putc(b, hex[c & 15]);
		}
	}
}

/*
 * Fills req from rq as the HTTP layer would (the query split off the path,
 * repeated slashes collapsed, the query parsed), with the default headers
 * after rq's own. The body goes to an exact-size, NUL-terminated copy, so
 * ASan sees any read past it. False when out of memory.
 */
static bool request_prepare(struct request *rq, struct emu_req *req)
{
	char *q = strchr(rq->path, '?');
	size_t plen = strlen(rq->path);

	rq->headers[rq->nheaders][0] = "Content-Type";
	rq->headers[rq->nheaders++][1] = rq->content_type;
	rq->headers[rq->nheaders][0] = "Host";
	rq->headers[rq->nheaders++][1] = "127.0.0.1:1";
	if (g_bearer[0]) {
		rq->headers[rq->nheaders][0] = "Authorization";
		rq->headers[rq->nheaders++][1] = g_bearer;
	}
	req->method = rq->method;
	req->raw_query = "";
	if (q) {
		*q = '\0';
		req->raw_query = q + 1;
	}
	if ((g_target->flags & FUZZ_INPUT_AS_QUERY) && q &&
	    rq->path + plen - 1 > q && rq->path[plen - 1] == '=') {
		base_buf_puts(&rq->query, req->raw_query);
		put_encoded(&rq->query, rq->body, rq->body_len);
		base_buf_append(&rq->query, "", 0);
		if (base_buf_err(&rq->query))
			return false;
		req->raw_query = rq->query.data;
		rq->body_len = 0;
	}
	emu_http_collapse_slashes(rq->path);
	if (base_form_parse(&req->query, req->raw_query, strlen(req->raw_query),
			    NULL) != 0)
		req->query.n = 0;

	rq->body_copy = malloc(rq->body_len + 1);
	if (!rq->body_copy)
		return false;
	if (rq->body_len)
		memcpy(rq->body_copy, rq->body, rq->body_len);
	rq->body_copy[rq->body_len] = '\0';

	req->path = rq->path;
	req->body = rq->body_copy;
	req->body_len = rq->body_len;
	snprintf(req->client_ip, sizeof(req->client_ip), "127.0.0.1");
	req->peer_is_loopback = true;
	req->conn = NULL;
	req->headers = rq->headers;
	req->nheaders = rq->nheaders;
	return true;
}

/* The id of the seed record of `object` whose `field` is `value`. */
static void seed_id(const char *object, const char *field, const char *value,
		    char (*out)[EMU_SFID_LEN + 1])
{
	const struct emu_sobject *o = emu_schema_object(g_org->schema, object);
	const struct emu_field *f = o ? emu_sobject_field(o, field) : NULL;
	struct emu_sferr e = {0};
	int n = 0;

	if (!f || emu_record_find(g_org, o, f, value, out, 1, &n, &e) != 0 ||
	    n != 1)
		fuzz_harness_fail("seed %s.%s '%s': %s", object, field, value,
				  e.message);
}

/*
 * FUZZ_LOGIN: what a client does first, through the router: the OAuth
 * password flow as admin@example.com (password + token: 127.0.0.1 is not a
 * trusted range). Fills g_session and g_bearer.
 */
static void login(void)
{
	static const char form[] =
		"grant_type=password&client_id=" APP_KEY
		"&client_secret=FuzzConsumerSecret01"
		"&username=admin%40example.com"
		"&password=Fuzz-Pass-1FuzzTokenFuzzTokenFuzz01";
	struct request rq = {.method = "POST",
			     .path = "/services/oauth2/token",
			     .content_type =
				     "application/x-www-form-urlencoded",
			     .body = form,
			     .body_len = sizeof(form) - 1,
			     .query = BASE_BUF_INIT(1024)};
	struct emu_req req = {0};
	struct emu_resp resp = {.status = 200, .body = BASE_BUF_INIT(1 << 20)};
	json_t *v = NULL;
	const char *tok;

	explicit_bzero(g_session, sizeof(g_session));
	explicit_bzero(g_bearer, sizeof(g_bearer));
	if (!request_prepare(&rq, &req))
		fuzz_harness_fail("login: out of memory");
	emu_server_handle(g_org, &req, &resp);
	v = json_loadb(base_buf_str(&resp.body), resp.body.len, 0, NULL);
	tok = json_string_value(json_object_get(v, "access_token"));
	if (resp.status != 200 || !tok || strlen(tok) >= sizeof(g_session))
		fuzz_harness_fail("login: %d %s", resp.status,
				  base_buf_str(&resp.body));
	snprintf(g_session, sizeof(g_session), "%s", tok);
	snprintf(g_bearer, sizeof(g_bearer), "Bearer %s", tok);
	json_decref(v);
	base_buf_release(&resp.body);
	base_form_release(&req.query);
	request_release(&rq);
}

/* The org file: the login part with the data part's keys added. */
static char *org_json(void)
{
	json_t *def = json_loads(org_login_json, 0, NULL);
	json_t *data = json_loads(org_data_json, 0, NULL);
	char *text = NULL;

	if (def && data && json_object_update(def, data) == 0)
		text = json_dumps(def, JSON_COMPACT);
	json_decref(def);
	json_decref(data);
	if (!text)
		fuzz_harness_fail("embedded org: not JSON");
	return text;
}

/* Opens g_org afresh: the seed ids, then the session (FUZZ_LOGIN). */
static void open_org(void)
{
	struct base_err err = BASE_ERR_INIT;
	char *text = org_json();
	json_t *def = NULL;

	g_org = NULL;
	if (emu_orgfile_parse(text, strlen(text), &def, &err) != 0 ||
	    emu_org_open(def, NULL, &g_org, &err) != 0)
		fuzz_harness_fail("embedded org: %s", err.msg);
	free(text);
	snprintf(g_org->base_url, sizeof(g_org->base_url),
		 "http://127.0.0.1:1");
	seed_id("Account", "Ext__c", "X1", &g_account_id);
	seed_id("Deal__c", "Deal_Key__c", "D1", &g_deal_id);
	if (g_target->flags & FUZZ_LOGIN)
		login();
}

/* libxml2 reports encoding errors even under XML_PARSE_NOERROR. */
static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int fuzz_harness_init(const struct fuzz_target *t)
{
	g_target = t;
	if (t->nplaceholders > MAX_PLACEHOLDERS)
		fuzz_harness_fail("more than %d placeholders",
				  MAX_PLACEHOLDERS);
	g_verbose = getenv("SFEMU_FUZZ_VERBOSE") != NULL;
	base_log_set_level(g_verbose ? BASE_LOG_DEBUG : BASE_LOG_OFF);
	xmlInitParser();
	if (!g_verbose)
		xmlSetGenericErrorFunc(NULL, xml_quiet);
	open_org();
	return 0;
}

/* Writes what `v` stands for into out (VALUE_MAX bytes). */
static void make_value(const struct fuzz_placeholder *ph, char *out)
{
	struct base_err err = BASE_ERR_INIT;
	enum fuzz_value v = ph->value;
	struct emu_app app = {0};
	struct emu_user u;
	int rc = 0;

	if (v == FUZZ_ACCOUNT_ID || v == FUZZ_DEAL_ID) {
		snprintf(out, VALUE_MAX, "%s",
			 v == FUZZ_ACCOUNT_ID ? g_account_id : g_deal_id);
		return;
	}
	if (emu_org_find_user(g_org,
			      v == FUZZ_SOAP_SESSION_EXPIRED
				      ? "expired@example.com"
				      : "admin@example.com",
			      &u, &err) != 0 ||
	    ((v == FUZZ_OAUTH_SESSION || v == FUZZ_REFRESH_TOKEN) &&
	     emu_org_find_app(g_org, APP_KEY, &app, &err) != 0))
		goto fail;
	if (v == FUZZ_SOAP_SESSION || v == FUZZ_SOAP_SESSION_EXPIRED)
		rc = emu_org_session_new(g_org, u.id, NULL, "soap",
					 v == FUZZ_SOAP_SESSION_EXPIRED, out,
					 VALUE_MAX, &err);
	else if (v == FUZZ_OAUTH_SESSION)
		rc = emu_org_session_new(g_org, u.id, app.id, "oauth", false,
					 out, VALUE_MAX, &err);
	else if (v == FUZZ_REFRESH_TOKEN)
		rc = emu_org_refresh_new(g_org, u.id, app.id, out, VALUE_MAX,
					 &err);
	else
		snprintf(out, VALUE_MAX, "%s", u.id);
	emu_app_release(&app);
	if (rc == 0)
		return;
fail:
	fuzz_harness_fail("make %s: %s", ph->key, err.msg);
}

/* Copies data into out, replacing the target's placeholders. */
static void expand(const uint8_t *data, size_t size, struct base_buf *out)
{
	const struct fuzz_placeholder *phs = g_target->placeholders;
	char values[MAX_PLACEHOLDERS][VALUE_MAX];
	bool made[MAX_PLACEHOLDERS] = {false};
	size_t i = 0;

	while (i < size) {
		bool hit = false;

		if (data[i] == '@') {
			for (size_t k = 0; k < g_target->nplaceholders; k++) {
				size_t n = strlen(phs[k].key);

				if (size - i < n ||
				    memcmp(data + i, phs[k].key, n))
					continue;
				if (!made[k])
					make_value(&phs[k], values[k]);
				made[k] = true;
				base_buf_puts(out, values[k]);
				i += n;
				hit = true;
				break;
			}
		}
		if (!hit)
			base_buf_putc(out, (char)data[i++]);
	}
	/* Sessions and tokens are secrets in sfemu: wipe ours as it would. */
	explicit_bzero(values, sizeof(values));
}

/*
 * Reads the '@' lines at p (see harness.h) into rq, cutting them in place;
 * returns where the body starts.
 */
static char *read_lines(struct request *rq, char *p, char *end)
{
	const struct fuzz_target *t = g_target;
	struct fuzz_lines l;

	p = fuzz_lines_read(&l, p, end, t->flags & FUZZ_METHOD_LINES,
			    MAX_INPUT_HEADERS);
	if (l.method[0]) {
		snprintf(rq->method_buf, sizeof(rq->method_buf), "%s",
			 l.method);
		rq->method = rq->method_buf;
	}
	if (l.path)
		snprintf(rq->path, sizeof(rq->path), "%s%s", t->path_prefix,
			 l.path);
	for (int i = 0; i < l.nheaders; i++) {
		rq->headers[rq->nheaders][0] = l.headers[i][0];
		rq->headers[rq->nheaders][1] = l.headers[i][1];
		rq->nheaders++;
	}
	return p;
}

/* The path is only_under itself or below it. */
static bool in_scope(const char *path)
{
	const char *under = g_target->only_under;
	size_t n = under ? strlen(under) : 0;

	return !under ||
	       (strncmp(path, under, n) == 0 && (!path[n] || path[n] == '/'));
}

/* memmem, which C11 and POSIX lack. */
static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; k <= n && i <= n - k; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

void fuzz_harness_check_secrets(const struct fuzz_call *c, bool unless_sent)
{
	const char *body = base_buf_str(&c->resp->body);

	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		/* A secret has no ':' or '\n', which the input lost to the
		 * '@'-line parser: the cut input still holds any it sent. */
		if (strstr(body, secrets[i]) &&
		    !(unless_sent &&
		      contains(c->input, c->input_len, secrets[i])))
			fuzz_harness_fail("response leaks '%s': %s", secrets[i],
					  body);
	}
	if (g_session[0] && strstr(body, g_session))
		fuzz_harness_fail("response leaks the session: %s", body);
}

/* The reply must be what its Content-Type says: an Envelope, or JSON. */
static void check_reply(struct fuzz_call *c)
{
	const struct emu_resp *resp = c->resp;
	const char *body = base_buf_str(&resp->body);

	if (resp->status < 100 || resp->status > 599 ||
	    base_buf_err(&resp->body) ||
	    (!resp->content_type[0] && resp->status != 204))
		fuzz_harness_fail("bad reply: status %d, type '%s', body %d",
				  resp->status, resp->content_type,
				  base_buf_err(&resp->body));
	if (strncmp(resp->content_type, "text/xml", 8) == 0) {
		xmlDoc *doc = xmlReadMemory(
			body, (int)resp->body.len, "response.xml", NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING);
		xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

		if (!root || strcmp((const char *)root->name, "Envelope") != 0)
			fuzz_harness_fail("ill-formed XML response (%d): %s",
					  resp->status, body);
		xmlFreeDoc(doc);
	} else if (strncmp(resp->content_type, "application/json", 16) == 0 &&
		   resp->body.len) {
		/* Empty only where sfemu means it (revoke's 200). */
		c->json =
			json_loadb(body, resp->body.len, JSON_DECODE_ANY, NULL);
		if (!c->json)
			fuzz_harness_fail("bad JSON response (%d): %s",
					  resp->status, body);
	}
	if (g_target->check)
		g_target->check(c);
}

int fuzz_harness_run(const uint8_t *data, size_t size)
{
	struct base_buf in = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	struct request rq = {.method = "POST",
			     .content_type = g_target->content_type,
			     .query = BASE_BUF_INIT(EMU_HTTP_MAX_BODY)};
	struct emu_req req = {.method = "POST", .raw_query = ""};
	struct emu_resp resp = {.status = 200,
				.body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY)};
	struct fuzz_call call = {.req = &req, .resp = &resp};
	char *p;

	if (++g_runs % ORG_RESET_EVERY == 0) {
		emu_org_free(g_org);
		open_org();
	}
	expand(data, size, &in);
	base_buf_append(&in, "", 0); /* data is NULL for an empty input */
	if (base_buf_err(&in) || !in.data)
		goto out;
	snprintf(rq.path, sizeof(rq.path), "%s", g_target->default_path);
	p = read_lines(&rq, in.data, in.data + in.len);
	rq.body = p;
	rq.body_len = (size_t)(in.data + in.len - p);
	if (!request_prepare(&rq, &req) || !in_scope(req.path))
		goto out;

	emu_server_handle(g_org, &req, &resp);
	if (g_verbose)
		fprintf(stderr, "%s: %s %s -> %d %s\n%s\n", g_target->name,
			req.method, req.path, resp.status, resp.content_type,
			base_buf_str(&resp.body));
	call.input = in.data;
	call.input_len = in.len;
	check_reply(&call);
out:
	json_decref(call.json);
	base_form_release(&req.query);
	base_buf_release(&resp.body);
	base_buf_release(&in);
	request_release(&rq);
	return 0;
}
