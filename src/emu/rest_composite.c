/* rest_composite.c - /composite: sObject Collections, composite with @{ref} chaining, composite batch. */
#include "rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/form.h"
#include "base/db.h"
#include "base/banned.h"

/*
 * Limits and texts, with where they come from:
 *  - 200 records per collections write, and the EXCEEDED_ID_LIMIT message:
 *    jsforce's rendering "EXCEEDED_ID_LIMIT: record limit reached. cannot
 *    submit more than 200 records into this call" (captured in several
 *    projects; Chrome-Salesforce-inspector#134).
 *  - 25 subrequests: composite and batch docs. Over 25, a composite answers
 *    one result with LIMIT_EXCEEDED "The request can’t contain more than 25
 *    operations." and referenceId null (captured in
 *    guardian/support-service-lambdas#766, whose client logged it as a
 *    successful, i.e. 200, reply).
 *  - ALL_OR_NONE_OPERATION_ROLLED_BACK and its message: collections docs.
 *  - PROCESSING_HALTED "The transaction was rolled back since another
 *    operation in the same transaction failed.": composite docs examples
 *    and client tests (camel, cumulusci); "Invalid reference specified. No
 *    value for X found in Y.": composite docs (illegal reference ids).
 *  - DUPLICATE_EXTERNAL_ID "<label>: more than one record found for
 *    external id field: [ids]" and DUPLICATE_VALUE "Duplicate external id
 *    specified: <value>": captured bulk/collections errors (client code).
 *  - Failed rows carry no "id" key: the collections docs' examples.
 * The rest (version gates aside) is sfemu's choice; see the comments.
 */
#define COLLECTION_MAX  200
#define RETRIEVE_MAX    2000 /* POST retrieve takes up to 2,000 ids */
#define SUBREQUEST_MAX  25
#define SUB_HEADERS_MAX 16
#define URL_MAX         16384

static const char rolled_back_msg[] =
	"Record rolled back because not all records were valid and the "
	"request was using AllOrNone header";
static const char halted_msg[] = "The transaction was rolled back since "
				 "another operation in the same transaction "
				 "failed.";

static bool is(const struct emu_rest *r, const char *method)
{
	return !strcmp(r->req->method, method);
}

static void not_found(struct emu_rest *r)
{
	emu_rest_fail(r, 404, "NOT_FOUND",
		      "The requested resource does not exist");
}

/* `key` of a JSON body as a boolean: absent or null is false. */
static bool bool_member(json_t *body, const char *key, bool *out)
{
	json_t *v = json_object_get(body, key);

	*out = false;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

/* The member named `key` in any letter case ("id" or "Id"); borrowed. */
static json_t *member_nocase(json_t *obj, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		if (!strcasecmp(k, key))
			return v;
	}
	return NULL;
}

/* ---- sObject Collections ---- */

static json_t *row_ok(const char *id)
{
	return json_pack("{s:s, s:b, s:[]}", "id", id, "success", true,
			 "errors");
}

static json_t *row_err(const struct emu_sferr *e)
{
	return json_pack("{s:b, s:[o]}", "success", false, "errors",
			 emu_sferr_row_json(e));
}

/* The whole request runs in one more, so allOrNone can undo every row. */
static void all_begin(struct emu_rest *r)
{
	base_db_exec(r->org->db, "SAVEPOINT coll", NULL);
}

/*
 * Ends the request: with allOrNone and any row failed, rolls every row
 * back, and the rows that had succeeded report ALL_OR_NONE_OPERATION_-
 * ROLLED_BACK; the failed ones keep their own error.
 */
static void all_end(struct emu_rest *r, json_t *rows, bool all_or_none)
{
	struct emu_sferr e;
	bool failed = false;
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		if (!json_is_true(json_object_get(row, "success")))
			failed = true;
	}
	if (!all_or_none || !failed) {
		base_db_exec(r->org->db, "RELEASE coll", NULL);
		return;
	}
	base_db_exec(r->org->db, "ROLLBACK TO coll; RELEASE coll", NULL);
	emu_sferr_set(&e, 400, "ALL_OR_NONE_OPERATION_ROLLED_BACK", "%s",
		      rolled_back_msg);
	json_array_foreach(rows, i, row) {
		if (json_is_true(json_object_get(row, "success")))
			json_array_set_new(rows, i, row_err(&e));
	}
}

/* Replies 400 EXCEEDED_ID_LIMIT and returns true when n is over max. */
static bool over_limit(struct emu_rest *r, size_t n, int max)
{
	if (n <= (size_t)max)
		return false;
	emu_rest_fail(r, 400, "EXCEEDED_ID_LIMIT",
		      "record limit reached. cannot submit more than "
		      "%d records into this call",
		      max);
	return true;
}

/*
 * The body's "records" (borrowed from body), checked: a list of at most 200
 * objects. Also reads allOrNone. On failure replies 400 and returns NULL.
 */
