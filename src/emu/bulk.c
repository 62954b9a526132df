/* bulk.c - Bulk API 2.0: ingest jobs (CSV in, records written as REST writes them) and query jobs (SOQL to paged CSV). */
#include "rest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "soql.h"
#include "base/b64.h"
#include "base/csv.h"
#include "base/datetime.h"
#include "base/log.h"
#include "base/banned.h"

/*
 * Wire facts (salesforce-protocol.md section 4, from jsforce's bulk2.ts and
 * simple-salesforce's bulk2.py): jobs under /jobs/ingest (v41+) and
 * /jobs/query (v47+); uploads are PUT .../batches as text/csv, answered 201
 * with no body; results are CSV with Sforce-Locator "null" on the last page.
 */
#define INGEST_MIN_VERSION 41
#define QUERY_MIN_VERSION 47
/* 150 MB of base64 per upload, so 100 MB of raw CSV (upload-job-data doc). */
#define MAX_UPLOAD (100u * 1024 * 1024)
/* What one job may hold in all; sfemu's own cap, it keeps jobs in memory. */
#define MAX_JOB_BYTES (150u * 1024 * 1024)
/* What one query job may hold (sfemu's cap; the jobs live in memory). */
#define MAX_QUERY_BYTES (1024u * 1024 * 1024)
/* Query results per page when the client gives no maxRecords: sfemu's
 * choice (Salesforce's default is unconfirmed), settings.bulkQueryPageSize. */
#define DEFAULT_PAGE 50000
/* Terminal jobs are deleted after 7 days (Bulk 2.0 limits). */
#define JOB_LIFESPAN_MS (7LL * 86400 * 1000)

enum job_state { ST_OPEN, ST_UPLOAD_COMPLETE, ST_JOB_COMPLETE, ST_FAILED, ST_ABORTED };

static const char *const state_names[] = {"Open", "UploadComplete",
					  "JobComplete", "Failed", "Aborted"};

enum op { OP_INSERT, OP_UPDATE, OP_UPSERT, OP_DELETE, OP_HARD_DELETE,
	  OP_QUERY, OP_QUERY_ALL };

static const char *const op_names[] = {"insert", "update", "upsert", "delete",
				       "hardDelete", "query", "queryAll"};

static const struct {
	const char *name;
	char c;
} delimiters[] = {
	{"COMMA", ','}, {"BACKQUOTE", '`'}, {"CARET", '^'},
	{"PIPE", '|'},  {"SEMICOLON", ';'}, {"TAB", '\t'},
};

/* One data row's outcome. */
enum row_status { ROW_UNPROCESSED, ROW_OK, ROW_FAILED };

struct row_result {
	unsigned char status;
	bool created;
	char id[EMU_SFID_LEN + 1];
	char *error; /* "CODE:message:fields --", owned; failed rows only */
};

struct emu_bulk_job {
	struct emu_bulk_job *next;
	char id[EMU_SFID_LEN + 1];
	bool query;
	enum op op;
	char object[128];
	char ext_field[128];
	char delim_name[16];
	char delim;
	bool crlf;
	int version;
	char created_by[EMU_SFID_LEN + 1];
	int64_t created_ms, modstamp_ms;
	enum job_state state;
	char error[512]; /* errorMessage of a Failed ingest job */
	long long processed, failed;
	/* Ingest: the uploads, each with its own header (all the same). */
	struct base_csv *uploads;
	size_t nuploads;
	size_t bytes;
	struct row_result **results; /* per upload, per data row */
	/* Query: the result rows, each a CSV line without its ending. */
	char *header;
	struct base_buf rows;
	size_t *row_off; /* nrows + 1 offsets into rows */
	size_t nrows;
};

static void job_free(struct emu_bulk_job *j)
{
	for (size_t u = 0; u < j->nuploads; u++) {
		if (j->results && j->results[u]) {
			for (size_t i = 0; i < j->uploads[u].nrows; i++)
				free(j->results[u][i].error);
			free(j->results[u]);
		}
		base_csv_release(&j->uploads[u]);
	}
	free(j->results);
	free(j->uploads);
	free(j->header);
	base_buf_release(&j->rows);
	free(j->row_off);
	free(j);
}

void emu_bulk_jobs_free(struct emu_bulk_job *jobs)
{
	while (jobs) {
		struct emu_bulk_job *next = jobs->next;

		job_free(jobs);
		jobs = next;
	}
}

static bool is_terminal(const struct emu_bulk_job *j)
{
	return j->state == ST_JOB_COMPLETE || j->state == ST_FAILED ||
	       j->state == ST_ABORTED;
}

/* Drops terminal jobs past their 7 days, by the org clock. */
static void sweep(struct emu_org *org)
{
	int64_t now = emu_org_now_ms(org);
	struct emu_bulk_job **pp = &org->bulk_jobs;

	while (*pp) {
		struct emu_bulk_job *j = *pp;

		if (is_terminal(j) && now - j->modstamp_ms > JOB_LIFESPAN_MS) {
			*pp = j->next;
			job_free(j);
		} else {
			pp = &j->next;
		}
	}
}

static struct emu_bulk_job *find_job(struct emu_org *org, const char *id,
				     bool query)
{
	char id18[EMU_SFID_LEN + 1];

	if (!emu_sfid_to18(id, id18))
		return NULL;
	for (struct emu_bulk_job *j = org->bulk_jobs; j; j = j->next) {
		if (j->query == query && !strcmp(j->id, id18))
			return j;
	}
	return NULL;
}

static void not_found(struct emu_rest *r)
{
	emu_rest_fail(r, 404, "NOT_FOUND",
		      "The requested resource does not exist");
}

/* ---- job info ---- */

