/* soap.c - the SOAP API: login, logout, getUserInfo and setPassword, with Salesforce's faults. */
#include "server.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "login.h"
#include "base/banned.h"

#define SOAP_ENV_NS "http://schemas.xmlsoap.org/soap/envelope/"
/* login() requests are capped at 10 KB by Salesforce (DOC-login). */
#define SOAP_LOGIN_MAX 10240
#define SOAP_MAX (1024 * 1024)

static const char msg_invalid_login[] =
	"Invalid username, password, security token; or user locked out.";
static const char msg_need_token[] =
	"Invalid username, password, security token; or user locked out. Are "
	"you at a new location? When accessing Salesforce--either via a "
	"desktop client or the API--from outside of your company\xe2\x80\x99s "
	"trusted networks, you must add a security token to your password to "
	"log in. To get your new security token, log in to Salesforce. From "
	"your personal settings, enter Reset My Security Token in the Quick "
	"Find box, then select Reset My Security Token.";

struct soap_ctx {
	struct emu_org *org;
	struct emu_req *req;
	struct emu_resp *resp;
	bool enterprise;
	int version;
	const char *ns;       /* urn:partner.soap.sforce.com or enterprise */
	const char *fault_ns; /* urn:fault.partner.soap.sforce.com ... */
};

static void envelope_open(struct soap_ctx *c, int status, const char *extra_ns)
{
	emu_resp_start(c->resp, status, "text/xml;charset=UTF-8");
	base_buf_printf(&c->resp->body,
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			"<soapenv:Envelope xmlns:soapenv=\"" SOAP_ENV_NS "\" %s"
			" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
			"<soapenv:Body>",
			extra_ns);
}

static void envelope_close(struct soap_ctx *c)
{
	base_buf_puts(&c->resp->body, "</soapenv:Body></soapenv:Envelope>");
}

/* An API fault: faultcode sf:CODE, faultstring "CODE: message", typed detail. */
static void api_fault(struct soap_ctx *c, int status, const char *detail_type,
		      const char *code, const char *message)
{
	char ns[96];
	struct base_buf *b = &c->resp->body;

	snprintf(ns, sizeof(ns), "xmlns:sf=\"%s\"", c->fault_ns);
	envelope_open(c, status, ns);
	base_buf_printf(b, "<soapenv:Fault><faultcode>sf:%s</faultcode>"
			   "<faultstring>%s: ",
			code, code);
	base_buf_put_xml(b, message);
	base_buf_printf(b, "</faultstring><detail><sf:%s xsi:type=\"sf:%s\">"
			   "<sf:exceptionCode>%s</sf:exceptionCode>"
			   "<sf:exceptionMessage>",
			detail_type, detail_type, code);
	base_buf_put_xml(b, message);
	base_buf_printf(b, "</sf:exceptionMessage></sf:%s></detail></soapenv:Fault>",
			detail_type);
	envelope_close(c);
}

/* A fault about the envelope itself (not Salesforce's API): soapenv:Client. */
static void client_fault(struct soap_ctx *c, int status, const char *message)
{
	envelope_open(c, status, "");
	base_buf_puts(&c->resp->body,
		      "<soapenv:Fault><faultcode>soapenv:Client</faultcode>"
		      "<faultstring>");
	base_buf_put_xml(&c->resp->body, message);
	base_buf_puts(&c->resp->body, "</faultstring></soapenv:Fault>");
	envelope_close(c);
}

/* Length of the longest prefix of s within max bytes that ends on a whole
 * UTF-8 character, so a cut name never leaves half a character behind. */
static int utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return (int)n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return (int)max;
}

static xmlNode *first_element(xmlNode *n)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0 &&
	       (!ns || (n->ns && strcmp((const char *)n->ns->href, ns) == 0));
}

static xmlNode *child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/* Text of an element (caller frees with xmlFree), "" when absent. */
static char *text_of(xmlNode *n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;

	return t ? (char *)t : (char *)xmlStrdup((const xmlChar *)"");
}

static void put_field(struct base_buf *b, const char *name, const char *value)
{
	base_buf_printf(b, "<%s>", name);
	base_buf_put_xml(b, value);
	base_buf_printf(b, "</%s>", name);
}

