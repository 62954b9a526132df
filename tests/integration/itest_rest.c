/* itest_rest.c - libsf REST (records, query, collections) against sfemu. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf/client.h"
#include "sf/error.h"
#include "sf/bulk.h"
#include "sf/rest.h"
#include "sf/secret.h"
#include "sf/internal.h"
#include "base/err.h"
#include "base/banned.h"

/*
 * Run by test_libsf_rest.sh, which starts sfemu with tests/data/orgs/rest.json
 * and passes (never on the command line):
 *   SF_ITEST_URL              sfemu's base URL
 *   SF_ITEST_USER             the API user
 *   SF_ITEST_PASSWORD_FILE    its password
 *   SF_ITEST_TOKEN_FILE       its security token
 *   SF_ITEST_CLIENT_ID        the connected app's consumer key
 *   SF_ITEST_CLIENT_SECRET_FILE
 * Prints TAP lines ("ok - name", "not ok - name" + "#   why"); exits 1 if
 * any check failed. The cases share one client and run in order: later
 * ones use records earlier ones made.
 */

#define BULK 2600 /* 13 collection calls of 200; two query pages */

static int failures;
static const char *base_url;

/* ---- checks ---- */

static void check(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	if (!ok) {
		failures++;
		if (fmt) {
			printf("#   ");
			va_start(ap, fmt);
			vprintf(fmt, ap);
			va_end(ap);
			printf("\n");
		}
	}
	fflush(stdout);
}

static void check_rc(int rc, const struct sf_error *e, const char *name)
{
	check(rc == 0, name, "rc %d (%s), class %s, code '%s': %s", rc,
	      base_code_name(rc), sf_class_name(e->cls), e->code, e->message);
}

static void check_str(const char *got, const char *want, const char *name)
{
	check(got && !strcmp(got, want), name, "got '%s', want '%s'",
	      got ? got : "(null)", want);
}

static void check_int(long long got, long long want, const char *name)
{
	check(got == want, name, "got %lld, want %lld", got, want);
}

/* A failure with exactly this rc, class and code. */
static void check_fail(int rc, const struct sf_error *e, int want_rc,
		       enum sf_class want_cls, const char *want_code,
		       const char *name)
{
	check(rc == want_rc && e->cls == want_cls &&
		      !strcmp(e->code, want_code),
	      name, "got rc %s, class %s, code '%s' (%s); want %s, %s, '%s'",
	      base_code_name(rc), sf_class_name(e->cls), e->code, e->message,
	      base_code_name(want_rc), sf_class_name(want_cls), want_code);
}

/* obj[key] as a string, "" when absent. */
static const char *str_at(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* ---- sfemu's admin side, over plain libcurl ---- */

struct reply {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	char *grown = realloc(r->data, r->len + size * n + 1);

	if (!grown)
		return 0;
	r->data = grown;
	memcpy(r->data + r->len, p, size * n);
	r->len += size * n;
	return size * n;
}

/* An /_emu/ call with a JSON body (POST: "{}" when NULL); the reply's JSON
 * (caller frees) or NULL. */
static json_t *emu_send(const char *method, const char *path, const char *body)
{
	struct reply r = {0};
	char url[512];
	json_t *doc = NULL;
	CURL *h = curl_easy_init();

	if (!h)
		return NULL;
	snprintf(url, sizeof(url), "%s/_emu%s", base_url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "{}");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	if (curl_easy_perform(h) == CURLE_OK && r.data)
		doc = json_loadb(r.data, r.len, 0, NULL);
	curl_easy_cleanup(h);
	free(r.data);
	return doc;
}

static json_t *emu(const char *method, const char *path)
{
	return emu_send(method, path, NULL);
}

/* REST calls the org counted in its rolling 24 hours. */
static long long emu_api_used(void)
{
	json_t *doc = emu("GET", "/api-usage");
	long long n =
		doc ? json_integer_value(json_object_get(doc, "used")) : -1;

	json_decref(doc);
	return n;
}

static long long emu_logins(void)
{
	json_t *doc = emu("GET", "/login-history?username=api%40rest.test");
	long long n = doc ? (long long)json_array_size(
				    json_object_get(doc, "records"))
			  : -1;

	json_decref(doc);
	return n;
}

/* ---- set-up ---- */

static struct sf_secret *secret_env(const char *var)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_secret *s = NULL;
	const char *path = getenv(var);

	if (!path || sf_secret_from_file(path, &s, &e)) {
		fprintf(stderr, "itest_rest: %s: %s\n", var,
			path ? e.message : "not set");
		return NULL;
	}
	return s;
}

static struct sf_client *client_new(void)
{
	struct sf_client_options o = {.allow_http_loopback = true,
				      .api_version = "60.0",
				      .backoff_base_ms = 10,
				      .backoff_max_ms = 100};
	struct sf_credentials cr = {.method = SF_AUTH_OAUTH_PASSWORD};
	struct sf_error e = SF_ERROR_INIT;
	struct sf_client *c = NULL;
	int rc = -1;

	cr.username = getenv("SF_ITEST_USER");
	cr.consumer_key = getenv("SF_ITEST_CLIENT_ID");
	cr.password = secret_env("SF_ITEST_PASSWORD_FILE");
	cr.security_token = secret_env("SF_ITEST_TOKEN_FILE");
	cr.consumer_secret = secret_env("SF_ITEST_CLIENT_SECRET_FILE");
	if (!cr.username || !cr.consumer_key || !cr.password ||
	    !cr.security_token || !cr.consumer_secret)
		goto out;
	if (sf_target_parse(base_url, true, &cr.target, &e) ||
	    sf_client_new(&o, &c, &e) || sf_client_set_credentials(c, &cr, &e))
		goto out;
	rc = 0;
out:
	if (rc) {
		fprintf(stderr, "itest_rest: client: %s\n", e.message);
		sf_client_free(c);
		c = NULL;
	}
	sf_secret_free((struct sf_secret *)cr.password);
	sf_secret_free((struct sf_secret *)cr.security_token);
	sf_secret_free((struct sf_secret *)cr.consumer_secret);
	return c;
}