static void put_time(json_t *o, const char *key, int64_t ms)
{
	char t[40];

	/* "2022-01-02T17:38:59.000+0000", as the reference's job info. */
	base_time_format_sf(ms, t, sizeof(t));
	json_object_set_new(o, key, json_string(t));
}

/*
 * The job info JSON (JS/bulk2.ts JobInfoV2). `brief` is the shape of the
 * create and PATCH replies, without the counters; `state` overrides the
 * state shown (a job processed at close still answers that PATCH with
 * UploadComplete). Caller owns.
 */
static json_t *job_json(const struct emu_bulk_job *j, bool brief,
			const char *state)
{
	json_t *o = json_object();
	char url[128];

	json_object_set_new(o, "id", json_string(j->id));
	json_object_set_new(o, "operation", json_string(op_names[j->op]));
	json_object_set_new(o, "object", json_string(j->object));
	json_object_set_new(o, "createdById", json_string(j->created_by));
	put_time(o, "createdDate", j->created_ms);
	put_time(o, "systemModstamp", j->modstamp_ms);
	json_object_set_new(o, "state",
			    json_string(state ? state : state_names[j->state]));
	if (!j->query && j->op == OP_UPSERT)
		json_object_set_new(o, "externalIdFieldName",
				    json_string(j->ext_field));
	json_object_set_new(o, "concurrencyMode", json_string("Parallel"));
	json_object_set_new(o, "contentType", json_string("CSV"));
	json_object_set_new(o, "apiVersion", json_real(j->version));
	json_object_set_new(o, "jobType",
			    json_string(j->query ? "V2Query" : "V2Ingest"));
	if (!j->query) {
		snprintf(url, sizeof(url),
			 "services/data/v%d.0/jobs/ingest/%s/batches",
			 j->version, j->id);
		json_object_set_new(o, "contentUrl", json_string(url));
	}
	json_object_set_new(o, "lineEnding", json_string(j->crlf ? "CRLF" : "LF"));
	json_object_set_new(o, "columnDelimiter", json_string(j->delim_name));
	if (brief)
		return o;
	json_object_set_new(o, "numberRecordsProcessed",
			    json_integer(j->processed));
	if (!j->query)
		json_object_set_new(o, "numberRecordsFailed",
				    json_integer(j->failed));
	json_object_set_new(o, "retries", json_integer(0));
	json_object_set_new(o, "totalProcessingTime", json_integer(0));
	if (!j->query) {
		json_object_set_new(o, "apiActiveProcessingTime",
				    json_integer(0));
		json_object_set_new(o, "apexProcessingTime", json_integer(0));
		/* A failed query job has no errorMessage (JS/bulk2.ts). */
		if (j->state == ST_FAILED)
			json_object_set_new(o, "errorMessage",
					    json_string(j->error));
	}
	return o;
}

static void reply_job(struct emu_rest *r, int status,
		      const struct emu_bulk_job *j, bool brief,
		      const char *state)
{
	json_t *o = job_json(j, brief, state);

	emu_reply_json(r->resp, status, o);
	json_decref(o);
}

/* GET /jobs/ingest or /jobs/query: every job of that kind, newest first. */
static void list_jobs(struct emu_rest *r, bool query)
{
	json_t *recs = json_array();
	json_t *o;

	for (struct emu_bulk_job *j = r->org->bulk_jobs; j; j = j->next) {
		if (j->query == query)
			json_array_append_new(recs, job_json(j, true, NULL));
	}
	o = json_pack("{s:b, s:o, s:n}", "done", true, "records", recs,
		      "nextRecordsUrl");
	emu_reply_json(r->resp, 200, o);
	json_decref(o);
}

/* ---- create ---- */

/*
 * The options both kinds share: contentType, columnDelimiter, lineEnding.
 * Replies 400 and returns false on a bad one. The error codes and texts of
 * a refused job are sfemu's (unconfirmed; docs/sfemu.md).
 */
static bool read_format(struct emu_rest *r, json_t *body,
			struct emu_bulk_job *j)
{
	json_t *ct = json_object_get(body, "contentType");
	json_t *cd = json_object_get(body, "columnDelimiter");
	json_t *le = json_object_get(body, "lineEnding");
	size_t i;

	if (ct && !json_is_null(ct) &&
	    (!json_is_string(ct) || strcmp(json_string_value(ct), "CSV"))) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : contentType must be CSV");
		return false;
	}
	snprintf(j->delim_name, sizeof(j->delim_name), "COMMA");
	j->delim = ',';
	if (cd && !json_is_null(cd)) {
		for (i = 0; i < sizeof(delimiters) / sizeof(delimiters[0]); i++) {
			if (json_is_string(cd) &&
			    !strcmp(json_string_value(cd), delimiters[i].name))
				break;
		}
		if (i == sizeof(delimiters) / sizeof(delimiters[0])) {
			emu_rest_fail(r, 400, "INVALIDJOB",
				      "InvalidJob : columnDelimiter must be one "
				      "of COMMA, BACKQUOTE, CARET, PIPE, "
				      "SEMICOLON, TAB");
			return false;
		}
		snprintf(j->delim_name, sizeof(j->delim_name), "%s",
			 delimiters[i].name);
		j->delim = delimiters[i].c;
	}
	if (le && !json_is_null(le)) {
		const char *s = json_string_value(le);

		if (!s || (strcmp(s, "LF") && strcmp(s, "CRLF"))) {
			emu_rest_fail(r, 400, "INVALIDJOB",
				      "InvalidJob : lineEnding must be LF or "
				      "CRLF");
			return false;
		}
		j->crlf = !strcmp(s, "CRLF");
	}
	return true;
}