static json_t *records_of(struct emu_rest *r, json_t *body, bool *all_or_none)
{
	json_t *recs = json_object_get(body, "records"), *rec;
	size_t i;

	/* The JSON_PARSER_ERROR texts are sfemu's. */
	if (!json_is_object(body) ||
	    !bool_member(body, "allOrNone", all_or_none)) {
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "Cannot deserialize the request body: expected "
			      "{\"allOrNone\": boolean, \"records\": [...]}");
		return NULL;
	}
	if (!json_is_array(recs)) {
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "records: a list of sObjects is required");
		return NULL;
	}
	if (over_limit(r, json_array_size(recs), COLLECTION_MAX))
		return NULL;
	json_array_foreach(recs, i, rec) {
		if (!json_is_object(rec)) {
			emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
				      "records[%zu]: an sObject must be a JSON "
				      "object",
				      i);
			return NULL;
		}
	}
	return recs;
}

/* The sObject a record names in attributes.type; NULL with e filled. */
static const struct emu_sobject *record_type(struct emu_rest *r, json_t *rec,
					     struct emu_sferr *e)
{
	json_t *attrs = json_object_get(rec, "attributes");
	const char *t = json_string_value(json_object_get(attrs, "type"));
	const struct emu_sobject *o;

	/* "Must send a concrete entity type." is the SOAP API's text for a
	 * record without a type; REST's is unconfirmed. */
	if (!t || !*t) {
		emu_sferr_set(e, 400, "INVALID_TYPE",
			      "Must send a concrete entity type.");
		return NULL;
	}
	o = emu_schema_object(r->org->schema, t);
	if (!o)
		emu_sferr_set(e, 400, "INVALID_TYPE",
			      "sObject type '%s' is not supported.", t);
	return o;
}

/* A copy of rec without "attributes" and without `drop` (any case, may be
 * NULL). Caller owns. */
static json_t *values_of(json_t *rec, const char *drop)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach(rec, k, v) {
		if (!strcmp(k, "attributes") || (drop && !strcasecmp(k, drop)))
			continue;
		json_object_set(out, k, v);
	}
	return out;
}

/*
 * Writes every item of `items` (records, or ids to delete) in one
 * savepoint: `row` writes item i and returns its result, row_ok() or
 * row_err(). Then replies 200 with the results, allOrNone applied.
 */
static void write_rows(struct emu_rest *r, json_t *items, bool all_or_none,
		       json_t *(*row)(struct emu_rest *r, size_t i,
				      json_t *item, void *ctx),
		       void *ctx)
{
	json_t *rows = json_array(), *item;
	size_t i;

	all_begin(r);
	json_array_foreach(items, i, item)
		json_array_append_new(rows, row(r, i, item, ctx));
	all_end(r, rows, all_or_none);
	emu_reply_json(r->resp, 200, rows);
	json_decref(rows);
}

/*
 * POST and PATCH /composite/sobjects: the body's records (up to 200, of
 * any types), each written by `row`.
 */
static void write_records(struct emu_rest *r,
			  json_t *(*row)(struct emu_rest *r, size_t i,
					 json_t *rec, void *ctx))
{
	json_t *body = emu_rest_body(r), *recs;
	bool all_or_none;

	if (!body)
		return;
	recs = records_of(r, body, &all_or_none);
	if (recs)
		write_rows(r, recs, all_or_none, row, NULL);
	json_decref(body);
}

/* POST /composite/sobjects: one record created. */
static json_t *create_row(struct emu_rest *r, size_t i, json_t *rec, void *ctx)
{
	struct emu_sferr e = {0};
	const struct emu_sobject *o = record_type(r, rec, &e);
	char id[EMU_SFID_LEN + 1] = "";
	json_t *vals;
	int rc = BASE_EINVAL;

	(void)i;
	(void)ctx;
	if (o) {
		/* emu_record_insert refuses an "id" member, with
		 * "cannot specify Id in an insert call". */
		vals = values_of(rec, NULL);
		rc = emu_record_insert(r->org, o, vals, r->user.id, id, &e);
		json_decref(vals);
	}
	return rc ? row_err(&e) : row_ok(id);
}

/* PATCH /composite/sobjects: one record updated, the one it names by id. */
static json_t *update_row(struct emu_rest *r, size_t i, json_t *rec, void *ctx)
{
	struct emu_sferr e = {0};
	const struct emu_sobject *o = record_type(r, rec, &e);
	const char *id = json_string_value(member_nocase(rec, "id"));
	char id18[EMU_SFID_LEN + 1] = "";
	json_t *vals;
	int rc = BASE_EINVAL;

	(void)i;
	(void)ctx;
	if (!o) {
		/* e says why */
	} else if (!id) {
		emu_sferr_set(&e, 400, "MISSING_ARGUMENT",
			      "Id not specified in an update call");
	} else if (!emu_sfid_to18(id, id18) ||
		   strncmp(id18, o->key_prefix, 3) != 0) {
		/* The text of the collections docs' example. */
		emu_sferr_set(&e, 400, "MALFORMED_ID",
			      "%s ID: id value of incorrect type: %s", o->label,
			      id);
		emu_sferr_field(&e, "Id");
	} else {
		vals = values_of(rec, "id");
		rc = emu_record_update(r->org, o, id18, vals, r->user.id, &e);
		json_decref(vals);
	}
	return rc ? row_err(&e) : row_ok(id18);
}

/* The external-id value of a record as text; false if absent or not a
 * scalar. Numbers are matched by their JSON text. */
static bool key_text(json_t *v, char *out, size_t n)
{
	if (json_is_string(v))
		snprintf(out, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, n, "%.17g", json_real_value(v));
	else
		return false;
	return true;
}

