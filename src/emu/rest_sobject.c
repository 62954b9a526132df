/* rest_sobject.c - /sobjects: describeGlobal, describe, record CRUD, upsert, updated/deleted. */
#include "rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/datetime.h"
#include "base/db.h"
#include "base/banned.h"

static bool is_get(const struct emu_rest *r)
{
	return !strcmp(r->req->method, "GET") || !strcmp(r->req->method, "HEAD");
}

static json_t *object_urls(const struct emu_rest *r, const struct emu_sobject *o)
{
	char b[160], d[176], t[176];

	snprintf(b, sizeof(b), "/services/data/v%d.0/sobjects/%s", r->version,
		 o->name);
	snprintf(d, sizeof(d), "%s/describe", b);
	snprintf(t, sizeof(t), "%s/{ID}", b);
	return json_pack("{s:s, s:s, s:s}", "sobject", b, "describe", d,
			 "rowTemplate", t);
}

/* The object-level part of describe, as describeGlobal lists it. */
static json_t *object_summary(const struct emu_rest *r,
			      const struct emu_sobject *o)
{
	json_t *v = json_object();

	json_object_set_new(v, "activateable", json_false());
	json_object_set_new(v, "createable", json_boolean(o->createable));
	json_object_set_new(v, "custom", json_boolean(o->custom));
	json_object_set_new(v, "customSetting", json_false());
	json_object_set_new(v, "deletable", json_boolean(o->deletable));
	json_object_set_new(v, "deprecatedAndHidden", json_false());
	json_object_set_new(v, "feedEnabled", json_false());
	json_object_set_new(v, "keyPrefix", json_string(o->key_prefix));
	json_object_set_new(v, "label", json_string(o->label));
	json_object_set_new(v, "labelPlural", json_string(o->label_plural));
	json_object_set_new(v, "layoutable", json_boolean(!o->setup));
	json_object_set_new(v, "mergeable", json_false());
	json_object_set_new(v, "name", json_string(o->name));
	json_object_set_new(v, "queryable", json_boolean(o->queryable));
	json_object_set_new(v, "replicateable", json_boolean(!o->setup));
	json_object_set_new(v, "retrieveable", json_true());
	json_object_set_new(v, "searchable", json_boolean(!o->setup));
	json_object_set_new(v, "triggerable", json_boolean(!o->setup));
	json_object_set_new(v, "undeletable", json_boolean(o->deletable));
	json_object_set_new(v, "updateable", json_boolean(o->updateable));
	json_object_set_new(v, "urls", object_urls(r, o));
	return v;
}

