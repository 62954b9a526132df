/* store.c - sfbridge's SQLite store: open, migrate, transactions, workspaces. */
#include "bridge/store/store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/datetime.h"
#include "base/utf8.h"
#include "bridge/store/migrations.h"
#include "base/banned.h"

#define BUSY_TIMEOUT_MS 5000
#define WORKSPACE_MAX   64

struct sfb_store {
	sqlite3 *db;
	int version; /* schema version after migrations */
};

/* Runs statements without parameters (pragmas, DDL, BEGIN, COMMIT). */
static int exec(sqlite3 *db, const char *sql, struct base_err *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	return 0;
}

/* Column 0 of the first row of `sql` as an integer; 0 when NULL or no row. */
static int query_int(sqlite3 *db, const char *sql, long long *out,
		     struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		rc = base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : BASE_ERR;
}

int sfb_store_make_dir(const char *data_dir, struct base_err *err)
{
	char path[PATH_MAX];
	size_t n = strlen(data_dir);
	struct stat st;

	if (n == 0)
		return base_err_set(err, BASE_EINVAL, "data dir: empty path");
	if (n >= sizeof(path))
		return base_err_set(err, BASE_ETOOBIG,
				    "data dir: path too long");
	memcpy(path, data_dir, n + 1);
	/* mkdir -p, every directory it creates 0700. */
	for (char *p = path + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return base_err_set_errno(err, BASE_ERR,
						  "create data dir '%s'", path);
		*p = c;
		if (!c)
			break;
	}
	if (stat(data_dir, &st) != 0)
		return base_err_set_errno(err, BASE_ERR, "data dir '%s'",
					  data_dir);
	if (!S_ISDIR(st.st_mode))
		return base_err_set(err, BASE_EINVAL,
				    "data dir '%s': not a directory", data_dir);
	return 0;
}

int sfb_store_latest_version(void)
{
	size_t n;
	const struct sfb_migration *m = sfb_store_migrations(&n);

	return n ? m[n - 1].version : 0;
}

static int refuse_newer(long long have, struct base_err *err)
{
	return base_err_set(err, BASE_ERR,
			    "schema version %lld is newer than this sfbridge "
			    "knows (%d): run a newer sfbridge, or restore a "
			    "backup made by this one",
			    have, sfb_store_latest_version());
}

/* Applies one migration in its own transaction, unless another process has. */
static int apply(struct sfb_store *s, const struct sfb_migration *m,
		 struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	long long have;
	int rc;

	rc = exec(s->db, "BEGIN IMMEDIATE", err);
	if (rc < 0)
		return rc;
	/* Re-read under the write lock: another sfbridge may have migrated. */
	rc = query_int(s->db, "SELECT max(version) FROM schema_migrations",
		       &have, err);
	if (rc < 0)
		goto out;
	if (have > sfb_store_latest_version()) {
		rc = refuse_newer(have, err);
		goto out;
	}
	if (have >= m->version)
		goto out; /* rc == 0: already applied */
	rc = exec(s->db, m->sql, err);
	if (rc < 0)
		goto out;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO schema_migrations (version, name, "
			       "applied_ms) VALUES (?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int(st, 1, m->version) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, base_time_now_ms()) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		rc = base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(s->db));
		goto out;
	}
	rc = exec(s->db, "COMMIT", err);
out:
	sqlite3_finalize(st);
	if (rc < 0)
		base_err_wrap(err, "migration %d (%s)", m->version, m->name);
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int migrate(struct sfb_store *s, struct base_err *err)
{
	size_t n;
	const struct sfb_migration *m = sfb_store_migrations(&n);
	long long have;
	int rc;

	/* Global to the deployment, so the one table without workspace_id. */
	rc = exec(s->db,
		  "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
		  "  version INTEGER PRIMARY KEY,\n"
		  "  name TEXT NOT NULL,\n"
		  "  applied_ms INTEGER NOT NULL\n"
		  ")",
		  err);
	if (rc < 0)
		return rc;
	rc = query_int(s->db, "SELECT max(version) FROM schema_migrations",
		       &have, err);
	if (rc < 0)
		return rc;
	if (have > sfb_store_latest_version())
		return refuse_newer(have, err);
	for (size_t i = 0; i < n; i++) {
		assert(m[i].version == (int)i + 1); /* 1..n, no gaps */
		if (m[i].version <= have)
			continue;
		rc = apply(s, &m[i], err);
		if (rc < 0)
			return rc;
	}
	rc = query_int(s->db, "SELECT max(version) FROM schema_migrations",
		       &have, err);
	s->version = (int)have;
	return rc;
}

/* PRAGMA journal_mode answers with the mode it ended up in. */
static int use_wal(sqlite3 *db, struct base_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = BASE_ERR;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) !=
	    SQLITE_OK)
		return base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = base_err_set(err, BASE_ERR, "%s", sqlite3_errmsg(db));
	else if (sqlite3_stricmp((const char *)sqlite3_column_text(st, 0),
				 "wal") != 0)
		rc = base_err_set(err, BASE_ERR,
				  "journal mode is '%s', not 'wal' (the file "
				  "system may not support shared memory)",
				  (const char *)sqlite3_column_text(st, 0));
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* Whether url's scheme (before the first ':') is `name`, ignoring case. */
static bool has_scheme(const char *url, size_t n, const char *name)
{
	return n == strlen(name) && strncasecmp(url, name, n) == 0;
}