static bool same_key(const struct emu_field *f, const char *a, const char *b)
{
	/* Text keys match in any case, as emu_record_find does. */
	if (f->type == EMU_FT_STRING || f->type == EMU_FT_EMAIL)
		return !strcasecmp(a, b);
	return !strcmp(a, b);
}

/* One upsert row (rest.h); Bulk API 2.0 upserts through it too. */
int emu_rest_upsert_one(struct emu_rest *r, const struct emu_sobject *o,
		      const struct emu_field *f, json_t *rec, const char *key,
		      bool duplicate_in_request, char id_out[EMU_SFID_LEN + 1],
		      bool *created, struct emu_sferr *e)
{
	const char *t = json_string_value(
		json_object_get(json_object_get(rec, "attributes"), "type"));
	char ids[10][EMU_SFID_LEN + 1];
	bool is_id = !strcmp(f->name, "Id");
	json_t *vals;
	int n = 0, rc;

	/* Every record must be of the URI's type (text is sfemu's). */
	if (t && strcasecmp(t, o->name) != 0)
		return emu_sferr_set(e, 400, "INVALID_TYPE",
				     "Record type %s does not match the "
				     "request's type %s",
				     t, o->name);
	if (!key && !is_id) {
		/* sfemu's choice: Salesforce's code here is unconfirmed. */
		emu_sferr_set(e, 400, "MISSING_ARGUMENT", "%s not specified",
			      f->name);
		emu_sferr_field(e, f->name);
		return BASE_EINVAL;
	}
	if (duplicate_in_request) {
		emu_sferr_set(e, 400, "DUPLICATE_VALUE",
			      "Duplicate external id specified: %s", key);
		emu_sferr_field(e, f->name);
		return BASE_EINVAL;
	}
	if (key && emu_record_find_key(r->org, o, f, key, ids, 10, &n, e))
		return BASE_EINVAL;
	if (n > 1) {
		struct base_buf list = BASE_BUF_INIT(512);

		for (int i = 0; i < n; i++)
			base_buf_printf(&list, "%s%s", i ? ", " : "", ids[i]);
		emu_sferr_set(e, 400, "DUPLICATE_EXTERNAL_ID",
			      "%s: more than one record found for external id "
			      "field: [%s]",
			      f->label, base_buf_str(&list));
		emu_sferr_field(e, f->name);
		base_buf_release(&list);
		return BASE_EINVAL;
	}
	if (n == 0) {
		/* With the Id field, a row without an id creates; one naming
		 * an id that isn't there fails in emu_record_insert. */
		vals = values_of(rec, NULL);
		rc = emu_record_insert(r->org, o, vals, r->user.id, id_out, e);
		*created = true;
	} else {
		vals = values_of(rec, f->name);
		rc = emu_record_update(r->org, o, ids[0], vals, r->user.id, e);
		memcpy(id_out, ids[0], EMU_SFID_LEN + 1);
		*created = false;
	}
	json_decref(vals);
	return rc;
}

/* What every upsert row needs: the object, the key field, the rows' keys. */
struct upsert {
	const struct emu_sobject *o;
	const struct emu_field *f;
	struct upsert_key {
		char text[256];
		bool set;
	} *keys;
	size_t n;
};

/* PATCH /composite/sobjects/{Obj}/{ExtIdField}: record i upserted. */
static json_t *upsert_row(struct emu_rest *r, size_t i, json_t *rec, void *ctx)
{
	const struct upsert *u = ctx;
	char id[EMU_SFID_LEN + 1] = "";
	bool created = false, dup = false;
	struct emu_sferr e = {0};
	json_t *row;

	/* Salesforce fails every row whose key another shares. */
	for (size_t j = 0; u->keys[i].set && j < u->n && !dup; j++)
		dup = j != i && u->keys[j].set &&
		      same_key(u->f, u->keys[i].text, u->keys[j].text);
	if (emu_rest_upsert_one(r, u->o, u->f, rec,
		       u->keys[i].set ? u->keys[i].text : NULL, dup, id,
		       &created, &e))
		return row_err(&e);
	row = row_ok(id);
	json_object_set_new(row, "created", json_boolean(created));
	return row;
}

/* PATCH /composite/sobjects/{Obj}/{ExtIdField}: upsert up to 200 records. */
static void upsert_many(struct emu_rest *r, const struct emu_sobject *o,
			const char *field)
{
	struct upsert u = {.o = o, .f = emu_rest_key_field(r, o, field)};
	const struct emu_field *f = u.f;
	json_t *body = NULL, *recs, *rec;
	bool all_or_none;
	size_t i;

	if (!f)
		return;
	body = emu_rest_body(r);
	if (!body)
		return;
	recs = records_of(r, body, &all_or_none);
	if (!recs)
		goto out;
	u.n = json_array_size(recs);
	u.keys = calloc(u.n ? u.n : 1, sizeof(*u.keys));
	if (!u.keys) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	json_array_foreach(recs, i, rec) {
		json_t *v = member_nocase(rec, f->name);

		u.keys[i].set = v && key_text(v, u.keys[i].text,
					      sizeof(u.keys[i].text));
	}
	write_rows(r, recs, all_or_none, upsert_row, &u);
out:
	free(u.keys);
	json_decref(body);
}

