/* test_soql.c - SOQL: parse errors, plans, and the SQL run against SQLite. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/err.h"
#include "emu/schema.h"
#include "emu/sfid.h"
#include "emu/soql.h"
#include "base/banned.h"

/* 2026-01-31T12:00:00Z: a Saturday; 04:00 that morning in Los Angeles. */
#define NOW_MS 1769860800000LL
#define LA     "America/Los_Angeles"

#define NO_COLUMN_TAIL                                                        \
	"If you are attempting to use a custom field, be sure to append the " \
	"'__c' after the custom field name. Please reference your WSDL or "   \
	"the describe call for the appropriate names."

/*
 * One schema (standard objects plus Account.Regions__c, a multi-select
 * picklist) and an in-memory database laid out as the record layer lays
 * it out, with a few rows (see fill()).
 */
struct fx {
	struct emu_schema *s;
	sqlite3 *db;
	char acc[8][EMU_SFID_LEN + 1]; /* Account ids, by row number */
	char usr[2][EMU_SFID_LEN + 1];
	char con[3][EMU_SFID_LEN + 1];
};

static const char *sql_type(enum emu_ftype t)
{
	switch (t) {
	case EMU_FT_BOOLEAN:
	case EMU_FT_INT:
		return "INTEGER";
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT:
		return "REAL";
	default:
		return "TEXT";
	}
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void create_table(struct fx *f, const char *name)
{
	const struct emu_sobject *o = emu_schema_object(f->s, name);
	struct base_buf b = BASE_BUF_INIT(1 << 20);

	assert_non_null(o);
	base_buf_printf(&b, "CREATE TABLE \"%s\" (", o->name);
	for (int i = 0; i < o->nfields; i++)
		base_buf_printf(&b, "%s\"%s\" %s", i ? ", " : "",
				o->fields[i].name, sql_type(o->fields[i].type));
	base_buf_puts(&b, ")");
	assert_int_equal(base_buf_err(&b), 0);
	exec(f->db, base_buf_str(&b));
	base_buf_release(&b);
}

/* INSERT INTO table (cols) VALUES (...); values "" bind NULL, "#n" an integer,
 * "~x" a real. */
static void insert(struct fx *f, const char *table, const char *cols, int n,
		   ...)
{
	char sql[1024];
	sqlite3_stmt *st;
	va_list ap;
	int qs = snprintf(sql, sizeof(sql), "INSERT INTO \"%s\" (%s) VALUES (",
			  table, cols);

	for (int i = 0; i < n; i++)
		qs += snprintf(sql + qs, sizeof(sql) - (size_t)qs, "%s?",
			       i ? ", " : "");
	snprintf(sql + qs, sizeof(sql) - (size_t)qs, ")");
	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	va_start(ap, n);
	for (int i = 1; i <= n; i++) {
		const char *v = va_arg(ap, const char *);

		if (!v)
			sqlite3_bind_null(st, i);
		else if (v[0] == '#')
			sqlite3_bind_int64(st, i, strtoll(v + 1, NULL, 10));
		else if (v[0] == '~')
			sqlite3_bind_double(st, i, strtod(v + 1, NULL));
		else
			sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/*
 * Accounts (Name, Industry, AnnualRevenue, Regions__c, Owner, CreatedDate):
 *  0 Acme          Banking  100  East;West  Una  2026-01-31T07:59:59 (LA: Jan
 * 30) 1 acme corp     null      50  West       Dos  2026-01-31T08:00:00 (LA:
 * Jan 31 00:00) 2 Globex_1%     Energy  null  null       Una
 * 2026-02-01T07:59:59.999 (LA: Jan 31) 3 GlobexZ1abc   BANKING   75  North;East
 * Una  2026-02-01T08:00:00 (LA: Feb 1) 4 Deleted Co    Banking   10  East Una
 * 2026-01-31T09:00:00, IsDeleted 5 x' OR 1=1 --  Energy    20  null       Una
 * 2025-12-15T00:00:00 Users: 0 Una, 1 Dos. Contacts (LastName, Account,
 * Birthdate): 0 Smith Acme 2026-01-26; 1 Jones none 2026-01-25; 2 Brown acme
 * corp 2026-01-31
 */
static void fill(struct fx *f)
{
	static const char *const acc[][7] = {
		{"Acme", "Banking", "~100", "East;West", "0",
		 "2026-01-31T07:59:59.000+0000", "#0"},
		{"acme corp", NULL, "~50", "West", "1",
		 "2026-01-31T08:00:00.000+0000", "#0"},
		{"Globex_1%", "Energy", NULL, NULL, "0",
		 "2026-02-01T07:59:59.999+0000", "#0"},
		{"GlobexZ1abc", "BANKING", "~75", "North;East", "0",
		 "2026-02-01T08:00:00.000+0000", "#0"},
		{"Deleted Co", "Banking", "~10", "East", "0",
		 "2026-01-31T09:00:00.000+0000", "#1"},
		{"x' OR 1=1 --", "Energy", "~20", NULL, "0",
		 "2025-12-15T00:00:00.000+0000", "#0"},
	};
	static const char *const con[][3] = {
		{"Smith", "0", "2026-01-26"},
		{"Jones", NULL, "2026-01-25"},
		{"Brown", "1", "2026-01-31"},
	};

	emu_sfid_make("005", "xx", 1, f->usr[0]);
	emu_sfid_make("005", "xx", 2, f->usr[1]);
	insert(f, "User", "Id, IsDeleted, Name, Email", 4, f->usr[0], "#0",
	       "Una", "una@example.com");
	insert(f, "User", "Id, IsDeleted, Name, Email", 4, f->usr[1], "#0",
	       "Dos", "dos@example.com");
	for (int i = 0; i < 6; i++) {
		emu_sfid_make("001", "xx", (uint64_t)(i + 1), f->acc[i]);
		insert(f, "Account",
		       "Id, Name, Industry, AnnualRevenue, Regions__c, OwnerId,"
		       " CreatedDate, IsDeleted",
		       8, f->acc[i], acc[i][0], acc[i][1], acc[i][2], acc[i][3],
		       f->usr[acc[i][4][0] - '0'], acc[i][5], acc[i][6]);
	}
	for (int i = 0; i < 3; i++) {
		emu_sfid_make("003", "xx", (uint64_t)(i + 1), f->con[i]);
		insert(f, "Contact",
		       "Id, LastName, AccountId, Birthdate, IsDeleted", 5,
		       f->con[i], con[i][0],
		       con[i][1] ? f->acc[con[i][1][0] - '0'] : NULL, con[i][2],
		       "#0");
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct base_err err = BASE_ERR_INIT;
	json_t *custom = json_loads(
		"{\"Account\":[{\"name\":\"Regions__c\",\"type\":"
		"\"MultiselectPicklist\",\"values\":[\"East\",\"West\","
		"\"North\"]}]}",
		0, NULL);

	assert_non_null(f);
	assert_non_null(custom);
	assert_int_equal(emu_schema_build(NULL, custom, &f->s, &err), 0);
	json_decref(custom);
	assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
	create_table(f, "Account");
	create_table(f, "Contact");
	create_table(f, "User");
	fill(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sqlite3_close(f->db);
	emu_schema_free(f->s);
	free(f);
	return 0;
}

static const struct emu_soql_opts la_opts = {.now_ms = NOW_MS, .time_zone = LA};

/* Parses and compiles text, which must succeed; caller frees the plan. */
static struct emu_soql_plan *plan_of(struct fx *f, const char *text,
				     const struct emu_soql_opts *o)
{
	struct emu_soql *q = NULL;
	struct emu_soql_plan *p = NULL;
	struct emu_soql_error e;

	if (emu_soql_parse(text, &q, &e) != 0)
		fail_msg("parse %s: %s %s", text, e.code, e.message);
	if (emu_soql_compile(q, f->s, o ? o : &la_opts, &p, &e) != 0)
		fail_msg("compile %s: %s %s", text, e.code, e.message);
	emu_soql_free(q);
	return p;
}

static void bind_all(sqlite3_stmt *st, const struct emu_soql_plan *p)
{
	assert_int_equal(sqlite3_bind_parameter_count(st), p->nparams);
	for (int i = 0; i < p->nparams; i++) {
		const struct emu_soql_param *pa = &p->params[i];
		int rc = SQLITE_OK;

		switch (pa->type) {
		case EMU_SOQL_P_TEXT:
			rc = sqlite3_bind_text(st, i + 1, pa->text, -1,
					       SQLITE_STATIC);
			break;
		case EMU_SOQL_P_INT:
			rc = sqlite3_bind_int64(st, i + 1, pa->i);
			break;
		case EMU_SOQL_P_REAL:
			rc = sqlite3_bind_double(st, i + 1, pa->d);
			break;
		case EMU_SOQL_P_NULL:
			rc = sqlite3_bind_null(st, i + 1);
			break;
		}
		assert_int_equal(rc, SQLITE_OK);
	}
}

static sqlite3_stmt *prepare(struct fx *f, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(f->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("prepare %s: %s", sql, sqlite3_errmsg(f->db));
	return st;
}

/*
 * Runs the plan; returns its rows as "a|b,c|d" (columns 0..ncols-1, null
 * as "null", reals as %g), and checks count_sql counts the same rows.
 * Caller frees.
 */
static char *rows_of(struct fx *f, const struct emu_soql_plan *p)
{
	struct base_buf b = BASE_BUF_INIT(1 << 20);
	sqlite3_stmt *st = prepare(f, p->sql);
	int n = 0, rc;

	bind_all(st, p);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n++)
			base_buf_putc(&b, ',');
		for (int c = 0; c < p->ncols; c++) {
			if (c)
				base_buf_putc(&b, '|');
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL:
				base_buf_puts(&b, "null");
				break;
			case SQLITE_FLOAT:
				base_buf_printf(&b, "%g",
						sqlite3_column_double(st, c));
				break;
			default:
				base_buf_puts(&b,
					      (const char *)sqlite3_column_text(
						      st, c));
			}
		}
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	if (!p->count_only) {
		st = prepare(f, p->count_sql);
		bind_all(st, p);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), n);
		sqlite3_finalize(st);
	}
	assert_int_equal(base_buf_err(&b), 0);
	return base_buf_detach(&b, NULL);
}

/* Compiles and runs text; the rows must be exactly want. */
static void check_rows_opts(struct fx *f, const char *text,
			    const struct emu_soql_opts *o, const char *want)
{
	struct emu_soql_plan *p = plan_of(f, text, o);
	char *got = rows_of(f, p);

	if (strcmp(got, want) != 0)
		fail_msg("%s\n  sql:  %s\n  got:  %s\n  want: %s", text, p->sql,
			 got, want);
	free(got);
	emu_soql_plan_free(p);
}

static void check_rows(struct fx *f, const char *text, const char *want)
{
	check_rows_opts(f, text, NULL, want);
}

/* text must fail to parse with code and exactly message. */
static void check_parse_error(const char *text, const char *code,
			      const char *message)
{
	struct emu_soql *q = (struct emu_soql *)1;
	struct emu_soql_error e;

	assert_int_equal(emu_soql_parse(text, &q, &e), BASE_EINVAL);
	assert_null(q);
	assert_string_equal(e.code, code);
	assert_string_equal(e.message, message);
}

/* text must parse, then fail to compile with code and exactly message. */
static void check_compile_error_opts(struct fx *f, const char *text,
				     const struct emu_soql_opts *o,
				     const char *code, const char *message)
{
	struct emu_soql *q = NULL;
	struct emu_soql_plan *p = (struct emu_soql_plan *)1;
	struct emu_soql_error e;

	if (emu_soql_parse(text, &q, &e) != 0)
		fail_msg("parse %s: %s %s", text, e.code, e.message);
	assert_int_equal(emu_soql_compile(q, f->s, o ? o : &la_opts, &p, &e),
			 BASE_EINVAL);
	assert_null(p);
	assert_string_equal(e.code, code);
	assert_string_equal(e.message, message);
	emu_soql_free(q);
}

static void check_compile_error(struct fx *f, const char *text,
				const char *code, const char *message)
{
	check_compile_error_opts(f, text, NULL, code, message);
}

/* ---- parse errors ---- */

static void test_soql__parse_refuses_empty_query(void **state)
{
	(void)state;
	check_parse_error("", "MALFORMED_QUERY",
			  "SOQL statements cannot be empty or null");
	check_parse_error(" \n\t ", "MALFORMED_QUERY",
			  "SOQL statements cannot be empty or null");
}

static void test_soql__parse_refuses_null_text(void **state)
{
	struct emu_soql *q = (struct emu_soql *)1;
	struct emu_soql_error e;

	(void)state;
	assert_int_equal(emu_soql_parse(NULL, &q, &e), BASE_EINVAL);
	assert_null(q);
	assert_string_equal(e.code, "MALFORMED_QUERY");
}

/* "SELECT Id FROM Account WHERE Name = '<pad>'" of exactly n characters. */
static char *query_of_length(size_t n)
{
	const char *head = "SELECT Id FROM Account WHERE Name = '";
	size_t h = strlen(head);
	char *s = malloc(n + 1);

	assert_non_null(s);
	assert_true(n > h + 1);
	memcpy(s, head, h);
	memset(s + h, 'x', n - h - 1);
	s[n - 1] = '\'';
	s[n] = '\0';
	return s;
}

static void test_soql__parse_refuses_100001_characters(void **state)
{
	char *s = query_of_length(EMU_SOQL_MAX_LEN + 1);

	(void)state;
	check_parse_error(s, "MALFORMED_QUERY",
			  "SOQL statements can not be longer than 100000 "
			  "characters.");
	free(s);
}

static void test_soql__parse_accepts_100000_characters(void **state)
{
	char *s = query_of_length(EMU_SOQL_MAX_LEN);
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	(void)state;
	assert_int_equal(emu_soql_parse(s, &q, &e), 0);
	assert_non_null(q);
	emu_soql_free(q);
	free(s);
}

static void test_soql__parse_counts_length_in_characters(void **state)
{
	/* 60,000 two-byte characters: 120,000 bytes but 60,000 characters. */
	const char *head = "SELECT Id FROM Account WHERE Name = '";
	size_t h = strlen(head), n = h + 120000 + 1;
	char *s = malloc(n + 1);
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	(void)state;
	assert_non_null(s);
	memcpy(s, head, h);
	for (size_t i = 0; i < 60000; i++)
		memcpy(s + h + 2 * i, "\xc3\xa9", 2);
	s[n - 1] = '\'';
	s[n] = '\0';
	assert_int_equal(emu_soql_parse(s, &q, &e), 0);
	emu_soql_free(q);
	free(s);
}

static void test_soql__parse_reports_unexpected_eof(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account WHERE", "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account WHERE\n"
			  "                            ^\n"
			  "ERROR at Row:1:Column:29\n"
			  "unexpected token: <EOF>");
}

static void test_soql__parse_reports_unexpected_token(void **state)
{
	(void)state;
	check_parse_error("SELECT ,    FROM Account", "MALFORMED_QUERY",
			  "\nSELECT ,    FROM Account\n"
			  "       ^\n"
			  "ERROR at Row:1:Column:8\n"
			  "unexpected token: ','");
}

static void test_soql__parse_error_echoes_only_the_line_at_fault(void **state)
{
	(void)state;
	check_parse_error("SELECT Id,\r\n  Name\r\nFROM Account LIMIT ten",
			  "MALFORMED_QUERY",
			  "\nFROM Account LIMIT ten\n"
			  "                   ^\n"
			  "ERROR at Row:3:Column:20\n"
			  "unexpected token: 'ten'");
}

static void test_soql__parse_counts_columns_in_characters(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account WHERE Name = 'é' ANDD x",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account WHERE Name = 'é' ANDD x\n"
			  "                                        ^\n"
			  "ERROR at Row:1:Column:41\n"
			  "unexpected token: 'ANDD'");
}

