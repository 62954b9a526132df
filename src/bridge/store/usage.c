/* usage.c - the API usage ledger: hourly sums of sfbridge's calls, the org's daily count as last seen. */
#include "bridge/store/usage.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

#include "base/db.h"
#include "base/banned.h"

#define HOUR_MS ((int64_t)3600 * 1000)

int sfb_usage_add(struct sqlite3 *db, const char *ws, int64_t now_ms,
		  long long logins, long long requests, long long org_used,
		  long long org_max, struct base_err *err)
{
	int64_t hour = now_ms - now_ms % HOUR_MS;
	bool seen = org_used >= 0 && org_max > 0;

	if (base_db_run(db, err,
			"DELETE FROM api_usage WHERE workspace_id = ? AND "
			"hour_ms < ?",
			"si", ws,
			(long long)(hour - (int64_t)SFB_USAGE_KEEP_DAYS * 24 *
						   HOUR_MS)) != 0)
		return BASE_ERR;
	/* The org's count is kept only when this reading is the newest. */
	return base_db_run(
		db, err,
		"INSERT INTO api_usage (workspace_id, hour_ms, logins, "
		"requests, org_used, org_max, org_seen_ms) VALUES (?, ?, ?, ?, "
		"?, ?, ?) ON CONFLICT (workspace_id, hour_ms) DO UPDATE SET "
		"logins = logins + excluded.logins, "
		"requests = requests + excluded.requests, "
		"org_used = CASE WHEN excluded.org_seen_ms >= "
		"coalesce(org_seen_ms, 0) THEN excluded.org_used ELSE org_used "
		"END, "
		"org_max = CASE WHEN excluded.org_seen_ms >= "
		"coalesce(org_seen_ms, 0) THEN excluded.org_max ELSE org_max "
		"END, "
		"org_seen_ms = max(coalesce(org_seen_ms, 0), "
		"coalesce(excluded.org_seen_ms, 0))",
		"siiiiii", ws, (long long)hour, logins, requests,
		seen ? org_used : -1LL, seen ? org_max : -1LL,
		seen ? (long long)now_ms : 0LL);
}

int sfb_usage_last_day(struct sqlite3 *db, const char *ws, int64_t now_ms,
		       struct sfb_usage_day *out, struct base_err *err)
{
	int64_t last = now_ms - now_ms % HOUR_MS;
	int64_t first = last - (SFB_USAGE_HOURS - 1) * HOUR_MS;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->org_used = out->org_max = -1;
	for (int i = 0; i < SFB_USAGE_HOURS; i++)
		out->hour_ms[i] = first + i * HOUR_MS;
	if (base_db_prepare(db, &st, err,
			    "SELECT hour_ms, logins, requests, org_used, "
			    "org_max, org_seen_ms FROM api_usage WHERE "
			    "workspace_id = ? AND hour_ms BETWEEN ? AND ? "
			    "ORDER BY hour_ms",
			    "sii", ws, (long long)first, (long long)last) != 0)
		return BASE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int i = (int)((sqlite3_column_int64(st, 0) - first) / HOUR_MS);

		if (i < 0 || i >= SFB_USAGE_HOURS)
			continue;
		out->logins[i] = sqlite3_column_int64(st, 1);
		out->requests[i] = sqlite3_column_int64(st, 2);
		out->total_logins += out->logins[i];
		out->total_requests += out->requests[i];
		if (sqlite3_column_int64(st, 4) > 0 &&
		    sqlite3_column_int64(st, 5) >= out->org_seen_ms) {
			out->org_used = sqlite3_column_int64(st, 3);
			out->org_max = sqlite3_column_int64(st, 4);
			out->org_seen_ms = sqlite3_column_int64(st, 5);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return base_err_set(err, BASE_ERR, "read API usage: %s",
				    sqlite3_errmsg(db));
	return 0;
}
