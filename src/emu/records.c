/* records.c - sObject records in SQLite: tables, setup views, and the checks Salesforce makes on writes. */
#include "records.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "base/utf8.h"
#include "base/db.h"
#include "schema_std.h"
#include "base/banned.h"

#define SQL_MAX (256 * 1024)

/* ---- errors ---- */

int emu_sferr_set(struct emu_sferr *e, int status, const char *code,
		  const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	/* Messages echo input (a field name, a query) and go into JSON. */
	base_utf8_sanitize(e->message);
	e->nfields = 0;
	return BASE_EINVAL;
}

void emu_sferr_field(struct emu_sferr *e, const char *field)
{
	if (e->nfields < (int)(sizeof(e->fields) / sizeof(e->fields[0]))) {
		snprintf(e->fields[e->nfields], sizeof(e->fields[0]), "%s", field);
		base_utf8_sanitize(e->fields[e->nfields++]);
	}
}

static json_t *fields_json(const struct emu_sferr *e)
{
	json_t *a = json_array();

	for (int i = 0; i < e->nfields; i++)
		json_array_append_new(a, json_string(e->fields[i]));
	return a;
}

json_t *emu_sferr_json(const struct emu_sferr *e)
{
	json_t *o = json_pack("{s:s, s:s}", "message", e->message, "errorCode",
			      e->code);

	if (e->nfields)
		json_object_set_new(o, "fields", fields_json(e));
	return json_pack("[o]", o);
}

json_t *emu_sferr_row_json(const struct emu_sferr *e)
{
	return json_pack("{s:s, s:s, s:o}", "statusCode", e->code, "message",
			 e->message, "fields", fields_json(e));
}

/* ---- tables and views ---- */

static const char *sql_type(enum emu_ftype t)
{
	switch (t) {
	case EMU_FT_BOOLEAN:
	case EMU_FT_INT: return "INTEGER";
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: return "REAL";
	default: return "TEXT";
	}
}

static bool column_exists(struct emu_org *org, const char *table,
			  const char *col)
{
	char sql[160];
	sqlite3_stmt *st;
	bool found = false;

	snprintf(sql, sizeof(sql), "PRAGMA table_xinfo(\"%s\")", table);
	if (base_db_prepare(org->db, &st, NULL, sql, NULL))
		return false;
	while (!found && sqlite3_step(st) == SQLITE_ROW)
		found = strcasecmp(base_db_text(st, 1), col) == 0;
	sqlite3_finalize(st);
	return found;
}

/*
 * Fields sfemu computes (a person's Name, an opportunity's IsWon and
 * IsClosed) are generated columns, so every record write stays a single
 * statement that SQLite makes atomic on its own.
 */
static const char *calculated_expr(const struct emu_sobject *o,
				   const struct emu_field *f)
{
	if (!f->calculated)
		return NULL;
	if ((!strcmp(o->name, "Contact") || !strcmp(o->name, "Lead")) &&
	    !strcmp(f->name, "Name"))
		return "trim(coalesce(\"FirstName\", '') || ' ' ||"
		       " coalesce(\"LastName\", ''))";
	if (!strcmp(o->name, "Opportunity") && !strcmp(f->name, "IsWon"))
		return "coalesce(\"StageName\" = 'Closed Won', 0)";
	if (!strcmp(o->name, "Opportunity") && !strcmp(f->name, "IsClosed"))
		return "coalesce(\"StageName\" IN ('Closed Won', 'Closed Lost'), 0)";
	return NULL;
}

static void column_def(struct base_buf *sql, const struct emu_sobject *o,
		       const struct emu_field *f)
{
	const char *expr = calculated_expr(o, f);

	base_buf_printf(sql, "\"%s\" %s", f->name, sql_type(f->type));
	if (expr)
		base_buf_printf(sql, " GENERATED ALWAYS AS (%s) VIRTUAL", expr);
}

static int create_table(struct emu_org *org, const struct emu_sobject *o,
			struct base_err *err)
{
	struct base_buf sql = BASE_BUF_INIT(SQL_MAX);
	int rc;

	base_buf_printf(&sql, "CREATE TABLE IF NOT EXISTS \"%s\" (", o->name);
	for (int i = 0; i < o->nfields; i++) {
		if (i)
			base_buf_puts(&sql, ", ");
		column_def(&sql, o, &o->fields[i]);
		if (i == 0)
			base_buf_puts(&sql, " PRIMARY KEY");
	}
	base_buf_puts(&sql, ");");
	rc = base_buf_err(&sql) ? BASE_ENOMEM
				: base_db_exec(org->db, base_buf_str(&sql), err);
	/* Fields added to the org file since this data dir was made. */
	for (int i = 0; rc == 0 && i < o->nfields; i++) {
		if (column_exists(org, o->name, o->fields[i].name))
			continue;
		base_buf_reset(&sql);
		base_buf_printf(&sql, "ALTER TABLE \"%s\" ADD COLUMN ", o->name);
		column_def(&sql, o, &o->fields[i]);
		rc = base_db_exec(org->db, base_buf_str(&sql), err);
	}
	for (int i = 0; rc == 0 && i < o->nfields; i++) {
		const struct emu_field *f = &o->fields[i];

		base_buf_reset(&sql);
		/* Unique values are unique among live records, ignoring case. */
		if (f->unique)
			base_buf_printf(&sql,
					"CREATE UNIQUE INDEX IF NOT EXISTS "
					"\"%s.%s.u\" ON \"%s\"(\"%s\" COLLATE NOCASE)"
					" WHERE \"IsDeleted\" = 0",
					o->name, f->name, o->name, f->name);
		else if (f->external_id || !strcmp(f->name, "SystemModstamp") ||
			 !strcmp(f->name, "LastModifiedDate"))
			base_buf_printf(&sql,
					"CREATE INDEX IF NOT EXISTS \"%s.%s\" ON"
					" \"%s\"(\"%s\"%s)",
					o->name, f->name, o->name, f->name,
					f->external_id ? " COLLATE NOCASE" : "");
		else if (f->type == EMU_FT_REFERENCE &&
			 strcmp(f->name, "CreatedById") != 0 &&
			 strcmp(f->name, "LastModifiedById") != 0)
			/* Lookups are joined on; most are empty, so skip those. */
			base_buf_printf(&sql,
					"CREATE INDEX IF NOT EXISTS \"%s.%s\" ON"
					" \"%s\"(\"%s\") WHERE \"%s\" IS NOT NULL",
					o->name, f->name, o->name, f->name, f->name);
		else
			continue;
		rc = base_db_exec(org->db, base_buf_str(&sql), err);
	}
	base_buf_release(&sql);
	return rc;
}