/* A line too long for the message is cut around the column. */
static void
test_soql__parse_error_on_long_line_keeps_caret_aligned(void **state)
{
	char *s = query_of_length(3000), *q2 = malloc(3010), tail[64];
	struct emu_soql *q = NULL;
	struct emu_soql_error e;
	const char *line, *caret, *err;

	(void)state;
	assert_non_null(q2);
	snprintf(q2, 3010, "%s AND", s);
	assert_int_equal(emu_soql_parse(q2, &q, &e), BASE_EINVAL);
	snprintf(tail, sizeof(tail),
		 "^\nERROR at Row:1:Column:3005\nunexpected token: <EOF>");
	assert_true(strlen(e.message) < sizeof(e.message) - 1);
	line = e.message + 1;
	caret = strchr(line, '\n') + 1;
	err = strchr(caret, '^');
	assert_string_equal(err, tail);
	/* The caret sits one past the end of the echoed (cut) line. */
	assert_int_equal(err - caret, caret - 1 - line);
	assert_true(caret - 1 - line < 3004);
	assert_memory_equal(caret - 5, " AND\n", 5);
	free(q2);
	free(s);
}

static void test_soql__parse_needs_parentheses_to_mix_and_or(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Contact WHERE AccountId = null AND "
			  "LastName LIKE 'test' OR Email LIKE 'test'",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Contact WHERE AccountId = null AND "
			  "LastName LIKE 'test' OR Email LIKE 'test'\n"
			  "                                                   "
			  "                    ^\n"
			  "ERROR at Row:1:Column:72\n"
			  "unexpected token: 'OR'");
}

