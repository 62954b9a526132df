/* records.h - sObject records in SQLite: tables, setup views, and the checks Salesforce makes on writes. */
#ifndef EMU_RECORDS_H
#define EMU_RECORDS_H

#include <jansson.h>
#include <stdbool.h>

#include "org.h"
#include "schema.h"

/* A Salesforce API error: HTTP status, errorCode, message, fields. */
struct emu_sferr {
	int status;
	char code[64];
	char message[1024];
	char fields[8][80];
	int nfields;
};

/* Fills e and returns BASE_EINVAL (or the given code), so "return emu_sferr_set(...)" works. */
int emu_sferr_set(struct emu_sferr *e, int status, const char *code,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void emu_sferr_field(struct emu_sferr *e, const char *field);
/* [{"message","errorCode","fields"?}] — the REST error body. Caller owns. */
json_t *emu_sferr_json(const struct emu_sferr *e);
/* {"statusCode","message","fields"} — one row's error in collections. */
json_t *emu_sferr_row_json(const struct emu_sferr *e);

/*
 * Creates the tables of the data objects (one per sObject, a column per
 * field, indexes on unique and external-id fields, SystemModstamp and
 * LastModifiedDate) and the views that show sfemu's own state as setup
 * objects (User, Profile, UserLogin, LoginHistory, ...). Idempotent: run at
 * every start, it adds columns for fields new to the org file.
 */
int emu_records_init(struct emu_org *org, struct base_err *err);
/* Loads the org file's "records" into a fresh org, owned by `owner_id`. */
int emu_records_seed(struct emu_org *org, json_t *records, const char *owner_id,
		     struct base_err *err);

/* Writes. `user_id` is the caller (CreatedById, default OwnerId). Each
 * returns 0, or BASE_EINVAL with e filled in Salesforce's terms. Each
 * writes with one SQL statement, so a refused write leaves nothing behind
 * without a savepoint of its own. */
int emu_record_insert(struct emu_org *org, const struct emu_sobject *o,
		      json_t *values, const char *user_id,
		      char id_out[EMU_SFID_LEN + 1], struct emu_sferr *e);
int emu_record_update(struct emu_org *org, const struct emu_sobject *o,
		      const char *id, json_t *values, const char *user_id,
		      struct emu_sferr *e);
int emu_record_delete(struct emu_org *org, const struct emu_sobject *o,
		      const char *id, const char *user_id, struct emu_sferr *e);

/*
 * Reads one record as Salesforce's JSON ({"attributes":{..}, fields...}).
 * `fields` (comma-separated API names, or NULL for all) must all exist.
 * `version` is for the attributes url. Caller owns *out.
 */
int emu_record_get(struct emu_org *org, const struct emu_sobject *o,
		   const char *id, const char *fields, int version,
		   json_t **out, struct emu_sferr *e);
/* Ids of live records whose `field` equals `value` (at most `max`). */
int emu_record_find(struct emu_org *org, const struct emu_sobject *o,
		    const struct emu_field *f, const char *value,
		    char (*ids)[EMU_SFID_LEN + 1], int max, int *n,
		    struct emu_sferr *e);
/*
 * The same for a key the external-id endpoints take: with f the Id field,
 * the record with that id (15 or 18 characters, of o's key prefix) if it
 * exists and the caller may read it; else as emu_record_find.
 */
int emu_record_find_key(struct emu_org *org, const struct emu_sobject *o,
			const struct emu_field *f, const char *value,
			char (*ids)[EMU_SFID_LEN + 1], int max, int *n,
			struct emu_sferr *e);
/* The object an id belongs to, by key prefix; NULL when none. */
const struct emu_sobject *emu_record_object_of(struct emu_org *org,
					       const char *id);

/* Field-level security of the current REST caller (org->fls): a field
 * that isn't readable reads exactly like one that doesn't exist. */
bool emu_fls_readable(const struct emu_org *org, const char *object,
		      const char *field);
bool emu_fls_editable(const struct emu_org *org, const char *object,
		      const char *field);

/* Appends one SQLite column value as JSON for a field of type t. */
json_t *emu_record_value_json(sqlite3_stmt *st, int col, enum emu_ftype t);

#endif