static long long client_calls(struct sf_client *c)
{
	struct sf_api_usage u;

	sf_client_api_usage(c, &u);
	return u.calls;
}

/* ---- cases ---- */

static void test_rest__versions_limits_describe_global(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *doc = NULL, *v;
	size_t i;
	int rc, found = 0, status = 0;

	rc = sf_versions(c, &doc, &e);
	check_rc(rc, &e, "sf_versions answers");
	json_array_foreach (doc, i, v)
		found |= !strcmp(str_at(v, "version"), "60.0");
	check(found, "sf_versions lists 60.0", "not in %zu versions",
	      json_array_size(doc));
	json_decref(doc);

	rc = sf_limits(c, &doc, &e);
	check_rc(rc, &e, "sf_limits answers");
	check(json_integer_value(json_object_get(
		      json_object_get(doc, "DailyApiRequests"), "Max")) > 0,
	      "sf_limits has DailyApiRequests.Max", NULL);
	json_decref(doc);

	rc = sf_describe_global(c, &doc, &e);
	check_rc(rc, &e, "sf_describe_global answers");
	found = 0;
	json_array_foreach (json_object_get(doc, "sobjects"), i, v)
		found |= !strcmp(str_at(v, "name"), "Deal__c");
	check(found, "describe global lists the custom object Deal__c", NULL);
	json_decref(doc);

	rc = sf_rest(c, "GET", "/sobjects/Account", NULL, &doc, &status, &e);
	check_rc(rc, &e, "sf_rest GET a relative path");
	check_int(status, 200, "sf_rest reports the status");
	check_str(json_string_value(json_object_get(
			  json_object_get(doc, "objectDescribe"), "name")),
		  "Account", "sf_rest returns the reply");
	json_decref(doc);

	rc = sf_rest(c, "GET", "/services/data/v60.0/sobjects/Nope__c", NULL,
		     &doc, &status, &e);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND, "NOT_FOUND",
		   "sf_rest with an absolute path: 404 is not_found");
	check_int(status, 404, "sf_rest reports the failed status");
	check(doc == NULL, "sf_rest leaves *out NULL on failure", NULL);
}

static void test_rest__describe_is_cached(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *d1 = NULL, *d2 = NULL, *f;
	long long used, calls;
	size_t i;
	int rc, ext = 0;

	rc = sf_describe(c, "Account", &d1, &e);
	check_rc(rc, &e, "sf_describe Account");
	json_array_foreach (json_object_get(d1, "fields"), i, f)
		ext |= !strcmp(str_at(f, "name"), "PRM_Id__c") &&
		       json_is_true(json_object_get(f, "externalId"));
	check(ext, "describe shows PRM_Id__c as an external id", NULL);

	used = emu_api_used();
	calls = client_calls(c);
	rc = sf_describe(c, "Account", &d2, &e);
	check_rc(rc, &e, "sf_describe Account again");
	check(d2 == d1, "the second describe is the cached document", NULL);
	check_int(emu_api_used(), used,
		  "a cached describe makes no API call (sfemu's count)");
	check_int(client_calls(c), calls,
		  "a cached describe makes no HTTP call (client's count)");
	rc = sf_describe(c, "account", &d2, &e);
	check(rc == 0 && d2 == d1, "object names ignore case in the cache",
	      NULL);

	rc = sf_describe(c, "NoSuchThing__c", &d2, &e);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND, "NOT_FOUND",
		   "describe of an unknown object is not_found");
	check(d2 == NULL, "a failed describe leaves *out NULL", NULL);
}

static void test_rest__crud(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	char id[19] = "", id2[19];
	json_t *rec = NULL, *fields;
	int rc;

	fields = json_pack("{s:s, s:i}", "Name", "Crud Co", "NumberOfEmployees",
			   7);
	rc = sf_create(c, "Account", fields, id, &e);
	json_decref(fields);
	check_rc(rc, &e, "sf_create answers 201");
	check(strlen(id) == 18 && !strncmp(id, "001", 3),
	      "sf_create returns an Account id", "got '%s'", id);

	rc = sf_retrieve(c, "Account", id, "Name,NumberOfEmployees", &rec, &e);
	check_rc(rc, &e, "sf_retrieve with ?fields=");
	check_str(json_string_value(json_object_get(rec, "Name")), "Crud Co",
		  "retrieve reads the name");
	check_int(json_integer_value(json_object_get(rec, "NumberOfEmployees")),
		  7, "retrieve reads a number");
	check(!json_object_get(rec, "Phone"), "?fields= limits the fields",
	      NULL);
	json_decref(rec);

	fields = json_pack("{s:s}", "Name", "Crud Co 2");
	rc = sf_update(c, "Account", id, fields, &e);
	json_decref(fields);
	check_rc(rc, &e, "sf_update answers 204");
	rc = sf_retrieve(c, "Account", id, NULL, &rec, &e);
	check_rc(rc, &e, "sf_retrieve without fields");
	check_str(json_string_value(json_object_get(rec, "Name")), "Crud Co 2",
		  "the update is there");
	check_str(json_string_value(json_object_get(
			  json_object_get(rec, "attributes"), "type")),
		  "Account", "a retrieved record carries attributes");
	json_decref(rec);

	rc = sf_delete(c, "Account", id, &e);
	check_rc(rc, &e, "sf_delete answers 204");
	rc = sf_retrieve(c, "Account", id, NULL, &rec, &e);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND,
		   "ENTITY_IS_DELETED",
		   "retrieve after delete: ENTITY_IS_DELETED is not_found");
	check_int(e.http_status, 404, "ENTITY_IS_DELETED comes with 404");
	check(strstr(e.message, id) != NULL, "the message names the record",
	      "message: %s", e.message);
	fields = json_pack("{s:s}", "Name", "X");
	rc = sf_update(c, "Account", id, fields, &e);
	json_decref(fields);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND,
		   "ENTITY_IS_DELETED",
		   "update after delete: ENTITY_IS_DELETED");
	rc = sf_delete(c, "Account", id, &e);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND,
		   "ENTITY_IS_DELETED",
		   "delete after delete: ENTITY_IS_DELETED");

	fields = json_pack("{s:s}", "Phone", "555");
	rc = sf_create(c, "Account", fields, id2, &e);
	json_decref(fields);
	check_fail(rc, &e, BASE_EINVAL, SF_CLASS_INVALID_REQUEST,
		   "REQUIRED_FIELD_MISSING",
		   "create without Name: REQUIRED_FIELD_MISSING is "
		   "invalid_request");
	check(e.nfields == 1 && !strcmp(e.fields[0], "Name"),
	      "REQUIRED_FIELD_MISSING names the field",
	      "nfields %d, fields[0] '%s'", e.nfields,
	      e.nfields ? e.fields[0] : "");
	check_int(e.http_status, 400, "REQUIRED_FIELD_MISSING comes with 400");
	check(id2[0] == '\0', "a failed create leaves no id", NULL);
}

