/* redact.c - make protocol text (headers, bodies, URLs) safe to log. */
#include "redact.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "text.h"
#include "banned.h"

/* JSON keys, form fields and query parameters whose values are secrets. */
static const char *const secret_names[] = {
	"access_token",     "refresh_token",  "id_token",  "client_secret",
	"client_assertion", "password",       "assertion", "token",
	"sessionId",        "security_token", "code",      "oauth_token",
};
#define NSECRET_NAMES (sizeof(secret_names) / sizeof(secret_names[0]))

/* XML elements whose text is a secret (any prefix). */
static const char *const secret_elements[] = {"sessionId", "password"};
#define NSECRET_ELEMENTS (sizeof(secret_elements) / sizeof(secret_elements[0]))

/* Header names whose whole value is a secret when they contain one of these. */
static const char *const secret_header_parts[] = {
	"token", "secret", "session", "password", "api-key", "apikey",
};
#define NSECRET_HEADER_PARTS \
	(sizeof(secret_header_parts) / sizeof(secret_header_parts[0]))

static bool eq_nocase(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

static bool is_secret_name(const char *s, size_t n)
{
	for (size_t i = 0; i < NSECRET_NAMES; i++)
		if (eq_nocase(s, n, secret_names[i]))
			return true;
	return false;
}

static bool contains_nocase(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return true;
	return false;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Query/form parameters: NAME=VALUE where NAME starts the text or follows
 * one of ?&#; or whitespace, and VALUE runs to & # whitespace, a quote,
 * < or > or the end.
 */
static int params_to(struct base_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		size_t j, k;

		if (i > 0 && !strchr("?&#;", s[i - 1]) && !is_space(s[i - 1])) {
			i++;
			continue;
		}
		for (j = i; j < n && is_name_char(s[j]); j++)
			;
		if (j == i || j >= n || s[j] != '=' ||
		    !is_secret_name(s + i, j - i)) {
			i = j > i ? j : i + 1;
			continue;
		}
		k = j + 1;
		if (k < n && (s[k] == '"' || s[k] == '\'')) {
			/* an attribute, password="...": keep the quotes */
			char q = s[k];

			for (k++; k < n && s[k] != q; k++)
				;
			base_buf_append(out, s + run, j + 2 - run);
			base_buf_puts(out, BASE_REDACTED);
			run = i = k;
			continue;
		}
		while (k < n && !strchr("&#\"'<>", s[k]) && !is_space(s[k]))
			k++;
		base_buf_append(out, s + run, j + 1 - run);
		base_buf_puts(out, BASE_REDACTED);
		run = i = k;
	}
	base_buf_append(out, s + run, n - run);
	return base_buf_err(out);
}

/* "scheme://user:pass@host" -> "scheme://<redacted>@host". */
static int userinfo_to(struct base_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i + 3 <= n) {
		size_t a, end, at = 0;
		bool found = false;

		if (memcmp(s + i, "://", 3) != 0) {
			i++;
			continue;
		}
		a = i + 3;
		for (end = a; end < n && !strchr("/?#\"'<>", s[end]) &&
			      !is_space(s[end]);
		     end++) {
			if (s[end] == '@') {
				at = end;
				found = true;
			}
		}
		if (found) {
			base_buf_append(out, s + run, a - run);
			base_buf_puts(out, BASE_REDACTED);
			run = at;
		}
		i = end;
	}
	base_buf_append(out, s + run, n - run);
	return base_buf_err(out);
}

/* The end of an XML element `name` (local name) at or after `from`: the
 * offset of its "</", or n when there is none. */
static size_t xml_close(const char *s, size_t n, size_t from, const char *name)
{
	size_t m = strlen(name);

	for (size_t i = from; i + 1 < n; i++) {
		size_t j, local;

		if (s[i] != '<' || s[i + 1] != '/')
			continue;
		for (j = local = i + 2; j < n && is_name_char(s[j]); j++)
			;
		if (j < n && s[j] == ':') {
			local = j + 1;
			for (j = local; j < n && is_name_char(s[j]); j++)
				;
		}
		if (j - local == m && strncasecmp(s + local, name, m) == 0)
			return i;
	}
	return n;
}