/* Splits "a,b,c" into a JSON array of trimmed, non-empty strings. */
static json_t *split_list(const char *s)
{
	json_t *a = json_array();

	while (s && *s) {
		size_t len = strcspn(s, ",");
		const char *p = s;
		size_t k = len;

		while (k && *p == ' ') {
			p++;
			k--;
		}
		while (k && p[k - 1] == ' ')
			k--;
		if (k)
			json_array_append_new(a, json_stringn(p, k));
		s += len;
		if (*s == ',')
			s++;
	}
	return a;
}

/* DELETE /composite/sobjects: the record of one id deleted. */
static json_t *delete_row(struct emu_rest *r, size_t i, json_t *v, void *ctx)
{
	const char *id = json_string_value(v);
	char id18[EMU_SFID_LEN + 1] = "";
	const struct emu_sobject *o = NULL;
	struct emu_sferr e = {0};
	int rc = BASE_EINVAL;

	(void)i;
	(void)ctx;
	if (emu_sfid_to18(id, id18))
		o = emu_record_object_of(r->org, id18);
	if (!o) {
		/* The collections docs' example text. */
		emu_sferr_set(&e, 400, "MALFORMED_ID", "malformed id %s", id);
	} else {
		rc = emu_record_delete(r->org, o, id18, r->user.id, &e);
	}
	return rc ? row_err(&e) : row_ok(id18);
}

/* DELETE /composite/sobjects?ids=a,b[&allOrNone=true] */
static void delete_many(struct emu_rest *r)
{
	const char *aon = emu_req_query(r->req, "allOrNone");
	json_t *ids = split_list(emu_req_query(r->req, "ids"));
	bool all_or_none = aon && !strcasecmp(aon, "true");

	if (json_array_size(ids) == 0) {
		/* sfemu's text. */
		emu_rest_fail(r, 400, "MISSING_ARGUMENT",
			      "ids: at least one record id is required");
	} else if (!over_limit(r, json_array_size(ids), COLLECTION_MAX)) {
		write_rows(r, ids, all_or_none, delete_row, NULL);
	}
	json_decref(ids);
}

/* "a,b" from a list of strings, or a string; else NULL. Caller frees. */
static char *joined(json_t *v)
{
	struct base_buf b = BASE_BUF_INIT(URL_MAX * 4);
	json_t *s;
	size_t i;

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (!json_is_array(v))
		return NULL;
	json_array_foreach(v, i, s) {
		if (!json_is_string(s)) {
			base_buf_release(&b);
			return NULL;
		}
		base_buf_printf(&b, "%s%s", i ? "," : "", json_string_value(s));
	}
	if (base_buf_err(&b)) {
		base_buf_release(&b);
		return NULL;
	}
	return base_buf_detach(&b, NULL);
}

/*
 * GET /composite/sobjects/{Obj}?ids=..&fields=.. and POST with
 * {"ids":[..],"fields":[..]}: the records in order, null for an id that
 * isn't there (or isn't of this type). A bad field name fails the request.
 */
static void retrieve_many(struct emu_rest *r, const struct emu_sobject *o)
{
	json_t *body = NULL, *ids = NULL, *v, *out = NULL;
	char *fields = NULL;
	struct emu_sferr e;
	size_t i;

	if (is(r, "POST")) {
		body = emu_rest_body(r);
		if (!body)
			return;
		v = json_object_get(body, "ids");
		if (json_is_array(v)) {
			char *list = joined(v);

			ids = split_list(list);
			free(list);
		}
		fields = joined(json_object_get(body, "fields"));
	} else {
		ids = split_list(emu_req_query(r->req, "ids"));
		if (emu_req_query(r->req, "fields"))
			fields = strdup(emu_req_query(r->req, "fields"));
	}
	/* Both are required (the docs); the texts are sfemu's. */
	if (!ids || json_array_size(ids) == 0 || !fields || !*fields) {
		emu_rest_fail(r, 400, "MISSING_ARGUMENT", "%s: required",
			      !ids || json_array_size(ids) == 0 ? "ids"
								: "fields");
		goto out;
	}
	if (over_limit(r, json_array_size(ids), RETRIEVE_MAX))
		goto out;
	out = json_array();
	json_array_foreach(ids, i, v) {
		json_t *rec = NULL;

		memset(&e, 0, sizeof(e));
		if (emu_record_get(r->org, o, json_string_value(v), fields,
				   r->version, &rec, &e) == 0) {
			json_array_append_new(out, rec);
		} else if (!strcmp(e.code, "INVALID_FIELD") ||
			   e.status >= 500) {
			emu_rest_error(r, &e);
			goto out;
		} else {
			json_array_append_new(out, json_null());
		}
	}
	emu_reply_json(r->resp, 200, out);
out:
	json_decref(out);
	json_decref(ids);
	json_decref(body);
	free(fields);
}

/* /composite/sobjects... (API 42.0+; upsert 46.0+). */
static void collections(struct emu_rest *r)
{
	const struct emu_sobject *o = NULL;

	if (r->version < 42 || r->nsegs > 4) {
		not_found(r);
		return;
	}
	if (r->nsegs == 2) {
		if (is(r, "POST"))
			write_records(r, create_row);
		else if (is(r, "PATCH"))
			write_records(r, update_row);
		else if (is(r, "DELETE"))
			delete_many(r);
		else
			emu_rest_method_not_allowed(r, "POST,PATCH,DELETE");
		return;
	}
	o = emu_schema_object(r->org->schema, r->segs[2]);
	if (!o || (r->nsegs == 4 && r->version < 46)) {
		not_found(r);
		return;
	}
	if (r->nsegs == 3) {
		if (is(r, "GET") || is(r, "HEAD") || is(r, "POST"))
			retrieve_many(r, o);
		else
			emu_rest_method_not_allowed(r, "GET,HEAD,POST");
		return;
	}
	if (is(r, "PATCH"))
		upsert_many(r, o, r->segs[3]);
	else
		emu_rest_method_not_allowed(r, "PATCH");
}

