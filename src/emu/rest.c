/* rest.c - the REST API under /services/data: versions, sessions, API usage, routing, limits. */
#include "rest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/form.h"
#include "base/log.h"
#include "base/banned.h"

static void version_label(int v, char *out, size_t n)
{
	static const char *const seasons[] = {"Winter", "Spring", "Summer"};

	/* 20.0 was Winter '11; three releases a year since. */
	snprintf(out, n, "%s '%02d", seasons[(v - 20) % 3], 11 + (v - 20) / 3);
}

static void list_versions(struct emu_resp *resp)
{
	json_t *arr = json_array();
	char label[32], url[64], ver[16];

	for (int v = EMU_API_MIN; v <= EMU_API_MAX; v++) {
		version_label(v, label, sizeof(label));
		snprintf(url, sizeof(url), "/services/data/v%d.0", v);
		snprintf(ver, sizeof(ver), "%d.0", v);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label",
						     label, "url", url, "version",
						     ver));
	}
	emu_reply_json(resp, 200, arr);
	json_decref(arr);
}

static void list_resources(struct emu_rest *r)
{
	static const char *const names[] = {
		"sobjects", "query", "queryAll", "limits", "composite", "jobs",
		"tooling", "search", "recent", "identity", NULL};
	json_t *obj = json_object();
	char url[96];

	for (int i = 0; names[i]; i++) {
		snprintf(url, sizeof(url), "/services/data/v%d.0/%s", r->version,
			 names[i]);
		json_object_set_new(obj, names[i], json_string(url));
	}
	emu_reply_json(r->resp, 200, obj);
	json_decref(obj);
}

void emu_rest_error(struct emu_rest *r, const struct emu_sferr *e)
{
	json_t *v = emu_sferr_json(e);

	emu_reply_json(r->resp, e->status ? e->status : 400, v);
	json_decref(v);
}