/* SQL for a millisecond column as Salesforce's datetime text. */
#define SFDT(x) "strftime('%Y-%m-%dT%H:%M:%f', (" x ") / 1000.0, 'unixepoch') || '+0000'"
#define AUDIT(created) \
	SFDT(created) " AS CreatedDate, NULL AS CreatedById, " SFDT(created) \
	" AS LastModifiedDate, NULL AS LastModifiedById, " SFDT(created) " AS SystemModstamp"
#define ORG_CREATED "(SELECT coalesce(min(created_ms), 0) FROM emu_user)"
#define CONF(path) "json_extract((SELECT value FROM meta WHERE key = 'org'), '" path "')"

static void permission_columns(struct base_buf *b, const char *json_col)
{
	for (int i = 0; emu_schema_permissions[i]; i++)
		base_buf_printf(b,
				", coalesce(json_extract(%s, '$.%s'), 0) AS"
				" \"Permissions%s\"",
				json_col, emu_schema_permissions[i],
				emu_schema_permissions[i]);
}

static int create_views(struct emu_org *org, struct base_err *err)
{
	struct base_buf b = BASE_BUF_INIT(SQL_MAX);
	int rc;

	base_buf_puts(&b,
		"DROP VIEW IF EXISTS \"User\"; DROP VIEW IF EXISTS \"Profile\";"
		"DROP VIEW IF EXISTS \"PermissionSet\";"
		"DROP VIEW IF EXISTS \"PermissionSetAssignment\";"
		"DROP VIEW IF EXISTS \"UserLogin\"; DROP VIEW IF EXISTS \"LoginHistory\";"
		"DROP VIEW IF EXISTS \"LoginIpRange\"; DROP VIEW IF EXISTS \"Organization\";"
		"CREATE VIEW \"User\" AS SELECT id AS Id, 0 AS IsDeleted,"
		" username AS Username, email AS Email, nullif(first_name, '') AS FirstName,"
		" last_name AS LastName, trim(first_name || ' ' || last_name) AS Name,"
		" is_active AS IsActive, profile_id AS ProfileId, user_type AS UserType,"
		" time_zone AS TimeZoneSidKey, (SELECT " SFDT("max(login_time_ms)")
		" FROM login_history h WHERE h.user_id = emu_user.id AND h.status = 'Success')"
		" AS LastLoginDate, " AUDIT("created_ms") " FROM emu_user;");
	base_buf_puts(&b, "CREATE VIEW \"Profile\" AS SELECT id AS Id, 0 AS IsDeleted,"
			  " name AS Name, 'Standard' AS UserType,"
			  " user_license AS UserLicenseName");
	permission_columns(&b, "permissions");
	base_buf_puts(&b, ", " AUDIT(ORG_CREATED) " FROM emu_profile;");
	base_buf_puts(&b, "CREATE VIEW \"PermissionSet\" AS SELECT id AS Id,"
			  " 0 AS IsDeleted, name AS Name, label AS Label,"
			  " profile_id IS NOT NULL AS IsOwnedByProfile,"
			  " profile_id AS ProfileId");
	permission_columns(&b, "permissions");
	base_buf_puts(&b,
		", " AUDIT(ORG_CREATED) " FROM permission_set;"
		/* Every user holds the profile's own set implicitly. */
		"CREATE VIEW \"PermissionSetAssignment\" AS"
		" SELECT id AS Id, 0 AS IsDeleted, user_id AS AssigneeId,"
		" permission_set_id AS PermissionSetId, 1 AS IsActive, " AUDIT(ORG_CREATED)
		" FROM permission_set_assignment UNION ALL"
		" SELECT emu_id('0Pa', u.id) AS Id, 0, u.id, p.permission_set_id, 1, "
		AUDIT("u.created_ms") " FROM emu_user u JOIN emu_profile p ON p.id = u.profile_id;");
	base_buf_puts(&b,
		"CREATE VIEW \"UserLogin\" AS SELECT emu_id('060', id) AS Id,"
		" 0 AS IsDeleted, id AS UserId, is_frozen AS IsFrozen,"
		/* A lockout whose interval has passed reads unlocked. */
		" (is_locked AND (coalesce(" CONF("$.settings.passwordPolicies.lockoutInterval")
		", 15) = 0 OR emu_now_ms() < locked_at_ms + 60000 * coalesce("
		CONF("$.settings.passwordPolicies.lockoutInterval") ", 15)))"
		" AS IsPasswordLocked, " AUDIT("created_ms") " FROM emu_user;");
	base_buf_puts(&b,
		"CREATE VIEW \"LoginHistory\" AS SELECT id AS Id, 0 AS IsDeleted,"
		" user_id AS UserId, " SFDT("login_time_ms") " AS LoginTime,"
		" source_ip AS SourceIp, login_type AS LoginType, status AS Status,"
		" application AS Application, api_type AS ApiType,"
		" api_version AS ApiVersion, login_url AS LoginUrl, " AUDIT("login_time_ms")
		" FROM login_history WHERE user_id IS NOT NULL;");
	base_buf_puts(&b,
		"CREATE VIEW \"LoginIpRange\" AS SELECT emu_id('0Ip', p.id || '/' || r.key)"
		" AS Id, 0 AS IsDeleted, p.id AS ProfileId,"
		" json_extract(r.value, '$.startAddress') AS StartAddress,"
		" json_extract(r.value, '$.endAddress') AS EndAddress,"
		" json_extract(r.value, '$.description') AS Description, " AUDIT(ORG_CREATED)
		" FROM emu_profile p, json_each(p.login_ip_ranges) r;"
		"CREATE VIEW \"Organization\" AS SELECT"
		" (SELECT value FROM meta WHERE key = 'org_id') AS Id, 0 AS IsDeleted,"
		" " CONF("$.orgName") " AS Name,"
		" " CONF("$.edition") " || ' Edition' AS OrganizationType,"
		" coalesce(" CONF("$.sandbox") ", 0) AS IsSandbox, 'EMU1' AS InstanceName,"
		" NULL AS NamespacePrefix, NULL AS TrialExpirationDate,"
		" " CONF("$.timeZone") " AS TimeZoneSidKey, " CONF("$.myDomain")
		" AS MyDomain, " AUDIT(ORG_CREATED) ";");
	rc = base_buf_err(&b) ? BASE_ENOMEM : base_db_exec(org->db, base_buf_str(&b), err);
	base_buf_release(&b);
	return rc;
}