/* ---- subrequests ---- */

/* The sObject name in ".../vNN.0/sobjects/{Obj}[/...]", for Location. */
static bool location_of(const char *path, const char *id, char *out, size_t n)
{
	const char *p = path + strlen("/services/data/");
	size_t vlen = strcspn(p, "/"), olen;
	const char *obj;

	if (strncmp(p + vlen, "/sobjects/", 10) != 0)
		return false;
	obj = p + vlen + 10;
	olen = strcspn(obj, "/");
	if (olen == 0)
		return false;
	snprintf(out, n, "/services/data/%.*s/sobjects/%.*s/%s", (int)vlen, p,
		 (int)olen, obj, id);
	return true;
}

/*
 * Runs one subrequest through the REST router as if it had come off the
 * wire, with the caller's Authorization header. `url` is
 * "/services/data/vNN.0/..." (batch also takes "vNN.0/..." and
 * "/vNN.0/..."). `counted`: whether it is an API call of its own (batch) or
 * part of one (composite). Returns the HTTP status; *out_body (caller owns)
 * is the reply as JSON (a string if it wasn't JSON, NULL if empty);
 * *out_headers (caller owns) holds its headers.
 */
static int run_sub(struct emu_rest *r, const char *method, const char *url,
		   json_t *body, json_t *headers, bool counted,
		   json_t **out_body, json_t **out_headers)
{
	const char *hdrs[SUB_HEADERS_MAX][2];
	const char *auth = emu_req_header(r->req, "Authorization");
	struct emu_req sub = {.method = method, .raw_query = ""};
	struct emu_resp resp = {.status = 200};
	struct base_buf path = BASE_BUF_INIT(URL_MAX + 64);
	char *text = NULL, *q, loc[512];
	json_t *v, *id;
	const char *k;
	int nh = 0, status;

	*out_body = NULL;
	*out_headers = json_object();
	if (!strncmp(url, "/services/data/", 15))
		base_buf_puts(&path, url);
	else if (url[0] == 'v')
		base_buf_printf(&path, "/services/data/%s", url);
	else if (!strncmp(url, "/v", 2))
		base_buf_printf(&path, "/services/data%s", url);
	if (base_buf_err(&path) || path.len == 0) {
		base_buf_release(&path);
		*out_body = json_pack("[{s:s, s:s}]", "message",
				      "The requested resource does not exist",
				      "errorCode", "NOT_FOUND");
		return 404;
	}
	q = strchr(path.data, '?');
	if (q) {
		*q = '\0';
		sub.raw_query = q + 1;
		if (base_form_parse(&sub.query, sub.raw_query,
				    strlen(sub.raw_query), NULL) != 0)
			sub.query.n = 0;
	}
	emu_http_collapse_slashes(path.data);
	sub.path = path.data;
	if (auth) {
		hdrs[nh][0] = "Authorization";
		hdrs[nh++][1] = auth;
	}
	json_object_foreach(headers, k, v) {
		if (nh < SUB_HEADERS_MAX && json_is_string(v)) {
			hdrs[nh][0] = k;
			hdrs[nh++][1] = json_string_value(v);
		}
	}
	if (body && !json_is_null(body))
		text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	sub.body = text ? text : "";
	sub.body_len = strlen(sub.body);
	memcpy(sub.client_ip, r->req->client_ip, sizeof(sub.client_ip));
	sub.peer_is_loopback = r->req->peer_is_loopback;
	sub.headers = hdrs;
	sub.nheaders = nh;
	sub.subrequest = true;
	sub.uncounted = !counted;
	resp.body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);

	emu_rest_handle(r->org, &sub, &resp,
			sub.path + strlen("/services/data"));

	status = resp.status;
	if (resp.body.len &&
	    !strncmp(resp.content_type, "application/json", 16))
		*out_body = json_loadb(resp.body.data, resp.body.len,
				       JSON_DECODE_ANY, NULL);
	if (!*out_body && resp.body.len)
		*out_body = json_stringn(resp.body.data, resp.body.len);
	for (int i = 0; i < resp.nheaders; i++) {
		/* Usage belongs to the top-level reply. */
		if (strcasecmp(resp.headers[i].name, "Sforce-Limit-Info") != 0)
			json_object_set_new(*out_headers, resp.headers[i].name,
					    json_string(resp.headers[i].value));
	}
	id = json_object_get(*out_body, "id");
	if (status == 201 && json_is_string(id) &&
	    location_of(sub.path, json_string_value(id), loc, sizeof(loc)))
		json_object_set_new(*out_headers, "Location", json_string(loc));
	base_form_release(&sub.query);
	base_buf_release(&resp.body);
	base_buf_release(&path);
	free(text);
	return status;
}