static json_t *field_describe(const struct emu_org *org,
			      const struct emu_sobject *o,
			      const struct emu_field *f)
{
	bool editable = emu_fls_editable(org, o->name, f->name);
	json_t *v = json_object(), *pl = json_array(), *refs = json_array();
	bool text = f->type != EMU_FT_BOOLEAN && f->type != EMU_FT_INT &&
		    f->type != EMU_FT_DOUBLE && f->type != EMU_FT_CURRENCY &&
		    f->type != EMU_FT_PERCENT;

	for (int i = 0; i < f->nvalues; i++)
		json_array_append_new(pl, json_pack("{s:b, s:b, s:s, s:n, s:s}",
						    "active", f->values[i].active,
						    "defaultValue",
						    f->values[i].is_default,
						    "label", f->values[i].label,
						    "validFor", "value",
						    f->values[i].value));
	if (f->reference_to)
		json_array_append_new(refs, json_string(f->reference_to));
	json_object_set_new(v, "autoNumber", json_false());
	json_object_set_new(v, "byteLength", json_integer(text ? f->length * 3 : 0));
	json_object_set_new(v, "calculated", json_boolean(f->calculated));
	json_object_set_new(v, "cascadeDelete", json_false());
	json_object_set_new(v, "caseSensitive", json_false());
	json_object_set_new(v, "createable", json_boolean(f->createable && editable));
	json_object_set_new(v, "custom", json_boolean(f->custom));
	json_object_set_new(v, "defaultValue",
			    f->default_value && f->type == EMU_FT_BOOLEAN
				    ? json_boolean(!strcmp(f->default_value, "true"))
				    : json_null());
	json_object_set_new(v, "defaultedOnCreate",
			    json_boolean(f->defaulted_on_create));
	json_object_set_new(v, "dependentPicklist", json_false());
	json_object_set_new(v, "deprecatedAndHidden", json_false());
	json_object_set_new(v, "digits",
			    json_integer(f->type == EMU_FT_INT ? f->precision : 0));
	json_object_set_new(v, "externalId", json_boolean(f->external_id));
	json_object_set_new(v, "filterable", json_boolean(f->filterable));
	json_object_set_new(v, "groupable", json_boolean(f->groupable));
	json_object_set_new(v, "htmlFormatted", json_false());
	json_object_set_new(v, "idLookup", json_boolean(f->id_lookup));
	json_object_set_new(v, "label", json_string(f->label));
	json_object_set_new(v, "length", json_integer(text ? f->length : 0));
	json_object_set_new(v, "name", json_string(f->name));
	json_object_set_new(v, "nameField", json_boolean(!strcmp(f->name, "Name")));
	json_object_set_new(v, "nillable", json_boolean(f->nillable));
	json_object_set_new(v, "permissionable",
			    json_boolean(f->custom && f->nillable));
	json_object_set_new(v, "picklistValues", pl);
	json_object_set_new(v, "polymorphicForeignKey", json_false());
	json_object_set_new(v, "precision",
			    json_integer(f->type == EMU_FT_INT ? 0 : f->precision));
	json_object_set_new(v, "referenceTo", refs);
	json_object_set_new(v, "relationshipName",
			    f->relationship_name ? json_string(f->relationship_name)
						 : json_null());
	json_object_set_new(v, "restrictedPicklist",
			    json_boolean(f->restricted_picklist));
	json_object_set_new(v, "scale", json_integer(f->scale));
	json_object_set_new(v, "soapType", json_string(emu_ftype_soap(f->type)));
	json_object_set_new(v, "sortable", json_boolean(f->sortable));
	json_object_set_new(v, "type", json_string(emu_ftype_name(f->type)));
	json_object_set_new(v, "unique", json_boolean(f->unique));
	json_object_set_new(v, "updateable", json_boolean(f->updateable && editable));
	return v;
}

static json_t *child_relationships(const struct emu_schema *s,
				   const struct emu_sobject *o)
{
	json_t *a = json_array();

	for (int i = 0; i < s->nobjects; i++) {
		const struct emu_sobject *c = &s->objects[i];

		for (int j = 0; j < c->nfields; j++) {
			const struct emu_field *f = &c->fields[j];
			char rel[128];
			size_t k = 0;

			if (!f->reference_to || strcmp(f->reference_to, o->name) ||
			    !strcmp(f->name, "CreatedById") ||
			    !strcmp(f->name, "LastModifiedById"))
				continue;
			/* "Contacts", "Opportunities", "Deals__r". */
			for (const char *p = c->label_plural; *p && k + 4 < sizeof(rel); p++)
				if (*p != ' ' && *p != '.')
					rel[k++] = *p;
			rel[k] = '\0';
			if (c->custom)
				snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "__r");
			json_array_append_new(
				a, json_pack("{s:b, s:s, s:b, s:s, s:s}",
					     "cascadeDelete", false, "childSObject",
					     c->name, "deprecatedAndHidden", false,
					     "field", f->name, "relationshipName",
					     rel));
		}
	}
	return a;
}

