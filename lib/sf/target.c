/* target.c - where to log in: production, sandbox, My Domain or a checked URL. */
#include "sf/client.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/ipv4.h"
#include "sf/error_int.h"
#include "sf/target_int.h"
#include "base/banned.h"

#define HOST_MAX 253

/*
 * The rules, in the order they are checked (each failure says which):
 *  - the scheme is https, or http to a loopback host (127.0.0.0/8, [::1],
 *    localhost) when allow_http_loopback;
 *  - no user name or password, query or fragment in the URL; for a login
 *    target no path but "/" (libsf adds the Salesforce paths itself);
 *  - the host is a Salesforce host (a name under salesforce.com, force.com
 *    or cloudforce.com) on the default port, or listed in SF_ALLOWED_HOSTS
 *    (comma-separated host names, "*.example.com" for every name under
 *    example.com; any port), or, with allow_http_loopback, loopback (any
 *    port, http or https).
 * A URL that names a standard login host is stored as that kind, so that
 * "https://login.salesforce.com" and "production" behave alike (the JWT
 * audience, the client-credentials check): login.salesforce.com ->
 * production, test.salesforce.com -> sandbox, NAME.my.salesforce.com and
 * NAME--BOX.sandbox.my.salesforce.com -> My Domain NAME / NAME--BOX.
 */

struct url_parts {
	char scheme[8];
	char host[HOST_MAX + 3]; /* brackets of an IPv6 literal included */
	long port;               /* 0: none given */
	bool loopback;
	bool salesforce;
	bool allowed; /* in SF_ALLOWED_HOSTS */
};

static const char *const sf_domains[] = {".salesforce.com", ".force.com",
					 ".cloudforce.com"};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Letters, digits, '-' and '.', labels non-empty, no '-' at a label's ends. */
