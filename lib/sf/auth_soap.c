/* auth_soap.c - SOAP Partner login(): username and password+token for a session id. */
#include "sf/auth_int.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datetime.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "sf/target_int.h"
#include "base/banned.h"

/* login() is gone above API 64.0 (salesforce-protocol.md 0). */
#define SOAP_LOGIN_MAX_MAJOR 64

/* The request is capped at 10 KB by Salesforce; the reply is small too. */
#define SOAP_BODY_MAX  (16u * 1024)
#define SOAP_REPLY_MAX (256u * 1024)

static void soap_version(const char *api, char *out, size_t n)
{
	char *end;
	long major = strtol(api, &end, 10);

	if (major <= 0 || major > SOAP_LOGIN_MAX_MAJOR)
		snprintf(out, n, "%d.0", SOAP_LOGIN_MAX_MAJOR);
	else
		snprintf(out, n, "%s", api);
}

static xmlNode *child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	return NULL;
}

/* The element's text, trimmed, into out; false when absent or too long. */
static bool text(xmlNode *n, char *out, size_t size)
{
	xmlChar *v;
	const char *p, *e;
	bool ok = false;

	out[0] = '\0';
	if (!n || !(v = xmlNodeGetContent(n)))
		return false;
	p = (const char *)v;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		e--;
	if ((size_t)(e - p) < size && e > p) {
		memcpy(out, p, (size_t)(e - p));
		out[e - p] = '\0';
		ok = true;
	}
	xmlFree(v);
	return ok;
}

/* Wipes an element's text in the tree (libxml2 frees without wiping). */
static void wipe_text(xmlNode *n)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->content)
			explicit_bzero(c->content, strlen((char *)c->content));
}

/* The session id, straight into a secret; wipes the copies on the way. */
static struct sf_secret *session_id(xmlNode *n)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	struct sf_secret *s = NULL;
	size_t len;

	if (!v)
		return NULL;
	len = strlen((char *)v);
	if (len > 0 && len < 4096 && !strpbrk((char *)v, " \t\r\n"))
		s = sf_secret_new(v, len);
	explicit_bzero(v, len);
	xmlFree(v);
	return s;
}

/*
 * LoginResult: serverUrl (its scheme://host[:port] is the instance),
 * sessionId, userId, passwordExpired, userInfo/organizationId and
 * userInfo/sessionSecondsValid. passwordExpired=true is a refusal
 * (SF_CLASS_PASSWORD_EXPIRED), never a session: the session could only
 * call setPassword, and using it would loop on its errors.
 */
static int read_result(const struct sf_auth_env *env, const char *body,
		       size_t len, struct sf_auth_result *out,
		       struct sf_error *err)
{
	xmlDoc *doc = sf__xml_read(body, len);
	xmlNode *res, *info, *sid = NULL;
	char server[1024], expired[16], secs[16], user[32], org[32];
	int rc = BASE_EPROTO;
	long long valid;
	char *end;

	if (!doc) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "login reply is not XML");
		goto out;
	}
	res = child(child(child(xmlDocGetRootElement(doc), "Body"),
			  "loginResponse"),
		    "result");
	info = child(res, "userInfo");
	sid = child(res, "sessionId");
	if (!res) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "login reply has no loginResponse/result");
		goto out;
	}
	if (text(child(res, "passwordExpired"), expired, sizeof(expired)) &&
	    strcmp(expired, "true") == 0) {
		rc = sf__error_set(
			err, SF_CLASS_PASSWORD_EXPIRED, 200, "passwordExpired",
			"the password has expired (login answered "
			"passwordExpired=true): set a new password in "
			"Salesforce, then update the credentials");
		snprintf(err->raw, sizeof(err->raw),
			 "The user's password has expired.");
		goto out;
	}
	if (!text(child(res, "serverUrl"), server, sizeof(server)) ||
	    !text(child(res, "userId"), user, sizeof(user)) ||
	    !text(child(info, "organizationId"), org, sizeof(org)) || !sid) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "login reply lacks serverUrl, sessionId, userId "
			      "or organizationId");
		goto out;
	}
	if (!sf__is_sfid(user, strlen(user)) ||
	    !sf__is_sfid(org, strlen(org))) {
		sf__error_set(err, SF_CLASS_NONE, 200, NULL,
			      "login reply: userId or organizationId is not a "
			      "Salesforce id");
		goto out;
	}
	rc = sf__instance_url(server, env->allow_http_loopback,
			      out->instance_url, sizeof(out->instance_url),
			      err);
	if (rc < 0) {
		sf__error_wrap(err, "login reply serverUrl");
		goto out;
	}
	out->token = session_id(sid);
	if (!out->token) {
		rc = sf__error_set(
			err, SF_CLASS_NONE, 200, NULL,
			"login reply: sessionId is empty or malformed");
		rc = BASE_EPROTO;
		goto out;
	}
	snprintf(out->user_id, sizeof(out->user_id), "%s", user);
	snprintf(out->org_id, sizeof(out->org_id), "%s", org);
	out->issued_ms = base_time_now_ms();
	if (text(child(info, "sessionSecondsValid"), secs, sizeof(secs))) {
		valid = strtoll(secs, &end, 10);
		if (!*end && valid > 0 && valid <= 30LL * 86400)
			out->expires_ms = out->issued_ms + valid * 1000;
	}
	rc = 0;