/* A subrequest's result in the composite reply. Takes body and headers. */
static json_t *sub_result(json_t *body, json_t *headers, int status,
			  const char *ref)
{
	json_t *v = json_object();

	json_object_set_new(v, "body", body ? body : json_null());
	json_object_set_new(v, "httpHeaders",
			    headers ? headers : json_object());
	json_object_set_new(v, "httpStatusCode", json_integer(status));
	json_object_set_new(v, "referenceId",
			    ref ? json_string(ref) : json_null());
	return v;
}

static json_t *halted(const char *message)
{
	return json_pack("[{s:s, s:s}]", "errorCode", "PROCESSING_HALTED",
			 "message", message);
}

/* ---- @{reference} substitution ---- */

static bool is_ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * The value `expr` ("refAccount.id", "q.records[0].Id") names among the
 * results of the subrequests before this one; borrowed, or NULL. A
 * subrequest that failed has no values: what depends on it can't run.
 */
static json_t *resolve(json_t *results, const char *expr, char *refid,
		       size_t refid_n)
{
	const char *p = expr;
	json_t *v = NULL, *res;
	size_t i, n = 0;

	while (is_ref_char(*p))
		p++;
	n = (size_t)(p - expr);
	snprintf(refid, refid_n, "%.*s", (int)n, expr);
	if (n == 0 || (*p != '.' && *p != '['))
		return NULL;
	json_array_foreach(results, i, res) {
		const char *ref =
			json_string_value(json_object_get(res, "referenceId"));

		if (ref && !strcmp(ref, refid)) {
			if (json_integer_value(json_object_get(
				    res, "httpStatusCode")) >= 400)
				return NULL;
			v = json_object_get(res, "body");
		}
	}
	while (v && *p) {
		if (*p == '.') {
			char name[256];
			size_t len = strcspn(p + 1, ".[");

			if (len == 0 || len >= sizeof(name))
				return NULL;
			memcpy(name, p + 1, len);
			name[len] = '\0';
			v = json_object_get(v, name);
			p += 1 + len;
		} else if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);

			if (end == p + 1 || *end != ']' || idx < 0)
				return NULL;
			v = json_array_get(v, (size_t)idx);
			p = end + 1;
		} else {
			return NULL;
		}
	}
	return v;
}

/* Appends a referenced value as text: strings as they are, null as "". */
static void put_value(struct base_buf *b, json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		base_buf_puts(b, json_string_value(v));
	} else if (!json_is_null(v)) {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		base_buf_puts(b, s ? s : "");
		free(s);
	}
}

/*
 * Replaces each @{ref.path} in s with the value it names. *out (caller
 * owns) is a copy of the value itself when s is exactly one reference and
 * `whole` allows it (a number stays a number), else a string. Fails with
 * e filled (PROCESSING_HALTED) for a reference that names nothing, or,
 * before API 52.0, a null.
 */
static int substitute(struct emu_rest *r, json_t *results, const char *s,
		      bool whole, json_t **out, struct emu_sferr *e)
{
	struct base_buf b = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	const char *p = s, *at;

	*out = NULL;
	while ((at = strstr(p, "@{")) != NULL) {
		const char *close = strchr(at + 2, '}');
		char expr[512], refid[256];
		json_t *v;

		if (!close || (size_t)(close - at - 2) >= sizeof(expr))
			break;
		snprintf(expr, sizeof(expr), "%.*s", (int)(close - at - 2),
			 at + 2);
		v = resolve(results, expr, refid, sizeof(refid));
		if (!v || (json_is_null(v) && r->version < 52)) {
			base_buf_release(&b);
			return emu_sferr_set(e, 400, "PROCESSING_HALTED",
					     "Invalid reference specified. No "
					     "value for %s found in %s.",
					     expr, refid);
		}
		if (whole && at == s && close[1] == '\0') {
			base_buf_release(&b);
			*out = json_deep_copy(v);
			return 0;
		}
		base_buf_append(&b, p, (size_t)(at - p));
		put_value(&b, v);
		p = close + 1;
	}
	base_buf_puts(&b, p);
	if (base_buf_err(&b)) {
		base_buf_release(&b);
		return emu_sferr_set(e, 400, "PROCESSING_HALTED",
				     "subrequest too large after references");
	}
	*out = json_stringn(base_buf_str(&b), b.len);
	base_buf_release(&b);
	return 0;
}

/* A copy of v with the references in its strings replaced. Caller owns *out. */
static int substitute_json(struct emu_rest *r, json_t *results, json_t *v,
			   json_t **out, struct emu_sferr *e)
{
	const char *k;
	json_t *c, *sub;
	size_t i;

	*out = NULL;
	if (json_is_string(v) && strstr(json_string_value(v), "@{"))
		return substitute(r, results, json_string_value(v), true, out,
				  e);
	if (json_is_object(v)) {
		*out = json_object();
		json_object_foreach(v, k, c) {
			if (substitute_json(r, results, c, &sub, e)) {
				json_decref(*out);
				*out = NULL;
				return BASE_EINVAL;
			}
			json_object_set_new(*out, k, sub);
		}
		return 0;
	}
	if (json_is_array(v)) {
		*out = json_array();
		json_array_foreach(v, i, c) {
			if (substitute_json(r, results, c, &sub, e)) {
				json_decref(*out);
				*out = NULL;
				return BASE_EINVAL;
			}
			json_array_append_new(*out, sub);
		}
		return 0;
	}
	*out = json_incref(v);
	return 0;
}