static struct emu_bulk_job *new_job(struct emu_rest *r, bool query)
{
	struct emu_bulk_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->query = query;
	j->version = r->version;
	j->rows = BASE_BUF_INIT(MAX_QUERY_BYTES);
	snprintf(j->created_by, sizeof(j->created_by), "%s", r->user.id);
	j->created_ms = j->modstamp_ms = emu_org_now_ms(r->org);
	if (emu_org_new_id(r->org, "750", j->id, NULL) != 0) {
		free(j);
		return NULL;
	}
	return j;
}

/* The key of an upsert job: an external id, idLookup field or Id. */
static bool key_field_ok(struct emu_rest *r, const struct emu_sobject *o,
			 const char *name)
{
	const struct emu_field *f = emu_sobject_field(o, name);

	return f && (f->external_id || f->id_lookup || !strcmp(f->name, "Id")) &&
	       emu_fls_readable(r->org, o->name, f->name);
}

/* POST /jobs/ingest */
static void create_ingest(struct emu_rest *r)
{
	json_t *body = emu_rest_body(r);
	const char *obj, *op, *ext;
	const struct emu_sobject *o;
	struct emu_bulk_job *j = NULL, tmp = {0};
	int k;

	if (!body)
		return;
	obj = json_string_value(json_object_get(body, "object"));
	op = json_string_value(json_object_get(body, "operation"));
	ext = json_string_value(json_object_get(body, "externalIdFieldName"));
	if (!json_is_object(body) || !obj || !op) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : object and operation are required");
		goto out;
	}
	for (k = OP_INSERT; k <= OP_HARD_DELETE; k++) {
		if (!strcmp(op, op_names[k]))
			break;
	}
	if (k > OP_HARD_DELETE) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : Invalid operation: %.80s", op);
		goto out;
	}
	o = emu_schema_object(r->org->schema, obj);
	if (!o || o->setup) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : Unable to find object: %.80s", obj);
		goto out;
	}
	if (k == OP_UPSERT && (!ext || !key_field_ok(r, o, ext))) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : Field name provided, %.80s does not "
			      "match an External ID, Salesforce Id, or indexed "
			      "field for %s",
			      ext ? ext : "(none)", o->name);
		goto out;
	}
	if (!read_format(r, body, &tmp))
		goto out;
	j = new_job(r, false);
	if (!j) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	j->op = (enum op)k;
	snprintf(j->object, sizeof(j->object), "%s", o->name);
	if (k == OP_UPSERT)
		snprintf(j->ext_field, sizeof(j->ext_field), "%s",
			 emu_sobject_field(o, ext)->name);
	memcpy(j->delim_name, tmp.delim_name, sizeof(j->delim_name));
	j->delim = tmp.delim;
	j->crlf = tmp.crlf;
	j->next = r->org->bulk_jobs;
	r->org->bulk_jobs = j;
	/* 200, as simple-salesforce's mock; real 200 vs 201 is unconfirmed. */
	reply_job(r, 200, j, true, NULL);
out:
	json_decref(body);
}

/* ---- upload ---- */

static bool same_header(const struct base_csv *a, const struct base_csv *b)
{
	if (a->ncols != b->ncols)
		return false;
	for (size_t i = 0; i < a->ncols; i++) {
		if (strcasecmp(base_csv_cell(a, 0, i), base_csv_cell(b, 0, i)))
			return false;
	}
	return true;
}

/* PUT /jobs/ingest/{id}/batches: one more CSV upload while Open. */
static void upload(struct emu_rest *r, struct emu_bulk_job *j)
{
	const char *ct = emu_req_header(r->req, "Content-Type");
	struct base_err err = BASE_ERR_INIT;
	struct base_csv csv = BASE_CSV_INIT, *ups;
	struct row_result **res;

	if (!ct || strncasecmp(ct, "text/csv", 8) ||
	    (ct[8] && ct[8] != ';' && ct[8] != ' ')) {
		emu_rest_fail(r, 415, "UNSUPPORTEDCONTENTTYPE",
			      "Unsupported content type: %.80s; use text/csv",
			      ct ? ct : "(none)");
		return;
	}
	if (j->state != ST_OPEN) {
		emu_rest_fail(r, 409, "INVALIDJOBSTATE",
			      "Job state %s does not allow data uploads: the "
			      "job must be Open",
			      state_names[j->state]);
		return;
	}
	if (r->req->body_len > MAX_UPLOAD ||
	    j->bytes + r->req->body_len > MAX_JOB_BYTES) {
		emu_rest_fail(r, 413, "EXCEEDED_MAX_SIZE_REQUEST",
			      "The upload exceeds 100 MB of CSV (150 MB "
			      "base64-encoded)");
		return;
	}
	if (base_csv_parse(r->req->body, r->req->body_len, j->delim, j->crlf,
			   &csv, &err)) {
		if (err.code == BASE_ENOMEM)
			emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION",
				      "out of memory");
		else
			emu_rest_fail(r, 400, "INVALID_CSV",
				      "ClientInputError : %s", err.msg);
		return;
	}
	if (j->nuploads && !same_header(&j->uploads[0], &csv)) {
		emu_rest_fail(r, 400, "INVALID_CSV",
			      "ClientInputError : every upload of a job must "
			      "have the same header row");
		goto out;
	}
	ups = realloc(j->uploads, (j->nuploads + 1) * sizeof(*ups));
	if (ups)
		j->uploads = ups;
	res = realloc(j->results, (j->nuploads + 1) * sizeof(*res));
	if (res)
		j->results = res;
	if (!ups || !res) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	j->results[j->nuploads] = calloc(csv.nrows ? csv.nrows : 1,
					 sizeof(**res));
	if (!j->results[j->nuploads]) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	j->uploads[j->nuploads++] = csv;
	csv = BASE_CSV_INIT;
	j->bytes += r->req->body_len;
	j->modstamp_ms = emu_org_now_ms(r->org);
	emu_resp_start(r->resp, 201, "");
out:
	base_csv_release(&csv);
}