static void
test_soql__parse_needs_parentheses_around_not_after_and(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account WHERE Name <> NULL AND NOT "
			  "(AnnualRevenue > 0)",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account WHERE Name <> NULL AND NOT "
			  "(AnnualRevenue > 0)\n"
			  "                                              ^\n"
			  "ERROR at Row:1:Column:47\n"
			  "unexpected token: 'NOT'");
}

static void test_soql__parse_refuses_unknown_escape(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account WHERE Name = 'a\\qb'",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account WHERE Name = 'a\\qb'\n"
			  "                                    ^\n"
			  "ERROR at Row:1:Column:37\n"
			  "Invalid string literal 'a\\qb'. Illegal character "
			  "sequence '\\q' in string literal.");
}

static void test_soql__parse_refuses_unterminated_string(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account WHERE Name = 'abc",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account WHERE Name = 'abc\n"
			  "                                    ^\n"
			  "ERROR at Row:1:Column:37\n"
			  "unexpected token: ''abc'");
}

static void test_soql__parse_refuses_offset_over_2000(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account LIMIT 5 OFFSET 2001",
			  "NUMBER_OUTSIDE_VALID_RANGE",
			  "Maximum SOQL offset allowed is 2000");
}

static void test_soql__parse_accepts_offset_2000(void **state)
{
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	(void)state;
	assert_int_equal(
		emu_soql_parse("SELECT Id FROM Account OFFSET 2000", &q, &e),
		0);
	emu_soql_free(q);
}

/* "SELECT Id FROM Account WHERE " + n '(' + "Name = 'a'" + n ')'. */
static char *nested(int n)
{
	struct base_buf b = BASE_BUF_INIT(1 << 16);

	base_buf_puts(&b, "SELECT Id FROM Account WHERE ");
	for (int i = 0; i < n; i++)
		base_buf_putc(&b, '(');
	base_buf_puts(&b, "Name = 'a'");
	for (int i = 0; i < n; i++)
		base_buf_putc(&b, ')');
	assert_int_equal(base_buf_err(&b), 0);
	return base_buf_detach(&b, NULL);
}

static void test_soql__parse_bounds_nesting_depth(void **state)
{
	char *ok = nested(EMU_SOQL_MAX_DEPTH - 1),
	     *deep = nested(EMU_SOQL_MAX_DEPTH);
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	(void)state;
	assert_int_equal(emu_soql_parse(ok, &q, &e), 0);
	emu_soql_free(q);
	assert_int_equal(emu_soql_parse(deep, &q, &e), BASE_EINVAL);
	assert_string_equal(e.code, "MALFORMED_QUERY");
	assert_non_null(strstr(e.message, "\nsfemu allows at most 50 levels of "
					  "nested conditions"));
	free(ok);
	free(deep);
}

static void test_soql__parse_bounds_in_list_size(void **state)
{
	struct base_buf b = BASE_BUF_INIT(1 << 20);
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	(void)state;
	base_buf_puts(&b, "SELECT Id FROM Account WHERE Name IN ('0'");
	for (int i = 1; i <= EMU_SOQL_MAX_IN; i++)
		base_buf_printf(&b, ",'%d'", i);
	base_buf_puts(&b, ")");
	assert_int_equal(emu_soql_parse(base_buf_str(&b), &q, &e), BASE_EINVAL);
	assert_non_null(strstr(e.message,
			       "\nsfemu allows at most 4000 values in a list"));
	base_buf_release(&b);
}

static void test_soql__parse_names_unsupported_subqueries(void **state)
{
	(void)state;
	check_parse_error(
		"SELECT Id, (SELECT Id FROM Contacts) FROM Account",
		"MALFORMED_QUERY",
		"\nSELECT Id, (SELECT Id FROM Contacts) FROM Account\n"
		"           ^\n"
		"ERROR at Row:1:Column:12\n"
		"sfemu does not support child relationship subqueries");
}

static void test_soql__parse_refuses_trailing_tokens(void **state)
{
	(void)state;
	check_parse_error("SELECT Id FROM Account; DROP TABLE Account",
			  "MALFORMED_QUERY",
			  "\nSELECT Id FROM Account; DROP TABLE Account\n"
			  "                      ^\n"
			  "ERROR at Row:1:Column:23\n"
			  "unexpected token: ';'");
}

/* Every prefix of a rich query fails cleanly or parses; none crashes. */
static void test_soql__parse_survives_every_truncation(void **state)
{
	const char *full =
		"SELECT Id, Account.Owner.Name, COUNT(Id) c FROM Contact a "
		"WHERE "
		"(Name LIKE 'a\\_b%' OR Birthdate = LAST_N_DAYS:5) AND NOT "
		"(Id IN ('x', null)) AND CreatedDate > "
		"2026-01-31T10:00:00+02:00 "
		"GROUP BY Account.Owner.Name HAVING COUNT(Id) > 1 ORDER BY "
		"Name DESC NULLS LAST LIMIT 10 OFFSET 2";
	size_t n = strlen(full);
	char *buf = malloc(n + 1);

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i <= n; i++) {
		struct emu_soql *q = NULL;
		struct emu_soql_error e;
		int rc;

		memcpy(buf, full, i);
		buf[i] = '\0';
		rc = emu_soql_parse(buf, &q, &e);
		if (rc == 0) {
			assert_non_null(q);
			emu_soql_free(q);
		} else {
			assert_int_equal(rc, BASE_EINVAL);
			assert_null(q);
			assert_true(e.code[0] != '\0');
			assert_true(e.message[0] != '\0');
		}
	}
	free(buf);
}

/* ---- compile errors ---- */