static void describe(struct emu_rest *r, const struct emu_sobject *o)
{
	json_t *v = object_summary(r, o), *fields = json_array();
	char rt[160];

	/* Field-level security: a hidden field isn't described at all. */
	for (int i = 0; i < o->nfields; i++)
		if (emu_fls_readable(r->org, o->name, o->fields[i].name))
			json_array_append_new(fields,
					      field_describe(r->org, o,
							     &o->fields[i]));
	json_object_set_new(v, "fields", fields);
	json_object_set_new(v, "childRelationships",
			    child_relationships(r->org->schema, o));
	snprintf(rt, sizeof(rt), "/services/data/v%d.0/sobjects/%s/describe/layouts/012000000000000AAA",
		 r->version, o->name);
	json_object_set_new(
		v, "recordTypeInfos",
		json_pack("[{s:b, s:b, s:b, s:s, s:b, s:s, s:s, s:{s:s}}]",
			  "active", true, "available", true,
			  "defaultRecordTypeMapping", true, "developerName",
			  "Master", "master", true, "name", "Master",
			  "recordTypeId", "012000000000000AAA", "urls", "layout",
			  rt));
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
}

static void describe_global(struct emu_rest *r)
{
	json_t *list = json_array(), *v;
	const struct emu_schema *s = r->org->schema;

	for (int i = 0; i < s->nobjects; i++)
		json_array_append_new(list, object_summary(r, &s->objects[i]));
	v = json_pack("{s:s, s:i, s:o}", "encoding", "UTF-8", "maxBatchSize", 200,
		      "sobjects", list);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
}

static void created(struct emu_rest *r, const char *id, bool upsert)
{
	json_t *v = json_pack("{s:s, s:b, s:[]}", "id", id, "success", true,
			      "errors");

	if (upsert && r->version >= 46)
		json_object_set_new(v, "created", json_true());
	emu_reply_json(r->resp, 201, v);
	json_decref(v);
}

static void create(struct emu_rest *r, const struct emu_sobject *o)
{
	char id[EMU_SFID_LEN + 1];
	struct emu_sferr e = {0};
	json_t *body = emu_rest_body(r);
	int rc;

	if (!body)
		return;
	rc = emu_record_insert(r->org, o, body, r->user.id, id, &e);
	json_decref(body);
	if (rc)
		emu_rest_error(r, &e);
	else
		created(r, id, false);
}

static void one_record(struct emu_rest *r, const struct emu_sobject *o,
		       const char *id)
{
	struct emu_sferr e = {0};
	json_t *body, *rec;
	int rc;

	if (is_get(r)) {
		if (emu_record_get(r->org, o, id, emu_req_query(r->req, "fields"),
				   r->version, &rec, &e)) {
			emu_rest_error(r, &e);
			return;
		}
		emu_reply_json(r->resp, 200, rec);
		json_decref(rec);
	} else if (!strcmp(r->req->method, "PATCH")) {
		body = emu_rest_body(r);
		if (!body)
			return;
		rc = emu_record_update(r->org, o, id, body, r->user.id, &e);
		json_decref(body);
		if (rc)
			emu_rest_error(r, &e);
		else
			emu_resp_start(r->resp, 204, "");
	} else if (!strcmp(r->req->method, "DELETE")) {
		if (emu_record_delete(r->org, o, id, r->user.id, &e))
			emu_rest_error(r, &e);
		else
			emu_resp_start(r->resp, 204, "");
	} else {
		emu_rest_method_not_allowed(r, "GET,PATCH,HEAD,DELETE");
	}
}