static bool host_name_ok(const char *h)
{
	size_t label = 0;
	char prev = '.';

	if (!*h || strlen(h) > HOST_MAX)
		return false;
	for (const char *p = h; *p; p++) {
		char c = *p;

		if (c == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-') {
			if (c == '-' && prev == '.')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
		prev = c;
	}
	return label > 0 && prev != '-';
}

static bool is_loopback(const char *host)
{
	uint32_t ip;

	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	return base_ipv4_parse(host, &ip) && (ip >> 24) == 127;
}

static bool in_allow_list(const char *host)
{
	const char *list = getenv("SF_ALLOWED_HOSTS");
	const char *p = list;

	if (!list)
		return false;
	while (*p) {
		char entry[HOST_MAX + 3];
		size_t n = strcspn(p, ","), a = 0, b = n;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		if (b > a && b - a < sizeof(entry)) {
			memcpy(entry, p + a, b - a);
			entry[b - a] = '\0';
			for (char *q = entry; *q; q++)
				if (*q >= 'A' && *q <= 'Z')
					*q = (char)(*q - 'A' + 'a');
			if (strncmp(entry, "*.", 2) == 0) {
				if (ends_with(host, entry + 1) &&
				    strlen(host) > strlen(entry + 1))
					return true;
			} else if (strcmp(entry, host) == 0) {
				return true;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* One URL part, or "" when absent; false only on a real failure. */
static bool get_part(CURLU *u, CURLUPart what, char *out, size_t n)
{
	char *v = NULL;
	CURLUcode uc = curl_url_get(u, what, &v, 0);

	out[0] = '\0';
	if (uc != CURLUE_OK) {
		curl_free(v);
		return uc == CURLUE_NO_USER || uc == CURLUE_NO_PASSWORD ||
		       uc == CURLUE_NO_OPTIONS || uc == CURLUE_NO_PORT ||
		       uc == CURLUE_NO_QUERY || uc == CURLUE_NO_FRAGMENT ||
		       uc == CURLUE_NO_HOST;
	}
	if (strlen(v) >= n) {
		curl_free(v);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	curl_free(v);
	return true;
}

#define USERINFO_MSG                                                 \
	"login URL holds a user name or password (user@host): give " \
	"credentials in their own fields, never in the URL"

static int check_url(const char *spec, bool allow_http_loopback, bool any_path,
		     struct url_parts *out, struct sf_error *err)
{
	char user[8], pass[8], query[8], frag[8], port[16], path[1024];
	CURLU *u = NULL;
	int rc = BASE_ERR;
	char *end;

	memset(out, 0, sizeof(*out));
	if (strchr(spec, '@')) {
		/* Checked first, so that no message echoes the URL: the user
		 * info may be a password. */
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   USERINFO_MSG);
		goto out;
	}
	if (strlen(spec) > 2000 || strpbrk(spec, " \t\r\n")) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL: too long or holds whitespace");
		goto out;
	}
	u = curl_url();
	if (!u) {
		rc = sf__error_set(err, SF_CLASS_NONE, 0, NULL,
				   "login URL: out of memory");
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, spec, CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			"login URL '%.200s' is not a URL (want https://host)",
			spec);
		goto out;
	}
	if (!get_part(u, CURLUPART_SCHEME, out->scheme, sizeof(out->scheme)) ||
	    (strcmp(out->scheme, "https") != 0 &&
	     strcmp(out->scheme, "http") != 0)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL '%.200s': only https is allowed",
				   spec);
		goto out;
	}
	if (!get_part(u, CURLUPART_USER, user, sizeof(user)) ||
	    !get_part(u, CURLUPART_PASSWORD, pass, sizeof(pass)) || user[0] ||
	    pass[0]) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   USERINFO_MSG);
		goto out;
	}
	if (!get_part(u, CURLUPART_QUERY, query, sizeof(query)) ||
	    !get_part(u, CURLUPART_FRAGMENT, frag, sizeof(frag)) || query[0] ||
	    frag[0] || strpbrk(spec, "?#")) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			"login URL has a query or fragment: give only "
			"scheme://host[:port]");
		goto out;
	}
	if (!get_part(u, CURLUPART_PATH, path, sizeof(path)) ||
	    (!any_path && path[0] && strcmp(path, "/") != 0)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL has a path ('%.100s'): give only "
				   "scheme://host[:port], libsf adds the "
				   "Salesforce paths",
				   path);
		goto out;
	}
	if (!get_part(u, CURLUPART_HOST, out->host, sizeof(out->host)) ||
	    !out->host[0]) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL '%.200s' has no host", spec);
		goto out;
	}
	for (char *q = out->host; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	if (!get_part(u, CURLUPART_PORT, port, sizeof(port))) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL '%.200s': bad port", spec);
		goto out;
	}
	if (port[0]) {
		out->port = strtol(port, &end, 10);
		if (*end || out->port <= 0 || out->port > 65535) {
			rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0,
					   NULL, "login URL '%.200s': bad port",
					   spec);
			goto out;
		}
	}

	out->loopback = is_loopback(out->host);
	if (out->host[0] != '[' && !out->loopback && !host_name_ok(out->host)) {
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				   "login URL host '%.200s' is not a host name",
				   out->host);
		goto out;
	}
	for (size_t i = 0; i < sizeof(sf_domains) / sizeof(sf_domains[0]); i++)
		if (ends_with(out->host, sf_domains[i]))
			out->salesforce = true;
	out->allowed = in_allow_list(out->host);

	if (strcmp(out->scheme, "http") == 0 &&
	    !(allow_http_loopback && out->loopback)) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			out->loopback ? "login URL uses plain http: allowed "
					"only to loopback with "
					"allow_http_loopback"
				      : "login URL uses plain http: only "
					"https is allowed (plain http only "
					"to a loopback address)");
		goto out;
	}
	if (out->loopback && !allow_http_loopback && !out->allowed) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			"login URL host '%.200s' is loopback: allowed "
			"only with allow_http_loopback",
			out->host);
		goto out;
	}
	if (!out->salesforce && !out->allowed && !out->loopback) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			"login URL host '%.200s' is not a Salesforce "
			"host (*.salesforce.com, *.force.com, "
			"*.cloudforce.com); add it to SF_ALLOWED_HOSTS "
			"to allow it",
			out->host);
		goto out;
	}
	if (out->salesforce && !out->allowed && out->port && out->port != 443) {
		rc = sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, NULL,
			"login URL '%.200s': Salesforce hosts answer "
			"on the default port only",
			spec);
		goto out;
	}
	if (out->port == 443 && strcmp(out->scheme, "https") == 0)
		out->port = 0;
	if (out->port == 80 && strcmp(out->scheme, "http") == 0)
		out->port = 0;
	rc = 0;
out:
	curl_url_cleanup(u);
	return rc;
}

static void format_url(const struct url_parts *p, char *out, size_t n)
{
	if (p->port)
		snprintf(out, n, "%s://%s:%ld", p->scheme, p->host, p->port);
	else
		snprintf(out, n, "%s://%s", p->scheme, p->host);
}

/* A My Domain name: letters, digits, '-'; starts with a letter or digit,
 * doesn't end with '-'; "NAME--BOX" names a sandbox. */
static bool mydomain_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 63 || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* "acme.my.salesforce.com" -> "acme"; sandbox form -> "acme--uat". */
static bool mydomain_of_host(const char *host, char *name, size_t n)
{
	static const char my[] = ".my.salesforce.com";
	static const char box[] = ".sandbox.my.salesforce.com";
	size_t hl = strlen(host), nl;

	if (ends_with(host, box))
		nl = hl - (sizeof(box) - 1);
	else if (ends_with(host, my))
		nl = hl - (sizeof(my) - 1);
	else
		return false;
	if (nl == 0 || nl >= n || memchr(host, '.', nl))
		return false;
	memcpy(name, host, nl);
	name[nl] = '\0';
	if (!mydomain_ok(name))
		return false;
	/* The sandbox form needs "--", and the plain form must not have it. */
	return (strstr(name, "--") != NULL) == ends_with(host, box);
}