static void test_soql__compile_reports_unknown_field(void **state)
{
	check_compile_error(
		*state, "SELECT Idd FROM Account", "INVALID_FIELD",
		"\nSELECT Idd FROM Account\n"
		"       ^\n"
		"ERROR at Row:1:Column:8\n"
		"No such column 'Idd' on entity 'Account'. " NO_COLUMN_TAIL);
}

static void test_soql__compile_reports_unknown_field_of_parent(void **state)
{
	check_compile_error(
		*state, "SELECT Id\nFROM Contact\nWHERE Account.Nme = 'x'",
		"INVALID_FIELD",
		"\nWHERE Account.Nme = 'x'\n"
		"      ^\n"
		"ERROR at Row:3:Column:7\n"
		"No such column 'Nme' on entity 'Account'. " NO_COLUMN_TAIL);
}

static void test_soql__compile_reports_unknown_relationship(void **state)
{
	check_compile_error(
		*state, "SELECT Acount.Name FROM Contact", "INVALID_FIELD",
		"\nSELECT Acount.Name FROM Contact\n"
		"       ^\n"
		"ERROR at Row:1:Column:8\n"
		"Didn't understand relationship 'Acount' in field path. If you "
		"are attempting to use a custom relationship, be sure to "
		"append "
		"the '__r' after the custom relationship name. Please "
		"reference "
		"your WSDL or the describe call for the appropriate names.");
}

static void test_soql__compile_reports_unknown_object(void **state)
{
	check_compile_error(
		*state, "SELECT Id FROM Acount", "INVALID_TYPE",
		"\nSELECT Id FROM Acount\n"
		"               ^\n"
		"ERROR at Row:1:Column:16\n"
		"sObject type 'Acount' is not supported. If you are attempting "
		"to use a custom object, be sure to append the '__c' after the "
		"entity name. Please reference your WSDL or the describe call "
		"for the appropriate names.");
}

static bool hide_industry_and_account(void *ctx, const char *object,
				      const char *field)
{
	(void)ctx;
	return !(strcmp(object, "Account") == 0 &&
		 strcmp(field, "Industry") == 0) &&
	       !(strcmp(object, "Contact") == 0 &&
		 strcmp(field, "AccountId") == 0);
}

static void test_soql__compile_hidden_field_reads_as_missing(void **state)
{
	struct emu_soql_opts o = la_opts;

	o.field_visible = hide_industry_and_account;
	check_compile_error_opts(
		*state, "SELECT Name FROM Account WHERE industry = 'x'", &o,
		"INVALID_FIELD",
		"\nSELECT Name FROM Account WHERE industry = 'x'\n"
		"                               ^\n"
		"ERROR at Row:1:Column:32\n"
		"No such column 'industry' on entity "
		"'Account'. " NO_COLUMN_TAIL);
}

static void test_soql__compile_hidden_lookup_hides_relationship(void **state)
{
	struct emu_soql_opts o = la_opts;
	struct emu_soql *q = NULL;
	struct emu_soql_plan *p = NULL;
	struct emu_soql_error e;
	struct fx *f = *state;

	o.field_visible = hide_industry_and_account;
	assert_int_equal(
		emu_soql_parse("SELECT Account.Name FROM Contact", &q, &e), 0);
	assert_int_equal(emu_soql_compile(q, f->s, &o, &p, &e), BASE_EINVAL);
	assert_string_equal(e.code, "INVALID_FIELD");
	assert_non_null(strstr(e.message, "\nDidn't understand relationship "
					  "'Account' in field path."));
	emu_soql_free(q);
}

static void
test_soql__compile_hidden_field_is_left_out_of_fields_all(void **state)
{
	struct emu_soql_opts o = la_opts;
	struct emu_soql_plan *p;

	o.field_visible = hide_industry_and_account;
	p = plan_of(*state, "SELECT FIELDS(ALL) FROM Account LIMIT 200", &o);
	for (int i = 0; i < p->ncols; i++)
		assert_string_not_equal(p->cols[i].name, "Industry");
	emu_soql_plan_free(p);
}

static void test_soql__compile_refuses_quoted_date(void **state)
{
	check_compile_error(
		*state,
		"SELECT Id FROM Opportunity WHERE CloseDate = "
		"'2026-01-31'",
		"INVALID_FIELD",
		"\nSELECT Id FROM Opportunity WHERE CloseDate = "
		"'2026-01-31'\n"
		"                                             ^\n"
		"ERROR at Row:1:Column:46\n"
		"value of filter criterion for field 'CloseDate' "
		"must be of type date and should not be enclosed in "
		"quotes");
}

static void test_soql__compile_refuses_string_for_boolean(void **state)
{
	check_compile_error(
		*state, "SELECT Id FROM Account WHERE IsDeleted = 'abc'",
		"INVALID_FIELD",
		"\nSELECT Id FROM Account WHERE IsDeleted = 'abc'\n"
		"                                         ^\n"
		"ERROR at Row:1:Column:42\n"
		"value of filter criterion for field 'IsDeleted' "
		"must be of type boolean and should not be enclosed "
		"in quotes");
}

static void test_soql__compile_refuses_number_for_string(void **state)
{
	check_compile_error(
		*state, "SELECT Id FROM Account WHERE Name = 5",
		"INVALID_FIELD",
		"\nSELECT Id FROM Account WHERE Name = 5\n"
		"                                    ^\n"
		"ERROR at Row:1:Column:37\n"
		"value of filter criterion for field 'Name' must be "
		"of type string and should be enclosed in quotes");
}

static void
test_soql__compile_refuses_date_literal_for_datetime_field_format(void **state)
{
	check_compile_error(
		*state,
		"SELECT Id FROM Account WHERE CreatedDate > "
		"2026-01-31",
		"INVALID_FIELD",
		"\nSELECT Id FROM Account WHERE CreatedDate > "
		"2026-01-31\n"
		"                                           ^\n"
		"ERROR at Row:1:Column:44\n"
		"value of filter criterion for field 'CreatedDate' "
		"must be of type datetime and should not be enclosed "
		"in quotes");
}

static void test_soql__compile_fields_all_needs_limit(void **state)
{
	check_compile_error(*state, "SELECT FIELDS(ALL) FROM Account",
			    "MALFORMED_QUERY",
			    "\nSELECT FIELDS(ALL) FROM Account\n"
			    "       ^\n"
			    "ERROR at Row:1:Column:8\n"
			    "The SOQL FIELDS function must have a LIMIT of at "
			    "most 200");
}

static void test_soql__compile_fields_custom_refuses_limit_201(void **state)
{
	check_compile_error(*state,
			    "SELECT FIELDS(CUSTOM) FROM Account LIMIT 201",
			    "MALFORMED_QUERY",
			    "\nSELECT FIELDS(CUSTOM) FROM Account LIMIT 201\n"
			    "       ^\n"
			    "ERROR at Row:1:Column:8\n"
			    "The SOQL FIELDS function must have a LIMIT of at "
			    "most 200");
}

static void test_soql__compile_fields_standard_needs_no_limit(void **state)
{
	struct emu_soql_plan *p =
		plan_of(*state, "SELECT FIELDS(STANDARD) FROM Account", NULL);
	const struct emu_sobject *o =
		emu_schema_object(((struct fx *)*state)->s, "Account");

	/* Every field but the one custom field, in describe order. */
	assert_int_equal(p->ncols, o->nfields - 1);
	assert_string_equal(p->cols[0].name, "Id");
	for (int i = 0; i < p->ncols; i++)
		assert_false(p->cols[i].field->custom);
	emu_soql_plan_free(p);
}

static void test_soql__compile_fields_custom_selects_custom_fields(void **state)
{
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT FIELDS(CUSTOM) FROM Account LIMIT 200", NULL);

	assert_int_equal(p->ncols, 1);
	assert_string_equal(p->cols[0].name, "Regions__c");
	emu_soql_plan_free(p);
}