/* emu_id(prefix, seed): a stable 18-character id for rows of setup views. */
static void sql_emu_id(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct emu_org *org = sqlite3_user_data(ctx);
	const char *prefix = (const char *)sqlite3_value_text(argv[0]);
	const char *seed = (const char *)sqlite3_value_text(argv[1]);
	uint64_t h = 1469598103934665603ULL;
	char id[EMU_SFID_LEN + 1];

	(void)argc;
	if (!prefix || strlen(prefix) != 3 || !seed) {
		sqlite3_result_null(ctx);
		return;
	}
	for (const char *p = seed; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	emu_sfid_make(prefix, org->pod, h % 13537086546263552ULL, id);
	sqlite3_result_text(ctx, id, -1, SQLITE_TRANSIENT);
}

static void sql_now_ms(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, emu_org_now_ms(sqlite3_user_data(ctx)));
}

int emu_records_init(struct emu_org *org, struct base_err *err)
{
	const struct emu_schema *s = org->schema;

	if (sqlite3_create_function(org->db, "emu_id", 2,
				    SQLITE_UTF8 | SQLITE_DETERMINISTIC, org,
				    sql_emu_id, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(org->db, "emu_now_ms", 0, SQLITE_UTF8, org,
				    sql_now_ms, NULL, NULL) != SQLITE_OK)
		return base_err_set(err, BASE_ERR, "register SQL functions");
	for (int i = 0; i < s->nobjects; i++)
		if (!s->objects[i].setup &&
		    create_table(org, &s->objects[i], err) != 0)
			return base_err_wrap(err, "table '%s'", s->objects[i].name);
	return create_views(org, err);
}

/* ---- field-level security ---- */

static json_t *fls_entry(const struct emu_org *org, const char *object,
			 const char *field)
{
	size_t i, on = strlen(object);
	json_t *fp;

	json_array_foreach(org->fls, i, fp) {
		const char *f = json_string_value(json_object_get(fp, "field"));

		if (f && strncasecmp(f, object, on) == 0 && f[on] == '.' &&
		    strcasecmp(f + on + 1, field) == 0)
			return fp;
	}
	return NULL;
}

bool emu_fls_readable(const struct emu_org *org, const char *object,
		      const char *field)
{
	json_t *fp = org->fls ? fls_entry(org, object, field) : NULL;

	return !fp || json_is_true(json_object_get(fp, "readable"));
}

bool emu_fls_editable(const struct emu_org *org, const char *object,
		      const char *field)
{
	json_t *fp = org->fls ? fls_entry(org, object, field) : NULL;

	return !fp || json_is_true(json_object_get(fp, "editable"));
}

/* ---- values ---- */

const struct emu_sobject *emu_record_object_of(struct emu_org *org,
					       const char *id)
{
	return strlen(id) >= 3 ? emu_schema_object_by_prefix(org->schema, id)
			       : NULL;
}

static bool is_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') ||
	    at[1] == '.' || s[strlen(s) - 1] == '.')
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return false;
	return true;
}

static bool is_date(const char *s)
{
	int64_t ms;
	char buf[40];

	if (strlen(s) != 10)
		return false;
	snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
	return base_time_parse_iso(buf, &ms) == 0;
}

static int parse_error(struct emu_sferr *e, const char *type, json_t *v)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc = emu_sferr_set(e, 400, "JSON_PARSER_ERROR",
			       "Cannot deserialize instance of %s from %s value "
			       "%.200s or request may be missing a required "
			       "field",
			       type, json_is_string(v) ? "VALUE_STRING" : "VALUE",
			       text ? text : "?");

	free(text);
	return rc;
}

/*
 * A field's value, checked as Salesforce checks it, converted to what the
 * table stores. Output goes in *out (a JSON string, integer, real or null)
 * that the caller binds. Caller owns *out.
 */
