/* schema.c - the org's sObjects and their fields: standard ones plus the org file's custom ones. */
#include "schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema_std.h"
#include "base/banned.h"

#define MAX_OBJECTS 200
#define MAX_FIELDS EMU_SCHEMA_MAX_FIELDS

static const struct {
	const char *meta; /* metadata type name, as in the org file */
	enum emu_ftype type;
} field_types[] = {
	{"Text", EMU_FT_STRING},       {"TextArea", EMU_FT_TEXTAREA},
	{"LongTextArea", EMU_FT_TEXTAREA}, {"Email", EMU_FT_EMAIL},
	{"Phone", EMU_FT_PHONE},       {"Url", EMU_FT_URL},
	{"Picklist", EMU_FT_PICKLIST}, {"MultiselectPicklist", EMU_FT_MULTIPICKLIST},
	{"Checkbox", EMU_FT_BOOLEAN},  {"Number", EMU_FT_DOUBLE},
	{"Currency", EMU_FT_CURRENCY}, {"Percent", EMU_FT_PERCENT},
	{"Date", EMU_FT_DATE},         {"DateTime", EMU_FT_DATETIME},
	{"Lookup", EMU_FT_REFERENCE},
};

const char *emu_ftype_name(enum emu_ftype t)
{
	static const char *const names[] = {
		"id",   "string",  "textarea", "email",    "phone",   "url",
		"picklist", "multipicklist", "boolean", "int", "double",
		"currency", "percent", "date", "datetime", "reference"};

	return names[t];
}

const char *emu_ftype_soap(enum emu_ftype t)
{
	switch (t) {
	case EMU_FT_ID:
	case EMU_FT_REFERENCE: return "tns:ID";
	case EMU_FT_BOOLEAN: return "xsd:boolean";
	case EMU_FT_INT: return "xsd:int";
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: return "xsd:double";
	case EMU_FT_DATE: return "xsd:date";
	case EMU_FT_DATETIME: return "xsd:dateTime";
	default: return "xsd:string";
	}
}

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void field_release(struct emu_field *f)
{
	free(f->name);
	free(f->label);
	free(f->reference_to);
	free(f->relationship_name);
	free(f->default_value);
	for (int i = 0; i < f->nvalues; i++) {
		free(f->values[i].value);
		free(f->values[i].label);
	}
	free(f->values);
}

void emu_schema_free(struct emu_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nobjects; i++) {
		struct emu_sobject *o = &s->objects[i];

		for (int j = 0; j < o->nfields; j++)
			field_release(&o->fields[j]);
		free(o->fields);
		free(o->name);
		free(o->label);
		free(o->label_plural);
	}
	free(s->objects);
	free(s);
}

const struct emu_sobject *emu_schema_object(const struct emu_schema *s,
					    const char *name)
{
	for (int i = 0; i < s->nobjects; i++)
		if (strcasecmp(s->objects[i].name, name) == 0)
			return &s->objects[i];
	return NULL;
}

const struct emu_sobject *emu_schema_object_by_prefix(const struct emu_schema *s,
						      const char *key_prefix)
{
	for (int i = 0; i < s->nobjects; i++)
		if (strncmp(s->objects[i].key_prefix, key_prefix, 3) == 0)
			return &s->objects[i];
	return NULL;
}

const struct emu_field *emu_sobject_field(const struct emu_sobject *o,
					  const char *name)
{
	for (int i = 0; i < o->nfields; i++)
		if (strcasecmp(o->fields[i].name, name) == 0)
			return &o->fields[i];
	return NULL;
}

const struct emu_field *emu_sobject_relationship(const struct emu_sobject *o,
						 const char *rel)
{
	for (int i = 0; i < o->nfields; i++)
		if (o->fields[i].relationship_name &&
		    strcasecmp(o->fields[i].relationship_name, rel) == 0)
			return &o->fields[i];
	return NULL;
}

/* ---- building ---- */

static struct emu_field *add_field(struct emu_sobject *o, const char *name,
				   const char *label, enum emu_ftype type,
				   struct base_err *err)
{
	struct emu_field *f;