/* <[prefix:]sessionId ...>TEXT</[prefix:]sessionId> -> TEXT redacted. */
static int xml_to(struct base_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		size_t j, local, gt;
		const char *name = NULL;

		if (s[i] != '<') {
			i++;
			continue;
		}
		for (j = local = i + 1; j < n && is_name_char(s[j]); j++)
			;
		if (j < n && s[j] == ':') {
			local = j + 1;
			for (j = local; j < n && is_name_char(s[j]); j++)
				;
		}
		for (size_t e = 0; e < NSECRET_ELEMENTS; e++)
			if (eq_nocase(s + local, j - local, secret_elements[e]))
				name = secret_elements[e];
		if (!name || j == local ||
		    (j < n && s[j] != '>' && s[j] != '/' && !is_space(s[j]))) {
			i = j > i + 1 ? j : i + 1;
			continue;
		}
		gt = j;
		while (gt < n && s[gt] != '>')
			gt++;
		if (gt < n && gt > 0 && s[gt - 1] == '/') {
			i = gt + 1; /* <password/>: nothing inside */
			continue;
		}
		if (gt < n)
			gt++;
		base_buf_append(out, s + run, gt - run);
		base_buf_puts(out, BASE_REDACTED);
		run = i = xml_close(s, n, gt, name);
	}
	base_buf_append(out, s + run, n - run);
	return base_buf_err(out);
}

/*
 * "KEY" ws : ws VALUE, wherever a quoted secret name is followed by a colon:
 * searching for the pattern (rather than tracking strings) can't lose its
 * place in text that isn't quite JSON. A string value keeps its quotes.
 */
static int json_to(struct base_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	while (i < n) {
		size_t j, k;

		if (s[i] != '"') {
			i++;
			continue;
		}
		for (j = i + 1; j < n && is_name_char(s[j]); j++)
			;
		if (j >= n || s[j] != '"' ||
		    !is_secret_name(s + i + 1, j - i - 1)) {
			i++;
			continue;
		}
		for (k = j + 1; k < n && is_space(s[k]); k++)
			;
		if (k >= n || s[k] != ':') {
			i = j + 1;
			continue;
		}
		for (k++; k < n && is_space(s[k]); k++)
			;
		base_buf_append(out, s + run, k - run);
		if (k < n && s[k] == '"') {
			for (k++; k < n && s[k] != '"'; k++)
				if (s[k] == '\\' && k + 1 < n)
					k++;
			base_buf_puts(out, "\"" BASE_REDACTED "\"");
			if (k < n)
				k++;
		} else {
			while (k < n && !strchr(",}]", s[k]) && !is_space(s[k]))
				k++;
			base_buf_puts(out, BASE_REDACTED);
		}
		run = i = k;
	}
	base_buf_append(out, s + run, n - run);
	return base_buf_err(out);
}

/* Runs a pass from one buffer into a new one (same limit and secrecy). */
static int pass(struct base_buf *dst, const struct base_buf *src,
		int (*fn)(struct base_buf *, const char *, size_t))
{
	*dst = (struct base_buf){.max = src->max, .secret = src->secret};
	return fn(dst, src->data ? src->data : "", src->len);
}

int base_redact_url_to(struct base_buf *out, const char *s, size_t n)
{
	struct base_buf tmp = BASE_BUF_SECRET_INIT(out->max);
	int rc = userinfo_to(&tmp, s, n);

	if (rc == 0)
		rc = params_to(out, base_buf_str(&tmp), tmp.len);
	base_buf_release(&tmp);
	return rc;
}

int base_redact_body_to(struct base_buf *out, const char *s, size_t n)
{
	struct base_buf a = BASE_BUF_SECRET_INIT(out->max);
	struct base_buf b = BASE_BUF_SECRET_INIT(out->max);
	int rc = xml_to(&a, s, n);

	if (rc == 0)
		rc = pass(&b, &a, json_to);
	base_buf_release(&a);
	if (rc == 0)
		rc = pass(&a, &b, params_to);
	base_buf_release(&b);
	if (rc == 0)
		rc = userinfo_to(out, base_buf_str(&a), a.len);
	base_buf_release(&a);
	return rc;
}

