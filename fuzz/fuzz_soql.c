/* fuzz_soql.c - libFuzzer target for emu_soql_parse and emu_soql_compile. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "base/err.h"
#include "emu/schema.h"
#include "emu/soql.h"
#include "base/banned.h"

/* The standard objects plus a custom object and fields of every kind. */
static const char custom_objects[] =
	"[{\"name\":\"Deal__c\",\"fields\":["
	"{\"name\":\"Account__c\",\"type\":\"Lookup\",\"referenceTo\":"
	"\"Account\"},"
	"{\"name\":\"Stage__c\",\"type\":\"Picklist\",\"values\":[\"New\","
	"\"Won\"]},"
	"{\"name\":\"Amount__c\",\"type\":\"Currency\",\"precision\":18,"
	"\"scale\":2},"
	"{\"name\":\"Close__c\",\"type\":\"Date\"},"
	"{\"name\":\"Notes__c\",\"type\":\"LongTextArea\",\"length\":1000}]}]";
static const char custom_fields[] =
	"{\"Account\":[{\"name\":\"Regions__c\",\"type\":"
	"\"MultiselectPicklist\","
	"\"values\":[\"East\",\"West\"]},"
	"{\"name\":\"Active__c\",\"type\":\"Checkbox\"},"
	"{\"name\":\"Score__c\",\"type\":\"Number\",\"precision\":5,\"scale\":"
	"0}]}";

/* Built once per process: the fuzzer's only state. */
static struct emu_schema *schema;
static sqlite3 *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool hide_site(void *ctx, const char *object, const char *field)
{
	(void)ctx;
	return !(strcmp(object, "Account") == 0 && strcmp(field, "Site") == 0);
}

/* A table per object, a column per field, as the record layer lays them out. */
static void init(void)
{
	struct base_err err = BASE_ERR_INIT;
	json_t *co = json_loads(custom_objects, 0, NULL);
	json_t *cf = json_loads(custom_fields, 0, NULL);

	if (!co || !cf || emu_schema_build(co, cf, &schema, &err) ||
	    sqlite3_open(":memory:", &db) != SQLITE_OK)
		abort();
	json_decref(co);
	json_decref(cf);
	for (int i = 0; i < schema->nobjects; i++) {
		const struct emu_sobject *o = &schema->objects[i];
		struct base_buf b = BASE_BUF_INIT(1 << 20);

		base_buf_printf(&b, "CREATE TABLE \"%s\" (", o->name);
		for (int k = 0; k < o->nfields; k++)
			base_buf_printf(&b, "%s\"%s\"", k ? ", " : "",
					o->fields[k].name);
		base_buf_puts(&b, ")");
		if (base_buf_err(&b) || sqlite3_exec(db, base_buf_str(&b), NULL,
						     NULL, NULL) != SQLITE_OK)
			abort();
		base_buf_release(&b);
	}
}

/* The SQL must prepare, take exactly the plan's parameters, and run. */
static void run(const struct emu_soql_plan *p, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "prepare failed: %s\n%s\n", sqlite3_errmsg(db),
			sql);
		abort();
	}
	if (sqlite3_bind_parameter_count(st) != p->nparams)
		abort();
	for (int i = 0; i < p->nparams; i++) {
		const struct emu_soql_param *pa = &p->params[i];

		if (pa->type == EMU_SOQL_P_TEXT)
			sqlite3_bind_text(st, i + 1, pa->text, -1,
					  SQLITE_STATIC);
		else if (pa->type == EMU_SOQL_P_INT)
			sqlite3_bind_int64(st, i + 1, pa->i);
		else if (pa->type == EMU_SOQL_P_REAL)
			sqlite3_bind_double(st, i + 1, pa->d);
		else
			sqlite3_bind_null(st, i + 1);
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
}

static void check_failure(int rc, const struct emu_soql_error *e,
			  const void *out)
{
	if ((rc != BASE_EINVAL && rc != BASE_ENOMEM) || out || !e->code[0] ||
	    !e->message[0] ||
	    strnlen(e->message, sizeof(e->message)) == sizeof(e->message))
		abort();
}

/*
 * Besides crashes and sanitizer reports, aborts when an invariant breaks:
 * a failure fills the error and leaves *out NULL; a success gives SQL that
 * SQLite prepares with exactly nparams parameters, and the plan's shape is
 * consistent (cols, the Id columns).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu_soql_opts o = {.now_ms = 1769860800000LL,
				  .time_zone = "America/Los_Angeles",
				  .include_deleted = size % 2,
				  .field_visible = hide_site};
	struct emu_soql *q = (struct emu_soql *)1;
	struct emu_soql_plan *p = (struct emu_soql_plan *)1;
	struct emu_soql_error e;
	char *s;
	int rc;

	if (!schema)
		init();
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = emu_soql_parse(s, &q, &e);
	if (rc) {
		check_failure(rc, &e, q);
		goto out;
	}
	rc = emu_soql_compile(q, schema, &o, &p, &e);
	if (rc) {
		check_failure(rc, &e, p);
		emu_soql_free(q);
		goto out;
	}
	if (!p->sql || !p->count_sql || p->ncols < 1 || !p->object ||
	    (p->aggregate && (p->id_col != -1 || p->nrels)) ||
	    (!p->aggregate && !p->count_only && p->id_col != p->ncols))
		abort();
	for (int i = 0; i < p->ncols; i++)
		if (!p->cols[i].name || p->cols[i].depth < 0 ||
		    p->cols[i].depth > 4 ||
		    (p->cols[i].depth && !p->cols[i].field))
			abort();
	run(p, p->sql);
	run(p, p->count_sql);
	emu_soql_plan_free(p);
	emu_soql_free(q);
out:
	free(s);
	return 0;
}