	if (o->nfields >= MAX_FIELDS) {
		base_err_set(err, BASE_ETOOBIG, "%s: more than %d fields", o->name,
			     MAX_FIELDS);
		return NULL;
	}
	if (emu_sobject_field(o, name)) {
		base_err_set(err, BASE_EINVAL, "%s: field '%s' is defined twice",
			     o->name, name);
		return NULL;
	}
	f = &o->fields[o->nfields++];
	memset(f, 0, sizeof(*f));
	f->name = dupstr(name);
	f->label = dupstr(label ? label : name);
	f->type = type;
	f->nillable = true;
	f->createable = f->updateable = true;
	f->filterable = f->sortable = f->groupable = true;
	if (!f->name || !f->label) {
		base_err_set(err, BASE_ENOMEM, "schema");
		return NULL;
	}
	return f;
}

static struct emu_field *system_field(struct emu_sobject *o, const char *name,
				      const char *label, enum emu_ftype type,
				      struct base_err *err)
{
	struct emu_field *f = add_field(o, name, label, type, err);

	if (f) {
		f->createable = f->updateable = false;
		f->nillable = false;
		f->defaulted_on_create = true;
	}
	return f;
}

static int reference(struct emu_field *f, const char *to, const char *rel)
{
	f->reference_to = dupstr(to);
	f->relationship_name = dupstr(rel);
	return f->reference_to && f->relationship_name ? 0 : BASE_ENOMEM;
}

/* Id first, audit fields last, as describe lists them. */
static int add_system_head(struct emu_sobject *o, bool owned,
			   struct base_err *err)
{
	struct emu_field *f = system_field(o, "Id", NULL, EMU_FT_ID, err);

	if (!f)
		return BASE_ERR;
	f->label = (free(f->label), dupstr("Record ID"));
	f->id_lookup = true;
	f->length = 18;
	f = system_field(o, "IsDeleted", "Deleted", EMU_FT_BOOLEAN, err);
	if (!f)
		return BASE_ERR;
	if (owned) {
		f = add_field(o, "OwnerId", "Owner ID", EMU_FT_REFERENCE, err);
		if (!f || reference(f, "User", "Owner"))
			return BASE_ERR;
		f->nillable = false;
		f->defaulted_on_create = true;
		f->length = 18;
	}
	return 0;
}

static int add_system_tail(struct emu_sobject *o, struct base_err *err)
{
	struct emu_field *f;

	if (!system_field(o, "CreatedDate", "Created Date", EMU_FT_DATETIME, err))
		return BASE_ERR;
	f = system_field(o, "CreatedById", "Created By ID", EMU_FT_REFERENCE, err);
	if (!f || reference(f, "User", "CreatedBy"))
		return BASE_ERR;
	if (!system_field(o, "LastModifiedDate", "Last Modified Date",
			  EMU_FT_DATETIME, err))
		return BASE_ERR;
	f = system_field(o, "LastModifiedById", "Last Modified By ID",
			 EMU_FT_REFERENCE, err);
	if (!f || reference(f, "User", "LastModifiedBy"))
		return BASE_ERR;
	return system_field(o, "SystemModstamp", "System Modstamp",
			    EMU_FT_DATETIME, err)
		       ? 0
		       : BASE_ERR;
}

/* Letters, digits and single underscores, starting with a letter; custom
 * names end in "__c" (the only double underscore allowed). */
static bool valid_api_name(const char *s, bool custom)
{
	size_t n = strlen(s), base = n;

	if (custom) {
		if (n < 4 || strcmp(s + n - 3, "__c") != 0)
			return false;
		base = n - 3;
	}
	if (base == 0 || base > 40 || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < base; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
		if (s[i] == '_' && (i + 1 == base || s[i + 1] == '_'))
			return false;
	}
	return true;
}

