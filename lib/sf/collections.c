/* collections.c - sObject Collections in calls of 200, results in order. */
#include "sf/rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "base/banned.h"

/* Salesforce's limit per collection call (salesforce-protocol.md 3.8). */
#define CHUNK 200
/* 200 ids of 18 characters and commas, plus the rest: far below 16 KB. */
#define DELETE_PATH_MAX 8192

enum op { OP_CREATE, OP_UPDATE, OP_UPSERT, OP_DELETE };

static const char *op_name(enum op op)
{
	switch (op) {
	case OP_CREATE:
		return "create";
	case OP_UPDATE:
		return "update";
	case OP_UPSERT:
		return "upsert";
	case OP_DELETE:
		return "delete";
	}
	return "?";
}

/* What one collection call sends: either records or ids. */
struct job {
	enum op op;
	const char *sobject;    /* upsert */
	const char *ext_field;  /* upsert */
	json_t *records;        /* create, update, upsert */
	const char *const *ids; /* delete */
	size_t n;
	bool all_or_none;
};

/*
 * errors[0] of a failed row: statusCode becomes the code, the class comes
 * from that code as if a single call had failed with it (so
 * ENTITY_IS_DELETED is not_found, UNABLE_TO_LOCK_ROW transient, ...).
 */
static void row_error(struct sf_error *e, long status, size_t index,
		      json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	const char *code =
		json_string_value(json_object_get(first, "statusCode"));
	const char *msg = json_string_value(json_object_get(first, "message"));
	json_t *fields = json_object_get(first, "fields"), *f;
	size_t i;

	*e = SF_ERROR_INIT;
	if (!code) {
		sf__error_set(e, SF_CLASS_NONE, (int)status, NULL,
			      "record %zu: failed without an error", index);
		return;
	}
	sf__error_set(e, sf__classify(400, code, msg ? msg : ""), (int)status,
		      code, "record %zu: %s: %s", index, code, msg ? msg : "");
	if (msg)
		sf__copy_text(e->raw, sizeof(e->raw), msg, strlen(msg));
	json_array_foreach (fields, i, f) {
		const char *name = json_string_value(f);

		if (!name || e->nfields == (int)(sizeof(e->fields) /
						 sizeof(e->fields[0])))
			continue;
		sf__copy_text(e->fields[e->nfields++], sizeof(e->fields[0]),
			      name, strlen(name));
	}
}

/* Maps the reply of the chunk starting at `first` into results. */
static int take_rows(json_t *reply, long status, size_t first, size_t n,
		     struct sf_result *results, struct sf_error *err)
{
	json_t *row;
	size_t i;

	if (!json_is_array(reply) || json_array_size(reply) != n)
		return sf__error_set(
			err, SF_CLASS_NONE, (int)status, NULL,
			"http %ld: expected %zu results, got %s", status, n,
			json_is_array(reply) ? "another count" : "no array");
	json_array_foreach (reply, i, row) {
		struct sf_result *r = &results[first + i];
		const char *id = json_string_value(json_object_get(row, "id"));

		r->success = json_is_true(json_object_get(row, "success"));
		r->created = json_is_true(json_object_get(row, "created"));
		if (id && strlen(id) < sizeof(r->id))
			memcpy(r->id, id, strlen(id) + 1);
		if (!r->success)
			row_error(&r->err, status, first + i,
				  json_object_get(row, "errors"));
	}
	return 0;
}

/*
 * A record as sent: upsert rows get attributes.type when they lack it (a
 * shallow copy; the caller's JSON is never changed). New reference.
 */
static json_t *as_sent(const struct job *j, json_t *rec)
{
	json_t *copy;

	if (j->op != OP_UPSERT || json_object_get(rec, "attributes"))
		return json_incref(rec);
	copy = json_copy(rec);
	if (!copy ||
	    json_object_set_new(copy, "attributes",
				json_pack("{s:s}", "type", j->sobject))) {
		json_decref(copy);
		return NULL;
	}
	return copy;
}