/* "a=1; b=2" -> "a=<redacted>; b=<redacted>"; with first_only, only the
 * first pair (Set-Cookie: the rest are attributes). */
static void cookies_to(struct base_buf *out, const char *v, size_t n,
		       bool first_only)
{
	size_t i = 0;

	while (i < n) {
		size_t eq = i, end;

		while (eq < n && v[eq] != '=' && v[eq] != ';')
			eq++;
		end = eq;
		while (end < n && v[end] != ';')
			end++;
		if (eq < n && v[eq] == '=') {
			base_buf_append(out, v + i, eq + 1 - i);
			base_buf_puts(out, BASE_REDACTED);
		} else {
			base_buf_append(out, v + i, end - i);
		}
		if (first_only) {
			base_buf_append(out, v + end, n - end);
			return;
		}
		if (end < n)
			base_buf_putc(out, ';');
		i = end + 1;
	}
}

static void header_line_to(struct base_buf *out, const char *s, size_t n)
{
	size_t colon, v, i;

	for (colon = 0; colon < n && s[colon] != ':'; colon++)
		if (!is_name_char(s[colon]))
			break;
	if (colon == 0 || colon >= n || s[colon] != ':') {
		base_redact_url_to(out, s, n); /* request or status line */
		return;
	}
	for (v = colon + 1; v < n && (s[v] == ' ' || s[v] == '\t'); v++)
		;
	base_buf_append(out, s, v);
	if (eq_nocase(s, colon, "Authorization") ||
	    eq_nocase(s, colon, "Proxy-Authorization")) {
		for (i = v; i < n && s[i] != ' '; i++)
			;
		if (i < n) /* keep the scheme */
			base_buf_append(out, s + v, i + 1 - v);
		base_buf_puts(out, BASE_REDACTED);
		return;
	}
	if (eq_nocase(s, colon, "Cookie") ||
	    eq_nocase(s, colon, "Set-Cookie")) {
		cookies_to(out, s + v, n - v,
			   eq_nocase(s, colon, "Set-Cookie"));
		return;
	}
	for (i = 0; i < NSECRET_HEADER_PARTS; i++) {
		if (contains_nocase(s, colon, secret_header_parts[i])) {
			base_buf_puts(out, BASE_REDACTED);
			return;
		}
	}
	base_redact_url_to(out, s + v, n - v); /* Location: ...?access_token= */
}

int base_redact_header_to(struct base_buf *out, const char *s, size_t n)
{
	size_t at = 0;

	while (at < n) {
		size_t start = at, len = base_text_next_line(s, n, &at);

		header_line_to(out, s + start, len);
		/* The line end as it was: "\r\n", "\n" or none. */
		base_buf_append(out, s + start + len, at - (start + len));
	}
	return base_buf_err(out);
}

static void in_place(struct base_buf *b,
		     int (*fn)(struct base_buf *, const char *, size_t))
{
	struct base_buf out = {.max = b->max, .secret = b->secret};
	int rc = fn(&out, b->data ? b->data : "", b->len);

	if (rc != 0) {
		/* Fail closed: the marker alone, never the original. */
		base_buf_release(&out);
		out = (struct base_buf){.max = b->max > sizeof(BASE_REDACTED)
						       ? b->max
						       : sizeof(BASE_REDACTED),
					.secret = b->secret};
		base_buf_puts(&out, BASE_REDACTED);
	}
	base_buf_release(b);
	*b = out;
}

void base_redact_header(struct base_buf *b)
{
	in_place(b, base_redact_header_to);
}

void base_redact_url(struct base_buf *b)
{
	in_place(b, base_redact_url_to);
}

void base_redact_body(struct base_buf *b)
{
	in_place(b, base_redact_body_to);
}