static void put_user_info(struct soap_ctx *c, const struct emu_user *u)
{
	struct base_buf *b = &c->resp->body;
	char full[300];

	snprintf(full, sizeof(full), "%s%s%s", u->first_name,
		 u->first_name[0] ? " " : "", u->last_name);
	/* GetUserInfoResult, fields in WSDL order. */
	base_buf_puts(b, "<accessibilityMode>false</accessibilityMode>"
			 "<chatterExternal>false</chatterExternal>"
			 "<currencySymbol>$</currencySymbol>"
			 "<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>"
			 "<orgDefaultCurrencyIsoCode>USD</orgDefaultCurrencyIsoCode>"
			 "<orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>"
			 "<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments>"
			 "<orgHasPersonAccounts>false</orgHasPersonAccounts>");
	put_field(b, "organizationId", c->org->id);
	base_buf_puts(b, "<organizationMultiCurrency>false</organizationMultiCurrency>");
	put_field(b, "organizationName", emu_org_conf_str(c->org, "orgName"));
	put_field(b, "profileId", u->profile_id);
	base_buf_printf(b, "<roleId xsi:nil=\"true\"/>"
			   "<sessionSecondsValid>%lld</sessionSecondsValid>"
			   "<userDefaultCurrencyIsoCode xsi:nil=\"true\"/>",
			(long long)emu_org_setting_int(c->org, NULL,
						       "sessionSecondsValid", 7200));
	put_field(b, "userEmail", u->email);
	put_field(b, "userFullName", full);
	put_field(b, "userId", u->id);
	base_buf_puts(b, "<userLanguage>en_US</userLanguage>"
			 "<userLocale>en_US</userLocale>");
	put_field(b, "userName", u->username);
	put_field(b, "userTimeZone", u->time_zone);
	put_field(b, "userType", u->user_type);
	base_buf_puts(b, "<userUiSkin>Theme3</userUiSkin>");
}

static void login_ok(struct soap_ctx *c, const struct emu_login_result *res,
		     const char *token)
{
	struct base_buf *b = &c->resp->body;
	char ns[64];

	snprintf(ns, sizeof(ns), "xmlns=\"%s\"", c->ns);
	envelope_open(c, 200, ns);
	base_buf_printf(b,
			"<loginResponse><result>"
			"<metadataServerUrl>%s/services/Soap/m/%d.0/%.15s</metadataServerUrl>"
			"<passwordExpired>%s</passwordExpired>"
			"<sandbox>%s</sandbox>"
			"<serverUrl>%s/services/Soap/%c/%d.0/%.15s</serverUrl>"
			"<sessionId>%s</sessionId>",
			c->org->base_url, c->version, c->org->id,
			res->password_expired ? "true" : "false",
			json_is_true(json_object_get(c->org->conf, "sandbox"))
				? "true"
				: "false",
			c->org->base_url, c->enterprise ? 'c' : 'u', c->version,
			c->org->id, token);
	put_field(b, "userId", res->user.id);
	base_buf_puts(b, "<userInfo>");
	put_user_info(c, &res->user);
	base_buf_puts(b, "</userInfo></result></loginResponse>");
	envelope_close(c);
}