int sfb_store_parse_url(const char *url, const char **path_out,
			struct base_err *err)
{
	/* RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
			       "TUVWXYZ0123456789+-.");
	const char *p = url + n + 1;

	*path_out = NULL;
	if (n == 0 || url[n] != ':' || !((url[0] | 0x20) >= 'a' &&
					 (url[0] | 0x20) <= 'z'))
		return base_err_set(err, BASE_EINVAL,
				    "not a database URL: use sqlite:PATH");
	if (has_scheme(url, n, "postgres") || has_scheme(url, n, "postgresql"))
		return base_err_set(err, BASE_EINVAL,
				    "PostgreSQL is not supported by this "
				    "build: use sqlite:PATH");
	if (!has_scheme(url, n, "sqlite") && !has_scheme(url, n, "file"))
		return base_err_set(err, BASE_EINVAL,
				    "database URL scheme '%.*s' is not "
				    "supported: use sqlite:PATH",
				    n > 32 ? 32 : (int)n, url);
	if (p[0] == '/' && p[1] == '/')
		p += 2;
	if (!*p)
		return base_err_set(err, BASE_EINVAL,
				    "database URL '%.*s' names no file: use "
				    "sqlite:PATH",
				    (int)(p - url), url);
	*path_out = p;
	return 0;
}

int sfb_store_path(const char *data_dir, char *out, size_t size,
		   struct base_err *err)
{
	const char *url = getenv(SFB_STORE_DB_ENV);
	const char *path;
	int n;

	if (url && *url) {
		if (sfb_store_parse_url(url, &path, err) < 0)
			return base_err_wrap(err, SFB_STORE_DB_ENV);
		n = snprintf(out, size, "%s%s", path[0] == '/' ? "" : "./",
			     path);
	} else {
		if (!*data_dir)
			return base_err_set(err, BASE_EINVAL,
					    "data dir: empty path");
		n = snprintf(out, size, "%s/%s", data_dir, SFB_STORE_FILE);
	}
	if (n < 0 || (size_t)n >= size)
		return base_err_set(err, BASE_ETOOBIG, "store path: too long");
	return 0;
}

int sfb_store_exists(const char *data_dir, bool *out, struct base_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = sfb_store_path(data_dir, path, sizeof(path), err);

	*out = rc == 0 && lstat(path, &st) == 0;
	return rc;
}

/* Creates the directory holding the database file `path` (it has a '/'). */
static int make_parent_dir(const char *path, struct base_err *err)
{
	char dir[PATH_MAX];
	size_t n = (size_t)(strrchr(path, '/') - path);

	if (n == 0)
		n = 1; /* "/file": the root */
	memcpy(dir, path, n);
	dir[n] = '\0';
	return sfb_store_make_dir(dir, err);
}

int sfb_store_open(const char *data_dir, struct sfb_store **out,
		   struct base_err *err)
{
	char p[PATH_MAX];
	struct sfb_store *s = NULL;
	int rc, fd;