/* ---- processing ---- */

/* How the header's columns map to the object, checked once per job. */
struct colmap {
	const struct emu_field *field;  /* the field written, NULL: skipped */
	const struct emu_sobject *target; /* relationship column: parent */
	const struct emu_field *key;      /* ... and its key field */
};

/*
 * Maps the header: a field of the object (readable by the caller), or a
 * relationship column "Account.Ext__c" (a lookup's relationshipName, then
 * an external id, idLookup field or Id of the parent). Fills why and
 * returns false for the first column that is neither: Salesforce fails
 * the whole job then ("InvalidBatch : Field name not found : X", sfemu's
 * recollection, unconfirmed).
 */
static bool map_header(struct emu_rest *r, const struct emu_sobject *o,
		       const struct base_csv *csv, struct colmap *map,
		       char *why, size_t n)
{
	for (size_t c = 0; c < csv->ncols; c++) {
		const char *name = base_csv_cell(csv, 0, c);
		const char *dot = strchr(name, '.');

		map[c] = (struct colmap){0};
		if (dot) {
			char rel[128];
			const struct emu_field *f;

			snprintf(rel, sizeof(rel), "%.*s", (int)(dot - name), name);
			f = emu_sobject_relationship(o, rel);
			if (f && f->reference_to &&
			    emu_fls_readable(r->org, o->name, f->name)) {
				map[c].field = f;
				map[c].target = emu_schema_object(r->org->schema,
								  f->reference_to);
			}
			if (map[c].target) {
				const struct emu_field *k =
					emu_sobject_field(map[c].target, dot + 1);

				if (k && (k->external_id || k->id_lookup ||
					  !strcmp(k->name, "Id")) &&
				    emu_fls_readable(r->org, map[c].target->name,
						     k->name))
					map[c].key = k;
			}
			if (!map[c].key) {
				snprintf(why, n,
					 "InvalidBatch : Field name not found : "
					 "%.200s",
					 name);
				return false;
			}
			continue;
		}
		map[c].field = emu_sobject_field(o, name);
		if (!map[c].field ||
		    !emu_fls_readable(r->org, o->name, map[c].field->name)) {
			snprintf(why, n,
				 "InvalidBatch : Field name not found : %.200s",
				 name);
			return false;
		}
	}
	return true;
}

/* Salesforce's sf__Error: "CODE:message:Field1,Field2 --" (captured
 * failedResults rows show "...:braseg_perfil_api__pc --"; C2). */
static char *error_text(const struct emu_sferr *e)
{
	struct base_buf b = BASE_BUF_INIT(4096);

	base_buf_printf(&b, "%s:%s:", e->code, e->message);
	for (int i = 0; i < e->nfields; i++)
		base_buf_printf(&b, "%s%s", i ? "," : "", e->fields[i]);
	base_buf_puts(&b, " --");
	if (base_buf_err(&b)) {
		base_buf_release(&b);
		return NULL;
	}
	return base_buf_detach(&b, NULL);
}

/*
 * The row's values as the JSON a REST write takes: an empty cell is left
 * out (unset on insert, unchanged on update), "#N/A" is null, a
 * relationship column becomes the parent's id in the lookup field. `skip`
 * is a column to leave out (Id of an update), or -1.
 */
static int row_values(struct emu_rest *r, const struct base_csv *csv,
		      size_t row, const struct colmap *map, long skip,
		      json_t **out, struct emu_sferr *e)
{
	json_t *vals = json_object();

	*out = NULL;
	for (size_t c = 0; c < csv->ncols; c++) {
		const char *v = base_csv_cell(csv, row, c);
		char ids[2][EMU_SFID_LEN + 1];
		int n = 0;

		if ((long)c == skip || !*v)
			continue;
		if (!strcmp(v, "#N/A")) {
			json_object_set_new(vals, map[c].field->name, json_null());
			continue;
		}
		if (!map[c].target) {
			json_object_set_new(vals, map[c].field->name,
					    json_string(v));
			continue;
		}
		if (emu_record_find_key(r->org, map[c].target, map[c].key, v,
					ids, 2, &n, e))
			goto fail;
		if (n != 1) {
			/* The text of Salesforce's foreign-key error (C2). */
			emu_sferr_set(e, 400, n ? "DUPLICATE_EXTERNAL_ID" :
					      "INVALID_FIELD",
				      n ? "Foreign key external ID: %.200s matched "
					  "more than one record for field %s in "
					  "entity %s" :
					  "Foreign key external ID: %.200s not "
					  "found for field %s in entity %s",
				      v, map[c].key->name, map[c].target->name);
			goto fail;
		}
		json_object_set_new(vals, map[c].field->name, json_string(ids[0]));
	}
	*out = vals;
	return 0;
fail:
	json_decref(vals);
	return BASE_EINVAL;
}

/* The row's record id, checked as update and delete check it. */
static bool row_id(const struct emu_sobject *o, const char *v,
		   char id18[EMU_SFID_LEN + 1], bool update,
		   struct emu_sferr *e)
{
	if (!*v) {
		emu_sferr_set(e, 400, "MISSING_ARGUMENT", "Id not specified in "
			      "an %s call", update ? "update" : "delete");
		return false;
	}
	if (!emu_sfid_to18(v, id18) || strncmp(id18, o->key_prefix, 3)) {
		/* collections' texts for the same mistakes */
		if (update)
			emu_sferr_set(e, 400, "MALFORMED_ID",
				      "%s ID: id value of incorrect type: %.40s",
				      o->label, v);
		else
			emu_sferr_set(e, 400, "MALFORMED_ID",
				      "malformed id %.40s", v);
		return false;
	}
	return true;
}

struct keyref {
	const char *key;
	size_t upload, row;
	bool string_key;
};

