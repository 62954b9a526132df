/* faults.c - injected failures for tests: arm, match, consume, and answer in Salesforce's shapes. */
#include "faults.h"

#include <stdio.h>
#include <string.h>

#include "server.h"
#include "base/banned.h"

static const char *const kind_names[] = {
	[EMU_FAULT_UNAVAILABLE] = "unavailable",
	[EMU_FAULT_SERVER_ERROR] = "server_error",
	[EMU_FAULT_LOCK_ROW] = "lock_row",
	[EMU_FAULT_REQUEST_LIMIT] = "request_limit",
	[EMU_FAULT_HTML] = "html",
	[EMU_FAULT_DELAY] = "delay",
};
#define N_KINDS ((int)(sizeof(kind_names) / sizeof(kind_names[0])))

static bool is_rest_path(const char *path)
{
	return strncmp(path, "/services/data", 14) == 0 &&
	       (path[14] == '\0' || path[14] == '/' || path[14] == '*');
}

static int parse_kind(json_t *v, enum emu_fault_kind *out,
		      struct base_err *err)
{
	const char *s = json_string_value(v);

	for (int i = 0; s && i < N_KINDS; i++)
		if (!strcmp(s, kind_names[i])) {
			*out = (enum emu_fault_kind)i;
			return 0;
		}
	return base_err_set(err, BASE_EINVAL,
			    "'fault' must be one of unavailable, server_error, "
			    "lock_row, request_limit, html, delay");
}

static int int_in(json_t *v, const char *key, long long lo, long long hi,
		  int *out, struct base_err *err)
{
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return base_err_set(err, BASE_EINVAL,
				    "'%s' must be an integer from %lld to %lld",
				    key, lo, hi);
	*out = (int)json_integer_value(v);
	return 0;
}

int emu_faults_add(struct emu_faults *f, json_t *spec, struct emu_fault *out,
		   struct base_err *err)
{
	struct emu_fault x = {.remaining = 1};
	const char *path, *method = "";
	int times = 1;

	if (!json_is_object(spec))
		return base_err_set(err, BASE_EINVAL,
				    "the body must be a JSON object");
	path = json_string_value(json_object_get(spec, "path"));
	if (!path || path[0] != '/' || strlen(path) >= sizeof(x.path))
		return base_err_set(err, BASE_EINVAL,
				    "'path' must be a path starting with '/' "
				    "(end it with '*' to match a prefix)");
	if (!strncmp(path, "/_emu", 5) || !strncmp(path, "/setup", 6))
		return base_err_set(err, BASE_EINVAL,
				    "faults never apply to /_emu or /setup");
	if (json_object_get(spec, "method")) {
		method = json_string_value(json_object_get(spec, "method"));
		if (!method || !*method || strlen(method) >= sizeof(x.method))
			return base_err_set(err, BASE_EINVAL,
					    "'method' must be an HTTP method");
	}
	if (parse_kind(json_object_get(spec, "fault"), &x.kind, err) ||
	    int_in(json_object_get(spec, "times"), "times", 0, 1000000, &times,
		   err) ||
	    int_in(json_object_get(spec, "delayMs"), "delayMs", 0,
		   EMU_FAULT_DELAY_MAX_MS, &x.delay_ms, err))
		return BASE_EINVAL;
	if ((x.kind == EMU_FAULT_SERVER_ERROR || x.kind == EMU_FAULT_LOCK_ROW ||
	     x.kind == EMU_FAULT_REQUEST_LIMIT) &&
	    !is_rest_path(path))
		return base_err_set(err, BASE_EINVAL,
				    "'%s' is a REST error: its path must be "
				    "under /services/data",
				    kind_names[x.kind]);
	if (f->n == EMU_FAULTS_MAX)
		return base_err_set(err, BASE_ETOOBIG,
				    "at most %d faults may be armed at once",
				    EMU_FAULTS_MAX);
	snprintf(x.path, sizeof(x.path), "%s", path);
	snprintf(x.method, sizeof(x.method), "%s", method);
	x.remaining = times == 0 ? -1 : times;
	x.id = ++f->next_id;
	f->v[f->n++] = x;
	*out = x;
	return 0;
}