static void test_rest__upsert(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	/* '/', a space, '%', '?' and '#' must reach Salesforce inside one
	 * segment. */
	const char *ext = "ext/1 a%b?c#d";
	char id1[19] = "", id2[19] = "";
	bool created = false;
	json_t *rec = NULL, *fields;
	int rc;

	fields = json_pack("{s:s}", "Name", "Upsert Co");
	rc = sf_upsert(c, "Account", "PRM_Id__c", ext, fields, id1, &created,
		       &e);
	check_rc(rc, &e, "upsert of a new external id");
	check(created, "upsert: 201 says created", NULL);
	check(strlen(id1) == 18, "upsert created: the id", "got '%s'", id1);

	json_object_set_new(fields, "Name", json_string("Upsert Co 2"));
	rc = sf_upsert(c, "Account", "PRM_Id__c", ext, fields, id2, &created,
		       &e);
	check_rc(rc, &e, "upsert of an existing external id");
	check(!created, "upsert: 200 says updated (created false)", NULL);
	check_str(id2, id1, "upsert updated the same record");
	rc = sf_upsert(c, "Account", "PRM_Id__c", ext, fields, NULL, NULL, &e);
	check_rc(rc, &e, "upsert with id_out and created NULL");
	json_decref(fields);

	rc = sf_get_by_external_id(c, "Account", "PRM_Id__c", ext, "Id,Name",
				   &rec, &e);
	check_rc(rc, &e, "get by external id (value with / and space)");
	check_str(json_string_value(json_object_get(rec, "Id")), id1,
		  "get by external id finds it");
	check_str(json_string_value(json_object_get(rec, "Name")),
		  "Upsert Co 2", "with the update");
	json_decref(rec);
	rc = sf_get_by_external_id(c, "Account", "PRM_Id__c", "P-1", NULL, &rec,
				   &e);
	check_rc(rc, &e, "get by external id P-1");
	check_str(json_string_value(json_object_get(rec, "Name")), "Globex",
		  "P-1 is the seeded Globex");
	json_decref(rec);

	fields = json_pack("{s:s}", "Name", "Which One");
	rc = sf_upsert(c, "Account", "Region__c", "EMEA", fields, id2, &created,
		       &e);
	json_decref(fields);
	check_fail(rc, &e, BASE_EINVAL, SF_CLASS_INVALID_REQUEST,
		   "MULTIPLE_RECORDS",
		   "upsert matching two records: 300 is MULTIPLE_RECORDS");
	check_int(e.http_status, 300, "MULTIPLE_RECORDS comes with 300");
	check(strstr(e.raw, "/sobjects/Account/001") && strchr(e.raw, ','),
	      "raw lists the matching records' URLs", "raw: %s", e.raw);
	rc = sf_get_by_external_id(c, "Account", "Region__c", "EMEA", NULL,
				   &rec, &e);
	check_fail(rc, &e, BASE_EINVAL, SF_CLASS_INVALID_REQUEST,
		   "MULTIPLE_RECORDS",
		   "get by a shared external id: MULTIPLE_RECORDS");
	check(rec == NULL, "and no record", NULL);

	fields = json_pack("{s:s}", "Name", "X");
	rc = sf_upsert(c, "Account", "NumberOfEmployees", "5", fields, id2,
		       &created, &e);
	json_decref(fields);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND, "NOT_FOUND",
		   "upsert on a field that isn't an external id: NOT_FOUND");
}

static void test_rest__composite(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *req, *out = NULL, *r;
	int rc;

	req = json_pack(
		"{s:b, s:[{s:s, s:s, s:s, s:{s:s}}, {s:s, s:s, s:s}]}",
		"allOrNone", 1, "compositeRequest", "method", "POST", "url",
		"/services/data/v60.0/sobjects/Account", "referenceId", "acc",
		"body", "Name", "Composite Co", "method", "GET", "url",
		"/services/data/v60.0/sobjects/Account/@{acc.id}?fields=Name",
		"referenceId", "get");
	rc = sf_composite(c, req, &out, &e);
	json_decref(req);
	check_rc(rc, &e, "sf_composite answers");
	r = json_object_get(out, "compositeResponse");
	check_int((long long)json_array_size(r), 2, "two subresponses");
	check_int(json_integer_value(json_object_get(json_array_get(r, 0),
						     "httpStatusCode")),
		  201, "the create subrequest: 201");
	check_str(
		json_string_value(json_object_get(
			json_object_get(json_array_get(r, 1), "body"), "Name")),
		"Composite Co",
		"the second reads the first's record through @{acc.id}");
	json_decref(out);

	req = json_object();
	rc = sf_composite(c, req, &out, &e);
	json_decref(req);
	check(rc == BASE_EINVAL && e.cls == SF_CLASS_INVALID_REQUEST && !out,
	      "sf_composite without compositeRequest fails before sending",
	      NULL);
}