static void test_soql__compile_refuses_duplicate_field(void **state)
{
	check_compile_error(*state,
			    "SELECT Id, FIELDS(ALL) FROM Account LIMIT 200",
			    "INVALID_FIELD", "duplicate field selected: Id");
}

static void test_soql__compile_refuses_ungrouped_field(void **state)
{
	check_compile_error(*state,
			    "SELECT Name, COUNT(Id) FROM Account GROUP BY "
			    "Industry",
			    "MALFORMED_QUERY",
			    "\nSELECT Name, COUNT(Id) FROM Account GROUP BY "
			    "Industry\n"
			    "       ^\n"
			    "ERROR at Row:1:Column:8\n"
			    "Field must be grouped or aggregated: Name");
}

static void test_soql__compile_refuses_filter_on_long_text(void **state)
{
	check_compile_error(
		*state, "SELECT Id FROM Account WHERE Description = 'x'",
		"INVALID_FIELD",
		"\nSELECT Id FROM Account WHERE Description = 'x'\n"
		"                             ^\n"
		"ERROR at Row:1:Column:30\n"
		"field 'Description' can not be filtered in a query "
		"call");
}

static void test_soql__compile_refuses_sort_on_multipicklist(void **state)
{
	check_compile_error(*state,
			    "SELECT Id FROM Account ORDER BY Regions__c",
			    "INVALID_FIELD",
			    "\nSELECT Id FROM Account ORDER BY Regions__c\n"
			    "                                ^\n"
			    "ERROR at Row:1:Column:33\n"
			    "field 'Regions__c' can not be sorted in a query "
			    "call");
}

static void test_soql__compile_refuses_four_relationship_levels(void **state)
{
	check_compile_error(
		*state,
		"SELECT Account.Owner.Profile.CreatedBy.Name FROM "
		"Contact",
		"MALFORMED_QUERY",
		"\nSELECT Account.Owner.Profile.CreatedBy.Name FROM "
		"Contact\n"
		"       ^\n"
		"ERROR at Row:1:Column:8\n"
		"sfemu supports at most 3 relationship levels in a "
		"field path");
}

static void test_soql__compile_refuses_includes_on_picklist(void **state)
{
	check_compile_error(*state,
			    "SELECT Id FROM Account WHERE Industry INCLUDES "
			    "('Banking')",
			    "INVALID_QUERY_FILTER_OPERATOR",
			    "\nSELECT Id FROM Account WHERE Industry INCLUDES "
			    "('Banking')\n"
			    "                                      ^\n"
			    "ERROR at Row:1:Column:39\n"
			    "includes or excludes operator only valid on "
			    "multipicklist field");
}

static void test_soql__compile_refuses_malformed_id(void **state)
{
	check_compile_error(*state, "SELECT Id FROM Account WHERE Id = 'abc'",
			    "INVALID_QUERY_FILTER_OPERATOR",
			    "\nSELECT Id FROM Account WHERE Id = 'abc'\n"
			    "                                  ^\n"
			    "ERROR at Row:1:Column:35\n"
			    "invalid ID field: abc");
}

static void test_soql__compile_refuses_alias_outside_aggregates(void **state)
{
	check_compile_error(*state, "SELECT Name n FROM Account",
			    "MALFORMED_QUERY",
			    "\nSELECT Name n FROM Account\n"
			    "            ^\n"
			    "ERROR at Row:1:Column:13\n"
			    "unexpected token: 'n'");
}

/* ---- the plan ---- */

static void
test_soql__plan_resolves_relationships_in_canonical_case(void **state)
{
	struct fx *f = *state;
	struct emu_soql_plan *p = plan_of(
		f, "select account.owner.NAME, lastname from CONTACT", NULL);

	assert_ptr_equal(p->object, emu_schema_object(f->s, "Contact"));
	assert_int_equal(p->ncols, 2);
	assert_string_equal(p->cols[0].name, "Name");
	assert_int_equal(p->cols[0].depth, 3);
	assert_string_equal(p->cols[0].path[0], "Account");
	assert_string_equal(p->cols[0].path[1], "Owner");
	assert_string_equal(p->cols[0].path[2], "Name");
	assert_string_equal(p->cols[0].objs[0]->name, "Contact");
	assert_string_equal(p->cols[0].objs[1]->name, "Account");
	assert_string_equal(p->cols[0].objs[2]->name, "User");
	assert_string_equal(p->cols[0].field->name, "Name");
	assert_false(p->cols[0].aggregate);
	assert_string_equal(p->cols[1].name, "LastName");
	assert_int_equal(p->cols[1].depth, 1);
	/* Then the Ids: the Contact's, the Account's, the Owner's. */
	assert_int_equal(p->id_col, 2);
	assert_int_equal(p->nrels, 2);
	assert_int_equal(p->rels[0].depth, 1);
	assert_string_equal(p->rels[0].path[0], "Account");
	assert_string_equal(p->rels[0].object->name, "Account");
	assert_int_equal(p->rels[0].id_col, 3);
	assert_int_equal(p->rels[1].depth, 2);
	assert_string_equal(p->rels[1].path[1], "Owner");
	assert_int_equal(p->rels[1].id_col, 4);
	assert_false(p->aggregate);
	assert_false(p->count_only);
	assert_int_equal(p->limit, -1);
	assert_int_equal(p->offset, 0);
	emu_soql_plan_free(p);
}

static void test_soql__plan_names_unaliased_aggregates_expr_n(void **state)
{
	struct emu_soql_plan *p =
		plan_of(*state,
			"SELECT Industry, COUNT(Id), MAX(AnnualRevenue) top, "
			"MIN(AnnualRevenue) FROM Account GROUP BY Industry",
			NULL);

	assert_true(p->aggregate);
	assert_int_equal(p->ncols, 4);
	assert_string_equal(p->cols[0].name, "Industry");
	assert_true(p->cols[0].aggregate);
	assert_null(p->cols[0].agg_fn);
	assert_string_equal(p->cols[1].name, "expr0");
	assert_string_equal(p->cols[1].agg_fn, "COUNT");
	assert_string_equal(p->cols[2].name, "top");
	assert_string_equal(p->cols[2].agg_fn, "MAX");
	assert_string_equal(p->cols[3].name, "expr1");
	assert_int_equal(p->id_col, -1);
	assert_int_equal(p->nrels, 0);
	emu_soql_plan_free(p);
}

static void test_soql__plan_marks_count_only(void **state)
{
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT COUNT() FROM Account LIMIT 3 OFFSET 1", NULL);

	assert_true(p->count_only);
	assert_false(p->aggregate);
	assert_int_equal(p->ncols, 1);
	assert_null(p->cols[0].field);
	assert_int_equal(p->limit, 3);
	assert_int_equal(p->offset, 1);
	emu_soql_plan_free(p);
}

/* No literal of the query reaches the SQL text: all are parameters. */
static void test_soql__plan_binds_every_literal(void **state)
{
	struct emu_soql_plan *p =
		plan_of(*state,
			"SELECT Id FROM Account WHERE Name = 'needle' AND "
			"AnnualRevenue "
			"> 12345 AND Industry IN ('haystack') LIMIT 777",
			NULL);

	assert_null(strstr(p->sql, "needle"));
	assert_null(strstr(p->sql, "12345"));
	assert_null(strstr(p->sql, "haystack"));
	assert_null(strstr(p->sql, "777"));
	assert_int_equal(p->nparams, 4);
	assert_string_equal(p->params[0].text, "needle");
	assert_int_equal(p->params[1].type, EMU_SOQL_P_INT);
	assert_int_equal(p->params[1].i, 12345);
	assert_int_equal(p->params[3].i, 777);
	emu_soql_plan_free(p);
}