static int keyref_cmp(const void *pa, const void *pb)
{
	const struct keyref *a = pa, *b = pb;

	return a->string_key ? strcasecmp(a->key, b->key) : strcmp(a->key, b->key);
}

/*
 * Upsert keys used by more than one row of the job: Salesforce fails every
 * such row, as collections do. Marks them in dup[upload][row]. false on
 * out of memory.
 */
static bool find_duplicates(struct emu_bulk_job *j, long keycol,
			    const struct emu_field *f, bool **dup)
{
	size_t n = 0, k = 0;
	struct keyref *refs;

	for (size_t u = 0; u < j->nuploads; u++)
		n += j->uploads[u].nrows;
	refs = calloc(n ? n : 1, sizeof(*refs));
	if (!refs)
		return false;
	for (size_t u = 0; u < j->nuploads; u++) {
		for (size_t i = 1; i <= j->uploads[u].nrows; i++) {
			const char *v = base_csv_cell(&j->uploads[u], i,
						      (size_t)keycol);

			if (*v && strcmp(v, "#N/A"))
				refs[k++] = (struct keyref){
					v, u, i - 1,
					f->type == EMU_FT_STRING ||
						f->type == EMU_FT_EMAIL};
		}
	}
	qsort(refs, k, sizeof(*refs), keyref_cmp);
	for (size_t i = 0; i + 1 < k; i++) {
		if (!keyref_cmp(&refs[i], &refs[i + 1])) {
			dup[refs[i].upload][refs[i].row] = true;
			dup[refs[i + 1].upload][refs[i + 1].row] = true;
		}
	}
	free(refs);
	return true;
}

static long column_of(const struct base_csv *csv, const char *name)
{
	for (size_t c = 0; c < csv->ncols; c++) {
		if (!strcasecmp(base_csv_cell(csv, 0, c), name))
			return (long)c;
	}
	return -1;
}

/* One data row written through the REST write paths. */
static void process_row(struct emu_rest *r, struct emu_bulk_job *j,
			const struct emu_sobject *o, const struct colmap *map,
			size_t u, size_t i, long idcol, long keycol, bool dup)
{
	const struct base_csv *csv = &j->uploads[u];
	struct row_result *res = &j->results[u][i];
	struct emu_sferr e = {0};
	char id18[EMU_SFID_LEN + 1] = "";
	json_t *vals = NULL;
	int rc = BASE_EINVAL;

	switch (j->op) {
	case OP_INSERT:
		if (!row_values(r, csv, i + 1, map, -1, &vals, &e)) {
			rc = emu_record_insert(r->org, o, vals, r->user.id,
					       res->id, &e);
			res->created = true;
		}
		break;
	case OP_UPDATE:
		if (!row_id(o, idcol < 0 ? "" : base_csv_cell(csv, i + 1, (size_t)idcol),
			    id18, true, &e))
			break;
		memcpy(res->id, id18, sizeof(id18));
		if (!row_values(r, csv, i + 1, map, idcol, &vals, &e))
			rc = emu_record_update(r->org, o, id18, vals, r->user.id,
					       &e);
		break;
	case OP_UPSERT: {
		const struct emu_field *f = emu_sobject_field(o, j->ext_field);
		const char *key = keycol < 0 ? "" :
				  base_csv_cell(csv, i + 1, (size_t)keycol);

		if (!row_values(r, csv, i + 1, map, -1, &vals, &e))
			rc = emu_rest_upsert_one(r, o, f, vals,
						 *key && strcmp(key, "#N/A") ? key : NULL,
						 dup, res->id, &res->created, &e);
		break;
	}
	case OP_DELETE:
	case OP_HARD_DELETE:
		if (!row_id(o, idcol < 0 ? "" : base_csv_cell(csv, i + 1, (size_t)idcol),
			    id18, false, &e))
			break;
		memcpy(res->id, id18, sizeof(id18));
		rc = emu_record_delete(r->org, o, id18, r->user.id, &e);
		break;
	default:
		break;
	}
	json_decref(vals);
	j->processed++;
	if (rc == 0) {
		res->status = ROW_OK;
		return;
	}
	res->status = ROW_FAILED;
	if (j->op == OP_INSERT || j->op == OP_UPSERT)
		res->id[0] = '\0';
	res->created = false;
	res->error = error_text(&e);
	j->failed++;
}

/*
 * Processes a closed job at once, in upload order: sfemu's Bulk API is
 * synchronous, so the job is JobComplete (or Failed) when the close call
 * returns. One SQLite savepoint around the whole job keeps it one write to
 * disk; each row still succeeds or fails on its own.
 */
static void process(struct emu_rest *r, struct emu_bulk_job *j)
{
	const struct emu_sobject *o = emu_schema_object(r->org->schema, j->object);
	struct colmap *map = NULL;
	bool **dup = NULL;
	long idcol = -1, keycol = -1;

	j->state = ST_JOB_COMPLETE;
	if (!j->nuploads)
		return;
	map = calloc(j->uploads[0].ncols, sizeof(*map));
	dup = calloc(j->nuploads, sizeof(*dup));
	if (!map || !dup || !o) {
		snprintf(j->error, sizeof(j->error), "InternalServerError : "
			 "out of memory");
		j->state = ST_FAILED;
		goto out;
	}
	if (!map_header(r, o, &j->uploads[0], map, j->error, sizeof(j->error))) {
		j->state = ST_FAILED;
		goto out;
	}
	idcol = column_of(&j->uploads[0], "Id");
	if (j->op == OP_UPSERT) {
		keycol = column_of(&j->uploads[0], j->ext_field);
		for (size_t u = 0; u < j->nuploads; u++) {
			dup[u] = calloc(j->uploads[u].nrows + 1, sizeof(**dup));
			if (!dup[u]) {
				j->state = ST_FAILED;
				goto out;
			}
		}
		if (keycol >= 0 &&
		    !find_duplicates(j, keycol,
				     emu_sobject_field(o, j->ext_field), dup)) {
			j->state = ST_FAILED;
			goto out;
		}
	}
	base_db_exec(r->org->db, "SAVEPOINT bulk", NULL);
	for (size_t u = 0; u < j->nuploads; u++) {
		for (size_t i = 0; i < j->uploads[u].nrows; i++)
			process_row(r, j, o, map, u, i, idcol, keycol,
				    dup[u] && dup[u][i]);
	}
	base_db_exec(r->org->db, "RELEASE bulk", NULL);
out:
	if (j->state == ST_FAILED && !j->error[0])
		snprintf(j->error, sizeof(j->error),
			 "InternalServerError : out of memory");
	for (size_t u = 0; dup && u < j->nuploads; u++)
		free(dup[u]);
	free(dup);
	free(map);
}

