/* rest.c - REST through the session: records, upsert, describe, composite. */
#include "sf/rest.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "base/banned.h"

/* Salesforce refuses URIs over 16,384 bytes (414): never build a longer one. */
#define PATH_MAX_LEN 16384
#define ID_LEN       18

/* ---- helpers shared with query.c and collections.c (internal.h) ---- */

int sf__rest_nomem(struct sf_error *err, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sf__error_set(err, SF_CLASS_NONE, 0, NULL, "%s: out of memory", what);
	return BASE_ENOMEM;
}

int sf__rest_wrap(struct sf_error *err, int rc, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	sf__error_wrap(err, "%s", prefix);
	return rc;
}

static int put_encoded(struct base_buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};

		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p))
			base_buf_putc(b, (char)*p);
		else
			base_buf_append(b, e, 3);
	}
	return base_buf_err(b);
}

/*
 * "." and ".." are unreserved, but a URL library or proxy would remove them
 * as dot segments (RFC 3986 5.2.4): an external id "." must arrive as one.
 */
int sf__rest_put_segment(struct base_buf *b, const char *s)
{
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return put_encoded(b, s, "");
	return put_encoded(b, s, "-._~");
}

int sf__rest_put_query_value(struct base_buf *b, const char *s)
{
	return put_encoded(b, s, "-._~,");
}

int sf__rest_json(struct sf_client *c, const char *method, const char *path,
		  json_t *body, bool retry_safe, json_t **out, long *status,
		  struct sf_error *err)
{
	struct sf_http_resp resp = SF_HTTP_RESP_INIT;
	char *text = NULL;
	json_t *doc = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (status)
		*status = 0;
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		if (!text) {
			rc = sf__rest_nomem(err, "serialising the request");
			goto out;
		}
	}
	rc = sf__call(c, method, path, text ? "application/json" : NULL, text,
		      text ? strlen(text) : 0, retry_safe, &resp, err);
	if (rc < 0)
		goto out;
	if (status)
		*status = resp.status;
	if (resp.body.len) {
		doc = json_loadb(resp.body.data, resp.body.len, 0, &jerr);
		if (!doc) {
			rc = sf__error_set(
				err, SF_CLASS_NONE, resp.status, NULL,
				"http %ld: reply is not JSON (%zu bytes, %s): "
				"%s",
				resp.status, resp.body.len,
				resp.content_type[0] ? resp.content_type
						     : "no content type",
				jerr.text);
			goto out;
		}
	}
	*out = doc;
	rc = 0;
out:
	free(text);
	sf__resp_release(&resp);
	return rc;
}

/* ---- paths and replies ---- */

/* The path builder failed: too long (the caller's input) or no memory. */
static int path_fail(struct sf_error *err, int code)
{
	if (code == BASE_ENOMEM)
		return sf__rest_nomem(err, "building the request path");
	return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
			     "request path over 16,384 bytes");
}

/*
 * "/sobjects/<obj>[/<seg1>[/<seg2>]]", every segment %-encoded. 0, or
 * path_fail()'s error (err may be NULL: b keeps its sticky error).
 */
static int sobject_path(struct base_buf *b, const char *sobject,
			const char *seg1, const char *seg2,
			struct sf_error *err)
{
	base_buf_puts(b, "/sobjects/");
	sf__rest_put_segment(b, sobject);
	if (seg1) {
		base_buf_putc(b, '/');
		sf__rest_put_segment(b, seg1);
	}
	if (seg2) {
		base_buf_putc(b, '/');
		sf__rest_put_segment(b, seg2);
	}
	return base_buf_err(b) ? path_fail(err, base_buf_err(b)) : 0;
}

/*
 * `method` on the record path sobject_path(sobject, seg1, seg2) with `body`,
 * through sf__rest_json(): *reply (caller owns) and *status as it gives them.
 */
