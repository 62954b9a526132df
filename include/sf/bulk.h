/* bulk.h - Bulk API 2.0 through a client: query jobs, their results streamed page by page. */
#ifndef SF_BULK_H
#define SF_BULK_H

#include <jansson.h>
#include <stdbool.h>

#include "sf/client.h"

/*
 * Every call goes through the client's session, as rest.h says: login when
 * needed, one re-authentication on INVALID_SESSION_ID, backoff retries of
 * the calls that are safe to repeat (the polls and the result pages; never
 * the job's creation).
 */

/* How long and how often sf_bulk_query_open waits for the job. 0 picks the
 * default, in brackets. */
struct sf_bulk_query_options {
	long poll_ms;     /* the first pause between polls [250] */
	long poll_max_ms; /* the pauses double up to this cap [5000] */
	long timeout_ms;  /* give up waiting after this [600000: 10 min] */
	long max_records; /* maxRecords per results page [the org's default] */
};

/*
 * A Bulk API 2.0 query (POST /jobs/query) whose results stream page by
 * page: memory stays at one page of CSV whatever the result's size. One
 * thread at a time per iterator.
 */
struct sf_bulk_query;

/*
 * Creates the job (query_all: the "queryAll" operation, which also sees
 * deleted and archived rows) and polls it with capped backoff until it is
 * JobComplete. A refused query fails with Salesforce's code (e.g.
 * INVALID_FIELD, class invalid_request); a job that ends Failed or Aborted
 * fails with code "Failed"/"Aborted" (Salesforce says no more); a job still
 * running after timeout_ms is aborted (best effort) and fails as transient
 * with code "TIMEOUT". opts may be NULL. On success the caller owns *out
 * (sf_bulk_query_close); on failure *out is NULL.
 */
int sf_bulk_query_open(struct sf_client *c, const char *soql, bool query_all,
		       struct sf_bulk_query **out, struct sf_error *err);
int sf_bulk_query_open_opts(struct sf_client *c, const char *soql,
			    bool query_all,
			    const struct sf_bulk_query_options *opts,
			    struct sf_bulk_query **out, struct sf_error *err);

/*
 * 1 with *row set, 0 at the end, <0 on error. *row is an object keyed by
 * the CSV header (columns as SELECT names them: "Id", "Account.Name"), each
 * value a string, or null for an empty cell (Bulk CSV writes null as "",
 * and Salesforce stores no empty strings). Borrowed until the next call or
 * sf_bulk_query_close. A failed page keeps its locator: calling again
 * retries it.
 */
int sf_bulk_query_next(struct sf_bulk_query *q, json_t **row,
		       struct sf_error *err);
/* The job's id ("750..."), borrowed until sf_bulk_query_close. */
const char *sf_bulk_query_job_id(const struct sf_bulk_query *q);
/* Frees the iterator (NULL is a no-op). The job stays in the org, which
 * deletes it after 7 days. */
void sf_bulk_query_close(struct sf_bulk_query *q);

#endif
