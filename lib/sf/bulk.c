/* bulk.c - Bulk API 2.0 query jobs: create, wait with capped backoff, stream the CSV results. */
#include "sf/bulk.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/datetime.h"
#include "sf/error_int.h"
#include "sf/internal.h"
#include "base/banned.h"

/*
 * Wire facts (salesforce-protocol.md 4.3): POST /jobs/query (v47+) answers
 * the job with state UploadComplete; GET /jobs/query/{id} moves through
 * InProgress to JobComplete, Failed or Aborted (a failed query job carries
 * no errorMessage); GET .../results[?locator=&maxRecords=] is CSV with the
 * header row on every page, Sforce-Locator the literal "null" on the last.
 * Errors are the REST error array, so sf__call classifies them.
 */

#define DEF_POLL_MS 250
#define DEF_POLL_MAX_MS 5000
#define DEF_TIMEOUT_MS (10L * 60 * 1000)
/* A locator is ~10 bytes of base64 text; anything far longer isn't one. */
#define LOCATOR_MAX 100

/*
 * One thread at a time. Holds one page of results: its parsed table is
 * released before the next page is fetched, and the row handed out is
 * built from it one at a time.
 */
struct sf_bulk_query {
	struct sf_client *c;
	char id[19];
	long max_records;
	struct base_csv page;          /* the current page (row 0 its header) */
	size_t next;                   /* data row (1-based) to hand out next */
	char locator[LOCATOR_MAX + 1]; /* of the page after this one */
	bool last;                     /* no page after this one */
	json_t *row;                   /* the row handed out last */
};

static bool id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n != 15 && n != 18)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789") == n;
}

/* Locators are opaque, but only ever URL-safe base64 text. */
static bool locator_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= LOCATOR_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789+/=_-") == n;
}

static int create_job(struct sf_bulk_query *q, const char *soql,
		      bool query_all, char *state, size_t n,
		      struct sf_error *err)
{
	json_t *body, *out = NULL;
	const char *id, *st;
	long status = 0;
	int rc;

	/* The delimiter and line ending are said, not assumed: the reader
	 * below parses exactly COMMA and LF. */
	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "operation",
			 query_all ? "queryAll" : "query", "query", soql,
			 "contentType", "CSV", "columnDelimiter", "COMMA",
			 "lineEnding", "LF");
	if (!body)
		return sf__rest_nomem(err, "query job");
	/* Not retry_safe: a repeat would create a second job. */
	rc = sf__rest_json(q->c, "POST", "/jobs/query", body, false, &out,
			   &status, err);
	json_decref(body);
	if (rc < 0)
		return rc;
	id = json_string_value(json_object_get(out, "id"));
	st = json_string_value(json_object_get(out, "state"));
	if (!id_ok(id) || !st) {
		json_decref(out);
		return sf__error_set(err, SF_CLASS_NONE, (int)status, NULL,
				     "reply is not a query job (no id or "
				     "state)");
	}
	snprintf(q->id, sizeof(q->id), "%s", id);
	snprintf(state, n, "%s", st);
	json_decref(out);
	return 0;
}

static int get_state(struct sf_bulk_query *q, char *state, size_t n,
		     struct sf_error *err)
{
	char path[64];
	json_t *out = NULL;
	const char *st;
	long status = 0;
	int rc;

	snprintf(path, sizeof(path), "/jobs/query/%s", q->id);
	rc = sf__rest_json(q->c, "GET", path, NULL, true, &out, &status, err);
	if (rc < 0)
		return rc;
	st = json_string_value(json_object_get(out, "state"));
	if (!st) {
		json_decref(out);
		return sf__error_set(err, SF_CLASS_NONE, (int)status, NULL,
				     "reply is not a query job (no state)");
	}
	snprintf(state, n, "%s", st);
	json_decref(out);
	return 0;
}

/* Best effort, after a timeout: the job's result is no longer wanted. */
static void abort_job(struct sf_bulk_query *q)
{
	struct sf_error ignored = SF_ERROR_INIT;
	char path[64];
	json_t *body = json_pack("{s:s}", "state", "Aborted"), *out = NULL;
	long status = 0;

	snprintf(path, sizeof(path), "/jobs/query/%s", q->id);
	if (body)
		(void)sf__rest_json(q->c, "PATCH", path, body, false, &out,
				    &status, &ignored);
	json_decref(body);
	json_decref(out);
}

/* Polls until JobComplete (0), Failed/Aborted, or the deadline. */
static int wait_job(struct sf_bulk_query *q, char *state, size_t n,
		    const struct sf_bulk_query_options *o, struct sf_error *err)
{
	long pause = o->poll_ms, cap = o->poll_max_ms;
	int64_t deadline = base_time_mono_ms() + o->timeout_ms;
	int rc;

	for (;;) {
		if (!strcmp(state, "JobComplete"))
			return 0;
		if (!strcmp(state, "Failed") || !strcmp(state, "Aborted"))
			return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 200,
					     state, "job '%s' ended %s", q->id,
					     state);
		if (base_time_mono_ms() >= deadline) {
			abort_job(q);
			return sf__error_set(err, SF_CLASS_TRANSIENT, 0,
					     "TIMEOUT",
					     "job '%s' still %.32s after %ld ms "
					     "(aborted)",
					     q->id, state, o->timeout_ms);
		}
		rc = get_state(q, state, n, err);
		if (rc < 0)
			return rc;
		if (!strcmp(state, "JobComplete") || !strcmp(state, "Failed") ||
		    !strcmp(state, "Aborted"))
			continue;
		if (base_time_mono_ms() + pause > deadline)
			pause = (long)(deadline - base_time_mono_ms());
		if (pause > 0)
			base_sleep_ms(pause);
		pause = pause * 2 > cap ? cap : pause * 2;
		if (pause <= 0)
			pause = 1;
	}
}

