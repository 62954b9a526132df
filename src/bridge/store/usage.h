/* usage.h - the API usage ledger: what sfbridge spent of the org's allowance, per hour, and the org's daily count as last seen. */
#ifndef SFB_USAGE_H
#define SFB_USAGE_H

#include <stdint.h>

#include "base/err.h"

struct sqlite3;

/*
 * Table api_usage (migration 3): one row per workspace and UTC hour.
 * Whatever calls Salesforce (a validation, later the syncs) adds its
 * logins and API requests to the hour it ran in, with the org's own
 * count of API requests in the last 24 hours (used/max, from
 * Sforce-Limit-Info) when the replies carried it. Rows older than
 * SFB_USAGE_KEEP_DAYS are deleted as new ones are written.
 */
#define SFB_USAGE_KEEP_DAYS 30
#define SFB_USAGE_HOURS 24

/* org_used / org_max < 0: not seen in this run. */
int sfb_usage_add(struct sqlite3 *db, const char *ws, int64_t now_ms,
		  long long logins, long long requests, long long org_used,
		  long long org_max, struct base_err *err);

/* The last 24 hours, oldest hour first; the last one is the current hour. */
struct sfb_usage_day {
	int64_t hour_ms[SFB_USAGE_HOURS]; /* start of each UTC hour */
	long long logins[SFB_USAGE_HOURS];
	long long requests[SFB_USAGE_HOURS];
	long long total_logins, total_requests;
	/* The org's count as last seen in the window; -1 when none was. */
	long long org_used, org_max;
	int64_t org_seen_ms;
};

int sfb_usage_last_day(struct sqlite3 *db, const char *ws, int64_t now_ms,
		       struct sfb_usage_day *out, struct base_err *err);

#endif