static int record_json(struct sf_client *c, const char *method,
		       const char *sobject, const char *seg1, const char *seg2,
		       json_t *body, bool retry_safe, json_t **reply,
		       long *status, struct sf_error *err)
{
	struct base_buf path = BASE_BUF_INIT(PATH_MAX_LEN);
	int rc;

	rc = sobject_path(&path, sobject, seg1, seg2, err);
	if (rc == 0)
		rc = sf__rest_json(c, method, base_buf_str(&path), body,
				   retry_safe, reply, status, err);
	base_buf_release(&path);
	return rc;
}

static bool is_blank(const char *s)
{
	return !s || !*s;
}

/* Copies the reply's "id" into id_out (19 bytes; may be NULL). */
static int take_id(json_t *reply, long status, char *id_out,
		   struct sf_error *err)
{
	const char *id = json_string_value(json_object_get(reply, "id"));

	if (!id || !*id || strlen(id) > ID_LEN)
		return sf__error_set(err, SF_CLASS_NONE, status, NULL,
				     "http %ld: reply carries no record id",
				     status);
	if (id_out)
		snprintf(id_out, ID_LEN + 1, "%s", id);
	return 0;
}

/* ---- generic and read-only resources ---- */

int sf_rest(struct sf_client *c, const char *method, const char *path,
	    json_t *body, json_t **out, int *status, struct sf_error *err)
{
	json_t *doc = NULL;
	long st = 0;
	int rc;

	if (out)
		*out = NULL;
	if (status)
		*status = 0;
	if (is_blank(method) || is_blank(path) || path[0] != '/')
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "rest: needs a method and a path that "
				     "starts with '/'");
	/* Only a POST may do its work twice (a create): the rest repeat safely.
	 */
	rc = sf__rest_json(c, method, path, body, strcmp(method, "POST") != 0,
			   &doc, &st, err);
	if (rc < 0) {
		if (status && err)
			*status = err->http_status;
		return sf__rest_wrap(err, rc, "%s %s", method, path);
	}
	if (status)
		*status = (int)st;
	if (out)
		*out = doc;
	else
		json_decref(doc);
	return 0;
}

/* A GET whose reply must be a JSON document. */
static int get_json(struct sf_client *c, const char *path, json_t **out,
		    struct sf_error *err)
{
	long st = 0;
	int rc;

	rc = sf__rest_json(c, "GET", path, NULL, true, out, &st, err);
	if (rc == 0 && !*out)
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: empty reply", st);
	return rc;
}

int sf_versions(struct sf_client *c, json_t **out, struct sf_error *err)
{
	/* The one resource outside a version, and without a session. */
	int rc = get_json(c, "/services/data/", out, err);

	if (rc == 0 && !json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = sf__error_set(err, SF_CLASS_NONE, 200, NULL,
				   "reply is not an array");
	}
	if (rc < 0)
		return sf__rest_wrap(err, rc, "versions");
	return 0;
}

int sf_limits(struct sf_client *c, json_t **out, struct sf_error *err)
{
	int rc = get_json(c, "/limits", out, err);

	if (rc < 0)
		return sf__rest_wrap(err, rc, "limits");
	return 0;
}

int sf_describe_global(struct sf_client *c, json_t **out, struct sf_error *err)
{
	int rc = get_json(c, "/sobjects", out, err);

	if (rc < 0)
		return sf__rest_wrap(err, rc, "describe global");
	return 0;
}

/* ---- describe cache ---- */

/*
 * Internally locked. An entry is never replaced nor removed before the
 * client is freed, because sf_describe hands out borrowed pointers. Keys
 * are lower case: Salesforce's object names ignore case. No size limit: an
 * org has a few thousand objects at most, and a caller describes few.
 */
struct sf_describe_cache {
	pthread_mutex_t lock;
	json_t *by_name; /* guarded by lock */
};