/* PATCH /jobs/{ingest|query}/{id}: {"state":"UploadComplete"|"Aborted"}. */
static void patch_state(struct emu_rest *r, struct emu_bulk_job *j)
{
	json_t *body = emu_rest_body(r);
	const char *to;

	if (!body)
		return;
	to = json_string_value(json_object_get(body, "state"));
	if (!to || (strcmp(to, "UploadComplete") && strcmp(to, "Aborted")) ||
	    (j->query && strcmp(to, "Aborted"))) {
		emu_rest_fail(r, 400, "INVALIDJOBSTATE",
			      "The state %.40s is not one a client may set",
			      to ? to : "(none)");
		goto out;
	}
	if (!strcmp(to, "Aborted")) {
		if (is_terminal(j)) {
			emu_rest_fail(r, 409, "INVALIDJOBSTATE",
				      "A job in state %s cannot be aborted",
				      state_names[j->state]);
			goto out;
		}
		j->state = ST_ABORTED;
		j->modstamp_ms = emu_org_now_ms(r->org);
		reply_job(r, 200, j, true, NULL);
		goto out;
	}
	if (j->state != ST_OPEN) {
		emu_rest_fail(r, 409, "INVALIDJOBSTATE",
			      "A job in state %s cannot be closed: it must be "
			      "Open",
			      state_names[j->state]);
		goto out;
	}
	process(r, j);
	j->modstamp_ms = emu_org_now_ms(r->org);
	/* The reply describes the close itself; the next GET sees the end. */
	reply_job(r, 200, j, true, "UploadComplete");
out:
	json_decref(body);
}

/* ---- ingest results ---- */

static void put_eol(struct base_buf *b, const struct emu_bulk_job *j)
{
	base_buf_puts(b, j->crlf ? "\r\n" : "\n");
}

static void put_original(struct base_buf *b, const struct emu_bulk_job *j,
			 const struct base_csv *csv, size_t row, bool first)
{
	for (size_t c = 0; c < csv->ncols; c++) {
		if (!first || c)
			base_buf_putc(b, j->delim);
		base_csv_put(b, base_csv_cell(csv, row, c));
	}
}

/*
 * GET .../successfulResults, .../failedResults, .../unprocessedrecords:
 * "sf__Id","sf__Created" | "sf__Id","sf__Error", then the uploaded
 * columns (section 4.2). Rows in upload order (Salesforce promises none).
 */
static void results(struct emu_rest *r, struct emu_bulk_job *j,
		    enum row_status want)
{
	struct base_buf *b = &r->resp->body;
	bool ok = want == ROW_OK, failed = want == ROW_FAILED;

	if (want != ROW_UNPROCESSED && !is_terminal(j)) {
		emu_rest_fail(r, 409, "INVALIDJOBSTATE",
			      "Results are available once the job is complete; "
			      "it is %s",
			      state_names[j->state]);
		return;
	}
	emu_resp_start(r->resp, 200, "text/csv");
	if (ok || failed) {
		base_csv_put(b, "sf__Id");
		base_buf_putc(b, j->delim);
		base_csv_put(b, ok ? "sf__Created" : "sf__Error");
	}
	if (j->nuploads)
		put_original(b, j, &j->uploads[0], 0, !ok && !failed);
	put_eol(b, j);
	for (size_t u = 0; u < j->nuploads; u++) {
		for (size_t i = 0; i < j->uploads[u].nrows; i++) {
			const struct row_result *res = &j->results[u][i];

			if (res->status != want)
				continue;
			if (ok) {
				base_csv_put(b, res->id);
				base_buf_putc(b, j->delim);
				base_csv_put(b, res->created ? "true" : "false");
			} else if (failed) {
				base_csv_put(b, res->id);
				base_buf_putc(b, j->delim);
				base_csv_put(b, res->error ? res->error : "");
			}
			put_original(b, j, &j->uploads[u], i + 1, !ok && !failed);
			put_eol(b, j);
		}
	}
	if (base_buf_err(b))
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
}

/* ---- query jobs ---- */

/* One value as CSV text: null is empty, the rest as the JSON API shows it. */
static void put_value(struct base_buf *b, sqlite3_stmt *st, int col,
		      enum emu_ftype t)
{
	char num[48];

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		base_csv_put(b, t == EMU_FT_BOOLEAN ? "false" : "");
		return;
	}
	switch (t) {
	case EMU_FT_BOOLEAN:
		base_csv_put(b, sqlite3_column_int(st, col) ? "true" : "false");
		return;
	case EMU_FT_INT:
		snprintf(num, sizeof(num), "%lld",
			 (long long)sqlite3_column_int64(st, col));
		break;
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: {
		double d = sqlite3_column_double(st, col);

		if (!isfinite(d))
			num[0] = '\0';
		else if (d == floor(d) && fabs(d) < 1e15)
			snprintf(num, sizeof(num), "%.1f", d);
		else
			snprintf(num, sizeof(num), "%.15g", d);
		break;
	}
	default:
		base_csv_put(b, (const char *)sqlite3_column_text(st, col));
		return;
	}
	base_csv_put(b, num);
}

