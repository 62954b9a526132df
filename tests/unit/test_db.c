/* test_db.c - SQLite helpers: binding letters, write error codes, reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <string.h>

#include "base/db.h"
#include "base/banned.h"

/* An in-memory database with one table: a unique name, a count, a flag. */
static int setup(void **state)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	if (base_db_exec(db,
			 "CREATE TABLE t (name TEXT UNIQUE, n INTEGER, "
			 "flag INTEGER, note TEXT NOT NULL DEFAULT '')",
			 NULL) != 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

static void test_db__s_binds_text_and_null(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_db_run(db, &err,
				     "INSERT INTO t (name) VALUES (?)", "s",
				     "alpha"),
			 0);
	assert_int_equal(base_db_run(db, &err,
				     "INSERT INTO t (name) VALUES (?)", "s",
				     (const char *)NULL),
			 0);
	assert_int_equal(base_db_int(db, -1,
				     "SELECT count(*) FROM t WHERE "
				     "name = ?",
				     "s", "alpha"),
			 1);
	assert_int_equal(base_db_int(db, -1,
				     "SELECT count(*) FROM t WHERE "
				     "name IS NULL",
				     NULL),
			 1);
}

static void test_db__i_binds_a_64_bit_integer(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;
	long long big = 1795947300000LL; /* milliseconds: more than 32 bits */

	assert_int_equal(base_db_run(db, &err,
				     "INSERT INTO t (name, n) VALUES (?, ?)",
				     "si", "a", big),
			 0);
	assert_true(base_db_int(db, -1, "SELECT n FROM t WHERE name = ?", "s",
				"a") == big);
	assert_true(base_db_int(db, -1, "SELECT name FROM t WHERE n = ?", "i",
				big - 1) == -1); /* no row: the default */
}

static void test_db__b_stores_zero_or_one(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(
		base_db_run(db, &err,
			    "INSERT INTO t (name, flag) VALUES (?, ?)", "sb",
			    "yes", 7),
		0);
	assert_int_equal(
		base_db_run(db, &err,
			    "INSERT INTO t (name, flag) VALUES (?, ?)", "sb",
			    "no", 0),
		0);
	assert_int_equal(base_db_int(db, -1,
				     "SELECT flag FROM t WHERE name = ?", "s",
				     "yes"),
			 1);
	assert_int_equal(base_db_int(db, -1,
				     "SELECT flag FROM t WHERE name = ?", "s",
				     "no"),
			 0);
}

static void test_db__prepare_binds_in_order(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;
	sqlite3_stmt *st = NULL;

	assert_int_equal(base_db_prepare(db, &st, &err, "SELECT ?, ?, ?, ?",
					 "sibs", "x", 42LL, 1,
					 (const char *)NULL),
			 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(base_db_text(st, 0), "x");
	assert_true(sqlite3_column_int64(st, 1) == 42);
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
	assert_string_equal(base_db_text(st, 3), ""); /* NULL reads as "" */
	sqlite3_finalize(st);
}

static void test_db__run_reports_constraint_as_einval(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_db_run(db, &err,
				     "INSERT INTO t (name) VALUES (?)", "s",
				     "dup"),
			 0);
	assert_int_equal(base_db_run(db, &err,
				     "INSERT INTO t (name) VALUES (?)", "s",
				     "dup"),
			 BASE_EINVAL);
	assert_int_equal(err.code, BASE_EINVAL);
	assert_string_equal(err.msg, "store: UNIQUE constraint failed: t.name");
}

static void test_db__run_reports_other_failures_as_err(void **state)
{
	sqlite3 *db = *state;
	struct base_err err = BASE_ERR_INIT;

	assert_int_equal(base_db_run(db, &err, "INSERT INTO nope VALUES (?)",
				     "s", "x"),
			 BASE_ERR);
	assert_int_equal(err.code, BASE_ERR);
	assert_string_equal(err.msg, "prepare: no such table: nope");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_db__s_binds_text_and_null,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_db__i_binds_a_64_bit_integer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__b_stores_zero_or_one,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__prepare_binds_in_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_db__run_reports_constraint_as_einval, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_db__run_reports_other_failures_as_err, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
