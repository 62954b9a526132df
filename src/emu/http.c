/* http.c - sfemu's HTTP server over libmicrohttpd. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/httpd.h"
#include "base/log.h"
#include "base/banned.h"

struct emu_http {
	struct base_httpd *srv;
	emu_handler_fn handler;
	void *ctx;
};

const char *emu_req_header(const struct emu_req *req, const char *name)
{
	return base_httpd_header(req->conn, req->headers, req->nheaders, name);
}

const char *emu_req_query(const struct emu_req *req, const char *name)
{
	return base_form_get(&req->query, name);
}

void emu_resp_header(struct emu_resp *resp, const char *name,
		     const char *value)
{
	struct emu_resp_header *h = NULL;

	for (int i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			h = &resp->headers[i];
	if (!h) {
		if (resp->nheaders == EMU_HTTP_MAX_RESP_HEADERS)
			return;
		h = &resp->headers[resp->nheaders++];
	}
	snprintf(h->name, sizeof(h->name), "%s", name);
	snprintf(h->value, sizeof(h->value), "%s", value);
}

void emu_resp_start(struct emu_resp *resp, int status, const char *ctype)
{
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", ctype);
	base_buf_reset(&resp->body);
}

void emu_http_collapse_slashes(char *path)
{
	base_httpd_collapse_slashes(path);
}

static bool send_resp(struct base_httpd_req *breq, struct emu_resp *resp)
{
	struct base_httpd_header hs[EMU_HTTP_MAX_RESP_HEADERS];

	for (int i = 0; i < resp->nheaders; i++)
		hs[i] = (struct base_httpd_header){resp->headers[i].name,
						   resp->headers[i].value};
	return base_httpd_send(breq, resp->status, resp->content_type,
			       resp->body.data, resp->body.len, hs,
			       resp->nheaders, false);
}

static bool too_big(struct base_httpd_req *breq)
{
	struct emu_resp resp = {.body = BASE_BUF_INIT(1024)};
	bool ok;

	emu_resp_start(&resp, 413, "application/json;charset=UTF-8");
	base_buf_puts(&resp.body,
		      "[{\"message\":\"Request body exceeds the maximum size\","
		      "\"errorCode\":\"REQUEST_ENTITY_TOO_LARGE\"}]");
	emu_resp_header(&resp, "Connection", "close");
	ok = send_resp(breq, &resp);
	base_buf_release(&resp.body);
	return ok;
}

/* All request data is in: route it. */
static bool on_request(void *ctx, struct base_httpd_req *breq)
{
	struct emu_http *h = ctx;
	struct emu_req req = {.method = breq->method, .conn = breq->conn};
	struct emu_resp resp = {.status = 200};
	struct base_err err = BASE_ERR_INIT;
	bool ok;
	char *q;

	if (breq->too_big)
		return too_big(breq);
	q = strchr(breq->uri, '?');
	req.raw_query = "";
	if (q) {
		*q = '\0';
		req.raw_query = q + 1;
		if (strchr(req.raw_query, '#'))
			*strchr(q + 1, '#') = '\0';
	}
	emu_http_collapse_slashes(breq->uri);
	req.path = breq->uri;
	if (base_form_parse(&req.query, req.raw_query, strlen(req.raw_query),
			    &err) != 0)
		req.query.n = 0; /* handlers see no parameters; bad escapes are ignored */
	req.body = breq->body;
	req.body_len = breq->body_len;
	snprintf(req.client_ip, sizeof(req.client_ip), "%s", breq->client_ip);
	req.peer_is_loopback = breq->peer_is_loopback;

	resp.body = BASE_BUF_INIT(EMU_HTTP_MAX_BODY);
	h->handler(h->ctx, &req, &resp);
	if (base_buf_err(&resp.body)) {
		base_error("http: %s %s: response body: %s", req.method, req.path,
			   base_code_name(base_buf_err(&resp.body)));
		base_buf_release(&resp.body);
		resp.body = BASE_BUF_INIT(1024);
		emu_resp_start(&resp, 500, "application/json;charset=UTF-8");
		base_buf_puts(&resp.body, "[{\"message\":\"response too large\","
					  "\"errorCode\":\"UNKNOWN_EXCEPTION\"}]");
	}
	ok = send_resp(breq, &resp);
	base_buf_release(&resp.body);
	base_form_release(&req.query);
	return ok;
}

int emu_http_open(const char *host, int port, bool trust_forwarded_for,
		  struct emu_http **out, struct base_err *err)
{
	struct base_httpd_opts o = {
		.host = host,
		.port = port,
		.max_body = EMU_HTTP_MAX_BODY,
		.forwarded = trust_forwarded_for ? BASE_HTTPD_FWD_FIRST
						 : BASE_HTTPD_FWD_NONE,
	};
	struct emu_http *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return base_err_set(err, BASE_ENOMEM, "http server");
	if (base_httpd_open(&o, &h->srv, err) != 0) {
		free(h);
		return err ? err->code : BASE_ERR;
	}
	*out = h;
	return 0;
}

int emu_http_run(struct emu_http *h, int threads, emu_handler_fn handler,
		 void *ctx, struct base_err *err)
{
	h->handler = handler;
	h->ctx = ctx;
	return base_httpd_run(h->srv, threads, on_request, NULL, h, err);
}

int emu_http_port(const struct emu_http *h)
{
	return base_httpd_port(h->srv);
}

void emu_http_stop(struct emu_http *h)
{
	if (!h)
		return;
	base_httpd_stop(h->srv, -1);
	free(h);
}