/* 2,600 Accounts named "Iter NNNN" through 13 collection calls; their ids. */
static char (*test_rest__collection_create_bulk(struct sf_client *c))[19]
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_result *res = NULL;
	char(*ids)[19] = calloc(BULK, sizeof(*ids));
	json_t *recs = json_array();
	long long calls;
	size_t n = 0, ok = 0;
	int rc;

	for (int i = 0; i < BULK; i++) {
		char name[32];

		snprintf(name, sizeof(name), "Iter %04d", i);
		json_array_append_new(recs, json_pack("{s:{s:s}, s:s, s:i}",
						      "attributes", "type",
						      "Account", "Name", name,
						      "NumberOfEmployees", i));
	}
	calls = client_calls(c);
	rc = sf_collection_create(c, recs, true, &res, &n, &e);
	check_rc(rc, &e, "sf_collection_create of 2,600 records");
	check_int((long long)n, BULK, "one result per record");
	check_int(client_calls(c) - calls, 13,
		  "2,600 records take 13 calls of 200");
	for (size_t i = 0; i < n; i++) {
		ok += res[i].success && strlen(res[i].id) == 18;
		memcpy(ids[i], res[i].id, 19);
	}
	check_int((long long)ok, BULK, "every record created, with its id");
	free(res);
	json_decref(recs);
	return ids;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_rest__query_iterates_every_row(struct sf_client *c,
						char (*ids)[19])
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_query *q = NULL;
	char(*seen)[19] = calloc(BULK + 1, sizeof(*seen));
	json_t *rec;
	long long calls;
	size_t n = 0, match = 0;
	int rc;

	calls = client_calls(c);
	rc = sf_query_open(
		c, "SELECT Id, Name FROM Account WHERE Name LIKE 'Iter %'",
		false, &q, &e);
	check_rc(rc, &e, "sf_query_open over 2,600 rows");
	check_int(sf_query_total(q), BULK, "totalSize is 2,600");
	while ((rc = sf_query_next(q, &rec, &e)) == 1) {
		const char *id = json_string_value(json_object_get(rec, "Id"));

		if (n < BULK && id)
			snprintf(seen[n], 19, "%s", id);
		n++;
	}
	check_int(rc, 0, "the iterator ends with 0");
	check_int((long long)n, BULK, "the iterator hands out 2,600 rows");
	check_int(client_calls(c) - calls, 2, "two pages: 2,000 + 600");
	qsort(seen, n < BULK ? n : BULK, sizeof(*seen), cmp_id);
	qsort(ids, BULK, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < BULK && i < n; i++)
		match += !strcmp(seen[i], ids[i]);
	check_int((long long)match, BULK,
		  "every created row seen exactly once");
	rc = sf_query_next(q, &rec, &e);
	check(rc == 0 && rec == NULL, "after the end, next keeps answering 0",
	      NULL);
	sf_query_close(q);
	free(seen);

	rc = sf_query_open(c,
			   "SELECT Id FROM Account WHERE Name = 'No Such Name'",
			   false, &q, &e);
	check_rc(rc, &e, "an empty query opens");
	check_int(sf_query_total(q), 0, "an empty query's totalSize is 0");
	check_int(sf_query_next(q, &rec, &e), 0, "an empty query ends at once");
	sf_query_close(q);

	rc = sf_query_open(c, "SELECT Idd FROM Account", false, &q, &e);
	check_fail(rc, &e, BASE_EINVAL, SF_CLASS_INVALID_REQUEST,
		   "INVALID_FIELD",
		   "a bad column: INVALID_FIELD is invalid_request");
	check(q == NULL, "a failed open leaves *out NULL", NULL);
	sf_query_close(NULL);
}

static void test_rest__query_survives_expired_session(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_query *q = NULL;
	json_t *rec, *x;
	long long logins;
	size_t n = 0;
	int rc;

	rc = sf_query_open(c, "SELECT Id FROM Account WHERE Name LIKE 'Iter %'",
			   false, &q, &e);
	check_rc(rc, &e, "open a query for the expiry case");
	rc = sf_query_next(q, &rec, &e);
	n += rc == 1;
	logins = emu_logins();
	x = emu("POST", "/sessions/expire");
	check(x != NULL, "sfemu expires every session", NULL);
	json_decref(x);
	while ((rc = sf_query_next(q, &rec, &e)) == 1)
		n++;
	check(rc == 0, "the iterator finishes after the session expired",
	      "rc %d: %s", rc, e.message);
	check_int((long long)n, BULK, "every row arrives across the re-login");
	check_int(emu_logins() - logins, 1, "exactly one new login");
	sf_query_close(q);
}

/* ---- Bulk API 2.0 query (bulk.c) ---- */

/* Reads a bulk query to its end: rows counted, ids kept (seen may be NULL),
 * deleted rows counted; the last rc in *rc_out. */
static size_t bulk_drain(struct sf_bulk_query *q, char (*seen)[19],
			 size_t *deleted, int *rc_out, struct sf_error *e)
{
	json_t *row;
	size_t n = 0;
	int rc;

	while ((rc = sf_bulk_query_next(q, &row, e)) == 1) {
		const char *id = json_string_value(json_object_get(row, "Id"));

		if (seen && n < BULK && id)
			snprintf(seen[n], 19, "%s", id);
		if (deleted && !strcmp(str_at(row, "IsDeleted"), "true"))
			(*deleted)++;
		n++;
	}
	*rc_out = rc;
	return n;
}

