/* db.c - thin helpers over SQLite: typed binding, a statement cache, transactions. */
#include "db.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/banned.h"

static int vbind(sqlite3_stmt *st, struct base_err *err, const char *types,
		 va_list ap)
{
	int rc = SQLITE_OK;

	/* A type string that disagrees with the SQL is a programming error;
	 * NULL types means the caller binds by hand. */
	assert(!types || (int)strlen(types) == sqlite3_bind_parameter_count(st));
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
		if (rc != SQLITE_OK)
			return base_err_set(err, BASE_ERR, "bind %d: %s", i + 1,
					    sqlite3_errstr(rc));
	}
	return 0;
}

static int vprepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		    const char *sql, const char *types, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	*out = NULL;
	if (rc != SQLITE_OK)
		return base_err_set(err, BASE_ERR, "prepare: %s",
				    sqlite3_errmsg(db));
	if (vbind(st, err, types, ap) != 0) {
		sqlite3_finalize(st);
		return BASE_ERR;
	}
	*out = st;
	return 0;
}

static unsigned hash_sql(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

sqlite3_stmt *base_db_cached(sqlite3 *db, struct base_stmt_cache *c,
			    struct base_err *err, const char *sql,
			    const char *types, ...)
{
	unsigned i = hash_sql(sql) % BASE_STMT_CACHE_SLOTS;
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	/* Open addressing; a full table just stops caching new statements. */
	while (c->slot[i].sql && strcmp(c->slot[i].sql, sql) != 0)
		i = (i + 1) % BASE_STMT_CACHE_SLOTS;
	if (c->slot[i].sql) {
		st = c->slot[i].st;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else {
		if (c->n >= BASE_STMT_CACHE_SLOTS * 3 / 4) {
			base_err_set(err, BASE_ETOOBIG, "statement cache is full");
			return NULL;
		}
		if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT,
				       &st, NULL) != SQLITE_OK) {
			base_err_set(err, BASE_ERR, "prepare: %s",
				     sqlite3_errmsg(db));
			return NULL;
		}
		c->slot[i].sql = strdup(sql);
		if (!c->slot[i].sql) {
			sqlite3_finalize(st);
			base_err_set(err, BASE_ENOMEM, "statement cache");
			return NULL;
		}
		c->slot[i].st = st;
		c->n++;
	}
	va_start(ap, types);
	rc = vbind(st, err, types, ap);
	va_end(ap);
	return rc ? NULL : st;
}

void base_stmt_cache_clear(struct base_stmt_cache *c)
{
	for (int i = 0; i < BASE_STMT_CACHE_SLOTS; i++) {
		if (!c->slot[i].sql)
			continue;
		sqlite3_finalize(c->slot[i].st);
		free(c->slot[i].sql);
		c->slot[i].sql = NULL;
	}
	c->n = 0;
}

int base_db_prepare(sqlite3 *db, sqlite3_stmt **out, struct base_err *err,
		   const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vprepare(db, out, err, sql, types, ap);
	va_end(ap);
	return rc;
}

int base_db_run(sqlite3 *db, struct base_err *err, const char *sql,
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
	rc = base_db_finish(db, st, err);
	if (rc == BASE_ERR)
		base_error("sql failed: %s: %s", sql, err ? err->msg : "");
	return rc;
}

void base_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int base_db_finish(sqlite3 *db, sqlite3_stmt *st, struct base_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return base_err_set(err, rc == SQLITE_CONSTRAINT ? BASE_EINVAL
								 : BASE_ERR,
				    "store: %s", sqlite3_errmsg(db));
	return 0;
}

int base_db_exec(sqlite3 *db, const char *sql, struct base_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		base_err_set(err, BASE_ERR, "store: %s", msg ? msg : "failed");
		sqlite3_free(msg);
		return BASE_ERR;
	}
	return 0;
}

int base_db_begin(sqlite3 *db, struct base_err *err)
{
	return base_db_exec(db, "BEGIN IMMEDIATE", err);
}

int base_db_end(sqlite3 *db, int rc, struct base_err *err)
{
	if (rc == 0 && base_db_exec(db, "COMMIT", err) == 0)
		return 0;
	base_db_exec(db, "ROLLBACK", NULL);
	return rc ? rc : BASE_ERR;
}

json_t *base_db_column_list(sqlite3 *db, const char *sql, struct base_err *err)
{
	json_t *out = json_array();
	sqlite3_stmt *st;
	int rc;

	if (!out || base_db_prepare(db, &st, err, sql, NULL)) {
		json_decref(out);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(out, json_string(base_db_text(st, 0)));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		base_err_set(err, BASE_ERR, "store: %s", sqlite3_errstr(rc));
		json_decref(out);
		return NULL;
	}
	return out;
}

long long base_db_int(sqlite3 *db, long long def, const char *sql,
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

const char *base_db_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}