static struct sf_describe_cache *cache_get(struct sf_client *c)
{
	_Atomic(struct sf_describe_cache *) *slot = sf__client_describe_slot(c);
	struct sf_describe_cache *dc = atomic_load(slot), *none = NULL;

	if (dc)
		return dc;
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return NULL;
	dc->by_name = json_object();
	if (!dc->by_name || pthread_mutex_init(&dc->lock, NULL)) {
		json_decref(dc->by_name);
		free(dc);
		return NULL;
	}
	if (!atomic_compare_exchange_strong(slot, &none, dc)) {
		/* Another thread got there first: use its cache. */
		pthread_mutex_destroy(&dc->lock);
		json_decref(dc->by_name);
		free(dc);
		return none;
	}
	return dc;
}

void sf__rest_client_cleanup(struct sf_client *c)
{
	struct sf_describe_cache *dc;

	if (!c)
		return;
	dc = atomic_exchange(sf__client_describe_slot(c), NULL);
	if (!dc)
		return;
	pthread_mutex_destroy(&dc->lock);
	json_decref(dc->by_name);
	free(dc);
}

static void lower_key(const char *s, char *out, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] =
			(s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[i] = '\0';
}

static json_t *cache_find(struct sf_describe_cache *dc, const char *key)
{
	json_t *have;

	pthread_mutex_lock(&dc->lock);
	have = json_object_get(dc->by_name, key);
	pthread_mutex_unlock(&dc->lock);
	return have;
}

/*
 * Keeps doc under key unless another thread stored one first; returns the
 * entry that stays (borrowed), NULL when out of memory.
 */
static json_t *cache_put(struct sf_describe_cache *dc, const char *key,
			 json_t *doc)
{
	json_t *have;

	pthread_mutex_lock(&dc->lock);
	have = json_object_get(dc->by_name, key);
	if (!have && json_object_set(dc->by_name, key, doc) == 0)
		have = doc;
	pthread_mutex_unlock(&dc->lock);
	return have;
}

int sf_describe(struct sf_client *c, const char *sobject, json_t **out,
		struct sf_error *err)
{
	struct base_buf path = BASE_BUF_INIT(PATH_MAX_LEN);
	struct sf_describe_cache *dc;
	json_t *doc = NULL;
	char key[256];
	int rc;

	*out = NULL;
	if (is_blank(sobject) || strlen(sobject) >= sizeof(key))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "describe: needs an object name");
	lower_key(sobject, key, sizeof(key));
	dc = cache_get(c);
	if (!dc)
		return sf__rest_nomem(err, "describe '%s'", sobject);
	*out = cache_find(dc, key);
	if (*out)
		return 0;

	rc = sobject_path(&path, sobject, "describe", NULL, err);
	if (rc)
		goto out;
	rc = get_json(c, base_buf_str(&path), &doc, err);
	if (rc == 0 && !json_is_object(doc))
		rc = sf__error_set(err, SF_CLASS_NONE, 200, NULL,
				   "reply is not an object");
	if (rc < 0)
		goto out;
	*out = cache_put(dc, key, doc);
	if (!*out)
		rc = sf__rest_nomem(err, "caching");
out:
	if (rc < 0)
		sf__rest_wrap(err, rc, "describe '%s'", sobject);
	json_decref(doc);
	base_buf_release(&path);
	return rc;
}

/* ---- records ---- */

int sf_create(struct sf_client *c, const char *sobject, json_t *fields,
	      char *id_out, struct sf_error *err)
{
	json_t *reply = NULL;
	long st = 0;
	int rc;

	if (id_out)
		id_out[0] = '\0';
	if (is_blank(sobject) || !json_is_object(fields))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "create: needs an object name and fields");
	/* Not idempotent: a retry after the request may have arrived could
	 * create the record twice. */
	rc = record_json(c, "POST", sobject, NULL, NULL, fields, false, &reply,
			 &st, err);
	if (rc == 0 && st != 201)
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: expected 201 Created", st);
	if (rc == 0)
		rc = take_id(reply, st, id_out, err);
	if (rc < 0)
		sf__rest_wrap(err, rc, "create %s", sobject);
	json_decref(reply);
	return rc;
}