/*
 * Runs the query at once and keeps its rows as CSV lines: the locators of
 * its pages stay stable while the job exists, as Salesforce's do. Columns
 * in SELECT order (v50+), a parent's field as "Account.Name".
 */
static int run_query_job(struct emu_rest *r, struct emu_bulk_job *j,
			 const struct emu_soql_plan *p)
{
	struct base_buf h = BASE_BUF_INIT(1024 * 1024);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = BASE_ENOMEM, step;

	for (int c = 0; c < p->ncols; c++) {
		struct base_buf name = BASE_BUF_INIT(1024);

		for (int d = 0; d < p->cols[c].depth; d++)
			base_buf_printf(&name, "%s%s", d ? "." : "",
					p->cols[c].path[d]);
		if (c)
			base_buf_putc(&h, j->delim);
		base_csv_put(&h, base_buf_str(&name));
		base_buf_release(&name);
	}
	if (base_buf_err(&h))
		goto out;
	j->header = base_buf_detach(&h, NULL);
	st = emu_rest_soql_stmt(r, p, false);
	if (!st) {
		rc = BASE_ERR;
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (j->nrows + 2 > cap) {
			size_t ncap = cap ? 2 * cap : 256;
			size_t *v = realloc(j->row_off, ncap * sizeof(*v));

			if (!v)
				goto out;
			j->row_off = v;
			cap = ncap;
		}
		j->row_off[j->nrows] = j->rows.len;
		for (int c = 0; c < p->ncols; c++) {
			if (c)
				base_buf_putc(&j->rows, j->delim);
			put_value(&j->rows, st, c,
				  p->cols[c].field ? p->cols[c].field->type :
						     EMU_FT_STRING);
		}
		j->nrows++;
		if (base_buf_err(&j->rows))
			goto out;
	}
	if (step != SQLITE_DONE) {
		base_error("bulk query: %s", sqlite3_errmsg(r->org->db));
		rc = BASE_ERR;
		goto out;
	}
	if (!j->row_off) {
		j->row_off = calloc(1, sizeof(*j->row_off));
		if (!j->row_off)
			goto out;
	}
	j->row_off[j->nrows] = j->rows.len;
	j->processed = (long long)j->nrows;
	rc = 0;
out:
	sqlite3_finalize(st);
	base_buf_release(&h);
	return rc;
}

/* POST /jobs/query */
static void create_query(struct emu_rest *r)
{
	struct emu_soql *q = NULL;
	struct emu_soql_plan *plan = NULL;
	struct emu_bulk_job *j = NULL, tmp = {0};
	json_t *body = emu_rest_body(r);
	const char *op, *soql;
	bool all;

	if (!body)
		return;
	op = json_string_value(json_object_get(body, "operation"));
	soql = json_string_value(json_object_get(body, "query"));
	if (!json_is_object(body) || !soql) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : query is required");
		goto out;
	}
	if (op && strcmp(op, "query") && strcmp(op, "queryAll")) {
		emu_rest_fail(r, 400, "INVALIDJOB",
			      "InvalidJob : Invalid operation: %.80s", op);
		goto out;
	}
	if (!read_format(r, body, &tmp))
		goto out;
	all = op && !strcmp(op, "queryAll");
	if (emu_rest_soql(r, soql, all, &q, &plan) != 0)
		goto out;
	/* Bulk 2.0 refuses aggregates, COUNT() and OFFSET (query docs);
	 * the code and text are sfemu's. */
	if (plan->aggregate || plan->count_only || plan->offset > 0) {
		emu_rest_fail(r, 400, "API_ERROR",
			      "Aggregate queries, COUNT() and OFFSET are not "
			      "supported by Bulk API 2.0 query jobs");
		goto out;
	}
	j = new_job(r, true);
	if (!j) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		goto out;
	}
	j->op = all ? OP_QUERY_ALL : OP_QUERY;
	snprintf(j->object, sizeof(j->object), "%s", plan->object->name);
	memcpy(j->delim_name, tmp.delim_name, sizeof(j->delim_name));
	j->delim = tmp.delim;
	j->crlf = tmp.crlf;
	if (run_query_job(r, j, plan)) {
		job_free(j);
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "query failed");
		goto out;
	}
	j->state = ST_JOB_COMPLETE;
	j->next = r->org->bulk_jobs;
	r->org->bulk_jobs = j;
	/* The create reply says UploadComplete; the next GET, JobComplete. */
	reply_job(r, 200, j, true, "UploadComplete");
out:
	emu_soql_plan_free(plan);
	emu_soql_free(q);
	json_decref(body);
}

/* "MTAwMDA" for row 10000: the base64 of the offset, unpadded, the shape
 * Salesforce's locators have (sfemu's reading; opaque to clients). */
static void make_locator(size_t off, char *out, size_t n)
{
	struct base_buf b = BASE_BUF_INIT(64);
	char num[32];
	char *eq;

	snprintf(num, sizeof(num), "%zu", off);
	base_b64_encode(&b, num, strlen(num));
	snprintf(out, n, "%s", base_buf_str(&b));
	eq = strchr(out, '=');
	if (eq)
		*eq = '\0';
	base_buf_release(&b);
}

static bool parse_locator(const char *s, size_t max, size_t *off)
{
	struct base_buf b = BASE_BUF_INIT(64);
	char *end;
	unsigned long long v;
	bool ok = false;

	if (base_b64_decode(&b, s, strlen(s), NULL) == 0 && b.len > 0 &&
	    b.len < 20 && strspn(base_buf_str(&b), "0123456789") == b.len) {
		v = strtoull(base_buf_str(&b), &end, 10);
		if (v <= max) {
			*off = (size_t)v;
			ok = true;
		}
	}
	base_buf_release(&b);
	return ok;
}

