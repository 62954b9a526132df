/* db.h - thin helpers over SQLite for sfemu's org store. */
#ifndef EMU_DB_H
#define EMU_DB_H

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
int emu_db_prepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		   const char *sql, const char *types, ...);
/* Runs a statement that returns no rows. */
int emu_db_run(sqlite3 *db, struct base_err *err, const char *sql,
	       const char *types, ...);
/* Runs a batch of statements with no parameters (schema, BEGIN, COMMIT). */
int emu_db_exec(sqlite3 *db, const char *sql, struct base_err *err);
/*
 * A write transaction for a change made of several statements: begin takes
 * the write lock at once (BEGIN IMMEDIATE); end commits when rc is 0, else
 * (or when COMMIT fails) rolls back, and returns rc, or BASE_ERR when only
 * the COMMIT failed. So: emu_db_end(db, emu_db_begin(db, err) || ..., err).
 */
int emu_db_begin(sqlite3 *db, struct base_err *err);
int emu_db_end(sqlite3 *db, int rc, struct base_err *err);
/* Column 0 of every row of `sql` (no parameters) as a JSON array of
 * strings; caller owns it. NULL on failure (err set; err may be NULL). */
json_t *emu_db_column_list(sqlite3 *db, const char *sql, struct base_err *err);
/* Runs a query and returns column 0 of its first row as an integer (def when no row). */
long long emu_db_int(sqlite3 *db, long long def, const char *sql,
		     const char *types, ...);
/*
 * Prepared statements kept for reuse, keyed by SQL text: the hot paths
 * (record writes, logins) would otherwise spend a third of their time
 * compiling SQL. One thread at a time (the org lock).
 */
#define EMU_STMT_CACHE_SLOTS 512
struct emu_stmt_cache {
	struct {
		char *sql;
		sqlite3_stmt *st;
	} slot[EMU_STMT_CACHE_SLOTS];
	int n;
};

/* A reset statement for `sql`, bound from the variadic arguments as in
 * emu_db_prepare. Borrowed: don't finalize; it stays valid until
 * emu_stmt_cache_clear. NULL on failure (err set). */
sqlite3_stmt *emu_db_cached(sqlite3 *db, struct emu_stmt_cache *c,
			    struct base_err *err, const char *sql,
			    const char *types, ...);
void emu_stmt_cache_clear(struct emu_stmt_cache *c);

/* Column i as text, "" for NULL; borrowed until the next step. */
const char *emu_db_text(sqlite3_stmt *st, int i);

#endif