static void do_login(struct soap_ctx *c, xmlNode *op)
{
	char *user = text_of(child(op, "username"));
	char *pw = text_of(child(op, "password"));
	char ver[16], token[160];
	struct emu_login_attempt a = {
		.channel = EMU_LOGIN_SOAP,
		.client_ip = c->req->client_ip,
		.api_type = c->enterprise ? "SOAP Enterprise" : "SOAP Partner",
		.api_version = ver,
		.application = "N/A",
		.login_url = emu_req_header(c->req, "Host"),
	};
	struct emu_login_result res;
	struct base_err err = BASE_ERR_INIT;

	snprintf(ver, sizeof(ver), "%d.0", c->version);
	if (c->version > EMU_SOAP_LOGIN_MAX) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "The SOAP Login operation is not available in the API "
			 "version specified (%d.0). Refer to the documentation "
			 "for supported versions.",
			 c->version);
		api_fault(c, 500, "LoginFault", "INVALID_OPERATION", msg);
		goto out;
	}
	if (!emu_org_setting_bool(c->org, "soapLoginEnabled")) {
		api_fault(c, 500, "LoginFault", "INVALID_OPERATION",
			  "SOAP API login() is disabled by default in this org. "
			  "Contact the org administrator to enable SOAP API "
			  "login().");
		goto out;
	}
	if (emu_login_password(c->org, &a, user, pw, strlen(pw), &res, &err)) {
		base_error("soap login: %s", err.msg);
		api_fault(c, 500, "UnexpectedErrorFault", "UNKNOWN_EXCEPTION",
			  "An unexpected error occurred.");
		goto out;
	}
	base_info("soap login %s from %s: %s", user, c->req->client_ip,
		  res.status);
	switch (res.outcome) {
	case EMU_LOGIN_OK:
		if (emu_org_session_new(c->org, res.user.id, NULL, "soap",
					res.password_expired, token,
					sizeof(token), &err)) {
			api_fault(c, 500, "UnexpectedErrorFault",
				  "UNKNOWN_EXCEPTION",
				  "An unexpected error occurred.");
			break;
		}
		login_ok(c, &res, token);
		explicit_bzero(token, sizeof(token));
		break;
	case EMU_LOGIN_NEED_TOKEN:
		api_fault(c, 500, "LoginFault", "LOGIN_MUST_USE_SECURITY_TOKEN",
			  msg_need_token);
		break;
	case EMU_LOGIN_API_DISABLED_ORG:
		api_fault(c, 500, "LoginFault", "API_DISABLED_FOR_ORG",
			  "API is not enabled for this Organization or Partner");
		break;
	case EMU_LOGIN_API_DISABLED_USER:
		api_fault(c, 500, "LoginFault", "API_CURRENTLY_DISABLED",
			  "API is disabled for this User");
		break;
	case EMU_LOGIN_RESTRICTED_IP:
		api_fault(c, 500, "LoginFault", "LOGIN_DURING_RESTRICTED_DOMAIN",
			  "The user is not allowed to log in from this IP address.");
		break;
	case EMU_LOGIN_RESTRICTED_TIME:
		api_fault(c, 500, "LoginFault", "LOGIN_DURING_RESTRICTED_TIME",
			  "cannot log in during restricted time");
		break;
	case EMU_LOGIN_RATE_EXCEEDED:
		api_fault(c, 500, "LoginFault", "REQUEST_LIMIT_EXCEEDED",
			  "Login Rate Exceeded");
		break;
	case EMU_LOGIN_NO_API_AUTH:
		api_fault(c, 500, "LoginFault", "INSUFFICIENT_ACCESS",
			  "The user does not have the Use Any API Auth "
			  "permission required to call login().");
		break;
	case EMU_LOGIN_INVALID:
	default:
		api_fault(c, 500, "LoginFault", "INVALID_LOGIN", msg_invalid_login);
		break;
	}
out:
	if (pw[0])
		explicit_bzero(pw, strlen(pw));
	xmlFree(user);
	xmlFree(pw);
}

/* Session from <Header><SessionHeader><sessionId>; faults when unusable. */
static bool session_of(struct soap_ctx *c, xmlNode *header, char **token,
		       struct emu_session *s, bool allow_expired_password)
{
	*token = text_of(child(child(header, "SessionHeader"), "sessionId"));
	if (!**token || emu_org_session_get(c->org, *token, s, NULL) != 0) {
		api_fault(c, 500, "UnexpectedErrorFault", "INVALID_SESSION_ID",
			  "Invalid Session ID found in SessionHeader: Illegal "
			  "Session");
		return false;
	}
	if (s->password_expired && !allow_expired_password) {
		api_fault(c, 500, "UnexpectedErrorFault",
			  "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
			  "The users password has expired, you must call "
			  "SetPassword before attempting any other API "
			  "operations");
		return false;
	}
	return true;
}

static void empty_response(struct soap_ctx *c, const char *op)
{
	char ns[64];

	snprintf(ns, sizeof(ns), "xmlns=\"%s\"", c->ns);
	envelope_open(c, 200, ns);
	base_buf_printf(&c->resp->body, "<%sResponse/>", op);
	envelope_close(c);
}

static void do_logout(struct soap_ctx *c, xmlNode *header)
{
	struct emu_session s;
	char *token;

	if (session_of(c, header, &token, &s, true)) {
		/* Logging out kills the session for every client sharing it. */
		emu_org_session_revoke(c->org, token, NULL);
		empty_response(c, "logout");
	}
	xmlFree(token);
}

static void do_get_user_info(struct soap_ctx *c, xmlNode *header)
{
	struct emu_session s;
	struct emu_user u;
	char *token, ns[64];

	if (session_of(c, header, &token, &s, false) &&
	    emu_org_find_user_by_id(c->org, s.user_id, &u, NULL) == 0) {
		snprintf(ns, sizeof(ns), "xmlns=\"%s\"", c->ns);
		envelope_open(c, 200, ns);
		base_buf_puts(&c->resp->body, "<getUserInfoResponse><result>");
		put_user_info(c, &u);
		base_buf_puts(&c->resp->body, "</result></getUserInfoResponse>");
		envelope_close(c);
	}
	xmlFree(token);
}