/*
 * Fetches the page at q->locator ("" for the first) and makes it the
 * current one. The old page goes first: one page in memory at a time.
 */
static int fetch(struct sf_bulk_query *q, struct sf_error *err)
{
	struct sf_http_resp resp = SF_HTTP_RESP_INIT;
	struct base_buf path = BASE_BUF_INIT(512);
	struct base_err berr = BASE_ERR_INIT;
	bool last = false;
	int rc;

	base_csv_release(&q->page);
	q->next = 1;
	base_buf_printf(&path, "/jobs/query/%s/results", q->id);
	if (q->max_records > 0)
		base_buf_printf(&path, "?maxRecords=%ld", q->max_records);
	if (q->locator[0]) {
		base_buf_puts(&path, q->max_records > 0 ? "&locator=" :
							  "?locator=");
		sf__rest_put_query_value(&path, q->locator);
	}
	if (base_buf_err(&path)) {
		rc = sf__rest_nomem(err, "results path");
		goto out;
	}
	/* A GET of a page reads and changes nothing: safe to repeat. */
	rc = sf__call_accept(q->c, "GET", base_buf_str(&path), "text/csv",
			     NULL, NULL, 0, true, &resp, err);
	if (rc < 0)
		goto out;
	if (!strcmp(resp.locator, "null") || !resp.locator[0]) {
		last = true;
	} else if (!locator_ok(resp.locator)) {
		rc = sf__error_set(err, SF_CLASS_NONE, (int)resp.status, NULL,
				   "a results page carries no usable "
				   "Sforce-Locator");
		goto out;
	}
	/* An empty body is a page of no rows. */
	if (resp.body.len > 0 &&
	    base_csv_parse(resp.body.data, resp.body.len, ',', false,
			   &q->page, &berr)) {
		rc = berr.code == BASE_ENOMEM
			     ? sf__rest_nomem(err, "results page")
			     : sf__error_set(err, SF_CLASS_NONE,
					     (int)resp.status, NULL,
					     "results page is not CSV: %s",
					     berr.msg);
		goto out;
	}
	/* The new locator only now: a failed page keeps the old one for a
	 * retry. */
	q->last = last;
	if (!last)
		snprintf(q->locator, sizeof(q->locator), "%s", resp.locator);
	rc = 0;
out:
	sf__resp_release(&resp);
	base_buf_release(&path);
	return rc;
}

int sf_bulk_query_open_opts(struct sf_client *c, const char *soql,
			    bool query_all,
			    const struct sf_bulk_query_options *opts,
			    struct sf_bulk_query **out, struct sf_error *err)
{
	struct sf_bulk_query_options o = opts ? *opts
					      : (struct sf_bulk_query_options){0};
	struct sf_bulk_query *q = NULL;
	char state[32] = "";
	int rc;

	*out = NULL;
	if (!soql || !*soql)
		return sf__error_set(err, SF_CLASS_INVALID_REQUEST, 0, "",
				     "bulk query: no SOQL");
	if (o.poll_ms <= 0)
		o.poll_ms = DEF_POLL_MS;
	if (o.poll_max_ms <= 0)
		o.poll_max_ms = DEF_POLL_MAX_MS;
	if (o.timeout_ms <= 0)
		o.timeout_ms = DEF_TIMEOUT_MS;
	q = calloc(1, sizeof(*q));
	if (!q)
		return sf__rest_nomem(err, "bulk query");
	q->c = c;
	q->max_records = o.max_records;
	q->next = 1;
	rc = create_job(q, soql, query_all, state, sizeof(state), err);
	if (rc == 0)
		rc = wait_job(q, state, sizeof(state), &o, err);
	if (rc == 0)
		rc = fetch(q, err);
	if (rc < 0) {
		sf__rest_wrap(err, rc, "bulk %s", query_all ? "queryAll" : "query");
		sf_bulk_query_close(q);
		q = NULL;
	}
	*out = q;
	return rc;
}

int sf_bulk_query_open(struct sf_client *c, const char *soql, bool query_all,
		       struct sf_bulk_query **out, struct sf_error *err)
{
	return sf_bulk_query_open_opts(c, soql, query_all, NULL, out, err);
}

int sf_bulk_query_next(struct sf_bulk_query *q, json_t **row,
		       struct sf_error *err)
{
	json_t *r;
	int rc;

	*row = NULL;
	json_decref(q->row);
	q->row = NULL;
	/* A page may hold no rows yet not be the last: keep going. */
	while (q->next > q->page.nrows) {
		if (q->last)
			return 0;
		rc = fetch(q, err);
		if (rc < 0)
			return sf__rest_wrap(err, rc, "bulk query: next page");
	}
	r = json_object();
	if (!r)
		return sf__rest_nomem(err, "bulk query row");
	for (size_t i = 0; i < q->page.ncols; i++) {
		const char *v = base_csv_cell(&q->page, q->next, i);

		if (json_object_set_new(r, base_csv_cell(&q->page, 0, i),
					*v ? json_string(v) : json_null())) {
			json_decref(r);
			return sf__rest_nomem(err, "bulk query row");
		}
	}
	q->next++;
	q->row = r;
	*row = r;
	return 1;
}

const char *sf_bulk_query_job_id(const struct sf_bulk_query *q)
{
	return q ? q->id : "";
}

void sf_bulk_query_close(struct sf_bulk_query *q)
{
	if (!q)
		return;
	base_csv_release(&q->page);
	json_decref(q->row);
	free(q);
}