int sf_target_parse(const char *spec, bool allow_http_loopback,
		    struct sf_target *out, struct sf_error *err)
{
	struct url_parts p;
	char name[64];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "login target is empty: want production, "
				     "sandbox, mydomain:NAME or an https URL");
	if (strcmp(spec, "production") == 0) {
		out->kind = SF_TARGET_PRODUCTION;
		return 0;
	}
	if (strcmp(spec, "sandbox") == 0) {
		out->kind = SF_TARGET_SANDBOX;
		return 0;
	}
	if (strncmp(spec, "mydomain:", 9) == 0) {
		const char *v = spec + 9;
		size_t n = strlen(v);

		if (n >= sizeof(name) || strchr(v, '.') || strchr(v, '/')) {
			return sf__error_set(
				err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				"My Domain '%.100s': give only the name (acme "
				"for acme.my.salesforce.com, acme--uat for a "
				"sandbox), or the whole https URL",
				v);
		}
		for (size_t i = 0; i <= n; i++)
			name[i] = (v[i] >= 'A' && v[i] <= 'Z')
					  ? (char)(v[i] - 'A' + 'a')
					  : v[i];
		if (!mydomain_ok(name))
			return sf__error_set(
				err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				"My Domain '%.100s': a name has only letters, "
				"digits and '-', and doesn't start or end with "
				"'-'",
				v);
		out->kind = SF_TARGET_MYDOMAIN;
		memcpy(out->value, name, n + 1);
		return 0;
	}
	if (!strstr(spec, "://"))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "login target '%.200s': want production, "
				     "sandbox, mydomain:NAME or a URL "
				     "(https://...)",
				     spec);
	rc = check_url(spec, allow_http_loopback, false, &p, err);
	if (rc < 0)
		return rc;
	if (strcmp(p.scheme, "https") == 0 && p.port == 0) {
		if (strcmp(p.host, "login.salesforce.com") == 0) {
			out->kind = SF_TARGET_PRODUCTION;
			return 0;
		}
		if (strcmp(p.host, "test.salesforce.com") == 0) {
			out->kind = SF_TARGET_SANDBOX;
			return 0;
		}
		if (mydomain_of_host(p.host, name, sizeof(name))) {
			out->kind = SF_TARGET_MYDOMAIN;
			snprintf(out->value, sizeof(out->value), "%s", name);
			return 0;
		}
	}
	out->kind = SF_TARGET_URL;
	format_url(&p, out->value, sizeof(out->value));
	if (strlen(out->value) + 1 >= sizeof(out->value)) {
		memset(out, 0, sizeof(*out));
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "login URL is too long");
	}
	return 0;
}

void sf_target_base_url(const struct sf_target *t, char *out, size_t n)
{
	switch (t->kind) {
	case SF_TARGET_PRODUCTION:
		snprintf(out, n, "https://login.salesforce.com");
		return;
	case SF_TARGET_SANDBOX:
		snprintf(out, n, "https://test.salesforce.com");
		return;
	case SF_TARGET_MYDOMAIN:
		if (strstr(t->value, "--"))
			snprintf(out, n, "https://%s.sandbox.my.salesforce.com",
				 t->value);
		else
			snprintf(out, n, "https://%s.my.salesforce.com",
				 t->value);
		return;
	case SF_TARGET_URL:
		snprintf(out, n, "%s", t->value);
		return;
	}
	snprintf(out, n, "%s", "");
}

bool sf_target_is_sandbox(const struct sf_target *t)
{
	char host[HOST_MAX + 3];

	switch (t->kind) {
	case SF_TARGET_SANDBOX:
		return true;
	case SF_TARGET_MYDOMAIN:
		return strstr(t->value, "--") != NULL;
	case SF_TARGET_URL:
		return sf__url_host(t->value, host, sizeof(host)) &&
		       (strcmp(host, "test.salesforce.com") == 0 ||
			ends_with(host, ".sandbox.my.salesforce.com"));
	case SF_TARGET_PRODUCTION:
		break;
	}
	return false;
}

int sf__instance_url(const char *url, bool allow_http_loopback, char *out,
		     size_t n, struct sf_error *err)
{
	struct url_parts p;
	int rc;

	if (n)
		out[0] = '\0';
	rc = check_url(url, allow_http_loopback, true, &p, err);
	if (rc < 0) {
		if (err && strncmp(err->message, "login URL", 9) == 0) {
			char tmp[sizeof(err->message)];

			snprintf(tmp, sizeof(tmp), "instance URL%s",
				 err->message + 9);
			memcpy(err->message, tmp, sizeof(tmp));
		}
		return rc;
	}
	format_url(&p, out, n);
	if (strlen(out) + 1 >= n) {
		out[0] = '\0';
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "instance URL is too long");
	}
	return 0;
}

bool sf__url_host(const char *url, char *out, size_t n)
{
	const char *h = strstr(url, "://");
	size_t len;

	if (!h || !n)
		return false;
	h += 3;
	if (*h == '[') {
		len = strcspn(h, "]");
		if (h[len] == ']')
			len++;
	} else {
		len = strcspn(h, ":/?#");
	}
	if (len == 0 || len >= n)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (h[i] >= 'A' && h[i] <= 'Z') ? (char)(h[i] - 'A' + 'a')
						      : h[i];
	out[len] = '\0';
	return true;
}
