/* db.h - thin helpers over SQLite: typed binding, a statement cache, transactions. */
#ifndef BASE_DB_H
#define BASE_DB_H

#include <jansson.h>
#include <sqlite3.h>

#include "base/err.h"

/*
 * `types` describes the variadic arguments, one letter each:
 *   s  const char *   (NULL binds NULL)
 *   i  long long
 *   b  int, stored as 0/1
 * NULL `types` binds nothing: the caller binds with sqlite3_bind_*().
 * Statements are logged by their SQL text only, never with bound values.
 */

/* Prepares and binds; caller finalizes *out. */
int base_db_prepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		   const char *sql, const char *types, ...);
/*
 * Prepares, binds and steps once, then finalizes: a write. A constraint
 * violation is BASE_EINVAL (a caller can tell a second active row or an
 * admin that exists from a failing store), any other failure BASE_ERR and
 * logged with the SQL text (never the values); err says "store: <sqlite
 * message>" either way.
 */
int base_db_run(sqlite3 *db, struct base_err *err, const char *sql,
	       const char *types, ...);
/* Binds text at index i (copied: SQLITE_TRANSIENT); NULL binds NULL. */
void base_db_bind_text(sqlite3_stmt *st, int i, const char *s);
/*
 * Steps a prepared statement once and finalizes it: for writes, and for
 * statements prepared with NULL types and bound by hand. A constraint
 * violation is BASE_EINVAL, any other failure BASE_ERR.
 */
int base_db_finish(sqlite3 *db, sqlite3_stmt *st, struct base_err *err);
/* Runs a batch of statements with no parameters (schema, BEGIN, COMMIT). */
int base_db_exec(sqlite3 *db, const char *sql, struct base_err *err);
/*
 * A write transaction for a change made of several statements: begin takes
 * the write lock at once (BEGIN IMMEDIATE); end commits when rc is 0, else
 * (or when COMMIT fails) rolls back, and returns rc, or BASE_ERR when only
 * the COMMIT failed. So: base_db_end(db, base_db_begin(db, err) || ..., err).
 */
int base_db_begin(sqlite3 *db, struct base_err *err);
int base_db_end(sqlite3 *db, int rc, struct base_err *err);
/* Column 0 of every row of `sql` (no parameters) as a JSON array of
 * strings; caller owns it. NULL on failure (err set; err may be NULL). */
json_t *base_db_column_list(sqlite3 *db, const char *sql, struct base_err *err);
/* Runs a query and returns column 0 of its first row as an integer (def when no row). */
long long base_db_int(sqlite3 *db, long long def, const char *sql,
		     const char *types, ...);
/*
 * Prepared statements kept for reuse, keyed by SQL text: the hot paths
 * (record writes, logins) would otherwise spend a third of their time
 * compiling SQL. One thread at a time (the org lock).
 */
#define BASE_STMT_CACHE_SLOTS 512
struct base_stmt_cache {
	struct {
		char *sql;
		sqlite3_stmt *st;
	} slot[BASE_STMT_CACHE_SLOTS];
	int n;
};

/* A reset statement for `sql`, bound from the variadic arguments as in
 * base_db_prepare. Borrowed: don't finalize; it stays valid until
 * base_stmt_cache_clear. NULL on failure (err set). */
sqlite3_stmt *base_db_cached(sqlite3 *db, struct base_stmt_cache *c,
			    struct base_err *err, const char *sql,
			    const char *types, ...);
void base_stmt_cache_clear(struct base_stmt_cache *c);

/* Column i as text, "" for NULL; borrowed until the next step. */
const char *base_db_text(sqlite3_stmt *st, int i);

#endif