/* ---- composite ---- */

static bool valid_ref_id(const char *s)
{
	if (!s || !is_ref_char(*s) || *s == '_')
		return false;
	for (; *s; s++)
		if (!is_ref_char(*s))
			return false;
	return true;
}

/*
 * Checks the subrequests before any runs: Salesforce refuses a malformed
 * composite as a whole with a 400. The texts (and INVALID_INPUT) are
 * sfemu's; Salesforce's are unconfirmed.
 */
static bool check_composite(struct emu_rest *r, json_t *subs)
{
	static const char *const inherited[] = {"Accept", "Authorization",
						"Content-Type", NULL};
	struct emu_sferr e = {0};
	json_t *sub, *h;
	size_t i;

	json_array_foreach(subs, i, sub) {
		const char *ref =
			json_string_value(json_object_get(sub, "referenceId"));

		h = json_object_get(sub, "httpHeaders");
		if (!json_is_object(sub) ||
		    !json_is_string(json_object_get(sub, "method")) ||
		    !json_is_string(json_object_get(sub, "url")) || !ref) {
			emu_sferr_set(&e, 400, "INVALID_INPUT",
				      "compositeRequest[%zu]: method, url and "
				      "referenceId are required",
				      i);
			break;
		}
		/* Reference ids are letters, digits and '_' (enforced for
		 * the whole request from API 52.0, per the docs). */
		if (r->version >= 52 && !valid_ref_id(ref)) {
			emu_sferr_set(&e, 400, "INVALID_INPUT",
				      "Provided referenceId ('%s') must start "
				      "with a letter or a number, and it can "
				      "contain only letters, numbers and "
				      "underscores ('_').",
				      ref);
			break;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ref, json_string_value(json_object_get(
						 json_array_get(subs, j),
						 "referenceId"))))
				emu_sferr_set(&e, 400, "INVALID_INPUT",
					      "Duplicate ReferenceId provided "
					      "in the request: %s",
					      ref);
		if (e.status)
			break;
		if (h && !json_is_object(h)) {
			emu_sferr_set(&e, 400, "INVALID_INPUT",
				      "compositeRequest[%zu]: httpHeaders must "
				      "be an object",
				      i);
			break;
		}
		for (int k = 0; h && inherited[k] && !e.status; k++)
			if (member_nocase(h, inherited[k]))
				emu_sferr_set(&e, 400, "INVALID_INPUT",
					      "The %s header is inherited from "
					      "the composite request and can't "
					      "be set on a subrequest",
					      inherited[k]);
		if (e.status)
			break;
	}
	if (e.status)
		emu_rest_error(r, &e);
	return e.status == 0;
}

/*
 * POST /composite: up to 25 subrequests, in order, each through the REST
 * router, counted once as a whole. Later ones may use @{ref.path} in url
 * and body. With allOrNone, the first failure stops the run and rolls
 * everything back: it keeps its own error, every other subrequest reports
 * 400 PROCESSING_HALTED. Without, a failure spoils only what references it.
 */
static void composite(struct emu_rest *r)
{
	json_t *body = emu_rest_body(r), *subs, *sub, *results = NULL, *v;
	bool all_or_none, collate, failed = false;
	long failed_at = -1;
	struct emu_sferr e;
	size_t i;

	if (!body)
		return;
	subs = json_object_get(body, "compositeRequest");
	if (!json_is_object(body) ||
	    !bool_member(body, "allOrNone", &all_or_none) ||
	    !bool_member(body, "collateSubrequests", &collate) ||
	    !json_is_array(subs)) {
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "Cannot deserialize the request body: expected "
			      "{\"allOrNone\": boolean, \"compositeRequest\": "
			      "[...]}");
		goto out;
	}
	results = json_array();
	if (json_array_size(subs) > SUBREQUEST_MAX) {
		json_array_append_new(
			results,
			sub_result(
				json_pack("[{s:s, s:s}]", "errorCode",
					  "LIMIT_EXCEEDED", "message",
					  "The request can\xe2\x80\x99t "
					  "contain more than 25 operations."),
				NULL, 400, NULL));
		goto reply;
	}
	if (!check_composite(r, subs))
		goto out;
	/* collateSubrequests only lets Salesforce reorder independent
	 * subrequests; running them in order is always a valid schedule. */
	base_db_exec(r->org->db, "SAVEPOINT comp", NULL);
	json_array_foreach(subs, i, sub) {
		const char *ref =
			json_string_value(json_object_get(sub, "referenceId"));
		json_t *url = NULL, *in = NULL, *out_body, *out_headers;
		int status;

		if (failed && all_or_none) {
			json_array_append_new(
				results,
				sub_result(halted(halted_msg), NULL, 400, ref));
			continue;
		}
		memset(&e, 0, sizeof(e));
		if (substitute(r, results,
			       json_string_value(json_object_get(sub, "url")),
			       false, &url, &e) ||
		    substitute_json(r, results, json_object_get(sub, "body"),
				    &in, &e)) {
			status = 400;
			out_body = halted(e.message);
			out_headers = NULL;
		} else {
			status = run_sub(r,
					 json_string_value(json_object_get(
						 sub, "method")),
					 json_string_value(url), in,
					 json_object_get(sub, "httpHeaders"),
					 false, &out_body, &out_headers);
		}
		json_decref(url);
		json_decref(in);
		json_array_append_new(results, sub_result(out_body, out_headers,
							  status, ref));
		if (status >= 400 && !failed) {
			failed = true;
			failed_at = (long)i;
		}
	}
	if (failed && all_or_none) {
		base_db_exec(r->org->db, "ROLLBACK TO comp; RELEASE comp", NULL);
		json_array_foreach(results, i, v) {
			if ((long)i == failed_at)
				continue;
			json_object_set_new(v, "body", halted(halted_msg));
			json_object_set_new(v, "httpHeaders", json_object());
			json_object_set_new(v, "httpStatusCode",
					    json_integer(400));
		}
	} else {
		base_db_exec(r->org->db, "RELEASE comp", NULL);
	}