static int parse_values(struct emu_field *f, json_t *vals, const char *where,
			struct base_err *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(vals) || json_array_size(vals) == 0 ||
	    json_array_size(vals) > 1000)
		return base_err_set(err, BASE_EINVAL,
				    "%s: a picklist needs 'values', 1 to 1000 "
				    "strings",
				    where);
	f->values = calloc(json_array_size(vals), sizeof(*f->values));
	if (!f->values)
		return base_err_set(err, BASE_ENOMEM, "schema");
	json_array_foreach(vals, i, v) {
		const char *s = json_string_value(v);

		if (!s || !*s || strlen(s) > 255 || strchr(s, ';'))
			return base_err_set(err, BASE_EINVAL,
					    "%s.values[%zu]: must be a non-empty "
					    "string without ';'",
					    where, i);
		f->values[i].value = dupstr(s);
		f->values[i].label = dupstr(s);
		f->values[i].active = true;
		f->nvalues++;
		if (f->default_value && strcmp(f->default_value, s) == 0)
			f->values[i].is_default = true;
	}
	return 0;
}

static bool has_value(const struct emu_field *f, const char *v)
{
	for (int i = 0; i < f->nvalues; i++)
		if (strcmp(f->values[i].value, v) == 0)
			return true;
	return false;
}