int emu_faults_remove(struct emu_faults *f, long long id, struct base_err *err)
{
	if (id == 0) {
		f->n = 0;
		return 0;
	}
	for (int i = 0; i < f->n; i++) {
		if (f->v[i].id != id)
			continue;
		memmove(&f->v[i], &f->v[i + 1],
			(size_t)(f->n - i - 1) * sizeof(f->v[0]));
		f->n--;
		return 0;
	}
	return base_err_set(err, BASE_ENOTFOUND, "no fault %lld", id);
}

json_t *emu_fault_json(const struct emu_fault *x)
{
	return json_pack("{s:I, s:s, s:s?, s:s, s:I, s:i, s:I}", "id",
			 (json_int_t)x->id, "path", x->path, "method",
			 x->method[0] ? x->method : NULL, "fault",
			 kind_names[x->kind], "remaining",
			 (json_int_t)x->remaining, "delayMs", x->delay_ms,
			 "hits", (json_int_t)x->hits);
}

json_t *emu_faults_json(const struct emu_faults *f)
{
	json_t *list = json_array();

	for (int i = 0; i < f->n; i++)
		json_array_append_new(list, emu_fault_json(&f->v[i]));
	return json_pack("{s:o}", "faults", list);
}

static bool matches(const struct emu_fault *x, const struct emu_req *req)
{
	size_t n = strlen(x->path);

	if (x->method[0] && strcmp(x->method, req->method) != 0)
		return false;
	if (n > 0 && x->path[n - 1] == '*')
		return strncmp(req->path, x->path, n - 1) == 0;
	return strcmp(req->path, x->path) == 0;
}

bool emu_faults_take(struct emu_faults *f, const struct emu_req *req,
		     struct emu_fault *out)
{
	for (int i = 0; i < f->n; i++) {
		struct emu_fault *x = &f->v[i];

		if (!matches(x, req))
			continue;
		x->hits++;
		*out = *x;
		if (x->remaining > 0 && --x->remaining == 0) {
			struct base_err ignored = BASE_ERR_INIT;

			(void)emu_faults_remove(f, x->id, &ignored);
		}
		return true;
	}
	return false;
}

static void html_page(struct emu_resp *resp)
{
	emu_resp_start(resp, 503, "text/html;charset=UTF-8");
	base_buf_puts(&resp->body,
		      "<!DOCTYPE html>\n<html><head><title>Service "
		      "Unavailable</title></head><body><h1>Service "
		      "Unavailable</h1><p>The server is temporarily unable to "
		      "service your request due to maintenance downtime or "
		      "capacity problems. Please try again later.</p></body>"
		      "</html>\n");
}

void emu_fault_reply(const struct emu_fault *x, const struct emu_req *req,
		     struct emu_resp *resp)
{
	switch (x->kind) {
	case EMU_FAULT_UNAVAILABLE:
		if (is_rest_path(req->path))
			emu_reply_sf_error(resp, 503, "SERVER_UNAVAILABLE",
					   "Server is unavailable. Please try "
					   "again later.");
		else
			html_page(resp);
		break;
	case EMU_FAULT_SERVER_ERROR:
		emu_reply_sf_error(resp, 500, "UNKNOWN_EXCEPTION",
				   "An unexpected error occurred. Please "
				   "include this ErrorId if you contact "
				   "support: 1729384756-12345 (-1234567890)");
		break;
	case EMU_FAULT_LOCK_ROW:
		emu_reply_sf_error(resp, 400, "UNABLE_TO_LOCK_ROW",
				   "unable to obtain exclusive access to this "
				   "record or 1 records");
		break;
	case EMU_FAULT_REQUEST_LIMIT:
		emu_reply_sf_error(resp, 403, "REQUEST_LIMIT_EXCEEDED",
				   "TotalRequests Limit exceeded.");
		break;
	case EMU_FAULT_HTML:
		html_page(resp);
		break;
	case EMU_FAULT_DELAY:
		break;
	}
}