/* PATCH|GET|DELETE /sobjects/X/ExtField/value */
static void by_external_id(struct emu_rest *r, const struct emu_sobject *o,
			   const char *field, const char *value)
{
	const struct emu_field *f = emu_rest_key_field(r, o, field);
	char ids[10][EMU_SFID_LEN + 1];
	struct emu_sferr e = {0};
	json_t *body;
	int n = 0, rc;

	if (!f)
		return;
	if (emu_record_find_key(r->org, o, f, value, ids, 10, &n, &e)) {
		emu_rest_error(r, &e);
		return;
	}
	if (n > 1) {
		json_t *urls = json_array();

		/* 300 Multiple Choices: the matching records, nothing written. */
		for (int i = 0; i < n; i++) {
			char url[160];

			snprintf(url, sizeof(url), "/services/data/v%d.0/sobjects/%s/%s",
				 r->version, o->name, ids[i]);
			json_array_append_new(urls, json_string(url));
		}
		emu_reply_json(r->resp, 300, urls);
		json_decref(urls);
		return;
	}
	if (is_get(r) || !strcmp(r->req->method, "DELETE")) {
		if (n == 0) {
			emu_rest_fail(r, 404, "NOT_FOUND",
				      "The requested resource does not exist");
			return;
		}
		one_record(r, o, ids[0]);
		return;
	}
	if (strcmp(r->req->method, "PATCH") != 0 &&
	    strcmp(r->req->method, "POST") != 0) {
		emu_rest_method_not_allowed(r, "GET,PATCH,HEAD,DELETE");
		return;
	}
	body = emu_rest_body(r);
	if (!body)
		return;
	if (!json_is_object(body)) {
		json_decref(body);
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "Cannot deserialize instance of %s from non-object "
			      "value",
			      o->name);
		return;
	}
	if (n == 0) {
		char id[EMU_SFID_LEN + 1];

		if (emu_req_query(r->req, "updateOnly") &&
		    !strcmp(emu_req_query(r->req, "updateOnly"), "true")) {
			emu_rest_fail(r, 404, "NOT_FOUND",
				      "The requested resource does not exist");
			json_decref(body);
			return;
		}
		if (strcmp(f->name, "Id") != 0)
			json_object_set_new(body, f->name, json_string(value));
		rc = emu_record_insert(r->org, o, body, r->user.id, id, &e);
		if (rc)
			emu_rest_error(r, &e);
		else
			created(r, id, true);
	} else {
		rc = emu_record_update(r->org, o, ids[0], body, r->user.id,
				       &e);
		if (rc) {
			emu_rest_error(r, &e);
		} else if (r->version >= 46) {
			json_t *v = json_pack("{s:s, s:b, s:[], s:b}", "id", ids[0],
					      "success", true, "errors",
					      "created", false);

			emu_reply_json(r->resp, 200, v);
			json_decref(v);
		} else {
			emu_resp_start(r->resp, 204, "");
		}
	}
	json_decref(body);
}

/* start/end of updated/ and deleted/, as epoch ms. */
static bool replication_window(struct emu_rest *r, int days, int64_t *start,
			       int64_t *end)
{
	const char *s = emu_req_query(r->req, "start");
	const char *e = emu_req_query(r->req, "end");
	int64_t now = emu_org_now_ms(r->org);
	struct emu_sferr err;

	if (!s || !e) {
		emu_sferr_set(&err, 400, "MISSING_ARGUMENT",
			      "Missing required parameter: %s", !s ? "start" : "end");
		emu_rest_error(r, &err);
		return false;
	}
	if (base_time_parse_iso(s, start) || base_time_parse_iso(e, end)) {
		emu_sferr_set(&err, 400, "INVALID_REPLICATION_DATE",
			      "start and end must be ISO-8601 date-times");
		emu_rest_error(r, &err);
		return false;
	}
	if (*start > *end) {
		emu_sferr_set(&err, 400, "INVALID_REPLICATION_DATE",
			      "startDate must chronologically precede endDate");
		emu_rest_error(r, &err);
		return false;
	}
	if (*start < now - (int64_t)days * 86400000) {
		emu_sferr_set(&err, 400, "INVALID_REPLICATION_DATE",
			      "startDate cannot be more than %d days ago", days);
		emu_rest_error(r, &err);
		return false;
	}
	/* Salesforce covers whole minutes, up to now. */
	if (*end > now)
		*end = now;
	*end -= *end % 60000;
	return true;
}