static void test_bulk__query_streams_every_row_once(struct sf_client *c,
						     char (*ids)[19])
{
	struct sf_bulk_query_options o = {.poll_ms = 10, .poll_max_ms = 50,
					  .timeout_ms = 10000};
	struct sf_error e = SF_ERROR_INIT;
	struct sf_bulk_query *q = NULL;
	char(*seen)[19] = calloc(BULK + 1, sizeof(*seen));
	json_t *row;
	long long calls;
	size_t n, match = 0;
	int rc;

	calls = client_calls(c);
	rc = sf_bulk_query_open_opts(
		c, "SELECT Id, Name FROM Account WHERE Name LIKE 'Iter %'",
		false, &o, &q, &e);
	check_rc(rc, &e, "sf_bulk_query_open over 2,600 rows");
	check(q && strlen(sf_bulk_query_job_id(q)) == 18,
	      "the job has an 18-character id", NULL);
	n = bulk_drain(q, seen, NULL, &rc, &e);
	check_int(rc, 0, "the bulk iterator ends with 0");
	check_int((long long)n, BULK, "the bulk iterator hands out 2,600 rows");
	/* create + at least one poll + 4 pages of 700 (bulkQueryPageSize). */
	check(client_calls(c) - calls >= 6, "the rows come over several pages",
	      "%lld calls", client_calls(c) - calls);
	qsort(seen, n < BULK ? n : BULK, sizeof(*seen), cmp_id);
	qsort(ids, BULK, sizeof(*ids), cmp_id);
	for (size_t i = 0; i < BULK && i < n; i++)
		match += !strcmp(seen[i], ids[i]);
	check_int((long long)match, BULK,
		  "every row arrives exactly once across the pages");
	rc = sf_bulk_query_next(q, &row, &e);
	check(rc == 0 && row == NULL,
	      "after the end, bulk next keeps answering 0", NULL);
	sf_bulk_query_close(q);
	free(seen);

	/* A row is an object keyed by the header, SELECT order kept. */
	rc = sf_bulk_query_open_opts(
		c, "SELECT Name, Id FROM Account WHERE Name LIKE 'Iter %'",
		false, &o, &q, &e);
	check_rc(rc, &e, "a second bulk query opens");
	rc = q ? sf_bulk_query_next(q, &row, &e) : -1;
	check(rc == 1 && json_object_size(row) == 2 &&
		      !strncmp(str_at(row, "Name"), "Iter ", 5) &&
		      strlen(str_at(row, "Id")) == 18,
	      "a row is {Name, Id} as strings", NULL);
	sf_bulk_query_close(q);

	/* Smaller pages through maxRecords, and an empty result. */
	o.max_records = 1000;
	calls = client_calls(c);
	rc = sf_bulk_query_open_opts(
		c, "SELECT Id FROM Account WHERE Name LIKE 'Iter %'", false,
		&o, &q, &e);
	n = rc == 0 ? bulk_drain(q, NULL, NULL, &rc, &e) : 0;
	check(rc == 0 && n == BULK, "maxRecords 1000: every row arrives",
	      "rc %d, %zu rows: %s", rc, n, e.message);
	sf_bulk_query_close(q);
	o.max_records = 0;
	rc = sf_bulk_query_open_opts(
		c, "SELECT Id FROM Account WHERE Name = 'No Such Name'", false,
		&o, &q, &e);
	check_rc(rc, &e, "an empty bulk query opens");
	check_int(q ? sf_bulk_query_next(q, &row, &e) : -1, 0,
		  "an empty bulk query ends at once");
	sf_bulk_query_close(q);

	rc = sf_bulk_query_open_opts(c, "SELECT Idd FROM Account", false, &o,
				     &q, &e);
	check_fail(rc, &e, BASE_EINVAL, SF_CLASS_INVALID_REQUEST,
		   "INVALID_FIELD",
		   "a bad bulk query: sfemu's INVALID_FIELD, invalid_request");
	check(q == NULL, "a failed bulk open leaves *out NULL", NULL);
	sf_bulk_query_close(NULL);
}

static void test_bulk__query_all_sees_deleted(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_bulk_query *q = NULL;
	size_t n = 0, deleted = 0;
	int rc;

	rc = sf_bulk_query_open(
		c, "SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'Iter %'",
		false, &q, &e);
	n = rc == 0 ? bulk_drain(q, NULL, NULL, &rc, &e) : 0;
	check(rc == 0 && n == 0, "bulk query: the deleted rows are gone",
	      "rc %d, %zu rows: %s", rc, n, e.message);
	sf_bulk_query_close(q);
	rc = sf_bulk_query_open(
		c, "SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'Iter %'",
		true, &q, &e);
	check_rc(rc, &e, "bulk queryAll opens");
	n = rc == 0 ? bulk_drain(q, NULL, &deleted, &rc, &e) : 0;
	check_int(rc, 0, "bulk queryAll ends with 0");
	check_int((long long)n, BULK, "bulk queryAll still sees every row");
	check_int((long long)deleted, BULK,
		  "bulk queryAll rows read IsDeleted true");
	sf_bulk_query_close(q);
}

/* Arms a fault in sfemu (see docs/sfemu.md, /_emu/faults). */
static void arm(const char *spec)
{
	json_t *x = emu_send("POST", "/faults", spec);

	check(x && json_integer_value(json_object_get(x, "id")) > 0,
	      "sfemu arms a fault", "%s", spec);
	json_decref(x);
}

/* Requests the armed faults have answered so far, and how many are armed. */
static long long faults_left(void)
{
	json_t *x = emu("GET", "/faults");
	long long n = x ? (long long)json_array_size(json_object_get(x, "faults"))
			: -1;

	json_decref(x);
	return n;
}

/*
 * Salesforce's passing failures, injected by sfemu: libsf retries what is
 * safe to repeat (503, an HTML error page, UNABLE_TO_LOCK_ROW on an
 * idempotent call) and nothing else: not the daily limit, not a create.
 */