static void test_soql__plan_today_follows_time_zone(void **state)
{
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT Id FROM Account WHERE CreatedDate = TODAY",
		NULL);

	/* Midnight in Los Angeles in January is 08:00 UTC. */
	assert_string_equal(p->params[0].text, "2026-01-31T08:00:00.000+0000");
	assert_string_equal(p->params[1].text, "2026-02-01T08:00:00.000+0000");
	emu_soql_plan_free(p);
}

static void test_soql__plan_today_follows_daylight_saving(void **state)
{
	/* 2026-07-15T03:00Z is still July 14 in Los Angeles (PDT, UTC-7). */
	struct emu_soql_opts o = {.now_ms = 1784084400000LL, .time_zone = LA};
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT Id FROM Account WHERE CreatedDate = TODAY", &o);

	assert_string_equal(p->params[0].text, "2026-07-14T07:00:00.000+0000");
	assert_string_equal(p->params[1].text, "2026-07-15T07:00:00.000+0000");
	emu_soql_plan_free(p);
}

static void test_soql__plan_today_in_southern_summer(void **state)
{
	/* Sydney is UTC+11 in January: 2026-01-31T12:00Z is Jan 31, 23:00. */
	struct emu_soql_opts o = {.now_ms = NOW_MS,
				  .time_zone = "Australia/Sydney"};
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT Id FROM Account WHERE CreatedDate = TODAY", &o);

	assert_string_equal(p->params[0].text, "2026-01-30T13:00:00.000+0000");
	assert_string_equal(p->params[1].text, "2026-01-31T13:00:00.000+0000");
	emu_soql_plan_free(p);
}

static void test_soql__plan_unknown_time_zone_is_utc(void **state)
{
	struct emu_soql_opts o = {.now_ms = NOW_MS,
				  .time_zone = "../etc/passwd"};
	struct emu_soql_plan *p = plan_of(
		*state, "SELECT Id FROM Account WHERE CreatedDate = TODAY", &o);

	assert_string_equal(p->params[0].text, "2026-01-31T00:00:00.000+0000");
	emu_soql_plan_free(p);
}

static void test_soql__plan_date_literal_ranges(void **state)
{
	static const struct {
		const char *lit, *from, *to;
	} cases[] = {
		{"YESTERDAY", "2026-01-30", "2026-01-31"},
		{"TOMORROW", "2026-02-01", "2026-02-02"},
		{"THIS_WEEK", "2026-01-25", "2026-02-01"},
		{"LAST_WEEK", "2026-01-18", "2026-01-25"},
		{"NEXT_WEEK", "2026-02-01", "2026-02-08"},
		{"THIS_MONTH", "2026-01-01", "2026-02-01"},
		{"LAST_MONTH", "2025-12-01", "2026-01-01"},
		{"NEXT_MONTH", "2026-02-01", "2026-03-01"},
		{"LAST_90_DAYS", "2025-11-02", "2026-02-01"},
		{"NEXT_90_DAYS", "2026-02-01", "2026-05-02"},
		{"THIS_YEAR", "2026-01-01", "2027-01-01"},
		{"LAST_YEAR", "2025-01-01", "2026-01-01"},
		{"NEXT_YEAR", "2027-01-01", "2028-01-01"},
		{"THIS_QUARTER", "2026-01-01", "2026-04-01"},
		{"LAST_QUARTER", "2025-10-01", "2026-01-01"},
		{"LAST_N_DAYS:1", "2026-01-30", "2026-02-01"},
		{"NEXT_N_DAYS:3", "2026-02-01", "2026-02-04"},
		{"N_DAYS_AGO:2", "2026-01-29", "2026-01-30"},
		{"LAST_N_MONTHS:2", "2025-11-01", "2026-01-01"},
		{"NEXT_N_WEEKS:1", "2026-02-01", "2026-02-08"},
	};
	char soql[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct emu_soql_plan *p;

		snprintf(soql, sizeof(soql),
			 "SELECT Id FROM Contact WHERE Birthdate = %s",
			 cases[i].lit);
		p = plan_of(*state, soql, NULL);
		assert_int_equal(p->nparams, 2);
		if (strcmp(p->params[0].text, cases[i].from) ||
		    strcmp(p->params[1].text, cases[i].to))
			fail_msg("%s: [%s, %s) want [%s, %s)", cases[i].lit,
				 p->params[0].text, p->params[1].text,
				 cases[i].from, cases[i].to);
		emu_soql_plan_free(p);
	}
}

/* ---- semantics, run against SQLite ---- */

static void test_soql__run_equality_ignores_case(void **state)
{
	check_rows(*state, "SELECT Name FROM Account WHERE Name = 'ACME'",
		   "Acme");
}

static void test_soql__run_not_equal_matches_null(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Industry != 'banking' "
		   "ORDER BY Name",
		   "acme corp,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_null_comparisons(void **state)
{
	check_rows(*state, "SELECT Name FROM Account WHERE Industry = null",
		   "acme corp");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE AnnualRevenue <> null "
		   "ORDER BY Name",
		   "Acme,acme corp,GlobexZ1abc,x' OR 1=1 --");
}

static void test_soql__run_not_matches_null(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE NOT (Industry = 'Banking') "
		   "ORDER BY Name",
		   "acme corp,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_like_ignores_case(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Name LIKE 'ACME%' ORDER BY "
		   "Name",
		   "Acme,acme corp");
}

static void test_soql__run_like_wildcards(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Name LIKE 'Globex_1%' "
		   "ORDER BY Name",
		   "GlobexZ1abc,Globex_1%");
}

static void test_soql__run_like_escapes_wildcards(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Name LIKE 'Globex\\_1\\%'",
		   "Globex_1%");
}

static void test_soql__run_in_ignores_case(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Industry IN ('banking', "
		   "'nothing') ORDER BY Name",
		   "Acme,GlobexZ1abc");
}

static void test_soql__run_not_in_matches_null(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Industry NOT IN ('Banking') "
		   "ORDER BY Name",
		   "acme corp,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_in_with_null(void **state)
{
	check_rows(
		*state,
		"SELECT Name FROM Account WHERE Industry IN ('Energy', null) "
		"ORDER BY Name",
		"acme corp,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_includes_any_value(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Regions__c INCLUDES "
		   "('east', 'Nowhere') ORDER BY Name",
		   "Acme,GlobexZ1abc");
}

static void test_soql__run_includes_semicolon_means_all(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE Regions__c INCLUDES "
		   "('East;West')",
		   "Acme");
}

static void test_soql__run_excludes(void **state)
{
	check_rows(
		*state,
		"SELECT Name FROM Account WHERE Regions__c EXCLUDES ('East') "
		"ORDER BY Name",
		"acme corp,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_booleans_and_deleted_rows(void **state)
{
	struct emu_soql_opts all = la_opts;

	check_rows(*state, "SELECT Name FROM Account WHERE IsDeleted = true",
		   "");
	all.include_deleted = true;
	check_rows_opts(*state,
			"SELECT Name FROM Account WHERE IsDeleted = true", &all,
			"Deleted Co");
}

static void test_soql__run_query_all_includes_deleted(void **state)
{
	struct emu_soql_opts all = la_opts;

	all.include_deleted = true;
	check_rows_opts(*state, "SELECT COUNT(Id) FROM Account", &all, "6");
	check_rows(*state, "SELECT COUNT(Id) FROM Account", "5");
}

static void test_soql__run_numbers(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE AnnualRevenue >= 50.5 ORDER "
		   "BY AnnualRevenue",
		   "GlobexZ1abc,Acme");
	check_rows(*state, "SELECT Name FROM Account WHERE AnnualRevenue < -1",
		   "");
}

static void test_soql__run_id_equality(void **state)
{
	struct fx *f = *state;
	char soql[128], id15[16];

	memcpy(id15, f->acc[3], 15);
	id15[15] = '\0';
	snprintf(soql, sizeof(soql), "SELECT Name FROM Account WHERE Id = '%s'",
		 id15);
	check_rows(f, soql, "GlobexZ1abc");
}

static void test_soql__run_today_on_datetime_is_half_open(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate = TODAY ORDER "
		   "BY Name",
		   "acme corp,Globex_1%");
}

