/* rest.h - the REST API through a client: records, queries, collections, composite, limits. */
#ifndef SF_REST_H
#define SF_REST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sf/client.h"

/*
 * Every call goes through the client's session: it logs in when needed, on
 * INVALID_SESSION_ID re-authenticates once and retries once, retries
 * throttle and transient failures with backoff only when the call is safe
 * to repeat, and keeps the org's API usage up to date. JSON results belong
 * to the caller (json_decref) unless said otherwise.
 */

/* Any REST call: path relative to /services/data/vNN.0 ("/limits") or
 * absolute ("/services/data"). body may be NULL. *out may be NULL (204). */
int sf_rest(struct sf_client *c, const char *method, const char *path,
	    json_t *body, json_t **out, int *status, struct sf_error *err);

int sf_versions(struct sf_client *c, json_t **out, struct sf_error *err);
int sf_limits(struct sf_client *c, json_t **out, struct sf_error *err);
int sf_describe_global(struct sf_client *c, json_t **out, struct sf_error *err);
/* Cached per client; *out is borrowed until sf_client_free. */
int sf_describe(struct sf_client *c, const char *sobject, json_t **out,
		struct sf_error *err);

/* id_out needs 19 bytes. */
int sf_create(struct sf_client *c, const char *sobject, json_t *fields,
	      char *id_out, struct sf_error *err);
/* fields: comma-separated, or NULL for all. */
int sf_retrieve(struct sf_client *c, const char *sobject, const char *id,
		const char *fields, json_t **out, struct sf_error *err);
int sf_update(struct sf_client *c, const char *sobject, const char *id,
	      json_t *fields, struct sf_error *err);
int sf_delete(struct sf_client *c, const char *sobject, const char *id,
	      struct sf_error *err);
/*
 * Upsert by external id: 201 created, 200/204 updated. Several matching
 * records (300) fail with SF_CLASS_INVALID_REQUEST, code
 * "MULTIPLE_RECORDS", nothing written. id_out may be NULL; created may be NULL.
 */
int sf_upsert(struct sf_client *c, const char *sobject, const char *ext_field,
	      const char *ext_value, json_t *fields, char *id_out,
	      bool *created, struct sf_error *err);
int sf_get_by_external_id(struct sf_client *c, const char *sobject,
			  const char *ext_field, const char *ext_value,
			  const char *fields, json_t **out, struct sf_error *err);

/*
 * A query that streams page by page: memory stays at one page whatever the
 * result's size. One thread at a time per iterator.
 */
struct sf_query;
int sf_query_open(struct sf_client *c, const char *soql, bool query_all,
		  struct sf_query **out, struct sf_error *err);
/* 1 with *record set (borrowed until the next call), 0 at the end, <0 on error. */
int sf_query_next(struct sf_query *q, json_t **record, struct sf_error *err);
long long sf_query_total(const struct sf_query *q); /* totalSize */
void sf_query_close(struct sf_query *q);

/* One record's result in a collection call. */
struct sf_result {
	bool success;
	bool created;       /* upsert */
	char id[19];
	struct sf_error err; /* when !success */
};

/*
 * sObject Collections over any number of records, 200 per call. records is
 * an array of objects carrying attributes.type (create, update) or the
 * external id (upsert). *results (caller frees) has one entry per record,
 * in order. With all_or_none, a failing chunk rolls back only that chunk:
 * say so to the user if it matters.
 */
int sf_collection_create(struct sf_client *c, json_t *records, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err);
int sf_collection_update(struct sf_client *c, json_t *records, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err);
int sf_collection_upsert(struct sf_client *c, const char *sobject,
			 const char *ext_field, json_t *records,
			 bool all_or_none, struct sf_result **results,
			 size_t *n, struct sf_error *err);
int sf_collection_delete(struct sf_client *c, const char *const *ids,
			 size_t nids, bool all_or_none,
			 struct sf_result **results, size_t *n,
			 struct sf_error *err);

/* POST /composite with {"allOrNone", "compositeRequest": [...]}. */
int sf_composite(struct sf_client *c, json_t *request, json_t **out,
		 struct sf_error *err);

#endif