/*
 * GET sobject_path(sobject, seg1, seg2)[?fields=...]. 0 with the record, 1
 * with the 300 reply (several records matched an external id), or <0.
 */
static int get_record(struct sf_client *c, const char *sobject,
		      const char *seg1, const char *seg2, const char *fields,
		      json_t **out, struct sf_error *err)
{
	struct base_buf path = BASE_BUF_INIT(PATH_MAX_LEN);
	long st = 0;
	int rc;

	/* A failure shows in the buffer's sticky error, checked below. */
	(void)sobject_path(&path, sobject, seg1, seg2, NULL);
	if (!is_blank(fields)) {
		base_buf_puts(&path, "?fields=");
		sf__rest_put_query_value(&path, fields);
	}
	if (base_buf_err(&path)) {
		rc = path_fail(err, base_buf_err(&path));
		goto out;
	}
	rc = sf__rest_json(c, "GET", base_buf_str(&path), NULL, true, out, &st,
			   err);
	if (rc < 0)
		goto out;
	if (st == 300) {
		rc = 1;
		goto out;
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: reply is not a record", st);
	}
out:
	base_buf_release(&path);
	return rc;
}

int sf_retrieve(struct sf_client *c, const char *sobject, const char *id,
		const char *fields, json_t **out, struct sf_error *err)
{
	int rc;

	*out = NULL;
	if (is_blank(sobject) || is_blank(id))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "retrieve: needs an object name and an "
				     "id");
	rc = get_record(c, sobject, id, NULL, fields, out, err);
	if (rc > 0) { /* 300 for a record id: not a reply Salesforce gives */
		json_decref(*out);
		*out = NULL;
		rc = sf__error_set(err, SF_CLASS_NONE, 300, NULL,
				   "http 300: unexpected");
	}
	if (rc < 0)
		sf__rest_wrap(err, rc, "retrieve %s '%s'", sobject, id);
	return rc;
}

/* A PATCH or DELETE of one record: 204 No Content (200 accepted too). */
static int no_content(struct sf_client *c, const char *method,
		      const char *sobject, const char *id, json_t *fields,
		      struct sf_error *err)
{
	json_t *reply = NULL;
	long st = 0;
	int rc;

	/* Both repeat safely: the same values again, or an already deleted
	 * record (which then reads ENTITY_IS_DELETED). */
	rc = record_json(c, method, sobject, id, NULL, fields, true, &reply,
			 &st, err);
	if (rc == 0 && st != 204 && st != 200)
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: expected 204 No Content", st);
	json_decref(reply);
	return rc;
}

int sf_update(struct sf_client *c, const char *sobject, const char *id,
	      json_t *fields, struct sf_error *err)
{
	int rc;

	if (is_blank(sobject) || is_blank(id) || !json_is_object(fields))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "update: needs an object name, an id and "
				     "fields");
	rc = no_content(c, "PATCH", sobject, id, fields, err);
	if (rc < 0)
		return sf__rest_wrap(err, rc, "update %s '%s'", sobject, id);
	return 0;
}

int sf_delete(struct sf_client *c, const char *sobject, const char *id,
	      struct sf_error *err)
{
	int rc;

	if (is_blank(sobject) || is_blank(id))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "delete: needs an object name and an id");
	rc = no_content(c, "DELETE", sobject, id, NULL, err);
	if (rc < 0)
		return sf__rest_wrap(err, rc, "delete %s '%s'", sobject, id);
	return 0;
}

/*
 * 300 Multiple Choices: the body lists the matching records' URLs; raw
 * keeps them ("url, url, ...") so that a person can see which records.
 */