static void test_soql__run_date_literal_sides(void **state)
{
	check_rows(
		*state,
		"SELECT Name FROM Account WHERE CreatedDate < TODAY ORDER BY "
		"Name",
		"Acme,x' OR 1=1 --");
	check_rows(*state, "SELECT Name FROM Account WHERE CreatedDate > TODAY",
		   "GlobexZ1abc");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate <= YESTERDAY "
		   "ORDER BY Name",
		   "Acme,x' OR 1=1 --");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate >= TOMORROW",
		   "GlobexZ1abc");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate != TODAY ORDER "
		   "BY Name",
		   "Acme,GlobexZ1abc,x' OR 1=1 --");
}

static void test_soql__run_date_literals_on_date_field(void **state)
{
	check_rows(
		*state,
		"SELECT LastName FROM Contact WHERE Birthdate = LAST_N_DAYS:5 "
		"ORDER BY LastName",
		"Brown,Smith");
	check_rows(*state,
		   "SELECT LastName FROM Contact WHERE Birthdate = THIS_WEEK "
		   "ORDER BY LastName",
		   "Brown,Jones,Smith");
	check_rows(*state,
		   "SELECT LastName FROM Contact WHERE Birthdate IN (TODAY, "
		   "N_DAYS_AGO:6) ORDER BY LastName",
		   "Brown,Jones");
}

static void test_soql__run_date_and_datetime_values(void **state)
{
	check_rows(*state,
		   "SELECT LastName FROM Contact WHERE Birthdate > 2026-01-25 "
		   "ORDER BY Birthdate",
		   "Smith,Brown");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate = "
		   "2026-01-31T00:00:00-08:00",
		   "acme corp");
	check_rows(*state,
		   "SELECT Name FROM Account WHERE CreatedDate < "
		   "2025-12-15T00:00:00.001Z",
		   "x' OR 1=1 --");
}

static void test_soql__run_order_by_nulls_first_by_default(void **state)
{
	check_rows(*state, "SELECT Name FROM Account ORDER BY AnnualRevenue",
		   "Globex_1%,x' OR 1=1 --,acme corp,GlobexZ1abc,Acme");
	check_rows(*state,
		   "SELECT Name FROM Account ORDER BY AnnualRevenue DESC",
		   "Globex_1%,Acme,GlobexZ1abc,acme corp,x' OR 1=1 --");
}

static void test_soql__run_order_by_nulls_last(void **state)
{
	check_rows(
		*state,
		"SELECT Name FROM Account ORDER BY Industry DESC NULLS LAST, "
		"Name",
		"Globex_1%,x' OR 1=1 --,Acme,GlobexZ1abc,acme corp");
}

/* By upper-case values [order]: 'Z' (0x5A) sorts before '_' (0x5F). */
static void test_soql__run_order_by_ignores_case(void **state)
{
	check_rows(*state, "SELECT Name FROM Account ORDER BY Name",
		   "Acme,acme corp,GlobexZ1abc,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_limit_and_offset(void **state)
{
	check_rows(*state,
		   "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1",
		   "acme corp,GlobexZ1abc");
	check_rows(*state, "SELECT Name FROM Account ORDER BY Name OFFSET 4",
		   "x' OR 1=1 --");
}

static void test_soql__run_count_only(void **state)
{
	check_rows(*state,
		   "SELECT COUNT() FROM Account WHERE Industry = 'Banking'",
		   "2");
	check_rows(*state, "SELECT COUNT() FROM Account LIMIT 3", "3");
}

static void test_soql__run_group_by_ignores_case(void **state)
{
	/* 'Banking' and 'BANKING' are one group. */
	check_rows(
		*state,
		"SELECT COUNT(Id) n, SUM(AnnualRevenue) FROM Account GROUP BY "
		"Industry ORDER BY SUM(AnnualRevenue)",
		"2|20,1|50,2|175");
}

static void test_soql__run_having(void **state)
{
	check_rows(*state,
		   "SELECT MAX(AnnualRevenue) FROM Account GROUP BY Industry "
		   "HAVING COUNT(Id) > 1 ORDER BY MAX(AnnualRevenue) DESC",
		   "100,20");
}

static void test_soql__run_parent_fields_and_empty_lookup(void **state)
{
	struct fx *f = *state;
	struct emu_soql_plan *p = plan_of(f,
					  "SELECT LastName, Account.Name, "
					  "Account.Owner.Name FROM Contact "
					  "ORDER BY LastName",
					  NULL);
	char *got = rows_of(f, p);
	sqlite3_stmt *st;

	assert_string_equal(got, "Brown|acme corp|Dos,Jones|null|null,"
				 "Smith|Acme|Una");
	/* Jones has no account: its Account Id column is NULL. */
	st = prepare(f, p->sql);
	bind_all(st, p);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, p->id_col),
			    f->con[2]);
	assert_string_equal(
		(const char *)sqlite3_column_text(st, p->rels[0].id_col),
		f->acc[1]);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_type(st, p->rels[0].id_col),
			 SQLITE_NULL);
	sqlite3_finalize(st);
	free(got);
	emu_soql_plan_free(p);
}

static void test_soql__run_filter_on_parent_field(void **state)
{
	check_rows(
		*state,
		"SELECT LastName FROM Contact WHERE Account.Owner.Name = 'una' "
		"OR Account.Name LIKE 'acme c%' ORDER BY LastName",
		"Brown,Smith");
}

static void test_soql__run_from_alias(void **state)
{
	check_rows(*state,
		   "SELECT a.Name FROM Account a WHERE a.Industry = 'Energy' "
		   "ORDER BY a.Name",
		   "Globex_1%,x' OR 1=1 --");
}

/* A quote in a literal is data: it matches itself and nothing else. */
static void test_soql__run_injection_matches_literally(void **state)
{
	struct fx *f = *state;

	check_rows(f, "SELECT Name FROM Account WHERE Name = 'x\\' OR 1=1 --'",
		   "x' OR 1=1 --");
	check_rows(f,
		   "SELECT Name FROM Account WHERE Name = 'nope\\' OR "
		   "\\'1\\'=\\'1'",
		   "");
	check_rows(f,
		   "SELECT Name FROM Account WHERE Name LIKE '%\\'; DROP "
		   "TABLE Account; --'",
		   "");
	check_rows(f, "SELECT COUNT() FROM Account", "5");
}

static void test_soql__run_injection_in_names_fails(void **state)
{
	struct fx *f = *state;
	struct emu_soql *q = NULL;
	struct emu_soql_error e;

	assert_int_equal(emu_soql_parse("SELECT Name; DROP TABLE Account FROM "
					"Account",
					&q, &e),
			 BASE_EINVAL);
	assert_int_equal(emu_soql_parse("SELECT \"Name\" FROM Account", &q, &e),
			 BASE_EINVAL);
	check_compile_error(f, "SELECT Id FROM Account WHERE Name__x = 'a'",
			    "INVALID_FIELD",
			    "\nSELECT Id FROM Account WHERE Name__x = 'a'\n"
			    "                             ^\n"
			    "ERROR at Row:1:Column:30\n"
			    "No such column 'Name__x' on entity "
			    "'Account'. " NO_COLUMN_TAIL);
	check_rows(f, "SELECT COUNT() FROM Account", "5");
}

