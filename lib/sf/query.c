/* query.c - the SOQL query iterator: one page in memory at a time. */
#include "sf/rest.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "base/banned.h"

/* Salesforce refuses URIs over 16,384 bytes (414). */
#define QUERY_PATH_MAX 16384
/* A locator path is ~50 bytes; anything far longer isn't one. */
#define NEXT_URL_MAX 1024

/*
 * One thread at a time. Holds exactly one page: the previous page's JSON is
 * freed before the next is fetched, so memory stays at one page (at most
 * 2,000 records) whatever the result's size. Query cursors belong to the
 * user, not the session, so a re-login in sf__call continues the same one.
 */
struct sf_query {
	struct sf_client *c;
	json_t *page;    /* the current page; owns the records */
	json_t *records; /* borrowed from page */
	size_t next;     /* index of the next record to hand out */
	long long total; /* totalSize */
	char *next_url;  /* the page to fetch after this one, or NULL */
};

/* ---- the page parser ----
 *
 * A query page is the one big reply libsf reads again and again (a million
 * rows are 500 pages of ~360 KB), and json_loadb reads it at ~40 MB/s: a
 * stream callback per byte. This parser builds the same jansson values
 * from pointers at several times that, and accepts exactly what json_loadb
 * (flags 0) accepts: RFC 8259 JSON with an object or array at the top,
 * strings valid UTF-8 without \u0000, integers that fit json_int_t,
 * finite reals, duplicate keys (the last wins). itest_rest.c checks it
 * against json_loadb, document by document. Nesting is capped at
 * PAGE_MAX_DEPTH (json_loadb: 2048); a page nests 3 or 4 deep.
 */

#define PAGE_MAX_DEPTH 512

struct jp {
	const char *p, *end, *start;
	int depth;
	char *scratch; /* decoded escaped strings; grows to the longest */
	size_t cap;
	const char *why; /* the first error */
	size_t at;       /* its byte offset */
};

static json_t *jp_value(struct jp *j);

static json_t *jp_fail(struct jp *j, const char *why)
{
	if (!j->why) {
		j->why = why;
		j->at = (size_t)(j->p - j->start);
	}
	return NULL;
}

static void jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				 *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

/* Consumes c when it is the next byte. */
static bool jp_eat(struct jp *j, char c)
{
	if (j->p >= j->end || *j->p != c)
		return false;
	j->p++;
	return true;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || /* overlong */
		    (c == 0xED && s[1] > 0x9F))   /* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || /* overlong */
		    (c == 0xF4 && s[1] > 0x8F))   /* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A byte a string's fast path passes over: printable ASCII but '"' and '\\'. */
static inline bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * The string at j->p (just past the opening quote): *s and *n point at its
 * text, in the input when it has no escape, else in j->scratch. Leaves
 * j->p past the closing quote. 0, or -1 with j->why set.
 */
