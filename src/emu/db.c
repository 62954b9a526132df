/* db.c - thin helpers over SQLite for sfemu's org store. */
#include "db.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "base/log.h"
#include "base/banned.h"

static int vprepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		    const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*out = NULL;
	if (rc != SQLITE_OK)
		return base_err_set(err, BASE_ERR, "prepare: %s",
				    sqlite3_errmsg(db));
	/* A type string that disagrees with the SQL is a programming error. */
	assert((int)(types ? strlen(types) : 0) ==
	       sqlite3_bind_parameter_count(st));
	for (int i = 0; types && types[i]; i++) {
		const char *s;

		switch (types[i]) {
		case 's':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i + 1, s, -1,
						   SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
			break;
		case 'b':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int) != 0);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st);
			return base_err_set(err, BASE_ERR, "bind %d: %s", i + 1,
					    sqlite3_errstr(rc));
		}
	}
	*out = st;
	return 0;
}

int emu_db_prepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		   const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vprepare(db, out, err, sql, types, ap);
	va_end(ap);
	return rc;
}

int emu_db_run(sqlite3 *db, struct base_err *err, const char *sql,
	       const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vprepare(db, &st, err, sql, types, ap);
	va_end(ap);
	if (rc)
		return rc;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		base_error("sql failed: %s: %s", sql, sqlite3_errmsg(db));
		return base_err_set(err, BASE_ERR, "store: %s",
				    sqlite3_errmsg(db));
	}
	return 0;
}

int emu_db_exec(sqlite3 *db, const char *sql, struct base_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		base_err_set(err, BASE_ERR, "store: %s", msg ? msg : "failed");
		sqlite3_free(msg);
		return BASE_ERR;
	}
	return 0;
}

long long emu_db_int(sqlite3 *db, long long def, const char *sql,
		     const char *types, ...)
{
	sqlite3_stmt *st;
	long long v = def;
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vprepare(db, &st, NULL, sql, types, ap);
	va_end(ap);
	if (rc)
		return def;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

const char *emu_db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}