static void replication(struct emu_rest *r, const struct emu_sobject *o,
			bool deleted)
{
	struct base_buf sql = BASE_BUF_INIT(1024);
	char s_text[40], e_text[40], earliest[40];
	int64_t start, end;
	sqlite3_stmt *st = NULL;
	json_t *list = json_array(), *v;
	int count = 0;

	if (!is_get(r)) {
		emu_rest_method_not_allowed(r, "GET,HEAD");
		goto out;
	}
	if (o->setup || !replication_window(r, deleted ? 15 : 30, &start, &end))
		goto out_check;
	base_time_format_sf(start, s_text, sizeof(s_text));
	base_time_format_sf(end, e_text, sizeof(e_text));
	base_buf_printf(&sql,
			"SELECT \"Id\", \"SystemModstamp\" FROM \"%s\" WHERE"
			" \"IsDeleted\" = %d AND \"SystemModstamp\" >= ? AND"
			" \"SystemModstamp\" < ? ORDER BY \"SystemModstamp\"",
			o->name, deleted ? 1 : 0);
	if (base_db_prepare(r->org->db, &st, NULL, base_buf_str(&sql), "ss",
			   s_text, e_text))
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (++count > 600000) {
			emu_rest_fail(r, 400, "EXCEEDED_ID_LIMIT",
				      "Too many ids: narrow the date range");
			goto out;
		}
		if (deleted)
			json_array_append_new(
				list, json_pack("{s:s, s:s}", "id",
						base_db_text(st, 0), "deletedDate",
						base_db_text(st, 1)));
		else
			json_array_append_new(list, json_string(base_db_text(st, 0)));
	}
	if (deleted) {
		base_time_format_sf(emu_org_now_ms(r->org) - 15LL * 86400000,
				    earliest, sizeof(earliest));
		v = json_pack("{s:O, s:s, s:s}", "deletedRecords", list,
			      "earliestDateAvailable", earliest,
			      "latestDateCovered", e_text);
	} else {
		v = json_pack("{s:O, s:s}", "ids", list, "latestDateCovered", e_text);
	}
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
	goto out;
out_check:
	if (o->setup) {
		emu_rest_fail(r, 400, "INVALID_TYPE",
			      "sObject type '%s' is not supported for replication",
			      o->name);
	}
out:
	sqlite3_finalize(st);
	json_decref(list);
	base_buf_release(&sql);
}

void emu_rest_sobjects(struct emu_rest *r)
{
	const struct emu_sobject *o;

	if (r->nsegs == 1) {
		if (is_get(r))
			describe_global(r);
		else
			emu_rest_method_not_allowed(r, "GET,HEAD");
		return;
	}
	o = emu_schema_object(r->org->schema, r->segs[1]);
	if (!o) {
		emu_rest_fail(r, 404, "NOT_FOUND",
			      "The requested resource does not exist");
		return;
	}
	if (r->nsegs == 2) {
		if (!strcmp(r->req->method, "POST")) {
			create(r, o);
		} else if (is_get(r)) {
			json_t *v = json_pack("{s:o, s:[]}", "objectDescribe",
					      object_summary(r, o), "recentItems");

			emu_reply_json(r->resp, 200, v);
			json_decref(v);
		} else {
			emu_rest_method_not_allowed(r, "GET,POST,HEAD");
		}
		return;
	}
	if (r->nsegs == 3 && !strcmp(r->segs[2], "describe")) {
		if (is_get(r))
			describe(r, o);
		else
			emu_rest_method_not_allowed(r, "GET,HEAD");
		return;
	}
	if (r->nsegs == 3 && (!strcmp(r->segs[2], "updated") ||
			      !strcmp(r->segs[2], "deleted"))) {
		replication(r, o, r->segs[2][0] == 'd');
		return;
	}
	if (r->nsegs == 3 && !strcmp(r->segs[2], "Id") &&
	    !strcmp(r->req->method, "POST")) {
		create(r, o);
		return;
	}
	if (r->nsegs == 3) {
		one_record(r, o, r->segs[2]);
		return;
	}
	if (r->nsegs == 4) {
		by_external_id(r, o, r->segs[2], r->segs[3]);
		return;
	}
	emu_rest_fail(r, 404, "NOT_FOUND",
		      "The requested resource does not exist");
}