static void test_rest__retries_injected_faults(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *out = NULL, *fields;
	long long used;
	char id[19];
	int rc;

	used = emu_api_used();
	arm("{\"path\": \"/services/data/v60.0/limits\", \"fault\": "
	    "\"unavailable\", \"times\": 2}");
	rc = sf_limits(c, &out, &e);
	check_rc(rc, &e, "two 503 SERVER_UNAVAILABLE, then the limits arrive");
	check_int(faults_left(), 0, "... both injected failures were consumed");
	check_int(emu_api_used() - used, 1, "... and the org counted one call");
	json_decref(out);

	arm("{\"path\": \"/services/data/v60.0/limits\", \"fault\": "
	    "\"html\"}");
	rc = sf_limits(c, &out, &e);
	check_rc(rc, &e, "an HTML 503 page is retried like a 503");
	json_decref(out);

	fields = json_pack("{s:s}", "Name", "Fault Row");
	rc = sf_create(c, "Account", fields, id, &e);
	check_rc(rc, &e, "create the record the lock-row case updates");
	arm("{\"path\": \"/services/data/v60.0/sobjects/Account/*\", "
	    "\"method\": \"PATCH\", \"fault\": \"lock_row\"}");
	json_object_set_new(fields, "Name", json_string("Fault Row 2"));
	rc = sf_update(c, "Account", id, fields, &e);
	check_rc(rc, &e, "UNABLE_TO_LOCK_ROW on an update is retried");

	arm("{\"path\": \"/services/data/v60.0/sobjects/Account\", "
	    "\"method\": \"POST\", \"fault\": \"server_error\"}");
	rc = sf_create(c, "Account", fields, id, &e);
	check_fail(rc, &e, BASE_ERETRY, SF_CLASS_TRANSIENT, "UNKNOWN_EXCEPTION",
		   "a create is never repeated: the 500 comes back");
	check_int(faults_left(), 0, "... after exactly one attempt");
	json_decref(fields);

	arm("{\"path\": \"/services/data/v60.0/limits\", \"fault\": "
	    "\"request_limit\", \"times\": 3}");
	rc = sf_limits(c, &out, &e);
	check_fail(rc, &e, BASE_ERETRY, SF_CLASS_THROTTLE,
		   "REQUEST_LIMIT_EXCEEDED",
		   "the daily limit is reported, not retried");
	check_int(faults_left(), 1, "... one attempt: the fault is still armed");
	json_decref(emu("DELETE", "/faults"));
	check_int(faults_left(), 0, "DELETE /_emu/faults disarms everything");

	arm("{\"path\": \"/services/data/v60.0/limits\", \"fault\": "
	    "\"unavailable\", \"times\": 0}");
	rc = sf_limits(c, &out, &e);
	check_fail(rc, &e, BASE_ERETRY, SF_CLASS_TRANSIENT, "SERVER_UNAVAILABLE",
		   "a 503 that doesn't pass fails after the retries");
	out = emu("GET", "/faults");
	check_int(json_integer_value(json_object_get(
			  json_array_get(json_object_get(out, "faults"), 0),
			  "hits")),
		  5, "... one attempt and 4 retries (max_retries)");
	json_decref(out);
	json_decref(emu("DELETE", "/faults"));
}

static void test_rest__collections_with_a_failing_row(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_result *res = NULL;
	struct sf_query *q = NULL;
	json_t *recs;
	size_t n = 0;
	int rc;

	recs = json_pack("[{s:{s:s}, s:s}, {s:{s:s}, s:s}, {s:{s:s}, s:s}]",
			 "attributes", "type", "Account", "Name", "Mixed A",
			 "attributes", "type", "Account", "Phone", "555",
			 "attributes", "type", "Account", "Name", "Mixed C");
	rc = sf_collection_create(c, recs, false, &res, &n, &e);
	check_rc(rc, &e, "collection create with one bad row, allOrNone false");
	check(n == 3 && res[0].success && !res[1].success && res[2].success,
	      "allOrNone false: the good rows are written", NULL);
	if (n == 3) {
		check_str(res[1].err.code, "REQUIRED_FIELD_MISSING",
			  "the bad row's statusCode");
		check(res[1].err.cls == SF_CLASS_INVALID_REQUEST,
		      "the bad row is invalid_request", "class %s",
		      sf_class_name(res[1].err.cls));
		check(res[1].err.nfields == 1 &&
			      !strcmp(res[1].err.fields[0], "Name"),
		      "the bad row names the field", NULL);
		check(res[1].id[0] == '\0', "the bad row has no id", NULL);
	}
	free(res);

	json_object_set_new(json_array_get(recs, 0), "Name",
			    json_string("AllOrNone A"));
	json_object_set_new(json_array_get(recs, 2), "Name",
			    json_string("AllOrNone C"));
	rc = sf_collection_create(c, recs, true, &res, &n, &e);
	check_rc(rc, &e, "collection create with one bad row, allOrNone true");
	check(n == 3 && !res[0].success && !res[1].success && !res[2].success,
	      "allOrNone true: no row is written", NULL);
	if (n == 3) {
		check_str(res[0].err.code, "ALL_OR_NONE_OPERATION_ROLLED_BACK",
			  "a good row is rolled back");
		check_str(res[1].err.code, "REQUIRED_FIELD_MISSING",
			  "the bad row keeps its own error");
	}
	free(res);
	json_decref(recs);
	rc = sf_query_open(
		c, "SELECT Id FROM Account WHERE Name LIKE 'AllOrNone%'", false,
		&q, &e);
	check(rc == 0 && sf_query_total(q) == 0,
	      "nothing of the rolled-back call is stored", NULL);
	sf_query_close(q);

	recs = json_pack("[{s:s}]", "Name", "no type");
	rc = sf_collection_create(c, recs, false, &res, &n, &e);
	check(rc == BASE_EINVAL && res == NULL && n == 0,
	      "a record without attributes.type fails before sending", NULL);
	json_decref(recs);
}