/* {"allOrNone": ..., "records": [records first .. first+n)}. */
static json_t *chunk_body(const struct job *j, size_t first, size_t n)
{
	json_t *body = json_object(), *recs = json_array(), *rec;

	if (!body || !recs ||
	    json_object_set_new(body, "allOrNone",
				json_boolean(j->all_or_none)) ||
	    json_object_set(body, "records", recs))
		goto fail;
	for (size_t i = first; i < first + n; i++) {
		rec = as_sent(j, json_array_get(j->records, i));
		if (!rec || json_array_append_new(recs, rec))
			goto fail;
	}
	json_decref(recs);
	return body;
fail:
	json_decref(recs);
	json_decref(body);
	return NULL;
}

/* One call for records [first, first+n). */
static int run_chunk(struct sf_client *c, const struct job *j, size_t first,
		     size_t n, struct sf_result *results, struct sf_error *err)
{
	struct base_buf path = BASE_BUF_INIT(DELETE_PATH_MAX);
	const char *method = "PATCH";
	json_t *body = NULL, *reply = NULL;
	long st = 0;
	int rc;

	switch (j->op) {
	case OP_CREATE:
		method = "POST";
		base_buf_puts(&path, "/composite/sobjects");
		break;
	case OP_UPDATE:
		base_buf_puts(&path, "/composite/sobjects");
		break;
	case OP_UPSERT:
		base_buf_puts(&path, "/composite/sobjects/");
		sf__rest_put_segment(&path, j->sobject);
		base_buf_putc(&path, '/');
		sf__rest_put_segment(&path, j->ext_field);
		break;
	case OP_DELETE:
		method = "DELETE";
		base_buf_puts(&path, "/composite/sobjects?ids=");
		for (size_t i = first; i < first + n; i++) {
			if (i > first)
				base_buf_putc(&path, ',');
			sf__rest_put_query_value(&path, j->ids[i]);
		}
		base_buf_printf(&path, "&allOrNone=%s",
				j->all_or_none ? "true" : "false");
		break;
	}
	if (base_buf_err(&path)) {
		rc = sf__rest_nomem(err, "building the request path");
		goto out;
	}
	if (j->op != OP_DELETE) {
		body = chunk_body(j, first, n);
		if (!body) {
			rc = sf__rest_nomem(err, "building the request");
			goto out;
		}
	}
	/* A create that reached the server before the connection broke would
	 * create its records twice if sent again; the others repeat safely. */
	rc = sf__rest_json(c, method, base_buf_str(&path), body,
			   j->op != OP_CREATE, &reply, &st, err);
	if (rc == 0)
		rc = take_rows(reply, st, first, n, results, err);
out:
	json_decref(body);
	json_decref(reply);
	base_buf_release(&path);
	return rc;
}

/* Checks every record before anything is sent. */
static int check_input(const struct job *j, struct sf_error *err)
{
	for (size_t i = 0; i < j->n; i++) {
		json_t *rec = json_array_get(j->records, i), *t;
		const char *id;

		if (j->op == OP_DELETE) {
			id = j->ids[i];
			if (!id || (strlen(id) != 15 && strlen(id) != 18) ||
			    strspn(id,
				   "0123456789abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(id))
				return sf__error_set(
					err, SF_CLASS_INVALID_REQUEST, 0,
					"MALFORMED_ID",
					"id %zu is not a record id", i);
			continue;
		}
		if (!json_is_object(rec))
			return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0,
					     NULL,
					     "record %zu is not an object", i);
		t = json_object_get(json_object_get(rec, "attributes"), "type");
		if (j->op != OP_UPSERT && !json_string_value(t))
			return sf__error_set(
				err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				"record %zu has no attributes.type", i);
		if (j->op == OP_UPDATE && !json_object_get(rec, "id") &&
		    !json_object_get(rec, "Id"))
			return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0,
					     NULL, "record %zu has no id", i);
	}
	return 0;
}

