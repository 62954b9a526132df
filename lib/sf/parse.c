/* parse.c - Salesforce's error replies (REST, OAuth, SOAP), Sforce-Limit-Info, and their classes. */
#include "sf/internal.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "sf/auth_int.h"
#include "sf/error_int.h"
#include "base/banned.h"

/*
 * The parsers fill code, raw (Salesforce's own text without the code in
 * front), fields and message ("CODE: text") and leave cls, http_status and
 * the API usage alone: sf__error_from_reply adds the status ("http 400: ")
 * and the class. A parser that doesn't recognise its shape returns
 * BASE_EPROTO and leaves err untouched. Text is cut at a UTF-8 boundary and
 * made one line. No parser ever copies a body into err: only the fields
 * that Salesforce meant as messages.
 */

static void set_parsed(struct sf_error *err, const char *code, const char *raw,
		       size_t rawlen, const char *suffix)
{
	sf__copy_text(err->code, sizeof(err->code), code, strlen(code));
	sf__copy_text(err->raw, sizeof(err->raw), raw, rawlen);
	memset(err->fields, 0, sizeof(err->fields));
	err->nfields = 0;
	if (err->code[0] && err->raw[0])
		snprintf(err->message, sizeof(err->message), "%s: %s%s",
			 err->code, err->raw, suffix);
	else
		snprintf(err->message, sizeof(err->message), "%s%s%s",
			 err->code[0] ? err->code : err->raw, suffix, "");
}

static const char *json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* [{"message","errorCode","fields"}, ...] (or one such object; per-record
 * results say statusCode instead of errorCode). */
int sf__parse_rest_errors(const char *body, size_t len, struct sf_error *err)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	json_t *first, *fields;
	const char *code, *msg;
	char more[48] = "";
	size_t count = 1;
	int rc = BASE_EPROTO;

	if (!root)
		return BASE_EPROTO;
	first = root;
	if (json_is_array(root)) {
		count = json_array_size(root);
		first = json_array_get(root, 0);
	}
	if (!json_is_object(first))
		goto out;
	code = json_str(first, "errorCode");
	if (!code)
		code = json_str(first, "statusCode");
	msg = json_str(first, "message");
	if (!code || !msg)
		goto out;
	if (count > 1)
		snprintf(more, sizeof(more), " (and %zu more)", count - 1);
	set_parsed(err, code, msg, strlen(msg), more);
	fields = json_object_get(first, "fields");
	if (json_is_array(fields)) {
		size_t i;
		json_t *f;

		json_array_foreach (fields, i, f) {
			const char *s = json_string_value(f);

			if (!s || err->nfields >= 8)
				continue;
			sf__copy_text(err->fields[err->nfields],
				      sizeof(err->fields[0]), s, strlen(s));
			err->nfields++;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* {"error":"invalid_grant","error_description":"authentication failure"} */
int sf__parse_oauth_error(const char *body, size_t len, struct sf_error *err)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	const char *code, *desc;
	int rc = BASE_EPROTO;

	if (!json_is_object(root))
		goto out;
	code = json_str(root, "error");
	if (!code || !*code)
		goto out;
	desc = json_str(root, "error_description");
	if (!desc)
		desc = "";
	set_parsed(err, code, desc, strlen(desc), "");
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static bool local_is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (local_is(n, name))
			return n;
	return NULL;
}

/* The element's text (caller frees with xmlFree), NULL when absent. */
static char *text_of(xmlNode *n)
{
	return n ? (char *)xmlNodeGetContent(n) : NULL;
}

/* Cuts trailing white space in place; returns s past leading white space. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* memmem is a GNU extension; this is all it's needed for. */
static bool has_bytes(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0)
			return true;
	return false;
}

/*
 * Refuses documents with a DTD (before parsing, and again after in case the
 * text hid it), never touches the network (XML_PARSE_NONET), never expands
 * entities into the tree (no XML_PARSE_NOENT) and prints nothing.
 */