/* GET /jobs/query/{id}/results[?locator=&maxRecords=] */
static void query_results(struct emu_rest *r, struct emu_bulk_job *j)
{
	const char *loc = emu_req_query(r->req, "locator");
	const char *max = emu_req_query(r->req, "maxRecords");
	size_t off = 0, end, n;
	size_t page = (size_t)emu_org_setting_int(r->org, NULL,
						  "bulkQueryPageSize",
						  DEFAULT_PAGE);
	char next[64], count[32];
	struct base_buf *b = &r->resp->body;

	/* Results come only through the version that made the job (409). */
	if (r->version != j->version) {
		emu_rest_fail(r, 409, "INVALIDJOBSTATE",
			      "Results must be read with API version %d.0, the "
			      "version that created the job",
			      j->version);
		return;
	}
	if (j->state != ST_JOB_COMPLETE) {
		emu_rest_fail(r, 409, "INVALIDJOBSTATE",
			      "Results are available once the job is complete; "
			      "it is %s",
			      state_names[j->state]);
		return;
	}
	if (loc && *loc && strcmp(loc, "null") &&
	    !parse_locator(loc, j->nrows, &off)) {
		emu_rest_fail(r, 400, "INVALID_QUERY_LOCATOR",
			      "invalid query locator");
		return;
	}
	if (max) {
		char *e;
		unsigned long long v = strtoull(max, &e, 10);

		if (!*max || *e || *max == '-' || v == 0 || v > 100000000) {
			emu_rest_fail(r, 400, "INVALIDREQUEST",
				      "maxRecords must be a positive integer");
			return;
		}
		page = (size_t)v;
	}
	end = j->nrows - off < page ? j->nrows : off + page;
	n = end - off;
	emu_resp_start(r->resp, 200, "text/csv");
	base_buf_puts(b, j->header);
	put_eol(b, j);
	for (size_t i = off; i < end; i++) {
		base_buf_append(b, j->rows.data + j->row_off[i],
				j->row_off[i + 1] - j->row_off[i]);
		put_eol(b, j);
	}
	if (base_buf_err(b)) {
		emu_rest_fail(r, 500, "UNKNOWN_EXCEPTION", "out of memory");
		return;
	}
	snprintf(count, sizeof(count), "%zu", n);
	emu_resp_header(r->resp, "Sforce-NumberOfRecords", count);
	/* The literal "null" when no page follows (clients loop on it). */
	if (end < j->nrows)
		make_locator(end, next, sizeof(next));
	else
		snprintf(next, sizeof(next), "null");
	emu_resp_header(r->resp, "Sforce-Locator", next);
}

/* ---- routing ---- */

static bool is(const struct emu_rest *r, const char *method)
{
	return !strcmp(r->req->method, method);
}

static void one_job(struct emu_rest *r, struct emu_bulk_job *j, bool query)
{
	struct emu_bulk_job **pp;

	if (is(r, "GET")) {
		reply_job(r, 200, j, false, NULL);
	} else if (is(r, "PATCH")) {
		patch_state(r, j);
	} else if (is(r, "DELETE")) {
		if (!is_terminal(j)) {
			emu_rest_fail(r, 409, "INVALIDJOBSTATE",
				      "Only a job in a final state (JobComplete, "
				      "Failed, Aborted) can be deleted; it is %s",
				      state_names[j->state]);
			return;
		}
		for (pp = &r->org->bulk_jobs; *pp != j; pp = &(*pp)->next)
			;
		*pp = j->next;
		job_free(j);
		emu_resp_start(r->resp, 204, "");
	} else {
		emu_rest_method_not_allowed(r, "GET,PATCH,DELETE");
	}
	(void)query;
}

void emu_rest_jobs(struct emu_rest *r)
{
	bool query;
	struct emu_bulk_job *j;

	if (r->nsegs < 2 || (strcmp(r->segs[1], "ingest") &&
			     strcmp(r->segs[1], "query"))) {
		not_found(r);
		return;
	}
	query = !strcmp(r->segs[1], "query");
	if (r->version < (query ? QUERY_MIN_VERSION : INGEST_MIN_VERSION)) {
		not_found(r);
		return;
	}
	sweep(r->org);
	if (r->nsegs == 2) {
		if (is(r, "POST"))
			query ? create_query(r) : create_ingest(r);
		else if (is(r, "GET"))
			list_jobs(r, query);
		else
			emu_rest_method_not_allowed(r, "GET,POST");
		return;
	}
	j = find_job(r->org, r->segs[2], query);
	if (!j || r->nsegs > 4) {
		not_found(r);
		return;
	}
	if (r->nsegs == 3) {
		one_job(r, j, query);
		return;
	}
	if (query && !strcmp(r->segs[3], "results")) {
		if (is(r, "GET"))
			query_results(r, j);
		else
			emu_rest_method_not_allowed(r, "GET");
	} else if (!query && !strcmp(r->segs[3], "batches")) {
		if (is(r, "PUT"))
			upload(r, j);
		else
			emu_rest_method_not_allowed(r, "PUT");
	} else if (!query && (!strcmp(r->segs[3], "successfulResults") ||
			      !strcmp(r->segs[3], "failedResults") ||
			      !strcmp(r->segs[3], "unprocessedrecords"))) {
		if (!is(r, "GET")) {
			emu_rest_method_not_allowed(r, "GET");
			return;
		}
		results(r, j, r->segs[3][0] == 's' ? ROW_OK :
			      r->segs[3][0] == 'f' ? ROW_FAILED :
						     ROW_UNPROCESSED);
	} else {
		not_found(r);
	}
}