reply:
	v = json_pack("{s:O}", "compositeResponse", results);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
out:
	json_decref(results);
	json_decref(body);
}

/* ---- batch ---- */

/*
 * POST /composite/batch: up to 25 independent subrequests, run in order,
 * each committed on its own and each an API call of its own. With
 * haltOnError, those after the first failure answer 412
 * BATCH_PROCESSING_HALTED.
 */
static void batch(struct emu_rest *r)
{
	json_t *body = emu_rest_body(r), *subs, *sub, *results = NULL, *v;
	bool halt, halted_now = false, has_errors = false;
	char info[64];
	size_t i;

	if (!body)
		return;
	subs = json_object_get(body, "batchRequests");
	if (!json_is_object(body) || !bool_member(body, "haltOnError", &halt) ||
	    !json_is_array(subs)) {
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "Cannot deserialize the request body: expected "
			      "{\"haltOnError\": boolean, \"batchRequests\": "
			      "[...]}");
		goto out;
	}
	/* The composite's limit text; batch's own is unconfirmed. */
	if (json_array_size(subs) > SUBREQUEST_MAX) {
		emu_rest_fail(r, 400, "LIMIT_EXCEEDED",
			      "The request can\xe2\x80\x99t contain more than "
			      "25 operations.");
		goto out;
	}
	json_array_foreach(subs, i, sub) {
		if (!json_is_object(sub) ||
		    !json_is_string(json_object_get(sub, "method")) ||
		    !json_is_string(json_object_get(sub, "url"))) {
			emu_rest_fail(r, 400, "INVALID_INPUT",
				      "batchRequests[%zu]: method and url are "
				      "required",
				      i);
			goto out;
		}
	}
	results = json_array();
	json_array_foreach(subs, i, sub) {
		json_t *out_body = NULL, *out_headers = NULL;
		int status;

		if (halted_now) {
			/* The message is sfemu's; the code and 412 are the
			 * docs'. */
			status = 412;
			out_body =
				json_pack("[{s:s, s:s}]", "errorCode",
					  "BATCH_PROCESSING_HALTED", "message",
					  "Batch processing halted per "
					  "request");
		} else {
			status = run_sub(
				r,
				json_string_value(
					json_object_get(sub, "method")),
				json_string_value(json_object_get(sub, "url")),
				json_object_get(sub, "richInput"), NULL, true,
				&out_body, &out_headers);
			json_decref(out_headers);
		}
		if (status >= 400) {
			has_errors = true;
			halted_now = halt;
		}
		json_array_append_new(
			results,
			json_pack("{s:i, s:o}", "statusCode", status, "result",
				  out_body ? out_body : json_null()));
	}
	/* The subrequests were counted after this reply's header was set. */
	snprintf(info, sizeof(info), "api-usage=%lld/%lld",
		 emu_org_api_used(r->org), emu_org_api_max(r->org));
	emu_resp_header(r->resp, "Sforce-Limit-Info", info);
	v = json_pack("{s:b, s:O}", "hasErrors", has_errors, "results",
		      results);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
out:
	json_decref(results);
	json_decref(body);
}

void emu_rest_composite(struct emu_rest *r)
{
	bool is_collections = r->nsegs >= 2 && !strcmp(r->segs[1], "sobjects");

	/* Composite and batch don't nest; the text is sfemu's. */
	if (r->req->subrequest && !is_collections) {
		emu_rest_fail(r, 400, "INVALID_INPUT",
			      "Composite and batch requests can't be nested");
		return;
	}
	if (is_collections) {
		collections(r);
	} else if (r->nsegs == 1 && r->version >= 38) {
		if (is(r, "POST")) {
			composite(r);
		} else if (is(r, "GET") || is(r, "HEAD")) {
			/* What sfemu serves; Salesforce adds tree, graph. */
			char b[64], s[64];
			json_t *v;

			snprintf(b, sizeof(b),
				 "/services/data/v%d.0/composite/batch",
				 r->version);
			snprintf(s, sizeof(s),
				 "/services/data/v%d.0/composite/sobjects",
				 r->version);
			v = json_pack("{s:s, s:s}", "batch", b, "sobjects", s);
			emu_reply_json(r->resp, 200, v);
			json_decref(v);
		} else {
			emu_rest_method_not_allowed(r, "GET,HEAD,POST");
		}
	} else if (r->nsegs == 2 && !strcmp(r->segs[1], "batch") &&
		   r->version >= 34) {
		if (is(r, "POST"))
			batch(r);
		else
			emu_rest_method_not_allowed(r, "POST");
	} else {
		not_found(r);
	}
}