static bool flag(json_t *def, const char *key, bool dflt)
{
	json_t *v = json_object_get(def, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/*
 * One field from its definition. `custom` fields follow the org file's
 * rules (API name ends in __c); standard ones may set system properties.
 */
static int parse_field(struct emu_sobject *o, json_t *def, bool custom,
		       const char *where, struct base_err *err)
{
	static const char *const keys[] = {
		"name", "label", "type", "length", "precision", "scale",
		"required", "unique", "externalId", "idLookup", "values",
		"restricted", "default", "referenceTo", "relationshipName",
		"createable", "updateable", "calculated", "description", NULL};
	const char *name = json_string_value(json_object_get(def, "name"));
	const char *type = json_string_value(json_object_get(def, "type"));
	json_t *jlen = json_object_get(def, "length");
	json_t *dflt = json_object_get(def, "default");
	const char *key;
	json_t *v;
	struct emu_field *f;
	size_t t;

	if (!json_is_object(def))
		return base_err_set(err, BASE_EINVAL, "%s: must be an object",
				    where);
	json_object_foreach(def, key, v) {
		bool ok = false;

		for (int k = 0; keys[k]; k++)
			ok = ok || strcmp(keys[k], key) == 0;
		if (!ok)
			return base_err_set(err, BASE_EINVAL,
					    "%s: unknown key '%s'", where, key);
	}
	if (!name || !valid_api_name(name, custom))
		return base_err_set(err, BASE_EINVAL,
				    custom ? "%s.name: must be an API name "
					     "ending in __c (like PRM_Id__c)"
					   : "%s.name: not an API name",
				    where);
	for (t = 0; t < sizeof(field_types) / sizeof(field_types[0]); t++)
		if (type && strcmp(type, field_types[t].meta) == 0)
			break;
	if (t == sizeof(field_types) / sizeof(field_types[0]))
		return base_err_set(err, BASE_EINVAL,
				    "%s.type: '%s' is not a field type (Text, "
				    "TextArea, LongTextArea, Email, Phone, Url, "
				    "Picklist, MultiselectPicklist, Checkbox, "
				    "Number, Currency, Percent, Date, DateTime, "
				    "Lookup)",
				    where, type ? type : "");
	f = add_field(o, name, json_string_value(json_object_get(def, "label")),
		      field_types[t].type, err);
	if (!f)
		return BASE_ERR;
	f->custom = custom;
	f->nillable = !flag(def, "required", false);
	f->unique = flag(def, "unique", false);
	f->external_id = flag(def, "externalId", false);
	f->id_lookup = flag(def, "idLookup", f->unique || f->external_id);
	f->calculated = flag(def, "calculated", false);
	f->createable = flag(def, "createable", !f->calculated);
	f->updateable = flag(def, "updateable", !f->calculated);
	f->restricted_picklist = flag(def, "restricted", false);
	if (dflt && !json_is_string(dflt))
		return base_err_set(err, BASE_EINVAL,
				    "%s.default: must be a string", where);
	f->default_value = dupstr(json_string_value(dflt));
	f->defaulted_on_create = f->default_value != NULL;
	switch (f->type) {
	case EMU_FT_STRING:
	case EMU_FT_EMAIL:
	case EMU_FT_PHONE:
	case EMU_FT_URL:
	case EMU_FT_TEXTAREA: {
		long long max = !strcmp(type, "LongTextArea") ? 131072 : 255;
		long long len = json_is_integer(jlen) ? json_integer_value(jlen)
						      : (f->type == EMU_FT_EMAIL ? 80
							 : f->type == EMU_FT_PHONE ? 40
							 : 255);

		if (jlen && !json_is_integer(jlen))
			return base_err_set(err, BASE_EINVAL,
					    "%s.length: must be an integer",
					    where);
		if (len < 1 || len > max)
			return base_err_set(err, BASE_EINVAL,
					    "%s.length: must be 1 to %lld", where,
					    max);
		f->length = (int)len;
		if (f->type == EMU_FT_TEXTAREA) {
			f->filterable = !strcmp(type, "TextArea");
			f->sortable = f->groupable = false;
		}
		break;
	}
	case EMU_FT_PICKLIST:
	case EMU_FT_MULTIPICKLIST:
		if (parse_values(f, json_object_get(def, "values"), where, err))
			return BASE_ERR;
		if (f->default_value && !has_value(f, f->default_value))
			return base_err_set(err, BASE_EINVAL,
					    "%s.default: '%s' is not one of the "
					    "values",
					    where, f->default_value);
		f->length = 255;
		if (f->type == EMU_FT_MULTIPICKLIST) {
			f->length = 4099;
			f->sortable = f->groupable = false;
		}
		break;
	case EMU_FT_BOOLEAN:
		/* A checkbox is never null: false unless a default says so. */
		if (f->default_value && strcmp(f->default_value, "true") &&
		    strcmp(f->default_value, "false"))
			return base_err_set(err, BASE_EINVAL,
					    "%s.default: must be \"true\" or "
					    "\"false\"",
					    where);
		if (!f->default_value)
			f->default_value = dupstr("false");
		f->nillable = false;
		f->defaulted_on_create = true;
		break;
	case EMU_FT_DOUBLE:
	case EMU_FT_CURRENCY:
	case EMU_FT_PERCENT: {
		json_t *p = json_object_get(def, "precision");
		json_t *s = json_object_get(def, "scale");

		f->precision = json_is_integer(p) ? (int)json_integer_value(p) : 18;
		f->scale = json_is_integer(s) ? (int)json_integer_value(s) : 0;
		if (f->precision < 1 || f->precision > 18 || f->scale < 0 ||
		    f->scale > f->precision)
			return base_err_set(err, BASE_EINVAL,
					    "%s: precision must be 1 to 18 and "
					    "scale 0 to precision",
					    where);
		/* Standard whole numbers (NumberOfEmployees) are "int". */
		if (!custom && f->type == EMU_FT_DOUBLE && f->scale == 0)
			f->type = EMU_FT_INT;
		break;
	}
	case EMU_FT_REFERENCE: {
		const char *to = json_string_value(json_object_get(def, "referenceTo"));
		const char *rel = json_string_value(
			json_object_get(def, "relationshipName"));
		char relbuf[64];

		if (!to)
			return base_err_set(err, BASE_EINVAL,
					    "%s.referenceTo: a Lookup needs the "
					    "object it points at",
					    where);
		if (!rel) {
			/* Custom lookups relate through Name__r. */
			snprintf(relbuf, sizeof(relbuf), "%.*s__r",
				 (int)strlen(name) - 3, name);
			rel = relbuf;
		}
		if (reference(f, to, rel))
			return base_err_set(err, BASE_ENOMEM, "schema");
		f->length = 18;
		break;
	}
	default:
		break;
	}
	if ((f->unique || f->external_id) &&
	    f->type != EMU_FT_STRING && f->type != EMU_FT_EMAIL &&
	    f->type != EMU_FT_DOUBLE && f->type != EMU_FT_INT)
		return base_err_set(err, BASE_EINVAL,
				    "%s: only Text, Email and Number fields can "
				    "be unique or external ids",
				    where);
	return 0;
}

static struct emu_sobject *new_object(struct emu_schema *s, const char *name,
				      struct base_err *err)
{
	struct emu_sobject *o;

	if (s->nobjects >= MAX_OBJECTS) {
		base_err_set(err, BASE_ETOOBIG, "more than %d objects", MAX_OBJECTS);
		return NULL;
	}
	if (emu_schema_object(s, name)) {
		base_err_set(err, BASE_EINVAL, "object '%s' is defined twice", name);
		return NULL;
	}
	o = &s->objects[s->nobjects++];
	memset(o, 0, sizeof(*o));
	o->name = dupstr(name);
	o->fields = calloc(MAX_FIELDS, sizeof(*o->fields));
	if (!o->name || !o->fields) {
		base_err_set(err, BASE_ENOMEM, "schema");
		return NULL;
	}
	o->createable = o->updateable = o->deletable = o->queryable = true;
	return o;
}

static int add_permission_fields(struct emu_sobject *o, struct base_err *err)
{
	char name[80], label[100];

	for (int i = 0; emu_schema_permissions[i]; i++) {
		struct emu_field *f;

		snprintf(name, sizeof(name), "Permissions%s",
			 emu_schema_permissions[i]);
		snprintf(label, sizeof(label), "%s", emu_schema_permissions[i]);
		f = add_field(o, name, label, EMU_FT_BOOLEAN, err);
		if (!f)
			return BASE_ERR;
		f->nillable = false;
	}
	return 0;
}

static int add_standard(struct emu_schema *s, struct base_err *err)
{
	json_error_t jerr;
	json_t *od = NULL, *fd;
	size_t j;
	int rc = BASE_ERR;

	for (int i = 0; emu_schema_standard[i]; i++) {
		json_decref(od);
		od = json_loads(emu_schema_standard[i], 0, &jerr);
		if (!od) {
			base_err_set(err, BASE_ERR, "standard schema %d: %s", i,
				     jerr.text);
			goto out;
		}
		const char *name = json_string_value(json_object_get(od, "name"));
		struct emu_sobject *o = new_object(s, name, err);
		bool setup = flag(od, "setup", false);

		if (!o)
			goto out;
		o->label = dupstr(json_string_value(json_object_get(od, "label")));
		o->label_plural = dupstr(
			json_string_value(json_object_get(od, "labelPlural")));
		snprintf(o->key_prefix, sizeof(o->key_prefix), "%s",
			 json_string_value(json_object_get(od, "keyPrefix")));
		o->setup = setup;
		/* Setup objects are read through the API, changed in Setup. */
		o->createable = o->deletable = !setup;
		o->updateable = !setup || !strcmp(name, "UserLogin");
		if (add_system_head(o, flag(od, "owned", false), err))
			goto out;
		json_array_foreach(json_object_get(od, "fields"), j, fd) {
			char where[96];

			snprintf(where, sizeof(where), "%s.fields[%zu]", name, j);
			if (parse_field(o, fd, false, where, err))
				goto out;
		}
		if (flag(od, "permissions", false) && add_permission_fields(o, err))
			goto out;
		if (add_system_tail(o, err))
			goto out;
	}
	rc = 0;
out:
	json_decref(od);
	return rc;
}

static int add_custom_objects(struct emu_schema *s, json_t *objs,
			      struct base_err *err)
{
	size_t i, j;
	json_t *od, *fd;

	if (!objs || json_is_null(objs))
		return 0;
	if (!json_is_array(objs))
		return base_err_set(err, BASE_EINVAL,
				    "customObjects: must be an array");
	json_array_foreach(objs, i, od) {
		const char *name = json_string_value(json_object_get(od, "name"));
		char where[64];
		struct emu_sobject *o;

		snprintf(where, sizeof(where), "customObjects[%zu]", i);
		if (!json_is_object(od) || !name || !valid_api_name(name, true))
			return base_err_set(err, BASE_EINVAL,
					    "%s.name: must be an API name ending "
					    "in __c (like PRM_Deal__c)",
					    where);
		o = new_object(s, name, err);
		if (!o)
			return BASE_ERR;
		o->custom = true;
		o->label = dupstr(json_string_value(json_object_get(od, "label")));
		if (!o->label)
			o->label = dupstr(name);
		o->label_plural = dupstr(
			json_string_value(json_object_get(od, "labelPlural")));
		if (!o->label_plural)
			o->label_plural = dupstr(o->label);
		/* Custom objects' key prefixes are a01, a02, ... */
		snprintf(o->key_prefix, sizeof(o->key_prefix), "a%02zu", i + 1);
		if (add_system_head(o, true, err))
			return BASE_ERR;
		{
			struct emu_field *f =
				add_field(o, "Name", "Name", EMU_FT_STRING, err);

			if (!f)
				return BASE_ERR;
			f->length = 80;
			f->id_lookup = true;
		}
		json_array_foreach(json_object_get(od, "fields"), j, fd) {
			char fw[96];

			snprintf(fw, sizeof(fw), "%s.fields[%zu]", where, j);
			if (parse_field(o, fd, true, fw, err))
				return BASE_ERR;
		}
		if (add_system_tail(o, err))
			return BASE_ERR;
	}
	return 0;
}

static int add_custom_fields(struct emu_schema *s, json_t *by_object,
			     struct base_err *err)
{
	const char *oname;
	json_t *list;

	if (!by_object || json_is_null(by_object))
		return 0;
	if (!json_is_object(by_object))
		return base_err_set(err, BASE_EINVAL,
				    "customFields: must be an object of arrays");
	json_object_foreach(by_object, oname, list) {
		struct emu_sobject *o =
			(struct emu_sobject *)emu_schema_object(s, oname);
		size_t j;
		json_t *fd;

		if (!o || o->setup)
			return base_err_set(err, BASE_EINVAL,
					    "customFields.%s: no such object "
					    "(or a setup object)",
					    oname);
		if (!json_is_array(list))
			return base_err_set(err, BASE_EINVAL,
					    "customFields.%s: must be an array",
					    oname);
		/* Keep the five audit fields last: insert before them. */
		struct emu_field tail[5];
		memcpy(tail, &o->fields[o->nfields - 5], sizeof(tail));
		o->nfields -= 5;
		json_array_foreach(list, j, fd) {
			char where[96];

			snprintf(where, sizeof(where), "customFields.%s[%zu]",
				 oname, j);
			if (parse_field(o, fd, true, where, err)) {
				memcpy(&o->fields[o->nfields], tail, sizeof(tail));
				o->nfields += 5;
				return BASE_ERR;
			}
		}
		if (o->nfields + 5 > MAX_FIELDS) {
			memcpy(&o->fields[MAX_FIELDS - 5], tail, sizeof(tail));
			o->nfields = MAX_FIELDS;
			return base_err_set(err, BASE_ETOOBIG, "%s: too many fields",
					    oname);
		}
		memcpy(&o->fields[o->nfields], tail, sizeof(tail));
		o->nfields += 5;
	}
	return 0;
}

/* Every lookup must point at an object that exists. */
static int check_references(const struct emu_schema *s, struct base_err *err)
{
	for (int i = 0; i < s->nobjects; i++) {
		const struct emu_sobject *o = &s->objects[i];

		for (int j = 0; j < o->nfields; j++) {
			const struct emu_field *f = &o->fields[j];
			const struct emu_sobject *to;

			if (!f->reference_to)
				continue;
			to = emu_schema_object(s, f->reference_to);
			if (!to)
				return base_err_set(err, BASE_EINVAL,
						    "%s.%s: referenceTo '%s' is "
						    "not an object",
						    o->name, f->name,
						    f->reference_to);
			/* Canonical case, so SQL names match the table. */
			free(f->reference_to);
			((struct emu_field *)f)->reference_to = dupstr(to->name);
		}
	}
	return 0;
}

int emu_schema_build(json_t *custom_objects, json_t *custom_fields,
		     struct emu_schema **out, struct base_err *err)
{
	struct emu_schema *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || !(s->objects = calloc(MAX_OBJECTS, sizeof(*s->objects)))) {
		free(s);
		return base_err_set(err, BASE_ENOMEM, "schema");
	}
	if (add_standard(s, err) || add_custom_objects(s, custom_objects, err) ||
	    add_custom_fields(s, custom_fields, err) ||
	    check_references(s, err)) {
		emu_schema_free(s);
		return err ? err->code : BASE_ERR;
	}
	*out = s;
	return 0;
}