	*out = NULL;
	rc = sfb_store_path(data_dir, p, sizeof(p), err);
	if (rc == 0)
		rc = make_parent_dir(p, err);
	if (rc < 0)
		goto out;
	/*
	 * Create the file ourselves so that it is 0600 from the start (SQLite
	 * would use 0644 less the umask); its -wal and -shm files copy its
	 * mode. An empty file is a new database to SQLite. Only when it is
	 * new: closing any descriptor of an open database drops every POSIX
	 * lock this process holds on it, and another process (the CLI, the
	 * sqlite3 shell) would then checkpoint and remove the WAL under the
	 * connections still open here ("disk I/O error").
	 */
	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno != EEXIST) {
		rc = base_err_set_errno(err, BASE_ERR, "open store '%s'", p);
		goto out;
	}
	if (fd >= 0)
		close(fd);
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = base_err_set(err, BASE_ENOMEM, "open store '%s'", p);
		goto out;
	}
	if (sqlite3_open_v2(p, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
			    NULL) != SQLITE_OK) {
		rc = base_err_set(err, BASE_ERR, "open store '%s': %s", p,
				  sqlite3_errmsg(s->db));
		goto out;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	rc = use_wal(s->db, err);
	if (rc == 0)
		rc = exec(s->db,
			  "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
			  err);
	if (rc == 0)
		rc = migrate(s, err);
	if (rc < 0) {
		base_err_wrap(err, "open store '%s'", p);
		goto out;
	}
	*out = s;
	s = NULL;
out:
	sfb_store_close(s);
	return rc;
}

void sfb_store_close(struct sfb_store *s)
{
	if (!s)
		return;
	sfb_store_rollback(s);
	sqlite3_close_v2(s->db);
	free(s);
}

struct sqlite3 *sfb_store_db(struct sfb_store *s)
{
	return s->db;
}

int sfb_store_begin(struct sfb_store *s, struct base_err *err)
{
	int rc = exec(s->db, "BEGIN IMMEDIATE", err);

	return rc < 0 ? base_err_wrap(err, "begin transaction") : 0;
}

int sfb_store_commit(struct sfb_store *s, struct base_err *err)
{
	int rc = exec(s->db, "COMMIT", err);

	return rc < 0 ? base_err_wrap(err, "commit") : 0;
}

void sfb_store_rollback(struct sfb_store *s)
{
	if (s && s->db && !sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int sfb_store_version(struct sfb_store *s)
{
	return s->version;
}

bool sfb_workspace_is_valid(const char *ws)
{
	size_t n;

	if (!ws)
		return false;
	for (n = 0; ws[n]; n++) {
		char c = ws[n];

		if (n >= WORKSPACE_MAX || !((c >= 'a' && c <= 'z') ||
					    (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return n > 0;
}

int sfb_workspace_get(const char **out, struct base_err *err)
{
	const char *ws = getenv("SFBRIDGE_WORKSPACE");
	char shown[WORKSPACE_MAX + 1];

	*out = NULL;
	if (!ws || !*ws)
		ws = "default";
	if (!sfb_workspace_is_valid(ws)) {
		/* Echo it (cut, valid UTF-8) so the operator sees the typo. */
		snprintf(shown, sizeof(shown), "%s", ws);
		base_utf8_sanitize(shown);
		return base_err_set(
			err, BASE_EINVAL,
			"SFBRIDGE_WORKSPACE '%s': a workspace id is "
			"1 to 64 characters of a-z, 0-9 and '-'",
			shown);
	}
	*out = ws;
	return 0;
}

const char *sfb_workspace_default(void)
{
	const char *ws;

	return sfb_workspace_get(&ws, NULL) == 0 ? ws : NULL;
}