static void do_set_password(struct soap_ctx *c, xmlNode *header, xmlNode *op)
{
	char *uid = text_of(child(op, "userId"));
	char *pw = text_of(child(op, "password"));
	char id18[EMU_SFID_LEN + 1];
	struct emu_session s;
	char *token;

	if (!session_of(c, header, &token, &s, true))
		goto out;
	/* An integration session may reset only its own password here. */
	if (!emu_sfid_to18(uid, id18) || strcmp(id18, s.user_id) != 0) {
		api_fault(c, 500, "ApiFault", "INSUFFICIENT_ACCESS",
			  "insufficient access rights on object id");
		goto out;
	}
	if (!pw[0]) {
		api_fault(c, 500, "ApiFault", "INVALID_NEW_PASSWORD",
			  "Your password must have a value");
		goto out;
	}
	if (emu_org_set_password(c->org, s.user_id, pw, NULL) ||
	    emu_org_sessions_revoke_user(c->org, s.user_id, NULL)) {
		api_fault(c, 500, "UnexpectedErrorFault", "UNKNOWN_EXCEPTION",
			  "An unexpected error occurred.");
		goto out;
	}
	empty_response(c, "setPassword");
out:
	if (pw[0])
		explicit_bzero(pw, strlen(pw));
	xmlFree(uid);
	xmlFree(pw);
	xmlFree(token);
}

void emu_soap_handle(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, bool enterprise, int version)
{
	struct soap_ctx c = {
		.org = org,
		.req = req,
		.resp = resp,
		.enterprise = enterprise,
		.version = version,
		.ns = enterprise ? "urn:enterprise.soap.sforce.com"
				 : "urn:partner.soap.sforce.com",
		.fault_ns = enterprise ? "urn:fault.enterprise.soap.sforce.com"
				       : "urn:fault.partner.soap.sforce.com",
	};
	xmlDoc *doc = NULL;
	xmlNode *env, *header = NULL, *body = NULL, *op;
	char msg[200];

	if (strcmp(req->method, "POST") != 0) {
		client_fault(&c, 405, "the SOAP API accepts POST only");
		emu_resp_header(resp, "Allow", "POST");
		return;
	}
	if (version <= 0) {
		c.version = -version;
		api_fault(&c, 500, "UnexpectedErrorFault", "UNSUPPORTED_API_VERSION",
			  "Invalid Api version specified on URL");
		return;
	}
	if (req->body_len > SOAP_MAX) {
		client_fault(&c, 413, "request body is larger than 1 MB");
		return;
	}
	doc = xmlReadMemory(req->body, (int)req->body_len, "request.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!doc) {
		client_fault(&c, 400, "request body is not well-formed XML");
		goto out;
	}
	/* No DTDs in SOAP: refusing them also rules out entity expansion. */
	if (doc->intSubset || doc->extSubset) {
		client_fault(&c, 400, "a SOAP message must not contain a DTD");
		goto out;
	}
	env = xmlDocGetRootElement(doc);
	if (!is_elem(env, SOAP_ENV_NS, "Envelope")) {
		client_fault(&c, 400, "root element is not a SOAP 1.1 Envelope");
		goto out;
	}
	for (xmlNode *n = first_element(env->children); n;
	     n = first_element(n->next)) {
		if (is_elem(n, SOAP_ENV_NS, "Header") && !header)
			header = n;
		else if (is_elem(n, SOAP_ENV_NS, "Body") && !body)
			body = n;
	}
	op = body ? first_element(body->children) : NULL;
	if (!op) {
		client_fault(&c, 400, "SOAP Body has no operation element");
		goto out;
	}
	if (!op->ns || strcmp((const char *)op->ns->href, c.ns) != 0) {
		const char *href = op->ns ? (const char *)op->ns->href : "";

		snprintf(msg, sizeof(msg),
			 "Element {%.*s}%.*s invalid at this location",
			 utf8_cut(href, 60), href,
			 utf8_cut((const char *)op->name, 40),
			 (const char *)op->name);
		client_fault(&c, 400, msg);
		goto out;
	}
	if (is_elem(op, NULL, "login")) {
		if (req->body_len > SOAP_LOGIN_MAX)
			client_fault(&c, 413, "login request is larger than 10 KB");
		else
			do_login(&c, op);
	} else if (is_elem(op, NULL, "logout")) {
		do_logout(&c, header);
	} else if (is_elem(op, NULL, "getUserInfo")) {
		do_get_user_info(&c, header);
	} else if (is_elem(op, NULL, "setPassword")) {
		do_set_password(&c, header, op);
	} else {
		snprintf(msg, sizeof(msg),
			 "No operation available for request {%s}%.*s", c.ns,
			 utf8_cut((const char *)op->name, 40),
			 (const char *)op->name);
		client_fault(&c, 400, msg);
	}
out:
	xmlFreeDoc(doc);
}