/*
 * Sends the records in calls of 200, in order, and stops at the first call
 * that fails as a whole (session, throttle after retries, network, a
 * malformed reply). Results:
 *   - bad input: nothing sent, *results NULL, *n 0, rc < 0;
 *   - otherwise *results always has one entry per record (caller frees),
 *     even when rc < 0, because earlier calls were already written: their
 *     rows stand; the failed call's rows and every later row are
 *     success=false with that call's error (later ones: "not sent").
 * all_or_none applies per call: a failing row rolls back its own call's
 * 200 records (ALL_OR_NONE_OPERATION_ROLLED_BACK) and no other call's.
 * A create call that failed with no reply (class network) may still have
 * been written: it is never sent again here, and a caller who retries it
 * should look for the records first.
 */
static int run(struct sf_client *c, const struct job *j,
	       struct sf_result **results, size_t *n, struct sf_error *err)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_result *res;
	size_t first, k = 0;
	int rc = 0;

	*results = NULL;
	*n = 0;
	rc = check_input(j, err);
	if (rc < 0)
		return sf__rest_wrap(err, rc, "collection %s", op_name(j->op));
	if (j->n == 0)
		return 0;
	res = calloc(j->n, sizeof(*res));
	if (!res)
		return sf__rest_nomem(err, "collection %s of %zu records",
				      op_name(j->op), j->n);
	for (first = 0; first < j->n; first += CHUNK) {
		k = j->n - first < CHUNK ? j->n - first : CHUNK;
		rc = run_chunk(c, j, first, k, res, &e);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		sf__rest_wrap(&e, rc, "collection %s: records %zu-%zu",
			      op_name(j->op), first, first + k - 1);
		for (size_t i = first; i < j->n; i++) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].err = e;
			if (i >= first + k)
				sf__error_wrap(&res[i].err, "not sent");
		}
		if (err)
			*err = e;
	}
	*results = res;
	*n = j->n;
	return rc;
}

int sf_collection_create(struct sf_client *c, json_t *records, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err)
{
	struct job j = {.op = OP_CREATE,
			.records = records,
			.n = json_array_size(records),
			.all_or_none = all_or_none};

	if (!json_is_array(records)) {
		*results = NULL;
		*n = 0;
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "collection create: records is not an "
				     "array");
	}
	return run(c, &j, results, n, err);
}

int sf_collection_update(struct sf_client *c, json_t *records, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err)
{
	struct job j = {.op = OP_UPDATE,
			.records = records,
			.n = json_array_size(records),
			.all_or_none = all_or_none};

	if (!json_is_array(records)) {
		*results = NULL;
		*n = 0;
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "collection update: records is not an "
				     "array");
	}
	return run(c, &j, results, n, err);
}

int sf_collection_upsert(struct sf_client *c, const char *sobject,
			 const char *ext_field, json_t *records,
			 bool all_or_none, struct sf_result **results,
			 size_t *n, struct sf_error *err)
{
	struct job j = {.op = OP_UPSERT,
			.sobject = sobject,
			.ext_field = ext_field,
			.records = records,
			.n = json_array_size(records),
			.all_or_none = all_or_none};

	if (!json_is_array(records) || !sobject || !*sobject || !ext_field ||
	    !*ext_field) {
		*results = NULL;
		*n = 0;
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "collection upsert: needs an object name, "
				     "an external id field and an array");
	}
	return run(c, &j, results, n, err);
}

int sf_collection_delete(struct sf_client *c, const char *const *ids,
			 size_t nids, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err)
{
	struct job j = {.op = OP_DELETE,
			.ids = ids,
			.n = nids,
			.all_or_none = all_or_none};

	if (!ids && nids) {
		*results = NULL;
		*n = 0;
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, NULL,
				     "collection delete: no ids");
	}
	return run(c, &j, results, n, err);
}