static void test_soql__run_empty_string_means_null(void **state)
{
	check_rows(*state, "SELECT Name FROM Account WHERE Industry = ''",
		   "acme corp");
	check_rows(
		*state,
		"SELECT Name FROM Account WHERE Industry != '' ORDER BY Name",
		"Acme,GlobexZ1abc,Globex_1%,x' OR 1=1 --");
}

static void test_soql__run_unicode_escape(void **state)
{
	check_rows(*state, "SELECT Name FROM Account WHERE Name = '\\u0041cme'",
		   "Acme");
}

/*
 * "Industry != 'x0' AND (Name = 'x1' OR (... (Name = 'Acme')))", n levels
 * deep: true AND / false OR at each level, so only the innermost decides.
 */
static char *alternating(int n)
{
	struct base_buf b = BASE_BUF_INIT(1 << 16);

	base_buf_puts(&b, "SELECT Name FROM Account WHERE ");
	for (int i = 0; i < n; i++)
		base_buf_printf(&b, "%s 'x%d' %s (",
				i % 2 ? "Name =" : "Industry !=", i,
				i % 2 ? "OR" : "AND");
	base_buf_puts(&b, "Name = 'Acme'");
	for (int i = 0; i < n; i++)
		base_buf_putc(&b, ')');
	assert_int_equal(base_buf_err(&b), 0);
	return base_buf_detach(&b, NULL);
}

static void test_soql__run_deep_nesting_fits_sqlite(void **state)
{
	char *s = alternating(16);

	check_rows(*state, s, "Acme");
	free(s);
}

static void test_soql__compile_too_deep_for_sqlite_is_refused(void **state)
{
	char *s = alternating(EMU_SOQL_MAX_DEPTH - 1);
	struct emu_soql *q = NULL;
	struct emu_soql_plan *p = NULL;
	struct emu_soql_error e;
	struct fx *f = *state;

	assert_int_equal(emu_soql_parse(s, &q, &e), 0);
	assert_int_equal(emu_soql_compile(q, f->s, &la_opts, &p, &e),
			 BASE_EINVAL);
	assert_string_equal(e.code, "QUERY_TOO_COMPLICATED");
	assert_string_equal(e.message,
			    "Query is either selecting too many fields or the "
			    "filter conditions are very complicated.");
	emu_soql_free(q);
	free(s);
}

/* Whatever depth compile accepts, SQLite can parse. */
static void test_soql__run_every_accepted_depth_prepares(void **state)
{
	struct fx *f = *state;
	int accepted = 0;

	for (int n = 1; n < EMU_SOQL_MAX_DEPTH; n++) {
		char *s = alternating(n);
		struct emu_soql *q = NULL;
		struct emu_soql_plan *p = NULL;
		struct emu_soql_error e;

		assert_int_equal(emu_soql_parse(s, &q, &e), 0);
		if (emu_soql_compile(q, f->s, &la_opts, &p, &e) == 0) {
			char *got = rows_of(f, p);

			assert_string_equal(got, "Acme");
			free(got);
			emu_soql_plan_free(p);
			accepted = n;
		} else {
			assert_string_equal(e.code, "QUERY_TOO_COMPLICATED");
		}
		emu_soql_free(q);
		free(s);
	}
	assert_true(accepted >= 20);
}

static void test_soql__run_long_chains_fit_sqlite(void **state)
{
	struct base_buf b = BASE_BUF_INIT(1 << 20);

	base_buf_puts(&b, "SELECT Name FROM Account WHERE Name = 'Acme'");
	for (int i = 0; i < 3000; i++)
		base_buf_printf(&b, " AND Industry != 'x%d'", i);
	assert_int_equal(base_buf_err(&b), 0);
	check_rows(*state, base_buf_str(&b), "Acme");
	base_buf_reset(&b);
	base_buf_puts(&b, "SELECT Name FROM Account WHERE Name IN ('Acme'");
	for (int i = 1; i < EMU_SOQL_MAX_IN; i++)
		base_buf_printf(&b, ", 'n%d'", i);
	base_buf_puts(&b, ")");
	check_rows(*state, base_buf_str(&b), "Acme");
	base_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soql__parse_refuses_empty_query),
		cmocka_unit_test(test_soql__parse_refuses_null_text),
		cmocka_unit_test(test_soql__parse_refuses_100001_characters),
		cmocka_unit_test(test_soql__parse_accepts_100000_characters),
		cmocka_unit_test(test_soql__parse_counts_length_in_characters),
		cmocka_unit_test(test_soql__parse_reports_unexpected_eof),
		cmocka_unit_test(test_soql__parse_reports_unexpected_token),
		cmocka_unit_test(
			test_soql__parse_error_echoes_only_the_line_at_fault),
		cmocka_unit_test(test_soql__parse_counts_columns_in_characters),
		cmocka_unit_test(
			test_soql__parse_error_on_long_line_keeps_caret_aligned),
		cmocka_unit_test(
			test_soql__parse_needs_parentheses_to_mix_and_or),
		cmocka_unit_test(
			test_soql__parse_needs_parentheses_around_not_after_and),
		cmocka_unit_test(test_soql__parse_refuses_unknown_escape),
		cmocka_unit_test(test_soql__parse_refuses_unterminated_string),
		cmocka_unit_test(test_soql__parse_refuses_offset_over_2000),
		cmocka_unit_test(test_soql__parse_accepts_offset_2000),
		cmocka_unit_test(test_soql__parse_bounds_nesting_depth),
		cmocka_unit_test(test_soql__parse_bounds_in_list_size),
		cmocka_unit_test(test_soql__parse_names_unsupported_subqueries),
		cmocka_unit_test(test_soql__parse_refuses_trailing_tokens),
		cmocka_unit_test(test_soql__parse_survives_every_truncation),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_reports_unknown_field, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_reports_unknown_field_of_parent,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_reports_unknown_relationship, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_reports_unknown_object, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_hidden_field_reads_as_missing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_hidden_lookup_hides_relationship,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_hidden_field_is_left_out_of_fields_all,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_quoted_date, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_string_for_boolean, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_number_for_string, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_date_literal_for_datetime_field_format,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_fields_all_needs_limit, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_fields_custom_refuses_limit_201,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_fields_standard_needs_no_limit,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_fields_custom_selects_custom_fields,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_duplicate_field, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_ungrouped_field, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_filter_on_long_text, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_sort_on_multipicklist, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_four_relationship_levels,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_includes_on_picklist, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_malformed_id, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_refuses_alias_outside_aggregates,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_resolves_relationships_in_canonical_case,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_names_unaliased_aggregates_expr_n,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_marks_count_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_binds_every_literal, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_today_follows_time_zone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_today_follows_daylight_saving, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_today_in_southern_summer, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_unknown_time_zone_is_utc, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__plan_date_literal_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_equality_ignores_case, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_not_equal_matches_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_null_comparisons,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_not_matches_null,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_like_ignores_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_like_wildcards,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_like_escapes_wildcards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_in_ignores_case,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_not_in_matches_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_in_with_null,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_includes_any_value, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_includes_semicolon_means_all, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_excludes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_booleans_and_deleted_rows, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_query_all_includes_deleted, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_numbers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_id_equality,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_today_on_datetime_is_half_open, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_date_literal_sides, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_date_literals_on_date_field, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_date_and_datetime_values, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_order_by_nulls_first_by_default, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_order_by_nulls_last, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_order_by_ignores_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_limit_and_offset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_count_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_group_by_ignores_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_having, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_parent_fields_and_empty_lookup, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_filter_on_parent_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_from_alias,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_injection_matches_literally, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_injection_in_names_fails, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_empty_string_means_null, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_soql__run_unicode_escape,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_deep_nesting_fits_sqlite, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__compile_too_deep_for_sqlite_is_refused,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_every_accepted_depth_prepares, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_soql__run_long_chains_fit_sqlite, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
