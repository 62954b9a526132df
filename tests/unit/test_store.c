/* test_store.c - the SQLite store: migrations, schema rules, transactions, workspaces, data dir, database URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "bridge/cli/cli.h"
#include "bridge/store/store.h"
#include "tmpdir.h"
#include "base/banned.h"

struct fixture {
	char tmp[PATH_MAX];  /* removed at teardown */
	char data[PATH_MAX]; /* tmp/data, not created: the store makes it */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (test_tmpdir_make(f->tmp, sizeof(f->tmp), "test_store") != 0) {
		free(f);
		return -1;
	}
	snprintf(f->data, sizeof(f->data), "%s/data", f->tmp);
	unsetenv("SFBRIDGE_WORKSPACE");
	unsetenv("SFBRIDGE_DATA");
	unsetenv("SFBRIDGE_DB");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	test_tmpdir_remove(f->tmp);
	free(f);
	return 0;
}

static struct sfb_store *open_ok(const char *dir)
{
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;

	if (sfb_store_open(dir, &s, &err) != 0)
		fail_msg("sfb_store_open('%s'): %s", dir, err.msg);
	assert_non_null(s);
	return s;
}

static long long query_int(struct sfb_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(
		sqlite3_prepare_v2(sfb_store_db(s), sql, -1, &st, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void exec_ok(struct sfb_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(sfb_store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int exec_rc(struct sfb_store *s, const char *sql)
{
	return sqlite3_exec(sfb_store_db(s), sql, NULL, NULL, NULL);
}

static void test_store__open_creates_data_dir_0700_and_db_0600(void **state)
{
	struct fixture *f = *state;
	char db[PATH_MAX + 16];
	struct sfb_store *s;
	struct stat st;

	s = open_ok(f->data);
	assert_int_equal(stat(f->data, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(db, sizeof(db), "%s/sfbridge.db", f->data);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sfb_store_close(s);
}

static void test_store__open_creates_missing_parents(void **state)
{
	struct fixture *f = *state;
	char deep[PATH_MAX + 16];
	struct sfb_store *s;
	struct stat st;

	snprintf(deep, sizeof(deep), "%s/a/b/", f->tmp);
	s = open_ok(deep);
	assert_int_equal(stat(deep, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	sfb_store_close(s);
}

static void test_store__migrations_are_applied_once_in_order(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);
	int latest = sfb_store_latest_version();

	assert_true(latest >= 1);
	assert_int_equal(sfb_store_version(s), latest);
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"),
			 latest);
	assert_int_equal(
		query_int(s, "SELECT min(version) FROM schema_migrations"), 1);
	assert_int_equal(
		query_int(s, "SELECT max(version) FROM schema_migrations"),
		latest);
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations "
				      "WHERE name = '' OR applied_ms <= 0"),
			 0);
	sfb_store_close(s);
}

static void test_store__reopen_is_idempotent_and_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);
	long long applied;

	exec_ok(s, "INSERT INTO events (workspace_id, at_ms, level, kind, "
		   "message) VALUES ('default', 1, 'info', 'test.kept', 'x')");
	applied = query_int(s, "SELECT sum(applied_ms) FROM schema_migrations");
	sfb_store_close(s);

	s = open_ok(f->data);
	assert_int_equal(sfb_store_version(s), sfb_store_latest_version());
	assert_int_equal(query_int(s, "SELECT count(*) FROM schema_migrations"),
			 sfb_store_latest_version());
	assert_int_equal(query_int(s, "SELECT sum(applied_ms) FROM "
				      "schema_migrations"),
			 applied);
	assert_int_equal(query_int(s, "SELECT count(*) FROM events WHERE "
				      "kind = 'test.kept'"),
			 1);
	sfb_store_close(s);
}

static void test_store__two_connections_at_once(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *a = open_ok(f->data);
	struct sfb_store *b = open_ok(f->data);

	exec_ok(a, "INSERT INTO events (workspace_id, at_ms, level, kind) "
		   "VALUES ('default', 1, 'info', 'test.a')");
	assert_int_equal(query_int(b, "SELECT count(*) FROM events"), 1);
	sfb_store_close(a);
	sfb_store_close(b);
}

static void test_store__newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = open_ok(f->data);
	char sql[128], want[PATH_MAX + 256];
	int latest = sfb_store_latest_version();

	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_migrations VALUES (%d, 'future', 1)",
		 latest + 1);
	exec_ok(s, sql);
	sfb_store_close(s);

	s = (struct sfb_store *)1;
	assert_int_equal(sfb_store_open(f->data, &s, &err), BASE_ERR);
	assert_null(s);
	snprintf(want, sizeof(want),
		 "open store '%s/sfbridge.db': schema version %d is newer "
		 "than this sfbridge knows (%d): run a newer sfbridge, or "
		 "restore a backup made by this one",
		 f->data, latest + 1, latest);
	assert_string_equal(err.msg, want);
}

static void test_store__connection_settings(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(sfb_store_db(s),
					    "PRAGMA journal_mode", -1, &st,
					    NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(query_int(s, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(s, "PRAGMA busy_timeout"), 5000);
	assert_int_equal(query_int(s, "PRAGMA synchronous"), 2); /* FULL */
	sfb_store_close(s);
}

static void
test_store__every_table_but_migrations_has_workspace_id(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);
	sqlite3_stmt *st = NULL;
	int tables = 0;

	assert_int_equal(
		sqlite3_prepare_v2(sfb_store_db(s),
				   "SELECT m.name, (SELECT count(*) FROM "
				   "pragma_table_info(m.name) p WHERE p.name = "
				   "'workspace_id' AND p.\"notnull\") FROM "
				   "sqlite_schema m WHERE m.type = 'table' AND "
				   "m.name NOT LIKE 'sqlite_%'",
				   -1, &st, NULL),
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		tables++;
		if (!strcmp(name, "schema_migrations"))
			continue;
		if (sqlite3_column_int(st, 1) != 1)
			fail_msg("table '%s' has no workspace_id NOT NULL",
				 name);
	}
	sqlite3_finalize(st);
	assert_true(tables >= 4); /* schema_migrations + migration 1's three */
	sfb_store_close(s);
}

static void test_store__sealed_columns_list_matches_schema(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);
	const struct sfb_store_sealed_column *col;
	sqlite3_stmt *st = NULL;
	size_t n, found = 0;

	/* Every listed column exists... */
	col = sfb_store_sealed_columns(&n);
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM pragma_table_info('%s') WHERE "
			 "name = '%s'",
			 col[i].table, col[i].column);
		if (query_int(s, sql) != 1)
			fail_msg("sealed column %s.%s is not in the schema",
				 col[i].table, col[i].column);
	}
	/* ...and every *_sealed column of the schema is listed. */
	assert_int_equal(sqlite3_prepare_v2(
				 sfb_store_db(s),
				 "SELECT m.name, p.name FROM sqlite_schema m, "
				 "pragma_table_info(m.name) p WHERE m.type = "
				 "'table' AND p.name LIKE '%\\_sealed' "
				 "ESCAPE '\\'",
				 -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		const char *c = (const char *)sqlite3_column_text(st, 1);
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(col[i].table, t) &&
			    !strcmp(col[i].column, c))
				break;
		if (i == n)
			fail_msg("%s.%s is sealed but not in sealed_columns[] "
				 "(migrations.c): key rotation would skip it",
				 t, c);
		found++;
	}
	sqlite3_finalize(st);
	assert_int_equal(found, n);
	sfb_store_close(s);
}