void emu_rest_fail(struct emu_rest *r, int status, const char *code,
		   const char *fmt, ...)
{
	struct emu_sferr e;
	char msg[sizeof(e.message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emu_sferr_set(&e, status, code, "%s", msg);
	emu_rest_error(r, &e);
}

void emu_rest_method_not_allowed(struct emu_rest *r, const char *allowed)
{
	emu_rest_fail(r, 405, "METHOD_NOT_ALLOWED",
		      "HTTP Method '%s' not allowed. Allowed are %s",
		      r->req->method, allowed);
	emu_resp_header(r->resp, "Allow", allowed);
}

const struct emu_field *emu_rest_key_field(struct emu_rest *r,
					   const struct emu_sobject *o,
					   const char *name)
{
	const struct emu_field *f = emu_sobject_field(o, name);

	if (f && (f->external_id || f->id_lookup || !strcmp(f->name, "Id")) &&
	    emu_fls_readable(r->org, o->name, f->name))
		return f;
	emu_rest_fail(r, 404, "NOT_FOUND",
		      "Provided external ID field does not exist or is not "
		      "accessible: %s",
		      name);
	return NULL;
}

json_t *emu_rest_body(struct emu_rest *r)
{
	json_error_t jerr;
	json_t *v = json_loadb(r->req->body, r->req->body_len,
			       JSON_REJECT_DUPLICATES, &jerr);

	if (!v) {
		emu_rest_fail(r, 400, "JSON_PARSER_ERROR",
			      "%s at [line:%d, column:%d]", jerr.text, jerr.line,
			      jerr.column);
	}
	return v;
}

/*
 * The session behind the request, checked the way Salesforce checks every
 * REST call: a live session, an org and a user with API access, and a
 * password that has not expired. Writes the refusal and returns false.
 */
static bool rest_auth(struct emu_org *org, struct emu_req *req,
		      struct emu_resp *resp, struct emu_user *u)
{
	const char *token = emu_req_bearer(req);
	struct emu_session s;

	if (!token || emu_org_session_get(org, token, &s, NULL) != 0 ||
	    emu_org_find_user_by_id(org, s.user_id, u, NULL) != 0 ||
	    !u->is_active || u->is_frozen) {
		emu_reply_sf_error(resp, 401, "INVALID_SESSION_ID",
				   "Session expired or invalid");
		return false;
	}
	if (s.password_expired) {
		emu_reply_sf_error(resp, 403,
				   "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
				   "The users password has expired, you must "
				   "call SetPassword before attempting any "
				   "other API operations");
		return false;
	}
	if (!emu_org_has_api(org)) {
		emu_reply_sf_error(resp, 403, "API_DISABLED_FOR_ORG",
				   "The REST API is not enabled for this "
				   "Organization.");
		return false;
	}
	if (!emu_org_user_has_perm(org, u, "ApiEnabled")) {
		emu_reply_sf_error(resp, 403, "API_CURRENTLY_DISABLED",
				   "API is disabled for this User");
		return false;
	}
	return true;
}

/* "/sobjects/Account" for "/sobjects/Account/001.../x": what usage is counted under. */
static void resource_of(const struct emu_rest *r, char *out, size_t n)
{
	if (r->nsegs == 0)
		snprintf(out, n, "/");
	else if (r->nsegs >= 2 && (!strcmp(r->segs[0], "sobjects") ||
				   !strcmp(r->segs[0], "composite") ||
				   !strcmp(r->segs[0], "tooling")))
		snprintf(out, n, "/%s/%s", r->segs[0], r->segs[1]);
	else
		snprintf(out, n, "/%s", r->segs[0]);
}

/* Counts the call; false (with the 403 written) past the allocation. */
static bool spend_api_call(struct emu_rest *r)
{
	long long max = emu_org_api_max(r->org);
	long long used = emu_org_api_used(r->org);
	char resource[300], info[64];

	if (used >= max) {
		snprintf(info, sizeof(info), "api-usage=%lld/%lld", used, max);
		emu_resp_header(r->resp, "Sforce-Limit-Info", info);
		emu_reply_sf_error(r->resp, 403, "REQUEST_LIMIT_EXCEEDED",
				   "TotalRequests Limit exceeded.");
		return false;
	}
	resource_of(r, resource, sizeof(resource));
	if (emu_org_api_count(r->org, r->user.id, resource, NULL) == 0)
		used++;
	snprintf(info, sizeof(info), "api-usage=%lld/%lld", used, max);
	emu_resp_header(r->resp, "Sforce-Limit-Info", info);
	return true;
}

static void limits(struct emu_rest *r)
{
	long long max = emu_org_api_max(r->org);
	long long used = emu_org_api_used(r->org);
	json_t *v;

	if (strcmp(r->req->method, "GET") != 0) {
		emu_rest_method_not_allowed(r, "GET,HEAD");
		return;
	}
	v = json_pack("{s:{s:I, s:I}, s:{s:i, s:i}, s:{s:i, s:i},"
		      " s:{s:i, s:i}, s:{s:i, s:i}, s:{s:i, s:i},"
		      " s:{s:i, s:i}, s:{s:i, s:i}}",
		      "DailyApiRequests", "Max", (json_int_t)max, "Remaining",
		      (json_int_t)(max - used > 0 ? max - used : 0),
		      "DailyBulkApiBatches", "Max", 15000, "Remaining", 15000,
		      "DailyBulkV2QueryJobs", "Max", 10000, "Remaining", 10000,
		      "DailyBulkV2QueryFileStorageMB", "Max", 976562, "Remaining",
		      976562, "ConcurrentAsyncGetReportInstances", "Max", 200,
		      "Remaining", 200, "DataStorageMB", "Max", 1024, "Remaining",
		      1024, "FileStorageMB", "Max", 1024, "Remaining", 1024,
		      "HourlyTimeBasedWorkflow", "Max", 1000, "Remaining", 1000);
	emu_reply_json(r->resp, 200, v);
	json_decref(v);
}

/* The caller's field-level security, for the length of the call. */
static void set_fls(struct emu_rest *r)
{
	json_t *p = NULL;

	if (emu_org_profile_json(r->org, r->user.profile_id, &p, NULL) == 0) {
		r->org->fls = json_incref(json_object_get(p, "fieldPermissions"));
		json_decref(p);
	}
}

static void dispatch(struct emu_rest *r);

/* Splits the path after the version into %-decoded segments. */
static bool split_segments(struct emu_rest *r)
{
	const char *p = r->path;

	r->nsegs = 0;
	while (*p == '/')
		p++;
	while (*p) {
		size_t n = strcspn(p, "/");
		size_t len;
		char *dec;

		if (r->nsegs == 8)
			return false;
		dec = base_url_decode(p, n, false, &len);
		if (!dec || len >= sizeof(r->segs[0]) || strlen(dec) != len) {
			free(dec);
			return false;
		}
		memcpy(r->segs[r->nsegs++], dec, len + 1);
		free(dec);
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

void emu_rest_handle(struct emu_org *org, struct emu_req *req,
		     struct emu_resp *resp, const char *rest)
{
	struct emu_rest r = {.org = org, .req = req, .resp = resp};
	json_t *saved_fls;
	char seg[32];
	size_t n;

	if (rest[0] == '\0' || !strcmp(rest, "/")) {
		list_versions(resp);
		return;
	}
	rest++;
	n = strcspn(rest, "/");
	if (n >= sizeof(seg)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	memcpy(seg, rest, n);
	seg[n] = '\0';
	r.path = rest + n;
	if (!strcmp(seg, "latest"))
		r.version = EMU_API_MAX;
	else if (seg[0] != 'v' || !emu_parse_api_version(seg, &r.version)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	if (!rest_auth(org, req, resp, &r.user))
		return;
	if (!split_segments(&r)) {
		emu_reply_sf_error(resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
		return;
	}
	/* A composite counts once, however many subrequests it runs. */
	if (!req->uncounted && !spend_api_call(&r))
		return;
	/* Composite subrequests come back through here: restore, don't clear. */
	saved_fls = org->fls;
	org->fls = NULL;
	set_fls(&r);
	dispatch(&r);
	json_decref(org->fls);
	org->fls = saved_fls;
}

static void dispatch(struct emu_rest *r)
{
	if (r->nsegs == 0)
		list_resources(r);
	else if (!strcmp(r->segs[0], "sobjects"))
		emu_rest_sobjects(r);
	else if (!strcmp(r->segs[0], "query"))
		emu_rest_query(r, false);
	else if (!strcmp(r->segs[0], "queryAll"))
		emu_rest_query(r, true);
	else if (!strcmp(r->segs[0], "composite"))
		emu_rest_composite(r);
	else if (!strcmp(r->segs[0], "limits") && r->nsegs == 1)
		limits(r);
	else if (!strcmp(r->segs[0], "tooling"))
		emu_rest_tooling(r);
	else if (!strcmp(r->segs[0], "jobs"))
		emu_rest_jobs(r);
	else
		emu_reply_sf_error(r->resp, 404, "NOT_FOUND",
				   "The requested resource does not exist");
}