static int check_value(struct emu_org *org, const struct emu_field *f,
		       json_t *v, json_t **out, struct emu_sferr *e)
{
	char text[64];
	const char *s;

	*out = NULL;
	if (json_is_null(v)) {
		if (f->type == EMU_FT_BOOLEAN) {
			*out = json_integer(0);
			return 0;
		}
		*out = json_null();
		return 0;
	}
	switch (f->type) {
	case EMU_FT_BOOLEAN:
		if (json_is_boolean(v))
			*out = json_integer(json_is_true(v));
		else if (json_is_string(v) &&
			 (!strcasecmp(json_string_value(v), "true") ||
			  !strcasecmp(json_string_value(v), "false")))
			*out = json_integer(!strcasecmp(json_string_value(v), "true"));
		else
			return parse_error(e, "boolean", v);
		return 0;
	case EMU_FT_INT:
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: {
		double d;
		char *end;

		if (json_is_number(v))
			d = json_number_value(v);
		else if (json_is_string(v) && *json_string_value(v)) {
			d = strtod(json_string_value(v), &end);
			if (*end)
				return parse_error(e, "double", v);
		} else
			return parse_error(e, "double", v);
		if (!isfinite(d))
			return parse_error(e, "double", v);
		if (f->precision && fabs(d) >= pow(10, f->precision - f->scale)) {
			emu_sferr_set(e, 400, "NUMBER_OUTSIDE_VALID_RANGE",
				      "%s: value outside of valid range on numeric "
				      "field: %g",
				      f->label, d);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
		*out = f->type == EMU_FT_INT ? json_integer((json_int_t)d)
					     : json_real(d);
		return 0;
	}
	default:
		break;
	}
	/* Text-stored types: numbers and booleans are taken as their text. */
	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
		s = text;
	} else if (json_is_real(v)) {
		snprintf(text, sizeof(text), "%.17g", json_real_value(v));
		s = text;
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "true" : "false";
	} else {
		return parse_error(e, "String", v);
	}
	switch (f->type) {
	case EMU_FT_DATE:
		if (!is_date(s))
			return parse_error(e, "date", v);
		break;
	case EMU_FT_DATETIME: {
		int64_t ms;
		char norm[40];

		if (base_time_parse_iso(s, &ms) != 0)
			return parse_error(e, "datetime", v);
		base_time_format_sf(ms, norm, sizeof(norm));
		*out = json_string(norm);
		return 0;
	}
	case EMU_FT_REFERENCE:
	case EMU_FT_ID: {
		char id18[EMU_SFID_LEN + 1];
		const struct emu_sobject *to;

		if (!*s) {
			*out = json_null();
			return 0;
		}
		if (!emu_sfid_to18(s, id18)) {
			emu_sferr_set(e, 400, "MALFORMED_ID",
				      "%s: id value of incorrect type: %.40s",
				      f->label, s);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
		to = emu_schema_object(org->schema, f->reference_to);
		if (!to || strncmp(id18, to->key_prefix, 3) != 0) {
			emu_sferr_set(e, 400, "FIELD_INTEGRITY_EXCEPTION",
				      "%s: id value of incorrect type: %s",
				      f->label, id18);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
		if (base_db_int(org->db, 0,
			       to->setup ? "SELECT 1 FROM emu_user WHERE id = ?"
					 : NULL,
			       "s", id18) == 0 &&
		    to->setup) {
			emu_sferr_set(e, 400,
				      "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
				      "insufficient access rights on "
				      "cross-reference id: %s",
				      id18);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
		if (!to->setup) {
			char sql[160];

			snprintf(sql, sizeof(sql),
				 "SELECT 1 + \"IsDeleted\" FROM \"%s\" WHERE \"Id\" = ?",
				 to->name);
			long long st = base_db_int(org->db, 0, sql, "s", id18);

			if (st != 1) {
				emu_sferr_set(e, 400,
					      st == 2 ? "ENTITY_IS_DELETED"
						      : "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
					      st == 2 ? "entity is deleted"
						      : "insufficient access rights "
							"on cross-reference id: %s",
					      id18);
				emu_sferr_field(e, f->name);
				return BASE_EINVAL;
			}
		}
		*out = json_string(id18);
		return 0;
	}
	case EMU_FT_EMAIL:
		if (*s && !is_email(s)) {
			emu_sferr_set(e, 400, "INVALID_EMAIL_ADDRESS",
				      "%s: invalid email address: %.200s",
				      f->label, s);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
		break;
	case EMU_FT_PICKLIST:
	case EMU_FT_MULTIPICKLIST:
		if (f->restricted_picklist && *s) {
			bool ok = false;

			for (int i = 0; !ok && i < f->nvalues; i++)
				ok = strcmp(f->values[i].value, s) == 0;
			if (!ok && f->type == EMU_FT_PICKLIST) {
				emu_sferr_set(e, 400,
					      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
					      "%s: bad value for restricted "
					      "picklist field: %.200s",
					      f->label, s);
				emu_sferr_field(e, f->name);
				return BASE_EINVAL;
			}
		}
		break;
	default:
		break;
	}
	/* Salesforce counts characters, not bytes. */
	if (f->length) {
		long chars = 0;

		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			chars += (*p & 0xC0) != 0x80;
		if (chars > f->length) {
			emu_sferr_set(e, 400, "STRING_TOO_LONG",
				      "%s: data value too large: %.60s%s (max "
				      "length=%d)",
				      f->label, s, chars > 60 ? "..." : "",
				      f->length);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
	}
	/* An empty string is stored as null, as Salesforce does. */
	*out = *s ? json_string(s) : json_null();
	return *out ? 0 : emu_sferr_set(e, 400, "JSON_PARSER_ERROR",
					"invalid UTF-8 in a string value");
}

static void bind_json(sqlite3_stmt *st, int i, json_t *v)
{
	if (json_is_integer(v))
		sqlite3_bind_int64(st, i, json_integer_value(v));
	else if (json_is_real(v))
		sqlite3_bind_double(st, i, json_real_value(v));
	else if (json_is_string(v))
		sqlite3_bind_text(st, i, json_string_value(v), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

json_t *emu_record_value_json(sqlite3_stmt *st, int col, enum emu_ftype t)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return t == EMU_FT_BOOLEAN ? json_false() : json_null();
	switch (t) {
	case EMU_FT_BOOLEAN:
		return json_boolean(sqlite3_column_int(st, col));
	case EMU_FT_INT:
		return json_integer(sqlite3_column_int64(st, col));
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: {
		double d = sqlite3_column_double(st, col);

		return d == floor(d) && fabs(d) < 1e15 ? json_integer((json_int_t)d)
						       : json_real(d);
	}
	default:
		return json_string((const char *)sqlite3_column_text(st, col));
	}
}

/* ---- writes ---- */

struct pair {
	const struct emu_field *f;
	json_t *v; /* checked and converted; owned */
};

struct changes {
	struct pair p[EMU_SCHEMA_MAX_FIELDS];
	int n;
};

static void changes_release(struct changes *c)
{
	for (int i = 0; i < c->n; i++)
		json_decref(c->p[i].v);
	c->n = 0;
}

static bool has_change(const struct changes *c, const struct emu_field *f)
{
	for (int i = 0; i < c->n; i++)
		if (c->p[i].f == f)
			return true;
	return false;
}

static int add_change(struct changes *c, const struct emu_field *f, json_t *v)
{
	if (c->n == EMU_SCHEMA_MAX_FIELDS) {
		json_decref(v);
		return BASE_ETOOBIG;
	}
	c->p[c->n].f = f;
	c->p[c->n].v = v;
	c->n++;
	return 0;
}

/* The body's fields, each checked; `insert` decides which are writable. */
static int collect(struct emu_org *org, const struct emu_sobject *o,
		   json_t *values, bool insert, const char *id,
		   struct changes *c, struct emu_sferr *e)
{
	const char *key;
	json_t *v;
	struct emu_sferr bad = {0};
	bool have_bad = false;

	if (!json_is_object(values))
		return emu_sferr_set(e, 400, "JSON_PARSER_ERROR",
				     "Cannot deserialize instance of %s from "
				     "non-object value",
				     o->name);
	json_object_foreach(values, key, v) {
		const struct emu_field *f;
		json_t *conv;

		if (!strcmp(key, "attributes"))
			continue;
		f = emu_sobject_field(o, key);
		if (f && !emu_fls_readable(org, o->name, f->name))
			f = NULL;
		if (!f)
			return emu_sferr_set(e, 400, "INVALID_FIELD",
					     "No such column '%.80s' on sobject "
					     "of type %s",
					     key, o->name);
		if (!strcmp(f->name, "Id")) {
			char id18[EMU_SFID_LEN + 1];

			if (insert) {
				emu_sferr_set(e, 400,
					      "INVALID_FIELD_FOR_INSERT_UPDATE",
					      "Record ID: cannot specify Id in an "
					      "insert call");
				emu_sferr_field(e, "Id");
				return BASE_EINVAL;
			}
			if (!json_is_string(v) ||
			    !emu_sfid_to18(json_string_value(v), id18) ||
			    strcmp(id18, id) != 0)
				return emu_sferr_set(e, 400, "INVALID_ID_FIELD",
						     "The Id field should not be "
						     "specified in the sobject "
						     "data.");
			continue;
		}
		if (has_change(c, f))
			return emu_sferr_set(e, 400, "JSON_PARSER_ERROR",
					     "Duplicate field: %s", f->name);
		if ((insert ? !f->createable : !f->updateable) ||
		    !emu_fls_editable(org, o->name, f->name)) {
			/* Report every read-only field together, as Salesforce does. */
			if (!have_bad)
				emu_sferr_set(&bad, 400,
					      "INVALID_FIELD_FOR_INSERT_UPDATE",
					      "Unable to create/update fields: %s."
					      " Please check the security "
					      "settings of this field and verify "
					      "that it is read/write for your "
					      "profile or permission set.",
					      f->name);
			else {
				size_t n = strlen(bad.message);
				char *dot = strstr(bad.message, ". Please");

				if (dot && n + strlen(f->name) + 2 < sizeof(bad.message)) {
					memmove(dot + strlen(f->name) + 2, dot,
						strlen(dot) + 1);
					memcpy(dot, ", ", 2);
					memcpy(dot + 2, f->name, strlen(f->name));
				}
			}
			emu_sferr_field(&bad, f->name);
			have_bad = true;
			continue;
		}
		if (check_value(org, f, v, &conv, e))
			return BASE_EINVAL;
		if (add_change(c, f, conv))
			return emu_sferr_set(e, 400, "JSON_PARSER_ERROR",
					     "too many fields");
	}
	if (have_bad) {
		*e = bad;
		return BASE_EINVAL;
	}
	return 0;
}

/* Required fields that are missing (insert) or set to null (update). */
static int check_required(const struct emu_sobject *o, const struct changes *c,
			  bool insert, struct emu_sferr *e)
{
	char list[512] = "";
	struct emu_sferr tmp = {0};

	for (int i = 0; i < o->nfields; i++) {
		const struct emu_field *f = &o->fields[i];
		bool missing = false;

		if (f->nillable || !f->createable || f->defaulted_on_create ||
		    f->calculated)
			continue;
		if (insert)
			missing = true;
		for (int j = 0; j < c->n; j++)
			if (c->p[j].f == f)
				missing = json_is_null(c->p[j].v);
		if (!missing)
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 tmp.nfields ? ", " : "", f->name);
		emu_sferr_field(&tmp, f->name);
	}
	if (!tmp.nfields)
		return 0;
	emu_sferr_set(e, 400, "REQUIRED_FIELD_MISSING",
		      "Required fields are missing: [%s]", list);
	memcpy(e->fields, tmp.fields, sizeof(tmp.fields));
	e->nfields = tmp.nfields;
	return BASE_EINVAL;
}

/* Maps a UNIQUE index violation back to the field and the other record. */
static int duplicate_error(struct emu_org *org, const struct emu_sobject *o,
			   const struct changes *c, const char *self_id,
			   struct emu_sferr *e)
{
	for (int i = 0; i < c->n; i++) {
		const struct emu_field *f = c->p[i].f;
		char other[EMU_SFID_LEN + 1];
		int n = 0;

		if (!f->unique || !json_is_string(c->p[i].v))
			continue;
		if (emu_record_find(org, o, f, json_string_value(c->p[i].v),
				    &other, 1, &n, e) == 0 &&
		    n == 1 && (!self_id || strcmp(other, self_id) != 0)) {
			emu_sferr_set(e, 400, "DUPLICATE_VALUE",
				      "duplicate value found: %s duplicates "
				      "value on record with id: %s",
				      f->name, other);
			emu_sferr_field(e, f->name);
			return BASE_EINVAL;
		}
	}
	return emu_sferr_set(e, 400, "DUPLICATE_VALUE", "duplicate value found");
}

static int run_change(struct emu_org *org, const struct emu_sobject *o,
		      const char *sql, const struct changes *c,
		      const char *const *extra, int nextra, const char *self_id,
		      struct emu_sferr *e)
{
	struct base_err err = BASE_ERR_INIT;
	sqlite3_stmt *st = base_db_cached(org->db, &org->stmts, &err, sql, NULL);
	int rc, k = 1;

	if (!st)
		return emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store: %s",
				     err.msg);
	for (int i = 0; i < c->n; i++)
		bind_json(st, k++, c->p[i].v);
	for (int i = 0; i < nextra; i++)
		sqlite3_bind_text(st, k++, extra[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return duplicate_error(org, o, c, self_id, e);
	if (rc != SQLITE_DONE)
		return emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store: %s",
				     sqlite3_errmsg(org->db));
	return 0;
}

int emu_record_insert(struct emu_org *org, const struct emu_sobject *o,
		      json_t *values, const char *user_id,
		      char id_out[EMU_SFID_LEN + 1], struct emu_sferr *e)
{
	struct changes c = {.n = 0};
	struct base_buf sql = BASE_BUF_INIT(SQL_MAX);
	struct base_err err = BASE_ERR_INIT;
	char now[40], id[EMU_SFID_LEN + 1];
	const char *extra[7];
	int rc = BASE_EINVAL;

	if (o->setup || !o->createable)
		return emu_sferr_set(e, 405, "METHOD_NOT_ALLOWED",
				     "HTTP Method 'POST' not allowed. Allowed are "
				     "GET,HEAD");
	if (collect(org, o, values, true, NULL, &c, e))
		goto out;
	/* Defaults: picklist defaults, checkboxes false, the caller as owner. */
	for (int i = 0; i < o->nfields; i++) {
		const struct emu_field *f = &o->fields[i];

		if (has_change(&c, f) || !f->createable || f->calculated)
			continue;
		if (!strcmp(f->name, "OwnerId"))
			add_change(&c, f, json_string(user_id));
		else if (f->default_value && f->type == EMU_FT_BOOLEAN)
			add_change(&c, f, json_integer(!strcmp(f->default_value, "true")));
		else if (f->default_value)
			add_change(&c, f, json_string(f->default_value));
	}
	if (check_required(o, &c, true, e))
		goto out;
	if (emu_org_new_id(org, o->key_prefix, id, &err)) {
		rc = emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "%s", err.msg);
		goto out;
	}
	base_time_format_sf(emu_org_now_ms(org), now, sizeof(now));
	base_buf_printf(&sql, "INSERT INTO \"%s\" (", o->name);
	for (int i = 0; i < c.n; i++)
		base_buf_printf(&sql, "\"%s\", ", c.p[i].f->name);
	base_buf_puts(&sql, "\"Id\", \"IsDeleted\", \"CreatedDate\", \"CreatedById\","
			    " \"LastModifiedDate\", \"LastModifiedById\","
			    " \"SystemModstamp\") VALUES (");
	for (int i = 0; i < c.n; i++)
		base_buf_puts(&sql, "?, ");
	base_buf_puts(&sql, "?, 0, ?, ?, ?, ?, ?)");
	extra[0] = id;
	extra[1] = now;
	extra[2] = user_id;
	extra[3] = now;
	extra[4] = user_id;
	extra[5] = now;
	if (base_buf_err(&sql)) {
		rc = emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "statement too long");
		goto out;
	}
	rc = run_change(org, o, base_buf_str(&sql), &c, extra, 6, NULL, e);
	if (rc == 0)
		memcpy(id_out, id, sizeof(id));
out:
	changes_release(&c);
	base_buf_release(&sql);
	return rc;
}

/* 0 when the record exists and is live; 404s otherwise. */
static int live(struct emu_org *org, const struct emu_sobject *o,
		const char *id, char id18[EMU_SFID_LEN + 1], struct emu_sferr *e)
{
	char sql[160];
	long long st;

	if (!emu_sfid_to18(id, id18) || strncmp(id18, o->key_prefix, 3) != 0)
		return emu_sferr_set(e, 404, "NOT_FOUND",
				     "The requested resource does not exist");
	snprintf(sql, sizeof(sql),
		 "SELECT 1 + \"IsDeleted\" FROM \"%s\" WHERE \"Id\" = ?", o->name);
	st = base_db_int(org->db, 0, sql, "s", id18);
	if (st == 2)
		return emu_sferr_set(e, 404, "ENTITY_IS_DELETED",
				     "entity is deleted");
	if (st != 1)
		return emu_sferr_set(e, 404, "NOT_FOUND",
				     "The requested resource does not exist");
	return 0;
}

/* UserLogin is the one setup object the API may change: unlocking. */
static int update_user_login(struct emu_org *org, const char *id,
			     json_t *values, struct emu_sferr *e)
{
	json_t *v = json_object_get(values, "IsPasswordLocked");
	sqlite3_stmt *st;
	char uid[EMU_SFID_LEN + 1] = "";

	if (json_object_size(values) != 1 || !json_is_false(v))
		return emu_sferr_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE",
				     "Unable to create/update fields: "
				     "IsPasswordLocked. Only false may be set, "
				     "to unlock the user.");
	if (base_db_prepare(org->db, &st, NULL,
			   "SELECT \"UserId\" FROM \"UserLogin\" WHERE \"Id\" = ?",
			   "s", id))
		return emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store");
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(uid, sizeof(uid), "%s", base_db_text(st, 0));
	sqlite3_finalize(st);
	if (!uid[0])
		return emu_sferr_set(e, 404, "NOT_FOUND",
				     "The requested resource does not exist");
	return emu_org_unlock_user(org, uid, NULL)
		       ? emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store")
		       : 0;
}

int emu_record_update(struct emu_org *org, const struct emu_sobject *o,
		      const char *id, json_t *values, const char *user_id,
		      struct emu_sferr *e)
{
	struct changes c = {.n = 0};
	struct base_buf sql = BASE_BUF_INIT(SQL_MAX);
	char now[40], id18[EMU_SFID_LEN + 1];
	const char *extra[4];
	int rc;

	if (!strcmp(o->name, "UserLogin") && emu_sfid_to18(id, id18))
		return update_user_login(org, id18, values, e);
	if (o->setup || !o->updateable)
		return emu_sferr_set(e, 405, "METHOD_NOT_ALLOWED",
				     "HTTP Method 'PATCH' not allowed. Allowed "
				     "are GET,HEAD");
	rc = live(org, o, id, id18, e);
	if (rc == 0)
		rc = collect(org, o, values, false, id18, &c, e);
	if (rc == 0)
		rc = check_required(o, &c, false, e);
	if (rc)
		goto out;
	base_time_format_sf(emu_org_now_ms(org), now, sizeof(now));
	base_buf_printf(&sql, "UPDATE \"%s\" SET ", o->name);
	for (int i = 0; i < c.n; i++)
		base_buf_printf(&sql, "\"%s\" = ?, ", c.p[i].f->name);
	base_buf_puts(&sql, "\"LastModifiedDate\" = ?, \"LastModifiedById\" = ?,"
			    " \"SystemModstamp\" = ? WHERE \"Id\" = ?");
	extra[0] = now;
	extra[1] = user_id;
	extra[2] = now;
	extra[3] = id18;
	rc = run_change(org, o, base_buf_str(&sql), &c, extra, 4, id18, e);
out:
	changes_release(&c);
	base_buf_release(&sql);
	return rc;
}

int emu_record_delete(struct emu_org *org, const struct emu_sobject *o,
		      const char *id, const char *user_id, struct emu_sferr *e)
{
	char id18[EMU_SFID_LEN + 1], now[40];
	struct base_buf sql = BASE_BUF_INIT(1024);
	int rc;

	if (o->setup || !o->deletable)
		return emu_sferr_set(e, 405, "METHOD_NOT_ALLOWED",
				     "HTTP Method 'DELETE' not allowed. Allowed "
				     "are GET,HEAD");
	rc = live(org, o, id, id18, e);
	if (rc)
		return rc;
	base_time_format_sf(emu_org_now_ms(org), now, sizeof(now));
	/* Into the recycle bin: the row stays, for queryAll and deleted/. */
	base_buf_printf(&sql,
			"UPDATE \"%s\" SET \"IsDeleted\" = 1, \"LastModifiedDate\" = ?,"
			" \"LastModifiedById\" = ?, \"SystemModstamp\" = ? WHERE"
			" \"Id\" = ?",
			o->name);
	rc = base_db_run(org->db, NULL, base_buf_str(&sql), "ssss", now, user_id,
			now, id18)
		     ? emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store")
		     : 0;
	base_buf_release(&sql);
	return rc;
}

/* ---- reads ---- */

static json_t *attributes(const struct emu_sobject *o, const char *id,
			  int version)
{
	char url[160];

	snprintf(url, sizeof(url), "/services/data/v%d.0/sobjects/%s/%s",
		 version, o->name, id);
	return json_pack("{s:s, s:s}", "type", o->name, "url", url);
}

int emu_record_get(struct emu_org *org, const struct emu_sobject *o,
		   const char *id, const char *fields, int version,
		   json_t **out, struct emu_sferr *e)
{
	const struct emu_field *sel[EMU_SCHEMA_MAX_FIELDS];
	struct base_buf sql = BASE_BUF_INIT(SQL_MAX);
	char id18[EMU_SFID_LEN + 1];
	sqlite3_stmt *st = NULL;
	int n = 0, rc;
	json_t *rec;

	*out = NULL;
	if (fields && *fields) {
		const char *p = fields;

		while (*p) {
			char name[96];
			size_t len = strcspn(p, ",");

			if (len == 0 || len >= sizeof(name) || n == EMU_SCHEMA_MAX_FIELDS)
				return emu_sferr_set(e, 400, "INVALID_FIELD",
						     "No such column '%.*s' on "
						     "entity '%s'",
						     (int)(len < 80 ? len : 80), p,
						     o->name);
			memcpy(name, p, len);
			name[len] = '\0';
			while (len && name[len - 1] == ' ')
				name[--len] = '\0';
			const char *nm = name;
			while (*nm == ' ')
				nm++;
			sel[n] = emu_sobject_field(o, nm);
			if (sel[n] && !emu_fls_readable(org, o->name, sel[n]->name))
				sel[n] = NULL;
			if (!sel[n])
				return emu_sferr_set(
					e, 400, "INVALID_FIELD",
					"No such column '%s' on entity '%s'. If "
					"you are attempting to use a custom field, "
					"be sure to append the '__c' after the "
					"custom field name. Please reference your "
					"WSDL or the describe call for the "
					"appropriate names.",
					nm, o->name);
			n++;
			p += strlen(p + 0) > 0 ? (p[strcspn(p, ",")] ? strcspn(p, ",") + 1
								   : strcspn(p, ","))
					       : 0;
		}
	} else {
		for (int i = 0; i < o->nfields; i++)
			if (emu_fls_readable(org, o->name, o->fields[i].name))
				sel[n++] = &o->fields[i];
	}
	if (o->setup) {
		if (!emu_sfid_to18(id, id18) || strncmp(id18, o->key_prefix, 3))
			return emu_sferr_set(e, 404, "NOT_FOUND",
					     "The requested resource does not "
					     "exist");
	} else if ((rc = live(org, o, id, id18, e)) != 0) {
		return rc;
	}
	base_buf_puts(&sql, "SELECT ");
	for (int i = 0; i < n; i++)
		base_buf_printf(&sql, "%s\"%s\"", i ? ", " : "", sel[i]->name);
	base_buf_printf(&sql, " FROM \"%s\" WHERE \"Id\" = ?", o->name);
	st = base_db_cached(org->db, &org->stmts, NULL, base_buf_str(&sql), "s",
			   id18);
	base_buf_release(&sql);
	if (!st)
		return emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store");
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return emu_sferr_set(e, 404, "NOT_FOUND",
				     "The requested resource does not exist");
	}
	rec = json_object();
	json_object_set_new(rec, "attributes", attributes(o, id18, version));
	for (int i = 0; i < n; i++)
		json_object_set_new(rec, sel[i]->name,
				    emu_record_value_json(st, i, sel[i]->type));
	sqlite3_reset(st);
	*out = rec;
	return 0;
}

int emu_record_find(struct emu_org *org, const struct emu_sobject *o,
		    const struct emu_field *f, const char *value,
		    char (*ids)[EMU_SFID_LEN + 1], int max, int *n,
		    struct emu_sferr *e)
{
	struct base_buf sql = BASE_BUF_INIT(1024);
	sqlite3_stmt *st;

	*n = 0;
	base_buf_printf(&sql,
			"SELECT \"Id\" FROM \"%s\" WHERE \"%s\" = ?%s AND"
			" \"IsDeleted\" = 0 LIMIT %d",
			o->name, f->name,
			f->type == EMU_FT_STRING || f->type == EMU_FT_EMAIL
				? " COLLATE NOCASE"
				: "",
			max);
	st = base_db_cached(org->db, &org->stmts, NULL, base_buf_str(&sql), "s",
			   value);
	base_buf_release(&sql);
	if (!st)
		return emu_sferr_set(e, 500, "UNKNOWN_EXCEPTION", "store");
	while (*n < max && sqlite3_step(st) == SQLITE_ROW)
		snprintf(ids[(*n)++], EMU_SFID_LEN + 1, "%s", base_db_text(st, 0));
	sqlite3_reset(st);
	return 0;
}

int emu_record_find_key(struct emu_org *org, const struct emu_sobject *o,
			const struct emu_field *f, const char *value,
			char (*ids)[EMU_SFID_LEN + 1], int max, int *n,
			struct emu_sferr *e)
{
	char id18[EMU_SFID_LEN + 1];
	struct emu_sferr ignore = {0};
	json_t *got = NULL;

	if (strcmp(f->name, "Id") != 0)
		return emu_record_find(org, o, f, value, ids, max, n, e);
	*n = 0;
	/* Version 0: it only shapes the attributes url, which is dropped. */
	if (max > 0 && emu_sfid_to18(value, id18) &&
	    !strncmp(id18, o->key_prefix, 3) &&
	    emu_record_get(org, o, id18, "Id", 0, &got, &ignore) == 0) {
		memcpy(ids[0], id18, sizeof(id18));
		*n = 1;
	}
	json_decref(got);
	return 0;
}

int emu_records_seed(struct emu_org *org, json_t *records, const char *owner_id,
		     struct base_err *err)
{
	const char *name;
	json_t *list;

	json_object_foreach(records, name, list) {
		const struct emu_sobject *o = emu_schema_object(org->schema, name);
		size_t i;
		json_t *r;

		if (!o || o->setup)
			return base_err_set(err, BASE_EINVAL,
					    "records.%s: no such data object",
					    name);
		json_array_foreach(list, i, r) {
			char id[EMU_SFID_LEN + 1];
			struct emu_sferr e = {0};

			if (emu_record_insert(org, o, r, owner_id, id, &e))
				return base_err_set(err, BASE_EINVAL,
						    "records.%s[%zu]: %s: %s",
						    name, i, e.code, e.message);
		}
	}
	return 0;
}