static void test_store__one_active_credentials_per_workspace(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);

	exec_ok(s, "INSERT INTO credentials (workspace_id, status) VALUES "
		   "('a', 'active'), ('a', 'candidate'), ('a', 'retired'), "
		   "('a', 'retired'), ('b', 'active')");
	assert_int_equal(exec_rc(s, "INSERT INTO credentials (workspace_id, "
				    "status) VALUES ('a', 'active')"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(exec_rc(s, "INSERT INTO credentials (workspace_id, "
				    "status) VALUES ('a', 'enabled')"),
			 SQLITE_CONSTRAINT);
	/* Promoting a candidate: retire the active one first. */
	exec_ok(s, "UPDATE credentials SET status = 'retired' WHERE "
		   "workspace_id = 'a' AND status = 'active'");
	exec_ok(s, "UPDATE credentials SET status = 'active' WHERE "
		   "workspace_id = 'a' AND status = 'candidate'");
	assert_int_equal(query_int(s, "SELECT count(*) FROM credentials WHERE "
				      "status = 'active'"),
			 2);
	assert_int_equal(query_int(s, "SELECT refused FROM credentials "
				      "LIMIT 1"),
			 0);
	sfb_store_close(s);
}

static void test_store__deleting_credentials_keeps_validations(void **state)
{
	struct fixture *f = *state;
	struct sfb_store *s = open_ok(f->data);

	exec_ok(s, "INSERT INTO credentials (id, workspace_id, status) VALUES "
		   "(7, 'a', 'candidate')");
	exec_ok(s, "INSERT INTO validations (workspace_id, credentials_id, "
		   "valid) VALUES ('a', 7, 0)");
	assert_int_equal(exec_rc(s, "INSERT INTO validations (workspace_id, "
				    "credentials_id) VALUES ('a', 8)"),
			 SQLITE_CONSTRAINT); /* foreign keys are on */
	exec_ok(s, "DELETE FROM credentials WHERE id = 7");
	assert_int_equal(query_int(s, "SELECT count(*) FROM validations WHERE "
				      "credentials_id IS NULL"),
			 1);
	sfb_store_close(s);
}

static void test_store__commit_keeps_and_rollback_discards(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = open_ok(f->data);

	assert_int_equal(sfb_store_begin(s, &err), 0);
	exec_ok(s, "INSERT INTO events (workspace_id, at_ms, level, kind) "
		   "VALUES ('default', 1, 'info', 'test.kept')");
	assert_int_equal(sfb_store_commit(s, &err), 0);
	assert_int_equal(sfb_store_begin(s, &err), 0);
	exec_ok(s, "INSERT INTO events (workspace_id, at_ms, level, kind) "
		   "VALUES ('default', 2, 'info', 'test.lost')");
	sfb_store_rollback(s);
	sfb_store_rollback(s); /* no transaction: a no-op */
	assert_int_equal(query_int(s, "SELECT count(*) FROM events"), 1);
	assert_int_equal(query_int(s, "SELECT count(*) FROM events WHERE "
				      "kind = 'test.kept'"),
			 1);
	sfb_store_close(s);
}

static void test_store__transactions_do_not_nest(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = open_ok(f->data);

	assert_int_equal(sfb_store_begin(s, &err), 0);
	assert_int_equal(sfb_store_begin(s, &err), BASE_ERR);
	assert_string_equal(err.msg, "begin transaction: cannot start a "
				     "transaction within a transaction");
	sfb_store_close(s); /* rolls the open one back */
}

static void test_store__data_dir_that_is_a_file_is_refused(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;
	char want[PATH_MAX + 64];
	int fd;

	fd = open(f->data, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(sfb_store_open(f->data, &s, &err), BASE_EINVAL);
	assert_null(s);
	snprintf(want, sizeof(want), "data dir '%s': not a directory", f->data);
	assert_string_equal(err.msg, want);
}

static void test_store__workspace_defaults_to_default(void **state)
{
	(void)state;
	assert_string_equal(sfb_workspace_default(), "default");
	setenv("SFBRIDGE_WORKSPACE", "", 1);
	assert_string_equal(sfb_workspace_default(), "default");
	setenv("SFBRIDGE_WORKSPACE", "acme-eu-2", 1);
	assert_string_equal(sfb_workspace_default(), "acme-eu-2");
	unsetenv("SFBRIDGE_WORKSPACE");
}

static void test_store__workspace_ids_are_validated(void **state)
{
	char longest[66];

	(void)state;
	memset(longest, 'a', 64);
	longest[64] = '\0';
	assert_true(sfb_workspace_is_valid("default"));
	assert_true(sfb_workspace_is_valid("a"));
	assert_true(sfb_workspace_is_valid("0-9-z"));
	assert_true(sfb_workspace_is_valid(longest));
	longest[64] = 'a';
	longest[65] = '\0';
	assert_false(sfb_workspace_is_valid(longest));
	assert_false(sfb_workspace_is_valid(""));
	assert_false(sfb_workspace_is_valid(NULL));
	assert_false(sfb_workspace_is_valid("Acme"));
	assert_false(sfb_workspace_is_valid("acme_eu"));
	assert_false(sfb_workspace_is_valid("acme eu"));
	assert_false(sfb_workspace_is_valid("../x"));
	assert_false(sfb_workspace_is_valid("caf\xc3\xa9"));
}

static void test_store__invalid_workspace_env_is_refused(void **state)
{
	struct base_err err = BASE_ERR_INIT;
	const char *ws = "x";

	(void)state;
	setenv("SFBRIDGE_WORKSPACE", "Acme_EU", 1);
	assert_null(sfb_workspace_default());
	assert_int_equal(sfb_workspace_get(&ws, &err), BASE_EINVAL);
	assert_null(ws);
	assert_string_equal(err.msg, "SFBRIDGE_WORKSPACE 'Acme_EU': a "
				     "workspace id is 1 to 64 characters of "
				     "a-z, 0-9 and '-'");
	unsetenv("SFBRIDGE_WORKSPACE");
}

static void test_store__data_dir_flag_then_env_then_default(void **state)
{
	(void)state;
	assert_string_equal(sfb_data_dir(NULL), "./data");
	assert_string_equal(sfb_data_dir(""), "./data");
	setenv("SFBRIDGE_DATA", "/srv/sfb", 1);
	assert_string_equal(sfb_data_dir(NULL), "/srv/sfb");
	assert_string_equal(sfb_data_dir("/flag"), "/flag");
	setenv("SFBRIDGE_DATA", "", 1);
	assert_string_equal(sfb_data_dir(NULL), "./data");
	unsetenv("SFBRIDGE_DATA");
}

/* The URL forms issue 6 names, and the file each one means. */
static void test_store__db_url_forms_name_the_file(void **state)
{
	static const char *const cases[][2] = {
		{"sqlite:rel/a.db", "rel/a.db"},
		{"sqlite:/abs/a.db", "/abs/a.db"},
		{"sqlite://rel/a.db", "rel/a.db"},
		{"sqlite:///abs/a.db", "/abs/a.db"},
		{"file:a.db", "a.db"},
		{"file:///abs/a.db", "/abs/a.db"},
		{"SQLite:a.db", "a.db"},
	};
	struct base_err err = BASE_ERR_INIT;
	const char *path;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = NULL;
		assert_int_equal(sfb_store_parse_url(cases[i][0], &path, &err),
				 0);
		assert_string_equal(path, cases[i][1]);
	}
}

static void test_store__db_url_postgres_is_refused_without_echo(void **state)
{
	static const char *const urls[] = {
		"postgres://sfb:hunter2secret@db.example/sfb",
		"postgresql://sfb:hunter2secret@db.example/sfb",
		"PostgreSQL://sfb:hunter2secret@db.example/sfb",
	};
	const char *path = "x";

	(void)state;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(sfb_store_parse_url(urls[i], &path, &err),
				 BASE_EINVAL);
		assert_null(path);
		assert_string_equal(err.msg, "PostgreSQL is not supported by "
					     "this build: use sqlite:PATH");
	}
}