static void test_rest__collection_update_upsert_delete(struct sf_client *c,
						       char (*ids)[19])
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_result *res = NULL;
	const char **del = calloc(BULK + 1, sizeof(*del));
	json_t *recs, *rec = NULL;
	long long calls;
	size_t n = 0, ok = 0;
	int rc;

	recs = json_pack("[{s:{s:s}, s:s, s:s}, {s:{s:s}, s:s, s:s}]",
			 "attributes", "type", "Account", "id", ids[0], "Name",
			 "Iter Renamed 0", "attributes", "type", "Account",
			 "id", "001000000000000AAA", "Name", "Ghost");
	rc = sf_collection_update(c, recs, false, &res, &n, &e);
	check_rc(rc, &e, "collection update");
	check(n == 2 && res[0].success && !res[1].success,
	      "update: one row written, one refused", NULL);
	if (n == 2)
		check(res[1].err.code[0] != '\0', "the refused row says why",
		      "code '%s'", res[1].err.code);
	free(res);
	json_decref(recs);
	rc = sf_retrieve(c, "Account", ids[0], "Name", &rec, &e);
	check_str(rc == 0 ? json_string_value(json_object_get(rec, "Name"))
			  : e.message,
		  "Iter Renamed 0", "the collection update is stored");
	json_decref(rec);

	/* No attributes: libsf adds them, without changing the caller's JSON.
	 */
	recs = json_pack("[{s:s, s:s}, {s:s, s:s}]", "PRM_Id__c", "P-1", "Name",
			 "Globex Renamed", "PRM_Id__c", "coll/new 1", "Name",
			 "Coll New");
	rc = sf_collection_upsert(c, "Account", "PRM_Id__c", recs, false, &res,
				  &n, &e);
	check_rc(rc, &e, "collection upsert");
	check(n == 2 && res[0].success && !res[0].created && res[1].success &&
		      res[1].created,
	      "upsert: one updated, one created", NULL);
	check(json_object_get(json_array_get(recs, 0), "attributes") == NULL,
	      "the caller's records are left as they were", NULL);
	free(res);
	json_decref(recs);

	/* A call that fails as a whole: its rows and every later row carry the
	 * error. */
	recs = json_array();
	for (int i = 0; i < 250; i++)
		json_array_append_new(recs,
				      json_pack("{s:s, s:s}", "NoSuchField__c",
						"x", "Name", "Never"));
	rc = sf_collection_upsert(c, "Account", "NoSuchField__c", recs, false,
				  &res, &n, &e);
	check_fail(rc, &e, BASE_ENOTFOUND, SF_CLASS_NOT_FOUND, "NOT_FOUND",
		   "collection upsert on a missing field: the call fails as a "
		   "whole");
	check(n == 250 && res && !res[0].success &&
		      !strcmp(res[0].err.code, "NOT_FOUND") &&
		      !res[249].success &&
		      strstr(res[249].err.message, "not sent"),
	      "results still come back: the failed call's rows and the unsent "
	      "ones",
	      "n %zu", n);
	check(strstr(e.message, "records 0-199") != NULL,
	      "the error names the failed records", "message: %s", e.message);
	free(res);
	json_decref(recs);

	for (int i = 0; i < BULK; i++)
		del[i] = ids[i];
	calls = client_calls(c);
	rc = sf_collection_delete(c, del, BULK, false, &res, &n, &e);
	check_rc(rc, &e, "collection delete of 2,600 ids");
	check_int(client_calls(c) - calls, 13, "13 delete calls of 200");
	for (size_t i = 0; i < n; i++)
		ok += res[i].success && !strcmp(res[i].id, ids[i]);
	check_int((long long)ok, BULK,
		  "every row deleted, results in input order");
	free(res);

	rc = sf_collection_delete(c, del, 1, false, &res, &n, &e);
	check_rc(rc, &e, "deleting a deleted id answers per row");
	check(n == 1 && !res[0].success &&
		      res[0].err.cls == SF_CLASS_NOT_FOUND &&
		      !strcmp(res[0].err.code, "ENTITY_IS_DELETED"),
	      "the row is ENTITY_IS_DELETED, class not_found",
	      "code '%s', class %s", n ? res[0].err.code : "",
	      n ? sf_class_name(res[0].err.cls) : "");
	free(res);

	del[0] = "not-an-id";
	rc = sf_collection_delete(c, del, 1, false, &res, &n, &e);
	check(rc == BASE_EINVAL && res == NULL,
	      "a malformed id fails before sending", NULL);
	free(del);
}

static void test_rest__query_all_sees_deleted(struct sf_client *c)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_query *q = NULL;
	json_t *rec;
	int rc;

	rc = sf_query_open(c, "SELECT Id FROM Account WHERE Name LIKE 'Iter %'",
			   false, &q, &e);
	check(rc == 0 && sf_query_total(q) == 0,
	      "query: the deleted rows are gone", NULL);
	sf_query_close(q);
	rc = sf_query_open(
		c, "SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'Iter %'",
		true, &q, &e);
	check_rc(rc, &e, "queryAll opens");
	check_int(sf_query_total(q), BULK,
		  "queryAll still counts the deleted rows");
	rc = sf_query_next(q, &rec, &e);
	check(rc == 1 && json_is_true(json_object_get(rec, "IsDeleted")),
	      "queryAll rows read IsDeleted true", NULL);
	sf_query_close(q);
}

/* ---- the page parser (query.c) against json_loadb ---- */

/* 1 when both parsers agree on text: both refuse it, or both read equal values.
 */
static int parsers_agree(const char *text, size_t len)
{
	struct sf_error e = SF_ERROR_INIT;
	json_t *a = json_loadb(text, len, 0, NULL), *b = NULL;
	int rc = sf__query_parse_page(text, len, &b, &e);
	int same = (a == NULL) == (rc != 0) && (!a || json_equal(a, b));

	if (!same)
		printf("#   disagree on %zu bytes (json_loadb %s, libsf %s): "
		       "%.*s\n",
		       len, a ? "reads it" : "refuses it",
		       rc ? e.message : "reads it",
		       (int)(len < 120 ? len : 120), text);
	json_decref(a);
	json_decref(b);
	return same;
}