static int jp_string(struct jp *j, const char **s, size_t *n)
{
	const char *b = j->p;
	char *d;
	size_t k;

	/* Fast path: plain text up to the closing quote. */
	while (j->p < j->end) {
		unsigned char c;

		while (j->p < j->end && plain((unsigned char)*j->p))
			j->p++;
		if (j->p >= j->end)
			break;
		c = (unsigned char)*j->p;
		if (c == '"') {
			*s = b;
			*n = (size_t)(j->p - b);
			j->p++;
			return 0;
		}
		if (c == '\\')
			break;
		if (c < 0x20)
			return jp_fail(j, "control character in a string"), -1;
		k = c < 0x80 ? 1
			     : utf8_seq((const unsigned char *)j->p,
					(size_t)(j->end - j->p));
		if (!k)
			return jp_fail(j, "invalid UTF-8 in a string"), -1;
		j->p += k;
	}
	if (j->p >= j->end)
		return jp_fail(j, "unterminated string"), -1;

	/* Escapes: decode into scratch; the text never grows when decoded. */
	if (j->cap < (size_t)(j->end - b) + 1) {
		size_t want = (size_t)(j->end - b) + 1;
		char *g = realloc(j->scratch, want);

		if (!g)
			return jp_fail(j, "out of memory"), -1;
		j->scratch = g;
		j->cap = want;
	}
	memcpy(j->scratch, b, (size_t)(j->p - b));
	d = j->scratch + (j->p - b);
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		unsigned cp, lo;

		if (c == '"') {
			*s = j->scratch;
			*n = (size_t)(d - j->scratch);
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return jp_fail(j, "control character in a string"), -1;
		if (c != '\\') {
			k = c < 0x80 ? 1
				     : utf8_seq((const unsigned char *)j->p,
						(size_t)(j->end - j->p));
			if (!k)
				return jp_fail(j, "invalid UTF-8 in a string"),
				       -1;
			memcpy(d, j->p, k);
			d += k;
			j->p += k;
			continue;
		}
		if (j->end - j->p < 2)
			break;
		switch (j->p[1]) {
		case '"':
			*d++ = '"';
			break;
		case '\\':
			*d++ = '\\';
			break;
		case '/':
			*d++ = '/';
			break;
		case 'b':
			*d++ = '\b';
			break;
		case 'f':
			*d++ = '\f';
			break;
		case 'n':
			*d++ = '\n';
			break;
		case 'r':
			*d++ = '\r';
			break;
		case 't':
			*d++ = '\t';
			break;
		case 'u':
			if (j->end - j->p < 6 || hex4(j->p + 2, &cp))
				return jp_fail(j, "bad \\u escape"), -1;
			j->p += 4;
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return jp_fail(j, "lone low surrogate"), -1;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (j->end - j->p < 8 || j->p[2] != '\\' ||
				    j->p[3] != 'u' || hex4(j->p + 4, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return jp_fail(j,
						       "lone high surrogate"),
					       -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				j->p += 6;
			}
			if (cp == 0)
				return jp_fail(j, "\\u0000 in a string"), -1;
			d += put_utf8(d, cp);
			break;
		default:
			return jp_fail(j, "bad escape"), -1;
		}
		j->p += 2;
	}
	return jp_fail(j, "unterminated string"), -1;
}

static json_t *jp_number(struct jp *j)
{
	const char *b = j->p;
	bool real = false;
	char tmp[64], *num = tmp, *endp;
	size_t n;
	json_t *v = NULL;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else if (j->p < j->end && *j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return jp_fail(j, "bad number");
	}
	if (j->p < j->end && *j->p == '.') {
		real = true;
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jp_fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		real = true;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jp_fail(j, "bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	n = (size_t)(j->p - b);
	if (n >= sizeof(tmp)) {
		num = malloc(n + 1);
		if (!num)
			return jp_fail(j, "out of memory");
	}
	memcpy(num, b, n);
	num[n] = '\0';
	errno = 0;
	if (!real) {
		long long x = strtoll(num, &endp, 10);

		if (errno == ERANGE)
			jp_fail(j, "integer out of range");
		else
			v = json_integer((json_int_t)x);
	} else {
		/* strtod reads the locale's decimal point; JSON's is '.'. */
		const char *dp = localeconv()->decimal_point;
		char *dot = strchr(num, '.');
		double x;

		if (dot && dp && dp[0] && dp[0] != '.' && !dp[1])
			*dot = dp[0];
		x = strtod(num, &endp);
		if (errno == ERANGE && (x > 1.0 || x < -1.0))
			jp_fail(j, "real number overflow");
		else
			v = json_real(x);
	}
	if (num != tmp)
		free(num);
	if (!v && !j->why)
		jp_fail(j, "out of memory");
	return v;
}

static json_t *jp_object(struct jp *j)
{
	json_t *o = json_object(), *v;
	const char *k;
	size_t kn;

	if (!o)
		return jp_fail(j, "out of memory");
	jp_ws(j);
	if (jp_eat(j, '}'))
		return o;
	for (;;) {
		jp_ws(j);
		if (j->p >= j->end || *j->p != '"')
			goto fail_key;
		j->p++;
		if (jp_string(j, &k, &kn))
			goto fail;
		/* The key may sit in scratch, which the value may reuse. */
		{
			char kbuf[128], *key = kn < sizeof(kbuf)
						       ? kbuf
						       : malloc(kn + 1);
			int rc;

			if (!key) {
				jp_fail(j, "out of memory");
				goto fail;
			}
			memcpy(key, k, kn);
			key[kn] = '\0';
			jp_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				if (key != kbuf)
					free(key);
				jp_fail(j, "':' expected");
				goto fail;
			}
			j->p++;
			v = jp_value(j);
			rc = v ? json_object_setn_new_nocheck(o, key, kn, v)
			       : -1;
			if (key != kbuf)
				free(key);
			if (rc) {
				if (v)
					jp_fail(j, "out of memory");
				goto fail;
			}
		}
		jp_ws(j);
		if (jp_eat(j, ','))
			continue;
		if (jp_eat(j, '}'))
			return o;
		jp_fail(j, "',' or '}' expected");
		goto fail;
	}
fail_key:
	jp_fail(j, "string key expected");
fail:
	json_decref(o);
	return NULL;
}

static json_t *jp_array(struct jp *j)
{
	json_t *a = json_array(), *v;

	if (!a)
		return jp_fail(j, "out of memory");
	jp_ws(j);
	if (jp_eat(j, ']'))
		return a;
	for (;;) {
		v = jp_value(j);
		if (!v)
			goto fail;
		if (json_array_append_new(a, v)) {
			jp_fail(j, "out of memory");
			goto fail;
		}
		jp_ws(j);
		if (jp_eat(j, ','))
			continue;
		if (jp_eat(j, ']'))
			return a;
		jp_fail(j, "',' or ']' expected");
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static bool jp_word(struct jp *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return false;
	j->p += n;
	return true;
}

static json_t *jp_value(struct jp *j)
{
	json_t *v;
	const char *s;
	size_t n;

	jp_ws(j);
	if (j->p >= j->end)
		return jp_fail(j, "unexpected end of input");
	switch (*j->p) {
	case '{':
	case '[':
		if (++j->depth > PAGE_MAX_DEPTH)
			return jp_fail(j, "nested too deep");
		j->p++;
		v = j->p[-1] == '{' ? jp_object(j) : jp_array(j);
		j->depth--;
		return v;
	case '"':
		j->p++;
		if (jp_string(j, &s, &n))
			return NULL;
		v = json_stringn_nocheck(s, n);
		return v ? v : jp_fail(j, "out of memory");
	case 't':
		return jp_word(j, "true", 4) ? json_true()
					     : jp_fail(j, "bad literal");
	case 'f':
		return jp_word(j, "false", 5) ? json_false()
					      : jp_fail(j, "bad literal");
	case 'n':
		return jp_word(j, "null", 4) ? json_null()
					     : jp_fail(j, "bad literal");
	default:
		return jp_number(j);
	}
}

int sf__query_parse_page(const char *buf, size_t len, json_t **out,
			 struct sf_error *err)
{
	struct jp j = {.p = buf, .end = buf + len, .start = buf};
	json_t *v = NULL;

	*out = NULL;
	jp_ws(&j);
	if (j.p < j.end && *j.p != '{' && *j.p != '[')
		jp_fail(&j, "an object or array expected");
	else
		v = jp_value(&j);
	if (v) {
		jp_ws(&j);
		if (j.p != j.end) {
			jp_fail(&j, "text after the document");
			json_decref(v);
			v = NULL;
		}
	}
	free(j.scratch);
	if (!v)
		return sf__error_set(err, SF_CLASS_NONE, 200, NULL,
				     "reply is not JSON: %s at byte %zu",
				     j.why ? j.why : "unexpected end of input",
				     j.at);
	*out = v;
	return 0;
}

/*
 * Takes ownership of page: checks its shape and makes it the current one.
 * A page that isn't {"totalSize", "done", "records": [...]} fails.
 */
static int take_page(struct sf_query *q, json_t *page, struct sf_error *err)
{
	json_t *records = json_object_get(page, "records");
	json_t *total = json_object_get(page, "totalSize");
	json_t *done = json_object_get(page, "done");
	const char *next =
		json_string_value(json_object_get(page, "nextRecordsUrl"));
	char *dup = NULL;

	if (!json_is_array(records) || !json_is_integer(total) ||
	    !json_is_boolean(done)) {
		json_decref(page);
		return sf__error_set(err, SF_CLASS_NONE, 200, NULL,
				     "reply is not a query result page");
	}
	if (!json_is_true(done) &&
	    (!next || strncmp(next, "/services/data/", 15) != 0 ||
	     strlen(next) > NEXT_URL_MAX || strstr(next, "..") ||
	     strchr(next, '\r') || strchr(next, '\n'))) {
		json_decref(page);
		return sf__error_set(err, SF_CLASS_NONE, 200, NULL,
				     "a page that isn't the last carries no "
				     "usable nextRecordsUrl");
	}
	if (!json_is_true(done)) {
		dup = strdup(next);
		if (!dup) {
			json_decref(page);
			return sf__rest_nomem(err, "query page");
		}
	}
	/* The old locator goes only now: a failed page keeps it for a retry. */
	free(q->next_url);
	q->next_url = dup;
	json_decref(q->page);
	q->page = page;
	q->records = records;
	q->next = 0;
	q->total = json_integer_value(total);
	return 0;
}

static int fetch(struct sf_query *q, const char *path, struct sf_error *err)
{
	struct sf_http_resp resp = SF_HTTP_RESP_INIT;
	json_t *page = NULL;
	int rc;

	/* A GET of a page reads and changes nothing: safe to repeat. */
	rc = sf__call(q->c, "GET", path, NULL, NULL, 0, true, &resp, err);
	if (rc == 0)
		rc = sf__query_parse_page(resp.body.data ? resp.body.data : "",
					  resp.body.len, &page, err);
	/* The body goes before the page is checked: one copy at a time. */
	sf__resp_release(&resp);
	if (rc < 0)
		return rc;
	return take_page(q, page, err);
}

int sf_query_open(struct sf_client *c, const char *soql, bool query_all,
		  struct sf_query **out, struct sf_error *err)
{
	struct base_buf path = BASE_BUF_INIT(QUERY_PATH_MAX);
	struct sf_query *q = NULL;
	int rc;

	*out = NULL;
	if (!soql || !*soql)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "query: no SOQL");
	q = calloc(1, sizeof(*q));
	if (!q)
		return sf__rest_nomem(err, "query");
	q->c = c;
	base_buf_puts(&path, query_all ? "/queryAll?q=" : "/query?q=");
	sf__rest_put_query_value(&path, soql);
	rc = base_buf_err(&path);
	if (rc == BASE_ETOOBIG)
		rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				   "the encoded query is over 16,384 bytes");
	else if (rc)
		rc = sf__rest_nomem(err, "building the query");
	else
		rc = fetch(q, base_buf_str(&path), err);
	if (rc < 0) {
		sf__rest_wrap(err, rc, "%s", query_all ? "queryAll" : "query");
		sf_query_close(q);
		q = NULL;
	}
	*out = q;
	base_buf_release(&path);
	return rc;
}

/*
 * After a failed page the locator is kept: calling again retries that page
 * (worth it after a throttle or network failure).
 */
int sf_query_next(struct sf_query *q, json_t **record, struct sf_error *err)
{
	int rc;

	*record = NULL;
	/* A page may hold no records yet not be the last: keep going. */
	while (q->next >= json_array_size(q->records)) {
		if (!q->next_url)
			return 0;
		/* Free this page before the next arrives: one page at a time.
		 */
		json_decref(q->page);
		q->page = NULL;
		q->records = NULL;
		q->next = 0;
		rc = fetch(q, q->next_url, err);
		if (rc < 0)
			return sf__rest_wrap(err, rc, "query: next page");
	}
	*record = json_array_get(q->records, q->next++);
	return 1;
}

long long sf_query_total(const struct sf_query *q)
{
	return q ? q->total : 0;
}

void sf_query_close(struct sf_query *q)
{
	if (!q)
		return;
	json_decref(q->page);
	free(q->next_url);
	free(q);
}