static void test_store__db_url_other_forms_are_refused(void **state)
{
	static const char *const cases[][2] = {
		{"mysql://u:hunter2secret@h/db",
		 "database URL scheme 'mysql' is not supported: use "
		 "sqlite:PATH"},
		{"sqlite:", "database URL 'sqlite:' names no file: use "
			    "sqlite:PATH"},
		{"sqlite://", "database URL 'sqlite://' names no file: use "
			      "sqlite:PATH"},
		{"file:", "database URL 'file:' names no file: use "
			  "sqlite:PATH"},
		{"/var/lib/sfbridge.db", "not a database URL: use sqlite:PATH"},
		{"data/sfbridge.db", "not a database URL: use sqlite:PATH"},
		{"", "not a database URL: use sqlite:PATH"},
		{"1x:a.db", "not a database URL: use sqlite:PATH"},
	};
	const char *path = "x";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct base_err err = BASE_ERR_INIT;

		assert_int_equal(sfb_store_parse_url(cases[i][0], &path, &err),
				 BASE_EINVAL);
		assert_null(path);
		assert_string_equal(err.msg, cases[i][1]);
	}
}

static void test_store__path_is_data_dir_file_without_env(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	char path[PATH_MAX], want[PATH_MAX + 16];

	assert_int_equal(sfb_store_path(f->data, path, sizeof(path), &err), 0);
	snprintf(want, sizeof(want), "%s/sfbridge.db", f->data);
	assert_string_equal(path, want);
	setenv("SFBRIDGE_DB", "", 1); /* empty is unset */
	assert_int_equal(sfb_store_path(f->data, path, sizeof(path), &err), 0);
	assert_string_equal(path, want);	unsetenv("SFBRIDGE_DB");
}

