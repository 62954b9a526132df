/* schema.h - the org's sObjects and their fields: standard ones plus the org file's custom ones. */
#ifndef EMU_SCHEMA_H
#define EMU_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"

/* Most fields an object may have (standard plus custom). */
#define EMU_SCHEMA_MAX_FIELDS 500

/* API field types, as describe reports them. */
enum emu_ftype {
	EMU_FT_ID,            /* "id" */
	EMU_FT_STRING,        /* "string" */
	EMU_FT_TEXTAREA,      /* "textarea" */
	EMU_FT_EMAIL,         /* "email" */
	EMU_FT_PHONE,         /* "phone" */
	EMU_FT_URL,           /* "url" */
	EMU_FT_PICKLIST,      /* "picklist" */
	EMU_FT_MULTIPICKLIST, /* "multipicklist": values joined by ';' */
	EMU_FT_BOOLEAN,       /* "boolean" */
	EMU_FT_INT,           /* "int" */
	EMU_FT_DOUBLE,        /* "double" */
	EMU_FT_CURRENCY,      /* "currency" */
	EMU_FT_PERCENT,       /* "percent" */
	EMU_FT_DATE,          /* "date": "YYYY-MM-DD" */
	EMU_FT_DATETIME,      /* "datetime": "YYYY-MM-DDTHH:MM:SS.000+0000" */
	EMU_FT_REFERENCE,     /* "reference": an 18-character id */
};

/*
 * How a value is stored in SQLite: ids, strings, picklists and dates as TEXT
 * (datetimes always UTC "+0000", so text order is time order), booleans as
 * INTEGER 0/1, int as INTEGER, double/currency/percent as REAL.
 */

struct emu_picklist_value {
	char *value;
	char *label;
	bool is_default;
	bool active;
};

/* Immutable once the schema is built; share freely. */
struct emu_field {
	char *name;              /* API name, canonical case: "AccountId" */
	char *label;
	enum emu_ftype type;
	int length;              /* strings: max characters; 0 otherwise */
	int precision, scale;    /* numbers */
	bool nillable;           /* false: required on create (unless defaulted) */
	bool createable;
	bool updateable;
	bool unique;
	bool external_id;
	bool id_lookup;
	bool custom;
	bool calculated;         /* computed by sfemu (Name of a Contact, IsWon) */
	bool defaulted_on_create;
	bool restricted_picklist;
	bool filterable, sortable, groupable;
	char *reference_to;      /* object name for lookups, else NULL */
	char *relationship_name; /* "Account" for AccountId, "Owner" for OwnerId */
	struct emu_picklist_value *values;
	int nvalues;
	char *default_value;     /* as text, or NULL */
};

struct emu_sobject {
	char *name;          /* "Account", "PRM_Deal__c" */
	char *label;
	char *label_plural;
	char key_prefix[4];  /* "001" */
	bool custom;
	bool setup;          /* backed by a view over sfemu's own tables */
	bool createable, updateable, deletable, queryable;
	struct emu_field *fields;
	int nfields;
};

/* Immutable once built; share freely. */
struct emu_schema {
	struct emu_sobject *objects;
	int nobjects;
};

/*
 * Builds the standard objects, then adds the org file's "customObjects"
 * ([{"name":"Deal__c","label":..,"fields":[..]}]) and "customFields"
 * ({"Account":[{"name":"PRM_Id__c","type":"Text","length":64,...}]}).
 * Field types use Salesforce's metadata names: Text, TextArea, LongTextArea,
 * Email, Phone, Url, Picklist, MultiselectPicklist, Checkbox, Number,
 * Currency, Percent, Date, DateTime, Lookup. Caller owns *out.
 */
int emu_schema_build(json_t *custom_objects, json_t *custom_fields,
		     struct emu_schema **out, struct base_err *err);
void emu_schema_free(struct emu_schema *s);

/* Case-insensitive lookups; NULL when absent. Borrowed from the schema. */
const struct emu_sobject *emu_schema_object(const struct emu_schema *s,
					    const char *name);
const struct emu_sobject *emu_schema_object_by_prefix(const struct emu_schema *s,
						      const char *key_prefix);
const struct emu_field *emu_sobject_field(const struct emu_sobject *o,
					  const char *name);
/* The reference field whose relationshipName is `rel` ("Account", "Owner"). */
const struct emu_field *emu_sobject_relationship(const struct emu_sobject *o,
						 const char *rel);
/* "string", "boolean", ... */
const char *emu_ftype_name(enum emu_ftype t);
/* "xsd:string", "tns:ID", ... */
const char *emu_ftype_soap(enum emu_ftype t);

#endif