xmlDoc *sf__xml_read(const char *body, size_t len)
{
	xmlDoc *doc;

	if (len > INT_MAX || len == 0)
		return NULL;
	if (has_bytes(body, len, "<!DOCTYPE") ||
	    has_bytes(body, len, "<!ENTITY"))
		return NULL;
	doc = xmlReadMemory(body, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	if (doc && (doc->intSubset || doc->extSubset)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

/*
 * Envelope/Body/Fault: the code is detail's exceptionCode when there is one
 * (LoginFault, ApiFault), else faultcode without its prefix ("sf:CODE" ->
 * CODE, "soapenv:Client" -> Client); the text is exceptionMessage, else
 * faultstring without a leading "CODE: ".
 */
int sf__parse_soap_fault(const char *body, size_t len, struct sf_error *err)
{
	xmlDoc *doc = sf__xml_read(body, len);
	xmlNode *root, *fault, *detail, *d;
	char *fcode = NULL, *fstring = NULL, *xcode = NULL, *xmsg = NULL;
	char *code;
	const char *text;
	int rc = BASE_EPROTO;

	if (!doc)
		return BASE_EPROTO;
	root = xmlDocGetRootElement(doc);
	if (!local_is(root, "Envelope"))
		goto out;
	fault = child(child(root, "Body"), "Fault");
	if (!fault)
		goto out;
	fcode = text_of(child(fault, "faultcode"));
	fstring = text_of(child(fault, "faultstring"));
	detail = child(fault, "detail");
	for (d = detail ? detail->children : NULL; d; d = d->next) {
		if (d->type != XML_ELEMENT_NODE)
			continue;
		xcode = text_of(child(d, "exceptionCode"));
		xmsg = text_of(child(d, "exceptionMessage"));
		break;
	}
	/* trim() moves these views; the xmlFree()s below use the originals. */
	if (xcode && *(code = trim(xcode))) {
		;
	} else if (fcode) {
		char *colon;

		code = trim(fcode);
		colon = strrchr(code, ':');
		if (colon)
			code = colon + 1;
	} else {
		goto out;
	}
	if (xmsg && *trim(xmsg)) {
		text = trim(xmsg);
	} else if (fstring) {
		size_t cl = strlen(code);

		text = trim(fstring);
		if (cl && strncmp(text, code, cl) == 0 && text[cl] == ':') {
			text += cl + 1;
			while (*text == ' ')
				text++;
		}
	} else {
		text = "";
	}
	set_parsed(err, code, text, strlen(text), "");
	rc = 0;
out:
	xmlFree(fcode);
	xmlFree(fstring);
	xmlFree(xcode);
	xmlFree(xmsg);
	xmlFreeDoc(doc);
	return rc;
}

int sf__parse_limit_info(const char *value, long long *used, long long *max)
{
	const char *p = value;

	if (!value)
		return BASE_EPROTO;
	while (*p) {
		long long u = 0, m = 0;

		while (*p == ' ' || *p == '\t' || *p == ';' || *p == ',')
			p++;
		if (strncasecmp(p, "api-usage=", 10) != 0) {
			p += strcspn(p, ";,");
			continue;
		}
		p += 10;
		if (*p < '0' || *p > '9')
			return BASE_EPROTO;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (u > (LLONG_MAX - 9) / 10)
				return BASE_EPROTO;
			u = u * 10 + (*p - '0');
		}
		if (*p++ != '/' || *p < '0' || *p > '9')
			return BASE_EPROTO;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (m > (LLONG_MAX - 9) / 10)
				return BASE_EPROTO;
			m = m * 10 + (*p - '0');
		}
		if (*p && *p != ';' && *p != ',' && *p != ' ')
			return BASE_EPROTO;
		*used = u;
		*max = m;
		return 0;
	}
	return BASE_EPROTO;
}

static bool has_nocase(const char *text, const char *needle)
{
	size_t m = strlen(needle);

	for (const char *p = text; p && *p; p++)
		if (strncasecmp(p, needle, m) == 0)
			return true;
	return false;
}

static bool is(const char *code, const char *want)
{
	return strcmp(code, want) == 0;
}

/*
 * salesforce-protocol.md 7.1, with these choices where it leaves room:
 *  - invalid_grant is a credential failure whatever its text, except "IP
 *    restricted or invalid login hours" (policy: Salesforce doesn't say
 *    which of the two; the caller keeps the raw text to show). An unknown
 *    invalid_grant text ("Audience validation failed", "expired
 *    authorization code") is still a grant the server refused: retrying
 *    the same grant can't help.
 *  - INVALID_OPERATION is policy when its text is about login (SOAP login
 *    disabled, or not available at this API version), else a bad request.
 *  - INVALID_SESSION_ID "This session is not valid for use with the REST
 *    API" is policy: logging in again gives the same kind of session.
 *  - INSUFFICIENT_ACCESS is policy (an admin grants a permission), at login
 *    (Use Any API Auth) and on data calls alike.
 *  - Without a code: 401 is session, 404 not_found, 429 throttle, any 5xx
 *    (an HTML error page) transient, other 4xx invalid_request. A code we
 *    don't know is invalid_request at 4xx; at 5xx it is transient only for
 *    SOAP's generic Server / UNKNOWN_EXCEPTION, since SOAP sends every fault
 *    with 500.
 */
enum sf_class sf__classify(long status, const char *code, const char *text)
{
	static const char *const credential[] = {
		"INVALID_LOGIN",      "LOGIN_MUST_USE_SECURITY_TOKEN",
		"PASSWORD_LOCKOUT",   "invalid_client_id",
		"invalid_client",     "invalid_client_credentials",
		"invalid_app_access", "invalid_grant",
	};
	static const char *const policy[] = {
		"API_DISABLED_FOR_ORG",
		"API_CURRENTLY_DISABLED",
		"LOGIN_DURING_RESTRICTED_DOMAIN",
		"ORG_LOCKED",
		"TRIAL_EXPIRED",
		"UNSUPPORTED_CLIENT",
		"INVALID_CLIENT",
		"FUNCTIONALITY_NOT_ENABLED",
		"ORG_IN_MAINTENANCE",
		"LOGIN_CHALLENGE_ISSUED",
		"LOGIN_CHALLENGE_PENDING",
		"INSUFFICIENT_ACCESS",
		"unsupported_grant_type",
		"inactive_user",
		"inactive_org",
	};
	static const char *const transient[] = {
		"SERVER_UNAVAILABLE",
		"UNABLE_TO_LOCK_ROW",
	};
	size_t i;

	if (!code)
		code = "";
	if (!text)
		text = "";
	if (has_nocase(text, "Login Rate Exceeded") ||
	    is(code, "REQUEST_LIMIT_EXCEEDED") ||
	    is(code, "rate_limit_exceeded"))
		return SF_CLASS_THROTTLE;
	if (is(code, "invalid_grant") &&
	    has_nocase(text, "IP restricted or invalid login hours"))
		return SF_CLASS_POLICY;
	if (is(code, "LOGIN_DURING_RESTRICTED_TIME"))
		return SF_CLASS_TIME_WINDOW;
	if (is(code, "INVALID_OPERATION_WITH_EXPIRED_PASSWORD"))
		return SF_CLASS_PASSWORD_EXPIRED;
	if (is(code, "INVALID_SESSION_ID"))
		return has_nocase(text, "not valid for use with the REST API")
			       ? SF_CLASS_POLICY
			       : SF_CLASS_SESSION;
	if (is(code, "INVALID_OPERATION"))
		return has_nocase(text, "login") ? SF_CLASS_POLICY
						 : SF_CLASS_INVALID_REQUEST;
	for (i = 0; i < sizeof(credential) / sizeof(credential[0]); i++)
		if (is(code, credential[i]))
			return SF_CLASS_CREDENTIAL;
	for (i = 0; i < sizeof(policy) / sizeof(policy[0]); i++)
		if (is(code, policy[i]))
			return SF_CLASS_POLICY;
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (is(code, transient[i]))
			return SF_CLASS_TRANSIENT;
	if (is(code, "NOT_FOUND") || is(code, "ENTITY_IS_DELETED"))
		return SF_CLASS_NOT_FOUND;
	if (status == 502 || status == 503 || status == 504)
		return SF_CLASS_TRANSIENT;
	if (*code) {
		if (status >= 500 &&
		    (is(code, "Server") || is(code, "UNKNOWN_EXCEPTION")))
			return SF_CLASS_TRANSIENT;
		return SF_CLASS_INVALID_REQUEST;
	}
	if (status == 401)
		return SF_CLASS_SESSION;
	if (status == 404 || status == 410)
		return SF_CLASS_NOT_FOUND;
	if (status == 429)
		return SF_CLASS_THROTTLE;
	if (status >= 500)
		return SF_CLASS_TRANSIENT;
	if (status >= 400)
		return SF_CLASS_INVALID_REQUEST;
	return SF_CLASS_NONE;
}

void sf__error_from_reply(long status, const char *ctype, const char *body,
			  size_t len, struct sf_error *err)
{
	struct sf_error e = SF_ERROR_INIT;
	char what[192];
	size_t i = 0;
	int rc = BASE_EPROTO;

	if (!err)
		return;
	if (!body)
		len = 0;
	/* A UTF-8 byte-order mark and white space don't change the shape. */
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
			   body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && (body[i] == '[' || body[i] == '{')) {
		rc = sf__parse_rest_errors(body, len, &e);
		if (rc < 0)
			rc = sf__parse_oauth_error(body, len, &e);
	} else if (i < len && body[i] == '<') {
		rc = sf__parse_soap_fault(body, len, &e);
	}
	if (rc < 0) {
		/* An HTML error page, plain text, or nothing: say what it was,
		 * never what it said (it could echo the request). */
		if (len)
			snprintf(what, sizeof(what),
				 "%.100s reply of %zu bytes",
				 ctype && *ctype ? ctype : "untyped", len);
		else
			snprintf(what, sizeof(what), "empty reply");
		sf__error_set(&e, SF_CLASS_NONE, 0, NULL, "%s", what);
	}
	e.cls = sf__classify(status, e.code, e.raw);
	e.http_status = (int)status;
	e.api_used = err->api_used;
	e.api_max = err->api_max;
	{
		char msg[sizeof(e.message)];

		memcpy(msg, e.message, sizeof(msg));
		snprintf(e.message, sizeof(e.message), "http %ld: %s", status,
			 msg);
	}
	*err = e;
}