/* A relative path can't turn into SQLite's ":memory:" or a "file:" URI. */
static void test_store__path_from_env_relative_gets_dot_slash(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	char path[PATH_MAX];

	setenv("SFBRIDGE_DB", "sqlite::memory:", 1);
	assert_int_equal(sfb_store_path(f->data, path, sizeof(path), &err), 0);
	assert_string_equal(path, "./:memory:");
	setenv("SFBRIDGE_DB", "sqlite:file:x.db", 1);
	assert_int_equal(sfb_store_path(f->data, path, sizeof(path), &err), 0);
	assert_string_equal(path, "./file:x.db");
	setenv("SFBRIDGE_DB", "sqlite:///srv/x.db", 1);
	assert_int_equal(sfb_store_path(f->data, path, sizeof(path), &err), 0);
	assert_string_equal(path, "/srv/x.db");
	unsetenv("SFBRIDGE_DB");
}

static void test_store__open_with_env_db_puts_it_there(void **state)
{
	struct fixture *f = *state;
	char url[PATH_MAX + 16], db[PATH_MAX + 16], dir[PATH_MAX + 16];
	struct sfb_store *s;
	struct stat st;
	bool exists = true;
	struct base_err err = BASE_ERR_INIT;

	snprintf(dir, sizeof(dir), "%s/elsewhere", f->tmp);
	snprintf(db, sizeof(db), "%s/store.db", dir);
	snprintf(url, sizeof(url), "sqlite://%s", db);
	setenv("SFBRIDGE_DB", url, 1);
	assert_int_equal(sfb_store_exists(f->data, &exists, &err), 0);
	assert_false(exists);
	s = open_ok(f->data);
	assert_int_equal(sfb_store_exists(f->data, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(f->data, &st), -1); /* DATA is not needed */
	sfb_store_close(s);
	unsetenv("SFBRIDGE_DB");
}

static void test_store__open_with_bad_env_db_is_refused(void **state)
{
	struct fixture *f = *state;
	struct base_err err = BASE_ERR_INIT;
	struct sfb_store *s = NULL;
	bool exists = true;

	setenv("SFBRIDGE_DB", "postgres://sfb:hunter2secret@db/sfb", 1);
	assert_int_equal(sfb_store_open(f->data, &s, &err), BASE_EINVAL);
	assert_null(s);
	assert_string_equal(err.msg, "SFBRIDGE_DB: PostgreSQL is not "
				     "supported by this build: use "
				     "sqlite:PATH");
	assert_int_equal(sfb_store_exists(f->data, &exists, &err),
			 BASE_EINVAL);
	assert_false(exists);
	unsetenv("SFBRIDGE_DB");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store__open_creates_data_dir_0700_and_db_0600),
		T(test_store__open_creates_missing_parents),
		T(test_store__migrations_are_applied_once_in_order),
		T(test_store__reopen_is_idempotent_and_keeps_data),
		T(test_store__two_connections_at_once),
		T(test_store__newer_schema_is_refused),
		T(test_store__connection_settings),
		T(test_store__every_table_but_migrations_has_workspace_id),
		T(test_store__sealed_columns_list_matches_schema),
		T(test_store__one_active_credentials_per_workspace),
		T(test_store__deleting_credentials_keeps_validations),
		T(test_store__commit_keeps_and_rollback_discards),
		T(test_store__transactions_do_not_nest),
		T(test_store__data_dir_that_is_a_file_is_refused),
		T(test_store__workspace_defaults_to_default),
		T(test_store__workspace_ids_are_validated),
		T(test_store__invalid_workspace_env_is_refused),
		T(test_store__data_dir_flag_then_env_then_default),
		T(test_store__db_url_forms_name_the_file),
		T(test_store__db_url_postgres_is_refused_without_echo),
		T(test_store__db_url_other_forms_are_refused),
		T(test_store__path_is_data_dir_file_without_env),
		T(test_store__path_from_env_relative_gets_dot_slash),
		T(test_store__open_with_env_db_puts_it_there),
		T(test_store__open_with_bad_env_db_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
