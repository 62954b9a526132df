/* rest.h - shared pieces of the REST API's handlers. */
#ifndef EMU_REST_H
#define EMU_REST_H

#include "records.h"
#include "server.h"

/* One authenticated REST call, borrowed by the handlers. */
struct emu_rest {
	struct emu_org *org;
	struct emu_req *req;
	struct emu_resp *resp;
	int version;         /* 60 for /v60.0/ */
	struct emu_user user; /* the session's user */
	const char *path;    /* after the version: "/sobjects/Account/001..." */
	char segs[8][256];   /* path segments, %-decoded */
	int nsegs;
};

/* Replies with the error in Salesforce's array form. */
void emu_rest_error(struct emu_rest *r, const struct emu_sferr *e);
/* emu_sferr_set() and emu_rest_error() in one: replies with that error. */
void emu_rest_fail(struct emu_rest *r, int status, const char *code,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 405 with Salesforce's message for this resource. */
void emu_rest_method_not_allowed(struct emu_rest *r, const char *allowed);
/*
 * The field `name` of o as the key of an upsert or a lookup: an external
 * id, an idLookup field or Id, readable by the caller (field-level
 * security). NULL after replying 404 NOT_FOUND, as Salesforce does for a
 * missing and a hidden field alike.
 */
const struct emu_field *emu_rest_key_field(struct emu_rest *r,
					   const struct emu_sobject *o,
					   const char *name);
/*
 * Parses and compiles `soql` for the caller's REST call: the org's clock
 * and time zone, field-level security of the call's user, deleted rows
 * when `all` (queryAll). 0 with *q and *plan (caller frees both), or -1
 * after replying 400 with the SOQL error (code and message).
 */
struct emu_soql;
struct emu_soql_plan;
int emu_rest_soql(struct emu_rest *r, const char *soql, bool all,
		  struct emu_soql **q, struct emu_soql_plan **plan);
/* Prepares plan->sql (or the count statement when `count`) with the plan's
 * parameters bound; NULL after logging why. Caller finalizes. */
struct sqlite3_stmt *emu_rest_soql_stmt(struct emu_rest *r,
					const struct emu_soql_plan *plan,
					bool count);
/* Parses the JSON body; on failure replies 400 JSON_PARSER_ERROR, returns NULL. */
json_t *emu_rest_body(struct emu_rest *r);

/*
 * One upsert by external id, as sObject Collections write it: finds the
 * live records whose `f` is `key` (NULL: the row has none), then creates
 * (no match), updates (one) or fails (more, or duplicate_in_request: the
 * same key on another row of the request). rec is the record's fields
 * (an "attributes" member is ignored); on success writes the id and
 * *created. Returns 0 or BASE_EINVAL with e filled.
 */
int emu_rest_upsert_one(struct emu_rest *r, const struct emu_sobject *o,
			const struct emu_field *f, json_t *rec, const char *key,
			bool duplicate_in_request, char id_out[EMU_SFID_LEN + 1],
			bool *created, struct emu_sferr *e);

/* /sobjects... */
void emu_rest_sobjects(struct emu_rest *r);
/* /query, /queryAll, /query/{locator} */
void emu_rest_query(struct emu_rest *r, bool all);
/* /composite... */
void emu_rest_composite(struct emu_rest *r);
/* /tooling/query */
void emu_rest_tooling(struct emu_rest *r);
/* /jobs/ingest..., /jobs/query... (bulk.c) */
void emu_rest_jobs(struct emu_rest *r);

#endif