static int multiple_records(json_t *urls, struct sf_error *err)
{
	size_t i, n = json_array_size(urls), at = 0;
	char list[sizeof(err->raw)];
	json_t *u;
	int rc;

	rc = sf__error_set(err, SF_CLASS_INVALID_REQUEST, 300,
			   "MULTIPLE_RECORDS",
			   "http 300: MULTIPLE_RECORDS: %zu records match the "
			   "external id",
			   n);
	if (!err)
		return rc;
	list[0] = '\0';
	json_array_foreach (urls, i, u) {
		const char *s = json_string_value(u);
		int w;

		if (!s || at >= sizeof(list) - 1)
			continue;
		w = snprintf(list + at, sizeof(list) - at, "%s%s",
			     at ? ", " : "", s);
		if (w > 0)
			at += (size_t)w;
	}
	sf__copy_text(err->raw, sizeof(err->raw), list, strlen(list));
	return rc;
}

int sf_upsert(struct sf_client *c, const char *sobject, const char *ext_field,
	      const char *ext_value, json_t *fields, char *id_out,
	      bool *created, struct sf_error *err)
{
	json_t *reply = NULL;
	long st = 0;
	int rc;

	if (id_out)
		id_out[0] = '\0';
	if (created)
		*created = false;
	if (is_blank(sobject) || is_blank(ext_field) || is_blank(ext_value) ||
	    !json_is_object(fields))
		return sf__error_set(
			err, SF_CLASS_INVALID_REQUEST, 0, "",
			"upsert: needs an object name, an external "
			"id field and value, and fields");
	/* Idempotent: a second attempt finds the record the first made. */
	rc = record_json(c, "PATCH", sobject, ext_field, ext_value, fields,
			 true, &reply, &st, err);
	if (rc < 0)
		goto out;
	switch (st) {
	case 201: /* created */
		if (created)
			*created = true;
		rc = take_id(reply, st, id_out, err);
		break;
	case 200: /* updated, API 46.0+: {"id", "created": false} */
		if (created)
			*created =
				json_is_true(json_object_get(reply, "created"));
		rc = take_id(reply, st, id_out, err);
		break;
	case 204: /* updated, before API 46.0: no body, so no id */
		break;
	case 300:
		rc = multiple_records(reply, err);
		break;
	default:
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: unexpected status", st);
	}
out:
	if (rc < 0)
		sf__rest_wrap(err, rc, "upsert %s %s='%s'", sobject, ext_field,
			      ext_value);
	json_decref(reply);
	return rc;
}

int sf_get_by_external_id(struct sf_client *c, const char *sobject,
			  const char *ext_field, const char *ext_value,
			  const char *fields, json_t **out,
			  struct sf_error *err)
{
	int rc;

	*out = NULL;
	if (is_blank(sobject) || is_blank(ext_field) || is_blank(ext_value))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "get by external id: needs an object "
				     "name, a field and a value");
	rc = get_record(c, sobject, ext_field, ext_value, fields, out, err);
	if (rc > 0) {
		rc = multiple_records(*out, err);
		json_decref(*out);
		*out = NULL;
	}
	if (rc < 0)
		sf__rest_wrap(err, rc, "get %s %s='%s'", sobject, ext_field,
			      ext_value);
	return rc;
}

/* ---- composite ---- */

int sf_composite(struct sf_client *c, json_t *request, json_t **out,
		 struct sf_error *err)
{
	long st = 0;
	int rc;

	*out = NULL;
	if (!json_is_array(json_object_get(request, "compositeRequest")))
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "composite: the request needs a "
				     "compositeRequest array");
	/* Subrequests may create records: never sent twice. */
	rc = sf__rest_json(c, "POST", "/composite", request, false, out, &st,
			   err);
	if (rc == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = sf__error_set(err, SF_CLASS_NONE, st, NULL,
				   "http %ld: reply is not an object", st);
	}
	if (rc < 0)
		return sf__rest_wrap(err, rc, "composite");
	return 0;
}