static void test_rest__page_parser_matches_jansson(struct sf_client *c)
{
	static const char *const docs[] = {
		"{}",
		"[]",
		" \t\r\n{\"a\":1} \n",
		"{\"a\":{\"b\":[{},[],null]}}",
		"{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\t\\\"\\\\\\/\\b\\f\\r\"}",
		"{\"k\\u00e9y\":true,\"x\":false}",
		"[-0.5e+3,1E2,0,-0,1e-400,123.456e-7,2.5E-3]",
		"[9223372036854775807]",
		"[-9223372036854775808]",
		"[9223372036854775808]",
		"[-9223372036854775809]",
		"[1e400]",
		"[-1e400]",
		"[1,2,]",
		"{\"a\":1,}",
		"{\"a\" 1}",
		"{a:1}",
		"[01]",
		"[1.]",
		"[.5]",
		"[-]",
		"[+1]",
		"[1e]",
		"[1e+]",
		"[0x10]",
		"[1 2]",
		"[tru]",
		"[nul]",
		"[true]",
		"[null,false,true]",
		"\"str\"",
		"1",
		"",
		" ",
		"[",
		"{",
		"[\"abc",
		"{\"a\":",
		"[\"\\u0000\"]",
		"[\"\\ud800\"]",
		"[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]",
		"[\"\\u12\"]",
		"[\"\\uzzzz\"]",
		"[\"a\\qb\"]",
		"[\"\x01\"]",
		"[\"\t\"]",
		"[\"\xc3\x28\"]",
		"[\"\xc0\xaf\"]",
		"[\"\xed\xa0\x80\"]",
		"[\"\xf4\x90\x80\x80\"]",
		"[\"\xf0\x9f\x98\x80\"]",
		"[\"\xe2\x82\xac\"]",
		"[\"\xe0\x80\x80\"]",
		"[\"\xff\"]",
		"{\"a\":1}x",
		"{\"a\":1}{}",
		"{\"a\":1,\"a\":2}",
		"[\"\\/\"]",
		"{\"\":\"\"}",
		"[[[[[[[[[[1]]]]]]]]]]",
		"{\"a\":1 \"b\":2}",
		"[1,,2]",
		"[,1]",
		"{,}",
		"[\"\\\"]",
		"[null]]",
	};
	struct sf_error e = SF_ERROR_INIT;
	json_t *page = NULL;
	char *text;
	size_t n, agree = 0, total = 0;
	unsigned long long rnd = 0x5eedULL;
	int status;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		agree += parsers_agree(docs[i], strlen(docs[i]));
	check_int((long long)agree, (long long)(sizeof(docs) / sizeof(docs[0])),
		  "the page parser reads and refuses what json_loadb does");

	/* A real page, then 3,000 mutations of it (a fixed seed: hermetic). */
	sf_rest(c, "GET",
		"/query?q=SELECT%20Id%2C%20Name%2C%20NumberOfEmployees%2C%"
		"20Description%20FROM%20Account%20LIMIT%2030",
		NULL, &page, &status, &e);
	text = json_dumps(page, JSON_COMPACT);
	json_decref(page);
	if (!text) {
		check(0, "a real page to mutate", "%s", e.message);
		return;
	}
	n = strlen(text);
	total++;
	agree += parsers_agree(text, n) ? 1 : 0;
	for (int i = 0; i < 3000; i++) {
		static const char interesting[] =
			"{}[]\",:\\u0-.eE+ \n\x01\xc3\x80\xff";
		char *m = malloc(n + 1);
		size_t at, len = n;

		memcpy(m, text, n + 1);
		rnd = rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		at = (size_t)(rnd >> 33) % n;
		switch ((rnd >> 20) % 4) {
		case 0: /* replace a byte */
			m[at] = interesting[(rnd >> 8) %
					    (sizeof(interesting) - 1)];
			break;
		case 1: /* drop a byte */
			memmove(m + at, m + at + 1, n - at);
			len--;
			break;
		case 2: /* cut the text */
			len = at;
			break;
		default: /* swap two neighbours */
			if (at + 1 < n) {
				char t = m[at];

				m[at] = m[at + 1];
				m[at + 1] = t;
			}
		}
		total++;
		agree += parsers_agree(m, len) ? 1 : 0;
		free(m);
	}
	free(text);
	check_int((long long)agree -
			  (long long)(sizeof(docs) / sizeof(docs[0])),
		  (long long)total,
		  "and agrees on 3,000 mutations of a real page");
}

struct describer {
	struct sf_client *c;
	pthread_t tid;
	json_t *doc;
	int rc;
};

static void *describe_thread(void *arg)
{
	struct describer *d = arg;
	struct sf_error e = SF_ERROR_INIT;

	d->rc = sf_describe(d->c, "Contact", &d->doc, &e);
	return NULL;
}

/* Threads that miss the cache together all end up with the one entry. */
static void test_rest__describe_cache_shared_by_threads(struct sf_client *c)
{
	struct describer d[4];
	int same = 1, ok = 1;

	for (int i = 0; i < 4; i++) {
		d[i] = (struct describer){.c = c};
		pthread_create(&d[i].tid, NULL, describe_thread, &d[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(d[i].tid, NULL);
		ok &= d[i].rc == 0;
		same &= d[i].doc == d[0].doc;
	}
	check(ok && same && d[0].doc,
	      "four threads describing at once share one cached document",
	      NULL);
}

int main(void)
{
	struct sf_error e = SF_ERROR_INIT;
	struct sf_client *c;
	char(*ids)[19];

	base_url = getenv("SF_ITEST_URL");
	if (!base_url || sf_global_init(&e)) {
		printf("not ok - itest_rest set-up (SF_ITEST_URL, "
		       "sf_global_init)\n");
		return 1;
	}
	c = client_new();
	if (!c) {
		printf("not ok - itest_rest client\n");
		sf_global_cleanup();
		return 1;
	}
	test_rest__versions_limits_describe_global(c);
	test_rest__describe_is_cached(c);
	test_rest__crud(c);
	test_rest__upsert(c);
	test_rest__composite(c);
	ids = test_rest__collection_create_bulk(c);
	test_rest__query_iterates_every_row(c, ids);
	test_rest__query_survives_expired_session(c);
	test_bulk__query_streams_every_row_once(c, ids);
	test_rest__collections_with_a_failing_row(c);
	test_rest__collection_update_upsert_delete(c, ids);
	test_rest__query_all_sees_deleted(c);
	test_bulk__query_all_sees_deleted(c);
	test_rest__page_parser_matches_jansson(c);
	test_rest__describe_cache_shared_by_threads(c);
	test_rest__retries_injected_faults(c);
	free(ids);
	sf_client_free(c);
	sf_global_cleanup();
	return failures ? 1 : 0;
}
