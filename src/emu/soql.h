/* soql.h - SOQL to an AST, and the AST to one parameterised SQLite SELECT. */
#ifndef EMU_SOQL_H
#define EMU_SOQL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "emu/schema.h"

/*
 * Storage convention (the record layer follows it): sObject X is a table or
 * view named exactly X, one column per field named exactly the field's API
 * name, plus "Id" and "IsDeleted" (INTEGER 0/1). Values are stored as
 * schema.h describes (datetimes as UTC "YYYY-MM-DDTHH:MM:SS.mmm+0000").
 *
 * Safety: every literal of the SOQL text becomes a bound `?` parameter, and
 * every identifier in the SQL comes from the schema (canonical case, double
 * quoted), never from the text, so no SOQL string can change the SQL.
 */

/* Longer is MALFORMED_QUERY, as on Salesforce (characters, not bytes). */
#define EMU_SOQL_MAX_LEN 100000
/* Deepest nesting of conditions in WHERE / HAVING (the top level is one). */
#define EMU_SOQL_MAX_DEPTH 50
/* Most values in one IN / NOT IN / INCLUDES / EXCLUDES list. */
#define EMU_SOQL_MAX_IN 4000
/* Most distinct parent relationships (joins); Salesforce allows 55. */
#define EMU_SOQL_MAX_JOINS 55

/*
 * What Salesforce would answer: code is the REST errorCode
 * ("MALFORMED_QUERY", "INVALID_FIELD", "INVALID_TYPE",
 * "INVALID_QUERY_FILTER_OPERATOR", "NUMBER_OUTSIDE_VALID_RANGE",
 * "QUERY_TOO_COMPLICATED" when the SQL would exceed SQLite's parser or
 * expression-depth limits, or "UNKNOWN_EXCEPTION" when memory ran out).
 * message is Salesforce's text, usually
 * "\n<the query line>\n<spaces>^\nERROR at Row:R:Column:C\n<why>".
 * Unlike base_err messages it is multi-line on purpose: clients show it.
 */
struct emu_soql_error {
	char code[40];
	char message[1024];
};

/* A parsed query (opaque). Immutable once parsed: share freely. */
struct emu_soql;

/*
 * Parses SOQL text (NUL-terminated, any size: longer than EMU_SOQL_MAX_LEN
 * characters is an error). Checks only the syntax; names are resolved by
 * emu_soql_compile(). Caller owns *out (emu_soql_free). Returns 0,
 * BASE_EINVAL (e says why) or BASE_ENOMEM; on failure *out is NULL.
 * e may be NULL. Stateless: thread-safe.
 */
int emu_soql_parse(const char *text, struct emu_soql **out,
		   struct emu_soql_error *e);
void emu_soql_free(struct emu_soql *q);

struct emu_soql_opts {
	bool include_deleted; /* queryAll: don't filter IsDeleted */
	int64_t now_ms;       /* the org clock, for TODAY, LAST_N_DAYS:n ... */
	/*
	 * Org time zone for date literals ("America/Los_Angeles"), read from
	 * /usr/share/zoneinfo; NULL, "" or an unknown zone means UTC.
	 */
	const char *time_zone;
	/*
	 * Field-level security: return false to hide a field, which then reads
	 * exactly like a missing one (a hidden lookup also hides its
	 * relationship). May be NULL: every field visible.
	 */
	bool (*field_visible)(void *ctx, const char *object, const char *field);
	void *ctx;
};

enum emu_soql_ptype {
	EMU_SOQL_P_TEXT,
	EMU_SOQL_P_INT,
	EMU_SOQL_P_REAL,
	EMU_SOQL_P_NULL
};

/* One bound parameter: bind params[i] to `?` number i + 1. */
struct emu_soql_param {
	enum emu_soql_ptype type;
	char *text; /* EMU_SOQL_P_TEXT: owned by the plan */
	long long i;
	double d;
};

/* One output column of the SELECT list. */
struct emu_soql_col {
	/* Output key: the field's API name ("Name"), an alias, "expr0"... */
	char *name;
	/*
	 * Canonical relationship path of the field: {"Account","Name"} depth
	 * 2; {"Name"} depth 1; depth 0 for COUNT().
	 */
	char *path[4];
	int depth;
	/* Object at each level of path (objs[0] = FROM object); borrowed. */
	const struct emu_sobject *objs[4];
	const struct emu_field *field; /* the field read; NULL for COUNT() */
	bool aggregate;     /* COUNT/SUM/AVG/MIN/MAX, or a GROUP BY output */
	const char *agg_fn; /* "COUNT", "SUM", ... or NULL; static */
};

/*
 * A parent record reached through a relationship path in a plain (not
 * aggregate) query. The REST layer needs its Id for "attributes" and to
 * print "Account": null when the lookup is empty.
 */
struct emu_soql_rel {
	char *path[3]; /* canonical relationship names: {"Account","Owner"} */
	int depth;
	const struct emu_sobject *object; /* the parent object; borrowed */
	int id_col; /* SQL column with the parent's Id, NULL when no parent */
};

struct emu_soql_plan {
	/*
	 * The SELECT, with ? params. It has LIMIT ? OFFSET ? (the last two
	 * params) only when the SOQL had them. For count_only queries it
	 * returns one row: the count.
	 */
	char *sql;
	/* SELECT count(*) over the same rows (for totalSize), same params. */
	char *count_sql;
	struct emu_soql_param *params;
	int nparams;
	const struct emu_sobject *object; /* FROM; borrowed */
	/* In SELECT order: SQL result column i is cols[i]. */
	struct emu_soql_col *cols;
	int ncols;
	/*
	 * Plain queries only (else -1 / 0): after the ncols columns come the
	 * FROM record's Id (column id_col == ncols) and one Id per parent
	 * relationship (rels[k].id_col), in rels order, parents before
	 * grandparents.
	 */
	int id_col;
	struct emu_soql_rel *rels;
	int nrels;
	bool count_only;  /* SELECT COUNT() FROM ...: only totalSize matters */
	bool aggregate;   /* aggregate query: records are AggregateResult */
	long long limit;  /* -1 when none */
	long long offset; /* 0 when none */
};

/*
 * Resolves q against schema s and builds the SQL. q and s are borrowed; the
 * plan borrows s (objects and fields), so s must outlive it. o may be NULL
 * (defaults: no deleted rows, now_ms 0, UTC, all fields visible). Caller
 * owns *out (emu_soql_plan_free). Returns 0, BASE_EINVAL (e says why:
 * unknown object or field, wrong literal type, limits) or BASE_ENOMEM; on
 * failure *out is NULL. e may be NULL. Thread-safe (reads the time zone file
 * only when the query has a date literal such as TODAY).
 */
int emu_soql_compile(const struct emu_soql *q, const struct emu_schema *s,
		     const struct emu_soql_opts *o, struct emu_soql_plan **out,
		     struct emu_soql_error *e);
void emu_soql_plan_free(struct emu_soql_plan *p);

#endif