out:
	wipe_text(sid);
	xmlFreeDoc(doc);
	return rc;
}

int sf__auth_soap(const struct sf_auth_env *env, const struct sf_creds *cr,
		  struct sf_auth_result *out, struct sf_error *err)
{
	struct base_buf body = BASE_BUF_SECRET_INIT(SOAP_BODY_MAX);
	struct base_buf pw = BASE_BUF_SECRET_INIT(SOAP_BODY_MAX);
	struct sf_http_resp resp = SF_HTTP_RESP_INIT;
	struct sf_error probe = SF_ERROR_INIT;
	struct sf_request rq = {0};
	char base[300], url[400], ver[16];
	int rc = BASE_ERR;

	resp.body.max = SOAP_REPLY_MAX;
	resp.body.secret = 1; /* holds the session id */
	soap_version(env->api_version, ver, sizeof(ver));
	sf_target_base_url(&cr->target, base, sizeof(base));
	snprintf(url, sizeof(url), "%s/services/Soap/u/%s", base, ver);

	/* password || token, no separator, then XML-escaped whole. */
	base_buf_append(&pw, cr->password->bytes, cr->password->len);
	if (cr->security_token)
		base_buf_append(&pw, cr->security_token->bytes,
				cr->security_token->len);
	base_buf_puts(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
			     "<soapenv:Envelope xmlns:soapenv=\"http://schemas."
			     "xmlsoap.org/soap/envelope/\" "
			     "xmlns:urn=\"urn:partner.soap.sforce.com\">"
			     "<soapenv:Body><urn:login><urn:username>");
	base_buf_put_xml(&body, cr->username);
	base_buf_puts(&body, "</urn:username><urn:password>");
	base_buf_put_xml(&body, base_buf_str(&pw));
	base_buf_puts(&body, "</urn:password></urn:login></soapenv:Body>"
			     "</soapenv:Envelope>");
	if (base_buf_err(&pw) || base_buf_err(&body)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "soap login: the request is over %u bytes "
				   "(Salesforce takes 10 KB)",
				   SOAP_BODY_MAX);
		goto out;
	}
	rq.method = "POST";
	rq.url = url;
	rq.content_type = "text/xml; charset=UTF-8";
	rq.accept = "text/xml";
	rq.soap_action = "login";
	rq.body = base_buf_str(&body);
	rq.len = body.len;
	rc = sf__http(env->tp, &rq, &resp, NULL, err);
	if (rc < 0)
		goto out;
	/* A fault is a fault whatever the status (salesforce-protocol.md
	 * 1.5): parse by content first. */
	if (resp.status != 200 ||
	    sf__parse_soap_fault(base_buf_str(&resp.body), resp.body.len,
				 &probe) == 0) {
		sf__error_from_reply(resp.status, resp.content_type,
				     base_buf_str(&resp.body), resp.body.len,
				     err);
		rc = sf__class_code(err->cls);
		if (err->cls == SF_CLASS_NONE)
			rc = BASE_EPROTO;
		goto out;
	}
	rc = read_result(env, base_buf_str(&resp.body), resp.body.len, out,
			 err);
out:
	if (rc < 0)
		sf__auth_result_release(out);
	sf__resp_release(&resp);
	base_buf_release(&body);
	base_buf_release(&pw);
	return rc;
}
